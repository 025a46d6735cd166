"""Adding a source as the developer guide says (issue 20): a 3-column CSV declared in one
line of config/sources.csv, its indicator in the référentiel and cited by a line of the
contract (the indicators here are the tests' own, « _essai »: a project that adds real
ones keeps these tests true). Also: each bad declaration, and each broken rule between
the référentiel and config/objectifs.csv, is said in French with its file, line and
column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.helpers import indicator as _indicator

from evalqpv.contract_settings import load_contract
from evalqpv.frenchnumbers import ParsedNumber
from evalqpv.ingest import FileId, ReadContext, long_tables
from evalqpv.ingest.declared import load_sources
from evalqpv.ingest.skeleton import Stamp, open_source
from evalqpv.ingest.variables import YEAR_ON_EACH_ROW, VariableRules, load_variable_rules
from evalqpv.objectives import load_objectives
from evalqpv.problems import Problems
from evalqpv.referentiel import Referentiel, load_referentiel
from evalqpv.settings import ProjectPaths
from evalqpv.store.build import build

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = load_contract(ProjectPaths(ROOT))

HEADER = ("source,fichiers,separateur,encodage,colonne_code,niveau,geographie,"
          "colonne_libelle,annee,variables,producteur,titre\n")
LICENCES = ("licences_sportives,sport/*.csv,,,code_qpv,qpv,,,colonne:annee,"
            "licencies=licencies_essai,Ville (service des sports),"
            "Licenciés sportifs par quartier\n")
# The file as the sports service sends it: three columns, one row per quarter and year.
LICENCES_CSV = "code_qpv;annee;licencies\nQP092005;2022;412\nQP092005;2023;455\n" \
    "QP092005;2024;498\n"
INDICATOR = {
    "id": "licencies_essai", "libelle": "Licenciés sportifs du quartier",
    "axe": "emancipation", "section": "5.3",
    "objectif": "Faire de la dynamique des Jeux un accélérateur de développement social.",
    "type": "resultat", "unite": "nombre", "sens": "hausse",
    "producteur": "Ville (service des sports)", "source": "Licenciés sportifs par quartier",
    "partenaire": "Ville (service des sports)", "periodicite": "annuelle",
    "definition": "Habitants du quartier licenciés dans un club sportif au 31 décembre.",
    "variable_source": "licencies", "perimetre": "qpv", "denombre": "personnes",
}


def add_indicator(root: Path, **changes: str) -> None:
    """The référentiel row of the guide's step 2 (appended, every other column blank)."""
    path = root / "config" / "referentiel.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=header, restval="").writerow(INDICATOR | changes)


def cite(root: Path, section: str, ligne: str, indicator: str) -> None:
    """The guide's step 3: the indicator added to the line of the contract it follows."""
    path = root / "config" / "objectifs.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    (row,) = [r for r in rows if (r["section"], r["ligne"]) == (section, ligne)]
    row["indicateurs"] = ";".join(filter(None, (row["indicateurs"], indicator)))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def declare(root: Path, *lines: str) -> None:
    (root / "config" / "sources.csv").write_text(HEADER + "".join(lines), encoding="utf-8")


def deposit(root: Path, rel: str, text: str) -> None:
    path = root / "data" / "raw" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def rendered(problems: Problems) -> list[str]:
    return [p.render() for p in problems.errors]


# --------------------------------------------------------------------------- the trial


