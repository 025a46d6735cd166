"""report/analysis.py on a hand-made context: an axis's own tables (config/analyses.toml),
counts as shares of their total, rates beside the commune's, the trend since the
contract's baseline, schools, and an axis without analysis."""

from __future__ import annotations

import pytest
from tests.helpers import indicator
from tests.sections_kit import COMMUNE_LEVEL, NB, context, row, table_rows, text

from evalqpv.report.analysis import axis_analysis
from evalqpv.territory import Level

ANALYSES = """
[[emploi]]
titre = "Les demandeurs d'emploi"
total = "de_abc"
indicateurs = ["de_abc", "de_abc_femmes", "taux_emploi", "absent", "sans_chiffre", "ips"]
parties = ["de_abc_femmes"]

[[emploi]]
titre = "Un tableau sans aucun chiffre"
indicateurs = ["sans_chiffre"]
"""
INDICATORS = [
    indicator("de_abc", "1.1", libelle="Demandeurs ABC", unite="nombre"),
    indicator("de_abc_femmes", "1.1", libelle="Dont femmes", unite="nombre"),
    indicator("taux_emploi", "1.1", libelle="Taux d'emploi", unite="pourcentage"),
    indicator("sans_chiffre", "1.1", libelle="Sans chiffre", unite="pourcentage"),
    indicator("ips", "1.1", libelle="IPS des collèges", unite="indice"),
]
ROWS = [
    # the baseline year is 2023 (the contract begins in 2024)
    row("de_abc", 2022, 650.0), row("de_abc", 2023, 700.0), row("de_abc", 2025, 749.0),
    row("de_abc", 2025, 2000.0, level=COMMUNE_LEVEL),
    row("de_abc_femmes", 2025, 366.0),
    row("de_abc_femmes", 2025, 1000.0, level=COMMUNE_LEVEL),
    row("taux_emploi", 2023, 62.0), row("taux_emploi", 2025, 59.7),
    row("taux_emploi", 2025, 68.06, level=COMMUNE_LEVEL),
    row("ips", 2024, 85.3, level=Level("etablissement", "0920001A", "Collège A")),
    row("ips", 2024, 102.0, level=Level("etablissement", "0920002B", "Collège B")),
]


def with_analyses(root, content: str) -> None:
    (root / "config").mkdir(exist_ok=True)
    (root / "config" / "analyses.toml").write_text(content, encoding="utf-8")


@pytest.fixture
def ctx(tmp_path):
    with_analyses(tmp_path, ANALYSES)
    return context(tmp_path, INDICATORS, ROWS)


def test_each_row_of_the_axis_table(ctx):
    fragment = axis_analysis(ctx)
    # columns: quarter, share of the total, commune, all QPV (not a level here), trend
    assert table_rows(fragment) == [
        # a count: never beside another territory's; +49 on 700 since 2023 = +7,0 %
        ["Demandeurs ABC", "749 (2025)", "–", "–", "–",
         f"en hausse de 7,0{NB}% entre 2023 et 2025"],
        # a part of the total: 366 / 749 = 48,9 %; the commune's 1 000 / 2 000 = 50,0 %
        ["Dont femmes", "366 (2025)", f"48,9{NB}%", f"50,0{NB}%", "–", "–"],
        # a rate: beside the commune's; 62,0 -> 59,7 is 2,3 points down (beyond 1 point)
        ["Taux d'emploi", f"59,7{NB}% (2025)", "–", f"68,1{NB}%", "–",
         f"en baisse de 2,3{NB}points entre 2023 et 2025"],
        # the schools' range when the quarter has no figure
        ["IPS des collèges", "de 85,3 à 102,0 (2024, 2 établissements)", "–", "–", "–",
         "–"]]


def test_headers_name_the_total_and_a_table_without_figures_is_left_out(ctx):
    shown = text(axis_analysis(ctx))
    assert shown.startswith("Les demandeurs d'emploi Indicateur Cité Jardins Part de "
                            "« Demandeurs ABC » Châtenay-Malabry Ensemble des QPV Évolution")
    assert "Un tableau sans aucun chiffre" not in shown


def test_a_trend_within_the_noise_is_stable(tmp_path):
    with_analyses(tmp_path, ANALYSES)
    ctx = context(tmp_path, INDICATORS, [row("taux_emploi", 2023, 62.0),
                                         row("taux_emploi", 2025, 61.2)])
    assert table_rows(axis_analysis(ctx))[0][-1] == (
        f"stable entre 2023 et 2025 (-0,8{NB}point)")


def test_an_axis_without_analysis_says_so(tmp_path):
    text_ = ("Aucune analyse propre à cet axe n'est prévue : ses indicateurs sont suivis "
             "dans les tableaux ci-dessus.")
    with_analyses(tmp_path, ANALYSES)
    assert text(axis_analysis(context(tmp_path, INDICATORS, ROWS, report="transition"))) \
        == text_
    # tables listed, none with a figure
    assert text(axis_analysis(context(tmp_path, INDICATORS, []))) == text_
