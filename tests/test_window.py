"""The window, offscreen: edit, recompute, undo, paste, refuse, compare, explain."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from migac_desktop.core.model import compute
from migac_desktop.core.numbers import format_euros
from migac_desktop.ui.table_models import SORT_ROLE

EDIT = Qt.ItemDataRole.EditRole


def column(model, key):
    c = model.column_of_key(key)
    assert c >= 0, key
    return c


def shown(model, key):
    c = column(model, key)
    return [model.data(model.index(r, c)) for r in range(model.rowCount())]


def test_object_names(window):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QWidget
    for name in ("crraTable", "parametersForm", "referentielTable", "lissageTable",
                 "comparisonTable", "problemsPanel", "comparisonChart", "smoothingChart"):
        assert window.findChild(QWidget, name) is not None, name
    for name in ("actionNew", "actionOpen", "actionSave", "actionSaveAs", "actionUndo",
                 "actionRedo", "actionQuit"):
        assert window.findChild(QAction, name) is not None, name
    assert window.objectName() == "MainWindow"


def test_headers_are_workbook_names(window):
    model = window.crra_panel.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:11] == ["Identifiant", "Libellé", "Région", "Département", "FINESS", "Établissement",
                            "DRM", "Coefficient géographique", "Dotation historique",
                            "ETP ARM retenus", "ETP MR retenus"]
    for name in ("Montant modélisé", "Effet revenu", "Effet revenu (%)", "Dotation 2014",
                 "Dotation 2016", "Tranche"):
        assert name in headers


def test_edit_drm_recomputes_every_dependent_figure(window, example):
    model = window.crra_panel.model
    assert shown(model, "modelled")[0] == format_euros(1_514_362.78)
    assert model.setData(model.index(0, column(model, "drm")), "60 000", EDIT)
    expected = example.copy()
    expected.crra.loc[0, "drm"] = 60000.0
    results = compute(expected)
    for key in ("tranche", "modelled", "revenue_effect", "alloc_2014", "alloc_2015", "alloc_2016"):
        values = [model.data(model.index(r, column(model, key)), SORT_ROLE) for r in range(4)]
        assert values == pytest.approx(list(results.crra[key])) if key != "tranche" \
            else values == list(results.crra[key])
    assert shown(model, "tranche")[0] == "T2"
    # The other views follow: comparison (when shown), status bar.
    window.tabs.setCurrentWidget(window.comparison_panel)
    comparison = window.comparison_panel.model
    alpha = [r for r in range(comparison.rowCount()) if comparison.value(r, "region") == "Alpha"][0]
    assert comparison.value(alpha, "modelled") == pytest.approx(
        results.regions.set_index("region").loc["Alpha", "modelled"])
    assert format_euros(results.national["modelled"]) in window.totals.text()


def test_undo_redo_and_modified_flag(window):
    model = window.crra_panel.model
    drm = column(model, "drm")
    assert not window.isWindowModified()
    model.setData(model.index(1, drm), "120000", EDIT)
    assert window.isWindowModified()
    assert window.actionUndo.text() == "Annuler : modifier DRM de SAMU-A2"
    window.actionUndo.trigger()
    assert not window.isWindowModified()
    assert shown(model, "modelled")[1] == format_euros(2_874_983.14)
    window.actionRedo.trigger()
    assert model.data(model.index(1, drm), SORT_ROLE) == 120000
    # A number is accepted as well as French text.
    assert model.setData(model.index(2, drm), 250000, EDIT)
    assert model.data(model.index(2, drm)) == "250\u00a0000"
    window.actionUndo.trigger()
    # Undo, then a new edit, then redo has nothing to redo.
    window.actionUndo.trigger()
    model.setData(model.index(0, drm), "1000", EDIT)
    assert not window.actionRedo.isEnabled()
    assert model.data(model.index(1, drm), SORT_ROLE) == 100000


def test_invalid_value_refused_data_unchanged(window, qtbot):
    model = window.crra_panel.model
    drm = column(model, "drm")
    with qtbot.waitSignal(model.rejected) as blocker:
        assert not model.setData(model.index(0, drm), "-12", EDIT)
    assert "négative" in blocker.args[0]
    assert not model.setData(model.index(0, column(model, "geo_coef")), "abc", EDIT)
    assert model.data(model.index(0, drm), SORT_ROLE) == 45000
    assert window.document.undo_stack.count() == 0
    # The window shows the reason.
    assert "Coefficient géographique" in window.statusBar().currentMessage()


def test_paste_block_is_one_undoable_edit(window):
    view = window.crra_panel.view
    model = window.crra_panel.model
    view.setCurrentIndex(model.index(0, column(model, "drm")))
    assert view.paste_text("50 000\t0,07\n110000\t7 %\n")
    assert window.document.undo_stack.count() == 1
    assert window.actionUndo.text() == "Annuler : coller 4 cellules"
    assert [model.data(model.index(r, column(model, "drm")), SORT_ROLE) for r in range(2)] == [50000, 110000]
    assert model.data(model.index(1, column(model, "geo_coef")), SORT_ROLE) == pytest.approx(0.07)
    window.actionUndo.trigger()
    assert [model.data(model.index(r, column(model, "drm")), SORT_ROLE) for r in range(2)] == [45000, 100000]


def test_paste_refused_whole_when_one_cell_is_invalid(window):
    view = window.crra_panel.view
    model = window.crra_panel.model
    view.setCurrentIndex(model.index(0, column(model, "drm")))
    assert not view.paste_text("50000\nbeaucoup\n")
    assert window.document.undo_stack.count() == 0
    assert "SAMU-A2" in window.statusBar().currentMessage()


def test_copy_gives_tab_separated_french_decimals(window):
    view = window.crra_panel.view
    model = window.crra_panel.model
    from PySide6.QtCore import QItemSelection, QItemSelectionModel
    selection = QItemSelection(model.index(2, column(model, "drm")), model.index(3, column(model, "geo_coef")))
    view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    text = view.copy_selection()
    assert text == "260000\t7 %\n150000\t7 %"
    assert QApplication.clipboard().text().startswith("260000\t7 %")


def test_fill_down(window):
    view = window.crra_panel.view
    model = window.crra_panel.model
    geo = column(model, "geo_coef")
    from PySide6.QtCore import QItemSelection, QItemSelectionModel
    view.selectionModel().select(QItemSelection(model.index(1, geo), model.index(3, geo)),
                                 QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert view.fill_down()
    assert [model.data(model.index(r, geo), SORT_ROLE) for r in range(4)] == [0, 0, 0, 0]
    assert window.actionUndo.text() == "Annuler : recopier vers le bas"


def test_add_remove_crra_undoable(window):
    panel = window.crra_panel
    panel.add_crra()
    assert len(window.document.scenario.crra) == 5
    assert window.document.errors == []          # drm 0 and historic 0 are warnings
    assert any("aucun DRM" in p.message for p in window.document.problems)
    window.actionUndo.trigger()
    assert len(window.document.scenario.crra) == 4
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    panel.view.selectionModel().select(panel.model.index(0, 0),
                                       panel.view.selectionModel().SelectionFlag.ClearAndSelect)
    panel.remove_selected()
    assert list(window.document.scenario.crra["crra_id"]) == ["SAMU-A2", "SAMU-B1", "SAMU-B2"]
    assert window.actionUndo.text() == "Annuler : supprimer le CRRA SAMU-A1"


def test_filter_search_sort(window):
    panel = window.crra_panel
    panel.set_region("Bêta")
    assert panel.model.rowCount() == 2
    panel.set_region(None)
    panel.search.setText("a2")
    assert shown(panel.model, "crra_id") == ["SAMU-A2"]
    panel.search.clear()
    panel.model.sort(column(panel.model, "revenue_effect"), Qt.SortOrder.AscendingOrder)
    assert shown(panel.model, "crra_id") == ["SAMU-A2", "SAMU-A1", "SAMU-B1", "SAMU-B2"]
    # An edit through the sorted view lands on the right CRRA.
    panel.model.setData(panel.model.index(0, column(panel.model, "drm")), "100001", EDIT)
    assert window.document.scenario.crra.loc[1, "drm"] == 100001


def test_duplicate_identifier_listed_and_clicking_selects_cell(window):
    model = window.crra_panel.model
    model.setData(model.index(1, column(model, "crra_id")), "SAMU-A1", EDIT)
    assert window.document.results is None
    panel = window.problems_panel
    items = [panel.item(i) for i in range(panel.count())]
    dup = [i for i in items if "SAMU-A1" in i.text() and "identifiant" in i.text()]
    assert dup
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is not None
    panel._activated(dup[0])
    current = window.crra_panel.view.currentIndex()
    assert (current.row(), current.column()) == (1, 0)
    assert "Résultats indisponibles" in window.comparison_panel.totals.text() \
        or "erreur" in window.totals.text()


def test_parameter_form_edit_and_undo(window):
    form = window.parameters_panel.form
    editor = form.editors["cout_etp_arm"]
    editor.setText("50 000")
    editor.editingFinished.emit()
    assert window.document.scenario.parameters.cout_etp_arm == 50000
    assert window.actionUndo.text() == "Annuler : modifier « Coût annuel d'un ETP d'ARM »"
    window.actionUndo.trigger()
    assert editor.text() == "45\u00a0000"
    editor.setText("-3")
    editor.editingFinished.emit()
    assert window.document.scenario.parameters.cout_etp_arm == 45000
    assert "négative" in window.statusBar().currentMessage()
    # The target envelope is enabled only for « Montant cible ».
    assert not form.editors["enveloppe_cible"].isEnabled()
    form.editors["calage"].setCurrentText("Montant cible")
    assert form.editors["enveloppe_cible"].isEnabled()


def test_bands_and_smoothing_tables_edit(window):
    bands = window.parameters_panel.bands
    bands.model.setData(bands.model.index(0, column(bands.model, "etp_arm")), "13", EDIT)
    crra = window.crra_panel.model
    assert crra.data(crra.index(0, column(crra, "etp_arm")), SORT_ROLE) == 13
    smoothing = window.parameters_panel.smoothing
    smoothing.add_row()
    assert "Dotation 2017" in [crra.headerData(c, Qt.Orientation.Horizontal)
                               for c in range(crra.columnCount())]
    window.actionUndo.trigger()
    assert "Dotation 2017" not in [crra.headerData(c, Qt.Orientation.Horizontal)
                                   for c in range(crra.columnCount())]
    share = column(smoothing.model, "share")
    smoothing.model.setData(smoothing.model.index(0, share), "40 %", EDIT)
    assert window.document.scenario.smoothing["share"].iat[0] == pytest.approx(0.4)


def test_comparison_levels_and_region_filter(window):
    panel = window.comparison_panel
    assert panel.model.rowCount() == 2
    assert {panel.model.value(r, "status") for r in range(2)} == {"▲ Gagnant", "▼ Perdant"}
    index = panel.proxy.index(
        [r for r in range(2) if panel.proxy.data(panel.proxy.index(r, 0)) == "Bêta"][0], 0)
    panel.table.setCurrentIndex(index)
    assert window.crra_panel.model.rowCount() == 2
    assert window.crra_panel.region.currentText() == "Bêta"
    panel.level.setCurrentIndex(panel.level.findData("establishment"))
    assert panel.model.rowCount() == 3
    panel.level.setCurrentIndex(panel.level.findData("crra"))
    assert panel.model.rowCount() == 4


def test_explain_panel_shows_the_chain(window):
    view = window.crra_panel.view
    view.setCurrentIndex(window.crra_panel.model.index(2, 0))
    text = window.explain_panel.toPlainText().replace("\u00a0", " ")
    for fragment in ("SAMU-B1", "T5", "retenu par l'ARS", "4\u00a0600\u00a0000\u00a0€",
                     "4\u00a0922\u00a0000\u00a0€", "1,024949427", "5\u00a0044\u00a0801\u00a0€",
                     "Dotation 2014", "5\u00a0008\u00a0960\u00a0€"):
        assert fragment.replace("\u00a0", " ") in text, fragment


def test_smoothing_table_values(window):
    panel = window.smoothing_panel
    panel.show_entity("region", "Alpha")
    model = panel.table_model
    assert [model.value(r, "year") for r in range(4)] == [2013, 2014, 2015, 2016]
    assert model.value(1, "amount") == pytest.approx(5_037_869.18, abs=0.01)
    assert model.value(3, "gap") == pytest.approx(0, abs=1e-6)


def test_table_models_pass_modeltester(window, qtmodeltester):
    qtmodeltester.check(window.crra_panel.model)
    for editor in (window.parameters_panel.bands, window.parameters_panel.smoothing,
                   window.parameters_panel.envelopes):
        qtmodeltester.check(editor.model)
    qtmodeltester.check(window.comparison_panel.model)
    window.smoothing_panel.show_entity("region", "Alpha")
    qtmodeltester.check(window.smoothing_panel.table_model)


def answer_with(monkeypatch, label):
    """Answer the next message boxes with the button labelled ``label``."""
    seen = []

    def fake_exec(box):
        seen.append(box)
        box._chosen = next(b for b in box.buttons() if b.text() == label)
        return 0
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "clickedButton", lambda box: box._chosen)
    return seen


def test_unsaved_changes_prompt(window, monkeypatch):
    model = window.crra_panel.model
    model.setData(model.index(0, column(model, "drm")), "1000", EDIT)
    seen = answer_with(monkeypatch, "Annuler")
    window.close()
    assert window.isVisible()
    assert "a été modifié" in seen[0].text()
    assert sorted(b.text() for b in seen[0].buttons()) == ["Annuler", "Enregistrer", "Ne pas enregistrer"]
    answer_with(monkeypatch, "Ne pas enregistrer")
    window.new_scenario()
    assert len(window.document.scenario.crra) == 0
    assert not window.isWindowModified()


def test_editor_checks_as_you_type(window, qtbot):
    view = window.crra_panel.view
    model = window.crra_panel.model
    index = model.index(0, column(model, "drm"))
    view.setCurrentIndex(index)
    view.edit(index)
    from PySide6.QtWidgets import QLineEdit
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None
    qtbot.keyClicks(editor, "-5")
    assert "négative" in editor.toolTip()
    assert "négative" in window.statusBar().currentMessage()
    editor.clear()
    qtbot.keyClicks(editor, "1 234,5")
    assert editor.toolTip() == ""
    qtbot.keyClick(editor, Qt.Key.Key_Return)    # the delegate commits on the next loop turn
    qtbot.waitUntil(lambda: window.document.scenario.crra["drm"].iat[0] == 1234.5)
    assert window.actionUndo.text() == "Annuler : modifier DRM de SAMU-A1"


def test_drop_xlsx_opens_it(window, qtbot):
    from pathlib import Path

    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent
    sample = Path(__file__).resolve().parent.parent / "samples" / "exemple_modele.xlsx"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sample))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.document.path is not None and window.document.path.name == sample.name)
    assert len(window.document.scenario.crra) == 4


def test_charts_drawn_and_follow_edits(window, qtbot):
    window.tabs.setCurrentWidget(window.comparison_panel)
    chart = window.comparison_panel.chart

    def bar_values():
        if chart.figure is None or not chart.figure.axes:
            return []
        return sorted(round(p.get_width()) for ax in chart.figure.axes for p in ax.patches
                      if p.get_width() > 1000)
    qtbot.waitUntil(lambda: 4_389_346 in bar_values(), timeout=5000)
    model = window.crra_panel.model
    model.setData(model.index(0, column(model, "drm")), "60000", EDIT)
    alpha = window.document.results.regions.set_index("region").loc["Alpha", "modelled"]
    qtbot.waitUntil(lambda: round(alpha) in bar_values(), timeout=5000)
    # The smoothing chart draws the region's trajectory, historic year first.
    window.tabs.setCurrentWidget(window.smoothing_panel)
    window.smoothing_panel.show_entity("region", "Alpha")
    smoothing = window.smoothing_panel.chart
    path = window.document.results.trajectory("region", "Alpha")

    def line_matches():
        if smoothing.figure is None:
            return False
        for ax in smoothing.figure.axes:
            for line in ax.get_lines():
                x, y = list(line.get_xdata()), list(line.get_ydata())
                if x == [2013, 2014, 2015, 2016] and [round(v) for v in y] == [round(v) for v in path]:
                    return True
        return False
    qtbot.waitUntil(line_matches, timeout=5000)
