"""The export's shortcuts change no page: acronyms found exactly where the word-boundary
rule finds them, the notebook still validated, the warm-up leaving only caches, and the
territories read once per version of their file."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from evalqpv.publish.export import acronyms_used, exporter, spell_out_first, warm
from evalqpv.settings import ProjectPaths
from evalqpv.store.tables import read_territories

GLOSSARY = {"CAF": "caisse d'allocations familiales", "D9/D1": "rapport interdécile",
            "PRE": "programme de réussite éducative"}


def test_an_acronym_counts_only_as_a_word_of_its_own():
    # A letter, a digit, « / » or « - » glued to either side makes it another word.
    for text in ("CAFE", "LaCAF", "CAF2", "2CAF", "CAF/CNAF", "CNAF/CAF", "CAF-92", "pré-CAF",
                 "D9/D10", "xD9/D1", "PREMIER", "PRÉ"):
        assert acronyms_used(text, GLOSSARY) == [], text
    # Punctuation, spaces and the ends of the text do not.
    assert acronyms_used("CAF", GLOSSARY) == ["CAF"]
    assert acronyms_used("(CAF)", GLOSSARY) == ["CAF"]
    assert acronyms_used("le D9/D1.", GLOSSARY) == ["D9/D1"]
    assert acronyms_used("PRE, puis CAF", GLOSSARY) == ["CAF", "PRE"]
    # found further on, after an occurrence glued to another word
    assert acronyms_used("CAFE puis la CAF", GLOSSARY) == ["CAF"]


def test_only_the_first_free_occurrence_of_each_acronym_is_spelled_out():
    html = ("<main><p>La CAFE, la CAF et encore la CAF ; le PRE.</p>"
            "<h2>La CAF</h2><p>D9/D10 puis D9/D1 et PRE</p></main>")
    out = spell_out_first(html, GLOSSARY, ["CAF", "D9/D1", "PRE"])
    assert out == ('<main><p>La CAFE, la <abbr title="caisse d&#x27;allocations familiales">'
                   'CAF</abbr> et encore la CAF ; le <abbr title="programme de réussite '
                   'éducative">PRE</abbr>.</p><h2>La CAF</h2><p>D9/D10 puis <abbr '
                   'title="rapport interdécile">D9/D1</abbr> et PRE</p></main>')


def notebook() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": "<p>Un <b>tableau</b> et la CAF</p>"})]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Titre"), cell])


RESOURCES = {"rapport": {
    "nom": "essai", "titre": "Essai", "racine": "", "contrat": "Contrat", "quartier": "Q",
    "code": "QP000000", "commune": "C", "annee": 2025, "rapports": [],
    "toc": [("Titre", "Titre")], "css": "", "version": "0", "parametres": [],
    "entrees": []}}


def test_the_exporter_still_refuses_an_invalid_notebook():
    nb = notebook()
    del nb.cells[1]["outputs"][0]["data"]  # a display_data output must have data
    with pytest.raises(nbformat.ValidationError):
        exporter().from_notebook_node(nb, resources=RESOURCES)


def test_warming_up_changes_nothing_in_the_next_page():
    before, _ = exporter().from_notebook_node(notebook(), resources=RESOURCES)
    warm()
    after, _ = exporter().from_notebook_node(notebook(), resources=RESOURCES)
    assert after == before
    assert "<b>tableau</b>" in after and 'id="Titre"' in after


HEADER = ("code_qpv,libelle_qpv,communes,libelles_communes,epci,libelle_epci,departement,"
          "libelle_departement,region,libelle_region\n")


def territories_file(name: str) -> str:
    return HEADER + f"QP092005,{name},92019,Châtenay-Malabry,,,92,Hauts-de-Seine,11,IDF\n"


def test_the_territories_are_read_again_when_their_file_changes(tmp_path: Path):
    paths = ProjectPaths(tmp_path)
    assert read_territories(paths) == {}  # no store yet
    paths.territories.parent.mkdir(parents=True)
    paths.territories.write_text(territories_file("Cité Jardins"), encoding="utf-8")
    first = read_territories(paths)
    assert first["QP092005"].libelle == "Cité Jardins"
    assert read_territories(paths) == first  # (read once: test_read_once.py)
    # rebuilt by an atomic replace: same size, same time, another file
    stamp = paths.territories.stat().st_mtime_ns
    other = tmp_path / "nouveau.csv"
    other.write_text(territories_file("Cité Jardinz"), encoding="utf-8")
    os.utime(other, ns=(stamp, stamp))
    os.replace(other, paths.territories)
    assert read_territories(paths)["QP092005"].libelle == "Cité Jardinz"
    # edited in place: another size
    paths.territories.write_text(territories_file("La Butte Rouge"), encoding="utf-8")
    assert read_territories(paths)["QP092005"].libelle == "La Butte Rouge"
    paths.territories.unlink()
    assert read_territories(paths) == {}
