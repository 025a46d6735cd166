"""Where things are, and how a configuration file is read.

Every path derives from the project root, passed explicitly: no module builds a path
by hand. The contract's own facts are read from config/contrat.toml (contract_settings),
the comparison method from config/comparaison.toml (comparison_settings), the analyses
of each report from config/analyses.toml (analysis_settings), so that the same code
serves another contract.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar, cast

from .errors import SettingsError as SettingsError  # its historical place
from .problems import Problem, Problems, printable

QUARTER_CODE = re.compile(r"QP\d{2}[\dAB]\d{3}|QN\d{2}[\dAB]\d{2}[A-Z]")  # 2015 | 2024

# Time limit of one notebook, in seconds: a notebook that hangs is stopped, the others
# go on. `--delai` (make rapports DELAI=) or the EVALQPV_DELAI variable change it.
NOTEBOOK_TIME_LIMIT = 600.0
ENV_TIME_LIMIT = "EVALQPV_DELAI"


@dataclass(frozen=True)
class ProjectPaths:
    root: Path
    # Where the store's files are written: data/processed/ unless a build is filling a
    # staging folder that will replace it in one step (store.commit).
    processed_dir: Path | None = None

    def staged(self, folder: Path) -> ProjectPaths:
        """The same project, its store's files written into `folder`."""
        return replace(self, processed_dir=folder)

    # configuration
    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def referentiel(self) -> Path:
        return self.config / "referentiel.csv"

    @property
    def variables(self) -> Path:
        return self.config / "variables_sources.csv"

    @property
    def sources(self) -> Path:
        """Simple sources declared as data (ingest.declared)."""
        return self.config / "sources.csv"

    @property
    def contract(self) -> Path:
        return self.config / "contrat.toml"

    @property
    def objectives(self) -> Path:
        return self.config / "objectifs.csv"

    @property
    def claims(self) -> Path:
        return self.config / "constats.csv"

    @property
    def comparison(self) -> Path:
        return self.config / "comparaison.toml"

    @property
    def analyses(self) -> Path:
        return self.config / "analyses.toml"

    @property
    def ruptures(self) -> Path:
        """National reforms that break a series (evalqpv.ruptures)."""
        return self.config / "ruptures.csv"

    @property
    def correspondence(self) -> Path:
        """Which 2024 quarter draws a 2015 quarter on a map (store.outlines)."""
        return self.config / "correspondance_qpv.csv"

    def label(self, path: Path) -> str:
        """The path shown to users: relative to the project root when inside it, every
        control character of its name made visible (problems.printable)."""
        try:
            return printable(path.relative_to(self.root).as_posix())
        except ValueError:
            return printable(str(path))

    # inputs
    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    def notebook(self, name: str) -> Path:
        return self.notebooks / f"{name}.ipynb"

    # the store and the files written with it (store.build is their only writer)
    @property
    def processed(self) -> Path:
        return self.processed_dir or self.root / "data" / "processed"

    @property
    def store(self) -> Path:
        return self.processed / "observations.csv"

    @property
    def store_parquet(self) -> Path:
        """The same rows as Parquet, for filtered reads (store.parquet)."""
        return parquet_of(self.store)

    @property
    def validation_report(self) -> Path:
        return self.processed / "validation.md"

    @property
    def territories(self) -> Path:
        return self.processed / "territoires.csv"

    @property
    def years(self) -> Path:
        return self.processed / "annees.json"

    @property
    def outlines(self) -> Path:
        """The outlines of the maps, in Lambert-93 (store.outlines)."""
        return self.processed / "contours.json"

    @property
    def quarter_links(self) -> Path:
        """Each 2015 quarter and the 2024 quarter that draws it, or why none."""
        return self.processed / "correspondance_qpv.csv"

    @property
    def manifest(self) -> Path:
        return self.processed / "manifeste.json"

    @property
    def conflicts(self) -> Path:
        return self.processed / "conflits.csv"

    @property
    def revisions(self) -> Path:
        return self.processed / "changements.csv"

    @property
    def previous_store(self) -> Path:
        return self.processed / "stock_precedent.csv"

    @property
    def returns(self) -> Path:
        """The partners' returns found, and what became of each (store.requests)."""
        return self.processed / "retours.csv"

    @property
    def requests(self) -> Path:
        """When each partner was asked, reminded, and answered (store.requests)."""
        return self.processed / "demandes.csv"

    @staticmethod
    def spreadsheet_of(path: Path) -> Path:
        """The version of a CSV that a French spreadsheet opens: <nom>_tableur.csv."""
        return path.with_name(f"{path.stem}_tableur.csv")

    @property
    def error_log(self) -> Path:
        return self.processed / "erreur_interne.log"

    @property
    def store_outputs(self) -> tuple[Path, ...]:
        """The files a build writes (or deliberately keeps) in the store's folder."""
        return (self.store, self.territories, self.years, self.manifest, self.conflicts,
                self.revisions, self.previous_store, self.spreadsheet_of(self.revisions))

    # outputs
    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def reports_of_year(self, annee: int) -> Path:
        return self.reports / str(annee)

    @property
    def report_cache(self) -> Path:
        return self.reports / ".cache"

    @property
    def durations(self) -> Path:
        """Last execution times: only a scheduling hint, kept when the cache is cleared."""
        return self.reports / ".durees"

    @property
    def collection(self) -> Path:
        """collecte/: what the evaluation team sends to partners (workbooks, reminders),
        apart from reports/, the folder that goes to the committee."""
        return self.root / "collecte"

    def reminders_of_year(self, annee: int) -> Path:
        """collecte/<annee>/relances/: the reminders to send, one file per partner."""
        return self.collection / str(annee) / "relances"

    def templates_of_year(self, annee: int, territoire: str = "") -> Path:
        """collecte/<annee>/gabarits/ for the contract's quarter; a subfolder named by its
        code for any other quarter (`territoire`), so that neither overwrites the other."""
        base = self.collection / str(annee) / "gabarits"
        return base / territoire if territoire else base


