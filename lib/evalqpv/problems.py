"""Problems found in input files, collected in one pass and rendered in French.

Readers never raise on bad data: they record a Problem and go on, so that the
evaluator gets every problem of every file at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Gravite = Literal["erreur", "avertissement"]

# Characters that would let a file name or a header forge lines of a terminal, of
# validation.md or of a page (new lines, carriage returns, escapes, bidirectional
# overrides, line separators): shown as visible escapes wherever a name is printed.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                      "\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """A name as it may be printed: every control character made visible
    (« a\\nb » for a new line), so that it stays on its own line and says what it is."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


@dataclass(frozen=True)
class Problem:
    """One problem in one place of one input file."""

    fichier: str
    message: str
    ligne: int | None = None
    colonne: str | None = None
    valeur: str | None = None
    attendu: str | None = None
    correction: str | None = None
    gravite: Gravite = "erreur"
    # False for an error confined to its file (a partner's return): the file's rows in
    # error are left out, and the store is built all the same.
    bloquant: bool = True

    def where(self) -> str:
        parts = [printable(self.fichier)]
        if self.ligne is not None:
            parts.append(f"ligne {self.ligne}")
        if self.colonne:
            parts.append(f"colonne « {printable(self.colonne)} »")
        return ", ".join(parts)

    def render(self) -> str:
        """One French paragraph naming file, line, column, value, expectation and fix."""
        text = f"{self.where()} : {self.message}"
        if self.valeur is not None:
            text += f" Valeur lue : « {_shorten(self.valeur)} »."
        if self.attendu:
            text += f" Attendu : {self.attendu}."
        if self.correction:
            text += f" Correction : {self.correction}."
        return text


def _shorten(value: str, limit: int = 60) -> str:
    value = printable(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass
class Problems:
    """Accumulates problems; errors block the store (except those confined to a
    partner's return), warnings do not."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def error(self, fichier: str, message: str, *, ligne: int | None = None,
              colonne: str | None = None, valeur: str | None = None,
              attendu: str | None = None, correction: str | None = None) -> None:
        self.items.append(Problem(fichier, message, ligne, colonne, valeur, attendu,
                                  correction, "erreur"))

    def warning(self, fichier: str, message: str, *, ligne: int | None = None,
                colonne: str | None = None, valeur: str | None = None,
                attendu: str | None = None, correction: str | None = None) -> None:
        self.items.append(Problem(fichier, message, ligne, colonne, valeur, attendu,
                                  correction, "avertissement"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.gravite == "erreur"]

    @property
    def blocking(self) -> list[Problem]:
        """The errors that keep the store from being written."""
        return [p for p in self.items if p.gravite == "erreur" and p.bloquant]

    @property
    def contained(self) -> list[Problem]:
        """The errors confined to their file (partners' returns): reported, not blocking."""
        return [p for p in self.items if p.gravite == "erreur" and not p.bloquant]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.gravite == "avertissement"]

    def __len__(self) -> int:
        return len(self.items)


SHOWN_ON_SCREEN = 20


def first_errors(problems: Problems, limit: int = SHOWN_ON_SCREEN) -> list[str]:
    """The blocking errors a command prints on screen (the validation report has them
    all)."""
    errors = problems.blocking
    lines = [f"- {p.render()}" for p in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"- … et {len(errors) - limit} autres erreurs.")
    return lines
