"""Comparison, smoothing, explanation and problems panels.

Each panel reads the document's results and redraws when they change; none
computes anything the core does not already give.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QCompleter, QHBoxLayout,
                               QHeaderView, QLabel, QListWidget, QListWidgetItem, QSplitter,
                               QStyle, QTableView, QTextBrowser, QVBoxLayout, QWidget)

from ..core import schema
from ..core.french import fewest_decimals, sort_key, sorted_french
from ..core.numbers import (format_euros, format_number, format_percent, format_signed_euros,
                            format_signed_percent)
from .charts import ChartView
from .document import Document
from .table_models import SORT_ROLE, ColumnDef, FrameModel, result_def
from .views import ReadOnlyTableView

CHART_DELAY_MS = 120


def chart_timer(parent, slot) -> QTimer:
    """Charts redraw once edits pause: a matplotlib redraw takes longer than a frame,
    so tables refresh at once and the chart follows as soon as the typing stops."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(CHART_DELAY_MS)
    timer.timeout.connect(slot)
    return timer


def add_choice(bar: QHBoxLayout, label: str, object_name: str, items=()) -> QComboBox:
    """A labelled combo box in a tool bar row; items are (data, text) pairs."""
    if label:
        bar.addWidget(QLabel(label))
    combo = QComboBox()
    combo.setObjectName(object_name)
    for key, text in items:
        combo.addItem(text, key)
    bar.addWidget(combo)
    return combo


LEVELS = (("region", "Régions (niveau national)"), ("crra", "CRRA d'une région"),
          ("establishment", "Établissements (FINESS)"))
ALL_REGIONS = "Toutes les régions"


def _amount_columns(years: list[int], historic_year: int) -> list[ColumnDef]:
    # Short headers (the tooltip says it in full): at 1366 px the table shows the
    # effet revenu beside the chart without scrolling.
    historic = schema.result_column("historic")
    cols = [result_def("historic", f"{historic.short_header} {historic_year}",
                       help=f"{historic.header} {historic_year}.")]
    cols += [result_def(k) for k in ("modelled", "revenue_effect", "revenue_effect_pct")]
    cols += [result_def(f"alloc_{y}") for y in years]
    cols.append(ColumnDef("status", "Sens", "text", help="Gagnant : effet revenu positif ; "
                                                          "perdant : négatif."))
    return cols


def comparison_rows(results, level: str, region: str | None, historic_year: int):
    """Columns, values and winner/loser status of one comparison level."""
    if level == "region":
        frame = results.regions
        head = [result_def(k) for k in schema.REGION_RESULT_KEYS[:2]]
    elif level == "establishment":
        frame = results.establishments
        if region:
            frame = frame[frame["region"] == region]
        head = [result_def(k) for k in schema.ESTABLISHMENT_RESULT_KEYS[:4]]
    else:
        frame = results.crra
        if region:
            frame = frame[frame["region"] == region]
        head = [result_def(k) for k in ("crra_id", "label", "region", "tranche")]
    columns = head + _amount_columns(results.years, historic_year)
    effect = frame["revenue_effect"].to_numpy()
    status = [(1 if e > 0.5 else -1 if e < -0.5 else 0) for e in effect]
    values = {c.key: list(frame[c.key]) for c in columns if c.key != "status"}
    values["status"] = ["Gagnant" if s > 0 else "Perdant" if s < 0 else "Stable" for s in status]
    return columns, values, status


UNITS = {"region": "région(s)", "crra": "CRRA", "establishment": "établissement(s)"}


