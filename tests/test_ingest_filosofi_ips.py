"""The Filosofi reader (ingest.filosofi) and the collèges' IPS reader (ingest.ips), on
tiny files written by hand in the producers' layouts: the year in a Filosofi name is the
income year (its variables carry it: Q219), only the communes that host a QPV are kept
(and the map's statistic for the communes drawn), an IPS row's year is its school
year."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.ingest_support import context, deposit, rule, unit

from evalqpv.ingest import FileId, filosofi, ips
from evalqpv.problems import Problems
from evalqpv.vocabulary import MAP_INDICATOR

# --------------------------------------------------------------------------- filosofi

FILO_RULES = (rule("FILOSOFI", "Q2{aa}", MAP_INDICATOR), rule("FILOSOFI", "D1{aa}", "d1"),
              rule("FILOSOFI", "RD", "rd"))
FILO_INDICATORS = (unit(MAP_INDICATOR, "euros"), unit("d1", "euros"), unit("rd", "ratio"))


@pytest.mark.parametrize(("name", "expected"), [
    ("FILO2019_DISP_COM.csv", FileId("FILOSOFI", 2019, "COM")),
    ("filo2020_disp_metropole.csv", FileId("FILOSOFI", 2020, "METROPOLE")),
    ("FILO2019_DISP_IRIS.csv", None), ("FILO2019_DISP_COM.xlsx", None),
    ("FILO19_DISP_COM.csv", None),
])
def test_filosofi_file_names(name, expected):
    assert filosofi.identify(Path("filosofi") / name) == expected


def read_filo(root: Path, name: str, text: str, **kw):
    path = deposit(root, f"filosofi/{name}", text)
    file = filosofi.identify(Path(name))
    assert file is not None
    problems = Problems()
    ctx = context(root, FILO_INDICATORS, FILO_RULES, **kw)
    return filosofi.read_filosofi_file(path, file, ctx, problems), problems


COM_2019 = ("CODGEO;LIBGEO;NBMEN19;Q219;D119;RD\n"
            "92019;Châtenay-Malabry;14\u202f000;24\u202f510;12\u202f030;3,4\n"
            "92002;Antony;26\u202f000;29\u202f870;14\u202f990;3,0\n"
            "75056;Paris;1\u202f000\u202f000;28\u202f570;;6,4\n")


def test_commune_rows_of_the_qpv_communes_give_every_variable_of_the_income_year(tmp_path):
    result, problems = read_filo(tmp_path, "FILO2019_DISP_COM.csv", COM_2019,
                                 communes_retenues=frozenset({"92019"}))
    assert not problems.items
    got = {(o.indicateur, o.niveau, o.code, o.annee, o.valeur, o.colonne, o.ligne)
           for o in result.observations}
    assert got == {(MAP_INDICATOR, "commune", "92019", 2019, 24510.0, "Q219", 2),
                   ("d1", "commune", "92019", 2019, 12030.0, "D119", 2),
                   ("rd", "commune", "92019", 2019, 3.4, "RD", 2)}
    obs = result.observations[0]
    assert obs.libelle_territoire == "Châtenay-Malabry" and obs.millesime == "2019"
    assert obs.fichier == "data/raw/filosofi/FILO2019_DISP_COM.csv" and obs.geographie == ""
    assert result.summary.colonnes_non_utilisees == ["NBMEN19"]
    assert result.summary.annees == {"Q219": 2019, "D119": 2019, "RD": 2019}


def test_a_commune_drawn_on_the_maps_keeps_only_the_maps_statistic(tmp_path):
    result, _ = read_filo(tmp_path, "FILO2019_DISP_COM.csv", COM_2019,
                          communes_retenues=frozenset({"92019"}),
                          communes_carte=frozenset({"92002"}))
    antony = [(o.indicateur, o.valeur) for o in result.observations if o.code == "92002"]
    assert antony == [(MAP_INDICATOR, 29870.0)]
    assert not [o for o in result.observations if o.code == "75056"]


def test_without_a_list_of_qpv_every_commune_is_kept(tmp_path):
    result, _ = read_filo(tmp_path, "FILO2019_DISP_COM.csv", COM_2019)
    assert {o.code for o in result.observations} == {"92019", "92002", "75056"}
    paris_d1 = next(o for o in result.observations if o.code == "75056" and o.indicateur == "d1")
    assert (paris_d1.valeur, paris_d1.statut) == (None, "secret")  # a blank is not published


def test_the_qpv_list_filters_communes_only(tmp_path):
    result, _ = read_filo(tmp_path, "FILO2019_DISP_DEP.csv",
                          "CODGEO;LIBGEO;Q219\n92;Hauts-de-Seine;27\u202f000\n",
                          communes_retenues=frozenset({"92019"}))
    assert [(o.niveau, o.code) for o in result.observations] == [("departement", "92")]


def test_metropolitan_france_gets_its_own_code_and_totals_are_skipped(tmp_path):
    result, problems = read_filo(tmp_path, "FILO2019_DISP_METROPOLE.csv",
                                 "CODGEO;LIBGEO;Q219\n;France métropolitaine;22\u202f040\n"
                                 "TOTAL;;22\u202f040\n")
    assert [(o.niveau, o.code, o.valeur) for o in result.observations] == [
        ("france", "FRMETRO", 22040.0)]
    assert not problems.errors


def test_a_row_without_code_is_a_warning_and_left_out(tmp_path):
    result, problems = read_filo(tmp_path, "FILO2019_DISP_EPCI.csv",
                                 "CODGEO;LIBGEO;Q219\n;Vallée Sud;26\u202f000\n"
                                 "200054781;Métropole du Grand Paris;25\u202f000\n")
    assert [(o.niveau, o.code) for o in result.observations] == [("epci", "200054781")]
    (warning,) = [p for p in problems.warnings if "sans code" in p.message]
    assert (warning.ligne, warning.colonne, warning.valeur) == (2, "CODGEO", "Vallée Sud")


def test_a_filosofi_file_without_codgeo_or_its_variables_is_an_unknown_layout(tmp_path):
    result, problems = read_filo(tmp_path, "FILO2019_DISP_DEP.csv", "CODE;Q219\n92;1\n")
    assert not result.observations
    (error,) = problems.errors
    assert (error.ligne, error.colonne) == (1, "CODGEO")
    # the variables of 2018 in a file named 2019: none of 2019's is there
    result, problems = read_filo(tmp_path, "FILO2019_DISP_REG.csv", "CODGEO;Q218\n11;1\n")
    assert not result.observations
    (error,) = problems.errors
    assert "aucune variable Filosofi attendue" in error.message
    assert "Q219" in (error.attendu or "")


def test_a_missing_filosofi_variable_is_a_warning_naming_its_indicator(tmp_path):
    result, problems = read_filo(tmp_path, "FILO2019_DISP_DEP.csv",
                                 "CODGEO;LIBGEO;Q219;RD\n92;HdS;27\u202f000;3,1\n")
    assert {o.indicateur for o in result.observations} == {MAP_INDICATOR, "rd"}
    (warning,) = problems.warnings
    assert warning.colonne == "D119" and "« d1 »" in warning.message


# --------------------------------------------------------------------------- ips

IPS_HEADER = ("Rentrée scolaire;UAI;Nom de l'établissment;Code du département;"
              "Code INSEE de la commune;Nom de la commune;Secteur;IPS\n")
IPS_ROWS = ("2021-2022;0921234A;Collège Pierre Brossolette;92;92019;Châtenay-Malabry;"
            "public;89,4\n"
            "2022-2023;0921234A;Collège Pierre Brossolette;92;92019;Châtenay-Malabry;"
            "public;91.2\n"
            "2022-2023;0925678B;Collège Sainte-Marie;92;92002;Antony;privé sous contrat;"
            "128,3\n")


IPS_RULES = (rule("IPS", "IPS", "ips_college", "ligne"),)


def read_ips(root: Path, text: str, rules=IPS_RULES, **kw):
    path = deposit(root, "education/fr-en-ips_colleges_2023.csv", text)
    file = ips.identify(Path(path.name))
    assert file == FileId("IPS", 2023)
    problems = Problems()
    ctx = context(root, [unit("ips_college", "indice")], rules, **kw)
    return ips.read_ips_file(path, file, ctx, problems), problems


def test_each_college_of_a_qpv_commune_is_an_establishment_of_its_school_year(tmp_path):
    result, problems = read_ips(tmp_path, IPS_HEADER + IPS_ROWS,
                                communes_retenues=frozenset({"92019"}))
    assert not problems.items
    got = [(o.indicateur, o.niveau, o.code, o.annee, o.valeur, o.rattachement, o.ligne)
           for o in result.observations]
    assert got == [("ips_college", "etablissement", "0921234A", 2021, 89.4, "92019", 2),
                   ("ips_college", "etablissement", "0921234A", 2022, 91.2, "92019", 3)]
    obs = result.observations[0]
    assert obs.libelle_territoire == "Collège Pierre Brossolette (public)"
    assert obs.colonne == "IPS" and obs.millesime == "2023"
    assert "rentrée 2021-2022" in obs.source
    assert result.summary.annees == {"IPS": 2022} and result.summary.observations == 2


def test_without_a_list_of_qpv_every_college_is_kept(tmp_path):
    result, _ = read_ips(tmp_path, IPS_HEADER + IPS_ROWS)
    assert [o.code for o in result.observations] == ["0921234A", "0921234A", "0925678B"]


def test_an_unreadable_school_year_is_a_warning_and_left_out(tmp_path):
    result, problems = read_ips(tmp_path, IPS_HEADER + IPS_ROWS.replace("2021-2022", "21/22"))
    assert [o.annee for o in result.observations] == [2022, 2022]
    (warning,) = problems.items
    assert (warning.gravite, warning.ligne, warning.colonne, warning.valeur) == (
        "avertissement", 2, "Rentrée scolaire", "21/22")


def test_an_ips_file_without_one_of_its_columns_is_an_unknown_layout(tmp_path):
    result, problems = read_ips(tmp_path, IPS_HEADER.replace(";IPS", ";Indice") + IPS_ROWS)
    assert not result.observations
    (error,) = problems.errors
    assert (error.ligne, error.colonne) == (1, "IPS")
    assert "mise en page inconnue" in (error.correction or "")


def test_an_ips_release_no_rule_covers_gives_nothing(tmp_path):
    rules = (rule("IPS", "IPS", "ips_college", "ligne", millesime_min=2024),)
    result, problems = read_ips(tmp_path, IPS_HEADER + IPS_ROWS, rules=rules)
    assert not result.observations and not problems.items
