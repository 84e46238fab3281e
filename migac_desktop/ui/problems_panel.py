"""The problems panel: every problem of the scenario, each leading to its cell."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

from .document import Document


class ProblemsPanel(QListWidget):
    """Every problem of the scenario; activating one selects its cell."""

    problemActivated = Signal(object)
    countChanged = Signal(int, int)      # errors, warnings

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.setAccessibleName("Problèmes du scénario")
        self.setAccessibleDescription("Erreurs et avertissements ; Entrée sur l'un d'eux va à sa cellule")
        self.document = document
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        document.recomputed.connect(self.refresh)
        document.reset.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        style = self.style()
        error_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        problems = sorted(self.document.problems, key=lambda p: (not p.is_error,))
        for problem in problems:
            item = QListWidgetItem(error_icon if problem.is_error else warning_icon, str(problem))
            item.setData(Qt.ItemDataRole.UserRole, problem)
            self.addItem(item)
        if not problems:
            item = QListWidgetItem("Aucun problème : le scénario est valide.")
            # Enabled (not selectable): a disabled item's grey reads at 2:1 only.
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.addItem(item)
        errors = sum(1 for p in problems if p.is_error)
        self.countChanged.emit(errors, len(problems) - errors)

    def _activated(self, item) -> None:
        problem = item.data(Qt.ItemDataRole.UserRole)
        if problem is not None:
            self.problemActivated.emit(problem)
