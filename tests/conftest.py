"""Shared fixtures: the real project, and a small hand-written project for bad inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evalqpv.settings import ProjectPaths
from evalqpv.store.build import BuildResult, build

ROOT = Path(__file__).resolve().parents[1]

GEO = {
    "commune_2021.csv": "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
    "COM,92019,11,92,92D,922,0,CHATENAY MALABRY,Châtenay-Malabry,Châtenay-Malabry,9206,\n",
    "departement2021.csv": "DEP,REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE\n"
    "92,11,92050,4,HAUTS DE SEINE,Hauts-de-Seine,Hauts-de-Seine\n",
    "region2021.csv": "REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE\n"
    "11,75056,1,ILE DE FRANCE,Île-de-France,Île-de-France\n",
    "EPCI.csv": "COM;LIBGEO;EPCI;LIBEPCI;DEP;REG\n"
    "92019;Châtenay-Malabry;200054781;Métropole du Grand Paris;92;11\n",
}
# A tiny IPRO file written by hand in the producer's format (BOM, CRLF, narrow
# no-break spaces as thousands separators, trailing empty columns).
IPRO_2021 = (
    "\ufeffCODGEO;LIBGEO;TX_TOT_EMPL;TX_F_EMPL;TX_TOT_EDLIM;ABCDE;ABCDE_F;ABCDE_H;ABC;ABC_F;"
    "ABC_25;ABC_RSA;NOTE_PE;;;\r\n"
    "QP092005;Cité Jardins;59,7;57,4;14,5;749;366;383;701;339;77;190;0;;;\r\n"
    "QP092999;Quartier fictif;;;;1\u202f234;600;634;1\u202f100;500;;;5;;;\r\n"
)

DEMO_2021 = (
    "\ufeffCODGEO;LIBGEO;POP_MUN;POP_COM_QP;POP_COM;LIB_COM;TX_F;A;PERCOU;NOTE_RP;NOTE_CNAF;;\r\n"
    "QP092005;Cité Jardins;5\u202f481;5\u202f481;34\u202f170;Châtenay-Malabry;53,3;1\u202f610;"
    "3\u202f593;0;0;;\r\n"
)


@pytest.fixture
def mini(tmp_path: Path) -> ProjectPaths:
    """A small project: the real configuration, hand-written raw files."""
    (tmp_path / "config").mkdir()
    for name in ("referentiel.csv", "variables_sources.csv", "contrat.toml", "objectifs.csv",
                 "constats.csv", "comparaison.toml", "analyses.toml"):
        shutil.copy(ROOT / "config" / name, tmp_path / "config" / name)
    geo = tmp_path / "data" / "raw" / "geographie"
    geo.mkdir(parents=True)
    for name, text in GEO.items():
        (geo / name).write_text(text, encoding="utf-8")
    sig = tmp_path / "data" / "raw" / "sig-ville-qpv2015"
    sig.mkdir()
    (sig / "IPRO_2021.csv").write_bytes(IPRO_2021.encode("utf-8"))
    (sig / "DEMO_2021.csv").write_bytes(DEMO_2021.encode("utf-8"))
    (tmp_path / "data" / "raw" / "partenaires" / "2025").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "contrat").mkdir()
    return ProjectPaths(tmp_path)


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[ProjectPaths, BuildResult]:
    """The store built once from the shipped data/raw/ (written to a temporary copy)."""
    root = tmp_path_factory.mktemp("projet")
    shutil.copytree(ROOT / "config", root / "config")
    (root / "data").mkdir()
    (root / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    result = build(ProjectPaths(root))
    assert result.ok, [p.render() for p in result.problems.errors]
    return ProjectPaths(root), result


@pytest.fixture(scope="session")
def real_build(built_project: tuple[ProjectPaths, BuildResult]) -> BuildResult:
    return built_project[1]


def copy_of_built(built: ProjectPaths, base: Path) -> ProjectPaths:
    """A project with the shipped notebooks and the store already built (it is current:
    same inputs, same code), for tests that run reports without rebuilding it."""
    shutil.copytree(ROOT / "config", base / "config")
    shutil.copytree(ROOT / "notebooks", base / "notebooks")
    (base / "data").mkdir()
    (base / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    shutil.copytree(built.processed, base / "data" / "processed")
    return ProjectPaths(base)


@pytest.fixture(scope="session")
def store_rows(real_build: BuildResult) -> list[dict[str, str]]:
    return real_build.rows


@pytest.fixture
def project_copy(built_project: tuple[ProjectPaths, BuildResult], tmp_path: Path
                 ) -> ProjectPaths:
    """A fresh project (shipped notebooks, store already built) in a temporary folder."""
    return copy_of_built(built_project[0], tmp_path / "projet")
