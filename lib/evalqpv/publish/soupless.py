"""The report exporter without nbconvert's BeautifulSoup round trip, same bytes out.

Why this exists: nbconvert's `HTMLExporter.from_notebook_node` renders the template, then
parses the whole page with BeautifulSoup (html.parser) only to add `alt` to `<img>`
elements without one and `tabindex` to the cells of a `.jp-Notebook`, and writes the tree
back with `str(soup)`. Our template produces neither (its images have an `alt`, it has no
`jp-Notebook`), so the round trip changes nothing but the serialisation: attributes
sorted, void elements written `<br/>`, character references decoded and `& < >`
re-escaped, whitespace-only text collapsed... It costs 0,03-0,04 s of CPU per page, a
quarter of a second per quarter, on a budget of 2,4 s (issue 19).

`serialize_like_bs4` reproduces that serialisation with a regex tokenizer, for the markup
our template and our report code produce. Anything it does not recognise with certainty
(a comment or declaration of another form, CDATA, `<script>`, an `<img>` without `alt`, a
`jp-Notebook`, an ambiguous `&`, an unbalanced or unquoted tag...) makes it answer None,
and `SouplessHTMLExporter` then runs BeautifulSoup itself: a page is never different from
what nbconvert would have written (tests/test_export_soupless.py pins each rule against
bs4, and the pages of a whole run were compared byte for byte).
"""

from __future__ import annotations

import re
from html.entities import html5, name2codepoint
from typing import Any

from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

_WS = " \t\n\r\f"  # bs4's ASCII_SPACES: the whitespace html.parser and bs4 know
_S = f"[{_WS}]"
_ATTR = rf"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:{_S}*={_S}*("[^"<>]*"|'[^'<>]*'))?"""
_START = re.compile(rf"<(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:{_S}+{_ATTR})*){_S}*"
                    r"(?P<slash>/?)>")
_ATTRS = re.compile(_ATTR)
_END = re.compile(rf"</([a-zA-Z][a-zA-Z0-9-]*){_S}*>")
# The only comments and declaration our template writes (markers for the glossary).
_COMMENT = re.compile(r"<!--([a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*)-->")
_DOCTYPE = "<!DOCTYPE html>"
_REFERENCE = re.compile(r"&(?:#([0-9]{1,7});|#[xX]([0-9a-fA-F]{1,6});|([a-zA-Z][a-zA-Z0-9]*);"
                        r"|([a-zA-Z#]))")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_NON_WHITESPACE = re.compile(r"\S+")  # bs4's nonwhitespace_re, which splits class values

# bs4's HTMLTreeBuilder tables, for html.parser.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen",
                   "link", "menuitem", "meta", "param", "source", "track", "wbr", "basefont",
                   "bgsound", "command", "frame", "image", "isindex", "nextid", "spacer"})
_LIST_ATTRIBUTES = {"*": frozenset({"class", "accesskey", "dropzone"}),
                    "a": frozenset({"rel", "rev"}), "link": frozenset({"rel", "rev"}),
                    "td": frozenset({"headers"}), "th": frozenset({"headers"}),
                    "form": frozenset({"accept-charset"}), "object": frozenset({"archive"}),
                    "area": frozenset({"rel"}), "icon": frozenset({"sizes"}),
                    "iframe": frozenset({"sandbox"}), "output": frozenset({"for"})}
_PRESERVE_WHITESPACE = frozenset({"pre", "textarea"})
# Raw-text elements (or ones that some html.parser versions read as such): not handled.
_UNHANDLED = frozenset({"script", "textarea", "xmp", "iframe", "noembed", "noframes",
                        "noscript", "plaintext"})
_TEXT_ONLY = frozenset({"title"})  # RCDATA in recent html.parser: a tag inside falls back


class _Unsure(Exception):
    """The markup holds something the serialiser was not built for."""


def _codepoint_ok(code: int) -> bool:
    """A character bs4 and html.unescape both decode to itself (no C0/C1 control,
    surrogate or noncharacter, which each replaces in its own way)."""
    return (0x20 <= code < 0x7F or 0xA0 <= code < 0xD800 or 0xE000 <= code < 0xFDD0
            or 0xFDF0 <= code <= 0x10FFFF and code & 0xFFFE != 0xFFFE)


def _reference(match: re.Match[str]) -> str:
    decimal, hexadecimal, name, _ambiguous = match.groups()
    if decimal or hexadecimal:
        code = int(decimal, 10) if decimal else int(hexadecimal, 16)
        if _codepoint_ok(code):
            return chr(code)
    elif name and name in name2codepoint:  # HTML 4's names, with HTML 5's meaning
        return html5[name + ";"]
    raise _Unsure(match.group())


def _decode(text: str) -> str:
    """Character references decoded as html.parser + bs4 decode them in text, and as
    html.unescape does in attribute values (the forms accepted here agree)."""
    return _REFERENCE.sub(_reference, text) if "&" in text else text


