"""The tables of each axis report's own analysis: config/analyses.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .problems import Problems
from .settings import ProjectPaths, read_settings
from .vocabulary import REPORTS


@dataclass(frozen=True)
class AnalysisTable:
    """A table of an axis report's own analysis: indicators read together."""

    titre: str
    indicateurs: tuple[str, ...]
    total: str = ""  # the parts below are also given as a share of this count
    parties: tuple[str, ...] = ()  # counts of the same things as the total (its parts)


def load_analyses(paths: ProjectPaths,
                  problems: Problems | None = None) -> dict[str, tuple[AnalysisTable, ...]]:
    """config/analyses.toml: for each report, its tables (none when the file is absent)."""
    return read_settings(_read_analyses, paths.analyses, paths, problems, dict)


def _read_analyses(path: Path, label: str,
                   collected: Problems) -> dict[str, tuple[AnalysisTable, ...]]:
    out: dict[str, tuple[AnalysisTable, ...]] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            collected.error(label, f"fichier illisible : {exc}.",
                            attendu="un fichier TOML en UTF-8")
            data = {}
        for report, tables in data.items():
            if report not in REPORTS or not isinstance(tables, list):
                collected.error(label, "rapport inconnu.", colonne=str(report),
                                attendu="des tables [[emploi]], [[emancipation]]...")
                continue
            out[report] = tuple(AnalysisTable(str(t.get("titre", "")),
                                              tuple(str(i) for i in t.get("indicateurs", [])),
                                              str(t.get("total", "")),
                                              tuple(str(i) for i in t.get("parties", [])))
                                for t in tables)
    return out
