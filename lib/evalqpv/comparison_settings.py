"""How comparable QPV are chosen: config/comparaison.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .problems import Problems
from .settings import ProjectPaths, read_settings


@dataclass(frozen=True)
class ComparableRule:
    """How comparable QPV are chosen: variables, how many, what they must share."""

    nom: str
    k: int
    variables: tuple[str, ...]
    logarithme: tuple[str, ...]
    meme: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intercommunality:
    """The contract's own intercommunality when the published files give another one
    (an EPT of the Métropole du Grand Paris): its name and what it is."""

    nom: str
    nature: str


@dataclass(frozen=True)
class ComparisonSettings:
    """config/comparaison.toml: the reference rule, its variants, the threshold of an
    unusual change, the fewest QPV a group needs to be ranked, and the contract's
    intercommunality when the files give another."""

    reference: ComparableRule
    variantes: tuple[ComparableRule, ...]
    seuil: float
    effectif_minimum: int = 10
    intercommunalite: Intercommunality | None = None


def load_comparison(paths: ProjectPaths, problems: Problems | None = None) -> ComparisonSettings:
    """Read config/comparaison.toml (French message on any problem, as load_contract),
    once per process and content of the file: what it gives is immutable, and shared."""
    return read_settings(_read_comparison, paths.comparison, paths, problems)


def _read_comparison(path: Path, label: str, problems: Problems) -> ComparisonSettings:
    default = ComparisonSettings(ComparableRule("référence", 10, (), ()), (), 90.0)
    if not path.exists():
        problems.error(label, "fichier absent.", attendu="la méthode de sélection des QPV "
                       "comparables", correction="restaurez config/comparaison.toml")
        return default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.error(label, f"fichier illisible : {exc}.", attendu="un fichier TOML en UTF-8")
        return default

    def rule(table: dict[str, Any], base: ComparableRule | None, where: str) -> ComparableRule:
        k = table.get("k", base.k if base else 10)
        if not isinstance(k, int) or not 1 <= k <= 200:
            problems.error(label, "nombre de QPV comparables invalide.", colonne=where + "k",
                           valeur=str(k), attendu="un entier entre 1 et 200")
            k = 10
        variables = table.get("variables", base.variables if base else [])
        if not isinstance(variables, list | tuple) or not variables:
            problems.error(label, "aucune variable de sélection.", colonne=where + "variables",
                           attendu="une liste d'indicateurs du référentiel")
            variables = []
        meme = table.get("meme", [])
        bad = [m for m in meme if m not in ("region", "departement")]
        if bad:
            problems.error(label, "restriction inconnue.", colonne=where + "meme",
                           valeur=", ".join(map(str, bad)), attendu="region ou departement")
        return ComparableRule(str(table.get("nom", "référence")), k,
                              tuple(str(v) for v in variables), logarithme,
                              tuple(str(m) for m in meme if m not in bad))

    logarithme = tuple(str(v) for v in data.get("logarithme", []))
    reference = rule(data, None, "")
    variantes = tuple(rule(v, reference, f"variantes[{i}].")
                      for i, v in enumerate(data.get("variantes", [])))
    seuil = data.get("seuil", 90)
    if not isinstance(seuil, int | float) or not 50 <= seuil < 100:
        problems.error(label, "seuil invalide.", colonne="seuil", valeur=str(seuil),
                       attendu="un pourcentage entre 50 et 99")
        seuil = 90
    minimum = data.get("effectif_minimum", 10)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or not 2 <= minimum <= 200:
        problems.error(label, "effectif minimum invalide.", colonne="effectif_minimum",
                       valeur=str(minimum), attendu="un nombre entier de QPV entre 2 et 200")
        minimum = 10
    for where, one in (("", reference), *((f"variantes[{i}].", v)
                                          for i, v in enumerate(variantes))):
        if one.k + 1 < minimum:
            problems.error(label, f"« {one.nom} » : trop peu de QPV comparables pour être "
                           "classés.", colonne=where + "k", valeur=str(one.k),
                           attendu=f"au moins {minimum - 1} (avec le quartier, un groupe "
                           f"d'au moins effectif_minimum = {minimum} QPV)")
    return ComparisonSettings(reference, variantes, float(seuil), minimum,
                              _intercommunality(data.get("intercommunalite"), label,
                                                problems))


def _intercommunality(table: object, label: str,
                      problems: Problems) -> Intercommunality | None:
    if table is None:
        return None
    if not isinstance(table, dict) or not all(
            isinstance(table.get(k), str) and table[k].strip() for k in ("nom", "nature")):
        problems.error(label, "intercommunalité du contrat invalide.",
                       colonne="intercommunalite", attendu='une table [intercommunalite] '
                       'avec nom = "…" et nature = "…" (ou pas de table)')
        return None
    return Intercommunality(table["nom"].strip(), table["nature"].strip())
