"""The ``migac`` console command (WORKBOOK.md, "Command line").

::

    migac compute SCENARIO.xlsx --out DIR     compute, write DIR/{crra,regions,establishments}.csv
          [--workbook OUT.xlsx]               and the scenario with live output sheets
    migac validate SCENARIO.xlsx              list every problem of the scenario
    migac report SCENARIO.xlsx --pdf OUT.pdf  print the report without a window
          [--reference REF.xlsx]              with its differences from a reference
    migac compare A.xlsx B.xlsx --out DIR     compare B with the reference A, write
                                              DIR/{inputs,crra,regions,establishments}.csv
    migac sensitivity SCENARIO.xlsx --out DIR write DIR/sensitivity.csv (sensitivity_cli.py)
    migac notify SCENARIO.xlsx --out DIR      write DIR/<FINESS>.pdf and DIR/notifications.csv
          [--region NOM]                      (notify_cli.py)

Exit codes (the contract): 0 success, warnings on stderr, each line starting with
``Avertissement``; 2 invalid scenario or arguments, each problem on stderr in French
naming sheet, row and column; 1 any other failure. Never a Python traceback: an
unexpected exception becomes one French line (set ``MIGAC_DEBUG=1`` to get the
traceback instead).

Start-up matters for scripts that call ``migac`` in a loop: this module imports only
the standard library; pandas, numpy and openpyxl are imported by the command that needs
them, and matplotlib/Qt never (the report renderer brings its own imports).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .core.french import plural
from .core.numbers import format_number
from .oserrors import os_reason

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2



class CliExit(Exception):
    """Stop the command with ``code`` after the messages already printed."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


# --------------------------------------------------------------------------- output
def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    # One problem per line: a message never spans lines, so every warning line
    # starts with "Avertissement".
    print(" ".join(str(text).splitlines()), file=sys.stderr)


# --------------------------------------------------------------------------- arguments
# argparse's English errors, each with its French wording (\1, \2 … are argparse's words).
_ARGPARSE_FR_SOURCE = {
    r"the following arguments are required: (.*)": r"arguments obligatoires manquants : \1",
    r"unrecognized arguments: (.*)": r"arguments non reconnus : \1",
    r"ambiguous option: (\S+) could match (.*)": r"option ambiguë : \1 peut désigner \2",
    r"argument (.+?): invalid choice: (.+?) \(choose from (.*)\)":
        r"argument \1 : choix invalide : \2 (choisissez parmi \3)",
    r"argument (.+?): expected one argument": r"l'argument \1 attend une valeur",
    r"argument (.+?): expected at most one argument": r"l'argument \1 attend au plus une valeur",
    r"argument (.+?): expected at least one argument": r"l'argument \1 attend au moins une valeur",
    r"argument (.+?): ignored explicit argument (.*)": r"l'argument \1 ne prend pas de valeur (\2 ignoré)",
    r"argument (.+?): not allowed with argument (.*)": r"l'argument \1 est incompatible avec \2",
    r"one of the arguments (.*) is required": r"un des arguments \1 est obligatoire",
    r"argument (.+?): (.*)": r"argument \1 : \2",
}
_ARGPARSE_FR: list[tuple[re.Pattern[str], str]] = [
    (re.compile(f"^{english}$", re.S), french) for english, french in _ARGPARSE_FR_SOURCE.items()]


def _french_argparse_message(message: str) -> str:
    for pattern, replacement in _ARGPARSE_FR:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


class _FrenchHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None:
            prefix = "utilisation : "
        return super().add_usage(usage, actions, groups, prefix)


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse in French: usage errors print a French message and exit 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _FrenchHelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="affiche cette aide et quitte")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog} : erreur : {_french_argparse_message(message)}\n")


