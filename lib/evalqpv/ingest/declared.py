"""Simple sources declared as data: config/sources.csv, one line per source.

A simple source is a delimited file with one row per territory (and per year), whose
columns are the territory's code, perhaps its name and its year, and one value per
indicator. Its line says everything the reader needs:

- `source`: the source's identifier (lower case, words joined by « _ »);
- `fichiers`: where its files are, under data/raw/ (`*`: any characters but « / »,
  `{annee}`: the four-digit year the file's name gives, its release);
- `separateur` (`;` when blank, `,` or `tab`) and `encodage` (`utf-8` when blank: any
  other byte is an error; `windows-1252`: lines that are not UTF-8 are read as
  Windows-1252, with a warning);
- `colonne_code` and `niveau` (a level of the store: qpv, commune, departement...);
  `geographie` (qpv2015, qpv2024, or blank: for a QPV, from its code, QP... or QN...);
- `colonne_libelle` (the territory's name, optional);
- `annee`: the reference year, `colonne:<nom>` (read on each row), `fichier` (the
  `{annee}` of the file's name) or a fixed year (2024);
- `variables`: `colonne=indicateur` pairs separated by « ; » (each indicator must be in
  config/referentiel.csv);
- `producteur` and `titre` (the source as the reports cite it; the producer when blank);
- `origine` (optional column): `publication` (blank: a producer's published file) or
  `partenaire` (figures a partner or the city typed, which the reports treat as a
  partner's return: never ranked among all QPV, shown as declared).

The generic reader (`reader`) is registered once in ingest.registry; each declaration is
checked when it is loaded, with the file, the line and the column of a bad one. The file
is not shipped (an input more would change the list of inputs every page prints): the
first source creates it, with the header the developer guide gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..problems import Problems
from ..rawtable import read_delimited
from ..referentiel import Referentiel
from ..vocabulary import (
    GEOGRAPHIES,
    NIVEAUX,
    ORIGINE_PARTENAIRE,
    ORIGINE_PUBLICATION,
    QPV,
    QPV2015,
    QPV2024,
)
from . import FileId, ReadContext, Reader, ReadResult
from .contours import FOLDER as CONTOURS_FOLDER
from .contract import FOLDER as CONTRACT_FOLDER
from .geography import FOLDER as GEOGRAPHY_FOLDER
from .handfilled import RowChecker
from .partners import FOLDER as PARTNERS_FOLDER
from .published import check_quarter_code, is_total_row, published_number
from .skeleton import Stamp, open_source

COLUMNS = ("source", "fichiers", "separateur", "encodage", "colonne_code", "niveau",
           "geographie", "colonne_libelle", "annee", "variables", "producteur", "titre")
OPTIONAL_COLUMNS = ("origine",)
ORIGINS = {"": ORIGINE_PUBLICATION, ORIGINE_PUBLICATION: ORIGINE_PUBLICATION,
           ORIGINE_PARTENAIRE: ORIGINE_PARTENAIRE}
SEPARATORS = {"": ";", ";": ";", ",": ",", "tab": "\t"}
ENCODINGS = ("", "utf-8", "windows-1252")
# Folders whose files other readers read (or that hold no observation).
RESERVED_FOLDERS = (CONTRACT_FOLDER, PARTNERS_FOLDER, GEOGRAPHY_FOLDER, CONTOURS_FOLDER)
YEAR_TOKEN = "{annee}"
YEAR_FROM_NAME = "fichier"
YEAR_FROM_COLUMN = "colonne:"
READER_NAME = "Source déclarée (config/sources.csv)"
_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_YEAR = re.compile(r"^(19|20)\d\d$")
_PATTERN = re.compile(r"^[\w.{}*-]+(/[\w.{}*-]+)+$")


@dataclass(frozen=True)
class Declaration:
    """One simple source, as config/sources.csv declares it."""

    source: str
    fichiers: str
    separateur: str
    strict_encoding: bool
    colonne_code: str
    niveau: str
    geographie: str
    colonne_libelle: str
    annee: str  # a fixed year, YEAR_FROM_NAME, or YEAR_FROM_COLUMN + the column's name
    variables: tuple[tuple[str, str], ...]  # (column, indicator)
    producteur: str
    titre: str
    ligne: int  # its line in config/sources.csv
    origine: str = ORIGINE_PUBLICATION  # vocabulary ORIGINE_*

    @property
    def year_column(self) -> str:
        return self.annee.removeprefix(YEAR_FROM_COLUMN) \
            if self.annee.startswith(YEAR_FROM_COLUMN) else ""

    def match(self, rel: Path) -> re.Match[str] | None:
        return _regex(self.fichiers).fullmatch(rel.as_posix())


@dataclass(frozen=True)
class Sources:
    """Every declared source, in the order of config/sources.csv."""

    declarations: tuple[Declaration, ...] = ()
    label: str = "config/sources.csv"

    def identify(self, rel: Path) -> FileId | None:
        """The first declaration whose pattern the file matches: the family is the
        source's identifier, the release the year of the file's name (when it gives one)."""
        for decl in self.declarations:
            m = decl.match(rel)
            if m:
                year = m.group("annee") if YEAR_TOKEN in decl.fichiers else None
                return FileId(decl.source, int(year) if year else None)
        return None

    def __getitem__(self, source: str) -> Declaration:
        return next(d for d in self.declarations if d.source == source)


def _regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\*|\{annee\})", pattern)
    return re.compile("".join(
        r"[^/]*" if part == "*" else r"(?P<annee>(?:19|20)\d\d)" if part == YEAR_TOKEN
        else re.escape(part) for part in parts))


def load_sources(path: Path, label: str, referentiel: Referentiel,
                 problems: Problems) -> Sources:
    """Read and check config/sources.csv (optional: no file, or its header alone, declares
    no source). A bad line is reported (file, line, column, what was expected) and left
    out."""
    if not path.is_file() or len([line for line in path.read_bytes().splitlines()
                                  if line.strip()]) <= 1:
        return Sources((), label)
    table = read_delimited(path, label, problems, separator=",", strict_encoding=True)
    if table is None:
        return Sources((), label)
    index = table.required_columns(COLUMNS, problems,
                                   correction="rétablissez l'en-tête de config/sources.csv "
                                   "(voir docs/developpement.md, « Ajouter une source »)")
    if index is None:
        return Sources((), label)
    optional = {c: table.header.index(c) for c in OPTIONAL_COLUMNS if c in table.header}
    out: list[Declaration] = []
    for line, cells in table.rows:
        row = {c: cells[index[c]].strip() for c in COLUMNS}
        row |= {c: cells[optional[c]].strip() if c in optional else ""
                for c in OPTIONAL_COLUMNS}  # rows are padded to the header's width
        before = len(problems.errors)
        decl = _check(row, line, label, referentiel, problems)
        if len(problems.errors) > before:
            continue
        for other in out:
            for column in ("source", "fichiers"):
                if getattr(other, column) == row[column]:
                    problems.error(label, f"source déclarée deux fois (déjà ligne {other.ligne}).",
                                   ligne=line, colonne=column, valeur=row[column],
                                   attendu="une ligne par source, et un motif de fichiers "
                                   "par source")
        if len(problems.errors) == before:
            out.append(decl)
    return Sources(tuple(out), label)


def _check(row: dict[str, str], line: int, label: str, referentiel: Referentiel,
           problems: Problems) -> Declaration:
    def bad(column: str, message: str, attendu: str, valeur: str | None = None) -> None:
        problems.error(label, message, ligne=line, colonne=column,
                       valeur=row[column] if valeur is None else valeur, attendu=attendu)

    if not _ID.match(row["source"]):
        bad("source", "identifiant de source invalide.", "un identifiant en minuscules sans "
            "accent, mots séparés par « _ » (ex. licences_sportives)")
    pattern = row["fichiers"]
    if not _PATTERN.match(pattern) or ".." in pattern.split("/"):
        bad("fichiers", "motif de fichiers invalide.", "un chemin sous data/raw/, dossier "
            "compris, sans « .. » ni espace (ex. sport/licencies_{annee}.csv)")
    elif pattern.split("/")[0] in RESERVED_FOLDERS:
        bad("fichiers", f"le dossier data/raw/{pattern.split('/')[0]}/ est lu par un autre "
            "lecteur.", "un dossier propre à la source (ex. sport/), hors de "
            + ", ".join(RESERVED_FOLDERS))
    elif not pattern.lower().endswith((".csv", ".txt", ".tsv")) \
            or pattern.count(YEAR_TOKEN) > 1 or re.search(r"\{(?!annee\})", pattern):
        bad("fichiers", "motif de fichiers invalide.", "un fichier texte délimité (.csv), "
            "avec au plus une fois « {annee} » (l'année du nom du fichier)")
    if row["separateur"] not in SEPARATORS:
        bad("separateur", "séparateur inconnu.", "vide (point-virgule), « ; », « , » ou « tab »")
    if row["encodage"] not in ENCODINGS:
        bad("encodage", "encodage inconnu.", "vide ou « utf-8 » (tout autre octet est une "
            "erreur), ou « windows-1252 » (lignes non UTF-8 lues en Windows-1252)")
    if not row["colonne_code"]:
        bad("colonne_code", "colonne du code du territoire non précisée.",
            "le nom de la colonne qui donne le code du territoire (ex. code_qpv)")
    if row["niveau"] not in NIVEAUX:
        bad("niveau", "niveau territorial inconnu.", "l'un des niveaux " + ", ".join(NIVEAUX))
    if row["geographie"] not in GEOGRAPHIES or (row["geographie"] and row["niveau"] != QPV):
        bad("geographie", "géographie prioritaire invalide.", "vide (déduite du code d'un "
            "quartier : QP… 2015, QN… 2024), ou qpv2015 ou qpv2024 pour le niveau qpv")
    annee = row["annee"]
    if not (_YEAR.match(annee) or annee == YEAR_FROM_NAME
            or (annee.startswith(YEAR_FROM_COLUMN) and annee[len(YEAR_FROM_COLUMN):].strip())):
        bad("annee", "règle d'année invalide.", "« colonne:<nom> » (l'année lue sur chaque "
            "ligne), « fichier » (l'année du nom du fichier) ou une année fixe (2024)")
    elif annee == YEAR_FROM_NAME and YEAR_TOKEN not in pattern:
        bad("annee", "l'année doit venir du nom du fichier, mais le motif n'en donne pas.",
            "« {annee} » dans la colonne « fichiers » (ex. sport/licencies_{annee}.csv)")
    variables: list[tuple[str, str]] = []
    for pair in [p.strip() for p in row["variables"].split(";") if p.strip()]:
        column, _, indicator = (part.strip() for part in pair.partition("="))
        if not column or not indicator:
            bad("variables", "correspondance colonne → indicateur illisible.",
                "des paires « colonne=indicateur » séparées par « ; »", pair)
        elif indicator not in referentiel:
            bad("variables", "indicateur inconnu du référentiel.", "un identifiant de la "
                "colonne « id » de config/referentiel.csv (ajoutez-y d'abord l'indicateur)",
                indicator)
        else:
            variables.append((column, indicator))
    if not row["variables"]:
        bad("variables", "aucune variable déclarée.", "au moins une paire "
            "« colonne=indicateur » (ex. licencies=licencies_sportifs)")
    if not row["producteur"]:
        bad("producteur", "producteur non précisé.", "qui publie ou transmet le fichier")
    if row["origine"] not in ORIGINS:
        bad("origine", "origine inconnue.", f"vide ou « {ORIGINE_PUBLICATION} » (un fichier "
            f"publié par son producteur), ou « {ORIGINE_PARTENAIRE} » (des chiffres saisis "
            "par un partenaire ou la ville)")
    return Declaration(
        source=row["source"], fichiers=pattern,
        separateur=SEPARATORS.get(row["separateur"], ";"),
        strict_encoding=row["encodage"] != "windows-1252", colonne_code=row["colonne_code"],
        niveau=row["niveau"], geographie=row["geographie"],
        colonne_libelle=row["colonne_libelle"], annee=annee, variables=tuple(variables),
        producteur=row["producteur"], titre=row["titre"] or row["producteur"], ligne=line,
        origine=ORIGINS.get(row["origine"], ORIGINE_PUBLICATION))


def read_declared(sources: Sources, path: Path, file: FileId, ctx: ReadContext,
                  problems: Problems) -> ReadResult:
    """Read one file of a declared source: one observation per row and variable."""
    decl = sources[file.family]
    millesime = "" if file.millesime is None else str(file.millesime)
    required = [decl.colonne_code, *(c for c in (decl.colonne_libelle, decl.year_column) if c),
                *(column for column, _ in decl.variables)]
    result, table, index = open_source(
        path, ctx, problems, READER_NAME, millesime, list(dict.fromkeys(required)),
        separator=decl.separateur, strict_encoding=decl.strict_encoding,
        correction=f"vérifiez le fichier, ou sa déclaration (ligne {decl.ligne} de "
        f"{sources.label})")
    if table is None:
        return result
    label, summary, out = result.summary.fichier, result.summary, result.observations
    stamp = Stamp(decl.producteur, decl.titre + (f", {millesime}" if millesime else ""),
                  millesime, label, decl.origine)
    check = RowChecker(ctx, problems, label)
    i_lib = index.get(decl.colonne_libelle) if decl.colonne_libelle else None
    years: dict[str, int] = {}
    listed: set[str] = set()
    for line, cells in table.rows:
        code = cells[index[decl.colonne_code]].strip()
        libelle = cells[i_lib].strip() if i_lib is not None else ""
        if is_total_row(code, libelle):
            continue  # a total below the table: not a territory
        if not code:
            problems.warning(label, "ligne sans code de territoire : elle est ignorée.",
                             ligne=line, colonne=decl.colonne_code,
                             attendu="un code officiel de territoire")
            continue
        geographie = decl.geographie
        if decl.niveau == QPV:
            if not check_quarter_code(code, label, line, ctx, problems, decl.colonne_code):
                continue
            geographie = geographie or (QPV2015 if code.startswith("QP") else QPV2024)
            listed.add(code)
        elif check.code(line, decl.colonne_code, code, decl.niveau) is None:
            continue
        year = _year(decl, file, cells, index, label, line, problems)
        if year is None:
            continue
        for column, indicator in decl.variables:
            raw = cells[index[column]]
            parsed = published_number(raw, label, line, column, problems)
            if parsed is None:
                continue
            years[column] = max(years.get(column, 0), year)
            out.append(stamp(indicator, decl.niveau, code, year, parsed, raw, line, column,
                             libelle=libelle, geographie=geographie))
    used = set(required)
    summary.colonnes_non_utilisees = [h for h in table.header if h and h not in used]
    summary.observations = len(out)
    summary.annees = years
    summary.quartiers = frozenset(listed)
    return result


def _year(decl: Declaration, file: FileId, cells: list[str], index: dict[str, int],
          label: str, line: int, problems: Problems) -> int | None:
    """The row's reference year, by the declaration's rule."""
    if decl.annee == YEAR_FROM_NAME:
        return file.millesime
    column = decl.year_column
    if not column:
        return int(decl.annee)
    text = cells[index[column]].strip()
    if _YEAR.match(text):
        return int(text)
    problems.warning(label, "année illisible : ligne ignorée.", ligne=line, colonne=column,
                     valeur=text, attendu="une année sur quatre chiffres (2024)")
    return None


def reader(sources: Sources) -> Reader:
    """The one reader of every declared source (registered once, in ingest.registry)."""
    identify: Callable[[Path], FileId | None] = sources.identify
    return Reader(name=READER_NAME, expected=tuple(d.fichiers for d in sources.declarations),
                  identify=identify, read=partial(read_declared, sources))
