"""The files of data/raw/, as the build reads them and the manifest fingerprints them.

A symbolic link is followed when it leads inside the project (a returns folder linked
from elsewhere in the project is read like any other); one that leads outside it (to a
network share, to /etc/passwd) is refused and never opened, and a broken one is
reported: nothing under data/raw/ is skipped without a word.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..problems import Problems
from ..settings import ProjectPaths


def raw_files(paths: ProjectPaths, problems: Problems | None = None) -> list[Path]:
    """Every file under data/raw/ (hidden files aside), by path, links resolved safely."""
    allowed = (paths.root.resolve(), paths.raw.resolve())
    out: list[Path] = []
    visited: set[Path] = set()

    def walk(folder: Path) -> None:
        real = folder.resolve()
        if real in visited:
            return  # a link loop
        visited.add(real)
        try:
            entries = sorted(folder.iterdir())
        except OSError as exc:
            _say(problems, paths, folder, f"dossier illisible ({exc.strerror}).",
                 "un dossier que l'utilisateur peut lire")
            return
        for entry in entries:
            if entry.is_symlink() and not _followable(entry, allowed, problems, paths):
                continue
            if entry.is_dir():
                walk(entry)
            elif entry.is_file() and not entry.name.startswith("."):
                out.append(entry)

    if paths.raw.is_dir():
        walk(paths.raw)
    return sorted(out)


def _followable(link: Path, allowed: tuple[Path, ...], problems: Problems | None,
                paths: ProjectPaths) -> bool:
    target = Path(os.path.realpath(link))
    if not target.exists():
        _say(problems, paths, link, "lien symbolique cassé : sa cible n'existe pas.",
             "un fichier ou un dossier existant", valeur=os.readlink(link))
        return False
    if not any(target == base or base in target.parents for base in allowed):
        _say(problems, paths, link, "lien symbolique vers un emplacement hors du projet : "
             "refusé, son contenu n'est pas lu.", "des fichiers rangés dans le projet",
             valeur=str(target),
             correction="copiez les fichiers eux-mêmes dans data/raw/ (un lien vers un autre "
             "endroit du projet est suivi)")
        return False
    return True


def _say(problems: Problems | None, paths: ProjectPaths, path: Path, message: str,
         attendu: str, valeur: str | None = None, correction: str | None = None) -> None:
    if problems is not None:
        problems.error(paths.label(path), message, valeur=valeur, attendu=attendu,
                       correction=correction)
