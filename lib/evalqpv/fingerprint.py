"""Fingerprints that say whether an output is out of date (no timestamps involved)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import __version__
from .paths import ProjectPaths
from .store import sha256

PACKAGE_DIR = Path(__file__).resolve().parent


def code_fingerprint() -> str:
    """Hash of the package's code and templates: a code change rebuilds everything."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".json"):
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def input_fingerprint(paths: ProjectPaths) -> dict[str, str]:
    """SHA-256 of every input of the store: raw files and configuration."""
    inputs = sorted(p for p in (*paths.raw.rglob("*"), paths.referentiel, paths.variables)
                    if p.is_file() and not p.name.startswith("."))
    return {str(p.relative_to(paths.root)): sha256(p) for p in inputs}
