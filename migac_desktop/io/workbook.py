"""The scenario workbook of WORKBOOK.md: read, validate, write.

Reading is tolerant (retyped headers, blank rows, numbers typed as text) and
never lets a bad file raise anything but :class:`WorkbookError`; every cell
that cannot be read becomes a located French problem. Writing is atomic: the
previous file stays intact unless the new one is complete on disk.

openpyxl is imported inside the functions that use it: start-up does not pay
for it.
"""

from __future__ import annotations

import errno
import math
import os
import posixpath
import re
import stat
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import schema
from ..core.french import fewest_decimals
from ..core.numbers import NumberError, format_number, is_excel_error, parse_number
from ..core.scenario import TABLES, Parameters, Scenario, empty_table
from ..core.validation import ERROR, WARNING, Problem, errors_of, evaluate, warnings_of
from ..oserrors import WriteError, os_reason, write_error
from . import formulas as live_formulas
from . import safety
from .atomic import TargetBusy, write_atomically
from .headers import column_letter, normalize_header

__all__ = [
    "Loaded", "WorkbookError", "WorkbookWriteError", "defusedxml_active",
    "open_scenario", "read_scenario", "write_scenario",
]

REQUIRED_SHEETS = (schema.PARAMETERS_SHEET, "Référentiel", "Lissage", "CRRA")
OPTIONAL_SHEETS = ("Enveloppes régionales",)
INPUT_SHEETS = REQUIRED_SHEETS + OPTIONAL_SHEETS
_SHEET_ORDER = {name: i for i, name in enumerate(INPUT_SHEETS)}

_SAVE_ADVICE = "Enregistrez-le au format .xlsx depuis Excel ou LibreOffice."


# -- errors and result -----------------------------------------------------

class WorkbookError(Exception):
    """The file cannot give a scenario at all; ``problems`` says why, in French."""

    def __init__(self, problems: list[Problem], filename: str | None = None):
        self.problems = list(problems)
        self.filename = filename
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1 and not self.problems[0].location:
            return self.problems[0].message
        head = (f"Le fichier « {self.filename} » ne peut pas être ouvert comme scénario :"
                if self.filename else "Le classeur ne peut pas être ouvert comme scénario :")
        return "\n".join([head] + [f"  • {p}" for p in self.problems])


WorkbookWriteError = WriteError   # saving failed; the previous file, if any, is untouched


