"""Perimeters of quarters, their year, their index page, and the progress line: on
small tables written by hand."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from evalqpv.publish import forkserver
from evalqpv.publish.jobs import Call, Called, Outcome, make_job
from evalqpv.publish.perimeter import IndexAhead, index_parts, write_perimeter_index
from evalqpv.publish.progress import Progress, duration
from evalqpv.publish.selection import plan_year, resolve_perimeter
from evalqpv.settings import ProjectPaths
from evalqpv.store.atomic import write_csv_atomic
from evalqpv.store.consolidate import STORE_COLUMNS
from evalqpv.store.parquet import write_parquet
from evalqpv.store.tables import TERRITORY_COLUMNS
from evalqpv.territory import ParameterError

NBSP = "\u00a0"
ROOT = Path(__file__).resolve().parents[1]


def store_row(indicateur, niveau, code, annee, valeur, millesime):
    out = dict.fromkeys(STORE_COLUMNS, "")
    out.update(indicateur=indicateur, niveau=niveau, code=code, annee=str(annee),
               valeur=valeur, statut="valeur", millesime=millesime)
    return out


def place(code, libelle, commune, dep, libdep, reg, libreg):
    return {"code_qpv": code, "libelle_qpv": libelle, "communes": commune[0],
            "libelles_communes": commune[1], "epci": "", "libelle_epci": "",
            "departement": dep, "libelle_departement": libdep, "region": reg,
            "libelle_region": libreg}


@pytest.fixture
def small(tmp_path) -> ProjectPaths:
    paths = ProjectPaths(tmp_path)
    write_csv_atomic(paths.territories, TERRITORY_COLUMNS, [
        place("QP092001", "Les Blagis", ("92071", "Sceaux"), "92", "Hauts-de-Seine", "11",
              "Île-de-France"),
        place("QP092005", "Cité Jardins", ("92019", "Châtenay-Malabry"), "92",
              "Hauts-de-Seine", "11", "Île-de-France"),
        place("QP093001", "Les Courtillières", ("93055", "Pantin"), "93",
              "Seine-Saint-Denis", "11", "Île-de-France"),
        place("QP02B001", "Lupino", ("2B033", "Bastia"), "2B", "Haute-Corse", "94", "Corse"),
    ])
    paths.years.write_text(json.dumps({"QP092001": [2021, 2022], "QP092005": [2021, 2022, 2023],
                                       "QP093001": [2022, 2023], "QP02B001": []}),
                           encoding="utf-8")
    return paths


def test_a_departement_a_region_and_france(small):
    assert [q.code for q in resolve_perimeter("92", small).quarters] == ["QP092001", "QP092005"]
    r11 = resolve_perimeter("r11", small)
    assert r11.code == "R11" and len(r11.quarters) == 3 and "Île-de-France" in r11.libelle
    assert resolve_perimeter("2b", small).code == "2B"
    assert len(resolve_perimeter("France", small).quarters) == 4


@pytest.mark.parametrize(("text", "expected"), [
    ("R99", "Région inconnue"), ("77", "Aucun quartier prioritaire dans le département"),
    ("Hauts-de-Seine", "Périmètre invalide"), ("QP092005", "Périmètre invalide")])
def test_a_wrong_perimeter_is_explained_in_french(small, text, expected):
    with pytest.raises(ParameterError, match=expected):
        resolve_perimeter(text, small)


def test_the_year_and_the_quarters_left_out(small):
    """By default the contract's last elapsed year; a quarter is kept when it has figures
    up to that year (its report shows the latest of them), left out with the reason
    otherwise."""
    plan = plan_year(resolve_perimeter("R11", small), None, small, 2025, 2025)
    assert plan.year == 2025
    assert [q.code for q in plan.quarters] == ["QP092001", "QP092005", "QP093001"]
    plan = plan_year(resolve_perimeter("R11", small), 2021, small, 2025, 2025)
    assert [q.code for q in plan.quarters] == ["QP092001", "QP092005"]
    assert plan.skipped == (("QP093001", "aucune donnée jusqu'en 2021 (années disponibles : "
                                         "2022 à 2023)"),)
    france = plan_year(resolve_perimeter("FRANCE", small), None, small, 2025, 2025)
    assert ("QP02B001", "aucune donnée dans le stock pour ce quartier") in france.skipped
    with pytest.raises(ParameterError, match="années possibles : 2021 à 2025"):
        plan_year(resolve_perimeter("R11", small), 2031, small, 2025, 2025)
    with pytest.raises(ParameterError, match="Aucune donnée pour les quartiers du périmètre"):
        plan_year(resolve_perimeter("2B", small), None, small, 2025, 2025)


def index_inputs(small):
    """A perimeter of two quarters, their pages (one failed last time) and the store's
    headline figures."""
    (small.notebooks).mkdir()
    (small.notebooks / "emploi.ipynb").write_text("{}", encoding="utf-8")
    perimeter = resolve_perimeter("92", small)
    plan = plan_year(perimeter, 2022, small, 2025, 2025)
    year_dir = small.reports_of_year(2022)
    out_dirs = {"QP092005": year_dir, "QP092001": year_dir / "QP092001"}  # 005: the contract
    jobs = [make_job(small, "emploi", 2022, q, out_dirs[q], "k", "c") for q in out_dirs]
    for job in jobs:
        job.html.parent.mkdir(parents=True, exist_ok=True)
        job.html.write_text("<p></p>", encoding="utf-8")
    shutil.copytree(ROOT / "config", small.config)
    write_parquet(small.store_parquet, [
        store_row("taux_pauvrete", "qpv", "QP092005", 2019, "29.94", "2022"),
        store_row("taux_pauvrete", "qpv", "QP092005", 2019, "28.5", "2021"),  # older
        store_row("taux_pauvrete", "qpv", "QP092005", 2023, "35.5", "2025"),  # after 2022
        store_row("population", "commune", "92019", 2018, "34170", "2021"),
        store_row("population", "qpv", "QP092001", 2018, "5481", "2021")])
    outcomes = {("QP092005", "emploi"): Outcome("emploi", True, territoire="QP092005"),
                ("QP092001", "emploi"): Outcome("emploi", False, territoire="QP092001")}
    return perimeter, plan, jobs, outcomes, out_dirs


def test_the_perimeter_index_links_every_quarter(small):
    perimeter, plan, jobs, outcomes, out_dirs = index_inputs(small)
    year_dir = small.reports_of_year(2022)
    page = write_perimeter_index(small, perimeter, plan, jobs, outcomes, out_dirs)
    assert page == year_dir / "perimetres" / "92.html"
    html = page.read_text(encoding="utf-8")
    assert '<a href="../index.html">Cité Jardins</a>' in html
    assert '<a href="../QP092001/index.html">Les Blagis</a>' in html
    body = re.sub(r"<style>.*</style>", "", html, flags=re.S)
    assert f"29,9{NBSP}% (2019)" in body and f"5{NBSP}481 (2018)" in body
    assert "35,5" not in body and "28,5" not in body and "34" not in body
    assert "Taux de pauvreté" in body
    assert "échec de la dernière exécution : emploi" in html
    assert 'lang="fr"' in html and "<script" not in html


def test_the_index_computed_while_the_notebooks_run_is_the_same_page(small):
    """The figures and the map are computed in a thread before the notebooks end
    (IndexAhead); the page written with them is the page written at the end."""
    perimeter, plan, jobs, outcomes, out_dirs = index_inputs(small)
    page = write_perimeter_index(small, perimeter, plan, jobs, outcomes, out_dirs)
    at_the_end = page.read_bytes()
    page.unlink()
    ahead = IndexAhead(small, perimeter, plan, out_dirs)
    write_perimeter_index(small, perimeter, plan, jobs, outcomes, out_dirs, ahead.parts())
    assert page.read_bytes() == at_the_end


class StubPool:
    """The local cluster's warm process, replaced: its copy answers `called`."""

    def __init__(self, called: Called) -> None:
        self.called, self.calls = called, list[Call]()

    def get(self) -> StubPool:
        return self

    def call(self, call: Call, limit: float) -> Called:
        self.calls.append(call)
        return self.called


