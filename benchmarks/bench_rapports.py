"""Benchmark: `evalqpv rapports` against the pipeline a user would otherwise write.

Naive pipeline, for each notebook one after another:
    papermill notebooks/<n>.ipynb <tmp>/<n>.ipynb -p annee A -p territoire T -k python3
    jupyter nbconvert --to html <tmp>/<n>.ipynb
Ours: `evalqpv rapports` from a cold report cache (store already built), then again
with nothing changed. Wall time and peak memory (sum of the RSS of the whole process
tree, sampled every 20 ms) are measured in the same run, on the same machine.

Usage: .venv/bin/python benchmarks/bench_rapports.py [--annee 2023] [--territoire QP092005]
Writes the figures to stdout (Markdown) so they can be pasted in docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from evalqpv.vocabulary import REPORTS as NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


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


def _tree_rss(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
        stack.extend(_children(current))
    return total


def measure(commands: list[list[str]]) -> tuple[float, int]:
    """Run commands one after another; return wall seconds and peak tree RSS in bytes."""
    peak = 0
    start = time.perf_counter()
    for command in commands:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        done = threading.Event()

        def sample(p: subprocess.Popen[bytes] = proc, ev: threading.Event = done) -> None:
            nonlocal peak
            while not ev.is_set():
                peak = max(peak, _tree_rss(p.pid))
                time.sleep(0.02)

        thread = threading.Thread(target=sample)
        thread.start()
        code = proc.wait()
        done.set()
        thread.join()
        if code != 0:
            raise SystemExit(f"échec de la commande : {' '.join(command)}")
    return time.perf_counter() - start, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annee", default="2023")
    parser.add_argument("--territoire", default="QP092005")
    args = parser.parse_args()
    evalqpv = [str(BIN / "evalqpv"), "rapports", "--annee", args.annee,
               "--territoire", args.territoire]
    subprocess.run(evalqpv, cwd=ROOT, check=True, capture_output=True)  # store up to date

    with tempfile.TemporaryDirectory() as tmp:
        naive = []
        for name in NOTEBOOKS:
            out = Path(tmp) / f"{name}.ipynb"
            naive.append([str(BIN / "papermill"), f"notebooks/{name}.ipynb", str(out),
                          "-p", "annee", args.annee, "-p", "territoire", args.territoire,
                          "-k", "python3", "--no-progress-bar"])
            naive.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)])
        naive_s, naive_mem = measure(naive)

    shutil.rmtree(ROOT / "reports" / ".cache", ignore_errors=True)
    cold_s, cold_mem = measure([evalqpv])
    warm_s, warm_mem = measure([evalqpv])

    mib = 1024 * 1024
    print(f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python "
          f"{platform.python_version()} ; {len(NOTEBOOKS)} notebooks, année {args.annee}, "
          f"territoire {args.territoire}.\n")
    print("| pipeline | durée (s) | mémoire maximale (Mio) |")
    print("|---|---:|---:|")
    print(f"| naïf : papermill puis nbconvert (CLI), un notebook après l'autre | "
          f"{naive_s:.1f} | {naive_mem / mib:.0f} |")
    print(f"| `evalqpv rapports`, cache vide | {cold_s:.1f} | {cold_mem / mib:.0f} |")
    print(f"| `evalqpv rapports`, rien n'a changé | {warm_s:.2f} | {warm_mem / mib:.0f} |")
    print(f"\nRapport de vitesse (naïf / evalqpv, cache vide) : {naive_s / cold_s:.1f}")


if __name__ == "__main__":
    main()
