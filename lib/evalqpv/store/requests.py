"""The partners' returns and the requests made to them, as the store keeps them, and the
pure functions the reports call to say « demandé le / relancé le / reçu le » and how
many years a figure has been missing.

Two files of data/processed/, written by store.build with the rest of the store:

- retours.csv: one row per partner return found in data/raw/partenaires/: collecte (the
  folder's year), partenaire, fichier, format (as read: xlsx, xlsm, ods, xls, csv),
  statut (lu, partiel, illisible, refusé), valeurs (values read into the store),
  message (what went wrong and what to do, French);
- demandes.csv: one row per collection year and partner that was asked (ledger
  data/raw/partenaires/<annee>/demandes.csv) or that returned a file: annee, partenaire,
  demande_le, relances (ISO dates separated by spaces), recu_le, recu (oui/non: a date
  in the ledger or a return found), retour (the returns' statuses), fichiers,
  commentaire. Dates are ISO (2026-01-15).

Imports only the standard library: the reports may call it without loading pandas.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..ingest import ReturnRecord
from ..ingest.ledger import Request

RETURN_COLUMNS = ["collecte", "partenaire", "fichier", "format", "statut", "valeurs",
                  "message"]
REQUEST_COLUMNS = ["annee", "partenaire", "demande_le", "relances", "recu_le", "recu",
                   "retour", "fichiers", "commentaire"]
YES, NO = "oui", "non"


@dataclass(frozen=True)
class PartnerRequest:
    """What was asked of one partner for one collection year, and what came back."""

    annee: int
    partenaire: str
    demande_le: date | None = None
    relances: tuple[date, ...] = ()
    recu_le: date | None = None
    retour: str = ""  # the statuses of its returns (lu, partiel, illisible, refusé)
    fichiers: tuple[str, ...] = ()
    commentaire: str = ""

    @property
    def recu(self) -> bool:
        """Received: the ledger gives a date, or a return was dropped in its folder."""
        return self.recu_le is not None or bool(self.fichiers)

    @property
    def relance_le(self) -> date | None:
        """The last reminder."""
        return self.relances[-1] if self.relances else None


@dataclass(frozen=True)
class PartnerFollowup:
    """One partner, for the reports: asked, reminded, received, and for each indicator
    it owes that has no value for the year, how many years it has been missing."""

    partenaire: str
    demande_le: date | None
    relances: tuple[date, ...]
    recu_le: date | None
    recu: bool
    retour: str
    manquants: dict[str, int] = field(default_factory=dict)  # indicator -> years missing


# --------------------------------------------------------------------------- writing


def return_rows(returns: Iterable[ReturnRecord]) -> list[dict[str, str]]:
    return [r.as_row() for r in sorted(returns, key=lambda r: (r.collecte, r.partenaire,
                                                               r.fichier))]


def merge_requests(requests: Iterable[Request], returns: Iterable[ReturnRecord]
                   ) -> list[PartnerRequest]:
    """The ledger's requests and the returns found, by year and partner."""
    found: dict[tuple[int, str], list[ReturnRecord]] = {}
    for record in returns:
        if record.collecte.isdigit():
            found.setdefault((int(record.collecte), record.partenaire), []).append(record)
    asked = {(r.annee, r.partenaire): r for r in requests}
    out = []
    for key in sorted(set(asked) | set(found)):
        request, files = asked.get(key), sorted(found.get(key, []), key=lambda r: r.fichier)
        out.append(PartnerRequest(
            annee=key[0], partenaire=key[1],
            demande_le=request.demande_le if request else None,
            relances=tuple(request.relances) if request else (),
            recu_le=request.recu_le if request else None,
            retour=" ".join(dict.fromkeys(r.statut for r in files)),
            fichiers=tuple(r.fichier for r in files),
            commentaire=request.commentaire if request else ""))
    return out


def request_rows(requests: Iterable[PartnerRequest]) -> list[dict[str, str]]:
    return [{"annee": str(r.annee), "partenaire": r.partenaire,
             "demande_le": _iso(r.demande_le),
             "relances": " ".join(d.isoformat() for d in r.relances),
             "recu_le": _iso(r.recu_le), "recu": YES if r.recu else NO,
             "retour": r.retour, "fichiers": " ".join(r.fichiers),
             "commentaire": r.commentaire} for r in requests]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


# --------------------------------------------------------------------------- reading


def load_requests(path: Path) -> list[PartnerRequest]:
    """data/processed/demandes.csv; empty when there is none (an older store)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [PartnerRequest(
            annee=int(row["annee"]), partenaire=row["partenaire"],
            demande_le=_day(row["demande_le"]),
            relances=tuple(d for d in (_day(x) for x in row["relances"].split()) if d),
            recu_le=_day(row["recu_le"]), retour=row["retour"],
            fichiers=tuple(row["fichiers"].split()), commentaire=row["commentaire"])
            for row in csv.DictReader(handle)]


def load_returns(path: Path) -> list[dict[str, str]]:
    """data/processed/retours.csv, one dict per return; empty when there is none."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


# --------------------------------------------------------------------------- for reports


def years_missing(last_year: int | None, annee: int, since: int) -> int:
    """How many years, up to `annee`, a figure due every year from `since` on has had no
    value: 0 when `annee` has one; from the year after the last value, else from
    `since` (never received)."""
    if last_year is not None and last_year >= annee:
        return 0
    start = since if last_year is None or last_year < since else last_year + 1
    return max(0, annee - start + 1)


def partner_followup(requests: Iterable[PartnerRequest], owed: Mapping[str, Iterable[str]],
                     last_years: Mapping[str, int | None], annee: int,
                     since: int) -> list[PartnerFollowup]:
    """Per partner that owes figures (`owed`: partner -> indicator ids), for the
    collection year `annee`: asked, reminded, received (requests of that year), and for
    each indicator without a value for `annee` (`last_years`: indicator -> year of its
    last value, None if never), the number of years it has been missing since `since`
    (the first year it was due: the contract's first year)."""
    of_year = {r.partenaire: r for r in requests if r.annee == annee}
    out = []
    for partner in sorted(owed):
        request = of_year.get(partner, PartnerRequest(annee, partner))
        missing = {i: n for i in sorted(owed[partner])
                   if (n := years_missing(last_years.get(i), annee, since)) > 0}
        out.append(PartnerFollowup(partner, request.demande_le, request.relances,
                                   request.recu_le, request.recu, request.retour, missing))
    return out
