"""What a report is about, loaded once per notebook: the year, the quarter and its
comparison levels, the référentiel, the contract, and the store's rows that matter.

A notebook does `ctx = report.prepare(annee, territoire, "emploi")` (report/loading.py:
the parameters checked, the store's rows read), then calls the section functions of the
report package with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from .. import secrecy
from ..contract_settings import Contract
from ..objectives import Claim, Objectives
from ..referentiel import Indicator, Referentiel
from ..ruptures import Break, breaks_of, load_breaks
from ..settings import ProjectPaths
from ..store.requests import PartnerRequest, load_requests, load_returns
from ..territory import (
    Level,
    Territory,
)
from ..vocabulary import (
    A_COLLECTER,
    ATTEINT,
    CODE_ENSEMBLE_QPV,
    ENSEMBLE_QPV,
    ETABLISSEMENT,
    NON_COMPARABLE,
    NON_TRANSMIS,
    ORIGINE_PARTENAIRE,
    PARTNER_NOTEBOOK,
    PERIMETRE_PARTENAIRE,
    SANS_CIBLE,
    STATUSES,
    WHOLE_CONTRACT,
)
from .indicators import (
    Judgement,
    Point,
    StoreRecord,
    at_level,
    judge,
    latest,
    observations,
    owed,
    points_of,
)
from .trends import PUBLISHED, Trend, family, trend


@dataclass(frozen=True)
class Assessment:
    """An indicator for the evaluation year: its status (and why, when it is not a
    plain reading), and the figures it rests on."""

    status: str
    reason: str
    last: Point | None  # on the indicator's own perimeter
    previous: Point | None
    level: Level
    # When the own perimeter has no figure: the latest figure of another level, shown as
    # such (« département : 47,0 % en 2021 »), never as the quarter's.
    elsewhere: tuple[Level, Point] | None = None


@dataclass
class ReportContext:
    """Everything a report needs, loaded once per notebook."""

    annee: int
    territory: Territory
    report: str
    referentiel: Referentiel
    store: pd.DataFrame
    paths: ProjectPaths
    contract: Contract
    objectives: Objectives = field(default_factory=lambda: Objectives(()))
    claims: list[Claim] = field(default_factory=list)
    # What the context keeps once computed, all from the fields above: never given to the
    # constructor, so that a copy with other fields (dataclasses.replace) starts empty.
    cache: dict[str, object] = field(default_factory=dict, init=False, repr=False)
    _series: dict[tuple[str, tuple[str, str, str]], list[Point]] = field(
        default_factory=dict, init=False, repr=False)
    _assessments: dict[str, Assessment] = field(default_factory=dict, init=False, repr=False)
    _raw: dict[tuple[str, tuple[str, str, str]], list[Point]] = field(
        default_factory=dict, init=False, repr=False)
    _by_indicator: dict[str, pd.DataFrame] = field(default_factory=dict, init=False,
                                                   repr=False)
    # records_of's split, with the store it was made from
    _records: tuple[pd.DataFrame, dict[str, list[StoreRecord]]] | None = field(
        default=None, init=False, repr=False)
    _present: set[tuple[str, str, str]] = field(default_factory=set, init=False, repr=False)
    _totals: dict[str, str | None] = field(default_factory=dict, init=False, repr=False)
    # per indicator, what many sections ask again: its levels, its observed years
    _levels: dict[str, list[Level]] = field(default_factory=dict, init=False, repr=False)
    _observed: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)

    @property
    def own_contract(self) -> bool:
        """The quarter is the contract's own: its targets, partners and caveats apply."""
        return self.territory.code == self.contract.territoire

    def indicators(self) -> list[Indicator]:
        """The indicators this report covers, in the référentiel's order.

        For another quarter than the contract's, only those with public figures: the
        contract's own follow-up indicators do not apply there.
        """
        inds = list(self.referentiel.indicators.values())
        if self.report not in (*WHOLE_CONTRACT, PARTNER_NOTEBOOK):
            inds = [i for i in inds if i.in_report(self.report)]
        if not self.own_contract:
            present = set(self.store["indicateur"])
            inds = [i for i in inds if i.id in present]
        return inds

    def series(self, indicator: str, level: Level) -> list[Point]:
        """The series as a report may print it: small counts masked (evalqpv.secrecy)."""
        key = (indicator, level.key)
        if key not in self._series:
            hidden = self._masked_years(indicator, level)
            self._series[key] = [
                replace(p, valeur=None, statut=secrecy.MASKED) if p.annee in hidden else p
                for p in self._raw_series(indicator, level)]
        return self._series[key]

    def reference(self, ind: Indicator) -> tuple[float | None, str]:
        """The référentiel's reference value as a report may print it (value, status):
        under the same secrecy rule as every figure (evalqpv.secrecy). It is masked when
        the figure of its year is masked on the indicator's perimeter, or when it is a
        small count of people that no public figure of that year gives."""
        value, statut = ind.valeur_reference, ind.statut_reference
        if value is None or not ind.counts_people:
            return value, statut
        level = self._home(ind) or self.territory.qpv
        year = ind.annee_reference
        if any(p.annee == year and p.statut == secrecy.MASKED
               for p in self.series(ind.id, level)):
            return None, secrecy.MASKED
        public = any(_public(p) and p.annee == year and p.valeur == value
                     for p in self._raw_series(ind.id, level))
        if secrecy.is_masked(value, ind.unite, level.niveau, public=public):
            return None, secrecy.MASKED
        return value, statut

    def _raw_series(self, indicator: str, level: Level) -> list[Point]:
        """The series as stored: for statuses, never printed."""
        key = (indicator, level.key)
        if key not in self._raw:
            present = (indicator, level.niveau, level.code) in self._places()
            self._raw[key] = points_of(at_level(self.records_of(indicator), level)) \
                if present else []
            ind = self.referentiel.indicators.get(indicator)
            if ind is not None and ind.calcul and level.niveau == ind.perimetre \
                    and self.own_contract and level == self._home(ind):
                self._raw[key] = [*self._raw[key], self._computed(ind)]
        return self._raw[key]

    def _home(self, ind: Indicator) -> Level | None:
        """The first level of the indicator's own perimeter (where a computed figure is)."""
        return next((lv for lv in self.territory.local_and_comparators
                     if lv.niveau == ind.perimetre), None)

    def _computed(self, ind: Indicator) -> Point:
        """A figure the toolkit computes: the share of the contract's signatories (those
        of its commitments annex, config/contrat.toml [signataires]) whose figures of the
        evaluated year came back. The contract does not define the annual evaluation it
        asks of each signatory: the return of its collection workbook stands for it."""
        partners = sorted(set(self.contract.signataires.values())) or \
            self.referentiel.partners()
        sent = [p for p in self.partners_who_sent() if p in partners]
        value = 100 * len(sent) / len(partners) if partners else 0.0
        return Point(self.annee, round(value, 1), "valeur",
                     f"Signataires dont des chiffres de {self.annee} ont été reçus : "
                     f"{len(sent)} sur {len(partners)}", "", False)

    def partners_who_sent(self) -> list[str]:
        """The partners who sent at least one figure of the evaluated year."""
        if "sent" not in self.cache:
            owed = {i.id: i.partenaire for i in self.referentiel.indicators.values()
                    if not i.calcul}
            rows = self.store[(self.store["annee"].astype(str) == str(self.annee))
                              & (self.store["origine"] == ORIGINE_PARTENAIRE)]
            self.cache["sent"] = sorted({owed[i] for i in rows["indicateur"] if i in owed})
        sent = self.cache["sent"]
        assert isinstance(sent, list)
        return sent

    def _masked_years(self, indicator: str, level: Level) -> set[int]:
        """Years whose count of people is small and not public (a partner's return), or
        would give such a count back from its total."""
        if indicator not in self.referentiel:
            return set()
        ind = self.referentiel[indicator]
        if not ind.counts_people:
            return set()
        unit = ind.unite
        points = [p for p in self._raw_series(indicator, level) if not _public(p)]
        hidden = {p.annee for p in points if secrecy.is_masked(p.valeur, unit, level.niveau)}
        total = self._total_of(indicator)
        if not points or total is None or self.referentiel[total].unite != unit:
            return hidden
        totals = {p.annee: p.valeur for p in self._raw_series(total, level)}
        parts = {part: {p.annee: p.valeur for p in self._raw_series(part, level)}
                 for part, its_total in self._totals.items() if its_total == total}
        for p in points:
            shown = {part: values.get(p.annee) for part, values in parts.items()}
            if indicator in secrecy.complementary(totals.get(p.annee), shown, unit,
                                                  level.niveau):
                hidden.add(p.annee)
        return hidden

    def _total_of(self, indicator: str) -> str | None:
        """The total an indicator is a part of (secrecy.total_of), the référentiel's
        pairs found once: hundreds of series ask."""
        if not self._totals:
            ids = frozenset(self.referentiel.indicators)
            self._totals = {i: secrecy.total_of(i, ids) for i in self.referentiel.indicators}
        return self._totals.get(indicator)

    def rows_of(self, indicator: str) -> pd.DataFrame:
        """The store's rows of one indicator, in the store's order. The store is grouped
        once: a report asks for hundreds of series, each then selected among a few rows
        instead of the whole store (the same rows, several times faster)."""
        if not self._by_indicator:
            self._by_indicator = {str(k): g for k, g in self.store.groupby("indicateur",
                                                                           sort=False)}
        return self._by_indicator.get(indicator, self.store.iloc[0:0])

    def records_of(self, indicator: str) -> list[StoreRecord]:
        """The store's rows of one indicator as dicts, in the store's order (`rows_of`
        in plain Python). A report reads hundreds of series and levels from a few hundred
        rows: a pandas selection costs more than reading those few rows in Python."""
        if self._records is None or self._records[0] is not self.store:
            split: dict[str, list[StoreRecord]] = {}
            for record in self.store.to_dict("records"):
                split.setdefault(str(record["indicateur"]), []).append(record)
            self._records = (self.store, split)
        return self._records[1].get(indicator, [])

    def territories_of(self, indicator: str, niveau: str) -> list[tuple[str, str]]:
        """(code, libellé) of the territories of one level with a row of the indicator,
        sorted."""
        return sorted({(r["code"], r["libelle_territoire"]) for r in self.records_of(indicator)
                       if r["niveau"] == niveau})

    def _places(self) -> set[tuple[str, str, str]]:
        """(indicateur, niveau, code) of every row: a series nowhere in the store is empty
        without a selection."""
        if not self._present:
            self._present = set(zip(self.store["indicateur"], self.store["niveau"],
                                    self.store["code"], strict=True))
        return self._present

    def assess(self, ind: Indicator) -> Assessment:
        """The indicator's status for the evaluation year, and its latest figure on its
        own perimeter (the quarter, the commune, the partner's perimeter...).

        A figure of another level is never the quarter's latest value: when the
        indicator's own perimeter has none, it travels as `elsewhere` (shown as such), and
        a target is then « non comparable ». The contract's targets apply to its own
        quarter only: for any other quarter an indicator is judged as if the contract set
        no target.
        """
        key = ind.id
        if key in self._assessments:
            return self._assessments[key]
        if not self.own_contract:
            ind = replace(ind, cible=None, cible_operateur="", annee_cible=None)
        levels = self.local_levels(ind)
        own = [lv for lv in levels if lv.niveau == ind.perimetre]
        found: Assessment | None = None
        for level in own:
            points = self._raw_series(ind.id, level)
            if any(p.valeur is not None and p.annee <= self.annee for p in points):
                found = self._assess(ind, level, points)
                break
        if found is None:
            schools = self.establishments(ind.id)
            if schools:  # the school of the most modest background first
                level, school = min(schools, key=lambda s: (-s[1].annee, s[1].valeur or 0.0))
                found = self._assess(ind, level, [school])
        if found is None:
            home = own[0] if own else self.territory.qpv
            found = self._assess(ind, home, [])
            for level in (lv for lv in levels if lv.niveau != ind.perimetre):
                points = self._raw_series(ind.id, level)
                there, _ = latest(points, self.annee)
                if there is not None:
                    verdict = self._judge(ind, level, points)
                    if verdict.status in (NON_COMPARABLE, ATTEINT):
                        found = replace(found, status=verdict.status, reason=verdict.reason)
                    elif ind.cible is None and found.status == A_COLLECTER:
                        # a figure came, on another level: nothing to collect, no target
                        found = replace(found, status=SANS_CIBLE,
                                        reason=f"chiffre donné pour {level.libelle}")
                    shown = {p.annee: p for p in self.series(ind.id, level)}
                    found = replace(found, elsewhere=(level, shown.get(there.annee, there)))
                    break
        self._assessments[key] = found
        return found

    def _judge(self, ind: Indicator, level: Level, points: list[Point]) -> Judgement:
        verdict = judge(ind, points, self.annee, niveau=level.niveau, libelle=level.libelle,
                        debut=self.contract.debut, fin=self.contract.fin)
        asked = self.request(ind.partenaire) if self.own_contract else None
        if verdict.status == A_COLLECTER and asked is not None and asked.demande_le \
                and not asked.recu:
            # asked for the year's figures, nothing came: a fact, not a figure to collect
            return Judgement(NON_TRANSMIS, request_words(asked))
        if ind.calcul and points and points[-1].annee == self.annee:
            counted = points[-1].source.split(" : ")[-1]
            # a data return is not the annual evaluation the contract asks for, which it
            # does not define: shown, never judged against the target (nor its absence)
            got = (f"aucun retour de données reçu pour {self.annee} ({counted} signataires)"
                   if not points[-1].valeur else
                   f"retours de données reçus de {counted} signataires")
            return Judgement(NON_COMPARABLE, got + " ; le contrat ne définit ni l'évaluation "
                             "annuelle ni la liste des signataires")
        return verdict

    def _assess(self, ind: Indicator, level: Level, points: list[Point]) -> Assessment:
        verdict = self._judge(ind, level, points)  # judged on the figures...
        last, previous = latest(points, self.annee)
        # ...and printed as the secrecy rule allows
        shown = {p.annee: p for p in self.series(ind.id, level)}
        return Assessment(verdict.status, verdict.reason,
                          shown.get(last.annee, last) if last else None,
                          shown.get(previous.annee, previous) if previous else None, level)

    def observed_years(self, ind: Indicator) -> list[int]:
        """The years up to the evaluated one for which a producer or a partner gave a
        figure of this indicator, on any of the report's levels (never the contract's
        own figures): what « received » means. Kept: the follow-up tables, the
        verdicts and the missing figures ask again for each indicator."""
        if ind.id not in self._observed:
            years: set[int] = set()
            for level in self.local_levels(ind):
                years |= {p.annee for p in observations(self._raw_series(ind.id, level),
                                                        self.annee)}
            self._observed[ind.id] = sorted(years)
        return list(self._observed[ind.id])

    def received(self, ind: Indicator) -> bool:
        """A figure for the evaluated year came from its producer or partner."""
        return self.annee in self.observed_years(ind)

    def expected(self, ind: Indicator) -> bool:
        """A figure is owed for the evaluated year (`indicators.owed`): not a milestone
        whose printed deadline is still to come, not a commitment about another commune;
        never decided by what came back (a milestone reported « not yet », a figure short
        of its target are owed and received)."""
        if ind.calcul:  # computed by the toolkit, owed by nobody
            return False
        return owed(ind, self.annee)

    def missing(self, ind: Indicator) -> bool:
        """Owed for the evaluated year and not received: what « ce qui manque » lists."""
        return self.expected(ind) and not self.received(ind)

    def request(self, partner: str) -> PartnerRequest | None:
        """What was asked of a partner for the evaluated year, and what came back
        (data/processed/demandes.csv: the evaluator's ledger and the returns found)."""
        if "demandes" not in self.cache:
            self.cache["demandes"] = {r.partenaire: r for r in load_requests(self.paths.requests)
                                      if r.annee == self.annee}
        known = self.cache["demandes"]
        assert isinstance(known, dict)
        found = known.get(partner)
        return found if isinstance(found, PartnerRequest) else None

    def returns(self) -> list[dict[str, str]]:
        """The partners' returns of the evaluated year and what became of each (read once
        per report: the synthesis, the proposals and every partner page ask)."""
        if "retours" not in self.cache:
            self.cache["retours"] = [r for r in load_returns(self.paths.returns)
                                     if r["collecte"] == str(self.annee)]
        found = self.cache["retours"]
        assert isinstance(found, list)
        return found

    def published_first(self, indicator: str, level: Level) -> list[Point]:
        """The series a sentence reads: the producers' publications when there are any
        (the contract's own figures and a partner's are shown in the follow-up tables,
        never chained to them); otherwise the series as it is."""
        points = self.series(indicator, level)
        published = [p for p in points if family(p) == PUBLISHED]
        return published or points

    def breaks(self, indicator: str) -> tuple[Break, ...]:
        """The national reforms that break this indicator's series (config/ruptures.csv),
        read once per report."""
        if "ruptures" not in self.cache:
            self.cache["ruptures"] = load_breaks(self.paths)
        known = self.cache["ruptures"]
        assert isinstance(known, tuple)
        return breaks_of(known, indicator)

    def trend(self, indicator: Indicator, points: list[Point]) -> Trend | None:
        """The honest trend of a series of the quarter, from the contract's baseline,
        with the reforms that cross it."""
        return trend(points, self.annee, indicator.unite, since=self.contract.baseline_year,
                     breaks=self.breaks(indicator.id))

    def qpv_status(self, ind: Indicator) -> tuple[str, Point | None, Point | None, Level]:
        """Status, latest and previous figures, and their level (see `assess`)."""
        a = self.assess(ind)
        return a.status, a.last, a.previous, a.level

    def status_counts(self, inds: list[Indicator]) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for ind in inds:
            counts[self.qpv_status(ind)[0]] += 1
        return counts

    def establishments(self, indicator: str) -> list[tuple[Level, Point]]:
        """Schools of the territory's communes with a figure up to the evaluation year."""
        out = []
        for code, lib in self.territories_of(indicator, ETABLISSEMENT):
            level = Level(ETABLISSEMENT, code, lib)
            last, _ = latest(self.series(indicator, level), self.annee)
            if last is not None:
                out.append((level, last))
        return out

    def local_levels(self, ind: Indicator) -> list[Level]:
        """Where the contract follows this indicator: the QPV first, then wider levels
        (found once per indicator: hundreds of questions ask)."""
        if ind.id not in self._levels:
            self._levels[ind.id] = self._local_levels(ind)
        return list(self._levels[ind.id])

    def _local_levels(self, ind: Indicator) -> list[Level]:
        levels = list(self.territory.local_and_comparators)
        for code, lib in self.territories_of(ind.id, PERIMETRE_PARTENAIRE):
            levels.append(Level(PERIMETRE_PARTENAIRE, code, lib))
        for code, lib in self.territories_of(ind.id, ENSEMBLE_QPV):
            if code != CODE_ENSEMBLE_QPV:
                levels.append(Level(ENSEMBLE_QPV, code, lib))
        return levels


def request_words(asked: PartnerRequest | None) -> str:
    """« demandé le 15/01/2026, relancé le 16/02/2026, reçu le 02/02/2026 », from the
    evaluator's ledger and the returns found; empty when the ledger says nothing of the
    partner (its files are listed apart). A receipt the ledger does not date is « reçu »:
    which ones it misses is said once, in the synthesis (completeness.ledger_gaps)."""
    if asked is None:
        return ""
    words = [f"demandé le {asked.demande_le:%d/%m/%Y}"] if asked.demande_le else []
    words += [f"relancé le {d:%d/%m/%Y}" for d in asked.relances]
    if asked.recu_le:
        words.append(f"reçu le {asked.recu_le:%d/%m/%Y}")
    elif asked.recu and words:  # the ledger does not date it: the synthesis says so, once
        words.append("reçu")
    elif asked.demande_le:
        words.append("rien reçu")
    return ", ".join(words)


def _public(point: Point) -> bool:
    """The figure is already public: a producer published it (with its own secrecy),
    or the contract prints it. Only a partner's return can be masked."""
    return point.origine != ORIGINE_PARTENAIRE
