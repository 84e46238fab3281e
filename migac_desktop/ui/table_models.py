"""Table models over the document: inputs editable, results read-only.

Qt asks ``data()`` for every visible cell and role on each repaint, so cells
are read from cached column arrays and formatted once, on demand, into a
per-column string cache cleared only where something changed. Sorting and
filtering are done here with numpy (a row order array), not by a proxy: a
proxy would call back into Python for every comparison and re-sort on every
edit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont

from ..core import french, schema
from ..core.commands import InvalidValue, SetCells, coerce_cell
from ..core.numbers import format_euros, format_number, format_percent, format_signed_euros, format_signed_percent
from ..core.scenario import TABLES
from .document import Document
from .palette_colours import brush


def sign_brush(gain: bool) -> QBrush:
    """Gains green, losses red, as the palette (light or dark) reads them; the sign
    (« + », « − ») and the « Sens » column's arrow say it without the colour."""
    return brush("gain" if gain else "loss")
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
BOLD_FONT = QFont()
BOLD_FONT.setBold(True)
READ_ONLY_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
EDITABLE_FLAGS = READ_ONLY_FLAGS | Qt.ItemFlag.ItemIsEditable
_R = Qt.ItemDataRole
DISPLAY, EDIT, TOOLTIP = int(_R.DisplayRole), int(_R.EditRole), int(_R.ToolTipRole)
ALIGNMENT, BACKGROUND = int(_R.TextAlignmentRole), int(_R.BackgroundRole)
FOREGROUND, FONT = int(_R.ForegroundRole), int(_R.FontRole)
SORT_ROLE = int(_R.UserRole) + 1        # raw value, for sorting and tests
_HANDLED_ROLES = frozenset({DISPLAY, EDIT, TOOLTIP, ALIGNMENT, BACKGROUND, FOREGROUND, FONT, SORT_ROLE})


@dataclass(frozen=True)
class ColumnDef:
    key: str
    header: str
    kind: str            # text, drm, euros, signed_euros, percent, signed_percent, etp, year
    result: bool = False
    help: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind != "text"

    @property
    def signed(self) -> bool:
        return self.kind.startswith("signed")


def result_def(key: str, header: str | None = None, help: str | None = None) -> ColumnDef:
    """A column of the results' catalogue (core/schema.py) in a read-only table: its short
    header and tooltip unless given."""
    col = schema.result_column(key)
    return ColumnDef(key, col.short_header if header is None else header, col.kind,
                     help=col.help if help is None else help)


def text_sort_key(value) -> str:
    """French reading order: accents and case ignored (« Île » sorts with « I »)."""
    return french.sort_key(value)


def format_value(kind: str, value) -> str:
    if kind == "text":
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "euros":
        return format_euros(value)
    if kind == "signed_euros":
        return format_signed_euros(value)
    if kind == "percent":
        return format_percent(value)
    if kind == "signed_percent":
        return format_signed_percent(value)
    if kind == "etp":
        return french.fewest_decimals(value)
    if kind == "year":
        return f"{value:.0f}"
    return format_number(value, 0 if float(value).is_integer() else 2)


def edit_text(kind: str, value) -> str:
    """What an editor starts from, and what is copied: no separators, decimal comma."""
    if kind == "text":
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind in ("percent", "signed_percent"):
        return f"{round(value * 100, 10):.10g} %".replace(".", ",")
    if kind in ("euros", "signed_euros"):
        return f"{round(value, 2):.15g}".replace(".", ",")
    return f"{value:.15g}".replace(".", ",")


_INPUT_KINDS = {"number": "drm", "integer": "year", "fraction": "percent", "text": "text",
                "finess": "text"}
# Numbers in euros or ETP (schema units) are shown as such, the others by their kind.
_KIND_BY_UNIT = {"€": "euros", "ETP": "etp"}
# The CRRA table's result columns: the catalogue's (core/schema.py) that are not inputs.
RESULT_KINDS = {k: schema.result_column(k).kind for k in schema.CRRA_RESULT_KEYS
                if k not in schema.CRRA.keys}


def input_columns(sheet: str) -> list[ColumnDef]:
    out = []
    for col in TABLES[sheet].columns:
        kind = _KIND_BY_UNIT.get(col.unit, _INPUT_KINDS[col.kind])
        unit = f" ({col.unit})" if col.unit and col.unit != "%" else ""
        out.append(ColumnDef(col.key, col.header, kind, help=col.help + unit))
    return out


