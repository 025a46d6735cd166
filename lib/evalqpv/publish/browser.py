"""The reports opened in a real browser, as a committee member would: `make
controle-navigateur`.

Every HTML page of a year's folder (the reports, the index, the partners' pages and the
perimeters' indexes with their maps) is opened in headless Chromium (Debian's
`chromium`, driven by Playwright for Python; Playwright's own browser download is never
used) at 1 280 px (laptop) and at 390 px (phone), and:

- no request may leave the file (every request that is not file:, data:, blob: or
  about: is recorded and blocked, and no element may point to the network);
- axe-core (npm package `axe-core`, pinned in tools/navigateur/) finds no violation of
  WCAG 2.0/2.1/2.2 A and AA nor of its best practices, at either width;
- the page is no wider than the screen at either width (at 390 px the device width is
  compared, since mobile emulation stretches innerWidth to the content);
- printing to A4 PDF succeeds within the page budget of the report (PAGE_BUDGETS);
- each page weighs at most MAX_PAGE_BYTES, the whole set MAX_SET_BYTES;
- full-page screenshots at both widths are written, cut in tiles, with the PDF and the
  results (resultats.json), for a human to look at, beside the reports and never inside
  the folder that is e-mailed: reports/controle-<annee>/ for reports/<annee>/,
  reports/controle-<annee>/<code>/ for reports/<annee>/<code>/ (output_folder).

This module imports only the standard library and evalqpv's own stdlib-only modules (and,
when it runs, playwright and pypdf):
it runs from its own environment (.navigateur/, see the Makefile), with PYTHONPATH=lib.
Messages are French; exit code 0 when every page passes, 1 when a check fails, 2 when
the browser, axe-core or playwright is missing.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..frenchnumbers import count
from ..frenchnumbers import number as french_number
from ..vocabulary import REPORT_TITLES, partner_stem

VIEWPORTS = (  # label, width, height, device scale factor, phone
    ("1280", 1280, 800, 1, False),
    ("390", 390, 844, 2, True),
)
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
# A4 pages when printed: what a committee member may be asked to read on paper.
# Measured on the year where every partner answered (tests/fixtures/annee_complete: a
# value for every indicator the référentiel asks a partner for), the longest a page gets:
# index 2, contexte 6, emancipation 15, emploi 17, tranquillite 7, transition 6,
# synthese 5, annexes 15, a partner's page 4. The budgets leave a page for the content to
# grow, no more (the synthesis: the committee's six pages): a report that outgrows them
# is one to shorten, not a budget to raise. Reference tables (definitions, producers,
# unverifiable claims) open on screen and are not printed.
PAGE_BUDGETS = {"index": 2, "contexte": 9, "emancipation": 17, "emploi": 18,
                "tranquillite": 8, "transition": 7, "synthese": 6, "annexes": 17}
# A partner's page (reports/<annee>/partenaires/<partenaire>.html) lists what it owes:
# its budget follows from the référentiel, four pages and one for every ten indicators
# (85 indicators: 11 pages on the full year; a partner of 3: 2 pages).
PARTNER_PAGE_BASE, PARTNER_INDICATORS_PER_PAGE = 4, 10
# Weight of a page, and of the year's reports together (what is e-mailed), on the same
# full year: emancipation 303 KB, emploi 310 KB; 1,33 MB for the eight pages.
MAX_PAGE_BYTES = 350_000
MAX_SET_BYTES = 1_500_000
TILE_HEIGHT = 2400  # CSS px per screenshot tile
PARTNERS = "partenaires"  # the partners' pages, beside the year's reports
# The index of a perimeter (reports/<annee>/perimetres/<p>.html): its header and map take
# three A4 pages, and its table one more for every 25 quarters.
PERIMETERS = "perimetres"
PERIMETER_PAGE_BASE, PERIMETER_QUARTERS_PER_PAGE = 3, 25
# Its weight: a page's, and 200 bytes more per quarter its table lists (measured on the
# shipped data: France, 1 400 rows and its map, 594 KB; Île-de-France 243 KB; 92, 55 KB).
PERIMETER_BYTES_PER_QUARTER = 200
# What a page must show on its first screen at 1 280 px, without scrolling: the
# committee's answer (the contract's targets and their status) on the synthesis.
FIRST_SCREEN = {"synthese": "table.decision"}
# The printable width of an A4 page at the reports' margins (210 mm - 2 x 12 mm, at
# 96 px per inch): laid out at this width under print media, nothing may stick out of
# the page or of a box that clips it (a table that scrolls on screen is cut on paper).
PRINT_WIDTH = round((210 - 2 * 12) / 25.4 * 96)
JS_PRINT_CLIP = r"""
(pageWidth) => {
  const out = [];
  for (const el of document.querySelectorAll('main table, main svg, main img, main pre')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    let limit = pageWidth;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible')
        limit = Math.min(limit, a.getBoundingClientRect().right);
    if (r.right <= limit + 1) continue;
    const caption = el.querySelector ? el.querySelector('caption') : null;
    let name = el.tagName.toLowerCase();
    if (typeof el.className === 'string' && el.className.trim())
      name += '.' + el.className.trim().split(/\s+/)[0];
    if (caption) name += ` « ${caption.textContent.trim().slice(0, 60)} »`;
    out.push(`${name} : ${Math.round(r.right - limit)} px coupés`);
    if (out.length >= 3) break;
  }
  return out;
}
"""
JS_TOP = """sel => { const e = document.querySelector(sel);
  if (!e) return null; const r = e.getBoundingClientRect();
  const row = e.querySelector('tbody tr'); const first = row ? row.getBoundingClientRect() : r;
  return first.bottom + window.scrollY; }"""
OUTPUT = "controle"  # reports/controle-<annee>/, beside reports/<annee>/

# Without these flags Chromium reaches Google services even headless; the resolver rule
# keeps even DNS queries on the machine (requests are blocked by route() beforehand).
CHROMIUM_ARGS = (
    "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--disable-dev-shm-usage",
    "--hide-scrollbars", "--font-render-hinting=none",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost", "--no-pings",
    "--disable-domain-reliability",
)
IMPACT_FR = {"critical": "critique", "serious": "grave", "moderate": "modéré",
             "minor": "mineur"}

# Elements that would load something from the network, even if no request fired.
JS_OFFLINE_REFS = r"""
() => {
  const local = u => /^(file:|data:|blob:|about:|javascript:|#)/i.test(u);
  const out = [];
  const attrs = [['script[src]', 'src'], ['img[src]', 'src'], ['iframe[src]', 'src'],
    ['embed[src]', 'src'], ['object[data]', 'data'], ['source[src]', 'src'],
    ['video[src]', 'src'], ['audio[src]', 'src'], ['link[href]', 'href'],
    ['image[href]', 'href'], ['use[href]', 'href']];
  for (const [sel, attr] of attrs) {
    for (const el of document.querySelectorAll(sel)) {
      let v = el.getAttribute(attr) || '';
      try { v = new URL(v, document.baseURI).href; } catch (e) {}
      if (v && !local(v)) out.push(`<${el.tagName.toLowerCase()} ${attr}="${v}">`);
    }
  }
  return [...new Set(out)];
}
"""

# Page width against the emulated device width (not innerWidth: under mobile emulation
# Chromium widens innerWidth to the content), and the outermost elements that stick out.
JS_OVERFLOW = r"""
(deviceWidth) => {
  const sw = document.documentElement.scrollWidth;
  const layout = document.documentElement.clientWidth;
  const res = {scrollWidth: sw, layoutWidth: layout, culprits: []};
  if (sw <= deviceWidth && layout <= deviceWidth) return res;
  const vw = Math.max(layout, deviceWidth);
  const clips = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1 || clips(el)) continue;
    const p = el.parentElement;
    if (p && p !== document.body && p.getBoundingClientRect().right > vw + 1) continue;
    let name = el.tagName.toLowerCase();
    if (typeof el.className === 'string' && el.className.trim())
      name += '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.');
    res.culprits.push(`${name} (${Math.round(r.width)} px)`);
    if (res.culprits.length >= 3) break;
  }
  return res;
}
"""

JS_AXE = r"""
async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations', 'incomplete']});
  const slim = v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                      target: v.nodes.length ? v.nodes[0].target.join(' ') : ''});
  return {version: axe.version, violations: r.violations.map(slim),
          incomplete: r.incomplete.map(v => v.id)};
}
"""


@dataclass
class PageResult:
    """What the browser found on one page."""

    path: Path
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures


# --------------------------------------------------------------------------- budgets


def page_budget(html: Path) -> int:
    """The PDF page budget of a report (its file name says which; a partner's page is
    in partenaires/)."""
    if html.parent.name == PARTNERS:
        owed = owed_by(html)
        return PARTNER_PAGE_BASE + -(-owed // PARTNER_INDICATORS_PER_PAGE)
    if html.parent.name == PERIMETERS:
        rows = html.read_text(encoding="utf-8").count("<code>QP")
        return PERIMETER_PAGE_BASE + -(-rows // PERIMETER_QUARTERS_PER_PAGE)
    return PAGE_BUDGETS.get(html.stem, max(PAGE_BUDGETS.values()))


def owed_by(page: Path) -> int:
    """How many indicators of the project's référentiel the partner of a page owes."""
    for folder in page.resolve().parents:
        referentiel = folder / "config" / "referentiel.csv"
        if referentiel.is_file():
            with referentiel.open(encoding="utf-8", newline="") as handle:
                return sum(partner_stem(row.get("partenaire", "")) == page.stem
                           for row in csv.DictReader(handle))
    return 0


