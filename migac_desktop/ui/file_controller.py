"""Open, save, the recent files and dropped workbooks, for one main window.

The window keeps its public names (``open_path``, ``save``, ``save_as``, ``save_to``,
``maybe_save``…) and hands them here, so this is the one place that talks to the file
dialogs, the workbook reader and writer, and the recent-files settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ..core.scenario import Scenario
from .recovery import ask_before_overwriting
from .settings import last_folder, recent_files, remember_file

XLSX_FILTER = "Classeurs Excel (*.xlsx)"


def samples_dir() -> Path | None:
    """The samples folder: beside the package in a checkout, inside it in a bundle."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "samples", here / "resources" / "samples"):
        if candidate.is_dir():
            return candidate
    return None


class FileController(QObject):
    """The window's files; dialogs open over the window, messages go to its status bar."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    @property
    def document(self):
        return self.window.document

    @property
    def settings(self):
        return self.window.settings

    def maybe_save(self) -> bool:
        """Ask before losing changes; False means the user cancelled."""
        if not self.document.modified:
            return True
        box = QMessageBox(QMessageBox.Icon.Warning, "Modifications non enregistrées",
                          f"Le scénario « {self.document.display_name()} » a été modifié.\n"
                          "Voulez-vous enregistrer les modifications ?", parent=self.window)
        save = box.addButton("Enregistrer", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Ne pas enregistrer", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        box.setObjectName("unsavedChangesBox")
        box.exec()
        clicked = box.clickedButton()
        if clicked is save:
            return self.save()
        return clicked is discard

    def new_scenario(self) -> None:
        if self.maybe_save():
            self.document.load(Scenario(), None)
            self.window.show_message("Nouveau scénario : paramètres par défaut (illustratifs), "
                                     "aucun CRRA.")

    def new_from_sample(self) -> None:
        folder = samples_dir()
        sample = folder / "scenario_national_2014.xlsx" if folder else None
        if sample is None or not sample.is_file():
            QMessageBox.warning(self.window, "Échantillon introuvable",
                                "L'échantillon national n'est pas installé avec cette copie "
                                "de MIGAC Desktop.")
            return
        if self.maybe_save() and self.open_path(sample, ask=False):
            self.document.path = None
            self.document.pathChanged.emit()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = last_folder(self.settings)
        path, _ = QFileDialog.getOpenFileName(self.window, "Ouvrir un scénario", start, XLSX_FILTER)
        if path:
            self.open_path(Path(path), ask=False)

    def open_path(self, path: Path, ask: bool = True) -> bool:
        """Open a scenario; a refused file leaves the open one as it was."""
        if ask and not self.maybe_save():
            return False
        from ..io.workbook import WorkbookError, open_scenario
        from .busy import run_in_background
        path = Path(path)
        try:
            loaded = run_in_background(self.window, f"Ouverture de « {path.name} »…",
                                       lambda: open_scenario(path))
        except WorkbookError as exc:
            self._show_problems_dialog(path, exc.problems)
            return False
        if loaded.errors:
            self._show_problems_dialog(path, loaded.problems)
            return False
        self.document.load(loaded.scenario, path, loaded.problems, loaded.evaluation)
        remember_file(path, self.settings)
        warnings = len(loaded.warnings)
        self.window.show_message(f"« {path.name} » ouvert" +
                                 (f" : {warnings} avertissement(s) dans le panneau « Problèmes »."
                                  if warnings else "."))
        return True

    def _show_problems_dialog(self, path: Path, problems) -> None:
        errors = [p for p in problems if p.is_error]
        box = QMessageBox(QMessageBox.Icon.Critical, "Ouverture impossible",
                          f"Le fichier « {path.name} » ne peut pas être ouvert : "
                          f"{len(errors)} erreur(s) à corriger.\n"
                          "Le scénario ouvert n'a pas été modifié.",
                          parent=self.window)
        box.setObjectName("openErrorBox")
        box.setDetailedText("\n".join(str(p) for p in problems))
        shown = "\n".join(str(p) for p in errors[:12])
        if len(errors) > 12:
            shown += f"\n… et {len(errors) - 12} autre(s) (voir le détail)."
        box.setInformativeText(shown)
        box.exec()

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        start = str(self.document.path or Path(last_folder(self.settings)) / "scenario.xlsx")
        path, _ = QFileDialog.getSaveFileName(self.window, "Enregistrer le scénario", start, XLSX_FILTER)
        if not path:
            return False
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        from ..io.workbook import write_scenario
        choice = ask_before_overwriting(self.window, path)     # held open by Excel or LibreOffice?
        if choice != "save":
            return self.save_as() if choice == "save_as" else False
        from dataclasses import replace

        from ..core import journal
        from .busy import run_in_background
        from .settings import journal_author
        scenario, results = self.document.scenario, self.document.results
        # The journal gains the changes since the last save; the open scenario takes the
        # extended sheet only once the file is written.
        sheets = journal.appended(scenario.extra_sheets, self.document.journal, journal_author(self.settings))
        if sheets is not scenario.extra_sheets:
            scenario = replace(scenario, extra_sheets=sheets)
        try:
            run_in_background(self.window, f"Enregistrement de « {Path(path).name} »…",
                              lambda: write_scenario(scenario, path, results))
        except Exception as exc:  # noqa: BLE001 — every failure is told, none is lost
            kept = self.window.recovery.autosave_now()
            QMessageBox.critical(self.window, "Enregistrement impossible",
                                 f"Le scénario n'a pas pu être enregistré dans « {path} ».\n\n{exc}\n\n"
                                 "Le fichier existant n'a pas été modifié. Choisissez un autre "
                                 "dossier avec « Enregistrer sous… »."
                                 + ("\n\nVos modifications restent dans la fenêtre et une copie de "
                                    "secours automatique en est conservée." if kept else ""))
            return False
        self.document.saved_as(path, sheets)
        remember_file(path, self.settings)
        self.window.show_message(f"Scénario enregistré dans « {path.name} ».")
        return True

    def fill_recent_menu(self, menu: QMenu) -> None:
        """The « Fichiers récents » menu, filled as it opens: files gone since are left out."""
        menu.clear()
        recent = [p for p in recent_files(self.settings) if Path(p).is_file()]
        if not recent:
            action = menu.addAction("(aucun fichier récent)")
            action.setEnabled(False)
            return
        for i, p in enumerate(recent, 1):
            action = menu.addAction(f"&{i} {Path(p).name}")
            action.setToolTip(p)
            action.triggered.connect(lambda _=False, p=p: self.open_path(Path(p)))

    # -- drag and drop ---------------------------------------------------------------
    def drag_enter(self, event) -> None:
        """Accept a drag that brings a workbook (the window's dragEnterEvent)."""
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(u.toLocalFile().lower().endswith(".xlsx") for u in urls):
            event.acceptProposedAction()

    def drop(self, event) -> None:
        """Open the first workbook dropped, once the drop has returned (the window's dropEvent)."""
        for url in event.mimeData().urls():
            path = url.toLocalFile()
            if path.lower().endswith(".xlsx"):
                event.acceptProposedAction()
                QTimer.singleShot(0, lambda p=path: self.open_path(Path(p)))
                return

