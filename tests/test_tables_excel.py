"""The tables as an Excel user expects them (issue 11: items 3, 4, 5, 9, 10, 11, 16)."""

import csv
import math

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from migac_desktop.core.numbers import NBSP
from migac_desktop.ui.main_window import MainWindow
from migac_desktop.ui.table_actions import (
    build_context_menu,
    build_header_menu,
    clipboard_text,
    decimal_point_hint,
    export_view,
    parse_clipboard,
    selection_summary,
)
from migac_desktop.ui.table_models import SORT_ROLE
from migac_desktop.ui.views import ReadOnlyTableView, ScenarioTableView

SELECT = QItemSelectionModel.SelectionFlag


def isolated_settings(tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))


def new_window(qtbot, scenario):
    w = MainWindow()
    qtbot.addWidget(w, before_close_func=lambda w: w.document.undo_stack.setClean())
    w.document.load(scenario, None)
    w.show()
    return w


@pytest.fixture
def window(qtbot, example, tmp_path, monkeypatch):
    isolated_settings(tmp_path, monkeypatch)
    return new_window(qtbot, example)


def col(model, key):
    c = model.column_of_key(key)
    assert c >= 0, key
    return c


def select(view, top, left, bottom, right, flag=SELECT.ClearAndSelect):
    model = view.model()
    view.selectionModel().select(QItemSelection(model.index(top, left), model.index(bottom, right)), flag)


def status(window):
    return window.statusBar().currentMessage()


def open_editor(view):
    """The cell editor open now (a closed one lingers until deleted later)."""
    editors = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    return editors[0]


def action(menu, text):
    found = [a for a in menu.actions() if a.text() == text]
    assert found, (text, [a.text() for a in menu.actions()])
    return found[0]


# -- item 5: the clipboard as Excel writes it ------------------------------------------------
def test_clipboard_parsed_with_excel_quoting():
    assert parse_clipboard('"CH de\nMelun"\tSAMU 77\r\n') == [["CH de\nMelun", "SAMU 77"]]
    assert parse_clipboard('a\tb\r\nc\td\r\n') == [["a", "b"], ["c", "d"]]
    assert parse_clipboard('"dit ""le grand"""\n') == [['dit "le grand"']]
    assert parse_clipboard("1\n\n3\n") == [["1"], [""], ["3"]]     # an empty cell in the middle
    assert parse_clipboard("") == []
    # Written back the same way: Excel reads one cell with a line break.
    text = clipboard_text([["CH de\nMelun", "12"]])
    assert text == '"CH de\nMelun"\t12\n'
    assert parse_clipboard(text) == [["CH de\nMelun", "12"]]


def test_pasting_a_cell_with_a_line_break_fills_one_cell(window):
    view, model = window.crra_panel.view, window.crra_panel.model
    estab = col(model, "establishment")
    view.setCurrentIndex(model.index(0, estab))
    QGuiApplication.clipboard().setText('"CH de\nMelun"\r\n')
    assert view.paste()
    crra = window.document.scenario.crra
    assert crra["establishment"].iat[0] == "CH de\nMelun"
    assert crra["establishment"].iat[1] == "CH A2"          # no second row pasted
    assert list(crra["crra_id"]) == ["SAMU-A1", "SAMU-A2", "SAMU-B1", "SAMU-B2"]
    # And copied back quoted, as Excel expects.
    select(view, 0, estab, 0, estab)
    assert view.copy() == '"CH de\nMelun"'


# -- item 4: a paste says what it pasted and what it could not --------------------------------
def test_paste_past_the_last_row_says_what_was_dropped(window):
    view, model = window.crra_panel.view, window.crra_panel.model
    drm = col(model, "drm")
    view.setCurrentIndex(model.index(2, drm))
    assert view.paste_text("1000\n2000\n3000\n")
    assert list(window.document.scenario.crra["drm"]) == [45000, 100000, 1000, 2000]
    assert "2 lignes collées sur 3 : la table s'arrête à la ligne 4" in status(window)
    assert window.document.undo_stack.count() == 1


def test_paste_counts_pasted_cells_not_changed_ones(window):
    view, model = window.crra_panel.view, window.crra_panel.model
    view.setCurrentIndex(model.index(0, col(model, "drm")))
    # Six cells, only the two historic amounts change.
    assert view.paste_text("45000\t0\t2000000\n100000\t0\t3000000\n")
    assert status(window).startswith("6 cellules collées (2 modifiées")
    assert window.actionUndo.text() == "Annuler : coller 6 cellules"


