"""Fill every collection workbook of a year as partners would, deterministically: the
test fixture of a full year of returns (tests/fixtures/annee_complete/).

    make gabarits ANNEE=2025
    .venv/bin/python tools/remplir_retours.py collecte/2025/gabarits \
        tests/fixtures/annee_complete --ods cpam_des_hauts_de_seine \
        --xls education_nationale --illisible

Each workbook's « Valeur » cells get a plausible value for the indicator's unit and
perimeter (counts of people, rates between 0 and 100, amounts in euros, yes/no),
drawn from a hash of the indicator's id (the same every run), near the last known
value when there is one; a handful of rows get a comment (some long), a few are left
empty (some with a comment saying why). What was typed is written to
<sortie>/saisies.csv (the test's expected values: what the partner typed, not what the
toolkit read). --ods and --xls save those workbooks in that format with LibreOffice
(soffice --headless --convert-to), as a partner would; --illisible adds a truncated copy
of a workbook (retour_tronque.xlsx), which no reader can open. A ledger of the requests
(demandes.csv) is written beside the returns.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from evalqpv.contract_settings import load_contract
from evalqpv.problems import Problems
from evalqpv.referentiel import Indicator, load_referentiel
from evalqpv.settings import ProjectPaths, find_root
from evalqpv.vocabulary import COLLECTION_COLUMNS, COLLECTION_SHEET, RETURN_HEADERS

YEAR = 2025
FIXED = datetime(2026, 2, 2, 9, 0, 0)  # the workbooks' properties: the same every run
COMMENTS = (
    "chiffre provisoire",
    "hors période estivale",
    "données arrêtées au 31 décembre, consolidation en cours",
    "estimation à partir des listes d'émargement des ateliers",
    "Le chiffre comprend les personnes accompagnées par l'antenne de quartier et celles "
    "orientées vers le site central ; la part exacte des habitants du quartier n'est pas "
    "connue, la saisie de l'adresse n'étant pas obligatoire dans notre logiciel de suivi. "
    "Nous estimons qu'environ deux tiers résident dans le périmètre prioritaire.",
    "- changement de logiciel en cours d'année : le premier trimestre a été ressaisi",
    "Valeur transmise par le service « Politique de la ville » ; la définition suivie est "
    "celle du contrat (personnes distinctes, pas des passages).",
)
EMPTY_REASON = "non disponible : le chiffre sera transmis au prochain comité"


def draw(key: str, low: float, high: float) -> float:
    """A number between low and high drawn from a hash of `key`: the same every run."""
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:12], 16)
    return low + (high - low) * (digest % 100_000) / 100_000


def value_for(indicator: str, unit: str, level: str, last: object,
              ind: Indicator | None = None) -> float | int:
    """A plausible value for a unit (shown in words) and a perimeter (in words): near
    the contract's target when it sets one, small for counts of meetings, structures or
    actions (the référentiel's `denombre`)."""
    if ind is not None and ind.annee_cible and ind.annee_cible > YEAR and unit == "oui/non":
        return 0  # a milestone not yet due is not done
    if ind is not None and ind.cible is not None and unit not in ("oui/non", "en %"):
        return max(0, int(round(ind.cible * draw(indicator, 0.6, 1.5))))
    if unit == "en %":
        return round(draw(indicator, 5, 95), 1)
    if unit == "oui/non":
        return 1 if draw(indicator, 0, 1) < 0.7 else 0
    if unit == "en euros":
        return int(round(draw(indicator, 2_000, 400_000), -2))
    if unit == "rapport":
        return round(draw(indicator, 0.5, 3), 2)
    if unit == "indice":
        return round(draw(indicator, 85, 115), 1)
    if isinstance(last, int | float) and last > 0:
        return max(0, int(round(last * draw(indicator, 0.85, 1.15))))
    if ind is not None and ind.denombre == "autres":  # meetings, structures, actions
        return int(draw(indicator, 1, 40))
    scale = {"quartier": (3, 300), "commune": (20, 2_500), "département": (200, 40_000),
             "périmètre du partenaire": (10, 900)}.get(level, (5, 500))
    return int(draw(indicator, *scale))


def fill(template: Path, target: Path, typed: list[dict[str, str]],
         referentiel: dict[str, Indicator]) -> None:
    wb = load_workbook(template)
    ws = wb[COLLECTION_SHEET]
    col = {RETURN_HEADERS[c]: i + 1 for i, c in enumerate(COLLECTION_COLUMNS)}
    for row in range(2, ws.max_row + 1):
        def cell(name: str, row: int = row) -> object:
            return ws.cell(row, col[name]).value
        indicator = str(cell("Indicateur"))
        key = f"{template.stem}/{indicator}"
        pick = draw(key + "/choix", 0, 100)
        comment = ""
        if pick < 6:  # left empty, some with the reason
            if pick < 3:
                comment = EMPTY_REASON
        else:
            value = value_for(indicator, str(cell("Unité")), str(cell("Niveau")),
                              cell("Dernière valeur connue"), referentiel.get(indicator))
            ws.cell(row, col["Valeur"]).value = value
            if pick > 85:
                comment = COMMENTS[int(draw(key + "/commentaire", 0, len(COMMENTS)))]
            typed.append({"fichier": target.name, "indicateur": indicator,
                          "code": str(cell("Code du territoire")),
                          "annee": str(cell("Année")), "valeur": str(value),
                          "commentaire": comment})
        if comment:
            ws.cell(row, col["Commentaire"]).value = comment
    wb.properties.created = wb.properties.modified = FIXED
    wb.properties.lastModifiedBy = "partenaire"
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)


