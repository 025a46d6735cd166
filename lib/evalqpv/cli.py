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
import locale
import os
import signal
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import NoReturn

from .cli_parser import default_year_help as default_year_help  # re-exported: tests
from .cli_parser import parser, root_in
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


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        utf8_mode()
    argv = sys.argv[1:] if argv is None else argv
    root = root_in(argv)
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
