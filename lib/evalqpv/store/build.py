"""Build the store from data/raw/: read every file, validate, consolidate, write.

This is the only writer of data/processed/. Nothing there is touched when validation
finds an error, except the validation report itself, which says why. When it succeeds,
every file is written into a new folder that replaces data/processed/ in one step
(store.commit): an interrupted build never leaves a mix of two stores.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .. import __version__
from ..analysis_settings import load_analyses
from ..comparison_settings import load_comparison
from ..contract_settings import Contract, load_contract
from ..frenchnumbers import count
from ..ingest import (
    FileId,
    FileSummary,
    Observation,
    ReadContext,
    Reader,
    ReadResult,
    ReturnRecord,
    ledger,
)
from ..ingest import contours as contours_reader
from ..ingest import geography as geography_reader
from ..ingest.checks import (
    check_duplicates,
    check_future_years,
    check_values,
    drop_frozen_releases,
)
from ..ingest.declared import load_sources
from ..ingest.geography import Geography, QpvPlace, place_qpv
from ..ingest.partners import settle
from ..ingest.rawfiles import raw_files
from ..ingest.registry import IGNORED_SUFFIXES, expected_names, identify, readers
from ..ingest.releases import check_releases
from ..ingest.variables import load_variable_rules
from ..objectives import load_claims, load_objectives
from ..problems import Problems
from ..referentiel import Referentiel, load_referentiel
from ..ruptures import load_breaks
from ..settings import ProjectPaths
from ..vocabulary import CODE_FRANCE_METRO, COMMUNE, DEPARTEMENT, EPCI, FRANCE, QPV, REGION
from .atomic import copy_atomic, write_csv_atomic
from .commit import recover, staged_store
from .consolidate import Conflict, consolidate, fill_labels, write_store
from .fingerprint import outputs_state, remember_outputs, write_manifest
from .outlines import Quarter, link_quarters, read_link_table, write_links, write_outlines
from .parquet import write_parquet
from .requests import (
    REQUEST_COLUMNS,
    RETURN_COLUMNS,
    merge_requests,
    request_rows,
    return_rows,
)
from .revisions import COLUMNS as REVISION_COLUMNS
from .revisions import Revision, compare, read_rows
from .spreadsheet import defuse_row, write_spreadsheet_copy
from .tables import write_territories, write_years


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
    revisions: list[Revision] | None = None  # None: no previous store to compare with
    returns: list[ReturnRecord] = field(default_factory=list)  # partners' returns found
    outlines: contours_reader.Outlines | None = None  # the maps' outlines (Lambert-93)
    links: dict[str, tuple[str, str]] = field(default_factory=dict)  # 2015 -> 2024
    requests: list[ledger.Request] = field(default_factory=list)  # the request ledgers

    @property
    def ok(self) -> bool:
        """No blocking error (a partner return's errors are its own: they never block)."""
        return not self.problems.blocking


def build(paths: ProjectPaths, *, write: bool = True, today: date | None = None) -> BuildResult:
    """Its steps: the store in place checked, the settings read and checked, the official
    geography, every raw file read, the observations checked and consolidated, and, when
    nothing blocks (and `write`), the new store committed."""
    problems = Problems()
    result = BuildResult(problems)
    if write:
        _check_live_store(paths, problems)
    contract = load_contract(paths, problems)
    referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel), problems,
                                   contract)
    result.referentiel = referentiel
    _check_contract(contract, referentiel, paths, problems)
    _check_settings(paths, contract, referentiel, problems)
    rules = load_variable_rules(paths.variables, paths.label(paths.variables), referentiel,
                                problems)
    sources = load_sources(paths.sources, paths.label(paths.sources), referentiel, problems)
    day = today or date.today()
    ctx = ReadContext(paths=paths, referentiel=referentiel, rules=rules, contract=contract,
                      annee_max=day.year)
    geo, outlines, ctx = _read_geography(paths, ctx, problems)
    result.outlines = outlines
    gathered = _read_observations(paths, ctx, readers(sources), geo, result)
    result.links = _link(paths, contract, result.qpvs, outlines, problems)
    _check_duplicate_returns(result.returns, problems)
    for path, year in gathered.ledgers:
        result.requests += ledger.read_ledger(path, paths.label(path), year, referentiel, day,
                                              problems)
    observations = _checked(gathered, ctx, problems)
    result.observations = len(observations)
    result.rows, result.conflicts = consolidate(observations, gathered.hand_filled)
    fill_labels(result.rows, _known_labels(geo, result.qpvs))
    if write and result.ok:
        _commit(paths, result)
    return result


