"""The « Historique » tab: the scenario's journal as the file holds it, then the changes
not yet saved, whose reason (« Motif ») the modeller types before saving.

An ETP retained after diagnosis is what a hospital will ask about: its reason is written
beside it in the workbook's « Journal » sheet at the next save (WORKBOOK.md)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core import journal
from ..core.french import plural
from . import settings
from .document import Document
from .excel_view import ExcelTableView
from .palette_colours import colour
from .settings import journal_author, set_journal_author
from .table_actions import export_button

PENDING_DATE = "(non enregistré)"
MOTIF_COLUMN = 3


class HistoryModel(QAbstractTableModel):
    """Saved rows first (read-only, as they are), then the pending entries (Motif editable)."""

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self._saved: list[tuple] = []
        self._rows = 0
        document.journalChanged.connect(self.refresh)
        document.reset.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        saved = self.document.saved_journal()
        rows = len(saved) + len(self.document.journal)
        if saved == self._saved and rows == self.rowCount():
            if rows:            # a reason typed: the same rows, one text changed
                self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, len(journal.HEADERS) - 1))
            return
        self.beginResetModel()
        self._saved = saved
        self._rows = rows
        self.endResetModel()

    @property
    def saved_count(self) -> int:
        return len(self._saved)

    def pending_index(self, row: int) -> int | None:
        """The position of ``row`` among the pending entries, None for a saved row."""
        return row - len(self._saved) if row >= len(self._saved) else None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(journal.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return journal.HEADERS[section]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def _text(self, row: int, column: int) -> str:
        pending = self.pending_index(row)
        if pending is None:
            values = self._saved[row]
            value = values[column] if column < len(values) else None
            return "" if value is None else str(value)
        entry = self.document.journal[pending]
        return (PENDING_DATE, journal_author(), entry.action, entry.reason)[column]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(row, column)
            if role == Qt.ItemDataRole.ToolTipRole:
                if self.pending_index(row) is not None and column == MOTIF_COLUMN:
                    return "Motif de cette modification, enregistré avec elle (F2 ou double-clic pour le saisir)."
                return text or None
            return text
        if role == Qt.ItemDataRole.FontRole and self.pending_index(row) is not None:
            font = QFont()
            font.setItalic(column == 0)
            return font
        return None

    def flags(self, index):
        flags = super().flags(index)
        if index.isValid() and index.column() == MOTIF_COLUMN and self.pending_index(index.row()) is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        pending = self.pending_index(index.row()) if index.isValid() else None
        if pending is None or index.column() != MOTIF_COLUMN or role != Qt.ItemDataRole.EditRole:
            return False
        self.document.set_reason(pending, str(value or "").strip())
        return True


class HistoryPanel(QWidget):
    """The journal's table, a line that says what is pending, and the author."""

    message = Signal(str)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.document = document
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel()
        self.summary.setObjectName("historySummary")
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        self.author = QLabel()
        self.author.setObjectName("historyAuthor")
        top.addWidget(self.author)
        self.author_button = QPushButton("A&uteur…")
        self.author_button.setObjectName("historyAuthorButton")
        self.author_button.setAccessibleName("Changer le nom d'auteur du journal")
        self.author_button.setToolTip("Le nom enregistré dans la colonne « Auteur » du journal")
        self.author_button.clicked.connect(self.edit_author)
        top.addWidget(self.author_button)
        layout.addLayout(top)
        self.model = HistoryModel(document, self)
        self.view = ExcelTableView()        # copy, zoom, right-click « Exporter le tableau… »
        self.view.setObjectName("historyTable")
        self.view.setAccessibleName("Historique des modifications du scénario")
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(QTableView.EditTrigger.DoubleClicked | QTableView.EditTrigger.EditKeyPressed
                                  | QTableView.EditTrigger.AnyKeyPressed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 260)
        layout.addWidget(self.view, 1)
        top.addWidget(export_button(self.view))
        document.journalChanged.connect(self._update)
        document.reset.connect(self._update)
        self._update()

    def _update(self) -> None:
        pending = len(self.document.journal)
        saved = self.model.saved_count
        if pending:
            text = (f"{plural(pending, 'modification non enregistrée', 'modifications non enregistrées')} : "
                    "saisissez leur motif dans la colonne « Motif » ; il sera enregistré avec elles "
                    "dans la feuille « Journal ».")
        elif saved:
            counted = plural(saved, "modification enregistrée", "modifications enregistrées")
            text = f"{counted} dans le journal du fichier."
        else:
            text = ("Aucune modification enregistrée : chaque modification sera inscrite au journal "
                    "(feuille « Journal ») à l'enregistrement.")
        self.summary.setText(text)
        self.author.setText(f"Auteur : {journal_author() or '(inconnu)'}")
        if pending:
            self.view.scrollToBottom()

    def edit_author(self) -> None:
        if AuthorDialog(self).exec() == QDialog.DialogCode.Accepted:
            self._update()
            self.model.refresh()
            self.message.emit(f"Auteur du journal : {journal_author() or '(inconnu)'}.")


class AuthorDialog(QDialog):
    """Préférences: the journal's author; empty means the system login."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Préférences")
        form = QFormLayout(self)
        self.name = QLineEdit(journal_author() if journal_author() != settings.system_login() else "")
        self.name.setObjectName("authorField")
        self.name.setPlaceholderText(settings.system_login() or "votre nom")
        self.name.setAccessibleName("Nom d'auteur du journal")
        self.name.setToolTip("Inscrit dans la colonne « Auteur » de la feuille « Journal » à chaque "
                             "enregistrement ; vide : l'identifiant de session "
                             f"« {settings.system_login() or 'inconnu'} ».")
        self.name.setMinimumWidth(280)
        label = QLabel("&Nom d'auteur du journal :")
        label.setBuddy(self.name)
        form.addRow(label, self.name)
        hint = QLabel("Vide : l'identifiant de session est utilisé.")
        hint.setStyleSheet(f"color: {colour('hint_text')};")
        form.addRow(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Enregistrer")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.name.setFocus()

    def accept(self) -> None:
        set_journal_author(self.name.text())
        super().accept()
