"""Table views that behave as Excel: clipboard, fill-down, Enter and Tab, zoom,
right-click menus, a column chooser, the selection's sum in the status bar, and a
frozen identifier column for the CRRA table."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QTableView,
    QToolTip,
)

from ..core.commands import InvalidValue, SetCells, coerce_cell, fill_down_cells
from ..core.french import plural
from .excel_view import ExcelTableView, ReadOnlyTableView, RowHandlers
from .palette_colours import field_style
from .table_actions import decimal_point_hint, parse_clipboard
from .table_models import ScenarioTableModel

__all__ = ["ExcelTableView", "ScenarioTableView", "FrozenTableView", "ReadOnlyTableView",
           "RowHandlers", "CellDelegate", "parse_clipboard", "select_cell"]



class ScenarioTableView(ExcelTableView):
    """A view of a :class:`ScenarioTableModel` that edits like a spreadsheet."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setAlternatingRowColors(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.navigator: ExcelTableView = self      # who moves after Enter / Tab
        self.delegate: CellDelegate | None = None
        self.use_delegate(CellDelegate(self))

    def use_delegate(self, delegate: CellDelegate) -> None:
        """The cell editor (another one chooses from lists), its messages going the same way."""
        if self.delegate is not None:
            self.delegate.deleteLater()
        delegate.setParent(self)
        delegate.message.connect(self.message)
        self.delegate = delegate
        self.setItemDelegate(delegate)

    def scenario_model(self) -> ScenarioTableModel:
        return self.model()

    def is_editable(self) -> bool:
        return True

    def set_row_handlers(self, insert, remove, insert_label: str = "Insérer une ligne",
                         remove_label: str = "Supprimer les lignes sélectionnées") -> None:
        """Offer « Insérer » / « Supprimer » in the right-click menu (tables that have them)."""
        self.row_handlers = RowHandlers(insert, remove, insert_label, remove_label)

    # -- editing: Enter down, Tab right ----------------------------------------------------
    def closeEditor(self, editor, hint) -> None:
        Hint = QAbstractItemDelegate.EndEditHint
        refused = bool(editor.property("refused")) if editor is not None else False
        if hint in (Hint.SubmitModelCache, Hint.EditNextItem, Hint.EditPreviousItem):
            super().closeEditor(editor, Hint.NoHint)
            if refused:
                return              # stay on the refused cell: the reason is on screen
            if hint == Hint.SubmitModelCache:
                up = bool(QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.navigator.move_after_edit(up=up)
            else:
                self.navigator.move_after_edit(right=1 if hint == Hint.EditNextItem else -1)
            return
        super().closeEditor(editor, hint)

    # -- clipboard ---------------------------------------------------------------
    def paste_text(self, text: str) -> bool:
        """Paste a block at the current cell as one undoable edit; all or nothing.

        Cells go to the columns shown, in their order on screen. What did not fit (rows
        past the end of the table, columns past the last one, calculated columns) is said.
        """
        model = self.scenario_model()
        block = parse_clipboard(text)
        current = self.currentIndex()
        if not block or not current.isValid():
            self.message.emit("Rien à coller : le presse-papiers est vide." if not block
                              else "Collage : sélectionnez d'abord la cellule de départ.")
            return False
        rows, cols = self.selected_block()
        notes = []
        # One value pasted into a larger selection fills the whole selection.
        if len(block) == 1 and len(block[0]) == 1 and len(rows) * len(cols) > 1:
            targets = [(i.row(), i.column(), block[0][0])
                       for i in self.selectionModel().selectedIndexes()
                       if not self.horizontalHeader().isSectionHidden(i.column())]
        else:
            columns = self.visible_columns()
            start = columns.index(current.column()) if current.column() in columns else 0
            columns = columns[start:]
            top = current.row()
            n_rows, n_cols = len(block), max(len(line) for line in block)
            fit_rows = min(n_rows, model.rowCount() - top)
            fit_cols = min(n_cols, len(columns))
            targets = [(top + i, columns[j], value)
                       for i, line in enumerate(block[:fit_rows])
                       for j, value in enumerate(line[:fit_cols])]
            if fit_rows < n_rows:
                last = model.headerData(model.rowCount() - 1, Qt.Orientation.Vertical)
                where = "le tableau affiché s'arrête" if model.rowCount() != model.total_rows else "la table s'arrête"
                notes.append(f"{fit_rows} ligne{'s' if fit_rows > 1 else ''} collée"
                             f"{'s' if fit_rows > 1 else ''} sur {n_rows} : {where} à la ligne {last}")
            if fit_cols < n_cols:
                header = model.headerData(columns[-1], Qt.Orientation.Horizontal)
                notes.append(f"{fit_cols} colonne{'s' if fit_cols > 1 else ''} collée"
                             f"{'s' if fit_cols > 1 else ''} sur {n_cols} : le tableau s'arrête "
                             f"à la colonne « {header} »")
        editable = [(r, c, v) for r, c, v in targets if not model.columns[c].result]
        skipped = len(targets) - len(editable)
        try:
            cells = model.coerce_cells(editable)
        except InvalidValue as exc:
            self.message.emit(f"Collage refusé, rien n'a été modifié : {exc}")
            return False
        n = len(editable)
        if cells:
            model.document.push(SetCells(model.document.scenario, model.sheet, cells,
                                         label=f"coller {plural(n, 'cellule')}"))
        head = f"{plural(n, 'cellule')} collée{'s' if n > 1 else ''}"
        if n and len(cells) != n:
            head += (f" ({len(cells)} modifiée{'s' if len(cells) > 1 else ''}, les autres "
                     "avaient déjà cette valeur)" if cells else " (elles avaient déjà ces valeurs)")
        if skipped:
            notes.append(f"{plural(skipped, 'cellule calculée', 'cellules calculées')} "
                         "ignorée(s) : résultats du modèle, en lecture seule")
        self.message.emit(head + "".join(f" ; {note}" for note in notes) + ".")
        return True

    def cut(self) -> str:
        """Copy, then clear the editable cells of the selection as one undoable edit."""
        text = ExcelTableView.copy(self)
        if text:
            self._clear_selection_cells(label="couper")
        return text

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
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() == Qt.Key.Key_D and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
                self.fill_down()
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                rows, cols = self.selected_block()
                if rows and cols:
                    self._clear_selection_cells()
                    return
        super().keyPressEvent(event)

    def _clear_selection_cells(self, label: str = "effacer") -> None:
        model = self.scenario_model()
        header = self.horizontalHeader()
        targets = [(i.row(), i.column(), "") for i in self.selectionModel().selectedIndexes()
                   if not model.columns[i.column()].result and not header.isSectionHidden(i.column())]
        try:
            cells = model.coerce_cells(targets)
        except InvalidValue as exc:
            verb = "Couper : la sélection est copiée mais pas effacée" if label == "couper" \
                else "Effacement refusé"
            self.message.emit(f"{verb} : {exc}")
            return
        if cells:
            model.document.push(SetCells(model.document.scenario, model.sheet, cells,
                                         label=f"{label} {plural(len(cells), 'cellule')}"))


class FrozenTableView(ScenarioTableView):
    """The CRRA table with its identifier column frozen while scrolling right.

    An overlaid view shows column 0 over the main one (Qt's "frozen column"
    pattern); both share the model and the selection.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frozen = ScenarioTableView(self)
        self.frozen.setObjectName("crraTableFrozen")
        self.frozen.navigator = self
        self.frozen.summary_enabled = False
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.verticalHeader().hide()
        self.frozen.horizontalHeader().setSectionsMovable(False)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setStyleSheet("QTableView { border: none; border-right: 2px solid #7b8794; }")
        self.frozen.message.connect(self.message)
        self.frozen.customContextMenuRequested.disconnect()
        self.frozen.customContextMenuRequested.connect(
            lambda pos: self._show_context_menu(self.viewport().mapFromGlobal(
                self.frozen.viewport().mapToGlobal(pos))))
        self.frozen.horizontalHeader().customContextMenuRequested.disconnect()
        self.frozen.horizontalHeader().customContextMenuRequested.connect(
            lambda pos: self.header_menu().exec(self.frozen.horizontalHeader().mapToGlobal(pos)))
        self.horizontalHeader().setFirstSectionMovable(False)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalHeader().sectionResized.connect(self._row_resized)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)

    def fixed_columns(self) -> set[int]:
        return {0}

    def set_row_handlers(self, *args, **kwargs) -> None:
        super().set_row_handlers(*args, **kwargs)
        self.frozen.row_handlers = self.row_handlers

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

    def _apply_zoom_font(self, font: QFont, ratio: float) -> None:
        super()._apply_zoom_font(font, ratio)
        self.frozen.setFont(font)
        self.frozen.horizontalHeader().setFont(font)
        self.frozen.verticalHeader().setDefaultSectionSize(self.verticalHeader().defaultSectionSize())
        self.frozen.setColumnWidth(0, self.columnWidth(0))
        self._update_geometry()

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
    A count typed with a point (``1.234``) is accepted, and the editor says how it
    was read (1,234, not 1 234).
    """

    message = Signal(str)

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setFrame(False)
        model = index.model()
        if isinstance(model, ScenarioTableModel):
            col = model.columns[index.column()]
            editor.setAccessibleName(f"Modifier « {col.header} »")
            if col.numeric:
                editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            editor.textEdited.connect(lambda text, e=editor, m=model, c=col: self._check(e, m, c, text))
        return editor

    def _check(self, editor: QLineEdit, model: ScenarioTableModel, col, text: str) -> None:
        try:
            coerce_cell(model.sheet, col.key, text)
        except InvalidValue as exc:
            editor.setProperty("refused", True)
            editor.setStyleSheet(field_style("invalid"))
            editor.setToolTip(str(exc))
            QToolTip.showText(editor.mapToGlobal(editor.rect().bottomLeft()), str(exc), editor)
            self.message.emit(f"Valeur refusée — {exc}")
            return
        editor.setProperty("refused", False)
        hint = decimal_point_hint(col.kind, text)
        editor.setStyleSheet(field_style("hint") if hint else "")
        editor.setToolTip(hint)
        if hint:
            QToolTip.showText(editor.mapToGlobal(editor.rect().bottomLeft()), hint, editor)
            self.message.emit(f"{col.header} : {hint}")
        else:
            QToolTip.hideText()

    def setModelData(self, editor, model, index) -> None:
        super().setModelData(editor, model, index)
        if isinstance(model, ScenarioTableModel) and isinstance(editor, QLineEdit):
            col = model.columns[index.column()]
            hint = decimal_point_hint(col.kind, editor.text())
            if hint:
                self.message.emit(f"{col.header} : {hint}")