def build_parser() -> FrenchArgumentParser:
    from . import __version__

    parser = FrenchArgumentParser(
        prog="migac",
        description="MIGAC Desktop en ligne de commande : calcul, contrôle, rapport et comparaison "
                    "de scénarios de répartition de la MIG SAMU entre les CRRA.",
        epilog="Codes de sortie : 0 succès (avertissements sur la sortie d'erreur), "
               "2 scénario ou arguments invalides, 1 autre échec.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="affiche la version et quitte")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", title="commandes",
                                parser_class=FrenchArgumentParser)
    sub.required = True

    p = sub.add_parser("compute", help="calcule le scénario et écrit les résultats en CSV",
                       description="Calcule le scénario et écrit trois fichiers CSV dans le "
                                   "dossier DOSSIER : crra.csv, regions.csv et "
                                   "establishments.csv (UTF-8, virgule, point décimal, "
                                   "pleine précision).")
    p.add_argument("scenario", metavar="SCENARIO", help="classeur du scénario (.xlsx)")
    p.add_argument("--out", "-o", metavar="DOSSIER", required=True,
                   help="dossier des fichiers CSV (créé s'il n'existe pas)")
    p.add_argument("--workbook", "-w", metavar="SORTIE.xlsx",
                   help="écrit aussi le scénario dans ce classeur, avec ses feuilles de "
                        "résultats en formules (modèle vivant dans Excel ou LibreOffice)")
    p.set_defaults(handler=cmd_compute)

    p = sub.add_parser("validate", help="contrôle le scénario et liste chaque problème",
                       description="Contrôle le scénario et liste chaque erreur puis chaque "
                                   "avertissement, avec la feuille, la ligne et la colonne.")
    p.add_argument("scenario", metavar="SCENARIO", help="classeur du scénario (.xlsx)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("report", help="imprime le rapport du scénario en PDF",
                       description="Imprime le rapport du scénario en PDF sans ouvrir de "
                                   "fenêtre.")
    p.add_argument("scenario", metavar="SCENARIO", help="classeur du scénario (.xlsx)")
    p.add_argument("--pdf", metavar="FICHIER.pdf", required=True, help="fichier PDF à écrire")
    p.add_argument("--region", metavar="RÉGION",
                   help="limite le rapport à une région (par défaut : tout le scénario)")
    p.add_argument("--reference", metavar="RÉFÉRENCE.xlsx",
                   help="ajoute la section « Écarts au scénario de référence » : les données "
                        "d'entrée et les résultats qui diffèrent de ce scénario de référence")
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("compare", help="compare un scénario à un scénario de référence",
                       description="Compare le scénario B au scénario de référence A et écrit "
                                   "quatre fichiers CSV dans le dossier DOSSIER : inputs.csv "
                                   "(chaque donnée d'entrée qui diffère), crra.csv, regions.csv "
                                   "et establishments.csv (résultats de A et de B et écart "
                                   "B − A).")
    p.add_argument("reference", metavar="A", help="classeur du scénario de référence (.xlsx)")
    p.add_argument("scenario", metavar="B", help="classeur du scénario comparé (.xlsx)")
    p.add_argument("--out", "-o", metavar="DOSSIER", required=True,
                   help="dossier des fichiers CSV (créé s'il n'existe pas)")
    p.set_defaults(handler=cmd_compare)
    from .sensitivity_cli import add_parser as add_sensitivity_parser

    add_sensitivity_parser(sub)
    from .notify_cli import add_parser as add_notify_parser

    add_notify_parser(sub)
    return parser


# --------------------------------------------------------------------------- loading
def _print_problems(problems, source: str | None = None) -> None:
    """Errors first, then warnings, one per line, each naming sheet, row and column
    (and ``source``, the file, when a command reads two: « scénario B « b.xlsx » »)."""
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    for problem in errors + warnings:
        if source is None:
            _err(str(problem))
        else:
            head = "Erreur" if problem.is_error else "Avertissement"
            where = ", ".join(filter(None, (source, problem.location)))
            _err(f"{head} — {where} : {problem.message}")


