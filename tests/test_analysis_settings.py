"""config/analyses.toml read on small hand-written files: each report's tables in order,
and every problem said in French with the file and the table's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalqpv.analysis_settings import AnalysisTable, load_analyses
from evalqpv.errors import SettingsError
from evalqpv.problems import Problems
from evalqpv.settings import ProjectPaths


def project(tmp_path: Path, text: str | None) -> ProjectPaths:
    (tmp_path / "config").mkdir()
    if text is not None:
        (tmp_path / "config" / "analyses.toml").write_text(text, encoding="utf-8")
    return ProjectPaths(tmp_path)


TWO_TABLES = '''
[[emploi]]
titre = "Les demandeurs d'emploi"
total = "abc"
indicateurs = ["abc", "abc_femmes", "abc_jeunes"]
parties = ["abc_femmes", "abc_jeunes"]

[[emploi]]
titre = "L'emploi"
indicateurs = ["taux_emploi"]

[[transition]]
titre = "Le logement"
indicateurs = ["logements_sociaux", "vacance"]
'''


def test_each_report_keeps_its_tables_in_the_files_order(tmp_path):
    problems = Problems()
    tables = load_analyses(project(tmp_path, TWO_TABLES), problems)
    assert not problems.items
    assert tables == {
        "emploi": (AnalysisTable("Les demandeurs d'emploi", ("abc", "abc_femmes", "abc_jeunes"),
                                 "abc", ("abc_femmes", "abc_jeunes")),
                   AnalysisTable("L'emploi", ("taux_emploi",))),
        "transition": (AnalysisTable("Le logement", ("logements_sociaux", "vacance")),)}


def test_no_file_means_no_analysis(tmp_path):
    problems = Problems()
    assert load_analyses(project(tmp_path, None), problems) == {}
    assert not problems.items


def test_an_unknown_report_is_named_and_the_others_are_read(tmp_path):
    problems = Problems()
    text = TWO_TABLES + '\n[[securite]]\ntitre = "x"\nindicateurs = ["y"]\n'
    tables = load_analyses(project(tmp_path, text), problems)
    (error,) = problems.errors
    assert (error.fichier, error.colonne, error.message) == (
        "config/analyses.toml", "securite", "rapport inconnu.")
    assert "[[emploi]]" in (error.attendu or "")
    assert set(tables) == {"emploi", "transition"}


def test_a_file_that_is_not_toml_is_said_unreadable(tmp_path):
    problems = Problems()
    assert load_analyses(project(tmp_path, "[[emploi]\ntitre = \n"), problems) == {}
    (error,) = problems.errors
    assert error.fichier == "config/analyses.toml"
    assert error.message.startswith("fichier illisible") and error.attendu == \
        "un fichier TOML en UTF-8"


def test_without_a_problem_list_the_first_problem_stops_with_its_message(tmp_path):
    with pytest.raises(SettingsError, match="config/analyses.toml.*rapport inconnu"):
        load_analyses(project(tmp_path, '[[securite]]\ntitre = "x"\n'))
