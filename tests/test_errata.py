"""Corrections of the contract's transcription: data/raw/ is never edited, an errata file
names the cell, what it reads and what it should read, with the contract's words."""

from __future__ import annotations

from evalqpv.settings import ProjectPaths
from evalqpv.store.build import build

HEADER = ("section;tableau;libelle_imprime;indicateur;niveau;code;libelle_territoire;"
          "geographie;annee;valeur_imprimee;source_citee;note\n")
ROW = ("I.A;texte;4 400 habitants;population_qpv2024;qpv;QP092005;Cité Jardins;qpv2024;2019;"
       "4 400;Insee;\n")
ERRATA_HEADER = "fichier;ligne;colonne;valeur_lue;valeur_corrigee;justification\n"


def write(mini: ProjectPaths, errata: str) -> None:
    folder = mini.raw / "contrat"
    (folder / "chiffres.csv").write_text(HEADER + ROW, encoding="utf-8")
    (folder / "errata.csv").write_text(ERRATA_HEADER + errata, encoding="utf-8")


def test_a_correction_is_applied_and_cited(mini):
    write(mini, "chiffres.csv;2;code;QP092005;QN09204M;« cette nouvelle géographie »\n")
    result = build(mini)
    assert result.ok, [p.render() for p in result.problems.errors]
    (row,) = [r for r in result.rows if r["indicateur"] == "population_qpv2024"]
    assert row["code"] == "QN09204M"
    assert "errata.csv ligne 2" in row["qualite"] and "QP092005" in row["qualite"]
    raw = (mini.raw / "contrat" / "chiffres.csv").read_text(encoding="utf-8")
    assert "QP092005" in raw  # the transcription itself is untouched


def test_a_stale_correction_is_an_error_naming_both_files(mini):
    write(mini, "chiffres.csv;2;code;QP000000;QN09204M;mot du contrat\n"
                "chiffres.csv;9;code;x;y;mot du contrat\n"
                "absent.csv;2;code;x;y;mot du contrat\n"
                "chiffres.csv;2;annee;2019;2020;\n")
    result = build(mini)
    assert not result.ok
    messages = [p.render() for p in result.problems.errors]
    text = "\n".join(messages)
    assert "errata.csv" in text and "« QP092005 »" in text  # what the cell really reads
    assert "n'existe pas" in text  # line 9 is not in the file
    assert "absent.csv" in text
    assert "justification" in text
    assert len([m for m in messages if "errata.csv" in m]) == 4
