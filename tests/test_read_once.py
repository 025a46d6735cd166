"""The files every notebook reads alike, read once per process (settings.read_once,
store.parquet.keep_parquet): read again when they change, never shared with a caller
that could change them, their problems reported to every caller."""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from tests.test_parquet import ROWS as PARQUET_ROWS
from tests.test_parquet import row  # a store row, as test_parquet writes them

from evalqpv import objectives
from evalqpv import referentiel as referentiel_module
from evalqpv.analysis_settings import load_analyses
from evalqpv.contract_settings import load_contract
from evalqpv.problems import Problems
from evalqpv.referentiel import load_referentiel
from evalqpv.report import national
from evalqpv.report.loading import preload_inputs, prepare
from evalqpv.settings import ProjectPaths, SettingsError, read_once
from evalqpv.store import parquet as parquet_module
from evalqpv.store import tables
from evalqpv.store.build import build
from evalqpv.store.load import load_store
from evalqpv.store.parquet import keep_parquet, read_kept, read_parquet, store_filter, write_parquet
from evalqpv.store.tables import available_years, read_territories

ROOT = Path(__file__).resolve().parents[1]


class Counting:
    """A reader that says how often it ran, and complains once per reading."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.calls = 0

    def __call__(self, found: Problems) -> list[str]:
        self.calls += 1
        found.warning("f.txt", "ligne étrange.", ligne=self.calls)
        return self.path.read_text(encoding="utf-8").split()


def test_a_file_is_read_once_then_again_when_its_bytes_change(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("a b", encoding="utf-8")
    reader = Counting(path)
    assert read_once(("t", "once"), (path,), reader) == ["a", "b"]
    assert read_once(("t", "once"), (path,), reader) == ["a", "b"]
    assert reader.calls == 1
    # rewritten in place with as many bytes, and the same modification time
    stamp = path.stat().st_mtime_ns
    path.write_text("a c", encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))
    assert read_once(("t", "once"), (path,), reader) == ["a", "c"]
    assert reader.calls == 2
    path.unlink()  # gone: read again (the reader then says what it finds)
    with pytest.raises(FileNotFoundError):
        read_once(("t", "once"), (path,), reader)


def test_other_inputs_are_another_reading(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("a", encoding="utf-8")
    reader = Counting(path)
    read_once(("t", "inputs"), (path,), reader, inputs=({"x": 1},))
    read_once(("t", "inputs"), (path,), reader, inputs=({"x": 1},))  # equal, not the same
    assert reader.calls == 1
    read_once(("t", "inputs"), (path,), reader, inputs=({"x": 2},))
    assert reader.calls == 2


def test_every_caller_gets_the_problems_of_the_reading(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("a", encoding="utf-8")
    reader = Counting(path)
    first, second = Problems(), Problems()
    second.error("autre.csv", "déjà là.")
    read_once(("t", "problems"), (path,), reader, first)
    read_once(("t", "problems"), (path,), reader, second)
    assert reader.calls == 1
    assert [p.render() for p in first.items] == ["f.txt, ligne 1 : ligne étrange."]
    assert [p.render() for p in second.items] == ["autre.csv : déjà là.",
                                                  "f.txt, ligne 1 : ligne étrange."]


def write_contract(tmp_path: Path, text: str) -> ProjectPaths:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "contrat.toml").write_text(text, encoding="utf-8")
    return ProjectPaths(tmp_path)


def test_a_bad_contract_is_reported_at_every_reading(tmp_path):
    paths = write_contract(tmp_path, 'nom = "X"\nterritoire = "Cité Jardins"\n')
    for _ in range(2):
        problems = Problems()
        load_contract(paths, problems)
        messages = [p.render() for p in problems.errors]
        assert any("code de quartier invalide" in m and "Cité Jardins" in m for m in messages)
        with pytest.raises(SettingsError, match="config/contrat.toml"):
            load_contract(paths)


def test_no_caller_changes_what_the_next_one_reads(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    paths = ProjectPaths(tmp_path)
    contract = load_contract(paths)
    contract.sections["9.9"] = "Ajoutée par un analyste"
    contract.glossaire.clear()
    again = load_contract(paths)
    assert "9.9" not in again.sections and again.glossaire
    referentiel = load_referentiel(paths.referentiel, "r.csv", Problems(), again)
    count = len(referentiel)
    referentiel.indicators.pop("population")
    assert len(load_referentiel(paths.referentiel, "r.csv", Problems(), again)) == count
    analyses = load_analyses(paths)
    analyses.clear()
    assert load_analyses(paths)


def test_the_referentiel_is_parsed_once_per_content_and_contract(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    paths = ProjectPaths(tmp_path)
    parsed = []
    real = referentiel_module.read_delimited
    monkeypatch.setattr(referentiel_module, "read_delimited",
                        lambda *a, **k: parsed.append(1) or real(*a, **k))
    contract = load_contract(paths)
    first = load_referentiel(paths.referentiel, "r.csv", Problems(), contract)
    second = load_referentiel(paths.referentiel, "r.csv", Problems(), load_contract(paths))
    assert len(parsed) == 1 and first == second and first is not second
    # a contract without the section of the référentiel's first row: read again, reported
    section = next(iter(first.indicators.values())).section
    other = contract.__class__(**{**contract.__dict__, "sections": {
        k: v for k, v in contract.sections.items() if k != section}})
    problems = Problems()
    load_referentiel(paths.referentiel, "r.csv", problems, other)
    assert len(parsed) == 2
    assert any(p.colonne == "section" and p.valeur == section for p in problems.errors)
    # one more line: read again
    with paths.referentiel.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    load_referentiel(paths.referentiel, "r.csv", Problems(), contract)
    assert len(parsed) == 3


HEADER = ("code_qpv,libelle_qpv,communes,libelles_communes,epci,libelle_epci,departement,"
          "libelle_departement,region,libelle_region\n")


def test_territories_and_years_are_own_copies_and_follow_their_files(tmp_path):
    paths = ProjectPaths(tmp_path)
    paths.processed.mkdir(parents=True)
    paths.territories.write_text(HEADER + "QP092005,Cité Jardins,92019,Châtenay-Malabry,,,"
                                 "92,Hauts-de-Seine,11,IDF\n", encoding="utf-8")
    paths.years.write_text('{"QP092005": [2019, 2020]}', encoding="utf-8")
    rows = read_territories(paths)
    rows.clear()
    assert list(read_territories(paths)) == ["QP092005"]
    years = available_years(paths, "QP092005")
    years.append(2099)
    assert available_years(paths, "QP092005") == [2019, 2020]
    paths.years.write_text('{"QP092005": [2019, 2021]}', encoding="utf-8")  # same size
    assert available_years(paths, "QP092005") == [2019, 2021]
    assert available_years(paths, "QP000000") == []


# test_parquet's rows (in the CSV's order, by indicator), with a commune's figure of the
# same indicator as two schools: the kept store must not take it for a school of it
ROWS = [*PARQUET_ROWS[:5], row("ips", "commune", "92019", 2021, "101"), *PARQUET_ROWS[5:]]


@pytest.fixture
def kept(tmp_path):
    path = tmp_path / "observations.parquet"
    write_parquet(path, ROWS)
    keep_parquet(path)
    yield path
    parquet_module._KEPT.clear()


QUERIES = [
    ({"qpv|QP092005", "commune|92019"}, ("perimetre_partenaire",), {"92019"}),
    ({"qpv|QP092005"}, (), frozenset()),
    ({"qpv|QP092005", "qpv|INCONNU", "region|11"}, (), {"59378", "00000"}),
    (set(), (), frozenset()),
    (set(), ("perimetre_partenaire", "etablissement"), frozenset()),
]


@pytest.mark.parametrize(("territories", "levels", "attached"), QUERIES)
def test_the_kept_store_gives_what_the_filtered_read_gives(kept, territories, levels,
                                                           attached):
    got = read_kept(kept, territories, levels, attached)
    pd.testing.assert_frame_equal(
        got, read_parquet(kept, store_filter(territories, levels, attached)), check_exact=True)


def test_the_kept_store_gives_the_rows_in_the_csv_order(kept):
    got = read_kept(kept, {"qpv|QP092005", "commune|92019"}, ("perimetre_partenaire",),
                    {"92019"})
    assert list(zip(got["indicateur"], got["code"], strict=True)) == [
        ("chomage", "QP092005"), ("chomage", "92019"), ("ips", "0920001A"), ("ips", "92019"),
        ("population", "QP092005"), ("population", "CAF92")]
    pd.testing.assert_frame_equal(read_kept(kept, None), read_parquet(kept), check_exact=True)


def test_a_rebuilt_store_is_read_from_its_file_and_a_frame_is_the_callers(kept, tmp_path):
    store = tmp_path / "observations.csv"
    store.write_text("", encoding="utf-8")  # load_store reads the Parquet copy beside it
    frame = load_store(store, {"qpv|QP092005"})
    assert frame["annee"].tolist() == [2021, 2018]
    frame.loc[0, "code"] = "CHANGÉ"
    assert load_store(store, {"qpv|QP092005"})["code"].tolist() == ["QP092005", "QP092005"]
    write_parquet(kept, [*ROWS, row("chomage", "qpv", "QP092005", 2022, "11")])
    assert read_kept(kept, {"qpv|QP092005"}) is None  # another version: not this one
    assert len(load_store(store, {"qpv|QP092005"})) == 3
    keep_parquet(kept)  # the warm process's next preload keeps the new version
    assert read_kept(kept, {"qpv|QP092005"})["annee"].tolist() == ["2021", "2018", "2022"]


def test_a_prepared_report_reads_no_file_after_the_preload(mini, monkeypatch):
    assert build(mini).ok
    expected = prepare(2019, "QP092005", "emploi", mini.root)
    preload_inputs(mini)

    def no_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("read again")

    monkeypatch.setattr(referentiel_module, "read_delimited", no_read)
    monkeypatch.setattr(objectives, "read_delimited", no_read)
    monkeypatch.setattr(tomllib, "loads", no_read)
    monkeypatch.setattr(tables, "_read_territories", no_read)
    monkeypatch.setattr(pq, "read_table", no_read)
    try:
        got = prepare(2019, "QP092005", "emploi", mini.root)
    finally:
        parquet_module._KEPT.clear()
    pd.testing.assert_frame_equal(got.store, expected.store, check_exact=True)
    assert got.referentiel == expected.referentiel and got.objectives == expected.objectives
    assert got.claims == expected.claims and got.contract == expected.contract


def test_the_warm_process_keeps_what_the_notebooks_read(mini):
    """preload_project (the warm process, before it forks) ends by reading the
    configuration and keeping the store: a copy finds them in memory."""
    assert build(mini).ok
    parquet_module._KEPT.clear()
    try:
        national.preload_project(mini)
        assert read_kept(mini.store_parquet, {"qpv|QP092005"}) is not None
    finally:
        parquet_module._KEPT.clear()