@dataclass
class _Gathered:
    """What the raw files gave, beyond the result's own fields."""
    observations: list[Observation] = field(default_factory=list)
    # the quarters the files list: code -> (libellé, communes)
    quarters: dict[str, tuple[str, str]] = field(default_factory=dict)
    hand_filled: set[str] = field(default_factory=set)  # the files filled in by hand
    releases: list[tuple[FileId, FileSummary]] = field(default_factory=list)
    ledgers: list[tuple[Path, int]] = field(default_factory=list)  # (path, collection year)
    # the producers' files (neither hand-filled nor returns)
    published: set[str] = field(default_factory=set)


def _commit(paths: ProjectPaths, result: BuildResult) -> None:
    """The new store written into a staging folder that replaces data/processed/ in one
    step (store.commit), then its outputs' fingerprints remembered."""
    with staged_store(paths) as staging:
        _write_outputs(paths, staging, result)
    remember_outputs(paths)
    result.written = True


def _check_live_store(paths: ProjectPaths, problems: Problems) -> None:
    """An interrupted build recovered; a store edited since it was written, said."""
    for note in recover(paths):
        problems.warning("data/processed", note)
    mismatch = outputs_state(paths)
    if mismatch:
        problems.warning("data/processed", f"le stock en place n'est pas celui que décrit "
                         f"son manifeste : {mismatch}. Il est reconstruit.")


def _check_settings(paths: ProjectPaths, contract: Contract, referentiel: Referentiel,
                    problems: Problems) -> None:
    """The configuration files that name the référentiel's indicators (checked only when
    the référentiel could be read)."""
    if not referentiel.indicators:
        return
    load_objectives(paths.objectives, paths.label(paths.objectives), problems, referentiel,
                    contract)
    load_claims(paths.claims, paths.label(paths.claims), problems, referentiel)
    for report, tables in load_analyses(paths, problems).items():
        for table in tables:
            for indicator in [i for i in (*table.indicateurs, *table.parties, table.total)
                              if i and i not in referentiel]:
                problems.error(paths.label(paths.analyses), f"[[{report}]] « {table.titre} » "
                               ": indicateur inconnu du référentiel.", colonne="indicateurs",
                               valeur=indicator, attendu="un identifiant de "
                               "config/referentiel.csv")
    comparison = load_comparison(paths, problems)
    for rule in (comparison.reference, *comparison.variantes):
        for variable in [v for v in rule.variables if v not in referentiel]:
            problems.error(paths.label(paths.comparison), f"« {rule.nom} » : indicateur "
                           "inconnu du référentiel.", colonne="variables", valeur=variable,
                           attendu="un identifiant de config/referentiel.csv")
    load_breaks(paths, problems, referentiel)  # config/ruptures.csv, checked here


def _read_geography(paths: ProjectPaths, ctx: ReadContext, problems: Problems
                    ) -> tuple[Geography, contours_reader.Outlines, ReadContext]:
    """The official lists and the maps' outlines, read before the observations: the
    context the readers get knows the départements and the communes drawn."""
    geo = geography_reader.read_geography(paths, problems)
    if geo.departements:
        ctx = replace(ctx, departements=frozenset(geo.departements))
    contour_files = [p for p in raw_files(paths)
                     if contours_reader.identify(p.relative_to(paths.raw)) is not None]
    outlines = contours_reader.read_outlines(paths, contour_files, set(geo.communes),
                                             set(geo.departements), problems)
    return geo, outlines, replace(ctx, communes_carte=frozenset(outlines.communes))


