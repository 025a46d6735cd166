"""publish/soupless.py: the page serialised exactly as nbconvert's BeautifulSoup pass would.

bs4 itself (html.parser, str(soup)) is the oracle of every rule; a few expected pages are
also written by hand, so that the rule is readable here."""

from __future__ import annotations

from html.entities import name2codepoint
from html.parser import HTMLParser
from typing import Any

import pytest
from bs4 import BeautifulSoup
from bs4.builder import HTMLTreeBuilder
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from evalqpv.publish import export, soupless
from evalqpv.publish.soupless import SouplessHTMLExporter, serialize_like_bs4


def bs4(html: str) -> str:
    return str(BeautifulSoup(html, features="html.parser"))


def same_as_bs4(html: str) -> str:
    page = serialize_like_bs4(html)
    assert page is not None, html
    assert page == bs4(html)
    return page


# --------------------------------------------------------------------------- rules


def test_attributes_sorted_and_names_lowercased() -> None:
    page = same_as_bs4('<svg viewBox="0 0 1 1" XMLNS="u"><LinearGradient ID="g" X1="0">'
                       '</linearGradient></svg>')
    assert page == ('<svg viewbox="0 0 1 1" xmlns="u"><lineargradient id="g" x1="0">'
                    '</lineargradient></svg>')
    assert same_as_bs4('<p  id="z"\n class="a"   title="t" >x</p >') == \
        '<p class="a" id="z" title="t">x</p>'


@pytest.mark.parametrize(("html", "expected"), [
    pytest.param('<p>a<br>b<br/>c<hr /></p><meta charset="utf-8">'
                 '<img src="x.png" alt="y"><svg><path d="M0 0"/><g/></svg>',
                 '<p>a<br/>b<br/>c<hr/></p><meta charset="utf-8"/>'
                 '<img alt="y" src="x.png"/><svg><path d="M0 0"></path><g></g></svg>',
                 id="void-elements-and-self-closed-tags"),
    pytest.param("<p>l&#x27;an &#233;t&eacute; &amp; &lt;b&gt; &quot;x&quot;&nbsp;%"
                 " A & B > C &#X41;</p>",
                 "<p>l'an été &amp; &lt;b&gt; \"x\"\u00a0% A &amp; B &gt; C A</p>",
                 id="references-decoded-then-amp-lt-gt-escaped"),
    pytest.param('<a href="?a=1&amp;b=2& c" title="&lt;&#233;&gt;" data-x="&#x27;">y</a>',
                 '<a data-x="\'" href="?a=1&amp;b=2&amp; c" title="&lt;é&gt;">y</a>',
                 id="references-in-attribute-values"),
    pytest.param('<details open><summary class="  a\n b  ">s</summary></details>'
                 '<td headers=" h1  h2 " class="">x</td><p rel=" a  b ">y</p>',
                 '<details open=""><summary class="a b">s</summary></details>'
                 '<td class="" headers="h1 h2">x</td><p rel=" a  b ">y</p>',
                 id="attribute-without-value-and-multi-valued-attributes"),
])
def test_serialised_as_bs4_would(html: str, expected: str) -> None:
    assert same_as_bs4(html) == expected


def test_quotes_in_attribute_values() -> None:
    assert same_as_bs4("<p title='dit \"oui\"'>x</p>") == "<p title='dit \"oui\"'>x</p>"
    assert same_as_bs4("<p title=\"l'an\">x</p>") == "<p title=\"l'an\">x</p>"
    both = same_as_bs4("<p title=\"l&#x27;an &quot;x&quot;\">x</p>")
    assert both == '<p title="l\'an &quot;x&quot;">x</p>'


def test_style_content_is_left_raw() -> None:
    assert serialize_like_bs4("<style>a::after { content: '<'; }</style>") is None
    page = same_as_bs4("<style>\na > b::after { content: '&amp; \"'; }\n</style><p>&amp;</p>")
    assert page == "<style>\na > b::after { content: '&amp; \"'; }\n</style><p>&amp;</p>"


def test_whitespace_only_text_collapses_outside_pre() -> None:
    page = same_as_bs4("<ul>\n\n  <li> a  b </li>  \t<li>c</li></ul><pre>\n  <b>x</b>  \n\n</pre>")
    assert page == "<ul>\n<li> a  b </li> <li>c</li></ul><pre>\n  <b>x</b>  \n\n</pre>"
    assert same_as_bs4("<p>&#32;</p><p><b>x</b>\n &#x20;</p>") == "<p> </p><p><b>x</b>\n</p>"


def test_doctype_comments_and_text_outside_tags() -> None:
    html = ("<!DOCTYPE html>\n<html lang=\"fr\">\n<body>\n<!--glossaire-sommaire-->\n"
            "<p>x</p><!--glossaire--></body>\n</html>\n")
    page = same_as_bs4(html)
    assert page == ("<!DOCTYPE html>\n\n<html lang=\"fr\">\n<body>\n<!--glossaire-sommaire-->\n"
                    "<p>x</p><!--glossaire--></body>\n</html>\n")


def test_every_html4_named_reference_in_text_and_attributes() -> None:
    refs = " ".join(f"&{name};" for name in sorted(name2codepoint))
    same_as_bs4(f"<p>{refs}</p>")
    same_as_bs4(f'<p title="{refs}">x</p>')


@pytest.mark.parametrize("code", [0x20, 0x26, 0x3C, 0x7E, 0xA0, 0xE9, 0x2019, 0xD7FF, 0xE000,
                                  0xFDCF, 0xFDF0, 0xFFFD, 0x1F600, 0x10FFFD])
