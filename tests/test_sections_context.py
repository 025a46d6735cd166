"""report/context.py on hand-made rows: what every section reads from the context (the
series under the secrecy rule, the status of an indicator and the figure it rests on,
what is owed, received and missing, the requests to partners)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.helpers import indicator
from tests.sections_kit import (
    COMMUNE_LEVEL,
    DEP_LEVEL,
    OTHER_TERRITORY,
    QPV_LEVEL,
    context,
    row,
)

from evalqpv import secrecy
from evalqpv.report.context import request_words
from evalqpv.store.requests import PartnerRequest

PARTNER = "partenaire"


def values(ctx, ind_id: str, level=QPV_LEVEL) -> dict[int, object]:
    """Year -> printed value (None and the status when masked or secret)."""
    return {p.annee: p.valeur if p.valeur is not None else p.statut
            for p in ctx.series(ind_id, level)}


def test_a_partner_small_count_of_people_is_masked_on_a_small_territory_only(tmp_path):
    inds = [indicator("jeunes", "1.1", unite="nombre"),
            indicator("reunions", "1.1", unite="nombre", denombre="autres")]
    rows = [row("jeunes", 2023, 0.0, origine=PARTNER), row("jeunes", 2024, 10.0, origine=PARTNER),
            row("jeunes", 2025, 11.0, origine=PARTNER),
            row("jeunes", 2022, 4.0),  # a producer's publication: already public
            row("jeunes", 2025, 3.0, origine=PARTNER, level=DEP_LEVEL),
            row("reunions", 2025, 2.0, origine=PARTNER)]
    ctx = context(tmp_path, inds, rows)
    # 0 is printed, 1 to 10 masked, 11 shown
    assert values(ctx, "jeunes") == {2022: 4.0, 2023: 0.0, 2024: secrecy.MASKED, 2025: 11.0}
    assert values(ctx, "jeunes", DEP_LEVEL) == {2025: 3.0}  # a département is wide enough
    assert values(ctx, "reunions") == {2025: 2.0}  # meetings are not people


def test_a_part_that_would_give_a_masked_count_back_is_masked_too(tmp_path):
    inds = [indicator("de", "1.1", unite="nombre"),
            indicator("de_femmes", "1.1", unite="nombre"),
            indicator("de_hommes", "1.1", unite="nombre")]
    rows = [row("de", 2024, 30.0, origine=PARTNER),
            row("de_femmes", 2024, 22.0, origine=PARTNER),  # 30 - 22 = 8: gives 8 back
            row("de", 2025, 20.0, origine=PARTNER),
            row("de_femmes", 2025, 5.0, origine=PARTNER),  # small
            row("de_hommes", 2025, 15.0, origine=PARTNER)]  # 5 = 20 - 15: masked too
    ctx = context(tmp_path, inds, rows)
    assert values(ctx, "de_femmes") == {2024: secrecy.MASKED, 2025: secrecy.MASKED}
    assert values(ctx, "de_hommes") == {2025: secrecy.MASKED}
    assert values(ctx, "de") == {2024: 30.0, 2025: 20.0}  # the total itself is shown


def test_the_reference_value_is_masked_unless_a_public_figure_gives_it(tmp_path):
    small = indicator("jeunes", "1.1", unite="nombre", valeur_reference=8.0,
                      statut_reference="valeur", annee_reference=2023)
    ctx = context(tmp_path, [small], [])
    assert ctx.reference(small) == (None, secrecy.MASKED)
    public = context(tmp_path, [small], [row("jeunes", 2023, 8.0)])
    assert public.reference(small) == (8.0, "valeur")
    rate = indicator("taux", "1.1", unite="pourcentage", valeur_reference=8.0,
                     statut_reference="valeur", annee_reference=2023)
    assert context(tmp_path, [rate], []).reference(rate) == (8.0, "valeur")


def test_a_figure_of_another_level_is_never_the_quarter_latest(tmp_path):
    target = indicator("taux", "1.1", unite="pourcentage", cible=50.0, cible_operateur=">=",
                       cible_nature="stock", annee_cible=2030)
    plain = indicator("part", "1.1", unite="pourcentage")
    rows = [row("taux", 2025, 60.0, level=COMMUNE_LEVEL),
            row("part", 2024, 12.0, level=COMMUNE_LEVEL)]
    ctx = context(tmp_path, [target, plain], rows)
    a = ctx.assess(target)
    assert a.last is None and a.level == QPV_LEVEL
    assert a.elsewhere is not None and a.elsewhere[0] == COMMUNE_LEVEL
    assert a.elsewhere[1].valeur == 60.0
    # met on the commune, but the target is the quarter's
    assert (a.status, a.reason) == ("non comparable", "chiffre sur la commune "
                                    "(Châtenay-Malabry) pour une cible définie sur le quartier")
    b = ctx.assess(plain)  # no target: a figure came, nothing to collect
    assert (b.status, b.reason) == ("sans cible", "chiffre donné pour Châtenay-Malabry")


def test_a_report_covers_its_axis_and_the_indicators_linked_to_it(tmp_path):
    inds = [indicator("a", "1.1", axe="emancipation"),
            indicator("b", "1.1", axe="emancipation", rapports=("emploi", "transition")),
            indicator("c", "1.1", axe="emploi"), indicator("d", "1.1", axe="contexte")]
    assert [i.id for i in context(tmp_path, inds, []).indicators()] == ["b", "c"]
    for whole in ("synthese", "annexes", "partenaire"):
        assert [i.id for i in context(tmp_path, inds, [], report=whole).indicators()] == [
            "a", "b", "c", "d"]


def test_another_quarter_is_judged_without_the_contract_targets(tmp_path):
    met = indicator("taux", "1.1", unite="pourcentage", cible=50.0, cible_operateur=">=",
                    cible_nature="stock", annee_cible=2030)
    absent = indicator("absent", "1.1", unite="pourcentage")
    own = context(tmp_path, [met, absent], [row("taux", 2025, 60.0)])
    assert own.assess(met).status == "atteint"
    assert [i.id for i in own.indicators()] == ["taux", "absent"]
    other = context(tmp_path, [met, absent],
                    [row("taux", 2025, 60.0, level=OTHER_TERRITORY.qpv)],
                    territory=OTHER_TERRITORY)
    assert other.assess(met).status == "sans cible"
    assert [i.id for i in other.indicators()] == ["taux"]  # only those with figures


def test_what_is_owed_received_and_missing(tmp_path):
    inds = [
        indicator("recu", "1.1", unite="pourcentage"),
        indicator("ancien", "1.1", unite="pourcentage"),
        # a one-off event due in 2027: not owed yet
        indicator("evenement", "1.1", unite="booleen", cible=1.0, cible_operateur=">=",
                  cible_nature="ponctuelle", annee_cible=2027),
        # about another commune: never owed
        indicator("ailleurs", "1.1", unite="nombre", perimetre="autre_commune"),
        # printed in the contract only: a baseline, not a figure received
        indicator("contrat", "1.1", unite="pourcentage"),
    ]
    rows = [row("recu", 2025, 1.0), row("ancien", 2022, 1.0), row("ancien", 2024, 2.0),
            row("contrat", 2025, 3.0, origine="contrat")]
    ctx = context(tmp_path, inds, rows)
    by_id = {i.id: i for i in inds}
    assert ctx.observed_years(by_id["ancien"]) == [2022, 2024]
    assert ctx.observed_years(by_id["contrat"]) == []
    assert {i: (ctx.expected(ind), ctx.received(ind), ctx.missing(ind))
            for i, ind in by_id.items()} == {
        "recu": (True, True, False), "ancien": (True, False, True),
        "evenement": (False, False, False), "ailleurs": (False, False, False),
        "contrat": (True, False, True)}
    assert ctx.assess(by_id["evenement"]).status == "à venir"
    counts = ctx.status_counts(inds)
    # the contract's printed figure alone leaves « contrat » to collect, not « sans cible »
    assert (counts["sans cible"], counts["à collecter"], counts["à venir"],
            counts["non applicable"]) == (2, 1, 1, 1)
    assert sum(counts.values()) == 5


def test_a_partner_asked_who_sent_nothing_is_not_transmitted(tmp_path):
    owed = indicator("jeunes", "1.1", unite="nombre", partenaire="Mission locale")
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / "demandes.csv").write_text(
        "annee,partenaire,demande_le,relances,recu_le,recu,retour,fichiers,commentaire\n"
        "2025,Mission locale,2026-01-15,2026-02-16 2026-03-02,,non,,,\n", encoding="utf-8")
    a = context(tmp_path, [owed], []).assess(owed)
    assert (a.status, a.reason) == ("non transmis", "demandé le 15/01/2026, relancé le "
                                    "16/02/2026, relancé le 02/03/2026, rien reçu")
    # another year's request says nothing of 2024
    assert context(tmp_path, [owed], [], annee=2024).assess(owed).status == "à collecter"


@pytest.mark.parametrize(("asked", "words"), [
    (None, ""),
    (PartnerRequest(2025, "P"), ""),
    (PartnerRequest(2025, "P", demande_le=date(2026, 1, 15), recu_le=date(2026, 2, 2)),
     "demandé le 15/01/2026, reçu le 02/02/2026"),
    # a file came, the ledger says nothing of this partner: nothing to say beside the
    # files (the synthesis says once which receipts the ledger does not date)
    (PartnerRequest(2025, "P", fichiers=("p.xlsx",)), ""),
    (PartnerRequest(2025, "P", demande_le=date(2026, 1, 15), relances=(date(2026, 2, 16),),
                    fichiers=("p.xlsx",)),
     "demandé le 15/01/2026, relancé le 16/02/2026, reçu"),
])
def test_request_words(asked, words):
    assert request_words(asked) == words


def test_the_partners_who_sent_a_figure_of_the_year(tmp_path):
    inds = [indicator("a", "1.1", partenaire="CAF"), indicator("b", "1.1", partenaire="IDSU"),
            indicator("c", "1.1", partenaire="Ville")]
    rows = [row("a", 2025, 1.0, origine=PARTNER), row("b", 2024, 1.0, origine=PARTNER),
            row("c", 2025, 1.0)]  # a publication, not a partner's return
    assert context(tmp_path, inds, rows).partners_who_sent() == ["CAF"]


def test_a_copy_with_another_store_keeps_nothing_the_first_computed(tmp_path):
    """dataclasses.replace gives a context whose caches start empty: what the first one
    kept (partners, series, levels) came from its own store."""
    from dataclasses import replace

    inds = [indicator("a", "1.1", partenaire="CAF")]
    ctx = context(tmp_path, inds, [row("a", 2024, 1.0, origine=PARTNER),
                                   row("a", 2025, 2.0, origine=PARTNER)])
    assert ctx.partners_who_sent() == ["CAF"]
    assert [p.annee for p in ctx.series("a", QPV_LEVEL)] == [2024, 2025]
    empty = replace(ctx, store=ctx.store.iloc[0:0])
    assert ctx.cache and not empty.cache
    assert empty.partners_who_sent() == []
    assert empty.series("a", QPV_LEVEL) == []


def test_what_is_owed_does_not_depend_on_what_came_back(tmp_path):
    """The count owed is decided by the contract and the référentiel: a partner that
    answers « not yet » on a milestone, or sends a figure below a target, still owes it
    (and has sent it); a milestone due later, or a commitment about another commune,
    is not owed even when the partner fills it in."""
    inds = [
        # no deadline printed: its state is asked every year (the CPAM's convention)
        indicator("convention", "1.1", unite="booleen", cible=1.0, cible_operateur=">=",
                  cible_nature="ponctuelle"),
        # a level to reach by 2030, not reached in 2025: « à venir », still owed
        indicator("niveau", "1.1", unite="nombre", cible=50.0, cible_operateur=">=",
                  cible_nature="stock", annee_cible=2030),
        # a milestone due in 2027: not owed in 2025, even when filled in
        indicator("evaluation", "1.1", unite="booleen", cible=1.0, cible_operateur=">=",
                  cible_nature="ponctuelle", annee_cible=2027),
        indicator("ailleurs", "1.1", unite="nombre", perimetre="autre_commune"),
    ]
    by_id = {i.id: i for i in inds}
    nothing = context(tmp_path, inds, [])
    answered = context(tmp_path, inds, [
        row("convention", 2025, 0.0, origine=PARTNER), row("niveau", 2025, 40.0, origine=PARTNER),
        row("evaluation", 2025, 0.0, origine=PARTNER),
        row("ailleurs", 2025, 3.0, origine=PARTNER)])
    owed = {"convention": True, "niveau": True, "evaluation": False, "ailleurs": False}
    assert {i: nothing.expected(ind) for i, ind in by_id.items()} == owed
    assert {i: answered.expected(ind) for i, ind in by_id.items()} == owed
    assert {i: answered.missing(ind) for i, ind in by_id.items()} == dict.fromkeys(owed, False)
    # the statuses themselves still say where each stands
    assert answered.assess(by_id["convention"]).status == "à venir"
    assert answered.assess(by_id["niveau"]).status == "à venir"
