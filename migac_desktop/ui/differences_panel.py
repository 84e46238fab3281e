"""The « Différences » tab: the open scenario against a reference scenario (issue 14).

Two pages: the inputs that differ (grouped by sheet; activating one selects its cell
in the open scenario) and the results that differ at the three levels, beside a chart
of the differences by region or, for one region, by CRRA. Everything follows the open
scenario's edits (``Document.recomputed``): the comparison costs a few milliseconds,
so a shown tab recomputes at once and a hidden one when it is shown again.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRegularExpression, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import schema
from ..core.comparison import BOTH, INPUT_SHEETS, compare_results, input_differences
from ..core.comparison_text import STATUS_TEXT, field_text, item_text, sheet_counts, value_text
from ..core.french import plural, sorted_french
from ..core.numbers import format_signed_euros
from .charts import ChartView
from .difference_models import InputDifferenceModel, ResultDifferenceModel, quantity_name, result_rows
from .excel_view import ReadOnlyTableView
from .palette_colours import colour
from .panel_parts import FlowRow, add_choice, chart_timer
from .table_actions import export_button
from .table_models import SORT_ROLE

LEVELS = (("region", "Régions (niveau national)"), ("crra", "CRRA d'une région"),
          ("establishment", "Établissements (FINESS)"))
ALL_REGIONS = "Toutes les régions"
ALL_SHEETS = "Toutes les feuilles"
UNITS = {"region": ("région", "régions"), "crra": ("CRRA", "CRRA"),
         "establishment": ("établissement", "établissements")}
NO_REFERENCE = ("Aucun scénario de référence. Choisissez « Comparer à… » : un autre classeur, "
                "le fichier ouvert tel qu'il a été enregistré, ou le scénario tel qu'il était "
                "à l'ouverture.")


@dataclass(frozen=True)
class CellTarget:
    """Where an input difference is in the open scenario, as the window's
    ``go_to_problem`` goes to a cell (sheet, position, key), and what to say there."""

    sheet: str
    position: int | None
    key: str | None
    text: str

    def __str__(self) -> str:
        return self.text


def cell_target(diff) -> CellTarget:
    text = (f"{diff.sheet} — {item_text(diff)}, {field_text(diff)} : {value_text(diff, diff.a)} "
            f"dans la référence, {value_text(diff, diff.b)} dans le scénario ouvert.")
    return CellTarget(diff.sheet, diff.position, diff.key, text)


class ActivatingTableView(ReadOnlyTableView):
    """A read-only table whose Enter activates the current row (Excel's move down is
    what the base view does with it), as a double-click does."""

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier) \
                and self.currentIndex().isValid():
            self.activated.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


def _table(name: str, accessible: str, model) -> tuple[ActivatingTableView, QSortFilterProxyModel]:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = ActivatingTableView(accessible_name=accessible)
    view.setObjectName(name)
    view.setModel(proxy)
    proxy.setParent(view)
    view.verticalHeader().hide()
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    proxy.sort(-1)
    return view, proxy


class DifferencesPanel(QWidget):
    """The open scenario against the reference of ``references`` (ui/reference.py)."""

    inputActivated = Signal(object)          # an InputDifference to select in the scenario
    message = Signal(str)

    def __init__(self, document, references, parent=None):
        super().__init__(parent)
        self.document = document
        self.references = references
        self.comparison = None
        self.differences = []
        self._dirty = True
        self._input_shape = None
        layout = QVBoxLayout(self)

        bar = FlowRow()  # wraps with large text
        self.compare_button = QPushButton("&Comparer à…")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setAccessibleName("Choisir le scénario de référence")
        self.compare_button.setToolTip("Choisir le scénario de référence : un autre classeur, le "
                                       "fichier tel qu'enregistré, ou le scénario à l'ouverture")
        self.compare_button.setMenu(references.menu)
        bar.addWidget(self.compare_button)
        self.remove_button = QPushButton("Re&tirer la référence")
        self.remove_button.setObjectName("removeReferenceButton")
        self.remove_button.setAccessibleName("Retirer la référence")
        self.remove_button.clicked.connect(references.clear)
        bar.addWidget(self.remove_button)
        self.reference_label = QLabel()
        self.reference_label.setObjectName("referenceLabel")
        self.reference_label.setAccessibleName("Scénario de référence")
        self.reference_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.reference_label, 1)
        layout.addLayout(bar)
        self.summary = QLabel()
        self.summary.setObjectName("differencesSummary")
        self.summary.setAccessibleName("Résumé des écarts")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)

        self.pages = QTabWidget()
        self.pages.setObjectName("differencesPages")
        self.pages.setAccessibleName("Écarts des données et des résultats")
        self.pages.addTab(self._build_inputs(), "Données d'entrée")
        self.pages.addTab(self._build_results(), "Résultats")
        layout.addWidget(self.pages, 1)
        # The chart is sized from its figure: drawn again once its page is laid out.
        self.pages.currentChanged.connect(lambda _i: self._chart_timer.start())

        self._chart_timer = chart_timer(self, self._redraw_chart)
        document.recomputed.connect(self._on_changed)
        document.reset.connect(self._on_changed)
        references.changed.connect(self._on_changed)
        self.refresh()

    # -- construction ------------------------------------------------------------------
    def _build_inputs(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        bar = FlowRow()  # wraps with large text
        self.sheet = add_choice(bar, "Feu&ille :", "differencesSheet")
        self.sheet.setAccessibleName("Feuille des écarts de données")
        self.sheet.setMinimumContentsLength(22)
        hint = QLabel("Entrée ou double-clic : aller à la cellule dans le scénario ouvert.")
        hint.setStyleSheet(f"color: {colour('hint_text')}")
        bar.addWidget(hint)
        bar.addStretch(1)
        box.addLayout(bar)
        self.input_model = InputDifferenceModel(self)
        self.input_table, self.input_proxy = _table("inputDifferencesTable",
                                                    "Écarts des données d'entrée", self.input_model)
        self.input_proxy.setFilterKeyColumn(0)
        self.input_table.activated.connect(self._input_activated)
        bar.addWidget(export_button(self.input_table))
        self.sheet.currentIndexChanged.connect(self._filter_sheet)
        box.addWidget(self.input_table)
        return page

    def _build_results(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        bar = FlowRow()  # wraps with large text
        self.level = add_choice(bar, "&Niveau :", "differencesLevel", LEVELS)
        self.level.setAccessibleName("Niveau des écarts de résultats")
        self.region = add_choice(bar, "&Région :", "differencesRegion")
        self.region.setAccessibleName("Région des écarts de résultats")
        self.region.setMinimumContentsLength(20)
        self.only = QCheckBox("Différences &seulement")
        self.only.setObjectName("differencesOnly")
        self.only.setAccessibleName("Différences seulement")
        self.only.setToolTip("Ne lister que les lignes dont un résultat diffère, ou présentes "
                             "dans un seul des deux scénarios")
        self.only.setChecked(True)
        bar.addWidget(self.only)
        self.quantity = add_choice(bar, "&Graphique :", "differencesChartQuantity")
        self.quantity.setAccessibleName("Grandeur du graphique des écarts")
        bar.addStretch(1)
        box.addLayout(bar)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.result_model = ResultDifferenceModel(self)
        self.result_table, self.result_proxy = _table("resultDifferencesTable",
                                                      "Écarts des résultats", self.result_model)
        self.result_table.activated.connect(self._result_activated)
        bar.addWidget(export_button(self.result_table))
        splitter.addWidget(self.result_table)
        self.chart = ChartView()
        self.chart.setObjectName("differencesChart")
        self.chart.setAccessibleName("Graphique des écarts au scénario de référence")
        self.chart.export_name = "ecarts-reference"
        self.chart.source_table = self.result_table
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 500])
        self.splitter = splitter
        box.addWidget(splitter, 1)
        for combo in (self.level, self.region):
            combo.currentIndexChanged.connect(self._show_results)
        self.only.toggled.connect(self._show_results)
        self.quantity.currentIndexChanged.connect(lambda _i: self._chart_timer.start())
        return page

    # -- refresh -----------------------------------------------------------------------
    def _on_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()
        self._chart_timer.start()

    def refresh(self) -> None:
        """Compare again (the reference, or the open scenario, changed)."""
        self._dirty = False
        reference = self.references.reference
        self.remove_button.setEnabled(reference is not None)
        if reference is None:
            self.comparison, self.differences = None, []
            self.reference_label.setText("Aucune référence")
            self.summary.setText(NO_REFERENCE)
        else:
            title = f" — {reference.title}" if reference.title else ""
            self.reference_label.setText(f"Référence : {reference.describe()}{title}")
            self.differences = input_differences(reference.scenario, self.document.scenario)
            results = self.document.results
            self.comparison = compare_results(reference.results, results) if results is not None else None
        self._show_inputs()
        self._fill_region_and_quantity()
        self._show_results()
        self._summarise()

    def _show_inputs(self) -> None:
        current = self.sheet.currentData()
        counts = sheet_counts(self.differences)
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.addItem(f"{ALL_SHEETS} ({len(self.differences)})", None)
        for sheet in INPUT_SHEETS:
            if counts.get(sheet):
                self.sheet.addItem(f"{sheet} ({counts[sheet]})", sheet)
        self.sheet.setCurrentIndex(max(self.sheet.findData(current), 0))
        self.sheet.blockSignals(False)
        current = self.input_proxy.mapToSource(self.input_table.currentIndex()).row()
        kept = self._identity(self.input_model.differences[current]) if current >= 0 else None
        self.input_model.set_differences(self.differences)
        self._filter_sheet()
        # The row selected stays selected if it still differs (an edit undone drops it).
        ids = [self._identity(d) for d in self.differences]
        if kept in ids:
            row = self.input_proxy.mapFromSource(self.input_model.index(ids.index(kept), 0)).row()
            if row >= 0:
                self.input_table.selectRow(row)
        shape = (id(self.references.reference), len(self.differences))
        if shape != self._input_shape:          # widths when the list changes, not per edit
            self._input_shape = shape
            self.input_table.resizeColumnsToContents()
            header = self.input_table.horizontalHeader()
            for c in range(header.count()):
                header.resizeSection(c, min(header.sectionSize(c), 320))
        self.pages.setTabText(0, f"Données d'entrée ({len(self.differences)})")

    @staticmethod
    def _identity(diff) -> tuple:
        return diff.sheet, diff.item, diff.field

    def _filter_sheet(self) -> None:
        sheet = self.sheet.currentData()
        self.input_proxy.setFilterRegularExpression(
            f"^{QRegularExpression.escape(sheet)}$" if sheet else "")

    def _fill_region_and_quantity(self) -> None:
        regions = []
        if self.comparison is not None:
            regions = sorted_french(str(r) for r in self.comparison.regions.frame["region"])
        for combo, items in ((self.region, [(None, ALL_REGIONS)] + [(r, r) for r in regions]),
                             (self.quantity, [(q, quantity_name(q)[0]) for q in
                                              (self.comparison.crra.quantities
                                               if self.comparison is not None else [])])):
            current = combo.currentData()
            if [combo.itemData(i) for i in range(combo.count())] == [k for k, _ in items]:
                continue
            combo.blockSignals(True)
            combo.clear()
            for key, text in items:
                combo.addItem(text, key)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)

    def _show_results(self) -> None:
        level = self.level.currentData()
        self.region.setEnabled(level != "region")
        region = self.region.currentData() if level != "region" else None
        current = self.result_proxy.mapToSource(self.result_table.currentIndex()).row()
        key = self.result_model.key_of(current) if current >= 0 else None
        if self.comparison is None:
            self.result_model.set_level([], {}, [])
        else:
            columns, values, statuses = result_rows(self.comparison.level(level), region,
                                                    self.only.isChecked())
            same_shape = [c.key for c in columns] == [c.key for c in self.result_model.columns]
            self.result_model.set_level(columns, values, statuses)
            column = self.result_proxy.sortColumn()
            if column >= 0:
                self.result_proxy.sort(column, self.result_proxy.sortOrder())
            for c, col in enumerate(columns):
                self.result_table.setColumnHidden(c, region is not None and col.key == "region")
            if not same_shape:
                self._fit_result_columns()
            row = self.result_model.row_of_key(key)
            if row >= 0:
                self.result_table.selectRow(self.result_proxy.mapFromSource(
                    self.result_model.index(row, 0)).row())
        self.pages.setTabText(1, f"Résultats ({self._differing_count()})")
        self._chart_timer.start()

    def _fit_result_columns(self) -> None:
        self.result_table.resizeColumnsToContents()
        header = self.result_table.horizontalHeader()
        for c, col in enumerate(self.result_model.columns):
            if not col.numeric and header.sectionSize(c) > 200:
                header.resizeSection(c, 200)
            if col.key == "presence":         # rows of one scenario may come with the next edit
                wide = max(self.result_table.fontMetrics().horizontalAdvance(t) for t in STATUS_TEXT.values())
                header.resizeSection(c, max(header.sectionSize(c), wide + 12))

    def _differing_count(self) -> int:
        """The rows that differ at the level shown (of the region chosen, if any)."""
        if self.comparison is None:
            return 0
        level = self.level.currentData()
        comparison = self.comparison.level(level)
        mask = comparison.differing()
        region = self.region.currentData()
        if level != "region" and region is not None:
            mask &= comparison.frame["region"].to_numpy() == region
        return int(mask.sum())

    def _summarise(self) -> None:
        if self.references.reference is None:
            return
        n = len(self.differences)
        parts = [plural(n, "donnée d'entrée différente", "données d'entrée différentes")]
        if self.comparison is None:
            parts.append("résultats indisponibles : corrigez les erreurs listées dans le "
                         "panneau « Problèmes »")
        else:
            for level in ("region", "crra", "establishment"):
                count = int(self.comparison.level(level).differing().sum())
                one, many = UNITS[level]
                parts.append(plural(count, f"{one} qui diffère", f"{many} qui diffèrent"))
            frame = self.comparison.regions.frame
            total = float(frame["delta_modelled"].sum())
            deltas = frame["delta_modelled"].to_numpy(dtype=float)
            parts.append(f"écart total du montant modélisé {format_signed_euros(total)} (régions "
                         f"en hausse {format_signed_euros(float(deltas[deltas > 0].sum()))}, en "
                         f"baisse {format_signed_euros(float(deltas[deltas < 0].sum()))})")
            only_b = int((self.comparison.crra.frame["status"] != BOTH).sum())
            if only_b:
                parts.append(plural(only_b, "CRRA dans un seul des deux scénarios",
                                    "CRRA dans un seul des deux scénarios"))
            if self.comparison.years_only_a or self.comparison.years_only_b:
                years = self.comparison.years_only_a + self.comparison.years_only_b
                parts.append("années de lissage d'un seul scénario (non comparées) : "
                             + ", ".join(str(y) for y in years))
        self.summary.setText(" · ".join(parts))

    # -- chart -------------------------------------------------------------------------
    def _redraw_chart(self) -> None:
        comparison = self.comparison
        level = self.level.currentData()
        region = self.region.currentData() if level != "region" else None
        chart_level = "crra" if region is not None else "region"
        quantity = self.quantity.currentData() or "modelled"
        unavailable = self.references.reference is not None and comparison is None

        def draw(fig):
            from ..reporting import difference_charts
            if unavailable:
                difference_charts.draw_message(fig, "Résultats indisponibles")
            else:
                difference_charts.draw_difference_bars(fig, comparison, chart_level, region, quantity)
        self.chart.set_drawer(draw)

    # -- activation --------------------------------------------------------------------
    def _input_activated(self, index) -> None:
        if not index.isValid():
            return
        diff = self.input_model.difference(self.input_proxy.mapToSource(index).row())
        if diff.sheet != schema.PARAMETERS_SHEET and diff.position is None:
            self.message.emit(f"« {diff.item} » n'existe que dans la référence : rien à "
                              "sélectionner dans le scénario ouvert.")
            return
        self.inputActivated.emit(diff)

    def _result_activated(self, index) -> None:
        """A region activated: its CRRA (the chart by CRRA follows)."""
        if not index.isValid() or self.level.currentData() != "region":
            return
        region = self.result_model.key_of(self.result_proxy.mapToSource(index).row())
        at = self.region.findData(region)
        if at >= 0:
            self.region.setCurrentIndex(at)
            self.level.setCurrentIndex(self.level.findData("crra"))
