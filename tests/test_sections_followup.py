"""report/followup.py on a hand-made context: the follow-up tables (statuses against the
contract's targets, masked counts, French figures, the order of sections), what is
missing and since when, the contract's coverage, and another quarter than the
contract's."""

from __future__ import annotations

import pytest
from tests.helpers import indicator
from tests.sections_kit import (
    DEP_LEVEL,
    NB,
    OTHER_TERRITORY,
    caf_commitments,
    context,
    line,
    row,
    table_rows,
    text,
)

from evalqpv.report.followup import (
    axes_overview,
    commitments,
    coverage,
    deadline_text,
    milestones,
    missing,
    objectives,
    partners,
)

EMPLOI = "1.2"  # the axis's own section, second in the contract
AUTRE = "1.1"  # a section holding only an indicator of another axis linked to this report


def ind(ind_id: str, libelle: str, **kw: object):
    return indicator(ind_id, kw.pop("section", EMPLOI), libelle=libelle, **kw)


INDICATORS = [
    # met: 61,4 % >= 60 %, a level to reach by 2030
    ind("taux_emploi", "Taux d'emploi", unite="pourcentage", cible=60.0, cible_operateur=">=",
        cible_nature="stock", annee_cible=2030),
    # no target: « sans cible », a dash in the target column
    ind("demandeurs", "Demandeurs d'emploi", unite="nombre"),
    # a yearly flow of at least 3 actions; 1 in 2025: late
    ind("actions", "Actions hors les murs", unite="nombre", denombre="autres", cible=3.0,
        cible_operateur=">=", cible_nature="annuelle", partenaire="France Travail"),
    # nothing ever received, no target, no reference: collapsed under the table
    ind("jamais", "Jeunes jamais vus", unite="nombre", partenaire="Mission locale"),
    # a partner's small count of people: masked, and so is its reference
    ind("jeunes", "Jeunes accompagnés", unite="nombre", partenaire="Mission locale",
        valeur_reference=8.0, statut_reference="valeur", annee_reference=2023),
    # another axis's indicator linked to this report, in the contract's first section
    ind("reussite", "Réussite au brevet", section=AUTRE, axe="emancipation",
        rapports=("emploi",), unite="pourcentage"),
    # another axis's, not linked: not in this report
    ind("cambriolages", "Cambriolages", axe="tranquillite", unite="nombre"),
]
ROWS = [
    row("taux_emploi", 2024, 55.0), row("taux_emploi", 2025, 61.4),
    row("demandeurs", 2025, 5481.0),
    row("actions", 2025, 1.0, origine="partenaire"),
    row("jeunes", 2025, 7.0, origine="partenaire"),
    row("reussite", 2025, 29.94),
    row("cambriolages", 2025, 12.0),
]


@pytest.fixture
def ctx(tmp_path):
    return context(tmp_path, INDICATORS, ROWS)


def by_name(fragment, column: int = 1) -> dict[str, list[str]]:
    return {r[column]: r for r in table_rows(fragment)}


def test_each_status_follows_the_target_as_the_contract_sets_it(ctx):
    rows = by_name(objectives(ctx))
    assert rows["Taux d'emploi"][4:10] == [
        f"61,4{NB}% (2025)", f"55,0{NB}% (2024)", f"+6,4{NB}points",
        f"au moins 60{NB}% au total dans le quartier, échéance 2030", "atteint", "Insee, test"]
    assert rows["Demandeurs d'emploi"][4] == f"5{NB}481 (2025)"
    assert rows["Demandeurs d'emploi"][7:9] == ["–", "sans cible"]
    assert rows["Actions hors les murs"][4] == "1 (2025)"  # actions, not people: shown
    assert rows["Actions hors les murs"][7:9] == ["au moins 3 chaque année dans le quartier",
                                                 "en retard"]
    assert rows["Réussite au brevet"][4] == f"29,9{NB}% (2025)"


def test_a_small_count_of_people_from_a_partner_is_masked_with_its_reference(ctx):
    jeunes = by_name(objectives(ctx))["Jeunes accompagnés"]
    assert jeunes[3] == f"<{NB}11 (2023)"  # the reference, not a public figure
    assert jeunes[4] == f"<{NB}11 (2025)"
    assert "7 (2025)" not in objectives(ctx).text


