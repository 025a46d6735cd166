"""Where things are, and what the evaluated contract says about itself.

Every path derives from the project root, passed explicitly: no module builds a path
by hand. The contract's own facts (name, quarter, caveats, sections, section I tables)
are read from config/contrat.toml, so that the same code serves another contract.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .problems import Problems
from .vocabulary import NIVEAUX

QUARTER_CODE = re.compile(r"Q[PN]\d{2}[\dAB]\d{3}")

# Time limit of one notebook, in seconds: a notebook that hangs is stopped, the others
# go on. `--delai` (make rapports DELAI=) or the EVALQPV_DELAI variable change it.
NOTEBOOK_TIME_LIMIT = 600.0
ENV_TIME_LIMIT = "EVALQPV_DELAI"


class SettingsError(ValueError):
    """A configuration file is missing or invalid; the message is French."""


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

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
    def contract(self) -> Path:
        return self.config / "contrat.toml"

    def label(self, path: Path) -> str:
        """The path shown to users: relative to the project root when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

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
        return self.root / "data" / "processed"

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
    def manifest(self) -> Path:
        return self.processed / "manifeste.json"

    @property
    def conflicts(self) -> Path:
        return self.processed / "conflits.csv"

    @property
    def changes(self) -> Path:
        return self.processed / "changements.csv"

    @property
    def previous_store(self) -> Path:
        return self.processed / "stock_precedent.csv"

    @property
    def error_log(self) -> Path:
        return self.processed / "erreur_interne.log"

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

    def templates_of_year(self, annee: int) -> Path:
        return self.reports_of_year(annee) / "gabarits"


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


# --------------------------------------------------------------------------- the contract


@dataclass(frozen=True)
class PortraitTable:
    """One table of the contract's section I, rebuilt from the data."""

    titre: str
    niveaux: tuple[str, ...]
    indicateurs: tuple[str, ...]


@dataclass(frozen=True)
class Contract:
    """The contract being evaluated, as config/contrat.toml describes it."""

    nom: str = ""
    territoire: str = ""
    annexe_engagements: str = "Annexe 1"
    transcription_producteur: str = ""
    transcription_millesime: str = ""
    precautions: tuple[str, ...] = ()
    sections: dict[str, str] = field(default_factory=dict)
    portrait: tuple[PortraitTable, ...] = ()

    def is_commitment(self, section: str) -> bool:
        """A référentiel section that holds a signatory's commitments (Annexe 1 – CAF)."""
        return section.startswith(f"{self.annexe_engagements} – ")

    def signatory(self, section: str) -> str:
        return section.removeprefix(f"{self.annexe_engagements} – ")

    def section_rank(self, section: str) -> int:
        """Position of a section in the contract (commitments after every section)."""
        order = list(self.sections)
        return order.index(section) if section in order else len(order)


def load_contract(paths: ProjectPaths, problems: Problems | None = None) -> Contract:
    """Read config/contrat.toml.

    With `problems`, every problem is recorded there (file, key, what was expected) and
    what could be read is returned; without it, the first problem raises SettingsError.
    """
    collected = problems if problems is not None else Problems()
    label = paths.label(paths.contract)
    contract = _read_contract(paths.contract, label, collected)
    if problems is None and collected.errors:
        raise SettingsError(collected.errors[0].render())
    return contract


def _read_contract(path: Path, label: str, problems: Problems) -> Contract:
    if not path.exists():
        problems.error(label, "fichier de configuration du contrat absent.",
                       attendu="config/contrat.toml (nom du contrat, quartier, sections)",
                       correction="restaurez le fichier depuis le dépôt")
        return Contract()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.error(label, f"fichier illisible : {exc}.",
                       attendu="un fichier TOML encodé en UTF-8",
                       correction="corrigez la ligne indiquée (guillemets, crochets, « = »)")
        return Contract()

    def text(key: str, table: dict[str, Any], where: str = "") -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or not value.strip():
            problems.error(label, "valeur manquante ou invalide.", colonne=where + key,
                           valeur=str(value), attendu="un texte non vide entre guillemets")
            return ""
        return value.strip()

    typed = str(data.get("territoire", "")).strip()
    territoire = typed.upper()
    if territoire and not QUARTER_CODE.fullmatch(territoire):
        problems.error(label, "code de quartier invalide.", colonne="territoire",
                       valeur=typed, attendu="un code QP092005 (2015) ou QN... (2024)")
    transcription = data.get("transcription", {})
    millesime = str(transcription.get("millesime", "")).strip()
    if not re.fullmatch(r"(19|20)\d\d", millesime):
        problems.error(label, "millésime de la transcription invalide.",
                       colonne="transcription.millesime", valeur=millesime,
                       attendu="l'année de signature du contrat, sur quatre chiffres")
    sections = data.get("sections", {})
    if not isinstance(sections, dict) or not sections:
        problems.error(label, "aucune section du contrat.", colonne="sections",
                       attendu="une table [sections] : numéro = titre")
        sections = {}
    precautions = tuple(text("texte", p, "precautions.") for p in data.get("precautions", []))
    portrait = []
    for number, table in enumerate(data.get("portrait", []), start=1):
        niveaux = tuple(table.get("niveaux", []))
        bad = [n for n in niveaux if n not in NIVEAUX]
        if bad or not niveaux:
            problems.error(label, f"tableau {number} du portrait : niveau inconnu.",
                           colonne="portrait.niveaux", valeur=", ".join(bad),
                           attendu="des niveaux parmi " + ", ".join(NIVEAUX))
        portrait.append(PortraitTable(text("titre", table, "portrait."), niveaux,
                                      tuple(table.get("indicateurs", []))))
    return Contract(
        nom=text("nom", data), territoire=territoire,
        annexe_engagements=str(data.get("annexe_engagements", "Annexe 1")),
        transcription_producteur=text("producteur", transcription, "transcription."),
        transcription_millesime=millesime,
        precautions=precautions,
        sections={str(k): str(v) for k, v in sections.items()},
        portrait=tuple(portrait))
