"""A real year: every partner answered (tests/fixtures/annee_complete/, written by
tools/remplir_retours.py from `make gabarits ANNEE=2025`: 16 workbooks filled, one saved
as .ods and one as .xls by LibreOffice, a truncated workbook, a ledger of requests).
Every value typed reaches the store with its comment, the unreadable file is said and
stops nothing, and every report is produced."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from evalqpv.publish import run as runner
from evalqpv.settings import ProjectPaths
from evalqpv.store.requests import load_requests, load_returns

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "annee_complete"
RETURNS = "data/raw/partenaires/2025"


def full_year_project(base: Path) -> ProjectPaths:
    """The shipped configuration, notebooks and data/raw/, plus the fixture's returns."""
    shutil.copytree(ROOT / "config", base / "config")
    shutil.copytree(ROOT / "notebooks", base / "notebooks")
    shutil.copytree(ROOT / "data" / "raw", base / "data" / "raw")
    shutil.copytree(FIXTURE / "partenaires" / "2025", base / RETURNS, dirs_exist_ok=True)
    return ProjectPaths(base)


def file_name(fichier: str) -> str:
    """The return's file name in a store row's `fichier` (« …/idsu.xlsx [feuille …] »)."""
    return fichier.split(" | ")[0].split(" [")[0].rsplit("/", 1)[-1]


