"""Fingerprints that say whether an output is out of date (no timestamps involved).

The manifest written with the store records the SHA-256 of every input, of the
package's code, and of every file the build wrote beside it. The store is current when
all three still match: a store edited by hand, or files of two different builds side by
side, are never trusted.

Hashing a 60 MB store takes longer than everything else an unchanged run does, so a
verified output's size, date and inode are remembered beside data/processed/
(`.processed.verifie.json`): while they have not moved, its hash is not recomputed.
That cache only ever saves work; the manifest alone decides.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import __version__
from ..ingest.rawfiles import raw_files
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
    """SHA-256 of every input of the store: raw files (the same list the build reads,
    through symbolic links) and configuration."""
    config = (paths.referentiel, paths.variables, paths.sources, paths.contract,
              paths.objectives,
              paths.claims, paths.comparison, paths.analyses, paths.ruptures,
              paths.correspondence)
    inputs = [*raw_files(paths), *(p for p in config if p.is_file())]
    return {paths.label(p): sha256(p) for p in sorted(inputs)}


def output_fingerprint(paths: ProjectPaths) -> dict[str, dict[str, object]]:
    """SHA-256 and size of every file written so far in the store's folder."""
    out: dict[str, dict[str, object]] = {}
    for path in sorted(paths.processed.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path != paths.manifest:
            out[path.name] = {"sha256": sha256(path), "octets": path.stat().st_size}
    return out


def write_manifest(paths: ProjectPaths, version: str) -> None:
    """Written last: it describes every file the build wrote before it."""
    write_text_atomic(paths.manifest, json.dumps(
        {"version_evalqpv": version, "code_evalqpv": code_fingerprint(),
         "entrees": input_fingerprint(paths), "sorties": output_fingerprint(paths)},
        ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def read_manifest(paths: ProjectPaths) -> dict[str, object]:
    """The manifest, or {} when it is missing or unreadable (never trusted then)."""
    try:
        data = json.loads(paths.manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def input_entries(paths: ProjectPaths) -> dict[str, str]:
    """The inputs the store was built from, with their SHA-256, as the manifest says."""
    entries = read_manifest(paths).get("entrees", {})
    return {str(k): str(v) for k, v in entries.items()} if isinstance(entries, dict) else {}


def outputs_state(paths: ProjectPaths) -> str | None:
    """None when the store's files are those its manifest describes (or when there is no
    store at all); otherwise what does not match, in French."""
    if not paths.manifest.exists() and not paths.store.exists():
        return None
    outputs = read_manifest(paths).get("sorties")
    if not isinstance(outputs, dict) or not outputs:
        return "manifeste absent, illisible ou d'une version antérieure"
    for name, entry in sorted(outputs.items()):
        if not outputs_match(paths, str(name), entry):
            return (f"data/processed/{name} ne correspond pas au manifeste (modifié à la "
                    "main, ou laissé par une construction interrompue)")
    return None


def store_state(paths: ProjectPaths) -> str | None:
    """None when the store is current; otherwise why not, in French."""
    if not (paths.manifest.exists() and paths.store.exists()):
        return "aucun stock construit"
    mismatch = outputs_state(paths)
    if mismatch:
        return mismatch
    data = read_manifest(paths)
    if data.get("code_evalqpv") != code_fingerprint():
        return "le code de la boîte à outils a changé"
    if data.get("entrees") != input_fingerprint(paths):
        return "une donnée d'entrée a changé"
    return None


def store_is_current(paths: ProjectPaths) -> bool:
    """The store was built from the inputs and code that are there now, and its files
    are the ones its manifest describes."""
    return store_state(paths) is None


def outputs_match(paths: ProjectPaths, name: str, entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    path = paths.processed / name
    try:
        stat = path.stat()
    except OSError:
        return False
    if stat.st_size != entry.get("octets"):
        return False
    expected = entry.get("sha256")
    seen = [stat.st_size, stat.st_mtime_ns, stat.st_ino, expected]
    cache = _read_cache(paths)
    if cache.get(name) == seen:
        return True
    if sha256(path) != expected:
        return False
    cache[name] = seen
    _write_cache(paths, cache)
    return True


def remember_outputs(paths: ProjectPaths) -> None:
    """After a build: its files are those the manifest just described."""
    outputs = read_manifest(paths).get("sorties")
    if not isinstance(outputs, dict):
        return
    cache: dict[str, object] = {}
    for name, entry in outputs.items():
        try:
            stat = (paths.processed / str(name)).stat()
        except OSError:
            continue
        if isinstance(entry, dict) and stat.st_size == entry.get("octets"):
            cache[str(name)] = [stat.st_size, stat.st_mtime_ns, stat.st_ino, entry.get("sha256")]
    _write_cache(paths, cache)


def _cache_file(paths: ProjectPaths) -> Path:
    live = paths.processed.resolve()
    return live.parent / f".{live.name}.verifie.json"


def _read_cache(paths: ProjectPaths) -> dict[str, object]:
    try:
        data = json.loads(_cache_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(paths: ProjectPaths, cache: dict[str, object]) -> None:
    try:
        write_text_atomic(_cache_file(paths), json.dumps(cache, sort_keys=True))
    except OSError:
        pass  # a read-only or full disk: the hash is recomputed next time


def store_key(paths: ProjectPaths) -> str:
    """One hash that changes whenever the store does."""
    return hashlib.sha256(paths.manifest.read_bytes()).hexdigest()
