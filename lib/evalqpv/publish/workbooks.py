"""Collection workbooks: one Excel file per partner, listing what it owes for a year.

The sheet « Indicateurs » is protected except the value and comment cells, which carry
Excel data validation (a number, ≥ 0, ≤ 100 for a percentage, 0 or 1 for yes/no). A
hidden sheet « _structure » records the layout, the year and the quarter, and the data
sheet carries a code name that survives a renaming, so that a workbook returned with its
structure changed is read correctly or rejected with a message saying what changed.
Workbooks for another quarter than the contract's go to a folder of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..contract_settings import Contract, load_contract
from ..frenchnumbers import with_unit
from ..problems import Problems
from ..referentiel import Indicator, Referentiel, load_referentiel
from ..report.indicators import latest, series
from ..settings import ProjectPaths
from ..store.load import load_store
from ..store.tables import resolve_territory
from ..territory import Level, Territory
from ..vocabulary import (
    COLLECTION_CODE_NAME,
    COLLECTION_COLUMNS,
    COLLECTION_EDITABLE,
    COLLECTION_GUIDE_SHEET,
    COLLECTION_SHEET,
    COLLECTION_STRUCTURE_SHEET,
    COMMUNE,
    CONTEXT,
    DEPARTEMENT,
    ENSEMBLE_QPV,
    ETABLISSEMENT,
    GOVERNANCE,
    LEVEL_NAMES,
    QPV,
    RETURN_HEADERS,
    UNIT_NAMES,
    VALEUR,
    code_qpv_of_departement,
    partner_stem,
)

COLUMNS = COLLECTION_COLUMNS
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
INPUT_FILL = PatternFill("solid", fgColor="FFF5CC")


@dataclass(frozen=True)
class Template:
    partenaire: str
    path: Path
    indicateurs: int


slug = partner_stem
HEADERS = [RETURN_HEADERS[c] for c in COLUMNS]


def write_templates(paths: ProjectPaths, annee: int, territoire: str,
                    out_dir: Path | None = None) -> list[Template]:
    """One workbook per partner responsible for at least one indicator, in
    collecte/<annee>/gabarits/ (collecte/<annee>/gabarits/<code>/ for another quarter than
    the contract's, so that the contract's workbooks are never overwritten)."""
    problems = Problems()
    contract = load_contract(paths)
    referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel), problems,
                                   contract)
    territory = resolve_territory(territoire, paths)
    store = load_store(paths.store) if paths.store.exists() \
        else pd.DataFrame(columns=["indicateur", "niveau"])
    store = store[store["indicateur"].isin(list(referentiel.indicators))]
    own = territory.code == contract.territoire
    out_dir = out_dir or paths.templates_of_year(annee, "" if own else territory.code)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_partner = owed(referentiel, store)
    made = []
    for partner, inds in sorted(by_partner.items()):
        path = out_dir / f"{slug(partner)}.xlsx"
        _write_workbook(path, partner, annee, territory, inds, store, contract)
        made.append(Template(partner, path, len(inds)))
    return made


def owed(referentiel: Referentiel, store: pd.DataFrame) -> dict[str, list[Indicator]]:
    """The indicators each partner owes the contract: those it must provide (column
    `partenaire`), except context figures, public data and figures published by school."""
    by_partner: dict[str, list[Indicator]] = {}
    published_by_school = set(store[store["niveau"] == ETABLISSEMENT]["indicateur"])
    partners = set(referentiel.partners())  # producers of public statistics excluded
    for ind in referentiel.indicators.values():
        if ind.partenaire in partners and ind.type != CONTEXT and not ind.calcul \
                and ind.id not in published_by_school:
            by_partner.setdefault(ind.partenaire, []).append(ind)
    return by_partner


def level_for(ind: Indicator, territory: Territory, store: pd.DataFrame) -> Level:
    """Where the partner reports this indicator: on its perimeter (config/referentiel.csv),
    where figures of that perimeter already exist, else the quarter's own level of that
    kind (its commune, its département...), else the quarter."""
    if not store.empty:
        rows = store[(store["indicateur"] == ind.id) & (store["niveau"] == ind.perimetre)]
        if not rows.empty and ind.perimetre != QPV:
            row = rows.sort_values(["annee", "code"]).iloc[-1]
            return Level(row["niveau"], row["code"], row["libelle_territoire"])
    if ind.perimetre == ENSEMBLE_QPV:  # the contract's QPV: those of its département
        dep = territory.level(DEPARTEMENT)
        if dep is not None:
            return Level(ENSEMBLE_QPV, code_qpv_of_departement(dep.code),
                         f"Quartiers prioritaires du département ({dep.libelle})")
    own = territory.level(ind.perimetre) if ind.perimetre != QPV else None
    if own is not None:
        return own
    if ind.axe == GOVERNANCE:
        commune = territory.level(COMMUNE)
        if commune is not None:
            return commune
    return territory.qpv


def _write_workbook(path: Path, partner: str, annee: int, territory: Territory,
                    inds: list[Indicator], store: pd.DataFrame, contract: Contract) -> None:
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = COLLECTION_GUIDE_SHEET
    _write_guide(guide, partner, annee, territory, contract)
    ws = wb.create_sheet(COLLECTION_SHEET)
    ws.sheet_properties.codeName = COLLECTION_CODE_NAME  # kept when the sheet is renamed
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    validations = {
        "pourcentage": DataValidation(type="decimal", operator="between", formula1="0",
                                      formula2="100"),
        "nombre": DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"),
        "euros": DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"),
        "booleen": DataValidation(type="whole", operator="between", formula1="0", formula2="1"),
        "ratio": DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"),
        "indice": DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"),
        "m2": DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"),
        "kwh_m2_an": DataValidation(type="decimal", operator="greaterThanOrEqual",
                                    formula1="0"),
    }
    messages = {"pourcentage": "un pourcentage entre 0 et 100 (29,9 pour 29,9 %)",
                "booleen": "1 si réalisé, 0 sinon"}
    for unit, dv in validations.items():
        dv.error = "Valeur refusée : " + messages.get(unit, "un nombre positif ou nul")
        dv.errorTitle = "Valeur invalide"
        dv.prompt = "Saisissez " + messages.get(unit, "un nombre positif ou nul") + \
            " ; mettez toute précision dans « commentaire »."
        dv.showErrorMessage = dv.showInputMessage = True
        ws.add_data_validation(dv)
    value_col = COLUMNS.index("valeur") + 1
    for row_number, ind in enumerate(inds, start=2):
        level = level_for(ind, territory, store)
        last = None
        if not store.empty:
            last, _ = latest(series(store, ind.id, level), annee)
        ws.append([ind.id, ind.libelle, ind.definition, UNIT_NAMES[ind.unite],
                   LEVEL_NAMES.get(level.niveau, level.niveau), level.code, level.libelle,
                   annee, _last_value(last.valeur, last.statut, ind.unite) if last else None,
                   last.annee if last else None, None, None])
        value_cell = ws.cell(row=row_number, column=value_col)
        validations[ind.unite].add(value_cell)
        for name in COLLECTION_EDITABLE:
            cell = ws.cell(row=row_number, column=COLUMNS.index(name) + 1)
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
    for letter, width in zip("ABCDEFGHIJKL", (34, 45, 60, 12, 12, 12, 22, 8, 16, 12, 14, 40),
                             strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # the partner may widen columns
    structure = wb.create_sheet(COLLECTION_STRUCTURE_SHEET)
    structure.append(["colonnes", *HEADERS])
    structure.append(["indicateurs", *[i.id for i in inds]])
    structure.append(["partenaire", partner])
    structure.append(["annee", annee])
    structure.append(["territoire", territory.code])
    structure.sheet_state = "hidden"
    structure.protection.sheet = True
    wb.save(path)


def _last_value(valeur: float | None, statut: str, unite: str) -> float | int | str:
    """The last known value as the partner compares it with its own: a number cell
    (never « 701 » as text, which a spreadsheet flags), « oui »/« non » for a yes/no,
    the published text for a bound or a figure not published (« > 95 », « nd »)."""
    if statut != VALEUR or valeur is None:
        return with_unit(valeur, unite, statut)
    if unite == "booleen":
        return "oui" if valeur else "non"
    return int(valeur) if float(valeur).is_integer() else valeur


def _write_guide(ws: Worksheet, partner: str, annee: int, territory: Territory,
                 contract: Contract) -> None:
    lines = [
        f"Classeur de collecte {annee} – {partner}",
        "",
        f"{contract.nom} – quartier {territory.libelle} ({territory.code}).",
        "Ce classeur liste les indicateurs que le contrat attend de votre structure pour "
        f"l'année {annee}.",
        "",
        "Comment le remplir :",
        "1. Ouvrez la feuille « Indicateurs ».",
        "2. Pour chaque ligne, saisissez la valeur dans la colonne « Valeur » (cellules "
        "jaunes) : un nombre, sans unité (29,9 pour 29,9 % ; 1 pour « oui », 0 pour « non »).",
        "3. Si la valeur n'est pas disponible, laissez la cellule vide et expliquez pourquoi "
        "dans « Commentaire ».",
        "4. La colonne « Année » indique l'année que doit décrire la valeur ; si votre chiffre "
        "porte sur une autre année, dites-le dans « Commentaire ».",
        "5. Ne supprimez, ne déplacez et ne renommez pas de colonne ; n'ajoutez pas de ligne "
        "(si un chiffre manque au classeur, signalez-le dans un commentaire).",
        "6. Enregistrez au format .xlsx (.ods ou .xls sont lus aussi) et renvoyez le fichier "
        "sans changer son nom.",
        "",
        "Les colonnes « Dernière valeur connue » et « Année de la dernière valeur » rappellent "
        "le dernier chiffre connu, pour vérifier l'ordre de grandeur.",
        "Un commentaire est repris tel quel à côté du chiffre dans les rapports : il décrit le "
        "chiffre (« chiffre provisoire »), jamais les personnes.",
        "Le classeur est relu automatiquement : toute valeur incohérente (texte, nombre "
        "négatif, pourcentage au-delà de 100) vous sera signalée avec la cellule concernée.",
    ]
    for line in lines:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120
    ws.protection.sheet = True
