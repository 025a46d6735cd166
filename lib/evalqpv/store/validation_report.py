"""The validation report: what was read, what is wrong, and how to fix it, in French."""

from __future__ import annotations

from collections import defaultdict

from ..frenchnumbers import count, number
from ..problems import Problem, printable
from ..vocabulary import CHANGE_NATURES, RETURN_READ
from .build import BuildResult

MAX_PER_FILE = 25


def render(result: BuildResult) -> str:
    p = result.problems
    lines = ["# Rapport de validation des données", ""]
    if result.ok:
        state = ("Validation réussie : le stock `data/processed/observations.csv` a été "
                 "reconstruit." if result.written else "Validation réussie (rien n'a été écrit).")
    else:
        state = ("**Validation échouée** : le stock précédent est conservé tel quel. "
                 "Corrigez les erreurs ci-dessous puis relancez `make construire`.")
    lines += [state, "",
              f"- fichiers lus : {len(result.summaries)}",
              f"- observations lues : {_int(result.observations)}",
              f"- lignes du stock : {_int(len(result.rows))}",
              f"- erreurs bloquantes : {_int(len(p.blocking))}",
              f"- retours des partenaires : {_int(len(result.returns))}, dont "
              f"{_int(sum(r.statut != RETURN_READ for r in result.returns))} lu(s) en partie "
              "ou pas du tout",
              f"- erreurs dans les retours (non bloquantes) : {_int(len(p.contained))}",
              f"- avertissements : {_int(len(p.warnings))}",
              f"- conflits entre sources : {_int(len(result.conflicts))}", ""]
    lines += _problems("Erreurs (bloquantes)", p.blocking)
    lines += _returns(result)
    lines += _revisions(result)
    lines += _conflicts(result)
    lines += _missing(result)
    lines += _problems("Avertissements (non bloquants)", p.warnings)
    lines += ["## Fichiers lus", "",
              "| fichier | lecteur | millésime | observations | années de référence |",
              "|---|---|---|---:|---|"]
    for s in sorted(result.summaries, key=lambda s: s.fichier):
        years = sorted(set(s.annees.values()))
        lines.append(f"| {_code(s.fichier)} | {s.lecteur} | {s.millesime} | {_int(s.observations)} "
                     f"| {', '.join(map(str, years))} |")
    lines += ["", "Les colonnes des fichiers publiés que la boîte à outils n'utilise pas sont "
              "listées ci-dessous : une variable renommée par un producteur y apparaît.", ""]
    for s in sorted(result.summaries, key=lambda s: s.fichier):
        if s.colonnes_non_utilisees:
            lines.append(f"- {_code(s.fichier)} : "
                         f"{_escape(', '.join(s.colonnes_non_utilisees))}")
    return "\n".join(lines) + "\n"


def _problems(title: str, items: list[Problem]) -> list[str]:
    if not items:
        return [f"## {title}", "", "Aucun.", ""]
    out = [f"## {title}", ""]
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for item in items:
        by_file[item.fichier].append(item)
    for fichier in sorted(by_file):
        group = by_file[fichier]
        out.append(f"### {_code(fichier)} ({len(group)})")
        out.append("")
        for item in group[:MAX_PER_FILE]:
            out.append(f"- {_escape(item.render())}")
        if len(group) > MAX_PER_FILE:
            out.append(f"- … et {len(group) - MAX_PER_FILE} autres du même fichier.")
        out.append("")
    return out


def returns_summary(result: BuildResult) -> list[str]:
    """The partners' returns that were not read in full, one line each."""
    bad = [r for r in result.returns if r.statut != RETURN_READ]
    if not bad:
        return []
    return [f"Retours des partenaires lus en partie ou pas du tout : {len(bad)} sur "
            f"{len(result.returns)} (les autres chiffres et les rapports sont produits) :"] + \
        [printable(f"- {r.fichier} ({r.partenaire}) : {r.statut}, "
                   f"{count(r.valeurs, 'valeur lue')}. {r.message}") for r in bad]