def test_numeric_references_kept(code: int) -> None:
    same_as_bs4(f'<p title="&#{code};&#x{code:x};">&#{code};&#x{code:X};</p>')


def test_a_report_page_rendered_by_the_template() -> None:
    nb = new_notebook(cells=[
        new_markdown_cell("## L'emploi & *la formation*\n\nUn texte « cité » et `x < 1`."),
        new_code_cell("x", outputs=[
            new_output("display_data", {"text/html": export._SAMPLE_HTML, "text/plain": "x"}),
            new_output("execute_result", {"text/plain": "a < b & 'c'"}, execution_count=1)])])
    body, _ = export.exporter().from_notebook_node(nb, resources=_resources(nb))
    assert "<title>" in body and "<svg " in body
    assert body == bs4(_raw(nb))


# --------------------------------------------------------------------------- fallbacks


@pytest.mark.parametrize("html", [
    '<img src="x.png">',  # nbconvert adds an alt
    '<div class="jp-Notebook"><div class="jp-Cell-inputWrapper">x</div></div>',  # tabindex
    "<p>x</p><!-- a comment -->",
    "<svg><![CDATA[x]]></svg>",
    "<?xml version='1.0'?><p>x</p>",
    "<!DOCTYPE svg><p>x</p>",
    "<script>if (a < b) {}</script>",
    "<textarea> x </textarea>",
    "<p><b>x</p></b>",  # misnested
    "<p>x",  # unclosed
    "<p>x</p></div>",  # stray end tag
    "<br></br>",
    '<p title=x>y</p>',  # unquoted
    '<p title="a" title="b">y</p>',  # duplicated
    '<p title="a>b">y</p>',
    "<p>a < b</p>",
    "<p>&copy2 &#128; &#0; &foo;</p>",
    "<p>&#xD800;</p>",
    '<meta charset="latin-1">',
    '<meta http-equiv="content-type" content="text/html; charset=latin-1">',
    "<title>a <b>b</b></title>",
    "<style>a { content: '</p>' }</style>",
])
def test_markup_not_handled_is_left_to_bs4(html: str) -> None:
    assert serialize_like_bs4(html) is None


def test_each_bad_reference_alone_falls_back() -> None:
    for ref in ("&copy2", "&#128;", "&#0;", "&foo;", "&#x1;", "&#65534;"):
        assert serialize_like_bs4(f"<p>{ref}</p>") is None, ref
        assert serialize_like_bs4(f'<p title="{ref}">x</p>') is None, ref


def test_a_page_not_handled_goes_through_bs4(monkeypatch: pytest.MonkeyPatch) -> None:
    nb = new_notebook(cells=[new_code_cell("x", outputs=[new_output(
        "display_data", {"text/html": '<p>Carte</p><img src="data:image/png;base64,AA==">',
                         "text/plain": "x"})])])
    calls: list[str] = []
    original = SouplessHTMLExporter.soup_pass

    def spy(self: SouplessHTMLExporter, html: str) -> str:
        calls.append(html)
        return original(self, html)

    monkeypatch.setattr(SouplessHTMLExporter, "soup_pass", spy)
    body, _ = export.exporter().from_notebook_node(nb, resources=_resources(nb))
    assert len(calls) == 1
    assert 'alt="No description has been provided for this image"' in body
    assert body == _nbconvert(nb)


def test_same_page_as_nbconvert_when_handled() -> None:
    nb = new_notebook(cells=[new_markdown_cell("## Titre\n\nTexte &amp; <b>gras</b>.")])
    body, _ = export.exporter().from_notebook_node(nb, resources=_resources(nb))
    assert body == _nbconvert(nb)


# --------------------------------------------------------------------------- helpers


def _resources(nb: Any) -> dict[str, Any]:
    return {"rapport": {
        "nom": "emploi", "titre": "Emploi & formation", "racine": "../",
        "contrat": "Contrat de ville d'Île-de-France", "quartier": "Cité <Jardins>",
        "code": "QP092005", "commune": "Châtenay-Malabry", "annee": 2025,
        "rapports": export.report_links("emploi"), "toc": export.table_of_contents(nb),
        "css": "/*css*/", "version": "v", "parametres": [("annee", 2025)],
        "entrees": [("a.csv", "0f")]}}


def _raw(nb: Any) -> str:
    made = export.exporter()
    raw, _ = TemplateExporter.from_notebook_node(made, nb, made._init_resources(_resources(nb)))
    return str(raw)


def _nbconvert(nb: Any) -> str:
    """The page nbconvert's own HTMLExporter writes with the report template."""
    made = HTMLExporter(extra_template_basedirs=[str(export.TEMPLATES)], template_name="rapport",
                        exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, optimistic_validation=True)
    body, _ = made.from_notebook_node(nb, resources=_resources(nb))
    return str(body)


def test_tables_are_those_of_the_installed_bs4_and_html_parser() -> None:
    """A bs4 or Python upgrade that changes them makes this fail, not the pages."""
    builder = HTMLTreeBuilder()
    assert soupless._VOID == builder.empty_element_tags
    assert soupless._LIST_ATTRIBUTES == builder.DEFAULT_CDATA_LIST_ATTRIBUTES
    assert soupless._PRESERVE_WHITESPACE == builder.DEFAULT_PRESERVE_WHITESPACE_TAGS
    assert set(HTMLParser.CDATA_CONTENT_ELEMENTS) - {"style"} <= soupless._UNHANDLED
