"""The command line's grammar: `evalqpv`'s parser, its commands, options and help texts,
all in French (argparse's own messages translated), former option names accepted with a
notice. cli.py runs what it parses."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from .contract_settings import load_contract
from .errors import UserError
from .settings import ProjectPaths, find_root
from .vocabulary import REPORTS

# argparse's English messages, and what the evaluator reads instead.
_TRANSLATIONS = (
    (r"^argument (?P<a>[^:]+): ", "paramètre {a} : "),
    (r"invalid choice: (?P<v>'[^']*') \(choose from (?P<c>.*)\)",
     "choix invalide : {v} (choix possibles : {c})"),
    (r"invalid (?P<t>\w+) value: (?P<v>.*)", "valeur invalide : {v}"),
    (r"^the following arguments are required: (?P<a>.*)",
     "paramètres obligatoires manquants : {a}"),
    (r"^unrecognized arguments: (?P<a>.*)", "paramètres non reconnus : {a}"),
    (r"expected one argument", "une valeur est attendue"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"expected at most one argument", "au plus une valeur est attendue"),
    (r"^ambiguous option: (?P<o>\S+) could match (?P<m>.*)",
     "option ambiguë : {o} peut désigner {m}"),
    (r"ignored explicit argument (?P<v>.*)", "valeur inattendue ignorée : {v}"),
    (r"not allowed with argument (?P<a>.*)", "incompatible avec le paramètre {a}"),
    (r"^one of the arguments (?P<a>.*) is required", "l'un des paramètres {a} est requis"),
)


def french(message: str) -> str:
    """argparse's message in French (a part it does not know is left as it is)."""
    for pattern, replacement in _TRANSLATIONS:
        message = re.sub(pattern, _filler(replacement), message)
    return message


def _filler(replacement: str) -> Callable[[re.Match[str]], str]:
    return lambda match: replacement.format(**match.groupdict())


class _FrenchFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup],
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups,
                          prefix="utilisation : " if prefix is None else prefix)


class FrenchParser(argparse.ArgumentParser):
    """An ArgumentParser whose every word the user reads is French."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _FrenchFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="affiche cette aide et s'arrête")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french(message)}\n"
                     f"Aide : {self.prog} --help\n")


def _year(text: str) -> int:
    if not re.fullmatch(r"\s*\d{4}\s*", text):
        raise argparse.ArgumentTypeError(
            f"année invalide : « {text} » (attendu : une année sur quatre chiffres, par "
            "exemple 2025)")
    return int(text)


def _count(text: str) -> int:
    if not re.fullmatch(r"\s*[1-9]\d*\s*", text):
        raise argparse.ArgumentTypeError(
            f"nombre invalide : « {text} » (attendu : un entier positif, par exemple 2)")
    return int(text)


class _FormerName(argparse.Action):
    """An option's former spelling: still accepted, with a notice of its name now."""

    def __init__(self, option_strings: Sequence[str], dest: str, *, new: str,
                 append: bool = False, **kwargs: Any) -> None:
        self.new, self.append = new, append
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        notice(f"« {option_string} » s'appelle désormais « {self.new} » : l'ancien nom est "
               "encore accepté.")
        if self.append:
            setattr(namespace, self.dest, [*(getattr(namespace, self.dest) or []), values])
        else:
            setattr(namespace, self.dest, values)


def notice(text: str) -> None:
    """A note for the user (a former name used...), on the error stream."""
    print(f"Note : {text}", file=sys.stderr)


# What `rapports --help` says of the year when none is given; the year itself is
# computed by the code that chooses it (publish.run.default_year).
DEFAULT_YEAR_RULE = ("par défaut, la dernière année écoulée du contrat : en mai N+1, le "
                     "comité évalue l'année N ; avant le début du contrat, l'année qui le "
                     "précède")


def default_year_help(root: Path | None) -> str:
    """The help of --annee: the rule, and the year it gives today for the contract's
    quarter when the project and its store are found."""
    from .publish.run import default_year  # noqa: PLC0415 - only when help is built

    try:
        paths = ProjectPaths(root or find_root())
        contract = load_contract(paths)
        year = default_year(paths, contract, contract.territoire, date.today().year)
    except (OSError, UserError, json.JSONDecodeError, UnicodeDecodeError):
        year = None  # no project, no valid contract, no readable store: no year said
    said = f" ; aujourd'hui {year} pour le quartier du contrat" if year else ""
    return f"année d'évaluation ({DEFAULT_YEAR_RULE}{said})"


