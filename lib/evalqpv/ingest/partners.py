"""Partner returns: the yearly figures each partner fills by hand.

data/raw/partenaires/<annee>/<partenaire>.xlsx (or .xlsm, .ods, .xls, .csv), one row per
indicator and territory. Columns, by their French header (« Indicateur », « Code du
territoire », « Année », « Valeur », « Commentaire »…) or, in workbooks written before
those headers and in CSV files, by their identifier:
  indicateur (required), code (required), annee (required), valeur (required),
  niveau, libelle, libelle_territoire, unite, commentaire (optional).
In a workbook, the data sheet is found by what it is, never by its position: the sheet
with the collection workbook's code name, else the sheet « Indicateurs », else the only
sheet laid out as a return (ingest.workbook). Its header row is the first row that has
a cell « Indicateur ». A row holding personal data (a name, an address, an e-mail...)
is refused, and the cell is named without repeating what it holds.

A return's errors are its own (Reader.contained): the rows in error are left out, the
others are read, and a file that cannot be read at all is said, with what to do, while
every other return and every report is still produced. The figures' source is the
partner's name as the référentiel spells it (the workbook's hidden sheet says it, else
the file's name is matched against the référentiel's partners). The partner's comment
is kept word for word in the store's `qualite` column, one per value.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..frenchnumbers import ParsedNumber, count, parse_french_number, plural, share
from ..problems import Problem, Problems, printable
from ..rawtable import has_columns, read_delimited
from ..referentiel import Referentiel
from ..vocabulary import (
    LEDGER_FILE,
    NON_DISPONIBLE,
    ORIGINE_PARTENAIRE,
    QPV,
    QPV2015,
    QPV2024,
    RETURN_HEADERS,
    RETURN_OPTIONAL,
    RETURN_PARTIAL,
    RETURN_READ,
    RETURN_REFUSED,
    RETURN_REQUIRED,
    RETURN_UNREADABLE,
    WORKBOOK_SUFFIXES,
    partner_stem,
)
from . import FileId, FileSummary, Observation, ReadContext, Reader, ReadResult, ReturnRecord
from .handfilled import RowChecker
from .personal import personal_column, personal_data
from .workbook import (
    RESAVE,
    Body,
    Header,
    Rows,
    cell_text,
    column_id,
    level_id,
    read_workbook,
)
from .workbook_open import sniff

FOLDER = "partenaires"
REQUIRED, OPTIONAL = RETURN_REQUIRED, RETURN_OPTIONAL
SUFFIXES = (".csv", *WORKBOOK_SUFFIXES)
# Excel's owner file, left beside a workbook that is open (« ~$idsu.xlsx »).
LOCK_PREFIX = "~$"


def partner_names(referentiel: Referentiel) -> dict[str, str]:
    """Every partner of the référentiel, by the slug of its name."""
    return {partner_stem(i.partenaire): i.partenaire
            for i in referentiel.indicators.values()}


def partner_of_file(path: Path, referentiel: Referentiel) -> str:
    """The partner a return's file name designates (its name in the référentiel), else
    the file's name as it is."""
    return partner_names(referentiel).get(partner_stem(path.stem), printable(path.stem))


def identify(rel: Path) -> FileId | None:
    """Any file of data/raw/partenaires/ is a partner's return (its format is checked
    when it is read), except the request ledger (ingest.ledger)."""
    if rel.parts[0] != FOLDER or len(rel.parts) < 2 or rel.name == LEDGER_FILE:
        return None
    folder = rel.parent.name
    return FileId("PARTENAIRES", int(folder) if re.fullmatch(r"\d{4}", folder) else None)