def crra_result_columns(years: list[int]) -> list[ColumnDef]:
    cols = [ColumnDef(k, schema.result_header(k), kind, result=True,
                      help="Calculé par le modèle (lecture seule).") for k, kind in RESULT_KINDS.items()]
    for y in years:
        col = schema.result_column(f"alloc_{y}")
        cols.append(ColumnDef(col.key, col.header, col.kind, result=True,
                              help=f"Dotation {y} : historique + part cumulée {y} × effet revenu "
                                   "(après enveloppe notifiée, le cas échéant)."))
    return cols


class ScenarioTableModel(QAbstractTableModel):
    """One input table of the scenario, with the model's results for CRRA."""

    rejected = Signal(str)            # a typed value was refused: the reason, in French

    def __init__(self, document: Document, sheet: str, parent=None):
        super().__init__(parent)
        self.document = document
        self.sheet = sheet
        self.with_results = sheet == "CRRA"
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.outlier_k = 1.5            # the « Atypique » column's threshold (interquartile ranges)
        self._region: str | None = None
        self._text = ""
        self._build()
        document.reset.connect(self._on_reset)
        document.edited.connect(self._on_edited)
        document.recomputed.connect(self._on_recomputed)

    # -- caches --------------------------------------------------------------
    def _build(self) -> None:
        years = self.document.scenario.years if self.with_results else []
        self.columns = input_columns(self.sheet)
        if self.with_results:
            from .outlier_column import outlier_column  # « Atypique » (core/outliers.py)
            self.columns += crra_result_columns(years) + [outlier_column(self.outlier_k)]
        self._years = years
        self._col_index = {c.key: i for i, c in enumerate(self.columns)}
        self._inputs: dict[str, np.ndarray] = {}
        self._results: dict[str, np.ndarray] = {}
        frame = self.document.scenario.table(self.sheet)
        for col in self.columns:
            if not col.result:
                self._inputs[col.key] = frame[col.key].to_numpy()
        self._n = len(frame)
        self._load_results()
        self._strings: list[list[str | None]] = [[None] * self._n for _ in self.columns]
        self._load_problems()
        self._haystack = None
        self._apply_view()

    def _load_results(self) -> None:
        results = self.document.results
        self._results = dict(results.crra_arrays) if (results is not None and self.with_results) else {}
        self._outlier_tips = None
        if self._results:
            from .outlier_column import OUTLIER_KEY, outlier_arrays
            self._results[OUTLIER_KEY], self._outlier_tips = outlier_arrays(results, self.outlier_k)

    def set_outlier_threshold(self, k: float) -> None:
        """Flag the CRRA outside ``k`` interquartile ranges (the tool bar's « Seuil »)."""
        self.outlier_k = float(k)
        self._on_recomputed()

    def _load_problems(self) -> None:
        self._problems: dict[tuple[int, str], list] = {}
        for p in self.document.problems:
            if p.sheet == self.sheet and p.position is not None and p.key:
                self._problems.setdefault((p.position, p.key), []).append(p)

    def _apply_view(self) -> None:
        """Row order from the current filter and sort (positions in the table)."""
        mask = np.ones(self._n, dtype=bool)
        if self._region and "region" in self._inputs:
            mask &= self._inputs["region"] == self._region
        if self._text:
            if self._haystack is None:
                frame = self.document.scenario.table(self.sheet)
                texts = [c.key for c in self.columns if c.kind == "text" and not c.result]
                self._haystack = frame[texts].astype(str).agg(" ".join, axis=1).str.casefold() \
                    if texts and self._n else None
            if self._haystack is not None:
                mask &= self._haystack.str.contains(self._text.casefold(), regex=False).to_numpy()
        order = np.flatnonzero(mask)
        if self._sort is not None:
            column, direction = self._sort
            values = self._column_values(self.columns[column])[order]
            if self.columns[column].numeric:
                keys = np.asarray(values, dtype="float64")
                if direction == Qt.SortOrder.DescendingOrder:
                    keys = -keys
                ranks = np.argsort(np.where(np.isnan(keys), np.inf, keys), kind="stable")
            else:
                keys = np.array([text_sort_key(v) for v in values])
                ranks = np.argsort(keys, kind="stable")
                if direction == Qt.SortOrder.DescendingOrder:
                    ranks = ranks[::-1]
            order = order[ranks]
        self._order = order
        self._row_of = np.full(self._n, -1)
        self._row_of[order] = np.arange(len(order))

    def _column_values(self, col: ColumnDef) -> np.ndarray:
        if col.result:
            values = self._results.get(col.key)
            if values is None:        # no results while the scenario has errors
                return np.full(self._n, np.nan) if col.numeric else np.full(self._n, "", dtype=object)
            return values
        return self._inputs[col.key]

    # -- Qt model API ----------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def position(self, row: int) -> int:
        return int(self._order[row])

    def row_of_position(self, position: int) -> int:
        return int(self._row_of[position]) if 0 <= position < self._n else -1

    def column_of_key(self, key: str) -> int:
        return self._col_index.get(key, -1)

    @property
    def total_rows(self) -> int:
        """Rows of the table, shown or not (the filter hides some)."""
        return self._n

    def view_values(self, column: int, start: int, stop: int) -> np.ndarray:
        """Raw values of view rows ``start:stop`` of a numeric column (status-bar sum)."""
        values = self._column_values(self.columns[column])
        if not len(values):
            return np.full(max(0, stop - start), np.nan)
        return np.asarray(values[self._order[start:stop]], dtype="float64")

    def data(self, index, role=DISPLAY):
        # Called for every visible cell and role on each repaint: unhandled
        # roles leave first, roles compare as plain ints.
        if role not in _HANDLED_ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if row >= len(self._order) or column >= len(self.columns):
            return None
        col = self.columns[column]
        pos = int(self._order[row])
        if role == DISPLAY:
            cache = self._strings[column]
            text = cache[pos]
            if text is None:
                values = self._column_values(col)
                text = cache[pos] = format_value(col.kind, values[pos]) if len(values) else ""
            return text
        if role == ALIGNMENT:
            return RIGHT if col.numeric else LEFT
        if role == BACKGROUND:
            problems = self._problems.get((pos, col.key)) if self._problems else None
            if problems:
                return brush("error_background" if any(p.is_error for p in problems) else "warning_background")
            return brush("result_background") if col.result else None
        if role == FOREGROUND:
            if not col.signed:
                return None
            value = self._column_values(col)[pos]
            if value is not None and not math.isnan(value) and round(value, 4) != 0:
                return sign_brush(value > 0)
            return None
        if role == FONT:
            return BOLD_FONT if col.key == "modelled" else None
        if role == EDIT:
            return edit_text(col.kind, self._column_values(col)[pos])
        if role == SORT_ROLE:
            value = self._column_values(col)[pos]
            return float(value) if col.numeric and value is not None else value
        if role == TOOLTIP:
            problems = self._problems.get((pos, col.key))
            if problems:
                return "\n".join(p.message[0].upper() + p.message[1:] for p in problems)
            if col.key == "outlier" and self._outlier_tips is not None and self._outlier_tips[pos]:
                return self._outlier_tips[pos]
            return col.help or None
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self.columns):
                return None
            col = self.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return col.header
            if role == Qt.ItemDataRole.ToolTipRole:
                return col.help or None
            return None
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._order):
            return str(int(self._order[section]) + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return READ_ONLY_FLAGS if self.columns[index.column()].result else EDITABLE_FLAGS

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        col = self.columns[index.column()]
        if col.result:
            return False
        try:
            cells = self.coerce_cells([(index.row(), index.column(), value)])
        except InvalidValue as exc:
            self.rejected.emit(str(exc))
            return False
        if cells:
            self.document.push(SetCells(self.document.scenario, self.sheet, cells))
        return True

    def coerce_cells(self, cells: list[tuple[int, int, object]]) -> list[tuple[int, str, object]]:
        """(view row, column, typed value) → core cells, unchanged ones dropped.

        Raises :class:`InvalidValue` naming the first refused cell.
        """
        out = []
        for row, column, value in cells:
            col = self.columns[column]
            pos = self.position(row)
            try:
                new = coerce_cell(self.sheet, col.key, value)
            except InvalidValue as exc:
                where = self._row_label(pos)
                raise InvalidValue(f"{where} — {exc}") from None
            old = self._inputs[col.key][pos]
            same = (new == old) or (isinstance(new, float) and isinstance(old, float)
                                    and math.isnan(new) and math.isnan(old))
            if not same:
                out.append((pos, col.key, new))
        return out

    def _row_label(self, pos: int) -> str:
        if self.sheet == "CRRA":
            ident = self._inputs["crra_id"][pos]
            if ident:
                return str(ident)
        return f"ligne {pos + 1}"

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            self._sort = None
        else:
            self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old_order = self._order
        self._apply_view()
        self._remap_persistent(old_order)
        self.layoutChanged.emit()

    def set_filter(self, region: str | None = None, text: str = "") -> None:
        self._region = region or None
        self._text = text.strip()
        self.beginResetModel()
        self._apply_view()
        self.endResetModel()

    @property
    def region_filter(self) -> str | None:
        return self._region

    def _remap_persistent(self, old_order: np.ndarray) -> None:
        persistent = self.persistentIndexList()
        if not persistent:
            return
        new = []
        for idx in persistent:
            pos = int(old_order[idx.row()]) if idx.row() < len(old_order) else -1
            row = self.row_of_position(pos) if pos >= 0 else -1
            new.append(self.index(row, idx.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, new)

    # -- document signals ------------------------------------------------------
    def _on_reset(self) -> None:
        self.beginResetModel()
        self._sort = None if self._sort is None or self._sort[0] >= len(self.columns) else self._sort
        self._build()
        self.endResetModel()

    def _on_edited(self, change) -> None:
        if change.sheet != self.sheet:
            return
        if change.structural:
            self.beginResetModel()
            self._build()
            self.endResetModel()
            return
        frame = self.document.scenario.table(self.sheet)
        for key in change.columns:
            column = self._col_index.get(key)
            if column is None:
                continue
            self._inputs[key] = frame[key].to_numpy()
            cache = self._strings[column]
            for pos in change.rows:
                cache[pos] = None
            if self.columns[column].kind == "text":
                self._haystack = None
        self._emit_cells(change.rows, [self._col_index[k] for k in change.columns if k in self._col_index])

    def _on_recomputed(self) -> None:
        if self.with_results and self._years != self.document.scenario.years:
            self._on_reset()          # smoothing years changed: new columns
            return
        old_problems = set(self._problems)
        self._load_problems()
        if self.with_results:
            self._load_results()
            first = len(input_columns(self.sheet))
            for column in range(first, len(self.columns)):
                self._strings[column] = [None] * self._n
            if self._order.size:
                self.dataChanged.emit(self.index(0, first),
                                      self.index(len(self._order) - 1, len(self.columns) - 1),
                                      [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])
        touched = old_problems ^ set(self._problems)
        for pos, key in touched:
            row, column = self.row_of_position(pos), self._col_index.get(key, -1)
            if row >= 0 and column >= 0:
                idx = self.index(row, column)
                self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.BackgroundRole,
                                                 Qt.ItemDataRole.ToolTipRole])

    def _emit_cells(self, positions, columns) -> None:
        rows = [self.row_of_position(p) for p in positions]
        rows = [r for r in rows if r >= 0]
        if not rows or not columns:
            return
        self.dataChanged.emit(self.index(min(rows), min(columns)),
                              self.index(max(rows), max(columns)))


