"""The CRRA tab: the table with its region filter, search and row buttons, and the
explanation of the selected CRRA beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.commands import InsertRows, RemoveRows
from .document import Document
from .explain_panel import ExplainPanel
from .outlier_column import outlier_threshold_box
from .panel_parts import FlowRow
from .table_actions import CRRA_FIRST_COLUMNS, CRRA_TEXT_WIDTHS, export_button
from .table_models import ScenarioTableModel
from .views import FrozenTableView, select_cell
from .waterfall_view import WaterfallView


class CrraPanel(QWidget):
    """The CRRA table with its filter, search and row buttons."""

    message = Signal(str)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        layout = QVBoxLayout(self)
        bar = FlowRow()  # wraps with large text
        region_label = QLabel("&Région :")
        bar.addWidget(region_label)
        self.region = QComboBox()
        self.region.setObjectName("crraRegionFilter")
        self.region.setAccessibleName("Région des CRRA affichés")
        region_label.setBuddy(self.region)
        self.region.setMinimumContentsLength(24)
        bar.addWidget(self.region)
        self.search = QLineEdit()
        self.search.setObjectName("crraSearch")
        self.search.setPlaceholderText("Rechercher (identifiant, libellé, FINESS, établissement…)")
        self.search.setAccessibleName("Rechercher un CRRA")
        self.search.setAccessibleDescription("Identifiant, libellé, FINESS ou établissement ; "
                                             "le tableau ne garde que les CRRA qui correspondent")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(250)
        bar.addWidget(self.search)
        bar.addStretch(1)
        self.outlier_threshold = outlier_threshold_box()   # « Atypique » column
        bar.addWidget(QLabel("&Seuil « Atypique » :", buddy=self.outlier_threshold))
        bar.addWidget(self.outlier_threshold)
        self.add_button = QPushButton("Ajouter un &CRRA")
        self.remove_button = QPushButton("Su&pprimer")
        self.fill_button = QPushButton("Recopier vers le &bas")
        self.fill_button.setToolTip("Recopie la première ligne de la sélection dans les suivantes (Ctrl+D).")
        for button in (self.add_button, self.remove_button, self.fill_button):
            bar.addWidget(button)
        layout.addLayout(bar)
        self.model = ScenarioTableModel(document, "CRRA", self)
        self.outlier_threshold.valueChanged.connect(self.model.set_outlier_threshold)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.view = FrozenTableView(self)
        self.view.setObjectName("crraTable")
        self.view.setAccessibleName("Tableau des CRRA")
        self.view.setModel(self.model)
        self.view.set_row_handlers(self.add_crra, self.remove_selected, "Ajouter un CRRA",
                                   "Supprimer les CRRA sélectionnés")
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicatorShown(True)
        bar.addWidget(export_button(self.view))
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.splitter.addWidget(self.view)
        explain_box = QGroupBox("Explication du calcul")
        explain_layout = QVBoxLayout(explain_box)
        explain_layout.setContentsMargins(4, 4, 4, 4)
        self.explain = ExplainPanel(document)
        # The calculation step by step, and where the amount comes from (ui/waterfall_view.py).
        self.explain_tabs = QTabWidget()
        self.explain_tabs.setObjectName("explainTabs")
        self.explain_tabs.addTab(self.explain, "Calcul")
        self.waterfall = WaterfallView(document)
        self.explain_tabs.addTab(self.waterfall, "D'où vient ce montant")
        explain_layout.addWidget(self.explain_tabs)
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
        self.view.set_default_columns(widths, first=CRRA_FIRST_COLUMNS + ("outlier",) + allocations)

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
        crra_id = self.current_crra()
        self.explain.show_crra(crra_id)
        self.waterfall.show_crra(crra_id)
