"""Files that are either wholly written or not at all: a temporary file beside the
target, then a rename. Every writer of data/processed/ and reports/ goes through here.

The temporary file is named `.<target>.<pid>.<random>.tmp`, so that a run killed in the
middle leaves a leftover that the next run recognises (its process is gone) and removes.
The renamed file gets the permissions the user's umask gives any new file (mkstemp alone
would leave it readable by its owner only). Every CSV cell goes through `defuse`: a
spreadsheet never runs a partner's text as a formula.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .spreadsheet import defuse

_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


def file_mode() -> int:
    """The mode a new file gets under the current umask (0644 under the usual 022)."""
    mask = _umask()
    return 0o666 & ~mask


def directory_mode() -> int:
    return 0o777 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def _replacing(path: Path, newline: str) -> Iterator[IO[str]]:
    """A text handle on a temporary file that replaces `path` once complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                               dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # a full disk fails here, before the rename
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_atomic(path: Path, columns: list[str], rows: Iterable[dict[str, str]]) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written file."""
    with _replacing(path, "") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: defuse(v) for k, v in row.items()} for row in rows)


def write_text_atomic(path: Path, text: str) -> None:
    with _replacing(path, "\n") as handle:
        handle.write(text)


def write_lines_atomic(path: Path, lines: Iterable[str]) -> None:
    """write_text_atomic for text made line by line, never held whole in memory."""
    with _replacing(path, "") as handle:
        for line in lines:
            handle.write(line)


def write_text_if_changed(path: Path, text: str) -> bool:
    """write_text_atomic, only when `path` does not already hold `text` (a run with
    nothing to do writes nothing: a read-only checkout stays untouched). True when
    written."""
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return False
    except OSError:
        pass
    write_text_atomic(path, text)
    return True


def copy_atomic(source: Path, target: Path) -> None:
    """A copy of `source` that appears complete at `target` or not at all."""
    with source.open(encoding="utf-8", newline="") as src, _replacing(target, "") as handle:
        for block in iter(lambda: src.read(1 << 20), ""):
            handle.write(block)


def is_stale_temporary(path: Path) -> bool:
    """A temporary file of this module whose writer is no longer running."""
    match = _TEMPORARY.match(path.name)
    return match is not None and not process_alive(int(match.group(1)))


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def replace_atomically(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` for a writer that wants a file name (pyarrow...);
    renamed over `path` when the block ends without error, removed otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