class FrameModel(QAbstractTableModel):
    """A read-only table of result rows (comparison, problems), formatted once."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns: list[ColumnDef] = []
        self._values: list[list] = []
        self._strings: list[list[str]] = []
        self._status: list[int] = []      # per row: +1 winner, -1 loser, 0 neither

    def set_rows(self, columns: list[ColumnDef], values: dict[str, list], status=None) -> None:
        self.beginResetModel()
        self.columns = columns
        self._values = [list(values[c.key]) for c in columns]
        self._strings = [[format_value(c.kind, v) for v in vals]
                         for c, vals in zip(columns, self._values)]
        n = len(self._values[0]) if self._values else 0
        self._status = list(status) if status is not None else [0] * n
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or not self._values else len(self._values[0])

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def value(self, row: int, key: str):
        for c, vals in zip(self.columns, self._values):
            if c.key == key:
                return vals[row]
        raise KeyError(key)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.column() >= len(self.columns) \
                or index.row() >= self.rowCount():
            return None
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._strings[index.column()][index.row()]
        if role == Qt.ItemDataRole.EditRole:      # what is copied: numbers Excel reads
            return edit_text(col.kind, self._values[index.column()][index.row()])
        if role == SORT_ROLE:
            value = self._values[index.column()][index.row()]
            return text_sort_key(value) if not col.numeric else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if col.numeric else LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            status = self._status[index.row()]
            if status and (col.kind.startswith("signed") or col.key == "status"):
                return sign_brush(status > 0)
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.help or None
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section].header
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole \
                and 0 <= section < len(self.columns):
            return self.columns[section].help or None
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
