"""The shared part of an axis report: one call shows the header, then each section's
heading, lead and fragment, and the page shows a heading written by the report exactly as
it shows a markdown cell of the notebook (text, anchor, table of contents)."""

from __future__ import annotations

import nbformat
import pytest

from evalqpv import report
from evalqpv.publish.export import exporter, table_of_contents
from evalqpv.report.axis import AXIS_SECTIONS, Section, axis_parts
from evalqpv.report.html import Html, Markdown
from evalqpv.store.build import build

HEADING = "## Ce qui manque à l'été\n\nUn paragraphe avec **du gras** et *de l'italique*."


def page(cells: list[nbformat.NotebookNode]) -> str:
    """A page of the report template around `cells`, with a minimal header."""
    nb = nbformat.v4.new_notebook(cells=cells)
    resources = {"rapport": {
        "nom": "essai", "titre": "Essai", "racine": "", "contrat": "Contrat", "quartier": "Q",
        "code": "QP000000", "commune": "C", "annee": 2025, "rapports": [],
        "toc": table_of_contents(nb), "css": "", "version": "0", "parametres": [],
        "entrees": []}}
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    return str(body)


def shown_by_code(*outputs: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("report.axis_report(ctx)")
    cell.outputs = list(outputs)
    return cell


def markdown_output(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={
        "text/markdown": text, "text/plain": repr(Markdown(text))})


def html_output(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"text/html": text})


def test_a_heading_displayed_by_code_is_the_page_a_markdown_cell_makes():
    fragment = "<p>Le fragment.</p>"
    as_cells = page([nbformat.v4.new_markdown_cell(HEADING),
                     shown_by_code(html_output(fragment))])
    as_outputs = page([shown_by_code(markdown_output(HEADING), html_output(fragment))])
    assert as_outputs == as_cells
    assert '<section class="texte">' in as_outputs and "<strong>du gras</strong>" in as_outputs
    anchor = "Ce-qui-manque-%C3%A0-l'%C3%A9t%C3%A9"
    assert f'<h2 id="{anchor}">' in as_outputs
    assert f'<li><a href="#{anchor}">Ce qui manque à l\'été</a></li>' in as_outputs


def test_the_table_of_contents_reads_headings_displayed_by_code_in_page_order():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Premier"),
        shown_by_code(markdown_output("## Deuxième\n\ntexte"), html_output("<h2>Pas un</h2>"),
                      markdown_output("### Sous-titre")),
        nbformat.v4.new_markdown_cell("## Troisième")])
    assert [title for _, title in table_of_contents(nb)] == ["Premier", "Deuxième", "Troisième"]


@pytest.fixture
def emploi(mini):
    assert build(mini).ok
    return report.prepare(2025, "QP092005", "emploi", mini.root)


def test_the_shared_part_is_the_header_then_each_heading_and_its_fragment(emploi):
    parts = axis_parts(emploi)
    assert len(parts) == 1 + 2 * len(AXIS_SECTIONS)
    assert isinstance(parts[0], Html) and "territoires de comparaison" in parts[0].text
    headings = [p.text for p in parts[1::2]]
    assert all(isinstance(p, Markdown) for p in parts[1::2])
    assert all(isinstance(p, Html) for p in parts[2::2])
    assert [h.split("\n")[0] for h in headings] == [
        "## Messages clés", "## Objectifs du contrat et indicateurs", "## Analyse de l'axe",
        "## Situation de départ : le quartier parmi les quartiers prioritaires",
        "## Le quartier comparé aux autres territoires",
        "## Engagements des partenaires (annexe 1)", "## Ce qui manque encore",
        "## Méthodes et sources"]
    assert headings[-1] == "## Méthodes et sources"  # a heading without a lead
    assert headings[0].startswith("## Messages clés\n\nÉcrits à partir des données")


def test_a_section_added_once_appears_where_it_is_listed(emploi):
    own = Section("Une section de plus", "Dite une fois.", lambda ctx: Html("<p>ajoutée</p>"))
    parts = axis_parts(emploi, (AXIS_SECTIONS[0], own))
    assert [str(p) for p in parts[3:]] == ["## Une section de plus\n\nDite une fois.",
                                           "<p>ajoutée</p>"]
