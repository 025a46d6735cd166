"""The browser check's budgets and verdicts (publish/browser.py), as pure functions:
the A4 page budget of each report, the weight of a page and of the year's set, and what
the browser found (axe-core's violations, a page wider than the screen, columns cut on
paper, a PDF too long, the first screen) written as French failures. Standard library
only, like the check itself."""

from __future__ import annotations

import csv
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..frenchnumbers import count
from ..frenchnumbers import number as french_number
from ..vocabulary import partner_stem

# A4 pages when printed: what a committee member may be asked to read on paper.
# Measured on the year where every partner answered (tests/fixtures/annee_complete: a
# value for every indicator the référentiel asks a partner for), the longest a page gets:
# index 2, contexte 6, emancipation 15, emploi 17, tranquillite 7, transition 6,
# synthese 5, annexes 15, a partner's page 4. The budgets leave a page for the content to
# grow, no more (the synthesis: the committee's six pages): a report that outgrows them
# is one to shorten, not a budget to raise. Reference tables (definitions, producers,
# unverifiable claims) open on screen and are not printed.
PAGE_BUDGETS = {"index": 2, "contexte": 9, "emancipation": 17, "emploi": 18,
                "tranquillite": 8, "transition": 7, "synthese": 6, "annexes": 17}
# A partner's page (reports/<annee>/partenaires/<partenaire>.html) lists what it owes:
# its budget follows from the référentiel, four pages and one for every ten indicators
# (85 indicators: 11 pages on the full year; a partner of 3: 2 pages).
PARTNER_PAGE_BASE, PARTNER_INDICATORS_PER_PAGE = 4, 10
# Weight of a page, and of the year's reports together (what is e-mailed), on the same
# full year: emancipation 303 KB, emploi 310 KB; 1,33 MB for the eight pages.
MAX_PAGE_BYTES = 350_000
MAX_SET_BYTES = 1_500_000
TILE_HEIGHT = 2400  # CSS px per screenshot tile
PARTNERS = "partenaires"  # the partners' pages, beside the year's reports
# The index of a perimeter (reports/<annee>/perimetres/<p>.html): its header and map take
# three A4 pages, and its table one more for every 25 quarters.
PERIMETERS = "perimetres"
PERIMETER_PAGE_BASE, PERIMETER_QUARTERS_PER_PAGE = 3, 25
# Its weight: a page's, and 200 bytes more per quarter its table lists (measured on the
# shipped data: France, 1 400 rows and its map, 594 KB; Île-de-France 243 KB; 92, 55 KB).
PERIMETER_BYTES_PER_QUARTER = 200
# What a page must show on its first screen at 1 280 px, without scrolling: the
# committee's answer (the contract's targets and their status) on the synthesis.
FIRST_SCREEN = {"synthese": "table.decision"}
# The printable width of an A4 page at the reports' margins (210 mm - 2 x 12 mm, at
# 96 px per inch): laid out at this width under print media, nothing may stick out of
# the page or of a box that clips it (a table that scrolls on screen is cut on paper).
PRINT_WIDTH = round((210 - 2 * 12) / 25.4 * 96)
IMPACT_FR = {"critical": "critique", "serious": "grave", "moderate": "modéré",
             "minor": "mineur"}


@dataclass
class PageResult:
    """What the browser found on one page."""

    path: Path
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures


# --------------------------------------------------------------------------- budgets


