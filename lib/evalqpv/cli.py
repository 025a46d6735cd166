"""Command line: `evalqpv construire`, `valider`, `rapports`, `gabarits`, `relances`,
`controle-navigateur` (help and messages in French, argparse's own included; never a
traceback). The Makefile's targets carry the same names (`make construire`, `make rapports
RAPPORT=emploi`...); former spellings are still accepted, with a notice.

Exit codes: 0 done; 1 the data has errors (or a report failed); 2 a mistake the user can
fix (errors.UserError: a bad parameter, an invalid configuration file...), its French
message printed; 3 an internal error (any other exception: a bug of the toolkit, the
traceback written to a log file that the message names), or another run holds the
project; 4 the system refused a write (disk full, read-only folder): nothing was half
written; 130 and 143 interrupted (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import argparse
import errno
import json
import locale
import os
import re
import signal
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from .contract_settings import load_contract
from .errors import UserError
from .frenchnumbers import count
from .problems import first_errors
from .settings import ProjectPaths, find_root
from .store.atomic import write_text_atomic
from .store.build import build
from .store.commit import public_path, recover
from .store.validation_report import render, returns_summary
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


def utf8_mode() -> None:
    """Run in Python's UTF-8 mode whatever the locale: under LC_ALL=C a project path
    with accents, a file name or a partner's text would not be encodable. A command
    started outside it is started again in it (the Makefile sets PYTHONUTF8=1 already)."""
    encoding = locale.getpreferredencoding(False).lower().replace("-", "")
    if sys.flags.utf8_mode or encoding == "utf8" or os.environ.get("PYTHONUTF8") == "1":
        return
    env = {**os.environ, "PYTHONUTF8": "1"}
    try:
        os.execve(sys.executable, [sys.executable, "-X", "utf8", "-m", "evalqpv",
                                   *sys.argv[1:]], env)
    except OSError as exc:
        sys.exit(f"La commande doit tourner en UTF-8 et n'a pas pu être relancée ainsi "
                 f"({exc.strerror}) : lancez-la avec PYTHONUTF8=1, ou avec une locale UTF-8 "
                 "(LANG=C.UTF-8).")


class Stopped(KeyboardInterrupt):
    """The command was asked to stop (SIGTERM): it stops as it does on Ctrl-C."""


def _stop(signum: int, frame: FrameType | None) -> NoReturn:
    raise Stopped


def _root_in(argv: Sequence[str]) -> Path | None:
    """--racine, read before the parser is built (its help names the default year)."""
    for i, arg in enumerate(argv):
        if arg == "--racine" and i + 1 < len(argv):
            return Path(argv[i + 1]).resolve()
        if arg.startswith("--racine="):
            return Path(arg.split("=", 1)[1]).resolve()
    return None


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        utf8_mode()
    argv = sys.argv[1:] if argv is None else argv
    root = _root_in(argv)
    try:
        command_line = parser(root)  # its help reads the contract and the store
    except Exception as exc:  # a bug: never a bare traceback for the evaluator
        log = write_error_log(ProjectPaths(root or find_root()), exc)
        print(internal_error_message(log), file=sys.stderr)
        return INTERNAL_ERROR
    args = command_line.parse_args(argv)
    paths = ProjectPaths(args.racine.resolve() if args.racine else find_root())
    try:
        previous = signal.signal(signal.SIGTERM, _stop)
    except ValueError:  # not the main thread (a test): no handler
        previous = None
    try:
        with technical_warnings():
            return _command(paths, args)
    except Stopped:
        print("Arrêt demandé (SIGTERM) : la commande s'est arrêtée proprement ; le stock "
              "précédent et les rapports déjà écrits sont conservés. Relancée, elle reprend "
              "ce qui reste à faire.", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("Interrompu (Ctrl-C) : le stock précédent et les rapports déjà écrits sont "
              "conservés. Relancée, la commande reprend ce qui reste à faire.", file=sys.stderr)
        return 130
    except UserError as exc:  # a bad parameter, an invalid configuration: French messages
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder: the system, not a bug
        log = write_error_log(paths, exc)
        print(system_message(paths, exc)
              + (f" Détail technique : {log}" if log else ""), file=sys.stderr)
        return 4
    except Exception as exc:  # a bug: never a bare traceback for the evaluator
        print(internal_error_message(write_error_log(paths, exc)), file=sys.stderr)
        return INTERNAL_ERROR
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _command(paths: ProjectPaths, args: argparse.Namespace) -> int:
    for note in recover(paths):
        print(note)
    if args.commande == "gabarits":
        return _templates(paths, args.annee, args.territoire)
    if args.commande == "relances":
        return _reminders(paths, args.annee)
    if args.commande == "controle-navigateur":
        return browser_check(paths, args.annee, args.territoire, args.page)
    if args.commande == "rapports":
        from .publish.run import run  # noqa: PLC0415

        return run(paths, annee=args.annee, territoire=args.territoire,
                   rapports=tuple(args.rapports) if args.rapports else REPORTS,
                   workers=args.processus, perimetre=args.perimetre,
                   planificateur=args.planificateur, delai=args.delai,
                   tableau_de_bord=args.tableau_de_bord)
    return _run(paths, write=args.commande == "construire")


@contextmanager
def technical_warnings() -> Iterator[None]:
    """The libraries' warnings (English, for developers) kept off the terminal: written to
    a log in the system's temporary folder, which one French line names."""
    with warnings.catch_warnings(record=True) as caught:  # the filters stay as they are
        try:
            yield
        finally:
            _log_warnings(caught)


