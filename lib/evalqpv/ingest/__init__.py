"""Ingest: one reader per kind of source, each turning raw files into Observations.

Every reader has the same shape (`Reader`) and is listed once, in reading order, in
`ingest.registry.READERS`. Adding a simple source (one row per territory and year, one
column per indicator) is one line of config/sources.csv, read by `ingest.declared`;
a source of another layout is one module on the skeleton of `ingest.skeleton` and one
line in the registry. A reader never formats for display and never writes: it returns
observations and records problems (file, line, column) in the Problems it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..contract_settings import Contract
from ..problems import Problems
from ..referentiel import Referentiel
from ..settings import ProjectPaths
from .variables import VariableRules


class Observation(NamedTuple):
    """One figure read from one raw file (before consolidation)."""

    indicateur: str
    niveau: str
    code: str
    libelle_territoire: str
    geographie: str
    annee: int
    valeur: float | None
    statut: str
    valeur_publiee: str
    qualite: str
    producteur: str
    source: str
    millesime: str
    fichier: str
    ligne: int
    colonne: str
    rattachement: str = ""  # the commune of an établissement
    # The part of the year a count covers when it is not the whole year: T1 to T4 (from
    # January to the end of that quarter), S1, S2. Blank: the whole reference year.
    periode: str = ""
    # Where the figure comes from (vocabulary, ORIGINE_*): a producer's publication, the
    # contract's print, a partner's return. Every reader sets it; consolidation refuses a
    # blank one (a bug), and writes it to the store's column « origine ».
    origine: str = ""


@dataclass(frozen=True)
class FileId:
    """What a file is, from its name and folder: the same shape for every reader."""

    family: str  # IPRO, FILOSOFI, SSMSI, CONTRAT, PARTENAIRES...
    millesime: int | None  # the release (or collection) year, when the name gives it
    variant: str = ""  # e.g. the territorial level of a Filosofi or SSMSI file


@dataclass(frozen=True)
class ReadContext:
    """What every reader may need, passed explicitly (no global state, never mutated)."""

    paths: ProjectPaths
    referentiel: Referentiel
    rules: VariableRules
    contract: Contract
    annee_max: int
    # The communes that host a QPV, once the readers listing the QPV have run (None
    # before): readers of commune-level files keep only these communes.
    communes_retenues: frozenset[str] | None = None
    # The départements of the official geography (None when it lists none): a QPV code
    # whose département is not among them is no quarter.
    departements: frozenset[str] | None = None
    # The communes whose outlines are delivered (data/raw/contours/): readers keep the
    # statistic that the maps paint (MAP_INDICATOR) for these communes too.
    communes_carte: frozenset[str] = frozenset()

    def label(self, path: Path) -> str:
        """The path shown to users: relative to the project root."""
        return self.paths.label(path)


@dataclass
class FileSummary:
    """What one file gave, for the validation report."""

    fichier: str
    lecteur: str
    millesime: str = ""
    observations: int = 0
    colonnes_non_utilisees: list[str] = field(default_factory=list)
    annees: dict[str, int] = field(default_factory=dict)  # variable -> reference year
    # For comparing a publication with the previous one of its family (ingest.releases):
    lignes: int = 0  # data rows in the file
    quartiers: frozenset[str] = frozenset()  # QPV codes it lists (files that list QPV)
    # Number format of each numeric column (ingest.published.number_formats): DECIMAL_COMMA,
    # DECIMAL_POINT, THOUSANDS_COMMA, WHOLE or MIXED, with the first line showing it.
    formats: dict[str, tuple[str, int, str]] = field(default_factory=dict)


@dataclass
class ReturnRecord:
    """What became of one partner return (data/processed/retours.csv)."""

    partenaire: str  # the partner's name, as the référentiel spells it
    fichier: str
    collecte: str  # the collection year: the name of the return's folder
    format: str  # xlsx, xlsm, ods, xls, csv, or the file's own suffix when not read
    statut: str = ""  # RETURN_STATUSES; blank until the build has checked its values
    valeurs: int = 0  # values read into the store
    message: str = ""

    def as_row(self) -> dict[str, str]:
        return {"collecte": self.collecte, "partenaire": self.partenaire,
                "fichier": self.fichier,
                "format": self.format, "statut": self.statut, "valeurs": str(self.valeurs),
                "message": self.message}


@dataclass
class ReadResult:
    """Everything one file gave."""

    observations: list[Observation]
    summary: FileSummary
    # QPV code -> (libellé, names of its communes as the file gives them): only the
    # readers that list the QPV fill it.
    quarters: dict[str, tuple[str, str]] = field(default_factory=dict)
    # A partner return's record: only the readers of `contained` files fill it.
    returned: ReturnRecord | None = None


@dataclass(frozen=True)
class Reader:
    """One kind of source: how to recognise its files and how to read one."""

    name: str  # shown in the validation report
    expected: tuple[str, ...]  # file names as published, for the "unknown file" message
    identify: Callable[[Path], FileId | None]  # path relative to data/raw/
    read: Callable[[Path, FileId, ReadContext, Problems], ReadResult]
    # Filled by hand (contract, partners): its disagreement with a publication is never a
    # producer's revision, and its figures belong to the contract's own quarter.
    hand_filled: bool = False
    # Lists the QPV (and their communes); readers after it see `communes_retenues`.
    lists_quarters: bool = False
    # Reads commune-level files for the QPV communes only: must come after a reader
    # that lists the QPV.
    needs_quarters: bool = False
    # Order in which this reader's files are read (default: their path).
    sort_key: Callable[[Path, FileId], tuple[object, ...]] | None = None
    # Each file's errors are its own (partners' returns): they never block the store;
    # the rows in error are left out, the file's other rows and every other file are
    # read, and the build records what became of the file (ReadResult.returned).
    contained: bool = False
