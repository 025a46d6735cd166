"""Report sections: what an axis notebook shows, one call per section.

A notebook does `ctx = report.prepare(annee, territoire, "emploi")`, then calls the
section functions below; each returns an `Html` fragment written from the data
(no figure is typed in a notebook or here).
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import __version__
from . import frenchformat as ff
from .charts import comparison_chart, to_png
from .htmlparts import Html, badge, bullets, esc, figure, table
from .indicators import (
    A_COLLECTER,
    STATUSES,
    Point,
    common_year,
    difference,
    latest,
    ratio,
    series,
    status,
    value_in,
)
from .observations import load_store
from .paths import ProjectPaths, find_root
from .problems import Problems
from .referentiel import Indicator, Referentiel, load_referentiel
from .schema import REPORT_TITLES
from .territory import Level, ParameterError, Territory, check_year, resolve_territory

REPORTS = REPORT_TITLES
AXES = ("emancipation", "emploi", "tranquillite", "transition")
TYPE_LABELS = {"contexte": "contexte", "realisation": "réalisation", "resultat": "résultat",
               "impact": "impact"}
SMALL_COUNT = 50  # counts below this, on a QPV, move a lot from year to year


@dataclass
class ReportContext:
    """Everything a report needs, loaded once per notebook."""

    annee: int
    territory: Territory
    report: str
    referentiel: Referentiel
    store: pd.DataFrame
    paths: ProjectPaths
    sections: dict[str, str]
    key_figures: list[dict[str, object]] = field(default_factory=list)
    _series: dict[tuple[str, tuple[str, str, str]], list[Point]] = field(default_factory=dict)

    def indicators(self) -> list[Indicator]:
        """The indicators this report covers, in the référentiel's order."""
        if self.report == "synthese":
            return list(self.referentiel.indicators.values())
        return [i for i in self.referentiel.indicators.values() if i.in_report(self.report)]

    def series(self, indicator: str, level: Level) -> list[Point]:
        key = (indicator, level.key)
        if key not in self._series:
            self._series[key] = series(self.store, indicator, level)
        return self._series[key]

    def qpv_status(self, ind: Indicator) -> tuple[str, Point | None, Point | None, Level]:
        """Status of an indicator on the most local level that has figures."""
        for level in self.local_levels(ind):
            last, previous = latest(self.series(ind.id, level), self.annee)
            if last is not None:
                return status(ind, last, previous, self.annee), last, previous, level
        schools = self.establishments(ind.id)
        if schools:  # the school of the most modest background first
            level, last = min(schools, key=lambda s: (-s[1].annee, s[1].valeur or 0.0))
            return status(ind, last, None, self.annee), last, None, level
        return A_COLLECTER, None, None, self.territory.qpv

    def establishments(self, indicator: str) -> list[tuple[Level, Point]]:
        """Schools of the territory's communes with a figure up to the evaluation year."""
        rows = self.store[(self.store["indicateur"] == indicator)
                          & (self.store["niveau"] == "etablissement")]
        out = []
        for code, lib in sorted(set(zip(rows["code"], rows["libelle_territoire"],
                                        strict=True))):
            level = Level("etablissement", code, lib)
            last, _ = latest(self.series(indicator, level), self.annee)
            if last is not None:
                out.append((level, last))
        return out

    def local_levels(self, ind: Indicator) -> list[Level]:
        """Where the contract follows this indicator: the QPV first, then wider levels."""
        levels = list(self.territory.levels)
        partner = self.store[(self.store["indicateur"] == ind.id)
                             & (self.store["niveau"] == "perimetre_partenaire")]
        for code, lib in sorted(set(zip(partner["code"], partner["libelle_territoire"],
                                        strict=True))):
            levels.append(Level("perimetre_partenaire", code, lib))
        qpv_dep = self.store[(self.store["indicateur"] == ind.id)
                             & (self.store["niveau"] == "ensemble_qpv")
                             & (self.store["code"] != "ENSEMBLE_QPV")]
        for code, lib in sorted(set(zip(qpv_dep["code"], qpv_dep["libelle_territoire"],
                                        strict=True))):
            levels.append(Level("ensemble_qpv", code, lib))
        return levels


