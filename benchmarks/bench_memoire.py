"""Benchmark: peak memory and time of a store build with a 2-million-row release.

A copy of the shipped project (configuration, data/raw/) gets one more release
of a published family, `education/neet_communes_2019.csv` (the NEET long table by
commune, the producer's layout): the real 2018 rows, then synthetic communes and years
up to `--lignes` data rows (two million by default). Only the communes that host a QPV
are kept by the reader, as in a real communal release: the memory measured is the
reading of the release, not the size of the store.

The build runs in a fresh process (`evalqpv construire`); its wall time and its peak
resident memory (ru_maxrss of the child) are printed, in Markdown, to paste in
docs/benchmark.md.

Usage: .venv/bin/python benchmarks/bench_memoire.py [--lignes 2000000] [--garder]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASE = "neet_communes_2019.csv"


def make_project(base: Path, rows: int) -> Path:
    """The shipped project with a `rows`-row release added; returns the release."""
    shutil.copytree(ROOT / "config", base / "config")
    raw = base / "data" / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)  # links out of the project are refused
    real = (ROOT / "data" / "raw" / "education" / "neet_communes_2018.csv").read_text(
        encoding="utf-8-sig").splitlines()
    release = raw / "education" / RELEASE
    with release.open("w", encoding="utf-8", newline="") as out:
        out.write("\ufeff" + real[0] + "\r\n")
        written = 0
        for line in real[1:]:
            out.write(line + "\r\n")
            written += 1
        n = 0
        while written < rows:
            code = f"9{n // 30:05d}"  # no such commune: read, then left out
            year = 1990 + n % 30
            out.write(f"{code};Commune synthétique {n // 30};{year};{(n % 400) / 10:.2f}"
                      .replace(".", ",") + "\r\n")
            n += 1
            written += 1
    return release


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=2_000_000)
    parser.add_argument("--garder", action="store_true", help="keep the temporary project")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-memoire-"))
    try:
        release = make_project(base, args.lignes)
        size = release.stat().st_size
        env = {**os.environ, "PYTHONUTF8": "1"}
        started = time.perf_counter()
        done = subprocess.run([str(Path(sys.executable).parent / "evalqpv"), "--racine",
                               str(base), "construire"], capture_output=True, text=True,
                              env=env, check=False)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # MiB
        print("| lignes de la publication | taille | code de sortie | durée | pic de mémoire |")
        print("|---:|---:|---:|---:|---:|")
        print(f"| {args.lignes:,} | {size / 2**20:.0f} Mo | {done.returncode} | {wall:.1f} s "
              f"| {peak:.0f} Mo |".replace(",", "\u202f"))
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
        return done.returncode
    finally:
        if args.garder:
            print(f"projet gardé : {base}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