def typed() -> list[dict[str, str]]:
    """What the partners typed (written by the fixture's script, not read by the toolkit)."""
    with (FIXTURE / "saisies.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def full_year(tmp_path_factory):
    paths = full_year_project(tmp_path_factory.mktemp("annee_complete"))
    messages: list[str] = []
    code = runner.run(paths, annee=2025, say=messages.append)
    return paths, code, messages


def test_the_fixture_is_a_full_year():
    files = sorted(p.name for p in (FIXTURE / "partenaires" / "2025").iterdir())
    workbooks = [f for f in files if f.endswith((".xlsx", ".ods", ".xls"))
                 and f != "retour_tronque.xlsx"]
    assert len(workbooks) == 16
    assert {Path(f).suffix for f in workbooks} == {".xlsx", ".ods", ".xls"}
    rows = typed()
    assert len(rows) > 200 and sum(bool(r["commentaire"]) for r in rows) > 20
    assert max(len(r["commentaire"]) for r in rows) > 200


def test_every_value_typed_reaches_the_store_with_its_comment(full_year):
    paths, code, messages = full_year
    assert code == 0, messages
    with paths.store.open(encoding="utf-8", newline="") as handle:
        stored = {(file_name(r["fichier"]), r["indicateur"], r["code"], r["annee"]): r
                  for r in csv.DictReader(handle) if RETURNS in r["fichier"]}
    found = 0
    for row in typed():
        key = (row["fichier"], row["indicateur"], row["code"], row["annee"])
        assert key in stored, key
        assert float(stored[key]["valeur"]) == pytest.approx(float(row["valeur"]))
        assert stored[key]["qualite"].lstrip("'") == row["commentaire"]
        found += 1
    assert found == len(typed())
    assert sum(r["statut"] == "valeur" for r in stored.values()) == len(typed())


def test_partners_are_cited_by_their_names(full_year):
    paths, _, _ = full_year
    with paths.store.open(encoding="utf-8", newline="") as handle:
        sources = {file_name(r["fichier"]): r["source"] for r in csv.DictReader(handle)
                   if RETURNS in r["fichier"]}
    assert sources["idsu.xlsx"] == "IDSU"
    assert sources["france_travail.xlsx"] == "France Travail"
    assert sources["cpam_des_hauts_de_seine.ods"] == "CPAM des Hauts-de-Seine"
    assert sources["education_nationale.xls"] == "Éducation nationale"


def test_the_unreadable_return_is_said_and_stops_nothing(full_year):
    paths, code, messages = full_year
    assert code == 0
    returns = {Path(r["fichier"]).name: r for r in load_returns(paths.returns)}
    assert len(returns) == 17
    bad = returns["retour_tronque.xlsx"]
    assert bad["statut"] == "illisible" and bad["valeurs"] == "0"
    assert "enregistrez le classeur au format .xlsx" in bad["message"]
    assert "renommez le fichier comme le producteur" not in bad["message"]
    assert {r["statut"] for n, r in returns.items() if n != "retour_tronque.xlsx"} == {"lu"}
    assert returns["cpam_des_hauts_de_seine.ods"]["format"] == "ods"
    assert returns["education_nationale.xls"]["format"] == "xls"
    assert sum(int(r["valeurs"]) for r in returns.values()) == len(typed())
    report = paths.validation_report.read_text(encoding="utf-8")
    assert "retour_tronque.xlsx" in report and "Retours des partenaires" in report
    assert any("retour_tronque.xlsx" in m for m in messages)
    folder = paths.root / "reports" / "2025"
    assert {p.stem for p in folder.glob("*.html")} >= {"index", "emploi", "synthese"}


def test_the_ledger_says_who_was_asked_reminded_and_answered(full_year):
    paths, _, _ = full_year
    requests = {r.partenaire: r for r in load_requests(paths.requests) if r.annee == 2025}
    caf = requests["CAF des Hauts-de-Seine"]
    assert [d.isoformat() for d in caf.relances] == ["2026-02-16", "2026-03-02"]
    assert requests["IDSU"].recu_le is not None and requests["IDSU"].recu
    assert requests["Mission locale"].demande_le.isoformat() == "2026-01-15"
    assert requests["Bpifrance"].recu and requests["Bpifrance"].demande_le is None


def test_spreadsheet_versions_of_the_store(full_year):
    paths, _, _ = full_year
    text = paths.spreadsheet_of(paths.store).read_bytes().decode("utf-8")
    assert text.startswith("\ufeffindicateur;niveau;code;")
    assert "\r\n" in text and re.search(r";\d+,\d+;", text)


def page_text(path: Path) -> str:
    import html as htmllib

    text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", htmllib.unescape(text))


def test_every_comment_typed_is_shown_beside_its_figure(full_year):
    """A partner's comment (« chiffre provisoire »…) reaches its page, escaped, next to
    the year it comments."""
    paths, _, _ = full_year
    pages = paths.root / "reports" / "2025" / "partenaires"
    texts = {p.stem: page_text(p) for p in pages.glob("*.html")}
    shown = " ".join(texts.values())
    for row in typed():
        if row["commentaire"]:
            comment = re.sub(r"\s+", " ", row["commentaire"]).strip()
            assert f"{row['annee']} : « {comment} »" in shown, comment[:60]


def test_every_figure_typed_is_shown_on_its_partner_page(full_year):
    """A value the partner typed is on its page, in the column of its year (a count of
    people of 1 to 10 shown « < 11 »)."""
    from evalqpv import frenchnumbers as fn
    from evalqpv import secrecy
    from evalqpv.contract_settings import load_contract
    from evalqpv.problems import Problems
    from evalqpv.referentiel import load_referentiel

    paths, _, _ = full_year
    ref = load_referentiel(paths.referentiel, "r", Problems(), load_contract(paths))
    pages = {p.stem: page_text(p)
             for p in (paths.root / "reports" / "2025" / "partenaires").glob("*.html")}
    checked = 0
    for row in typed():
        ind = ref.indicators.get(row["indicateur"])
        if ind is None or Path(row["fichier"]).stem not in pages:
            continue
        value = float(row["valeur"])
        open_level = re.fullmatch(r"\d{2,3}|2[AB]", row["code"])  # a département
        small = ind.counts_people and 0 < value < secrecy.THRESHOLD and not open_level
        shown = secrecy.MASK if small else fn.with_unit(value, ind.unite)
        sent = pages[Path(row["fichier"]).stem].rsplit("Ce qui a été transmis", 1)[-1]
        line = sent.split(ind.libelle, 1)
        assert len(line) == 2, (row["fichier"], ind.libelle)
        assert shown.replace("\u00a0", " ") in line[1][:400].replace("\u00a0", " "), \
            (ind.libelle, shown)
        checked += 1
    assert checked > 150


def test_the_pages_of_a_full_year_hold_the_synthesis_to_the_committee(full_year):
    paths, _, _ = full_year
    synthesis = page_text(paths.root / "reports" / "2025" / "synthese.html")
    assert "retour_tronque.xlsx" in synthesis and "illisible" in synthesis
    assert "reçu le 02/02/2026" in synthesis and "relancé le 16/02/2026" in synthesis