def prepare(annee: object, territoire: object, rapport: str = "synthese",
            racine: str | Path | None = None) -> ReportContext:
    """Validate the parameters and load what the report needs.

    Raises ParameterError with a French message when the territory is unknown or the
    store has no figure for the year.
    """
    if rapport not in REPORTS:
        raise ParameterError(f"Rapport inconnu : « {rapport} ». Attendu : "
                             + ", ".join(REPORTS) + ".")
    paths = ProjectPaths(find_root(Path(racine) if racine else None))
    territory = resolve_territory(territoire, paths.processed / "territoires.csv")
    keys = {f"{lv.niveau}|{lv.code}" for lv in territory.levels}
    dep = territory.level("departement")
    keys |= {f"ensemble_qpv|ENSEMBLE_QPV_{dep.code}"} if dep else set()
    # Partner perimeters come from this contract's own returns and transcription: they
    # belong to the contract's quarter, not to a quarter evaluated for comparison.
    own = territory.code == _contract_territory(paths)
    communes = {lv.code for lv in territory.levels if lv.niveau == "commune"}
    local = load_store(paths.store, keys,
                       keep_levels=("perimetre_partenaire",) if own else (),
                       attached_to=communes)
    local = local[(local["niveau"] != "qpv") | (local["geographie"] == territory.qpv.geographie)
                  | (local["indicateur"] == "population_qpv2024")]
    near = local[local["niveau"].isin(["qpv", "commune", "departement"])
                 & local["valeur"].notna()]
    available = sorted(set(int(a) for a in near["annee"]))
    if annee is None or annee == "":
        if not available:
            raise ParameterError(f"Aucune donnée pour le territoire {territory.code}.")
        annee = available[-1]
    year = check_year(annee, available)
    problems = Problems()
    referentiel = load_referentiel(paths.referentiel, "config/referentiel.csv", problems)
    if problems.errors:
        raise ParameterError("Le référentiel contient des erreurs : lancez `make donnees` et "
                             "lisez data/processed/validation.md.")
    return ReportContext(year, territory, rapport, referentiel, local.reset_index(drop=True),
                         paths, _sections(paths.config / "sections.csv"))


def default_year(territoire: object, racine: str | Path | None = None) -> int:
    """The latest year with figures on the territory or its commune and département."""
    paths = ProjectPaths(find_root(Path(racine) if racine else None))
    territory = resolve_territory(territoire, paths.processed / "territoires.csv")
    local = {f"{lv.niveau}|{lv.code}" for lv in territory.levels
             if lv.niveau in ("qpv", "commune", "departement")}
    store = load_store(paths.store, local)
    years = [a for a, v in zip(store["annee"], store["valeur"], strict=True) if pd.notna(v)]
    if not years:
        raise ParameterError(f"Aucune donnée pour le territoire {territory.code}.")
    return int(max(years))


def _contract_territory(paths: ProjectPaths) -> str:
    path = paths.config / "rapports.toml"
    if not path.exists():
        return ""
    return str(tomllib.loads(path.read_text(encoding="utf-8")).get("territoire", "")).upper()


def _sections(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["section"]: r["titre"] for r in csv.DictReader(handle)}


# --------------------------------------------------------------------------- header


def header(ctx: ReportContext) -> Html:
    t = ctx.territory
    comparators = ", ".join(f"{lv.libelle} ({_level_name(lv.niveau)})"
                            for lv in t.comparators if lv.niveau not in ("france",))
    return Html(
        f'<p class="lead">Quartier prioritaire <strong>{esc(t.libelle)}</strong> '
        f"({esc(t.code)}, géographie prioritaire {esc(t.qpv.geographie[3:])}), année "
        f"d'évaluation <strong>{ctx.annee}</strong>.</p>"
        f"<p>Territoires de comparaison : {esc(comparators)}, France.</p>")


# --------------------------------------------------------------------------- key messages


