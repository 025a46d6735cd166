"""The reminders to send: `make relances ANNEE=2025` (`evalqpv relances`).

In collecte/<annee>/relances/, beside the collection workbooks: one CSV per partner that
still owes figures for the year (French spreadsheet format: semicolons, UTF-8 with a
byte-order mark, decimal comma), listing each indicator without a value for that year,
where it is asked for, its last known value and how many years it has been missing;
and relances.csv, one line per partner: asked, reminded, received (the ledger
data/raw/partenaires/<annee>/demandes.csv, or a return found), the state of its return
and the number of figures missing. The contract's quarter only: partners owe nothing to
another quarter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..contract_settings import load_contract
from ..problems import Problems
from ..referentiel import load_referentiel
from ..report.indicators import latest, series
from ..settings import ProjectPaths
from ..store.atomic import write_text_atomic
from ..store.load import load_store
from ..store.requests import PartnerRequest, load_requests, years_missing
from ..store.spreadsheet import french_cell, french_csv
from ..store.tables import resolve_territory
from .workbooks import level_for, owed, slug

COLUMNS = ["Indicateur", "Libellé", "Code du territoire", "Territoire", "Année attendue",
           "Dernière valeur connue", "Année de la dernière valeur", "Années sans valeur"]
SUMMARY = ["Partenaire", "Demandé le", "Relancé le", "Reçu le", "Retour",
           "Indicateurs manquants", "Fichier"]


@dataclass(frozen=True)
class Reminder:
    partenaire: str
    path: Path | None  # None: nothing missing, no reminder
    manquants: int


def write_reminders(paths: ProjectPaths, annee: int) -> list[Reminder]:
    """One file per partner with figures still missing for `annee`, and the summary."""
    contract = load_contract(paths)
    referentiel = load_referentiel(paths.referentiel, paths.label(paths.referentiel),
                                   Problems(), contract)
    territory = resolve_territory(contract.territoire, paths)
    store = load_store(paths.store)
    requests = {r.partenaire: r for r in load_requests(paths.requests) if r.annee == annee}
    since = contract.debut or annee
    out_dir = paths.reminders_of_year(annee)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.csv"):
        old.unlink()  # a partner who answered since gets no reminder
    summary: list[list[str]] = []
    made = []
    for partner, indicators in sorted(owed(referentiel, store).items()):
        rows = []
        for ind in indicators:
            level = level_for(ind, territory, store)
            last, _ = latest(series(store, ind.id, level), annee)
            if last is not None and last.annee == annee:
                continue
            missing = years_missing(last.annee if last else None, annee, since)
            rows.append([ind.id, ind.libelle, level.code, level.libelle, str(annee),
                         _figure(last.valeur) if last else "",
                         str(last.annee) if last else "", str(missing)])
        request = requests.get(partner, PartnerRequest(annee, partner))
        path = out_dir / f"{slug(partner)}.csv" if rows else None
        if path is not None:
            write_text_atomic(path, french_csv(COLUMNS, rows, ()))
        summary.append([partner, _day(request.demande_le),
                        ", ".join(_day(d) for d in request.relances), _day(request.recu_le),
                        request.retour or ("reçu" if request.recu else "aucun"),
                        str(len(rows)), path.name if path else ""])
        made.append(Reminder(partner, path, len(rows)))
    write_text_atomic(out_dir / "relances.csv", french_csv(SUMMARY, summary, ()))
    return made


def _day(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _figure(value: float | None) -> str:
    """A number a spreadsheet reads as one: 329, 29,9."""
    if value is None:
        return ""
    return french_cell(str(int(value)) if float(value).is_integer() else repr(value))
