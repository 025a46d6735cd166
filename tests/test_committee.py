"""The committee's first page on a small hand-made project: what « received » means, the
contract's targets under one verdict per axis, and proposals that say why."""

from __future__ import annotations

import re
from html import unescape

import pytest

from evalqpv import report
from evalqpv.report.completeness import completeness_rows
from evalqpv.report.decisions import proposals
from evalqpv.store.build import build

RETURNS = "data/raw/partenaires/2025"
TRANSCRIPTION = ("section;tableau;libelle_imprime;indicateur;niveau;code;libelle_territoire;"
                 "geographie;annee;valeur_imprimee;source_citee;note\n")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def year_2025(mini):
    """France Travail returned a figure of 2025 and one of 2024; the contract prints a
    figure of IDSU's for 2025."""
    (mini.root / RETURNS / "france_travail.csv").write_text(
        "indicateur;code;annee;valeur;commentaire\n"
        "actions_hors_les_murs_france_travail;QP092005;2025;0;aucune action cette année\n"
        "participants_actions_hors_les_murs;QP092005;2024;12;\n", encoding="utf-8")
    (mini.raw / "contrat" / "chiffres.csv").write_text(
        TRANSCRIPTION + "1.3;texte;40 apprenants;apprenants_fle;qpv;QP092005;Cité Jardins;"
        "qpv2015;2025;40;IDSU;\n", encoding="utf-8")
    result = build(mini)
    assert result.ok, [p.render() for p in result.problems.errors]
    return report.prepare(2025, "QP092005", "synthese", mini.root)


def test_received_means_a_figure_of_the_year_from_the_partner_or_producer(year_2025):
    rows = {r["partenaire"]: r for r in completeness_rows(year_2025)}
    assert rows["France Travail"]["recus"] == 1  # its 2025 figure; not its 2024 one
    idsu = rows["IDSU"]
    assert idsu["recus"] == 0, "the contract's own figure of 2025 is not a received one"
    shown = text(report.partner_completeness(year_2025).text)
    assert "Aucun chiffre de 2025" not in shown


def test_nothing_received_is_said_plainly(mini):
    assert build(mini).ok
    ctx = report.prepare(2025, "QP092005", "synthese", mini.root)
    assert "Aucun chiffre de 2025 n'a été reçu à ce jour" in text(
        report.partner_completeness(ctx).text)


def test_decision_table_lists_the_contract_targets_under_one_verdict_per_axis(year_2025):
    shown = text(report.decision_table(year_2025).text)
    assert shown.count("Axe ") >= 4 and "Gouvernance —" in shown
    late = "Actions « hors les murs » de France Travail dans le QPV : au moins 1 chaque année"
    assert late in shown
    row = shown.split(late)[1].split("Rencontres")[0]
    assert "0 (2025)" in row and "en retard" in row
    assert "Le contrat ne fixe aucune cible chiffrée sur cet axe" in shown  # transition
    assert "objectif propre" not in shown and "353" not in shown  # partners' objectives


def test_every_proposal_says_why_and_names_its_rows(year_2025):
    found = proposals(year_2025)
    assert found and all(p.why and p.who for p in found)
    late = [p for p in found if "actions_hors_les_murs_france_travail" in p.indicators]
    assert len(late) == 1 and "Examiner" in late[0].text and "0 en 2025" in late[0].why
    overdue = [p for p in found if "centres_sociaux_pactes_cooperation" in p.indicators]
    assert overdue and "2024" in overdue[0].why
    # nobody was asked (no ledger): the collection is to be launched, no agreement yet
    assert not any("convention d'échange" in p.text for p in found)
    silent = next(p for p in found if p.text.startswith("Lancer la collecte de 2025"))
    assert "IDSU : " in silent.why and "France Travail" not in silent.why
    assert "Insee" not in silent.why  # a producer of public statistics, asked by release
    # more than three partners are counted in « Concerne », named in the motivation
    assert silent.who == f"{silent.why.count(' : ') - 1} partenaires (la motivation les nomme)"


def test_a_partner_asked_who_never_answered_is_offered_an_agreement(mini, year_2025):
    (mini.root / RETURNS / "demandes.csv").write_text(
        "partenaire;demande_le;relance_le;recu_le;commentaire\n"
        "IDSU;15/01/2026;16/02/2026;;\n", encoding="utf-8")
    assert build(mini).ok
    ctx = report.prepare(2025, "QP092005", "synthese", mini.root)
    found = proposals(ctx)
    agreement = next(p for p in found if "convention d'échange" in p.text)
    assert agreement.who == "IDSU" and "bien que demandé" in agreement.text
    launch = next(p for p in found if p.text.startswith("Lancer la collecte"))
    assert "IDSU" not in launch.why
    assert all(not p.text.startswith(("Décider", "Le comité décide")) for p in found)


