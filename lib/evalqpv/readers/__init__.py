"""Readers: one per kind of source, each turning raw files into Observations.

A reader never formats for display and never writes: it returns observations and
records problems (file, line, column) in the Problems it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..referentiel import Referentiel
from ..variables import VariableRules


@dataclass
class ReadContext:
    """What every reader may need, passed explicitly (no global state)."""

    root: Path
    referentiel: Referentiel
    rules: VariableRules
    annee_max: int
    communes_retenues: set[str] | None = None
    libelles: dict[tuple[str, str], str] = field(default_factory=dict)

    def label(self, path: Path) -> str:
        """The path shown to users: relative to the project root."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


@dataclass
class FileSummary:
    """What one file gave, for the validation report."""

    fichier: str
    lecteur: str
    millesime: str = ""
    observations: int = 0
    colonnes_non_utilisees: list[str] = field(default_factory=list)
    annees: dict[str, int] = field(default_factory=dict)  # variable -> reference year
