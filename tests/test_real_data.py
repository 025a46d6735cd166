"""Readers on the real published files, checked against figures read by hand in the
raw files and in the contract (never against the program's own output)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from evalqpv.frenchnumbers import parse_french_number

ROOT = Path(__file__).resolve().parents[1]
SIG = ROOT / "data" / "raw" / "sig-ville-qpv2015"


def series(rows, indicateur, code, geographie=None):
    return {int(r["annee"]): r for r in rows
            if r["indicateur"] == indicateur and r["code"] == code
            and (geographie is None or r["geographie"] == geographie)}


def test_job_seekers_of_cite_jardins_by_reference_year(store_rows):
    # IPRO_<N> counts job seekers at 31 December N-1 (ABCDE column of each release).
    got = series(store_rows, "demandeurs_emploi_abcde", "QP092005")
    expected = {2016: 756, 2017: 746, 2018: 778, 2019: 709, 2020: 749, 2021: 676}
    assert {y: float(r["valeur"]) for y, r in got.items()} == expected
    assert "IPRO_2021.csv" in got[2020]["fichier"]
    assert "chiffres_contrat.csv" in got[2021]["fichier"]  # STMT at 31/12/2021, contract I.C


def test_job_seekers_by_sex(store_rows):
    women = series(store_rows, "demandeurs_emploi_abcde_femmes", "QP092005")
    men = series(store_rows, "demandeurs_emploi_abcde_hommes", "QP092005")
    assert float(women[2020]["valeur"]) == 366 and float(men[2020]["valeur"]) == 383
    assert float(women[2021]["valeur"]) == 337 and float(men[2021]["valeur"]) == 339


def test_poverty_rate_2016_2019_with_commune_and_france(store_rows):
    qpv = series(store_rows, "taux_pauvrete", "QP092005", "qpv2015")
    assert {y: float(qpv[y]["valeur"]) for y in range(2016, 2020)} == {
        2016: 30.1, 2017: 27.9, 2018: 31.4, 2019: 29.9}
    # 2019: the contract (I.B, I.D) and Filosofi by QPV agree: one row citing all three.
    assert qpv[2019]["fichier"].count("|") == 1
    assert "data_filo19_qp_revdis.csv" in qpv[2019]["fichier"]
    assert "I.B" in qpv[2019]["source"] and "I.D" in qpv[2019]["source"]
    # The shipped Filosofi files have no poverty rate below QPV level: the commune and
    # France figures come from the contract only, for 2019.
    assert float(series(store_rows, "taux_pauvrete", "92019")[2019]["valeur"]) == 11.8
    assert float(series(store_rows, "taux_pauvrete", "FR")[2019]["valeur"]) == 14.6
    ensemble = series(store_rows, "taux_pauvrete", "ENSEMBLE_QPV")
    assert float(ensemble[2019]["valeur"]) == 43.6


def test_revn_2021_poverty_equals_filosofi_2017_for_every_qpv():
    """Evidence for the rule « REVN_<N> Filosofi variables describe year N-4 »."""
    def column(path, code_col, value_col):
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.DictReader(io.StringIO(text), delimiter=";")
        return {r[code_col]: parse_french_number(r[value_col]).valeur for r in reader
                if r[code_col].startswith("QP")}

    revn = column(SIG / "REVN_2021.csv", "CODGEO", "TP60")
    filo = column(SIG / "data_filo17_qp_revdis.csv", "codgeo", "tp60_a17")
    common = [c for c in revn if c in filo and revn[c] is not None and filo[c] is not None]
    assert len(common) > 1000
    assert all(revn[c] == filo[c] for c in common)
    filo18 = column(SIG / "data_filo18_qp_revdis.csv", "CODGEO", "DISP_TP60_A18")
    assert sum(revn[c] == filo18.get(c) for c in common) < len(common) / 2


def test_median_income_comparison_levels(store_rows):
    def value(code, year):
        return float(series(store_rows, "revenu_median_disponible", code)[year]["valeur"])

    assert value("QP092005", 2019) == 16280  # DISP_MED_A19, data_filo19_qp_revdis.csv
    assert value("92019", 2019) == 25690  # Q219, FILO2019_DISP_COM.csv
    assert value("200054781", 2019) == 23790  # Métropole du Grand Paris
    assert value("92", 2019) == 28310
    assert value("FRMETRO", 2019) == 21930
    assert value("ENSEMBLE_QPV", 2019) == 14010


def test_employment_rate_reference_years(store_rows):
    got = series(store_rows, "taux_emploi_15_64", "QP092005", "qpv2015")
    # IPRO_2017 and IPRO_2018 both print 60,3 (census 2013): one row citing both.
    assert float(got[2013]["valeur"]) == 60.3
    assert "IPRO_2017.csv" in got[2013]["fichier"] and "IPRO_2018.csv" in got[2013]["fichier"]
    assert float(got[2018]["valeur"]) == 59.7 and "IPRO_2021" in got[2018]["fichier"]
    assert float(got[2019]["valeur"]) == 59.7 and "contrat" in got[2019]["fichier"]


def test_renamed_variable_feeds_one_series(store_rows):
    got = series(store_rows, "part_emplois_duree_limitee", "QP092005")
    assert got[2017]["colonne"] == "TX_TOT_EPREC" and got[2018]["colonne"] == "TX_TOT_EDLIM"


def test_blank_is_secret_not_zero(store_rows):
    got = series(store_rows, "taux_pauvrete", "ENSEMBLE_QPV")
    assert got[2013]["statut"] == "secret" and got[2013]["valeur"] == ""


def test_quality_notes_are_kept(store_rows):
    flagged = [r for r in store_rows if r["qualite"].startswith("NOTE_")]
    assert flagged and all("=" in r["qualite"] for r in flagged)


def test_cite_jardins_is_placed_in_its_territories(real_build):
    (cj,) = [q for q in real_build.qpvs if q.code == "QP092005"]
    assert [c.code for c in cj.communes] == ["92019"]
    assert cj.epci.code == "200054781" and cj.departement.code == "92"
    assert cj.region.code == "11"
    assert all(q.communes for q in real_build.qpvs)


def test_every_store_row_names_a_known_indicator_and_level(real_build):
    from evalqpv.vocabulary import NIVEAUX
    from evalqpv.vocabulary import VALUE_STATUSES as STATUTS
    for row in real_build.rows:
        assert row["indicateur"] in real_build.referentiel
        assert row["niveau"] in NIVEAUX and row["statut"] in STATUTS
        assert row["fichier"] and row["ligne"]


def test_known_producer_discrepancy_is_reported_not_picked(real_build):
    """DEMO_2017 and REVN_2017 print 1 428 400 and 1 428 500 CAF households for all QPV."""
    (conflict,) = [c for c in real_build.conflicts if c.indicateur == "foyers_allocataires_caf"]
    assert conflict.code == "ENSEMBLE_QPV" and conflict.annee == 2015
    rows = [r for r in real_build.rows if r["indicateur"] == "foyers_allocataires_caf"
            and r["code"] == "ENSEMBLE_QPV" and r["annee"] == "2015"]
    assert sorted(r["valeur"] for r in rows) == ["1428400", "1428500"]
    assert all(r["conflit"] == "oui" for r in rows)


@pytest.mark.parametrize("name", sorted(p.name for p in SIG.glob("*.csv")))
def test_every_sig_file_gives_observations(real_build, name):
    (summary,) = [s for s in real_build.summaries if s.fichier.endswith(name)]
    assert summary.observations > 1000


def test_long_tables_neet_and_ssmsi(store_rows):
    neet = series(store_rows, "part_jeunes_non_inseres", "92019")
    assert {y: float(r["valeur"]) for y, r in neet.items()} == {2008: 7.8, 2013: 10.2, 2018: 11.1}
    burglaries = {int(r["annee"]): float(r["valeur"]) for r in store_rows
                  if r["indicateur"] == "taux_cambriolages_logement"
                  and r["niveau"] == "departement" and r["code"] == "92"}
    # donnee-dep-2023.csv: classe « Cambriolages de logement », annee 23, département 92
    assert burglaries[2023] == pytest.approx(7.11479272132249)
    assert sorted(burglaries) == list(range(2016, 2024))
    assert neet[2018]["libelle_territoire"] == "Châtenay-Malabry"


def test_collèges_of_the_commune_with_their_ips(store_rows):
    # fr-en-ips_colleges_2022.csv, rentrée 2021-2022, code commune 92019
    got = {r["code"]: (float(r["valeur"]), r["rattachement"], r["annee"]) for r in store_rows
           if r["indicateur"] == "ips_college" and r["rattachement"] == "92019"}
    assert got == {"0921181J": (130.6, "92019", "2021"), "0921179G": (96.5, "92019", "2021"),
                   "0921180H": (84.1, "92019", "2021"), "0921906X": (147.4, "92019", "2021")}
    assert all(r["niveau"] == "etablissement" for r in store_rows
               if r["indicateur"] == "ips_college")


# Columns of the SIG Ville files that the reports used to leave aside, now read for the
# contract's objectives. Each value was read by hand (awk on the raw file, row QP092005)
# and is dated by the rule of config/variables_sources.csv.
PUBLIC_VARIABLES = {
    # indicator: {reference year: (raw file, column, value read in the file)}
    "allocataires_caf_monoparentaux": {2019: ("DEMO_2021.csv", "AM", 381),
                                       2015: ("DEMO_2017.csv", "AM", 376)},
    "enfants_allocataires_moins_3_ans": {2019: ("DEMO_2021.csv", "ENF_2", 244)},
    "demandeurs_emploi_abc_infra_cap_bep": {2020: ("IPRO_2021.csv", "ABC_INFCAPBEP", 155),
                                            2016: ("IPRO_2017.csv", "ABC_INFCAPBEP", 177)},
    "demandeurs_emploi_abc_anciennete_2_ans": {2020: ("IPRO_2021.csv", "ABC_DUR4", 206)},
    "demandeurs_emploi_abc_etrangers": {2020: ("IPRO_2021.csv", "ABC_E", 214)},
    "entrees_contrats_aides": {2020: ("IPRO_2021.csv", "CA", 5),
                               2018: ("IPRO_2019.csv", "CA", 22)},
    "beneficiaires_c2s": {2019: ("REVN_2021.csv", "CC2S", 699)},
    "beneficiaires_cmuc": {2017: ("REVN_2019.csv", "CCMUC", 717)},
}


@pytest.mark.parametrize("indicator", sorted(PUBLIC_VARIABLES))
def test_public_variables_of_cite_jardins(store_rows, indicator):
    got = series(store_rows, indicator, "QP092005", "qpv2015")
    for year, (name, column, value) in PUBLIC_VARIABLES[indicator].items():
        row = got[year]
        assert float(row["valeur"]) == value, (indicator, year)
        assert row["fichier"].endswith(name) and row["colonne"] == column


def test_low_qualification_is_not_published_in_ipro_2019(store_rows):
    got = series(store_rows, "demandeurs_emploi_abc_infra_cap_bep", "QP092005")
    assert 2018 not in got and {2016, 2017, 2019, 2020} <= set(got)


def _qpv_rows(name):
    text = (SIG / name).read_text(encoding="utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text), delimiter=";")
            if r["CODGEO"].startswith("QP")]


def _n(cell):
    return parse_french_number(cell).valeur


@pytest.mark.parametrize(("name", "total", "parts"), [
    ("DEMO_2021.csv", "A", ("AM", "AI", "ACSSENF", "ACAVENF")),
    ("DEMO_2021.csv", "ENF", ("ENF_2", "ENF_3_5", "ENF_6_10", "ENF_11_14", "ENF_15_17",
                              "ENF_18_24")),
    ("IPRO_2021.csv", "ABC", ("ABC_DUR1", "ABC_DUR2", "ABC_DUR3", "ABC_DUR4")),
    ("IPRO_2021.csv", "ABC", ("ABC_INFCAPBEP", "ABC_CAPBEP", "ABC_BAC", "ABC_SUPBAC")),
    ("IPRO_2021.csv", "ABC", ("ABC_FR", "ABC_E")),
])
def test_breakdowns_add_up_to_their_total(name, total, parts):
    """Evidence for the meaning and the year of the new variables: each one is a part of a
    total the same file publishes (and whose reference year is known). Cité Jardins adds
    up exactly; over all QPV the parts never exceed the total and fall short by at most
    5 % (job seekers whose level of education or nationality is unknown)."""
    rows = _qpv_rows(name)
    (cj,) = [r for r in rows if r["CODGEO"] == "QP092005"]
    assert sum(_n(cj[p]) for p in parts) == _n(cj[total])
    complete = [r for r in rows if all(_n(r[c]) is not None for c in (total, *parts))]
    assert len(complete) > 1000
    for r in complete:
        assert 0.95 * _n(r[total]) <= sum(_n(r[p]) for p in parts) <= _n(r[total]), r["CODGEO"]


def test_contrats_aides_are_one_year_of_entries_per_release():
    """EVOL_CA_N_E of each release is the change of CA since the previous release: each
    release gives one year of entries (the rule millesime-1 is in variables_sources.csv)."""
    def ca(name):
        return {r["CODGEO"]: r for r in _qpv_rows(name)}

    for before, after in (("IPRO_2019.csv", "IPRO_2020.csv"), ("IPRO_2020.csv", "IPRO_2021.csv")):
        old, new = ca(before), ca(after)
        row = new["QP092005"]
        evol = _n(row[next(k for k in row if k.strip() == "EVOL_CA_N_E")])
        assert evol == pytest.approx((_n(row["CA"]) / _n(old["QP092005"]["CA"]) - 1) * 100,
                                     abs=0.05)