def test_a_three_column_source_is_one_declaration(mini):
    """The trial of issue 20, by the guide's steps only: the file, one line of
    config/sources.csv, one row of the référentiel, one citation in the contract."""
    deposit(mini.root, "sport/licencies.csv", LICENCES_CSV)
    declare(mini.root, LICENCES)
    add_indicator(mini.root)
    cite(mini.root, "5.3", "2", "licencies_essai")
    result = build(mini, write=False)
    assert result.ok, rendered(result.problems)
    rows = [r for r in result.rows if r["indicateur"] == "licencies_essai"]
    assert [(r["annee"], r["valeur"], r["ligne"]) for r in rows] == [
        ("2022", "412", "2"), ("2023", "455", "3"), ("2024", "498", "4")]
    assert {(r["niveau"], r["code"], r["geographie"], r["colonne"], r["fichier"],
             r["producteur"]) for r in rows} == {
        ("qpv", "QP092005", "qpv2015", "licencies", "data/raw/sport/licencies.csv",
         "Ville (service des sports)")}
    summary = next(s for s in result.summaries if s.fichier.endswith("licencies.csv"))
    assert summary.observations == 3 and summary.annees == {"licencies": 2024}


def test_the_year_may_come_from_the_file_name_or_be_fixed(mini):
    deposit(mini.root, "sport/licencies_2023.csv", "code_qpv;licencies\nQP092005;455\n")
    deposit(mini.root, "clubs/clubs.csv", "commune;clubs\n92019;31\n")
    add_indicator(mini.root)
    add_indicator(mini.root, id="clubs_essai", variable_source="clubs", perimetre="commune",
                  denombre="autres", section="I.C")
    cite(mini.root, "5.3", "2", "licencies_essai")
    declare(mini.root,
            "licences,sport/licencies_{annee}.csv,;,utf-8,code_qpv,qpv,qpv2015,,fichier,"
            "licencies=licencies_essai,Ville,\n",
            "clubs,clubs/*.csv,,,commune,commune,,,2021,clubs=clubs_essai,Ville,Clubs\n")
    result = build(mini, write=False)
    assert result.ok, rendered(result.problems)
    got = {(r["indicateur"], r["code"], r["annee"], r["valeur"], r["millesime"])
           for r in result.rows if r["indicateur"] in ("licencies_essai", "clubs_essai")}
    assert got == {("licencies_essai", "QP092005", "2023", "455", "2023"),
                   ("clubs_essai", "92019", "2021", "31", "")}


def test_a_file_of_a_declared_source_is_checked_row_by_row(mini):
    deposit(mini.root, "sport/licencies.csv",
            "code_qpv;annee;licencies\nQP092005;2024;498\nQP092005;24-25;12\n"
            "qp092005;2024;3\nQP092005;2023;beaucoup\n")
    declare(mini.root, LICENCES)
    add_indicator(mini.root)
    cite(mini.root, "5.3", "2", "licencies_essai")
    result = build(mini, write=False)
    texts = [p.render() for p in result.problems.items
             if p.fichier == "data/raw/sport/licencies.csv"]
    assert any("ligne 3, colonne « annee »" in t and "année illisible" in t for t in texts)
    assert any("ligne 4, colonne « code_qpv »" in t and "minuscules" in t for t in texts)
    assert any("ligne 5, colonne « licencies »" in t and "non numérique" in t for t in texts)
    rows = [r for r in result.rows if r["indicateur"] == "licencies_essai"]
    assert [(r["annee"], r["valeur"]) for r in rows] == [("2024", "498")]


def test_a_file_without_a_declared_column_names_it_and_its_declaration(mini):
    deposit(mini.root, "sport/licencies.csv", "code_qpv;an;licencies\nQP092005;2024;498\n")
    declare(mini.root, LICENCES)
    add_indicator(mini.root)
    cite(mini.root, "5.3", "2", "licencies_essai")
    result = build(mini, write=False)
    (error,) = [p for p in result.problems.errors if "colonnes manquantes" in p.message]
    assert error.fichier == "data/raw/sport/licencies.csv" and error.colonne == "annee"
    assert "ligne 2 de config/sources.csv" in error.render()


def test_without_a_declaration_the_file_is_unknown_and_the_message_says_where(mini):
    deposit(mini.root, "sport/licencies.csv", LICENCES_CSV)
    result = build(mini, write=False)
    (error,) = [p for p in result.problems.errors if "non reconnu" in p.message]
    assert error.fichier == "data/raw/sport/licencies.csv"
    declare(mini.root, LICENCES.replace("sport/*.csv", "sport/licences_*.csv"))
    add_indicator(mini.root)
    cite(mini.root, "5.3", "2", "licencies_essai")
    result = build(mini, write=False)
    (error,) = [p for p in result.problems.errors if "non reconnu" in p.message]
    assert "sport/licences_*.csv" in error.render()  # the declared pattern, beside the others