def read_partner_file(path: Path, file: FileId, ctx: ReadContext,
                      problems: Problems) -> ReadResult:
    label = ctx.label(path)
    summary = FileSummary(label, READER.name, path.parent.name)
    suffix = path.suffix.lower()
    result = ReadResult([], summary, returned=ReturnRecord(
        partner_of_file(path, ctx.referentiel), label, path.parent.name,
        suffix.lstrip(".") or "?"))
    record = result.returned
    assert record is not None
    if path.name.startswith(LOCK_PREFIX):
        problems.warning(label, "fichier de verrouillage d'Excel (le classeur était ouvert "
                         "quand il a été copié) : il n'est pas lu.",
                         correction="supprimez-le ; le classeur lui-même est lu")
        result.returned = None
        return result
    if file.millesime is None:
        problems.error(label, "le retour n'est pas rangé dans un dossier d'année.",
                       attendu="data/raw/partenaires/<année>/<partenaire>.xlsx",
                       correction="déplacez le fichier dans le dossier de l'année de collecte")
        record.statut = RETURN_REFUSED
        return result
    if suffix not in SUFFIXES:
        problems.error(label, f"format de fichier non lu ({suffix or 'sans extension'}) : "
                       "un retour est un classeur ou un fichier CSV.", valeur=path.name,
                       attendu="un fichier " + ", ".join(SUFFIXES), correction=RESAVE)
        record.statut = RETURN_UNREADABLE
        return result
    rows: Rows | None
    if suffix == ".csv" and sniff(path.read_bytes()) is None:
        rows = _csv_rows(path, label, problems)
    else:
        rows = read_workbook(path, label, problems)
    if rows is None:
        record.statut = RETURN_UNREADABLE
        return result
    record.format = rows.format
    if rows.structure is not None:
        named = (rows.structure.get("partenaire") or [""])[0]
        if named:
            record.partenaire = partner_names(ctx.referentiel).get(partner_stem(named), named)
    header, body, label = rows.header, rows.body, rows.label
    if rows.structure is not None:
        before = len(problems.errors)
        _check_structure(rows.structure, header, body, label, problems)
        if len(problems.errors) > before:
            record.statut = RETURN_UNREADABLE
            return result
        _check_destination(rows.structure, file.millesime, ctx, label, problems)
        if len(problems.errors) > before:
            record.statut = RETURN_REFUSED
            return result
    index = {column_id(name): i for i, (name, _) in enumerate(header) if name}
    if not has_columns(label, index, REQUIRED, problems, ligne=rows.header_line,
                       message="colonnes obligatoires manquantes ou renommées.",
                       shown=RETURN_HEADERS, attendu="les colonnes "
                       + ", ".join(RETURN_HEADERS[c] for c in REQUIRED) + " (et, au choix, "
                       + ", ".join(RETURN_HEADERS[c] for c in OPTIONAL) + ")",
                       correction="rétablissez les intitulés de colonnes du gabarit"):
        record.statut = RETURN_UNREADABLE
        return result
    personal = {i: kind for i, (name, _) in enumerate(header)
                if name and (kind := personal_column(name))}
    for i, kind in personal.items():
        problems.error(label, f"colonne de données personnelles ({kind}) : un retour ne "
                       "contient que des chiffres agrégés.", ligne=rows.header_line,
                       colonne=_column_name(header, index, column_id(header[i][0])),
                       attendu="aucune colonne nominative (nom, prénom, adresse, courriel, "
                       "téléphone)", correction="supprimez cette colonne du fichier")
    unknown = [name for i, (name, _) in enumerate(header) if name and i not in personal
               and column_id(name) not in (*REQUIRED, *OPTIONAL)]
    if unknown:
        problems.warning(label, "colonnes inconnues ignorées.", ligne=rows.header_line,
                         colonne=", ".join(unknown), attendu="les colonnes du gabarit")
    check = RowChecker(ctx, problems, label)
    partner = record.partenaire
    seen: dict[tuple[str, str, str, int], int] = {}
    out = result.observations

    def col(name: str) -> str:
        return _column_name(header, index, name)

    for line, cells in body:
        def cell(name: str, cells: list[object] = cells) -> str:
            i = index.get(name)
            return "" if i is None or i >= len(cells) else _text(cells[i])
        if _refuse_personal(line, cells, header, personal, label, problems):
            continue
        if not cell("valeur") and not cell("commentaire"):
            continue  # nothing returned for this indicator: it stays « à collecter »
        before = len(problems.errors)
        indicateur = check.indicateur(line, col("indicateur"), cell("indicateur"))
        niveau = check.niveau(line, col("niveau"), level_id(cell("niveau")), cell("code"))
        code = check.code(line, col("code"), cell("code"), niveau)
        annee = check.annee(line, col("annee"), cell("annee"))
        periode = check.periode(line, col("periode"), cell("periode"))
        raw = cell("valeur")
        parsed: ParsedNumber | None
        if not raw:
            parsed = ParsedNumber(None, NON_DISPONIBLE)
        else:
            parsed = check.valeur(line, col("valeur"), raw, parse_french_number)
        if indicateur is not None and parsed is not None \
                and (line, index["valeur"]) in rows.percent:
            _percent_cell(line, col("valeur"), raw, indicateur, ctx, check)
        if len(problems.errors) > before or parsed is None or indicateur is None \
                or niveau is None or code is None or annee is None:
            continue
        key = (indicateur, niveau, code, annee)
        if key in seen:
            check.error(line, col("indicateur"), f"ligne en double : même indicateur, "
                        f"territoire et année que la ligne {seen[key]}.", cell("indicateur"),
                        "une seule ligne par indicateur, territoire et année",
                        "supprimez l'une des deux lignes")
            continue
        seen[key] = line
        geographie = "" if niveau != QPV else QPV2015 if code.upper().startswith("QP") \
            else QPV2024
        out.append(Observation(
            indicateur=indicateur, niveau=niveau, code=code,
            libelle_territoire="", geographie=geographie,  # the name: from the geography
            annee=annee, valeur=parsed.valeur, statut=parsed.statut,
            valeur_publiee=raw, qualite=comment(cells, index.get("commentaire")),
            producteur=cell("partenaire") or partner, source=partner,
            millesime=path.parent.name, fichier=label, ligne=line, colonne=col("valeur"),
            periode=periode, origine=ORIGINE_PARTENAIRE))
    summary.observations = len(out)
    return result


