"""Drives the real program from outside: ``python real_program_driver.py SCENARIO OUT.json``
under an X server (Xvfb). The program starts as a user starts it (``ui.app.main``, its
own QApplication); once its window shows, keys and clicks are sent through the X server
with xdotool, and what the window then shows is written to OUT.json for the test.

Only the choice of the widget that has the focus, and the clipboard's content, are set
from inside the process; every key and click travels the X server's path.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    scenario, out = Path(sys.argv[1]), Path(sys.argv[2])
    from PySide6.QtCore import QTimer

    from migac_desktop.ui import app
    from migac_desktop.ui.main_window import MainWindow

    original_show = MainWindow.show

    def show(window):
        original_show(window)
        QTimer.singleShot(300, lambda: _when_opened(window, out))

    MainWindow.show = show
    return app.main([str(scenario)])


def _when_opened(window, out: Path, tries: int = 600) -> None:
    """Drive once the scenario given on the command line is open. It opens in the
    background: a first start (no compiled modules yet) can still be reading it when the
    window shows, and driving from inside that wait would block it."""
    from PySide6.QtCore import QTimer
    if (window.document.path is None or window.document.results is None) and tries > 0:
        QTimer.singleShot(100, lambda: _when_opened(window, out, tries - 1))
        return
    _drive(window, out)


def _wait(ms: int = 250) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)


def _xdo(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=20)
    _wait()


def _modal(trigger, inspect) -> None:
    """Run ``trigger`` (keys or a click that opens a modal dialog); ``inspect(dialog)`` runs
    inside the dialog's own event loop, then Échap is sent to close it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog
    end = time.monotonic() + 20

    def look():
        # A first start can take seconds to show Qt's file dialog; a progress dialog of an
        # earlier job is not the dialog awaited.
        dialog = QApplication.activeModalWidget()
        if (not isinstance(dialog, QDialog) or isinstance(dialog, QProgressDialog)
                or not dialog.isVisible()) and time.monotonic() < end:
            QTimer.singleShot(200, look)
            return
        inspect(dialog)
        subprocess.Popen(["xdotool", "key", "Escape"])

    QTimer.singleShot(900, look)
    trigger()
    _wait(1500)


