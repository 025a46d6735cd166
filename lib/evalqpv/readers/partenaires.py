"""Partner returns: the yearly figures each partner fills by hand.

data/raw/partenaires/<annee>/<partenaire>.csv or .xlsx, one row per indicator and
territory. Columns (French, as the partner sees them):
  indicateur (required), code (required), annee (required), valeur (required),
  niveau, libelle, libelle_territoire, unite, commentaire (optional).
In a workbook, the sheet « Indicateurs » (or the first sheet) is read; its header
row is the first row that has a cell « indicateur ».
"""

from __future__ import annotations

import re
from pathlib import Path

from ..numbers import ParsedNumber, parse_french_number
from ..problems import Problem, Problems
from ..rawtable import read_delimited
from ..schema import Observation
from . import FileSummary, ReadContext
from .handfilled import RowChecker

REQUIRED = ("indicateur", "code", "annee", "valeur")
OPTIONAL = ("niveau", "libelle", "libelle_territoire", "unite", "commentaire", "partenaire",
            "definition", "derniere_valeur", "annee_derniere_valeur")
STRUCTURE_SHEET = "_structure"
SHEET = "Indicateurs"


def campaign_year(path: Path) -> int | None:
    return int(path.parent.name) if re.fullmatch(r"\d{4}", path.parent.name) else None


def read_partner_file(path: Path, ctx: ReadContext,
                      problems: Problems) -> tuple[list[Observation], FileSummary]:
    label = ctx.label(path)
    summary = FileSummary(label, "Retour partenaire", path.parent.name)
    if campaign_year(path) is None:
        problems.error(label, "le retour n'est pas rangé dans un dossier d'année.",
                       attendu="data/raw/partenaires/<année>/<partenaire>.xlsx",
                       correction="déplacez le fichier dans le dossier de l'année de collecte")
        return [], summary
    if path.suffix.lower() == ".xlsx":
        rows = _xlsx_rows(path, label, problems)
    else:
        rows = _csv_rows(path, label, problems)
    if rows is None:
        return [], summary
    header, body, label, structure = rows
    if structure is not None:
        _check_structure(structure, header, body, label, problems)
    index = {name.strip().lower(): i for i, (name, _) in enumerate(header) if name}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        problems.error(label, "colonnes obligatoires manquantes ou renommées.",
                       ligne=header[0][1] if header else 1, colonne=", ".join(missing),
                       attendu="les colonnes " + ", ".join(REQUIRED) +
                       " (et, au choix, " + ", ".join(OPTIONAL) + ")",
                       correction="rétablissez les intitulés de colonnes du gabarit")
        return [], summary
    unknown = [name for name, _ in header if name and name.strip().lower() not in
               (*REQUIRED, *OPTIONAL)]
    if unknown:
        problems.warning(label, "colonnes inconnues ignorées.", ligne=header[0][1],
                         colonne=", ".join(unknown), attendu="les colonnes du gabarit")
    check = RowChecker(ctx, problems, label)
    partner = path.stem
    seen: dict[tuple, int] = {}
    out: list[Observation] = []
    for line, cells in body:
        def cell(name: str, cells: list = cells) -> str:
            i = index.get(name)
            return "" if i is None or i >= len(cells) else _text(cells[i])
        col = lambda name: _column_name(header, index, name)  # noqa: E731
        if not cell("valeur") and not cell("commentaire"):
            continue  # nothing returned for this indicator: it stays « à collecter »
        before = len(problems.errors)
        indicateur = check.indicateur(line, col("indicateur"), cell("indicateur"))
        niveau = check.niveau(line, col("niveau"), cell("niveau"), cell("code"))
        code = check.code(line, col("code"), cell("code"), niveau)
        annee = check.annee(line, col("annee"), cell("annee"))
        raw = cell("valeur")
        parsed: ParsedNumber | None
        if not raw:
            parsed = ParsedNumber(None, "non_disponible")
        else:
            parsed = check.valeur(line, col("valeur"), raw, parse_french_number)
        if len(problems.errors) > before or parsed is None:
            continue
        key = (indicateur, niveau, code, annee)
        if key in seen:
            check.error(line, col("indicateur"), f"ligne en double : même indicateur, "
                        f"territoire et année que la ligne {seen[key]}.", cell("indicateur"),
                        "une seule ligne par indicateur, territoire et année",
                        "supprimez l'une des deux lignes")
            continue
        seen[key] = line
        out.append(Observation(
            indicateur=indicateur, niveau=niveau, code=code,  # type: ignore[arg-type]
            libelle_territoire=cell("libelle_territoire"),
            geographie="qpv2015" if niveau == "qpv" and code.upper().startswith("QP")  # type: ignore[union-attr]
            else ("qpv2024" if niveau == "qpv" else ""),
            annee=annee, valeur=parsed.valeur, statut=parsed.statut,  # type: ignore[arg-type]
            valeur_publiee=raw, qualite=cell("commentaire"),
            producteur=cell("partenaire") or partner,
            source=f"Retour partenaire « {partner} », collecte {path.parent.name}",
            millesime=path.parent.name, fichier=label, ligne=line, colonne=col("valeur")))
    summary.observations = len(out)
    return out, summary


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_name(header: list[tuple[str, int | str]], index: dict[str, int], name: str) -> str:
    i = index.get(name)
    if i is None:
        return name
    letter = header[i][1] if isinstance(header[i][1], str) else ""
    return f"{letter} ({header[i][0]})" if letter else header[i][0]


