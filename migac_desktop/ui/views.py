"""Table views: a frozen identifier column, copy/paste with Excel, fill-down."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLineEdit, QStyledItemDelegate,
                               QTableView, QToolTip)

from ..core.commands import InvalidValue, SetCells, coerce_cell, fill_down_cells
from .table_models import ScenarioTableModel


INVALID_EDITOR_STYLE = "QLineEdit { border: 2px solid #c0392b; background: #fdecea; }"


def parse_clipboard(text: str) -> list[list[str]]:
    """Tab-separated rows as Excel and LibreOffice put them on the clipboard."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return [line.split("\t") for line in text.split("\n")] if text else []


class ScenarioTableView(QTableView):
    """A view of a :class:`ScenarioTableModel` that edits like a spreadsheet."""

    message = Signal(str)      # a French status message for the window

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setHighlightSections(False)
        self.delegate = CellDelegate(self)
        self.delegate.message.connect(self.message)
        self.setItemDelegate(self.delegate)

    def scenario_model(self) -> ScenarioTableModel:
        return self.model()

    # -- selection helpers -----------------------------------------------------
    def selected_block(self) -> tuple[list[int], list[int]]:
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes})
        return rows, cols

    # -- clipboard ---------------------------------------------------------------
    def copy_selection(self) -> str:
        rows, cols = self.selected_block()
        model = self.model()
        selected = {(i.row(), i.column()) for i in self.selectionModel().selectedIndexes()}
        lines = []
        for r in rows:
            lines.append("\t".join(
                model.data(model.index(r, c), Qt.ItemDataRole.EditRole) or "" if (r, c) in selected else ""
                for c in cols))
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text + "\n" if text else "")
        return text

    def paste_text(self, text: str) -> bool:
        """Paste a block at the current cell as one undoable edit; all or nothing."""
        model = self.scenario_model()
        block = parse_clipboard(text)
        current = self.currentIndex()
        if not block or not current.isValid():
            return False
        rows, cols = self.selected_block()
        # One value pasted into a larger selection fills the whole selection.
        if len(block) == 1 and len(block[0]) == 1 and len(rows) * len(cols) > 1:
            targets = [(r, c, block[0][0]) for r in rows for c in cols]
        else:
            top, left = current.row(), current.column()
            targets = []
            for i, line in enumerate(block):
                for j, value in enumerate(line):
                    r, c = top + i, left + j
                    if r < model.rowCount() and c < model.columnCount():
                        targets.append((r, c, value))
        editable = [(r, c, v) for r, c, v in targets if not model.columns[c].result]
        skipped = len(targets) - len(editable)
        try:
            cells = model.coerce_cells(editable)
        except InvalidValue as exc:
            self.message.emit(f"Collage refusé : {exc}")
            return False
        if cells:
            label = "coller 1 cellule" if len(cells) == 1 else f"coller {len(cells)} cellules"
            model.document.push(SetCells(model.document.scenario, model.sheet, cells, label=label))
        note = f" ({skipped} cellule(s) calculée(s) ignorée(s))" if skipped else ""
        self.message.emit(f"{len(cells)} cellule(s) collée(s){note}.")
        return True

    def fill_down(self) -> bool:
        rows, cols = self.selected_block()
        model = self.scenario_model()
        cols = [c for c in cols if not model.columns[c].result]
        if len(rows) < 2 or not cols:
            self.message.emit("Recopier vers le bas : sélectionnez au moins deux lignes "
                              "d'une colonne modifiable.")
            return False
        positions = [model.position(r) for r in rows]
        keys = [model.columns[c].key for c in cols]
        cells = fill_down_cells(model.document.scenario, model.sheet, positions, keys)
        model.document.push(SetCells(model.document.scenario, model.sheet, cells,
                                     label="recopier vers le bas"))
        return True

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_text(QGuiApplication.clipboard().text())
            return
        if event.key() == Qt.Key.Key_D and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
            self.fill_down()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != \
                QAbstractItemView.State.EditingState:
            rows, cols = self.selected_block()
            if rows and cols:
                self._clear_selection_cells()
                return
        super().keyPressEvent(event)

    def _clear_selection_cells(self) -> None:
        model = self.scenario_model()
        targets = [(i.row(), i.column(), "") for i in self.selectionModel().selectedIndexes()
                   if not model.columns[i.column()].result]
        try:
            cells = model.coerce_cells(targets)
        except InvalidValue as exc:
            self.message.emit(f"Effacement refusé : {exc}")
            return
        if cells:
            model.document.push(SetCells(model.document.scenario, model.sheet, cells,
                                         label=f"effacer {len(cells)} cellule(s)"))


