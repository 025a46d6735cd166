"""Statuses and series on small hand-written tables."""

import dataclasses

import pandas as pd
import pytest

from evalqpv.referentiel import Indicator
from evalqpv.report.indicators import (
    A_COLLECTER,
    A_VENIR,
    ATTEINT,
    EN_BONNE_VOIE,
    EN_RETARD,
    SANS_CIBLE,
    Point,
    is_contract_figure,
    judge,
    latest,
    points_of,
    series,
)
from evalqpv.territory import Level

BASE = Indicator(
    id="x", libelle="X", axe="emploi", section="2.1", objectif="o", type="realisation",
    unite="nombre", sens="hausse", producteur="p", source="s", partenaire="IDSU",
    periodicite="annuelle", definition="d", variable_source="", valeur_reference=None,
    statut_reference="", annee_reference=None, cible=None, cible_operateur="",
    annee_cible=None, cible_texte="", echeance="", note="")


def ind(**kw):
    return dataclasses.replace(BASE, **kw)


def pt(year, value):
    return Point(year, value, "valeur", "src", "f.csv", False)


def status(indicator, last, previous, annee):
    history = [p for p in (previous, last) if p is not None]
    return judge(indicator, history, annee, niveau=indicator.perimetre, debut=2024,
                 fin=2030).status


def test_no_figure_is_to_collect():
    assert status(ind(), None, None, 2025) == A_COLLECTER


def test_no_target_is_said():
    assert status(ind(), pt(2025, 3), None, 2025) == SANS_CIBLE


def test_yearly_target_needs_this_year_figure():
    yearly = ind(cible=1, cible_operateur=">=", cible_nature="annuelle")
    assert status(yearly, pt(2025, 1), None, 2025) == ATTEINT
    assert status(yearly, pt(2025, 0), None, 2025) == EN_RETARD
    assert status(yearly, pt(2024, 1), None, 2025) == A_COLLECTER


def test_dated_target():
    dated = ind(cible=50, cible_operateur=">=", annee_cible=2027, cible_nature="stock")
    assert status(dated, pt(2025, 30), pt(2024, 20), 2025) == EN_BONNE_VOIE
    assert status(dated, pt(2025, 15), pt(2024, 20), 2025) == A_VENIR  # not due yet
    assert status(dated, pt(2028, 40), pt(2027, 35), 2028) == EN_RETARD
    assert status(dated, pt(2026, 52), pt(2025, 30), 2026) == ATTEINT


def test_upper_target():
    lower_is_better = ind(cible=10, cible_operateur="<=", annee_cible=2030, unite="pourcentage",
                          cible_nature="stock")
    assert status(lower_is_better, pt(2025, 12), pt(2024, 14), 2025) == EN_BONNE_VOIE
    assert status(lower_is_better, pt(2025, 9), pt(2024, 14), 2025) == ATTEINT


def test_series_and_latest_from_a_store():
    def row(annee, valeur, source, millesime, conflit="", geographie="qpv2015"):
        return {"indicateur": "x", "niveau": "qpv", "code": "QP1", "geographie": geographie,
                "annee": annee, "valeur": valeur, "statut": "valeur", "source": source,
                "fichier": source, "millesime": millesime, "conflit": conflit}

    store = pd.DataFrame([
        row(2019, 10.0, "a", "2021"),
        row(2020, 12.0, "a", "2021", "oui"),
        row(2020, 13.0, "b", "2022", "oui"),
        row(2021, 99.0, "c", "2022", geographie="qpv2024"),
    ])
    points = series(store, "x", Level("qpv", "QP1", "Q", "qpv2015"))
    assert [(p.annee, p.valeur, p.conflit) for p in points] == [(2019, 10.0, False),
                                                                (2020, 13.0, True)]
    last, previous = latest(points, 2025)
    assert last.valeur == 13.0 and previous.valeur == 10.0
    assert latest(points, 2019)[0].annee == 2019
    assert latest(points, 2018) == (None, None)


def test_records_give_the_latest_release_of_each_year_in_year_order():
    """The plain-Python series (what a report reads) keeps the store's rules: years in
    order whatever the rows' order, the latest millesime of a year wins (a missing one
    sorts last, as pandas sorts it), equal millesimes keep the later row, a year with two
    rows is flagged, a missing value is None. Catches a series that keeps the first row
    of a year, or sorts the releases in reverse."""
    def row(annee, valeur, millesime, source="s", conflit=""):
        return {"indicateur": "x", "niveau": "qpv", "code": "QP1", "geographie": "",
                "annee": annee, "valeur": valeur, "statut": "valeur", "source": source,
                "fichier": "f.csv", "millesime": millesime, "conflit": conflit}

    records = [row(2021, 5.0, "2023"), row(2020, 12.0, "2022"), row(2020, 11.0, "2021"),
               row(2019, 7.0, "2020", "a"), row(2019, 8.0, "2020", "b"),
               row(2018, 3.0, float("nan")), row(2018, 2.0, "2019"),
               row(2017, float("nan"), "2018", conflit="oui")]
    points = points_of(records)
    assert [(p.annee, p.valeur, p.conflit) for p in points] == [
        (2017, None, True), (2018, 3.0, True), (2019, 8.0, True), (2020, 12.0, True),
        (2021, 5.0, False)]
    assert points[2].source == "b"
    # a DataFrame of these rows, selected by `series`, gives the same series
    assert series(pd.DataFrame(records), "x", Level("qpv", "QP1", "Q")) == points


def test_a_point_knows_who_typed_it_from_the_store_column():
    """The store's `origine`, not the path in `fichier`, says whether a figure is the
    contract's own, a partner's (its comment shown) or typed by hand at all."""
    def row(annee, fichier, origine):
        return {"indicateur": "x", "niveau": "qpv", "code": "QP1", "geographie": "",
                "annee": annee, "valeur": 1.0, "statut": "valeur", "source": "s",
                "fichier": fichier, "millesime": "2024", "conflit": "",
                "qualite": "chiffre provisoire", "origine": origine}

    store = pd.DataFrame([row(2019, "data/raw/partenaires/2025/a.csv", "publication"),
                          row(2020, "x.csv", "contrat"), row(2021, "y.csv", "partenaire"),
                          row(2022, "z.csv", "publication et contrat")])
    p19, p20, p21, p22 = series(store, "x", Level("qpv", "QP1", "Q"))
    assert [is_contract_figure(p) for p in (p19, p20, p21, p22)] == [False, True, False, False]
    assert [p.hand_filled for p in (p19, p20, p21, p22)] == [False, True, True, False]
    assert (p19.comment, p21.comment) == ("", "chiffre provisoire")


@pytest.mark.parametrize("op", [">=", ">", "=", "<", "<="])
def test_every_operator_is_understood(op):
    status(ind(cible=1, cible_operateur=op, cible_nature="annuelle"), pt(2025, 1), None, 2025)
