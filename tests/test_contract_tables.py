"""Section I of the contract, typed here from the printed tables, must be in the store
for the QPV, the commune and France, equal to the printed values."""

import pytest

# (indicator, year): (France, commune, Cité Jardins) as printed in section I.C and I.D.
PRINTED = {
    ("part_hommes", 2019): (48.4, 48.1, 46.4),
    ("part_femmes", 2019): (51.6, 51.9, 53.6),
    ("part_moins_25_ans", 2019): (29.3, 31.9, 35.5),
    ("part_familles_monoparentales", 2019): (23.8, 18.0, 22.4),
    ("taux_pauvrete", 2019): (14.6, 11.8, 29.9),
    ("taux_bas_revenus", 2019): (None, 18.8, 45.4),
    ("taux_emploi_15_64", 2019): (68.1, 66.4, 59.7),
    ("taux_emploi_15_64_hommes", 2019): (70.8, 72.0, 66.3),
    ("taux_emploi_15_64_femmes", 2019): (65.6, 65.6, 56.7),
    ("taux_chomage", 2019): (8.0, 11.0, 20.9),
    ("part_logements_sociaux", 2021): (15.6, 40.3, 95.0),
    ("part_locataires", 2019): (39.9, 55.7, 95.7),
    ("population", 2018): (None, 34170, 5481),
    ("foyers_allocataires_caf", 2021): (None, 6298, 1484),
    ("allocataires_rsa_socle", 2021): (None, 672, 243),
    ("allocataires_prime_activite", 2021): (None, 1695, 526),
    ("population_couverte_caf", 2021): (None, 16108, 3246),
    ("demandeurs_emploi_abcde", 2021): (None, 2665, 676),
    ("demandeurs_emploi_abcde_femmes", 2021): (None, 1382, 337),
    ("demandeurs_emploi_abcde_hommes", 2021): (None, 1283, 339),
}
CODES = ("FR", "92019", "QP092005")


@pytest.mark.parametrize(("key", "values"), PRINTED.items(), ids=lambda k: str(k))
def test_section_i_in_store(store_rows, key, values):
    indicator, year = key
    for code, expected in zip(CODES, values, strict=True):
        rows = [r for r in store_rows if r["indicateur"] == indicator and r["code"] == code
                and r["annee"] == str(year) and r["geographie"] in ("", "qpv2015")]
        if expected is None:
            if indicator == "taux_bas_revenus" and code == "FR":
                (row,) = rows
                assert row["statut"] == "non_disponible" and row["valeur_publiee"] == "nd"
            continue
        assert len(rows) == 1, (indicator, code, rows)
        assert float(rows[0]["valeur"]) == pytest.approx(expected)
        assert "chiffres_contrat.csv" in rows[0]["fichier"]


def test_printed_forms_are_kept(store_rows):
    def row(indicator, code):
        (r,) = [r for r in store_rows if r["indicateur"] == indicator and r["code"] == code
                and r["annee"] in ("2019", "2021") and "contrat" in r["fichier"]]
        return r

    chomage = row("taux_chomage", "QP092005")
    assert "20, 9" in chomage["valeur_publiee"]
    social = row("part_logements_sociaux", "QP092005")
    assert social["statut"] == "borne_inf" and social["valeur_publiee"] == ">95"


def test_new_perimeter_population(store_rows):
    (row,) = [r for r in store_rows if r["indicateur"] == "population_qpv2024"]
    assert row["geographie"] == "qpv2024" and float(row["valeur"]) == 4400


def test_annex_1_figures(store_rows):
    def value(indicator, code):
        (r,) = [r for r in store_rows if r["indicateur"] == indicator and r["code"] == code]
        return float(r["valeur"])

    assert value("entrees_cej", "MISSION_LOCALE") == 329
    assert value("emplois_francs_acceptes", "92") == 248
    assert value("taux_realisation_emplois_francs", "92") == 60.7
    assert value("credits_prevention_delinquance_departement", "92") == 1_200_000
    assert value("structures_iae", "92019") == 1  # printed « une »


def test_referentiel_reference_values_match_the_transcription(real_build, store_rows):
    """The référentiel's reference value of each indicator is the value transcribed from
    the contract on the indicator's own perimeter (two hand-typed sources that must agree);
    a figure printed for another perimeter never serves as the quarter's reference."""
    ref = real_build.referentiel
    checked = 0
    for ind in ref.indicators.values():
        if ind.valeur_reference is None or ind.annee_reference is None:
            continue
        level = "commune" if ind.perimetre == "autre_commune" else ind.perimetre
        rows = [r for r in store_rows if r["indicateur"] == ind.id
                and r["annee"] == str(ind.annee_reference) and "contrat" in r["fichier"]
                and r["niveau"] == level and (level != "qpv" or r["code"] == "QP092005")]
        if not rows:
            continue
        assert any(float(r["valeur"]) == pytest.approx(ind.valeur_reference) for r in rows), ind.id
        checked += 1
    assert checked >= 30
    # Cité Jardins' share of residents covered by the CAF comes from table I.C
    # (3 246 / 5 481), not from the 65 % printed for all QPV of the Hauts-de-Seine.
    assert ref["part_population_couverte_caf"].valeur_reference == pytest.approx(
        round(3246 / 5481 * 100, 1))