def key_messages(ctx: ReportContext, limit: int = 6) -> Html:
    """Sentences written from the data: level, gap to wider territories, trend.

    Indicators compared with other territories come first; the synthesis takes the
    best message of each axis.
    """
    if ctx.report == "synthese":
        groups = [[i for i in ctx.indicators() if i.in_report(r)] for r in ("contexte", *AXES)]
        per_group = 1
    else:
        groups, per_group = [ctx.indicators()], limit
    sentences: list[str] = []
    for inds in groups:
        candidates = [(_message(ctx, ind), ind) for ind in inds
                      if ind.type in ("contexte", "impact", "resultat")]
        ranked = sorted((c for c in candidates if c[0]), key=lambda c: not c[0][1])
        sentences += [text for (text, _), _ in ranked[:per_group]]
    sentences = sentences[:limit + 4]
    counts = _status_counts(ctx, ctx.indicators())
    total = sum(counts.values())
    if total:
        parts = [f"{counts[s]} {s}" for s in STATUSES if counts[s]]
        sentences.append(f"Sur les {total} indicateurs suivis dans ce rapport : "
                         + ", ".join(parts) + ".")
    figures = {"rapport": ctx.report, "annee": ctx.annee, "territoire": ctx.territory.code,
               "statuts": counts, "chiffres": ctx.key_figures, "version": __version__}
    if not sentences:
        return Html("<p>Aucune donnée n'est encore disponible pour ce rapport.</p>", figures)
    return Html(bullets(sentences), figures)


def _message(ctx: ReportContext, ind: Indicator) -> tuple[str, bool] | None:
    """One sentence on an indicator, and whether it compares territories."""
    qpv = ctx.territory.qpv
    points = ctx.series(ind.id, qpv)
    last, _ = latest(points, ctx.annee)
    if last is None:
        return None
    name = ind.libelle[0].lower() + ind.libelle[1:]
    value = ff.with_unit(last.valeur, ind.unite, last.statut)
    text = f"En {last.annee}, {name} : {value} à {ctx.territory.libelle}"
    compared = []
    if ind.unite in ("pourcentage", "euros", "ratio", "indice") and last.statut == "valeur":
        for level in ctx.territory.comparators:
            if level.niveau not in ("commune", "france", "ensemble_qpv"):
                continue
            other = value_in(ctx.series(ind.id, level), last.annee)
            if other is None or other.valeur is None or other.statut != "valeur":
                continue
            r = ratio(last.valeur, other.valeur)
            compared.append(f"{level.libelle} : {ff.with_unit(other.valeur, ind.unite)}, "
                            f"soit un rapport de {ff.number(r, 1)}")
            ctx.key_figures.append(_figure(ind, level, other))
    ctx.key_figures.append(_figure(ind, qpv, last))
    if compared:
        text += " (" + " ; ".join(compared[:2]) + ")"
    first = next((p for p in points if p.valeur is not None and p.statut == "valeur"), None)
    if first is not None and first.annee < last.annee and last.statut == "valeur":
        delta = difference(last.valeur, first.valeur)
        if not delta:
            text += f" ; stable depuis {first.annee}"
        else:
            if ind.unite == "nombre" and first.valeur:
                trend = ("+" if delta > 0 else "-") + ff.number(
                    abs(100 * delta / first.valeur), 0) + f"{ff.NBSP}%"  # type: ignore[operator]
            else:
                trend = ff.change(delta, ind.unite)
            direction = "en hausse" if delta > 0 else "en baisse"  # type: ignore[operator]
            text += f" ; {direction} depuis {first.annee} ({trend})"
    return text + ".", bool(compared)


def _figure(ind: Indicator, level: Level, point: Point) -> dict[str, object]:
    return {"indicateur": ind.id, "libelle": ind.libelle, "niveau": level.niveau,
            "code": level.code, "territoire": level.libelle, "annee": point.annee,
            "valeur": point.valeur, "statut": point.statut, "unite": ind.unite,
            "source": point.source}


# --------------------------------------------------------------------------- objectives


def objectives(ctx: ReportContext) -> Html:
    """One table per contract section: each objective's indicators and their follow-up."""
    out: list[str] = []
    by_section: dict[str, list[Indicator]] = {}
    for ind in ctx.indicators():
        if ind.section.startswith("Annexe 1"):
            continue
        by_section.setdefault(ind.section, []).append(ind)

    def order(section: str) -> tuple[bool, tuple[int, str]]:
        own = any(i.axe == ctx.report for i in by_section[section])
        return (not own, _section_order(section))  # the axis's own objectives first

    for section in sorted(by_section, key=order):
        title = ctx.sections.get(section, "")
        out.append(f"<h3>{esc(section)} {esc(title)}</h3>")
        rows = [_follow_up_row(ctx, ind) for ind in by_section[section]]
        out.append(table(["Objectif du contrat", "Indicateur", "Type", "Référence", "Dernière "
                          "valeur", "Précédente", "Évolution", "Cible", "Statut", "Source"],
                         rows, numeric=(3, 4, 5, 6), css_class="suivi"))
    return Html("".join(out) or "<p>Aucun objectif pour ce rapport.</p>")


