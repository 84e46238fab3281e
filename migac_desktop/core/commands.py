"""Edit commands: every change to a scenario, undoable, with a French label.

The window wraps each command in a ``QUndoCommand``; the commands themselves
know nothing of Qt and are tested on their own. ``redo``/``undo`` return a
:class:`Change` that says what moved, so only the affected views refresh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import journal, schema
from .french import strip_accents
from .numbers import NumberError, parse_number
from .scenario import TABLES, Scenario


@dataclass(frozen=True)
class Change:
    sheet: str                       # a table sheet, or "Paramètres"
    rows: tuple[int, ...] = ()       # positions touched (cell edits)
    columns: tuple[str, ...] = ()    # column keys (or parameter keys) touched
    structural: bool = False         # rows added or removed: views reset


class InvalidValue(ValueError):
    """A typed value refused, with the French reason."""


def coerce_cell(sheet: str, key: str, value: object) -> object:
    """The stored form of a typed value for a table cell, or :class:`InvalidValue`.

    Numbers go through :func:`parse_number` (``1 234,5``, ``7 %``); text is
    stripped; FINESS typed as a number gets its leading zeros back. Only the
    column's own bounds are checked here; rules across rows are validation's.
    """
    column = TABLES[sheet].column(key) if key in TABLES[sheet].keys else None
    if column is None:                       # an extra column: kept as typed
        return value
    if column.numeric:
        try:
            number = parse_number(value, column.unit)
        except NumberError as exc:
            raise InvalidValue(f"{column.header} : {exc}.") from None
        if math.isnan(number):
            if column.required:
                raise InvalidValue(f"{column.header} : valeur obligatoire.")
            return math.nan
        reason = column.bound_problem(number)
        if reason:
            raise InvalidValue(f"{column.header} : {reason}.")
        return number
    text = "" if value is None else (value if isinstance(value, str) else _number_text(value))
    text = text.strip()
    if column.kind == "finess" and text.isdigit() and len(text) < 9:
        text = text.zfill(9)
    if column.required and not text:
        raise InvalidValue(f"{column.header} : valeur obligatoire.")
    return text


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def coerce_parameter(key: str, value: object) -> object:
    spec = schema.PARAMETER_BY_KEY[key]
    if spec.kind == "text":
        return "" if value is None else str(value).strip()
    if spec.kind == "choice":
        text = strip_accents(str(value).strip()).casefold()
        for choice in spec.choices:
            if strip_accents(choice).casefold() == text:
                return choice
        raise InvalidValue(f"{spec.label} : choisissez parmi " +
                           ", ".join(f"« {c} »" for c in spec.choices) + ".")
    try:
        number = parse_number(value, spec.unit)
    except NumberError as exc:
        raise InvalidValue(f"{spec.label} : {exc}.") from None
    if math.isnan(number):
        if spec.optional:
            return None
        raise InvalidValue(f"{spec.label} : valeur obligatoire.")
    if spec.minimum is not None and number < spec.minimum:
        raise InvalidValue(f"{spec.label} : la valeur ne peut pas être négative."
                           if spec.minimum == 0 else f"{spec.label} : au moins {spec.minimum:g}.")
    if spec.maximum is not None and number > spec.maximum:
        raise InvalidValue(f"{spec.label} : la valeur doit être comprise entre 0 et "
                           f"{spec.maximum * 100:g} %." if spec.kind == "fraction"
                           else f"{spec.label} : au plus {spec.maximum:g}.")
    if spec.kind == "integer":
        if not number.is_integer():
            raise InvalidValue(f"{spec.label} : un nombre entier est attendu.")
        return int(number)
    return number


class Command:
    label: str = ""

    def journal_text(self) -> str:
        """The label with the old and new values, as the journal records the change."""
        return self.label

    def redo(self, scenario: Scenario) -> Change:
        raise NotImplementedError

    def undo(self, scenario: Scenario) -> Change:
        raise NotImplementedError


def _row_name(scenario: Scenario, sheet: str, position: int) -> str:
    if sheet == "CRRA":
        ident = scenario.crra["crra_id"].iat[position]
        return ident or f"la ligne {position + 1}"
    if sheet == "Référentiel":
        return scenario.bands["label"].iat[position] or f"la tranche {position + 1}"
    if sheet == "Lissage":
        year = scenario.smoothing["year"].iat[position]
        return f"{year:.0f}" if not math.isnan(year) else f"la ligne {position + 1}"
    return f"la ligne {position + 1}"


def _header(sheet: str, key: str) -> str:
    table = TABLES[sheet]
    return table.column(key).header if key in table.keys else key


class SetCells(Command):
    """Set one or many cells of a table: a typed edit, a paste, a fill-down."""

    def __init__(self, scenario: Scenario, sheet: str, cells: list[tuple[int, str, object]],
                 label: str | None = None):
        self.sheet = sheet
        frame = scenario.table(sheet)
        self.cells = [(pos, key, value) for pos, key, value in cells]
        self.old = [frame[key].iat[pos] for pos, key, _ in self.cells]
        if label is None:
            if len(cells) == 1:
                pos, key, _ = cells[0]
                label = f"modifier {_header(sheet, key)} de {_row_name(scenario, sheet, pos)}"
            else:
                label = f"modifier {len(cells)} cellules"
        self.label = label
        # Named now: a later edit may rename the row or move it.
        self.names = [_row_name(scenario, sheet, pos) for pos, _, _ in self.cells[:journal.LISTED_CELLS]]

    def journal_text(self) -> str:
        values = [journal.change_text_of(self.sheet, key, old, new)
                  for (_, key, new), old in zip(self.cells[:journal.LISTED_CELLS], self.old)]
        if len(self.cells) == 1:
            return f"{self.label} : {values[0]}"
        parts = [f"{_header(self.sheet, key)} de {name} : {value}"
                 for (_, key, _), name, value in zip(self.cells, self.names, values)]
        return f"{self.label} : {journal.listed(parts, len(self.cells))}"

    def _apply(self, scenario: Scenario, values) -> Change:
        frame = scenario.table(self.sheet)
        for (pos, key, _), value in zip(self.cells, values):
            if frame[key].dtype != object and not isinstance(value, (int, float)):
                frame[key] = frame[key].astype(object)   # text pasted into an extra column
            frame.iat[pos, frame.columns.get_loc(key)] = value
        return Change(self.sheet, tuple(sorted({c[0] for c in self.cells})),
                      tuple(dict.fromkeys(c[1] for c in self.cells)))

    def redo(self, scenario: Scenario) -> Change:
        return self._apply(scenario, [c[2] for c in self.cells])

    def undo(self, scenario: Scenario) -> Change:
        return self._apply(scenario, self.old)


class InsertRows(Command):
    """Insert rows (dicts by column key) at a position: add a CRRA, a band, a year."""

    def __init__(self, scenario: Scenario, sheet: str, position: int, rows: list[dict],
                 label: str | None = None):
        self.sheet, self.position = sheet, position
        frame = scenario.table(sheet)
        table = TABLES[sheet]
        data = {}
        for col in frame.columns:
            declared = col in table.keys and table.column(col)
            default = math.nan if declared and declared.numeric else ("" if declared else None)
            data[col] = [row.get(col, default) for row in rows]
        self.rows = pd.DataFrame(data, columns=frame.columns).astype(frame.dtypes.to_dict())
        if label is None:
            what = {"CRRA": "CRRA", "Référentiel": "tranche", "Lissage": "année",
                    "Enveloppes régionales": "enveloppe"}[sheet]
            label = f"ajouter {len(rows)} {what}" + ("s" if len(rows) > 1 and what != "CRRA" else "")
            if sheet == "CRRA" and len(rows) == 1 and rows[0].get("crra_id"):
                label = f"ajouter le CRRA {rows[0]['crra_id']}"
        self.label = label

    def journal_text(self) -> str:
        return f"{self.label} : {_rows_text(self.sheet, self.rows)}"

    def redo(self, scenario: Scenario) -> Change:
        frame = scenario.table(self.sheet)
        new = pd.concat([frame.iloc[:self.position], self.rows, frame.iloc[self.position:]],
                        ignore_index=True)
        scenario.set_table(self.sheet, new)
        scenario.source_rows.pop(self.sheet, None)
        return Change(self.sheet, structural=True)

    def undo(self, scenario: Scenario) -> Change:
        frame = scenario.table(self.sheet)
        keep = np.ones(len(frame), dtype=bool)
        keep[self.position:self.position + len(self.rows)] = False
        scenario.set_table(self.sheet, frame[keep].reset_index(drop=True))
        return Change(self.sheet, structural=True)


class RemoveRows(Command):
    """Remove rows by position; undo puts them back where they were."""

    def __init__(self, scenario: Scenario, sheet: str, positions: list[int],
                 label: str | None = None):
        self.sheet = sheet
        self.positions = sorted(set(positions))
        frame = scenario.table(sheet)
        self.removed = frame.iloc[self.positions].copy()
        self.source_rows = list(scenario.source_rows.get(sheet, []))
        if label is None:
            if sheet == "CRRA" and len(self.positions) == 1:
                label = f"supprimer le CRRA {_row_name(scenario, sheet, self.positions[0])}"
            else:
                what = {"CRRA": "CRRA", "Référentiel": "tranche(s)", "Lissage": "année(s)",
                        "Enveloppes régionales": "enveloppe(s)"}[sheet]
                label = f"supprimer {len(self.positions)} {what}"
        self.label = label

    def journal_text(self) -> str:
        return f"{self.label} : {_rows_text(self.sheet, self.removed)}"

    def redo(self, scenario: Scenario) -> Change:
        frame = scenario.table(self.sheet)
        keep = np.ones(len(frame), dtype=bool)
        keep[self.positions] = False
        scenario.set_table(self.sheet, frame[keep].reset_index(drop=True))
        scenario.source_rows.pop(self.sheet, None)
        return Change(self.sheet, structural=True)

    def undo(self, scenario: Scenario) -> Change:
        frame = scenario.table(self.sheet)
        kept_at = np.setdiff1d(np.arange(len(frame) + len(self.positions)), self.positions)
        restored = (pd.concat([frame.set_axis(kept_at), self.removed.set_axis(self.positions)])
                    .sort_index().reset_index(drop=True))
        scenario.set_table(self.sheet, restored)
        if self.source_rows:
            scenario.source_rows[self.sheet] = list(self.source_rows)
        return Change(self.sheet, structural=True)


class SetParameter(Command):
    def __init__(self, scenario: Scenario, key: str, value: object):
        self.key, self.value = key, value
        self.old = getattr(scenario.parameters, key)
        self.label = f"modifier « {schema.PARAMETER_BY_KEY[key].label} »"

    def journal_text(self) -> str:
        old, new = (journal.parameter_value_text(self.key, v) for v in (self.old, self.value))
        return f"{self.label} : {old} → {new}"

    def redo(self, scenario: Scenario) -> Change:
        scenario.parameters = scenario.parameters.with_value(self.key, self.value)
        return Change(schema.PARAMETERS_SHEET, columns=(self.key,))

    def undo(self, scenario: Scenario) -> Change:
        scenario.parameters = scenario.parameters.with_value(self.key, self.old)
        return Change(schema.PARAMETERS_SHEET, columns=(self.key,))


def _rows_text(sheet: str, rows: pd.DataFrame) -> str:
    """The rows added or removed, each by its filled declared values, for the journal."""
    table = TABLES[sheet]
    texts = []
    for _, row in rows.head(journal.LISTED_CELLS).iterrows():
        shown = ((c.header, journal.cell_value_text(sheet, c.key, row[c.key])) for c in table.columns)
        texts.append("(" + ", ".join(f"{h} : {v}" for h, v in shown if v != journal.EMPTY) + ")")
    return journal.listed(texts, len(rows))


def fill_down_cells(scenario: Scenario, sheet: str, positions: list[int],
                    keys: list[str]) -> list[tuple[int, str, object]]:
    """Cells that copy the first row's values to the others (rows in view order)."""
    frame = scenario.table(sheet)
    top = positions[0]
    return [(pos, key, frame[key].iat[top]) for key in keys for pos in positions[1:]]
