"""config/objectifs.csv: the contract line by line, against the référentiel.

Every objective line of section IV, every commitment of every signatory (Annexe 1) and
every governance or evaluation rule (section V) is followed by an indicator or explained;
every indicator of those sections answers a line of the contract; reference values sit on
the indicator's own perimeter. The checks are plain functions, each also run on a small
hand-made bad case to show it can fail.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from tests.helpers import indicator as _indicator

from evalqpv.contract_settings import load_contract
from evalqpv.objectives import ObjectiveLine, Objectives, load_objectives
from evalqpv.problems import Problems
from evalqpv.referentiel import Referentiel, load_referentiel
from evalqpv.settings import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = load_contract(ProjectPaths(ROOT))

# Section IV as printed: the rows of each objectives table (5.3 has no table: its three
# objective sentences are its lines), and the Ville's commitment printed under the 6.3 table
# (« La ville mettra donc à disposition de cette nouvelle instance … »). 68 + 3 + 1 = 72.
SECTION_IV = {"1.1": 9, "1.2": 6, "1.3": 5, "2.1": 4, "3.1": 6, "3.2": 6, "3.3": 4, "3.4": 3,
              "4.1": 9, "5.1": 6, "5.2": 3, "5.3": 3, "6.1": 2, "6.2": 3, "6.3": 3}
# Annexe 1 as printed: one « Engagements 2024 - 2030 de … » heading per signatory, and the
# section name the référentiel uses for it.
SIGNATORIES = {
    "Engagements 2024 - 2030 de France Travail": "France Travail",
    "Engagements 2024 - 2030 de la DRIEETS": "DRIEETS",
    "Engagements 2024 - 2030 de l'agence régionale de santé (ARS) des Hauts-de-Seine": "ARS",
    "Engagements 2024 -2030 de la Caisse Primaire d'Assurance Maladie (CPAM) des "
    "Hauts-de-Seine": "CPAM",
    "Engagements 2024 - 2030 de la Banque publique d'investissement": "Bpifrance",
    "Engagements 2024 - 2030 de la Banque des Territoires": "Banque des Territoires",
    "Engagements 2024 - 2030 de la CAF des Hauts-de-Seine": "CAF",
    "Engagements 2024 - 2030 du Conseil départemental des Hauts-de-Seine": "Département",
}
# Store level of each perimeter of the référentiel (a commitment about another commune is
# measured, if ever, on that commune).
LEVEL = {"autre_commune": "commune"}


@pytest.fixture(scope="module")
def ref() -> Referentiel:
    problems = Problems()
    referentiel = load_referentiel(ROOT / "config" / "referentiel.csv", "referentiel.csv",
                                   problems, CONTRACT)
    assert not problems.items, [p.render() for p in problems.items]
    return referentiel


@pytest.fixture(scope="module")
def objectives(ref: Referentiel) -> Objectives:
    problems = Problems()
    loaded = load_objectives(ROOT / "config" / "objectifs.csv", "objectifs.csv", problems, ref,
                             CONTRACT)
    assert not problems.items, [p.render() for p in problems.items]
    return loaded


# --------------------------------------------------------------------------- checks


def contract_sections(section: str) -> bool:
    """Sections whose indicators must answer a line of the contract."""
    return section[0].isdigit() or section == "V" or CONTRACT.is_commitment(section)


def uncited(ref: Referentiel, objectives: Objectives) -> list[str]:
    """Indicators of sections 1.1-6.3, V and Annexe 1 that no line of the contract cites."""
    cited = {i for line in objectives.lines for i in line.indicateurs}
    return [i.id for i in ref.indicators.values()
            if contract_sections(i.section) and i.id not in cited]


def unknown(ref: Referentiel, objectives: Objectives) -> list[str]:
    return [i for line in objectives.lines for i in line.indicateurs if i not in ref]


def unexplained(objectives: Objectives) -> list[tuple[str, int]]:
    """Lines neither followed nor explained (or explained by a placeholder)."""
    return [(line.section, line.ligne) for line in objectives.lines
            if not line.followed and (len(line.raison_non_suivi) < 20
                                      or "à compléter" in line.raison_non_suivi)]


def targets_without_kind(ref: Referentiel) -> list[str]:
    return [i.id for i in ref.indicators.values() if i.cible is not None and not i.cible_nature]


def priority_mismatches(ref: Referentiel, objectives: Objectives) -> list[str]:
    """`prioritaire` says oui exactly for indicators of a strategic-priority line."""
    priority = {i for line in objectives.lines if line.priorite for i in line.indicateurs}
    return [i.id for i in ref.indicators.values() if i.prioritaire != (i.id in priority)]


def reference_off_perimeter(ref: Referentiel, rows: list[dict[str, str]],
                            *quarter: str) -> list[tuple[str, str]]:
    """Reference values that the store holds only on another perimeter than the
    indicator's (65 % of all QPV of a département given as the quarter's baseline), or
    that nothing in the store supports and no note explains as a calculation."""
    by_key: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        by_key.setdefault((row["indicateur"], row["annee"]), []).append(row)
    found = []
    for ind in ref.indicators.values():
        if ind.valeur_reference is None:
            continue
        same = [r for r in by_key.get((ind.id, str(ind.annee_reference)), [])
                if r["valeur"] and float(r["valeur"]) == pytest.approx(ind.valeur_reference)]
        if not same:
            if "calcul" not in ind.note.lower():
                found.append((ind.id, "aucune valeur égale dans le stock"))
            continue
        level = LEVEL.get(ind.perimetre, ind.perimetre)
        own = [r for r in same if r["niveau"] == level
               and (level != "qpv" or r["code"] in quarter)]
        if not own:
            found.append((ind.id, ", ".join(sorted({r["niveau"] for r in same}))))
    return found


# --------------------------------------------------------------------------- the real files


def test_section_iv_has_its_72_lines(objectives):
    counts = Counter(line.section for line in objectives.lines if line.section in SECTION_IV)
    assert dict(counts) == SECTION_IV
    assert sum(counts.values()) == 72


def test_every_objectives_section_of_the_contract_has_lines(objectives):
    numbered = [s for s in CONTRACT.sections if s[0].isdigit()]
    assert numbered == list(SECTION_IV)
    for section in numbered:
        assert objectives.in_section(section), section


def test_lines_are_numbered_in_order(objectives):
    by_section: dict[str, list[int]] = {}
    for line in objectives.lines:
        by_section.setdefault(line.section, []).append(line.ligne)
    for section, numbers in by_section.items():
        assert numbers == list(range(1, len(numbers) + 1)), section


def test_every_signatory_of_annex_1_has_lines(objectives, ref):
    sections = {f"{CONTRACT.annexe_engagements} – {name}" for name in SIGNATORIES.values()}
    for section in sections:
        assert objectives.in_section(section), section
    used = {line.section for line in objectives.lines if CONTRACT.is_commitment(line.section)}
    used |= {i.section for i in ref.indicators.values() if CONTRACT.is_commitment(i.section)}
    assert used == sections  # no signatory spelt two ways


def test_governance_and_evaluation_rules_are_followed(objectives):
    rules = objectives.in_section("V")
    followed = {i for line in rules for i in line.indicateurs}
    for indicator in ("comite_technique_tenu", "reunion_fondations_entreprises_tenue",
                      "part_cpo_trois_ans", "comite_programmation_tenu", "comite_pilotage_tenu",
                      "reunions_citoyennes_tenues", "part_conventions_pluriannuelles",
                      "evaluation_mi_parcours_realisee", "contrat_actualise_mi_parcours",
                      "evaluation_finale_realisee", "part_signataires_evaluation_annuelle",
                      "actions_programmees_emploi", "part_habitants_accompagnes_point_insertion"):
        assert indicator in followed, indicator


def test_every_indicator_id_of_the_lines_exists(ref, objectives):
    assert unknown(ref, objectives) == []


def test_every_contract_indicator_answers_a_line(ref, objectives):
    assert uncited(ref, objectives) == []


def test_unfollowed_lines_say_why(objectives):
    assert unexplained(objectives) == []
    assert any(not line.followed for line in objectives.lines)


def test_every_target_has_its_kind(ref):
    assert targets_without_kind(ref) == []


def test_prioritaire_matches_the_strategic_priorities(ref, objectives):
    assert {line.priorite for line in objectives.lines} - {""} <= set(CONTRACT.priorites)
    assert priority_mismatches(ref, objectives) == []


def test_reference_values_sit_on_the_indicator_perimeter(ref, store_rows):
    assert reference_off_perimeter(ref, store_rows, CONTRACT.territoire,
                                   CONTRACT.territoire_2024) == []
    assert sum(i.valeur_reference is not None for i in ref.indicators.values()) >= 30


# --------------------------------------------------------------------------- the checks can fail


def test_the_checks_catch_bad_cases():
    bad_ref = Referentiel({
        "suivi": _indicator("suivi", "2.1", prioritaire=True),
        "oublie": _indicator("oublie", "Annexe 1 – CAF"),
        "cible_sans_nature": _indicator("cible_sans_nature", "V", cible=1.0,
                                        cible_operateur=">="),
        "part_caf": _indicator("part_caf", "I.C", unite="pourcentage", valeur_reference=65.0,
                               annee_reference=2021, perimetre="qpv"),
        "sans_source": _indicator("sans_source", "I.C", valeur_reference=12.0,
                                  annee_reference=2021),
    })
    lines = Objectives((
        ObjectiveLine("2.1", 1, "Dynamiser le Point Insertion", ("suivi", "fantome"), "", ""),
        ObjectiveLine("V", 1, "Règle", ("cible_sans_nature",), "", ""),
        ObjectiveLine("V", 2, "Règle", (), "à compléter", ""),
    ))
    assert uncited(bad_ref, lines) == ["oublie"]
    assert unknown(bad_ref, lines) == ["fantome"]
    assert unexplained(lines) == [("V", 2)]
    assert targets_without_kind(bad_ref) == ["cible_sans_nature"]
    assert priority_mismatches(bad_ref, lines) == ["suivi"]
    store = [{"indicateur": "part_caf", "niveau": "ensemble_qpv", "code": "ENSEMBLE_QPV_92",
              "annee": "2021", "valeur": "65"}]
    assert reference_off_perimeter(bad_ref, store, "QP092005") == [
        ("part_caf", "ensemble_qpv"), ("sans_source", "aucune valeur égale dans le stock")]