def with_calculation(mini, indicator: str, calcul: str) -> None:
    """The mini project's référentiel, with a computed figure on one row."""
    import csv

    path = mini.root / "config" / "referentiel.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["calcul"] = calcul if row["id"] == indicator else ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_the_signatories_evaluation_is_shown_never_judged(mini):
    """« Une évaluation annuelle est réalisée par chaque signataire » : the contract does
    not define that evaluation, and a data return is not one; with no return at all, or
    with one signatory's, the signatories' share is shown and never judged (nor is its
    absence a partner's delay)."""
    with_calculation(mini, "part_signataires_evaluation_annuelle",
                     "part_partenaires_ayant_transmis")
    assert build(mini).ok
    ctx = report.prepare(2025, "QP092005", "synthese", mini.root)
    ind = ctx.referentiel["part_signataires_evaluation_annuelle"]
    nothing = ctx.assess(ind)
    assert nothing.status == "non comparable" and "aucun retour de données" in nothing.reason
    assert not any("part_signataires_evaluation_annuelle" in p.indicators
                   for p in proposals(ctx) if "retard" in p.text)
    (mini.root / RETURNS / "france_travail.csv").write_text(
        "indicateur;code;annee;valeur;commentaire\n"
        "actions_hors_les_murs_france_travail;QP092005;2025;2;\n", encoding="utf-8")
    assert build(mini).ok
    ctx = report.prepare(2025, "QP092005", "synthese", mini.root)
    a = ctx.assess(ind)
    signatories = set(ctx.contract.signataires.values())  # the annex's eight signatories
    assert "France Travail" in signatories
    assert a.last.valeur == round(100 / len(signatories), 1)
    # a data return is not the evaluation the contract asks for, which it does not define
    assert a.status == "non comparable" and "ne définit" in a.reason
    assert ctx.partners_who_sent() == ["France Travail"]


def test_completeness_says_when_a_partner_last_sent_and_links_its_page(year_2025):
    rows = {r["partenaire"]: r for r in completeness_rows(year_2025)}
    assert rows["France Travail"]["dernier"] == 2025
    assert rows["IDSU"]["dernier"] is None  # the contract's figure is not a return
    shown = report.partner_completeness(year_2025).text
    assert '<a href="partenaires/france_travail.html">France Travail</a>' in shown
    assert "aucun depuis le début du contrat (2024)" in text(shown)


def test_count_agrees_with_its_number():
    from evalqpv.frenchnumbers import count
    assert count(0, "chiffre") == "0 chiffre" and count(1, "chiffre") == "1 chiffre"
    assert count(2, "chiffre") == "2 chiffres"
    assert count(5481, "indicateur mesuré", "indicateurs mesurés") \
        == "5\u00a0481 indicateurs mesurés"


def test_each_axis_verdict_reads_the_contract_years_then_the_start(year_2025):
    heads = re.findall(r'<tr class="groupe">(.*?)</tr>', report.decision_table(year_2025).text)
    said = [text(h) for h in heads]
    emploi = next(h for h in said if "Axe 2" in h)
    # France Travail's two figures (2025 and 2024) measure two indicators of the contract
    # years; its three targets: the one it missed in 2025, two with no figure
    assert "2024-2025 : 3 cibles du contrat, 1 en retard, 2 à collecter ; " in emploi
    assert "2 indicateurs mesurés sur" in emploi
    assert "rien ne peut encore être jugé" not in emploi
    assert "cible(s)" not in " ".join(said) and "chiffre(s)" not in " ".join(said)
    # an axis with nothing received says so, and whose figures are missing
    transition = next(h for h in said if "Axe 4" in h)
    assert "rien ne peut encore être jugé" in transition


def test_the_head_rows_add_up_to_the_partners_table(year_2025):
    """Each theme counts its own indicators: over the themes of the committee's table, the
    figures missing from each partner are those of the partners' table."""
    from collections import Counter

    from evalqpv.report.committee import THEMES_SHOWN
    from evalqpv.report.messages import axis_summary

    missing: Counter[str] = Counter()
    for theme in THEMES_SHOWN:
        missing.update(axis_summary(year_2025, theme, own=True).missing)
    rows = completeness_rows(year_2025)
    assert rows and all(missing[str(r["partenaire"])] == int(str(r["attendus"]))
                        - int(str(r["recus"])) for r in rows)


def test_a_target_read_on_the_contracts_own_figure_says_nothing_was_measured(tmp_path):
    """« Mises en place de 4 commissions »: the contract's 4 is its description, not a
    result; the committee's table must not show it as the figure that judges the target."""
    from tests.helpers import indicator
    from tests.sections_kit import COMMUNE_LEVEL, context, row

    from evalqpv.report.committee import _figure

    commissions = indicator("commissions", "5.2", libelle="Commissions", unite="nombre",
                            denombre="autres", cible=4.0, cible_operateur=">=",
                            cible_nature="annuelle", perimetre="commune")
    ctx = context(tmp_path, [commissions],
                  [row("commissions", 2024, 4.0, level=COMMUNE_LEVEL, origine="contrat")])
    assert _figure(ctx, commissions) == "aucun chiffre mesuré (le contrat citait 4)"
    measured = context(tmp_path, [commissions],
                       [row("commissions", 2025, 5.0, level=COMMUNE_LEVEL,
                            origine="partenaire")])
    assert _figure(measured, commissions) == "5 (2025)"
