"""Small HTML building blocks for reports: escaped tables, figures, lists.

Every text that may come from an input file goes through `escape`. Output objects
have `_repr_html_`, so a notebook cell that returns one shows it as HTML.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
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


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, caption: str = "",
          numeric: Sequence[int] = (), css_class: str = "") -> str:
    """A table; cells are escaped unless wrapped in Html; `numeric` columns align right."""
    out = [f'<table class="{esc(css_class)}">' if css_class else "<table>"]
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
               + "</tr></thead><tbody>")
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            content = cell.text if isinstance(cell, Html) else esc(cell)
            attr = ' class="num"' if i in numeric else ""
            cells.append(f"<td{attr}>{content}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def figure(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def bullets(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def badge(status: str) -> Html:
    slug = STATUS_SLUGS.get(status, "none")
    return Html(f'<span class="statut statut-{slug}">{esc(status)}</span>')
