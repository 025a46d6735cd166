"""Where a QPV sits (ingest.geography) from tiny official lists written by hand, the
files of data/raw/ as the build lists them (ingest.rawfiles: hidden files, links inside
and outside the project), and `python -m evalqpv` (evalqpv.__main__)."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest
from tests.conftest import GEO
from tests.ingest_support import deposit

import evalqpv.cli
from evalqpv.ingest import FileId
from evalqpv.ingest.geography import (
    Place,
    departement_of_qpv,
    identify,
    normalise,
    place_qpv,
    read_geography,
)
from evalqpv.ingest.rawfiles import raw_files
from evalqpv.problems import Problems
from evalqpv.settings import ProjectPaths

# --------------------------------------------------------------------------- geography


@pytest.mark.parametrize(("code", "departement"), [
    ("QP092005", "92"), ("QN09201M", "92"), ("QP02A001", "2A"), ("QP971001", "971"),
    ("QP974012", "974"), ("QP013001", "13"),
])
def test_the_departement_of_a_quarter_code(code, departement):
    assert departement_of_qpv(code) == departement


@pytest.mark.parametrize(("name", "expected"), [
    ("Châtenay-Malabry", "chatenay malabry"), ("L'Haÿ-les-Roses", "l hay les roses"),
    ("  SAINT-DENIS ", "saint denis"), ("Œuilly", "oeuilly"),
])
def test_commune_names_are_compared_without_accents_case_or_punctuation(name, expected):
    assert normalise(name) == expected


@pytest.mark.parametrize(("rel", "expected"), [
    ("geographie/commune_2021.csv", FileId("COG", 2021, "commune")),
    ("geographie/departement2024.csv", FileId("COG", 2024, "dep")),
    ("geographie/REGION_2021.csv", FileId("COG", 2021, "reg")),
    ("geographie/EPCI.csv", FileId("COG", None, "epci")),
    ("geographie/EPCI_2023.csv", FileId("COG", 2023, "epci")),
    ("geographie/commune.csv", None), ("filosofi/commune_2021.csv", None),
])
def test_official_lists_by_name(rel, expected):
    assert identify(Path(rel)) == expected


def geography(root: Path, **extra: str):
    for name, text in {**GEO, **extra}.items():
        deposit(root, f"geographie/{name}", text)
    problems = Problems()
    return read_geography(ProjectPaths(root), problems), problems


def test_a_quarter_is_placed_in_its_commune_epci_departement_and_region(tmp_path):
    geo, problems = geography(tmp_path)
    assert not problems.items
    place = place_qpv("QP092005", "Cité Jardins", "CHATENAY-MALABRY", geo)
    assert place.communes == (Place("92019", "Châtenay-Malabry"),)
    assert place.epci == Place("200054781", "Métropole du Grand Paris")
    assert place.departement == Place("92", "Hauts-de-Seine")
    assert place.region == Place("11", "Île-de-France")


def test_a_commune_name_unknown_in_its_departement_is_not_guessed(tmp_path):
    geo, _ = geography(tmp_path)
    place = place_qpv("QP092005", "Cité Jardins", "Antony, ", geo)
    assert place.communes == () and place.epci is None
    assert place.departement == Place("92", "Hauts-de-Seine")  # from the code itself
    # a commune of that name in another département is not the quarter's
    assert place_qpv("QP093001", "x", "Châtenay-Malabry", geo).communes == ()


COMMUNES_2024 = (
    "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
    "COM,92019,11,92,92D,922,0,CHATENAY MALABRY,Châtenay-Malabry,Châtenay-Malabry,9206,\n"
    "COM,92002,11,92,92D,922,1,ANTONY,Antony,Antony,9201,\n"
    "COMD,92999,11,92,92D,922,0,ANCIENNE,Ancienne,Ancienne,,92002\n"
    "ARM,75101,11,,,751,0,PARIS 01,Paris 1er Arrondissement,Paris 1er Arrondissement,,75056\n"
)


def test_the_latest_release_of_each_list_is_read(tmp_path):
    geo, problems = geography(tmp_path, **{"commune_2024.csv": COMMUNES_2024})
    assert not problems.items
    assert set(geo.communes) == {"92019", "92002", "75101"}  # a delegated commune is none
    assert geo.commune_dep["75101"] == "75"  # an arrondissement without its département
    place = place_qpv("QP092005", "x", "Antony, Châtenay-Malabry", geo)
    assert [c.code for c in place.communes] == ["92002", "92019"]
    assert place.epci is None  # Antony is not in the (2021) EPCI list: the first commune's


def test_epci_list_codes_lose_no_leading_zero(tmp_path):
    epci = GEO["EPCI.csv"] + "1001;L'Abergement;200069193;CC de la Veyle;01;84\n" \
        "2A004;Ajaccio;242010056;CA du Pays Ajaccien;2A;94\n"
    geo, _ = geography(tmp_path, **{"EPCI.csv": epci})
    assert geo.commune_epci["01001"] == "200069193"
    assert geo.commune_epci["2A004"] == "242010056"


def test_a_missing_official_list_is_an_error_and_nothing_is_placed(tmp_path):
    for name, text in GEO.items():
        if name != "region2021.csv":
            deposit(tmp_path, f"geographie/{name}", text)
    problems = Problems()
    geo = read_geography(ProjectPaths(tmp_path), problems)
    (error,) = problems.errors
    assert error.fichier == "data/raw/geographie/region2021.csv"
    assert "liste officielle absente" in error.message
    assert not geo.communes and not geo.departements


# --------------------------------------------------------------------------- rawfiles


def test_every_file_of_data_raw_by_path_hidden_files_aside(tmp_path):
    for rel in ("sig/IPRO_2022.csv", "a.csv", "sig/.~lock.IPRO_2022.csv#", ".DS_Store",
                "partenaires/2025/idsu.xlsx"):
        deposit(tmp_path, rel, "x")
    paths = ProjectPaths(tmp_path)
    problems = Problems()
    assert [p.relative_to(paths.raw).as_posix() for p in raw_files(paths, problems)] == [
        "a.csv", "partenaires/2025/idsu.xlsx", "sig/IPRO_2022.csv"]
    assert not problems.items


def test_no_raw_folder_is_no_file(tmp_path):
    assert raw_files(ProjectPaths(tmp_path), Problems()) == []


def test_a_link_inside_the_project_is_followed(tmp_path):
    elsewhere = tmp_path / "retours" / "2025"
    elsewhere.mkdir(parents=True)
    (elsewhere / "idsu.csv").write_text("x", encoding="utf-8")
    deposit(tmp_path, "a.csv", "x")
    (tmp_path / "data" / "raw" / "partenaires").symlink_to(tmp_path / "retours")
    problems = Problems()
    paths = ProjectPaths(tmp_path)
    assert [p.relative_to(paths.raw).as_posix() for p in raw_files(paths, problems)] == [
        "a.csv", "partenaires/2025/idsu.csv"]
    assert not problems.items


def test_a_link_outside_the_project_is_refused_and_never_opened(tmp_path):
    outside = tmp_path / "dehors"
    outside.mkdir()
    (outside / "secret.csv").write_text("x", encoding="utf-8")
    root = tmp_path / "projet"
    deposit(root, "a.csv", "x")
    (root / "data" / "raw" / "partage").symlink_to(outside)
    problems = Problems()
    assert [p.name for p in raw_files(ProjectPaths(root), problems)] == ["a.csv"]
    (error,) = problems.errors
    assert error.fichier == "data/raw/partage" and error.valeur == str(outside)
    assert "hors du projet" in error.message
    assert [p.name for p in raw_files(ProjectPaths(root))] == ["a.csv"]  # said only if asked


def test_a_broken_link_is_an_error_naming_its_target(tmp_path):
    deposit(tmp_path, "a.csv", "x")
    (tmp_path / "data" / "raw" / "b.csv").symlink_to(tmp_path / "absent.csv")
    problems = Problems()
    assert [p.name for p in raw_files(ProjectPaths(tmp_path), problems)] == ["a.csv"]
    (error,) = problems.errors
    assert error.fichier == "data/raw/b.csv" and "cassé" in error.message
    assert error.valeur == os.readlink(tmp_path / "data" / "raw" / "b.csv")


def test_a_link_loop_is_walked_once(tmp_path):
    deposit(tmp_path, "sig/a.csv", "x")
    (tmp_path / "data" / "raw" / "sig" / "boucle").symlink_to(tmp_path / "data" / "raw")
    problems = Problems()
    found = raw_files(ProjectPaths(tmp_path), problems)
    assert [p.name for p in found] == ["a.csv"] and not problems.items


# --------------------------------------------------------------------------- __main__


def test_python_m_evalqpv_exits_with_the_commands_code(monkeypatch):
    seen: list[object] = []

    def main(argv: list[str] | None = None) -> int:
        seen.append(argv)
        return 4

    monkeypatch.setattr(evalqpv.cli, "main", main)
    with pytest.raises(SystemExit) as stopped:
        runpy.run_module("evalqpv", run_name="__main__")
    assert stopped.value.code == 4 and seen == [None]  # the command reads sys.argv itself
