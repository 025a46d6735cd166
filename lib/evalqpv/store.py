"""The store: every observation, consolidated and traceable to its raw file.

Equal figures for the same indicator, territory, geography and year become one row
citing every source; different figures are all kept, flagged `conflit=oui`, and
listed in the validation report: never a silent pick.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .schema import STORE_COLUMNS, Observation

Key = tuple[str, str, str, str, int]
CITATION_FIELDS = ("producteur", "source", "millesime", "fichier", "ligne", "colonne",
                   "valeur_publiee", "qualite")


@dataclass(frozen=True)
class Conflict:
    indicateur: str
    niveau: str
    code: str
    geographie: str
    annee: int
    versions: tuple[tuple[str, str], ...]  # (value as published, files and lines)
    nature: str = "sources différentes"  # or "révision du producteur"


def key_of(obs: Observation) -> Key:
    return (obs.indicateur, obs.niveau, obs.code, obs.geographie, obs.annee)


def consolidate(observations: Iterable[Observation]) -> tuple[list[dict[str, str]], list[Conflict]]:
    groups: dict[Key, list[Observation]] = defaultdict(list)
    for obs in observations:
        groups[key_of(obs)].append(obs)
    rows: list[dict[str, str]] = []
    conflicts: list[Conflict] = []
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda o: (o.fichier, o.ligne))
        if len(group) == 1:
            rows.append(_merge(group, ""))
            continue
        valued = [o for o in group if o.valeur is not None]
        if not valued:  # every source left it unpublished: one row citing all
            rows.append(_merge(group, ""))
            continue
        clusters: dict[float, list[Observation]] = defaultdict(list)
        for obs in valued:
            if obs.statut == "valeur":
                clusters[round(obs.valeur, 6)].append(obs)  # type: ignore[arg-type]
        bounds = [o for o in valued if o.statut != "valeur"]
        if not clusters:  # only bounds: equal bounds merge, different ones conflict
            for obs in bounds:
                clusters[round(obs.valeur, 6)].append(obs)  # type: ignore[arg-type]
            bounds = []
        compatible = [b for b in bounds if all(_satisfies(v, b) for v in clusters)]
        incompatible = [b for b in bounds if b not in compatible]
        if len(clusters) == 1 and not incompatible:
            (members,) = clusters.values()
            rows.append(_merge(sorted(members + compatible, key=lambda o: (o.fichier, o.ligne)),
                               ""))
            continue
        parts = [sorted(m + compatible, key=lambda o: (o.fichier, o.ligne))
                 for _, m in sorted(clusters.items())] + [[b] for b in incompatible]
        for members in parts:
            rows.append(_merge(members, "oui"))
        conflicts.append(Conflict(*key, versions=tuple(
            (members[0].valeur_publiee, "; ".join(f"{o.fichier} ligne {o.ligne}" for o in members))
            for members in parts), nature=_nature(group)))
    return rows, conflicts


def _nature(group: list[Observation]) -> str:
    """Two releases of the same published series disagreeing: the producer revised it."""
    folders = {o.fichier.rsplit("/", 1)[0] for o in group}
    families = {o.source.split(", publication")[0] for o in group}
    releases = {o.millesime for o in group}
    published = not any(part in o.fichier for o in group for part in ("/contrat/",
                                                                       "/partenaires/"))
    if published and len(folders) == 1 and len(families) == 1 and len(releases) > 1:
        return "révision du producteur"
    return "sources différentes"


def _satisfies(value: float, bound: Observation) -> bool:
    if bound.statut == "borne_inf":
        return value >= bound.valeur  # type: ignore[operator]
    if bound.statut == "borne_sup":
        return value <= bound.valeur  # type: ignore[operator]
    return True


def _merge(group: list[Observation], conflit: str) -> dict[str, str]:
    """One store row from observations that agree; citations joined with ' | '."""
    exact = [o for o in group if o.statut == "valeur"]
    first = exact[0] if exact else group[0]
    row = {
        "indicateur": first.indicateur,
        "niveau": first.niveau,
        "code": first.code,
        "libelle_territoire": next((o.libelle_territoire for o in group if o.libelle_territoire),
                                   ""),
        "rattachement": first.rattachement,
        "geographie": first.geographie,
        "annee": str(first.annee),
        "valeur": format_number(first.valeur),
        "statut": first.statut,
        "conflit": conflit,
    }
    for field in CITATION_FIELDS:
        values: list[str] = []
        for obs in group:
            text = str(getattr(obs, field))
            if text and text not in values:
                values.append(text)
        row[field] = " | ".join(values)
    return row


def format_number(value: float | None) -> str:
    """Decimal point, no thousands separator, no trailing .0: stable across rebuilds."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def fill_labels(rows: list[dict[str, str]], known: dict[tuple[str, str], str]) -> None:
    """Give every row the territory's name, from other files when its own has none."""
    names = dict(known)
    for row in rows:
        if row["libelle_territoire"]:
            names.setdefault((row["niveau"], row["code"]), row["libelle_territoire"])
    for row in rows:
        if not row["libelle_territoire"]:
            row["libelle_territoire"] = names.get((row["niveau"], row["code"]), "")


def write_csv_atomic(path: Path, columns: list[str], rows: Iterable[dict[str, str]]) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n",
                                    extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_store(path: Path, rows: list[dict[str, str]]) -> None:
    write_csv_atomic(path, STORE_COLUMNS, rows)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_json(entries: dict[str, str], version: str, code: str) -> str:
    return json.dumps({"version_evalqpv": version, "code_evalqpv": code, "entrees": entries},
                      ensure_ascii=False, indent=1, sort_keys=True) + "\n"
