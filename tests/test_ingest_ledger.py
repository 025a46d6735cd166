"""The request ledger (ingest.ledger) on tiny demandes.csv files written by hand: dates in
French or ISO form, several lines of one partner merged, every bad date or unknown
partner an error naming its line and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.ingest_support import unit

from evalqpv.ingest.ledger import identify, parse_date, read_ledger
from evalqpv.problems import Problems
from evalqpv.referentiel import Referentiel

REF = Referentiel({i.id: i for i in (unit("apprenants_fle", partenaire="IDSU"),
                                     unit("demandeurs", partenaire="France Travail"),
                                     unit("allocataires", partenaire="CAF des Hauts-de-Seine"))})
TODAY = date(2026, 6, 30)
HEADER = "partenaire;demande_le;relance_le;recu_le;commentaire\n"
LABEL = "data/raw/partenaires/2026/demandes.csv"


@pytest.mark.parametrize(("rel", "expected"), [
    ("partenaires/2026/demandes.csv", 2026), ("partenaires/26/demandes.csv", None),
    ("partenaires/2026/idsu.csv", None), ("partenaires/2026/x/demandes.csv", None),
    ("contrat/2026/demandes.csv", None),
])
def test_a_ledger_is_the_demandes_file_of_a_year_folder(rel, expected):
    assert identify(Path(rel)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("15/01/2026", date(2026, 1, 15)), (" 5/1/2026 ", date(2026, 1, 5)),
    ("15-01-2026", date(2026, 1, 15)), ("15.01.2026", date(2026, 1, 15)),
    ("2026-01-15", date(2026, 1, 15)), ("31/02/2026", None), ("2026-13-01", None),
    ("15/01/26", None), ("janvier 2026", None), ("", None),
])
def test_dates_as_the_evaluator_types_them(text, expected):
    assert parse_date(text) == expected


def ledger(tmp_path: Path, text: str | bytes, today: date = TODAY):
    path = tmp_path / "demandes.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    problems = Problems()
    return read_ledger(path, LABEL, 2026, REF, today, problems), problems


def test_requests_by_partner_with_their_lines_merged(tmp_path):
    requests, problems = ledger(tmp_path, HEADER
                                + "france travail;15/01/2026;15/02/2026, 01/03/2026;;relancé\n"
                                + "IDSU;2026-01-15;;20/02/2026;\n"
                                + "France_Travail;;10/03/2026 et 15/02/2026;02/04/2026;reçu\n")
    assert not problems.items
    assert [r.partenaire for r in requests] == ["France Travail", "IDSU"]  # by name
    travail, idsu = requests
    assert (travail.annee, travail.demande_le, travail.recu_le) == (
        2026, date(2026, 1, 15), date(2026, 4, 2))
    assert travail.relances == [date(2026, 2, 15), date(2026, 3, 1), date(2026, 3, 10)]
    assert travail.commentaire == "relancé ; reçu" and travail.lignes == [2, 4]
    assert (idsu.demande_le, idsu.relances, idsu.recu_le, idsu.lignes) == (
        date(2026, 1, 15), [], date(2026, 2, 20), [3])


def test_an_unknown_partner_is_an_error_naming_the_known_ones(tmp_path):
    requests, problems = ledger(tmp_path, HEADER + "Pôle emploi;15/01/2026;;;\n")
    assert requests == []
    (error,) = problems.errors
    assert (error.fichier, error.ligne, error.colonne, error.valeur) == (
        LABEL, 2, "partenaire", "Pôle emploi")
    assert (error.attendu or "").endswith(
        "CAF des Hauts-de-Seine, France Travail, IDSU")


@pytest.mark.parametrize(("row", "column", "value", "fragment"), [
    ("IDSU;31/02/2026;;;", "demande_le", "31/02/2026", "date invalide"),
    ("IDSU;15/01/2026;15/02/2026, bientôt;;", "relance_le", "bientôt", "date invalide"),
    ("IDSU;15/01/2026;;01/07/2026;", "recu_le", "01/07/2026", "date future"),
    ("IDSU;15/01/2026, 20/01/2026;;;", "demande_le", "15/01/2026, 20/01/2026",
     "une seule date attendue"),
])
def test_each_bad_date_is_an_error_at_its_cell(tmp_path, row, column, value, fragment):
    _, problems = ledger(tmp_path, HEADER + row + "\n")
    (error,) = problems.errors
    assert fragment in error.message
    assert (error.ligne, error.colonne, error.valeur) == (2, column, value)


def test_today_is_not_the_future(tmp_path):
    requests, problems = ledger(tmp_path, HEADER + "IDSU;30/06/2026;;;\n")
    assert not problems.items and requests[0].demande_le == TODAY


def test_two_different_request_dates_for_one_partner(tmp_path):
    requests, problems = ledger(tmp_path, HEADER + "IDSU;15/01/2026;;;\nIDSU;20/01/2026;;;\n"
                                "IDSU;15/01/2026;;;\n")
    (error,) = problems.errors
    assert (error.ligne, error.colonne, error.valeur) == (3, "demande_le",
                                                          "15/01/2026 et 20/01/2026")
    assert requests[0].demande_le == date(2026, 1, 15)  # the first date stays


def test_dates_out_of_order_are_a_warning_at_the_partners_first_line(tmp_path):
    _, problems = ledger(tmp_path, HEADER + "CAF;;;;\nIDSU;15/01/2026;10/01/2026;;\n")
    # « CAF » alone is not the référentiel's partner: an error, and the order is IDSU's
    (unknown,) = problems.errors
    assert unknown.valeur == "CAF"
    (warning,) = problems.warnings
    assert warning.ligne == 3 and "IDSU" in warning.message and "15/01/2026" in warning.message
    _, problems = ledger(tmp_path, HEADER + "IDSU;15/01/2026;;14/01/2026;\n")
    assert [w.ligne for w in problems.warnings] == [2]
    _, problems = ledger(tmp_path, HEADER + "IDSU;;10/01/2026;;\n")  # no request: no order
    assert not problems.items


def test_unknown_columns_are_ignored_with_a_warning(tmp_path):
    requests, problems = ledger(tmp_path, "partenaire;demande_le;contact\nIDSU;15/01/2026;x\n")
    assert requests[0].demande_le == date(2026, 1, 15)
    (warning,) = problems.items
    assert (warning.gravite, warning.ligne, warning.colonne) == ("avertissement", 1, "contact")


@pytest.mark.parametrize(("text", "fragment"), [
    ("demande_le;recu_le\n15/01/2026;\n", "colonnes manquantes"),
    ("partenaire,demande_le\nIDSU,15/01/2026\n", "séparateur"),
    ((HEADER + "IDSU;15/01/2026;;;reçu\n").encode("cp1252"), "UTF-8"),
])
def test_a_ledger_that_cannot_be_read_is_an_error(tmp_path, text, fragment):
    requests, problems = ledger(tmp_path, text)
    assert requests == []
    (error,) = problems.errors
    assert fragment in error.message and error.fichier == LABEL