def test_the_index_parts_come_from_a_copy_of_the_warm_process(small, monkeypatch):
    """On the local cluster, the parts are computed in a copy of the warm process, which
    has the outlines in memory; a copy that fails leaves them to the command itself, and
    the page is the same."""
    perimeter, plan, jobs, outcomes, out_dirs = index_inputs(small)
    page = write_perimeter_index(small, perimeter, plan, jobs, outcomes, out_dirs)
    at_the_end = page.read_bytes()
    parts = index_parts(small, perimeter, plan, out_dirs)
    stub = StubPool(Called(parts))
    monkeypatch.setattr(forkserver, "POOL", stub)
    assert IndexAhead(small, perimeter, plan, out_dirs, warm=True).parts() == parts
    (call,) = stub.calls
    assert call.function == "evalqpv.publish.perimeter:index_parts"
    assert call.args == (small, perimeter, plan, out_dirs) and call.root == small.root
    monkeypatch.setattr(forkserver, "POOL", StubPool(Called(error="MemoryError")))
    write_perimeter_index(small, perimeter, plan, jobs, outcomes, out_dirs,
                          IndexAhead(small, perimeter, plan, out_dirs, warm=True).parts())
    assert page.read_bytes() == at_the_end


def test_what_fails_in_the_thread_is_raised_by_the_command(small):
    perimeter, plan, _, _, out_dirs = index_inputs(small)
    small.store_parquet.unlink()
    ahead = IndexAhead(small, perimeter, plan, out_dirs)
    with pytest.raises(OSError):
        ahead.parts()


def test_progress_says_done_failed_remaining_and_time_left():
    lines: list[str] = []
    now = [0.0]
    progress = Progress(4, lines.append, stream=io.StringIO(), every=10, clock=lambda: now[0])
    now[0] = 12.0
    progress.advance(True)
    now[0] = 24.0
    progress.advance(False)
    progress.close()
    assert lines[0] == (f"Rapports : 1/4 faits, 0 en échec, 3 restants — reste environ "
                        f"36{NBSP}s")
    assert lines[-1].startswith("Rapports : 2/4 faits, 1 en échec, 2 restants")
    assert duration(75) == f"1{NBSP}min 15{NBSP}s" and duration(3725) == f"1{NBSP}h 02{NBSP}min"


def test_time_limit_setting(monkeypatch):
    from evalqpv.settings import SettingsError, notebook_time_limit

    assert notebook_time_limit() == 600
    monkeypatch.setenv("EVALQPV_DELAI", "2,5")
    assert notebook_time_limit() == 2.5
    assert notebook_time_limit(30) == 30
    with pytest.raises(SettingsError, match="Délai par notebook invalide"):
        notebook_time_limit("bientôt")


def test_path_helpers_agree(tmp_path):
    paths = ProjectPaths(tmp_path)
    assert paths.store_parquet == Path(tmp_path) / "data" / "processed" / "observations.parquet"
