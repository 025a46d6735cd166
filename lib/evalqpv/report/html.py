"""Small HTML building blocks for reports: escaped tables, figures, lists.

Every text that may come from an input file goes through `escape`. Output objects
have `_repr_html_`, so a notebook cell that returns one shows it as HTML.

Tables sit in a wrapper that never lets them widen the page: on a narrow screen a
table of text becomes one card per row (each cell named by its column), a table of
figures scrolls inside itself with its first column kept in view. Every table and every
chart offers its data as a CSV file written into the page itself (a `data:` link: it
works offline and without script), for an evaluator to reuse in their own documents.
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from ..vocabulary import KEY_FIGURES_MIME, STATUS_SLUGS


class Html:
    """A fragment of HTML that Jupyter displays as such.

    `data` travels beside it under KEY_FIGURES_MIME: the report runner collects it from
    the executed notebook (key figures), and the HTML template ignores it.
    """

    def __init__(self, text: str, data: dict[str, object] | None = None,
                 extra: dict[str, object] | None = None) -> None:
        self.text = text
        self.data = data
        self.extra = extra or {}  # other machine-readable outputs, by MIME type

    def _repr_html_(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include: object = None,
                          exclude: object = None) -> dict[str, object]:
        bundle: dict[str, object] = {"text/html": self.text}
        if self.data is not None:
            bundle[KEY_FIGURES_MIME] = self.data
        bundle.update(self.extra)
        return bundle

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:  # stable across runs (no memory address in saved notebooks)
        return f"<fragment HTML de {len(self.text)} caractères>"


class Markdown:
    """Text in markdown that Jupyter displays as a markdown cell would (a section's
    heading and lead, written by the report rather than typed in each notebook)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:  # stable across runs (no memory address in saved notebooks)
        return f"<texte markdown de {len(self.text)} caractères>"


def esc(text: object) -> str:
    return escape(str(text), quote=True)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class DataTable:
    """The data behind a chart: rows as the reader reads them, and as a spreadsheet
    wants them (`csv`, its first row the column names; the shown rows by default)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    csv: tuple[tuple[str, ...], ...] | None = None
    numeric: tuple[int, ...] = ()
    name: str = "donnees"


@dataclass(frozen=True)
class ChartText:
    """A chart's words: the finding (its title), the text alternative (values and
    trend), the data it draws, and a short source line."""

    title: str
    alt: str
    data: DataTable
    source: str = ""


class Svg(str):
    """Inline SVG markup that knows the words and data of its chart."""

    chart: ChartText | None

    def __new__(cls, text: str, chart: ChartText | None = None) -> Svg:
        self = super().__new__(cls, text)
        self.chart = chart
        return self


EMPTY_CELLS = frozenset({"", "–", "—", "-", "à collecter"})


@dataclass(frozen=True)
class Collapse:
    """Rows with nothing to say leave a table for one list under it.

    A row has nothing to say when every cell of `columns` is empty ("", "–" or
    « à collecter »). Such rows are named by their cell `name` in a list headed by
    `label`, grouped by the cell `group` when given (a partner, for instance). The
    table's CSV keeps every row."""

    columns: tuple[int, ...]
    label: str
    name: int = 0
    group: int | None = None


@dataclass(frozen=True)
class GroupRow:
    """A row that heads the rows under it (an axis and its verdict): one cell across
    the table, a header of the group for screen readers, a title on a phone."""

    text: str | Html


def plain(cell: object) -> str:
    """The text of a cell, without markup, spaces normalised."""
    text = re.sub(r"<[^>]+>", " ", cell.text) if isinstance(cell, Html) else str(cell)
    return re.sub(r"\s+", " ", _html.unescape(text)).strip()


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """CSV for a French spreadsheet: semicolons, quoted when needed, CRLF lines."""
    out = []
    for row in rows:
        cells = []
        for cell in row:
            text = plain(cell).replace("\u00a0", " ").replace("\u202f", " ")
            if re.search(r'[;"\n]', text):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        out.append(";".join(cells))
    return "\r\n".join(out) + "\r\n"


def slug(text: str) -> str:
    """A file name from a title: « Taux d'emploi (15-64 ans) » -> taux-d-emploi-15-64-ans."""
    table = str.maketrans("àâäçéèêëîïôöùûüÿœæ", "aaaceeeeiioouuuyoa")
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")[:60] \
        or "donnees"


