"""Fingerprints that say whether an output is out of date (no timestamps involved).

The manifest written with the store records the SHA-256 of every input and of the
package's code; the store is current when both still match.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import __version__
from ..settings import ProjectPaths
from .atomic import sha256, write_text_atomic

PACKAGE_DIR = Path(__file__).resolve().parents[1]


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
    inputs = sorted(p for p in (*paths.raw.rglob("*"), paths.referentiel, paths.variables,
                                paths.contract, paths.objectives, paths.claims,
                                paths.comparison, paths.analyses)
                    if p.is_file() and not p.name.startswith("."))
    return {paths.label(p): sha256(p) for p in inputs}


def write_manifest(paths: ProjectPaths, version: str) -> None:
    write_text_atomic(paths.manifest, json.dumps(
        {"version_evalqpv": version, "code_evalqpv": code_fingerprint(),
         "entrees": input_fingerprint(paths)},
        ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def read_manifest(paths: ProjectPaths) -> dict[str, object]:
    data: dict[str, object] = json.loads(paths.manifest.read_text(encoding="utf-8"))
    return data


def input_entries(paths: ProjectPaths) -> dict[str, str]:
    """The inputs the store was built from, with their SHA-256, as the manifest says."""
    entries = read_manifest(paths).get("entrees", {})
    return {str(k): str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}


def store_is_current(paths: ProjectPaths) -> bool:
    """The store was built from the inputs and code that are there now."""
    if not (paths.manifest.exists() and paths.store.exists()):
        return False
    data = read_manifest(paths)
    return data.get("entrees") == input_fingerprint(paths) \
        and data.get("code_evalqpv") == code_fingerprint()


def store_key(paths: ProjectPaths) -> str:
    """One hash that changes whenever the store does."""
    return hashlib.sha256(paths.manifest.read_bytes()).hexdigest()
