"""Targets written as the contract writes them: the kind (a yearly flow, a total, a level,
a one-off event), the perimeter, and a deadline only when the contract prints one."""

import dataclasses

from tests.test_statuses import BASE

from evalqpv.report.wording import NO_TARGET, target_text


def ind(**kw):
    return dataclasses.replace(BASE, **kw)


def test_a_total_with_no_date_is_not_a_yearly_quota():
    cameras = ind(cible=50, cible_operateur="=", cible_nature="stock", cible_approchee=True,
                  perimetre="commune", periodicite="annuelle")
    text = target_text(cameras)
    assert text == "environ 50 au total dans la commune, échéance non précisée"
    assert "chaque année" not in text and "2030" not in text


def test_a_one_off_pilot_in_the_departement():
    pilot = ind(cible=3, cible_operateur=">=", cible_nature="ponctuelle",
                perimetre="departement", periodicite="annuelle")
    text = target_text(pilot)
    assert "chaque année" not in text and "ponctuelle" in text and "département" in text
    assert text.endswith("échéance non précisée")


def test_a_yearly_flow_and_a_dated_level():
    assert target_text(ind(cible=1, cible_operateur=">=", cible_nature="annuelle",
                           perimetre="commune")) == "au moins 1 chaque année dans la commune"
    assert target_text(ind(cible=10, cible_operateur=">", cible_nature="stock",
                           annee_cible=2024, perimetre="ensemble_qpv")).endswith(
        "au total dans les quartiers prioritaires du département, échéance 2024")
    share = ind(cible=50, cible_operateur=">=", cible_nature="annuelle", unite="pourcentage")
    assert target_text(share).startswith("au moins 50\u00a0% chaque année")


def test_a_partner_objective_of_one_year_and_an_event():
    cej = ind(cible=353, cible_operateur=">=", cible_nature="annuelle", annee_cible=2023)
    assert target_text(cej).startswith("au moins 353 en 2023")
    midterm = ind(cible=1, cible_operateur="=", cible_nature="ponctuelle", unite="booleen",
                  annee_cible=2027, perimetre="commune")
    assert target_text(midterm) == "réalisé dans la commune, échéance 2027"
    assert target_text(ind()) == NO_TARGET


def test_status_counts_agree():
    from evalqpv.report.wording import status_count

    assert status_count(1, "atteint") == "1 atteint"
    assert status_count(16, "atteint") == "16 atteints"
    assert status_count(3, "en retard") == "3 en retard"
    assert status_count(2, "en bonne voie") == "2 en bonne voie"
    assert status_count(2, "échu, non renseigné") == "2 échus, non renseignés"
    assert status_count(2, "non transmis") == "2 non transmis"


def test_a_long_partner_comment_is_cut_at_a_word_in_tables():
    from evalqpv.report.wording import comment_words
    assert comment_words("aucune action cette année") \
        == " — commentaire du partenaire : « aucune action cette année »"
    long = "Le chiffre comprend les personnes accompagnées par l'antenne de quartier et " \
        "celles orientées vers le site central ; la part exacte est inconnue."
    cut = comment_words(long, limit=40)
    assert cut == (" — commentaire du partenaire : « Le chiffre comprend les personnes… » "
                   "(en entier sur sa page)")
