"""The main window: menus, the tabs and the problems panel, the title and status bar.

The CRRA tab is ui/crra_panel.py; open, save, recent files and drops are
ui/file_controller.py, behind the window's own names (``open_path``, ``save``…)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from ..core.numbers import format_euros, format_signed_euros
from .announce import announce
from .comparison_panel import ComparisonPanel
from .crra_panel import CrraPanel
from .differences_panel import DifferencesPanel
from .document import Document
from .edit_keys import OWN_UNDO, EditKeys, commit_pending_edit, redo_keys, undo_keys
from .file_controller import FileController
from .history_panel import HistoryPanel
from .palette_colours import colour
from .parameters_panel import ParametersPanel
from .problems_panel import ProblemsPanel
from .recovery import RecoveryController
from .reference import ReferenceController
from .sensitivity_panel import SensitivityPanel
from .settings import GEOMETRY_KEY
from .smoothing_panel import SmoothingPanel
from .table_actions import connect_table_views
from .translations import install_french_qt
from .views import select_cell


class _PageHolder(QWidget):
    """A page inside its scroll area, without a layout of its own: the scroll area then
    does not ask the page's height for its width (a box layout answers from its rows'
    preferred heights, which would make every page scroll at 1366×768) but its minimum;
    the page's own layout still gives a wrapped tool bar (FlowRow) its lines."""

    def __init__(self, page):
        super().__init__()
        self.page = page
        page.setParent(self)

    def sizeHint(self):
        return self.page.sizeHint()

    def minimumSizeHint(self):
        return self.page.minimumSizeHint()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.page.setGeometry(self.rect())

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:    # the page's minimum changed
            self.updateGeometry()
        return super().event(event)


