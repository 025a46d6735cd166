"""Checks shared by files filled by hand (contract transcription, partner returns).

Such files must be exact: an unknown indicator, a bad territory, a year out of
range or text in the value column is an error, named with file, line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..frenchnumbers import NotANumber, ParsedNumber
from ..problems import Problems
from ..settings import QUARTER_CODE
from ..vocabulary import (
    CODE_FRANCE,
    CODE_FRANCE_METRO,
    COMMUNE,
    DEPARTEMENT,
    EPCI,
    ETABLISSEMENT,
    FRANCE,
    GEOGRAPHIES,
    NIVEAUX,
    PERIODS,
    QPV,
    QPV2015,
)
from . import ReadContext

ANNEE_MIN = 1990  # plausible reference years: from here to the current year

_DEP = re.compile(r"^(\d{2}|2[AB]|97\d)$")
_COM = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def infer_niveau(code: str) -> str | None:
    """The level a code belongs to, when it is unambiguous."""
    upper = code.upper()
    if upper.startswith(("QP", "QN")):
        return QPV
    if _COM.match(upper):
        return COMMUNE
    if re.fullmatch(r"\d{9}", upper):
        return EPCI
    if upper in (CODE_FRANCE, CODE_FRANCE_METRO):
        return FRANCE
    if re.fullmatch(r"\d{7}[A-Z]", upper):
        return ETABLISSEMENT
    return None


class RowChecker:
    """Validates the identifying cells of one row; every problem goes to `problems`."""

    def __init__(self, ctx: ReadContext, problems: Problems, label: str) -> None:
        self.ctx, self.problems, self.label = ctx, problems, label

    def error(self, line: int, column: str, message: str, value: str | None = None,
              attendu: str | None = None, correction: str | None = None) -> None:
        self.problems.error(self.label, message, ligne=line, colonne=column, valeur=value,
                            attendu=attendu, correction=correction)

    def indicateur(self, line: int, column: str, value: str) -> str | None:
        value = value.strip()
        if value in self.ctx.referentiel:
            return value
        self.error(line, column, "indicateur inconnu du référentiel.", value,
                   "un identifiant de la colonne « id » de config/referentiel.csv",
                   "corrigez l'identifiant, ou ajoutez l'indicateur au référentiel")
        return None

    def niveau(self, line: int, column: str, value: str, code: str) -> str | None:
        value = value.strip()
        if not value:
            inferred = infer_niveau(code)
            if inferred is None:
                self.error(line, column, "niveau territorial manquant et impossible à "
                           "déduire du code.", code, "l'un des niveaux " + ", ".join(NIVEAUX))
            return inferred
        if value not in NIVEAUX:
            self.error(line, column, "niveau territorial inconnu.", value,
                       "l'un des niveaux " + ", ".join(NIVEAUX))
            return None
        return value

    def code(self, line: int, column: str, value: str, niveau: str | None) -> str | None:
        value = value.strip()
        if not value:
            self.error(line, column, "code du territoire vide.", value,
                       "un code officiel (QP092005, 92019, 92...)")
            return None
        checks: dict[str, Callable[[str], bool]] = {
            QPV: lambda c: bool(QUARTER_CODE.fullmatch(c)),
            COMMUNE: lambda c: bool(_COM.match(c)),
            DEPARTEMENT: lambda c: bool(_DEP.match(c)),
            EPCI: lambda c: bool(re.fullmatch(r"\d{9}", c)),
            ETABLISSEMENT: lambda c: bool(re.fullmatch(r"\d{7}[A-Z]", c)),
        }
        check = checks.get(niveau or "")
        if check is not None and not check(value):
            self.error(line, column, f"code incompatible avec le niveau « {niveau} ».", value,
                       {QPV: "un code QPxxxxxx ou QNxxxxxx", COMMUNE: "un code commune "
                        "Insee sur 5 caractères", DEPARTEMENT: "un code département "
                        "(92, 2A, 974)", EPCI: "un numéro SIREN d'EPCI sur 9 chiffres",
                        ETABLISSEMENT: "un code UAI (7 chiffres et une lettre)"}[
                            niveau or ""])
            return None
        return value

    def geographie(self, line: int, column: str, value: str, niveau: str | None) -> str:
        value = value.strip()
        if value not in GEOGRAPHIES:
            self.error(line, column, "géographie prioritaire inconnue.", value,
                       "qpv2015, qpv2024 ou vide")
        if niveau == QPV and not value:
            return QPV2015
        return value

    def annee(self, line: int, column: str, value: object) -> int | None:
        text = str(value).strip()
        if text.endswith(".0"):
            text = text[:-2]
        if not re.fullmatch(r"\d{4}", text):
            self.error(line, column, "année invalide.", text, "une année sur quatre chiffres")
            return None
        year = int(text)
        if not ANNEE_MIN <= year <= self.ctx.annee_max:
            self.error(line, column, "année hors de la période possible.", text,
                       f"une année entre {ANNEE_MIN} et {self.ctx.annee_max}",
                       "une valeur ne peut pas porter sur une année future")
            return None
        return year

    def periode(self, line: int, column: str, value: str) -> str:
        """Blank (the whole year) or the part of the year a count covers (T3: Jan-Sep)."""
        value = value.strip().upper()
        if value and value not in PERIODS:
            self.error(line, column, "période inconnue.", value,
                       "vide (l'année entière) ou " + ", ".join(PERIODS)
                       + " (T3 : de janvier à la fin du 3e trimestre)")
            return ""
        return value

    def valeur(self, line: int, column: str, raw: str,
               parse: Callable[[str], ParsedNumber]) -> ParsedNumber | None:
        try:
            return parse(raw)
        except NotANumber:
            self.error(line, column, "la valeur n'est pas un nombre.", raw,
                       "un nombre (ex. 29,9 ou 5 481), « nd » si non disponible, "
                       "« >95 » pour une borne",
                       "mettez les explications dans la colonne « commentaire »")
            return None
