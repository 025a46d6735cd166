"""An executed notebook turned into an offline, code-free HTML report.

The nbconvert template (templates/rapport/) has no script and no external resource. On
top of every page: the contract, the report's title, the quarter, its commune and the
year, links to the year's index and to the other reports, and a table of contents (the
notebook's second-level headings). At the end: the acronyms the page uses, spelled out
(config/contrat.toml [glossaire]), then a technical annex (provenance, parameters,
hashes, version) that keeps developer words off the reader's pages. The stylesheet is
written once per page, without the rules the page does not use; print rules give A4
pages with the quarter and the year on top and page numbers below.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .. import __version__
from ..contract_settings import Contract, load_contract
from ..settings import ProjectPaths
from ..store.fingerprint import input_entries
from ..store.tables import resolve_territory
from ..territory import Territory
from ..vocabulary import COMMUNE, REPORT_NAMES, REPORT_TITLES
from .jobs import Job

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
STYLE = TEMPLATES / "rapport" / "style.css"
OTHER_QUARTER_LINE = "Politique de la ville – évaluation d'un quartier prioritaire"
GLOSSARY_ANCHOR = "sigles"


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
    """(anchor, title) of each second-level heading of the notebook's markdown, in page
    order: its markdown cells and the markdown its code cells display (report.axis)."""
    from nbconvert.filters.markdown import markdown2html  # noqa: PLC0415

    parser = _Headings()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parser.feed(markdown2html(cell.source))
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown")
            if text is not None and "text/html" not in output.get("data", {}):
                parser.feed(markdown2html(text))
    return parser.found


def contract_line(paths: ProjectPaths, territoire: str) -> str:
    """The line above a report's title: the contract's name, for its own quarter only."""
    return _contract_line(load_contract(paths), territoire)


def _contract_line(contract: Contract, territoire: str) -> str:
    return contract.nom if territoire == contract.territoire else OTHER_QUARTER_LINE


def short_title(name: str) -> str:
    """A report's name in the links between reports, the word of its file: « Axe 2 :
    Emploi » (emploi.html), « Contexte » (contexte.html)."""
    title, word = REPORT_TITLES.get(name, name), REPORT_NAMES.get(name, name)
    return f"{title.split(' – ')[0]} : {word}" if title.startswith("Axe ") else word


def report_links(current: str) -> list[tuple[str, str, bool]]:
    """(file stem, short title, is this page) of every report of the year."""
    return [(name, short_title(name), name == current) for name in REPORT_TITLES]


def commune_of(territory: Territory) -> str:
    level = territory.level(COMMUNE)
    return level.libelle if level else ""


def css_string(text: str) -> str:
    """A CSS string literal (for the running header of printed pages)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def print_header(left: str, right: str) -> str:
    """The running header of every printed page: the quarter and the year on the left,
    the report on the right (page numbers are in the stylesheet)."""
    style = "font-size: 8pt; color: #444;"
    return (f"@page {{ @top-left {{ content: {css_string(left)}; {style} }} "
            f"@top-right {{ content: {css_string(right)}; {style} }} }}")


@cache
def exporter() -> Any:
    """The HTML exporter, its template compiled once per process (a warm process compiles
    it before forking, so that no notebook pays for it).

    nbconvert validates the notebook after each of its eleven preprocessors, none of which
    changes these notebooks (no tag or pattern to remove, no input shown): with
    `optimistic_validation` it validates once, after the last one, and still refuses an
    invalid notebook.

    It is nbconvert's HTMLExporter without its BeautifulSoup round trip, which costs
    0,03-0,04 s per page and changes nothing here but the serialisation, reproduced byte
    for byte (publish/soupless.py)."""
    from .soupless import SouplessHTMLExporter  # noqa: PLC0415

    made = SouplessHTMLExporter(extra_template_basedirs=[str(TEMPLATES)],
                                template_name="rapport", exclude_input=True,
                                exclude_input_prompt=True, exclude_output_prompt=True,
                                optimistic_validation=True)
    made.template  # noqa: B018 - the property loads and compiles the template
    return made


_SAMPLE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>t</title>'
               '<path d="M0 0L1 1"/><text x="1" y="2">QPV</text></svg>')
_SAMPLE_HTML = ('<div class="tableau"><table><caption id="t1">Tableau</caption><thead><tr>'
                '<th scope="col">A</th></tr></thead><tbody><tr><td data-label="A">1&nbsp;%'
                '</td></tr></tbody></table></div><figure class="graphique">'
                f'{_SAMPLE_SVG}</figure>')