def _csv_rows(path: Path, label: str, problems: Problems):
    first = path.read_bytes()[:4096].split(b"\n", 1)[0]
    separator = ";" if first.count(b";") >= first.count(b",") else ","
    table = read_delimited(path, label, problems, separator=separator, strict_encoding=True)
    if table is None:
        return None
    header = [(name, 1) for name in table.header]
    return header, table.rows, label, None


def _xlsx_rows(path: Path, label: str, problems: Problems):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        workbook = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        problems.error(label, "classeur Excel illisible.", valeur=type(exc).__name__,
                       attendu="un classeur .xlsx enregistré par Excel ou LibreOffice",
                       correction="rouvrez-le et réenregistrez-le au format .xlsx")
        return None
    sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
    where = f"{label} [feuille « {sheet.title} »]"
    rows = list(sheet.iter_rows(values_only=True))
    header_row = next((n for n, r in enumerate(rows, start=1)
                       if any(_text(v).lower() == "indicateur" for v in r)), None)
    if header_row is None:
        problems.error(where, "aucune ligne d'en-tête trouvée (pas de cellule « indicateur »).",
                       attendu="une ligne d'en-tête avec les colonnes " + ", ".join(REQUIRED))
        return None
    merged = [str(r) for r in sheet.merged_cells.ranges
              if r.min_row <= header_row <= r.max_row]
    if merged:
        problems.error(where, "l'en-tête contient des cellules fusionnées.", ligne=header_row,
                       colonne=", ".join(merged), attendu="une cellule par intitulé de colonne",
                       correction="annulez la fusion (Accueil > Fusionner et centrer) et "
                       "rétablissez un intitulé par colonne")
        return None
    header = [(_text(v), get_column_letter(i + 1)) for i, v in enumerate(rows[header_row - 1])]
    body = [(n, list(r)) for n, r in enumerate(rows[header_row:], start=header_row + 1)
            if any(v not in (None, "") for v in r)]
    structure = None
    if STRUCTURE_SHEET in workbook.sheetnames:
        structure = {str(r[0]): [_text(v) for v in r[1:] if v not in (None, "")]
                     for r in workbook[STRUCTURE_SHEET].iter_rows(values_only=True) if r[0]}
    return header, body, where, structure


def _check_structure(structure: dict[str, list[str]], header, body, label: str,  # noqa: ANN001
                     problems: Problems) -> None:
    """Compare a returned collection workbook with the layout it was generated with."""
    expected = structure.get("colonnes", [])
    actual = [name for name, _ in header if name]
    missing = [c for c in expected if c not in actual]
    added = [c for c in actual if c not in expected]
    letters = {name: letter for name, letter in header}
    if len(missing) == 1 and len(added) == 1:
        problems.add(Problem(
            label, f"la colonne « {missing[0]} » a été renommée en « {added[0]} » "
            f"(colonne {letters.get(added[0], '?')}).", ligne=1, colonne=added[0],
            attendu=f"l'intitulé d'origine « {missing[0]} »",
            correction="rétablissez l'intitulé d'origine de la colonne",
            gravite="erreur" if missing[0] in REQUIRED else "avertissement"))
    elif missing or added:
        required_gone = [c for c in missing if c in REQUIRED]
        problems.add(Problem(
            label, "la structure du classeur a changé : colonnes supprimées ou renommées : "
            + (", ".join(f"« {c} »" for c in missing) or "aucune")
            + " ; colonnes ajoutées : " + (", ".join(f"« {c} »" for c in added) or "aucune")
            + ".", ligne=1, attendu="les colonnes du gabarit : " + ", ".join(expected),
            correction="repartez du classeur envoyé, sans supprimer ni renommer de colonne",
            gravite="erreur" if required_gone else "avertissement"))
    if actual and expected and [c for c in actual if c in expected] != \
            [c for c in expected if c in actual]:
        problems.warning(label, "les colonnes ont été déplacées : elles sont relues par leur "
                         "intitulé.", ligne=1)
    sent = structure.get("indicateurs", [])
    if "indicateur" not in actual or not sent:
        return
    position = actual.index("indicateur")
    returned = {(_text(cells[position]) if position < len(cells) else ""): line
                for line, cells in body}
    for indicator, line in sorted(returned.items(), key=lambda kv: kv[1]):
        if indicator and indicator not in sent:
            problems.warning(label, f"indicateur ajouté au classeur : « {indicator} » ne "
                             "figurait pas dans le classeur envoyé ; il est lu s'il existe "
                             "dans le référentiel.", ligne=line, colonne="indicateur",
                             valeur=indicator)
    removed = [i for i in sent if i not in returned]
    if removed:
        problems.warning(label, "lignes supprimées du classeur : ces indicateurs restent "
                         "« à collecter ».", colonne="indicateur", valeur=", ".join(removed))
