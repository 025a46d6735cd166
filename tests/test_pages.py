"""Pages a committee can read, on hand-made fragments: tables that never widen the page,
rows with nothing to say gathered in one list, data offered as CSV, acronyms spelled
out, one stylesheet without unused rules, and the browser check's own verdicts."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from urllib.parse import unquote

from evalqpv.publish import browser
from evalqpv.publish.export import (
    acronyms_used,
    add_glossary,
    css_string,
    print_header,
    purge_css,
    short_title,
)
from evalqpv.report.html import Collapse, Html, csv_text, table

NBSP = "\u00a0"


def csv_of(html: str) -> str:
    href = html.split('href="data:text/csv;charset=utf-8,', 1)[1].split('"', 1)[0]
    return unquote(href)


def test_a_table_of_text_becomes_cards_and_a_table_of_figures_scrolls_inside_itself():
    text = table(["Objectif", "Indicateur", "Type", "Dernière valeur", "Statut"],
                 [["Soutenir", "Part des jeunes", "impact", f"11,1{NBSP}%", "sans cible"]],
                 numeric=(3,))
    assert '<div class="tableau"><table class="fiches">' in text
    assert 'data-label="Indicateur"' in text and 'role="region"' not in text
    figures = table(["Indicateur", "2019", "2020", "2021"], [["Population", "1", "2", "3"]],
                    numeric=(1, 2, 3), caption="Population par année")
    assert 'class="tableau defile" role="region" aria-labelledby="t' in figures
    assert 'tabindex="0"' in figures and '<th scope="row">Population</th>' in figures
    ident = figures.split('aria-labelledby="', 1)[1].split('"', 1)[0]
    assert f'<caption id="{ident}">Population par année</caption>' in figures


def test_rows_with_nothing_to_say_are_gathered_in_one_list_by_partner():
    rows = [["Enfants accompagnés", "–", "–", Html('<span class="statut">à collecter</span>'),
             "IDSU"],
            ["Coups et blessures", "5,1 (2023)", "–", "sans cible", "SSMSI"],
            ["Diagnostics en marchant", "–", "–", "à collecter", "IDSU"],
            ["Caméras", "–", "–", "à collecter", "Police municipale"]]
    html = table(["Indicateur", "Dernière valeur", "Cible", "Statut", "Partenaire"], rows,
                 collapse=Collapse((1, 2), "Sans valeur ni cible", group=4))
    kept = html.split("</table>")[0]
    assert "Coups et blessures" in kept and "Caméras" not in kept
    assert ("<li><strong>IDSU</strong> (2) : Enfants accompagnés ; Diagnostics en marchant."
            "</li>") in html
    assert "<strong>Sans valeur ni cible (3)</strong>" in html
    assert csv_of(html).count("\r\n") == 5  # the CSV keeps every row


def test_a_long_text_repeated_from_the_row_above_is_said_once():
    rows = [["Favoriser l'insertion des jeunes dans l'emploi", "CEJ"],
            ["Favoriser l'insertion des jeunes dans l'emploi", "PEC"]]
    html = table(["Engagement", "Indicateur"], rows, idem=(0,))
    shown = html.split("</table>")[0]
    assert shown.count("Favoriser") == 1
    assert '<td class="idem" data-label="Engagement">idem</td>' in shown
    assert csv_of(html).count("Favoriser") == 2


def test_the_csv_is_for_a_french_spreadsheet_and_keeps_accents():
    text = csv_text([["Territoire", "Valeur"], ["Châtenay; \"Cité\"", f"29,9{NBSP}%"]])
    assert text == 'Territoire;Valeur\r\n"Châtenay; ""Cité""";29,9 %\r\n'
    html = table(["A", "B"], [["é & #", "1"]], name="Mon tableau")
    assert re.search(r'download="mon-tableau-[0-9a-f]{6}\.csv"', html)  # unique, stable
    assert csv_of(html) == "\ufeffA;B\r\né & #;1\r\n"
    assert table(["A"], [["x"]], csv=False).count("data:text/csv") == 0