def first_screen_failures(name: str, selector: str, bottom: float | None,
                          height: int) -> list[str]:
    """The element (its caption, header and first row) must end within the first screen."""
    if bottom is None:
        return [f"{name} : « {selector} » est absent de la page."]
    if bottom > height:
        return [f"{name} : le début de « {selector} » finit à {bottom:.0f} px, au-delà du "
                f"premier écran ({height} px) : il faut faire défiler pour le voir."]
    return []


def size_failures(pages: list[Path]) -> list[str]:
    """Pages heavier than MAX_PAGE_BYTES, and the year's reports (a partner's page is
    sent on its own) heavier than MAX_SET_BYTES together."""
    out = [f"{p.name} pèse {ko(p.stat().st_size)} (maximum {ko(byte_budget(p))})."
           for p in pages if p.stat().st_size > byte_budget(p)]
    total = sum(p.stat().st_size for p in pages if p.parent.name not in (PARTNERS, PERIMETERS))
    if total > MAX_SET_BYTES:
        out.append(f"L'ensemble des pages pèse {ko(total)} (maximum {ko(MAX_SET_BYTES)}).")
    return out


def byte_budget(html: Path) -> int:
    """MAX_PAGE_BYTES; a perimeter's index lists every quarter of its perimeter, so its
    weight may grow with them (PERIMETER_BYTES_PER_QUARTER), as its page budget does."""
    if html.parent.name == PERIMETERS:
        rows = html.read_text(encoding="utf-8").count("<code>QP")
        return MAX_PAGE_BYTES + PERIMETER_BYTES_PER_QUARTER * rows
    return MAX_PAGE_BYTES