def comparison_summary(results, level: str, region: str | None, status) -> str:
    """The summary under the table, of the level shown: France entière, or the region
    whose CRRA or hospitals are listed (its totals beside its winners and losers)."""
    if level == "region" or region is None:
        scope, totals = "France entière", results.national
    else:
        rows = results.regions[results.regions["region"] == region]
        if not len(rows):
            return f"La région « {html.escape(region)} » n'a plus de CRRA."
        scope, totals = f"Région {region}", rows.iloc[0]
    winners = sum(1 for s in status if s > 0)
    losers = sum(1 for s in status if s < 0)
    pct = format_signed_percent(float(totals["revenue_effect_pct"]))
    effect = format_signed_euros(float(totals["revenue_effect"])) + (f" ({pct})" if pct else "")
    return (f"<b>{html.escape(scope)}</b> : {len(status)} {UNITS[level]} · historique "
            f"{format_euros(float(totals['historic']))} · modélisé "
            f"{format_euros(float(totals['modelled']))} · effet revenu {effect} · "
            f"<span style='color:#1b6e2a'>{winners} gagnant(s)</span>, "
            f"<span style='color:#a61b1b'>{losers} perdant(s)</span> · facteur de calage "
            f"national {format_number(results.calibration_factor, 6)}")


class ComparisonPanel(QWidget):
    """Modelled against historic at three levels, with its charts."""

    regionSelected = Signal(str)

    CHARTS = (("bars", "Historique et modélisé par région"),
              ("effect", "Effet revenu trié"),
              ("scatter", "Modélisé contre historique (CRRA)"))

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.level = add_choice(bar, "Niveau :", "comparisonLevel", LEVELS)
        self.level.setAccessibleName("Niveau de la comparaison")
        self.region = add_choice(bar, "Région :", "comparisonRegion")
        self.region.setAccessibleName("Région de la comparaison")
        self.region.setMinimumContentsLength(24)
        bar.addStretch(1)
        layout.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.model = FrameModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = ReadOnlyTableView(accessible_name="Tableau de comparaison")
        self.table.setObjectName("comparisonTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        top_layout.addWidget(self.table)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setObjectName("comparisonTotals")
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top_layout.addWidget(self.totals)
        splitter.addWidget(top)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        chart_bar = QHBoxLayout()
        self.chart_kind = add_choice(chart_bar, "Graphique :", "comparisonChartKind", self.CHARTS)
        chart_bar.addStretch(1)
        bottom_layout.addLayout(chart_bar)
        self.chart = ChartView()
        self.chart.setObjectName("comparisonChart")
        bottom_layout.addWidget(self.chart)
        splitter.addWidget(bottom)
        splitter.setSizes([640, 560])
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        layout.addWidget(splitter)

        self._dirty = False
        self._shape = None
        self._adopted_region: str | None = None    # the working region last started on
        self._splitter_fitted = False
        self._selected_crra: str | None = None
        self._chart_timer = chart_timer(self, self._redraw_chart)
        self.level.currentIndexChanged.connect(self.refresh)
        self.region.currentIndexChanged.connect(self.refresh)
        self.chart_kind.currentIndexChanged.connect(self._redraw_chart)
        document.reset.connect(self._on_reset)
        document.recomputed.connect(self._on_recomputed)
        self._on_reset()

    def _on_recomputed(self) -> None:
        # Hidden, the panel only notes that it is out of date: edits stay within a frame.
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.adopt_working_region() and self._dirty:
            self.refresh()
        if not self._splitter_fitted and self.model.columns:
            self._fit_splitter()

    def adopt_working_region(self) -> bool:
        """Start on the region chosen in the CRRA tab, if it changed since: its CRRA
        (the national level lists regions only). True if the view was redrawn."""
        region = self.document.working_region
        if region == self._adopted_region:
            return False
        index = self.region.findData(region) if region is not None else 0
        if index < 0:
            return False
        self._adopted_region = region
        for combo in (self.level, self.region):
            combo.blockSignals(True)
        self.region.setCurrentIndex(index)
        if region is not None and self.level.currentData() == "region":
            self.level.setCurrentIndex(self.level.findData("crra"))
        for combo in (self.level, self.region):
            combo.blockSignals(False)
        self.refresh()
        return True

    def _on_reset(self) -> None:
        self.region.blockSignals(True)
        current = self.region.currentText()
        self.region.clear()
        self.region.addItem(ALL_REGIONS, None)
        results = self.document.results
        if results is not None:
            for name in sorted_french(str(r) for r in results.region_names):
                self.region.addItem(name, name)
        index = self.region.findText(current)
        self.region.setCurrentIndex(max(index, 0))
        self.region.blockSignals(False)
        self.refresh()

    def selected_region(self) -> str | None:
        return self.region.currentData()

    def refresh(self) -> None:
        self._dirty = False
        results = self.document.results
        level = self.level.currentData()
        self.region.setEnabled(level != "region")
        if results is None:
            self.model.set_rows([], {})
            self.totals.setText("Résultats indisponibles : corrigez les erreurs listées "
                                "dans le panneau « Problèmes ».")
            self._chart_timer.start()
            return
        if self.region.count() - 1 != len(results.region_names):
            self._on_reset()
            return
        year = int(self.document.scenario.parameters.annee_historique)
        columns, values, status = comparison_rows(results, level, self.selected_region(), year)
        sort_column = self.proxy.sortColumn()
        sort_order = self.proxy.sortOrder()
        self.model.set_rows(columns, values, status)
        if sort_column >= 0:
            self.proxy.sort(sort_column, sort_order)
        # One region shown: its name in every row says nothing the drop-down does not.
        one_region = level != "region" and self.selected_region() is not None
        for c, col in enumerate(columns):
            self.table.setColumnHidden(c, one_region and col.key == "region")
        shape = (level, self.selected_region(), len(columns))
        if shape != self._shape:            # widths once per layout, not per edit
            self._shape = shape
            self._fit_columns(columns)
            self._splitter_fitted = False
        if self.isVisible() and not self._splitter_fitted:
            self._fit_splitter()
        self.totals.setText(comparison_summary(results, level, self.selected_region(), status))
        self._chart_timer.start()

    MAX_TEXT_WIDTH = 210

    def _fit_columns(self, columns) -> None:
        """Widths from the content, long names capped; then room for the table up to
        « Effet revenu (%) » if the chart can give it (the window at 1366 px)."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for c, col in enumerate(columns):
            if not col.numeric and header.sectionSize(c) > self.MAX_TEXT_WIDTH:
                header.resizeSection(c, self.MAX_TEXT_WIDTH)

    def _fit_splitter(self) -> None:
        """Once per layout, shown: widen the table up to « Effet revenu (%) » included
        if the chart keeps its minimum width (the user's own drag is kept otherwise)."""
        self._splitter_fitted = True
        keys = [col.key for col in self.model.columns]
        if "revenue_effect_pct" not in keys:
            return
        header = self.table.horizontalHeader()
        last = keys.index("revenue_effect_pct")
        need = sum(header.sectionSize(c) for c in range(last + 1) if not self.table.isColumnHidden(c))
        need += self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth() + 4
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if len(sizes) == 2 and sizes[0] < need:
            table = min(need, total - self.MIN_CHART_WIDTH)
            if table > sizes[0]:
                self.splitter.setSizes([table, total - table])

    MIN_CHART_WIDTH = 420

    def _redraw_chart(self) -> None:
        results = self.document.results
        kind = self.chart_kind.currentData()
        region = self.selected_region()
        level = self.level.currentData()

        year = int(self.document.scenario.parameters.annee_historique)
        selected = self._selected_crra if level == "crra" else None

        def draw(fig):
            from ..reporting import charts
            if results is None:
                charts.draw_message(fig)
            elif kind == "bars":
                charts.draw_comparison_bars(fig, results, historic_year=year)
            elif kind == "effect":
                charts.draw_revenue_effect(fig, results, level=level,
                                           region=region if level != "region" else None)
            else:
                charts.draw_scatter(fig, results, highlight_region=region, historic_year=year,
                                    selected=selected)
        self.chart.set_drawer(draw)

    def _row_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        source = self.proxy.mapToSource(current)
        level = self.level.currentData()
        if level == "crra":             # the scatter names the CRRA selected here
            self._selected_crra = self.model.value(source.row(), "crra_id")
            if self.chart_kind.currentData() == "scatter":
                self._chart_timer.start()
            return
        if level != "region":
            return
        region = self.model.value(source.row(), "region")
        # Chosen here, the region need not be adopted back when this tab is shown again.
        self._adopted_region = region
        self.regionSelected.emit(region)


class SmoothingPanel(QWidget):
    """The trajectory of the smoothing for one entity, chart and figures."""

    ENTITY_LEVELS = (("national", "France entière"), ("region", "Région"),
                     ("establishment", "Établissement"), ("crra", "CRRA"))

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.level = add_choice(bar, "Niveau :", "smoothingLevel", self.ENTITY_LEVELS)
        self.level.setAccessibleName("Niveau du lissage")
        self.entity = add_choice(bar, "", "smoothingEntity")
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
        self.all_crra = QCheckBox("Tous les CRRA de la région")
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
        results = self.document.results
        level = self.level.currentData()
        if results is None or level == "national":
            return []
        if level == "region":
            return [(r, r) for r in sorted_french(str(r) for r in results.region_names)]
        if level == "establishment":
            frame = results.establishments
            items = [(f"{f} – {e}" if e else str(f), f, r)
                     for f, e, r in zip(frame["finess"], frame["establishment"], frame["region"])]
        else:
            frame = results.crra
            items = [(f"{i} – {lab}" if lab else str(i), i, r)
                     for i, lab, r in zip(frame["crra_id"], frame["label"], frame["region"])]
        working = self.document.working_region
        items.sort(key=lambda item: (item[2] != working, sort_key(item[2]), sort_key(item[0])))
        return [(text, key) for text, key, _ in items]

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
        self.table_model.set_rows(columns, values)


NO_SELECTION = "Sélectionnez un CRRA pour voir le détail de son calcul."


class ExplainPanel(QTextBrowser):
    """The chain of MODEL.md with one CRRA's numbers, to justify an amount."""

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("explainPanel")
        self.document = document
        self.crra_id: str | None = None
        self.setOpenExternalLinks(False)
        document.recomputed.connect(self.refresh)
        document.reset.connect(self.refresh)
        self.refresh()

    def show_crra(self, crra_id: str | None) -> None:
        if crra_id == self.crra_id:
            return                      # selection moved within the same row
        self.crra_id = crra_id
        self.refresh()

    def refresh(self) -> None:
        self.setHtml(self.explanation())

    def explanation(self) -> str:
        results = self.document.results
        if self.crra_id is None:
            return f"<p>{NO_SELECTION}</p>"
        if results is None:
            return ("<p>Le calcul est indisponible : corrigez d'abord les erreurs listées dans "
                    "le panneau « Problèmes ».</p>")
        arrays = results.crra_arrays
        matches = [i for i, v in enumerate(arrays["crra_id"]) if v == self.crra_id]
        if not matches:
            return f"<p>Le CRRA « {html.escape(str(self.crra_id))} » n'existe plus.</p>"
        i = matches[0]
        p = self.document.scenario.parameters
        crra = self.document.scenario.crra
        over_arm = crra["etp_arm_override"].iat[i]
        over_mr = crra["etp_mr_override"].iat[i]
        bands = self.document.scenario.bands
        band = int(arrays["band_index"][i])
        e = html.escape

        def row(label, formula, value, strong=False):
            value = f"<b>{value}</b>" if strong else value
            return (f"<tr><td>{label}<br><span style='color:#5a6470; font-size:small'>{formula}"
                    f"</span></td><td align='right' style='white-space:nowrap'>{value}</td></tr>")

        arm_src = ("retenu par l'ARS" if not math.isnan(over_arm) else "du référentiel")
        mr_src = ("retenu par l'ARS" if not math.isnan(over_mr) else "du référentiel")
        rows = [
            row("1. Tranche", f"{format_number(arrays['drm'][i])} DRM ≥ "
                              f"{format_number(bands['drm_min'].iat[band])}", e(str(arrays['tranche'][i]))),
            row("2. ETP ARM", arm_src, fewest_decimals(arrays["etp_arm"][i])),
            row("&nbsp;&nbsp;&nbsp;ETP MR", mr_src, fewest_decimals(arrays["etp_mr"][i])),
            row("&nbsp;&nbsp;&nbsp;ETP encadrement", "par CRRA",
                fewest_decimals(arrays["etp_sup"][i])),
            row("3. Coût du personnel",
                f"ARM × {format_euros(p.cout_etp_arm)} + MR × {format_euros(p.cout_etp_mr)} + "
                f"encadrement × {format_euros(p.cout_etp_encadrement)}", format_euros(arrays["staff_cost"][i])),
            row("4. Frais de fonctionnement",
                f"{format_euros(p.frais_fixes_crra)} + {format_number(p.frais_par_drm, 2)} € × DRM",
                format_euros(arrays["operating_cost"][i])),
            row("5. Coût de base", "personnel + fonctionnement", format_euros(arrays["base_cost"][i])),
            row("6. Montant brut", f"coût de base × (1 + {format_percent(arrays['geo_coef'][i])})",
                format_euros(arrays["raw_amount"][i])),
            row("7. Montant modélisé", f"brut × facteur de calage {format_number(results.calibration_factor, 9)} "
                                       f"({e(p.calage)})", format_euros(arrays["modelled"][i]), True),
            row("&nbsp;&nbsp;&nbsp;Dotation historique", f"année {p.annee_historique}",
                format_euros(arrays["historic"][i])),
            row("8. Effet revenu", "modélisé − historique",
                f"{format_signed_euros(arrays['revenue_effect'][i])} "
                f"({format_signed_percent(arrays['revenue_effect_pct'][i]) or 'non défini'})", True),
        ]
        # Steps 9 and 10 of MODEL.md: one line per smoothing year under each number.
        region = arrays["region"][i]
        shares = list(self.document.scenario.smoothing["share"])
        notified = [y for y in results.years if (region, y) in results.notified]
        rows.append(row("9. Dotation par année de lissage",
                        "historique + part cumulée × effet revenu", ""))
        for n, (year, share) in enumerate(zip(results.years, shares)):
            linear = arrays["historic"][i] + share * arrays["revenue_effect"][i]
            final = year not in notified
            rows.append(row(f"&nbsp;&nbsp;&nbsp;9{_letter(n)}. Dotation {year}",
                            f"historique + {format_percent(share)} × effet revenu",
                            format_euros(arrays[f'alloc_{year}'][i] if final else linear), final))
        if notified:
            rows.append(row("10. Enveloppes notifiées",
                            f"les dotations des CRRA de {e(region)} ramenées à l'enveloppe, "
                            "au prorata", ""))
            for n, year in enumerate(notified):
                rows.append(row(f"&nbsp;&nbsp;&nbsp;10{_letter(n)}. Dotation {year} notifiée",
                                f"enveloppe notifiée à la région : "
                                f"{format_euros(results.notified[(region, year)])}",
                                format_euros(arrays[f'alloc_{year}'][i]), True))
        title = e(f"{arrays['crra_id'][i]} – {arrays['label'][i]}") if arrays["label"][i] else e(arrays["crra_id"][i])
        where = e(f"{region} · FINESS {arrays['finess'][i]} {arrays['establishment'][i]}")
        return (f"<h3>{title}</h3><p>{where}</p>"
                "<table cellspacing='0' cellpadding='3' width='100%'>"
                "<tr><th align='left'>Étape et calcul</th><th align='right'>Valeur</th></tr>"
                + "".join(rows) + "</table>")


def _letter(n: int) -> str:
    """a, b, … z, then aa, ab…: sub-steps of one numbered step."""
    text = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        text = chr(ord("a") + r) + text
    return text


class ProblemsPanel(QListWidget):
    """Every problem of the scenario; activating one selects its cell."""

    problemActivated = Signal(object)
    countChanged = Signal(int, int)      # errors, warnings

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("problemsPanel")
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
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)
        errors = sum(1 for p in problems if p.is_error)
        self.countChanged.emit(errors, len(problems) - errors)

    def _activated(self, item) -> None:
        problem = item.data(Qt.ItemDataRole.UserRole)
        if problem is not None:
            self.problemActivated.emit(problem)