def test_text_from_inputs_is_escaped_in_cells_and_labels():
    html = table(["<b>Col</b>", "B", "C", "D"], [["<script>x</script>", "a", "b", "c"]])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html


PAGE = """<html><head><style>/*css*/</style></head><body><nav><ol><li>x</li>
<!--glossaire-sommaire--></ol></nav><main id="contenu"><h2>Le PRIJ</h2>
<p>Le dispositif PRIJ et la GUSP ; encore le PRIJ.</p><a href="#">QPV</a>
<svg><text>CAF</text></svg><p class="lead">Le D9/D1 vaut 2,8.</p></main>
<!--glossaire--><footer>UC</footer></body></html>"""
GLOSSARY = {"PRIJ": "plan régional d'insertion pour la jeunesse",
            "GUSP": "gestion urbaine et sociale de proximité", "CAF": "caisse",
            "QPV": "quartier prioritaire", "D9/D1": "rapport interdécile", "UC": "unité",
            "IDSU": "institut"}


def test_the_glossary_lists_the_acronyms_the_page_uses_and_spells_out_the_first():
    html = add_glossary(PAGE, GLOSSARY)
    assert acronyms_used("Le PRIJ et la GUSP", GLOSSARY) == ["GUSP", "PRIJ"]
    section = html.split('<section class="glossaire"', 1)[1].split("</section>", 1)[0]
    assert "<dt>PRIJ</dt>" in section and "<dt>D9/D1</dt>" in section
    assert "IDSU" not in section and "UC" not in section  # not used, or not in <main>
    assert "<dt>CAF</dt>" not in section  # only in a chart
    assert html.count(">PRIJ</abbr>") == 1 and html.count("</abbr>") == 3
    assert '<abbr title="plan régional d&#x27;insertion pour la jeunesse">PRIJ' in html
    assert "<h2>Le PRIJ</h2>" in html  # never in a heading
    assert '<li><a href="#sigles">Sigles</a></li>' in html
    assert add_glossary(PAGE, {"IDSU": "institut"}).count("glossaire") == 0


def test_the_stylesheet_keeps_only_the_rules_a_page_uses():
    css = (".used { color: red; }\n.unused { color: blue; }\ntable.fiches td { x: 1; }\n"
           ":root { --a: 1; }\n@media (max-width: 40rem) { .used { y: 2; } .gone { z: 3; } }\n"
           "@media print { .gone { z: 3; } }\n@page { size: A4; @bottom-right { content: "
           "counter(page); } }\n/* a comment */")
    out = purge_css(css, '<p class="used">x</p>')
    assert ".used{color: red;}" in out and ".unused" not in out and "fiches" not in out
    assert ":root" in out and "@media (max-width: 40rem)" in out and ".gone" not in out
    assert "@media print" not in out and "@bottom-right" in out and "comment" not in out


def test_printed_pages_carry_the_quarter_the_year_and_the_report():
    assert css_string('Cité "Jardins"') == '"Cité \\"Jardins\\""'
    header = print_header("Cité Jardins (QP092005) – année 2025", "Synthèse")
    assert '@top-left { content: "Cité Jardins (QP092005) – année 2025"' in header
    assert short_title("emploi") == "Axe 2 : Emploi"
    assert short_title("contexte") == "Contexte"
    assert short_title("synthese") == "Synthèse"