def _returns(result: BuildResult) -> list[str]:
    """Every partner return found, what became of it, and its errors: they block
    nothing (the rows in error are left out, the other returns are read)."""
    out = ["## Retours des partenaires", ""]
    if not result.returns:
        return out + ["Aucun retour dans data/raw/partenaires/.", ""]
    out += ["Un retour illisible ou refusé, ou une ligne en erreur, n'empêche ni les autres "
            "retours ni les rapports : ses chiffres restent « à collecter ». Le détail est "
            "aussi dans `data/processed/retours.csv`.", "",
            "| collecte | partenaire | fichier | format | statut | valeurs lues | message |",
            "|---|---|---|---|---|---:|---|"]
    for r in sorted(result.returns, key=lambda r: (r.collecte, r.partenaire, r.fichier)):
        out.append(f"| {r.collecte} | {_escape(r.partenaire)} | {_code(r.fichier)} | {r.format} | "
                   f"{r.statut} | {_int(r.valeurs)} | {_escape(r.message)} |")
    out.append("")
    return out + _problems("Erreurs dans les retours des partenaires (non bloquantes)",
                           result.problems.contained)


def _conflicts(result: BuildResult) -> list[str]:
    out = ["## Conflits entre sources", ""]
    if not result.conflicts:
        return out + ["Aucun : quand deux sources donnent un chiffre pour le même indicateur, "
                      "territoire et année, elles concordent.", ""]
    out += ["Deux sources donnent des valeurs différentes pour le même indicateur, territoire "
            "et année. Toutes les valeurs sont gardées dans le stock (colonne `conflit`) ; "
            "aucune n'est choisie en silence.", "",
            "| nature | indicateur | territoire | année | valeurs (fichier, ligne) |",
            "|---|---|---|---|---|"]
    for c in result.conflicts:
        versions = " ≠ ".join(f"{v} ({where})" for v, where in c.versions)
        out.append(f"| {c.nature} | {c.indicateur} | {c.niveau} {c.code} | {c.annee} | "
                   f"{_escape(versions)} |")
    return out + [""]


def _escape(text: str) -> str:
    """Text from a file as Markdown prints it: on one line (problems.printable), no table
    cell broken by « | », no raw HTML."""
    return printable(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(name: str) -> str:
    """A file name in code style: on one line; a backtick in it cannot end the span."""
    text = printable(name).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _int(n: int) -> str:
    return number(n)


def _revisions(result: BuildResult) -> list[str]:
    out = ["## Ce qui a changé depuis le stock précédent", ""]
    if result.revisions is None:
        return out + ["Aucun stock précédent différent de celui-ci : rien à comparer.", ""]
    if not result.revisions:
        return out + ["Aucun chiffre nouveau, révisé ou disparu.", ""]
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for revision in result.revisions:
        counts[revision.nature][revision.indicateur] += 1
    for nature in CHANGE_NATURES:
        if nature not in counts:
            continue
        total = sum(counts[nature].values())
        detail = ", ".join(f"{ind} ({n})" for ind, n in sorted(counts[nature].items()))
        out.append(f"- {nature} : {_int(total)} — {detail}")
    return out + ["", "Détail ligne à ligne : `data/processed/changements.csv` ; stock "
                  "précédent : `data/processed/stock_precedent.csv`.", ""]


def _missing(result: BuildResult) -> list[str]:
    out = ["## Indicateurs sans aucune valeur dans le stock", ""]
    if result.referentiel is None:
        return out
    present = {row["indicateur"] for row in result.rows if row["valeur"]}
    by_partner: dict[str, list[str]] = defaultdict(list)
    for ind in result.referentiel.indicators.values():
        if ind.id not in present:
            by_partner[ind.partenaire].append(ind.id)
    if not by_partner:
        return out + ["Aucun.", ""]
    for partner in sorted(by_partner):
        out.append(f"- {partner} ({len(by_partner[partner])}) : "
                   + ", ".join(by_partner[partner]))
    return out + [""]
