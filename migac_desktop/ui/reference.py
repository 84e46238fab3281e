"""The reference scenario the open one is compared with (issue 14, « Comparer à »).

Three sources: another workbook, the open file as it was last saved (read again from
disk), or the open scenario as it was when opened (the copy ``Document.load`` keeps).
A file is read off the GUI thread by the same reader and validation as « Ouvrir »
(``open_scenario`` under ``run_in_background``); a refused reference is said in French
and changes nothing, neither the open scenario nor the reference already chosen. The
reference is computed by the same model, never edited, never saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ..core.model import Results
from ..core.scenario import Scenario
from ..core.validation import errors_of, evaluate
from .file_controller import XLSX_FILTER
from .settings import last_folder

FILE, SAVED, OPENED = "file", "saved", "opened"


@dataclass
class Reference:
    """A scenario and its results, frozen: what the open scenario is compared with."""

    scenario: Scenario
    results: Results | None
    source: str                     # FILE, SAVED or OPENED
    path: Path | None = None

    def describe(self) -> str:
        """« scenario_region.xlsx », « … tel qu'enregistré », « … à l'ouverture »."""
        name = f"« {self.path.name} »" if self.path is not None else "« Sans titre »"
        if self.source == SAVED:
            return f"{name} tel qu'enregistré"
        if self.source == OPENED:
            return f"{name} tel qu'à l'ouverture"
        return name

    @property
    def title(self) -> str:
        return str(self.scenario.title or "")


class ReferenceController(QObject):
    """Chooses, loads and drops the window's reference; ``changed`` after each."""

    changed = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.reference: Reference | None = None
        self.actionFile = self._action("actionCompareFile", "Un autre &fichier…", self.choose_file,
                                       "Comparer le scénario ouvert à un autre classeur")
        self.actionSaved = self._action(
            "actionCompareSaved", "Le fichier tel qu'il a été &enregistré", self.use_saved,
            "Comparer aux données du fichier ouvert telles qu'enregistrées sur le disque")
        self.actionOpened = self._action(
            "actionCompareOpened", "Le scénario tel qu'il était à l'&ouverture", self.use_opened,
            "Comparer au scénario tel qu'il était quand il a été ouvert")
        self.actionRemove = self._action("actionRemoveReference", "&Retirer la référence",
                                         self.clear, "Ne plus comparer à un scénario de référence")
        self.menu = QMenu("&Comparer à", window)
        self.menu.setObjectName("compareMenu")
        for action in (self.actionFile, self.actionSaved, self.actionOpened):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.actionRemove)
        self.menu.aboutToShow.connect(self.update_actions)
        window.document.pathChanged.connect(self.update_actions)
        self.update_actions()

    def _action(self, name: str, text: str, slot, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    @property
    def document(self):
        return self.window.document

    def update_actions(self) -> None:
        path = self.document.path
        self.actionSaved.setEnabled(path is not None and Path(path).is_file())
        self.actionOpened.setEnabled(self.document.scenario_at_open is not None)
        self.actionRemove.setEnabled(self.reference is not None)

    # -- sources ---------------------------------------------------------------------
    def choose_file(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(self.window, "Choisir le scénario de référence",
                                              last_folder(self.window.settings), XLSX_FILTER)
        return self.load_file(Path(path)) if path else False

    def use_saved(self) -> bool:
        path = self.document.path
        if path is None or not Path(path).is_file():
            self._refuse("Le scénario ouvert n'a pas encore été enregistré : il n'y a pas de "
                         "fichier à relire. Enregistrez-le ou choisissez un autre fichier.")
            return False
        return self.load_file(Path(path), SAVED)

    def use_opened(self) -> bool:
        scenario = self.document.scenario_at_open
        if scenario is None:
            self._refuse("Aucun scénario n'a été ouvert.")
            return False
        problems, results = evaluate(scenario)
        return self._set(Reference(scenario, results, OPENED, self.document.path), problems)

    def load_file(self, path: Path, source: str = FILE) -> bool:
        """Read and validate ``path`` as « Ouvrir » does; True if it became the reference."""
        from ..io.workbook import WorkbookError, open_scenario
        from .busy import run_in_background
        try:
            loaded = run_in_background(self.window, f"Lecture de la référence « {path.name} »…",
                                       lambda: open_scenario(path))
        except WorkbookError as exc:
            self._refuse_file(path, exc.problems)
            return False
        except OSError as exc:
            self._refuse(f"Le fichier « {path.name} » ne peut pas être lu : {exc.strerror or exc}.")
            return False
        if loaded.errors:
            self._refuse_file(path, loaded.problems)
            return False
        problems, results = loaded.evaluation
        return self._set(Reference(loaded.scenario, results, source, path), problems)

    def clear(self) -> None:
        if self.reference is not None:
            self.reference = None
            self.update_actions()
            self.changed.emit()
            self.window.show_message("Référence retirée : plus de comparaison à un autre scénario.")

    def for_report(self):
        """The reference as the report takes it (its section « Écarts au scénario de
        référence »), or None; one object per reference chosen, so that the report built
        for it is reused until the reference or the scenario changes."""
        reference = self.reference
        if reference is None:
            return None
        cached = getattr(self, "_report_reference", None)
        if cached is not None and cached[0] is reference:
            return cached[1]
        from ..reporting.report_reference import Reference as ReportReference
        name = reference.path.name if reference.path is not None else "Sans titre"
        source = reference.path if reference.source == FILE else (
            f"{name}, tel qu'enregistré" if reference.source == SAVED else f"{name}, tel qu'à l'ouverture")
        report_reference = ReportReference(reference.scenario, reference.results, source, reference.title)
        self._report_reference = (reference, report_reference)
        return report_reference

    # -- outcome ---------------------------------------------------------------------
    def _set(self, reference: Reference, problems) -> bool:
        errors = errors_of(problems)
        if reference.results is None or errors:
            self._refuse(f"Le scénario de référence {reference.describe()} ne peut pas être "
                         f"calculé : {len(errors)} erreur(s).",
                         "\n".join(str(p) for p in errors))
            return False
        self.reference = reference
        self.update_actions()
        self.changed.emit()
        self.window.show_message(f"Scénario de référence : {reference.describe()}.")
        return True

    def _refuse_file(self, path: Path, problems) -> None:
        errors = [p for p in problems if p.is_error]
        shown = "\n".join(str(p) for p in errors[:12])
        if len(errors) > 12:
            shown += f"\n… et {len(errors) - 12} autre(s) (voir le détail)."
        self._refuse(f"Le fichier « {path.name} » ne peut pas servir de référence : "
                     f"{len(errors)} erreur(s) à corriger.", shown,
                     "\n".join(str(p) for p in problems))

    def _refuse(self, text: str, informative: str = "", detail: str = "") -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Référence refusée",
                          text + "\nLe scénario ouvert et la référence en cours n'ont pas "
                                 "été modifiés.", parent=self.window)
        box.setObjectName("referenceErrorBox")
        if informative:
            box.setInformativeText(informative)
        if detail:
            box.setDetailedText(detail)
        box.exec()
