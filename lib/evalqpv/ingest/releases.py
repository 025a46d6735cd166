"""Each publication compared with the previous one of its family: a truncated download
(half the rows, the evaluated quarter gone) stops the build instead of being read as if
the quarter had vanished from the statistics.

A family is a producer's series in one folder (IPRO files of sig-ville-qpv2015/,
Filosofi by commune...); releases are compared in the order of their millésime. The
shipped releases never lose more than 40 % of their rows from one to the next (the EPCI
reform of 2017 is the largest fall), so a loss of half is a collapse.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from ..frenchnumbers import number
from ..problems import Problems
from . import FileId, FileSummary
from .published import DECIMAL_COMMA, DECIMAL_POINT, MIXED, THOUSANDS_COMMA, WHOLE

COLLAPSE = 0.5  # a release with this share of its predecessor's rows, or less, is cut
MIN_ROWS = 10  # below this, a family is too small for its row count to mean anything


def check_releases(files: Iterable[tuple[FileId, FileSummary]], territoire: str,
                   problems: Problems) -> None:
    """An error on every release that lost half its rows, or the contract's quarter,
    compared with the previous release of its family."""
    families: dict[tuple[str, str, str], list[tuple[int, FileSummary]]] = defaultdict(list)
    for file, summary in files:
        if file.millesime is None or not summary.lignes:
            continue  # hand-filled files, unreadable ones: nothing to compare
        folder = summary.fichier.rsplit("/", 1)[0]
        families[(folder, file.family, file.variant)].append((file.millesime, summary))
    for releases in families.values():
        releases.sort(key=lambda r: (r[0], r[1].fichier))
        for (_, before), (_, after) in zip(releases, releases[1:], strict=False):
            _compare(before, after, territoire, problems)


def _compare(before: FileSummary, after: FileSummary, territoire: str,
             problems: Problems) -> None:
    name = before.fichier.rsplit("/", 1)[-1]
    _compare_formats(before, after, name, problems)
    correction = ("retéléchargez le fichier complet sur le site du producteur (un "
                  "téléchargement interrompu donne un fichier tronqué)")
    if before.lignes >= MIN_ROWS and after.lignes <= COLLAPSE * before.lignes:
        problems.error(after.fichier, f"publication tronquée ? {number(after.lignes)} lignes "
                       f"de données contre {number(before.lignes)} dans la publication "
                       f"précédente de la même série ({name}).",
                       valeur=f"{number(after.lignes)} lignes",
                       attendu=f"un nombre de lignes proche de {number(before.lignes)}",
                       correction=correction)
    if territoire in before.quartiers and after.quartiers and territoire not in after.quartiers:
        problems.error(after.fichier, f"le quartier évalué {territoire} figure dans la "
                       f"publication précédente de la même série ({name}) mais pas dans "
                       "celle-ci.", colonne="CODGEO", attendu=f"une ligne {territoire}",
                       correction=correction)


# Changes of number format that misread figures: a French release turned English.
_MISREAD = {
    (DECIMAL_COMMA, DECIMAL_POINT), (DECIMAL_POINT, DECIMAL_COMMA),
    (WHOLE, THOUSANDS_COMMA), (DECIMAL_COMMA, MIXED), (WHOLE, MIXED),
    (DECIMAL_POINT, THOUSANDS_COMMA), (DECIMAL_POINT, MIXED),
}


def _compare_formats(before: FileSummary, after: FileSummary, name: str,
                     problems: Problems) -> None:
    """A column whose numbers are written another way than in the previous release of
    the family (« 53,4 » then « 53.4 », « 5 481 » then « 5,482 »): an error per column,
    the figures would be read wrongly (5,482 as five and a half)."""
    earlier = {_variable(c): f for c, f in before.formats.items()}
    for column, (kind, line, raw) in after.formats.items():
        previous = before.formats.get(column) or earlier.get(_variable(column))
        if previous is None:
            continue
        if (previous[0], kind) not in _MISREAD and kind != MIXED:
            continue
        problems.error(after.fichier, f"format des nombres différent de la publication "
                       f"précédente de la même série ({name}) : {kind} ici, {previous[0]} "
                       f"là (« {previous[2]} », ligne {previous[1]}). Les chiffres seraient "
                       "mal lus (format anglais ?).", ligne=line, colonne=column, valeur=raw,
                       attendu=f"des nombres écrits comme dans {name} : {previous[0]}, "
                       "espace pour les milliers (format français)",
                       correction="retéléchargez la publication au format français (séparateur "
                       "« ; », virgule décimale), telle que le producteur la publie")


def _variable(column: str) -> str:
    """A column's name without the year some producers append (Filosofi's Q219, Q218)."""
    return re.sub(r"(19|20)?\d{2}$", "", column)