def _read_observations(paths: ProjectPaths, ctx: ReadContext, among: tuple[Reader, ...],
                       geo: Geography, result: BuildResult) -> _Gathered:
    """Every raw file read by its reader, in the registry's order; the quarters placed
    once the readers that list them have run."""
    gathered = _Gathered()
    for reader, files in _files_by_reader(paths, result.problems, gathered.ledgers, among):
        if reader.needs_quarters and ctx.communes_retenues is None and result.qpvs:
            ctx = replace(ctx, communes_retenues=frozenset(
                c.code for q in result.qpvs for c in q.communes))
        for path, file in files:
            _read_one(reader, path, file, ctx, gathered, result)
        if reader.lists_quarters:
            result.qpvs = _place(gathered.quarters, geo, result.problems)
    return gathered


def _read_one(reader: Reader, path: Path, file: FileId, ctx: ReadContext,
              gathered: _Gathered, result: BuildResult) -> None:
    problems = result.problems
    errors_before = len(problems.errors)
    read: ReadResult = _read_contained(reader, path, file, ctx, problems) \
        if reader.contained else reader.read(path, file, ctx, problems)
    if not reader.hand_filled:
        check_duplicates(read.observations, problems)
        if not read.observations and len(problems.errors) == errors_before:
            _contributes_nothing(read.summary, problems)
    if read.returned is not None:
        result.returns.append(read.returned)
    gathered.observations += read.observations
    result.summaries.append(read.summary)
    gathered.releases.append((file, read.summary))
    for code, (libelle, communes) in read.quarters.items():
        known = gathered.quarters.get(code, ("", ""))
        gathered.quarters[code] = (libelle or known[0], communes or known[1])
    if reader.hand_filled:
        gathered.hand_filled.update(o.fichier for o in read.observations)
    else:
        gathered.published.add(read.summary.fichier)


def _checked(gathered: _Gathered, ctx: ReadContext, problems: Problems) -> list[Observation]:
    """The observations kept (a frozen release's left out), their values, years and
    releases checked."""
    observations = drop_frozen_releases(gathered.observations, problems)
    check_values(observations, ctx.referentiel, problems)
    published = gathered.published
    check_future_years([o for o in observations if o.fichier in published],
                       [(s.fichier, f.millesime) for f, s in gathered.releases
                        if f.millesime is not None and s.fichier in published],
                       ctx.annee_max, problems)
    check_releases(gathered.releases, ctx.contract.territoire, problems)
    return observations


Files = list[tuple[Path, FileId]]


def _read_contained(reader: Reader, path: Path, file: FileId, ctx: ReadContext,
                    problems: Problems) -> ReadResult:
    """A file whose errors are its own (a partner's return): its values are checked here
    (an impossible value leaves its row out), its errors are recorded as not blocking,
    and its record says what became of it."""
    own = Problems()
    read = reader.read(path, file, ctx, own)
    kept = []
    for obs in read.observations:
        before = len(own.errors)
        check_values([obs], ctx.referentiel, own)
        if len(own.errors) == before:
            kept.append(obs)
    read.observations = kept
    read.summary.observations = len(kept)
    if read.returned is not None:
        settle(read.returned, sum(o.valeur is not None for o in kept), own.errors)
    for problem in own.items:
        problems.add(replace(problem, bloquant=False) if problem.gravite == "erreur"
                     else problem)
    return read


def _contributes_nothing(summary: FileSummary, problems: Problems) -> None:
    """A producer's file that gives no figure at all (every cell unreadable, every row
    skipped) is an error: read « successfully », it would leave its series silently
    empty."""
    rows = count(summary.lignes, "ligne")
    problems.error(summary.fichier, "le fichier n'apporte aucune valeur au stock : "
                   + ("sa seule ligne de données n'a donné aucun chiffre" if summary.lignes == 1
                      else f"aucune de ses {rows} de données n'a donné de chiffre")
                   + " (voir les avertissements de ce fichier ci-dessus).",
                   valeur=f"{rows}, 0 valeur",
                   attendu="au moins une valeur lisible pour un territoire retenu",
                   correction="vérifiez que le fichier est bien celui publié par le producteur "
                   "(colonnes, années, séparateurs), ou retirez-le de data/raw/")


