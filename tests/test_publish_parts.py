"""Unit tests of publish parts, imported directly: index (key figures, completeness, the
home page and chiffres_cles.json), lifeline (dying with the parent), task (a worker's
job, its failures in French), browser_verdicts (what test_pages does not pin: axe order,
viewport, partner budgets, the year's weight, PDF pages) and engine (the papermill
engine's contract with papermill's notebook manager).

No report is executed: jobs, notebooks and servers are written by hand or faked."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

import evalqpv
from evalqpv.errors import ServerGone
from evalqpv.publish import browser_verdicts as bv
from evalqpv.publish import task
from evalqpv.publish.index import Headline, completeness, headlines, write_index
from evalqpv.publish.jobs import Job, Outcome, Rendered
from evalqpv.publish.lifeline import die_with_parent, parent_alive
from evalqpv.publish.shipping import Shipment, ShipmentError
from evalqpv.settings import ProjectPaths
from evalqpv.vocabulary import COMPLETENESS_MIME, REPORT_TITLES

NBSP = "\u00a0"
ROOT = Path(__file__).resolve().parents[1]
LIB = Path(evalqpv.__file__).resolve().parents[1]  # the package under test, for subprocesses


# --------------------------------------------------------------------------- index

def figure(indicateur: str, niveau: str, valeur: object, annee: int, **more: object) -> dict:
    return {"indicateur": indicateur, "niveau": niveau, "valeur": valeur, "annee": annee,
            "statut": "valeur", **more}


CHIFFRES = [
    figure("taux_pauvrete", "qpv", 41.2, 2019, libelle="Taux de pauvreté",
           unite="pourcentage"),
    figure("taux_pauvrete", "commune", 14.8, 2019, territoire="Châtenay-Malabry"),
    figure("taux_pauvrete", "france", 14.6, 2018, territoire="France"),  # another year
    figure("population", "qpv", "5481", 2018, libelle="Population", unite="nombre"),
    figure("allocataires", "qpv", None, 2020, libelle="Allocataires", unite="nombre",
           statut="secret"),
    "pas une ligne",
]


def test_key_figures_are_the_quarters_with_the_same_figure_elsewhere_the_same_year():
    assert headlines({"synthese": {"chiffres": CHIFFRES}}) == [
        Headline("Taux de pauvreté", f"41,2{NBSP}%", 2019, f"Châtenay-Malabry : 14,8{NBSP}%"),
        Headline("Population", f"5{NBSP}481", 2018, ""),
        Headline("Allocataires", "secret", 2020, "")]
    # without a synthesis, the first report's; six at most
    many = [figure(f"i{n}", "qpv", n, 2020, libelle=f"I{n}") for n in range(8)]
    assert [h.label for h in headlines({"emploi": {"chiffres": many}})] == [
        f"I{n}" for n in range(6)]
    assert headlines({}) == [] and headlines({"synthese": {"chiffres": "rien"}}) == []


def test_completeness_is_read_from_the_executed_synthesis(tmp_path: Path):
    assert completeness(None) == []
    job = make_job(tmp_path, "synthese")
    assert completeness(job) == []  # not executed yet
    write_executed(job)
    assert [(r["partenaire"], r["part"]) for r in completeness(job)] == [
        ("Caf", f"75{NBSP}%"), ("Bailleur", "–")]


def make_job(out: Path, name: str, depth: int = 0, title: str = "") -> Job:
    folder = out / "partenaires" if depth else out
    return Job(name, out / f"{name}.ipynb", folder / f"{name}.html",
               out / "notebooks" / f"{name}.ipynb", out / "chiffres" / f"{name}.json",
               {"annee": 2025, "territoire": "QP092005"}, "k", out, title, depth)


def write_executed(job: Job) -> None:
    job.executed.parent.mkdir(parents=True, exist_ok=True)
    output = {"output_type": "display_data", "data": {COMPLETENESS_MIME: {"partenaires": [
        {"partenaire": "Caf", "attendus": 4, "recus": 3, "completude": 75.0},
        {"partenaire": "Bailleur", "attendus": 2, "recus": 0, "completude": None}]}}}
    job.executed.write_text(json.dumps({"cells": [{"outputs": []}, {"outputs": [output]}]}),
                            encoding="utf-8")


class Page(HTMLParser):
    """The links (href, text), list items and title of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.items: list[str] = []
        self.cells: list[str] = []
        self.title = ""
        self._href: str | None = None
        self._open: list[str] = []
        self._text: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "li", "td", "th", "title"):
            self._open.append(tag)
            self._text[tag] = ""
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data: str) -> None:
        for tag in self._open:
            self._text[tag] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            self._open.remove(tag)
            text = re.sub(r"[ \t\n]+", " ", self._text[tag]).strip()  # keeps no-break spaces
            if tag == "a":
                self.links.append((self._href or "", text))
            elif tag == "li":
                self.items.append(text)
            elif tag in ("td", "th"):
                self.cells.append(text)
            else:
                self.title = text


