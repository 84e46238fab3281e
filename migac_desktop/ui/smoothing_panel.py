"""The smoothing panel: the trajectory of one entity, chart and figures."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHeaderView,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..core.guarantees import year_guarantees
from .charts import ChartView
from .document import Document
from .panel_parts import FlowRow, add_choice, chart_timer
from .policy_columns import guarantee_help
from .table_actions import export_button
from .table_models import ColumnDef, FrameModel
from .unit_chooser import entity_items
from .views import ReadOnlyTableView


class SmoothingPanel(QWidget):
    """The trajectory of the smoothing for one entity, chart and figures."""

    ENTITY_LEVELS = (("national", "France entière"), ("region", "Région"),
                     ("establishment", "Établissement"), ("crra", "CRRA"))

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        layout = QVBoxLayout(self)
        bar = FlowRow()  # wraps with large text
        self.level = add_choice(bar, "&Niveau :", "smoothingLevel", self.ENTITY_LEVELS)
        self.level.setAccessibleName("Niveau du lissage")
        self.entity = add_choice(bar, "En&tité :", "smoothingEntity")
        self.entity.setMinimumContentsLength(40)
        # Typed text finds an entity by any part of its name or code (FINESS, identifier).
        self.entity.setEditable(True)
        self.entity.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.entity.lineEdit().setPlaceholderText("Rechercher par nom ou FINESS…")
        self.entity.lineEdit().editingFinished.connect(self._restore_entity_text)
        self.entity.setAccessibleName("Entité du lissage (recherche par nom ou code)")
        self.entity.setToolTip("Tapez une partie du nom, du FINESS ou de l'identifiant, puis "
                               "choisissez dans la liste.")
        completer = QCompleter(self.entity.model(), self.entity)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(15)
        self.entity.setCompleter(completer)
        self._entity_signature = None
        self._adopted_region: str | None = None
        self.all_crra = QCheckBox("Tous les CRRA de la ré&gion")
        self.all_crra.setObjectName("smoothingAllCrra")
        self.all_crra.setAccessibleName("Tous les CRRA de la région")
        bar.addWidget(self.all_crra)
        bar.addStretch(1)
        layout.addLayout(bar)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.chart = ChartView()
        self.chart.setObjectName("smoothingChart")
        splitter.addWidget(self.chart)
        self.table_model = FrameModel(self)
        self.table = ReadOnlyTableView(accessible_name="Tableau du lissage")
        self.table.setObjectName("smoothingTable")
        bar.addWidget(export_button(self.table))
        self.chart.setAccessibleName("Graphique du lissage")
        self.chart.source_table = self.table
        self.table.setModel(self.table_model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        splitter.addWidget(self.table)
        splitter.setSizes([500, 190])
        layout.addWidget(splitter)
        self.level.currentIndexChanged.connect(self._fill_entities)
        self.entity.currentIndexChanged.connect(self.refresh)
        self.all_crra.toggled.connect(self.refresh)
        self._dirty = False
        self._chart_timer = chart_timer(self, self._redraw_chart)
        document.reset.connect(self._fill_entities)
        document.recomputed.connect(self._on_recomputed)
        self._fill_entities()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.adopt_working_region():
            self._dirty = False
        elif self._dirty:
            self._on_recomputed()

    def adopt_working_region(self) -> bool:
        """Start on the region chosen in the CRRA tab, if it changed since: the region
        itself, or at the hospital and CRRA levels its entities listed first."""
        region = self.document.working_region
        if region == self._adopted_region or self.document.results is None:
            return False
        self._adopted_region = region
        level = self.level.currentData()
        if region is None:
            self._fill_entities()
        elif level in ("national", "region"):
            self.show_entity("region", region)
        else:
            self._fill_entities(prefer_region=True)
        return True

    def show_entity(self, level: str, key) -> None:
        self.level.setCurrentIndex(self.level.findData(level))
        index = self.entity.findData(key)
        if index >= 0:
            self.entity.setCurrentIndex(index)

    def _entities(self) -> list[tuple[str, object]]:
        """(text, key) of the level's entities: regions in French order; hospitals and
        CRRA of the working region first, then the others by region, in French order."""
        return entity_items(self.document, self.level.currentData())

    def _signature(self):
        """What the list depends on, cheap to compare after each edit (no sorting)."""
        results = self.document.results
        level = self.level.currentData()
        if results is None or level == "national":
            return (level,)
        if level == "region":
            return level, tuple(results.region_names)
        if level == "establishment":
            frame = results.establishments
            columns = ("finess", "establishment", "region")
        else:
            frame = results.crra
            columns = ("crra_id", "label", "region")
        return (level, self.document.working_region,
                *(tuple(frame[c].to_numpy(dtype=object)) for c in columns))

    def _working_count(self) -> int:
        """How many entities at the top of the list are the working region's."""
        region = self.document.working_region
        level = self.level.currentData()
        results = self.document.results
        if region is None or results is None or level not in ("establishment", "crra"):
            return 0
        frame = results.establishments if level == "establishment" else results.crra
        return int((frame["region"] == region).sum())

    def _fill_entities(self, *_args, prefer_region: bool = False) -> None:
        current = self.entity.currentData()
        entities = self._entities()
        first = self._working_count()
        self.entity.blockSignals(True)
        self.entity.clear()
        for label, key in entities:
            self.entity.addItem(label, key)
        self._entity_signature = self._signature()
        index = self.entity.findData(current) if current is not None else -1
        level = self.level.currentData()
        working = self.document.working_region
        if level == "region" and (index < 0 or prefer_region) and working is not None:
            index = self.entity.findData(working)
        elif first and (index < 0 or (prefer_region and index >= first)):
            index = 0                  # the first of the working region's entities
        self.entity.setCurrentIndex(max(index, 0))
        self.entity.setEnabled(self.entity.count() > 0)
        self.entity.blockSignals(False)
        self.all_crra.setEnabled(level == "region")
        self.refresh()

    def _restore_entity_text(self) -> None:
        """Typed text that names no entity gives way to the entity shown."""
        index = self.entity.currentIndex()
        if index >= 0 and self.entity.currentText() != self.entity.itemText(index):
            self.entity.setEditText(self.entity.itemText(index))

    def _on_recomputed(self) -> None:
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        if self._entity_signature != self._signature():
            self._fill_entities()
        else:
            self.refresh()

    def _selection(self):
        level = self.level.currentData()
        key = self.entity.currentData() if level != "national" else None
        return level, key, int(self.document.scenario.parameters.annee_historique)

    def refresh(self) -> None:
        level, key, year = self._selection()
        self._fill_table(self.document.results, level, key, year)
        self._chart_timer.start()

    def _redraw_chart(self) -> None:
        results = self.document.results
        level, key, year = self._selection()
        all_crra = self.all_crra.isChecked() and level == "region"

        def draw(fig):
            from ..reporting import charts
            if results is None or (level != "national" and key is None):
                charts.draw_message(fig)
            elif all_crra:
                charts.draw_region_crra_trajectories(fig, results, key, historic_year=year)
            else:
                charts.draw_smoothing(fig, results, level, key, historic_year=year)
        self.chart.set_drawer(draw)

    def _fill_table(self, results, level, key, year) -> None:
        if results is None or (level != "national" and key is None):
            self.table_model.set_rows([], {})
            return
        path = results.trajectory(level, key)
        target = results.target(level, key)
        historic = path[0]
        shares = [math.nan] + list(self.document.scenario.smoothing["share"])
        years = [year] + results.years
        columns = [ColumnDef("year", "Année", "year"),
                   ColumnDef("share", "Part cumulée de l'effet revenu", "percent"),
                   ColumnDef("amount", "Dotation", "euros"),
                   ColumnDef("applied", "Effet revenu appliqué", "signed_euros"),
                   ColumnDef("gap", "Écart restant au montant modélisé", "signed_euros")]
        values = {"year": years, "share": shares, "amount": path,
                  "applied": [a - historic for a in path], "gap": [target - a for a in path]}
        if results.capped:          # « Plafonné »: beside the linear path, guarantees, reste
            # Eight columns at 1366 px: shorter headers, the full ones in the tooltips.
            columns[1] = ColumnDef("share", "Part cumulée", "percent",
                                   help="Part cumulée de l'effet revenu.")
            columns[4] = ColumnDef("gap", "Écart au modélisé", "signed_euros",
                                   help="Écart restant au montant modélisé.")
            columns[2:3] = [
                ColumnDef("linear", "Dotation linéaire", "euros",
                          help="Dotation de la politique « Linéaire » : historique + part "
                               "cumulée × effet revenu."),
                ColumnDef("amount", "Dotation plafonnée", "euros",
                          help="Dotation après la politique « Plafonné » (planchers, plafonds "
                               "et leur financement)."),
                ColumnDef("guarantee", "Garantie", "text", help=guarantee_help(results))]
            columns.append(ColumnDef("remaining", "Reste à converger", "signed_euros",
                                     help="Montant modélisé − dotation de la dernière année "
                                          "du lissage."))
            values["linear"] = results.linear_trajectory(level, key)
            values["guarantee"] = [""] + year_guarantees(results, level, key)
            values["remaining"] = [math.nan] * (len(path) - 1) + [target - path[-1]]
        self.table_model.set_rows(columns, values)