def test_paste_past_the_last_column_and_into_results_is_said(window):
    view, model = window.crra_panel.view, window.crra_panel.model
    header = view.horizontalHeader()
    last = view.visible_columns()[-1]
    view.setCurrentIndex(model.index(0, view.visible_columns()[-2]))
    assert view.paste_text("1\t2\t3\n")
    message = status(window)
    assert "2 colonnes collées sur 3" in message
    assert f"« {model.headerData(last, Qt.Orientation.Horizontal)} »" in message
    assert "calculée" in message                       # the last columns are results
    assert header.count() == model.columnCount()


def test_paste_follows_the_columns_shown(window):
    view, model = window.crra_panel.view, window.crra_panel.model
    view.set_column_shown(col(model, "geo_coef"), False)
    view.setCurrentIndex(model.index(0, col(model, "drm")))
    assert view.paste_text("50000\t2 000 000\n")
    crra = window.document.scenario.crra
    assert (crra["drm"].iat[0], crra["geo_coef"].iat[0], crra["historic"].iat[0]) == (50000, 0, 2_000_000)


# -- item 9: Enter, Tab, the right-click menu, cut, zoom, export ------------------------------
def test_enter_commits_and_moves_down_tab_moves_right(window, qtbot):
    view, model = window.crra_panel.view, window.crra_panel.model
    drm = col(model, "drm")
    view.setFocus()
    view.setCurrentIndex(model.index(0, drm))
    qtbot.keyClick(view, Qt.Key.Key_6)                    # typing opens the editor
    editor = open_editor(view)
    qtbot.keyClicks(editor, "0000")
    assert editor.text() == "60000"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.document.scenario.crra["drm"].iat[0] == 60000)
    qtbot.waitUntil(lambda: view.currentIndex().row() == 1)
    assert view.currentIndex().column() == drm
    assert view.state() != view.State.EditingState
    # Tab commits and moves right, without opening the next cell.
    qtbot.keyClick(view, Qt.Key.Key_7)
    editor = open_editor(view)
    qtbot.keyClicks(editor, "0000")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: window.document.scenario.crra["drm"].iat[1] == 70000)
    qtbot.waitUntil(lambda: view.currentIndex().column() != drm)
    header = view.horizontalHeader()
    assert header.visualIndex(view.currentIndex().column()) == header.visualIndex(drm) + 1
    assert view.currentIndex().row() == 1
    assert view.state() != view.State.EditingState
    # Enter outside an editor moves down too.
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert view.currentIndex().row() == 2


def test_refused_value_on_enter_stays_on_its_cell(window, qtbot):
    view, model = window.crra_panel.view, window.crra_panel.model
    drm = col(model, "drm")
    view.setFocus()
    view.setCurrentIndex(model.index(0, drm))
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    editor = open_editor(view)
    qtbot.keyClicks(editor, "5")
    assert editor.property("refused")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.state() != view.State.EditingState)
    assert view.currentIndex().row() == 0
    assert window.document.scenario.crra["drm"].iat[0] == 45000


def test_context_menu_of_the_crra_table(window):
    view, model = window.crra_panel.view, window.crra_panel.model
    geo = col(model, "geo_coef")
    select(view, 1, geo, 3, geo)
    menu = build_context_menu(view)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Copier", "Couper", "Coller", "Recopier vers le bas", "Ajouter un CRRA",
                     "Supprimer les CRRA sélectionnés", "Valeur cible…", "Exporter le tableau…",
                     "Imprimer la sélection…", "Sélection en PDF…"]
    action(menu, "Recopier vers le bas").trigger()
    assert list(window.document.scenario.crra["geo_coef"]) == [0, 0, 0, 0]
    action(menu, "Copier").trigger()
    assert QApplication.clipboard().text() == "0 %\n0 %\n0 %\n"
    select(view, 0, 0, 0, 0)
    action(build_context_menu(view), "Supprimer les CRRA sélectionnés").trigger()
    assert list(window.document.scenario.crra["crra_id"]) == ["SAMU-A2", "SAMU-B1", "SAMU-B2"]
    action(build_context_menu(view), "Ajouter un CRRA").trigger()
    assert len(window.document.scenario.crra) == 4


def test_context_menu_of_parameter_and_result_tables(window):
    bands = window.parameters_panel.bands.view
    bands.setCurrentIndex(bands.model().index(0, 0))
    texts = [a.text() for a in build_context_menu(bands).actions() if not a.isSeparator()]
    assert texts[:4] == ["Copier", "Couper", "Coller", "Recopier vers le bas"]
    assert "Exporter le tableau…" in texts
    assert texts[4:6] == ["Ajouter une tranche", "Supprimer la sélection"]
    action(build_context_menu(bands), "Ajouter une tranche").trigger()
    assert len(window.document.scenario.bands) == 8
    table = window.comparison_panel.table
    assert isinstance(table, ReadOnlyTableView)
    texts = [a.text() for a in build_context_menu(table).actions() if not a.isSeparator()]
    assert texts == ["Copier", "Exporter le tableau…", "Imprimer la sélection…", "Sélection en PDF…"]