def _follow_up_row(ctx: ReportContext, ind: Indicator) -> list[object]:
    state, last, previous, level = ctx.qpv_status(ind)
    where = "" if level.niveau == "qpv" else f" ({level.libelle})"
    last_text = (ff.with_unit(last.valeur, ind.unite, last.statut) + f" ({last.annee}){where}"
                 if last else "à collecter")
    if level.niveau == "etablissement":
        last_text = _schools_text(ctx, ind)
    if last is not None and last.conflit:
        last_text += " ⚠ sources divergentes"
    prev_text = (ff.with_unit(previous.valeur, ind.unite, previous.statut)
                 + f" ({previous.annee})" if previous else "–")
    evolution = (ff.change(difference(last.valeur, previous.valeur), ind.unite)
                 if last and previous and last.statut == previous.statut == "valeur" else "–")
    reference = (ff.with_unit(ind.valeur_reference, ind.unite, ind.statut_reference)
                 + f" ({ind.annee_reference})" if ind.valeur_reference is not None else "–")
    return [ind.objectif, ind.libelle, TYPE_LABELS[ind.type], reference, last_text, prev_text,
            evolution, _target_text(ind), badge(state),
            last.source if last else f"{ind.producteur} (à fournir : {ind.partenaire})"]


def _schools_text(ctx: ReportContext, ind: Indicator) -> str:
    schools = ctx.establishments(ind.id)
    values = [p.valeur for _, p in schools if p.valeur is not None]
    year = max(p.annee for _, p in schools)
    return (f"de {ff.with_unit(min(values), ind.unite)} à {ff.with_unit(max(values), ind.unite)}"
            f" ({year}, {len(schools)} établissements)")


def schools_table(ctx: ReportContext, ind: Indicator) -> str:
    """The figure of each school of the territory's communes, lowest first."""
    rows = [[lv.libelle, lv.code, p.annee, ff.with_unit(p.valeur, ind.unite, p.statut)]
            for lv, p in sorted(ctx.establishments(ind.id), key=lambda s: s[1].valeur or 0.0)]
    sources = sorted({p.source for _, p in ctx.establishments(ind.id)})
    return table(["Établissement", "Code UAI", "Année", ind.libelle], rows, numeric=(3,),
                 css_class="etablissements",
                 caption=f"{ind.libelle}. Source : " + " ; ".join(sources))


def _target_text(ind: Indicator) -> str:
    if ind.cible is None:
        return "aucune cible fixée par le contrat"
    op = {">=": "au moins", ">": "plus de", "=": "", "<=": "au plus", "<": "moins de"}[
        ind.cible_operateur]
    value = ff.with_unit(ind.cible, ind.unite)
    when = f" en {ind.annee_cible}" if ind.annee_cible else (
        " chaque année" if ind.periodicite == "annuelle" else "")
    return f"{op} {value}{when}".strip()


def _section_order(section: str) -> tuple[int, str]:
    if section.startswith("I"):
        return (0, section)
    if section == "V":
        return (2, section)
    return (1, section)


# --------------------------------------------------------------------------- charts


def charts(ctx: ReportContext, limit: int = 12) -> Html:
    """For each indicator with figures: the QPV against wider levels, and the gaps."""
    out: list[str] = []
    inds = sorted(ctx.indicators(), key=lambda i: i.axe != ctx.report)  # own axis first
    for ind in inds:
        if len(out) >= limit:
            break
        if ctx.establishments(ind.id):
            out.append(f"<h3>{esc(ind.libelle)}</h3>" + schools_table(ctx, ind))
            continue
        qpv_points = ctx.series(ind.id, ctx.territory.qpv)
        lines = _lines(ctx, ind)
        if not any(p.valeur is not None for p in qpv_points):
            continue
        if len(lines) < 2 and sum(p.valeur is not None for p in qpv_points) < 2:
            continue
        out.append(f"<h3>{esc(ind.libelle)}</h3>" + compare(ctx, ind.id).text)
    return Html("".join(out) or "<p>Aucune série chiffrée n'est encore disponible pour les "
                                "indicateurs de ce rapport.</p>")


