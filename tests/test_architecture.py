"""The shape of the package: readers behind one registry, the contract's facts in
configuration, nothing that leaks into an analyst's session."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from evalqpv.contract_settings import load_contract
from evalqpv.ingest.declared import load_sources
from evalqpv.ingest.registry import READERS, identify, readers
from evalqpv.problems import Problems
from evalqpv.referentiel import load_referentiel
from evalqpv.settings import ProjectPaths, SettingsError
from evalqpv.store.build import build

ROOT = Path(__file__).resolve().parents[1]


def test_every_shipped_raw_file_has_exactly_one_reader():
    """Every reader of the registry, the one of the sources that config/sources.csv
    declares included."""
    raw = ROOT / "data" / "raw"
    paths = ProjectPaths(ROOT)
    problems = Problems()
    referentiel = load_referentiel(paths.referentiel, "referentiel.csv", problems,
                                   load_contract(paths))
    among = readers(load_sources(paths.sources, "sources.csv", referentiel, problems))
    assert not problems.items, [p.render() for p in problems.items]
    for path in raw.rglob("*.csv"):
        rel = path.relative_to(raw)
        if rel.parts[0] == "geographie":
            continue
        claimed = [r.name for r in among if r.identify(rel) is not None]
        assert len(claimed) == 1, (rel, claimed)
        assert identify(rel, among) is not None


def test_quarter_listing_readers_come_before_those_that_need_them():
    first_need = min(i for i, r in enumerate(READERS) if r.needs_quarters)
    assert any(r.lists_quarters for r in READERS[:first_need])


def test_an_unknown_file_names_what_every_reader_expects(mini):
    (mini.raw / "divers").mkdir()
    (mini.raw / "divers" / "export_2024.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    result = build(mini, write=False)
    (error,) = [p for p in result.problems.errors if "non reconnu" in p.message]
    text = error.render()
    assert "data/raw/divers/export_2024.csv" in text
    for expected in ("IPRO_AAAA.csv", "FILOAAAA_DISP_COM.csv", "fr-en-ips_colleges_AAAA.csv",
                     "contrat/*.csv", "partenaires/<année>/<partenaire>.xlsx"):
        assert expected in text


def write_contract(root: Path, text: str) -> ProjectPaths:
    (root / "config").mkdir(exist_ok=True)
    (root / "config" / "contrat.toml").write_text(text, encoding="utf-8")
    return ProjectPaths(root)


GOOD = """nom = "Contrat de ville de Testville"
territoire = "QP059079"
debut = 2024
fin = 2030
[transcription]
producteur = "Ville de Testville"
millesime = "2023"
[[precautions]]
texte = "Une précaution propre à Testville, géographie {geographie}."
[sections]
"1.1" = "Éducation"
"V" = "Gouvernance"
[[portrait]]
titre = "Démographie"
niveaux = ["commune", "qpv"]
indicateurs = ["population"]
"""


def test_contract_settings_are_read_from_configuration(tmp_path):
    contract = load_contract(write_contract(tmp_path, GOOD))
    assert contract.nom == "Contrat de ville de Testville"
    assert contract.territoire == "QP059079"
    assert list(contract.sections) == ["1.1", "V"]
    assert contract.section_rank("V") == 1 and contract.section_rank("9.9") == 2
    assert contract.is_commitment("Annexe 1 – CAF") and contract.signatory(
        "Annexe 1 – CAF") == "CAF"
    assert contract.portrait[0].niveaux == ("commune", "qpv")
    assert contract.transcription_millesime == "2023"
    assert (contract.debut, contract.fin, contract.baseline_year) == (2024, 2030, 2023)
    # in 2026 the committee evaluates 2025; before the contract, its baseline year
    assert contract.default_year(2026) == 2025
    assert contract.default_year(2024) == 2023 and contract.default_year(2040) == 2030


def test_bad_contract_settings_are_explained_in_french(tmp_path):
    paths = write_contract(tmp_path, 'nom = "X"\nterritoire = "Cité Jardins"\n'
                                     '[transcription]\nmillesime = "24"\n'
                                     '[[portrait]]\ntitre = "T"\nniveaux = ["quartier"]\n')
    problems = Problems()
    load_contract(paths, problems)
    messages = " | ".join(p.render() for p in problems.errors)
    assert "code de quartier invalide" in messages and "Cité Jardins" in messages
    assert "millésime de la transcription" in messages
    assert "aucune section" in messages
    assert "niveau inconnu" in messages and "quartier" in messages
    assert "transcription.producteur" in messages
    assert "colonne « debut »" in messages
    with pytest.raises(SettingsError, match="config/contrat.toml"):
        load_contract(paths)
    broken = write_contract(tmp_path, 'nom = "X\n')
    with pytest.raises(SettingsError, match="illisible"):
        load_contract(broken)


def test_referentiel_sections_come_from_the_contract(tmp_path):
    contract = load_contract(write_contract(tmp_path, GOOD))
    problems = Problems()
    load_referentiel(ROOT / "config" / "referentiel.csv", "referentiel.csv", problems, contract)
    bad_sections = {p.valeur for p in problems.errors if p.colonne == "section"}
    assert "3.2" in bad_sections  # a section of the real contract, not of Testville's
    assert "1.1" not in bad_sections and "V" not in bad_sections


def test_the_transcription_cites_the_configured_contract(mini):
    (mini.raw / "contrat" / "chiffres.csv").write_text(
        "section;tableau;libelle_imprime;indicateur;niveau;code;libelle_territoire;geographie;"
        "annee;valeur_imprimee;source_citee;note\n"
        "I.C;t;population;population;qpv;QP092005;Cité Jardins;qpv2015;2019;5 481;Insee;\n",
        encoding="utf-8")
    text = (mini.config / "contrat.toml").read_text(encoding="utf-8")
    text = text.replace('nom = "Contrat Engagements Quartiers 2030"', 'nom = "Contrat test"')
    text = text.replace('millesime = "2024"', 'millesime = "2025"')
    (mini.config / "contrat.toml").write_text(text, encoding="utf-8")
    result = build(mini, write=False)
    (row,) = [r for r in result.rows if r["fichier"].endswith("chiffres.csv")]
    assert row["source"].startswith("Contrat test, section I.C")
    assert row["millesime"] == "2025"


def test_the_latest_official_list_is_read(mini):
    geo = mini.raw / "geographie"
    newer = (geo / "departement2021.csv").read_text(encoding="utf-8").replace(
        "Hauts-de-Seine,Hauts-de-Seine\n", "Hauts-de-Seine,Hauts-de-Seine (COG 2024)\n")
    (geo / "departement2024.csv").write_text(newer, encoding="utf-8")
    result = build(mini, write=False)
    assert result.ok, [p.render() for p in result.problems.errors]
    (qpv,) = result.qpvs
    assert qpv.departement is not None
    assert qpv.departement.libelle == "Hauts-de-Seine (COG 2024)"


def test_partner_workbook_errors_name_the_header_line(mini):
    wb = Workbook()
    ws = wb.active
    ws.title = "Indicateurs"
    ws.append(["Relevé de la Ville"])
    ws.append(["indicateur", "code", "annee"])
    buffer = io.BytesIO()
    wb.save(buffer)
    (mini.raw / "partenaires" / "2025" / "ville.xlsx").write_bytes(buffer.getvalue())
    result = build(mini, write=False)
    (error,) = [p for p in result.problems.errors if "obligatoires" in p.message]
    assert error.ligne == 2 and "Valeur" in (error.colonne or "")


def test_importing_the_report_package_leaves_matplotlib_settings_alone():
    code = ("import matplotlib as mpl; mpl.rcParams['font.size'] = 17; "
            "backend = mpl.get_backend(); "
            "from evalqpv import report; from evalqpv.report import charts; "
            "assert mpl.rcParams['font.size'] == 17; assert mpl.get_backend() == backend; "
            "print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False, env={"MPLBACKEND": "svg", "PATH": ""})
    assert result.stdout.strip() == "ok", result.stderr


def test_an_unchanged_rebuild_path_imports_nothing_heavy():
    code = ("import sys, evalqpv.cli, evalqpv.publish.run, evalqpv.territory; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'papermill', 'nbconvert', "
            "'openpyxl', 'dask', 'distributed', 'pyarrow', 'IPython') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.stdout.strip() == "[]", result.stderr


def test_nothing_in_the_package_names_this_contract():
    words = ("Châtenay", "Chatenay", "Cité Jardin", "QP092005", "Engagements Quartiers",
             "IDSU", "Hauts-de-Seine")
    allowed = {"contract_settings.py": ("QP092005",), "territory.py": ("QP092005",),
               "handfilled.py": ("QP092005",), "geography.py": ("QP092005",)}
    lib = ROOT / "lib" / "evalqpv"
    for path in lib.rglob("*"):
        if path.suffix not in (".py", ".j2", ".css", ".json") or "egg-info" in str(path):
            continue
        text = path.read_text(encoding="utf-8")
        for word in words:
            if word in allowed.get(path.name, ()):
                continue  # an example of a code's format in a message or docstring
            assert word not in text, (path.relative_to(lib), word)
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        for word in words:
            assert word not in text, (path.name, word)


def test_project_copy_without_contract_file_says_so(mini, tmp_path):
    shutil.copytree(mini.root, tmp_path / "copie")
    (tmp_path / "copie" / "config" / "contrat.toml").unlink()
    result = build(ProjectPaths(tmp_path / "copie"), write=False)
    assert any("config/contrat.toml" in p.render() and "absent" in p.message
               for p in result.problems.errors)


# --------------------------------------------------------------------------- layering
# Floors of lib/evalqpv/, bottom to top (docs/developpement.md, « Le flux, et où il
# vit »). A module imports only from its own floor and the floors below: data flows up,
# nothing reaches back down the flow. Every top-level module is placed here by name: a
# new one must be given its floor.
SHARED = ("errors", "vocabulary", "problems", "secrecy", "frenchnumbers", "rawtable",
          "settings", "contract_settings", "comparison_settings", "analysis_settings",
          "referentiel", "objectives", "ruptures", "territory")
FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("commun", ("__init__", *SHARED)),  # the package's own docstring and version, too
    ("ingest", ("ingest",)),
    ("store", ("store",)),
    ("report", ("report",)),
    ("publish", ("publish",)),
    ("application", ("cli", "cli_parser", "lab", "__main__")),
)
RULE = ("a module imports only its own floor and the floors below: "
        + " < ".join(name for name, _ in FLOORS))


def _floor(module: str) -> int | None:
    """The floor of a module named relative to the package (« report.messages »)."""
    head = module.split(".")[0] or "__init__"
    return next((i for i, (_, names) in enumerate(FLOORS) if head in names), None)


def _imported(path: Path, module: str, lib: Path) -> list[tuple[int, str]]:
    """Every module of the package that a file imports (at its top or inside a function),
    named relative to the package, with its line."""
    import ast

    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if module == "__init__":
        package = []
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name.removeprefix("evalqpv."))
                    for a in node.names if a.name.startswith("evalqpv.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and (node.module + ".").startswith("evalqpv."):
                target = node.module.removeprefix("evalqpv").lstrip(".")
            else:
                continue
            if target:
                out.append((node.lineno, target))
            else:  # from .. import frenchnumbers (a module), __version__ (the package's)
                out += [(node.lineno, a.name if (lib / f"{a.name}.py").exists()
                         or (lib / a.name).is_dir() else "__init__") for a in node.names]
    return out


def layering_violations(lib: Path) -> list[str]:
    """What breaks the floors in the package at `lib` (its folder, named evalqpv)."""
    found = []
    for path in sorted(lib.rglob("*.py")):
        rel = path.relative_to(lib).with_suffix("")
        module = ".".join(rel.parts[:-1] if rel.name == "__init__" and len(rel.parts) > 1
                          else rel.parts)
        own = _floor(module)
        if own is None:
            found.append(f"{module}: not placed on any floor (add it to FLOORS, "
                         "tests/test_architecture.py, and to docs/developpement.md)")
            continue
        for line, target in _imported(path, module, lib):
            floor = _floor(target)
            if floor is None:
                found.append(f"{module} (line {line}) imports {target}, which is on no floor")
            elif floor > own:
                found.append(f"{module} (floor {FLOORS[own][0]}, line {line}) imports {target} "
                             f"(floor {FLOORS[floor][0]}): {RULE}")
    return found


def test_every_module_imports_only_its_floor_and_those_below():
    assert layering_violations(ROOT / "lib" / "evalqpv") == []


def test_the_layering_test_sees_an_import_up_the_floors(tmp_path):
    """On a small made-up package: an import up the floors, at the top of a module, inside
    a function or absolute, and a module placed on no floor, are each named."""
    lib = tmp_path / "evalqpv"
    files = {
        "__init__.py": "",
        "vocabulary.py": "X = 1\n",
        "territory.py": "from .vocabulary import X\n",
        "ingest/__init__.py": "from .. import vocabulary\n",
        "ingest/reader.py": "from ..territory import X\n",
        "store/__init__.py": "",
        "store/tables.py": "from ..ingest import reader\n",
        "report/__init__.py": "",
        "report/page.py": "from ..store import tables\nfrom .. import territory\n",
        "publish/__init__.py": "",
        "publish/run.py": "from ..report import page\n",
        "cli.py": "from .publish import run\n",
    }
    for name, text in files.items():
        (lib / name).parent.mkdir(parents=True, exist_ok=True)
        (lib / name).write_text(text, encoding="utf-8")
    assert layering_violations(lib) == []  # every import goes down the floors

    (lib / "report" / "page.py").write_text(
        "from ..store import tables\nfrom ..publish import run\n", encoding="utf-8")
    (violation,) = layering_violations(lib)
    assert violation.startswith("report.page (floor report, line 2) imports publish "
                                "(floor publish): a module imports only its own floor")
    assert "commun < ingest < store < report < publish < application" in violation

    (lib / "report" / "page.py").write_text(
        "def later():\n    from ..publish.run import go  # noqa: PLC0415\n", encoding="utf-8")
    (lib / "territory.py").write_text("from .store.tables import read\n", encoding="utf-8")
    (lib / "ingest" / "reader.py").write_text("import evalqpv.cli\n", encoding="utf-8")
    (lib / "nouveau.py").write_text("", encoding="utf-8")
    found = layering_violations(lib)
    assert [v.split(":")[0] for v in found] == [
        "ingest.reader (floor ingest, line 1) imports cli (floor application)",
        "nouveau",
        "report.page (floor report, line 2) imports publish.run (floor publish)",
        "territory (floor commun, line 1) imports store.tables (floor store)"]