class FrozenTableView(ScenarioTableView):
    """The CRRA table with its identifier column frozen while scrolling right.

    An overlaid view shows column 0 over the main one (Qt's "frozen column"
    pattern); both share the model and the selection.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frozen = ScenarioTableView(self)
        self.frozen.setObjectName("crraTableFrozen")
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.verticalHeader().hide()
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setStyleSheet("QTableView { border: none; border-right: 2px solid #8a9bb0; }")
        self.frozen.message.connect(self.message)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalHeader().sectionResized.connect(self._row_resized)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)

    def setModel(self, model) -> None:
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        model.modelReset.connect(self._update_columns)
        model.layoutChanged.connect(self._update_columns)
        self.frozen.horizontalHeader().sectionClicked.connect(
            lambda _s: self.horizontalHeader().sectionClicked.emit(0))
        self._update_columns()

    def _update_columns(self) -> None:
        model = self.model()
        if model is None:
            return
        for c in range(model.columnCount()):
            self.frozen.setColumnHidden(c, c != 0)
        self.frozen.setColumnWidth(0, self.columnWidth(0))
        self._update_geometry()
        self.frozen.show()

    def _section_resized(self, index, _old, new) -> None:
        if index == 0:
            self.frozen.setColumnWidth(0, new)
            self._update_geometry()

    def _row_resized(self, index, _old, new) -> None:
        self.frozen.setRowHeight(index, new)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_geometry()

    def moveCursor(self, action, modifiers):
        current = super().moveCursor(action, modifiers)
        if action == QAbstractItemView.CursorAction.MoveLeft and current.column() > 0 \
                and self.visualRect(current).topLeft().x() < self.frozen.columnWidth(0):
            new_value = (self.horizontalScrollBar().value() + self.visualRect(current).topLeft().x()
                         - self.frozen.columnWidth(0))
            self.horizontalScrollBar().setValue(new_value)
        return current

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        if index.column() != 0:
            super().scrollTo(index, hint)
            return
        # Column 0 is always visible (frozen): scroll vertically only.
        horizontal = self.horizontalScrollBar().value()
        super().scrollTo(index, hint)
        self.horizontalScrollBar().setValue(horizontal)

    def _update_geometry(self) -> None:
        self.frozen.setGeometry(self.verticalHeader().width() + self.frameWidth(), self.frameWidth(),
                                self.columnWidth(0),
                                self.viewport().height() + self.horizontalHeader().height())
        self.frozen.horizontalHeader().setFixedHeight(self.horizontalHeader().height())


def select_cell(view: QTableView, row: int, column: int) -> None:
    index = view.model().index(row, column)
    view.setCurrentIndex(index)
    view.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    view.scrollTo(index)


class CellDelegate(QStyledItemDelegate):
    """Cell editor that checks the value as it is typed.

    The reason for a refusal shows at once (red border, tooltip, status bar);
    a refused value is never written: the model's ``setData`` refuses it too.
    """

    message = Signal(str)

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setFrame(False)
        model = index.model()
        if isinstance(model, ScenarioTableModel):
            col = model.columns[index.column()]
            if col.numeric:
                editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            editor.textEdited.connect(lambda text, e=editor, m=model, k=col.key: self._check(e, m, k, text))
        return editor

    def _check(self, editor: QLineEdit, model: ScenarioTableModel, key: str, text: str) -> None:
        try:
            coerce_cell(model.sheet, key, text)
        except InvalidValue as exc:
            editor.setStyleSheet(INVALID_EDITOR_STYLE)
            editor.setToolTip(str(exc))
            QToolTip.showText(editor.mapToGlobal(editor.rect().bottomLeft()), str(exc), editor)
            self.message.emit(f"Valeur refusée — {exc}")
            return
        editor.setStyleSheet("")
        editor.setToolTip("")
        QToolTip.hideText()
