"""The skeleton every reader of a delimited file shares.

`open_source` opens the file (encoding, separator, empty or binary file: rawtable), counts
its rows and number formats for the validation report, and checks its required columns
with `RawTable.required_columns`; `Stamp` builds each `Observation` from what all the
rows of a file share (producer, source, release, file). A reader writes only what is its
own: which rows it keeps, which code, which year. `ingest.declared` reads a source with
no code at all, from its declaration in config/sources.csv.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..frenchnumbers import ParsedNumber
from ..problems import Problems
from ..rawtable import RawTable, read_delimited
from . import FileSummary, Observation, ReadContext, ReadResult
from .published import number_formats

# What to do when a published file lacks a column: it is not the layout the reader knows.
UNKNOWN_LAYOUT = ("mise en page inconnue : vérifiez qu'il s'agit du fichier publié par le "
                  "producteur, tel quel (un fichier publié n'est jamais corrigé à la main)")


def open_source(path: Path, ctx: ReadContext, problems: Problems, lecteur: str,
                millesime: object, required: Sequence[str] = (), *, separator: str = ";",
                strict_encoding: bool = False, message: str = "colonnes manquantes.",
                correction: str = "") -> tuple[ReadResult, RawTable | None, dict[str, int]]:
    """An empty result for the validation report, the file's table and its column index.

    The table is None when the file cannot be read at all or lacks a required column
    (the problem is recorded, naming the file, the line and the columns).
    """
    label = ctx.label(path)
    result = ReadResult([], FileSummary(label, lecteur, str(millesime)))
    table = read_delimited(path, label, problems, separator=separator,
                           strict_encoding=strict_encoding, stream=True)
    if table is None:
        return result, None, {}
    result.summary.lignes = len(table.rows)
    result.summary.formats = number_formats(table)
    index = table.required_columns(list(required), problems, correction, message=message)
    if index is None:
        return result, None, {}
    return result, table, index


@dataclass(frozen=True)
class Stamp:
    """What every observation read from one file shares: an Observation is then only
    what its row says."""

    producteur: str
    source: str
    millesime: str
    fichier: str
    origine: str  # ORIGINE_PUBLICATION for a producer's file; a declared source says

    def __call__(self, indicateur: str, niveau: str, code: str, annee: int,
                 parsed: ParsedNumber, raw: str, ligne: int, colonne: str, *,
                 libelle: str = "", geographie: str = "", qualite: str = "",
                 rattachement: str = "") -> Observation:
        return Observation(
            indicateur=indicateur, niveau=niveau, code=code, libelle_territoire=libelle,
            geographie=geographie, annee=annee, valeur=parsed.valeur, statut=parsed.statut,
            valeur_publiee=raw.strip(), qualite=qualite, producteur=self.producteur,
            source=self.source, millesime=self.millesime, fichier=self.fichier, ligne=ligne,
            colonne=colonne, rattachement=rattachement, origine=self.origine)