def test_cut_is_copy_and_one_undoable_clear(window):
    view, model = window.crra_panel.view, window.crra_panel.model
    label, modelled = col(model, "label"), col(model, "modelled")
    select(view, 0, label, 1, label)
    select(view, 0, modelled, 1, modelled, SELECT.Select)
    view.cut()
    assert QApplication.clipboard().text().startswith("SAMU A1\t1514362,78\n")
    assert list(window.document.scenario.crra["label"][:2]) == ["", ""]
    assert window.actionUndo.text() == "Annuler : couper 2 cellules"
    window.actionUndo.trigger()
    assert list(window.document.scenario.crra["label"][:2]) == ["SAMU A1", "SAMU A2"]
    # A result table copies on cut and clears nothing.
    table = window.comparison_panel.table
    select(table, 0, 0, 0, table.model().columnCount() - 1)
    assert table.cut()
    assert "lecture seule" in status(window)
    assert table.model().rowCount() == 2
    assert not table.paste()


def test_zoom_with_keys_and_wheel(window, qtbot):
    view = window.crra_panel.view
    size = view.font().pointSizeF()
    width = view.columnWidth(1)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 110
    assert view.font().pointSizeF() == pytest.approx(size * 1.1)
    assert view.frozen.font().pointSizeF() == pytest.approx(size * 1.1)
    assert view.columnWidth(1) == round(width * 1.1)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 90
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom == 100
    assert view.font().pointSizeF() == pytest.approx(size)
    wheel = QWheelEvent(QPointF(20, 20), QPointF(view.mapToGlobal(QPoint(20, 20))), QPoint(0, 0),
                        QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom == 110
    assert "110 %" in status(window)
    table = window.comparison_panel.table
    window.tabs.setCurrentWidget(window.comparison_panel)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert table.zoom == 110


def test_export_the_table_as_shown_to_csv_and_xlsx(window, tmp_path):
    panel = window.crra_panel
    view, model = panel.view, panel.model
    panel.set_region("Bêta")
    model.sort(col(model, "drm"), Qt.SortOrder.AscendingOrder)
    view.set_column_shown(col(model, "finess"), False)
    export_view(view, tmp_path / "crra.csv")
    with open(tmp_path / "crra.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[:5] == ["Identifiant", "Libellé", "DRM", "Coefficient géographique",
                          "Dotation historique"]
    assert "FINESS" not in header
    assert [r[0] for r in rows[1:]] == ["SAMU-B2", "SAMU-B1"]        # filtered, sorted
    assert rows[1][2] == "150000" and rows[1][3] == "0.07"
    results = window.document.results.crra.set_index("crra_id")
    assert float(rows[1][header.index("Montant modélisé")]) == pytest.approx(
        results.loc["SAMU-B2", "modelled"])
    assert not list(tmp_path.glob(".*tmp"))

    from openpyxl import load_workbook
    export_view(view, tmp_path / "crra.xlsx")
    ws = load_workbook(tmp_path / "crra.xlsx").active
    assert [c.value for c in ws[1]][:3] == ["Identifiant", "Libellé", "DRM"]
    assert ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}3"
    assert ws["C2"].value == 150000 and isinstance(ws["C2"].value, (int, float))
    assert ws["D2"].number_format == "0.0%"
    assert ws["E2"].number_format == '#,##0 "€"'
    assert ws.column_dimensions["B"].width > 8


def test_export_dialog_and_refusal_in_french(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox
    table = window.comparison_panel.table
    target = tmp_path / "comparaison"
    offered = []

    def save_name(_parent, title, start, filters):
        offered.append((title, start, filters))
        return str(target), "Fichier CSV (*.csv)"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    assert table.export_dialog()
    assert (tmp_path / "comparaison.csv").read_text(encoding="utf-8").startswith("Région,")
    assert "comparaison.csv" in status(window)
    title, start, filters = offered[0]
    assert title == "Exporter le tableau" and start.endswith("comparaison.xlsx")
    assert filters == "Classeur Excel (*.xlsx);;Fichier CSV (*.csv)"
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "absent" / "x.xlsx"), ""))
    assert not table.export_dialog()
    assert "Impossible d'exporter « x.xlsx »" in warned[0] and "introuvable" in warned[0]