def csv_link(rows: Iterable[Sequence[object]], name: str, what: str = "ces données") -> str:
    """A download link whose target is the CSV itself, written into the page. Its file
    name is the slug of `name` (the caption) and a short fingerprint of the data: two
    tables of a page never download under the same name, and the name is the same from
    one build to the next."""
    text = csv_text(rows)
    mark = hashlib.sha256(text.encode()).hexdigest()[:6]
    return (f'<p class="telecharger"><a download="{esc(slug(name)[:50])}-{mark}.csv" '
            f'href="data:text/csv;charset=utf-8,{data_url_text(text)}">'
            f"Télécharger {esc(what)} (CSV)</a></p>")


def data_url_text(text: str) -> str:
    """The body of a `data:` URL in an HTML attribute, as short as it can be: only what
    a URL or an attribute would misread is percent-encoded; other characters stay as they
    are (the browser encodes them in UTF-8, as the charset says). A byte-order mark
    first, so that a spreadsheet reads the accents."""
    escapes = {"%": "%25", "#": "%23", '"': "%22", "&": "%26", "<": "%3C", ">": "%3E",
               "\r": "%0D", "\n": "%0A", "\t": "%09", "\ufeff": "%EF%BB%BF"}
    return "%EF%BB%BF" + "".join(escapes.get(c, c) for c in text)


# --------------------------------------------------------------------------- tables


def table(headers: Sequence[str], rows: Iterable[Sequence[object] | GroupRow], *,
          caption: str = "",
          numeric: Sequence[int] = (), css_class: str = "", collapse: Collapse | None = None,
          csv: bool = True, name: str = "", idem: Sequence[int] = ()) -> str:
    """A table; cells are escaped unless wrapped in Html; `numeric` columns align right.

    `collapse` moves the rows with nothing to say into one list under the table; `idem`
    columns show « idem » where a cell repeats the one above (a long text said once);
    `csv` adds a link that downloads the whole table (named `name`, else from the
    caption), every cell in full.
    """
    every: list[list[object]] = [[row] if isinstance(row, GroupRow) else list(row)
                                 for row in rows]
    kept, quiet = every, []
    if collapse is not None:
        kept = [r for r in every if _is_group(r) or not _says_nothing(r, collapse)]
        quiet = [r for r in every if not _is_group(r) and _says_nothing(r, collapse)]
    numeric = tuple(numeric)
    layout = ("simple" if len(headers) <= 4 and 2 * len(numeric) >= len(headers) - 1 else
              "matrice" if 2 * len(numeric) >= len(headers) - 1 else "fiches")
    out = []
    if kept:
        out.append(_table(headers, kept, caption, numeric, css_class, layout, tuple(idem)))
    elif caption:
        out.append(f'<p class="legende">{esc(caption)}</p>')
    if quiet and collapse is not None:
        out.append(_collapsed(quiet, collapse))
    if csv and every:
        label = caption or name or (css_class + " " + " ".join(headers[:2]))
        flat = [[plain(getattr(r[0], "text", ""))] if _is_group(r) else r for r in every]
        out.append(csv_link([list(headers), *flat], name or label, "le tableau"))
    return "".join(out)


def _is_group(row: Sequence[object]) -> bool:
    return len(row) == 1 and isinstance(row[0], GroupRow)


def _says_nothing(row: Sequence[object], collapse: Collapse) -> bool:
    return all(plain(row[i]) in EMPTY_CELLS for i in collapse.columns if i < len(row))


