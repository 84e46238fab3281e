"""« Imprimer la sélection » (issue « Notify each hospital, and take any table out to
Excel », item 4): a selection of a table printed or saved as PDF with the report's page
layout, the header row repeated on every page, columns split when they do not fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import open_window
from PySide6.QtCore import QItemSelection, QItemSelectionModel
from test_report import needs_poppler, pdf_page_count, pdf_pages

from migac_desktop.reporting.selection_report import selection_report
from migac_desktop.ui.printing.selection import print_selection, selection_cells, selection_pdf
from migac_desktop.ui.table_actions import build_context_menu

ROOT = Path(__file__).resolve().parents[1]


def select_rows(view, first: int, last: int) -> None:
    model = view.model()
    selection = QItemSelection(model.index(first, 0), model.index(last, model.columnCount() - 1))
    view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_selection_cells_are_the_cells_shown(window):
    view = window.crra_panel.view
    select_rows(view, 1, 2)
    headers, rows, numeric = selection_cells(view)
    assert headers[:3] == ["Identifiant", "Libellé", "DRM"]
    assert [r[0] for r in rows] == ["SAMU-A2", "SAMU-B1"]
    drm = headers.index("DRM")
    assert [r[drm].replace("\u202f", " ").replace("\u00a0", " ") for r in rows] == ["100 000", "260 000"]
    assert numeric[drm] and not numeric[0]
    hidden = [view.model().headerData(c, 1) for c in range(view.model().columnCount())
              if view.horizontalHeader().isSectionHidden(c)]
    assert not set(hidden) & set(headers)          # hidden columns are not printed


def test_selection_report_repeats_its_first_column_and_says_what_it_is():
    report = selection_report("Tableau des CRRA", ["Identifiant", "DRM"], [["A", "1"], ["B", "2"]],
                              [False, True], title="Scénario", source="s.xlsx", total_rows=10)
    (table,) = report.tables
    assert [c.repeat for c in table.columns] == [True, False]
    assert [c.align for c in table.columns] == ["left", "right"]
    assert "2 lignes sur 10 lignes du tableau, 2 colonnes" in report.text()
    assert report.subtitle == "Tableau des CRRA – sélection"


@needs_poppler
def test_selection_pdf_of_the_national_table_repeats_the_header_on_every_page(qtbot, tmp_path, monkeypatch):
    from migac_desktop.io.workbook import read_scenario
    scenario = read_scenario(ROOT / "samples" / "scenario_national_2014.xlsx").scenario
    window = open_window(qtbot, tmp_path, monkeypatch, scenario)
    view = window.crra_panel.view
    view.selectAll()
    path = selection_pdf(view, tmp_path / "sélection.pdf")
    assert path == tmp_path / "sélection.pdf"
    pages = pdf_pages(path)
    assert pdf_page_count(path) == len(pages) >= 2
    ids = list(scenario.crra["crra_id"])
    text = "\n".join(pages)
    assert all(crra_id in text for crra_id in ids)          # every row printed
    for page in pages:
        page = page.replace("\ufb01", "fi")          # the PDF sets « fi » as a ligature
        assert "Identifiant" in page and "Tableau des CRRA" in page and "Page" in page


@needs_poppler
def test_a_comparison_selection_prints_its_rows_to_the_euro(window, tmp_path):
    from PySide6.QtPrintSupport import QPrinter
    table = window.comparison_panel.table
    table.selectRow(0)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "impression.pdf"))
    assert print_selection(table, printer, ask=False)
    (page,) = pdf_pages(tmp_path / "impression.pdf")
    headers, rows, _ = selection_cells(table)
    for cell in rows[0]:
        assert cell.replace("\u202f", " ").replace("\u00a0", " ") in page


def test_menu_actions_need_a_selection_and_nothing_selected_is_said(window, monkeypatch):
    view = window.comparison_panel.table
    view.clearSelection()
    menu = build_context_menu(view)
    actions = {a.objectName(): a for a in menu.actions()}
    assert not actions["tablePrintSelection"].isEnabled()
    told = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a: told.append(a[2]))
    assert selection_pdf(view, "/nulle/part.pdf") is None
    assert told == ["Sélectionnez d'abord des cellules ou des lignes du tableau."]


def test_a_failed_write_leaves_the_existing_file(window, tmp_path, monkeypatch):
    target = tmp_path / "garde.pdf"
    target.write_bytes(b"ancien")
    view = window.crra_panel.view
    select_rows(view, 0, 0)
    errors = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.critical", lambda *a: errors.append(a[2]))

    def refuse(path, data, **_):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr("migac_desktop.ui.printing.pdf.write_atomically", refuse)
    assert selection_pdf(view, target) is None
    assert target.read_bytes() == b"ancien"
    assert "Le fichier existant n'a pas été modifié" in errors[0]


def test_file_menu_prints_the_focused_table(window, monkeypatch):
    printed = []
    monkeypatch.setattr(type(window.crra_panel.view), "print_selection", lambda self: printed.append(self))
    window.crra_panel.view.setFocus()
    monkeypatch.setattr("PySide6.QtWidgets.QApplication.focusWidget", lambda: window.crra_panel.view)
    window.findChild(type(window.actionSave), "actionPrintSelection").trigger()
    assert printed == [window.crra_panel.view]


@pytest.fixture
def window(qtbot, example, tmp_path, monkeypatch):
    return open_window(qtbot, tmp_path, monkeypatch, example)


def test_every_table_has_its_export_button(window, tmp_path, monkeypatch):
    """« Exporter le tableau… » beside every table, not only in its right-click menu."""
    from PySide6.QtWidgets import QPushButton

    from migac_desktop.ui.excel_view import ExcelTableView
    views = [v for v in window.findChildren(ExcelTableView)
             if v.objectName() and not isinstance(v.parent(), ExcelTableView)]   # not the frozen column
    names = {v.objectName() for v in views}
    assert {"crraTable", "comparisonTable", "smoothingTable", "historyTable", "sensitivityTable",
            "inputDifferencesTable", "resultDifferencesTable"} <= names
    for view in views:
        button = window.findChild(QPushButton, f"{view.objectName()}Export")
        assert button is not None, view.objectName()
        assert button.accessibleName().startswith("Exporter ")
    target = tmp_path / "comparaison.xlsx"
    monkeypatch.setattr("migac_desktop.ui.table_actions.ask_export_path", lambda view, name: str(target))
    window.findChild(QPushButton, "comparisonTableExport").click()
    import openpyxl
    sheet = openpyxl.load_workbook(target).active
    assert sheet.max_row == 1 + window.comparison_panel.table.model().rowCount()
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
