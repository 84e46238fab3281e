"""The panels as an Excel user expects them (issue 11): one working region, French
order everywhere, each level's summary, the explanation following what is shown."""

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import REGIONS_2014, WORKED_EXAMPLE_ROWS, open_window
from matplotlib.figure import Figure
from matplotlib.text import Text
from PySide6.QtCore import QItemSelectionModel, Qt

from migac_desktop.core import schema
from migac_desktop.core.french import sort_key, sorted_french
from migac_desktop.core.numbers import format_euros, format_signed_euros
from migac_desktop.core.scenario import Scenario, make_table
from migac_desktop.reporting import charts
from migac_desktop.ui.main_window import MainWindow
from migac_desktop.ui.panels import NO_SELECTION
from migac_desktop.ui.table_models import text_sort_key

NATIONAL = Path(__file__).resolve().parents[1] / "samples" / "scenario_national_2014.xlsx"


@pytest.fixture(scope="module")
def national_scenario():
    from migac_desktop.io.workbook import open_scenario
    return open_scenario(NATIONAL).scenario


@pytest.fixture
def window(qtbot, national_scenario, tmp_path, monkeypatch):
    return open_window(qtbot, tmp_path, monkeypatch, national_scenario.copy(), size=(1366, 740))


def combo_items(combo):
    return [combo.itemText(i) for i in range(combo.count())]


def plain(widget):
    return widget.toPlainText().replace("\u00a0", " ").replace("\u202f", " ")


def nbsp(text):
    return text.replace("\u00a0", " ").replace("\u202f", " ")


# -- 13. French order --------------------------------------------------------
def test_french_sort_key():
    assert sort_key("Île-de-France") == "ile-de-france"
    assert sort_key("ÉCOLE") == sort_key("ecole")
    assert sort_key("Œuvre") == "oeuvre"
    assert sort_key(None) == ""
    assert text_sort_key("Île-de-France") == sort_key("Île-de-France")   # one key
    shuffled = list(reversed(REGIONS_2014))
    assert sorted_french(shuffled) == REGIONS_2014
    assert sorted(shuffled, key=str.casefold) != REGIONS_2014             # what it was


def test_regions_in_french_order_in_every_list(window):
    def check(names):
        assert names == REGIONS_2014
        assert names.index("Haute-Normandie") < names.index("Île-de-France") < names.index("Limousin")

    check(combo_items(window.crra_panel.region)[1:])
    comparison = window.comparison_panel
    check(combo_items(comparison.region)[1:])
    smoothing = window.smoothing_panel
    smoothing.level.setCurrentIndex(smoothing.level.findData("region"))
    check(combo_items(smoothing.entity))
    check(window.report_printer().regions())
    # The comparison table's default order, at the national level.
    window.tabs.setCurrentWidget(comparison)
    proxy = comparison.proxy
    check([proxy.data(proxy.index(r, 0)) for r in range(proxy.rowCount())])


# -- 12. one working region --------------------------------------------------
def test_working_region_set_by_the_crra_filter(window, qtbot):
    document = window.document
    assert document.working_region is None
    with qtbot.waitSignal(document.workingRegionChanged) as signal:
        window.crra_panel.set_region("Bretagne")
    assert signal.args == ["Bretagne"]
    assert document.working_region == "Bretagne"
    assert window.report_printer().default_region() == "Bretagne"
    window.crra_panel.set_region(None)
    assert document.working_region is None
    assert window.report_printer().default_region() is None