def warm() -> None:
    """Everything a page's export loads or compiles on first use, done once in the warm
    process before it forks: the templates the report's template extends, the notebook
    schema's validator, the markdown renderer, the page serialiser and the regexes of the
    glossary and the stylesheet. A page exported afterwards is the same, byte for byte
    (nothing here is kept but caches)."""
    import nbformat  # noqa: PLC0415
    from nbformat.v4 import (  # noqa: PLC0415
        new_code_cell,
        new_markdown_cell,
        new_notebook,
        new_output,
    )

    nb = new_notebook(cells=[
        new_markdown_cell("## Titre\n\nUn *texte* et une [référence](#titre)."),
        new_code_cell("x", outputs=[
            new_output("display_data", {"text/markdown": "## Section\n\nTexte.",
                                        "text/plain": "x"}),
            new_output("display_data", {"text/html": _SAMPLE_HTML, "text/plain": "x"}),
            new_output("execute_result", {"text/plain": "1"}, execution_count=1),
            new_output("stream", name="stdout", text="x\n")])])
    nbformat.validate(nb)  # the validator papermill and nbformat.writes use
    resources = {"rapport": {
        "nom": "rapport", "titre": "Titre", "racine": "", "contrat": "Contrat",
        "quartier": "Quartier", "code": "QP000000", "commune": "Commune", "annee": 2025,
        "rapports": report_links("synthese"), "toc": table_of_contents(nb), "css": "/*css*/",
        "version": __version__, "parametres": [("annee", 2025)], "entrees": [("a", "b")]}}
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    page = add_glossary(str(body), {"QPV": "quartier prioritaire"})
    purge_css(STYLE.read_text(encoding="utf-8") + "\n" + print_header("a", "b"), page)


def to_html(nb: Any, job: Job) -> str:
    """Convert an executed notebook with the offline, code-free report template."""
    paths = ProjectPaths(job.root)
    territoire = str(job.parameters["territoire"])
    territory = resolve_territory(territoire, paths)
    contract = load_contract(paths)
    entries = input_entries(paths)
    title = job.title or REPORT_TITLES.get(job.name, job.name)
    year = job.parameters["annee"]
    resources = {"rapport": {
        "nom": job.executed.stem, "titre": title, "racine": "../" * job.depth,
        "contrat": _contract_line(contract, territoire),
        "quartier": territory.libelle, "code": territory.code,
        "commune": commune_of(territory), "annee": year,
        "rapports": report_links(job.name),
        "toc": table_of_contents(nb), "css": "/*css*/",
        "version": __version__,
        "parametres": sorted(job.parameters.items()) + [("rapport", job.name)],
        "entrees": sorted(entries.items())}}
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    page = add_glossary(str(body), contract.glossaire)
    css = STYLE.read_text(encoding="utf-8") + "\n" + print_header(
        f"{territory.libelle} ({territory.code}) – année {year}",
        job.title or short_title(job.name))
    return page.replace("/*css*/", purge_css(css, page), 1)


# --------------------------------------------------------------------------- glossary

_TAG = re.compile(r"(<[^>]*>)")
_SKIPPED = ("svg", "abbr", "title", "style", "summary", "a", "h1", "h2", "h3", "caption",
            "th")


_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")


@cache
def _pattern(sigle: str) -> re.Pattern[str]:
    """The acronym as a word of its own: no letter, digit, « / » or « - » on either side.

    The literal comes first and the lookbehind after it, `SIGLE(?<![\\w/-]SIGLE)`, which
    matches exactly where `(?<![\\w/-])SIGLE` does: that form makes the regex engine
    jump from one occurrence of the literal to the next instead of trying every position
    (25 times faster on a page)."""
    literal = re.escape(sigle)
    return re.compile(literal + r"(?<![\w/-]" + literal + r")(?![\w/-])")


def acronyms_used(text: str, glossary: dict[str, str]) -> list[str]:
    """The acronyms of the glossary that a page's text uses, alphabetically."""
    return sorted((s for s in glossary if s in text and _pattern(s).search(text)),
                  key=str.casefold)


