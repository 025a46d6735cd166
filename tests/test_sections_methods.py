"""report/methods_sections.py on a hand-made context: the definitions and releases of a
report's indicators, how recent each publication is, the caveats its data call for,
and the figures new or revised since the previous store (changements.csv)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.helpers import indicator
from tests.sections_kit import (
    COMMUNE_LEVEL,
    CONTRACT,
    NB,
    OTHER_TERRITORY,
    context,
    row,
    table_rows,
    text,
)

from evalqpv.report.methods_sections import caveats, methods, revisions

HEADER = ("nature,indicateur,niveau,code,libelle_territoire,geographie,annee,avant,apres,"
          "source,fichier,origine\n")
CHANGES = HEADER + (
    # a revision of the quarter's rate, the old value given by two sources
    "valeur révisée,pauvrete,qpv,QP092005,Cité Jardins,qpv2015,2019,29.94 ≠ 30.0,30.2,"
    "Insee Filosofi,f.csv,publication\n"
    # a partner's small count of people: masked
    "nouvelle valeur,jeunes,qpv,QP092005,Cité Jardins,qpv2015,2025,,7,Mission locale,"
    "ml.xlsx,partenaire\n"
    # the same small count published by a producer: already public
    "nouvelle valeur,jeunes,qpv,QP092005,Cité Jardins,qpv2015,2024,,4,Insee,f.csv,"
    "publication\n"
    "nouvelle valeur,population,commune,92019,Châtenay-Malabry,,2021,,34170,Insee RP,f.csv,"
    "publication\n"
    # another quarter: counted, not listed
    "valeur révisée,pauvrete,qpv,QP059079,Autre quartier,qpv2015,2019,40,41,Insee,f.csv,"
    "publication\n"
    # a partner's perimeter: listed
    "nouvelle valeur,jeunes,perimetre_partenaire,ML92,Mission locale,,2025,,25,"
    "Mission locale,ml.xlsx,partenaire\n"
    # a count on a département is never masked; an indicator no longer in the référentiel
    "valeur disparue,ancien,departement,92,Hauts-de-Seine,,2020,5,,Insee,f.csv,publication\n")
INDICATORS = [
    indicator("pauvrete", "1.1", libelle="Taux de pauvreté", unite="pourcentage",
              definition="Part des personnes pauvres", producteur="Insee",
              source="Filosofi"),
    indicator("jeunes", "1.1", libelle="Jeunes accompagnés", unite="nombre"),
    indicator("population", "1.1", libelle="Population", unite="nombre"),
]


def write(root, name: str, content: str) -> None:
    folder = root / "data" / "processed"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(content, encoding="utf-8")


def test_revisions_on_the_territory_levels_under_the_secrecy_rule(tmp_path):
    write(tmp_path, "changements.csv", CHANGES)
    fragment = revisions(context(tmp_path, INDICATORS, []))
    assert table_rows(fragment) == [
        ["valeur révisée", "Taux de pauvreté", "Cité Jardins", "2019",
         f"29,9{NB}% ≠ 30,0{NB}%", f"30,2{NB}%", "Insee Filosofi"],
        ["nouvelle valeur", "Jeunes accompagnés", "Cité Jardins", "2025", "–", f"<{NB}11",
         "Mission locale"],
        ["nouvelle valeur", "Jeunes accompagnés", "Cité Jardins", "2024", "–", "4", "Insee"],
        ["nouvelle valeur", "Population", "Châtenay-Malabry", "2021", "–", f"34{NB}170",
         "Insee RP"],
        ["nouvelle valeur", "Jeunes accompagnés", "Mission locale", "2025", "–", "25",
         "Mission locale"],
        ["valeur disparue", "ancien", "Hauts-de-Seine", "2020", "5", "–", "Insee"]]
    # the summary counts every territory, by nature in alphabetical order
    assert text(fragment).startswith(
        "Depuis l'exercice précédent (tous territoires) : 4 nouvelles valeurs, 1 valeur "
        "disparue, 2 valeurs révisées. Sur Cité Jardins et ses territoires de comparaison :")


def test_revisions_without_previous_store_or_without_change_here(tmp_path):
    ctx = context(tmp_path, INDICATORS, [])
    assert text(revisions(ctx)) == ("Aucune version précédente des données n'a été "
                                     "conservée : rien à comparer pour cet exercice.")
    write(tmp_path, "changements.csv", HEADER)
    assert text(revisions(ctx)) == (
        "Depuis l'exercice précédent (tous territoires) : aucun changement. Sur Cité "
        "Jardins et ses territoires de comparaison : Aucun chiffre nouveau ou révisé.")
    write(tmp_path, "changements.csv", CHANGES)
    other = context(tmp_path, INDICATORS, [], territory=OTHER_TERRITORY)
    assert [r[2] for r in table_rows(revisions(other))] == ["Autre quartier", "Mission locale"]


@pytest.fixture
def ctx(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "comparaison.toml").write_text(
        'k = 10\nvariables = ["pauvrete"]\n', encoding="utf-8")
    contract = replace(CONTRACT, precautions=("Le quartier est celui de la géographie "
                                              "prioritaire {geographie}.",))
    rows = [
        row("pauvrete", 2019, 29.9, millesime="2021 | 2022",
            source="Insee, Filosofi, publication 2021"),
        row("pauvrete", 2021, None, statut="secret", millesime="2023",
            source="Insee, Filosofi, publication 2023"),
        row("jeunes", 2020, None, statut="secret", source="Insee, RP"),
        row("jeunes", 2022, 12.0, qualite="NOTE_RP", conflit="oui", source="Insee, RP"),
        row("jeunes", 2025, 60.0, origine="partenaire", source="Mission locale"),
        row("population", 2026, 5600.0, source="Insee, RP 2026"),  # after the year
        row("population", 2021, 34170.0, level=COMMUNE_LEVEL, source="Insee, RP"),
    ]
    return context(tmp_path, INDICATORS, rows, contract=contract)


def test_caveats_count_what_the_quarter_figures_call_for(ctx):
    notes = caveats(ctx)
    assert notes[1:] == [
        "2 valeurs du quartier ne sont pas publiées par le producteur (secret statistique ou "
        "effectif trop faible) : elles apparaissent « secret », jamais comme zéro.",
        "1 effectif du quartier est inférieur à 50 : ses variations d'une année sur l'autre "
        "sont fragiles.",
        "1 valeur porte une note de qualité du producteur : à interpréter avec prudence.",
        "1 valeur est donnée différemment par deux sources ; le rapport retient celle de la "
        "publication la plus récente (le rapport de validation des données détaille chaque "
        "désaccord).",
        "Le quartier est celui de la géographie prioritaire 2015."]
    # another quarter: the contract's own caveats do not apply
    other = replace(ctx, territory=OTHER_TERRITORY, store=ctx.store.iloc[0:0])
    assert len(caveats(other)) == 1


def test_a_copy_of_the_context_with_another_store_reads_its_own_rows(ctx):
    """The store's rows are split by indicator once per context: a copy made with
    another store (dataclasses.replace copies the split too) must not read the first
    store's rows. Catches a split kept without the store it was made from."""
    assert table_rows(methods(ctx))  # the split is made from the quarter's rows
    empty = replace(ctx, store=ctx.store.iloc[0:0])
    assert ctx.records_of("pauvrete") and empty.records_of("pauvrete") == []
    assert table_rows(methods(empty)) == []


def test_methods_define_each_indicator_and_date_each_publication(ctx):
    fragment = methods(ctx)
    rows = table_rows(fragment)
    assert rows[:3] == [
        ["Taux de pauvreté", "Part des personnes pauvres", "Insee", "Filosofi",
         "2021, 2022, 2023", "2019 à 2021", "géographie prioritaire 2015"],
        ["Jeunes accompagnés", "x", "x", "x", "2025", "2020 à 2025",
         "géographie prioritaire 2015"],
        ["Population", "x", "x", "x", "2025", "2021 à 2026", "géographie prioritaire 2015"]]
    # the latest year each publication gives a value for the quarter (a secret is not
    # one), most recent first: never a partner's figure, never after the evaluated year;
    # the release year of a name is left out
    assert rows[3:] == [["Insee, RP", "2022"], ["Insee, Filosofi", "2019"]]
    assert ("Définitions, producteurs et publications des 3 indicateurs de ce rapport qui "
            "ont au moins un chiffre") in text(fragment)