# (indicator, level, code, year): value, as printed in Annexe 1 and section II
# (data/raw/contrat/chiffres_contrat_annexes.csv).
ANNEX = {
    ("prestations_caf_versees", "ensemble_qpv", "ENSEMBLE_QPV_92", 2021): 232e6,
    ("financement_caf_services_familles", "perimetre_partenaire", "COMMUNES_QPV_92", 2022): 65e6,
    ("structures_soutenues_caf", "perimetre_partenaire", "COMMUNES_QPV_92", 2022): 282,
    ("part_habitants_couverts_ctg", "departement", "92", 2023): 98,
    ("centres_sociaux_agrees_qpv", "ensemble_qpv", "ENSEMBLE_QPV_92", 2023): 21,
    ("espaces_vie_sociale_agrees_qpv", "ensemble_qpv", "ENSEMBLE_QPV_92", 2023): 3,
    ("personnes_couvertes_rsa_departement", "departement", "92", 2023): 52940,
    ("enveloppe_fse_plus_departement", "departement", "92", 2021): 14.5e6,
    ("financement_creches_departement_communes_qpv", "perimetre_partenaire",
     "COMMUNES_QPV_92", 2023): 5.1e6,
    ("berceaux_creches_communes_qpv", "perimetre_partenaire", "COMMUNES_QPV_92", 2023): 4250,
    ("budget_prevention_specialisee_departement", "departement", "92", 2023): 12.3e6,
    ("credits_politique_ville_departement", "departement", "92", 2023): 1.9e6,
    ("enveloppe_quartier_avenir", "departement", "92", 2021): 150e6,
    ("engagements_quartier_avenir_npnru", "departement", "92", 2023): 35.3e6,
    ("quartiers_npnru_finances_quartier_avenir", "departement", "92", 2023): 3,  # « Trois »
    ("aides_quartier_avenir", "qpv", "QP092008", 2023): 6.8e6,  # Abbé Grégoire, Bagneux
    ("financement_contrats_developpement_departement", "departement", "92", 2023): 34.2e6,
    ("credits_prevention_delinquance_departement", "perimetre_partenaire", "COMMUNES_QPV_92",
     2023): 400_000,
    ("lieux_ecoute_orientation_leo", "qpv", "QP092005", 2023): 4,
    ("population_qpv2015_filosofi", "qpv", "QP092005", 2019): 5400,
}


@pytest.mark.parametrize(("key", "expected"), ANNEX.items(), ids=lambda k: str(k))
def test_annex_figures_in_store(store_rows, key, expected):
    indicator, niveau, code, year = key
    (row,) = [r for r in store_rows if r["indicateur"] == indicator and r["niveau"] == niveau
              and r["code"] == code and r["annee"] == str(year)]
    assert float(row["valeur"]) == pytest.approx(expected)
    assert "chiffres_contrat_annexes.csv" in row["fichier"]


def test_partial_year_and_bounds_are_kept(store_rows):
    # « Au 3ème trimestre 2023 » : counts of January-September, merged with the first
    # transcription (equal values) and carrying the period.
    for indicator, code in (("entrees_cej", "MISSION_LOCALE"),
                            ("taux_realisation_objectif_cej", "MISSION_LOCALE"),
                            ("prescriptions_contrats_aides", "VSGP")):
        (row,) = [r for r in store_rows if r["indicateur"] == indicator and r["code"] == code]
        assert row["periode"] == "T3" and row["conflit"] == "", indicator
        assert "chiffres_contrat.csv" in row["fichier"]
        assert "chiffres_contrat_annexes.csv" in row["fichier"]
    # « plus de 67 000 bénéficiaires » : a lower bound, not 67 000.
    (row,) = [r for r in store_rows if r["indicateur"] == "population_couverte_caf"
              and r["code"] == "ENSEMBLE_QPV_92"]
    assert row["statut"] == "borne_inf" and float(row["valeur"]) == 67000
    # « 20.9% » (section « L'emploi ») merges with I.B and I.D: one row, no conflict.
    (row,) = [r for r in store_rows if r["indicateur"] == "taux_chomage"
              and r["code"] == "QP092005" and r["annee"] == "2019"]
    assert row["conflit"] == "" and "20.9%" in row["valeur_publiee"]
