"""The « Sensibilité » tab: which national parameter moves a figure of a unit the most.

The sweep (core/sensitivity.py: 16 varied scenarios, each computed by the model) runs
once per scenario and variation, on the charts' short timer after an edit; choosing
another output or unit reads its tornado from that sweep (a few masked sums). The chart
and the table beside it show the same figures; when nothing moves (a national total
held by the calibration) the note says why instead of empty bars.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..core.numbers import NumberError, format_percent, parse_number
from ..core.sensitivity import DEFAULT_VARIATION, SensitivityError, Sweep, check_variation, input_text, sweep
from ..core.units import UnitError
from .charts import ChartView
from .document import Document
from .excel_view import ReadOnlyTableView
from .palette_colours import colour
from .panel_parts import FlowRow, chart_timer
from .table_actions import export_button
from .table_models import ColumnDef, FrameModel
from .unit_chooser import UnitChooser, output_items

PARAMETER_WIDTH = 165



def parse_variation(text: str) -> float:
    """« 10 % », « 10 » (a percentage: the form's rule) or « 12,5 % » → 0,1, 0,125;
    :class:`SensitivityError` (French) otherwise."""
    typed = text.strip()
    try:
        number = parse_number(typed if typed.endswith("%") else typed + " %", "%")
    except NumberError as exc:
        raise SensitivityError(f"{exc}. Tapez un pourcentage, par exemple 10 %.") from None
    if math.isnan(number):
        raise SensitivityError("tapez la variation en pourcentage, par exemple 10 %.")
    try:
        return check_variation(number)
    except SensitivityError:
        raise SensitivityError(f"« {typed} » : la variation doit être comprise entre 0 % et "
                               "100 % exclus (par exemple 10 %).") from None


class SensitivityPanel(QWidget):
    """Output, unit and variation on top; the tornado and its table side by side."""

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("sensitivityPanel")
        self.document = document
        self.sweep: Sweep | None = None
        self.tornado = None
        self.variation = DEFAULT_VARIATION
        layout = QVBoxLayout(self)
        bar = FlowRow()  # wraps with large text
        label = QLabel("&Résultat :")
        bar.addWidget(label)
        self.output = QComboBox()
        self.output.setObjectName("sensitivityOutput")
        self.output.setAccessibleName("Résultat étudié")
        label.setBuddy(self.output)
        bar.addWidget(self.output)
        self.unit = UnitChooser(document, "sensitivity")
        bar.addWidget(self.unit, 1)
        label = QLabel("&Variation ± :")
        bar.addWidget(label)
        self.variation_edit = QLineEdit(format_percent(DEFAULT_VARIATION, 0))
        self.variation_edit.setObjectName("sensitivityVariation")
        self.variation_edit.setAccessibleName("Variation des paramètres, en pourcentage")
        self.variation_edit.setToolTip("Chaque paramètre est diminué puis augmenté de ce "
                                       "pourcentage (entre 0 et 100 % exclus), les autres "
                                       "inchangés. Validez par Entrée.")
        self.variation_edit.setMaximumWidth(80)
        label.setBuddy(self.variation_edit)
        bar.addWidget(self.variation_edit)
        layout.addLayout(bar)
        self.note = QLabel()
        self.note.setObjectName("sensitivityNote")
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Remarque sur la sensibilité")
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.hide()
        layout.addWidget(self.note)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.chart = ChartView()
        self.chart.setObjectName("sensitivityChart")
        self.chart.export_name = "sensibilite"
        self.splitter.addWidget(self.chart)
        self.table_model = FrameModel(self)
        self.table = ReadOnlyTableView(accessible_name="Tableau de la sensibilité")
        self.table.setObjectName("sensitivityTable")
        bar.addWidget(export_button(self.table))
        self.chart.setAccessibleName("Graphique de sensibilité (tornade)")
        self.chart.source_table = self.table
        self.table.setModel(self.table_model)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([640, 640])
        layout.addWidget(self.splitter, 1)
        self._dirty = True
        self._adopted_region: object = ()
        self._timer = chart_timer(self, self.recompute)
        self.output.currentIndexChanged.connect(lambda _i: self.show_tornado())
        self.unit.changed.connect(self.show_tornado)
        self.variation_edit.editingFinished.connect(self._variation_typed)
        document.reset.connect(self._on_reset)
        document.recomputed.connect(self._on_recomputed)
        self._fill_outputs()

    # -- choices -------------------------------------------------------------
    def _fill_outputs(self) -> None:
        current = self.output.currentData()
        self.output.blockSignals(True)
        self.output.clear()
        for key, text in output_items(self.document.scenario.years):
            self.output.addItem(text, key)
        self.output.setCurrentIndex(max(self.output.findData(current), 0))
        self.output.blockSignals(False)

    def _on_reset(self) -> None:
        self._fill_outputs()
        self._adopted_region = ()
        self._on_recomputed()

    def _on_recomputed(self) -> None:
        self.sweep = None
        if self.isVisible():
            self._timer.start()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        region = self.document.working_region
        if region != self._adopted_region:          # start on the working region
            self._adopted_region = region
            self.unit.blockSignals(True)
            if region is not None:
                self.unit.set_unit("region", region)
            else:
                self.unit.fill()
            self.unit.blockSignals(False)
            self._dirty = True
        if self._dirty or self.sweep is None:
            # On the timer: the chart is drawn once the tab is laid out at its real size.
            self._timer.start()

    def _variation_typed(self) -> None:
        try:
            value = parse_variation(self.variation_edit.text())
        except SensitivityError as exc:
            self._show_note(f"Variation refusée — {exc}", error=True)
            return
        self.variation_edit.setText(format_percent(value, 0 if round(value * 100, 6).is_integer() else 2))
        if value != self.variation or self.sweep is None:
            self.variation = value
            self.recompute()
        else:
            self.show_tornado()

    # -- figures ---------------------------------------------------------------
    def recompute(self) -> None:
        """The sweep of the open scenario (once per scenario and variation)."""
        self._dirty = False
        results = self.document.results
        if self.unit.entity.count() == 0 or self.unit.level.currentData() == "national":
            self.unit.fill()
        if results is None:
            self.sweep = None
        else:
            self.sweep = sweep(self.document.scenario, self.variation, base=results)
        self.show_tornado()

    def show_tornado(self) -> None:
        if self.sweep is None:
            self.tornado = None
            if self.document.results is None:
                self._show_note("La sensibilité est indisponible : corrigez d'abord les erreurs "
                                "listées dans le panneau « Problèmes ».", error=True)
            self._fill_table(None)
            self._draw()
            return
        level, key = self.unit.unit()
        output = self.output.currentData() or "modelled"
        try:
            self.tornado = self.sweep.tornado(output, level, key) if (level == "national" or key is not None) else None
        except UnitError as exc:
            self.tornado = None
            self._show_note(str(exc), error=True)
        else:
            notes = []
            if self.tornado is not None and self.tornado.flat:
                notes.append(self.tornado.note)
            refusals = [f"{b.label} : {b.refusal}" for b in (self.tornado.bars if self.tornado else ())
                        if b.refusal]
            notes += refusals
            self._show_note("\n".join(n for n in notes if n))
        self._fill_table(self.tornado)
        self._draw()

    def _show_note(self, text: str, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setStyleSheet(f"color:{colour('error_text')}" if error else "")
        self.note.setVisible(bool(text))

    def _draw(self) -> None:
        tornado = self.tornado

        def draw(fig):
            from ..reporting.tornado_chart import draw_tornado
            draw_tornado(fig, tornado)
        self.chart.set_drawer(draw)

    def _fill_table(self, tornado) -> None:
        if tornado is None:
            self.table_model.set_rows([], {})
            return
        kind = {"revenue_effect": "signed_euros", "revenue_effect_pct": "signed_percent"}.get(
            tornado.output, "euros")
        pct = format_percent(tornado.variation, 0 if round(tornado.variation * 100, 6).is_integer() else 2)
        columns = [ColumnDef("parameter", "Paramètre", "text"),
                   ColumnDef("low_input", f"Valeur\n−{pct}", "text",
                             help=f"Le paramètre diminué de {pct}."),
                   ColumnDef("high_input", f"Valeur\n+{pct}", "text",
                             help=f"Le paramètre augmenté de {pct}."),
                   ColumnDef("low", f"Résultat\n−{pct}", kind,
                             help="Le résultat avec le paramètre à sa valeur basse."),
                   ColumnDef("base", "Résultat du\nscénario", kind,
                             help="Le résultat du scénario, tous les paramètres inchangés."),
                   ColumnDef("high", f"Résultat\n+{pct}", kind,
                             help="Le résultat avec le paramètre à sa valeur haute.")]
        bars = tornado.bars
        nan = math.nan
        values = {"parameter": [b.label for b in bars],
                  "low_input": [input_text(b.parameter, b.low_input) for b in bars],
                  "high_input": [input_text(b.parameter, b.high_input) for b in bars],
                  "low": [nan if b.low is None else b.low for b in bars],
                  "base": [b.base for b in bars],
                  "high": [nan if b.high is None else b.high for b in bars]}
        self.table_model.set_rows(columns, values)
        # The names wrap in a narrow first column: the figures stay in view at 1366 px.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setTextElideMode(Qt.TextElideMode.ElideNone)      # two-line headers, whole
        self.table.setColumnWidth(0, PARAMETER_WIDTH)
        metrics = header.fontMetrics()
        for c, col in enumerate(columns[1:], start=1):     # both header lines in view
            text = max(metrics.horizontalAdvance(line) for line in col.header.split("\n"))
            self.table.setColumnWidth(c, max(text + 22, self.table.sizeHintForColumn(c)))
        self.table.resizeRowsToContents()

