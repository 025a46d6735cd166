from evalqpv.problems import Problems
from evalqpv.rawtable import read_delimited


def read(tmp_path, data: bytes, **kw):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    problems = Problems()
    return read_delimited(path, "f.csv", problems, **kw), problems


def test_bom_crlf_and_trailing_columns(tmp_path):
    table, problems = read(tmp_path, b"\xef\xbb\xbfA;B;;;\r\n1;2;;;\r\n\r\n3;4;;;\r\n")
    assert not problems.items
    assert table.header == ["A", "B"]
    assert table.rows == [(2, ["1", "2"]), (4, ["3", "4"])]


def test_header_names_are_stripped(tmp_path):
    table, _ = read(tmp_path, b"CODGEO;EVOL_CA_N_E ;X\n1;2;3\n")
    assert table.header == ["CODGEO", "EVOL_CA_N_E", "X"]


def test_quoted_cells(tmp_path):
    table, problems = read(tmp_path, b'"a";"b"\n"x;y";"2"\n')
    assert not problems.items
    assert table.rows[0][1] == ["x;y", "2"]


def test_invalid_byte_in_published_file_is_a_warning(tmp_path):
    table, problems = read(tmp_path, b"A;B\nEnsemble;1\xff2\n")
    assert table is not None
    assert not problems.errors
    (warning,) = problems.warnings
    assert warning.ligne == 2


def test_cp1252_in_hand_filled_file_is_an_error(tmp_path):
    table, problems = read(tmp_path, "indicateur;valeur\nété;1\n".encode("cp1252"),
                           strict_encoding=True)
    assert table is None
    (error,) = problems.errors
    assert "Windows-1252" in error.message and error.ligne == 2
    assert "UTF-8" in error.correction


def test_row_longer_than_header(tmp_path):
    _, problems = read(tmp_path, b"A;B\n1;2;3\n")
    (error,) = problems.errors
    assert error.ligne == 2 and error.valeur == "3"


def test_required_columns_name_every_missing_one(tmp_path):
    problems = Problems()
    path = tmp_path / "x.csv"
    path.write_bytes(b"section,texte\n1.1,a\n")
    table = read_delimited(path, "config/x.csv", problems, separator=",")
    assert table is not None
    assert table.required_columns(("section", "texte"), problems) == {"section": 0,
                                                                      "texte": 1}
    assert table.required_columns(("section", "ligne", "texte", "priorite"), problems,
                                  correction="restaurez le fichier") is None
    (error,) = problems.errors
    text = error.render()
    assert "config/x.csv" in text and "ligne, priorite" in text and "restaurez" in text
