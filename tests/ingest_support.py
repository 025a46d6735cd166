"""What the unit tests of ingest/ share: a reading context built by hand (a few
indicators, a few year rules, a hand-made contract) in a temporary project, and files
written under its data/raw/."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tests.helpers import indicator

from evalqpv.contract_settings import Contract
from evalqpv.ingest import Observation, ReadContext
from evalqpv.ingest.variables import VariableRule, VariableRules
from evalqpv.referentiel import Indicator, Referentiel
from evalqpv.settings import ProjectPaths

CONTRACT = Contract(nom="Contrat de ville d'essai", territoire="QP092005",
                    transcription_producteur="Ville d'essai (transcription)",
                    transcription_millesime="2024")


def unit(ind_id: str, unite: str = "nombre", partenaire: str = "x") -> Indicator:
    """An indicator of the référentiel with only its unit and partner said."""
    return indicator(ind_id, "1.1", unite=unite, partenaire=partenaire)


def rule(famille: str, variable: str, indicateur: str, annee_reference: str = "millesime",
         colonne_note: str = "", millesime_min: int = 2000,
         millesime_max: int | None = None) -> VariableRule:
    return VariableRule(famille=famille, variable=variable, indicateur=indicateur,
                        millesime_min=millesime_min, millesime_max=millesime_max,
                        annee_reference=annee_reference, colonne_note=colonne_note,
                        preuve="essai", ligne=2)


def context(root: Path, indicators: Iterable[Indicator] = (),
            rules: Iterable[VariableRule] = (), *, annee_max: int = 2026,
            communes_retenues: frozenset[str] | None = None,
            departements: frozenset[str] | None = None,
            communes_carte: frozenset[str] = frozenset(),
            contract: Contract = CONTRACT) -> ReadContext:
    return ReadContext(paths=ProjectPaths(root),
                       referentiel=Referentiel({i.id: i for i in indicators}),
                       rules=VariableRules(tuple(rules)), contract=contract,
                       annee_max=annee_max, communes_retenues=communes_retenues,
                       departements=departements, communes_carte=communes_carte)


def deposit(root: Path, rel: str, content: str | bytes) -> Path:
    """A file written under data/raw/ (text in UTF-8 unless given as bytes)."""
    path = root / "data" / "raw" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def observation(**changes: object) -> Observation:
    """An observation of a published file with placeholder values but `changes`."""
    base: dict[str, object] = dict(
        indicateur="population", niveau="qpv", code="QP092005", libelle_territoire="",
        geographie="qpv2015", annee=2020, valeur=10.0, statut="valeur", valeur_publiee="10",
        qualite="", producteur="Insee", source="x", millesime="2021",
        fichier="data/raw/x/f.csv", ligne=2, colonne="POP")
    base.update(changes)
    return Observation(**base)  # type: ignore[arg-type]