def _log_warnings(caught: list[warnings.WarningMessage]) -> None:
    if not caught:
        return
    text = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno)
                   for w in caught)
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="evalqpv_avertissements_",
                                         suffix=".log", delete=False) as handle:
            handle.write(text)
    except OSError:
        return
    print(f"{count(len(caught), 'avertissement technique')} des bibliothèques utilisées "
          f"(en anglais, pour les développeurs) : {handle.name}", file=sys.stderr)


def browser_check(paths: ProjectPaths, annee: int | None, territoire: str | None,
                  page: str | None) -> int:
    """The reports opened in Chromium (publish/browser.py), in the check's own environment,
    .navigateur/ (installed by `make controle-navigateur`)."""
    python = paths.root / ".navigateur" / "bin" / "python"
    if not python.exists():
        print("Le contrôle dans un navigateur a son propre environnement, .navigateur/, qui "
              "n'est pas encore installé : lancez `make controle-navigateur` (il l'installe, "
              "met les rapports à jour, puis les contrôle).", file=sys.stderr)
        return 2
    command = [str(python), "-m", "evalqpv.publish.browser", "--racine", str(paths.root)]
    for option, value in (("--annee", annee), ("--territoire", territoire), ("--page", page)):
        if value is not None:
            command += [option, str(value)]
    lib = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": lib + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(command, env=env, check=False).returncode


INTERNAL_ERROR = 3  # the exit code of a bug


def internal_error_message(log: Path | None) -> str:
    """What the evaluator reads when the toolkit itself failed (a bug), in French."""
    where = (f"La trace complète de l'erreur est écrite dans {log} : joignez ce fichier à "
             "votre signalement." if log else
             "La trace complète de l'erreur n'a pu être écrite dans aucun fichier (ni "
             "data/processed/, ni le dossier temporaire du système).")
    return ("Erreur interne de la boîte à outils : un défaut du programme, pas une erreur "
            "dans vos données ni dans vos paramètres. Le stock précédent et les rapports "
            f"déjà écrits sont conservés. {where}")


