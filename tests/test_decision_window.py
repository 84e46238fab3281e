"""The decision aids in the window and the report (issue 15): the « Sensibilité » tab,
« Valeur cible… », « D'où vient ce montant », the « Atypique » column, the report's
sections. Figures are compared with the core's own (core/sensitivity.py, goal_seek.py,
waterfall.py, outliers.py), computed here independently of the views."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from conftest import open_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from migac_desktop.core.commands import SetParameter
from migac_desktop.core.goal_seek import GoalInput, GoalTarget, goal_seek
from migac_desktop.core.outliers import outliers
from migac_desktop.core.sensitivity import sweep
from migac_desktop.core.validation import evaluate
from migac_desktop.core.waterfall import waterfall
from migac_desktop.io.workbook import read_scenario
from migac_desktop.reporting.report import build_report
from migac_desktop.ui.views import select_cell

NATIONAL = Path(__file__).resolve().parents[1] / "samples" / "scenario_national_2014.xlsx"
TOOLTIP = Qt.ItemDataRole.ToolTipRole


@pytest.fixture
def national_window(qtbot, tmp_path, monkeypatch):
    return open_window(qtbot, tmp_path, monkeypatch, read_scenario(NATIONAL).scenario,
                       size=(1366, 768))


def column_values(model, key):
    c = next(i for i, col in enumerate(model.columns) if col.key == key)
    return [model.value(r, key) for r in range(model.rowCount())] if c >= 0 else []


# -- sensitivity --------------------------------------------------------------------------
def test_tornado_tab_shows_the_core_figures_and_the_flat_note(national_window, qtbot, qtmodeltester):
    window = national_window
    panel = window.sensitivity_panel
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.sweep is not None)
    # The national modelled total is held by « Enveloppe historique »: the note, no bars.
    panel.unit.set_unit("national")
    panel.output.setCurrentIndex(panel.output.findData("modelled"))
    assert panel.tornado.flat
    assert panel.note.isVisibleTo(panel)
    assert "Enveloppe historique" in panel.note.text()
    # A region's effet revenu: every row of the table is the core's bar.
    panel.unit.set_unit("region", "Bretagne")
    panel.output.setCurrentIndex(panel.output.findData("revenue_effect"))
    document = window.document
    expected = sweep(document.scenario, 0.1).tornado("revenue_effect", "region", "Bretagne")
    model = panel.table_model
    assert model.rowCount() == len(expected.bars) == 8
    assert column_values(model, "parameter") == [b.label for b in expected.bars]
    assert column_values(model, "low") == pytest.approx([b.low for b in expected.bars], abs=0.01)
    assert column_values(model, "high") == pytest.approx([b.high for b in expected.bars], abs=0.01)
    assert column_values(model, "base") == pytest.approx([expected.base] * 8, abs=0.01)
    assert not panel.note.isVisibleTo(panel)
    # Largest effect first, and the chart drew a bar pair per parameter.
    effects = [max(abs(lo - b), abs(hi - b)) for lo, hi, b in
               zip(column_values(model, "low"), column_values(model, "high"),
                   column_values(model, "base"))]
    assert effects == sorted(effects, reverse=True)
    qtbot.waitUntil(lambda: panel.chart.drawer is not None and not panel.chart.dirty
                    and bool(panel.chart.figure.axes))
    assert len(panel.chart.figure.axes[0].patches) == 16
    qtmodeltester.check(model)


def test_tornado_follows_an_edit_and_a_typed_variation(national_window, qtbot):
    window = national_window
    panel = window.sensitivity_panel
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.sweep is not None)
    panel.unit.set_unit("region", "Bretagne")
    before = panel.tornado.base
    document = window.document
    document.push(SetParameter(document.scenario, "cout_etp_arm", 60000.0))
    qtbot.waitUntil(lambda: panel.sweep is not None and panel.tornado.base != before)
    assert panel.tornado.base == pytest.approx(
        sweep(document.scenario, 0.1).tornado("modelled", "region", "Bretagne").base)
    panel.variation_edit.setText("25")           # a percentage without « % »
    panel.variation_edit.editingFinished.emit()
    assert panel.sweep.variation == pytest.approx(0.25)
    assert panel.variation_edit.text() == "25\u00a0%"
    panel.variation_edit.setText("150 %")
    panel.variation_edit.editingFinished.emit()
    assert "Variation refusée" in panel.note.text() and "100 %" in panel.note.text()
    assert panel.sweep.variation == pytest.approx(0.25)


# -- goal seek ------------------------------------------------------------------------------
def test_goal_seek_from_a_crra_cell_applies_one_undoable_change(national_window, qtbot):
    window = national_window
    panel = window.crra_panel
    model = panel.model
    column = model.column_of_key("etp_arm_override")
    select_cell(panel.view, 0, column)
    position = model.position(0)
    document = window.document
    scenario = document.scenario
    finess = document.results.crra_arrays["finess"][position]
    window.goal_seek()
    dialog = window.goal_seek_dialog
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.kind)     # the first field
    assert dialog.goal_input() == GoalInput.crra(position, "etp_arm_override")
    assert dialog.unit.unit() == ("establishment", finess)
    assert dialog.output.currentData() == "revenue_effect"
    dialog.value.setText("0")
    count = document.undo_stack.count()
    before = scenario.crra["etp_arm_override"].copy()
    dialog.search_button.click()
    expected = goal_seek(scenario, GoalInput.crra(position, "etp_arm_override"),
                         GoalTarget("revenue_effect", 0.0, "establishment", finess))
    assert dialog.result.reached and expected.reached
    assert dialog.result.value == pytest.approx(expected.value)
    assert dialog.message.text() == expected.message
    # Trials never touched the document.
    assert document.undo_stack.count() == count
    assert scenario.crra["etp_arm_override"].equals(before)
    dialog.apply_button.click()
    assert document.undo_stack.count() == count + 1
    assert document.undo_stack.undoText().startswith("valeur cible : ETP ARM retenus de ")
    assert document.scenario.crra["etp_arm_override"].iat[position] == pytest.approx(expected.value)
    mask = document.results.crra_arrays["finess"] == finess
    assert abs(float(document.results.crra_arrays["revenue_effect"][mask].sum())) <= 0.01
    window.undo()
    assert math.isnan(document.scenario.crra["etp_arm_override"].iat[position])
    assert document.undo_stack.index() == count


def test_goal_seek_unreachable_and_invalid_targets_said_in_french(national_window, qtbot):
    window = national_window
    window.goal_seek(GoalInput.parameter("cout_etp_arm"))
    dialog = window.goal_seek_dialog
    dialog.unit.set_unit("national")
    dialog.output.setCurrentIndex(dialog.output.findData("modelled"))
    dialog.value.setText("300 000 000")
    dialog.search_button.click()
    assert not dialog.result.reached
    assert "ne peut pas être atteinte" in dialog.message.text()
    assert not dialog.apply_button.isEnabled()
    dialog.value.setText("abc")
    dialog.search_button.click()
    assert dialog.result is None
    assert dialog.message.text() == "Valeur visée : « abc » n'est pas un nombre."
    count = window.document.undo_stack.count()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert window.document.undo_stack.count() == count


def test_goal_seek_is_in_the_edit_menu_and_the_table_menu(national_window):
    window = national_window
    action = window.findChild(type(window.actionUndo), "actionGoalSeek")
    assert action is not None and action.text() == "&Valeur cible…"
    panel = window.crra_panel
    select_cell(panel.view, 1, panel.model.column_of_key("drm"))
    action.trigger()                                # the menu: the current cell preselected
    assert window.goal_seek_dialog.goal_input() == GoalInput.crra(panel.model.position(1), "drm")
    window.goal_seek_dialog.reject()
    from migac_desktop.ui.table_actions import build_context_menu
    select_cell(panel.view, 0, panel.model.column_of_key("drm"))
    menu = build_context_menu(panel.view)
    entry = next(a for a in menu.actions() if a.objectName() == "tableGoalSeek")
    assert entry.isEnabled()
    select_cell(panel.view, 0, panel.model.column_of_key("label"))
    menu = build_context_menu(panel.view)
    assert not next(a for a in menu.actions() if a.objectName() == "tableGoalSeek").isEnabled()
    select_cell(panel.view, 0, panel.model.column_of_key("geo_coef"))
    build_context_menu(panel.view).findChild(type(entry), "tableGoalSeek").trigger()
    dialog = window.goal_seek_dialog
    assert dialog.goal_input() == GoalInput.crra(panel.model.position(0), "geo_coef")
    dialog.reject()


# -- waterfall ---------------------------------------------------------------------------------
def test_waterfall_parts_sum_to_the_figure_at_each_level(national_window, qtbot, qtmodeltester):
    window = national_window
    panel = window.crra_panel
    select_cell(panel.view, 2, panel.model.column_of_key("drm"))
    view = panel.waterfall
    position = panel.model.position(2)
    results = window.document.results
    assert view.crra_id == results.crra_arrays["crra_id"][position]
    for level, key in (("crra", results.crra_arrays["crra_id"][position]),
                       ("establishment", results.crra_arrays["finess"][position]),
                       ("region", results.crra_arrays["region"][position]), ("national", None)):
        view.level.setCurrentIndex(view.level.findData(level))
        model = view.model
        amounts = column_values(model, "amount")
        parts, modelled, historic, effect = amounts[:7], amounts[7], amounts[8], amounts[9]
        mask = np.ones(len(results.region_codes), bool) if level == "national" else \
            results.crra_arrays[{"crra": "crra_id", "establishment": "finess",
                                 "region": "region"}[level]] == key
        assert modelled == pytest.approx(float(results.crra_arrays["modelled"][mask].sum()), abs=1e-6)
        assert abs(sum(parts) - modelled) < 0.01
        assert column_values(model, "total")[6] == pytest.approx(modelled, abs=0.01)
        assert effect == pytest.approx(modelled - historic, abs=0.01)
        core = waterfall(results, window.document.scenario.parameters, level, key)
        assert parts == pytest.approx([p.amount for p in core.parts], abs=1e-6)
    qtmodeltester.check(view.model)
    panel.explain_tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.chart.drawer is not None and not view.chart.dirty
                    and bool(view.chart.figure.axes))
    labels = [t.get_text() for t in view.chart.figure.axes[0].get_yticklabels()]
    assert len(labels) == 9 and labels[0] == "Personnel ARM"


# -- outliers ----------------------------------------------------------------------------------
def test_outlier_column_text_tooltip_and_threshold(national_window, qtmodeltester):
    window = national_window
    model = window.crra_panel.model
    column = model.column_of_key("outlier")
    assert model.headerData(column, Qt.Orientation.Horizontal) == "Atypique"
    results = window.document.results
    found = outliers(results, 1.5)
    flagged = {str(results.crra_arrays["crra_id"][p]) for p, _, _ in found.rows()}
    shown = {}
    for r in range(model.rowCount()):
        text = model.data(model.index(r, column))
        if text:
            shown[model.data(model.index(r, model.column_of_key("crra_id")))] = (
                text, model.data(model.index(r, column), TOOLTIP))
    assert set(shown) == flagged and "SAMU-048" in shown
    text, tip = shown["SAMU-048"]
    assert text == "coût/DRM élevé"
    median = found.metrics["cost_per_drm"].median
    assert f"médiane nationale : {found.metrics['cost_per_drm'].format(median)}" in tip
    assert "91,86" in tip
    window.crra_panel.outlier_threshold.setValue(3.0)
    wider = {str(results.crra_arrays["crra_id"][p]) for p, _, _ in outliers(results, 3.0).rows()}
    now = {model.data(model.index(r, model.column_of_key("crra_id"))) for r in range(model.rowCount())
           if model.data(model.index(r, column))}
    assert now == wider and len(now) < len(flagged)
    qtmodeltester.check(model)


# -- report ------------------------------------------------------------------------------------
def test_report_sections_hold_the_waterfall_outliers_and_tornado():
    scenario = read_scenario(NATIONAL).scenario
    _, results = evaluate(scenario)
    report = build_report(scenario, results, created=date(2026, 1, 1), render=False)
    tables = {}
    charts = []
    for section in report.sections:
        stack = list(section.blocks)
        while stack:
            block = stack.pop(0)
            if hasattr(block, "blocks"):
                stack[:0] = block.blocks
            if type(block).__name__ == "Table":
                tables[block.id] = block
            if type(block).__name__ == "Chart":
                charts.append(block)
    # Every region: its parts, summing to its modelled amount as the report writes it.
    from migac_desktop.core.numbers import format_euros, parse_number
    for region in results.region_names:
        table = tables[f"cascade:{region}"]
        parts = [parse_number(row[1]) for row in table.rows]
        modelled = float(results.regions.set_index("region").loc[region, "modelled"])
        assert table.totals[0][1] == format_euros(modelled)
        assert abs(sum(parts) - modelled) <= len(parts) * 0.5        # cells rounded to the euro
    waterfalls = [c for c in charts if c.kind == "waterfall"]
    assert len(waterfalls) == len(results.region_names)
    # The atypical CRRA, nationally, with the national median.
    found = outliers(results)
    rows = tables["atypiques"].rows
    assert {r[0] for r in rows} == {str(results.crra_arrays["crra_id"][p]) for p, _, _ in found.rows()}
    median = found.metrics["cost_per_drm"].format(found.metrics["cost_per_drm"].median)
    assert all(r[-1] == median for r in rows if r[3].startswith("Coût par DRM"))
    # The national effet revenu cannot move: the largest region's tornado instead.
    tornado = next(c for c in charts if c.kind == "tornado").key
    assert tornado.level == "region" and tornado.key == "Île-de-France"
    expected = sweep(scenario, 0.1).tornado("revenue_effect", "region", "Île-de-France")
    assert [b.label for b in tornado.bars] == [r[0] for r in tables["sensibilite"].rows] \
        == [b.label for b in expected.bars]
    texts = " ".join(p.text for s in report.sections for p in s.blocks
                     if type(p).__name__ == "Paragraph")
    assert "ne fait varier l'effet revenu national" in texts


def test_report_decision_charts_draw():
    from matplotlib.figure import Figure

    from migac_desktop.reporting import figures
    scenario = read_scenario(NATIONAL).scenario
    _, results = evaluate(scenario)
    report = build_report(scenario, results, region="Bretagne", created=date(2026, 1, 1))
    chart = next(c for s in report.sections for b in s.blocks for c in getattr(b, "blocks", [b])
                 if type(c).__name__ == "Chart" and c.kind == "waterfall")
    assert chart.rendered and chart.data.startswith(b"<?xml")
    fig = figures.draw(Figure(figsize=(3.4, 2.4)), results, "waterfall", "region", chart.key)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][-2:] == ["Modélisé", "Historique 2013"]