def test_the_home_page_lists_what_was_made_and_the_key_figures_file(tmp_path: Path):
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "contrat.toml", tmp_path / "config" / "contrat.toml")
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / "territoires.csv").write_text(
        "code_qpv,libelle_qpv,communes,libelles_communes,epci,libelle_epci,departement,"
        "libelle_departement,region,libelle_region\nQP092005,Cité Jardins,92019,"
        "Châtenay-Malabry,200054781,MGP,92,Hauts-de-Seine,11,Île-de-France\n", encoding="utf-8")
    out = tmp_path / "reports" / "2025"
    jobs = [make_job(out, n) for n in ("synthese", "emploi", "contexte", "emancipation")]
    jobs.append(make_job(out, "cpam", depth=1, title="CPAM"))
    outcomes = [Outcome("synthese", True), Outcome("emploi", False),
                Outcome("contexte", True, skipped=True), Outcome("emancipation", False),
                Outcome("cpam", True)]
    for job in (jobs[0], jobs[1], jobs[4]):
        job.html.parent.mkdir(parents=True, exist_ok=True)
        job.html.write_text("<html></html>", encoding="utf-8")
    jobs[0].figures.parent.mkdir(parents=True)
    jobs[0].figures.write_text(json.dumps({"chiffres": CHIFFRES}), encoding="utf-8")
    write_executed(jobs[0])
    write_index(ProjectPaths(tmp_path), out, 2025, "QP092005", jobs, outcomes)

    assert json.loads((out / "chiffres_cles.json").read_text(encoding="utf-8")) == {
        "annee": 2025, "territoire": "QP092005", "rapports": {"synthese": {"chiffres": CHIFFRES}}}
    page = Page((out / "index.html").read_text(encoding="utf-8"))
    assert page.title == "Rapports d'évaluation 2025 – Cité Jardins (QP092005)"
    assert page.links[1:] == [
        ("synthese.html", REPORT_TITLES["synthese"]), ("emploi.html", REPORT_TITLES["emploi"]),
        ("partenaires/cpam.html", "CPAM"), ("chiffres_cles.json", "chiffres_cles.json")]
    reports = [i for i in page.items if i.startswith(("Synthèse", "Axe", "Contexte"))]
    # a page not asked for and never made (contexte) is not listed
    assert reports == [
        REPORT_TITLES["synthese"],
        f"{REPORT_TITLES['emploi']} — la dernière exécution a échoué : rapport précédent "
        "conservé",
        f"{REPORT_TITLES['emancipation']} — non produit (échec)"]
    assert page.items[:3] == [  # value, label (year), the others: three spans
        f"41,2{NBSP}%Taux de pauvreté (2019)Châtenay-Malabry : 14,8{NBSP}%",
        f"5{NBSP}481Population (2018)", "secretAllocataires (2020)"]
    assert page.cells[-4:] == ["Bailleur", "2", "0", "–"]
    assert "Contrat Engagements Quartiers 2030" in (out / "index.html").read_text("utf-8")
    assert "comparaisons.csv" not in (out / "index.html").read_text("utf-8")


# --------------------------------------------------------------------------- lifeline

def test_a_process_knows_its_parent_and_elsewhere_than_linux_asks_nothing(monkeypatch):
    assert parent_alive(os.getppid()) and not parent_alive(os.getppid() + 1)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert die_with_parent() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_child_that_asked_dies_when_its_parent_is_killed():
    grandchild = ("from evalqpv.publish.lifeline import die_with_parent; import time; "
                  "print(die_with_parent(), flush=True); time.sleep(60)")
    child = ("import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
             f"{grandchild!r}]); time.sleep(60)")
    env = {**os.environ, "PYTHONPATH": str(LIB)}
    parent = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE,
                              text=True, env=env)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "True"
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        (orphan,) = [p for p in pids if _parent_of(p) == parent.pid]
    finally:
        parent.kill()  # SIGKILL: the child cannot clean up, the kernel must
        parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(orphan):
        time.sleep(0.05)
    survived = _running(orphan)
    if survived:  # the test failed: end the process it started, by its id
        os.kill(orphan, signal.SIGKILL)
    assert not survived


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# --------------------------------------------------------------------------- task

