"""Where a QPV sits: its communes, EPCI, département and région.

Built from the official lists of the Code officiel géographique in data/raw/geographie/
(the latest release of each list that is there) and the commune names that the SIG
Ville files give for each QPV, so that every comparison level of any QPV is known
without a hand-written table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problems
from ..rawtable import RawTable, read_delimited
from ..settings import ProjectPaths
from . import FileId

FOLDER = "geographie"
# The official lists, as Insee names them; the year is the COG release.
LISTS = {
    "commune": (re.compile(r"^commune_?(\d{4})\.csv$", re.I), ",", "commune_2021.csv"),
    "dep": (re.compile(r"^departement_?(\d{4})\.csv$", re.I), ",", "departement2021.csv"),
    "reg": (re.compile(r"^region_?(\d{4})\.csv$", re.I), ",", "region2021.csv"),
    "epci": (re.compile(r"^EPCI(?:_(\d{4}))?\.csv$", re.I), ";", "EPCI.csv"),
}


@dataclass(frozen=True)
class Place:
    code: str
    libelle: str


@dataclass
class Geography:
    """Official lists: communes (with their département, région and EPCI)."""

    communes: dict[str, Place] = field(default_factory=dict)
    commune_dep: dict[str, str] = field(default_factory=dict)
    commune_epci: dict[str, str] = field(default_factory=dict)
    epcis: dict[str, Place] = field(default_factory=dict)
    departements: dict[str, Place] = field(default_factory=dict)
    dep_region: dict[str, str] = field(default_factory=dict)
    regions: dict[str, Place] = field(default_factory=dict)
    by_name: dict[tuple[str, str], str] = field(default_factory=dict)

    def commune_by_name(self, departement: str, name: str) -> str | None:
        return self.by_name.get((departement, normalise(name)))


@dataclass(frozen=True)
class QpvPlace:
    code: str
    libelle: str
    communes: tuple[Place, ...]
    epci: Place | None
    departement: Place | None
    region: Place | None


def normalise(name: str) -> str:
    name = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def departement_of_qpv(code: str) -> str:
    """QP092005 -> 92, QP02A001 -> 2A, QP971001 -> 971."""
    digits = code[2:5]
    if digits.startswith("97"):
        return digits
    return digits[1:] if digits.startswith("0") else digits


def identify(rel: Path) -> FileId | None:
    """Which official list a file of data/raw/geographie/ is, and its COG release."""
    if rel.parts[0] != FOLDER:
        return None
    for kind, (pattern, _, _) in LISTS.items():
        m = pattern.match(rel.name)
        if m:
            return FileId("COG", int(m.group(1)) if m.group(1) else None, kind)
    return None


def read_geography(paths: ProjectPaths, problems: Problems) -> Geography:
    """The latest release of each official list found in data/raw/geographie/."""
    geo = Geography()
    folder = paths.raw / FOLDER
    found: dict[str, tuple[int, Path]] = {}
    for path in sorted(folder.glob("*")) if folder.exists() else []:
        file = identify(path.relative_to(paths.raw))
        if file is not None and (file.variant not in found
                                 or (file.millesime or 0) >= found[file.variant][0]):
            found[file.variant] = (file.millesime or 0, path)
    for kind, (_, _, example) in LISTS.items():
        if kind not in found:
            problems.error(paths.label(folder / example), "liste officielle absente.",
                           attendu="le fichier de la liste officielle du COG (Insee)")
    if len(found) < len(LISTS):
        return geo
    def read(kind: str) -> RawTable | None:
        return read_delimited(found[kind][1], paths.label(found[kind][1]), problems,
                              separator=LISTS[kind][1])

    reg = read("reg")
    if reg:
        i = reg.column_index()
        for _, c in reg.rows:
            geo.regions[c[i["REG"]]] = Place(c[i["REG"]], c[i["LIBELLE"]])
    dep = read("dep")
    if dep:
        i = dep.column_index()
        for _, c in dep.rows:
            geo.departements[c[i["DEP"]]] = Place(c[i["DEP"]], c[i["LIBELLE"]])
            geo.dep_region[c[i["DEP"]]] = c[i["REG"]]
    com = read("commune")
    if com:
        i = com.column_index()
        for _, c in com.rows:
            if c[i["TYPECOM"]] not in ("COM", "ARM"):
                continue
            code, dep_code = c[i["COM"]], c[i["DEP"]]
            geo.communes[code] = Place(code, c[i["LIBELLE"]])
            if dep_code:
                geo.commune_dep[code] = dep_code
            elif code[:2] == "75" or code[:2] in ("13", "69"):
                geo.commune_dep[code] = code[:2]
            geo.by_name[(geo.commune_dep.get(code, ""), normalise(c[i["LIBELLE"]]))] = code
    epci = read("epci")
    if epci:
        i = epci.column_index()
        for _, c in epci.rows:
            code = _com_code(c[i["COM"]])
            geo.commune_epci[code] = c[i["EPCI"]]
            geo.epcis[c[i["EPCI"]]] = Place(c[i["EPCI"]], c[i["LIBEPCI"]])
    return geo


def _com_code(raw: str) -> str:
    """EPCI.csv drops leading zeros (1001 for 01001); Corsica codes keep letters."""
    raw = raw.strip()
    return raw.zfill(5) if raw.isdigit() else raw


def place_qpv(code: str, libelle: str, communes_text: str, geo: Geography) -> QpvPlace:
    """Resolve the communes named by the SIG files for one QPV."""
    dep = departement_of_qpv(code)
    communes: list[Place] = []
    for name in [n for n in communes_text.split(",") if n.strip()]:
        found = geo.commune_by_name(dep, name)
        if found:
            communes.append(geo.communes[found])
    main = communes[0].code if communes else None
    epci_code = geo.commune_epci.get(main) if main else None
    reg_code = geo.dep_region.get(dep)
    return QpvPlace(
        code=code,
        libelle=libelle,
        communes=tuple(communes),
        epci=geo.epcis.get(epci_code) if epci_code else None,
        departement=geo.departements.get(dep),
        region=geo.regions.get(reg_code) if reg_code else None,
    )