def test_comparison_and_smoothing_start_on_the_working_region(window):
    window.crra_panel.set_region("Bretagne")
    comparison = window.comparison_panel
    window.tabs.setCurrentWidget(comparison)
    assert comparison.region.currentText() == "Bretagne"
    assert comparison.level.currentData() == "crra"
    regions = {comparison.model.value(r, "region") for r in range(comparison.model.rowCount())}
    assert regions == {"Bretagne"} and comparison.model.rowCount() == 4
    # A region chosen in the comparison itself is kept while the working one stays.
    comparison.region.setCurrentIndex(comparison.region.findData("Alsace"))
    window.tabs.setCurrentWidget(window.crra_panel)
    window.tabs.setCurrentWidget(comparison)
    assert comparison.region.currentText() == "Alsace"

    smoothing = window.smoothing_panel
    assert smoothing.level.currentData() == "national"
    window.tabs.setCurrentWidget(smoothing)
    assert smoothing.level.currentData() == "region"
    assert smoothing.entity.currentData() == "Bretagne"
    path = window.document.results.trajectory("region", "Bretagne")
    assert smoothing.table_model.value(0, "amount") == pytest.approx(path[0])


def test_smoothing_lists_the_working_region_first_and_searches_names(window):
    window.crra_panel.set_region("Bretagne")
    smoothing = window.smoothing_panel
    window.tabs.setCurrentWidget(smoothing)
    smoothing.level.setCurrentIndex(smoothing.level.findData("establishment"))
    est = window.document.results.establishments
    bretagne = set(est.loc[est["region"] == "Bretagne", "finess"])
    keys = [smoothing.entity.itemData(i) for i in range(smoothing.entity.count())]
    assert len(keys) == len(est) and set(keys[:len(bretagne)]) == bretagne
    assert smoothing.entity.currentData() in bretagne
    # By any part of the name, case ignored, or of the FINESS.
    completer = smoothing.entity.completer()
    assert completer.filterMode() == Qt.MatchFlag.MatchContains
    completer.setCompletionPrefix("brest")
    assert completer.completionCount() == 1
    assert "CHU de Brest" in completer.currentCompletion()
    finess = str(est.loc[est["establishment"] == "CHU de Brest", "finess"].iat[0])
    completer.setCompletionPrefix(finess[3:8])
    found = [completer.completionModel().index(r, 0).data()
             for r in range(completer.completionCount())]
    assert any("CHU de Brest" in text for text in found)
    # Choosing a completion shows that hospital.
    smoothing.entity.setCurrentIndex(smoothing.entity.findText(completer.currentCompletion()))
    assert smoothing.entity.currentData() == finess
    assert smoothing.table_model.value(0, "amount") == pytest.approx(
        window.document.results.trajectory("establishment", finess)[0])
    assert smoothing.entity.accessibleName()


# -- 2. each level's summary -------------------------------------------------
def test_comparison_summary_is_the_levels(window):
    comparison = window.comparison_panel
    window.tabs.setCurrentWidget(comparison)
    results = window.document.results
    crra = results.crra[results.crra["region"] == "Bretagne"]
    comparison.level.setCurrentIndex(comparison.level.findData("crra"))
    comparison.region.setCurrentIndex(comparison.region.findData("Bretagne"))
    text = nbsp(comparison.totals.text())
    assert "Région Bretagne" in text and "France entière" not in text
    assert f"historique {nbsp(format_euros(crra['historic'].sum()))}" in text
    assert f"modélisé {nbsp(format_euros(crra['modelled'].sum()))}" in text
    assert f"effet revenu {nbsp(format_signed_euros(crra['revenue_effect'].sum()))}" in text
    winners = int((crra["revenue_effect"] > 0.5).sum())
    losers = int((crra["revenue_effect"] < -0.5).sum())
    assert winners + losers == 4
    assert f"{winners} gagnant(s)" in text and f"{losers} perdant(s)" in text
    assert "4 CRRA" in text
    # Hospitals of the region: the same region's totals.
    comparison.level.setCurrentIndex(comparison.level.findData("establishment"))
    assert f"historique {nbsp(format_euros(crra['historic'].sum()))}" in nbsp(comparison.totals.text())
    # The national level: national totals and the regions' counts.
    comparison.level.setCurrentIndex(comparison.level.findData("region"))
    text = nbsp(comparison.totals.text())
    assert "France entière" in text and "26 région(s)" in text
    assert f"historique {nbsp(format_euros(results.national['historic']))}" in text
    regions = results.regions
    assert f"{int((regions['revenue_effect'] > 0.5).sum())} gagnant(s)" in text


