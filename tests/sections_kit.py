"""A report context built by hand for the unit tests of the report sections: a quarter
with its commune and département, a contract, a few indicators (tests.helpers.indicator)
and a few store rows, so that each expected figure can be worked out from the test."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from tests.helpers import indicator

from evalqpv.contract_settings import Contract
from evalqpv.objectives import ObjectiveLine, Objectives
from evalqpv.referentiel import Indicator, Referentiel
from evalqpv.report.context import ReportContext
from evalqpv.report.html import Html
from evalqpv.settings import ProjectPaths
from evalqpv.store.consolidate import STORE_COLUMNS
from evalqpv.store.parquet import text_dtype
from evalqpv.territory import Level, Territory

NB = "\u00a0"  # the no-break space of French numbers (« 5 481 », « 29,9 % »)
QPV_LEVEL = Level("qpv", "QP092005", "Cité Jardins", "qpv2015")
COMMUNE_LEVEL = Level("commune", "92019", "Châtenay-Malabry")
DEP_LEVEL = Level("departement", "92", "Hauts-de-Seine")
TERRITORY = Territory("QP092005", "Cité Jardins", (QPV_LEVEL, COMMUNE_LEVEL, DEP_LEVEL))
OTHER_TERRITORY = Territory("QP059079", "Autre quartier", (
    Level("qpv", "QP059079", "Autre quartier", "qpv2015"), Level("commune", "59350", "Lille")))
CONTRACT = Contract(nom="Contrat de ville test", territoire="QP092005", debut=2024, fin=2030,
                    sections={"1.1": "Accès à l'emploi", "1.2": "Formation"},
                    signataires={"CAF": "CAF des Hauts-de-Seine"})


def row(indicateur: str, annee: int, valeur: float | None, *, level: Level = QPV_LEVEL,
        statut: str = "valeur", origine: str = "publication", source: str = "Insee, test",
        millesime: str = "2025", qualite: str = "", periode: str = "",
        conflit: str = "") -> dict[str, object]:
    """One store row (columns of data/processed/observations.csv)."""
    return {"indicateur": indicateur, "niveau": level.niveau, "code": level.code,
            "libelle_territoire": level.libelle, "rattachement": "",
            "geographie": level.geographie, "annee": annee, "periode": periode,
            "valeur": valeur, "statut": statut, "valeur_publiee": "", "qualite": qualite,
            "origine": origine, "producteur": "Insee", "source": source,
            "millesime": millesime, "fichier": "f.csv", "ligne": "2", "colonne": "V",
            "conflit": conflit}


def store(rows: Iterable[dict[str, object]]) -> pd.DataFrame:
    """The rows as load_store gives them: text columns of its text dtype, `annee` int,
    `valeur` float (NaN when none)."""
    text_rows = [{c: "" if r[c] is None else str(r[c]) for c in STORE_COLUMNS} for r in rows]
    frame = pd.DataFrame(text_rows, columns=STORE_COLUMNS, dtype=object).astype(text_dtype())
    frame["annee"] = frame["annee"].astype(int)
    frame["valeur"] = pd.to_numeric(frame["valeur"].replace("", None), errors="coerce")
    return frame


def line(section: str, ligne: int, texte: str, *indicateurs: str,
         raison: str = "") -> ObjectiveLine:
    return ObjectiveLine(section, ligne, texte, indicateurs, raison, "")


CAF = "Annexe 1 – CAF"


def caf_commitments(ind_id: str) -> tuple[list[Indicator], list[ObjectiveLine]]:
    """The CAF's two commitments: permanences (at least 2 a year, followed by `ind_id`)
    and informing families (not followed: no figure planned)."""

    inds = [indicator(ind_id, CAF, libelle="Permanences CAF", unite="nombre",
                      denombre="autres", cible=2.0, cible_operateur=">=",
                      cible_nature="annuelle", partenaire="CAF des Hauts-de-Seine")]
    return inds, [line(CAF, 1, "Tenir des permanences", ind_id),
                  line(CAF, 2, "Informer les familles", raison="pas de chiffre prévu")]


def context(root: Path, indicators: Iterable[Indicator], rows: Iterable[dict[str, object]],
            *, annee: int = 2025, report: str = "emploi", contract: Contract = CONTRACT,
            territory: Territory = TERRITORY,
            lines: Iterable[ObjectiveLine] = ()) -> ReportContext:
    """A context over a project folder `root` (its config/ and data/processed/ files are
    those the test writes; absent ones mean « none »)."""
    referentiel = Referentiel({i.id: i for i in indicators})
    return ReportContext(annee, territory, report, referentiel, store(rows),
                         ProjectPaths(Path(root)), contract, Objectives(tuple(lines)))


def text(fragment: Html | str) -> str:
    """The words a reader sees: tags removed, spaces (not no-break ones) collapsed."""
    html = fragment.text if isinstance(fragment, Html) else fragment
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(re.sub(r"[ \t\r\n]+", " ", " ".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(fragment: Html | str) -> list[list[str]]:
    """The body rows of every table of a fragment, each a list of cell texts."""
    parser = _Rows()
    parser.feed(fragment.text if isinstance(fragment, Html) else fragment)
    return parser.rows
