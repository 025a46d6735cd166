"""Every kind of source the toolkit reads, in reading order.

Adding a simple source (one row per territory and year, one column per indicator) is one
line of config/sources.csv, read by the one generic reader of `ingest.declared`
(`readers`). A source of another layout: write its module (an `identify` and a `read`
returning a ReadResult, on the skeleton of `ingest.skeleton`, bundled in a `Reader`),
then add one line below. Readers that list the QPV come before those that need the
QPV's communes; build checks that order.
"""

from __future__ import annotations

from pathlib import Path

from . import (
    FileId,
    Reader,
    contract,
    declared,
    filosofi,
    ips,
    long_tables,
    partners,
    sig_ville,
)

READERS: tuple[Reader, ...] = (
    sig_ville.READER,  # lists every QPV and its communes
    filosofi.READER,
    long_tables.READER,
    ips.READER,
    contract.READER,
    partners.READER,
)


def readers(sources: declared.Sources) -> tuple[Reader, ...]:
    """READERS, then the one reader of the sources declared in config/sources.csv: last,
    so that a declared pattern never takes a file another reader knows."""
    return (*READERS, declared.reader(sources))


# The folders filled by hand for the contract (its transcription, the partners' returns).
# Each reader gives its observations' origin, which consolidation writes to the store
# (`origine`): these two tell it only for a store written before that column.


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


def identify(rel: Path, among: tuple[Reader, ...] = READERS
             ) -> tuple[Reader, FileId] | None:
    """The reader of a file of data/raw/ (path relative to it), or None."""
    for reader in among:
        file = reader.identify(rel)
        if file is not None:
            return reader, file
    return None


def expected_names(among: tuple[Reader, ...] = READERS) -> list[str]:
    """What a file must be called to be read, for the "unknown file" message."""
    return [name for reader in among for name in reader.expected]
