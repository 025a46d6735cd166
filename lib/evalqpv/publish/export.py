"""An executed notebook turned into an offline, code-free HTML report.

The nbconvert template (templates/rapport/) has no script and no external resource; the
table of contents lists the notebook's second-level headings.
"""

from __future__ import annotations

from functools import cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .. import __version__
from ..settings import ProjectPaths, load_contract
from ..store.fingerprint import input_entries
from ..territory import resolve_territory
from ..vocabulary import REPORT_TITLES
from .jobs import Job

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
STYLE = TEMPLATES / "rapport" / "style.css"
OTHER_QUARTER_LINE = "Politique de la ville – évaluation d'un quartier prioritaire"


class _Headings(HTMLParser):
    """Collects the id and the text of every <h2> of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._id: str | None = None
        self._text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._id, self._text = dict(attrs).get("id") or "", []
        elif tag == "a" and self._id is not None:
            self._skip += 1  # nbconvert's anchor link (¶) is not part of the title

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._skip:
            self._skip -= 1
        elif tag == "h2" and self._id is not None:
            self.found.append((self._id, escape("".join(self._text).strip(), quote=False)))
            self._id = None

    def handle_data(self, data: str) -> None:
        if self._id is not None and not self._skip:
            self._text.append(data)


def table_of_contents(nb: Any) -> list[tuple[str, str]]:
    """(anchor, title) of each second-level heading of the notebook's markdown cells."""
    from nbconvert.filters.markdown import markdown2html  # noqa: PLC0415

    parser = _Headings()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parser.feed(markdown2html(cell.source))
    return parser.found


def contract_line(paths: ProjectPaths, territoire: str) -> str:
    """The line above a report's title: the contract's name, for its own quarter only."""
    contract = load_contract(paths)
    return contract.nom if territoire == contract.territoire else OTHER_QUARTER_LINE


@cache
def exporter() -> Any:
    """The HTML exporter, its template compiled once per process (a warm process compiles
    it before forking, so that no notebook pays for it)."""
    from nbconvert import HTMLExporter  # noqa: PLC0415

    made = HTMLExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="rapport",
                        exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)
    made.template  # noqa: B018 - the property loads and compiles the template
    return made


def to_html(nb: Any, job: Job) -> str:
    """Convert an executed notebook with the offline, code-free report template."""
    paths = ProjectPaths(job.root)
    territoire = str(job.parameters["territoire"])
    territory = resolve_territory(territoire, paths)
    entries = input_entries(paths)
    resources = {"rapport": {
        "titre": REPORT_TITLES.get(job.name, job.name),
        "contrat": contract_line(paths, territoire),
        "territoire": f"{territory.libelle} ({territory.code})", "annee": job.parameters["annee"],
        "toc": table_of_contents(nb), "css": STYLE.read_text(encoding="utf-8"),
        "version": __version__,
        "parametres": sorted(job.parameters.items()) + [("rapport", job.name)],
        "entrees": sorted(entries.items())}}
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    return str(body)
