"""report/loading.py on the small hand-written project (tests/conftest.py `mini`, whose
quarter has figures for 2018 to 2020): the parameters a notebook receives checked with a
French message, the defaults, and the rows loaded."""

from __future__ import annotations

import json
from datetime import date

import pytest

from evalqpv.report.loading import prepare
from evalqpv.store.build import build
from evalqpv.territory import ParameterError

FIRST = 2018  # the mini project's first year with a figure on the quarter
LAST = 2020


@pytest.fixture
def built(mini):
    assert build(mini).ok
    return mini


def refused(*args: object) -> str:
    with pytest.raises(ParameterError) as raised:
        prepare(*args)
    return str(raised.value)


def test_an_unknown_report_is_refused_before_anything_is_read(tmp_path):
    assert refused(2025, "QP092005", "bilan", tmp_path) == (
        "Rapport inconnu : « bilan ». Attendu : contexte, emancipation, emploi, tranquillite, "
        "transition, synthese, annexes, partenaire.")


def test_a_year_not_written_with_four_digits_is_refused(built):
    assert refused("20x5", "QP092005", "emploi", built.root) == (
        "Paramètre « annee » invalide : « 20x5 ». Attendu : une année sur quatre chiffres, "
        "par exemple 2025.")


def test_a_year_outside_the_data_and_the_contract_is_refused(built):
    # from the first year with data to the contract's last year begun (2030 at most)
    upper = max(LAST, min(2030, date.today().year))
    for year in (FIRST - 1, upper + 1):
        assert refused(year, "QP092005", "emploi", built.root) == (
            f"Aucune donnée pour l'année {year} sur ce territoire (années possibles : {FIRST} "
            f"à {upper}). Déposez les données de {year} dans data/raw/ puis relancez "
            "`make construire`, ou choisissez une année possible.")
    assert prepare(f" {FIRST} ", "QP092005", "emploi", built.root).annee == FIRST


def test_an_unknown_quarter_is_refused_naming_those_known(built):
    assert refused(2019, "QP092998", "emploi", built.root) == (
        "Quartier inconnu : « QP092998 » n'est dans aucun fichier des bases QPV déposé dans "
        "data/raw/. Quartiers connus dans ce département : QP092005.")


def test_empty_parameters_are_the_contract_quarter_and_the_year_evaluated(built):
    ctx = prepare("", None, "emploi", built.root)
    assert ctx.territory.code == "QP092005" and ctx.own_contract
    # the contract's 2024 perimeter is a level of its own, not a comparator
    assert ctx.territory.other_geography is not None
    assert ctx.territory.other_geography.code == "QN09204M"
    assert "QN09204M" not in {lv.code for lv in ctx.territory.comparators}
    # the contract's last elapsed year (2023, its baseline, before it began; 2030 at most)
    today = date.today().year
    assert ctx.annee == max(FIRST, max(2023, min(2030, today - 1)))
    assert ctx.report == "emploi"


def test_only_the_rows_of_the_quarter_and_its_comparison_levels_are_loaded(built):
    ctx = prepare(2019, "QP092005", "emploi", built.root)
    wanted = {(lv.niveau, lv.code) for lv in ctx.territory.local_and_comparators}
    wanted.add(("ensemble_qpv", "ENSEMBLE_QPV_92"))
    loaded = set(zip(ctx.store["niveau"], ctx.store["code"], strict=True))
    assert loaded and loaded <= wanted
    assert ("qpv", "QP092999") not in loaded  # in the raw file, not a level of this report
    assert list(ctx.store.index) == list(range(len(ctx.store)))


def test_a_configuration_with_errors_is_refused(built):
    (built.root / "config" / "objectifs.csv").write_text("section,ligne\n1.1,1\n",
                                                         encoding="utf-8")
    assert refused(2019, "QP092005", "emploi", built.root) == (
        "La configuration contient des erreurs : lancez `make construire` et lisez "
        "data/processed/validation.md.")


def add_quarter_and_rows(paths) -> None:
    """A second quarter of the same commune, and three rows written into the store: a
    published figure of the commune, the contract's own figure of it, a partner's figure
    on its perimeter (the Parquet copy removed: the CSV is read)."""
    with paths.territories.open("a", encoding="utf-8") as handle:
        handle.write("QP092999,Quartier fictif,92019,Châtenay-Malabry,200054781,"
                     "Métropole du Grand Paris,92,Hauts-de-Seine,11,Île-de-France\n")
    years = json.loads(paths.years.read_text(encoding="utf-8"))
    paths.years.write_text(json.dumps({**years, "QP092999": [2020]}), encoding="utf-8")
    base = ",,2020,,{v},valeur,{v},,{o},Insee,Source,2021,f.csv,2,V,\n"
    with paths.store.open("a", encoding="utf-8") as handle:
        handle.write("taux_pauvrete,commune,92019,Châtenay-Malabry," + base.format(
            v=12, o="publication"))
        handle.write("population,commune,92019,Châtenay-Malabry," + base.format(
            v=34170, o="contrat"))
        handle.write("population,perimetre_partenaire,ML92,Mission locale," + base.format(
            v=50, o="partenaire"))
    paths.store.with_suffix(".parquet").unlink()


def test_another_quarter_never_sees_the_contract_nor_the_partners_figures(built):
    add_quarter_and_rows(built)
    own = prepare(2020, "QP092005", "emploi", built.root)
    other = prepare(2020, "QP092999", "emploi", built.root)
    assert not other.own_contract and other.territory.other_geography is None

    def origins(ctx) -> set[tuple[str, str]]:
        rows = ctx.store[ctx.store["niveau"] != "qpv"]
        return set(zip(rows["niveau"], rows["origine"], strict=True))

    assert origins(own) == {("commune", "publication"), ("commune", "contrat"),
                            ("perimetre_partenaire", "partenaire")}
    assert origins(other) == {("commune", "publication")}
    assert set(other.store["code"]) == {"QP092999", "92019"}
