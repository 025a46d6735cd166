"""The store: every observation, consolidated and traceable to its raw file.

Equal figures for the same indicator, territory, geography and year become one row
citing every source; different figures are all kept, flagged `conflit=oui`, and
listed in the validation report: never a silent pick.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from ..ingest import Observation
from ..vocabulary import (
    BORNE_INF,
    BORNE_SUP,
    CONFLICT,
    ORIGINE_CONTRAT,
    ORIGINE_CONTRAT_PARTENAIRE,
    ORIGINE_PUBLICATION,
    ORIGINE_PUBLICATION_CONTRAT,
    REVISION_PRODUCTEUR,
    SOURCES_DIFFERENTES,
    VALEUR,
)
from .atomic import write_csv_atomic

# Columns of data/processed/observations.csv, in order (docs/stock.md describes them).
STORE_COLUMNS = [
    "indicateur",
    "niveau",
    "code",
    "libelle_territoire",
    "rattachement",
    "geographie",
    "annee",
    "periode",
    "valeur",
    "statut",
    "valeur_publiee",
    "qualite",
    "origine",
    "producteur",
    "source",
    "millesime",
    "fichier",
    "ligne",
    "colonne",
    "conflit",
]

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
    nature: str = SOURCES_DIFFERENTES  # or REVISION_PRODUCTEUR


def key_of(obs: Observation) -> Key:
    return (obs.indicateur, obs.niveau, obs.code, obs.geographie, obs.annee)


def consolidate(observations: Iterable[Observation], hand_filled: AbstractSet[str] = frozenset()
                ) -> tuple[list[dict[str, str]], list[Conflict]]:
    """Store rows, sorted by key, and the conflicts between sources.

    `hand_filled`: files filled by hand (contract, partners), whose disagreement with a
    publication is never a producer's revision.
    """
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
            if obs.statut == VALEUR:
                clusters[round(_value(obs), 6)].append(obs)
        bounds = [o for o in valued if o.statut != VALEUR]
        if not clusters:  # only bounds: equal bounds merge, different ones conflict
            for obs in bounds:
                clusters[round(_value(obs), 6)].append(obs)
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
            rows.append(_merge(members, CONFLICT))
        conflicts.append(Conflict(*key, versions=tuple(
            (members[0].valeur_publiee, "; ".join(f"{o.fichier} ligne {o.ligne}" for o in members))
            for members in parts), nature=_nature(group, hand_filled)))
    return rows, conflicts


def _nature(group: list[Observation], hand_filled: AbstractSet[str]) -> str:
    """Two releases of the same published series disagreeing: the producer revised it."""
    folders = {o.fichier.rsplit("/", 1)[0] for o in group}
    families = {o.source.split(", publication")[0] for o in group}
    releases = {o.millesime for o in group}
    published = not any(o.fichier in hand_filled for o in group)
    if published and len(folders) == 1 and len(families) == 1 and len(releases) > 1:
        return REVISION_PRODUCTEUR
    return SOURCES_DIFFERENTES


def _value(obs: Observation) -> float:
    """The value of an observation known to have one."""
    assert obs.valeur is not None
    return obs.valeur


def _satisfies(value: float, bound: Observation) -> bool:
    if bound.statut == BORNE_INF:
        return value >= _value(bound)
    if bound.statut == BORNE_SUP:
        return value <= _value(bound)
    return True


def _merge(group: list[Observation], conflit: str) -> dict[str, str]:
    """One store row from observations that agree; citations joined with ' | '."""
    exact = [o for o in group if o.statut == VALEUR]
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
        "periode": next((o.periode for o in group if o.periode), ""),
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
    row["origine"] = origin(group)
    return row


def origin(group: Iterable[Observation]) -> str:
    """Where a row's figure comes from, from what each reader said of its observations
    (vocabulary, ORIGINE_*): a publication as soon as one is cited (saying whether the
    contract prints it too), else who typed it. The reports read this column, never the
    paths."""
    kinds = set()
    for obs in group:
        if not obs.origine:
            raise RuntimeError(f"Erreur interne : une observation de {obs.fichier} (ligne "
                               f"{obs.ligne}) n'a pas d'origine ; son lecteur doit la donner.")
        kinds.add(obs.origine)
    return combined_origin(kinds)


def combined_origin(kinds: set[str]) -> str:
    """One origin for a figure several files give: a publication wins, and says whether
    the contract prints the figure too."""
    if not kinds or ORIGINE_PUBLICATION in kinds:
        return ORIGINE_PUBLICATION_CONTRAT if ORIGINE_CONTRAT in kinds else ORIGINE_PUBLICATION
    return kinds.pop() if len(kinds) == 1 else ORIGINE_CONTRAT_PARTENAIRE


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


def write_store(path: Path, rows: list[dict[str, str]]) -> None:
    write_csv_atomic(path, STORE_COLUMNS, rows)
