"""The référentiel built from the contract: complete, consistent, and never inventing
targets; and its checks on a hand-written bad file."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from evalqpv.contract_settings import load_contract
from evalqpv.problems import Problems
from evalqpv.referentiel import COLUMNS, load_referentiel
from evalqpv.settings import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = load_contract(ProjectPaths(ROOT))

REQUIRED_CONTEXT_IDS = [
    "taux_pauvrete", "taux_bas_revenus", "revenu_median_disponible", "taux_emploi_15_64",
    "taux_emploi_15_64_femmes", "taux_emploi_15_64_hommes", "taux_chomage",
    "demandeurs_emploi_abcde", "demandeurs_emploi_abcde_femmes",
    "demandeurs_emploi_abcde_hommes", "population", "part_femmes", "part_hommes",
    "part_moins_25_ans", "part_familles_monoparentales", "foyers_allocataires_caf",
    "allocataires_rsa_socle", "allocataires_prime_activite", "population_couverte_caf",
    "part_logements_sociaux", "part_locataires",
]
SECTIONS = ["1.1", "1.2", "1.3", "2.1", "3.1", "3.2", "3.3", "3.4", "4.1", "5.1", "5.2", "5.3",
            "6.1", "6.2", "6.3"]


@pytest.fixture(scope="module")
def ref():
    problems = Problems()
    referentiel = load_referentiel(ROOT / "config" / "referentiel.csv", "referentiel.csv",
                                   problems, CONTRACT)
    assert not problems.items, [p.render() for p in problems.items]
    return referentiel


def test_required_context_ids(ref):
    for indicator_id in REQUIRED_CONTEXT_IDS:
        assert indicator_id in ref, indicator_id
        assert ref[indicator_id].axe == "contexte"


@pytest.mark.parametrize("section", SECTIONS)
def test_every_objectives_table_has_indicators(ref, section):
    assert any(i.section == section for i in ref.indicators.values())


@pytest.mark.parametrize("axe", ["emancipation", "emploi", "tranquillite", "transition"])
def test_each_axis_has_every_type(ref, axe):
    types = {i.type for i in ref.indicators.values() if i.axe == axe}
    assert {"realisation", "resultat", "impact"} <= types


def test_annex_1_commitments_with_deadlines_are_tracked(ref):
    by_section = defaultdict(set)
    for i in ref.indicators.values():
        by_section[i.section].add(i.id)
    assert "semaine_qpv_france_travail" in by_section["Annexe 1 – France Travail"]
    assert ref["semaine_qpv_france_travail"].cible == 1
    assert ref["copil_cls_clsm"].cible == 1 and ref["copil_cls_clsm"].cible_operateur == ">="
    assert ref["entrees_cej"].cible == 353 and ref["entrees_cej"].annee_cible == 2023
    assert ref["emplois_francs_acceptes"].cible == 409
    assert ref["cameras_videoprotection"].cible == 50
    assert ref["centre_supervision_urbain"].cible == 1
    for partner in ("France Travail", "DRIEETS", "ARS", "CPAM", "CAF", "Département",
                    "Bpifrance", "Banque des Territoires"):
        assert by_section[f"Annexe 1 – {partner}"], partner


def test_targets_say_their_kind_origin_and_perimeter(ref):
    """The three targets the audit found wrong, and the kind of every other one."""
    cameras = ref["cameras_videoprotection"]  # « Au total, ce sont environ 50 caméras »
    assert (cameras.cible, cameras.cible_operateur, cameras.cible_nature) == (50, "=", "stock")
    assert cameras.cible_approchee and cameras.perimetre == "commune"
    assert cameras.annee_cible is None  # the contract sets no year
    csu = ref["centre_supervision_urbain"]  # « avec la création d'un centre de supervision »
    assert csu.cible_nature == "ponctuelle" and csu.periodicite == "ponctuelle"
    for partner_own in ("entrees_cej", "emplois_francs_acceptes"):  # objectives for 2023
        ind = ref[partner_own]
        assert ind.partner_objective and ind.annee_cible == 2023, partner_own
        assert ind.perimetre in ("perimetre_partenaire", "departement"), partner_own
    assert not any(i.partner_objective for i in ref.indicators.values()
                   if i.id not in ("entrees_cej", "emplois_francs_acceptes"))
    for ind in ref.indicators.values():
        if ind.cible is not None and ind.cible_nature == "annuelle":
            assert ind.periodicite == "annuelle", ind.id
        if ind.cible_nature == "ponctuelle":
            assert ind.periodicite == "ponctuelle", ind.id
    assert ref["evaluation_mi_parcours_realisee"].cible_nature == "ponctuelle"
    # « l'expérimentation à venir de modes d'accueil alternatifs dans 3 centres sociaux du
    # département » : one pilot in the département, no date, not a yearly minimum
    pilot = ref["centres_sociaux_modes_accueil_alternatifs"]
    assert (pilot.cible, pilot.cible_nature, pilot.perimetre) == (3, "ponctuelle", "departement")
    assert pilot.annee_cible is None and not pilot.echeance
    # « Mises en place de 4 commissions » (1.2), « Maintien (…) à travers les quatre
    # commissions » (5.2): four in place at the signature, kept each year, no date
    commissions = ref["commissions_medico_psycho_sociales"]
    assert (commissions.cible, commissions.cible_nature) == (4, "annuelle")
    assert commissions.annee_cible is None and not commissions.echeance
    # « portant leur nombre à plus de 10 » … « en 2024 » : a dated stock
    pacts = ref["centres_sociaux_pactes_cooperation"]
    assert (pacts.cible, pacts.cible_operateur, pacts.cible_nature) == (10, ">", "stock")
    assert pacts.annee_cible == 2024 and pacts.echeance == "2024"
    # a deadline is given only where the contract prints one
    for ind in ref.indicators.values():
        if ind.annee_cible is not None:
            assert str(ind.annee_cible) in ind.echeance + ind.cible_texte, ind.id


def test_perimeters_of_commitments(ref):
    assert ref["permanences_maison_adolescents"].perimetre == "autre_commune"  # Bagneux
    assert ref["semaine_qpv_france_travail"].perimetre == "departement"
    assert ref["actions_hors_les_murs_france_travail"].perimetre == "qpv"
    assert ref["structures_soutenues_caf"].perimetre == "perimetre_partenaire"  # 9 communes
    assert ref["centres_sociaux_pactes_cooperation"].perimetre == "ensemble_qpv"
    for ind in ref.indicators.values():
        if ind.id.endswith("_departement") and ind.type == "contexte":
            assert ind.perimetre in ("departement", "perimetre_partenaire"), ind.id


def test_rows_filed_under_the_line_that_prints_them(ref):
    assert ref["diagnostics_en_marchant"].section == "6.3"
    assert ref["dysfonctionnements_urbains_signales"].section == "6.1"
    assert ref["part_dysfonctionnements_traites"].section == "6.1"
    assert ref["habitants_touches_prevention_sante"].objectif == "Education et prévention santé."
    assert ref["part_population_couverte_caf"].section == "I.C"
    assert ref["part_jeunes_non_inseres"].section == "2.1"
    for added in ("indice_jeunesse", "part_etrangers", "revenu_median_disponible"):
        assert ref[added].section == "I", added  # not printed by the contract


def test_public_data_partner(ref):
    for ind_id in ("allocataires_caf_monoparentaux", "demandeurs_emploi_abc_infra_cap_bep",
                   "demandeurs_emploi_abc_anciennete_2_ans", "entrees_contrats_aides",
                   "beneficiaires_c2s", "enfants_allocataires_moins_3_ans"):
        assert ref[ind_id].partenaire == "Insee (données publiques)", ind_id
        assert ref[ind_id].variable_source, ind_id


def test_governance_of_section_v(ref):
    gov = {i.id: i for i in ref.indicators.values() if i.axe == "gouvernance"}
    assert "mai" in gov["comite_pilotage_tenu"].echeance
    assert "septembre" in gov["reunions_citoyennes_tenues"].echeance
    assert "premier trimestre" in gov["comite_programmation_tenu"].echeance
    assert gov["part_conventions_pluriannuelles"].cible == 50
    assert gov["part_signataires_evaluation_annuelle"].cible == 100
    assert gov["evaluation_mi_parcours_realisee"].annee_cible == 2027
    assert gov["evaluation_finale_realisee"].annee_cible == 2030


def test_targets_only_where_the_contract_states_them(ref):
    """A target must come with the contract's own words, and most indicators have none."""
    with_target = [i for i in ref.indicators.values() if i.cible is not None]
    assert all(i.cible_texte for i in with_target)
    assert len(with_target) < len(ref) / 4
    assert ref["taux_pauvrete"].cible is None  # the contract sets no poverty target


def test_bad_referentiel_rows_are_all_reported(tmp_path):
    header = ",".join(COLUMNS)
    good = ("ok_id,Libellé,emploi,2.1,Objectif,realisation,nombre,hausse,Prod,Src,Part,"
            "annuelle,Déf,,,,,,,,,,,qpv,,,,")
    bad = ("Bad Id,Libellé,economie,9.9,Objectif,sortie,kg,haut,Prod,Src,Part,"
           "annuelle,Déf,,abc,,12,,,,,,,quartier,chaque,peut-être,ville,si")
    dup = good
    path = tmp_path / "referentiel.csv"
    path.write_text("\n".join([header, good, bad, dup]) + "\n", encoding="utf-8")
    problems = Problems()
    ref = load_referentiel(path, "referentiel.csv", problems, CONTRACT)
    columns = {p.colonne for p in problems.errors if p.ligne == 3}
    assert {"id", "axe", "section", "type", "unite", "sens", "valeur_reference",
            "cible_operateur", "perimetre", "cible_nature", "cible_approchee", "cible_origine",
            "prioritaire"} <= columns
    assert any(p.ligne == 4 and "double" in p.message for p in problems.errors)
    assert list(ref.indicators) == ["ok_id"]