# --------------------------------------------------------------------------- bad declarations


@pytest.fixture(scope="module")
def referentiel() -> Referentiel:
    return load_referentiel(ROOT / "config" / "referentiel.csv", "config/referentiel.csv",
                            Problems(), CONTRACT)


BAD = [
    ("unknown indicator", LICENCES.replace("=licencies_essai", "=licences_inconnues"),
     "variables", "licences_inconnues", "indicateur inconnu du référentiel"),
    ("year rule", LICENCES.replace("colonne:annee", "ligne"), "annee", "ligne",
     "règle d'année invalide"),
    ("year from a name that has none", LICENCES.replace("colonne:annee", "fichier"), "annee",
     "fichier", "le motif n'en donne pas"),
    ("another reader's folder", LICENCES.replace("sport/*.csv", "partenaires/*.csv"),
     "fichiers", "partenaires/*.csv", "lu par un autre lecteur"),
    ("no folder", LICENCES.replace("sport/*.csv", "licencies.csv"), "fichiers",
     "licencies.csv", "motif de fichiers invalide"),
    ("workbook", LICENCES.replace("sport/*.csv", "sport/*.xlsx"), "fichiers", "sport/*.xlsx",
     "motif de fichiers invalide"),
    ("level", LICENCES.replace(",qpv,", ",quartier,"), "niveau", "quartier",
     "niveau territorial inconnu"),
    ("geography off a quarter", LICENCES.replace(",qpv,,", ",commune,qpv2015,"), "geographie",
     "qpv2015", "géographie prioritaire invalide"),
    ("separator", LICENCES.replace("sport/*.csv,,", "sport/*.csv,|,"), "separateur", "|",
     "séparateur inconnu"),
    ("encoding", LICENCES.replace("sport/*.csv,,,", "sport/*.csv,,latin9,"), "encodage",
     "latin9", "encodage inconnu"),
    ("pair", LICENCES.replace("licencies=licencies_essai", "licencies"), "variables",
     "licencies", "illisible"),
    ("identifier", LICENCES.replace("licences_sportives", "Licences sportives"), "source",
     "Licences sportives", "identifiant de source invalide"),
]


@pytest.mark.parametrize(("case", "line", "column", "value", "message"), BAD,
                         ids=[b[0] for b in BAD])
def test_a_bad_declaration_is_named_by_line_and_column(tmp_path, referentiel, case, line,
                                                       column, value, message):
    path = tmp_path / "sources.csv"
    path.write_text(HEADER + "clubs,clubs/*.csv,,,commune,commune,,,2021,"
                    "licencies=licencies_essai,Ville,\n" + line, encoding="utf-8")
    problems = Problems()
    ref = Referentiel({**referentiel.indicators, "licencies_essai": _indicator(
        "licencies_essai", "5.3")})
    sources = load_sources(path, "config/sources.csv", ref, problems)
    (error,) = problems.errors
    assert (error.fichier, error.ligne, error.colonne, error.valeur) == (
        "config/sources.csv", 3, column, value)
    assert message in error.message and error.attendu
    assert [d.source for d in sources.declarations] == ["clubs"]  # the good line is kept


