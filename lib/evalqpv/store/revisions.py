"""The revisions between two stores: new figures, figures revised by their producer,
figures that disappeared (the file `changements.csv`). Pure functions on store rows.

In this code a « revision » is a figure that differs between two versions of the data:
two stores here, or two releases of one producer (a conflict of nature
REVISION_PRODUCTEUR, store.consolidate). A quarter's « variation » is the change of an
indicator between two years (`report.groups.variations`); a source « switch » is where a
series changes producer (`report.chart_text.source_switches`)."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..ingest.registry import is_contract_file, is_partner_file
from ..vocabulary import (
    NOUVEAU,
    ORIGINE_CONTRAT,
    ORIGINE_PARTENAIRE,
    ORIGINE_PUBLICATION,
    RETIRE,
    REVISE,
)
from .consolidate import combined_origin

COLUMNS = ["nature", "indicateur", "niveau", "code", "libelle_territoire", "geographie",
           "annee", "avant", "apres", "source", "fichier", "origine"]

Key = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Revision:
    nature: str
    indicateur: str
    niveau: str
    code: str
    libelle_territoire: str
    geographie: str
    annee: str
    avant: str
    apres: str
    source: str
    fichier: str = ""  # the files of the current figure (or of the vanished one)
    origine: str = ""  # where that figure comes from (the store's column)

    def as_row(self) -> dict[str, str]:
        return {c: getattr(self, c) for c in COLUMNS}


def _index(rows: list[dict[str, str]]) -> dict[Key, list[dict[str, str]]]:
    out: dict[Key, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        out[(row["indicateur"], row["niveau"], row["code"], row["geographie"],
             row["annee"])].append(row)
    return out


def _values(rows: list[dict[str, str]]) -> str:
    return " ≠ ".join(sorted({r["valeur"] for r in rows if r["valeur"]}))


def compare(previous: list[dict[str, str]], current: list[dict[str, str]]) -> list[Revision]:
    """Changes from `previous` to `current`, in the store's order."""
    before, after = _index(previous), _index(current)
    revisions: list[Revision] = []
    for key in sorted(set(before) | set(after)):
        old = _values(before.get(key, []))
        new = _values(after.get(key, []))
        if old == new:
            continue
        rows = after.get(key) or before[key]
        nature = NOUVEAU if not old else (RETIRE if not new else REVISE)
        revisions.append(Revision(nature, *key[:3], rows[0]["libelle_territoire"], key[3], key[4],
                              old, new, rows[0]["source"] if new else "",
                              rows[0].get("fichier", ""),
                              rows[0].get("origine")
                              or _origin_of_files(rows[0].get("fichier", ""))))
    return revisions


def _origin_of_files(fichier: str) -> str:
    """The origin of a row of a store written before the column « origine » existed:
    from the folders of the files it cites, as those stores were read."""
    return combined_origin({ORIGINE_CONTRAT if is_contract_file(f) else ORIGINE_PARTENAIRE
                            if is_partner_file(f) else ORIGINE_PUBLICATION
                            for f in fichier.split(" | ") if f})


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
