"""Loading the store for analysis: the only data the notebooks read."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from pathlib import Path

import pandas as pd

from ..errors import StoreMissing as StoreMissing  # its historical place
from ..settings import parquet_of
from ..vocabulary import ETABLISSEMENT
from .consolidate import STORE_COLUMNS
from .parquet import ORDER, read_kept, read_parquet, store_filter, text_dtype


def load_store(path: Path, territories: AbstractSet[str] | None = None,
               keep_levels: tuple[str, ...] = (),
               attached_to: AbstractSet[str] = frozenset()) -> pd.DataFrame:
    """The store as a DataFrame: `valeur` as float (NaN when not a number), `annee` as int.

    With `territories` ("niveau|code" keys), only their rows are kept (those of
    `keep_levels`, and schools attached to the communes `attached_to`): a report needs
    a few hundred rows of a store that covers every QPV. The Parquet copy written
    beside the CSV is read with a filter (milliseconds), or taken from memory in a process
    that keeps it (parquet.keep_parquet: the warm process of `evalqpv rapports` and the
    copies it forks); without it, the CSV is read in chunks, so that memory stays low
    when notebooks run in parallel.
    """
    if not path.exists():
        raise StoreMissing(f"Le stock {path} n'existe pas : lancez d'abord `make construire`.")
    parquet = parquet_of(path)
    if parquet.exists():
        # from memory when this process keeps the store (parquet.keep_parquet)
        frame: pd.DataFrame = read_kept(parquet, territories, keep_levels, attached_to)
        if frame is None:
            frame = read_parquet(parquet, None if territories is None else store_filter(
                territories, keep_levels, attached_to))
    else:
        frame = (pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
                 if territories is None
                 else _read_csv_filtered(path, territories, keep_levels, attached_to))
        frame = frame.astype(text_dtype())  # as the Parquet path gives it
    missing = [c for c in STORE_COLUMNS if c not in frame.columns]
    if missing:
        raise StoreMissing(f"Le stock {path} n'a pas les colonnes {missing} : reconstruisez-le.")
    frame["annee"] = frame["annee"].astype(int)
    frame["valeur"] = pd.to_numeric(frame["valeur"].replace("", None), errors="coerce")
    return frame


def _read_csv_filtered(path: Path, territories: AbstractSet[str], keep_levels: tuple[str, ...],
                       attached_to: AbstractSet[str]) -> pd.DataFrame:
    parts = []
    for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                             chunksize=50_000):
        mask = (chunk["niveau"] + "|" + chunk["code"]).isin(territories) \
            | chunk["niveau"].isin(keep_levels) \
            | ((chunk["niveau"] == ETABLISSEMENT) & chunk["rattachement"].isin(attached_to))
        parts.append(chunk[mask])
    return pd.concat(parts, ignore_index=True)


QPV_COLUMNS = ["indicateur", "niveau", "code", "geographie", "annee", "valeur", "statut",
               "millesime", "source", "fichier", "ligne", "origine"]


def load_qpv_rows(path: Path, geographie: str | None = None) -> pd.DataFrame:
    """The QPV rows of one geography (every geography with None) with a published value
    (statut « valeur »), as text (report.counterfactual cleans them): what a national
    comparison ranks.

    From the Parquet copy when it is there, the filter and the columns pushed down to
    pyarrow: every axis report reads these 200 000 rows, so their text columns stay in
    Arrow instead of becoming Python strings."""
    if not path.exists():
        raise StoreMissing(f"Le stock {path} n'existe pas : lancez d'abord `make construire`.")
    parquet = parquet_of(path)
    if parquet.exists():
        import pyarrow.compute as pc  # noqa: PLC0415 - heavy, only in kernels
        import pyarrow.parquet as pq  # noqa: PLC0415

        wanted = (pc.field("niveau") == "qpv") & (pc.field("statut") == "valeur")
        if geographie is not None:
            wanted &= pc.field("geographie") == geographie
        table = pq.read_table(parquet, columns=[*QPV_COLUMNS, ORDER], filters=wanted)
        frame: pd.DataFrame = table.sort_by(ORDER).drop_columns([ORDER]).to_pandas()
        return frame[QPV_COLUMNS].reset_index(drop=True)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                        usecols=QPV_COLUMNS)
    keep = (frame["niveau"] == "qpv") & (frame["statut"] == "valeur")
    if geographie is not None:
        keep &= frame["geographie"] == geographie
    return frame.loc[keep, QPV_COLUMNS].reset_index(drop=True)
