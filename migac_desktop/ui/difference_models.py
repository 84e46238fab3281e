"""The tables of the « Écarts » tab: the input differences and the result differences
of the open scenario against its reference (issue 14).

Both are :class:`~.table_models.FrameModel` tables (copy, export, zoom and the
selection's sum come with the project's table views); the rows are built here from
:mod:`migac_desktop.core.comparison` with numpy, already in their default order (by
sheet for the inputs, by the size of the difference for the results).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt

from ..core import comparison_text as words
from ..core.comparison import BOTH, InputDifference, LevelComparison
from ..core.french import sort_key
from .table_models import RIGHT, ColumnDef, FrameModel, format_value, sign_brush

_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_DISPLAY = Qt.ItemDataRole.DisplayRole

INPUT_COLUMNS = [
    ColumnDef("sheet", "Feuille", "text", help="Feuille du classeur où se trouve la donnée."),
    ColumnDef("item", "Élément", "text",
              help="Paramètre, tranche, année de lissage, CRRA ou enveloppe « Région, année »."),
    ColumnDef("field", "Colonne", "text", help="Colonne qui diffère, ou « Présence » pour une "
                                                "ligne présente dans un seul des deux scénarios."),
    ColumnDef("a", "Référence", "text", help="Valeur dans le scénario de référence."),
    ColumnDef("b", "Scénario", "text", help="Valeur dans le scénario ouvert."),
    ColumnDef("gap", "Écart", "text", help="Scénario ouvert moins référence (nombres seulement)."),
]
_RIGHT_INPUTS = {"a", "b", "gap"}


class InputDifferenceModel(FrameModel):
    """One row per input that differs; :meth:`difference` gives the core's row."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.differences: list[InputDifference] = []

    def set_differences(self, differences: list[InputDifference]) -> None:
        self.differences = list(differences)
        values = {
            "sheet": [d.sheet for d in differences],
            "item": [words.item_text(d) for d in differences],
            "field": [words.field_text(d) for d in differences],
            "a": [words.value_text(d, d.a) for d in differences],
            "b": [words.value_text(d, d.b) for d in differences],
            "gap": [words.gap_text(d) for d in differences],
        }
        self.set_rows(INPUT_COLUMNS, values)

    def difference(self, row: int) -> InputDifference:
        return self.differences[row]

    def data(self, index, role=_DISPLAY):
        if role == _ALIGNMENT and index.isValid() and index.column() < len(self.columns):
            return RIGHT if self.columns[index.column()].key in _RIGHT_INPUTS else None
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.row() < len(self.differences):
            d = self.differences[index.row()]
            if d.is_presence:
                return ("Présent dans le scénario ouvert seulement." if d.b is not None
                        else "Présent dans la référence seulement : rien à sélectionner.")
        return super().data(index, role)


# -- results ------------------------------------------------------------------------
HEADS = {
    "region": [ColumnDef("region", "Région", "text")],
    "crra": [ColumnDef("crra_id", "Identifiant", "text"), ColumnDef("label", "Libellé", "text"),
             ColumnDef("region", "Région", "text")],
    "establishment": [ColumnDef("finess", "FINESS", "text"),
                      ColumnDef("establishment", "Établissement", "text"),
                      ColumnDef("region", "Région", "text")],
}
STATUS_COLUMN = ColumnDef("presence", "Présence", "text", help=words.STATUS_HELP)
_QUANTITY_NAMES = {"modelled": ("Modélisé", "modélisé"), "revenue_effect": ("Effet revenu", "effet revenu")}
BOTH_TEXT = "les deux"


def quantity_name(quantity: str) -> tuple[str, str]:
    """(heading, lower-case) names of a compared quantity: « Dotation 2014 »."""
    if quantity.startswith("alloc_"):
        return f"Dotation {quantity[6:]}", quantity[6:]
    return _QUANTITY_NAMES.get(quantity, (quantity, quantity))


