"""The store as Parquet: the same rows as observations.csv, read by a filter, not a scan.

The CSV stays for people who open the store in a spreadsheet; notebooks read this copy.
Rows are sorted by (niveau, rattachement, code) in small row groups, so that the min/max
statistics of each group let pyarrow skip every group that holds none of a report's
territories: one quarter and its comparison levels are a few groups of a file that
covers every QPV. The `ordre` column keeps each row's position in the CSV, so that a
filtered read gives the rows in the same order as the CSV would.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from ..vocabulary import ETABLISSEMENT
from .atomic import replace_atomically
from .consolidate import STORE_COLUMNS

ORDER = "ordre"
SORT_KEYS = ("niveau", "rattachement", "code")
ROW_GROUP = 4_096  # small groups: a quarter's rows span few of them


def write_parquet(path: Path, rows: list[dict[str, str]]) -> None:
    """Write the store's rows (all text, as in the CSV) sorted for filtered reads."""
    import pyarrow as pa  # noqa: PLC0415 - only when the store is rebuilt
    import pyarrow.parquet as pq  # noqa: PLC0415

    columns: dict[str, Any] = {c: pa.array([r[c] for r in rows], pa.string())
                               for c in STORE_COLUMNS}
    columns[ORDER] = pa.array(range(len(rows)), pa.int32())
    # ordre last: a stable sort would do the same, and this one says so
    table = pa.table(columns).sort_by([(k, "ascending") for k in (*SORT_KEYS, ORDER)])
    with replace_atomically(path) as tmp:
        # No timestamp or random id goes into the file: the same rows give the same bytes.
        pq.write_table(table, tmp, row_group_size=ROW_GROUP, compression="zstd",
                       use_dictionary=True, write_statistics=True)


def store_filter(territories: AbstractSet[str], keep_levels: tuple[str, ...] = (),
                 attached_to: AbstractSet[str] = frozenset()) -> Any:
    """The pyarrow expression load_store's arguments describe ("niveau|code" keys)."""
    import pyarrow.compute as pc  # noqa: PLC0415 - heavy, only in kernels

    niveau, code = pc.field("niveau"), pc.field("code")
    terms = []
    for key in sorted(territories):
        level, _, place = key.partition("|")
        terms.append((niveau == level) & (code == place))
    if keep_levels:
        terms.append(niveau.isin(list(keep_levels)))
    if attached_to:
        terms.append((niveau == ETABLISSEMENT)
                     & pc.field("rattachement").isin(sorted(attached_to)))
    if not terms:
        return pc.scalar(False)
    expression = terms[0]
    for term in terms[1:]:
        expression = expression | term
    return expression


def text_dtype() -> Any:
    """pandas' default `str` dtype, kept in Python storage: with pyarrow installed pandas
    would store text in Arrow, whose per-call overhead makes the reports' many small
    selections several times slower."""
    import pandas as pd  # noqa: PLC0415

    return pd.StringDtype(storage="python", na_value=float("nan"))


def read_parquet(path: Path, expression: Any = None) -> Any:
    """The rows matching `expression` (all rows when None), in the CSV's order, as a
    DataFrame of text columns like pandas.read_csv(dtype=str) gives."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - heavy, only in kernels

    table = pq.read_table(path, filters=expression)
    table = table.sort_by(ORDER).drop_columns([ORDER])
    frame = table.to_pandas()
    for column in frame.columns:
        frame[column] = frame[column].astype(text_dtype())
    return frame.reset_index(drop=True)