class FakeServer:
    def __init__(self, result: Rendered | Exception) -> None:
        self.result = result
        self.ran: list[tuple[str, float]] = []

    def run(self, job: Job, limit: float) -> Rendered:
        self.ran.append((job.name, limit))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


class FakePool:
    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.discarded: list[FakeServer] = []

    def get(self) -> FakeServer:
        return self.server

    def discard(self, server: FakeServer) -> None:
        self.discarded.append(server)


def test_a_worker_runs_the_job_and_says_where(tmp_path: Path, monkeypatch):
    job = make_job(tmp_path, "emploi")
    pool = FakePool(FakeServer(Rendered(Outcome("emploi", True, where="ailleurs"), html="<p>")))
    monkeypatch.setattr(task, "POOL", pool)
    rendered = task.run_job(job, 30.0)
    assert pool.server.ran == [("emploi", 30.0)]
    assert rendered.html == "<p>" and rendered.outcome.ok
    assert rendered.outcome.where.endswith(f":{os.getpid()}")


def test_a_dead_server_is_discarded_and_the_job_fails_in_french(tmp_path, monkeypatch):
    job = make_job(tmp_path, "emploi")
    pool = FakePool(FakeServer(ServerGone("signal 9")))
    monkeypatch.setattr(task, "POOL", pool)
    outcome = task.run_job(job, 30.0).outcome
    assert pool.discarded == [pool.server]
    assert not outcome.ok and outcome.territoire == "QP092005"
    assert outcome.message == ("notebook « emploi » : le processus préchargé s'est arrêté "
                               "(signal 9)")


def test_a_shipment_from_other_versions_or_unwritable_is_refused(tmp_path, monkeypatch):
    job = make_job(tmp_path, "emploi")
    pool = FakePool(FakeServer(Rendered(Outcome("emploi", True))))
    monkeypatch.setattr(task, "POOL", pool)
    shipment = Shipment("t", {}, {"pandas": "0.1"})
    monkeypatch.setattr(task, "worker_mismatch", lambda versions: "pandas 0.1 attendu")
    outcome = task.run_job(job, 1.0, shipment).outcome
    assert outcome.message == "notebook « emploi » : pandas 0.1 attendu" and not outcome.ok
    monkeypatch.setattr(task, "worker_mismatch", lambda versions: None)

    def full(_: Shipment) -> Path:
        raise ShipmentError("disque plein")

    monkeypatch.setattr(task, "unpack", full)
    outcome = task.run_job(job, 1.0, shipment).outcome
    assert outcome.message == ("notebook « emploi » : le projet envoyé n'a pas pu être écrit "
                               "sur le processus de calcul (ShipmentError : disque plein)")
    assert pool.server.ran == []  # nothing was executed


# --------------------------------------------------------------------------- browser_verdicts

def test_axe_violations_most_serious_first_then_by_rule():
    def v(rule: str, impact: str, nodes: int, widths: list[str]) -> dict:
        return {"id": rule, "impact": impact, "help": "Aide", "nodes": nodes, "target": "a",
                "widths": widths}

    found = bv.axe_failures({"b": v("b", "minor", 2, ["390", "1280"]),
                             "z": v("z", "strange", 1, ["390", "1280"]),
                             "c": v("c", "critical", 1, ["390", "1280"]),
                             "a": v("a", "minor", 3, ["390"])}, 2)
    assert found == [
        "axe-core : c (impact critique, 1 élément, ex. a) : Aide",
        "axe-core : a (impact mineur, 3 éléments, ex. a) [à 390 px seulement] : Aide",
        "axe-core : b (impact mineur, 2 éléments, ex. a) : Aide",
        "axe-core : z (impact strange, 1 élément, ex. a) : Aide"]


def test_a_page_laid_out_wider_than_the_screen_blames_the_viewport():
    found = {"layoutWidth": 980, "scrollWidth": 980, "culprits": []}
    assert bv.overflow_failures("390", 390, found) == [
        "À 390 px, la page est mise en page sur 980 px : balise <meta name=\"viewport\"> "
        "absente ou inopérante.",
        "Défilement horizontal à 390 px : la page fait 980 px de large."]


def test_a_partners_page_budget_follows_what_it_owes(tmp_path: Path):
    (tmp_path / "config").mkdir()
    rows = ["indicateur,partenaire"] + [f"i{n},CPAM" for n in range(11)] + ["j,Caf", "k,"]
    (tmp_path / "config" / "referentiel.csv").write_text("\n".join(rows) + "\n",
                                                         encoding="utf-8")
    pages = tmp_path / "reports" / "2025" / "partenaires"
    pages.mkdir(parents=True)
    assert bv.owed_by(pages / "cpam.html") == 11
    assert bv.page_budget(pages / "cpam.html") == 4 + 2   # 11 indicators: two more pages
    assert bv.page_budget(pages / "caf.html") == 4 + 1
    assert bv.page_budget(pages / "inconnu.html") == 4
    assert bv.page_budget(tmp_path / "reports" / "2025" / "nouveau.html") == 18  # the largest