def test_the_axis_own_section_comes_first_and_other_axes_are_left_out(ctx):
    shown = text(objectives(ctx))
    assert shown.index("1.2 Formation") < shown.index("1.1 Accès à l'emploi")
    assert "Cambriolages" not in shown
    # two targets among the six indicators of this report
    assert ("Le contrat fixe une cible chiffrée pour 2 des 6 indicateurs qui suivent ses "
            "objectifs dans ce rapport") in shown
    assert "engagements des partenaires" not in shown  # none in this report


def test_the_objectives_say_where_the_partners_targets_are(tmp_path):
    caf = "Annexe 1 – CAF"
    commitments_ = [
        indicator("permanences", caf, libelle="Permanences", unite="nombre", cible=2.0,
                  cible_operateur=">=", cible_nature="annuelle", denombre="autres"),
        indicator("ateliers", caf, libelle="Ateliers", unite="nombre", denombre="autres"),
        indicator("caravane", caf, libelle="Caravane", unite="nombre", cible=8.0,
                  cible_operateur=">=", cible_nature="annuelle", denombre="autres")]
    shown = text(objectives(context(tmp_path, INDICATORS + commitments_, ROWS)))
    # 2 targets of the objectives; the 2 of the commitments (not « ateliers ») are below
    assert ("Le contrat fixe une cible chiffrée pour 2 des 6 indicateurs qui suivent ses "
            "objectifs dans ce rapport") in shown
    assert ("Les 2 cibles fixées par les engagements des partenaires (annexe 1) sont "
            "suivies plus bas") in shown
    one = text(objectives(context(tmp_path, INDICATORS + commitments_[:2], ROWS)))
    assert "La cible fixée par les engagements des partenaires (annexe 1) est suivie" in one
    # no target among the objectives' indicators: never « une cible chiffrée pour 0 »
    without = [i for i in INDICATORS if i.cible is None]  # 4 of this report's 6
    none = text(objectives(context(tmp_path, without + commitments_, ROWS)))
    assert ("Le contrat ne fixe de cible chiffrée pour aucun des 4 indicateurs qui suivent "
            "ses objectifs dans ce rapport") in none and "pour 0 des" not in none


def test_an_indicator_with_nothing_to_show_leaves_the_table_for_the_list_below(ctx):
    fragment = objectives(ctx)
    assert "Jeunes jamais vus" not in by_name(fragment)
    assert "À collecter, sans référence ni cible (1)" in text(fragment)
    assert "Jeunes jamais vus" in text(fragment)


def test_another_quarter_gets_public_figures_without_the_contract_targets(tmp_path):
    other = OTHER_TERRITORY.qpv
    ctx = context(tmp_path, INDICATORS, [row("taux_emploi", 2025, 40.0, level=other)],
                  territory=OTHER_TERRITORY)
    fragment = objectives(ctx)
    shown = text(fragment)
    assert shown.startswith("Ce quartier n'est pas celui du contrat évalué : les objectifs "
                            "et les cibles du contrat ne s'appliquent pas ici.")
    assert table_rows(fragment) == [["Taux d'emploi", "réalisation", f"40,0{NB}% (2025)", "–",
                                     "–", "Insee, test"]]
    assert "Cible" not in shown and "Demandeurs" not in shown  # no figure there


def test_missing_figures_are_grouped_by_partner_most_late_first(ctx):
    rows = table_rows(missing(ctx))
    # owed for 2025 and not received: only Mission locale's « jamais » (its other
    # figure came, masked in print but received)
    assert [r[:2] for r in rows] == [["Mission locale", "1"]]
    assert rows[0][2] == "Jeunes jamais vus (jamais reçu)"


