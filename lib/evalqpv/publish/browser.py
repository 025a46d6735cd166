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

This module drives the browser (and is the command); the scripts it runs in each page
are in browser_scripts.py, the budgets and the verdicts (pure functions, named here too)
in browser_verdicts.py. The three import only the standard library and evalqpv's own
stdlib-only modules (and, when the check runs, playwright and pypdf): the check runs
from its own environment (.navigateur/, see the Makefile), with PYTHONPATH=lib.
Messages are French; exit code 0 when every page passes, 1 when a check fails, 2 when
the browser, axe-core or playwright is missing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from ..frenchnumbers import count
from ..vocabulary import REPORT_TITLES
from .browser_scripts import (
    JS_AXE,
    JS_OFFLINE_REFS,
    JS_OVERFLOW,
    JS_PRINT_CLIP,
    JS_TOP,
)
from .browser_verdicts import (
    FIRST_SCREEN,
    MAX_PAGE_BYTES,
    MAX_SET_BYTES,
    PAGE_BUDGETS,
    PARTNERS,
    PERIMETERS,
    PRINT_WIDTH,
    TILE_HEIGHT,
    PageResult,
    axe_failures,
    byte_budget,
    count_pdf_pages,
    first_screen_failures,
    ko,
    overflow_failures,
    page_budget,
    pdf_failures,
    print_clip_failures,
    size_failures,
)

# The budgets and verdicts are named here too (browser.PAGE_BUDGETS, browser.size_failures):
# the guide and the tests read them from the check they belong to.
__all__ = [
    "MAX_PAGE_BYTES",
    "MAX_SET_BYTES",
    "PAGE_BUDGETS",
    "axe_failures",
    "byte_budget",
    "first_screen_failures",
    "main",
    "overflow_failures",
    "page_budget",
    "pages_of",
    "pdf_failures",
    "print_clip_failures",
    "report_folder",
    "run",
    "size_failures",
]

VIEWPORTS = (  # label, width, height, device scale factor, phone
    ("1280", 1280, 800, 1, False),
    ("390", 390, 844, 2, True),
)
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
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
