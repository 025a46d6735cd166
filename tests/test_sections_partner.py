"""report/partner.py on a hand-made context: one partner's page (what it owes, what it
sent, what is missing and since when, its requests and returns)."""

from __future__ import annotations

import pytest
from tests.helpers import indicator
from tests.sections_kit import (
    COMMUNE_LEVEL,
    NB,
    caf_commitments,
    context,
    row,
    table_rows,
    text,
)

from evalqpv.report.partner import (
    check_partner,
    partner_commitments,
    partner_figures,
    partner_missing,
    partner_summary,
    partner_workbook,
)
from evalqpv.territory import ParameterError

ML = "Mission locale"
PROCESSED = ("data", "processed")


def ml(ind_id: str, libelle: str, **kw: object):
    return indicator(ind_id, "1.1", libelle=libelle, partenaire=ML, unite="nombre", **kw)


INDICATORS = [
    ml("jeunes", "Jeunes accompagnés"),  # 2023: 40 with a comment; 2025: 7, masked
    ml("ateliers", "Ateliers", denombre="autres"),  # never received
    ml("permanences", "Permanences"),  # last received 2023, before the contract (2024)
    ml("inscrits", "Inscrits"),  # last received 2024
    indicator("seances", "1.1", libelle="Séances", partenaire="IDSU", unite="nombre"),
    indicator("sorties", "1.1", libelle="Sorties", partenaire="IDSU", unite="nombre"),
    # a producer of public statistics is not a partner that owes figures
    indicator("population", "1.1", libelle="Population", partenaire="Insee",
              variable_source="P21_POP"),
]
ROWS = [
    row("jeunes", 2023, 40.0, origine="partenaire", qualite="chiffre provisoire"),
    row("jeunes", 2025, 7.0, origine="partenaire"),
    row("permanences", 2023, 30.0, origine="partenaire"),
    row("inscrits", 2024, 50.0, origine="partenaire"),
    row("population", 2021, 5481.0),
]


@pytest.fixture
def ctx(tmp_path):
    return context(tmp_path, INDICATORS, ROWS, report="partenaire")


def write(ctx, name: str, content: str) -> None:
    folder = ctx.paths.root.joinpath(*PROCESSED)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(content, encoding="utf-8")


def test_an_unknown_partner_is_refused_with_the_list_of_those_who_owe_figures(ctx):
    assert check_partner(ctx, f"  {ML} ") == ML
    with pytest.raises(ParameterError) as raised:
        check_partner(ctx, "Insee")
    assert str(raised.value) == ("Partenaire inconnu : « Insee ». Attendu : l'un des "
                                 "partenaires du référentiel : IDSU, Mission locale.")


def test_summary_counts_the_figures_owed_received_missing_and_never_received(ctx):
    assert text(partner_summary(ctx, ML)) == (
        "L'évaluation demande à Mission locale 4 chiffres pour 2025 : 1 reçu, 3 manquants ; "
        "1 n'a jamais été reçu.")


def test_summary_gives_the_request_and_the_files_received(ctx):
    write(ctx, "demandes.csv", "annee,partenaire,demande_le,relances,recu_le,recu,retour,"
          "fichiers,commentaire\n"
          f"2025,{ML},2026-01-15,2026-02-16,,non,,,\n"
          f"2024,{ML},2025-01-10,,2025-03-01,oui,lu,,\n")
    write(ctx, "retours.csv", "collecte,partenaire,fichier,format,statut,valeurs,message\n"
          f"2025,{ML},data/raw/partenaires/2025/mission_locale.xlsx,xlsx,partiel,3,"
          "2 lignes refusées\n"
          f"2024,{ML},data/raw/partenaires/2024/mission_locale.xlsx,xlsx,lu,4,\n")
    shown = text(partner_summary(ctx, ML))
    assert "Demande de 2025 : demandé le 15/01/2026, relancé le 16/02/2026, rien reçu." in shown
    # the return of the year only, in words
    assert shown.endswith("Fichiers reçus pour 2025 : mission_locale.xlsx : lu en partie — "
                          "2 lignes refusées")
    # asked, nothing came: « non transmis », not « à collecter »
    rows = {r[0]: r for r in table_rows(partner_missing(ctx, ML))}
    assert rows["Ateliers"][2] == ("non transmis demandé le 15/01/2026, relancé le "
                                   "16/02/2026, rien reçu")