def _percent_cell(line: int, column: str, raw: str, indicateur: str, ctx: ReadContext,
                  check: RowChecker) -> None:
    """A cell the spreadsheet shows as a percentage holds a fraction (0.35 shows
    « 35 % »): it was read ×100, as the partner saw it, and the validation report says so;
    for an indicator that is not a percentage the cell is ambiguous, and refused."""
    unit = ctx.referentiel[indicateur].unite
    try:
        shown = share(float(raw))
        stored = f"{float(raw) / 100:g}".replace(".", ",")
    except ValueError:
        shown = stored = raw
    if unit == "pourcentage":
        check.problems.warning(check.label, f"cellule au format pourcentage : la fraction "
                               f"enregistrée ({stored}) est lue multipliée par 100, comme le "
                               f"classeur l'affiche ({shown}).", ligne=line,
                               colonne=column, valeur=stored,
                               attendu="un pourcentage (35 pour 35 %)")
        return
    check.error(line, column, f"cellule au format pourcentage pour « {indicateur} », qui "
                f"n'est pas un pourcentage (unité : {unit}) : la valeur est ambiguë.", raw,
                f"un nombre au format Nombre ou Standard (unité de l'indicateur : {unit})",
                "changez le format de la cellule (Format de cellule > Nombre) et saisissez "
                "la valeur voulue")


def comment(cells: list[object], i: int | None) -> str:
    """The partner's comment, word for word: only the spaces around it are dropped, and
    its lines are kept (the pages escape it when they show it)."""
    if i is None or i >= len(cells) or cells[i] is None:
        return ""
    return str(cells[i]).replace("\r\n", "\n").strip()


def settle(record: ReturnRecord, kept: int, errors: list[Problem]) -> ReturnRecord:
    """The record once the build has checked the return's values: `kept` values went
    into the store, `errors` are the file's."""
    record.valeurs = kept
    if not record.statut:
        record.statut = RETURN_PARTIAL if errors else RETURN_READ
    if errors:
        lines = sorted({p.ligne for p in errors if p.ligne is not None})
        first = errors[0].render().removeprefix(record.fichier).lstrip(" ,:")
        if record.statut == RETURN_PARTIAL:
            record.message = (f"{count(len(errors), 'erreur')}, "
                              f"{plural(len(lines), 'ligne refusée')} : "
                              + ", ".join(map(str, lines[:10]))
                              + (" …" if len(lines) > 10 else "")
                              + f" (détail dans data/processed/validation.md). {first}")
        else:
            record.message = first
    elif not kept:
        record.message = "aucune valeur saisie dans le retour."
    return record


_text = cell_text


def _refuse_personal(line: int, cells: list[object], header: Header, personal: dict[int, str],
                     label: str, problems: Problems) -> bool:
    """True, with an error naming the cell (never its content), when the row holds
    personal data: in a column named for it, or in any text cell."""
    refused = False
    for i, value in enumerate(cells):
        text = _text(value)
        if not text:
            continue
        kind = personal.get(i) or personal_data(text)
        if kind is None:
            continue
        name, letter = header[i] if i < len(header) else ("", "")
        problems.error(label, f"donnée personnelle ({kind}) : la ligne est refusée et rien "
                       "n'en est gardé.", ligne=line,
                       colonne=f"{letter} ({name})" if letter else name or None,
                       attendu="des chiffres agrégés, sans nom, adresse, courriel ni téléphone",
                       correction="retirez cette donnée du fichier (un commentaire décrit le "
                       "chiffre, pas les personnes)")
        refused = True
    return refused


def _column_name(header: Header, index: dict[str, int], name: str) -> str:
    i = index.get(name)
    if i is None:
        return name
    letter = header[i][1]
    return f"{letter} ({header[i][0]})" if letter else header[i][0]