# -- item 11: every table copies ---------------------------------------------------------------
def test_comparison_and_smoothing_tables_copy_several_rows_as_numbers(window):
    panel = window.comparison_panel
    panel.level.setCurrentIndex(panel.level.findData("crra"))
    table = panel.table
    select(table, 0, 0, 2, 0, SELECT.ClearAndSelect | SELECT.Rows)   # rows, as a click selects
    text = table.copy()
    lines = text.split("\n")
    assert len(lines) == 3
    assert "€" not in text and NBSP not in text and "\u202f" not in text
    cells = lines[0].split("\t")
    assert len(cells) == table.model().columnCount()
    historic = table.model().data(table.model().index(0, 4), SORT_ROLE)
    assert float(cells[4].replace(",", ".")) == pytest.approx(historic, abs=0.01)
    smoothing = window.smoothing_panel
    smoothing.show_entity("region", "Alpha")
    select(smoothing.table, 0, 0, 3, 0, SELECT.ClearAndSelect | SELECT.Rows)
    text = smoothing.table.copy()
    assert text.split("\n")[0].startswith("2013\t\t")
    assert len(text.split("\n")) == 4 and "€" not in text


# -- item 10: the selection's sum in the status bar ----------------------------------------
def test_status_bar_sums_the_selected_numbers(window):
    view, model = window.crra_panel.view, window.crra_panel.model
    label = window.findChild(QLabel, "selectionSummary")
    assert label is not None and label.accessibleName()
    drm = col(model, "drm")
    select(view, 0, drm, 2, drm)
    assert label.text() == (f"Somme : 405{NBSP}000 · Moyenne : 135{NBSP}000 · Nombre : 3")
    historic = col(model, "historic")
    select(view, 0, historic, 3, historic)
    assert label.text() == (f"Somme : 13{NBSP}300{NBSP}000{NBSP}€ · Moyenne : "
                            f"3{NBSP}325{NBSP}000{NBSP}€ · Nombre : 4")
    geo = col(model, "geo_coef")
    select(view, 1, geo, 3, geo)
    assert label.text() == f"Moyenne : 4,7{NBSP}% · Nombre : 3"        # no sum of percentages
    select(view, 0, drm, 1, historic)
    assert "unités différentes" in label.text() and "Somme" not in label.text()
    select(view, 0, 0, 3, 0)                                             # text only
    assert label.text() == ""
    # Filtered on a region: that region's totals, said so.
    window.crra_panel.set_region("Bêta")
    select(view, 0, drm, 1, drm)
    assert label.text() == f"Bêta : Somme : 410{NBSP}000 · Moyenne : 205{NBSP}000 · Nombre : 2"
    # Two separate blocks (Ctrl+click) are added once each.
    window.crra_panel.set_region(None)
    select(view, 0, drm, 0, drm)
    select(view, 3, drm, 3, drm, SELECT.Select)
    select(view, 3, drm, 3, drm, SELECT.Select)
    assert label.text().startswith(f"Somme : 195{NBSP}000")


def test_status_bar_sums_a_result_table(window):
    table = window.comparison_panel.table
    label = window.findChild(QLabel, "selectionSummary")
    window.tabs.setCurrentWidget(window.comparison_panel)
    modelled = [c.key for c in table.model().sourceModel().columns].index("modelled")
    select(table, 0, modelled, 1, modelled, SELECT.ClearAndSelect)
    regions = window.document.results.regions
    assert label.text().startswith("Somme : ")
    assert label.text().split(" · ")[0] == "Somme : " + \
        f"{round(regions['modelled'].sum()):,}".replace(",", NBSP) + f"{NBSP}€"


def test_selection_summary_formats():
    assert selection_summary({"drm": [[1.0]]}) == ""               # one number: nothing
    assert selection_summary({"etp": [[1.5, 2.25]]}) == "Somme : 3,75 · Moyenne : 1,88 · Nombre : 2"
    assert selection_summary({"year": [[2014, 2015]]}) == "Nombre : 2"
    assert selection_summary({"euros": [[1.0, math.nan, 2.0]]}, "Corse").startswith("Corse : Somme : 3")


