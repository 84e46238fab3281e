"""« D'où vient ce montant » beside the explanation: the waterfall of the selected CRRA,
or of its hospital, its region or the nation (a level choice), chart and parts table.

The parts are core/waterfall.py's: they sum to the modelled amount the tables show; the
table lists them with the running total, then the modelled amount, the historic amount
and the effet revenu, so that an ARS can copy them (the project's table view).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHeaderView, QLabel, QSplitter, QVBoxLayout, QWidget

from ..core.numbers import format_euros, format_signed_euros, format_signed_percent
from ..core.units import UnitError
from ..core.waterfall import waterfall
from .charts import ChartView
from .document import Document
from .excel_view import ReadOnlyTableView
from .panel_parts import FlowRow, chart_timer
from .table_actions import export_button
from .table_models import ColumnDef, FrameModel

LEVELS = (("crra", "CRRA"), ("establishment", "Établissement"), ("region", "Région"),
          ("national", "France entière"))


def waterfall_rows(w, historic_year: int) -> tuple[list[ColumnDef], dict[str, list]]:
    """The parts table: each part and the running total, then the figures they make."""
    columns = [ColumnDef("part", "Part", "text"), ColumnDef("amount", "Montant", "euros"),
               ColumnDef("total", "Cumul", "euros")]
    names = [p.label for p in w.parts] + ["Montant modélisé", f"Dotation historique {historic_year}",
                                          "Effet revenu (modélisé − historique)"]
    amounts = [p.amount for p in w.parts] + [w.modelled, w.historic, w.revenue_effect]
    totals = [p.end for p in w.parts] + [w.modelled, w.historic, float("nan")]
    return columns, {"part": names, "amount": amounts, "total": totals}


class WaterfallView(QWidget):
    """Level choice, the waterfall chart and its parts for the selected CRRA."""

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("waterfallView")
        self.document = document
        self.crra_id: str | None = None
        self.waterfall = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = FlowRow()  # wraps with large text
        label = QLabel("&Montant de :")
        bar.addWidget(label)
        self.level = QComboBox()
        self.level.setObjectName("waterfallLevel")
        self.level.setAccessibleName("Niveau du montant décomposé")
        for key, text in LEVELS:
            self.level.addItem(text, key)
        label.setBuddy(self.level)
        bar.addWidget(self.level)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.unit_label = QLabel()
        self.unit_label.setObjectName("waterfallUnit")
        self.unit_label.setWordWrap(True)
        layout.addWidget(self.unit_label)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.chart = ChartView()
        self.chart.setObjectName("waterfallChart")
        self.chart.export_name = "cascade"
        splitter.addWidget(self.chart)
        self.model = FrameModel(self)
        self.table = ReadOnlyTableView(accessible_name="Tableau des parts du montant modélisé")
        self.table.setObjectName("waterfallTable")
        bar.addWidget(export_button(self.table, "Exporter…"))
        self.chart.setAccessibleName("Graphique : d'où vient ce montant")
        self.chart.source_table = self.table
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        # The names take what the figures leave, on two lines if need be (a narrow panel).
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        splitter.addWidget(self.table)
        splitter.setSizes([270, 320])
        layout.addWidget(splitter, 1)
        self._timer = chart_timer(self, self._draw)
        self.level.currentIndexChanged.connect(lambda _i: self.refresh())
        document.recomputed.connect(self.refresh)
        document.reset.connect(self.refresh)
        self.refresh()

    def show_crra(self, crra_id: str | None) -> None:
        if crra_id != self.crra_id:
            self.crra_id = crra_id
            self.refresh()

    def unit(self) -> tuple[str, object] | None:
        """The level chosen and its key for the selected CRRA (None without one)."""
        results = self.document.results
        level = self.level.currentData()
        if level == "national":
            return level, None
        if results is None or self.crra_id is None:
            return None
        arrays = results.crra_arrays
        found = [i for i, v in enumerate(arrays["crra_id"]) if v == self.crra_id]
        if not found:
            return None
        i = found[0]
        key = {"crra": arrays["crra_id"][i], "establishment": arrays["finess"][i],
               "region": arrays["region"][i]}[level]
        return level, key

    def refresh(self) -> None:
        results = self.document.results
        unit = self.unit()
        self.waterfall = None
        if results is None:
            self.unit_label.setText("Le calcul est indisponible : corrigez d'abord les erreurs "
                                    "listées dans le panneau « Problèmes ».")
        elif unit is None:
            self.unit_label.setText("Sélectionnez un CRRA pour voir d'où vient son montant.")
        else:
            try:
                self.waterfall = waterfall(results, self.document.scenario.parameters, *unit)
            except UnitError as exc:
                self.unit_label.setText(str(exc))
            else:
                w = self.waterfall
                pct = format_signed_percent(w.revenue_effect_pct)
                self.unit_label.setText(
                    f"{w.unit_label[:1].upper()}{w.unit_label[1:]} ({w.n_crra} CRRA) : montant "
                    f"modélisé {format_euros(w.modelled)}, effet revenu "
                    f"{format_signed_euros(w.revenue_effect)}" + (f" ({pct})" if pct else "") + ".")
        if self.waterfall is None:
            self.model.set_rows([], {})
        else:
            year = int(self.document.scenario.parameters.annee_historique)
            self.model.set_rows(*waterfall_rows(self.waterfall, year))
            self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            self.table.resizeRowsToContents()
        self._timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Drawn again once laid out: a chart drawn while hidden has the canvas's first size.
        self._timer.start()

    def _draw(self) -> None:
        w = self.waterfall
        year = int(self.document.scenario.parameters.annee_historique)

        def draw(fig):
            from ..reporting.waterfall_chart import draw_waterfall
            draw_waterfall(fig, w, year)
        self.chart.set_drawer(draw)
        self.table.resizeRowsToContents()          # the names wrapped at the laid-out width