def _check_duplicate_returns(returns: list[ReturnRecord], problems: Problems) -> None:
    """Two files of the same partner in one year's folder: both are read, and said."""
    seen: dict[tuple[str, str], list[str]] = {}
    for record in returns:
        seen.setdefault((record.collecte, record.partenaire), []).append(record.fichier)
    for (_, partner), files in sorted(seen.items()):
        if len(files) > 1:
            problems.warning(files[-1], f"plusieurs retours de {partner} pour la même "
                             "collecte : tous sont lus (deux valeurs différentes pour le "
                             "même chiffre apparaissent comme conflit).",
                             valeur=", ".join(files),
                             correction="retirez les versions remplacées du dossier")


def _files_by_reader(paths: ProjectPaths, problems: Problems, ledgers: list[tuple[Path, int]],
                     among: tuple[Reader, ...]) -> list[tuple[Reader, Files]]:
    """Each reader with its files, in the registry's order; unknown files are errors.
    The request ledgers found are added to `ledgers` (path, collection year)."""
    found: dict[int, Files] = {i: [] for i in range(len(among))}
    for path in raw_files(paths, problems):
        rel = path.relative_to(paths.raw)
        if path.suffix.lower() in IGNORED_SUFFIXES:
            continue
        if geography_reader.identify(rel) is not None:
            continue  # official lists: read once, before the observations
        if contours_reader.identify(rel) is not None:
            continue  # outlines for the maps: read once, with the official lists
        year = ledger.identify(rel)
        if year is not None:
            ledgers.append((path, year))
            continue
        known = identify(rel, among)
        if known is None:
            problems.error(paths.label(path), "fichier non reconnu : aucun lecteur ne sait le "
                           "lire.", attendu="un nom de fichier publié tel quel ("
                           + ", ".join(expected_names(among)) + ")",
                           correction="renommez le fichier comme le producteur le publie, ou "
                           "rangez-le dans le bon dossier (voir docs/donnees_brutes.md)")
            continue
        reader, file = known
        found[among.index(reader)].append((path, file))
    out = []
    for i, reader in enumerate(among):
        files = found[i]
        if reader.sort_key is not None:
            order = reader.sort_key
            files = sorted(files, key=lambda pf: order(pf[0], pf[1]))
        out.append((reader, files))
    return out


def _place(quarters: dict[str, tuple[str, str]], geo: Geography,
           problems: Problems) -> list[QpvPlace]:
    qpvs = [place_qpv(code, lib, communes, geo)
            for code, (lib, communes) in sorted(quarters.items())]
    for q in qpvs:
        if not q.communes:
            problems.warning("data/raw/geographie", f"les communes du quartier {q.code} "
                             f"« {quarters[q.code][1]} » sont introuvables dans la liste "
                             "officielle : ses comparaisons communales manqueront.",
                             attendu="des noms de communes du COG du même département")
    return qpvs


def _link(paths: ProjectPaths, contract: Contract, qpvs: list[QpvPlace],
          outlines: contours_reader.Outlines, problems: Problems) -> dict[str, tuple[str, str]]:
    """Which 2024 outline draws each 2015 quarter (store.outlines)."""
    table = read_link_table(paths, set(outlines.qpv), problems)
    own = None
    if contract.territoire_2024:
        own = (contract.territoire, contract.territoire_2024)
        if outlines.qpv and contract.territoire_2024 not in outlines.qpv:
            problems.warning(paths.label(paths.contract), "le quartier 2024 du contrat est "
                             "absent des contours livrés : sa carte ne sera pas dessinée.",
                             colonne="territoire_2024", valeur=contract.territoire_2024)
    return link_quarters(
        {q.code: Quarter(q.libelle, tuple(c.code for c in q.communes)) for q in qpvs},
        {c: Quarter(o.libelle, o.communes) for c, o in outlines.qpv.items()}, table, own)