# -- item 16: the figures first at 1366×768, the column chooser, remembered ----------------
def test_crra_table_opens_on_the_figures(window):
    view, model = window.crra_panel.view, window.crra_panel.model
    header = view.horizontalHeader()
    first = [model.columns[header.logicalIndex(v)].key for v in range(8)]
    assert first == ["crra_id", "label", "drm", "geo_coef", "historic", "modelled",
                     "revenue_effect", "revenue_effect_pct"]
    # Model columns are unchanged: other code uses column_of_key.
    assert [c.key for c in model.columns[:3]] == ["crra_id", "label", "region"]
    window.resize(1366, 768)
    window.crra_panel.splitter.setSizes([900, 360])
    QApplication.processEvents()
    for key in ("crra_id", "label", "drm", "historic", "modelled", "revenue_effect"):
        c = col(model, key)
        right = header.sectionViewportPosition(c) + header.sectionSize(c)
        assert 0 <= header.sectionViewportPosition(c) and right <= view.viewport().width(), key


def test_column_chooser_hides_restores_and_is_remembered(window, qtbot, example):
    view, model = window.crra_panel.view, window.crra_panel.model
    header = view.horizontalHeader()
    finess, estab = col(model, "finess"), col(model, "establishment")
    menu = build_header_menu(view)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[:3] == ["Identifiant", "Libellé", "DRM"]
    assert texts[-1] == "Rétablir les colonnes par défaut"
    assert not action(menu, "Identifiant").isEnabled()        # the frozen column stays
    assert action(menu, "FINESS").isCheckable() and action(menu, "FINESS").isChecked()
    action(menu, "FINESS").trigger()
    assert header.isSectionHidden(finess)
    header.moveSection(header.visualIndex(estab), 2)
    header.resizeSection(col(model, "label"), 233)
    view.save_columns()
    # A new window (next start) comes back with the same layout.
    other = new_window(qtbot, example)
    o_view, o_header = other.crra_panel.view, other.crra_panel.view.horizontalHeader()
    assert o_header.isSectionHidden(finess)
    assert o_header.visualIndex(estab) == 2
    assert o_view.columnWidth(col(model, "label")) == 233
    # « Rétablir les colonnes par défaut »
    action(build_header_menu(o_view), "Rétablir les colonnes par défaut").trigger()
    assert not o_header.isSectionHidden(finess)
    assert o_header.visualIndex(col(model, "drm")) == 2
    assert o_view.columnWidth(col(model, "label")) != 233
    third = new_window(qtbot, example)
    assert not third.crra_panel.view.horizontalHeader().isSectionHidden(finess)


def test_frozen_column_cannot_be_moved(window):
    header = window.crra_panel.view.horizontalHeader()
    header.moveSection(0, 3)
    assert header.logicalIndex(0) == 0


# -- item 3: the editor says how a DRM with a point was read ---------------------------------
def test_decimal_point_hint():
    hint = decimal_point_hint("drm", "1.234")
    assert hint == ("« 1.234 » est lu 1,234 (le point est la virgule décimale) : pour "
                    f"1{NBSP}234 DRM, tapez 1234 sans point.")
    assert "entier" in decimal_point_hint("drm", "12.5")
    for kind, text in (("drm", "1234"), ("drm", "1,5"), ("drm", "1.234,5"), ("drm", "12.0"),
                       ("drm", "1.234.567"), ("drm", "abc"), ("euros", "1.234")):
        assert decimal_point_hint(kind, text) == "", (kind, text)


def test_editor_says_how_a_drm_with_a_point_is_read(window, qtbot):
    view, model = window.crra_panel.view, window.crra_panel.model
    index = model.index(0, col(model, "drm"))
    view.setCurrentIndex(index)
    view.edit(index)
    editor = open_editor(view)
    qtbot.keyClicks(editor, "1.234")
    assert "est lu 1,234" in editor.toolTip() and "tapez 1234" in editor.toolTip()
    assert "DRM : « 1.234 » est lu 1,234" in status(window)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.document.scenario.crra["drm"].iat[0] == pytest.approx(1.234))
    assert "tapez 1234" in status(window)
    view.edit(model.index(1, col(model, "drm")))
    editor = open_editor(view)
    qtbot.keyClicks(editor, "1234")
    assert editor.toolTip() == ""


# -- models and the lead's Édition menu ------------------------------------------------------------
def test_views_offer_copy_paste_cut(window):
    for view in (window.crra_panel.view, window.parameters_panel.envelopes.view,
                 window.comparison_panel.table, window.smoothing_panel.table):
        for name in ("copy", "paste", "cut"):
            assert callable(getattr(view, name)), (view.objectName(), name)
    assert isinstance(window.parameters_panel.envelopes.view, ScenarioTableView)


def test_changed_models_pass_modeltester(window, qtmodeltester):
    qtmodeltester.check(window.crra_panel.model)
    qtmodeltester.check(window.comparison_panel.model)
    window.smoothing_panel.show_entity("region", "Alpha")
    qtmodeltester.check(window.smoothing_panel.table_model)
