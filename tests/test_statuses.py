"""Defensible statuses on hand-made cases: a figure is judged against a target only on
the same perimeter and period, and only for a target of the contract."""

import dataclasses

from evalqpv.referentiel import Indicator
from evalqpv.report.indicators import Point, judge
from evalqpv.vocabulary import (
    A_COLLECTER,
    A_VENIR,
    ATTEINT,
    ECHU_SANS_DONNEE,
    EN_BONNE_VOIE,
    EN_RETARD,
    NON_APPLICABLE,
    NON_COMPARABLE,
    ORIGINE_CONTRAT,
    SANS_CIBLE,
)

BASE = Indicator(
    id="x", libelle="X", axe="emploi", section="2.1", objectif="o", type="realisation",
    unite="nombre", sens="hausse", producteur="p", source="s", partenaire="IDSU",
    periodicite="annuelle", definition="d", variable_source="", valeur_reference=None,
    statut_reference="", annee_reference=None, cible=None, cible_operateur="",
    annee_cible=None, cible_texte="", echeance="", note="")
CONTRACT = {"debut": 2024, "fin": 2030}


def ind(**kw):
    return dataclasses.replace(BASE, **kw)


def pt(year, value, periode=""):
    return Point(year, value, "valeur", "src", "f.csv", False, periode)


def j(indicator, last, annee, previous=None, niveau="qpv", history=None):
    if history is None:
        history = [p for p in (previous, last) if p is not None]
    return judge(indicator, history, annee, niveau=niveau, libelle="Lieu", **CONTRACT)


def test_approximate_one_off_total_is_not_a_yearly_quota():
    """« Au total, environ 50 caméras » : a stock to reach by the end. How far « environ »
    may fall short the contract does not say: 46 is near (on its way before the end, for
    the committee to judge at the end), never « atteint »; 50 is."""
    cameras = ind(cible=50, cible_operateur=">=", cible_nature="stock", cible_approchee=True,
                  perimetre="commune")
    assert j(cameras, pt(2026, 50), 2026, niveau="commune").status == ATTEINT
    near = j(cameras, pt(2026, 46), 2026, niveau="commune")
    assert near.status == EN_BONNE_VOIE  # 46 is within 10 % of 50, not 50
    assert "46 pour « environ 50 »" in near.reason and "ne dit pas" in near.reason
    assert "8\u00a0% en dessous de la cible" in near.reason  # (50 - 46) / 50
    edge = j(cameras, pt(2026, 45), 2026, niveau="commune")  # exactly 10 % short
    assert "10\u00a0% en dessous de la cible" in edge.reason and "moins de" not in edge.reason
    above = dataclasses.replace(cameras, cible_operateur="<=")  # « environ 50 » at most
    assert "4\u00a0% au-dessus de la cible" in j(above, pt(2026, 52), 2026,
                                                 niveau="commune").reason
    assert j(cameras, pt(2026, 44), 2026, niveau="commune").status == A_VENIR  # 44 < 45
    assert j(cameras, pt(2026, 44), 2026, pt(2025, 30), "commune").status == EN_BONNE_VOIE
    late = j(cameras, pt(2030, 40), 2030, niveau="commune")
    assert late.status == EN_RETARD  # the contract has ended
    assert j(cameras, pt(2030, 46), 2030, niveau="commune").status == NON_COMPARABLE
    exact = dataclasses.replace(cameras, cible_approchee=False)
    assert j(exact, pt(2030, 46), 2030, niveau="commune").status == EN_RETARD


def test_one_off_creation():
    csu = ind(unite="booleen", cible=1, cible_operateur="=", cible_nature="ponctuelle",
              perimetre="commune")
    assert j(csu, pt(2025, 1), 2025, niveau="commune").status == ATTEINT
    assert j(csu, None, 2025).status == A_COLLECTER  # nobody said whether it happened
    dated = dataclasses.replace(csu, annee_cible=2027)
    assert j(dated, pt(2025, 0), 2025, niveau="commune").status == A_VENIR
    assert j(dated, pt(2028, 0), 2028, niveau="commune").status == EN_RETARD


