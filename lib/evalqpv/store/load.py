"""Loading the store for analysis: the only data the notebooks read."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from pathlib import Path

import pandas as pd

from ..vocabulary import ETABLISSEMENT
from .consolidate import STORE_COLUMNS


class StoreMissing(RuntimeError):
    """The store has not been built yet."""


def load_store(path: Path, territories: AbstractSet[str] | None = None,
               keep_levels: tuple[str, ...] = (),
               attached_to: AbstractSet[str] = frozenset()) -> pd.DataFrame:
    """The store as a DataFrame: `valeur` as float (NaN when not a number), `annee` as int.

    With `territories` ("niveau|code" keys), the file is read in chunks and only their
    rows (those of `keep_levels`, and schools attached to the communes `attached_to`)
    are kept: a report needs a few hundred rows of a
    store that covers every QPV, and memory stays low when notebooks run in parallel.
    """
    if not path.exists():
        raise StoreMissing(f"Le stock {path} n'existe pas : lancez d'abord `make donnees`.")
    if territories is None:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    else:
        parts = []
        for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                                 chunksize=50_000):
            mask = (chunk["niveau"] + "|" + chunk["code"]).isin(territories) \
                | chunk["niveau"].isin(keep_levels) \
                | ((chunk["niveau"] == ETABLISSEMENT)
                   & chunk["rattachement"].isin(attached_to))
            parts.append(chunk[mask])
        frame = pd.concat(parts, ignore_index=True)
    missing = [c for c in STORE_COLUMNS if c not in frame.columns]
    if missing:
        raise StoreMissing(f"Le stock {path} n'a pas les colonnes {missing} : reconstruisez-le.")
    frame["annee"] = frame["annee"].astype(int)
    frame["valeur"] = pd.to_numeric(frame["valeur"].replace("", None), errors="coerce")
    return frame


QPV_COLUMNS = ["indicateur", "niveau", "code", "geographie", "annee", "valeur", "statut",
               "millesime", "source", "fichier", "ligne"]


def load_qpv_rows(path: Path) -> pd.DataFrame:
    """Every QPV's rows of the store, as strings (report.counterfactual cleans them):
    what a national comparison needs, read in under a second."""
    if not path.exists():
        raise StoreMissing(f"Le stock {path} n'existe pas : lancez d'abord `make donnees`.")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                        usecols=QPV_COLUMNS)
    return frame[frame["niveau"] == "qpv"].reset_index(drop=True)