def page_budget(html: Path) -> int:
    """The PDF page budget of a report (its file name says which; a partner's page is
    in partenaires/)."""
    if html.parent.name == PARTNERS:
        owed = owed_by(html)
        return PARTNER_PAGE_BASE + -(-owed // PARTNER_INDICATORS_PER_PAGE)
    if html.parent.name == PERIMETERS:
        rows = html.read_text(encoding="utf-8").count("<code>QP")
        return PERIMETER_PAGE_BASE + -(-rows // PERIMETER_QUARTERS_PER_PAGE)
    return PAGE_BUDGETS.get(html.stem, max(PAGE_BUDGETS.values()))


def owed_by(page: Path) -> int:
    """How many indicators of the project's référentiel the partner of a page owes."""
    for folder in page.resolve().parents:
        referentiel = folder / "config" / "referentiel.csv"
        if referentiel.is_file():
            with referentiel.open(encoding="utf-8", newline="") as handle:
                return sum(partner_stem(row.get("partenaire", "")) == page.stem
                           for row in csv.DictReader(handle))
    return 0


def first_screen_failures(name: str, selector: str, bottom: float | None,
                          height: int) -> list[str]:
    """The element (its caption, header and first row) must end within the first screen."""
    if bottom is None:
        return [f"{name} : « {selector} » est absent de la page."]
    if bottom > height:
        return [f"{name} : le début de « {selector} » finit à {bottom:.0f} px, au-delà du "
                f"premier écran ({height} px) : il faut faire défiler pour le voir."]
    return []


def size_failures(pages: list[Path]) -> list[str]:
    """Pages heavier than MAX_PAGE_BYTES, and the year's reports (a partner's page is
    sent on its own) heavier than MAX_SET_BYTES together."""
    out = [f"{p.name} pèse {ko(p.stat().st_size)} (maximum {ko(byte_budget(p))})."
           for p in pages if p.stat().st_size > byte_budget(p)]
    total = sum(p.stat().st_size for p in pages if p.parent.name not in (PARTNERS, PERIMETERS))
    if total > MAX_SET_BYTES:
        out.append(f"L'ensemble des pages pèse {ko(total)} (maximum {ko(MAX_SET_BYTES)}).")
    return out


def byte_budget(html: Path) -> int:
    """MAX_PAGE_BYTES; a perimeter's index lists every quarter of its perimeter, so its
    weight may grow with them (PERIMETER_BYTES_PER_QUARTER), as its page budget does."""
    if html.parent.name == PERIMETERS:
        rows = html.read_text(encoding="utf-8").count("<code>QP")
        return MAX_PAGE_BYTES + PERIMETER_BYTES_PER_QUARTER * rows
    return MAX_PAGE_BYTES


def ko(size: int) -> str:
    return f"{french_number(size / 1000)}\u00a0Ko"


def axe_failures(violations: dict[str, dict[str, Any]], widths: int) -> list[str]:
    """axe-core's violations in French, the most serious first."""
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    out = []
    for v in sorted(violations.values(), key=lambda v: (order.get(v["impact"], 9), v["id"])):
        where = "" if len(v["widths"]) == widths else \
            f" [à {'/'.join(v['widths'])} px seulement]"
        out.append(f"axe-core : {v['id']} (impact {IMPACT_FR.get(v['impact'], v['impact'])}, "
                   f"{count(v['nodes'], 'élément')}, ex. {v['target']}){where} : {v['help']}")
    return out


def overflow_failures(label: str, width: int, found: dict[str, Any]) -> list[str]:
    out = []
    if found["layoutWidth"] > width:
        out.append(f"À {label} px, la page est mise en page sur {found['layoutWidth']} px : "
                   "balise <meta name=\"viewport\"> absente ou inopérante.")
    if found["scrollWidth"] > width:
        culprits = " ; ".join(found["culprits"])
        out.append(f"Défilement horizontal à {label} px : la page fait "
                   f"{found['scrollWidth']} px de large" + (f" (en cause : {culprits})"
                                                           if culprits else "") + ".")
    return out


def print_clip_failures(name: str, clipped: list[str]) -> list[str]:
    """What printing cuts on the right of an A4 page (JS_PRINT_CLIP's findings)."""
    if not clipped:
        return []
    return [f"Impression : des colonnes sortent de la page A4 dans {name} ("
            + " ; ".join(clipped) + ")."]


def pdf_failures(pages: int, budget: int, name: str) -> list[str]:
    if pages < 1:
        return [f"Impression : le PDF de {name} est vide."]
    if pages > budget:
        return [f"Impression : {pages} pages A4 pour un maximum de {budget} ({name})."]
    return []


def count_pdf_pages(pdf: Path) -> int:
    try:
        reader = importlib.import_module("pypdf").PdfReader(str(pdf))
        return len(reader.pages)
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))
