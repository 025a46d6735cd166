"""Benchmark: `evalqpv rapports` against what a user would otherwise run, in one run.

1. The contract's six reports, cold: the naive pipeline (for each notebook, papermill
   then `jupyter nbconvert --to html`, one after the other) against `evalqpv rapports`
   with an empty report cache; then `evalqpv rapports` with nothing changed.
2. The store read by one notebook: the CSV read in chunks and filtered (before) against
   the Parquet copy read with a filter (after), each in a fresh process.
3. Where one notebook's time goes: kernel start, imports, store read, computations,
   charts, HTML export (and what the warm process pays once instead).
4. Perimeters: a département and a region with `evalqpv rapports --perimetre`, cold,
   two workers; the département again with one worker; a loop of
   `evalqpv rapports --territoire` over a sample of its quarters (one command per
   quarter, as before perimeters existed); the projected time for every QPV of France.
5. Speed-up 1 -> 2 workers (`--acceleration 37,93`): each département at 2 then 1
   workers, alternated `--repetitions` times, without the memory sampler; with the
   national values kept beside the store, then once without them.

Wall time, CPU time (user + system of the whole process tree) and peak memory (sum of the
resident memory of the whole process tree, sampled every 20 ms, as RSS and as PSS) are
measured. The machine's load average is printed: on a shared machine, the CPU time is
the steadier figure.

6. Before and after (`--avant <git ref>`): the same département, cold, two workers, with
   the code of an earlier commit (its `lib/`, checked out in a temporary folder and put
   first on PYTHONPATH) and with the code of the working tree, one after the other; the
   pages of both are compared byte for byte.

Usage: .venv/bin/python benchmarks/bench_rapports.py [--annee 2025] [--departement 92]
       [--region R53] [--echantillon 3]
       [--parties contrat,stock,profil,perimetres,acceleration] [--acceleration 37,93]
       [--repetitions 2] [--avant <git ref>]
Writes Markdown to stdout, to paste in docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from evalqpv.contract_settings import load_contract
from evalqpv.settings import ProjectPaths
from evalqpv.vocabulary import REPORTS as NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MIB = 1024 * 1024


def fr(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


# --------------------------------------------------------------------------- measuring


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry.name))
    return out


PSS_EVERY = 25  # samples: PSS every 0,5 s


def _tree_memory(pid: int, with_pss: bool = True) -> tuple[int, int]:
    """The process tree's resident memory, summed two ways: RSS counts a page shared by a
    warm process and its forked copies once per process; PSS divides it among them (the
    tree's true share of the machine's memory). PSS makes the kernel walk every page of
    every process (smaps_rollup): `with_pss=False` reads RSS alone (0 for PSS)."""
    rss, pss, stack = 0, 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) * 1024
            for line in (Path(f"/proc/{current}/smaps_rollup").read_text().splitlines()
                         if with_pss else ()):
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            continue
        stack.extend(_children(current))
    return rss, pss


class Measure:
    """Wall seconds, CPU seconds of the process tree, peak tree memory (bytes: the sum
    of RSS, and the sum of PSS)."""

    def __init__(self, wall: float, cpu: float, peak: int, peak_pss: int = 0,
                 failures: int = 0) -> None:
        self.wall, self.cpu, self.peak, self.peak_pss = wall, cpu, peak, peak_pss
        self.failures = failures


def measure(commands: list[list[str]], env: dict[str, str] | None = None,
            log: Path | None = None, memory: bool = True) -> Measure:
    """Run commands one after another. With `log`, their output (the progress lines
    included) goes to that file, a command that ends in failure does not stop the
    benchmark, and the reports in failure are counted from its last progress line.
    Without `memory`, no sampler thread runs beside the command (peaks left at 0)."""
    peak = peak_pss = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    sink = log.open("w", encoding="utf-8") if log is not None else None
    for command in commands:
        out = sink if sink is not None else subprocess.DEVNULL
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out, env=env)
        done = threading.Event()

        def sample(p: subprocess.Popen[bytes] = proc, ev: threading.Event = done) -> None:
            # RSS every 20 ms, PSS every 0,5 s: reading PSS every 20 ms took 40 % of a
            # core from the 2 the measured command runs on (série H, first France run)
            nonlocal peak, peak_pss
            for tick in itertools.count():
                if ev.is_set():
                    break
                rss, pss = _tree_memory(p.pid, with_pss=tick % PSS_EVERY == 0)
                peak, peak_pss = max(peak, rss), max(peak_pss, pss)
                time.sleep(0.02)

        thread = threading.Thread(target=sample)
        if memory:
            thread.start()
        code = proc.wait()
        done.set()
        if memory:
            thread.join()
        if code != 0 and sink is None:
            raise SystemExit(f"échec de la commande : {' '.join(command)}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if sink is None or log is None:
        return Measure(wall, cpu, peak, peak_pss)
    sink.close()
    return Measure(wall, cpu, peak, peak_pss, failed_reports(log))


def failed_reports(log: Path) -> int:
    """The reports in failure that the last progress line of a log counts (« …, 3 en
    échec, … »); -1 when the log has none (the command stopped before its batch)."""
    found = re.findall(r"faits, ([\d\s\u202f\u00a0]+) en échec",
                       log.read_text(encoding="utf-8", errors="replace"))
    return int(re.sub(r"\D", "", found[-1])) if found else -1


def clear_cache() -> None:
    shutil.rmtree(ROOT / "reports" / ".cache", ignore_errors=True)


def python(code: str, *args: str) -> str:
    """Run `code` in a fresh interpreter (as a kernel would start) and return its stdout."""
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


# --------------------------------------------------------------------------- parts


def contract(annee: str, territoire: str) -> None:
    evalqpv = [str(BIN / "evalqpv"), "rapports", "--annee", annee, "--territoire", territoire]
    subprocess.run(evalqpv, cwd=ROOT, check=True, capture_output=True)  # store up to date
    from evalqpv.publish.run import contract_partners
    from evalqpv.vocabulary import PARTNER_NOTEBOOK

    paths = ProjectPaths(ROOT)
    contract_settings = load_contract(paths)
    # the same pages as `evalqpv rapports`: the reports, and each partner's page when the
    # quarter is the contract's
    partners = contract_partners(paths, contract_settings) \
        if territoire == contract_settings.territoire else []
    runs = [(name, name, []) for name in NOTEBOOKS] + [
        (PARTNER_NOTEBOOK, f"{PARTNER_NOTEBOOK}-{i}", ["-p", "partenaire", partner])
        for i, partner in enumerate(partners)]
    with tempfile.TemporaryDirectory() as tmp:
        naive = []
        for notebook, stem, extra in runs:
            out = Path(tmp) / f"{stem}.ipynb"
            naive.append([str(BIN / "papermill"), f"notebooks/{notebook}.ipynb", str(out),
                          "-p", "annee", annee, "-p", "territoire", territoire, *extra,
                          "-k", "python3", "--no-progress-bar"])
            naive.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)])
        naive_m = measure(naive)
    clear_cache()
    cold = measure([evalqpv])
    warm = measure([evalqpv])
    print(f"### Les rapports du contrat ({territoire}, {annee}) : {len(NOTEBOOKS)} rapports "
          f"et {len(partners)} pages de partenaires, à froid\n")
    print("| pipeline | durée (s) | CPU (s) | mémoire maximale (Mio) |")
    print("|---|---:|---:|---:|")
    print(f"| naïf : papermill puis nbconvert (CLI), un notebook après l'autre | "
          f"{fr(naive_m.wall)} | {fr(naive_m.cpu)} | {fr(naive_m.peak / MIB, 0)} |")
    print(f"| `evalqpv rapports`, cache vide | {fr(cold.wall)} | {fr(cold.cpu)} | "
          f"{fr(cold.peak / MIB, 0)} |")
    print(f"| `evalqpv rapports`, rien n'a changé | {fr(warm.wall, 2)} | {fr(warm.cpu, 2)} | "
          f"{fr(warm.peak / MIB, 0)} |")
    print(f"\nRapport de vitesse (naïf / evalqpv, cache vide) : **{fr(naive_m.wall / cold.wall)}** "
          f"en durée, {fr(naive_m.cpu / cold.cpu)} en CPU.\n")


READ = """
import sys, time
from pathlib import Path
import pandas, pyarrow.parquet, pyarrow.compute
from evalqpv.contract_settings import load_contract
from evalqpv.settings import ProjectPaths
from evalqpv.store.load import load_store
from evalqpv.store.tables import resolve_territory
paths = ProjectPaths(Path('.').resolve())
t = resolve_territory(sys.argv[1], paths)
keys = {f"{lv.niveau}|{lv.code}" for lv in t.levels}
communes = {lv.code for lv in t.levels if lv.niveau == "commune"}
start = time.process_time()
frame = load_store(Path(sys.argv[2]), keys, attached_to=communes)
print(time.process_time() - start, len(frame))
"""


def store_read(quarters: list[str]) -> None:
    paths = ProjectPaths(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        csv_only = Path(tmp) / "observations.csv"  # no Parquet beside it: the CSV is read
        shutil.copy(paths.store, csv_only)
        rows = []
        for code in quarters:
            csv_s, n_csv = python(READ, code, str(csv_only)).split()
            pq_s, n_pq = python(READ, code, str(paths.store)).split()
            assert n_csv == n_pq
            rows.append((code, float(csv_s), float(pq_s), int(n_pq)))
    size_csv = paths.store.stat().st_size / MIB
    size_pq = paths.store_parquet.stat().st_size / MIB
    print("### Lecture du stock par un notebook (processus neuf, imports non comptés, temps "
          "CPU)\n")
    print(f"Stock : {fr(size_csv)} Mio en CSV, {fr(size_pq)} Mio en Parquet.\n")
    print("| quartier | lignes gardées | CSV lu par morceaux et filtré (ms) | "
          "Parquet lu avec un filtre (ms) | gain |")
    print("|---|---:|---:|---:|---:|")
    for code, csv_s, pq_s, n in rows:
        print(f"| {code} | {n} | {fr(1000 * csv_s, 0)} | {fr(1000 * pq_s, 0)} | "
              f"×{fr(csv_s / pq_s, 0)} |")
    print()


PROFILE = """
import json, time, sys
from pathlib import Path
from evalqpv.publish.execute import warm_up, execute
warm_start = time.process_time()
shell = warm_up()
warm = time.process_time() - warm_start
from evalqpv.publish.export import to_html
from evalqpv.publish.jobs import make_job
from evalqpv.publish.shell import run_cells
from evalqpv.contract_settings import load_contract
from evalqpv.settings import ProjectPaths
import evalqpv.publish.shell as sh
paths = ProjectPaths(Path('.').resolve())
out = {"warm_up": warm, "reports": {}}
for name in sys.argv[3:]:
    job = make_job(paths, name, int(sys.argv[1]), sys.argv[2], Path("/tmp/x"), "k", "c")
    parts = {"contexte et lecture du stock": 0.0, "graphiques": 0.0, "calculs et texte": 0.0}
    real_run = shell.run_cell
    def timed(source, **kw):
        start = time.process_time()
        result = real_run(source, **kw)
        spent = time.process_time() - start
        kind = ("contexte et lecture du stock" if "prepare(" in source else
                "graphiques" if "charts(" in source or "compare(" in source else
                "calculs et texte")
        parts[kind] += spent
        return result
    shell.run_cell = timed
    import os
    pid = os.fork()
    if pid == 0:
        nb = execute(job, shell)
        start = time.process_time()
        to_html(nb, job)
        parts["export HTML"] = time.process_time() - start
        Path(f"/tmp/bench-profil-{name}.json").write_text(json.dumps(parts))
        os._exit(0)
    os.waitpid(pid, 0)
    shell.run_cell = real_run
    out["reports"][name] = json.loads(Path(f"/tmp/bench-profil-{name}.json").read_text())
