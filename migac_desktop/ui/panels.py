"""Comparison, smoothing, explanation and problems panels.

Each panel reads the document's results and redraws when they change; none
computes anything the core does not already give.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView,
                               QLabel, QListWidget, QListWidgetItem, QSplitter, QStyle,
                               QTableView, QTextBrowser, QVBoxLayout, QWidget)

from ..core.numbers import (format_euros, format_number, format_percent, format_signed_euros,
                            format_signed_percent)
from .charts import ChartView
from .document import Document
from .table_models import SORT_ROLE, ColumnDef, FrameModel
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
    cols = [
        ColumnDef("historic", f"Dotation historique {historic_year}", "euros",
                  help="Dotation de l'année historique."),
        ColumnDef("modelled", "Montant modélisé", "euros", help="Montant donné par le modèle."),
        ColumnDef("revenue_effect", "Effet revenu", "signed_euros",
                  help="Montant modélisé − dotation historique."),
        ColumnDef("revenue_effect_pct", "Effet revenu (%)", "signed_percent",
                  help="Effet revenu rapporté à la dotation historique."),
    ]
    cols += [ColumnDef(f"alloc_{y}", f"Dotation {y}", "euros",
                       help=f"Dotation {y} après lissage.") for y in years]
    cols.append(ColumnDef("status", "Sens", "text", help="Gagnant : effet revenu positif ; "
                                                          "perdant : négatif."))
    return cols


def comparison_rows(results, level: str, region: str | None, historic_year: int):
    """Columns, values and winner/loser status of one comparison level."""
    if level == "region":
        frame = results.regions
        head = [ColumnDef("region", "Région", "text"),
                ColumnDef("n_crra", "Nombre de CRRA", "drm")]
    elif level == "establishment":
        frame = results.establishments
        if region:
            frame = frame[frame["region"] == region]
        head = [ColumnDef("finess", "FINESS", "text"), ColumnDef("establishment", "Établissement", "text"),
                ColumnDef("region", "Région", "text"), ColumnDef("n_crra", "Nombre de CRRA", "drm")]
    else:
        frame = results.crra
        if region:
            frame = frame[frame["region"] == region]
        head = [ColumnDef("crra_id", "Identifiant", "text"), ColumnDef("label", "Libellé", "text"),
                ColumnDef("region", "Région", "text"), ColumnDef("tranche", "Tranche", "text")]
    columns = head + _amount_columns(results.years, historic_year)
    effect = frame["revenue_effect"].to_numpy()
    status = [(1 if e > 0.5 else -1 if e < -0.5 else 0) for e in effect]
    values = {c.key: list(frame[c.key]) for c in columns if c.key != "status"}
    values["status"] = ["Gagnant" if s > 0 else "Perdant" if s < 0 else "Stable" for s in status]
    return columns, values, status


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
        self.region = add_choice(bar, "Région :", "comparisonRegion")
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
        layout.addWidget(splitter)

        self._dirty = False
        self._shape = None
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
        if self._dirty:
            self.refresh()

    def _on_reset(self) -> None:
        self.region.blockSignals(True)
        current = self.region.currentText()
        self.region.clear()
        self.region.addItem(ALL_REGIONS, None)
        results = self.document.results
        if results is not None:
            for name in sorted(results.region_names, key=str.casefold):
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
        shape = (level, self.selected_region(), len(columns))
        if shape != self._shape:            # widths once per layout, not per edit
            self._shape = shape
            self.table.resizeColumnsToContents()
        n = results.national
        winners = sum(1 for s in status if s > 0)
        losers = sum(1 for s in status if s < 0)
        self.totals.setText(
            f"<b>France entière</b> : historique {format_euros(n['historic'])} · modélisé "
            f"{format_euros(n['modelled'])} · effet revenu {format_signed_euros(n['revenue_effect'])} "
            f"· facteur de calage {format_number(results.calibration_factor, 6)} · "
            f"<span style='color:#1b6e2a'>{winners} gagnant(s)</span>, "
            f"<span style='color:#a61b1b'>{losers} perdant(s)</span>")
        self._chart_timer.start()

    def _redraw_chart(self) -> None:
        results = self.document.results
        kind = self.chart_kind.currentData()
        region = self.selected_region()
        level = self.level.currentData()

        year = int(self.document.scenario.parameters.annee_historique)

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
                charts.draw_scatter(fig, results, highlight_region=region, historic_year=year)
        self.chart.set_drawer(draw)

    def _row_changed(self, current, _previous) -> None:
        if not current.isValid() or self.level.currentData() != "region":
            return
        source = self.proxy.mapToSource(current)
        region = self.model.value(source.row(), "region")
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
        self.entity = add_choice(bar, "", "smoothingEntity")
        self.entity.setMinimumContentsLength(34)
        self.all_crra = QCheckBox("Tous les CRRA de la région")
        self.all_crra.setObjectName("smoothingAllCrra")
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
        if self._dirty:
            self._on_recomputed()

    def show_entity(self, level: str, key) -> None:
        self.level.setCurrentIndex(self.level.findData(level))
        index = self.entity.findData(key)
        if index >= 0:
            self.entity.setCurrentIndex(index)

    def _entities(self) -> list[tuple[str, object]]:
        results = self.document.results
        level = self.level.currentData()
        if results is None or level == "national":
            return []
        if level == "region":
            return [(r, r) for r in sorted(results.region_names, key=str.casefold)]
        if level == "establishment":
            frame = results.establishments
            return [(f"{f} – {e}" if e else f, f) for f, e in zip(frame["finess"], frame["establishment"])]
        frame = results.crra
        return [(f"{i} – {lab}" if lab else i, i) for i, lab in zip(frame["crra_id"], frame["label"])]

    def _fill_entities(self) -> None:
        current = self.entity.currentData()
        self.entity.blockSignals(True)
        self.entity.clear()
        for label, key in self._entities():
            self.entity.addItem(label, key)
        index = self.entity.findData(current)
        self.entity.setCurrentIndex(max(index, 0))
        self.entity.setEnabled(self.entity.count() > 0)
        self.entity.blockSignals(False)
        self.all_crra.setEnabled(self.level.currentData() == "region")
        self.refresh()

    def _on_recomputed(self) -> None:
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        if self.entity.count() != len(self._entities()):
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
        self.crra_id = crra_id
        self.refresh()

    def refresh(self) -> None:
        self.setHtml(self.explanation())

    def explanation(self) -> str:
        results = self.document.results
        if self.crra_id is None:
            return "<p>Sélectionnez un CRRA dans le tableau pour voir le détail de son calcul.</p>"
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
            row("2. ETP ARM", arm_src, format_number(arrays["etp_arm"][i], 2).rstrip("0").rstrip(",")),
            row("&nbsp;&nbsp;&nbsp;ETP MR", mr_src, format_number(arrays["etp_mr"][i], 2).rstrip("0").rstrip(",")),
            row("&nbsp;&nbsp;&nbsp;ETP encadrement", "par CRRA",
                format_number(arrays["etp_sup"][i], 2).rstrip("0").rstrip(",")),
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
        region = arrays["region"][i]
        shares = list(self.document.scenario.smoothing["share"])
        for year, share in zip(results.years, shares):
            note = ""
            if (region, year) in results.notified:
                note = (f" ; enveloppe notifiée à la région : "
                        f"{format_euros(results.notified[(region, year)])}")
            rows.append(row(f"9. Dotation {year}",
                            f"historique + {format_percent(share)} × effet revenu{note}",
                            format_euros(arrays[f'alloc_{year}'][i]), True))
        title = e(f"{arrays['crra_id'][i]} – {arrays['label'][i]}") if arrays["label"][i] else e(arrays["crra_id"][i])
        where = e(f"{region} · FINESS {arrays['finess'][i]} {arrays['establishment'][i]}")
        return (f"<h3>{title}</h3><p>{where}</p>"
                "<table cellspacing='0' cellpadding='3' width='100%'>"
                "<tr><th align='left'>Étape et calcul</th><th align='right'>Valeur</th></tr>"
                + "".join(rows) + "</table>")


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