def parser(root: Path | None = None) -> FrenchParser:
    main = FrenchParser(
        prog="evalqpv",
        description="Boîte à outils d'évaluation du contrat de ville : construit et valide "
                    "le stock d'observations à partir de data/raw/, produit les rapports.")
    main.add_argument("--racine", type=Path, default=None,
                      help="dossier du projet (par défaut : détecté depuis le dossier courant)")
    sub = main.add_subparsers(dest="commande", required=True, metavar="COMMANDE",
                              title="commandes", parser_class=FrenchParser)
    sub.add_parser("construire", help="valide data/raw/ puis écrit data/processed/ "
                   "(stock, territoires, conflits, rapport de validation)")
    sub.add_parser("valider", help="valide data/raw/ et écrit seulement le rapport de "
                   "validation data/processed/validation.md (le stock n'est pas modifié)")
    rap = sub.add_parser("rapports", help="met le stock à jour puis produit les rapports HTML "
                         "dans reports/<annee>/ (seuls les rapports périmés sont refaits)")
    rap.add_argument("--annee", type=_year, default=None, help=default_year_help(root))
    rap.add_argument("--territoire", default=None,
                     help="code du quartier prioritaire (par défaut : config/contrat.toml)")
    rap.add_argument("--rapport", dest="rapports", action="append", choices=REPORTS,
                     metavar="RAPPORT",
                     help="ne produire que ce rapport (répétable) : " + ", ".join(REPORTS))
    rap.add_argument("--axe", dest="rapports", action=_FormerName, new="--rapport",
                     append=True, choices=REPORTS, help=argparse.SUPPRESS)
    rap.add_argument("--processus", type=_count, default=None,
                     help="nombre de notebooks exécutés en parallèle (par défaut : nombre de "
                     "cœurs)")
    rap.add_argument("--perimetre", default=None, metavar="PERIMETRE",
                     help="tous les quartiers d'un département (92), d'une région (R11) ou "
                     "de France (FRANCE) : reports/<annee>/<code>/ pour chacun et un index "
                     "reports/<annee>/perimetres/<perimetre>.html")
    rap.add_argument("--planificateur", default=None, metavar="ADRESSE",
                     help="adresse du planificateur d'un cluster Dask existant (par exemple "
                     "tcp://serveur:8786 ; par défaut : variable EVALQPV_PLANIFICATEUR, sinon "
                     "un cluster local démarré par la commande)")
    rap.add_argument("--scheduler", dest="planificateur", action=_FormerName,
                     new="--planificateur", help=argparse.SUPPRESS)
    rap.add_argument("--tableau-de-bord", action="store_true",
                     help="ouvre le tableau de bord du cluster Dask local et en donne "
                     "l'adresse (par défaut : aucun)")
    rap.add_argument("--delai", type=float, default=None, metavar="SECONDES",
                     help="durée maximale d'un notebook ; au-delà il est arrêté et les autres "
                     "continuent (par défaut : variable EVALQPV_DELAI, sinon 600)")
    gab = sub.add_parser("gabarits", help="écrit un classeur Excel de collecte par partenaire "
                         "dans collecte/<annee>/gabarits/ (collecte/<annee>/gabarits/<code>/ "
                         "pour un autre quartier que celui du contrat)")
    gab.add_argument("--annee", type=_year, required=True, help="année de la collecte")
    gab.add_argument("--territoire", default=None,
                     help="code du quartier prioritaire (par défaut : config/contrat.toml)")
    rel = sub.add_parser("relances", help="écrit les relances à envoyer : un fichier par "
                         "partenaire avec les indicateurs encore manquants pour l'année, dans "
                         "collecte/<annee>/relances/ (met d'abord le stock à jour)")
    rel.add_argument("--annee", type=_year, required=True, help="année de la collecte")
    nav = sub.add_parser("controle-navigateur", help="ouvre les rapports déjà produits dans "
                         "Chromium (accessibilité, 390 px, hors ligne, impression A4) ; `make "
                         "controle-navigateur` installe d'abord ce qu'il faut (.navigateur/) et "
                         "met les rapports à jour")
    nav.add_argument("--annee", type=_year, default=None,
                     help="année des rapports (par défaut : celle de `rapports`)")
    nav.add_argument("--territoire", default=None,
                     help="code du quartier prioritaire (par défaut : config/contrat.toml)")
    nav.add_argument("--page", default=None, help="une seule page (par exemple synthese)")
    return main


def root_in(argv: Sequence[str]) -> Path | None:
    """--racine, read before the parser is built (its help names the default year)."""
    for i, arg in enumerate(argv):
        if arg == "--racine" and i + 1 < len(argv):
            return Path(argv[i + 1]).resolve()
        if arg.startswith("--racine="):
            return Path(arg.split("=", 1)[1]).resolve()
    return None