def compare(ctx: ReportContext, indicateur: str, niveaux: tuple[str, ...] | None = None) -> Html:
    """One indicator: a chart of the QPV against its comparison levels, and the gaps.

    Also the analyst's entry point: `report.compare(ctx, "taux_pauvrete")`.
    """
    ind = ctx.referentiel[indicateur]
    lines = [(lv, pts) for lv, pts in _lines(ctx, ind)
             if niveaux is None or lv.niveau in niveaux]
    if not lines:
        return Html(f"<p>Aucune valeur pour « {esc(ind.libelle)} ».</p>")
    png = to_png(comparison_chart(lines, ind.unite))
    levels = ", ".join(lv.libelle for lv, _ in lines)
    sources = sorted({p.source for _, pts in lines for p in pts if p.valeur is not None})
    caption = f"{ind.libelle} ({_unit_name(ind.unite)}). Sources : " + " ; ".join(sources)
    alt = f"Graphique : évolution de « {ind.libelle} » pour {levels}."
    qpv_points = ctx.series(ind.id, ctx.territory.qpv)
    return Html(figure(png, alt, caption) + _gap_table(ctx, ind, qpv_points, lines))


def _lines(ctx: ReportContext, ind: Indicator) -> list[tuple[Level, list[Point]]]:
    """The series to draw: counts are not comparable across territories of different
    sizes, so only rates, amounts and indices are drawn against other levels."""
    levels = ctx.territory.levels if ind.unite != "nombre" else (ctx.territory.qpv,)
    lines = [(lv, ctx.series(ind.id, lv)) for lv in levels]
    return [(lv, pts) for lv, pts in lines if any(p.valeur is not None for p in pts)]


def _gap_table(ctx: ReportContext, ind: Indicator, qpv: list[Point],
               lines: list[tuple[Level, list[Point]]]) -> str:
    rows = []
    for level, points in lines:
        if level.niveau == "qpv":
            continue
        year = common_year(qpv, points, ctx.annee)
        if year is None:
            continue
        a, b = value_in(qpv, year), value_in(points, year)
        if a is None or b is None or a.statut != "valeur" or b.statut != "valeur":
            continue
        gap = difference(a.valeur, b.valeur)
        rows.append([level.libelle, year, ff.with_unit(a.valeur, ind.unite),
                     ff.with_unit(b.valeur, ind.unite), ff.change(gap, ind.unite),
                     ff.ratio(ratio(a.valeur, b.valeur))])
    if not rows or ind.unite == "nombre":
        return ""
    return table(["Comparé à", "Année", ctx.territory.libelle, "Territoire de comparaison",
                  "Écart", "Rapport"], rows, numeric=(2, 3, 4, 5), css_class="ecarts",
                 caption="Écarts entre le quartier et les territoires de comparaison "
                         "(dernière année commune)")


# --------------------------------------------------------------------------- commitments


def commitments(ctx: ReportContext) -> Html:
    """The partners' commitments of Annexe 1 for this report, and their follow-up."""
    inds = [i for i in ctx.indicators() if i.section.startswith("Annexe 1")]
    if not inds:
        return Html("<p>L'annexe 1 du contrat ne comporte pas d'engagement chiffré ou daté "
                    "pour cet axe.</p>")
    rows = []
    for ind in inds:
        state, last, _, level = ctx.qpv_status(ind)
        rows.append([ind.section.removeprefix("Annexe 1 – "), ind.objectif,
                     ind.echeance or ind.cible_texte or "non précisée", _target_text(ind),
                     (ff.with_unit(last.valeur, ind.unite, last.statut)
                      + f" ({last.annee}, {level.libelle})") if last else "à collecter",
                     badge(state)])
    return Html(table(["Partenaire", "Engagement", "Échéance ou mention du contrat", "Cible",
                       "Dernière valeur", "Statut"], rows, numeric=(4,),
                      css_class="engagements"))


# --------------------------------------------------------------------------- missing data


