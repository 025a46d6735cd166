"""What the evaluated contract says about itself: config/contrat.toml.

The contract's own facts (name, quarter, years, caveats, sections, section I tables,
priorities, key messages, glossary, signatories) are configuration, so that the same
code serves another contract.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .problems import Problems
from .settings import QUARTER_CODE, ProjectPaths, read_settings
from .vocabulary import NIVEAUX


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
    Read once per process and content of the file; each caller gets its own tables.
    """
    return read_settings(_read_contract, paths.contract, paths, problems, _own_copy)


def _own_copy(contract: Contract) -> Contract:
    """The contract with its own tables: a caller that changes one changes no other's."""
    return replace(contract, sections=dict(contract.sections),
                   glossaire=dict(contract.glossaire), signataires=dict(contract.signataires))


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