def test_a_source_typed_by_a_partner_says_so_and_its_figures_are_a_partners(mini):
    """The optional column « origine »: figures the city or a partner typed are stored as
    a partner's (never ranked among all QPV); blank, the file is a producer's publication;
    any other word is named by line and column."""
    deposit(mini.root, "sport/licencies.csv", LICENCES_CSV)
    add_indicator(mini.root)
    cite(mini.root, "5.3", "2", "licencies_essai")
    header = HEADER.replace("titre\n", "titre,origine\n")
    for word, expected in (("partenaire", "partenaire"), ("", "publication")):
        (mini.root / "config" / "sources.csv").write_text(
            header + LICENCES.replace("\n", f",{word}\n"), encoding="utf-8")
        result = build(mini, write=False)
        assert result.ok, rendered(result.problems)
        assert {r["origine"] for r in result.rows
                if r["indicateur"] == "licencies_essai"} == {expected}
    (mini.root / "config" / "sources.csv").write_text(
        header + LICENCES.replace("\n", ",ville\n"), encoding="utf-8")
    result = build(mini, write=False)
    (error,) = [p for p in result.problems.errors if p.fichier == "config/sources.csv"]
    assert (error.ligne, error.colonne, error.valeur) == (2, "origine", "ville")
    assert "origine inconnue" in error.message and "partenaire" in error.attendu


def test_a_source_declared_twice_is_an_error(tmp_path, referentiel):
    path = tmp_path / "sources.csv"
    path.write_text(HEADER + "clubs,clubs/*.csv,,,commune,commune,,,2021,"
                    "clubs=population,Ville,\nclubs,clubs/b.csv,,,commune,commune,,,2021,"
                    "clubs=population,Ville,\n", encoding="utf-8")
    problems = Problems()
    load_sources(path, "config/sources.csv", referentiel, problems)
    (error,) = problems.errors
    assert (error.ligne, error.colonne) == (3, "source") and "déjà ligne 2" in error.message


def test_no_file_or_its_header_alone_declares_nothing(tmp_path, referentiel):
    problems = Problems()
    assert not load_sources(tmp_path / "absent.csv", "x", referentiel, problems).declarations
    (tmp_path / "sources.csv").write_text(HEADER, encoding="utf-8")
    assert not load_sources(tmp_path / "sources.csv", "x", referentiel, problems).declarations
    assert not problems.items
    load_sources(ROOT / "config" / "sources.csv", "x", referentiel, problems)
    assert not problems.items  # whatever the project declares (if it does), it declares well