def missing(ctx: ReportContext) -> Html:
    """What is still missing for the evaluation year, and from which partner."""
    by_partner: dict[str, list[str]] = {}
    for ind in ctx.indicators():
        state, *_ = ctx.qpv_status(ind)
        if state == A_COLLECTER:
            by_partner.setdefault(ind.partenaire, []).append(ind.libelle)
    if not by_partner:
        return Html(f"<p>Tous les indicateurs de ce rapport ont une valeur pour {ctx.annee}."
                    "</p>")
    rows = [[partner, len(items), Html(bullets(items))]
            for partner, items in sorted(by_partner.items())]
    return Html(f"<p>Indicateurs sans valeur utilisable pour {ctx.annee} (à demander aux "
                "partenaires au moyen des classeurs de collecte) :</p>"
                + table(["Partenaire", "Nombre", "Indicateurs"], rows, numeric=(1,),
                        css_class="manquants"))


# --------------------------------------------------------------------------- methods


def methods(ctx: ReportContext) -> Html:
    """Definitions, producers, releases, reference years, geography and caveats."""
    rows = []
    for ind in ctx.indicators():
        sub = ctx.store[ctx.store["indicateur"] == ind.id]
        if sub.empty:
            continue
        releases = sorted({m for text in sub["millesime"] for m in text.split(" | ") if m})
        years = sorted(set(int(a) for a in sub["annee"]))
        geos = sorted({g for g in sub["geographie"] if g}) or ["—"]
        rows.append([ind.libelle, ind.definition, ind.producteur, ind.source,
                     ", ".join(releases), _span(years), ", ".join(geos)])
    parts = ["<p>Chaque chiffre vient d'un fichier de <code>data/raw/</code> cité dans le "
             "stock <code>data/processed/observations.csv</code> (fichier, ligne, colonne). "
             "L'année indiquée est l'année que décrit la donnée, jamais l'année de "
             "publication (voir <code>docs/millesimes.md</code>).</p>"]
    if rows:
        parts.append(table(["Indicateur", "Définition", "Producteur", "Source",
                            "Publications", "Années", "Géographie"], rows,
                           css_class="methodes"))
    parts.append("<h3>Précautions de lecture</h3>" + bullets(_caveats(ctx)))
    return Html("".join(parts))


def _caveats(ctx: ReportContext) -> list[str]:
    notes = []
    inds = {i.id for i in ctx.indicators()}
    sub = ctx.store[ctx.store["indicateur"].isin(inds)]
    qpv = sub[sub["niveau"] == "qpv"]
    secret = int((qpv["statut"] == "secret").sum())
    if secret:
        notes.append(f"{secret} valeur(s) du quartier ne sont pas publiées par le producteur "
                     "(secret statistique ou effectif trop faible) : elles apparaissent "
                     "« secret », jamais comme zéro.")
    small = qpv[(qpv["valeur"] < SMALL_COUNT) & qpv["indicateur"].map(
        lambda i: ctx.referentiel[i].unite == "nombre")]
    if not small.empty:
        notes.append(f"{len(small)} effectif(s) du quartier sont inférieurs à {SMALL_COUNT} : "
                     "leurs variations d'une année sur l'autre sont fragiles.")
    flagged = int((qpv["qualite"].str.startswith("NOTE_")).sum())
    if flagged:
        notes.append(f"{flagged} valeur(s) portent une note de qualité du producteur "
                     "(colonne « qualite » du stock) : à interpréter avec prudence.")
    conflicts = sub[sub["conflit"] == "oui"]
    if not conflicts.empty:
        notes.append(f"{len(conflicts)} valeur(s) sont données différemment par deux sources ; "
                     "le rapport montre la plus récente et la signale (⚠). Détail : "
                     "data/processed/conflits.csv.")
    notes.append("Le périmètre du quartier a changé : la géographie prioritaire 2024 (décret "
                 "2024-806) compte environ 4 400 habitants contre 5 400 dans celle de 2015. "
                 "Les séries de ce rapport portent sur la géographie "
                 f"{ctx.territory.qpv.geographie[3:]} et ne sont jamais raccordées à l'autre.")
    notes.append("Les valeurs « France » du contrat ne précisent pas s'il s'agit de la France "
                 "entière ou métropolitaine ; les fichiers Filosofi portent sur la France "
                 "métropolitaine.")
    return notes


def _span(years: list[int]) -> str:
    if not years:
        return "–"
    return str(years[0]) if len(years) == 1 else f"{years[0]} à {years[-1]}"


def _level_name(niveau: str) -> str:
    return {"commune": "commune", "epci": "EPCI", "departement": "département",
            "region": "région", "ensemble_qpv": "ensemble des QPV"}.get(niveau, niveau)


