"""The quarter's position among QPV in one line per indicator: the committee's table
of the synthesis and the head row of each axis."""

from __future__ import annotations

from dataclasses import dataclass

from .. import frenchnumbers as fn
from ..referentiel import Indicator
from ..vocabulary import COMMUNE
from . import counterfactual as cf
from .context import ReportContext
from .html import Html, table
from .impact_data import ImpactData, impact_data, indicator_table
from .impact_sections import cell_words, impact_indicators, ranked
from .indicators import is_contract_figure, value_in
from .trends import RATE_NOISE, RELATIVE_NOISE
from .wording import lower_first

POSITION_GROUPS = (("qpv_departement", "Médiane des QPV du département"),
                   ("qpv_comparables", "Médiane des QPV comparables"),
                   ("ensemble_qpv", "Médiane de tous les QPV"))
GROUP_SHORT = {"qpv_departement": "du département", "qpv_comparables": "comparables",
               "ensemble_qpv": "de tous les QPV"}


@dataclass(frozen=True)
class Position:
    """Where the quarter stands among QPV on one indicator, at the latest year published
    for all: its value, each group's median (None: group not ranked), the share of all
    QPV below it, and its latest change beside all QPV's median change."""

    ind: Indicator
    annee: int
    valeur: float
    medians: dict[str, float | None]
    below: float
    change: tuple[int, int, str, str] | None  # start, end, quarter's, median's (in words)
    stable: bool = False  # the quarter's change stays within the source's noise

    def value_words(self) -> str:
        return cell_words(self.valeur, self.ind.unite)


def position(ctx: ReportContext, data: ImpactData, ind: Indicator) -> Position | None:
    """The quarter's position on `ind` (as `compared` gives it), or None when it is not
    ranked among all QPV."""
    tab = indicator_table(ctx, data, ind)
    positions = tab[tab["annee_debut"].isna()]
    if positions.empty:
        return None
    year = int(positions["annee"].max())
    now = positions[positions["annee"] == year].set_index("groupe")
    if "ensemble_qpv" not in now.index:
        return None
    medians = {g: (float(str(now.loc[g, "mediane_groupe"])) if g in now.index else None)
               for g, _ in POSITION_GROUPS}
    changes = tab[tab["annee_debut"].notna() & (tab["groupe"] == "ensemble_qpv")]
    change, stable = None, False
    if not changes.empty:
        last = changes.sort_values(["annee", "annee_debut"]).iloc[-1]
        relative = last["mesure_variation"] == "relative"
        unit = "pourcentage" if ind.unite == cf.RATE_UNIT else ind.unite
        own = float(str(last["variation_quartier"]))
        change = (int(last["annee_debut"]), int(last["annee"]),
                  fn.change(own, unit, relative=relative),
                  fn.change(float(str(last["variation_mediane"])), unit, relative=relative))
        stable = abs(own) < (100 * RELATIVE_NOISE if relative else
                             RATE_NOISE if unit == "pourcentage" else 0.0)
    return Position(ind, year, float(str(now.loc["ensemble_qpv", "valeur_quartier"])),
                    medians, float(str(now.loc["ensemble_qpv", "part_inferieure"])), change,
                    stable)


def position_summary(ctx: ReportContext) -> Html:
    """The quarter among QPV in one table, for the committee: for each indicator the
    contract is about (a count as its rate per 100 inhabitants), its latest published
    value, the medians of the QPV of its département, of the comparable QPV and of all
    QPV, the share of QPV below it, and its change against all QPV's median. The charts,
    every group and the method are in the annexes."""
    data = impact_data(ctx)
    rows: list[list[object]] = []
    for ind in impact_indicators(ctx, data):
        pos = position(ctx, data, ind)
        if pos is None:
            continue
        cells: list[object] = [f"{ind.libelle} ({pos.annee})", pos.value_words()]
        cells += [cell_words(m, ind.unite) if m is not None else "–" for m in pos.medians.values()]
        cells.append(f"{fn.number(pos.below, 0)}{fn.NBSP}%")
        cells.append("–" if pos.change is None else
                     f"{pos.change[0]}-{pos.change[1]} : quartier "
                     + (f"stable ({pos.change[2]})" if pos.stable else pos.change[2])
                     + f", évolution médiane {pos.change[3]}")
        rows.append(cells)
    if not rows:
        return Html("<p>Aucun indicateur publié pour l'ensemble des quartiers prioritaires "
                    "ne permet de situer le quartier parmi eux.</p>")
    return Html(table(["Indicateur (année)", ctx.territory.libelle,
                       *[label for _, label in POSITION_GROUPS],
                       "Part des QPV au chiffre plus bas", "Évolution du quartier et "
                       "évolution médiane de tous les QPV"], rows, numeric=tuple(range(1, 7)),
                      css_class="position",
                      name="quartier-parmi-les-qpv",
                      caption="Le quartier parmi les quartiers prioritaires, à la dernière "
                      "année publiée pour tous"))


def axis_position(ctx: ReportContext, axe: str) -> str | None:
    """One sentence placing the quarter among QPV on an axis, for the committee's table:
    the first indicator the contract is about on this axis (else the axis's own impact
    indicator) that is ranked among all QPV. None when the axis has none."""
    data = impact_data(ctx)
    about = [ctx.referentiel[i] for i in ctx.contract.messages if i in ctx.referentiel]
    candidates = ranked(ctx, data, [i for i in about if i.in_report(axe)]) + ranked(
        ctx, data, [i for i in ctx.indicators() if i.axe == axe and i.type == "impact"])
    for ind in candidates:
        pos = position(ctx, data, ind)
        if pos is None:
            continue
        medians = ", ".join(f"{GROUP_SHORT[g]} {cell_words(m, ind.unite)}"
                            for g, m in pos.medians.items() if m is not None)
        text = f"{lower_first(ind.libelle)} : {pos.value_words()} en {pos.annee}"
        commune = ctx.territory.level(COMMUNE)
        other = None if ind.unite == cf.RATE_UNIT or commune is None else value_in(
            ctx.published_first(ind.id, commune), pos.annee)
        if commune is not None and other is not None and other.valeur is not None:
            text += (f" ({commune.libelle} : {fn.with_unit(other.valeur, ind.unite, other.statut)}"
                     + (", chiffre du contrat" if is_contract_figure(other) else "") + ")")
        text += f" ; médiane des QPV {medians}"
        if pos.change is not None:
            start, end, own, median = pos.change
            own = f"stable ({own})" if pos.stable else own
            text += (f" ; de {start} à {end}, quartier {own}, évolution médiane de tous les "
                     f"QPV {median}")
        return text
    return None