def ko(size: int) -> str:
    return f"{french_number(size / 1000)}\u00a0Ko"


def axe_failures(violations: dict[str, dict[str, Any]], widths: int) -> list[str]:
    """axe-core's violations in French, the most serious first."""
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    out = []
    for v in sorted(violations.values(), key=lambda v: (order.get(v["impact"], 9), v["id"])):
        where = "" if len(v["widths"]) == widths else \
            f" [à {'/'.join(v['widths'])} px seulement]"
        out.append(f"axe-core : {v['id']} (impact {IMPACT_FR.get(v['impact'], v['impact'])}, "
                   f"{count(v['nodes'], 'élément')}, ex. {v['target']}){where} : {v['help']}")
    return out


def overflow_failures(label: str, width: int, found: dict[str, Any]) -> list[str]:
    out = []
    if found["layoutWidth"] > width:
        out.append(f"À {label} px, la page est mise en page sur {found['layoutWidth']} px : "
                   "balise <meta name=\"viewport\"> absente ou inopérante.")
    if found["scrollWidth"] > width:
        culprits = " ; ".join(found["culprits"])
        out.append(f"Défilement horizontal à {label} px : la page fait "
                   f"{found['scrollWidth']} px de large" + (f" (en cause : {culprits})"
                                                           if culprits else "") + ".")
    return out


