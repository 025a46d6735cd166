"""Consolidation on hand-made observations: merge, conflict, bounds, unpublished."""

import pytest

from evalqpv.ingest import Observation
from evalqpv.store.consolidate import consolidate, format_number


def obs(value, status="valeur", fichier="a.csv", ligne=2, annee=2019, code="QP092005",
        origine="publication"):
    return Observation("taux_pauvrete", "qpv", code, "Cité Jardins", "qpv2015", annee, value,
                       status, "" if value is None else str(value), "", "Insee", "src " + fichier,
                       "2021", fichier, ligne, "TP60", origine=origine)


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
    """Issue 20: each reader says where its figures come from; consolidation combines what
    the readers said, and the reports read the `origine` column, never the paths."""
    def origine(*origins):
        (row,), _ = consolidate([obs(29.9, fichier=f"{o}.csv", ligne=i, origine=o)
                                 for i, o in enumerate(origins)])
        return row["origine"]

    assert origine("publication") == "publication"
    assert origine("contrat") == "contrat"
    assert origine("partenaire") == "partenaire"
    assert origine("contrat", "partenaire") == "contrat et partenaire"
    assert origine("contrat", "publication") == "publication et contrat"
    assert origine("partenaire", "publication") == "publication"  # a publication confirms it
    assert origine("contrat", "partenaire", "publication") == "publication et contrat"


def test_the_origin_is_the_readers_word_not_the_files_folder():
    (row,), _ = consolidate([obs(29.9, fichier=CONTRACT, origine="publication")])
    assert row["origine"] == "publication"
    (row,), _ = consolidate([obs(29.9, fichier=PUBLISHED, origine="partenaire")])
    assert row["origine"] == "partenaire"


def test_an_observation_without_origin_is_a_bug_of_its_reader():
    with pytest.raises(RuntimeError, match="a.csv.*ligne 2.*origine"):
        consolidate([obs(29.9, origine="")])


def test_conflicting_figures_each_have_their_origin():
    rows, _ = consolidate([obs(29.9, fichier=CONTRACT, origine="contrat"),
                           obs(31.0, fichier=PUBLISHED)])
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


def test_on_the_shipped_data_each_reader_names_its_kind_of_file(built_project):
    """The contract's transcription, the partners' returns and the producers' files each
    give their origin; a figure cited by several keeps the combined one."""
    from pathlib import Path

    import pandas as pd

    from evalqpv.ingest import contract
    from evalqpv.ingest.registry import READERS, identify

    paths, _ = built_project
    store = pd.read_csv(paths.store, dtype=str, keep_default_na=False)
    # the kind of each file, from the reader that reads it (a project may add declared
    # sources of any origin: they are left out here)
    kinds = {r.name: ("contrat" if r is contract.READER else "partenaire" if r.hand_filled
                      else "publication") for r in READERS}

    def kind(file: str) -> str:
        found = identify(Path(file).relative_to("data/raw"))
        return kinds[found[0].name] if found is not None else "autre"

    def kinds_of(fichier: str) -> frozenset[str]:
        return frozenset(kind(f) for f in fichier.split(" | "))

    cited = store["fichier"].map(kinds_of)
    for files, origine in ((frozenset({"contrat"}), "contrat"),
                           (frozenset({"publication"}), "publication"),
                           (frozenset({"contrat", "publication"}), "publication et contrat")):
        rows = store[cited == files]
        assert len(rows) > 0 and set(rows["origine"]) == {origine}, files


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