def load_scenario(path_text: str, source: str | None = None):
    """Read and validate the workbook; return ``(scenario, problems, results)``.

    ``results`` are those computed while validating (None when there are errors):
    a command never runs the model a second time.

    Exits with code 2 (``CliExit``) when the file cannot give a scenario; the caller
    decides what to do with the problems (errors and warnings). ``source`` names the
    file in every message (``migac compare`` reads two).
    """
    path = Path(path_text)
    named = source or f"« {path_text} »"
    # A missing file, a folder, an empty, truncated or non-xlsx file: the reader
    # says so with a WorkbookError (exit 2), never an exception of its own.
    from .io.workbook import WorkbookError, open_scenario

    try:
        loaded = open_scenario(path)
    except WorkbookError as exc:
        problems = list(getattr(exc, "problems", None) or [])
        if problems:
            _print_problems(problems, source)
        else:
            _err(f"Erreur — {named} : {exc}")
        raise CliExit(EXIT_INVALID) from None
    except IsADirectoryError:
        _err(f"Erreur — {named} est un dossier, pas un classeur Excel (.xlsx).")
        raise CliExit(EXIT_INVALID) from None
    except FileNotFoundError:
        _err(f"Erreur — {source} : fichier introuvable." if source
             else f"Erreur — fichier introuvable : « {path_text} ».")
        raise CliExit(EXIT_INVALID) from None
    except OSError as exc:
        _err(f"Erreur — impossible de lire {named} : {os_reason(exc)}.")
        raise CliExit(EXIT_FAILURE) from None
    return loaded.scenario, list(loaded.problems), loaded.results


def load_valid_scenario(path_text: str, source: str | None = None):
    """Load, print the problems; exit 2 on errors, else return ``(scenario, results)``.

    Warnings go to stderr and the command goes on.
    """
    # The one-argument call of the commands reading one file (what tests stub).
    scenario, problems, results = (load_scenario(path_text, source) if source
                                   else load_scenario(path_text))
    _print_problems(problems, source)
    n_errors = sum(1 for p in problems if p.is_error)
    if n_errors:
        _err(f"Erreur — {source or 'scénario'} invalide : {plural(n_errors, 'erreur')}, "
             "aucun résultat calculé.")
        raise CliExit(EXIT_INVALID)
    return scenario, compute_results(scenario, results, source)


def compute_results(scenario, results=None, source: str | None = None):
    """``results`` when the reader computed them, else the one evaluation."""
    if results is not None:
        return results
    from .core.model import ModelError
    from .core.validation import computed

    try:
        return computed(scenario)
    except ModelError as exc:
        _print_problems(exc.problems, source)
        raise CliExit(EXIT_INVALID) from None


# --------------------------------------------------------------------------- commands
def cmd_compute(args) -> int:
    if not args.out.strip():
        _err("Erreur — l'option --out attend un dossier, pas un texte vide.")
        return EXIT_INVALID
    if args.workbook is not None and not args.workbook.strip():
        _err("Erreur — l'option --workbook attend un nom de classeur (.xlsx), pas un texte vide.")
        return EXIT_INVALID
    scenario, results = load_valid_scenario(args.scenario)

    from .core.numbers import format_euros
    from .io.csv_export import write_results_csv

    try:
        written = write_results_csv(results, args.out)
    except OSError as exc:
        where = exc.filename or args.out
        _err(f"Erreur — impossible d'écrire les résultats dans « {where} » : "
             f"{os_reason(exc)}.")
        return EXIT_FAILURE
    if args.workbook is not None:
        from .io.workbook import write_scenario

        try:
            write_scenario(scenario, Path(args.workbook), results=results)
        except OSError as exc:     # WorkbookWriteError: already a French sentence
            _err(f"Erreur — {exc}")
            return EXIT_FAILURE
        written = list(written) + [args.workbook]

    national = results.national
    title = scenario.parameters.titre or Path(args.scenario).name
    _out(f"Scénario : {title}")
    _out(f"{plural(len(results.region_codes), 'CRRA', 'CRRA')}, "
         f"{plural(len(results.region_names), 'région')}, "
         f"{plural(len(results.finess_names), 'établissement')}")
    _out(f"Total historique : {format_euros(national['historic'])}")
    _out(f"Total modélisé : {format_euros(national['modelled'])}")
    if results.years:
        last = results.years[-1]
        _out(f"Dotations {last} : {format_euros(national[f'alloc_{last}'])}")
    _out("Fichiers écrits :")
    for path in written:
        _out(f"  {path}")
    return EXIT_OK