def test_the_years_weight_leaves_out_partner_and_perimeter_pages(tmp_path: Path):
    year = tmp_path / "2025"
    (year / "partenaires").mkdir(parents=True)
    pages = [year / f"r{n}.html" for n in range(4)] + [year / "partenaires" / "a.html",
                                                        year / "partenaires" / "b.html"]
    for page in pages:
        page.write_bytes(b"x" * 300_000)
    assert bv.size_failures(pages) == []  # 1,2 MB of reports; the partners' are sent alone
    pages.append(year / "r4.html")
    pages[-1].write_bytes(b"x" * 300_001)
    assert bv.size_failures(pages) == [
        f"L'ensemble des pages pèse 1{NBSP}500{NBSP}Ko (maximum 1{NBSP}500{NBSP}Ko)."]
    assert bv.ko(1_234_567) == f"1{NBSP}235{NBSP}Ko"


def test_pdf_verdicts_and_pages_counted_without_pypdf(tmp_path: Path, monkeypatch):
    assert bv.pdf_failures(0, 6, "synthese.html") == [
        "Impression : le PDF de synthese.html est vide."]
    assert bv.pdf_failures(7, 6, "synthese.html") == [
        "Impression : 7 pages A4 pour un maximum de 6 (synthese.html)."]
    assert bv.pdf_failures(6, 6, "synthese.html") == []

    def missing(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(bv.importlib, "import_module", missing)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"<< /Type /Pages /Count 3 >> << /Type /Page >> << /Type/Page >>"
                    b" << /Type /Page/Parent 1 0 R >> << /Type /PageLabel >>")
    assert bv.count_pdf_pages(pdf) == 3


# --------------------------------------------------------------------------- engine

ENGINE_RUN = r"""
import json, nbformat
import papermill.engines  # as papermill's users do
from evalqpv.publish.engine import InProcessEngine

class Manager:
    def __init__(self, nb):
        self.nb, self.calls = nb, []
    def cell_start(self, cell, index):
        self.calls.append(["start", index])
    def cell_exception(self, cell, cell_index, exception):
        self.calls.append(["exception", cell_index, type(exception).__name__])
    def cell_complete(self, cell, cell_index):
        self.calls.append(["complete", cell_index])

nb = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_markdown_cell("# Titre"), nbformat.v4.new_code_cell("x = 20\nprint(x + 1)"),
    nbformat.v4.new_code_cell("raise ValueError('boom')"), nbformat.v4.new_code_cell("x = 0")])
manager = Manager(nb)
InProcessEngine.execute_managed_notebook(manager, "python3")
print(json.dumps({"calls": manager.calls, "outputs": [c.get("outputs", []) for c in nb.cells]}))
"""


def test_the_engine_runs_cells_in_order_and_stops_at_the_first_error():
    env = {**os.environ, "PYTHONPATH": str(LIB)}
    done = subprocess.run([sys.executable, "-c", ENGINE_RUN], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["calls"] == [["start", 0], ["complete", 0], ["start", 1], ["complete", 1],
                               ["start", 2], ["exception", 2, "ValueError"], ["complete", 2]]
    outputs = result["outputs"]
    assert outputs[1] == [{"output_type": "stream", "name": "stdout", "text": "21\n"}]
    assert outputs[2][0]["output_type"] == "error" and outputs[2][0]["evalue"] == "boom"
    assert outputs[3] == []  # never run


def test_papermill_finds_the_engine_under_its_name():
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="papermill.engine") if e.name == "evalqpv"]
    assert entry.value == "evalqpv.publish.engine:InProcessEngine"


ENGINE_FIRST = """
import evalqpv.publish.engine as engine
cls = engine.InProcessEngine
import papermill.engines
print(cls is papermill.engines.papermill_engines.get_engine("evalqpv"), cls.__qualname__)
"""


def test_the_engine_module_imports_on_its_own():
    """Importing papermill.engines loads every « papermill.engine » entry point: the
    engine's module imported first must not hand papermill a half-made module, and
    papermill must register the very class the module gives."""
    env = {**os.environ, "PYTHONPATH": str(LIB)}
    done = subprocess.run([sys.executable, "-c", ENGINE_FIRST], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-300:]
    assert done.stdout.split() == ["True", "InProcessEngine"]