def test_figures_by_year_with_the_partner_comment_and_the_masked_count(ctx):
    fragment = partner_figures(ctx, ML)
    rows = {r[0]: r for r in table_rows(fragment)}
    # columns: indicator, territory, 2022 to 2025, comment
    assert rows["Jeunes accompagnés"] == ["Jeunes accompagnés", "Cité Jardins", "–", "40", "–",
                                          f"<{NB}11", "2023 : « chiffre provisoire »"]
    assert rows["Permanences"][2:7] == ["–", "30", "–", "–", "–"]
    assert rows["Inscrits"][2:7] == ["–", "–", "50", "–", "–"]
    # nothing ever sent: named once under the table
    assert "Ateliers" not in rows
    assert "Aucun chiffre transmis de 2022 à 2025 (1) : Ateliers." in text(fragment)


def test_figures_of_a_partner_who_sent_nothing_or_owes_nothing(ctx):
    assert text(partner_figures(ctx, "IDSU")) == (
        "Aucun chiffre reçu de 2022 à 2025 : les 2 indicateurs attendus sont listés "
        "ci-dessous.")
    assert text(partner_figures(ctx, "Personne")) == ("Ce partenaire ne doit aucun chiffre "
                                                      "au contrat.")


def test_missing_says_since_when(ctx):
    rows = table_rows(partner_missing(ctx, ML))
    assert [r[:2] for r in rows] == [
        ["Ateliers", "jamais reçu (attendu depuis 2024 : 2 ans)"],
        ["Permanences", "attendu depuis 2024 ; dernier chiffre connu : 2023"],
        ["Inscrits", "depuis 2025 (dernier chiffre reçu : 2024)"]]


def test_nothing_missing_is_said_in_french(tmp_path):
    ctx = context(tmp_path, INDICATORS, [*ROWS, row("seances", 2025, 12.0),
                                                 row("sorties", 2025, 0.0)],
                  report="partenaire")
    assert text(partner_missing(ctx, "IDSU")) == "Rien ne manque pour 2025."


def test_commitments_of_a_signatory_in_the_contract_words(tmp_path):
    inds, lines = caf_commitments("permanences_caf")
    ctx = context(tmp_path, inds, [row("permanences_caf", 2025, 1.0, origine="partenaire")],
                  report="partenaire", lines=lines)
    fragment = partner_commitments(ctx, "CAF des Hauts-de-Seine")
    assert text(fragment).startswith("Les engagements de l'Annexe 1 – CAF, mot pour mot")
    assert table_rows(fragment) == [
        ["Tenir des permanences", "Permanences CAF", "chaque année",
         "au moins 2 chaque année dans le quartier", "en retard"],
        ["Informer les familles", "non suivi : pas de chiffre prévu", "–", "–", "–"]]


def test_a_partner_cited_by_no_line_is_said_so(ctx):
    assert text(partner_commitments(ctx, ML)) == ("Aucune ligne du contrat ne cite ce "
                                                  "partenaire.")


def test_the_workbook_is_named_after_the_partner_for_next_year(ctx):
    shown = text(partner_workbook(ctx, "Conseil départemental"))  # owes nothing here
    assert shown.startswith("Pour 2026, l'équipe du contrat vous envoie votre classeur de "
                            "collecte (« conseil_departemental.xlsx »)")


