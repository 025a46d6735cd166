"""Where things are. Every path derives from the project root, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def referentiel(self) -> Path:
        return self.config / "referentiel.csv"

    @property
    def variables(self) -> Path:
        return self.config / "variables_sources.csv"

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def store(self) -> Path:
        return self.processed / "observations.csv"

    @property
    def validation_report(self) -> Path:
        return self.processed / "validation.md"


def find_root(start: Path | None = None) -> Path:
    """The nearest folder above `start` holding config/referentiel.csv."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "config" / "referentiel.csv").exists():
            return folder
    return here