print(json.dumps(out))
"""

IMPORTS = """
import time
start = time.process_time()
from evalqpv import report
print(time.process_time() - start)
"""

KERNEL = """
import time
from jupyter_client.manager import start_new_kernel
start = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3")
print(time.perf_counter() - start)
kc.stop_channels()
km.shutdown_kernel(now=True)
"""

EXPORTER = """
import time
start = time.process_time()
from evalqpv.publish.export import exporter
exporter()
print(time.process_time() - start)
"""


def profile(annee: str, territoire: str) -> None:
    kernel = statistics.median(float(python(KERNEL)) for _ in range(3))
    imports = statistics.median(float(python(IMPORTS)) for _ in range(3))
    exporter = statistics.median(float(python(EXPORTER)) for _ in range(3))
    data = json.loads(python(PROFILE, annee, territoire, *NOTEBOOKS))
    print("### Où passe le temps d'un notebook\n")
    print("Coûts fixes, payés par chaque notebook dans le pipeline naïf, une fois par "
          "processus préchargé dans `evalqpv rapports` (médiane de 3, processus neufs ; "
          "temps CPU, sauf le démarrage du noyau, en durée) :\n")
    print("| étape | secondes |")
    print("|---|---:|")
    print(f"| démarrage d'un noyau Jupyter (python3) | {fr(kernel, 2)} |")
    print(f"| imports du noyau (`from evalqpv import report` : pandas, matplotlib…) | "
          f"{fr(imports, 2)} |")
    print(f"| exportateur nbconvert et gabarit compilé | {fr(exporter, 2)} |")
    print(f"| préchargement complet d'un processus (`execute.warm_up`) | "
          f"{fr(data['warm_up'], 2)} |")
    print("\nCe que paie chaque notebook, dans une copie du processus préchargé (temps CPU, "
          "s) :\n")
    parts = list(next(iter(data["reports"].values())))
    print("| rapport | " + " | ".join(parts) + " | total |")
    print("|---|" + "---:|" * (len(parts) + 1))
    totals = dict.fromkeys(parts, 0.0)
    for name, spent in data["reports"].items():
        for part in parts:
            totals[part] += spent[part]
        print(f"| {name} | " + " | ".join(fr(spent[p], 2) for p in parts)
              + f" | {fr(sum(spent.values()), 2)} |")
    print("| **total** | " + " | ".join(fr(totals[p], 2) for p in parts)
          + f" | {fr(sum(totals.values()), 2)} |\n")


def plan_of(perimetre: str) -> Any:
    """The year and quarters `evalqpv rapports --perimetre` would take, today."""
    from evalqpv.publish.selection import plan_year, resolve_perimeter
    from evalqpv.territory import evaluation_years

    paths = ProjectPaths(ROOT)
    contract = load_contract(paths)
    today = datetime.date.today().year
    return plan_year(resolve_perimeter(perimetre, paths), None, paths,
                     contract.default_year(today), evaluation_years(contract.fin, today))


def quarters_of(perimetre: str) -> int:
    return len(plan_of(perimetre).quarters)


def perimeters(departement: str, region: str, sample: int) -> None:
    base = [str(BIN / "evalqpv"), "rapports"]
    rows = []
    logs = ROOT / "reports" / "mesures"
    logs.mkdir(parents=True, exist_ok=True)
    for perimetre, workers in ((departement, 2), (region, 2), (departement, 1)):
        clear_cache()
        m = measure([[*base, "--perimetre", perimetre, "--processus", str(workers)]],
                    log=logs / f"{perimetre}-{workers}.log")
        rows.append((perimetre, workers, quarters_of(perimetre), m))
    dep_quarters = plan_of(departement).quarters
    codes = [q.code for q in dep_quarters[:sample]]
    clear_cache()
    loop = measure([[*base, "--territoire", code] for code in codes])
    france = quarters_of("FRANCE")
    print(f"### Périmètres (tous les rapports de chaque quartier ; {len(NOTEBOOKS)} "
          "rapports par quartier)\n")
    print("| commande | quartiers | processus Dask | durée (s) | CPU (s) | par quartier, "
          "durée (s) | par quartier, CPU (s) | mémoire maximale, RSS (Mio) | "
          "mémoire maximale, PSS (Mio) | rapports en échec |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for perimetre, workers, n, m in rows:
        failed = fr(m.failures, 0) if m.failures >= 0 else "inconnu (voir le journal)"
        print(f"| `--perimetre {perimetre}` | {fr(n, 0)} | {workers} | {fr(m.wall)} | "
              f"{fr(m.cpu)} | {fr(m.wall / n, 2)} | {fr(m.cpu / n, 2)} | {fr(m.peak / MIB, 0)} | "
              f"{fr(m.peak_pss / MIB, 0)} | {failed} |")
    print(f"| boucle `--territoire` sur {len(codes)} quartiers du {departement} (une commande "
          f"par quartier) | {len(codes)} | 2 | {fr(loop.wall)} | {fr(loop.cpu)} | "
          f"{fr(loop.wall / len(codes), 2)} | {fr(loop.cpu / len(codes), 2)} | "
          f"{fr(loop.peak / MIB, 0)} | {fr(loop.peak_pss / MIB, 0)} | 0 |")
    print(f"\nJournaux des commandes (lignes de progression comprises) : "
          f"{logs.relative_to(ROOT)}/.")
    two = rows[0][3].wall
    one = rows[2][3].wall
    per_quarter = min(r[3].wall / r[2] for r in rows[:2])
    print(f"\nAccélération de 1 à 2 processus Dask ({departement}, relevé de mémoire en "
          f"marche) : ×{fr(one / two, 2)} (la mesure sans relevé : partie « acceleration »).")
    print(f"Projection pour toute la France ({fr(france, 0)} quartiers avec des données) au coût "
          f"par quartier mesuré : **{fr(per_quarter * france / 60, 0)} min** sur cette "
          f"machine (objectif : 30 min).\n")


def speedup(departements: list[str], repeats: int) -> None:
    """1 -> 2 processes on each département, cold (report cache removed):
    the two alternated `repeats` times, without the memory sampler, which would take part
    of a core from the command measured; with the national values kept beside the store
    (report.national_snapshot), as any command finds them after the first one since the
    store was built; then once each without them (that first command)."""
    base = [str(BIN / "evalqpv"), "rapports"]
    kept = ROOT / "data" / "processed" / ".valeurs_nationales.pickle"
    print("### De 1 à 2 processus, à froid, sans relevé de mémoire\n")
    print("| département | quartiers | valeurs nationales | mesures | 1 processus, durée "
          "(s) | 2 processus, durée (s) | 1 processus, CPU (s) | 2 processus, CPU (s) | "
          "**accélération** |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for departement in departements:
        n = quarters_of(departement)
        for present, times in (("gardées à côté du stock", repeats),
                               ("recalculées (première commande)", 1)):
            runs: dict[int, list[Measure]] = {1: [], 2: []}
            for _ in range(times):
                for workers in (2, 1):
                    clear_cache()
                    if not present.startswith("gardées"):
                        kept.unlink(missing_ok=True)
                    runs[workers].append(measure(
                        [[*base, "--perimetre", departement, "--processus", str(workers)]],
                        log=ROOT / "reports" / "mesures" / f"{departement}-{workers}.log",
                        memory=False))
            one = statistics.median(m.wall for m in runs[1])
            two = statistics.median(m.wall for m in runs[2])
            print(f"| {departement} | {n} | {present} | {times} | {fr(one)} | {fr(two)} | "
                  f"{fr(statistics.median(m.cpu for m in runs[1]))} | "
                  f"{fr(statistics.median(m.cpu for m in runs[2]))} | **×{fr(one / two, 2)}** |")
    print("\nDurées : médianes des mesures ; chaque mesure à 2 processus est suivie de celle "
          "à 1 processus.\n")


def before_after(departement: str, ref: str) -> None:
    """The département with the code of `ref` (its lib/, notebooks and configuration, in
    a temporary checkout with its own store, built before the measure), then with the
    working tree's, in one run; the pages of both are compared byte for byte."""
    n = quarters_of(departement)
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "avant"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), ref], cwd=ROOT,
                       check=True, capture_output=True)
        try:
            env = {**os.environ, "PYTHONPATH": str(old / "lib")}
            command = [str(BIN / "evalqpv"), "--racine", str(old)]
            subprocess.run([*command, "construire"], cwd=old, env=env, check=True,
                           capture_output=True)
            before = measure([[*command, "rapports", "--perimetre", departement,
                               "--processus", "2"]], env)
            pages_before = _pages(old)
            clear_cache()
            after = measure([[str(BIN / "evalqpv"), "rapports", "--perimetre", departement,
                              "--processus", "2"]])
            pages_after = _pages(ROOT)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT,
                           check=False, capture_output=True)
    shared = sorted(set(pages_before) & set(pages_after))
    same = sum(pages_before[p] == pages_after[p] for p in shared)
    sha = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    print(f"### Avant et après (`--perimetre {departement}`, {n} quartiers, deux processus, "
          "à froid)\n")
    print("| code | durée (s) | CPU (s) | CPU par quartier (s) | mémoire maximale, RSS (Mio) | "
          "mémoire maximale, PSS (Mio) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, m in ((f"avant ({sha})", before), ("après (arbre de travail)", after)):
        print(f"| {name} | {fr(m.wall)} | {fr(m.cpu)} | {fr(m.cpu / n, 2)} | "
              f"{fr(m.peak / MIB, 0)} | {fr(m.peak_pss / MIB, 0)} |")
    print(f"\nGain en CPU : **×{fr(before.cpu / after.cpu, 2)}** ; pages identiques octet "
          f"pour octet : **{same} sur {len(shared)}** (les pages des quartiers du "
          "département et leurs index).\n")
    differ = [p for p in shared if pages_before[p] != pages_after[p]]
    if differ:
        print("Pages différentes : " + ", ".join(differ[:8]) + ".\n")


def _pages(root: Path) -> dict[str, bytes]:
    """Every HTML page of root/reports/ (checks left out), by path under reports/."""
    reports = root / "reports"
    return {str(p.relative_to(reports)): p.read_bytes()
            for p in sorted(reports.rglob("*.html"))
            if "controle" not in p.parts and ".cache" not in p.parts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annee", help="défaut : l'année que `evalqpv rapports` choisit "
                        "(la dernière année écoulée du contrat)")
    parser.add_argument("--territoire", default="QP092005")
    parser.add_argument("--departement", default="92")
    parser.add_argument("--region", default="R53")
    parser.add_argument("--echantillon", type=int, default=3)
    parser.add_argument("--parties", default="contrat,stock,profil,perimetres,acceleration")
    parser.add_argument("--acceleration", default="37,93", help="départements mesurés à 1 "
                        "puis 2 processus (partie « acceleration »)")
    parser.add_argument("--repetitions", type=int, default=2)
    parser.add_argument("--avant", help="un commit antérieur : mesure le département avec "
                        "son code puis avec celui de l'arbre de travail")
    args = parser.parse_args()
    if not args.annee:
        contract_settings = load_contract(ProjectPaths(ROOT))
        args.annee = str(contract_settings.default_year(datetime.date.today().year))
    parts = args.parties.split(",")
    print(f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python "
          f"{platform.python_version()} ; charge moyenne au début : "
          f"{fr(os.getloadavg()[0], 2)}.\n")
    started = time.perf_counter()
    # The store brought up to date before any measure: `evalqpv rapports` rebuilds it when
    # the code has changed since it was built, and that rebuild would fall inside the first
    # measure (20 s of CPU, série G's first reading of 1 -> 2 processes).
    subprocess.run([str(BIN / "evalqpv"), "construire"], cwd=ROOT, check=True,
                   capture_output=True)
    if "contrat" in parts:
        contract(args.annee, args.territoire)
    if "stock" in parts:
        store_read([args.territoire, "QP059079", "QP013001"])
    if "profil" in parts:
        profile(args.annee, args.territoire)
    if "perimetres" in parts:
        perimeters(args.departement, args.region, args.echantillon)
    if "acceleration" in parts:
        speedup(args.acceleration.split(","), args.repetitions)
    if args.avant:
        before_after(args.departement, args.avant)
    print(f"Charge moyenne à la fin : {fr(os.getloadavg()[0], 2)} ; mesure complète en "
          f"{fr((time.perf_counter() - started) / 60, 1)} min.")


if __name__ == "__main__":
    main()