# -- 6. the explanation follows what is shown --------------------------------
def test_explanation_empty_when_the_crra_is_hidden(window):
    panel = window.crra_panel
    view, model = panel.view, panel.model
    row = next(r for r in range(model.rowCount())
               if window.document.scenario.crra["crra_id"].iat[model.position(r)] == "SAMU-029")
    view.setCurrentIndex(model.index(row, 0))
    assert "SAMU-029" in plain(window.explain_panel)
    # A search that keeps it keeps it shown and current.
    panel.search.setText("Finist")
    assert model.rowCount() == 1
    assert "SAMU-029" in plain(window.explain_panel)
    assert view.currentIndex().row() == 0
    # A search that hides it: the hint, not a CRRA the table no longer shows.
    panel.search.setText("Bouches")
    assert "SAMU-029" not in plain(window.explain_panel)
    assert plain(window.explain_panel) == NO_SELECTION
    panel.search.clear()
    assert plain(window.explain_panel) == NO_SELECTION
    # The region filter too; then an empty selection.
    view.setCurrentIndex(model.index(row, 0))
    assert "SAMU-029" in plain(window.explain_panel)
    panel.set_region("Alsace")
    assert plain(window.explain_panel) == NO_SELECTION
    panel.set_region(None)
    view.setCurrentIndex(model.index(row, 0))
    assert "SAMU-029" in plain(window.explain_panel)
    # Ctrl+arrows move the current cell off the selection: the selected CRRA stays.
    other = next(r for r in range(model.rowCount()) if r != row)
    view.selectionModel().setCurrentIndex(model.index(other, 0),
                                          QItemSelectionModel.SelectionFlag.NoUpdate)
    assert "SAMU-029" in plain(window.explain_panel)
    view.selectionModel().select(view.currentIndex(),
                                 QItemSelectionModel.SelectionFlag.Clear)
    view.selectionModel().clearSelection()
    assert not view.selectionModel().hasSelection()
    assert plain(window.explain_panel) == NO_SELECTION


def test_explanation_hidden_when_an_edit_moves_the_crra_out_of_the_filter(window):
    panel = window.crra_panel
    panel.set_region("Bretagne")
    model = panel.model
    view = panel.view
    view.setCurrentIndex(model.index(0, 0))
    shown = window.document.scenario.crra["crra_id"].iat[model.position(0)]
    assert shown in plain(window.explain_panel)
    assert model.setData(model.index(0, model.column_of_key("region")), "Alsace",
                         Qt.ItemDataRole.EditRole)
    assert model.rowCount() == 3                # the table follows its filter
    assert shown not in plain(window.explain_panel)


# -- 14. the steps numbered once ---------------------------------------------
def step_numbers(text):
    return re.findall(r"^\s*(\d+[a-z]*)\.\s", text, flags=re.MULTILINE)


