"""The contract's own claims against published figures, on hand-made series: every
verdict is possible, contradicted included; bounds count for what they say."""

from __future__ import annotations

import dataclasses

from tests.test_statuses import BASE

from evalqpv.objectives import Claim
from evalqpv.report.claims import (
    CONFIRMED,
    CONTRADICTED,
    NOT_CONFIRMED,
    UNCHECKABLE,
    check,
)
from evalqpv.report.indicators import Point
from evalqpv.vocabulary import ORIGINE_CONTRAT

RATE = dataclasses.replace(BASE, unite="pourcentage")
COUNT = dataclasses.replace(BASE, unite="nombre")
CONTRACT = "data/raw/contrat/chiffres_contrat.csv"


def pub(year, value, statut="valeur"):
    return Point(year, value, statut, "Insee", "data/raw/sig-ville-qpv2015/X.csv", False)


def claim(kind, valeur=None, fin=2019, debut=None, comparaison=""):
    return Claim("I.A", "« … »", "x", "qpv", kind, comparaison, debut, fin, valeur, "")


def verdict(c, subject, other=(), ind=RATE):
    return check(c, ind, list(subject), list(other), "France", 2025).verdict


def test_about_a_level_is_confirmed_near_it_and_contradicted_far_from_it():
    """« autour de 30 % »: 29,9 % confirms it, 32 % does not, 43,6 % contradicts it."""
    around = claim("niveau", 30)
    assert verdict(around, [pub(2019, 29.9)]) == CONFIRMED
    assert verdict(around, [pub(2019, 32.0)]) == NOT_CONFIRMED
    assert verdict(around, [pub(2019, 43.6)]) == CONTRADICTED


def test_a_published_bound_counts_for_what_it_says():
    """« plus de 95 % » of social housing: a floor of 95 is confirmed by « >95 »."""
    floor = claim("niveau_minimum", 95, fin=2021)
    assert verdict(floor, [pub(2021, 95.0, "borne_inf")]) == CONFIRMED
    assert verdict(floor, [pub(2021, 80.0)]) == CONTRADICTED
    assert verdict(claim("niveau_maximum", 10), [pub(2019, 9.0)]) == CONFIRMED


def test_below_the_national_figure():
    """« se situe en dessous de la moyenne nationale »: 22,4 % against 23,8 %."""
    below = claim("inferieur", comparaison="france")
    assert verdict(below, [pub(2019, 22.4)], [pub(2019, 23.8)]) == CONFIRMED
    assert verdict(below, [pub(2019, 25.0)], [pub(2019, 23.8)]) == CONTRADICTED
    assert verdict(below, [pub(2019, 23.8)], [pub(2019, 23.9)]) == NOT_CONFIRMED


def test_share_of_a_wider_territory_and_ratio():
    share = claim("part", 8, comparaison="france")
    assert verdict(share, [pub(2019, 5_400_000)], [pub(2019, 67_000_000)],
                   ind=COUNT) == CONFIRMED  # 8,1 %
    twice = claim("rapport", 2, comparaison="france")
    assert verdict(twice, [pub(2019, 29.9)], [pub(2019, 14.6)]) == CONFIRMED
    assert verdict(twice, [pub(2019, 15.0)], [pub(2019, 14.6)]) == CONTRADICTED


def test_trends_and_the_contract_own_figures():
    falling = claim("tendance_baisse", debut=2014)
    assert verdict(falling, [pub(2014, 29.7), pub(2019, 29.9)]) == NOT_CONFIRMED
    assert verdict(falling, [pub(2014, 35.0), pub(2019, 29.9)]) == CONFIRMED
    assert verdict(falling, [pub(2014, 25.0), pub(2019, 29.9)]) == CONTRADICTED
    own = Point(2019, 29.9, "valeur", "Contrat", CONTRACT, False, origine=ORIGINE_CONTRAT)
    assert verdict(claim("niveau", 29.9), [own]) == UNCHECKABLE