def test_milestone_not_due_is_to_come_not_to_collect():
    midterm = ind(unite="booleen", cible=1, cible_operateur="=", annee_cible=2027,
                  cible_nature="ponctuelle", axe="gouvernance")
    verdict = j(midterm, None, 2025)
    assert verdict.status == A_VENIR and "2027" in verdict.reason
    assert j(midterm, None, 2027).status == A_COLLECTER


def test_yearly_target_is_judged_on_the_evaluated_year_only():
    week = ind(cible=1, cible_operateur=">=", cible_nature="annuelle", perimetre="departement")
    assert j(week, pt(2025, 1), 2025, niveau="departement").status == ATTEINT
    assert j(week, pt(2025, 0), 2025, niveau="departement").status == EN_RETARD
    stale = j(week, pt(2024, 1), 2025, niveau="departement")
    assert stale.status == A_COLLECTER and "2024" in stale.reason


def test_part_of_the_year_is_pro_rated_against_a_yearly_objective():
    """329 entries at the end of the third quarter against 353 for the year: 9 months of
    353 are 264,75, so the count is on its way."""
    cej = ind(cible=353, cible_operateur=">=", cible_nature="annuelle",
              perimetre="perimetre_partenaire")
    ahead = j(cej, pt(2025, 329, "T3"), 2025, niveau="perimetre_partenaire")
    assert ahead.status == EN_BONNE_VOIE
    assert "264.75" in ahead.reason and "9 mois sur 12" in ahead.reason
    behind = j(cej, pt(2025, 200, "T3"), 2025, niveau="perimetre_partenaire")
    assert behind.status == EN_RETARD
    full_year = j(cej, pt(2025, 329), 2025, niveau="perimetre_partenaire")
    assert full_year.status == EN_RETARD  # 329 < 353 for the whole year
    rate = dataclasses.replace(cej, unite="pourcentage", cible=90)
    assert j(rate, pt(2025, 93, "T3"), 2025,
             niveau="perimetre_partenaire").status == NON_COMPARABLE


def test_a_figure_on_another_perimeter_is_not_judged():
    """A département-wide count says nothing of the quarter's target."""
    qpv_target = ind(cible=10, cible_operateur=">=", cible_nature="annuelle")
    verdict = j(qpv_target, pt(2025, 248), 2025, niveau="departement")
    assert verdict.status == NON_COMPARABLE
    assert "département" in verdict.reason and "quartier" in verdict.reason
    assert "Lieu" in verdict.reason


def test_a_partner_own_objective_is_shown_not_judged():
    emplois_francs = ind(cible=409, cible_operateur=">=", cible_nature="annuelle",
                         annee_cible=2023, perimetre="departement",
                         cible_origine="partenaire")
    verdict = j(emplois_francs, pt(2023, 248), 2023, niveau="departement")
    assert verdict.status == NON_COMPARABLE and "partenaire" in verdict.reason


def test_cumulative_target_adds_the_years_of_the_contract():
    cumul = ind(cible=100, cible_operateur=">=", cible_nature="cumulee")
    history = [pt(2023, 90), pt(2024, 20), pt(2025, 20)]
    on_pace = j(cumul, history[-1], 2025, history=history)
    assert on_pace.status == EN_BONNE_VOIE  # 40 in 2 years, 140 over 7: on pace
    assert "40" in on_pace.reason  # 2023 is before the contract: not counted
    slow = [pt(2024, 5), pt(2025, 5)]
    assert j(cumul, slow[-1], 2025, history=slow).status == EN_RETARD
    done = history + [pt(2026, 30), pt(2027, 35)]
    assert j(cumul, done[-1], 2027, history=done).status == ATTEINT


def test_commitment_about_another_commune_does_not_apply():
    bagneux = ind(perimetre="autre_commune", cible=1, cible_operateur=">=",
                  cible_nature="annuelle")
    assert j(bagneux, None, 2025).status == NON_APPLICABLE


