"""The sections every axis report shares, in their order: one call from an axis notebook.

An axis notebook (emancipation, emploi, tranquillite, transition) carries what is its
axis's own (its introduction, any section of its own, its parameters) and calls
`axis_report(ctx)` for the rest: the header, then each shared section as a heading
with its lead paragraph (shown exactly as a markdown cell of the notebook would be:
`Markdown` outputs) and its fragment. A section added here appears in the four axis
reports at once. The analyses proper to each axis are data (config/analyses.toml,
`report.analysis`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .analysis import axis_analysis
from .comparisons import comparison_charts
from .context import ReportContext
from .followup import commitments, missing, objectives
from .html import Html, Markdown
from .impact_sections import impact
from .messages import header, key_messages
from .methods_sections import methods


@dataclass(frozen=True)
class Section:
    """A section of a report: its second-level heading, the paragraph under it (if
    any, in markdown), and the function that writes its fragment."""

    title: str
    lead: str
    render: Callable[[ReportContext], Html]

    def heading(self) -> Markdown:
        """The heading and its lead, as the notebook's markdown cell wrote them."""
        return Markdown(f"## {self.title}\n\n{self.lead}" if self.lead else f"## {self.title}")


AXIS_SECTIONS: tuple[Section, ...] = (
    Section("Messages clés",
            "Écrits à partir des données, classés selon ce dont parle le contrat (pauvreté, "
            "emploi, jeunes, familles, sécurité, logement), jamais selon la taille d'un "
            "écart. Une évolution est dite stable quand elle reste dans le bruit de la "
            "source.", key_messages),
    Section("Objectifs du contrat et indicateurs",
            "Chaque indicateur est suivi sur son périmètre (le quartier, la commune, le "
            "périmètre du partenaire) quand la donnée existe. Le statut compare la dernière "
            "valeur à la cible **seulement quand le contrat en fixe une, sur le même "
            "périmètre et la même période** : *atteint*, *en bonne voie*, *en retard*, "
            "*non comparable* (la raison est écrite), *à venir* (échéance pas encore "
            "échue), *sans cible* (un chiffre a été reçu, le contrat ne fixe pas de "
            "cible), *à collecter* (aucun chiffre reçu pour juger la cible ; sans cible, "
            "aucun chiffre reçu du tout : ceux que cite le contrat décrivent le départ), *non "
            "applicable* (engagement portant sur une autre commune). Un indicateur sans "
            "chiffre pour l'année, quel que soit son statut, est dans « Ce qui manque "
            "encore ».", objectives),
    Section("Analyse de l'axe",
            "Les indicateurs de l'axe lus ensemble : le quartier, sa commune et l'ensemble "
            "des quartiers prioritaires, et leur évolution.", axis_analysis),
    Section("Situation de départ : le quartier parmi les quartiers prioritaires",
            "Le quartier parmi tous les quartiers prioritaires, et son évolution comparée à "
            "celles des autres QPV : des écarts d'évolution, pas un effet du contrat (voir "
            "les limites en fin de partie).", impact),
    Section("Le quartier comparé aux autres territoires",
            "Pour chaque indicateur chiffré, le quartier (trait épais) est comparé à la "
            "commune, à l'EPCI, au département, à la région, à la France et à l'ensemble "
            "des quartiers prioritaires, selon les données disponibles. Les écarts sont "
            "donnés en différence et en rapport.", comparison_charts),
    Section("Engagements des partenaires (annexe 1)", "", commitments),
    Section("Ce qui manque encore", "", missing),
    Section("Méthodes et sources", "", methods),
)


def axis_parts(ctx: ReportContext,
               sections: tuple[Section, ...] = AXIS_SECTIONS) -> list[Html | Markdown]:
    """The outputs of an axis report's shared part, in order: the header, then each
    section's heading and fragment."""
    parts: list[Html | Markdown] = [header(ctx)]
    for section in sections:
        parts += [section.heading(), section.render(ctx)]
    return parts


def axis_report(ctx: ReportContext, sections: tuple[Section, ...] = AXIS_SECTIONS) -> None:
    """Show the shared part of an axis report in the notebook, one output per heading
    and per fragment (as the cells of a notebook would)."""
    from IPython.display import display  # noqa: PLC0415 - only a notebook displays

    for part in axis_parts(ctx, sections):
        display(part)  # type: ignore[no-untyped-call]
