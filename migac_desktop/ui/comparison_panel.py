"""The comparison panel: modelled against historic at three levels, with its charts."""

from __future__ import annotations

import html

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from ..core import schema
from ..core.guarantees import guarantee_texts
from ..core.numbers import format_euros, format_number, format_signed_euros, format_signed_percent
from .charts import ChartView
from .document import Document
from .palette_colours import colour
from .panel_parts import FlowRow, add_choice, chart_timer
from .policy_columns import guarantee_column, remaining_column
from .table_actions import export_button
from .table_models import SORT_ROLE, ColumnDef, FrameModel, result_def
from .views import ReadOnlyTableView

LEVELS = (("region", "Régions (niveau national)"), ("crra", "CRRA d'une région"),
          ("establishment", "Établissements (FINESS)"))
ALL_REGIONS = "Toutes les régions"


def _amount_columns(years: list[int], historic_year: int, policy=None) -> list[ColumnDef]:
    # Short headers (the tooltip says it in full): at 1366 px the table shows the
    # effet revenu beside the chart without scrolling.
    historic = schema.result_column("historic")
    cols = [result_def("historic", f"{historic.short_header} {historic_year}",
                       help=f"{historic.header} {historic_year}.")]
    cols += [result_def(k) for k in ("modelled", "revenue_effect", "revenue_effect_pct")]
    cols += [result_def(f"alloc_{y}") for y in years]
    if policy is not None:          # « Plafonné » only: Linéaire's table is unchanged
        cols += [remaining_column(), guarantee_column(policy)]
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
    policy = results if results.capped else None
    columns = head + _amount_columns(results.years, historic_year, policy)
    effect = frame["revenue_effect"].to_numpy()
    status = [(1 if e > 0.5 else -1 if e < -0.5 else 0) for e in effect]
    values = {c.key: list(frame[c.key]) for c in columns if c.key not in ("status", "guarantee")}
    if policy is not None:
        values["guarantee"] = guarantee_texts(results, level, frame.index.to_numpy())
    values["status"] = [STATUS_WORDS[s] for s in status]
    return columns, values, status


# The word and an arrow: winners and losers told without the colour.
STATUS_WORDS = {1: "▲ Gagnant", -1: "▼ Perdant", 0: "= Stable"}
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
            f"<span style=\"color:{colour('gain')}\">▲ {winners} gagnant(s)</span>, "
            f"<span style=\"color:{colour('loss')}\">▼ {losers} perdant(s)</span> · facteur de calage "
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
        bar = FlowRow()  # wraps with large text
        self.level = add_choice(bar, "&Niveau :", "comparisonLevel", LEVELS)
        self.level.setAccessibleName("Niveau de la comparaison")
        self.region = add_choice(bar, "&Région :", "comparisonRegion")
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
        bar.addWidget(export_button(self.table))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
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
        self.chart_kind = add_choice(chart_bar, "&Graphique :", "comparisonChartKind", self.CHARTS)
        chart_bar.addStretch(1)
        bottom_layout.addLayout(chart_bar)
        self.chart = ChartView()
        self.chart.setObjectName("comparisonChart")
        self.chart.setAccessibleName("Graphique de comparaison")
        self.chart.source_table = self.table
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
        for name in self.document.result_region_names():
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