def test_the_page_asks_again_for_the_figures_still_missing(ctx):
    # Mission locale owes 4 figures for 2025 and sent 1 (jeunes): ateliers (never),
    # permanences (2023) and inscrits (2024) are still missing
    shown = text(partner_workbook(ctx, ML))
    assert shown.startswith("Les 3 chiffres de 2025 qui manquent (« Ce qui manque, et "
                            "depuis quand ») peuvent encore être transmis : l'équipe du "
                            "contrat vous renvoie le classeur de collecte 2025 "
                            "(« mission_locale.xlsx »)")
    assert "Pour 2026, l'équipe du contrat vous envoie" in shown
    assert len(table_rows(partner_missing(ctx, ML))) == 3  # as many as the list shows


def test_a_signatory_is_named_with_its_place_in_the_contract(tmp_path):
    caf = indicator("permanences_caf", "Annexe 1 – CAF", libelle="Permanences CAF",
                    unite="nombre", denombre="autres", partenaire="CAF des Hauts-de-Seine")
    ctx = context(tmp_path, [caf], [row("permanences_caf", 2024, 3.0, origine="partenaire")],
                  report="partenaire")
    assert text(partner_summary(ctx, "CAF des Hauts-de-Seine")) == (
        "L'évaluation demande à CAF des Hauts-de-Seine, signataire de l'annexe 1 du contrat "
        "(« CAF ») 1 chiffre pour 2025 : 0 reçu, 1 manquant ; 0 n'a jamais été reçu.")


def test_a_single_figure_never_received_is_said_in_the_singular(tmp_path):
    owed = indicator("seances", "1.1", libelle="Séances", partenaire="Ville", unite="nombre")
    ctx = context(tmp_path, [owed], [], report="partenaire")
    shown = text(partner_figures(ctx, "Ville"))
    assert "les 1 indicateurs" not in shown
    assert "l'indicateur attendu est nommé ci-dessous" in shown


VILLE = "Ville"


def ville(ind_id: str, libelle: str, **kw: object):
    return indicator(ind_id, "1.1", libelle=libelle, partenaire=VILLE, **kw)


MILESTONES = [
    ville("comites", "Comités tenus", unite="nombre", denombre="autres"),
    ville("mi_parcours", "Évaluation à mi-parcours", unite="booleen", cible=1.0,
          cible_operateur=">=", cible_nature="ponctuelle", annee_cible=2027),
    ville("finale", "Évaluation finale", unite="booleen", cible=1.0, cible_operateur=">=",
          cible_nature="ponctuelle", annee_cible=2030),
    ville("voisine", "Permanences de la commune voisine", unite="nombre",
          perimetre="autre_commune"),
]


def test_the_summary_counts_what_the_page_lists_and_says_what_it_leaves_out(tmp_path):
    """Two milestones due after 2025 and a commitment about another commune are not owed
    for 2025; the partner filled in one milestone and the other commune's figure: the
    page lists four figures sent, so it says why it counts one owed."""
    ctx = context(tmp_path, MILESTONES, [
        row("comites", 2025, 4.0, origine="partenaire"),
        row("finale", 2025, 0.0, origine="partenaire"),
        row("voisine", 2025, 2.0, origine="partenaire", level=COMMUNE_LEVEL)],
        report="partenaire")
    assert text(partner_summary(ctx, VILLE)) == (
        "L'évaluation demande à Ville 1 chiffre pour 2025 : 1 reçu, 0 manquant ; 0 n'a "
        "jamais été reçu. Ne sont pas comptés : 2 jalons dont l'échéance fixée par le contrat "
        "tombe après 2025 et 1 engagement qui porte sur une autre commune ; 2 d'entre eux "
        "ont tout de même été renseignés (voir « Ce qui a été transmis »).")


def test_nothing_received_names_as_many_figures_as_the_summary_counts(tmp_path):
    ctx = context(tmp_path, MILESTONES, [], report="partenaire")
    assert text(partner_summary(ctx, VILLE)).startswith(
        "L'évaluation demande à Ville 1 chiffre pour 2025 : 0 reçu, 1 manquant")
    assert text(partner_figures(ctx, VILLE)) == (
        "Aucun chiffre reçu de 2022 à 2025 : l'indicateur attendu est nommé ci-dessous.")
    assert [r[0] for r in table_rows(partner_missing(ctx, VILLE))] == ["Comités tenus"]
