"""report/completeness.py on a hand-made context: the synthesis's table of what each
partner owes and sent, and the one place that says which receipts the request ledger
does not date."""

from __future__ import annotations

from tests.helpers import indicator
from tests.sections_kit import context, row, table_rows, text

from evalqpv.report.completeness import partner_completeness

PARTNERS = ("CAF", "IDSU", "Ville", "DRIEETS")
REQUESTS = ("annee,partenaire,demande_le,relances,recu_le,recu,retour,fichiers,commentaire\n"
            # asked, reminded, the file came: the ledger does not say when
            "2025,CAF,2026-01-15,2026-02-16,,oui,lu,caf.xlsx,\n"
            # asked, received on a noted day
            "2025,IDSU,2026-01-15,,2026-02-02,oui,lu,idsu.xlsx,\n"
            # not in the ledger at all, but its file came
            "2025,Ville,,,,oui,lu,ville.xlsx,\n"
            # asked, nothing came
            "2025,DRIEETS,2026-01-15,,,non,,,\n")


def test_the_ledger_gaps_are_said_once_under_the_table(tmp_path):
    inds = [indicator(f"i{n}", "1.1", libelle=f"I{n}", partenaire=p, unite="nombre")
            for n, p in enumerate(PARTNERS)]
    rows = [row(f"i{n}", 2025, 3.0, origine="partenaire") for n in range(3)]
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / "demandes.csv").write_text(REQUESTS, encoding="utf-8")
    fragment = partner_completeness(context(tmp_path, inds, rows, report="synthese"))
    # column « Demande »: what the ledger notes, nothing about a date it lacks
    assert {r[0]: r[-1] for r in table_rows(fragment)} == {
        "CAF": "demandé le 15/01/2026, relancé le 16/02/2026, reçu",
        "IDSU": "demandé le 15/01/2026, reçu le 02/02/2026",
        "Ville": "–",
        "DRIEETS": "demandé le 15/01/2026, rien reçu"}
    shown = text(fragment)
    assert "date non notée" not in shown
    assert ("Le registre des demandes ne date pas la réception de 2 classeurs arrivés. "
            "Demande notée, réception non datée : CAF. Absent du registre (ni demande ni "
            "relance notée) : Ville. Les y noter permet de suivre les délais de réponse."
            ) in shown