def test_missing_says_the_last_year_received(tmp_path):
    inds = [ind(i, f"Indicateur {i.upper()}", partenaire=p)
            for i, p in (("a", "CAF"), ("b", "IDSU"), ("c", "IDSU"), ("d", "IDSU"),
                         ("e", "Ville"))]
    rows = [row("a", 2023, 4.0, origine="partenaire"), row("c", 2025, 50.0)]
    fragment = missing(context(tmp_path, inds, rows))
    # IDSU owes two (b and d, never received), CAF and Ville one each: the most first,
    # then alphabetically
    assert [r[:2] for r in table_rows(fragment)] == [["IDSU", "2"], ["CAF", "1"], ["Ville", "1"]]
    shown = text(fragment)
    assert "Indicateur A (dernier chiffre reçu : 2023)" in shown
    assert "Indicateur B (jamais reçu) Indicateur D (jamais reçu)" in shown
    assert "Indicateur C" not in shown
    synthesis = context(tmp_path, inds, rows, report="synthese")
    assert table_rows(missing(synthesis)) == [["IDSU", "2", "2"], ["CAF", "1", "0"],
                                              ["Ville", "1", "1"]]


def test_nothing_missing_is_said_in_french(tmp_path):
    ctx = context(tmp_path, [ind("a", "A")], [row("a", 2025, 3.0)])
    assert text(missing(ctx)) == "Tous les indicateurs de ce rapport ont un chiffre pour 2025."


@pytest.mark.parametrize(("kw", "expected"), [
    (dict(echeance="mai de chaque année", annee_cible=2027, cible=1.0), "mai de chaque année"),
    (dict(annee_cible=2027, cible=1.0), "2027"),
    (dict(), "–"),
    (dict(cible=3.0, cible_nature="annuelle"), "chaque année"),
    (dict(cible=3.0, cible_nature="stock"), "non précisée"),
])
def test_the_deadline_is_the_printed_one_never_an_inferred_date(kw, expected):
    assert deadline_text(indicator("a", EMPLOI, **kw)) == expected


def test_coverage_counts_lines_followed_and_says_why_the_others_are_not(tmp_path):
    lines = [line(EMPLOI, 1, "Favoriser l'emploi", "taux_emploi"),
             line(EMPLOI, 2, "Lever les freins", raison="aucune donnée disponible"),
             line("Annexe 1 – CAF", 1, "Accompagner les familles", raison="non chiffré"),
             line(AUTRE, 3, "Accueillir", "reussite")]
    ctx = context(tmp_path, INDICATORS, ROWS, lines=lines)
    fragment = coverage(ctx)
    shown = text(fragment)
    assert shown.startswith("2 des 4 lignes du contrat")
    assert "; 2 ne le sont pas" in shown
    # sections in the contract's order, the commitments last
    assert [r[:4] for r in table_rows(fragment)] == [
        ["1.1 Accès à l'emploi", "1", "1", "0"], ["1.2 Formation", "2", "1", "1"],
        ["Annexe 1 – CAF", "1", "0", "1"]]
    # the reason of an objective not followed; the commitment's is given with its signatory
    assert "1.2, ligne 2 — Lever les freins : aucune donnée disponible" in shown
    assert "non chiffré" not in shown


def test_partners_lists_each_signatory_commitments_and_those_without_indicator(tmp_path):
    inds, lines = caf_commitments("permanences")
    ctx = context(tmp_path, inds, [row("permanences", 2025, 4.0, origine="partenaire")],
                  lines=lines)
    fragment = partners(ctx)
    shown = text(fragment)
    assert shown.startswith("CAF 1 engagement suivi : 1 atteint.")
    assert table_rows(fragment)[0][1:] == ["Permanences CAF", "quartier : Cité Jardins",
                                           "4 (2025)", "chaque année",
                                           "au moins 2 chaque année dans le quartier",
                                           "atteint"]
    assert "Engagements sans indicateur (1) : Informer les familles — pas de chiffre prévu" \
        in shown


def test_commitments_say_the_perimeter_and_period_of_their_figure(tmp_path):
    caf = "Annexe 1 – CAF"
    inds = [indicator("acces_droits", caf, libelle="Accès aux droits", unite="pourcentage"),
            indicator("ateliers", caf, libelle="Ateliers", unite="nombre", denombre="autres")]
    rows = [row("acces_droits", 2021, 47.0, level=DEP_LEVEL),
            row("ateliers", 2025, 12.0, periode="T3", origine="partenaire")]
    fragment = commitments(context(tmp_path, inds, rows))
    assert [r[0:1] + r[2:] for r in table_rows(fragment)] == [
        # a figure of the département only: said so, never as the quarter's
        ["CAF", "Accès aux droits", "département : Hauts-de-Seine",
         f"47,0{NB}% (2021), chiffre départemental", "–", "–",
         "sans cible chiffre donné pour Hauts-de-Seine"],
        ["CAF", "Ateliers", "quartier : Cité Jardins", "12 (2025, T3)", "–", "–",
         "sans cible"]]


