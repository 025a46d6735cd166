"""Build the store from data/raw/: read every file, validate, consolidate, write.

Nothing in data/processed/ is touched when validation finds an error, except the
validation report itself, which says why.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import date

from . import __version__
from .changes import COLUMNS as CHANGE_COLUMNS
from .changes import Change, compare, read_rows
from .checks import check_values
from .fingerprint import code_fingerprint, input_fingerprint
from .paths import ProjectPaths
from .problems import Problems
from .readers import FileSummary, ReadContext, ips, long_tables, sig_ville
from .readers import filosofi as filosofi_reader
from .readers.contrat import read_contract
from .readers.partenaires import read_partner_file
from .referentiel import Referentiel, load_referentiel
from .schema import Observation
from .store import (
    Conflict,
    consolidate,
    fill_labels,
    manifest_json,
    write_csv_atomic,
    write_store,
    write_text_atomic,
)
from .territories import QpvPlace, place_qpv, read_geography
from .variables import load_variable_rules

IGNORED_SUFFIXES = (".md", ".txt", ".gitkeep")
TERRITORY_COLUMNS = ["code_qpv", "libelle_qpv", "communes", "libelles_communes", "epci",
                     "libelle_epci", "departement", "libelle_departement", "region",
                     "libelle_region"]


@dataclass
class BuildResult:
    problems: Problems
    observations: int = 0
    rows: list[dict[str, str]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    summaries: list[FileSummary] = field(default_factory=list)
    qpvs: list[QpvPlace] = field(default_factory=list)
    written: bool = False
    referentiel: Referentiel | None = None
    changes: list[Change] | None = None  # None: no previous store to compare with

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def build(paths: ProjectPaths, *, write: bool = True, today: date | None = None) -> BuildResult:
    problems = Problems()
    result = BuildResult(problems)
    label = lambda p: str(p.relative_to(paths.root))  # noqa: E731
    referentiel = load_referentiel(paths.referentiel, label(paths.referentiel), problems)
    result.referentiel = referentiel
    rules = load_variable_rules(paths.variables, label(paths.variables), referentiel, problems)
    ctx = ReadContext(root=paths.root, referentiel=referentiel, rules=rules,
                      annee_max=(today or date.today()).year)
    geo = read_geography(paths.raw / "geographie", paths.root, problems)

    sig_files, filo_files, long_files, contract_files, partner_files = [], [], [], [], []
    ips_files = []
    for path in sorted(p for p in paths.raw.rglob("*") if p.is_file()):
        rel = path.relative_to(paths.raw)
        if path.name.startswith(".") or path.suffix.lower() in IGNORED_SUFFIXES:
            continue
        if rel.parts[0] == "geographie":
            continue
        if sig_ville.identify(path.name):
            sig_files.append(path)
        elif filosofi_reader.identify(path.name):
            filo_files.append(path)
        elif long_tables.identify(path.name):
            long_files.append(path)
        elif ips.identify(path.name):
            ips_files.append(path)
        elif rel.parts[0] == "contrat" and path.suffix.lower() == ".csv":
            contract_files.append(path)
        elif rel.parts[0] == "partenaires" and path.suffix.lower() in (".csv", ".xlsx"):
            partner_files.append(path)
        else:
            problems.error(label(path), "fichier non reconnu : aucun lecteur ne sait le lire.",
                           attendu="un nom de fichier publié tel quel ("
                           + ", ".join(sig_ville.EXPECTED_NAMES + filosofi_reader.EXPECTED_NAMES
                                       + long_tables.EXPECTED_NAMES + ips.EXPECTED_NAMES)
                           + "), la transcription du contrat dans contrat/, ou un retour "
                           "partenaire .csv/.xlsx dans partenaires/<année>/",
                           correction="renommez le fichier comme le producteur le publie, ou "
                           "rangez-le dans le bon dossier (voir data/raw/README.md)")

    observations: list[Observation] = []
    qpv_communes: dict[str, tuple[str, str]] = {}
    sig_files.sort(key=lambda p: (sig_ville.identify(p.name)[1], p.name))  # type: ignore[index]
    for path in sig_files:
        obs, summary = sig_ville.read_sig_file(path, ctx, problems, qpv_communes)
        observations += obs
        result.summaries.append(summary)
    result.qpvs = [place_qpv(code, lib, communes, geo)
                   for code, (lib, communes) in sorted(qpv_communes.items())]
    for q in result.qpvs:
        if not q.communes:
            problems.warning("data/raw/geographie", f"les communes du quartier {q.code} "
                             f"« {qpv_communes[q.code][1]} » sont introuvables dans la liste "
                             "officielle : ses comparaisons communales manqueront.",
                             attendu="des noms de communes du COG du même département")
    if result.qpvs:
        ctx.communes_retenues = {c.code for q in result.qpvs for c in q.communes}
    for files, read in ((filo_files, filosofi_reader.read_filosofi_file),
                        (long_files, long_tables.read_long_file),
                        (ips_files, ips.read_ips_file)):  # need the QPV communes above
        for path in files:
            obs, summary = read(path, ctx, problems)
            observations += obs
            result.summaries.append(summary)
    strict: set[str] = set()
    for path in contract_files:
        obs, summary = read_contract(path, ctx, problems)
        observations += obs
        result.summaries.append(summary)
        strict.add(summary.fichier)
    for path in partner_files:
        obs, summary = read_partner_file(path, ctx, problems)
        observations += obs
        result.summaries.append(summary)
        strict.update(o.fichier for o in obs)
    check_values(observations, referentiel, problems, strict)

    result.observations = len(observations)
    result.rows, result.conflicts = consolidate(observations)
    fill_labels(result.rows, _known_labels(geo, result.qpvs))
    if write and result.ok:
        _write_outputs(paths, result)
        result.written = True
    return result


def _known_labels(geo, qpvs: list[QpvPlace]) -> dict[tuple[str, str], str]:
    known: dict[tuple[str, str], str] = {}
    for code, place in geo.communes.items():
        known[("commune", code)] = place.libelle
    for code, place in geo.epcis.items():
        known[("epci", code)] = place.libelle
    for code, place in geo.departements.items():
        known[("departement", code)] = place.libelle
    for code, place in geo.regions.items():
        known[("region", code)] = place.libelle
    for q in qpvs:
        if q.libelle:
            known[("qpv", q.code)] = q.libelle
    known[("france", "FRMETRO")] = "France métropolitaine"
    return known


def _write_outputs(paths: ProjectPaths, result: BuildResult) -> None:
    processed = paths.processed
    _record_changes(paths, result)
    write_csv_atomic(processed / "territoires.csv", TERRITORY_COLUMNS, [
        {"code_qpv": q.code, "libelle_qpv": q.libelle,
         "communes": "|".join(c.code for c in q.communes),
         "libelles_communes": "|".join(c.libelle for c in q.communes),
         "epci": q.epci.code if q.epci else "", "libelle_epci": q.epci.libelle if q.epci else "",
         "departement": q.departement.code if q.departement else "",
         "libelle_departement": q.departement.libelle if q.departement else "",
         "region": q.region.code if q.region else "",
         "libelle_region": q.region.libelle if q.region else ""}
        for q in result.qpvs])
    write_csv_atomic(processed / "conflits.csv",
                     ["nature", "indicateur", "niveau", "code", "geographie", "annee",
                      "valeurs"],
                     [{"nature": c.nature, "indicateur": c.indicateur, "niveau": c.niveau,
                       "code": c.code, "geographie": c.geographie, "annee": str(c.annee),
                       "valeurs": " ≠ ".join(f"{v} ({where})" for v, where in c.versions)}
                      for c in result.conflicts])
    write_text_atomic(processed / "annees.json", _years_json(result))
    write_text_atomic(processed / "manifeste.json", manifest_json(
        input_fingerprint(paths), __version__, code_fingerprint()))
    write_store(paths.store, result.rows)


def _years_json(result: BuildResult) -> str:
    """For each QPV, the years with a figure on it, its communes or its département:
    lets the report runner pick and check the year without loading the store."""
    years: dict[tuple[str, str], set[int]] = {}
    for row in result.rows:
        if row["valeur"] and row["niveau"] in ("qpv", "commune", "departement"):
            years.setdefault((row["niveau"], row["code"]), set()).add(int(row["annee"]))
    out = {}
    for q in result.qpvs:
        keys = [("qpv", q.code)] + [("commune", c.code) for c in q.communes]
        if q.departement:
            keys.append(("departement", q.departement.code))
        out[q.code] = sorted(set().union(*(years.get(k, set()) for k in keys)))
    return json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n"


def _record_changes(paths: ProjectPaths, result: BuildResult) -> None:
    """Compare with the store being replaced; keep it as stock_precedent.csv.

    Rebuilding the same store changes nothing: the previous comparison is kept.
    """
    processed = paths.processed
    changes_file = processed / "changements.csv"
    if not paths.store.exists():
        return
    previous = read_rows(paths.store)
    if previous == result.rows:
        result.changes = ([Change(**r) for r in read_rows(changes_file)]
                          if changes_file.exists() else None)
        return
    result.changes = compare(previous, result.rows)
    shutil.copyfile(paths.store, processed / "stock_precedent.csv")
    write_csv_atomic(changes_file, CHANGE_COLUMNS, [c.as_row() for c in result.changes])