def test_browser_budgets_and_verdicts(tmp_path):
    big = tmp_path / "synthese.html"
    big.write_bytes(b"x" * (browser.MAX_PAGE_BYTES + 1))
    small = tmp_path / "index.html"
    small.write_bytes(b"x" * 10)
    failures = browser.size_failures([big, small])
    assert len(failures) == 1 and "synthese.html" in failures[0]
    assert browser.page_budget(big) == browser.PAGE_BUDGETS["synthese"]
    (tmp_path / "perimetres").mkdir()
    perimeter = tmp_path / "perimetres" / "92.html"
    perimeter.write_text("<code>QP092001</code>" * 26, encoding="utf-8")
    assert browser.page_budget(perimeter) == 3 + 2  # 26 quarters: two pages of table
    assert browser.size_failures([small, perimeter]) == []
    # a national index lists 1 400 quarters: 350 KB and 200 bytes per quarter it lists
    france = tmp_path / "perimetres" / "FRANCE.html"
    rows = "<code>QP092001</code>" * 1400
    france.write_text(rows + "x" * (browser.MAX_PAGE_BYTES + 200 * 1400 - len(rows)),
                      encoding="utf-8")
    assert browser.byte_budget(france) == 350_000 + 280_000
    assert browser.size_failures([france]) == []
    france.write_text(france.read_text(encoding="utf-8") + "x", encoding="utf-8")
    (heavy,) = browser.size_failures([france])
    assert "FRANCE.html" in heavy and "630" in heavy
    assert browser.pdf_failures(3, 2, "index.html") and not browser.pdf_failures(2, 2, "x")
    assert browser.pdf_failures(0, 2, "x")
    assert browser.print_clip_failures("x.html", []) == []
    (cut,) = browser.print_clip_failures("emploi.html", ["table.suivi : 40 px coupés"])
    assert "emploi.html" in cut and "40 px coupés" in cut and "A4" in cut
    found = {"scrollWidth": 405, "layoutWidth": 390, "culprits": ["table.completude (388 px)"]}
    (line,) = browser.overflow_failures("390", 390, found)
    assert "405 px" in line and "table.completude" in line
    assert not browser.overflow_failures("390", 390, {"scrollWidth": 390, "layoutWidth": 390,
                                                      "culprits": []})
    axe = browser.axe_failures({"target-size": {"id": "target-size", "impact": "serious",
                                                "help": "Cibles", "nodes": 4, "target": "a",
                                                "widths": ["390"]}}, 2)
    assert axe == ["axe-core : target-size (impact grave, 4 éléments, ex. a) [à 390 px "
                   "seulement] : Cibles"]


def test_the_browser_check_finds_the_folder_make_rapports_just_wrote(tmp_path):
    def folder(path: Path, year: int, code: str) -> Path:
        path.mkdir(parents=True)
        (path / "chiffres_cles.json").write_text(json.dumps({"annee": year,
                                                             "territoire": code}))
        (path / "index.html").write_text("<html></html>")
        return path

    own = folder(tmp_path / "reports" / "2025", 2025, "QP092005")
    other = folder(tmp_path / "reports" / "2025" / "QP059079", 2025, "QP059079")
    older = folder(tmp_path / "reports" / "2023", 2023, "QP092005")
    past = time.time() - 100
    os.utime(older / "index.html", (past, past))
    assert browser.report_folder(tmp_path, None, None) == own
    assert browser.report_folder(tmp_path, 2023, None) == older
    assert browser.report_folder(tmp_path, None, "qp059079") == other
    assert browser.report_folder(tmp_path, 2030, None) is None
    (own / "synthese.html").write_text("x")
    (own / "emploi.html").write_text("x")
    assert [p.name for p in browser.pages_of(own)] == ["index.html", "emploi.html",
                                                       "synthese.html"]


def test_the_committee_answer_must_be_on_the_first_screen():
    from evalqpv.publish.browser import first_screen_failures

    assert first_screen_failures("synthese.html", "table.decision", 640.0, 800) == []
    late = first_screen_failures("synthese.html", "table.decision", 1900.0, 800)
    assert late and "premier écran" in late[0]
    assert "absent" in first_screen_failures("synthese.html", "table.decision", None, 800)[0]


def test_every_report_is_called_by_the_word_of_its_file():
    """contexte.html is « Contexte » in its title, its links and the index; emploi.html is
    « Axe 2 – Développement économique et emploi » and « Axe 2 : Emploi » (README, « Le
    vocabulaire »)."""
    from evalqpv.vocabulary import REPORT_NAMES, REPORT_TITLES, REPORTS, partner_stem

    assert tuple(REPORT_NAMES) == REPORTS
    for name, word in REPORT_NAMES.items():
        assert partner_stem(word) == name
        title = REPORT_TITLES[name]
        # an axis keeps the contract's own title, which holds the word (« Développement
        # économique et emploi »)
        assert word.lower() in title.lower() if title.startswith("Axe ") \
            else title.startswith(word), title
        assert word in short_title(name)
