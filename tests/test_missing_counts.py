"""The figures of the year still missing, counted alike on every page (reading test: one
axis showed 1 missing in the synthesis, 10 on its own page and 8 in the annexes, and
« 31 sans cible » for figures never received): each page says which indicators it
counts, and how its count meets the others'."""

from __future__ import annotations

from tests.helpers import indicator
from tests.sections_kit import caf_commitments, context, row, table_rows, text

from evalqpv.report.followup import missing, partners
from evalqpv.report.messages import (
    axis_summary,
    axis_verdict,
    key_messages,
    missing_figures,
)

PARTNER = "partenaire"


def ind(ind_id: str, **kw: object):
    return indicator(ind_id, "1.2", libelle=f"Indicateur {ind_id}", **kw)


# The « emploi » report: three own indicators, three of other themes it shows, one of
# another theme it does not show; two partners and one producer of public statistics.
INDICATORS = [
    ind("recu", partenaire="Ville"),  # own, received
    ind("attendu", partenaire="Ville"),  # own, never received
    ind("parution", partenaire="Insee", variable_source="P21_POP"),  # own, not out yet
    ind("autre_a", axe="emancipation", rapports=("emploi",), partenaire="Département"),
    ind("autre_b", axe="tranquillite", rapports=("emploi",), partenaire="Département"),
    ind("autre_recu", axe="tranquillite", rapports=("emploi",), partenaire="Ville"),
    ind("ailleurs", axe="transition", partenaire="Département"),  # not shown by emploi
]
ROWS = [row("recu", 2025, 3.0, origine=PARTNER), row("autre_recu", 2025, 2.0, origine=PARTNER),
        row("parution", 2023, 40.0),
        # the contract's printed figure: a description of the start, not a figure received
        row("autre_b", 2024, 7.0, origine="contrat")]


def test_the_split_adds_up_to_the_axis_page_list(tmp_path):
    ctx = context(tmp_path, INDICATORS, ROWS)
    split = missing_figures(ctx, "emploi")
    assert dict(split.own) == {"Ville": 1}
    assert dict(split.shown) == {"Département": 2}
    assert dict(split.releases) == {"Insee": 1}
    assert split.total == 4


def test_the_axis_page_says_how_its_list_meets_the_synthesis_count(tmp_path):
    shown = text(missing(context(tmp_path, INDICATORS, ROWS)))
    assert shown.startswith(
        "4 chiffres de 2025 manquent : 1 attendu des partenaires pour les 3 indicateurs "
        "propres de l'axe (le compte de la synthèse) ; 2 des partenaires pour des indicateurs "
        "d'autres thèmes que ce rapport montre ; 1 attendu d'une publication statistique pas "
        "encore parue (Insee).")


def test_the_synthesis_counts_the_axis_own_indicators(tmp_path):
    synthesis = context(tmp_path, INDICATORS, ROWS, report="synthese")
    summary = axis_summary(synthesis, "emploi", own=True)
    assert summary.indicators == 3 and summary.missing == {"Ville": 1}


def test_the_annexes_say_which_count_is_the_synthesis(tmp_path):
    annexes = context(tmp_path, INDICATORS, ROWS, report="annexes")
    said = axis_verdict(annexes, axis_summary(annexes, "emploi"))
    assert ("Chiffres de 2025 attendus des partenaires et manquants, pour les indicateurs que "
            "suit le rapport de l'axe : 3, dont 1 pour ses 3 indicateurs propres (le compte de "
            "la synthèse) ; attendus surtout de Département (2), Ville (1).") in said


def test_the_status_line_names_its_scope_and_what_has_no_figure(tmp_path):
    shown = text(key_messages(context(tmp_path, INDICATORS, ROWS)))
    assert ("Sur les 6 indicateurs suivis dans ce rapport (les 3 propres à l'axe, que compte "
            "la synthèse, et 3 indicateurs d'autres thèmes qu'il montre) :") in shown
    assert ("4 indicateurs n'ont pas encore de chiffre de 2025 : ils sont listés dans « Ce "
            "qui manque encore ».") in shown


def test_a_figure_printed_in_the_contract_alone_is_still_to_collect(tmp_path):
    """Without a target, « sans cible » once a figure was received; the contract's own
    figure is not one (it hid figures never received)."""
    ctx = context(tmp_path, INDICATORS, ROWS)
    by_id = {i.id: i for i in INDICATORS}
    assert ctx.assess(by_id["autre_b"]).status == "à collecter"
    assert ctx.assess(by_id["parution"]).status == "sans cible"  # 2023 was received
    assert ctx.assess(by_id["recu"]).status == "sans cible"


def test_the_annexes_signatory_row_gives_the_count_of_its_page(tmp_path):
    """A signatory's commitments are a part of what it owes: the row says both, the
    second being what its own page counts."""
    commitments, lines = caf_commitments("permanences")
    outside = indicator("allocataires", "1.2", libelle="Allocataires",
                        partenaire="CAF des Hauts-de-Seine")
    ctx = context(tmp_path, [*commitments, outside], [], report="annexes", lines=lines)
    fragment = partners(ctx)
    assert table_rows(fragment) == [["CAF", "1", "1", "1 à collecter", "2",
                                     "CAF des Hauts-de-Seine"]]
    assert "Chiffres qu'il doit pour 2025 (tout le contrat)" in fragment.text
    assert "c'est le compte de sa page" in text(fragment)


def test_the_context_report_splits_its_list_too(tmp_path):
    """The synthesis counts the portrait's own indicators as it counts an axis's."""
    inds = [ind("population", axe="contexte", partenaire="Insee", variable_source="P21_POP"),
            ind("allocataires", axe="contexte", partenaire="CAF"),
            ind("foyers", axe="contexte", partenaire="CAF")]
    ctx = context(tmp_path, inds, [row("foyers", 2025, 4.0, origine=PARTNER)],
                  report="contexte")
    assert text(missing(ctx)).startswith(
        "2 chiffres de 2025 manquent : 1 attendu des partenaires pour les 3 indicateurs "
        "propres du portrait (le compte de la synthèse) ; 1 attendu d'une publication "
        "statistique pas encore parue (Insee).")
    assert ("2 indicateurs n'ont pas encore de chiffre de 2025 : ils sont listés dans « Ce "
            "qui manque encore ».") in text(key_messages(ctx))
