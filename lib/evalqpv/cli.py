"""Command line: `evalqpv construire` and `evalqpv valider` (help and messages in French)."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from .problems import first_errors
from .settings import ProjectPaths, find_root, load_contract
from .store.atomic import write_text_atomic
from .store.build import build
from .store.validation_report import render
from .vocabulary import REPORTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="evalqpv",
        description="Boîte à outils d'évaluation du contrat de ville : construit et valide "
                    "le stock d'observations à partir de data/raw/.")
    parser.add_argument("--racine", type=Path, default=None,
                        help="dossier du projet (par défaut : détecté depuis le dossier courant)")
    sub = parser.add_subparsers(dest="commande", required=True, metavar="COMMANDE")
    sub.add_parser("construire", help="valide data/raw/ puis écrit data/processed/ "
                   "(stock, territoires, conflits, rapport de validation)")
    sub.add_parser("valider", help="valide data/raw/ et écrit seulement le rapport de validation")
    rap = sub.add_parser("rapports", help="met le stock à jour puis produit les rapports HTML "
                         "dans reports/<annee>/ (seuls les rapports périmés sont refaits)")
    rap.add_argument("--annee", type=int, default=None,
                     help="année d'évaluation (par défaut : la dernière année avec des données)")
    rap.add_argument("--territoire", default=None,
                     help="code du quartier prioritaire (par défaut : config/contrat.toml)")
    rap.add_argument("--axe", action="append", choices=REPORTS, metavar="RAPPORT",
                     help="ne produire que ce rapport (répétable) : " + ", ".join(REPORTS))
    rap.add_argument("--processus", type=int, default=None,
                     help="nombre de notebooks exécutés en parallèle (par défaut : nombre de "
                     "cœurs)")
    rap.add_argument("--perimetre", default=None, metavar="PERIMETRE",
                     help="tous les quartiers d'un département (92), d'une région (R11) ou "
                     "de France (FRANCE) : reports/<annee>/<code>/ pour chacun et un index "
                     "reports/<annee>/perimetres/<perimetre>.html")
    rap.add_argument("--planificateur", "--scheduler", dest="planificateur", default=None,
                     metavar="ADRESSE",
                     help="adresse du planificateur d'un cluster Dask existant (par exemple "
                     "tcp://serveur:8786 ; par défaut : variable EVALQPV_PLANIFICATEUR, sinon "
                     "un cluster local démarré par la commande)")
    rap.add_argument("--delai", type=float, default=None, metavar="SECONDES",
                     help="durée maximale d'un notebook ; au-delà il est arrêté et les autres "
                     "continuent (par défaut : variable EVALQPV_DELAI, sinon 600)")
    gab = sub.add_parser("gabarits", help="écrit un classeur Excel de collecte par partenaire "
                         "dans reports/<annee>/gabarits/")
    gab.add_argument("--annee", type=int, required=True, help="année de la collecte")
    gab.add_argument("--territoire", default=None,
                     help="code du quartier prioritaire (par défaut : config/contrat.toml)")
    args = parser.parse_args(argv)
    paths = ProjectPaths(args.racine.resolve() if args.racine else find_root())
    try:
        if args.commande == "gabarits":
            return _templates(paths, args.annee, args.territoire)
        if args.commande == "rapports":
            from .publish.run import run  # noqa: PLC0415

            return run(paths, annee=args.annee, territoire=args.territoire,
                       rapports=tuple(args.axe) if args.axe else REPORTS,
                       workers=args.processus, perimetre=args.perimetre,
                       planificateur=args.planificateur, delai=args.delai)
        return _run(paths, write=args.commande == "construire")
    except KeyboardInterrupt:
        print("Interrompu : le stock précédent est conservé.", file=sys.stderr)
        return 130
    except Exception:  # never a bare traceback for the evaluator
        log = paths.error_log
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(traceback.format_exc(), encoding="utf-8")
        print("Erreur interne de la boîte à outils (ce n'est pas une erreur dans vos "
              f"données). Le stock précédent est conservé. Détail technique : {log}",
              file=sys.stderr)
        return 3


def _templates(paths: ProjectPaths, annee: int, territoire: str | None) -> int:
    from .publish.workbooks import write_templates  # noqa: PLC0415 - loads pandas, openpyxl

    if not paths.store.exists():
        code = _run(paths, write=True)
        if code:
            return code
    try:
        made = write_templates(paths, annee, territoire or load_contract(paths).territoire)
    except ValueError as exc:  # ParameterError, SettingsError: French messages
        print(str(exc), file=sys.stderr)
        return 2
    for template in made:
        print(f"{template.path} : {template.partenaire}, {template.indicateurs} indicateur(s)")
    print(f"{len(made)} classeurs écrits. Une fois remplis, déposez-les dans "
          f"data/raw/partenaires/{annee}/ puis lancez `make rapports`.")
    return 0


def _run(paths: ProjectPaths, write: bool) -> int:
    if not paths.referentiel.exists():
        print(f"Référentiel introuvable : {paths.referentiel}. Lancez la commande depuis le "
              "dossier du projet ou précisez --racine.", file=sys.stderr)
        return 2
    result = build(paths, write=write)
    write_text_atomic(paths.validation_report, render(result))
    errors, warnings = len(result.problems.errors), len(result.problems.warnings)
    if result.ok:
        print(f"Validation réussie : {len(result.rows)} lignes dans le stock, "
              f"{warnings} avertissement(s), {len(result.conflicts)} conflit(s) entre sources.")
        if result.written:
            print(f"Stock écrit : {paths.store}")
        print(f"Rapport de validation : {paths.validation_report}")
        return 0
    print(f"Validation échouée : {errors} erreur(s), {warnings} avertissement(s). "
          "Le stock précédent est conservé.", file=sys.stderr)
    for line in first_errors(result.problems):
        print(line, file=sys.stderr)
    print(f"Toutes les erreurs : {paths.validation_report}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