def result_columns(level: str, quantities: list[str]) -> list[ColumnDef]:
    cols = list(HEADS[level]) + [STATUS_COLUMN]
    for q in quantities:
        name, short = quantity_name(q)
        kind = "signed_euros" if q == "revenue_effect" else "euros"
        cols += [ColumnDef(f"{q}_a", f"{name} (réf.)", kind, help=f"{name} dans la référence."),
                 ColumnDef(f"{q}_b", f"{name} (scén.)", kind, help=f"{name} dans le scénario ouvert."),
                 ColumnDef(f"delta_{q}", f"Écart {short}", "signed_euros",
                           help=f"{name} : scénario ouvert moins référence.")]
    return cols


def result_rows(comparison: LevelComparison, region: str | None, differences_only: bool):
    """The level's rows to show, largest absolute difference of the modelled amount
    first: (columns, values, status per row)."""
    frame = comparison.frame
    mask = np.ones(len(frame), dtype=bool)
    if region is not None and comparison.level != "region":
        mask &= frame["region"].to_numpy() == region
    if differences_only:
        mask &= comparison.differing()
    rows = np.flatnonzero(mask)
    delta = np.abs(frame["delta_modelled"].to_numpy(dtype=float)[rows])
    if comparison.level == "region":
        names = frame["region"].to_numpy()[rows]
    else:
        names = frame[comparison.key].to_numpy()[rows]
    tie = np.array([sort_key(n) for n in names]) if len(rows) else np.array([], dtype=object)
    rows = rows[np.lexsort((tie, -delta))] if len(rows) else rows
    columns = result_columns(comparison.level, comparison.quantities)
    status = frame["status"].to_numpy()[rows]
    values = {}
    for col in columns:
        if col.key == "presence":
            values[col.key] = [BOTH_TEXT if s == BOTH else words.STATUS_TEXT[s] for s in status]
        else:
            values[col.key] = frame[col.key].to_numpy()[rows].tolist()
    return columns, values, list(status)


class ResultDifferenceModel(FrameModel):
    """The result differences of one level; each difference coloured by its own sign
    (the sign is written too), the missing side of a one-scenario row says « absent »."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.statuses: list[str] = []

    def set_level(self, columns, values, statuses) -> None:
        self.statuses = list(statuses)
        self.set_rows(columns, values)

    def set_rows(self, columns, values, status=None) -> None:
        # Formatted on demand: 10 000 CRRA are 200 000 cells, a screen shows a few hundred.
        self.beginResetModel()
        self.columns = columns
        self._values = [values[c.key] for c in columns]
        n = len(self._values[0]) if self._values else 0
        self._strings = [[None] * n for _ in columns]
        self._sides = [c.numeric and c.key.endswith(("_a", "_b")) for c in columns]
        self._status = [0] * n
        self.endResetModel()

    def _text(self, column: int, row: int) -> str:
        text = self._strings[column][row]
        if text is None:
            value = self._values[column][row]
            if self._sides[column] and (value is None or (isinstance(value, float) and math.isnan(value))):
                text = words.ABSENT
            else:
                text = format_value(self.columns[column].kind, value)
            self._strings[column][row] = text
        return text

    def key_of(self, row: int):
        return self._values[0][row] if self._values and 0 <= row < self.rowCount() else None

    def row_of_key(self, key) -> int:
        if not self._values or key is None:
            return -1
        try:
            return self._values[0].index(key)
        except ValueError:
            return -1

    def data(self, index, role=_DISPLAY):
        if role == _DISPLAY:
            if not index.isValid() or index.column() >= len(self.columns) or index.row() >= self.rowCount():
                return None
            return self._text(index.column(), index.row())
        if role == _FOREGROUND:
            if not index.isValid() or index.column() >= len(self.columns):
                return None
            col = self.columns[index.column()]
            if not col.signed:
                return None
            value = self._values[index.column()][index.row()]
            if value is None or (isinstance(value, float) and math.isnan(value)) or round(value) == 0:
                return None
            return sign_brush(value > 0)
        return super().data(index, role)
