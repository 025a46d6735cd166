"""Loading the store for analysis: the only data the notebooks read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .schema import STORE_COLUMNS


class StoreMissing(RuntimeError):
    """The store has not been built yet."""


def load_store(path: Path) -> pd.DataFrame:
    """The store as a DataFrame: `valeur` as float (NaN when not a number), `annee` as int."""
    if not path.exists():
        raise StoreMissing(f"Le stock {path} n'existe pas : lancez d'abord `make donnees`.")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in STORE_COLUMNS if c not in frame.columns]
    if missing:
        raise StoreMissing(f"Le stock {path} n'a pas les colonnes {missing} : reconstruisez-le.")
    frame["annee"] = frame["annee"].astype(int)
    frame["valeur"] = pd.to_numeric(frame["valeur"].replace("", None), errors="coerce")
    return frame
