"""The Parquet copy of the store: the same rows as the CSV, read by a filter."""

from __future__ import annotations

import shutil

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from evalqpv.report.counterfactual import clean_observations
from evalqpv.settings import ProjectPaths
from evalqpv.store.consolidate import STORE_COLUMNS
from evalqpv.store.load import load_qpv_rows, load_store
from evalqpv.store.parquet import ROW_GROUP, read_parquet, store_filter, write_parquet


def row(indicateur, niveau, code, annee, valeur, rattachement=""):
    out = dict.fromkeys(STORE_COLUMNS, "")
    out.update(indicateur=indicateur, niveau=niveau, code=code, annee=str(annee),
               valeur=valeur, rattachement=rattachement, statut="valeur")
    return out


ROWS = [  # in the CSV's order (by indicator), not in the Parquet's
    row("chomage", "qpv", "QP092005", 2021, "12,5"),
    row("chomage", "commune", "92019", 2021, "8"),
    row("chomage", "qpv", "QP059079", 2021, "20"),
    row("ips", "etablissement", "0920001A", 2021, "84,1", rattachement="92019"),
    row("ips", "etablissement", "0590001B", 2021, "99", rattachement="59378"),
    row("population", "qpv", "QP092005", 2018, "5481"),
    row("population", "perimetre_partenaire", "CAF92", 2018, ""),
]


def test_filter_keeps_the_territories_levels_and_schools_in_csv_order(tmp_path):
    path = tmp_path / "observations.parquet"
    write_parquet(path, ROWS)
    frame = read_parquet(path, store_filter({"qpv|QP092005", "commune|92019"},
                                            keep_levels=("perimetre_partenaire",),
                                            attached_to={"92019"}))
    assert list(zip(frame["indicateur"], frame["code"], strict=True)) == [
        ("chomage", "QP092005"), ("chomage", "92019"), ("ips", "0920001A"),
        ("population", "QP092005"), ("population", "CAF92")]
    assert list(frame.columns) == STORE_COLUMNS
    assert frame["valeur"].tolist()[-1] == ""  # text as in the CSV, not a missing value


def test_same_rows_give_the_same_bytes(tmp_path):
    write_parquet(tmp_path / "a.parquet", ROWS)
    write_parquet(tmp_path / "b.parquet", ROWS)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert not list(tmp_path.glob(".*"))  # no temporary file left beside


def test_load_store_gives_the_same_frame_from_parquet_and_csv(built_project, tmp_path):
    paths, _ = built_project
    csv_only = tmp_path / "observations.csv"
    shutil.copy(paths.store, csv_only)
    territories = {"qpv|QP092005", "commune|92019", "departement|92", "france|FM",
                   "ensemble_qpv|ENSEMBLE_QPV_92"}
    from_parquet = load_store(paths.store, territories, keep_levels=("perimetre_partenaire",),
                              attached_to={"92019"})
    from_csv = load_store(csv_only, territories, keep_levels=("perimetre_partenaire",),
                          attached_to={"92019"})
    assert len(from_parquet) > 100
    pd.testing.assert_frame_equal(from_parquet, from_csv)
    assert (from_parquet["niveau"] == "etablissement").any()


def test_one_quarter_is_read_from_a_few_row_groups(built_project):
    paths: ProjectPaths = built_project[0]
    assert paths.store_parquet.exists()
    expression = store_filter({"qpv|QP059079", "commune|59378", "departement|59"})
    fragment = next(iter(ds.dataset(paths.store_parquet).get_fragments()))
    groups = pq.ParquetFile(paths.store_parquet).metadata.num_row_groups
    read = fragment.split_by_row_group(filter=expression)
    assert groups * ROW_GROUP >= 200_000
    assert len(read) <= 6, (len(read), groups)  # the statistics skip all the others


def test_national_rows_are_the_same_from_parquet_and_csv(built_project, tmp_path):
    """The QPV rows of one geography with a published value, whichever copy is read:
    the national comparison ranks the same figures."""
    paths, _ = built_project
    csv_only = tmp_path / "observations.csv"
    shutil.copy(paths.store, csv_only)
    from_parquet = load_qpv_rows(paths.store, "qpv2015")
    from_csv = load_qpv_rows(csv_only, "qpv2015")
    assert len(from_parquet) > 100_000
    assert set(from_parquet["niveau"]) == {"qpv"} and set(from_parquet["statut"]) == {"valeur"}
    assert set(from_parquet["geographie"]) == {"qpv2015"}
    assert list(from_parquet.columns) == list(from_csv.columns)
    for column in from_csv.columns:  # the same text (pyarrow's or Python's strings)
        assert from_parquet[column].tolist() == from_csv[column].tolist(), column
    pd.testing.assert_frame_equal(clean_observations(from_parquet, "qpv2015"),
                                  clean_observations(from_csv, "qpv2015"))


def test_national_rows_leave_out_secrets_and_other_geographies(tmp_path):
    rows = [row("chomage", "qpv", "QP092005", 2021, "12,5"),
            row("chomage", "qpv", "QN09200A", 2024, "11"),
            row("chomage", "qpv", "QP059079", 2021, ""),
            row("chomage", "commune", "92019", 2021, "8")]
    rows[0]["geographie"] = rows[2]["geographie"] = "qpv2015"
    rows[1]["geographie"] = "qpv2024"
    rows[2]["statut"] = "secret"
    store = tmp_path / "observations.csv"
    pd.DataFrame(rows, columns=STORE_COLUMNS).to_csv(store, index=False)
    csv = load_qpv_rows(store, "qpv2015")
    write_parquet(tmp_path / "observations.parquet", rows)
    parquet = load_qpv_rows(store, "qpv2015")
    for frame in (csv, parquet):
        assert frame["code"].tolist() == ["QP092005"]