def test_explanation_numbers_each_step_once(qtbot, tmp_path, monkeypatch):
    rows = WORKED_EXAMPLE_ROWS
    envelopes = make_table(schema.ENVELOPES, [dict(region="Bêta", year=2015, amount=9_000_000)])
    for scenario, with_envelope in ((Scenario(crra=make_table(schema.CRRA, rows)), False),
                                    (Scenario(crra=make_table(schema.CRRA, rows), envelopes=envelopes),
                                     True)):
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
        w = MainWindow()
        qtbot.addWidget(w, before_close_func=lambda w: w.document.undo_stack.setClean())
        w.document.load(scenario, None)
        w.crra_panel.view.setCurrentIndex(w.crra_panel.model.index(2, 0))     # SAMU-B1, Bêta
        text = plain(w.explain_panel)
        numbers = step_numbers(text)
        expected = [str(n) for n in range(1, 10)]
        for n in expected + ["9a", "9b", "9c"]:
            assert numbers.count(n) == 1, (n, numbers)
        assert numbers.index("9") < numbers.index("9a") < numbers.index("9b") < numbers.index("9c")
        for year in (2014, 2015, 2016):
            assert text.count(f"Dotation {year}") == 1 + (with_envelope and year == 2015)
        results = w.document.results
        if with_envelope:
            assert numbers.count("10") == 1 and numbers.count("10a") == 1
            assert nbsp(format_euros(results.crra_arrays["alloc_2015"][2])) in text
            linear = 5_000_000 + 0.6 * results.crra_arrays["revenue_effect"][2]
            assert nbsp(format_euros(linear)) in text
        else:
            assert "10" not in numbers
        assert len(numbers) == len(set(numbers))


# -- 16. scatter labels and the comparison at 1366 px ------------------------
def test_scatter_labelled_by_departement_without_overlaps(national_scenario):
    from migac_desktop.core.model import compute
    results = compute(national_scenario)
    labels = {"Finistère", "Ille-et-Vilaine", "Morbihan", "Côtes-d'Armor"}
    for region, count, selected in ((None, 10, "SAMU-029"), ("Bretagne", 5, None),
                                    ("Île-de-France", 8, "SAMU-075")):
        fig = Figure(figsize=(5.6, 5), dpi=100)
        charts.draw_scatter(fig, results, highlight_region=region, annotate=count, selected=selected)
        fig.draw_without_rendering()
        ax, = fig.axes
        named = [t for t in ax.texts if (t.get_gid() or "").startswith("label:")]
        assert named
        texts = [t.get_text() for t in named]
        assert not any(t.startswith("SAMU") for t in texts), texts
        inside = ax.get_window_extent()
        boxes = [Text.get_window_extent(t) for t in named]     # the text, not its arrow
        for i, box in enumerate(boxes):
            assert inside.x0 - 1 <= box.x0 and box.x1 <= inside.x1 + 1, texts[i]
            for other in boxes[i + 1:]:
                assert not box.overlaps(other), texts
        if region == "Bretagne":
            assert set(texts) == labels
        if selected is not None:
            mine = [t for t in named if t.get_gid() == f"label:{selected}"]
            assert mine and mine[0].get_fontweight() == "bold"
    assert charts.crra_short_names(["SAMU 29 – Finistère", "", "SAMU 2A – Corse", "SAMU 2B – Corse"],
                                   ["SAMU-029", "X", "SAMU-2A", "SAMU-2B"]) == \
        ["Finistère", "X", "Corse (SAMU-2A)", "Corse (SAMU-2B)"]


def test_comparison_shows_revenue_effect_uncut_at_1366(window, qtbot):
    comparison = window.comparison_panel
    window.tabs.setCurrentWidget(comparison)
    assert window.width() == 1366

    def fits():
        header = comparison.table.horizontalHeader()
        keys = [c.key for c in comparison.model.columns]
        viewport = comparison.table.viewport().width()
        for key in ("revenue_effect", "revenue_effect_pct"):
            c = keys.index(key)
            if header.sectionViewportPosition(c) + header.sectionSize(c) > viewport:
                return False
            text = comparison.model.headerData(c, Qt.Orientation.Horizontal)
            if header.sectionSize(c) < comparison.table.fontMetrics().horizontalAdvance(text):
                return False
        return True
    qtbot.waitUntil(fits, timeout=3000)
    window.crra_panel.set_region("Bretagne")
    window.tabs.setCurrentWidget(window.crra_panel)
    window.tabs.setCurrentWidget(comparison)
    assert comparison.level.currentData() == "crra"
    qtbot.waitUntil(fits, timeout=3000)
    assert comparison.chart.width() >= 400
    assert np.isfinite(comparison.splitter.sizes()).all()
