from evalqpv import frenchnumbers as ff

NB = "\u00a0"


def test_numbers_in_french():
    assert ff.number(5481) == f"5{NB}481"
    assert ff.number(29.94, 1) == "29,9"
    assert ff.number(1234567.891, 2) == f"1{NB}234{NB}567,89"
    assert ff.number(-0.04, 1) == "0,0"
    assert ff.number(-3.25, 1) == "-3,2"
    assert ff.number(None) == "–"


def test_values_with_units():
    assert ff.with_unit(29.9, "pourcentage") == f"29,9{NB}%"
    assert ff.with_unit(5481, "nombre") == f"5{NB}481"
    assert ff.with_unit(16280, "euros") == f"16{NB}280{NB}€"
    assert ff.with_unit(95, "pourcentage", "borne_inf") == f"plus de 95{NB}%"
    assert ff.with_unit(None, "nombre", "secret") == "secret"
    assert ff.with_unit(None, "pourcentage", "non_disponible") == "n.d."
    assert ff.with_unit(1, "booleen") == "oui"


def test_changes_and_ratios():
    assert ff.change(-0.6, "pourcentage") == f"-0,6{NB}point"
    assert ff.change(2.8, "pourcentage") == f"+2,8{NB}points"
    assert ff.change(-73, "nombre") == "-73"
    assert ff.ratio(2.0493) == f"2,0{NB}fois"


def test_counts_agree_with_their_number():
    assert ff.count(287842, "ligne") == f"287{NB}842 lignes"
    assert ff.count(1, "restant") == "1 restant"
    assert ff.count(0, "erreur") == "0 erreur"
    assert ff.count(16, "atteint") == "16 atteints"
    assert ff.count(2, "indicateur manquant") == "2 indicateurs manquants"
    assert ff.count(3, "conflit entre sources", "conflits entre sources") == \
        "3 conflits entre sources"
    assert ff.count(2, "avis") == "2 avis"
    assert ff.plural(1, "lu") == "lu" and ff.plural(5, "lu") == "lus"
