"""Every kind of source the toolkit reads, in reading order.

Adding a source: write its module (an `identify` and a `read` returning a ReadResult,
bundled in a `Reader`), then add one line below. Readers that list the QPV come before
those that need the QPV's communes; build checks that order.
"""

from __future__ import annotations

from pathlib import Path

from . import FileId, Reader, contract, filosofi, ips, long_tables, partners, sig_ville

READERS: tuple[Reader, ...] = (
    sig_ville.READER,  # lists every QPV and its communes
    filosofi.READER,
    long_tables.READER,
    ips.READER,
    contract.READER,
    partners.READER,
)

# Files of data/raw/ filled by hand for the contract (its transcription, the partners'
# returns): store.consolidate writes what a row's files are (its `origine` column).


def is_contract_file(fichier: str) -> bool:
    """A store row's file is the contract's own transcription (its printed figures)."""
    parts = fichier.split("/")
    return len(parts) > 3 and parts[:3] == ["data", "raw", contract.FOLDER]


def is_partner_file(fichier: str) -> bool:
    """A store row's file is a partner's return."""
    parts = fichier.split("/")
    return len(parts) > 3 and parts[:3] == ["data", "raw", partners.FOLDER]


# Files of data/raw/ that are documentation, not data.
IGNORED_SUFFIXES = (".md", ".txt", ".gitkeep")


def identify(rel: Path) -> tuple[Reader, FileId] | None:
    """The reader of a file of data/raw/ (path relative to it), or None."""
    for reader in READERS:
        file = reader.identify(rel)
        if file is not None:
            return reader, file
    return None


def expected_names() -> list[str]:
    """What a file must be called to be read, for the "unknown file" message."""
    return [name for reader in READERS for name in reader.expected]
