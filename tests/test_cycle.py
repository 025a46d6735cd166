"""The yearly cycle: collection workbooks generated, filled, dropped, read back, and
shown in the reports; a new public release; a revised figure; a changed workbook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from evalqpv.publish import run as runner
from evalqpv.publish.workbooks import write_templates
from evalqpv.store.build import build
from evalqpv.vocabulary import COLLECTION_COLUMNS as COLUMNS
from evalqpv.vocabulary import COLLECTION_SHEET as SHEET
from evalqpv.vocabulary import NOUVEAU, RETURN_HEADERS, REVISE, UNIT_NAMES

ROOT = Path(__file__).resolve().parents[1]
HEADERS = [RETURN_HEADERS[c] for c in COLUMNS]
UNIT_CODES = {word: code for code, word in UNIT_NAMES.items()}
FILL = {"pourcentage": 42.5, "nombre": 137, "euros": 2500, "ratio": 1.5, "indice": 101.2,
        "booleen": 1, "m2": 4200, "kwh_m2_an": 118.5}


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
        unit = UNIT_CODES[ws.cell(row, col["unite"]).value]
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
    assert [c.value for c in ws[1]] == HEADERS == [
        "Indicateur", "Libellé", "Définition", "Unité", "Niveau", "Code du territoire",
        "Territoire", "Année", "Dernière valeur connue", "Année de la dernière valeur",
        "Valeur", "Commentaire"]
    levels = {ws.cell(r, 5).value for r in range(2, ws.max_row + 1)}
    assert "département" in levels and not {"departement", "perimetre_partenaire"} & levels
    assert {ws.cell(r, 4).value for r in range(2, ws.max_row + 1)} <= set(UNIT_NAMES.values())
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
    assert ",IDSU,IDSU," in store  # producteur, source: the partner by its name
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
    natures = {(c.nature, c.indicateur, c.annee) for c in result.revisions}
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
    (_rename_value, False, "la colonne « Valeur » a été renommée en « Valeur 2025 »"),
    (_reverse_rows, True, None),
    (_add_indicator, True, "indicateur ajouté au classeur : « apprenants_fle »"),
    (_drop_definition, True, "colonnes supprimées ou renommées : « Définition »"),
], ids=["colonne renommée", "lignes déplacées", "indicateur ajouté", "colonne supprimée"])
def test_workbook_with_changed_structure(project, edit, ok, fragment):
    made = {t.path.name: t for t in write_templates(project, 2025, "QP092005")}
    template = made["mission_locale.xlsx"]
    typed = fill(template.path, project.raw / "partenaires" / "2025" / "mission_locale.xlsx",
                 edit)
    result = build(project)
    assert result.ok, [p.render() for p in result.problems.blocking]  # never blocking
    (record,) = result.returns
    assert (record.statut == "lu") is ok, record
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


def test_a_bad_return_blocks_nothing(project):
    """A partner's value that is not a number: its row is left out, said in the
    validation report and in retours.csv, and the reports are produced."""
    (project.raw / "partenaires" / "2025" / "idsu.csv").write_text(
        "indicateur;code;annee;valeur\napprenants_fle;QP092005;2024;beaucoup\n"
        "pre_enfants_accompagnes;QP092005;2024;12\n", encoding="utf-8")
    messages: list[str] = []
    assert runner.run(project, annee=2020, rapports=("emploi",), say=messages.append) == 0, \
        messages
    text = "\n".join(messages)
    assert "idsu.csv (IDSU) : partiel, 1 valeur lue" in text and "1 erreur, ligne " \
        "refusée : 2" in text
    assert (project.root / "reports" / "2020" / "emploi.html").exists()
    returns = project.returns.read_text(encoding="utf-8")
    assert "data/raw/partenaires/2025/idsu.csv,csv,partiel,1," in returns
    report = project.validation_report.read_text(encoding="utf-8")
    assert "beaucoup" in report and "non bloquantes" in report


def test_a_workbook_of_the_previous_version_is_still_read(project):
    """Returns of workbooks written before the French headers (identifiers as headers,
    levels as codes, the last value as text) are read as before."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.sheet_properties.codeName = "evalqpv_indicateurs"
    ws.append(list(COLUMNS))
    ws.append(["entrees_cej", "Entrées en CEJ", "", "nombre", "perimetre_partenaire",
               "MISSION_LOCALE", "Périmètre de la Mission locale", 2025, "329", 2023, 311,
               "chiffre provisoire"])
    hidden = wb.create_sheet("_structure")
    hidden.append(["colonnes", *COLUMNS])
    hidden.append(["indicateurs", "entrees_cej"])
    hidden.append(["partenaire", "Mission locale"])
    hidden.append(["annee", 2025])
    hidden.append(["territoire", "QP092005"])
    hidden.sheet_state = "hidden"
    wb.save(project.raw / "partenaires" / "2025" / "mission_locale.xlsx")
    result = build(project)
    assert result.ok and not result.problems.contained, [p.render() for p in
                                                         result.problems.errors]
    (row,) = [r for r in result.rows if r["indicateur"] == "entrees_cej"]
    assert (row["valeur"], row["niveau"], row["code"]) == ("311", "perimetre_partenaire",
                                                           "MISSION_LOCALE")
    assert row["source"] == "Mission locale" and row["qualite"] == "chiffre provisoire"
    (record,) = result.returns
    assert (record.statut, record.valeurs, record.format) == ("lu", 1, "xlsx")


def test_the_last_known_value_is_a_number(project):
    made = {t.path.name: t for t in write_templates(project, 2025, "QP092005")}
    ws = load_workbook(made["france_travail.xlsx"].path)[SHEET]
    last = HEADERS.index("Dernière valeur connue") + 1
    values = [ws.cell(r, last).value for r in range(2, ws.max_row + 1)]
    known = [v for v in values if v is not None]
    assert known and all(isinstance(v, int | float) for v in known), known


def test_a_percentage_cell_is_read_as_shown(project):
    """« 29,9 % » typed in a cell formatted as a percentage holds 0.299: read as 29.9."""
    made = {t.path.name: t for t in write_templates(project, 2025, "QP092005")}
    wb = load_workbook(made["mission_locale.xlsx"].path)
    ws = wb[SHEET]
    value_col = HEADERS.index("Valeur") + 1
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 1).value == "taux_realisation_objectif_cej":
            ws.cell(row, value_col).value = 0.299
            ws.cell(row, value_col).number_format = "0.0%"
    wb.save(project.raw / "partenaires" / "2025" / "mission_locale.xlsx")
    result = build(project)
    (row,) = [r for r in result.rows if r["indicateur"] == "taux_realisation_objectif_cej"
              and r["annee"] == "2025"]
    assert row["valeur"] == "29.9"
