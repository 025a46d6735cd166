"""The store's folder changes as one unit: a build fills a new folder, then switches.

A build writes every file into `.<processed>.construction-<pid>` beside data/processed/,
renames it `.<processed>.pret-<pid>` once complete, then puts it in place of
data/processed/ with two renames. Whatever stops the build (Ctrl-C, kill -9, a full
disk, a read-only folder), data/processed/ is either the old store or the new one,
never a mix: `recover` completes a switch cut between its two renames, and removes what
an interrupted build left behind.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..settings import ProjectPaths
from .atomic import directory_mode, is_stale_temporary, process_alive

_STAGE = re.compile(r"^\.(?P<name>.+)\.(?P<state>construction|pret|ancien)-(?P<pid>\d+)$")


def public_path(text: str) -> str:
    """A path as the evaluator knows it: a build's staging folder is data/processed/."""
    return re.sub(r"\.(?P<name>[^/\\]+)\.(?:construction|pret|ancien)-\d+", r"\g<name>", text)


def live_folder(paths: ProjectPaths) -> Path:
    """data/processed/, through a symbolic link if it is one (the switch happens there)."""
    return paths.processed.resolve()


def _sibling(live: Path, state: str, pid: int | None = None) -> Path:
    return live.parent / f".{live.name}.{state}-{pid or os.getpid()}"


def _leftovers(live: Path) -> list[tuple[Path, str, int]]:
    if not live.parent.is_dir():
        return []
    found = []
    for entry in sorted(live.parent.iterdir()):
        match = _STAGE.match(entry.name)
        if match and match["name"] == live.name:
            found.append((entry, match["state"], int(match["pid"])))
    return found


def recover(paths: ProjectPaths) -> list[str]:
    """Finish or undo what an interrupted build left; French notes on what was done."""
    live = live_folder(paths)
    notes: list[str] = []
    leftovers = [(p, s, pid) for p, s, pid in _leftovers(live) if not process_alive(pid)]
    if not live.exists():
        ready = [p for p, state, _ in leftovers if state == "pret"]
        old = [p for p, state, _ in leftovers if state == "ancien"]
        if ready or old:
            os.rename((ready or old)[-1], live)
            notes.append("Une construction du stock a été interrompue pendant le remplacement "
                         "de data/processed/ : " + ("le nouveau stock, complet, a été mis en "
                                                   "place." if ready else
                                                   "le stock précédent a été remis en place."))
            leftovers = [(p, s, pid) for p, s, pid in leftovers if p.exists()]
    if leftovers:
        for path, _, _ in leftovers:
            shutil.rmtree(path, ignore_errors=True)
        notes.append(f"Fichiers provisoires d'une construction interrompue supprimés "
                     f"({len(leftovers)} dossier(s)) ; le stock en place n'a pas été touché.")
    if live.is_dir():
        stale = [p for p in live.iterdir() if p.is_file() and is_stale_temporary(p)]
        for path in stale:
            path.unlink(missing_ok=True)
        if stale:
            notes.append(f"Fichiers temporaires d'une écriture interrompue supprimés de "
                         f"data/processed/ : {len(stale)}.")
    return notes


@contextmanager
def staged_store(paths: ProjectPaths) -> Iterator[ProjectPaths]:
    """Paths whose store files go to a new folder, put in place of data/processed/ in one
    step when the block ends normally; on any exception the new folder is removed."""
    live = live_folder(paths)
    writable = live if live.exists() else live.parent
    if writable.exists() and not os.access(writable, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(writable))
    live.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(live, "construction")
    old = _sibling(live, "ancien")
    shutil.rmtree(staging, ignore_errors=True)
    os.mkdir(staging, directory_mode())
    try:
        yield paths.staged(staging)
        _carry_over(paths, live, staging)
        _sync(staging)
        ready = _sibling(live, "pret")
        os.rename(staging, ready)  # complete: from here a cut switch is finished by recover
        staging = ready
        if live.exists():
            os.rename(live, old)
        os.rename(ready, live)
        _sync(live.parent)
    except BaseException:
        if not live.exists() and old.exists():
            os.rename(old, live)  # the second rename failed: the old store goes back
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _carry_over(paths: ProjectPaths, live: Path, staging: Path) -> None:
    """Files of data/processed/ that the build does not write (README.md, the validation
    report, an evaluator's notes) are kept in the new folder."""
    if not live.is_dir():
        return
    produced = {p.name for p in paths.store_outputs}
    for entry in live.iterdir():
        if entry.name in produced or entry.name.startswith(".") or not entry.is_file():
            continue
        target = staging / entry.name
        if not target.exists():
            shutil.copy2(entry, target)


def _sync(folder: Path) -> None:
    """Flush a folder's entries to disk (renames survive a power cut)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
