"""The yearly cycle: collection workbooks generated, filled, dropped, read back, and
shown in the reports; a new public release; a revised figure; a changed workbook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from evalqpv.publish import run as runner
from evalqpv.publish.workbooks import write_templates
from evalqpv.store.build import build
from evalqpv.vocabulary import COLLECTION_COLUMNS as COLUMNS
from evalqpv.vocabulary import COLLECTION_SHEET as SHEET
from evalqpv.vocabulary import NOUVEAU, REVISE

ROOT = Path(__file__).resolve().parents[1]
FILL = {"pourcentage": 42.5, "nombre": 137, "euros": 2500, "ratio": 1.5, "indice": 101.2,
        "booleen": 1}


@pytest.fixture
def project(mini):
    """The small project with the real configuration and notebooks."""
    shutil.copytree(ROOT / "notebooks", mini.root / "notebooks")
    assert build(mini).ok
    return mini


def fill(path: Path, target: Path, edit=None) -> dict[str, float]:
    """Fill a generated workbook as a partner would; return what was typed."""
    wb = load_workbook(path)
    ws = wb[SHEET]
    typed = {}
    col = {name: i + 1 for i, name in enumerate(COLUMNS)}
    for row in range(2, ws.max_row + 1):
        unit = ws.cell(row, col["unite"]).value
        ws.cell(row, col["valeur"]).value = FILL[unit]
        typed[ws.cell(row, col["indicateur"]).value] = FILL[unit]
    if edit:
        edit(ws)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return typed


def test_workbooks_are_protected_validated_and_explained(project):
    made = write_templates(project, 2025, "QP092005")
    names = {t.path.name for t in made}
    assert {"idsu.xlsx", "france_travail.xlsx", "mission_locale.xlsx",
            "hauts_de_bievre_habitat.xlsx", "police_municipale.xlsx",
            "education_nationale.xlsx", "ville_de_chatenay_malabry.xlsx"} <= names
    wb = load_workbook(next(t.path for t in made if t.path.name == "france_travail.xlsx"))
    assert wb.sheetnames[0] == "À lire" and "comment le remplir" in \
        " ".join(str(c.value) for c in wb["À lire"]["A"]).lower()
    ws = wb[SHEET]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert ws.protection.sheet
    value_col = COLUMNS.index("valeur") + 1
    assert not ws.cell(2, value_col).protection.locked
    assert ws.cell(2, 1).protection.locked
    kinds = {(dv.type, dv.operator, dv.formula1, dv.formula2)
             for dv in ws.data_validations.dataValidation}
    assert ("decimal", "greaterThanOrEqual", "0", None) in kinds
    ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert "semaine_qpv_france_travail" in ids
    assert wb["_structure"].sheet_state == "hidden"


def test_full_cycle_values_reach_store_and_reports(project):
    made = write_templates(project, 2025, "QP092005")
    drop = project.raw / "partenaires" / "2025"
    typed = {}
    for template in made:
        typed.update(fill(template.path, drop / template.path.name))
    messages: list[str] = []
    code = runner.run(project, annee=2025, rapports=("emploi", "synthese", "annexes"),
                      say=messages.append)
    assert code == 0, messages
    store = (project.processed / "observations.csv").read_text(encoding="utf-8")
    assert "Retour partenaire « idsu », collecte 2025" in store
    result = build(project, write=False)
    rows = {r["indicateur"]: r for r in result.rows if r["annee"] == "2025"}
    assert float(rows["personnes_accompagnees_point_insertion"]["valeur"]) == typed[
        "personnes_accompagnees_point_insertion"] == 137
    # the QPV week is organised by département: the workbook asks for it there
    assert rows["semaine_qpv_france_travail"]["code"] == "92"
    page = (project.root / "reports" / "2025" / "emploi.html").read_text(encoding="utf-8")
    assert "137 (2025)" in page
    assert "statut-ok" in page  # semaine QPV: 137 ≥ 1, target met
    annexes = (project.root / "reports" / "2025" / "annexes.html").read_text(encoding="utf-8")
    assert "Ce qui a changé" in annexes and NOUVEAU in annexes
    report = (project.processed / "validation.md").read_text(encoding="utf-8")
    assert "nouvelle valeur" in report


def test_new_release_and_revised_figure(project):
    ipro = ("CODGEO;LIBGEO;TX_TOT_EMPL;TX_F_EMPL;TX_TOT_EPREC;ABCDE;ABCDE_F;ABCDE_H;ABC;NOTE_PE\n"
            "QP092005;Cité Jardins;{emp};57,0;16,8;{de};369;387;702;0\n")
    sig = project.raw / "sig-ville-qpv2015"
    (sig / "IPRO_2017.csv").write_text(ipro.format(emp="60,3", de="756"), encoding="utf-8")
    assert build(project).ok
    # A new release is dropped: no code change; the census rule gives 2013 again,
    # and the producer revised the employment rate.
    (sig / "IPRO_2018.csv").write_text(ipro.format(emp="60,8", de="746"), encoding="utf-8")
    result = build(project)
    assert result.ok
    rows = [r for r in result.rows if r["indicateur"] == "demandeurs_emploi_abcde"
            and r["code"] == "QP092005"]
    assert {r["annee"]: r["valeur"] for r in rows} == {"2016": "756", "2017": "746",
                                                       "2020": "749"}
    (conflict,) = [c for c in result.conflicts if c.indicateur == "taux_emploi_15_64"]
    assert conflict.annee == 2013 and conflict.nature == "révision du producteur"
    natures = {(c.nature, c.indicateur, c.annee) for c in result.changes}
    assert (REVISE, "taux_emploi_15_64", "2013") in natures
    assert (NOUVEAU, "demandeurs_emploi_abcde", "2017") in natures
    changes = (project.processed / "changements.csv").read_text(encoding="utf-8")
    assert "60.3 ≠ 60.8" in changes


def _rename_value(ws):
    ws.cell(1, COLUMNS.index("valeur") + 1).value = "Valeur 2025"


def _reverse_rows(ws):
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    for offset, values in enumerate(reversed(rows), start=2):
        for col, value in enumerate(values, start=1):
            ws.cell(offset, col).value = value


def _add_indicator(ws):
    row = ws.max_row + 1
    values = {"indicateur": "apprenants_fle", "niveau": "qpv", "code": "QP092005",
              "annee": 2025, "valeur": 12}
    for name, value in values.items():
        ws.cell(row, COLUMNS.index(name) + 1).value = value


def _drop_definition(ws):
    ws.delete_cols(COLUMNS.index("definition") + 1)


@pytest.mark.parametrize(("edit", "ok", "fragment"), [
    (_rename_value, False, "la colonne « valeur » a été renommée en « Valeur 2025 »"),
    (_reverse_rows, True, None),
    (_add_indicator, True, "indicateur ajouté au classeur : « apprenants_fle »"),
    (_drop_definition, True, "colonnes supprimées ou renommées : « definition »"),
], ids=["colonne renommée", "lignes déplacées", "indicateur ajouté", "colonne supprimée"])
def test_workbook_with_changed_structure(project, edit, ok, fragment):
    made = {t.path.name: t for t in write_templates(project, 2025, "QP092005")}
    template = made["mission_locale.xlsx"]
    typed = fill(template.path, project.raw / "partenaires" / "2025" / "mission_locale.xlsx",
                 edit)
    result = build(project)
    assert result.ok is ok, [p.render() for p in result.problems.errors]
    texts = [p.render() for p in result.problems.items]
    if fragment:
        assert any(fragment in t for t in texts), texts
    if ok:
        got = {r["indicateur"]: float(r["valeur"]) for r in result.rows
               if "mission_locale" in r["fichier"]}
        for indicator, value in typed.items():
            assert got[indicator] == value
        if edit is _add_indicator:
            assert got["apprenants_fle"] == 12


def test_bad_return_blocks_reports_but_keeps_them(project):
    messages: list[str] = []
    assert runner.run(project, annee=2020, rapports=("emploi",), say=messages.append) == 0, \
        messages
    page = project.root / "reports" / "2020" / "emploi.html"
    before = page.read_bytes()
    (project.raw / "partenaires" / "2025" / "idsu.csv").write_text(
        "indicateur;code;annee;valeur\napprenants_fle;QP092005;2024;beaucoup\n",
        encoding="utf-8")
    messages.clear()
    assert runner.run(project, annee=2020, rapports=("emploi",), say=messages.append) == 1
    text = "\n".join(messages)
    assert "Validation échouée" in text and "beaucoup" in text and "ligne 2" in text
    assert page.read_bytes() == before
