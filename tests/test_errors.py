"""An unexpected error in the window: a French dialog, a log, a recovery copy, no traceback."""

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox
from test_window import column

from migac_desktop.io.workbook import open_scenario
from migac_desktop.ui import errors

ROOT = Path(__file__).resolve().parents[1]


def test_error_in_a_slot_is_told_logged_and_the_work_copied(window, qtbot, tmp_path,
                                                           monkeypatch):
    log = tmp_path / "journal" / "erreurs.log"
    monkeypatch.setenv(errors.ENV_LOG, str(log))
    told = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda parent, title, text: told.append((parent, title, text)))
    copies = []
    window.recovery.autosaved.connect(copies.append)
    model = window.crra_panel.model
    assert model.setData(model.index(0, column(model, "drm")), "60 000", Qt.ItemDataRole.EditRole)
    monkeypatch.setattr(sys, "excepthook", errors.ErrorHandler(window))

    def broken_action():
        raise ZeroDivisionError("division by zero")
    QTimer.singleShot(0, broken_action)
    qtbot.waitUntil(lambda: bool(told), timeout=5000)

    parent, title, text = told[0]
    assert parent is window and title == "Erreur inattendue"
    assert "erreur inattendue" in text and "ZeroDivisionError" in text
    assert "copie de secours" in text and str(log) in text
    assert "Traceback" not in text and "division by zero" not in text
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert "broken_action" in log.read_text(encoding="utf-8")
    # The unsaved edit is in the recovery copy, and the window still works.
    assert len(copies) == 1
    assert open_scenario(copies[0]).scenario.crra["drm"].iloc[0] == 60000
    assert window.isVisible()
    assert model.setData(model.index(1, column(model, "drm")), "70 000", Qt.ItemDataRole.EditRole)


def test_nothing_to_copy_and_no_log_still_tells_the_user(window, tmp_path, monkeypatch):
    folder = tmp_path / "pas-un-dossier"
    folder.write_text("un fichier")                      # the log cannot be created under it
    monkeypatch.setenv(errors.ENV_LOG, str(folder / "erreurs.log"))
    told = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: told.append(args[2]))
    try:
        raise KeyError("tranche")
    except KeyError as exc:
        errors.ErrorHandler(window)(type(exc), exc, exc.__traceback__)
    assert len(told) == 1
    assert "KeyError" in told[0] and "Journal" not in told[0] and "copie de secours" not in told[0]


def test_log_is_kept_short(tmp_path, monkeypatch):
    log = tmp_path / "erreurs.log"
    monkeypatch.setattr(errors, "MAX_LOG_BYTES", 4000)
    for i in range(100):
        try:
            raise ValueError(f"erreur {i}")
        except ValueError as exc:
            assert errors.write_log(type(exc), exc, exc.__traceback__, log) == log
    text = log.read_text(encoding="utf-8")
    assert log.stat().st_size < 6000
    assert text.startswith("--- ") and "erreur 99" in text and "erreur 0\n" not in text


def test_the_program_installs_the_handler():
    code = ("import sys\nfrom migac_desktop.ui import app\n"
            "app.main(['--smoke-test'])\nprint(type(sys.excepthook).__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={**__import__("os").environ,
                                                      "QT_QPA_PLATFORM": "offscreen"})
    assert done.stdout.split()[-1] == "ErrorHandler", done.stderr