def print_clip_failures(name: str, clipped: list[str]) -> list[str]:
    """What printing cuts on the right of an A4 page (JS_PRINT_CLIP's findings)."""
    if not clipped:
        return []
    return [f"Impression : des colonnes sortent de la page A4 dans {name} ("
            + " ; ".join(clipped) + ")."]


def pdf_failures(pages: int, budget: int, name: str) -> list[str]:
    if pages < 1:
        return [f"Impression : le PDF de {name} est vide."]
    if pages > budget:
        return [f"Impression : {pages} pages A4 pour un maximum de {budget} ({name})."]
    return []


def count_pdf_pages(pdf: Path) -> int:
    try:
        reader = importlib.import_module("pypdf").PdfReader(str(pdf))
        return len(reader.pages)
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


# --------------------------------------------------------------------------- browser


def find_chromium(explicit: str | None) -> str | None:
    candidates = [explicit] if explicit else [
        os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
        shutil.which("chromium-browser"), shutil.which("google-chrome")]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    return None


def find_axe(explicit: str | None, root: Path) -> Path | None:
    installed = Path(".navigateur") / "node_modules" / "axe-core" / "axe.min.js"
    toolkit = Path(__file__).resolve().parents[3]  # the checkout whose make installed it
    candidates = [explicit] if explicit else [
        os.environ.get("AXE_CORE_JS"), str(root / installed), str(Path.cwd() / installed),
        str(toolkit / installed)]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


def check_page(browser: Any, html: Path, out: Path, axe_js: Path,
               timeout: float) -> PageResult:
    """Open one page at both widths and run every check; never raise."""
    result = PageResult(html)
    external: list[str] = []
    errors: list[str] = []
    refs: set[str] = set()
    violations: dict[str, dict[str, Any]] = {}
    incomplete: set[str] = set()
    locale_file = axe_js.parent / "locales" / "fr.json"
    locale = json.loads(locale_file.read_text(encoding="utf-8")) \
        if locale_file.is_file() else None
    for label, width, height, scale, phone in VIEWPORTS:
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=scale,
            is_mobile=phone, has_touch=phone, locale="fr-FR", timezone_id="Europe/Paris",
            bypass_csp=True, service_workers="block")
        context.set_default_timeout(timeout * 1000)

        def route(route: Any, request: Any) -> None:
            if request.url.lower().startswith(LOCAL_SCHEMES):
                route.continue_()
            else:
                external.append(request.url)
                route.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()
        page.on("websocket", lambda ws: external.append(ws.url))
        page.on("pageerror", lambda exc: errors.append(str(exc).splitlines()[0][:200]))
        try:
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.evaluate("document.fonts ? document.fonts.ready.then(() => true) : true")
            refs.update(page.evaluate(JS_OFFLINE_REFS))
            result.failures += overflow_failures(label, width,
                                                 page.evaluate(JS_OVERFLOW, width))
            # the contract's own quarter (reports/<annee>/): another quarter has no target
            if not phone and html.stem in FIRST_SCREEN and html.parent.name.isdigit():
                result.failures += first_screen_failures(
                    html.name, FIRST_SCREEN[html.stem],
                    page.evaluate(JS_TOP, FIRST_SCREEN[html.stem]), height)
            result.data.setdefault("captures", []).extend(
                _screenshots(page, out / f"{html.stem}-{label}"))
            page.add_script_tag(path=str(axe_js))
            if locale:
                page.evaluate("loc => axe.configure({locale: loc})", locale)
            found = page.evaluate(JS_AXE, list(AXE_TAGS))
            result.data["axe"] = found["version"]
            incomplete.update(found["incomplete"])
            for v in found["violations"]:
                violations.setdefault(v["id"], {**v, "widths": []})["widths"].append(label)
            if not phone:
                pdf = out / f"{html.stem}.pdf"
                page.emulate_media(media="print")
                page.pdf(path=str(pdf), format="A4", print_background=True,
                         prefer_css_page_size=True)
                pages = count_pdf_pages(pdf)
                result.data["pages_pdf"] = pages
                result.failures += pdf_failures(pages, page_budget(html), html.name)
                page.set_viewport_size({"width": PRINT_WIDTH, "height": height})
                result.failures += print_clip_failures(
                    html.name, page.evaluate(JS_PRINT_CLIP, PRINT_WIDTH))
        except Exception as exc:  # one broken page must not stop the others
            first = (str(exc).strip().splitlines() or [repr(exc)])[0]
            result.failures.append(f"Erreur du navigateur à {label} px : {first}")
        finally:
            context.close()
    if external:
        result.failures.append("Requêtes vers le réseau (bloquées) : "
                               + ", ".join(sorted(set(external))[:5]))
    if refs:
        result.failures.append("Éléments qui pointent vers le réseau : "
                               + ", ".join(sorted(refs)[:5]))
    if errors:
        result.failures.append("Erreurs JavaScript : " + " ; ".join(sorted(set(errors))[:3]))
    result.failures += axe_failures(violations, len(VIEWPORTS))
    if incomplete:
        result.notes.append("axe-core, à vérifier à l'œil : " + ", ".join(sorted(incomplete)))
    result.data.update({"page": html.name, "octets": html.stat().st_size,
                        "budget_pages": page_budget(html), "requetes_externes": external,
                        "violations_axe": sorted(violations), "echecs": result.failures})
    return result


