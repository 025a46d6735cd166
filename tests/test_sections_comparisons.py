"""report/comparisons.py on a hand-made context: the quarter against its comparison
levels (gaps at the latest common year, counts never set beside other territories),
which series are drawn and in what order, schools, and the intercommunality note."""

from __future__ import annotations

import pytest
from tests.helpers import indicator
from tests.sections_kit import (
    COMMUNE_LEVEL,
    DEP_LEVEL,
    NB,
    OTHER_TERRITORY,
    QPV_LEVEL,
    TERRITORY,
    context,
    row,
    table_rows,
    text,
)

from evalqpv.report.comparisons import (
    compare,
    comparison_charts,
    intercommunality,
    schools_table,
    schools_text,
)
from evalqpv.territory import Level, Territory

COMPARISON = 'k = 10\nvariables = ["taux_pauvrete"]\nseuil = 90\n'
EPT = ('[intercommunalite]\nnom = "Vallée Sud – Grand Paris"\n'
       'nature = "établissement public territorial"\n')
SCHOOL_A = Level("etablissement", "0920001A", "Collège Léonard")
SCHOOL_B = Level("etablissement", "0920002B", "Collège Masaryk")


def write_comparison(root, text_: str = COMPARISON) -> None:
    (root / "config").mkdir(exist_ok=True)
    (root / "config" / "comparaison.toml").write_text(text_, encoding="utf-8")


INDICATORS = [
    indicator("demandeurs", "1.1", libelle="Demandeurs d'emploi", unite="nombre"),
    indicator("pauvrete", "1.1", libelle="Taux de pauvreté", unite="pourcentage"),
    indicator("revenu", "1.1", libelle="Revenu médian", unite="euros"),
    indicator("seul", "1.1", libelle="Un seul chiffre", unite="pourcentage"),
    indicator("ips", "1.1", libelle="Indice de position sociale", unite="indice"),
]
ROWS = [
    row("demandeurs", 2024, 700.0), row("demandeurs", 2025, 749.0),
    row("demandeurs", 2025, 2000.0, level=COMMUNE_LEVEL),
    row("pauvrete", 2019, 30.0), row("pauvrete", 2020, 32.0),
    row("pauvrete", 2019, 12.0, level=COMMUNE_LEVEL),
    row("pauvrete", 2020, 16.0, level=COMMUNE_LEVEL),
    row("pauvrete", 2019, 14.0, level=DEP_LEVEL),
    row("revenu", 2020, 22000.0, level=COMMUNE_LEVEL),  # none for the quarter
    row("revenu", 2020, 24000.0, level=DEP_LEVEL),
    row("seul", 2025, 10.0),  # one figure of the quarter: nothing to draw
    row("ips", 2024, 102.0, level=SCHOOL_B, source="DEPP, IPS 2024"),
    row("ips", 2024, 85.3, level=SCHOOL_A, source="DEPP, IPS 2024"),
    row("ips", 2023, 80.0, level=SCHOOL_A, source="DEPP, IPS 2023"),
]


@pytest.fixture
def ctx(tmp_path):
    write_comparison(tmp_path)
    return context(tmp_path, INDICATORS, ROWS)


def test_gaps_at_the_latest_year_both_territories_have(ctx):
    fragment = compare(ctx, "pauvrete")
    # the commune has 2020; the département only 2019
    assert table_rows(fragment)[-2:] == [
        ["Châtenay-Malabry", "2020", f"32,0{NB}%", f"16,0{NB}%", f"+16,0{NB}points",
         f"2,0{NB}fois"],
        ["Hauts-de-Seine", "2019", f"30,0{NB}%", f"14,0{NB}%", f"+16,0{NB}points",
         f"2,1{NB}fois"]]
    assert ("Taux de pauvreté (en %) ; Cité Jardins, Châtenay-Malabry, Hauts-de-Seine ; "
            "2019 à 2020.") in text(fragment)


def test_a_count_is_drawn_for_the_quarter_alone_without_gaps(ctx):
    fragment = compare(ctx, "demandeurs")
    assert "Demandeurs d'emploi (nombre) ; Cité Jardins ; 2024 à 2025." in text(fragment)
    assert "Châtenay-Malabry" not in text(fragment) and "Écart" not in text(fragment)


def test_an_indicator_without_values_is_said_so(ctx):
    assert text(compare(ctx, "pauvrete", niveaux=("region",))) == (
        "Aucune valeur pour « Taux de pauvreté ».")


def test_published_comparisons_come_first_and_those_left_are_named(ctx):
    fragment = comparison_charts(ctx, limit=3)
    titles = fragment.text.split("<h3>")[1:]
    # schools first, then the series compared with published figures (référentiel order
    # among them), then the quarter's own count; one figure alone is never drawn
    assert [t.split("</h3>")[0] for t in titles] == [
        "Indice de position sociale", "Taux de pauvreté", "Revenu médian"]
    shown = text(fragment)
    assert ("Aucun chiffre publié pour Cité Jardins : le graphique donne les territoires de "
            "comparaison.") in shown  # the income: the commune's alone
    assert shown.endswith("Autres séries de ce rapport, non tracées ici pour que la page "
                          "reste courte : Demandeurs d'emploi.")
    assert "Un seul chiffre" not in shown


def test_a_report_without_any_series_says_so(tmp_path):
    write_comparison(tmp_path)
    ctx = context(tmp_path, INDICATORS, [row("seul", 2025, 10.0)])
    assert text(comparison_charts(ctx)) == ("Aucune série chiffrée n'est encore disponible "
                                            "pour les indicateurs de ce rapport.")


def test_schools_lowest_first_with_their_latest_figure(ctx):
    ips = ctx.referentiel["ips"]
    assert schools_text(ctx, ips) == "de 85,3 à 102,0 (2024, 2 établissements)"
    fragment = schools_table(ctx, ips)
    assert table_rows(fragment) == [["Collège Léonard", "0920001A", "2024", "85,3"],
                                    ["Collège Masaryk", "0920002B", "2024", "102,0"]]
    assert "Indice de position sociale. Source : DEPP, IPS 2024" in text(fragment)


def test_the_intercommunality_note_only_when_the_files_give_another_one(tmp_path):
    epci = Level("epci", "200054781", "Métropole du Grand Paris")
    with_epci = Territory(TERRITORY.code, TERRITORY.libelle, (QPV_LEVEL, COMMUNE_LEVEL, epci))
    write_comparison(tmp_path, COMPARISON + EPT)
    assert intercommunality(context(tmp_path, [], [], territory=with_epci)) == (
        "L'intercommunalité du contrat est Vallée Sud – Grand Paris, établissement public "
        "territorial ; les fichiers publics livrés ne donnent aucun chiffre à ce niveau : "
        "l'intercommunalité de comparaison est donc celle de ces fichiers, Métropole du "
        "Grand Paris.")
    # the same name (another dash): nothing to explain
    same = Territory(TERRITORY.code, TERRITORY.libelle,
                     (QPV_LEVEL, Level("epci", "1", "Vallée Sud - Grand Paris")))
    assert intercommunality(context(tmp_path, [], [], territory=same)) == ""
    # another quarter: the contract's intercommunality is not its own
    other = Territory(OTHER_TERRITORY.code, OTHER_TERRITORY.libelle,
                      (*OTHER_TERRITORY.levels, epci))
    assert intercommunality(context(tmp_path, [], [], territory=other)) == ""
    write_comparison(tmp_path)  # no [intercommunalite] table
    assert intercommunality(context(tmp_path, [], [], territory=with_epci)) == ""
