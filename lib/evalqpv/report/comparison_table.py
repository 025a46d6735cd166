"""The comparison table (comparaisons.csv): its columns, its order and its CSV text,
the same bytes for the same input."""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import pandas as pd

from .groups import GROUPS

TABLE_COLUMNS = (
    "indicateur", "annee", "annee_debut", "groupe", "effectif", "valeur_quartier", "rang",
    "part_inferieure", "mediane_groupe", "variation_quartier", "variation_mediane",
    "part_variation_inferieure",
    # beyond the minimum asked: what the sentences need, kept for audit
    "part_superieure", "valeur_debut_quartier", "rang_variation", "part_variation_superieure",
    "ecart_variation", "mesure_variation", "lecture",
    # a rate per 100 inhabitants: the population it is computed on (« population
    # municipale 2018 »); empty for a rate, an amount or an index published as such
    "denominateur",
)
INTEGER_COLUMNS = ("annee", "annee_debut", "effectif", "rang", "rang_variation")

_FLOAT_COLUMNS = ("valeur_quartier", "part_inferieure", "mediane_groupe",
                  "variation_quartier", "variation_mediane", "part_variation_inferieure",
                  "part_superieure", "valeur_debut_quartier", "part_variation_superieure",
                  "ecart_variation")


def as_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The rows as a table of TABLE_COLUMNS: integers (Int64, missing as <NA>), floats
    (missing as NaN) and text (missing as ""). Built column by column: a report builds
    a hundred of these."""
    data: dict[str, object] = {}
    for col in TABLE_COLUMNS:
        cells = [row.get(col) for row in rows]
        if col in INTEGER_COLUMNS:
            data[col] = pd.array([None if _missing(v) else int(cast(int, v)) for v in cells],
                                 dtype="Int64")
        elif col in _FLOAT_COLUMNS:
            data[col] = _floats(cells)
        else:
            data[col] = pd.Series(["" if _missing(v) else v for v in cells], dtype=object)
    return pd.DataFrame(data, columns=list(TABLE_COLUMNS))


def _floats(cells: list[object]) -> np.ndarray:
    """A float column: NaN for a missing cell, a text read as a number (NaN when it is
    not one). Numbers and None, what the comparison rows hold, skip pandas' parsing."""
    if all(v is None or (isinstance(v, (float, int)) and not isinstance(v, bool))
           for v in cells):
        return np.array([math.nan if v is None else float(cast(float, v)) for v in cells],
                        dtype=float)
    return np.asarray(pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce")
                      .astype(float).to_numpy(), dtype=float)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def sort_table(table: pd.DataFrame) -> pd.DataFrame:
    """Deterministic order: indicator, year, level rows before change rows (by start
    year), then groups in the order of GROUPS."""
    order = {g: i for i, g in enumerate(GROUPS)}
    key = pd.DataFrame({
        "i": table["indicateur"], "a": table["annee"].astype("Int64"),
        "d": table["annee_debut"].astype("Int64").fillna(-1),
        "g": table["groupe"].map(order),
    })
    index = key.sort_values(["i", "a", "d", "g"], kind="mergesort").index
    return table.loc[index].reset_index(drop=True)


def sorted_rows(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The rows (dicts of TABLE_COLUMNS) in `sort_table`'s order, before they become a
    table: sorting a few dozen dicts costs less than sorting a DataFrame."""
    order = {g: i for i, g in enumerate(GROUPS)}

    def key(row: dict[str, object]) -> tuple[str, int, int, int]:
        start = row.get("annee_debut")
        return (str(row["indicateur"]), int(cast(int, row["annee"])),
                -1 if _missing(start) else int(cast(int, start)),
                order[str(row["groupe"])])

    return sorted(rows, key=key)


def _format_cell(value: object, integer: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if integer:
        return str(int(float(str(value))))
    if isinstance(value, (float, np.floating)):
        text = f"{float(value):.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


def table_to_csv(table: pd.DataFrame) -> str:
    """The table as CSV text: comma separator, decimal point, floats with at most six
    decimals and no trailing zeros, empty cells for missing values; same input, same bytes.
    """
    ordered = sort_table(table) if {"indicateur", "annee", "annee_debut", "groupe"} \
        <= set(table.columns) else table
    columns = list(ordered.columns)
    cells = pd.DataFrame({c: [_format_cell(v, c in INTEGER_COLUMNS) for v in ordered[c]]
                          for c in columns}, columns=columns)
    return cells.to_csv(index=False, lineterminator="\n")