class PageTabs(QTabWidget):
    """The window's tabs, each page in a scroll area: with large text (200 %, or a small
    screen) a page wider or taller than the window scrolls instead of being cut off, and
    the window never grows past the screen. ``widget``, ``currentWidget``, ``indexOf`` and
    ``setCurrentWidget`` speak of the pages themselves, not of their scroll areas."""

    def addTab(self, page, text: str) -> int:
        if isinstance(page, QScrollArea):          # « Paramètres nationaux » scrolls already
            return super().addTab(page, text)
        scroll = QScrollArea()
        scroll.setObjectName(f"{page.objectName() or 'page'}Scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)      # Tab goes to the page's controls
        scroll.setWidget(_PageHolder(page))
        return super().addTab(scroll, text)

    @staticmethod
    def _page(holder):
        inner = holder.widget() if isinstance(holder, QScrollArea) else None
        return inner.page if isinstance(inner, _PageHolder) else holder

    def widget(self, index: int):
        return self._page(super().widget(index))

    def currentWidget(self):
        return self._page(super().currentWidget())

    def indexOf(self, page) -> int:
        for i in range(self.count()):
            if self.widget(i) is page or super().widget(i) is page:
                return i
        return -1

    def setCurrentWidget(self, page) -> None:
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        install_french_qt()         # Qt's own dialogs in French from the first one
        self.settings = QSettings()
        self.document = Document(self)
        self.files = FileController(self)     # open, save, recent files, drops
        self.references = ReferenceController(self)     # « Comparer à » a reference scenario
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
        geometry = self.settings.value(GEOMETRY_KEY)
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
            "actionNewFromSample", "Nouveau à partir de l'éc&hantillon national",
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
            self._action("actionCut", "Co&uper", lambda: self._on_focused("cut"), K.Cut),
            self._action("actionCopy", "&Copier", lambda: self._on_focused("copy"), K.Copy),
            self._action("actionPaste", "C&oller", lambda: self._on_focused("paste"), K.Paste),
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
        self.actionNotify = self._action(
            "actionNotify", "No&tifications aux établissements…", self.notify_establishments,
            tip="Une notification PDF par établissement, de la région de travail ou du scénario")

    def _build_central(self) -> None:
        self.tabs = PageTabs()
        self.tabs.setObjectName("mainTabs")
        self.crra_panel = CrraPanel(self.document)
        self.parameters_panel = ParametersPanel(self.document)
        self.comparison_panel = ComparisonPanel(self.document)
        self.smoothing_panel = SmoothingPanel(self.document)
        self.tabs.addTab(self.crra_panel, "CRRA")
        self.tabs.addTab(self.parameters_panel, "Paramètres nationaux")
        self.tabs.addTab(self.comparison_panel, "Comparaison")
        self.differences_panel = DifferencesPanel(self.document, self.references)
        self.tabs.addTab(self.differences_panel, "Différences")
        self.differences_panel.inputActivated.connect(self.go_to_difference)
        self.differences_panel.message.connect(self.show_message)
        self.tabs.addTab(self.smoothing_panel, "Lissage")
        self.sensitivity_panel = SensitivityPanel(self.document)
        self.tabs.addTab(self.sensitivity_panel, "Sensibilité")
        self.history_panel = HistoryPanel(self.document)
        self.tabs.addTab(self.history_panel, "Historique")
        self.setCentralWidget(self.tabs)
        for panel in (self.crra_panel, self.parameters_panel, self.history_panel):
            panel.message.connect(self.show_message)
        self.comparison_panel.regionSelected.connect(self.crra_panel.set_region)
        self.crra_panel.search.setProperty(OWN_UNDO, True)     # Ctrl+Z undoes the typing
        self.explain_panel = self.crra_panel.explain
        self.crra_panel.view.goal_seek_handler = self.goal_seek     # its right-click menu

    def _build_docks(self) -> None:
        self.problems_panel = ProblemsPanel(self.document)
        self.problems_panel.problemActivated.connect(self.go_to_problem)
        self.problems_dock = QDockWidget("Problèmes", self)
        self.problems_dock.setObjectName("problemsDock")
        self.problems_dock.setWidget(self.problems_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.problems_dock.toggleViewAction().setText("&Problèmes")
        self.problems_panel.countChanged.connect(self._problems_counted)
        self.problems_panel.refresh()

    def _problems_counted(self, errors: int, warnings: int) -> None:
        parts = []
        if errors:
            parts.append(f"{errors} erreur(s)")
        if warnings:
            parts.append(f"{warnings} avertissement(s)")
        title = "Problèmes" + (f" — {', '.join(parts)}" if parts else "")
        if title != self.problems_dock.windowTitle() and self.isVisible():
            # A new count is said (errors at once): the panel is not where the focus is.
            announce(self.problems_panel, title.replace(" — ", " : ") if parts
                     else "Aucun problème : le scénario est valide.", assertive=bool(errors))
        self.problems_dock.setWindowTitle(title)
        # The dock names its menu action after its title: the menu keeps « &Problèmes » (Alt+P).
        self.problems_dock.toggleViewAction().setText("&Problèmes")
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
        menu.addMenu(self.references.menu)
        menu.addSeparator()
        menu.addAction(self.actionSave)
        menu.addAction(self.actionSaveAs)
        menu.addSeparator()
        menu.addAction(self.actionPrintPreview)
        menu.addAction(self.actionPrint)
        menu.addAction(self.actionExportPdf)
        menu.addAction(self._action(
            "actionPrintSelection", "Imprimer la sé&lection…",
            lambda: self._on_focused("print_selection", "Sélectionnez d'abord des lignes ou des "
                                                       "cellules d'un tableau à imprimer."),
            tip="Imprimer les cellules sélectionnées du tableau actif, avec la mise en page du rapport"))
        menu.addAction(self.actionNotify)
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
        edit.addAction(self._action("actionGoalSeek", "&Valeur cible…", self.goal_seek,
                                    tip="Trouver la valeur d'une donnée qui porte un résultat à une cible"))
        edit.addSeparator()
        edit.addAction(self._action("actionPreferences", "&Préférences…", self.preferences,
                                    tip="Nom d'auteur inscrit au journal du scénario"))
        view = self.menuBar().addMenu("&Affichage")
        view.addAction(self.problems_dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("Aid&e")
        help_menu.addAction(self.actionAbout)

    # -- editing -------------------------------------------------------------------
    def undo(self) -> None:
        commit_pending_edit(QApplication.focusWidget())
        self.document.undo_stack.undo()

    def redo(self) -> None:
        commit_pending_edit(QApplication.focusWidget())
        self.document.undo_stack.redo()

    def report_reference(self):
        """The reference the report compares with (« Comparer à »), or None."""
        return self.references.for_report()

    def goal_seek(self, goal_input=None) -> None:
        """« Valeur cible… » (ui/goal_seek_dialog.py), preselected from the CRRA table's cell."""
        from .goal_seek_dialog import open_goal_seek
        open_goal_seek(self, goal_input)

    def preferences(self) -> None:
        self.history_panel.edit_author()

    def find_crra(self) -> None:
        self.tabs.setCurrentWidget(self.crra_panel)
        self.crra_panel.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.crra_panel.search.selectAll()

    def _on_focused(self, operation: str,
                    missing: str = "Sélectionnez d'abord des cellules d'un tableau ou un champ.") -> None:
        """Couper / Copier / Coller of the Édition menu (and Imprimer la sélection of the
        Fichier menu), on whatever has the focus."""
        focus = QApplication.focusWidget()
        while focus is not None and not hasattr(focus, operation):
            focus = focus.parentWidget()
        if focus is None:
            self.show_message(missing)
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
            self.totals.setText(f"<span style=\"color:{colour('error_text')}\">{n_errors} erreur(s) : résultats "
                                "indisponibles</span>")
            return
        n = results.national
        self.totals.setText(f"{int(n['n_crra'])} CRRA · historique {format_euros(n['historic'])} · "
                            f"modélisé {format_euros(n['modelled'])} · effet revenu "
                            f"{format_signed_euros(n['revenue_effect'])}")
        self._update_title()

    def show_message(self, text: str) -> None:
        """In the status bar, and said by a screen reader (ui/announce.py): a message only
        painted would not reach a user who does not see it."""
        self.statusBar().showMessage(text, 8000)
        announce(self.statusBar(), text)

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
        self.actionNotify.setEnabled(available)

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

    def notifier(self):
        """« Notifications aux établissements… » (ui/printing/notify_actions.py)."""
        if getattr(self, "_notifier", None) is None:
            from .printing.notify_actions import Notifier
            self._notifier = Notifier(self)
        return self._notifier

    def notify_establishments(self) -> None:
        self.notifier().notify()

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

    def go_to_difference(self, difference) -> None:
        """Select the cell of an input difference in the open scenario (« Écarts » tab)."""
        from .differences_panel import cell_target
        self.go_to_problem(cell_target(difference))

    # -- files: ui/file_controller.py ----------------------------------------------------
    def maybe_save(self) -> bool:
        """Ask before losing changes; False means the user cancelled."""
        return self.files.maybe_save()

    def new_scenario(self) -> None:
        self.files.new_scenario()

    def new_from_sample(self) -> None:
        self.files.new_from_sample()

    def open_dialog(self) -> None:
        self.files.open_dialog()

    def open_path(self, path: Path, ask: bool = True) -> bool:
        """Open a scenario; a refused file leaves the open one as it was."""
        return self.files.open_path(path, ask)

    def save(self) -> bool:
        return self.files.save()

    def save_as(self) -> bool:
        return self.files.save_as()

    def save_to(self, path: Path) -> bool:
        return self.files.save_to(path)

    def _fill_recent_menu(self) -> None:
        self.files.fill_recent_menu(self.recent_menu)

    def about(self) -> None:
        from .about import show_about
        show_about(self)

    # -- drag and drop, close --------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        self.files.drag_enter(event)

    def dropEvent(self, event) -> None:
        self.files.drop(event)

    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.edit_keys.uninstall()
        event.accept()
        self.closed.emit()