def cmd_validate(args) -> int:
    scenario, problems, _ = load_scenario(args.scenario)
    _print_problems(problems)
    n_errors = sum(1 for p in problems if p.is_error)
    n_warnings = len(problems) - n_errors
    n_crra = len(scenario.crra)
    if n_errors:
        _out(f"Scénario invalide : {plural(n_errors, 'erreur')}, "
             f"{plural(n_warnings, 'avertissement')}.")
        return EXIT_INVALID
    if n_warnings:
        _out(f"Scénario valide ({n_crra} CRRA), avec {plural(n_warnings, 'avertissement')}.")
    else:
        _out(f"Scénario valide ({n_crra} CRRA) : aucun problème.")
    return EXIT_OK


def _report_renderer(name: str = "write_report_pdf") -> Callable | None:
    """The PDF writer ``name`` (the report's, or ``write_notification_pdfs`` for
    ``migac notify``), or None where Qt is not installed.

    The report's content is built by the Qt-free reporting layer, but its pages are laid
    out by Qt (the same layout as the window's print preview), so the PDF writer lives
    in the ui layer and starts an offscreen QGuiApplication itself: the one import of
    the ui layer by the command line (allowed by name in the import contracts).
    Imported here, on use, so that the other commands never load Qt.
    """
    try:
        from .ui.printing import write_notification_pdfs, write_report_pdf
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("PySide6", "shiboken6"):
            return None
        raise
    renderers: dict[str, Callable] = {"write_report_pdf": write_report_pdf,
                                      "write_notification_pdfs": write_notification_pdfs}
    return renderers[name]


def cmd_report(args) -> int:
    if not args.pdf.strip():
        _err("Erreur — l'option --pdf attend un nom de fichier (.pdf), pas un texte vide.")
        return EXIT_INVALID
    render = _report_renderer()
    if render is None:
        _err("La commande report a besoin de Qt (PySide6), absent de cette installation : "
             "installez PySide6-Essentials, ou imprimez le rapport depuis la fenêtre.")
        return EXIT_FAILURE
    reference = None
    if args.reference is None:
        scenario, results = load_valid_scenario(args.scenario)
    else:
        if not args.reference.strip():
            _err("Erreur — l'option --reference attend un classeur (.xlsx), pas un texte vide.")
            return EXIT_INVALID
        # Both files read before stopping, each message naming its file (as compare).
        loaded, codes = [], []
        for what, path in (("scénario", args.scenario), ("scénario de référence", args.reference)):
            try:
                loaded.append(load_valid_scenario(path, source=f"{what} « {path} »"))
            except CliExit as exc:
                codes.append(exc.code)
        if codes:
            return EXIT_INVALID if EXIT_INVALID in codes else max(codes)
        (scenario, results), (ref_scenario, ref_results) = loaded
        from .reporting.report_reference import Reference

        reference = Reference(ref_scenario, ref_results, Path(args.reference))
    if args.region is not None:
        regions = {str(r) for r in scenario.crra["region"]}
        if args.region not in regions:
            shown = ", ".join(f"« {r} »" for r in sorted(regions))
            _err(f"Erreur — la région « {args.region} » n'a aucun CRRA dans le scénario "
                 f"(régions : {shown}).")
            return EXIT_INVALID
    try:
        options = {} if reference is None else {"reference": reference}
        written = render(scenario, results, Path(args.pdf), region=args.region,
                         source=Path(args.scenario), **options)
    except OSError as exc:
        _err(f"Erreur — impossible d'écrire « {exc.filename or args.pdf} » : "
             f"{os_reason(exc)}.")
        return EXIT_FAILURE
    pages = getattr(written, "page_count", None)
    _out(f"Rapport écrit : {args.pdf}" + (f" ({plural(pages, 'page')})" if pages else ""))
    return EXIT_OK


