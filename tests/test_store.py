"""Consolidation on hand-made observations: merge, conflict, bounds, unpublished."""

from evalqpv.ingest import Observation
from evalqpv.store.consolidate import consolidate, format_number


def obs(value, status="valeur", fichier="a.csv", ligne=2, annee=2019, code="QP092005"):
    return Observation("taux_pauvrete", "qpv", code, "Cité Jardins", "qpv2015", annee, value,
                       status, "" if value is None else str(value), "", "Insee", "src " + fichier,
                       "2021", fichier, ligne, "TP60")


def test_equal_values_become_one_row_citing_both():
    rows, conflicts = consolidate([obs(29.9, fichier="b.csv", ligne=7), obs(29.9)])
    assert not conflicts
    (row,) = rows
    assert row["valeur"] == "29.9"
    assert row["fichier"] == "a.csv | b.csv"
    assert row["ligne"] == "2 | 7"
    assert row["conflit"] == ""


def test_different_values_are_a_conflict_and_both_are_kept():
    rows, conflicts = consolidate([obs(29.9), obs(30.1, fichier="b.csv")])
    assert [r["valeur"] for r in rows] == ["29.9", "30.1"]
    assert all(r["conflit"] == "oui" for r in rows)
    (conflict,) = conflicts
    assert conflict.annee == 2019 and len(conflict.versions) == 2


def test_unpublished_value_does_not_conflict_with_a_published_one():
    rows, conflicts = consolidate([obs(None, "secret"), obs(29.9, fichier="b.csv")])
    assert not conflicts
    (row,) = rows
    assert row["valeur"] == "29.9" and row["fichier"] == "b.csv"


def test_lower_bound_agrees_with_a_value_above_it():
    rows, conflicts = consolidate([obs(95, "borne_inf"), obs(97.2, fichier="b.csv")])
    assert not conflicts
    (row,) = rows
    assert row["statut"] == "valeur" and row["valeur"] == "97.2"
    assert row["fichier"] == "a.csv | b.csv"


def test_lower_bound_contradicted_by_a_value_below_it():
    rows, conflicts = consolidate([obs(95, "borne_inf"), obs(80.0, fichier="b.csv")])
    assert len(conflicts) == 1 and len(rows) == 2


def test_bound_alone_keeps_its_status():
    (row,), _ = consolidate([obs(95, "borne_inf")])
    assert row["statut"] == "borne_inf" and row["valeur"] == "95"


def test_different_years_or_territories_never_merge():
    rows, conflicts = consolidate([obs(29.9), obs(30.0, annee=2018), obs(31.0, code="QP092006")])
    assert len(rows) == 3 and not conflicts


def test_format_number_is_stable():
    assert format_number(5481.0) == "5481"
    assert format_number(29.9) == "29.9"
    assert format_number(None) == ""


CONTRACT = "data/raw/contrat/chiffres_contrat.csv"
PARTNER = "data/raw/partenaires/2025/idsu.xlsx"
PUBLISHED = "data/raw/sig-ville-qpv2015/IPRO_2021.csv"


def test_each_row_says_where_its_figure_comes_from():
    """Issue 20: the reports read the `origine` column, not the paths of `fichier`."""
    def origine(*files):
        (row,), _ = consolidate([obs(29.9, fichier=f, ligne=i) for i, f in enumerate(files)])
        return row["origine"]

    assert origine(PUBLISHED) == "publication"
    assert origine(CONTRACT) == "contrat"
    assert origine(PARTNER) == "partenaire"
    assert origine(CONTRACT, PARTNER) == "contrat et partenaire"
    assert origine(CONTRACT, PUBLISHED) == "publication et contrat"
    assert origine(PARTNER, PUBLISHED) == "publication"  # a publication confirms it
    assert origine(CONTRACT, PARTNER, PUBLISHED) == "publication et contrat"
    # a folder named like a hand-filled one elsewhere is no hand-filled file
    assert origine("data/raw/sig-ville/contrat/x.csv", "contrat/x.csv") == "publication"


def test_conflicting_figures_each_have_their_origin():
    rows, _ = consolidate([obs(29.9, fichier=CONTRACT), obs(31.0, fichier=PUBLISHED)])
    assert {r["valeur"]: r["origine"] for r in rows} == {"29.9": "contrat",
                                                        "31": "publication"}


def test_the_built_store_carries_the_origin_the_reports_read(mini):
    from evalqpv.store.build import build
    from evalqpv.store.load import load_store

    (mini.raw / "partenaires" / "2025" / "idsu.csv").write_text(
        "indicateur;code;annee;valeur;commentaire\napprenants_fle;QP092005;2024;35;\n",
        encoding="utf-8")
    assert build(mini).ok
    store = load_store(mini.store)  # the Parquet copy
    origins = dict(zip(store["fichier"], store["origine"], strict=True))
    assert origins["data/raw/partenaires/2025/idsu.csv"] == "partenaire"
    assert origins["data/raw/sig-ville-qpv2015/IPRO_2021.csv"] == "publication"
    assert set(store["origine"]) == {"partenaire", "publication"}


def test_a_change_says_where_its_figure_came_from_even_from_an_older_store():
    """A store written before the `origine` column: the vanished figure's origin comes
    from its files."""
    from evalqpv.store.revisions import compare

    def row(fichier, valeur, **more):
        return {"indicateur": "x", "niveau": "qpv", "code": "QP092005", "geographie": "",
                "annee": "2024", "libelle_territoire": "Q", "valeur": valeur,
                "source": "s", "fichier": fichier, **more}

    old = [row(PARTNER, "35")]
    (gone,) = compare(old, [])
    assert (gone.nature, gone.origine) == ("valeur disparue", "partenaire")
    (revised,) = compare(old, [row(PUBLISHED, "36", origine="publication")])
    assert revised.origine == "publication"
