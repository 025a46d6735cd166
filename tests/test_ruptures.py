"""National reforms kept as data (config/ruptures.csv): read and checked with French
messages, a trend that crosses one carries it, and its words say so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from evalqpv.contract_settings import load_contract
from evalqpv.problems import Problems
from evalqpv.referentiel import load_referentiel
from evalqpv.report.indicators import Point
from evalqpv.report.messages import trend_words
from evalqpv.report.trends import trend
from evalqpv.ruptures import Break, breaks_of, crossed, load_breaks, read_breaks
from evalqpv.settings import ProjectPaths, SettingsError

ROOT = Path(__file__).resolve().parents[1]
HEADER = "indicateurs;date;libelle;producteur;ce_qui_change;source\n"
PUBLISHED = "data/raw/sig-ville-qpv2015/REVN_2021.csv"


def referentiel():
    paths = ProjectPaths(ROOT)
    return load_referentiel(paths.referentiel, "config/referentiel.csv", Problems(),
                            load_contract(paths))


def pt(year: int, value: float) -> Point:
    return Point(year, value, "valeur", "Insee, bases QPV", PUBLISHED, False)


def prime(year: int = 2019, month: int = 1) -> Break:
    return Break(("allocataires_prime_activite",), date(year, month, 1),
                 "revalorisation de la prime d'activité", "Cnaf", "Le plafond monte.",
                 ("https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000037846000",))


def write(tmp_path: Path, rows: str) -> ProjectPaths:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "ruptures.csv").write_text(HEADER + rows, encoding="utf-8")
    return ProjectPaths(tmp_path)


def test_a_reform_separates_the_year_before_it_from_its_own_year():
    reform = prime()  # January 2019: figures of 2018 and before / of 2019 and after
    assert reform.crosses(2016, 2019) and reform.crosses(2018, 2019)
    assert not reform.crosses(2019, 2021) and not reform.crosses(2013, 2018)
    late = prime(2019, 11)  # November 2019: a stock at 31 December 2019 is after it
    assert late.crosses(2018, 2019) and not late.crosses(2019, 2020)
    assert reform.words == "revalorisation de la prime d'activité en janvier 2019"
    assert crossed([late, reform], 2016, 2019) == (reform, late)
    assert breaks_of([reform], "allocataires_aah") == ()


def test_a_trend_across_a_reform_carries_it_and_says_it():
    series = [pt(2016, 347), pt(2017, 399), pt(2019, 593)]
    change = trend(series, 2025, "nombre", breaks=[prime()])
    assert change is not None and change.reform == prime()
    assert trend(series[:2], 2025, "nombre", breaks=[prime()]).reform is None
    ind = referentiel()["allocataires_prime_activite"]
    words = trend_words(change, ind, breaks=[])
    # 347 -> 593: +70,9 %, given as a figure, not as a rise of the quarter
    assert words.startswith("+70,9\u00a0% entre 2016 et 2019")
    assert "en hausse" not in words
    assert "rupture : revalorisation de la prime d'activité en janvier 2019" in words
    # the same change, computed without the reforms, finds them among those given
    bare = trend(series, 2025, "nombre")
    assert "rupture : revalorisation" in trend_words(bare, ind, breaks=[prime()])
    assert trend_words(bare, ind, breaks=[]) == "en hausse de 70,9\u00a0% entre 2016 et 2019"


def test_the_shipped_file_is_valid_and_cites_official_pages():
    problems = Problems()
    paths = ProjectPaths(ROOT)
    breaks = read_breaks(paths.ruptures, "config/ruptures.csv", problems, referentiel())
    assert not problems.errors, [p.render() for p in problems.errors]
    by_name = {b.libelle: b for b in breaks}
    assert by_name["revalorisation de la prime d'activité"].date == date(2019, 1, 1)
    assert by_name["déconjugalisation de l'AAH"].date == date(2023, 10, 1)
    assert "demandeurs_emploi_abc" in by_name[
        "inscription d'office à France Travail (loi pour le plein emploi)"].indicateurs
    assert all(s.startswith("https://") for b in breaks for s in b.sources)


def test_bad_rows_are_explained_in_french(tmp_path):
    paths = write(tmp_path, "allocataires_aah;2023-13-01;;Cnaf;x;legifrance\n"
                            "inconnu_x;2019-01-01;une réforme;Cnaf;x;https://a.fr/b\n"
                            ";2019-01-01;une autre;Cnaf;x;https://a.fr/b\n")
    problems = Problems()
    assert load_breaks(paths, problems, referentiel()) == ()
    text = " | ".join(p.render() for p in problems.errors)
    assert "AAAA-MM-JJ" in text and "https://" in text and "nom court" in text
    assert "config/referentiel.csv" in text and "inconnu_x" in text
    assert "au moins un identifiant" in text
    with pytest.raises(SettingsError, match="ruptures.csv"):
        load_breaks(paths)


def test_no_file_means_no_reform_and_a_good_file_is_read_once(tmp_path):
    assert load_breaks(ProjectPaths(tmp_path)) == ()
    paths = write(tmp_path, "allocataires_aah;2023-10-01;déconjugalisation de l'AAH;Cnaf;"
                            "\"Les revenus du conjoint ; ne comptent plus.\";"
                            "https://a.fr/b | https://c.fr/d\n")
    (reform,) = load_breaks(paths)
    assert reform.sources == ("https://a.fr/b", "https://c.fr/d")
    assert reform.ce_qui_change == "Les revenus du conjoint ; ne comptent plus."
    assert load_breaks(paths) is load_breaks(paths)