def _main_text(html: str) -> str:
    """The readable text of the page's <main>: no tags, attributes, SVG or style."""
    start, end = html.find("<main"), html.rfind("</main>")
    main = html[start:end] if start >= 0 and end > start else html
    main = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def spell_out_first(html: str, glossary: dict[str, str], used: list[str]) -> str:
    """Wrap the first occurrence of each acronym in running text (not in a link, a
    heading, a chart, a table header) in <abbr title="…">."""
    start, end = html.find("<main"), html.rfind("</main>")
    if start < 0 or end < start:
        return html
    parts = _TAG.split(html[start:end])
    todo = {s: _pattern(s) for s in used}
    open_tags: list[str] = []
    for i, part in enumerate(parts):
        if part.startswith("<"):
            name = _TAG_NAME.match(part)
            tag = name.group(1).lower() if name else ""
            if tag in _SKIPPED and not part.endswith("/>"):
                if part.startswith("</"):
                    if tag in open_tags:
                        open_tags.remove(tag)
                else:
                    open_tags.append(tag)
            continue
        if open_tags or not todo:
            continue
        here = {s: p for s, p in todo.items() if s in part}  # a match needs the literal
        out, position = [], 0
        while here:  # the first occurrence of each acronym still to spell out
            found = [(m.start(), sigle, m) for sigle, pattern in here.items()
                     if (m := pattern.search(part, position))]
            if not found:
                break
            _, sigle, match = min(found, key=lambda f: f[0])
            expansion = escape(glossary[sigle], quote=True)
            out += [part[position:match.start()], f'<abbr title="{expansion}">{sigle}</abbr>']
            position = match.end()
            del todo[sigle], here[sigle]
        parts[i] = "".join(out) + part[position:]
    return html[:start] + "".join(parts) + html[end:]


def add_glossary(html: str, glossary: dict[str, str]) -> str:
    """The section « Sigles » with the acronyms the page uses, and its entry in the
    table of contents; none when the page uses none."""
    used = acronyms_used(_main_text(html), glossary)
    if not used:
        return html.replace("<!--glossaire-sommaire-->", "").replace("<!--glossaire-->", "")
    items = "".join(f"<dt>{escape(s)}</dt><dd>{escape(glossary[s])}</dd>" for s in used)
    section = (f'<section class="glossaire" aria-labelledby="{GLOSSARY_ANCHOR}">'
               f'<h2 id="{GLOSSARY_ANCHOR}">Sigles</h2><dl>{items}</dl></section>')
    html = spell_out_first(html, glossary, used)
    return (html.replace("<!--glossaire-sommaire-->",
                         f'<li><a href="#{GLOSSARY_ANCHOR}">Sigles</a></li>', 1)
            .replace("<!--glossaire-->", section, 1))


# --------------------------------------------------------------------------- stylesheet

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_BRACE = re.compile(r"[{}]")


@cache
def _selector_tokens(selector: str) -> tuple[str, ...]:
    """The classes, ids and element names of a selector (the same for every page)."""
    core = re.sub(r"::?[a-z-]+(\([^)]*\))?|\[[^\]]*\]", " ", selector)
    return tuple(re.findall(r"[.#]?[A-Za-z_][\w-]*", core))


def _selector_used(selector: str, classes: set[str], tags: set[str], ids: set[str]) -> bool:
    """Whether a simple selector can match the page: its classes, ids and element names
    all occur in it (pseudo-classes and attribute tests are not checked)."""
    for token in _selector_tokens(selector):
        if token.startswith("."):
            if token[1:] not in classes:
                return False
        elif token.startswith("#"):
            if token[1:] not in ids:
                return False
        elif token.lower() not in tags and token not in ("html", "body"):
            return False
    return True


def purge_css(css: str, html: str) -> str:
    """The stylesheet without the rules no element of the page can match, without
    comments and runs of spaces. @page and :root rules are always kept; @media blocks
    keep their used rules (and go when none is left)."""
    classes = {c for attr in re.findall(r'class="([^"]*)"', html) for c in attr.split()}
    tags = {t.lower() for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html)}
    ids = set(re.findall(r'id="([^"]*)"', html))
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)

    def keep(block: str) -> str:
        out = []
        for match in _RULE.finditer(block):
            selectors, body = match.group(1).strip(), match.group(2).strip()
            used = [s.strip() for s in selectors.split(",")
                    if s.strip().startswith((":root", "*"))
                    or _selector_used(s.strip(), classes, tags, ids)]
            if used:
                out.append(",".join(used) + "{" + re.sub(r"\s+", " ", body) + "}")
        return "\n".join(out)

    out = []
    position = 0
    for match in re.finditer(r"@(media|page)[^{]*\{", css):
        if match.start() < position:
            continue
        out.append(keep(css[position:match.start()]))
        depth, i = 1, len(css)  # i: after the brace that closes the block
        for brace in _BRACE.finditer(css, match.end()):
            depth += 1 if brace.group() == "{" else -1
            if not depth:
                i = brace.end()
                break
        inner = css[match.end():i - 1]
        head = re.sub(r"\s+", " ", match.group(0)).strip()
        if match.group(1) == "page":
            out.append(head + re.sub(r"\s+", " ", inner).strip() + "}")
        else:
            kept = keep(inner)
            if kept:
                out.append(head + "\n" + kept + "\n}")
        position = i
    out.append(keep(css[position:]))
    return "\n".join(part for part in out if part)