def test_the_guide_gives_the_header_of_the_declarations():
    """config/sources.csv is not shipped (an input file more would change every page's
    list of inputs): the guide gives the header line that creates it."""
    assert HEADER.strip() in (ROOT / "docs" / "developpement.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the skeleton


def test_the_skeleton_checks_required_columns_once(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    ctx = ReadContext(paths=ProjectPaths(tmp_path), referentiel=Referentiel({}),
                      rules=VariableRules(()), contract=CONTRACT, annee_max=2026)
    problems = Problems()
    result, table, index = open_source(path, ctx, problems, "Essai", 2024, ["a", "c", "d"])
    assert table is None and index == {} and result.summary.lignes == 1
    (error,) = problems.errors
    assert (error.fichier, error.ligne, error.colonne) == ("f.csv", 1, "c, d")
    assert error.message == "colonnes manquantes." and "a, c, d" in (error.attendu or "")
    result, table, index = open_source(path, ctx, Problems(), "Essai", 2024, ["b"])
    assert table is not None and index == {"a": 0, "b": 1}


def test_a_stamp_makes_the_observations_of_one_file():
    stamp = Stamp("Producteur", "Source, 2024", "2024", "data/raw/x/f.csv", "publication")
    obs = stamp("population", "qpv", "QP092005", 2021, ParsedNumber(5481.0, "valeur"), " 5 481 ",
                7, "POP", geographie="qpv2015")
    assert (obs.indicateur, obs.code, obs.annee, obs.valeur, obs.valeur_publiee, obs.ligne,
            obs.colonne, obs.producteur, obs.source, obs.millesime, obs.fichier,
            obs.geographie, obs.qualite, obs.origine) == (
        "population", "QP092005", 2021, 5481.0, "5 481", 7, "POP", "Producteur",
        "Source, 2024", "2024", "data/raw/x/f.csv", "qpv2015", "", "publication")
    assert FileId("X", None).millesime is None


# --------------------------------------------------------------------------- the contract's rules


OBJECTIVES = ("section,ligne,texte,indicateurs,raison_non_suivi,priorite\n"
              "2.1,1,Dynamiser le Point Insertion,suivi;prioritaire_oublie,,"
              "Plein emploi : Point insertion / PRIJ\n"
              "V,1,Réunir le comité,comite;faux_prioritaire,,\n")


def test_the_loader_checks_the_referentiel_against_the_contract_lines(tmp_path):
    ref = Referentiel({
        "suivi": _indicator("suivi", "2.1", prioritaire=True, ligne=2),
        "prioritaire_oublie": _indicator("prioritaire_oublie", "2.1", ligne=3),
        "comite": _indicator("comite", "V", ligne=4),
        "faux_prioritaire": _indicator("faux_prioritaire", "V", prioritaire=True, ligne=5),
        "oublie": _indicator("oublie", "V", ligne=6),
        "contexte": _indicator("contexte", "I.C", ligne=7),  # no line follows section I.C
    }, label="config/referentiel.csv")
    path = tmp_path / "objectifs.csv"
    path.write_text(OBJECTIVES, encoding="utf-8")
    problems = Problems()
    load_objectives(path, "config/objectifs.csv", problems, ref, CONTRACT)
    found = {(p.fichier, p.ligne, p.colonne, p.valeur): p for p in problems.errors}
    assert set(found) == {("config/referentiel.csv", 3, "prioritaire", ""),
                          ("config/referentiel.csv", 5, "prioritaire", "oui"),
                          ("config/referentiel.csv", 6, "id", "oublie")}
    uncited = found[("config/referentiel.csv", 6, "id", "oublie")].render()
    assert "section V" in uncited and "config/objectifs.csv" in uncited
    missing = found[("config/referentiel.csv", 3, "prioritaire", "")].render()
    assert "« oui »" in missing and "ligne 1 de la section 2.1" in missing
    assert "Plein emploi : Point insertion / PRIJ" in missing
    extra = found[("config/referentiel.csv", 5, "prioritaire", "oui")].render()
    assert "aucune ligne prioritaire" in extra


def test_an_uncited_indicator_stops_the_build_with_the_referentiel_line(mini):
    add_indicator(mini.root)  # section 5.3, followed by the contract, cited by no line
    result = build(mini, write=False)
    (error,) = [p for p in result.problems.errors if p.colonne == "id"]
    with (mini.root / "config" / "referentiel.csv").open(encoding="utf-8") as handle:
        last = sum(1 for _ in csv.reader(handle))
    assert (error.fichier, error.ligne, error.valeur) == (
        "config/referentiel.csv", last, "licencies_essai")
    assert not result.ok


# --------------------------------------------------------------------------- variables_sources.csv


def test_the_families_read_year_by_row_are_those_of_their_readers():
    assert set(YEAR_ON_EACH_ROW) == {f.famille for f in long_tables.FORMATS} | {"IPS"}


@pytest.mark.parametrize(("famille", "rule", "expected"), [
    ("IPRO", "ligne", "ne lit pas l'année sur chaque ligne"),
    ("SSMSI", "millesime", "lit l'année sur chaque ligne"),
])
def test_a_year_rule_its_reader_cannot_follow_is_said(tmp_path, referentiel, famille, rule,
                                                      expected):
    path = tmp_path / "variables_sources.csv"
    path.write_text("famille,variable,indicateur,millesime_min,millesime_max,annee_reference,"
                    f"colonne_note,preuve\n{famille},X,population,2017,,{rule},,vérifié\n",
                    encoding="utf-8")
    problems = Problems()
    rules = load_variable_rules(path, "config/variables_sources.csv", referentiel, problems)
    (error,) = problems.errors
    assert (error.ligne, error.colonne, error.valeur) == (2, "annee_reference", rule)
    assert expected in error.message and not rules.rules
    if famille == "IPRO":
        assert "config/sources.csv" in (error.correction or "")
