"""Honest trends on hand-made series: stable within noise, breaks never bridged."""

from evalqpv.report.indicators import Point
from evalqpv.report.trends import DOWN, STABLE, UP, favourable, trend
from evalqpv.vocabulary import (
    ORIGINE_CONTRAT,
    ORIGINE_PARTENAIRE,
    ORIGINE_PUBLICATION,
    ORIGINE_PUBLICATION_CONTRAT,
)


def pt(year, value, fichier="data/raw/sig-ville-qpv2015/REVN_2021.csv",
       origine=ORIGINE_PUBLICATION):
    return Point(year, value, "valeur", "src", fichier, False, origine=origine)


CONTRACT = "data/raw/contrat/chiffres_contrat.csv"


def test_a_flat_rate_is_stable_not_falling():
    """The poverty rate around 30 % from 2013 to 2019 is not « en baisse »."""
    series = [pt(2013, 30.1), pt(2014, 29.7), pt(2016, 30.1), pt(2017, 27.9), pt(2018, 31.4),
              pt(2019, 29.9)]
    t = trend(series, 2025, "pourcentage")
    assert t.direction == STABLE and t.start.annee == 2013 and round(t.delta, 1) == -0.2


def test_a_real_move_of_a_rate():
    t = trend([pt(2016, 55.0), pt(2018, 57.5)], 2025, "pourcentage")
    assert t.direction == UP and t.span == "entre 2016 et 2018"
    assert favourable(t.direction, "hausse") is True
    assert favourable(t.direction, "baisse") is False
    assert favourable(STABLE, "hausse") is None


def test_counts_within_counting_noise_are_stable():
    assert trend([pt(2019, 100), pt(2020, 109)], 2025, "nombre").direction == STABLE  # √100
    falling = trend([pt(2016, 800), pt(2020, 750)], 2025, "nombre")
    assert falling.direction == DOWN and round(falling.relative, 4) == -0.0625


def test_a_change_of_source_breaks_the_series():
    """The contract's 2019 figure is not chained to the Insee series."""
    series = [pt(2013, 40.0, CONTRACT, ORIGINE_CONTRAT), pt(2016, 30.0), pt(2019, 30.5)]
    t = trend(series, 2025, "pourcentage")
    assert t.start.annee == 2016 and t.broken and t.direction == STABLE
    assert trend([pt(2013, 40.0, CONTRACT, ORIGINE_CONTRAT), pt(2019, 30.0)], 2025,
                 "pourcentage") is None
    # a figure printed by the contract and published by Insee belongs to the publications
    both = [pt(2016, 30.0), pt(2019, 29.9, f"{CONTRACT} | data/raw/sig-ville/x.csv",
                               ORIGINE_PUBLICATION_CONTRAT)]
    assert not trend(both, 2025, "pourcentage").broken
    partner = [pt(2024, 10, "data/raw/partenaires/2025/idsu.csv", ORIGINE_PARTENAIRE),
               pt(2025, 20, "data/raw/partenaires/2026/idsu.csv", ORIGINE_PARTENAIRE)]
    assert trend(partner, 2025, "nombre").direction == "hausse"  # one partner, year by year
    mixed = [pt(2024, 10, "data/raw/partenaires/2025/idsu.csv", ORIGINE_PARTENAIRE),
             pt(2025, 20, CONTRACT, ORIGINE_CONTRAT)]
    assert trend(mixed, 2025, "nombre") is None
    other_partner = [pt(2024, 10, "data/raw/partenaires/2025/idsu.csv", ORIGINE_PARTENAIRE),
                     pt(2025, 20, "data/raw/partenaires/2026/caf.csv", ORIGINE_PARTENAIRE)]
    assert trend(other_partner, 2025, "nombre") is None


def test_starts_at_the_baseline_year_when_the_series_has_it():
    series = [pt(2015, 10.0), pt(2020, 20.0), pt(2023, 21.0), pt(2025, 25.0)]
    t = trend(series, 2025, "pourcentage", since=2023)
    assert t.start.annee == 2023 and t.direction == UP
    assert trend(series, 2022, "pourcentage", since=2023).start.annee == 2015
    before_baseline = [pt(2016, 30.0), pt(2018, 31.0), pt(2019, 29.5)]
    assert trend(before_baseline, 2025, "pourcentage", since=2023).start.annee == 2016
    assert trend([pt(2025, 3)], 2025, "nombre") is None


def test_a_later_figure_of_the_contract_leaves_the_trend_on_the_publications():
    series = [pt(2013, 62.0), pt(2018, 59.7), pt(2019, 59.7, CONTRACT, ORIGINE_CONTRAT)]
    t = trend(series, 2025, "pourcentage")
    assert (t.start.annee, t.end.annee, t.broken) == (2013, 2018, True)
    assert t.direction == "baisse"