def _check_contract(contract: Contract, referentiel: Referentiel, paths: ProjectPaths,
                    problems: Problems) -> None:
    """The indicators config/contrat.toml names are in the référentiel."""
    if not referentiel.indicators:
        return
    for indicator in contract.messages:
        if indicator not in referentiel:
            problems.error(paths.label(paths.contract), "messages clés : indicateur inconnu du "
                           "référentiel.", colonne="messages.indicateurs", valeur=indicator,
                           attendu="un identifiant de config/referentiel.csv")
    for table in contract.portrait:
        for indicator in table.indicateurs:
            if indicator not in referentiel:
                problems.error(paths.label(paths.contract), f"tableau « {table.titre} » du "
                               "portrait : indicateur inconnu du référentiel.",
                               colonne="portrait.indicateurs", valeur=indicator,
                               attendu="un identifiant de config/referentiel.csv")


def _known_labels(geo: Geography, qpvs: list[QpvPlace]) -> dict[tuple[str, str], str]:
    known: dict[tuple[str, str], str] = {}
    for niveau, places in ((COMMUNE, geo.communes), (EPCI, geo.epcis),
                           (DEPARTEMENT, geo.departements), (REGION, geo.regions)):
        for code, place in places.items():
            known[(niveau, code)] = place.libelle
    for q in qpvs:
        if q.libelle:
            known[(QPV, q.code)] = q.libelle
    known[(FRANCE, CODE_FRANCE_METRO)] = "France métropolitaine"
    return known


def _write_outputs(live: ProjectPaths, paths: ProjectPaths, result: BuildResult) -> None:
    """Every file of the new store, written into the staging folder `paths` (`live`: the
    store being replaced). The manifest comes last: it fingerprints the files above."""
    _record_revisions(live, paths, result)
    write_territories(paths, result.qpvs)
    if result.outlines is not None:
        write_outlines(paths.outlines, result.outlines)
    write_links(paths.quarter_links, result.links)
    write_csv_atomic(paths.conflicts,
                     ["nature", "indicateur", "niveau", "code", "geographie", "annee",
                      "valeurs"],
                     [{"nature": c.nature, "indicateur": c.indicateur, "niveau": c.niveau,
                       "code": c.code, "geographie": c.geographie, "annee": str(c.annee),
                       "valeurs": " ≠ ".join(f"{v} ({where})" for v, where in c.versions)}
                      for c in result.conflicts])
    write_years(paths, result.rows, result.qpvs)
    write_parquet(paths.store_parquet, result.rows)
    write_store(paths.store, result.rows)
    write_csv_atomic(paths.returns, RETURN_COLUMNS, return_rows(result.returns))
    write_csv_atomic(paths.requests, REQUEST_COLUMNS,
                     request_rows(merge_requests(result.requests, result.returns)))
    for machine, numeric in ((paths.store, ("valeur",)), (paths.revisions, ("avant", "apres"))):
        if machine.exists():
            write_spreadsheet_copy(machine, paths.spreadsheet_of(machine), numeric)
    write_manifest(paths, __version__)


def _record_revisions(live: ProjectPaths, paths: ProjectPaths, result: BuildResult) -> None:
    """Compare with the store being replaced (`live`); keep it as stock_precedent.csv.

    Rebuilding the same store changes nothing: the previous comparison is kept; so does
    replacing a store that does not match its manifest (edited by hand), whose
    differences are not changes of the data.
    """
    if not live.store.exists():
        return
    try:
        previous = read_rows(live.store)
        if previous == [defuse_row(r) for r in result.rows] or outputs_state(live):
            result.revisions = ([Revision(**r) for r in read_rows(live.revisions)]
                              if live.revisions.exists() else None)
            for kept in (live.revisions, live.previous_store):
                if kept.exists():
                    copy_atomic(kept, paths.processed / kept.name)
            return
        result.revisions = compare(previous, result.rows)
    except (KeyError, TypeError, UnicodeDecodeError, csv.Error):
        result.problems.warning(live.label(live.store), "le stock remplacé est illisible : "
                                "ce qui a changé depuis ne peut pas être calculé.",
                                attendu="un stock écrit par la boîte à outils")
        result.revisions = None
        return
    copy_atomic(live.store, paths.previous_store)
    write_csv_atomic(paths.revisions, REVISION_COLUMNS, [c.as_row() for c in result.revisions])
