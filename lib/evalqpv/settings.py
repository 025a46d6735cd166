"""Where things are, and what the evaluated contract says about itself.

Every path derives from the project root, passed explicitly: no module builds a path
by hand. The contract's own facts (name, quarter, caveats, sections, section I tables)
are read from config/contrat.toml, so that the same code serves another contract.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from .errors import SettingsError as SettingsError  # its historical place
from .problems import Problems, printable
from .vocabulary import NIVEAUX, REPORTS

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
    # The same quarter in the 2024 priority geography (QN...), when the contract names
    # it: its figures are a level of their own, never chained to the 2015 series.
    territoire_2024: str = ""
    debut: int = 0  # first year the contract covers
    fin: int = 0  # last year the contract covers
    annexe_engagements: str = "Annexe 1"
    transcription_producteur: str = ""
    transcription_millesime: str = ""
    precautions: tuple[str, ...] = ()
    sections: dict[str, str] = field(default_factory=dict)
    portrait: tuple[PortraitTable, ...] = ()
    # The strategic priorities the evaluation covers (Annexe 2), by name.
    priorites: tuple[str, ...] = ()
    # What the contract is about, in order: key messages are ranked by this list of
    # indicators, never by the size of a gap.
    messages: tuple[str, ...] = ()
    # The acronyms of the contract's reports, spelled out (sigle -> développé): a report
    # lists those its pages use, and spells each out where it first appears.
    glossaire: dict[str, str] = field(default_factory=dict)
    # The signatories of the commitments annex (as its sections name them) and the
    # référentiel's partner who provides their figures.
    signataires: dict[str, str] = field(default_factory=dict)

    def signatory_of(self, partner: str) -> str | None:
        """The Annexe 1 signatory whose figures a référentiel partner provides."""
        return next((s for s, p in self.signataires.items() if p == partner), None)

    @property
    def baseline_year(self) -> int:
        """The year before the contract: the reference its evaluation starts from."""
        return self.debut - 1

    def default_year(self, today: int) -> int:
        """The latest year of the contract that is over, or its baseline year before it:
        in May of year N+1 the committee evaluates year N."""
        if not self.debut:
            return today - 1
        return max(self.baseline_year, min(self.fin or today, today - 1))

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
    return _settings(_read_contract, paths.contract, paths, problems)


T = TypeVar("T")


def _settings(read: Callable[[Path, str, Problems], T], path: Path, paths: ProjectPaths,
              problems: Problems | None) -> T:
    """One configuration file read by `read`: with `problems`, every problem is recorded
    there and what could be read is returned; without it, the first one raises."""
    collected = problems if problems is not None else Problems()
    value = read(path, paths.label(path), collected)
    if problems is None and collected.errors:
        raise SettingsError(collected.errors[0].render())
    return value


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
    typed_2024 = str(data.get("territoire_2024", "")).strip()
    territoire_2024 = typed_2024.upper()
    if territoire_2024 and not (QUARTER_CODE.fullmatch(territoire_2024)
                                and territoire_2024.startswith("QN")):
        problems.error(label, "code de quartier 2024 invalide.", colonne="territoire_2024",
                       valeur=typed_2024, attendu="un code de la géographie 2024, QN suivi "
                       "de 6 caractères (QN09204M)")
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
    years = {}
    for key in ("debut", "fin"):
        value = data.get(key)
        if not isinstance(value, int) or not 1990 <= value <= 2100:
            problems.error(label, "année du contrat invalide.", colonne=key, valeur=str(value),
                           attendu="une année sur quatre chiffres, sans guillemets (debut = "
                           "2024, fin = 2030)")
            value = 0
        years[key] = value
    if years["debut"] and years["fin"] and years["debut"] > years["fin"]:
        problems.error(label, "le contrat finit avant de commencer.", colonne="fin",
                       valeur=str(years["fin"]), attendu=f"une année après {years['debut']}")
    glossaire = data.get("glossaire", {})
    if not isinstance(glossaire, dict) or not all(
            isinstance(v, str) and v.strip() for v in glossaire.values()):
        problems.error(label, "glossaire invalide.", colonne="glossaire",
                       attendu='une table [glossaire] : SIGLE = "ce qu\'il veut dire"')
        glossaire = {}
    signataires = data.get("signataires", {})
    if not isinstance(signataires, dict) or not all(
            isinstance(v, str) and v.strip() for v in signataires.values()):
        problems.error(label, "table des signataires invalide.", colonne="signataires",
                       attendu='une table [signataires] : "Signataire" = "Partenaire du '
                       'référentiel"')
        signataires = {}
    return Contract(
        nom=text("nom", data), territoire=territoire, territoire_2024=territoire_2024,
        debut=years["debut"], fin=years["fin"],
        annexe_engagements=str(data.get("annexe_engagements", "Annexe 1")),
        transcription_producteur=text("producteur", transcription, "transcription."),
        transcription_millesime=millesime,
        precautions=precautions,
        sections={str(k): str(v) for k, v in sections.items()},
        portrait=tuple(portrait),
        priorites=tuple(str(p) for p in data.get("priorites_strategiques", [])),
        messages=tuple(str(m) for m in data.get("messages", {}).get("indicateurs", [])),
        glossaire={str(k).strip(): str(v).strip() for k, v in glossaire.items()},
        signataires={str(k).strip(): str(v).strip() for k, v in signataires.items()})


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class ComparableRule:
    """How comparable QPV are chosen: variables, how many, what they must share."""

    nom: str
    k: int
    variables: tuple[str, ...]
    logarithme: tuple[str, ...]
    meme: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intercommunality:
    """The contract's own intercommunality when the published files give another one
    (an EPT of the Métropole du Grand Paris): its name and what it is."""

    nom: str
    nature: str


@dataclass(frozen=True)
class ComparisonSettings:
    """config/comparaison.toml: the reference rule, its variants, the threshold of an
    unusual change, the fewest QPV a group needs to be ranked, and the contract's
    intercommunality when the files give another."""

    reference: ComparableRule
    variantes: tuple[ComparableRule, ...]
    seuil: float
    effectif_minimum: int = 10
    intercommunalite: Intercommunality | None = None


def load_comparison(paths: ProjectPaths, problems: Problems | None = None) -> ComparisonSettings:
    """Read config/comparaison.toml (French message on any problem, as load_contract)."""
    return _settings(_read_comparison, paths.comparison, paths, problems)


def _read_comparison(path: Path, label: str, problems: Problems) -> ComparisonSettings:
    default = ComparisonSettings(ComparableRule("référence", 10, (), ()), (), 90.0)
    if not path.exists():
        problems.error(label, "fichier absent.", attendu="la méthode de sélection des QPV "
                       "comparables", correction="restaurez config/comparaison.toml")
        return default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.error(label, f"fichier illisible : {exc}.", attendu="un fichier TOML en UTF-8")
        return default

    def rule(table: dict[str, Any], base: ComparableRule | None, where: str) -> ComparableRule:
        k = table.get("k", base.k if base else 10)
        if not isinstance(k, int) or not 1 <= k <= 200:
            problems.error(label, "nombre de QPV comparables invalide.", colonne=where + "k",
                           valeur=str(k), attendu="un entier entre 1 et 200")
            k = 10
        variables = table.get("variables", base.variables if base else [])
        if not isinstance(variables, list | tuple) or not variables:
            problems.error(label, "aucune variable de sélection.", colonne=where + "variables",
                           attendu="une liste d'indicateurs du référentiel")
            variables = []
        meme = table.get("meme", [])
        bad = [m for m in meme if m not in ("region", "departement")]
        if bad:
            problems.error(label, "restriction inconnue.", colonne=where + "meme",
                           valeur=", ".join(map(str, bad)), attendu="region ou departement")
        return ComparableRule(str(table.get("nom", "référence")), k,
                              tuple(str(v) for v in variables), logarithme,
                              tuple(str(m) for m in meme if m not in bad))

    logarithme = tuple(str(v) for v in data.get("logarithme", []))
    reference = rule(data, None, "")
    variantes = tuple(rule(v, reference, f"variantes[{i}].")
                      for i, v in enumerate(data.get("variantes", [])))
    seuil = data.get("seuil", 90)
    if not isinstance(seuil, int | float) or not 50 <= seuil < 100:
        problems.error(label, "seuil invalide.", colonne="seuil", valeur=str(seuil),
                       attendu="un pourcentage entre 50 et 99")
        seuil = 90
    minimum = data.get("effectif_minimum", 10)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or not 2 <= minimum <= 200:
        problems.error(label, "effectif minimum invalide.", colonne="effectif_minimum",
                       valeur=str(minimum), attendu="un nombre entier de QPV entre 2 et 200")
        minimum = 10
    for where, one in (("", reference), *((f"variantes[{i}].", v)
                                          for i, v in enumerate(variantes))):
        if one.k + 1 < minimum:
            problems.error(label, f"« {one.nom} » : trop peu de QPV comparables pour être "
                           "classés.", colonne=where + "k", valeur=str(one.k),
                           attendu=f"au moins {minimum - 1} (avec le quartier, un groupe "
                           f"d'au moins effectif_minimum = {minimum} QPV)")
    return ComparisonSettings(reference, variantes, float(seuil), minimum,
                              _intercommunality(data.get("intercommunalite"), label,
                                                problems))


def _intercommunality(table: object, label: str,
                      problems: Problems) -> Intercommunality | None:
    if table is None:
        return None
    if not isinstance(table, dict) or not all(
            isinstance(table.get(k), str) and table[k].strip() for k in ("nom", "nature")):
        problems.error(label, "intercommunalité du contrat invalide.",
                       colonne="intercommunalite", attendu='une table [intercommunalite] '
                       'avec nom = "…" et nature = "…" (ou pas de table)')
        return None
    return Intercommunality(table["nom"].strip(), table["nature"].strip())


# --------------------------------------------------------------------------- analyses


@dataclass(frozen=True)
class AnalysisTable:
    """A table of an axis report's own analysis: indicators read together."""

    titre: str
    indicateurs: tuple[str, ...]
    total: str = ""  # the parts below are also given as a share of this count
    parties: tuple[str, ...] = ()  # counts of the same things as the total (its parts)


def load_analyses(paths: ProjectPaths,
                  problems: Problems | None = None) -> dict[str, tuple[AnalysisTable, ...]]:
    """config/analyses.toml: for each report, its tables (none when the file is absent)."""
    return _settings(_read_analyses, paths.analyses, paths, problems)


def _read_analyses(path: Path, label: str,
                   collected: Problems) -> dict[str, tuple[AnalysisTable, ...]]:
    out: dict[str, tuple[AnalysisTable, ...]] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            collected.error(label, f"fichier illisible : {exc}.",
                            attendu="un fichier TOML en UTF-8")
            data = {}
        for report, tables in data.items():
            if report not in REPORTS or not isinstance(tables, list):
                collected.error(label, "rapport inconnu.", colonne=str(report),
                                attendu="des tables [[emploi]], [[emancipation]]...")
                continue
            out[report] = tuple(AnalysisTable(str(t.get("titre", "")),
                                              tuple(str(i) for i in t.get("indicateurs", [])),
                                              str(t.get("total", "")),
                                              tuple(str(i) for i in t.get("parties", [])))
                                for t in tables)
    return out
