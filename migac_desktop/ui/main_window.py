"""The main window: menus, the CRRA table, the panels, open and save."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QApplication, QComboBox, QDockWidget, QFileDialog, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMainWindow,
                               QMessageBox, QPushButton, QSplitter, QTabWidget, QVBoxLayout,
                               QWidget)

from .. import __version__
from ..core.commands import InsertRows, RemoveRows
from ..core.numbers import format_euros, format_signed_euros
from ..core.scenario import Scenario
from .document import Document
from .edit_keys import OWN_UNDO, EditKeys, commit_pending_edit, redo_keys, undo_keys
from .panels import ComparisonPanel, ExplainPanel, ProblemsPanel, SmoothingPanel
from .parameters_panel import ParametersPanel
from .recovery import RecoveryController, ask_before_overwriting
from .table_actions import CRRA_FIRST_COLUMNS, CRRA_TEXT_WIDTHS, connect_table_views
from .table_models import ScenarioTableModel
from .translations import install_french_qt
from .views import FrozenTableView, select_cell

XLSX_FILTER = "Classeurs Excel (*.xlsx)"
MAX_RECENT = 8


def samples_dir() -> Path | None:
    """The samples folder: beside the package in a checkout, inside it in a bundle."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "samples", here / "resources" / "samples"):
        if candidate.is_dir():
            return candidate
    return None