def notebook_time_limit(value: float | str | None = None) -> float:
    """The time limit given, else EVALQPV_DELAI, else NOTEBOOK_TIME_LIMIT (seconds)."""
    raw = value if value is not None else os.environ.get(ENV_TIME_LIMIT) or NOTEBOOK_TIME_LIMIT
    try:
        limit = float(str(raw).replace(",", "."))
    except ValueError:
        limit = -1.0
    if not limit > 0:
        raise SettingsError(f"Délai par notebook invalide : « {raw} ». Attendu : un nombre de "
                            "secondes supérieur à 0, par exemple 600.")
    return limit


def parquet_of(store: Path) -> Path:
    """Where the Parquet copy of a CSV store lives: beside it, same name."""
    return store.with_suffix(".parquet")


def find_root(start: Path | None = None) -> Path:
    """The nearest folder above `start` holding config/referentiel.csv."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "config" / "referentiel.csv").exists():
            return folder
    return here


T = TypeVar("T")


def read_settings(read: Callable[[Path, str, Problems], T], path: Path, paths: ProjectPaths,
                  problems: Problems | None, copy: Callable[[T], T] | None = None) -> T:
    """One configuration file read by `read`: with `problems`, every problem is recorded
    there and what could be read is returned; without it, the first one raises.

    Read once per process and content of the file (read_once): `copy` gives each caller
    its own copy of what a caller could change."""
    collected = problems if problems is not None else Problems()
    label = paths.label(path)
    value = read_once(("settings", read, str(path), label),
                      (path,), lambda found: read(path, label, found), collected, copy=copy)
    if problems is None and collected.errors:
        raise SettingsError(collected.errors[0].render())
    return value


# What a reading depends on: its file's resolved path and its bytes (None when absent).
# The bytes, not the time of the last change: a file rewritten with as many bytes within
# the same tick of the file system's clock is still read again.
FileState = tuple[str, bytes | None]


def file_state(path: Path) -> FileState:
    """The content a reading of `path` would see (read_once compares it)."""
    try:
        return str(path.resolve()), path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return str(path.resolve()), None


@dataclass(frozen=True)
class _Reading:
    states: tuple[FileState, ...]
    inputs: tuple[object, ...]
    value: object
    problems: tuple[Problem, ...]


_READINGS: dict[Hashable, _Reading] = {}


def read_once(key: Hashable, files: Sequence[Path], read: Callable[[Problems], T],
              problems: Problems | None = None, *, inputs: tuple[object, ...] = (),
              copy: Callable[[T], T] | None = None) -> T:
    """`read(found)`, computed once per process for the same content of `files` and
    equal `inputs` (what else the reading depends on, compared with ==), under `key`.

    The warm process of `evalqpv rapports` reads the configuration before it forks a
    copy per notebook: every copy finds it here instead of parsing it again. A file
    changed since (another run of a long-lived process, an analyst who edits it between
    two cells) is read again. The problems the reading found are added to `problems` at
    every call, in their order, as if the file had been read again; `copy` (when given)
    gives each caller its own copy of what it could change, so that no caller changes
    what the next one gets."""
    states = tuple(file_state(f) for f in files)
    kept = _READINGS.get(key)
    if kept is None or kept.states != states or kept.inputs != inputs:
        found = Problems()
        value = read(found)
        kept = _Reading(states, inputs, value, tuple(found.items))
        _READINGS[key] = kept  # one reading per key: an older content is of no further use
    if problems is not None:
        problems.items.extend(kept.problems)
    mine = cast(T, kept.value)
    return copy(mine) if copy is not None else mine
