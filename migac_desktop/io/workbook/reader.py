"""The reader: the rows of the input sheets become a scenario and located problems.

Reading is tolerant (retyped headers, blank rows, numbers typed as text) and
never lets a bad file raise anything but :class:`WorkbookError`; every cell
that cannot be read becomes a located French problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...core import schema
from ...core.french import fewest_decimals
from ...core.numbers import NumberError, format_number, is_excel_error, parse_number
from ...core.scenario import TABLES, Parameters, Scenario, empty_table
from ...core.validation import ERROR, WARNING, Problem, errors_of, evaluate, warnings_of
from .. import safety
from ..headers import column_letter, normalize_header
from .cells import (
    _AMBIGUOUS_COMMA,
    _blank,
    _cell,
    _departement,
    _finess,
    _is_blank_row,
    _number_message,
    _shown_default,
    _text,
)
from .errors import WorkbookError
from .sheets import _SHEET_ORDER, OPTIONAL_SHEETS, REQUIRED_SHEETS, _check_readable, _load_sheets, _sheet_kind


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
            elif sheet is not None and sheet in layouts:
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
        headers: tuple[str, ...]
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
        lookup: dict[str, str] = {}
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
            if spec.announce_missing:
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
            for choice in spec.choices:       # ignoring case and accents (MODEL.md)
                if normalize_header(choice) == normalize_header(text):
                    return choice
            choices = ", ".join(f"« {c} »" for c in spec.choices)
            shown = f"« {text} » inconnu" if text else "vide"
            self.error(f"{spec.key} {shown} : choisissez {choices}.", sheet, excel_row, "Valeur", spec.key)
            return text
        empty = None if spec.optional else math.nan
        try:
            number = parse_number(value, spec.unit)
        except NumberError as exc:
            self.error(f"« {spec.label} » : " + _number_message(str(exc), spec.kind, value),
                       sheet, excel_row, "Valeur", spec.key)
            return empty
        if math.isnan(number):
            return empty
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