@dataclass
class Loaded:
    scenario: Scenario
    problems: list[Problem]
    # Cells whose read error is only counted (a column full of errors), for open_scenario.
    counted: dict = field(default_factory=dict, repr=False, compare=False)
    # open_scenario's ``evaluate(scenario)``: (problems, results), for the window.
    evaluation: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def results(self):
        """The results computed while validating (None with errors or when not validated)."""
        return None if self.evaluation is None else self.evaluation[1]

    @property
    def errors(self) -> list[Problem]:
        return errors_of(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return warnings_of(self.problems)


def defusedxml_active() -> bool:
    """True when openpyxl parses through defusedxml (no XML bombs from a shared file)."""
    import openpyxl.xml

    return bool(openpyxl.xml.DEFUSEDXML)


# -- reading ---------------------------------------------------------------

def open_scenario(path) -> Loaded:
    """Read and validate: what the window and the command line call.

    A validation problem on a cell the reader already reported (``« abc »
    n'est pas un nombre`` then ``valeur manquante``) is dropped.
    """
    loaded = read_scenario(path)
    by_key = {(p.sheet, p.row, p.key) for p in loaded.problems if p.is_error and p.key}
    by_column = {(p.sheet, p.row, p.column) for p in loaded.problems if p.is_error and p.column}
    merged = list(loaded.problems)
    counted = loaded.counted
    evaluation = evaluate(loaded.scenario)
    for p in evaluation[0]:
        if p.row is not None and ((p.key and (p.sheet, p.row, p.key) in by_key)
                                  or (p.column and (p.sheet, p.row, p.column) in by_column)
                                  or p.row in counted.get((p.sheet, p.key or p.column), ())):
            continue
        merged.append(p)
    merged.sort(key=_problem_order)
    return Loaded(loaded.scenario, merged, evaluation=evaluation)


def _problem_order(p: Problem) -> tuple:
    sheet = -1 if p.sheet is None else _SHEET_ORDER.get(p.sheet, len(_SHEET_ORDER))
    return (sheet, -1 if p.row is None else p.row)


def read_scenario(path) -> Loaded:
    """The scenario of an input workbook and the problems met while reading it.

    Output sheets are skipped unread: a stale or damaged result sheet never
    stops a scenario from opening.
    """
    path = Path(path)
    _check_readable(path)
    try:
        # Zip bomb, XML entities, oversized sheets: refused before openpyxl parses.
        plan = safety.check_file(path, lambda title: _sheet_kind(title)[0] == "output",
                                 optional_sheet=lambda title: _sheet_kind(title)[0] == "extra")
        sheets, extra_sheets, notes = _load_sheets(path, plan.workbook, plan.dropped)
    except safety.UnsafeFile as exc:
        raise WorkbookError(exc.problems, path.name) from None
    reader = _Reader(path.name)
    reader.problems.extend(notes)
    return reader.build(sheets, extra_sheets, plan.uncomputed)


def _check_readable(path: Path) -> None:
    name = path.name or str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        _fail(f"Le fichier « {name} » est introuvable : vérifiez son nom et son dossier.", name)
    except OSError as exc:
        _fail(f"Le fichier « {name} » ne peut pas être lu ({os_reason(exc)}).", name)
    if stat.S_ISDIR(st.st_mode):
        _fail(f"« {name} » est un dossier et non un fichier : choisissez un classeur .xlsx.", name)
    if not stat.S_ISREG(st.st_mode):
        # A FIFO would block the first read forever; a device never ends.
        _fail(f"« {name} » n'est pas un fichier ordinaire (tube nommé, périphérique ou prise de "
              "communication) : choisissez un classeur .xlsx enregistré sur un disque.", name)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        _fail(f"Le fichier « {name} » ne peut pas être lu ({os_reason(exc)}) : "
              "vérifiez vos droits sur ce fichier.", name)
    if not head:
        _not_xlsx(name, "le fichier est vide")
    if not head.startswith(b"PK"):
        # Password-protected or .xls (OLE), CSV, HTML, PDF…: said by name.
        _fail(safety.not_a_workbook(path, name, head), name)


def _fail(message: str, name: str):
    raise WorkbookError([Problem(ERROR, message)], name)


def _not_xlsx(name: str, reason: str):
    _fail(f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : {reason}. "
          f"{_SAVE_ADVICE}", name)


def _sheet_kind(title: str) -> tuple[str, str | None]:
    """("input", canonical name), ("output", None) or ("extra", None)."""
    norm = normalize_header(title)
    for name in INPUT_SHEETS:
        if normalize_header(name) == norm:
            return "input", name
    for name in schema.RESULT_SHEETS:
        if normalize_header(name) == norm:
            return "output", None
    return "extra", None


def _load_sheets(path: Path, workbook_part: str = "", dropped: dict[str, str] | None = None
                 ) -> tuple[dict[str, list[tuple]], dict[str, list[tuple]], list[Problem]]:
    """Input and extra sheets as rows of values, row 1 first, blank rows kept; and warnings.

    Only what a scenario needs is parsed (:mod:`.xlsx_reader`): no stylesheet
    but its date formats, no document properties, nothing after a sheet's cells.
    Whatever a parser meets in a damaged file means "not a readable workbook",
    said with the part at fault. An extra sheet that cannot be read within the
    limits is left out with a warning naming it: it is not kept on save.
    """
    import zipfile

    from . import xlsx_reader as xr

    name = path.name
    notes: list[Problem] = []
    inputs: dict[str, list[tuple]] = {}
    extras: dict[str, list[tuple]] = {}
    try:
        with open(path, "rb") as fh, zipfile.ZipFile(fh) as archive:
            package = xr.Package(archive)
            part = package.find(workbook_part) or xr.workbook_part(package)
            if part is None:
                _no_workbook(name, archive.namelist())
            info = xr.read_workbook(package, part)
            strings = xr.read_strings(package, info.strings)
            dates, durations = xr.read_date_styles(package, info.styles, safety.MAX_CELL_FORMATS)
            limits = safety.ReadLimits()
            wanted, kept = [], []
            for ref in info.sheets:
                kind, canonical = _sheet_kind(ref.title)
                if kind == "output":
                    continue
                if ref.kind != "worksheet" or ref.part is None:
                    if kind == "extra" and ref.part is not None:
                        notes.append(_dropped_sheet(ref.title, "ce n'est pas une feuille de calcul "
                                                               "(feuille graphique ou de macros)"))
                    continue
                if kind == "input" and all(c != canonical for _, c in wanted):
                    wanted.append((ref, canonical))
                elif dropped and ref.title in dropped:
                    notes.append(_dropped_sheet(ref.title, dropped[ref.title]))
                else:
                    kept.append(ref)   # a second « crra » sheet is kept, not read
            # Cells and rows openpyxl cannot place or convert: said at their cell.
            with warnings.catch_warnings(), safety.checked_cells():
                warnings.simplefilter("ignore")
                for ref, canonical in wanted:
                    inputs[canonical] = limits.rows(ref.title, xr.sheet_rows(
                        package, ref.part, strings, dates, durations, info.date1904))
                for ref in kept:        # after the input sheets: they have the limits first
                    try:
                        extras[ref.title] = limits.rows(ref.title, xr.sheet_rows(
                            package, ref.part, strings, dates, durations, info.date1904), optional=True)
                    except safety.SheetDropped as exc:
                        notes.append(_dropped_sheet(ref.title, exc.message, exc.row, exc.column))
    except (safety.UnsafeFile, WorkbookError):
        raise
    except PermissionError:
        _fail(f"Le fichier « {name} » ne peut pas être lu (accès refusé) : "
              "vérifiez vos droits sur ce fichier.", name)
    except xr.TooManyFormats as exc:
        _fail(safety._unsafe(name, f"la partie « {exc.part} » (les styles du classeur) déclare plus de "
                                   f"{format_number(exc.limit)} formats de cellule, plus qu'Excel n'en "
                                   "permet", "Enregistrez-le de nouveau depuis Excel ou LibreOffice après "
                                             "avoir supprimé les styles inutiles."), name)
    except xr.PartError as exc:
        _not_xlsx(name, f"le fichier est endommagé ou incomplet (la partie « {exc.part[:120]} » : "
                        f"{_describe(exc.cause)})")
    except Exception as exc:  # noqa: BLE001 - see docstring
        _not_xlsx(name, f"le fichier est endommagé ou incomplet ({_describe(exc)})")
    return inputs, extras, notes


def _no_workbook(name: str, members: list[str]):
    inner = sorted(m for m in members if m.lower().endswith((".xlsx", ".xlsm")))
    if inner:
        _fail(f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : c'est une archive "
              f"ZIP qui contient le classeur « {posixpath.basename(inner[0])[:100]} ». Extrayez-le "
              "de l'archive (clic droit > Extraire tout…) puis ouvrez le fichier extrait.", name)
    _not_xlsx(name, "c'est une archive ZIP qui ne contient pas de classeur "
                    "(un document Word ou OpenDocument, par exemple)")


def _dropped_sheet(title: str, reason: str, row: int | None = None, column: str | None = None) -> Problem:
    """The warning for an extra sheet left out; the reason's first sentence only (its advice is a refusal's)."""
    reason = reason.split(". ", 1)[0].rstrip(".")
    return Problem(WARNING, "cette feuille ne sera pas conservée à l'enregistrement, car MIGAC Desktop ne "
                   f"la lit pas : {reason}. Si vous en avez besoin, copiez-la dans un autre classeur avant "
                   "d'enregistrer le scénario.", title, row, column)


def _describe(exc: BaseException) -> str:
    return safety.describe_error(exc)    # in French: the parser's English means nothing here


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_blank_row(row: tuple) -> bool:
    return all(_blank(v) for v in row)


def _cell(row: tuple, index: int | None) -> object:
    if index is None or index >= len(row):
        return None
    return row[index]


def _text(value: object) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def _integral(value: object) -> int | None:
    """The integer of a numeric cell (``10000001`` or ``75.0``), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value == int(value)):
        return None
    return int(value)


def _finess(value: object) -> str:
    number = _integral(value)
    if number is not None and number >= 0:
        return str(number).zfill(9)   # a FINESS typed as a number lost its leading zero
    return _text(value)


def _departement(value: object) -> str:
    number = _integral(value)
    if number is not None and number >= 0:
        return str(number).zfill(2)   # 1 → "01", 971 → "971"
    return _text(value)


_HINTS = {
    "number": "saisissez un nombre (par exemple 1 234,5)",
    "integer": "saisissez un nombre entier (par exemple 2014)",
    "fraction": "saisissez un pourcentage (par exemple 7 % ou 0,07)",
}


def _number_message(reason: str, kind: str, value: object) -> str:
    message = f"{reason} : {_HINTS.get(kind, _HINTS['number'])}"
    if isinstance(value, (datetime, date, time)):
        message += " ; la cellule est au format date : passez-la au format nombre"
    return message + "."


class _Reader:
    """Turns the raw rows of the input sheets into a scenario and read problems."""

    # A column full of bad cells (a hostile file: 45 000 rows of #N/A) is detailed for
    # its first cells only, then counted: time and memory stay bounded.
    DETAILED = 100

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []
        self.fatal: list[Problem] = []
        self.per_column: dict[tuple, list] = {}   # (severity, sheet, column) → [n, first, last, key]
        self.counted: dict[tuple, set] = {}       # (sheet, key or column) → rows only counted

    def error(self, message, sheet=None, row=None, column=None, key=None):
        if not self._counted_only(ERROR, sheet, row, column, key):
            self.problems.append(Problem(ERROR, message, sheet, row, column, key))

    def warning(self, message, sheet=None, row=None, column=None, key=None):
        if not self._counted_only(WARNING, sheet, row, column, key):
            self.problems.append(Problem(WARNING, message, sheet, row, column, key))

    def _counted_only(self, severity, sheet, row, column, key) -> bool:
        if sheet is None or row is None or column is None:
            return False
        group = self.per_column.setdefault((severity, sheet, column), [0, None, None, key])
        group[0] += 1
        if group[0] <= self.DETAILED:
            return False
        group[1] = row if group[1] is None else group[1]
        group[2] = row
        if severity == ERROR:
            rows = self.counted.setdefault((sheet, column), set())
            rows.add(row)
            if key:
                self.counted[(sheet, key)] = rows
        return True

    def _count_summaries(self) -> None:
        for (severity, sheet, column), (n, first, last, key) in self.per_column.items():
            if n > self.DETAILED:
                more = n - self.DETAILED
                self.problems.append(Problem(
                    severity, f"… et {format_number(more)} autre(s) cellule(s) de cette colonne, de "
                    f"la ligne {first} à la ligne {last}, ont un problème du même genre, non "
                    "détaillé ici : corrigez toute la colonne puis ouvrez de nouveau le fichier.",
                    sheet, first, column, key))

    # -- structure ---------------------------------------------------------
    def build(self, sheets: dict[str, list[tuple]], extra_sheets: dict[str, list[tuple]],
              uncomputed: dict[str, list[tuple[int, int]]] | None = None) -> Loaded:
        for name in REQUIRED_SHEETS:
            if name not in sheets:
                self.fatal.append(Problem(ERROR, self._missing_sheet_message(name), name))
        param_layout = self._parameter_layout(sheets.get(schema.PARAMETERS_SHEET))
        layouts = {}
        for sheet, table in TABLES.items():
            if sheet in sheets:
                layouts[sheet] = self._layout(sheet, table, sheets[sheet])
        if self.fatal:
            raise WorkbookError(self.fatal, self.filename)

        scenario = Scenario()
        scenario.extra_sheets = extra_sheets
        params, extra_params, param_rows, defaulted = self._read_parameters(
            sheets[schema.PARAMETERS_SHEET], param_layout)
        scenario.parameters = params
        scenario.extra_parameters = extra_params
        scenario.parameter_rows = param_rows
        scenario.defaulted_parameters = defaulted
        for sheet, table in TABLES.items():
            if sheet in layouts:
                frame, rows = self._read_table(sheet, table, sheets[sheet], layouts[sheet])
            else:
                frame, rows = empty_table(table), []
            scenario.set_table(sheet, frame)
            scenario.source_rows[sheet] = rows
        if uncomputed:
            self._uncomputed(uncomputed, layouts, param_layout, param_rows)
        self._count_summaries()
        return Loaded(scenario, self.problems, self.counted)

    def _uncomputed(self, uncomputed, layouts, param_layout, param_rows) -> None:
        """Formulas no spreadsheet program computed (read as empty): said, at their cell."""
        message = ("la cellule contient une formule qu'aucun tableur n'a calculée (fichier produit "
                   "par un programme) : ouvrez le fichier dans Excel ou LibreOffice et "
                   "enregistrez-le pour calculer ses formules, ou saisissez la valeur.")
        said = {(p.sheet, p.row, p.key) for p in self.problems if p.is_error}
        for title, cells in uncomputed.items():
            kind, sheet = _sheet_kind(title)
            if kind != "input":
                continue
            if sheet == schema.PARAMETERS_SHEET:
                keys = {row: key for key, row in param_rows.items()}
                at = [(row, "Valeur", keys[row]) for row, col in cells
                      if col - 1 == param_layout.get("Valeur") and row in keys]
            elif sheet in layouts:
                columns = {index: key for key, index in layouts[sheet][0].items()}
                at = [(row, TABLES[sheet].column(columns[col - 1]).header, columns[col - 1])
                      for row, col in cells if row > 1 and col - 1 in columns]
            else:
                continue
            for row, header, key in at:
                if (sheet, row, key) not in said:
                    self.error(message, sheet, row, header, key)

    @staticmethod
    def _missing_sheet_message(sheet: str) -> str:
        if sheet == schema.PARAMETERS_SHEET:
            headers = schema.PARAMETER_HEADERS
        else:
            headers = tuple(c.header for c in TABLES[sheet].columns)
        listed = ", ".join(f"« {h} »" for h in headers)
        return (f"feuille absente du classeur : ajoutez-la (nommée « {sheet} ») avec, "
                f"en ligne 1, les colonnes {listed}.")

    def _missing_column(self, sheet: str, header: str, key: str | None) -> None:
        self.fatal.append(Problem(
            ERROR, f"colonne « {header} » absente : ajoutez l'en-tête « {header} » en ligne 1 "
                   "(la casse et les accents n'importent pas).", sheet, 1, header, key))

    def _parameter_layout(self, rows: list[tuple] | None) -> dict[str, int | None]:
        if rows is None:
            return {}
        header = rows[0] if rows else ()
        wanted = {normalize_header(h): h for h in schema.PARAMETER_HEADERS}
        wanted[normalize_header("Cle")] = "Clé"
        layout: dict[str, int | None] = {h: None for h in schema.PARAMETER_HEADERS}
        for index, cell in enumerate(header):
            h = wanted.get(normalize_header(cell))
            if h is not None and layout[h] is None:
                layout[h] = index
        for h in ("Clé", "Valeur"):
            if layout[h] is None:
                self._missing_column(schema.PARAMETERS_SHEET, h, None)
        return layout

    def _layout(self, sheet: str, table, rows: list[tuple]) -> tuple[dict, list]:
        """Declared column → index, and the extra columns as (index, header)."""
        header = rows[0] if rows else ()
        lookup = {}
        for col in table.columns:
            lookup.setdefault(normalize_header(col.header), col.key)
            lookup.setdefault(normalize_header(col.key), col.key)
        declared: dict[str, int] = {}
        extras: list[tuple[int, str]] = []
        taken: set[str] = set(table.keys)
        for index, cell in enumerate(header):
            key = lookup.get(normalize_header(cell))
            if key is not None and key not in declared:
                declared[key] = index
                continue
            if key is not None:
                first = column_letter(declared[key])
                self.warning(f"colonne « {cell} » en double : seule la première (colonne {first}) "
                             "est lue ; celle-ci est conservée telle quelle à l'enregistrement.",
                             sheet, 1, str(cell).strip())
            if not _blank(cell):
                extras.append((index, self._unique(str(cell) if not isinstance(cell, str) else cell,
                                                   taken)))
        # Data under a blank header is kept too, under a made-up header.
        width = max((len(r) for r in rows[1:]), default=0)
        used = set(declared.values()) | {i for i, _ in extras}
        from_letters = []
        for index in range(width):
            if index in used or (index < len(header) and not _blank(header[index])):
                continue
            if any(index < len(r) and not _blank(r[index]) for r in rows[1:]):
                from_letters.append((index, self._unique(f"Colonne {column_letter(index)}", taken)))
        extras = sorted(extras + from_letters)
        optional_sheet = sheet in OPTIONAL_SHEETS and not any(not _blank(c) for c in header)
        if not optional_sheet:
            for col in table.columns:
                if col.required and col.key not in declared:
                    self._missing_column(sheet, col.header, col.key)
        return declared, extras

    @staticmethod
    def _unique(name: str, taken: set[str]) -> str:
        candidate, n = name, 2
        while candidate in taken:
            candidate = f"{name} ({n})"
            n += 1
        taken.add(candidate)
        return candidate

    # -- parameters --------------------------------------------------------
    def _read_parameters(self, rows, layout):
        sheet = schema.PARAMETERS_SHEET
        by_name = {}
        for spec in schema.PARAMETERS:
            by_name.setdefault(normalize_header(spec.key), spec)
        by_label = {normalize_header(spec.label): spec for spec in schema.PARAMETERS}
        values: dict[str, object] = {}
        param_rows: dict[str, int] = {}
        extras: list[tuple] = []
        i_key, i_label, i_value, i_unit = (layout[h] for h in schema.PARAMETER_HEADERS)
        for excel_row, row in enumerate(rows[1:], start=2):
            if _is_blank_row(row):
                continue
            raw_key, label = _cell(row, i_key), _cell(row, i_label)
            raw_value = _cell(row, i_value)
            kept = (raw_key, label, raw_value, _cell(row, i_unit))
            norm = normalize_header(raw_key)
            spec = by_name.get(norm) or by_label.get(norm)
            if spec is None and _blank(raw_key):
                spec = by_label.get(normalize_header(label))
            if spec is None:
                extras.append(kept)
                if _blank(raw_key):
                    self.warning("ligne sans clé : le modèle l'ignore (elle est conservée à "
                                 "l'enregistrement).", sheet, excel_row, "Clé")
                else:
                    known = ", ".join(p.key for p in schema.PARAMETERS)
                    self.warning(f"clé « {_text(raw_key)} » inconnue : le modèle l'ignore (elle est "
                                 f"conservée à l'enregistrement). Clés reconnues : {known}.",
                                 sheet, excel_row, "Clé")
                continue
            if spec.key in values:
                extras.append(kept)
                self.warning(f"la clé « {spec.key} » apparaît déjà ligne {param_rows[spec.key]} : "
                             "seule la première valeur est utilisée.", sheet, excel_row, "Clé", spec.key)
                continue
            param_rows[spec.key] = excel_row
            values[spec.key] = self._parameter_value(spec, raw_value, excel_row)
        defaulted = []
        for spec in schema.PARAMETERS:
            if spec.key in values:
                continue
            defaulted.append(spec.key)
            if spec.key not in ("titre", "note", "enveloppe_cible"):
                self.warning(f"paramètre « {spec.key} » ({spec.label}) absent : la valeur par défaut "
                             f"{_shown_default(spec)} est utilisée ; ajoutez une ligne pour le fixer.",
                             sheet, None, "Clé", spec.key)
        return Parameters(**values), extras, param_rows, tuple(defaulted)

    def _parameter_value(self, spec, value, excel_row):
        sheet = schema.PARAMETERS_SHEET
        if spec.kind == "text":
            if is_excel_error(value):
                self.error(f"la cellule contient l'erreur Excel {value.strip().upper()} : "
                           "saisissez un texte.", sheet, excel_row, "Valeur", spec.key)
                return ""
            return _text(value)
        if spec.kind == "choice":
            text = _text(value)
            for choice in schema.CALIBRATIONS:
                if normalize_header(choice) == normalize_header(text):
                    return choice
            choices = ", ".join(f"« {c} »" for c in schema.CALIBRATIONS)
            shown = f"« {text} » inconnu" if text else "vide"
            self.error(f"calage {shown} : choisissez {choices}.", sheet, excel_row, "Valeur", spec.key)
            return text
        try:
            number = parse_number(value, spec.unit)
        except NumberError as exc:
            self.error(f"« {spec.label} » : " + _number_message(str(exc), spec.kind, value),
                       sheet, excel_row, "Valeur", spec.key)
            return None if spec.key == "enveloppe_cible" else math.nan
        if math.isnan(number):
            return None if spec.key == "enveloppe_cible" else math.nan
        if spec.kind == "integer":
            if number != int(number):
                self.error(f"« {spec.label} » doit être un nombre entier "
                           f"({format_number(number, 2)}).", sheet, excel_row, "Valeur", spec.key)
                return math.nan
            return int(number)
        return number

    # -- tables ------------------------------------------------------------
    def _note_only_row(self, sheet, excel_row, row, extras) -> None:
        """A row with text in extra columns only (a remark under the table): not a row of
        the model, and never an error (WORKBOOK.md); said, since it is not saved back."""
        filled = [name for index, name in extras if not _blank(_cell(row, index))]
        listed = ", ".join(f"« {name} »" for name in filled)
        self.warning(f"ligne ignorée : seules des colonnes hors modèle ({listed}) y sont remplies. "
                     "Elle ne sera pas réécrite à l'enregistrement : pour garder ce texte, "
                     "placez-le sur la ligne d'un élément du tableau ou dans une autre feuille.",
                     sheet, excel_row, filled[0] if filled else None)

    def _read_table(self, sheet, table, rows, layout):
        declared, extras = layout
        kept: list[tuple] = []
        excel_rows: list[int] = []
        model_columns = list(declared.values())
        for excel_row, row in enumerate(rows[1:], start=2):
            if _is_blank_row(row):
                continue
            if model_columns and all(_blank(_cell(row, i)) for i in model_columns):
                self._note_only_row(sheet, excel_row, row, extras)
                continue
            kept.append(row)
            excel_rows.append(excel_row)
        data: dict[str, object] = {}
        for col in table.columns:
            index = declared.get(col.key)
            raw = [_cell(r, index) for r in kept]
            if col.numeric:
                data[col.key] = self._numbers(sheet, col, raw, excel_rows)
            else:
                data[col.key] = pd.Series(self._texts(sheet, col, raw, excel_rows), dtype="object")
        if table is schema.CRRA:
            geo = data["geo_coef"]
            empty = np.array([_blank(v) for v in (_cell(r, declared.get("geo_coef")) for r in kept)],
                             dtype=bool)
            if len(geo):
                geo[empty] = 0.0   # an empty coefficient is 0 %; a bad one stays NaN
        if table is schema.BANDS:
            labels = data["label"]
            data["label"] = pd.Series([lab or f"T{i + 1}" for i, lab in enumerate(labels)],
                                      dtype="object")
        for index, name in extras:
            # object dtype: values stay exactly as read (None, int, text, date).
            data[name] = pd.Series([_cell(r, index) for r in kept], dtype="object")
        if not kept:
            frame = empty_table(table)
            for _, name in extras:
                frame[name] = pd.Series([], dtype="object")
            return frame, []
        return pd.DataFrame(data), excel_rows

    def _numbers(self, sheet, col, raw, excel_rows) -> np.ndarray:
        out = np.empty(len(raw), dtype="float64")
        for i, value in enumerate(raw):
            try:
                number = parse_number(value, col.unit)
            except NumberError as exc:
                self.error(_number_message(str(exc), col.kind, value),
                           sheet, excel_rows[i], col.header, col.key)
                number = math.nan
            else:
                if col.kind == "integer" and not math.isnan(number) and number != int(number):
                    self.error(f"la valeur doit être un nombre entier ({format_number(number, 2)}).",
                               sheet, excel_rows[i], col.header, col.key)
                    number = math.nan
                elif isinstance(value, str) and _AMBIGUOUS_COMMA.fullmatch(value.strip()):
                    shown = fewest_decimals(number, 3)
                    self.warning(f"« {value.strip()} » est lu {shown} (virgule "
                                 "décimale) ; si vous vouliez "
                                 f"{format_number(number * 1000, 0)}, saisissez-le sans virgule.",
                                 sheet, excel_rows[i], col.header, col.key)
            out[i] = number
        return out

    def _texts(self, sheet, col, raw, excel_rows) -> list[str]:
        convert = {"finess": _finess}.get(col.kind, _text)
        if col.key == "departement":
            convert = _departement
        out = []
        for i, value in enumerate(raw):
            if is_excel_error(value):
                self.error(f"la cellule contient l'erreur Excel {value.strip().upper()} : "
                           f"saisissez « {col.header} ».", sheet, excel_rows[i], col.header, col.key)
                out.append("")
            else:
                out.append(convert(value))
        return out


# « 45,000 »: 45 with a French decimal comma, or 45 000 with an English thousands
# separator. Read the French way, and said.
_AMBIGUOUS_COMMA = re.compile(r"[-+\u2212]?\d{1,3},\d{3}(?:\s*(?:€|%|eur))?", re.I)


def _shown_default(spec) -> str:
    value = spec.default
    if spec.kind == "integer":
        return str(value)
    if spec.kind == "number":
        decimals = 0 if float(value) == int(value) else 2
        unit = f" {spec.unit}" if spec.unit else ""
        return format_number(float(value), decimals) + unit
    return f"« {value} »"


# -- writing ---------------------------------------------------------------

EURO = '#,##0 "€"'
EURO_CENTS = '#,##0.00 "€"'
PERCENT = "0.0%"
ETP = "0.0#"
COUNT = "#,##0"
YEAR = "0"
TEXT = "@"

_INPUT_FORMATS = {
    ("CRRA", "departement"): TEXT, ("CRRA", "finess"): TEXT, ("CRRA", "drm"): COUNT,
    ("CRRA", "geo_coef"): PERCENT, ("CRRA", "historic"): EURO,
    ("CRRA", "etp_arm_override"): ETP, ("CRRA", "etp_mr_override"): ETP,
    ("Référentiel", "drm_min"): COUNT, ("Référentiel", "etp_arm"): ETP,
    ("Référentiel", "etp_mr"): ETP,
    ("Lissage", "year"): YEAR, ("Lissage", "share"): PERCENT,
    ("Enveloppes régionales", "year"): YEAR, ("Enveloppes régionales", "amount"): EURO,
}

# The Excel format of each display kind of the results' catalogue (core/schema.py).
_KIND_FORMATS = {"drm": COUNT, "etp": ETP, "euros": EURO, "signed_euros": EURO,
                 "percent": PERCENT, "signed_percent": PERCENT}

_WIDTHS = {EURO: 15, EURO_CENTS: 15, PERCENT: 10, ETP: 9, COUNT: 11, YEAR: 8, TEXT: 12}

NO_RESULTS_NOTE = ("Résultats non disponibles : le scénario contient des erreurs. Corrigez-les "
                   "(dans MIGAC Desktop ou avec « migac validate ») puis enregistrez de nouveau.")


def _save_workbook(book: "_Book", path: str) -> None:
    """The one step that writes the file; separate so tests can make it fail."""
    book.save(path)


def write_scenario(scenario: Scenario, path, results=None) -> None:
    """Write the input sheets, the kept extras and the results, atomically.

    The workbook goes to a temporary file beside the target, is flushed to
    disk, then renamed over it: a crash or a full disk never leaves a
    half-written scenario in place of a good one.
    """
    path = Path(path)
    name = path.name or str(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookWriteError(
            f"Impossible d'enregistrer « {name} » : le dossier « {folder} » n'existe pas. "
            "Choisissez un dossier existant.")
    if path.is_dir():
        raise WorkbookWriteError(
            f"Impossible d'enregistrer « {name} » : c'est un dossier. Choisissez un nom de fichier.")
    try:
        book = _build_workbook(scenario, results)
    except Exception as exc:  # noqa: BLE001 - reported in French, nothing written yet
        raise write_error(name, folder, exc) from exc
    try:
        write_atomically(path, lambda tmp: _save_workbook(book, tmp),
                         prefix=f".~{path.stem}.", suffix=".xlsx")
    except BaseException as exc:
        book.discard()
        if isinstance(exc, TargetBusy):     # Windows: the file is open in Excel
            raise _locked_error(name, path) from exc
        if isinstance(exc, Exception):
            raise write_error(name, folder, exc) from exc
        raise


def _locked_error(name: str, path: Path) -> WorkbookWriteError:
    owner = safety.lock_owner(path)
    where = f"ouvert dans {owner.describe()}" if owner else (
        "ouvert dans un autre programme (Excel, LibreOffice…) ou protégé en écriture")
    err = WorkbookWriteError(
        f"Impossible d'enregistrer « {name} » : le fichier est {where}. Fermez-le dans ce "
        "programme puis enregistrez de nouveau, ou utilisez « Enregistrer sous… » pour choisir "
        "un autre nom. Le fichier précédent est intact.")
    err.errno = errno.EACCES
    return err


# openpyxl builds the skeleton of the workbook (styles, widths, frozen
# header, filters, print titles, header rows); the data rows, which are
# almost all of the file, are then written straight as XML into each sheet's
# <sheetData>, with a shared string table. openpyxl's own cell-by-cell writer
# takes several seconds for a 10 000-CRRA scenario; this takes well under one,
# and shared strings also make the file faster to open again.

_SST_PATH = "xl/sharedStrings.xml"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DATE_FORMATS = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd", time: "h:mm:ss",
                 timedelta: "[h]:mm:ss"}


def _escape(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _letters(n: int) -> list[str]:
    return [column_letter(i) for i in range(n)]


def _escape_formulas(formulas: list[str]) -> list[str]:
    """XML-escape a column of formulas in one pass (most need nothing)."""
    joined = "\n".join(formulas)
    if "&" not in joined and "<" not in joined and ">" not in joined:
        return formulas
    return joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split("\n")


def _formula_cell(ref: str, s_attr: str, formula: str, cached) -> str:
    """A formula cell whose cached value is not a float: a text, an integer, or "" (None)."""
    if cached is None or cached == "":
        return f'<c r="{ref}"{s_attr} t="str"><f>{formula}</f><v></v></c>'
    if isinstance(cached, str):
        return f'<c r="{ref}"{s_attr} t="str"><f>{formula}</f><v>{_escape(cached)}</v></c>'
    if isinstance(cached, bool):
        return f'<c r="{ref}"{s_attr} t="b"><f>{formula}</f><v>{int(cached)}</v></c>'
    number = float(cached)
    if not math.isfinite(number):
        return f'<c r="{ref}"{s_attr}><f>{formula}</f></c>'
    return f'<c r="{ref}"{s_attr}><f>{formula}</f><v>{cached!r}</v></c>'


class _Book:
    """An openpyxl write-only workbook plus the data rows of each sheet."""

    def __init__(self):
        from openpyxl import Workbook
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.wb = Workbook(write_only=True)
        self._cell_class = Cell
        self._style_cache: dict[tuple, tuple] = {}
        self._header_font = Font(bold=True)
        self._header_fill = PatternFill("solid", fgColor="DCE6F1")
        self._header_align = Alignment(wrap_text=True, vertical="center")
        self._header_border = Border(bottom=Side(style="thin", color="808080"))
        self._wrap_align = Alignment(wrap_text=True)
        self.print_title = "Scénario MIG SAMU"      # the printed pages' header
        self.bodies: dict[object, list[str]] = {}      # sheet → XML chunks of rows
        self.strings: dict[str, int] = {}
        self._probe = None
        self._date_styles: dict[type, int] = {}

    # -- styles ------------------------------------------------------------
    def style(self, ws, fmt: str | None, bold: bool = False, header: bool = False,
              wrap: bool = False):
        """(StyleArray, style id) of a number format, bold, header or wrapped-text look."""
        key = (fmt, bold, header, wrap)
        if key not in self._style_cache:
            cell = self._cell_class(ws, row=1, column=1)
            if fmt:
                cell.number_format = fmt
            if bold or header:
                cell.font = self._header_font
            if header:
                cell.fill = self._header_fill
                cell.alignment = self._header_align
                cell.border = self._header_border
            elif wrap:
                cell.alignment = self._wrap_align
            self._style_cache[key] = (cell._style, cell.style_id if cell.has_style else 0)
        return self._style_cache[key]

    def date_style(self, ws, kind: type) -> int:
        if kind not in self._date_styles:
            self._date_styles[kind] = self.style(ws, _DATE_FORMATS[kind])[1]
        return self._date_styles[kind]

    # -- cells -------------------------------------------------------------
    def header_row(self, ws, headers: list[str]) -> None:
        style = self.style(ws, None, header=True)[0]
        cells = []
        for h in headers:
            cell = self._cell_class(ws, row=1, column=1, style_array=style)
            cell.value = _legal_text(str(h))
            cell.data_type = "s"    # a header "=x" stays text
            cells.append(cell)
        ws.append(cells)

    def add_rows(self, ws, start: int, columns: list[list], style_ids: list[int],
                 heights: dict[int, float] | None = None) -> int:
        """Append rows (given column-wise) as XML; returns the next free row number.

        ``heights``: row (0-based in ``columns``) → height in points, for wrapped texts.
        """
        if not columns:
            return start
        letters = _letters(len(columns))
        s_attrs = [f' s="{sid}"' if sid else "" for sid in style_ids]
        strings = self.strings
        chunk: list[str] = []
        chunks = self.bodies.setdefault(ws, [])
        row_number = start
        heights = heights or {}
        for row in zip(*columns):
            n = str(row_number)
            ht = heights.get(row_number - start)
            parts = [f'<row r="{n}">' if ht is None else _row_tag(n, ht)]
            for letter, s_attr, value in zip(letters, s_attrs, row):
                if value is None:
                    continue
                kind = type(value)
                if kind is float or kind is int:
                    parts.append(f'<c r="{letter}{n}"{s_attr}><v>{value!r}</v></c>')
                elif kind is str:
                    if not value:
                        continue
                    index = strings.get(value)
                    if index is None:
                        index = strings[value] = len(strings)
                    parts.append(f'<c r="{letter}{n}"{s_attr} t="s"><v>{index}</v></c>')
                else:
                    parts.append(self._other_cell(ws, f"{letter}{n}", s_attr, value))
            parts.append("</row>")
            chunk.append("".join(parts))
            row_number += 1
            if len(chunk) >= 2000:
                chunks.append("".join(chunk))
                chunk = []
        if chunk:
            chunks.append("".join(chunk))
        return row_number

    def _other_cell(self, ws, ref: str, s_attr: str, value) -> str:
        from openpyxl.utils.datetime import to_excel

        if isinstance(value, bool):
            return f'<c r="{ref}"{s_attr} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):          # numpy-free subclasses
            number = float(value)
            return f'<c r="{ref}"{s_attr}><v>{number!r}</v></c>' if math.isfinite(number) else ""
        for kind in (datetime, date, time, timedelta):
            if isinstance(value, kind):
                if getattr(value, "tzinfo", None) is not None:
                    value = value.replace(tzinfo=None)
                serial = to_excel(value)
                return f'<c r="{ref}" s="{self.date_style(ws, kind)}"><v>{serial!r}</v></c>'
        text = str(value)
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return f'<c r="{ref}"{s_attr} t="s"><v>{index}</v></c>'

    def add_formula_rows(self, ws, start: int, columns: list[list], style_ids: list[int],
                         formulas: list[list[str] | None],
                         heights: dict[int, float] | None = None) -> int:
        """Like :meth:`add_rows`, with formula columns (output sheets only).

        ``formulas[i]`` is None for a column of values, else one formula per row
        (text without ``=``, from :mod:`.formulas`); ``columns[i]`` then holds the
        cached values: the application's own results, which readers that do not
        compute (openpyxl, previews) show. Built column by column, then joined.
        """
        if not columns:
            return start
        rows = [str(r) for r in range(start, start + len(columns[0]))]
        by_column = []
        for letter, sid, values, forms in zip(_letters(len(columns)), style_ids, columns,
                                              formulas):
            s_attr = f' s="{sid}"' if sid else ""
            if forms is None:
                by_column.append([self._value_cell(ws, f"{letter}{n}", s_attr, v)
                                  for n, v in zip(rows, values)])
                continue
            forms = _escape_formulas(forms)
            by_column.append([
                f'<c r="{letter}{n}"{s_attr}><f>{f}</f><v>{v!r}</v></c>' if type(v) is float
                else _formula_cell(f"{letter}{n}", s_attr, f, v)
                for n, f, v in zip(rows, forms, values)])
        chunks = self.bodies.setdefault(ws, [])
        tags = [f'<row r="{n}">' for n in rows]
        for i, ht in (heights or {}).items():
            tags[i] = _row_tag(rows[i], ht)
        for at in range(0, len(rows), 2000):
            block = zip(*(c[at:at + 2000] for c in by_column))
            chunks.append("".join(f'{tag}{"".join(cells)}</row>'
                                  for tag, cells in zip(tags[at:at + 2000], block)))
        return start + len(rows)

    def _value_cell(self, ws, ref: str, s_attr: str, value) -> str:
        if value is None or value == "":
            return ""
        kind = type(value)
        if kind is float or kind is int:
            return f'<c r="{ref}"{s_attr}><v>{value!r}</v></c>'
        if kind is str:
            index = self.strings.get(value)
            if index is None:
                index = self.strings[value] = len(self.strings)
            return f'<c r="{ref}"{s_attr} t="s"><v>{index}</v></c>'
        return self._other_cell(ws, ref, s_attr, value)

    # -- saving ------------------------------------------------------------
    def discard(self) -> None:
        """Close and delete openpyxl's per-sheet temporary files after a failed save."""
        for ws in self.wb.worksheets:
            writer = getattr(ws, "_writer", None)
            if writer is None:
                continue
            try:
                if not ws.closed:
                    ws.close()
            except Exception:  # noqa: BLE001 - best effort clean-up
                pass
            try:
                os.remove(writer.out)
            except OSError:
                pass

    def save(self, path: str) -> None:
        import io
        import zipfile

        skeleton = io.BytesIO()
        self.wb.save(skeleton)
        paths = {ws.path.lstrip("/"): ws for ws in self.bodies}
        with zipfile.ZipFile(skeleton) as src, \
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            names = src.namelist()
            if _SST_PATH in names:      # a future openpyxl writing its own table
                raise RuntimeError("openpyxl a déjà écrit une table de chaînes partagées")
            for name in names:
                data = src.read(name)
                if name in paths:
                    self._write_sheet(out, name, data.decode("utf-8"), self.bodies[paths[name]])
                    continue
                if name == "[Content_Types].xml":
                    data = _insert_before(data, b"</Types>", (
                        f'<Override PartName="/{_SST_PATH}" ContentType="{_SST_TYPE}"/>').encode())
                elif name == "xl/_rels/workbook.xml.rels":
                    data = _insert_before(data, b"</Relationships>", (
                        f'<Relationship Id="rIdMigacStrings" Type="{_SST_REL}" '
                        'Target="sharedStrings.xml"/>').encode())
                out.writestr(src.getinfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
            with out.open(_SST_PATH, "w") as fh:
                count = len(self.strings)
                fh.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<sst xmlns="{_MAIN_NS}" count="{count}" uniqueCount="{count}">'
                         .encode())
                batch = []
                for text in self.strings:
                    space = ' xml:space="preserve"' if text != text.strip() else ""
                    batch.append(f"<si><t{space}>{_escape(text)}</t></si>")
                    if len(batch) >= 5000:
                        fh.write("".join(batch).encode("utf-8"))
                        batch = []
                fh.write(("".join(batch) + "</sst>").encode("utf-8"))

    @staticmethod
    def _write_sheet(out, name: str, xml: str, chunks: list[str]) -> None:
        end = xml.rfind("</sheetData>")
        if end < 0:
            empty = xml.find("<sheetData")
            close = xml.find("/>", empty)
            if empty < 0 or close < 0:
                raise RuntimeError(f"feuille {name} sans <sheetData>")
            head, tail = xml[:empty] + "<sheetData>", "</sheetData>" + xml[close + 2:]
        else:
            head, tail = xml[:end], xml[end:]
        with out.open(name, "w") as fh:
            fh.write(head.encode("utf-8"))
            for chunk in chunks:
                fh.write(chunk.encode("utf-8"))
            fh.write(tail.encode("utf-8"))


def _row_tag(n: str, height: float) -> str:
    return f'<row r="{n}" ht="{height:g}" customHeight="1">'


def _legal_text(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _insert_before(data: bytes, marker: bytes, insert: bytes) -> bytes:
    at = data.rfind(marker)
    if at < 0:
        raise RuntimeError(f"{marker.decode()} introuvable dans le squelette du classeur")
    return data[:at] + insert + data[at:]


def _plain(value):
    """A cell value the writer accepts: Python scalars, no NaN, no numpy types."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, bool, int, datetime, date, time, timedelta)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


# Printing (Excel, LibreOffice): A4 landscape, the scenario's title and the sheet's name
# in the header, the file's name and « Page n sur N » in the footer, cell grid printed.
# A sheet is fit to the page's width only when that keeps it at _MIN_SCALE or more; a
# wider one prints over several pages, its header row and its identity columns repeated
# on each page, pages of the same rows following each other.
_PAGE_WIDTH_PX = (297 / 25.4 - 2 * 0.4) * 96      # A4 landscape inside 0,4 in margins
_MIN_SCALE = 0.65                                   # Calibri 11 printed at about 7 pt
_PRINT_TITLE_COLUMNS = {                            # first and last column repeated, 0-based
    "CRRA": (0, 1), "Résultats CRRA": (0, 1), "Synthèse établissements": (0, 1),
    "Trajectoires": (1, 2),
}
_HEADER_TITLE_CHARS = 100                           # Excel refuses headers over 255 characters


def _column_px(width: float) -> float:
    """A column's printed width at 100 %, in pixels at 96 dpi (Calibri 11: 7 px a character)."""
    return 7 * width + 5


def _header_text(text: str) -> str:
    """Literal text for a header or footer: ``&`` starts a code there, so it is doubled."""
    text = " ".join(str(text).split())
    if len(text) > _HEADER_TITLE_CHARS:
        text = text[:_HEADER_TITLE_CHARS - 1].rstrip() + "…"
    return text.replace("&", "&&")


def _page_setup(ws, title: str) -> None:
    """What every sheet prints with, fit or not (see :func:`_fit_or_repeat`)."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.pageOrder = "overThenDown"
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.75, bottom=0.75,
                                  header=0.3, footer=0.3)
    ws.print_options.gridLines = True
    ws.oddHeader.left.text = _header_text(title)
    ws.oddHeader.right.text = "&A"
    ws.oddFooter.left.text = "&F"
    ws.oddFooter.right.text = "Page &P sur &N"


def _fit_or_repeat(ws, widths: list[float], title_columns: tuple[int, int]) -> None:
    """Fit to one page's width if it stays readable, else to as many pages as it takes at
    _MIN_SCALE, the identity columns repeated (Excel and LibreOffice then choose a scale
    of _MIN_SCALE or more; a fixed scale makes LibreOffice print blank pages)."""
    from openpyxl.utils import get_column_letter

    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    page = _PAGE_WIDTH_PX / _MIN_SCALE                 # what a page holds, at 100 %
    px = [_column_px(w) for w in widths]
    if sum(px) <= page:
        ws.page_setup.fitToWidth = 1
        return
    first, last = title_columns
    last = min(last, len(widths) - 1)
    while last > first and sum(px[first:last + 1]) > 0.4 * page:
        last -= 1                                       # repeated columns: 40 % at most
    repeated = 0.0
    if first <= last and sum(px[first:last + 1]) <= 0.4 * page:
        ws.print_title_cols = f"{get_column_letter(first + 1)}:{get_column_letter(last + 1)}"
        repeated = sum(px[first:last + 1])
    pages, used = 1, 0.0
    for i, width in enumerate(px):
        if first <= i <= last and repeated:
            used += width if pages == 1 else 0         # printed once on the first page
            continue
        if used + width > page and used > repeated:
            pages, used = pages + 1, repeated
        used += width
    ws.page_setup.fitToWidth = pages


def _wraps(values: list, width: float) -> bool:
    """A text column wraps when one of its texts is longer than the column is wide."""
    return any(type(v) is str and len(v) > width - 1 for v in values)


_LINE_POINTS = 15           # Calibri 11: the default row height


def _line_count(text: str, chars: int) -> int:
    """Lines of ``text`` wrapped word by word at ``chars`` characters (textwrap's count,
    a long word broken), without textwrap's cost: 10 000 CRRA have 25 000 long names."""
    lines = 0
    for part in text.splitlines() or [""]:
        count, used = 1, 0
        for word in part.split():
            size = len(word)
            if used and used + 1 + size <= chars:
                used += 1 + size
                continue
            if used:
                count += 1
            count += (size - 1) // chars if size > chars else 0
            used = size - chars * ((size - 1) // chars) if size > chars else size
        lines += count
    return lines


def _wrapped_heights(columns: list[list], wrap: list[bool], widths: list[float]) -> dict[int, float]:
    """Row → height of its wrapped texts' lines (points): written, since neither
    LibreOffice nor Excel is sure to grow a row on opening. Counted word by word at
    one character a unit of width, which errs on the tall side."""
    heights: dict[int, float] = {}
    for values, wraps, width in zip(columns, wrap, widths):
        if not wraps:
            continue
        chars = max(int(width) - 1, 1)
        counted: dict[str, int] = {}
        for i, v in enumerate(values):
            if type(v) is str and len(v) > chars:
                lines = counted.get(v)
                if lines is None:
                    lines = counted[v] = _line_count(v, chars)
                heights[i] = max(heights.get(i, 0), min(lines, 27) * _LINE_POINTS)
    return heights


class _SheetWriter:
    """One sheet: layout and header through openpyxl, rows through the book."""

    def __init__(self, book: _Book, title: str):
        self.book = book
        self.ws = book.wb.create_sheet(title)
        self.ws.calculate_dimension = None
        self.next_row = 1
        self.widths: list[float] = []
        _page_setup(self.ws, book.print_title)

    def layout(self, headers: list[str], formats: list[str | None], n_rows: int,
               widths: list[float] | None = None, autofilter: bool = True) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.ws
        final = []
        for i, header in enumerate(headers):
            width = widths[i] if widths else _WIDTHS.get(formats[i], 14)
            width = min(max(width, min(len(str(header)) + 2, 30)), 60)
            ws.column_dimensions[get_column_letter(i + 1)].width = width
            final.append(width)
        self.widths = final
        self.dimension(len(headers), n_rows + 1)
        ws.freeze_panes = "A2"
        if headers and autofilter:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(n_rows + 1, 1)}"
        ws.print_title_rows = "1:1"
        _fit_or_repeat(ws, final, _PRINT_TITLE_COLUMNS.get(ws.title, (0, 0)))

    def print_area(self, n_cols: int, n_rows: int) -> None:
        """Print the table (and what follows it) and nothing else."""
        from openpyxl.utils import get_column_letter

        self.ws.print_area = f"A1:{get_column_letter(max(n_cols, 1))}{max(n_rows, 1)}"

    def dimension(self, n_cols: int, n_rows: int) -> None:
        """Declare the used range before openpyxl writes the sheet.

        openpyxl's write-only sheets omit ``<dimension>``; without it, openpyxl's
        own read-only mode parses each whole sheet once more just to size it.
        """
        from openpyxl.utils import get_column_letter

        last = f"{get_column_letter(max(n_cols, 1))}{max(n_rows, 1)}"
        self.ws.calculate_dimension = lambda: f"A1:{last}"

    def header(self, headers: list[str]) -> None:
        self.book.header_row(self.ws, headers)
        self.next_row = 2

    def columns(self, columns: list[list], formats: list[str | None], bold: bool = False,
                formulas: list[list[str] | None] | None = None,
                wrap: list[bool] | None = None) -> None:
        """Rows given column-wise; ``wrap[i]``: column i's texts wrap within its width."""
        wrap = wrap or [False] * len(formats)
        ids = [self.book.style(self.ws, fmt, bold, wrap=w)[1] if (fmt or bold or w) else 0
               for fmt, w in zip(formats, wrap)]
        heights = _wrapped_heights(columns, wrap, self.widths) if any(wrap) else None
        if formulas is not None and any(f is not None for f in formulas):
            self.next_row = self.book.add_formula_rows(self.ws, self.next_row, columns, ids,
                                                       formulas, heights)
        else:
            self.next_row = self.book.add_rows(self.ws, self.next_row, columns, ids, heights)

    def rows(self, rows: list[tuple]) -> None:
        """Untyped rows (extra sheets, extra parameters), values as they are."""
        rows = [tuple(_plain(v) for v in row) for row in rows]
        if self.ws.calculate_dimension is None:
            self.dimension(max((len(r) for r in rows), default=1), len(rows))
        width = max((len(r) for r in rows), default=0)
        if not width:
            self.next_row += len(rows)
            return
        padded = [r + (None,) * (width - len(r)) for r in rows]
        self.next_row = self.book.add_rows(self.ws, self.next_row, list(zip(*padded)), [0] * width)


def _column_values(series: pd.Series, numeric: bool) -> list:
    if numeric:
        arr = series.to_numpy(dtype="float64")
        out = arr.tolist()
        if not np.isfinite(arr).all():
            out = [v if math.isfinite(v) else None for v in out]
        return out
    return [_plain(v) for v in series.tolist()]


def _array_values(arr: np.ndarray) -> list:
    if arr.dtype.kind == "f":
        out = arr.tolist()
        if not np.isfinite(arr).all():
            out = [v if math.isfinite(v) else None for v in out]
        return out
    if arr.dtype.kind in "iu":
        return arr.tolist()
    return [_plain(v) for v in arr.tolist()]


def _text_width(values: list, header: str, sample: int = 300) -> float:
    longest = len(header)
    for v in values[:sample]:
        if isinstance(v, str) and len(v) > longest:
            longest = len(v)
    return min(max(longest + 2, 8), 45)


_INPUT_ORDER = (schema.PARAMETERS_SHEET, "Référentiel", "Lissage", "CRRA", "Enveloppes régionales")


def _build_workbook(scenario: Scenario, results) -> _Book:
    book = _Book()
    try:
        _fill_workbook(book, scenario, results)
    except BaseException:
        book.discard()
        raise
    return book


def _fill_workbook(book: _Book, scenario: Scenario, results) -> None:
    book.wb.properties.creator = "MIGAC Desktop"
    book.wb.properties.title = _legal_text(str(scenario.parameters.titre or "Scénario MIG SAMU"))
    book.print_title = book.wb.properties.title
    _write_parameters(book, scenario)
    for sheet in _INPUT_ORDER[1:]:
        _write_table(book, scenario, sheet, TABLES[sheet])
    for title, rows in scenario.extra_sheets.items():
        _SheetWriter(book, title).rows(list(rows))
    if results is None:
        results = evaluate(scenario)[1]
    _write_results(book, scenario, results)


def _write_parameters(book: _Book, scenario: Scenario) -> None:
    w = _SheetWriter(book, schema.PARAMETERS_SHEET)
    n_rows = len(schema.PARAMETERS) + len(scenario.extra_parameters)
    widths = [26, 46, 50, 8]
    w.layout(list(schema.PARAMETER_HEADERS), [None] * 4, n_rows, widths=widths, autofilter=False)
    widest = max((len(r) for r in scenario.extra_parameters), default=4)
    w.dimension(max(widest, 4), n_rows + 1)
    w.header(list(schema.PARAMETER_HEADERS))
    params = scenario.parameters
    for spec in schema.PARAMETERS:
        value = _plain(getattr(params, spec.key))
        fmt = None
        if spec.kind == "integer":
            fmt = YEAR
        elif spec.kind == "number" and isinstance(value, (int, float)):
            if spec.unit.startswith("€"):
                fmt = EURO if float(value) == int(value) else EURO_CENTS
            elif spec.unit == "ETP":
                fmt = ETP
        w.columns([[spec.key], [spec.label], [value], [spec.unit or None]], [None, None, fmt, None],
                  wrap=[False, _wraps([spec.label], widths[1]), _wraps([value], widths[2]), False])
    w.rows(scenario.extra_parameters)


def _write_table(book: _Book, scenario: Scenario, sheet: str, table) -> None:
    frame = scenario.table(sheet)
    extra = scenario.extra_columns(sheet)
    headers = [c.header for c in table.columns] + [str(c) for c in extra]
    formats = [_INPUT_FORMATS.get((sheet, c.key)) for c in table.columns] + [None] * len(extra)
    columns = [_column_values(frame[c.key], c.numeric) for c in table.columns]
    columns += [_column_values(frame[c], False) for c in extra]
    widths = [_text_width(values, h) if fmt is None else _WIDTHS.get(fmt, 14)
              for values, h, fmt in zip(columns, headers, formats)]
    w = _SheetWriter(book, sheet)
    w.layout(headers, formats, len(frame), widths)
    w.header(headers)
    w.columns(columns, formats, wrap=[fmt is None and _wraps(values, width)
                                      for values, fmt, width in zip(columns, formats, w.widths)])


def _result_layout(keys: list[str]) -> tuple[list[str], list[str | None]]:
    columns = [schema.result_column(k) for k in keys]
    # A FINESS (2A…, leading zeros) stays text in Excel.
    return [c.header for c in columns], [
        TEXT if c.key == "finess" else _KIND_FORMATS.get(c.kind) for c in columns]


def _result_keys(years: list[int]) -> tuple[list[str], list[str], list[str]]:
    """The keys of the CRRA, regions and establishments output sheets."""
    allocs = [f"alloc_{y}" for y in years]
    return (list(schema.CRRA_RESULT_KEYS) + allocs, list(schema.REGION_RESULT_KEYS) + allocs,
            list(schema.ESTABLISHMENT_RESULT_KEYS) + allocs)


def result_sheet_headers(scenario: Scenario, years: list[int] | None = None) -> dict[str, list[str]]:
    """Headers of the four output sheets, in order (for tests and the window)."""
    return {title: headers for title, headers, _ in _result_sheets(scenario, years)}


def _result_sheets(scenario: Scenario, years: list[int] | None):
    years = scenario.years if years is None else years
    out = [(title, *_result_layout(k)) for title, k in zip(schema.RESULT_SHEETS, _result_keys(years))]
    out.append(("Trajectoires", *_trajectory_layout(scenario, years)))
    return out


def _write_results(book: _Book, scenario: Scenario, results) -> None:
    """The four output sheets: live formulas over the inputs, cached with ``results``.

    Without results (the scenario has errors) each sheet gets its headers and a
    note, no formula.
    """
    years = results.years if results is not None else scenario.years
    sheets = _result_sheets(scenario, years)
    if results is None:
        for title, headers, formats in sheets:
            w = _SheetWriter(book, title)
            w.layout(headers, formats, 1)
            w.header(headers)
            w.columns([[NO_RESULTS_NOTE]] + [[None]] * (len(headers) - 1), [None] * len(headers))
        return

    arrays = results.crra_arrays
    crra_keys, region_keys, est_keys = _result_keys(years)
    layout = _formula_layout(scenario, results, crra_keys, region_keys, est_keys)
    live = live_formulas.crra_formulas(layout)
    title, headers, formats = sheets[0]
    _write_result_sheet(book, title, headers, formats,
                        [_array_values(arrays[k]) for k in crra_keys],
                        formulas=[live.get(k) for k in crra_keys])
    national = results.national
    for (title, headers, formats), keys, frame, level in (
            (sheets[1], region_keys, results.regions, "region"),
            (sheets[2], est_keys, results.establishments, "establishment")):
        columns = [_array_values(frame[k].to_numpy()) for k in keys]
        total = [_plain(national[k]) if k in national else None for k in keys]
        total[0] = "Total national"
        total[keys.index("n_crra")] = int(national["n_crra"])
        body, total_live = live_formulas.summary_formulas(layout, level)
        block = None
        if level == "region":
            block = _calibration_block(layout, results, scenario.parameters.calage)
        _write_result_sheet(book, title, headers, formats, columns, total,
                            formulas=[body.get(k) for k in keys],
                            total_formulas=[total_live.get(k) for k in keys], block=block)
    allocs = crra_keys[len(schema.CRRA_RESULT_KEYS):]
    _write_trajectories(book, sheets[3][1], sheets[3][2], results, allocs, layout)
    names = live_formulas.parameter_names()
    names.update(live_formulas.calibration_names(layout))
    _define_names(book, names)


def _formula_layout(scenario: Scenario, results, crra_keys, region_keys, est_keys):
    """Where the inputs were written and how big each output sheet is."""
    smoothing_years = [int(y) if isinstance(y, (int, float)) and math.isfinite(y) else None
                       for y in scenario.smoothing["year"].tolist()]
    rows = tuple(smoothing_years.index(y) + 2 for y in results.years)
    labels = scenario.bands["label"].tolist()
    return live_formulas.Layout(
        n_crra=len(results.region_codes), n_bands=len(scenario.bands),
        n_envelopes=len(scenario.envelopes), years=tuple(results.years), smoothing_rows=rows,
        result_keys=tuple(crra_keys), region_keys=tuple(region_keys),
        establishment_keys=tuple(est_keys), n_regions=len(results.region_names),
        n_establishments=len(results.finess_names),
        blank_band_labels=any(not (isinstance(v, str) and v.strip()) for v in labels),
        exact_regions=not live_formulas.criteria_safe(results.region_names.tolist()),
        exact_finess=not live_formulas.criteria_safe(results.finess_names.tolist()))


_FACTOR = "0.000000000"


def _calibration_block(layout, results, calage) -> list[tuple[list, list, list | None]]:
    """Rows (values, formats, formulas) of « Calage national », under the national total."""
    lines = live_formulas.calibration_formulas(layout)
    mode, target, raw, factor = live_formulas.CALIBRATION_LABELS
    return [
        ([live_formulas.CALIBRATION_TITLE], [None], None),
        ([mode, _plain(calage)], [None, None], [None, [lines[0]]]),
        ([target, _plain(results.calibration_target)], [None, EURO_CENTS], [None, [lines[1]]]),
        ([raw, _plain(results.raw_total)], [None, EURO_CENTS], [None, [lines[2]]]),
        ([factor, _plain(results.calibration_factor)], [None, _FACTOR], [None, [lines[3]]]),
    ]


def _define_names(book: _Book, names: dict[str, str]) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    for name, ref in names.items():
        book.wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _tidy(values: list) -> list:
    """Output only: a 1e-9 € rounding residue would print as « -0 € »."""
    return [0.0 if type(v) is float and -1e-6 < v < 1e-6 else v for v in values]


def _write_result_sheet(book, title, headers, formats, columns, total=None, formulas=None,
                        total_formulas=None, block=None) -> None:
    """One output sheet: rows, a bold « Total national » row, then a block of lines.

    ``formulas`` and ``total_formulas``: per column, None (values) or the formulas
    whose cached values are ``columns`` / ``total``; ``block``: rows of (values,
    formats, formulas) written after one blank row (the « Calage national » lines).
    """
    columns = [_tidy(c) for c in columns]
    if total is not None:
        total = _tidy(total)
    n_rows = (len(columns[0]) if columns else 0) + (1 if total is not None else 0)
    body_rows = n_rows
    if block:
        n_rows += 1 + len(block)
    widths = [_text_width(values, h) if fmt is None else max(_WIDTHS.get(fmt, 14), len(h) + 2)
              for values, h, fmt in zip(columns, headers, formats)]
    if block and widths:
        widths[0] = max(widths[0], _text_width([line[0][0] for line in block], headers[0]))
    w = _SheetWriter(book, title)
    w.layout(headers, formats, n_rows, widths)
    if block:   # the filter covers the table, not the block under it
        w.ws.auto_filter.ref = f"A1:{column_letter(len(headers) - 1)}{body_rows + 1}"
    w.print_area(len(headers), n_rows + 1)
    w.header(headers)
    w.columns(columns, formats, formulas=formulas,
              wrap=[fmt is None and _wraps(values, width)
                    for values, fmt, width in zip(columns, formats, w.widths)])
    if total is not None:
        w.columns([[v] for v in total], formats, bold=True,
                  formulas=None if total_formulas is None
                  else [None if f is None else [f] for f in total_formulas])
    if block:
        w.next_row += 1
        for i, (values, fmts, forms) in enumerate(block):
            w.columns([[v] for v in values], fmts, bold=(i == 0), formulas=forms)


def _trajectory_layout(scenario: Scenario, years: list[int]) -> tuple[list[str], list]:
    year = scenario.parameters.annee_historique
    try:
        historic = f"Dotation {int(year)}"
        if int(year) in years:
            historic = f"Dotation historique ({int(year)})"
    except (TypeError, ValueError, OverflowError):
        historic = "Dotation historique"
    headers = ["Niveau", "Code", "Libellé", "Région", historic]
    headers += [f"Dotation {y}" for y in years] + ["Montant modélisé", "Effet revenu"]
    formats = [None, TEXT, None, None] + [EURO] * (len(years) + 3)
    return headers, formats


def _write_trajectories(book, headers, formats, results, allocs, layout) -> None:
    national = results.national
    regions, ests, arrays = results.regions, results.establishments, results.crra_arrays
    n_reg, n_est, n_crra = len(regions), len(ests), len(arrays["crra_id"])
    level = ["National"] + ["Région"] * n_reg + ["Établissement"] * n_est + ["CRRA"] * n_crra
    region_names = _array_values(regions["region"].to_numpy())
    code = ([None] + region_names + _array_values(ests["finess"].to_numpy())
            + _array_values(arrays["crra_id"]))
    label = (["Total national"] + region_names + _array_values(ests["establishment"].to_numpy())
             + _array_values(arrays["label"]))
    region = ([None] + region_names + _array_values(ests["region"].to_numpy())
              + _array_values(arrays["region"]))
    columns = [level, code, label, region]
    keys = ["historic"] + allocs + ["modelled", "revenue_effect"]
    for key in keys:
        columns.append([_plain(national[key])] + _array_values(regions[key].to_numpy())
                       + _array_values(ests[key].to_numpy()) + _array_values(arrays[key]))
    columns = [_tidy(c) for c in columns]
    live = live_formulas.trajectory_formulas(layout, keys)
    widths = [14, 12, _text_width(label, "Libellé"), _text_width(region, "Région")]
    widths += [_WIDTHS[EURO]] * (len(headers) - 4)
    w = _SheetWriter(book, "Trajectoires")
    w.layout(headers, formats, len(level), widths)
    w.print_area(len(headers), len(level) + 1)
    w.header(headers)
    w.columns(columns, formats, formulas=[None] * 4 + [live[k] for k in keys],
              wrap=[False, False, _wraps(label, w.widths[2]), _wraps(region, w.widths[3])]
              + [False] * len(keys))