def _attributes(tag: str, source: str) -> str:
    values: dict[str, str] = {}
    for name, quoted in _ATTRS.findall(source):
        name = name.lower()
        if name in values:
            raise _Unsure(name)
        value = _decode(quoted[1:-1]) if quoted else ""
        if name in _LIST_ATTRIBUTES["*"] or name in _LIST_ATTRIBUTES.get(tag, ()):
            value = " ".join(_NON_WHITESPACE.findall(value))
            if name == "class" and "jp-notebook" in value.lower():
                raise _Unsure(value)  # nbconvert would add tabindex to its cells
        values[name] = value
    if tag == "img" and "alt" not in values:
        raise _Unsure(tag)  # nbconvert adds an alt (and logs a warning)
    if tag == "meta" and ("http-equiv" in values or values.get("charset", "utf-8") != "utf-8"):
        raise _Unsure(tag)  # bs4 substitutes the output encoding there
    pieces = []
    for name in sorted(values):
        value = values[name].translate(_ESCAPES)
        if '"' in value:
            value = '"' + value.replace('"', "&quot;") + '"' if "'" in value else f"'{value}'"
        else:
            value = f'"{value}"'
        pieces.append(f" {name}={value}")
    return "".join(pieces)


def _text(text: str, stack: list[str]) -> str:
    text = _decode(text)
    if not text.strip(_WS) and not _PRESERVE_WHITESPACE.intersection(stack):
        return "\n" if "\n" in text else " "
    return text.translate(_ESCAPES)


def _serialize(html: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    size = len(html)
    while pos < size:
        lt = html.find("<", pos)
        if lt == -1:
            lt = size
        if lt > pos:
            out.append(_text(html[pos:lt], stack))
            if lt == size:
                break
        if (start := _START.match(html, lt)) is not None:
            tag = start.group("tag").lower()
            if tag in _UNHANDLED or stack and stack[-1] in _TEXT_ONLY:
                raise _Unsure(tag)
            attributes = _attributes(tag, start.group("attrs"))
            pos = start.end()
            if tag in _VOID:
                out.append(f"<{tag}{attributes}/>")
            elif start.group("slash"):
                out.append(f"<{tag}{attributes}></{tag}>")
            elif tag == "style":
                close = html.find("</", pos)
                if close == -1 or not html.startswith("</style>", close) or "<" in html[pos:close]:
                    raise _Unsure(tag)
                content = html[pos:close]
                if content and not content.strip(_WS):
                    content = "\n" if "\n" in content else " "
                out.append(f"<style{attributes}>{content}</style>")
                pos = close + len("</style>")
            else:
                out.append(f"<{tag}{attributes}>")
                stack.append(tag)
        elif (end := _END.match(html, lt)) is not None:
            tag = end.group(1).lower()
            if not stack or stack[-1] != tag:
                raise _Unsure(tag)
            stack.pop()
            out.append(f"</{tag}>")
            pos = end.end()
        elif (comment := _COMMENT.match(html, lt)) is not None:
            out.append(comment.group())
            pos = comment.end()
        elif html.startswith(_DOCTYPE, lt) and not stack:
            out.append(_DOCTYPE + "\n")  # bs4's Doctype ends with a newline of its own
            pos = lt + len(_DOCTYPE)
        else:
            raise _Unsure(html[lt:lt + 20])
    if stack:
        raise _Unsure(stack[-1])
    return "".join(out)


def serialize_like_bs4(html: str) -> str | None:
    """`str(BeautifulSoup(html, "html.parser"))`, or None where not sure to be exact."""
    try:
        return _serialize(html)
    except _Unsure:
        return None


class SouplessHTMLExporter(HTMLExporter):
    """nbconvert's HTMLExporter (7.17), its BeautifulSoup pass done only when needed."""

    def from_notebook_node(  # type: ignore[override]  # as HTMLExporter's
            self, nb: Any, resources: dict[str, Any] | None = None,
            **kw: Any) -> tuple[str, dict[str, Any]]:
        """HTMLExporter.from_notebook_node, the page serialised by serialize_like_bs4."""
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        page = serialize_like_bs4(html)
        return (self.soup_pass(html) if page is None else page), resources

    def soup_pass(self, html: str) -> str:
        """What HTMLExporter.from_notebook_node does to the rendered page."""
        soup = BeautifulSoup(html, features="html.parser")
        missing_alt = 0
        for elem in soup.select("img:not([alt])"):
            elem.attrs["alt"] = "No description has been provided for this image"
            missing_alt += 1
        if missing_alt:
            self.log.warning("Alternative text is missing on %s image(s).", missing_alt)
        for elem in soup.select(".jp-Notebook div.jp-Cell-inputWrapper"):
            elem.attrs["tabindex"] = "0"
        for elem in soup.select(".jp-Notebook div.jp-OutputArea-output"):
            elem.attrs["tabindex"] = "0"
        return str(soup)
