import pytest

from evalqpv.frenchnumbers import NotANumber, parse_french_number, parse_printed_value


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("59,7", 59.7, "valeur"),
        ("5 481", 5481.0, "valeur"),
        ("5\u00a0481", 5481.0, "valeur"),
        ("5\u202f481", 5481.0, "valeur"),
        ("1\u202f019\u202f573", 1019573.0, "valeur"),
        ("20, 9", 20.9, "valeur"),  # as printed in the contract, section I.D
        ("-11,5", -11.5, "valeur"),
        (">95", 95.0, "borne_inf"),
        ("≥ 95", 95.0, "borne_inf"),
        ("<5", 5.0, "borne_sup"),
        ("nd", None, "non_disponible"),
        ("ND", None, "non_disponible"),
        ("", None, "secret"),
        ("   ", None, "secret"),
        ("93%", 93.0, "valeur"),
        ("114.3", 114.3, "valeur"),
        ("7,83177350511023e-03", 0.00783177350511023, "valeur"),
    ],
)
def test_parse_french_number(raw, value, status):
    parsed = parse_french_number(raw)
    assert parsed.statut == status
    if value is None:
        assert parsed.valeur is None
    else:
        assert parsed.valeur == pytest.approx(value)


@pytest.mark.parametrize("raw", ["abc", "12,5,3", "environ 50", "1-2", "--"])
def test_text_is_not_a_number(raw):
    with pytest.raises(NotANumber):
        parse_french_number(raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1,2 M€", 1_200_000.0), ("400 000 €", 400_000.0), ("une", 1.0), ("5,1\u00a0M€", 5_100_000.0)],
)
def test_parse_printed_value(raw, value):
    assert parse_printed_value(raw).valeur == pytest.approx(value)