def convert(path: Path, suffix: str) -> Path:
    """The workbook saved by LibreOffice in another format (replaces the .xlsx)."""
    filters = {"ods": "ods", "xls": "xls:MS Excel 97"}
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", filters[suffix], "--outdir", str(path.parent),
                        str(path)], check=True, capture_output=True)
    path.unlink()
    return path.with_suffix("." + suffix)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Remplit les classeurs de collecte d'une "
                                     "année comme le feraient les partenaires.")
    parser.add_argument("gabarits", type=Path, help="dossier des classeurs (make gabarits)")
    parser.add_argument("sortie", type=Path, help="dossier du jeu de test")
    parser.add_argument("--ods", action="append", default=[], help="classeur à enregistrer "
                        "en .ods avec LibreOffice (nom sans extension)")
    parser.add_argument("--xls", action="append", default=[], help="classeur à enregistrer "
                        "en .xls avec LibreOffice")
    parser.add_argument("--illisible", action="store_true",
                        help="ajoute une copie tronquée d'un classeur (retour_tronque.xlsx)")
    args = parser.parse_args(argv)
    returns = args.sortie / "partenaires" / str(YEAR)
    shutil.rmtree(returns, ignore_errors=True)
    typed: list[dict[str, str]] = []
    templates = sorted(args.gabarits.glob("*.xlsx"))
    paths = ProjectPaths(find_root(None))
    referentiel = load_referentiel(paths.referentiel, "referentiel", Problems(),
                                   load_contract(paths)).indicators
    for template in templates:
        fill(template, returns / template.name, typed, referentiel)
    for names, suffix in ((args.ods, "ods"), (args.xls, "xls")):
        for name in names:
            converted = convert(returns / f"{name}.xlsx", suffix)
            for row in typed:
                if row["fichier"] == f"{name}.xlsx":
                    row["fichier"] = converted.name
    if args.illisible:
        whole = (returns / templates[0].name).read_bytes()
        (returns / "retour_tronque.xlsx").write_bytes(whole[: len(whole) // 2])
    (returns / "demandes.csv").write_text(
        "partenaire;demande_le;relance_le;recu_le;commentaire\n"
        "IDSU;15/01/2026;;02/02/2026;\n"
        "France Travail;15/01/2026;16/02/2026;;relance par courriel\n"
        "CAF des Hauts-de-Seine;15/01/2026;16/02/2026, 02/03/2026;;\n"
        "mission_locale;2026-01-15;;;\n", encoding="utf-8")
    with (args.sortie / "saisies.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["fichier", "indicateur", "code", "annee", "valeur",
                                         "commentaire"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(typed, key=lambda r: (r["fichier"], r["indicateur"])))
    comments = sum(bool(r["commentaire"]) for r in typed)
    print(f"{len(templates)} classeurs remplis dans {returns} : {len(typed)} valeurs, "
          f"{comments} commentaires.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