def system_message(paths: ProjectPaths, exc: OSError) -> str:
    """What the system refused, where, and what to do, in French."""
    where = public_path(paths.label(Path(exc.filename))) if exc.filename \
        else "un fichier de sortie"
    kept = ("Rien n'a été écrit à moitié : le stock précédent et les rapports existants "
            "sont conservés.")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (f"Disque plein (ou quota, ou taille maximale de fichier atteints) : "
                f"impossible d'écrire {where}. {kept} Libérez de l'espace disque, puis "
                "relancez la commande.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"Écriture refusée dans {where} (dossier en lecture seule ou droits "
                f"insuffisants). {kept} Rendez ce dossier accessible en écriture, ou lancez "
                "la commande depuis une copie du projet.")
    return (f"Erreur du système de fichiers sur {where} : {exc.strerror or exc}. {kept}")


def write_error_log(paths: ProjectPaths, exc: BaseException) -> Path | None:
    """The traceback, written where it can be: data/processed/, unless that is where the
    failure happened, else the system's temporary folder; None when nowhere."""
    detail = "".join(traceback.format_exception(exc))
    failed = Path(exc.filename).resolve() if isinstance(exc, OSError) and exc.filename \
        else None
    for folder in (paths.error_log.parent, Path(tempfile.gettempdir())):
        if failed is not None and (failed == folder.resolve() or failed.parent ==
                                   folder.resolve()):
            continue  # not into the folder that just failed
        try:
            if folder == paths.error_log.parent:
                write_text_atomic(paths.error_log, detail)
                return paths.error_log
            handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder,
                                                 prefix="evalqpv_erreur_", suffix=".log",
                                                 delete=False)
            with handle:
                handle.write(detail)
            return Path(handle.name)
        except OSError:
            continue
    return None


def _templates(paths: ProjectPaths, annee: int, territoire: str | None) -> int:
    from .publish.workbooks import write_templates  # noqa: PLC0415 - loads pandas, openpyxl

    if not paths.store.exists():
        code = _run(paths, write=True)
        if code:
            return code
    contract = load_contract(paths)  # a UserError ends the command with its message
    quarter = (territoire or contract.territoire).strip().upper()
    made = write_templates(paths, annee, quarter)
    for template in made:
        print(f"{template.path} : {template.partenaire}, "
              f"{count(template.indicateurs, 'indicateur')}")
    if quarter == contract.territoire:
        print(f"{count(len(made), 'classeur écrit')}. Une fois remplis, déposez-les dans "
              f"data/raw/partenaires/{annee}/ puis lancez `make rapports`.")
    else:
        print(f"{count(len(made), 'classeur écrit')} pour le quartier {quarter}, à part de ceux du "
              f"contrat ({contract.territoire}), qui ne sont pas modifiés. data/raw/partenaires/ "
              "ne reçoit que les retours sur le quartier du contrat : ces classeurs y seraient "
              "refusés.")
    return 0


def _reminders(paths: ProjectPaths, annee: int) -> int:
    from .publish.reminders import write_reminders  # noqa: PLC0415 - loads pandas
    from .store.fingerprint import store_is_current  # noqa: PLC0415

    if not store_is_current(paths):
        code = _run(paths, write=True)
        if code:
            return code
    made = write_reminders(paths, annee)
    due = [r for r in made if r.path is not None]
    for reminder in due:
        print(f"{reminder.path} : {reminder.partenaire}, "
              f"{count(reminder.manquants, 'indicateur manquant')}")
    print(f"{count(len(due), 'partenaire')} à relancer sur {len(made)} ; le récapitulatif (demandé "
          f"le, relancé le, reçu le) : {paths.reminders_of_year(annee) / 'relances.csv'}.")
    return 0


def _run(paths: ProjectPaths, write: bool) -> int:
    if not paths.referentiel.exists():
        print(f"Référentiel introuvable : {paths.referentiel}. Lancez la commande depuis le "
              "dossier du projet ou précisez --racine.", file=sys.stderr)
        return 2
    result = build(paths, write=write)
    write_text_atomic(paths.validation_report, render(result))
    errors, problems_seen = len(result.problems.blocking), len(result.problems.warnings)
    if result.ok:
        print(f"Validation réussie : {count(len(result.rows), 'ligne')} dans le stock, "
              f"{count(problems_seen, 'avertissement')}, "
              f"{count(len(result.conflicts), 'conflit')} entre sources.")
        for line in returns_summary(result):
            print(line)
        if result.written:
            print(f"Stock écrit : {paths.store}")
        print(f"Rapport de validation : {paths.validation_report}")
        return 0
    print(f"Validation échouée : {count(errors, 'erreur')}, "
          f"{count(problems_seen, 'avertissement')}. "
          "Le stock précédent est conservé.", file=sys.stderr)
    for line in first_errors(result.problems):
        print(line, file=sys.stderr)
    print(f"Toutes les erreurs : {paths.validation_report}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
