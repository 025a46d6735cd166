"""Statistical secrecy of small counts in the reports (docs/secret_statistique.md).

The rule: a count of people or households (unit « nombre », référentiel column
`denombre`) between 1 and 10 on a territory smaller than a département (quarter,
commune, EPCI, school, a partner's perimeter) is printed « < 11 », never its value; 0 is
printed. Counts of structures, actions, meetings or equipment and amounts are never
masked; neither is a figure already public (a producer's publication, which applied its
own secrecy, or the contract's printed text). What could give a masked count back is
masked too (« secret secondaire »): a part whose total minus itself is a small count,
and, when parts add up to their total, a second part beside a lone masked one.

An indicator is a part of another when its identifier extends the other's
(`demandeurs_emploi_abc_femmes` is a part of `demandeurs_emploi_abc`).

Pure functions: the report context applies them where it reads the store
(`report.context.ReportContext.series`), so every section prints the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .vocabulary import DEPARTEMENT, FRANCE, REGION

THRESHOLD = 11
MASK = "<\u00a011"  # what a report prints instead of a masked count
MASKED = "secret_statistique"  # status of a masked point in a report (never in the store)
COUNT_UNITS = ("nombre",)
# Levels wide enough for a small count not to designate anyone.
OPEN_LEVELS = (DEPARTEMENT, REGION, FRANCE)


def is_masked(value: float | None, unit: str, niveau: str, *, people: bool = True,
              public: bool = False) -> bool:
    """A count of 1 to 10 people or households on a small territory, not already public:
    printed MASK, never its value."""
    return (people and not public and value is not None and unit in COUNT_UNITS
            and niveau not in OPEN_LEVELS and 0 < value < THRESHOLD)


def total_of(indicator: str, ids: Iterable[str]) -> str | None:
    """The indicator this one is a part of (the longest identifier it extends), if any.

    Its candidates are its own prefixes cut before an underscore, looked up in `ids`
    (a set is used as it is): a report asks for every indicator of the référentiel."""
    known = ids if isinstance(ids, (set, frozenset)) else set(ids)
    for cut in range(len(indicator) - 1, -1, -1):  # the longest prefix first
        if indicator[cut] == "_" and indicator[:cut] in known:
            return indicator[:cut]
    return None


def complementary(total: float | None, parts: Mapping[str, float | None], unit: str,
                  niveau: str) -> set[str]:
    """The parts to mask so that no masked count can be recomputed from the total.

    A part is masked when it is small itself, or when the total minus it is (it would
    give the rest away); when the parts add up exactly to the total and only one of them
    is masked, the smallest other is masked too.
    """
    hidden = {k for k, v in parts.items() if is_masked(v, unit, niveau)}
    if total is None:
        return hidden
    hidden |= {k for k, v in parts.items()
               if v is not None and is_masked(total - v, unit, niveau)}
    values = [v for v in parts.values() if v is not None]
    partition = len(parts) > 1 and len(values) == len(parts) and abs(sum(values) - total) < 1e-9
    if partition and len(hidden) == 1:
        others = sorted((v, k) for k, v in parts.items() if k not in hidden and v is not None)
        hidden.add(others[0][1])
    return hidden