def _screenshots(page: Any, stem: Path) -> list[str]:
    """The whole page in tiles of TILE_HEIGHT CSS pixels: <stem>-01.png, -02.png…"""
    for old in stem.parent.glob(f"{stem.name}-*.png"):
        old.unlink()
    height = int(page.evaluate("document.documentElement.scrollHeight"))
    width = int(page.evaluate("document.documentElement.clientWidth"))
    names = []
    for number, top in enumerate(range(0, height, TILE_HEIGHT), start=1):
        path = stem.parent / f"{stem.name}-{number:02d}.png"
        page.screenshot(path=str(path), full_page=True, scale="css",
                        clip={"x": 0, "y": top, "width": width,
                              "height": min(TILE_HEIGHT, height - top)})
        names.append(path.name)
    return names


# --------------------------------------------------------------------------- folders


def report_folder(root: Path, annee: int | None, territoire: str | None) -> Path | None:
    """The folder `make rapports` wrote for a year and a quarter: reports/<annee>/ for the
    contract's quarter, reports/<annee>/<code>/ for another one. Without a year, the
    folder whose index was written last (the one just built)."""
    found = []
    for index in root.glob("reports/*/index.html"):
        found.append(index.parent)
    for index in root.glob("reports/*/*/index.html"):
        found.append(index.parent)
    matching = []
    for folder in found:
        try:
            figures = json.loads((folder / "chiffres_cles.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if annee is not None and figures.get("annee") != annee:
            continue
        top_level = folder.parent.name == "reports"
        if territoire is None and not top_level:
            continue
        if territoire is not None and figures.get("territoire") != territoire.upper():
            continue
        matching.append(folder)
    if not matching:
        return None
    return max(matching, key=lambda f: (f / "index.html").stat().st_mtime)


def output_folder(root: Path, folder: Path) -> Path:
    """Where the check of a folder of reports writes: reports/controle-<annee>/ for
    reports/<annee>/ (…/controle-<annee>/<code>/ for another quarter's reports); for a
    folder outside the project's reports/, <its parent>/controle-<its name>/."""
    reports = (root / "reports").resolve()
    where = folder.resolve()
    try:
        rel = where.relative_to(reports)
    except ValueError:
        return where.parent / f"{OUTPUT}-{where.name}"
    if not rel.parts:
        return reports / OUTPUT
    return reports.joinpath(f"{OUTPUT}-{rel.parts[0]}", *rel.parts[1:])


def pages_of(folder: Path) -> list[Path]:
    """The index first, then the reports in their order."""
    order = ["index", *REPORT_TITLES]
    pages = [p for p in folder.glob("*.html") if p.is_file()]
    partners = sorted(p for p in (folder / PARTNERS).glob("*.html") if p.is_file())
    perimeters = sorted(p for p in (folder / PERIMETERS).glob("*.html") if p.is_file())
    return sorted(pages, key=lambda p: (order.index(p.stem) if p.stem in order
                                        else len(order), p.name)) + partners + perimeters


def run(folder: Path, axe_js: Path, chromium: str, timeout: float = 120,
        say: Any = print, only: tuple[str, ...] = (), out: Path | None = None) -> int:
    """Check every page of `folder` (or those named in `only`), writing screenshots,
    PDF and results to `out` (default: output_folder of the current directory's
    project); 0 when all pass."""
    sync_playwright = importlib.import_module("playwright.sync_api").sync_playwright
    pages = [p for p in pages_of(folder) if not only or p.stem in only]
    out = out or output_folder(Path("."), folder)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results: list[PageResult] = []
    with sync_playwright() as playwright:
        sandbox = os.geteuid() != 0  # Chromium refuses its sandbox as root
        browser = playwright.chromium.launch(
            executable_path=chromium, chromium_sandbox=sandbox, timeout=timeout * 1000,
            args=[*CHROMIUM_ARGS, *([] if sandbox else ["--no-sandbox"])])
        say(f"Chromium {browser.version}, {count(len(pages), 'page')} de {folder} :")
        for html in pages:
            result = check_page(browser, html, out, axe_js, timeout)
            results.append(result)
            pdf = result.data.get("pages_pdf", "?")
            say(f"- {html.name} : {'conforme' if result.ok else 'ÉCHEC'} "
                f"({ko(html.stat().st_size)}, {pdf} sur {page_budget(html)} pages A4 "
                "au plus)")
            for line in result.failures:
                say(f"    {line}")
            for line in result.notes:
                say(f"    ({line})")
        browser.close()
    sizes = size_failures(pages)
    for line in sizes:
        say(f"ÉCHEC : {line}")
    (out / "resultats.json").write_text(json.dumps(
        {"dossier": str(folder), "pages": [r.data for r in results], "poids": sizes},
        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    failed = [r for r in results if not r.ok]
    say(f"Bilan : {count(len(results) - len(failed), 'page conforme')} sur {len(results)} ; "
        f"ensemble {ko(sum(p.stat().st_size for p in pages))} ; captures, PDF et "
        f"résultats dans {out} ({time.monotonic() - started:.0f} s).")
    return 1 if failed or sizes else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evalqpv.publish.browser",
        description="Contrôle des rapports dans un vrai navigateur (Chromium).")
    parser.add_argument("dossier", nargs="?", help="dossier des rapports (défaut : celui de "
                        "l'année et du quartier demandés, ou le dernier produit)")
    parser.add_argument("--annee", type=int, help="année des rapports")
    parser.add_argument("--territoire", help="code du quartier (défaut : celui du contrat)")
    parser.add_argument("--racine", default=".", help="racine du projet : ses rapports sont "
                        "cherchés dans <racine>/reports/, le contrôle est écrit dans "
                        "<racine>/reports/controle-<annee>/ (défaut : .)")
    parser.add_argument("--chromium", help="navigateur (défaut : $CHROMIUM ou /usr/bin/chromium)")
    parser.add_argument("--axe", help="axe.min.js (défaut : $AXE_CORE_JS ou "
                        ".navigateur/node_modules/axe-core/axe.min.js)")
    parser.add_argument("--delai", type=float, default=120, help="délai par action (s)")
    parser.add_argument("--page", action="append", default=[],
                        help="ne contrôler que cette page (emploi, index…), répétable")
    args = parser.parse_args(argv)
    root = Path(args.racine)
    folder = Path(args.dossier) if args.dossier else report_folder(root, args.annee,
                                                                   args.territoire)
    if folder is None or not folder.is_dir() or not pages_of(folder):
        print("Aucun rapport à contrôler : lancez d'abord « make rapports » (avec les mêmes "
              "ANNEE= et TERRITOIRE=).", file=sys.stderr)
        return 2
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("Chromium introuvable : « apt-get install chromium » (root), ou indiquez un "
              "navigateur avec --chromium ou la variable CHROMIUM.", file=sys.stderr)
        return 2
    axe_js = find_axe(args.axe, root)
    if axe_js is None:
        print("axe-core introuvable : « make controle-navigateur » l'installe dans "
              ".navigateur/ (npm), ou indiquez axe.min.js avec --axe ou AXE_CORE_JS.",
              file=sys.stderr)
        return 2
    try:
        importlib.import_module("playwright.sync_api")
    except ImportError:
        print("Module playwright absent : « make controle-navigateur » l'installe dans "
              ".navigateur/ (pip).", file=sys.stderr)
        return 2
    return run(folder, axe_js, chromium, args.delai, only=tuple(args.page),
               out=output_folder(root, folder))


if __name__ == "__main__":
    sys.exit(main())