class CrraPanel(QWidget):
    """The CRRA table with its filter, search and row buttons."""

    message = Signal(str)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Région :"))
        self.region = QComboBox()
        self.region.setObjectName("crraRegionFilter")
        self.region.setMinimumContentsLength(24)
        bar.addWidget(self.region)
        self.search = QLineEdit()
        self.search.setObjectName("crraSearch")
        self.search.setPlaceholderText("Rechercher (identifiant, libellé, FINESS, établissement…)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(300)
        bar.addWidget(self.search)
        bar.addStretch(1)
        self.add_button = QPushButton("Ajouter un CRRA")
        self.remove_button = QPushButton("Supprimer")
        self.fill_button = QPushButton("Recopier vers le bas")
        self.fill_button.setToolTip("Recopie la première ligne de la sélection dans les suivantes (Ctrl+D).")
        for button in (self.add_button, self.remove_button, self.fill_button):
            bar.addWidget(button)
        layout.addLayout(bar)
        self.model = ScenarioTableModel(document, "CRRA", self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.view = FrozenTableView(self)
        self.view.setObjectName("crraTable")
        self.view.setAccessibleName("Tableau des CRRA")
        self.view.setModel(self.model)
        self.view.set_row_handlers(self.add_crra, self.remove_selected, "Ajouter un CRRA",
                                   "Supprimer les CRRA sélectionnés")
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.splitter.addWidget(self.view)
        explain_box = QGroupBox("Explication du calcul")
        explain_layout = QVBoxLayout(explain_box)
        explain_layout.setContentsMargins(4, 4, 4, 4)
        self.explain = ExplainPanel(document)
        explain_layout.addWidget(self.explain)
        self.splitter.addWidget(explain_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 360])
        layout.addWidget(self.splitter, 1)
        self.count = QLabel()
        layout.addWidget(self.count)
        self.view.message.connect(self.message)
        self.model.rejected.connect(lambda text: self.message.emit(f"Valeur refusée — {text}"))
        self.region.currentIndexChanged.connect(self._apply_filter)
        self.search.textChanged.connect(self._apply_filter)
        self.add_button.clicked.connect(self.add_crra)
        self.remove_button.clicked.connect(self.remove_selected)
        self.fill_button.clicked.connect(self.view.fill_down)
        document.reset.connect(self._on_reset)
        document.edited.connect(self._on_edited)
        # The explanation follows the selection, and only a CRRA the table shows.
        self.view.selectionModel().currentChanged.connect(self._sync_explanation)
        self.view.selectionModel().selectionChanged.connect(self._sync_explanation)
        self.model.modelReset.connect(self._sync_explanation)
        self._on_reset()

    def _on_reset(self) -> None:
        self._fill_regions()
        self._resize_columns()
        self._update_count()

    def _on_edited(self, change) -> None:
        if change.sheet == "CRRA" and (change.structural or "region" in change.columns):
            self._fill_regions()
        self._update_count()
        self._sync_explanation()

    def _fill_regions(self) -> None:
        current = self.region.currentData()
        regions = self.document.region_names()          # French order: Île-de-France under I
        self.region.blockSignals(True)
        self.region.clear()
        self.region.addItem("Toutes les régions", None)
        for name in regions:
            self.region.addItem(name, name)
        index = self.region.findData(current)
        self.region.setCurrentIndex(max(index, 0))
        self.region.blockSignals(False)
        self._apply_filter()

    def set_region(self, region: str | None) -> None:
        index = self.region.findData(region)
        self.region.setCurrentIndex(max(index, 0))

    def _apply_filter(self) -> None:
        # The CRRA shown before stays current if the new filter keeps it.
        kept = self._current_position()
        column = max(self.view.currentIndex().column(), 0)
        self.model.set_filter(self.region.currentData(), self.search.text())
        row = self.model.row_of_position(kept) if kept is not None else -1
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, column))
        self._update_count()
        self._sync_explanation()
        # The region chosen here is the one the other tabs and the report start on.
        self.document.set_working_region(self.region.currentData())

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), len(self.document.scenario.crra)
        self.count.setText(f"{shown} CRRA affiché(s) sur {total}" if shown != total else f"{total} CRRA")

    def _resize_columns(self) -> None:
        """Widths from the header and a sample of the content; the figures first and
        identity texts narrow (table_actions), the user's own layout over that."""
        metrics = QFontMetrics(self.view.font())
        sample = range(min(self.model.rowCount(), 300))
        widths = {}
        for c, col in enumerate(self.model.columns):
            width = metrics.horizontalAdvance(col.header) + 30
            for r in sample:
                text = self.model.data(self.model.index(r, c)) or ""
                width = max(width, metrics.horizontalAdvance(text) + 18)
            if col.result and col.kind in ("euros", "signed_euros"):
                width = max(width, metrics.horizontalAdvance("−12 345 678 €") + 18)
            widths[col.key] = min(width, CRRA_TEXT_WIDTHS.get(col.key, 280))
        allocations = tuple(c.key for c in self.model.columns if c.key.startswith("alloc_"))
        self.view.set_default_columns(widths, first=CRRA_FIRST_COLUMNS + allocations)

    def add_crra(self) -> None:
        """Add a CRRA hosted like the selected one (region, hospital), to be completed."""
        crra = self.document.scenario.crra
        existing = set(crra["crra_id"])
        n = len(existing) + 1
        while f"NOUVEAU-{n}" in existing:
            n += 1
        row = dict(crra_id=f"NOUVEAU-{n}", drm=0.0, historic=0.0, geo_coef=0.0)
        index = self.view.currentIndex()
        region = self.region.currentData()
        if index.isValid():
            template = self.model.position(index.row())
        elif region is not None:
            template = int((crra["region"] == region).to_numpy().argmax())
        else:
            template = 0 if len(crra) else None
        if template is not None:
            for key in ("region", "departement", "finess", "establishment", "geo_coef"):
                row[key] = crra[key].iat[template]
        position = len(crra)
        self.document.push(InsertRows(self.document.scenario, "CRRA", position, [row]))
        view_row = self.model.row_of_position(position)
        if view_row >= 0:
            select_cell(self.view, view_row, self.model.column_of_key("drm"))
        self.message.emit(f"CRRA NOUVEAU-{n} ajouté : complétez son identifiant, ses DRM et sa "
                          "dotation historique (région et établissement repris de la sélection).")

    def remove_selected(self) -> None:
        rows, _ = self.view.selected_block()
        if not rows:
            self.message.emit("Sélectionnez les CRRA à supprimer.")
            return
        positions = [self.model.position(r) for r in rows]
        self.document.push(RemoveRows(self.document.scenario, "CRRA", positions))

    def _current_position(self) -> int | None:
        """The scenario row of the current CRRA, if the table shows and selects it."""
        index = self.view.currentIndex()
        selection = self.view.selectionModel()
        if index.isValid() and selection.isSelected(index):
            row = index.row()
        elif selection.hasSelection():      # the current cell moved off the selection
            row = min(r.top() for r in selection.selection())
        else:
            return None
        position = self.model.position(row)
        return position if 0 <= position < len(self.document.scenario.crra) else None

    def current_crra(self) -> str | None:
        position = self._current_position()
        if position is None:
            return None
        return self.document.scenario.crra["crra_id"].iat[position]

    def _sync_explanation(self, *_args) -> None:
        self.explain.show_crra(self.current_crra())


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        install_french_qt()         # Qt's own dialogs in French from the first one
        self.settings = QSettings()
        self.document = Document(self)
        self._build_actions()
        self._build_central()
        self._build_docks()
        self._build_menus()
        self.statusBar().setObjectName("statusBar")
        self.totals = QLabel()
        self.totals.setObjectName("nationalTotals")
        self.statusBar().addPermanentWidget(self.totals)
        self.selection_summary = QLabel()        # « Somme : … » of the selected numbers
        self.selection_summary.setObjectName("selectionSummary")
        self.selection_summary.setAccessibleName("Somme, moyenne et nombre de la sélection")
        self.selection_summary.setContentsMargins(0, 0, 16, 0)
        self.statusBar().insertPermanentWidget(0, self.selection_summary)
        connect_table_views(self, self.selection_summary, self.show_message)
        self.recovery = RecoveryController(self)    # autosave of unsaved changes, recovery
        self.document.undo_stack.cleanChanged.connect(self._update_title)
        self.document.pathChanged.connect(self._update_title)
        self.document.recomputed.connect(self._update_totals)
        self.document.reset.connect(self._update_totals)
        self.document.recomputed.connect(self._update_report_actions)
        self.document.reset.connect(self._update_report_actions)
        self._update_report_actions()
        self._update_title()
        self._update_totals()
        geometry = self.settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            screen = QGuiApplication.primaryScreen().availableGeometry()
            self.resize(int(screen.width() * 0.94), int(screen.height() * 0.92))

    # -- construction ------------------------------------------------------------
    def _action(self, name, text, slot=None, shortcut=None, tip=None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if tip:
            action.setStatusTip(tip)
        if slot is not None:
            action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.actionNew = self._action("actionNew", "&Nouveau scénario", self.new_scenario, K.New,
                                      "Scénario vide avec les paramètres par défaut du modèle")
        self.actionNewFromSample = self._action(
            "actionNewFromSample", "Nouveau à partir de l'échantillon &national",
            self.new_from_sample, tip="Copie de l'échantillon national fictif, à enregistrer sous un autre nom")
        self.actionOpen = self._action("actionOpen", "&Ouvrir…", self.open_dialog, K.Open)
        self.actionSave = self._action("actionSave", "&Enregistrer", self.save, K.Save)
        self.actionSaveAs = self._action("actionSaveAs", "Enregistrer &sous…", self.save_as, K.SaveAs)
        self.actionQuit = self._action("actionQuit", "&Quitter", self.close, K.Quit)
        # Qt keeps the texts (« Annuler : modifier DRM de SAMU-075 ») and enabled states;
        # triggering commits a field being edited first (ui/edit_keys.py).
        stack = self.document.undo_stack
        self.actionUndo = stack.createUndoAction(self, "Annuler :")
        self.actionUndo.setObjectName("actionUndo")
        self.actionUndo.setShortcuts(undo_keys())
        self.actionRedo = stack.createRedoAction(self, "Rétablir :")
        self.actionRedo.setObjectName("actionRedo")
        self.actionRedo.setShortcuts(redo_keys())
        for action, slot in ((self.actionUndo, self.undo), (self.actionRedo, self.redo)):
            action.triggered.disconnect()
            action.triggered.connect(slot)
        self.edit_keys = EditKeys(self, self.undo, self.redo)
        self.actionFind = self._action("actionFind", "&Rechercher un CRRA…", self.find_crra, K.Find,
                                       "Aller au champ de recherche du tableau des CRRA")
        self.clipboard_actions = [
            self._action("actionCut", "Co&uper", lambda: self._clipboard("cut"), K.Cut),
            self._action("actionCopy", "&Copier", lambda: self._clipboard("copy"), K.Copy),
            self._action("actionPaste", "C&oller", lambda: self._clipboard("paste"), K.Paste),
        ]
        self.actionAbout = self._action("actionAbout", "À &propos de MIGAC Desktop", self.about)
        # The report (ui/printing.py, imported on first use): national or one region.
        self.actionPrintPreview = self._action(
            "actionPrintPreview", "Aperçu avant &impression…", self.print_preview,
            tip="Aperçu du rapport (national ou d'une région) tel qu'il sera imprimé")
        self.actionPrint = self._action("actionPrint", "Im&primer…", self.print_report, K.Print,
                                        "Imprimer le rapport (national ou d'une région)")
        self.actionExportPdf = self._action("actionExportPdf", "Exporter en P&DF…", self.export_pdf,
                                            tip="Enregistrer le rapport en PDF")

    def _build_central(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.crra_panel = CrraPanel(self.document)
        self.parameters_panel = ParametersPanel(self.document)
        self.comparison_panel = ComparisonPanel(self.document)
        self.smoothing_panel = SmoothingPanel(self.document)
        self.tabs.addTab(self.crra_panel, "CRRA")
        self.tabs.addTab(self.parameters_panel, "Paramètres nationaux")
        self.tabs.addTab(self.comparison_panel, "Comparaison")
        self.tabs.addTab(self.smoothing_panel, "Lissage")
        self.setCentralWidget(self.tabs)
        for panel in (self.crra_panel, self.parameters_panel):
            panel.message.connect(self.show_message)
        self.comparison_panel.regionSelected.connect(self.crra_panel.set_region)
        self.crra_panel.search.setProperty(OWN_UNDO, True)     # Ctrl+Z undoes the typing
        self.explain_panel = self.crra_panel.explain

    def _build_docks(self) -> None:
        self.problems_panel = ProblemsPanel(self.document)
        self.problems_panel.problemActivated.connect(self.go_to_problem)
        self.problems_dock = QDockWidget("Problèmes", self)
        self.problems_dock.setObjectName("problemsDock")
        self.problems_dock.setWidget(self.problems_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.problems_panel.countChanged.connect(self._problems_counted)
        self.problems_panel.refresh()

    def _problems_counted(self, errors: int, warnings: int) -> None:
        parts = []
        if errors:
            parts.append(f"{errors} erreur(s)")
        if warnings:
            parts.append(f"{warnings} avertissement(s)")
        self.problems_dock.setWindowTitle("Problèmes" + (f" — {', '.join(parts)}" if parts else ""))
        # « Aucun problème » takes one line; problems that appear get room for four.
        panel, empty = self.problems_panel, not parts
        if empty == getattr(self, "_problems_empty", None):
            return
        self._problems_empty = empty
        line = panel.fontMetrics().height() + 6
        if empty:
            panel.setMaximumHeight(line + 2 * panel.frameWidth() + 2)
        else:
            panel.setMaximumHeight(16777215)
            self.resizeDocks([self.problems_dock], [4 * line + 30], Qt.Orientation.Vertical)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&Fichier")
        menu.addAction(self.actionNew)
        menu.addAction(self.actionNewFromSample)
        menu.addAction(self.actionOpen)
        self.recent_menu = menu.addMenu("Fichiers &récents")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menu.addSeparator()
        menu.addAction(self.actionSave)
        menu.addAction(self.actionSaveAs)
        menu.addSeparator()
        menu.addAction(self.actionPrintPreview)
        menu.addAction(self.actionPrint)
        menu.addAction(self.actionExportPdf)
        menu.addSeparator()
        menu.addAction(self.actionQuit)
        edit = self.menuBar().addMenu("É&dition")
        edit.addAction(self.actionUndo)
        edit.addAction(self.actionRedo)
        edit.addSeparator()
        for action in self.clipboard_actions:
            edit.addAction(action)
        edit.addSeparator()
        edit.addAction(self.actionFind)
        fill = self._action("actionFillDown", "Recopier vers le &bas", self.crra_panel.view.fill_down,
                            QKeySequence("Ctrl+D"))
        edit.addAction(fill)
        view = self.menuBar().addMenu("&Affichage")
        view.addAction(self.problems_dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Aide")
        help_menu.addAction(self.actionAbout)

    # -- editing -------------------------------------------------------------------
    def undo(self) -> None:
        commit_pending_edit(QApplication.focusWidget())
        self.document.undo_stack.undo()

    def redo(self) -> None:
        commit_pending_edit(QApplication.focusWidget())
        self.document.undo_stack.redo()

    def find_crra(self) -> None:
        self.tabs.setCurrentWidget(self.crra_panel)
        self.crra_panel.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.crra_panel.search.selectAll()

    def _clipboard(self, operation: str) -> None:
        """Couper / Copier / Coller of the Édition menu, on whatever has the focus."""
        focus = QApplication.focusWidget()
        while focus is not None and not hasattr(focus, operation):
            focus = focus.parentWidget()
        if focus is None:
            self.show_message("Sélectionnez d'abord des cellules d'un tableau ou un champ.")
            return
        getattr(focus, operation)()

    # -- title, status -------------------------------------------------------------
    def _update_title(self) -> None:
        title = self.document.scenario.title
        name = self.document.display_name()
        self.setWindowFilePath(str(self.document.path) if self.document.path else "")
        label = f"{name}[*]" + (f" — {title}" if title else "")
        self.setWindowTitle(f"{label} — MIGAC Desktop")
        self.setWindowModified(self.document.modified)

    def _update_totals(self) -> None:
        results = self.document.results
        if results is None:
            n_errors = len(self.document.errors)
            self.totals.setText(f"<span style='color:#a61b1b'>{n_errors} erreur(s) : résultats "
                                "indisponibles</span>")
            return
        n = results.national
        self.totals.setText(f"{int(n['n_crra'])} CRRA · historique {format_euros(n['historic'])} · "
                            f"modélisé {format_euros(n['modelled'])} · effet revenu "
                            f"{format_signed_euros(n['revenue_effect'])}")
        self._update_title()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- report ----------------------------------------------------------------------
    def _update_report_actions(self) -> None:
        available = self.document.results is not None
        reason = ("Rapport indisponible : le scénario contient des erreurs (voir le panneau "
                  "« Problèmes »).")
        for action, tip in ((self.actionPrintPreview, "Aperçu du rapport tel qu'il sera imprimé"),
                            (self.actionPrint, "Imprimer le rapport"),
                            (self.actionExportPdf, "Enregistrer le rapport en PDF")):
            action.setEnabled(available)
            action.setStatusTip(tip if available else reason)

    def report_printer(self):
        """The report's preview, printing and PDF export (created on first use)."""
        if getattr(self, "_report_printer", None) is None:
            from .printing import ReportPrinter
            self._report_printer = ReportPrinter(self)
        return self._report_printer

    def print_preview(self) -> None:
        self.report_printer().preview()

    def print_report(self) -> None:
        self.report_printer().print()

    def export_pdf(self) -> None:
        self.report_printer().export_pdf()

    # -- selection ---------------------------------------------------------------
    def go_to_problem(self, problem) -> None:
        if problem.sheet == "CRRA" and problem.position is not None:
            self.tabs.setCurrentWidget(self.crra_panel)
            panel = self.crra_panel
            if panel.model.row_of_position(problem.position) < 0:
                panel.region.setCurrentIndex(0)
                panel.search.clear()
            row = panel.model.row_of_position(problem.position)
            column = max(panel.model.column_of_key(problem.key or ""), 0)
            if row >= 0:
                select_cell(panel.view, row, column)
                panel.view.setFocus()
        elif problem.sheet in ("Référentiel", "Lissage", "Enveloppes régionales", "Paramètres"):
            self.tabs.setCurrentWidget(self.parameters_panel)
            editors = {"Référentiel": self.parameters_panel.bands,
                       "Lissage": self.parameters_panel.smoothing,
                       "Enveloppes régionales": self.parameters_panel.envelopes}
            editor = editors.get(problem.sheet)
            if editor is not None and problem.position is not None:
                row = editor.model.row_of_position(problem.position)
                column = max(editor.model.column_of_key(problem.key or ""), 0)
                if row >= 0:
                    select_cell(editor.view, row, column)
                    editor.view.setFocus()
            elif problem.sheet == "Paramètres" and problem.key in self.parameters_panel.form.editors:
                self.parameters_panel.form.editors[problem.key].setFocus()
        self.show_message(str(problem))

    # -- files ---------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Ask before losing changes; False means the user cancelled."""
        if not self.document.modified:
            return True
        box = QMessageBox(QMessageBox.Icon.Warning, "Modifications non enregistrées",
                          f"Le scénario « {self.document.display_name()} » a été modifié.\n"
                          "Voulez-vous enregistrer les modifications ?", parent=self)
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
            self.show_message("Nouveau scénario : paramètres par défaut (illustratifs), aucun CRRA.")

    def new_from_sample(self) -> None:
        folder = samples_dir()
        sample = folder / "scenario_national_2014.xlsx" if folder else None
        if sample is None or not sample.is_file():
            QMessageBox.warning(self, "Échantillon introuvable",
                                "L'échantillon national n'est pas installé avec cette copie "
                                "de MIGAC Desktop.")
            return
        if self.maybe_save() and self.open_path(sample, ask=False):
            self.document.path = None
            self.document.pathChanged.emit()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = self.settings.value("files/lastFolder", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Ouvrir un scénario", start, XLSX_FILTER)
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
            loaded = run_in_background(self, f"Ouverture de « {path.name} »…", lambda: open_scenario(path))
        except WorkbookError as exc:
            self._show_problems_dialog(path, exc.problems)
            return False
        if loaded.errors:
            self._show_problems_dialog(path, loaded.problems)
            return False
        self.document.load(loaded.scenario, path, loaded.problems, loaded.evaluation)
        self._remember(path)
        warnings = len(loaded.warnings)
        self.show_message(f"« {path.name} » ouvert" +
                          (f" : {warnings} avertissement(s) dans le panneau « Problèmes »." if warnings else "."))
        return True

    def _show_problems_dialog(self, path: Path, problems) -> None:
        errors = [p for p in problems if p.is_error]
        box = QMessageBox(QMessageBox.Icon.Critical, "Ouverture impossible",
                          f"Le fichier « {path.name} » ne peut pas être ouvert : "
                          f"{len(errors)} erreur(s) à corriger.\nLe scénario ouvert n'a pas été modifié.",
                          parent=self)
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
        start = str(self.document.path or Path(self.settings.value("files/lastFolder", str(Path.home())))
                    / "scenario.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, "Enregistrer le scénario", start, XLSX_FILTER)
        if not path:
            return False
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        from ..io.workbook import write_scenario
        choice = ask_before_overwriting(self, path)     # held open by Excel or LibreOffice?
        if choice != "save":
            return self.save_as() if choice == "save_as" else False
        from .busy import run_in_background
        scenario, results = self.document.scenario, self.document.results
        try:
            run_in_background(self, f"Enregistrement de « {Path(path).name} »…",
                              lambda: write_scenario(scenario, path, results))
        except Exception as exc:  # noqa: BLE001 — every failure is told, none is lost
            kept = self.recovery.autosave_now()
            QMessageBox.critical(self, "Enregistrement impossible",
                                 f"Le scénario n'a pas pu être enregistré dans « {path} ».\n\n{exc}\n\n"
                                 "Le fichier existant n'a pas été modifié. Choisissez un autre "
                                 "dossier avec « Enregistrer sous… »."
                                 + ("\n\nVos modifications restent dans la fenêtre et une copie de "
                                    "secours automatique en est conservée." if kept else ""))
            return False
        self.document.saved_as(path)
        self._remember(path)
        self.show_message(f"Scénario enregistré dans « {path.name} ».")
        return True

    def _remember(self, path: Path) -> None:
        path = Path(path).resolve()
        recent = [p for p in self._recent() if p != str(path)]
        recent.insert(0, str(path))
        self.settings.setValue("files/recent", recent[:MAX_RECENT])
        self.settings.setValue("files/lastFolder", str(path.parent))

    def _recent(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or []]

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in self._recent() if Path(p).is_file()]
        if not recent:
            action = self.recent_menu.addAction("(aucun fichier récent)")
            action.setEnabled(False)
            return
        for i, p in enumerate(recent, 1):
            action = self.recent_menu.addAction(f"&{i} {Path(p).name}")
            action.setToolTip(p)
            action.triggered.connect(lambda _=False, p=p: self.open_path(Path(p)))

    def about(self) -> None:
        from .about import show_about
        show_about(self)

    # -- drag and drop, close --------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(u.toLocalFile().lower().endswith(".xlsx") for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for url in event.mimeData().urls():
            path = url.toLocalFile()
            if path.lower().endswith(".xlsx"):
                event.acceptProposedAction()
                QTimer.singleShot(0, lambda p=path: self.open_path(Path(p)))
                return

    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.edit_keys.uninstall()
        event.accept()
        self.closed.emit()