def _click(widget) -> None:
    from PySide6.QtCore import QPoint
    centre = widget.mapToGlobal(QPoint(widget.width() // 2, widget.height() // 2))
    _xdo("mousemove", str(centre.x()), str(centre.y()))
    _xdo("click", "1")


def _focus(window, widget) -> None:
    window.activateWindow()
    widget.setFocus()
    _wait(100)


def _drive(window, out: Path) -> None:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QTableView

    from migac_desktop.ui.views import select_cell

    facts: dict = {}
    try:
        doc = window.document
        centre = window.mapToGlobal(window.rect().center())
        _xdo("mousemove", str(centre.x()), str(centre.y()))
        window.activateWindow()
        _wait(300)
        # Qt's own dialogs, in French from the start: Fichier → Ouvrir (Ctrl+O).
        facts["translated"] = QCoreApplication.translate("QFileDialog", "Look in:")
        _focus(window, window.crra_panel.view)

        def open_dialog(dialog):
            facts["open_dialog"] = type(dialog).__name__ if dialog else None
            if isinstance(dialog, QFileDialog):
                facts["open_dialog_labels"] = [w.text() for w in dialog.findChildren(QLabel)
                                               if w.text()]

        _modal(lambda: _xdo("key", "ctrl+o"), open_dialog)
        # An envelope added then abandoned changes no allocation.
        before = {y: doc.results.national[f"alloc_{y}"] for y in doc.results.years}
        regions_before = doc.results.regions.copy()
        window.tabs.setCurrentWidget(window.parameters_panel)
        _wait()

        def envelope_dialog(dialog):
            facts["envelope_dialog"] = dialog.objectName() if dialog else None
            facts["envelope_rows_while_open"] = len(doc.scenario.envelopes)

        _modal(lambda: _click(window.parameters_panel.envelopes.add_button), envelope_dialog)
        facts["envelope_rows_after"] = len(doc.scenario.envelopes)
        facts["allocations_unchanged"] = (
            before == {y: doc.results.national[f"alloc_{y}"] for y in doc.results.years}
            and doc.results.regions.equals(regions_before))
        # Ctrl+Z typed in a parameter field undoes the change just committed; Ctrl+Y redoes.
        field = window.parameters_panel.form.editors["cout_etp_arm"]
        _focus(window, field)
        _xdo("key", "ctrl+a")
        _xdo("type", "46000")
        _xdo("key", "Return")
        facts["after_commit"] = doc.scenario.parameters.cout_etp_arm
        _xdo("key", "ctrl+z")
        facts["after_ctrl_z"] = doc.scenario.parameters.cout_etp_arm
        facts["field_after_ctrl_z"] = field.text().replace("\u00a0", " ")
        _xdo("key", "ctrl+y")
        facts["after_ctrl_y"] = doc.scenario.parameters.cout_etp_arm
        _xdo("key", "ctrl+z")
        # Ctrl+F goes to the CRRA search.
        _xdo("key", "ctrl+f")
        focus = QApplication.focusWidget()
        facts["ctrl_f_focus"] = focus.objectName() if focus else None
        _xdo("key", "Escape")
        # Three DRM cells selected: « Somme » in the status bar.
        panel = window.crra_panel
        view, model = panel.view, panel.model
        drm = model.column_of_key("drm")
        select_cell(view, 0, drm)
        _focus(window, view)
        _xdo("key", "shift+Down")
        _xdo("key", "shift+Down")
        summary = window.findChild(QLabel, "selectionSummary")
        facts["selection_summary"] = summary.text() if summary else None
        facts["drm_three"] = [float(doc.scenario.crra["drm"].iat[model.position(r)]) for r in range(3)]
        # A DRM typed « 1.234 »: a warning naming the CRRA and « DRM ».
        select_cell(view, 1, drm)
        _focus(window, view)
        facts["drm_crra"] = str(doc.scenario.crra["crra_id"].iat[model.position(1)])
        _xdo("type", "1.234")
        _xdo("key", "Return")
        problems = window.problems_panel
        facts["problems"] = [problems.item(i).text() for i in range(problems.count())]
        # Excel's clipboard: a cell holding a line break is one cell.
        name = model.column_of_key("establishment")
        select_cell(view, 2, name)
        _focus(window, view)
        QGuiApplication.clipboard().setText('"CH de\nMelun"\r\n')
        _wait(300)
        _xdo("key", "ctrl+v")
        facts["pasted"] = str(doc.scenario.crra["establishment"].iat[model.position(2)])
        # Three rows of the comparison copy as three lines of plain numbers.
        window.tabs.setCurrentWidget(window.comparison_panel)
        _wait(500)
        table = window.findChild(QTableView, "comparisonTable")
        table.selectRow(0)
        _focus(window, table)
        _xdo("key", "shift+Down")
        _xdo("key", "shift+Down")
        QGuiApplication.clipboard().clear()
        _xdo("key", "ctrl+c")
        _wait(300)
        facts["comparison_copy"] = QGuiApplication.clipboard().text()
        # Two saves one after the other (Ctrl+S): the journal keeps the first one's rows.
        facts["journal_first"] = _save_and_read_journal(window)
        window.tabs.setCurrentWidget(window.crra_panel)
        _wait()
        select_cell(view, 0, drm)
        _focus(window, view)
        facts["journal_crra"] = str(doc.scenario.crra["crra_id"].iat[model.position(0)])
        _xdo("type", "123456")
        _xdo("key", "Return")
        facts["journal_second"] = _save_and_read_journal(window)
    except Exception as exc:  # noqa: BLE001 — reported to the test, which fails on it
        import traceback
        facts["driver_error"] = "".join(traceback.format_exception(exc))
    out.write_text(json.dumps(facts, ensure_ascii=False, indent=1), encoding="utf-8")
    window.document.undo_stack.setClean()       # closing asks nothing
    window.close()


def _save_and_read_journal(window) -> list[list]:
    """Ctrl+S, then the « Journal » sheet of the file as written."""
    import openpyxl
    _xdo("key", "ctrl+s")
    end = time.monotonic() + 20
    while window.document.modified and time.monotonic() < end:
        _wait(100)
    book = openpyxl.load_workbook(window.document.path, read_only=True)
    try:
        return [list(row) for row in book["Journal"].iter_rows(values_only=True)]
    finally:
        book.close()


if __name__ == "__main__":
    sys.exit(main())