def _csv_rows(path: Path, label: str, problems: Problems) -> Rows | None:
    first = path.read_bytes()[:4096].split(b"\n", 1)[0]
    separator = ";" if first.count(b";") >= first.count(b",") else ","
    table = read_delimited(path, label, problems, separator=separator, strict_encoding=True)
    if table is None:
        return None
    header: Header = [(name, "") for name in table.header]
    body: Body = [(line, list(cells)) for line, cells in table.rows]
    return Rows(header, 1, body, label, None)


def _check_structure(structure: dict[str, list[str]], header: Header, body: Body, label: str,
                     problems: Problems) -> None:
    """Compare a returned collection workbook with the layout it was generated with
    (columns compared by what they are: « Valeur » and `valeur` alike)."""
    sent = structure.get("colonnes", [])
    expected = [column_id(c) for c in sent]
    shown = dict(zip(expected, sent, strict=True))
    present = [(column_id(name), name, letter) for name, letter in header if name]
    actual = [c for c, _, _ in present]
    missing = [c for c in expected if c not in actual]
    added = [(name, letter) for c, name, letter in present if c not in expected]
    if len(missing) == 1 and len(added) == 1:
        problems.add(Problem(
            label, f"la colonne « {shown[missing[0]]} » a été renommée en « {added[0][0]} » "
            f"(colonne {added[0][1] or '?'}).", ligne=1, colonne=added[0][0],
            attendu=f"l'intitulé d'origine « {shown[missing[0]]} »",
            correction="rétablissez l'intitulé d'origine de la colonne",
            gravite="erreur" if missing[0] in REQUIRED else "avertissement"))
    elif missing or added:
        required_gone = [c for c in missing if c in REQUIRED]
        problems.add(Problem(
            label, "la structure du classeur a changé : colonnes supprimées ou renommées : "
            + (", ".join(f"« {shown[c]} »" for c in missing) or "aucune")
            + " ; colonnes ajoutées : "
            + (", ".join(f"« {name} »" for name, _ in added) or "aucune")
            + ".", ligne=1, attendu="les colonnes du gabarit : " + ", ".join(sent),
            correction="repartez du classeur envoyé, sans supprimer ni renommer de colonne",
            gravite="erreur" if required_gone else "avertissement"))
    if actual and expected and [c for c in actual if c in expected] != \
            [c for c in expected if c in actual]:
        problems.warning(label, "les colonnes ont été déplacées : elles sont relues par leur "
                         "intitulé.", ligne=1)
    indicators = structure.get("indicateurs", [])
    if "indicateur" not in actual or not indicators:
        return
    position = next(i for i, (name, _) in enumerate(header) if column_id(name) == "indicateur")
    returned = {(_text(cells[position]) if position < len(cells) else ""): line
                for line, cells in body}
    for indicator, line in sorted(returned.items(), key=lambda kv: kv[1]):
        if indicator and indicator not in indicators:
            problems.warning(label, f"indicateur ajouté au classeur : « {indicator} » ne "
                             "figurait pas dans le classeur envoyé ; il est lu s'il existe "
                             "dans le référentiel.", ligne=line, colonne="indicateur",
                             valeur=indicator)
    removed = [i for i in indicators if i not in returned]
    if removed:
        problems.warning(label, "lignes supprimées du classeur : ces indicateurs restent "
                         "« à collecter ».", colonne="indicateur", valeur=", ".join(removed))


def _check_destination(structure: dict[str, list[str]], folder_year: int | None,
                       ctx: ReadContext, label: str, problems: Problems) -> None:
    """A collection workbook is read only in the folder of its year, for the contract's
    quarter: one sent for another quarter or another year would mislabel its figures."""
    quarter = (structure.get("territoire") or [""])[0].upper()
    own = ctx.contract.territoire
    if quarter and own and quarter != own:
        problems.error(label, f"classeur de collecte du quartier {quarter}, déposé parmi les "
                       f"retours du contrat, qui porte sur le quartier {own}.",
                       colonne="_structure", valeur=quarter, attendu=f"un classeur du quartier "
                       f"{own} (make gabarits ANNEE=<année>)",
                       correction="retirez ce classeur de data/raw/partenaires/ et renvoyez au "
                       "partenaire le classeur du quartier du contrat")
    year = (structure.get("annee") or [""])[0]
    if year and folder_year is not None and year != str(folder_year):
        problems.error(label, f"classeur de la collecte {year} déposé dans le dossier "
                       f"{folder_year}.", colonne="_structure", valeur=year,
                       attendu=f"un classeur de la collecte {folder_year}",
                       correction=f"déplacez-le dans data/raw/partenaires/{year}/")


READER = Reader(name="Retour partenaire", expected=(f"{FOLDER}/<année>/<partenaire>.xlsx",),
                identify=identify, read=read_partner_file, hand_filled=True,
                contained=True)