def test_commitments_absent_or_of_another_quarter_are_said_so(tmp_path):
    assert text(commitments(context(tmp_path, INDICATORS, ROWS))) == (
        "L'annexe 1 du contrat ne comporte pas d'engagement chiffré ou daté pour cet axe.")
    assert text(commitments(context(tmp_path, INDICATORS, [], territory=OTHER_TERRITORY))) \
        == ("Ce quartier n'est pas celui du contrat évalué : les engagements des partenaires "
            "du contrat ne s'appliquent pas ici.")


def test_axes_overview_gives_the_share_of_owed_figures_received(tmp_path):
    # a level to reach by 2030, not reached yet: « à venir », but owed and received all the
    # same (what is owed never depends on what came back)
    later = ind("logements", "Logements rénovés", unite="nombre", denombre="autres",
                cible=100.0, cible_operateur=">=", cible_nature="stock", annee_cible=2030)
    rows = {r[0]: (r[1], r[-1]) for r in table_rows(axes_overview(context(
        tmp_path, [*INDICATORS, later], [*ROWS, row("logements", 2025, 40.0)],
        report="synthese")))}
    # (indicators in the axis report, share of the owed figures received for 2025)
    # employment: seven (one linked from emancipation), all seven owed, six of them
    # received (the five as before and the level to reach): 6 / 7 = 85,7 % -> 86 %
    assert rows["Axe 2 – Développement économique et emploi"] == ("7", f"86{NB}%")
    assert rows["Axe 1 – Émancipation pour tous à travers la promotion de l'éducation"] == (
        "1", f"100{NB}%")
    assert rows["Axe 4 – Transition écologique et énergétique"] == ("0", "–")


def test_milestones_dated_first_each_indicator_once(tmp_path):
    gov = dict(axe="gouvernance", section="4")
    inds = [ind("comites", "Comités de pilotage", unite="nombre", denombre="autres",
                echeance="chaque année", **gov),
            ind("finale", "Évaluation finale", unite="booleen", cible=1.0,
                cible_operateur=">=", cible_nature="ponctuelle", annee_cible=2030, **gov),
            ind("mi_parcours", "Évaluation à mi-parcours", unite="booleen", cible=1.0,
                cible_operateur=">=", cible_nature="ponctuelle", annee_cible=2027, **gov)]
    lines = [line("4", 1, "Réunir le comité de pilotage", "comites"),
             line("4", 2, "Évaluer à mi-parcours et à la fin", "finale", "mi_parcours"),
             line("4", 3, "Évaluer encore à mi-parcours", "mi_parcours")]
    ctx = context(tmp_path, inds, [row("comites", 2025, 2.0)], lines=lines, report="synthese")
    rows = table_rows(milestones(ctx))
    assert [r[1:4] for r in rows] == [
        ["Évaluation à mi-parcours", "2027", "réalisé dans le quartier, échéance 2027"],
        ["Évaluation finale", "2030", "réalisé dans le quartier, échéance 2030"],
        ["Comités de pilotage", "chaque année", "–"]]
    assert rows[0][0] == "Évaluer à mi-parcours et à la fin"  # the first rule citing it
    assert rows[0][5] == "à venir échéance 2027"
    assert rows[2][4:] == ["2 (2025)", "sans cible"]
    assert text(milestones(context(tmp_path, inds, []))) == (
        "Aucune règle de gouvernance n'est suivie par un indicateur.")


def test_a_single_indicator_is_counted_in_the_singular(tmp_path):
    ctx = context(tmp_path, [ind("a", "A")], [row("a", 2025, 3.0)])
    assert "des 1 indicateurs" not in text(objectives(ctx))
    assert "ne fixe pas de cible chiffrée pour le seul indicateur de ce rapport" \
        in text(objectives(ctx))