def cmd_compare(args) -> int:
    if not args.out.strip():
        _err("Erreur — l'option --out attend un dossier, pas un texte vide.")
        return EXIT_INVALID
    # Both files are read and checked before stopping, so that every problem of each is
    # listed at once, each naming its file.
    loaded, codes = [], []
    for letter, path in (("A", args.reference), ("B", args.scenario)):
        try:
            loaded.append(load_valid_scenario(path, source=f"scénario {letter} « {path} »"))
        except CliExit as exc:
            codes.append(exc.code)
    if codes:
        return EXIT_INVALID if EXIT_INVALID in codes else max(codes)
    (scenario_a, results_a), (scenario_b, results_b) = loaded

    from .core.comparison import BOTH, ONLY_A, ONLY_B, compare_results, input_differences
    from .core.numbers import format_signed_euros
    from .io.comparison_csv import write_comparison_csv

    differences = input_differences(scenario_a, scenario_b)
    results = compare_results(results_a, results_b)
    for letter, years in (("A", results.years_only_a), ("B", results.years_only_b)):
        if years:
            shown = ", ".join(str(y) for y in years)
            _err(f"Avertissement — {plural(len(years), 'année')} de lissage du scénario {letter} "
                 f"seulement, non comparée{'s' if len(years) > 1 else ''} : {shown}.")
    try:
        written = write_comparison_csv(differences, results, args.out)
    except OSError as exc:
        where = exc.filename or args.out
        _err(f"Erreur — impossible d'écrire la comparaison dans « {where} » : "
             f"{os_reason(exc)}.")
        return EXIT_FAILURE

    _out(f"Référence (A) : {scenario_a.parameters.titre or Path(args.reference).name}")
    _out(f"Scénario (B) : {scenario_b.parameters.titre or Path(args.scenario).name}")
    _out(f"Données d'entrée différentes : {format_number(len(differences))}")
    status = results.crra.frame["status"].to_numpy()
    _out(f"CRRA : {format_number(int((status == BOTH).sum()))} dans les deux, "
         f"{format_number(int((status == ONLY_A).sum()))} seulement dans A, "
         f"{format_number(int((status == ONLY_B).sum()))} seulement dans B")
    crra = results.crra.frame
    _out(f"Écart du total modélisé (B − A) : {format_signed_euros(crra['delta_modelled'].sum())}")
    if results.years:
        last = results.years[-1]
        _out(f"Écart des dotations {last} (B − A) : "
             f"{format_signed_euros(crra[f'delta_alloc_{last}'].sum())}")
    _out("Fichiers écrits :")
    for path in written:
        _out(f"  {path}")
    return EXIT_OK


# --------------------------------------------------------------------------- entry point
def _tolerant_streams() -> None:
    """Never die on a console that cannot show « », — or a no-break space."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # pragma: no cover - exotic streams
                pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``migac``; return the exit code (the console script exits with it)."""
    _tolerant_streams()
    debug = os.environ.get("MIGAC_DEBUG", "") not in ("", "0")
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version, usage errors
            code = exc.code
            return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_INVALID)
        return args.handler(args)
    except CliExit as exc:
        return exc.code
    except KeyboardInterrupt:
        _err("Erreur — interrompu.")
        return EXIT_FAILURE
    except BrokenPipeError:
        # The reader of our output went away (``migac … | head``): nothing to say,
        # and nothing for the interpreter to complain about when it flushes at exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # pragma: no cover - exotic streams
            pass
        return EXIT_FAILURE
    except MemoryError:
        _err("Erreur — mémoire insuffisante pour ce scénario.")
        return EXIT_FAILURE
    except Exception as exc:    # the contract: never a traceback (re-raised only with debug)
        if debug:
            raise
        detail = " ".join(str(exc).split()) or exc.__class__.__name__
        _err(f"Erreur inattendue : {detail} ({exc.__class__.__name__}). "
             "Relancez avec MIGAC_DEBUG=1 pour le détail.")
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