def _unit_name(unit: str) -> str:
    return {"pourcentage": "en %", "euros": "en euros", "nombre": "nombre",
            "ratio": "rapport", "indice": "indice", "booleen": "oui/non"}[unit]


def _status_counts(ctx: ReportContext, inds: list[Indicator]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for ind in inds:
        counts[ctx.qpv_status(ind)[0]] += 1
    return counts


# --------------------------------------------------------------------------- changes


def changes(ctx: ReportContext) -> Html:
    """New and revised figures since the previous store, on this territory's levels."""
    path = ctx.paths.processed / "changements.csv"
    if not path.exists():
        return Html("<p>Aucun stock précédent n'a été conservé : rien à comparer pour cet "
                    "exercice.</p>")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    keys = {f"{lv.niveau}|{lv.code}" for lv in ctx.territory.levels}
    local = frame[(frame["niveau"] + "|" + frame["code"]).isin(keys)
                  | frame["niveau"].isin(["perimetre_partenaire"])]
    counts = frame["nature"].value_counts()
    summary = ", ".join(f"{ff.number(int(counts[n]))} {n}(s)" for n in sorted(counts.index))
    summary = summary or "aucun changement"
    parts = [f"<p>Depuis le stock précédent (tous territoires) : {esc(summary)}. Sur "
             f"{esc(ctx.territory.libelle)} et ses territoires de comparaison :</p>"]
    rows = []
    for row in local.itertuples(index=False):
        ind = ctx.referentiel.indicators.get(row.indicateur)
        unit = ind.unite if ind else "nombre"

        def show(text: str, unit: str = unit) -> str:
            return " ≠ ".join(ff.with_unit(float(v), unit) for v in text.split(" ≠ ")) \
                if text else "–"
        rows.append([row.nature, ind.libelle if ind else row.indicateur,
                     row.libelle_territoire or row.code, row.annee, show(row.avant),
                     show(row.apres), row.source])
    if not rows:
        parts.append("<p>Aucun chiffre nouveau ou révisé.</p>")
    else:
        parts.append(table(["Nature", "Indicateur", "Territoire", "Année", "Avant", "Après",
                            "Source"], rows, numeric=(4, 5), css_class="changements"))
    return Html("".join(parts))


# --------------------------------------------------------------------------- contexte


SECTION_I_TABLES = (
    ("Caractéristiques démographiques", ("france", "commune", "qpv"),
     ("part_hommes", "part_femmes", "part_moins_25_ans", "part_familles_monoparentales")),
    ("Allocataires de la CAF et demandeurs d'emploi", ("commune", "qpv"),
     ("population", "foyers_allocataires_caf", "allocataires_rsa_socle",
      "allocataires_prime_activite", "population_couverte_caf", "demandeurs_emploi_abcde",
      "demandeurs_emploi_abcde_femmes", "demandeurs_emploi_abcde_hommes")),
    ("Caractéristiques socio-économiques", ("france", "commune", "qpv"),
     ("taux_pauvrete", "taux_bas_revenus", "taux_emploi_15_64", "taux_emploi_15_64_hommes",
      "taux_emploi_15_64_femmes", "taux_chomage", "part_logements_sociaux",
      "part_locataires")),
)


def section_i_tables(ctx: ReportContext) -> Html:
    """The contract's section I tables, rebuilt from the store for the year it cites."""
    out = []
    for title, niveaux, ids in SECTION_I_TABLES:
        levels = [_level_for(ctx, n) for n in niveaux]
        rows = []
        for indicator_id in ids:
            ind = ctx.referentiel[indicator_id]
            year = ind.annee_reference
            cells: list[object] = [ind.libelle, year or "–"]
            for level in levels:
                point = value_in(ctx.series(ind.id, level), year) if year and level else None
                cells.append(ff.with_unit(point.valeur, ind.unite, point.statut)
                             if point else "–")
            rows.append(cells)
        out.append(table(["Indicateur", "Année"] + [lv.libelle if lv else "–" for lv in levels],
                         rows, caption=title, numeric=tuple(range(2, 2 + len(levels))),
                         css_class="section-i"))
    return Html("".join(out))


def _level_for(ctx: ReportContext, niveau: str) -> Level | None:
    if niveau == "france":
        return Level("france", "FR", "France")
    return ctx.territory.level(niveau)


def time_series_table(ctx: ReportContext, ids: tuple[str, ...] | None = None) -> Html:
    """The quarter's figures year by year: the section I portrait extended in time."""
    ids = ids or tuple(i.id for i in ctx.indicators() if i.axe == "contexte")
    qpv = ctx.territory.qpv
    data = {i: {p.annee: p for p in ctx.series(i, qpv) if p.annee <= ctx.annee} for i in ids}
    years = sorted({y for points in data.values() for y in points})
    rows = []
    for indicator_id in ids:
        if not data[indicator_id]:
            continue
        ind = ctx.referentiel[indicator_id]
        rows.append([ind.libelle] + [
            ff.with_unit(data[indicator_id][y].valeur, ind.unite, data[indicator_id][y].statut)
            if y in data[indicator_id] else "" for y in years])
    return Html(table(["Indicateur"] + [str(y) for y in years], rows,
                      numeric=tuple(range(1, len(years) + 1)), css_class="series",
                      caption=f"{ctx.territory.libelle} : valeurs par année de référence"))


# --------------------------------------------------------------------------- synthèse


def axes_overview(ctx: ReportContext) -> Html:
    """Every axis at a glance: statuses and completeness for the evaluation year."""
    rows = []
    groups = [(a, REPORTS[a]) for a in AXES] + [("transversal", "Axes transversaux et "
                                                 "thématiques complémentaires"),
                                                ("gouvernance", "Gouvernance"),
                                                ("contexte", "Contexte")]
    for axe, title in groups:
        inds = [i for i in ctx.referentiel.indicators.values() if i.axe == axe]
        counts = _status_counts(ctx, inds)
        filled = len(inds) - counts[A_COLLECTER]
        rows.append([title, len(inds)] + [counts[s] for s in STATUSES]
                    + [f"{ff.number(100 * filled / len(inds), 0)}{ff.NBSP}%" if inds else "–"])
    return Html(table(["Axe", "Indicateurs"] + [s for s in STATUSES] + ["Complétude"], rows,
                      numeric=tuple(range(1, 8)), css_class="synthese",
                      caption=f"Statut des indicateurs en {ctx.annee}"))


def all_statuses(ctx: ReportContext) -> Html:
    """Every indicator of the référentiel with its status, grouped by axis."""
    out = []
    for axe in (*AXES, "transversal", "gouvernance"):
        inds = [i for i in ctx.referentiel.indicators.values() if i.axe == axe]
        rows = []
        for ind in inds:
            state, last, _, level = ctx.qpv_status(ind)
            rows.append([ind.section, ind.libelle, TYPE_LABELS[ind.type],
                         (ff.with_unit(last.valeur, ind.unite, last.statut) + f" ({last.annee})")
                         if last else "–", _target_text(ind), badge(state), ind.partenaire])
        title = REPORTS.get(axe, {"transversal": "Axes transversaux",
                                  "gouvernance": "Gouvernance"}.get(axe, axe))
        out.append(f"<h3>{esc(title)}</h3>" + table(
            ["Section", "Indicateur", "Type", "Dernière valeur", "Cible", "Statut",
             "Partenaire"], rows, numeric=(3,), css_class="statuts"))
    return Html("".join(out))


def milestones(ctx: ReportContext) -> Html:
    """The contract's milestones: mid-term evaluation 2027, final evaluation 2030."""
    rows = []
    for ind in ctx.referentiel.indicators.values():
        if ind.axe != "gouvernance" or ind.annee_cible is None:
            continue
        state, last, _, _ = ctx.qpv_status(ind)
        remaining = ind.annee_cible - ctx.annee
        when = (f"dans {remaining} an{'s' if remaining > 1 else ''}" if remaining > 0 else
                "cette année" if remaining == 0 else f"échue depuis {-remaining} an(s)")
        rows.append([ind.annee_cible, ind.libelle, ind.cible_texte, when, badge(state)])
    yearly = [i for i in ctx.referentiel.indicators.values()
              if i.axe == "gouvernance" and i.annee_cible is None and i.echeance]
    rows += [["chaque année", i.libelle, i.echeance, "", badge(ctx.qpv_status(i)[0])]
             for i in yearly]
    return Html(table(["Échéance", "Jalon", "Ce que dit le contrat", "Délai", "Statut"],
                      sorted(rows, key=lambda r: str(r[0])), css_class="jalons"))
