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
from dataclasses import dataclass
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

    return _frame(pq.read_table(path, filters=expression))


def _frame(table: Any) -> Any:
    """A table read from the store as read_parquet gives it: every column as text."""
    import pyarrow as pa  # noqa: PLC0415 - heavy, only in kernels

    text = text_dtype()
    table = table.sort_by(ORDER).drop_columns([ORDER])
    frame = table.to_pandas(types_mapper={pa.string(): text}.get)  # text made once
    for column in frame.columns:
        if frame[column].dtype != text:
            frame[column] = frame[column].astype(text)
    return frame.reset_index(drop=True)


# The whole store kept in the memory of a process that forks a copy per notebook.
#
# A filtered read costs some 25 ms a notebook (the file's metadata, the pruned groups
# decoded, the filter); the warm process of `evalqpv rapports` reads the table once
# instead (`keep_parquet`, some 0,3 s and 30 MB: text columns dictionary-encoded, one
# chunk), with the row numbers of every territory, and each copy it forks takes its rows
# from memory (`read_kept`, about 2 ms). Another process, an analyst's in JupyterLab,
# keeps nothing and reads with a filter as before.


@dataclass(frozen=True)
class _Groups:
    """The rows of a table by the values of one or two of its dictionary-encoded text
    columns: `order` lists the row numbers sorted by `keys` (each row's position of its
    values in the columns' dictionaries, combined into one number)."""

    order: Any  # numpy array of row numbers
    keys: Any  # numpy array: the key of each row of `order`, ascending
    positions: tuple[dict[str, int], ...]  # each column's dictionary: value -> position
    width: int  # the second column's dictionary size (1 with one column)

    @classmethod
    def of(cls, *columns: Any) -> _Groups:
        """`columns`: one or two dictionary arrays of one chunk, without nulls."""
        import numpy as np  # noqa: PLC0415 - heavy, only in kernels

        keys = np.zeros(len(columns[0]), np.int64)
        width = 1
        for column in columns:
            width = len(column.dictionary)
            keys = keys * width + column.indices.to_numpy().astype(np.int64)
        order = np.argsort(keys, kind="stable")
        positions = tuple({str(v): i for i, v in enumerate(c.dictionary.to_pylist())}
                          for c in columns)
        small = np.int32 if len(keys) and max(len(keys), int(keys.max()) + 1) < 2**31 \
            else np.int64  # half the memory
        return cls(order.astype(small), keys[order].astype(small), positions,
                   width if len(columns) > 1 else 1)

    def rows(self, *values: str) -> Any:
        """The row numbers whose columns hold `values` (none when a value is absent)."""
        import numpy as np  # noqa: PLC0415 - heavy, only in kernels

        key = 0
        for value, positions in zip(values, self.positions, strict=True):
            if value not in positions:
                return self.order[:0]
            key = key * self.width + positions[value]
        start, end = np.searchsorted(self.keys, [key, key + 1])
        return self.order[start:end]


@dataclass(frozen=True)
class _Kept:
    version: tuple[str, int, int, int]
    table: Any  # pyarrow.Table
    places: _Groups  # by niveau and code
    levels: _Groups  # by niveau
    attached: _Groups  # by niveau and rattachement


_KEPT: dict[str, _Kept] = {}


def _version(path: Path) -> tuple[str, int, int, int]:
    """Which file: write_parquet replaces it in one step, a new inode each time."""
    stat = path.stat()
    return str(path.resolve()), stat.st_ino, stat.st_mtime_ns, stat.st_size


def keep_parquet(path: Path) -> None:
    """Keep the whole store of `path` in this process's memory, once per version of
    the file, for read_kept: called by the warm process before it forks."""
    import pyarrow as pa  # noqa: PLC0415 - heavy, only in kernels
    import pyarrow.compute as pc  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    version = _version(path)
    if version[0] in _KEPT and _KEPT[version[0]].version == version:
        return
    _KEPT.clear()  # an older store is of no further use
    table = pq.read_table(path, read_dictionary=list(STORE_COLUMNS))
    table = table.unify_dictionaries().combine_chunks()
    if not table.num_rows or any(column.null_count for column in table.columns):
        return  # not written by write_parquet: filtered reads say what such rows mean

    def column(name: str) -> Any:
        return table.column(name).chunk(0)  # one chunk since combine_chunks

    for name in ("niveau", "code", "rattachement"):  # each value once in its dictionary
        if pc.count_distinct(column(name).dictionary).as_py() \
                != len(column(name).dictionary):
            return

    _KEPT[version[0]] = _Kept(version, table, _Groups.of(column("niveau"), column("code")),
                              _Groups.of(column("niveau")),
                              _Groups.of(column("niveau"), column("rattachement")))
    pa.default_memory_pool().release_unused()  # what reading it took, back to the system


def read_kept(path: Path, territories: AbstractSet[str] | None,
              keep_levels: tuple[str, ...] = (),
              attached_to: AbstractSet[str] = frozenset()) -> Any:
    """What read_parquet(path, store_filter(territories, keep_levels, attached_to)) gives
    (every row when `territories` is None), from the store kept in memory; None when this
    process keeps no store, or another version of it."""
    import numpy as np  # noqa: PLC0415 - heavy, only in kernels
    import pyarrow as pa  # noqa: PLC0415

    if not _KEPT:
        return None
    kept = _KEPT.get(str(path.resolve()))
    if kept is None or kept.version != _version(path):
        return None
    if territories is None:
        table = kept.table
    else:
        parts = [kept.places.rows(*key.partition("|")[::2]) for key in territories]
        parts += [kept.levels.rows(level) for level in keep_levels]
        parts += [kept.attached.rows(ETABLISSEMENT, code) for code in attached_to]
        rows = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)
        table = kept.table.take(pa.array(rows, pa.int64()))
    return _frame(pa.table({name: column.cast(column.type.value_type)
                            if pa.types.is_dictionary(column.type) else column
                            for name, column in zip(table.column_names, table.columns,
                                                    strict=True)}))