def _table(headers: Sequence[str], rows: list[list[object]], caption: str,
           numeric: tuple[int, ...], css_class: str, layout: str,
           idem: tuple[int, ...] = ()) -> str:
    """`layout`: « simple » (wraps), « matrice » (figures: scrolls inside itself on a
    phone, first column in view), « fiches » (text: one card per row on a phone)."""
    matrix = layout != "fiches"
    classes = " ".join(c for c in (css_class, layout) if c)
    out = [f'<table class="{esc(classes)}">']
    content = repr((caption, list(headers), [[plain(c) for c in r] for r in rows]))
    ident = "t" + hashlib.sha256(content.encode()).hexdigest()[:10]
    if caption:
        out.append(f'<caption id="{ident}">{esc(caption)}</caption>')
    out.append("<thead><tr>" + "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
               + "</tr></thead><tbody>")
    labels = [f' data-label="{esc(h)}"' if not matrix else "" for h in headers]
    previous: list[object] = []
    for row in rows:
        if _is_group(row):
            group = row[0]
            assert isinstance(group, GroupRow)
            text = group.text.text if isinstance(group.text, Html) else esc(group.text)
            out.append(f'<tr class="groupe"><th scope="colgroup" colspan="{len(headers)}">'
                       f"{text}</th></tr>")
            previous = []
            continue
        cells = []
        for i, cell in enumerate(row):
            content = cell.text if isinstance(cell, Html) else esc(cell)
            attr = ' class="num"' if i in numeric else ""
            if i in idem and i < len(previous) and plain(previous[i]) == plain(cell) \
                    and len(plain(cell)) > 12:
                content, attr = "idem", ' class="idem"'
            label = labels[i] if i < len(labels) and content not in ("", "–") else ""
            if matrix and i == 0:
                cells.append(f'<th scope="row"{attr}>{content}</th>')
            else:
                cells.append(f"<td{attr}{label}>{content}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
        previous = list(row)
    out.append("</tbody></table>")
    if layout == "fiches":  # one card per row on a phone: never wider than the screen
        return f'<div class="tableau">{"".join(out)}</div>'
    # A table of figures may scroll inside itself on a phone, so it takes the keyboard's
    # focus; named by its caption (a region), else by its columns (a group).
    name = (f'role="region" aria-labelledby="{ident}"' if caption else
            f'role="group" aria-label="{esc("Tableau : " + ", ".join(headers[:4]))}"')
    return f'<div class="tableau defile" {name} tabindex="0">{"".join(out)}</div>'


def _collapsed(rows: list[list[object]], collapse: Collapse) -> str:
    if collapse.group is None:
        names = " ; ".join(esc(plain(r[collapse.name])) for r in rows)
        return (f'<p class="replie"><strong>{esc(collapse.label)} ({len(rows)}) :</strong> '
                f"{names}.</p>")
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(plain(row[collapse.group]), []).append(plain(row[collapse.name]))
    items = "".join(f"<li><strong>{esc(g)}</strong> ({len(n)}) : {esc(' ; '.join(n))}.</li>"
                    for g, n in sorted(groups.items(), key=lambda x: (-len(x[1]), x[0])))
    return (f'<div class="replie"><p><strong>{esc(collapse.label)} ({len(rows)})</strong>'
            f"</p><ul>{items}</ul></div>")


# --------------------------------------------------------------------------- figures


def figure(image: bytes | str, alt: str = "", caption: str = "", *, title: str = "",
           source: str = "", data: DataTable | None = None) -> str:
    """A chart with its words: the finding as title, the caption (what is measured,
    where, when), the short source line, and its data as a table and a CSV file.

    `image` is PNG bytes or inline SVG markup (`charts.to_svg`, whose chart text fills
    whatever is not given here). A caption ending in « Source : … » gives the source.
    """
    chart = image.chart if isinstance(image, Svg) else None
    title = title or (chart.title if chart else "")
    alt = alt or (chart.alt if chart else "") or title or caption
    data = data or (chart.data if chart else None)
    given = re.search(r"\s*(Sources? :.*)$", caption)
    subtitle = caption[:given.start()] if given else caption
    source = source or (given.group(1) if given else "") or (chart.source if chart else "")
    if isinstance(image, bytes):
        encoded = base64.b64encode(image).decode("ascii")
        picture = f'<img src="data:image/png;base64,{encoded}" alt="{esc(alt)}">'
    else:
        picture = str(image).replace("<svg ", f'<svg role="img" aria-label="{esc(alt)}" ',
                                     1)
    heading = (f'<span class="titre-graphique">{esc(title)}</span>' if title else "") \
        + (f'<span class="sous-titre-graphique">{esc(subtitle)}</span>' if subtitle else "")
    out = ['<figure class="graphique">']
    if heading:
        out.append(f"<figcaption>{heading}</figcaption>")
    out.append(f'<div class="dessin">{picture}</div>')
    if source:
        out.append(f'<p class="source">{esc(source)}</p>')
    if data is not None:
        out.append('<details class="donnees"><summary>Les données du graphique</summary>'
                   + table(data.headers, data.rows, numeric=data.numeric, csv=False)
                   + csv_link(data.csv or (data.headers, *data.rows), data.name)
                   + "</details>")
    out.append("</figure>")
    return "".join(out)


def bullets(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def badge(status: str) -> Html:
    slug_ = STATUS_SLUGS.get(status, "none")
    return Html(f'<span class="statut statut-{slug_}">{esc(status)}</span>')
