"""The window as an Excel user expects it: envelopes asked whole, undo wherever the
focus is, Ctrl+F, Qt's dialogs in French, the problems panel's size, the report's
« modifications non enregistrées »."""

import math

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

from migac_desktop.core.commands import SetCells
from migac_desktop.core.validation import validate
from migac_desktop.reporting.report import build_report
from migac_desktop.ui.parameters_panel import EnvelopeDialog

ENV = "Enveloppes régionales"


def plain(text: str) -> str:
    """French figures are written with no-break spaces; compare them as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def alloc(window, region, year=2014):
    r = window.document.results
    return float(r.crra_arrays[f"alloc_{year}"][r.crra_arrays["region"] == region].sum())


# -- 1. an envelope is asked whole -----------------------------------------------------------
def test_envelope_dialog_changes_nothing_until_its_amount_is_typed(window, qtbot, monkeypatch):
    before = {reg: alloc(window, reg) for reg in ("Alpha", "Bêta")}
    seen = {}

    def run(dialog):
        seen["regions"] = [dialog.region.itemText(i) for i in range(dialog.region.count())]
        seen["years"] = [dialog.year.itemText(i) for i in range(dialog.year.count())]
        seen["ok_without_amount"] = dialog.ok.isEnabled()
        seen["info"] = dialog.info.text()
        seen["region"] = dialog.region.currentText()
        dialog.region.setCurrentText("Bêta")
        dialog.amount_edit.setText("8 300 000")
        seen["ok_with_amount"] = dialog.ok.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(EnvelopeDialog, "exec", run)
    window.parameters_panel.envelopes.add_button.click()
    assert seen["regions"] == ["Alpha", "Bêta"] and seen["years"] == ["2014", "2015", "2016"]
    assert not seen["ok_without_amount"] and seen["ok_with_amount"]
    assert seen["region"] == "Alpha"            # the first region: no working region chosen
    assert "5 037 869 €" in plain(seen["info"])          # Alpha's 2014 allocation (MODEL.md)
    env = window.document.scenario.envelopes
    assert list(env["region"]) == ["Bêta"] and list(env["amount"]) == [8_300_000]
    assert alloc(window, "Bêta") == pytest.approx(8_300_000)
    assert alloc(window, "Alpha") == pytest.approx(before["Alpha"])
    window.actionUndo.trigger()
    assert len(window.document.scenario.envelopes) == 0
    assert alloc(window, "Bêta") == pytest.approx(before["Bêta"])


def test_envelope_dialog_starts_on_the_working_region(window, qtbot):
    window.crra_panel.set_region("Bêta")
    dialog = EnvelopeDialog(window.document, window)
    qtbot.addWidget(dialog)
    assert dialog.region.currentText() == "Bêta"
    assert dialog.focusWidget() in (None, dialog.amount_edit)


def test_envelope_dialog_cancelled_adds_nothing(window, monkeypatch):
    monkeypatch.setattr(EnvelopeDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    window.parameters_panel.envelopes.add_button.click()
    assert len(window.document.scenario.envelopes) == 0
    assert not window.document.modified


def test_envelope_dialog_refuses_a_second_envelope_and_a_bad_amount(window, qtbot):
    doc = window.document
    doc.push(_insert_envelope(doc, "Alpha", 2014, 5_000_000))
    dialog = EnvelopeDialog(doc, window)
    qtbot.addWidget(dialog)
    dialog.region.setCurrentText("Alpha")
    dialog.amount_edit.setText("4 000 000")
    assert not dialog.ok.isEnabled()
    assert "déjà notifiée" in dialog.info.text() and "ligne 2" in dialog.info.text()
    dialog.region.setCurrentText("Bêta")
    dialog.amount_edit.setText("douze")
    assert not dialog.ok.isEnabled() and "Montant refusé" in dialog.info.text()
    dialog.amount_edit.setText("-5")
    assert not dialog.ok.isEnabled()
    assert dialog.region.accessibleName() and dialog.amount_edit.accessibleName()


def test_envelope_table_region_and_year_are_chosen_from_lists(window, qtbot):
    from PySide6.QtWidgets import QComboBox
    doc = window.document
    doc.push(_insert_envelope(doc, "Alpha", 2014, 5_000_000))
    editor = window.parameters_panel.envelopes
    view, model = editor.view, editor.model
    index = model.index(0, model.column_of_key("region"))
    combo = view.itemDelegate().createEditor(view.viewport(), None, index)
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Alpha", "Bêta"]
    combo.setCurrentText("Bêta")
    view.itemDelegate().setModelData(combo, model, index)
    assert doc.scenario.envelopes["region"].iat[0] == "Bêta"
    year = view.itemDelegate().createEditor(view.viewport(), None,
                                            model.index(0, model.column_of_key("year")))
    assert [year.itemText(i) for i in range(year.count())] == ["2014", "2015", "2016"]


def test_regions_listed_in_french_order(window):
    scenario = window.document.scenario.copy()
    frame = scenario.crra.copy()
    frame["region"] = ["Île-de-France", "Haute-Normandie", "Limousin", "Limousin"]
    scenario.set_table("CRRA", frame)
    window.document.load(scenario, None)
    assert window.document.region_names() == [
        "Haute-Normandie", "Île-de-France", "Limousin"]


def _insert_envelope(doc, region, year, amount):
    from migac_desktop.core.commands import InsertRows
    return InsertRows(doc.scenario, ENV, len(doc.scenario.envelopes),
                      [dict(region=region, year=year, amount=float(amount))])


# -- warnings of MODEL.md: 0 € envelope, envelopes raising a year, DRM not whole --------------
def test_zero_envelope_of_a_funded_region_is_a_warning(example):
    scenario = example.copy()
    from migac_desktop.core import schema
    from migac_desktop.core.scenario import make_table
    scenario.envelopes = make_table(schema.ENVELOPES, [dict(region="Alpha", year=2015, amount=0.0)])
    problems = validate(scenario)
    [warning] = [p for p in problems if p.sheet == ENV]
    assert not warning.is_error and warning.row == 2 and warning.column == "Enveloppe notifiée"
    message = plain(warning.message)
    assert "0 €" in message and "Alpha" in message and "2015" in message
    assert "4 713 608 €" in message          # Alpha's 2015 allocation before the envelope


def test_envelopes_that_raise_the_national_total_are_a_warning_and_a_report_line(example):
    from migac_desktop.core import schema
    from migac_desktop.core.model import compute
    from migac_desktop.core.scenario import make_table
    scenario = example.copy()
    # Bêta's 2014 allocation is 8 262 130,82 € (MODEL.md): notified 8 500 000 €, +237 869,18 €.
    scenario.envelopes = make_table(schema.ENVELOPES, [dict(region="Bêta", year=2014,
                                                            amount=8_500_000.0)])
    problems = validate(scenario)
    [warning] = [p for p in problems if p.sheet == ENV]
    assert not warning.is_error and warning.row == 2
    message = plain(warning.message)
    assert "2014" in message and "13 537 869 €" in message
    assert "237 869 €" in message and "13 300 000 €" in message
    report = build_report(scenario, compute(scenario), render=False)
    assert "237 869 €" in plain(report.text())
    [table] = [t for t in report.tables if t.id == "enveloppes"]
    # Bêta's 2014 allocation before its envelope is MODEL.md's 8 262 130,82 €.
    assert [plain(cell) for cell in table.rows[0]] == ["Bêta", "2014", "8 500 000 €", "8 262 131 €",
                                                       "+237 869 €"]
    # A lower envelope raises nothing: no warning.
    scenario.envelopes = make_table(schema.ENVELOPES, [dict(region="Bêta", year=2014,
                                                            amount=8_000_000.0)])
    assert not [p for p in validate(scenario) if p.sheet == ENV]


def test_fractional_drm_is_a_warning_naming_the_crra_in_the_problems_panel(window):
    doc = window.document
    model = window.crra_panel.model
    doc.push(SetCells(doc.scenario, "CRRA", [(1, "drm", 1.234)], label="modifier DRM"))
    texts = [window.problems_panel.item(i).text() for i in range(window.problems_panel.count())]
    [text] = [plain(t) for t in texts if "SAMU-A2" in t]
    assert text.startswith("Avertissement") and "« DRM »" in text and "ligne 3" in text
    assert "1,234" in text and "1 234" in text and "saisissez 1234" in text
    assert doc.results is not None          # a warning: the scenario still computes
    assert model is window.crra_panel.model


# -- 8. undo and redo wherever the focus is ---------------------------------------------------
def _param_field(window, key) -> QLineEdit:
    window.tabs.setCurrentWidget(window.parameters_panel)
    field = window.parameters_panel.form.editors[key]
    field.setFocus()
    return field


def test_ctrl_z_in_a_parameter_field_undoes_the_committed_change(window, qtbot):
    doc = window.document
    field = _param_field(window, "cout_etp_arm")
    field.selectAll()
    qtbot.keyClicks(field, "46000")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert doc.scenario.parameters.cout_etp_arm == 46000
    assert QApplication.focusWidget() is field
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.scenario.parameters.cout_etp_arm == 45000
    assert plain(field.text()) == "45 000"
    qtbot.keyClick(field, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert doc.scenario.parameters.cout_etp_arm == 46000
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert doc.scenario.parameters.cout_etp_arm == 46000


def test_ctrl_z_while_typing_commits_then_undoes(window, qtbot):
    doc = window.document
    field = _param_field(window, "frais_par_drm")
    field.selectAll()
    qtbot.keyClicks(field, "2,5")               # typed, not yet committed
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.scenario.parameters.frais_par_drm == 1.5
    assert field.text() == "1,50"
    assert window.actionRedo.isEnabled()        # the typed value is one redoable change
    window.actionRedo.trigger()
    assert doc.scenario.parameters.frais_par_drm == 2.5


def test_ctrl_z_in_a_cell_editor_and_in_the_search_box(window, qtbot):
    doc = window.document
    view, model = window.crra_panel.view, window.crra_panel.model
    c = model.column_of_key("drm")
    doc.push(SetCells(doc.scenario, "CRRA", [(0, "drm", 50000.0)], label="modifier DRM"))
    view.setFocus()
    view.setCurrentIndex(model.index(1, c))
    view.edit(model.index(1, c))
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.setText("120000")
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.scenario.crra["drm"].iat[1] == 100000      # typed, committed, undone
    assert doc.scenario.crra["drm"].iat[0] == 50000       # the earlier change stays
    search = window.crra_panel.search
    search.setFocus()
    qtbot.keyClicks(search, "B1")
    qtbot.keyClick(search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.scenario.crra["drm"].iat[0] == 50000       # the search box undoes its typing
    assert search.text() == ""


def test_ctrl_f_goes_to_the_search_box(window, qtbot):
    window.tabs.setCurrentWidget(window.parameters_panel)
    window.activateWindow()
    window.actionFind.trigger()
    assert window.tabs.currentWidget() is window.crra_panel
    assert QApplication.focusWidget() is window.crra_panel.search
    assert window.actionFind.shortcut().toString() == "Ctrl+F"


def test_edit_menu_has_clipboard_actions(window):
    texts = [a.text() for a in window.menuBar().actions()[1].menu().actions()]
    for text in ("Co&uper", "&Copier", "C&oller", "&Rechercher un CRRA…"):
        assert text in texts


# -- 15. Qt's own dialogs in French from the start -------------------------------------------
def test_qt_dialogs_are_french_once_the_window_exists(window):
    assert QCoreApplication.translate("QMessageBox", "Show Details...") == "Montrer les détails…"
    assert plain(QCoreApplication.translate("QFileDialog", "Look in:")) == "Voir dans :"
    # Labels Qt's catalogue lacks: completed by the application.
    from PySide6.QtWidgets import QFileDialog, QLabel
    dialog = QFileDialog(window, "Ouvrir")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    labels = [plain(w.text()) for w in dialog.findChildren(QLabel) if w.text()]
    assert "&Voir dans :" in labels and "&Type de fichier :" in labels
    assert not [t for t in labels if "Look" in t or "Files of" in t]
    dialog.deleteLater()


# -- 16. the problems panel shrinks when empty ------------------------------------------------
def test_problems_panel_is_one_line_when_empty(window):
    panel = window.problems_panel
    assert panel.maximumHeight() < 3 * panel.fontMetrics().height()
    doc = window.document
    doc.push(SetCells(doc.scenario, "CRRA", [(0, "crra_id", "SAMU-A2")], label="modifier"))
    assert panel.maximumHeight() > 1000
    window.actionUndo.trigger()
    assert panel.maximumHeight() < 3 * panel.fontMetrics().height()


def test_print_preview_fits_the_screen(window):
    from migac_desktop.ui.printing import fit_to_screen
    room = window.screen().availableGeometry()
    size = fit_to_screen(window, 1000, 5000)
    assert size.height() <= room.height() and size.width() <= 1000


# -- 7. a report of an edited scenario says so ------------------------------------------------
def test_report_of_unsaved_changes_says_so_on_title_page_and_footer(example):
    from migac_desktop.core.model import compute
    results = compute(example)
    saved = build_report(example, results, source="a.xlsx", render=False)
    assert "non enregistrées" not in saved.text() and "non enregistrées" not in saved.footer_text
    edited = build_report(example, results, source="a.xlsx", render=False, unsaved=True)
    assert edited.footer_text.endswith("modifications non enregistrées")
    title = edited.section("titre")
    notice = [b for b in title.blocks if type(b).__name__ == "Notice"]
    assert notice and notice[0].title == "Modifications non enregistrées"
    assert "« a.xlsx »" in notice[0].text


def test_window_report_follows_the_modified_flag(window, tmp_path):
    printer = window.report_printer()
    assert not printer.build(None).unsaved
    doc = window.document
    doc.push(SetCells(doc.scenario, "CRRA", [(0, "drm", 46000.0)], label="modifier DRM"))
    assert printer.build(None).unsaved
    assert not math.isnan(doc.results.national["modelled"])


def test_comparison_levels_keep_their_own_column_order(window):
    """The remembered column order of one level does not push another level's identity
    columns to the end (the CRRA level once opened on « Région », « Historique »)."""
    panel = window.comparison_panel
    window.tabs.setCurrentWidget(panel)
    panel.level.setCurrentIndex(panel.level.findData("region"))
    panel.table.save_columns()
    panel.level.setCurrentIndex(panel.level.findData("crra"))
    header, model = panel.table.horizontalHeader(), panel.table.model()
    by_visual = sorted(range(model.columnCount()), key=header.visualIndex)
    names = [model.headerData(c, Qt.Orientation.Horizontal) for c in by_visual]
    assert names[:2] == ["Identifiant", "Libellé"]
