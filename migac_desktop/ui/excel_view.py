"""The base of every table view: Excel's keys (Enter, Tab), the clipboard, zoom, the
right-click menu, the column chooser with its remembered layout, and the selection's sum
for the status bar; and the read-only view of result tables."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMessageBox, QTableView

from ..core.french import plural
from . import table_actions
from .palette_colours import focus_frame
from .table_actions import clipboard_text, column_defs, selection_summary, source_model
from .table_models import SORT_ROLE

ZOOM_MIN, ZOOM_MAX, ZOOM_STEP = 50, 200, 10
EDIT_ROLE = Qt.ItemDataRole.EditRole


@dataclass
class RowHandlers:
    """What « Insérer » and « Supprimer des lignes » do in a table that has them."""
    insert: Callable[[], None]
    remove: Callable[[], None]
    insert_label: str = "Insérer une ligne"
    remove_label: str = "Supprimer les lignes sélectionnées"



class ExcelTableView(QTableView):
    """What every table of the window shares: copy as Excel reads it, the right-click
    menu, zoom (Ctrl+molette, Ctrl++ / Ctrl+- / Ctrl+0), Enter moving down, the column
    chooser on the header's right-click, the column layout remembered, and the
    selection's « Somme / Moyenne / Nombre » for the status bar."""

    message = Signal(str)             # a French status message for the window
    selectionSummary = Signal(str)    # « Somme : … · Moyenne : … · Nombre : … » or ""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setStyleSheet(focus_frame("QTableView"))      # the focus always shows
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)    # « Coefficient géo… », not clipped
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_context_menu)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_header_menu)
        self.row_handlers: RowHandlers | None = None
        self.zoom = 100
        self._base_font = QFont(self.font())
        self.summary_enabled = True
        self._last_summary = ""
        self._default_widths: dict[str, int] = {}     # column key → px at 100 %
        self._default_first: tuple[str, ...] = ()     # column keys shown first
        self._default_hidden: frozenset[str] = frozenset()
        self._layout_keys: list[str] | None = None
        self._restoring = False
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(400)
        self._save_timer.timeout.connect(self.save_columns)
        header.sectionResized.connect(self._columns_changed)
        header.sectionMoved.connect(self._columns_changed)

    # -- model and selection ---------------------------------------------------------
    def setModel(self, model) -> None:
        super().setModel(model)
        if model is not None:
            model.modelReset.connect(self._model_reset)
            self._connect_selection()
            self.apply_columns()

    def setSelectionModel(self, selection_model) -> None:
        super().setSelectionModel(selection_model)
        self._connect_selection()

    def _connect_selection(self) -> None:
        selection = self.selectionModel()
        if selection is not None:
            selection.selectionChanged.connect(self._update_summary)

    def is_editable(self) -> bool:
        return False

    def selected_block(self) -> tuple[list[int], list[int]]:
        """Rows and (visible) columns of the selection, columns in their order on screen."""
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        header = self.horizontalHeader()
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes if not header.isSectionHidden(i.column())},
                      key=header.visualIndex)
        return rows, cols

    def visible_columns(self) -> list[int]:
        header = self.horizontalHeader()
        return [c for c in sorted(range(header.count()), key=header.visualIndex)
                if not header.isSectionHidden(c)]

    # -- clipboard -------------------------------------------------------------------
    def copy(self) -> str:
        """The selection to the clipboard as Excel reads it: tab-separated, numbers
        without « € » nor thousands separator, decimal comma. Returns the text."""
        rows, cols = self.selected_block()
        model = self.model()
        if not rows or not cols or model is None:
            return ""
        selected = {(i.row(), i.column()) for i in self.selectionModel().selectedIndexes()}
        lines = []
        for r in rows:
            line = []
            for c in cols:
                value = model.data(model.index(r, c), EDIT_ROLE) if (r, c) in selected else ""
                line.append("" if value is None else str(value))
            lines.append(line)
        text = clipboard_text(lines)
        QGuiApplication.clipboard().setText(text)
        self.message.emit(f"Copié : {plural(len(rows), 'ligne')} × {plural(len(cols), 'colonne')}.")
        return text[:-1] if text.endswith("\n") else text

    copy_selection = copy

    def paste(self) -> bool:
        return self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        self.message.emit("Ce tableau est calculé (lecture seule) : rien n'a été collé.")
        return False

    def cut(self) -> str:
        """A read-only table cannot be cut: the selection is copied, nothing cleared."""
        text = self.copy()
        self.message.emit("Ce tableau est calculé (lecture seule) : la sélection est copiée, "
                          "rien n'est effacé.")
        return text

    def fill_down(self) -> bool:
        self.message.emit("Ce tableau est calculé (lecture seule).")
        return False

    # -- keys, wheel -----------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        editing = self.state() == QAbstractItemView.State.EditingState
        if event.key() == Qt.Key.Key_F6 and not (event.modifiers() & ~(
                Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)):
            self.leave(forward=not event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            return
        if self._tab_switch_key(event) and self._turn_tab(event):
            return
        if not editing:
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy()
                return
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste()
                return
            if event.matches(QKeySequence.StandardKey.Cut):
                self.cut()
                return
            if self._zoom_key(event):
                return
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                    event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier
                                          | Qt.KeyboardModifier.KeypadModifier)):
                self.move_after_edit(up=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
                return
        super().keyPressEvent(event)

    @staticmethod
    def _tab_switch_key(event) -> bool:
        """Ctrl+Tab / Ctrl+Maj+Tab, and Ctrl+Pg.Suiv / Ctrl+Pg.Préc as Excel turns its sheets:
        the next or previous tab, even from inside a table."""
        control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        return bool(control) and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab,
                                                 Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)

    def _turn_tab(self, event) -> bool:
        """The nearest tab widget holding the table turns to its next (previous) page."""
        from PySide6.QtWidgets import QTabWidget
        widget = self.parentWidget()
        while widget is not None and not isinstance(widget, QTabWidget):
            widget = widget.parentWidget()
        if widget is None or widget.count() < 2:
            return False
        back = event.key() in (Qt.Key.Key_Backtab, Qt.Key.Key_PageUp) or bool(
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        widget.setCurrentIndex((widget.currentIndex() + (-1 if back else 1)) % widget.count())
        return True

    def leave(self, forward: bool = True) -> bool:
        """F6 (Shift+F6 backwards): the focus leaves the table for the next (previous)
        control, as F6 moves between Excel's panes. Tab stays inside, from cell to cell
        as in Excel, so without this key a keyboard user could not get out of a table."""
        widget = self
        for _ in range(5000):
            widget = widget.nextInFocusChain() if forward else widget.previousInFocusChain()
            if widget is None or widget is self:
                return False
            if (widget is not self and not self.isAncestorOf(widget) and widget.window() is self.window()
                    and widget.isVisible() and widget.isEnabled() and widget.focusProxy() is None
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
                widget.setFocus(reason)
                return True
        return False

    def _zoom_key(self, event) -> bool:
        modifiers = event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier
                                          | Qt.KeyboardModifier.ShiftModifier)
        if modifiers != Qt.KeyboardModifier.ControlModifier:
            return False
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.set_zoom(self.zoom + ZOOM_STEP)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.set_zoom(self.zoom - ZOOM_STEP)
        elif key == Qt.Key.Key_0:
            self.set_zoom(100)
        else:
            return False
        return True

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.set_zoom(self.zoom + ZOOM_STEP * (1 if steps > 0 else -1))
            event.accept()
            return
        super().wheelEvent(event)

    def move_after_edit(self, up: bool = False, right: int = 0) -> None:
        """Enter moves down (Shift+Enter up), Tab right, Shift+Tab left: as in Excel."""
        current = self.currentIndex()
        if not current.isValid():
            return
        if right:
            action = (QAbstractItemView.CursorAction.MoveRight if right > 0
                      else QAbstractItemView.CursorAction.MoveLeft)
        else:
            action = QAbstractItemView.CursorAction.MoveUp if up else QAbstractItemView.CursorAction.MoveDown
        target = self.moveCursor(action, Qt.KeyboardModifier.NoModifier)
        if target.isValid() and target != current:
            self.selectionModel().setCurrentIndex(
                target, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | (QItemSelectionModel.SelectionFlag.Rows
                   if self.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
                   else QItemSelectionModel.SelectionFlag.NoUpdate))
            self.scrollTo(target)

    # -- zoom --------------------------------------------------------------------------
    def set_zoom(self, percent: int) -> None:
        percent = max(ZOOM_MIN, min(ZOOM_MAX, int(percent)))
        if percent == self.zoom:
            return
        ratio = percent / self.zoom
        self.zoom = percent
        font = QFont(self._base_font)
        if self._base_font.pointSizeF() > 0:
            font.setPointSizeF(self._base_font.pointSizeF() * percent / 100)
        else:
            font.setPixelSize(max(4, round(self._base_font.pixelSize() * percent / 100)))
        self._apply_zoom_font(font, ratio)
        self.message.emit(f"Zoom du tableau : {percent} % (Ctrl+0 : 100 %).")

    def _apply_zoom_font(self, font: QFont, ratio: float) -> None:
        self.setFont(font)
        self.horizontalHeader().setFont(font)
        self.verticalHeader().setFont(font)
        self.verticalHeader().setDefaultSectionSize(QFontMetrics(font).height() + 8)
        header = self.horizontalHeader()
        self._restoring = True
        try:
            for c in range(header.count()):
                if not header.isSectionHidden(c):
                    header.resizeSection(c, max(20, round(header.sectionSize(c) * ratio)))
        finally:
            self._restoring = False

    # -- menus ---------------------------------------------------------------------------
    def context_menu(self):
        return table_actions.build_context_menu(self)

    def header_menu(self):
        return table_actions.build_header_menu(self)

    def _show_context_menu(self, pos) -> None:
        index = self.indexAt(pos)
        if index.isValid() and not self.selectionModel().isSelected(index):
            self.setCurrentIndex(index)
        self.context_menu().exec(self.viewport().mapToGlobal(pos))

    def _show_header_menu(self, pos) -> None:
        self.header_menu().exec(self.horizontalHeader().mapToGlobal(pos))

    def export_dialog(self) -> bool:
        """« Exporter le tableau… »: the rows as shown, to .xlsx or .csv."""
        from ..io.table_export import TableExportError
        path = table_actions.ask_export_path(self, f"{table_actions.export_name(self)}.xlsx")
        if not path:
            return False
        try:
            table_actions.export_view(self, path)
        except TableExportError as exc:
            QMessageBox.warning(self, "Export impossible", str(exc))
            return False
        from pathlib import Path
        self.message.emit(f"Tableau exporté dans « {Path(path).name} » "
                          f"({plural(self.model().rowCount(), 'ligne')}).")
        return True

    def print_selection(self) -> bool:
        """« Imprimer la sélection… »: the selected cells with the report's page layout."""
        from .printing.selection import print_selection
        return print_selection(self)

    def selection_pdf(self):
        """« Sélection en PDF… »: the same pages, to a PDF file."""
        from .printing.selection import selection_pdf
        return selection_pdf(self)

    # -- columns: chooser and remembered layout --------------------------------------------
    def fixed_columns(self) -> set[int]:
        """Columns that cannot be hidden or moved (the frozen identifier)."""
        return set()

    def column_keys(self) -> list[str]:
        model = self.model()
        defs = column_defs(model) if model is not None else []
        if defs:
            return [c.key for c in defs]
        return [str(model.headerData(c, Qt.Orientation.Horizontal) or c)
                for c in range(model.columnCount())] if model is not None else []

    def set_default_columns(self, widths: dict[str, int] | None = None, first=(), hidden=()) -> None:
        """The layout « Rétablir les colonnes par défaut » comes back to; the user's
        remembered layout (QSettings) is applied over it."""
        self._default_widths = dict(widths or {})
        self._default_first = tuple(first)
        self._default_hidden = frozenset(hidden)
        self.apply_columns()

    def set_column_shown(self, column: int, shown: bool) -> None:
        if column in self.fixed_columns():
            return
        if not shown and len(self.visible_columns()) <= 1:
            return
        self.horizontalHeader().setSectionHidden(column, not shown)
        self.save_columns()
        self._update_summary()

    def reset_columns(self) -> None:
        table_actions.save_columns(self.objectName(), None)
        self.apply_columns(use_saved=False)
        self.message.emit("Colonnes rétablies : ordre, largeurs et colonnes affichées par défaut.")

    def apply_columns(self, use_saved: bool = True) -> None:
        model = self.model()
        if model is None:
            return
        keys = self.column_keys()
        saved = table_actions.load_columns(self.objectName()) if use_saved else None
        header = self.horizontalHeader()
        fixed = self.fixed_columns()
        order = list(saved.get("order", [])) if saved else []
        first = [keys[c] for c in sorted(fixed)]
        if order:
            # The saved order is applied to the columns it knows, each taking the place of
            # one of them: a column it does not know (a new year, another level's columns
            # in the comparison) stays where the model puts it.
            known = [k for k in keys if k in order]
            moved = iter(sorted(known, key=order.index))
            final = list(dict.fromkeys(first + [next(moved) if k in order else k for k in keys]))
        else:
            wanted = first + [k for k in self._default_first if k in keys]
            final = list(dict.fromkeys(wanted + keys))
        hidden = set(saved.get("hidden", [])) if saved else set(self._default_hidden)
        widths = dict(self._default_widths)
        if saved and isinstance(saved.get("widths"), dict):
            widths.update({k: v for k, v in saved["widths"].items() if isinstance(v, (int, float))})
        self._restoring = True
        try:
            for visual, key in enumerate(final):
                logical = keys.index(key)
                if header.visualIndex(logical) != visual:
                    header.moveSection(header.visualIndex(logical), visual)
            for logical, key in enumerate(keys):
                header.setSectionHidden(logical, key in hidden and logical not in fixed)
            interactive = header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive \
                if header.count() else False
            if interactive:
                for logical, key in enumerate(keys):
                    width = widths.get(key)
                    if width:
                        header.resizeSection(logical, max(20, round(width * self.zoom / 100)))
        finally:
            self._restoring = False
        self._layout_keys = keys

    def _model_reset(self) -> None:
        if self.column_keys() != self._layout_keys:
            self.apply_columns()
        self._update_summary()

    def _columns_changed(self, *_args) -> None:
        if self._restoring:
            return
        fixed = self.fixed_columns()
        header = self.horizontalHeader()
        for c in fixed:                          # the frozen column stays first
            if header.visualIndex(c) != 0:
                self._restoring = True
                header.moveSection(header.visualIndex(c), 0)
                self._restoring = False
        if self.objectName():
            self._save_timer.start()

    def save_columns(self) -> None:
        name = self.objectName()
        model = self.model()
        if not name or model is None or self._restoring:
            return
        keys = self.column_keys()
        header = self.horizontalHeader()
        previous = table_actions.load_columns(name) or {}
        widths = dict(previous.get("widths", {})) if isinstance(previous.get("widths"), dict) else {}
        if header.count() and header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive:
            for logical, key in enumerate(keys):
                if not header.isSectionHidden(logical) and header.sectionSize(logical) > 0:
                    widths[key] = round(header.sectionSize(logical) * 100 / self.zoom)
        state = {"order": [keys[c] for c in sorted(range(len(keys)), key=header.visualIndex)],
                 "hidden": [k for c, k in enumerate(keys) if header.isSectionHidden(c)],
                 "widths": widths}
        table_actions.save_columns(name, state)

    # -- the selection's sum, for the status bar ------------------------------------------------
    def summary_text(self) -> str:
        selection = self.selectionModel()
        model = self.model()
        if selection is None or model is None:
            return ""
        defs = column_defs(model)
        header = self.horizontalHeader()
        source = source_model(model)
        ranges = list(selection.selection())
        values: dict[str, list] = {}

        def numeric(c: int) -> bool:
            return c < len(defs) and defs[c].kind != "text" and not header.isSectionHidden(c)

        if len(ranges) == 1 and source is model and hasattr(model, "view_values"):
            rng = ranges[0]
            for c in range(rng.left(), rng.right() + 1):
                if numeric(c):
                    values.setdefault(defs[c].kind, []).append(
                        model.view_values(c, rng.top(), rng.bottom() + 1))
        else:
            cells = {(r, c) for rng in ranges for c in range(rng.left(), rng.right() + 1)
                     if numeric(c) for r in range(rng.top(), rng.bottom() + 1)}
            for r, c in cells:
                v = model.data(model.index(r, c), SORT_ROLE)
                values.setdefault(defs[c].kind, []).append(
                    [math.nan if v is None or isinstance(v, str) else float(v)])
        return selection_summary(values, getattr(source, "region_filter", None))

    def _update_summary(self, *_args, force: bool = False) -> None:
        if not self.summary_enabled:
            return
        text = self.summary_text()
        if force or text != self._last_summary:
            self._last_summary = text
            self.selectionSummary.emit(text)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self._update_summary(force=True)


class ReadOnlyTableView(ExcelTableView):
    """A table of results (comparison, smoothing): rows selected whole, copied and
    exported, never edited."""

    def __init__(self, parent=None, accessible_name: str = ""):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        if accessible_name:
            self.setAccessibleName(accessible_name)