def test_no_target():
    assert j(ind(), pt(2025, 3), 2025).status == SANS_CIBLE
    assert j(ind(), None, 2025).status == A_COLLECTER


def contract_figure(year, value):
    return Point(year, value, "valeur", "Contrat", "data/raw/contrat/chiffres_contrat.csv",
                 False, origine=ORIGINE_CONTRAT)


def test_the_contract_own_figure_is_a_baseline_not_a_result():
    """« Mises en place de 4 commissions » : the contract's sentence about 2023 says how
    things stood before it began; it can never make the target « atteint »."""
    commissions = ind(cible=4, cible_operateur=">=", cible_nature="stock",
                      perimetre="commune")
    before = j(commissions, contract_figure(2023, 4), 2025, niveau="commune")
    assert before.status == A_COLLECTER and "2024" in before.reason
    observed = j(commissions, pt(2025, 4), 2025, previous=contract_figure(2023, 4),
                 niveau="commune")
    assert observed.status == ATTEINT
    # a producer's figure of a year before the contract is no result of it either
    assert j(commissions, pt(2023, 4), 2025, niveau="commune").status == A_COLLECTER


def test_a_dated_target_passed_with_no_figure_is_overdue_not_to_collect():
    """CAF : « plus de 10 [centres sociaux en pacte de coopération] en 2024 »."""
    pactes = ind(cible=10, cible_operateur=">", annee_cible=2024, cible_nature="stock",
                 perimetre="ensemble_qpv")
    overdue = j(pactes, None, 2025, niveau="ensemble_qpv")
    assert overdue.status == ECHU_SANS_DONNEE and "2024" in overdue.reason
    assert j(pactes, None, 2024, niveau="ensemble_qpv").status == A_COLLECTER
    assert j(pactes, pt(2024, 12), 2025, niveau="ensemble_qpv").status == ATTEINT
    late = j(pactes, pt(2024, 8), 2025, niveau="ensemble_qpv")
    assert late.status == EN_RETARD and "2024" in late.reason


def test_a_stock_with_no_printed_deadline_never_gets_one():
    """« environ 50 caméras », no date: not late before the contract ends, and no date is
    ever presented as the contract's."""
    cameras = ind(cible=50, cible_operateur="=", cible_nature="stock", cible_approchee=True,
                  perimetre="commune")
    verdict = j(cameras, pt(2025, 30), 2025, niveau="commune")
    assert verdict.status == A_VENIR
    assert "non précisée" in verdict.reason and "2030" not in verdict.reason


def test_one_off_pilot_without_deadline():
    """CAF : « l'expérimentation à venir de modes d'accueil alternatifs dans 3 centres
    sociaux du département » : one event, no date."""
    pilot = ind(cible=3, cible_operateur=">=", cible_nature="ponctuelle",
                perimetre="departement")
    assert j(pilot, None, 2025, niveau="departement").status == A_COLLECTER
    assert j(pilot, pt(2025, 3), 2025, niveau="departement").status == ATTEINT
    assert j(pilot, pt(2025, 1), 2025, niveau="departement").status == A_VENIR


def test_a_count_of_part_of_the_perimeter_can_hold_an_at_least_target():
    """« au moins 1 rencontre par an » on the partner's area: one held in the quarter is
    one held in the area; none held in the quarter says nothing of the area."""
    meetings = ind(cible=1, cible_operateur=">=", cible_nature="annuelle",
                   perimetre="perimetre_partenaire")
    held = j(meetings, pt(2025, 3), 2025, niveau="qpv")
    assert held.status == ATTEINT and "suffit" in held.reason
    assert j(meetings, pt(2025, 0), 2025, niveau="qpv").status == NON_COMPARABLE
    wider = j(meetings, pt(2025, 3), 2025, niveau="departement")
    assert wider.status == NON_COMPARABLE  # the département is not inside the area
