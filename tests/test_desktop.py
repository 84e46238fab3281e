"""Desktop citizenship: the Linux desktop entry, its icons, launching it, a lazy start-up.

The entry is installed into a temporary ``XDG_DATA_HOME``; launching its ``Exec`` line
runs the real program under a virtual X server (``xvfb-run``) with
``MIGAC_SMOKE_TEST=1``, which makes the program print what it opened once its window is
painted, then quit.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from migac_desktop import desktop_entry
from migac_desktop.desktop_entry import (
    ICON_SIZES,
    XLSX_MIME,
    data_home,
    desktop_entry_text,
    install,
    quote_exec_argument,
    uninstall,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

needs_validator = pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                                     reason="desktop-file-validate absent (paquet desktop-file-utils)")
needs_xvfb = pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run absent (paquet xvfb)")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="entrée de bureau freedesktop")


def read_entry(path: Path) -> dict[str, str]:
    keys = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            keys[key] = value
    return keys


def exec_argv(exec_value: str, file: Path) -> list[str]:
    """Expand an ``Exec`` value as a desktop does (string escapes, quoting, ``%f``)."""
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    value = re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), exec_value)
    args: list[str] = []
    current: str | None = None
    quoted = False
    i = 0
    while i < len(value):
        c = value[i]
        if quoted and c == "\\" and i + 1 < len(value) and value[i + 1] in '"`$\\':
            current += value[i + 1]
            i += 1
        elif c == '"':
            quoted = not quoted
            current = current or ""
        elif c == " " and not quoted:
            if current is not None:
                args.append(current)
            current = None
        else:
            current = (current or "") + c
        i += 1
    assert not quoted, exec_value
    if current is not None:
        args.append(current)
    return [str(file) if a == "%f" else a.replace("%%", "%") for a in args]


def png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as f:
        header = f.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def validate(path: Path) -> None:
    done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


# -- the files -------------------------------------------------------------------------------
def test_packaged_icons_exist_at_every_size():
    for size in ICON_SIZES:
        assert png_size(desktop_entry.icon_png(size)) == (size, size)
    svg = (desktop_entry.resources_dir() / "migac-desktop.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "<text" not in svg     # paths only: no font needed


@needs_validator
def test_template_is_a_valid_desktop_entry():
    validate(desktop_entry.resources_dir() / "migac-desktop.desktop")


def test_entry_names_the_app_as_qt_does():
    from migac_desktop.ui import app
    keys = dict(line.split("=", 1) for line in desktop_entry_text(["/opt/x/migac-desktop"]).splitlines()
                if "=" in line)
    # The desktop file name is the Wayland app id and the X11 instance name (WM_CLASS).
    assert desktop_entry.DESKTOP_FILE == f"{app.APP_ID}.desktop"
    assert keys["StartupWMClass"] == app.APP_ID
    assert keys["Icon"] == app.APP_ID
    assert keys["Name"] == "MIGAC Desktop"
    assert keys["Exec"] == "/opt/x/migac-desktop %f"
    assert keys["TryExec"] == "/opt/x/migac-desktop"
    assert keys["MimeType"] == XLSX_MIME + ";"
    assert keys["Categories"] == "Office;Spreadsheet;"


def test_exec_arguments_are_quoted_as_the_specification_asks():
    assert quote_exec_argument("/usr/bin/migac-desktop") == "/usr/bin/migac-desktop"
    assert quote_exec_argument("/home/a b/bin/migac") == '"/home/a b/bin/migac"'
    assert quote_exec_argument("/opt/100%/x") == "/opt/100%%/x"
    # Quoting escapes " ` $ \ with a backslash; the string level then doubles each backslash.
    assert quote_exec_argument('/o/"q"$') == '"/o/\\\\"q\\\\"\\\\$"'
    for arg in ("/home/a b/bin/migac", "/o/it's", '/o/"q"$`x`', "/o/back\\slash", "/o/100%"):
        assert exec_argv(quote_exec_argument(arg) + " %f", Path("/f.xlsx")) == [arg, "/f.xlsx"]


def test_data_home_follows_xdg(tmp_path):
    assert data_home({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path
    assert data_home({"XDG_DATA_HOME": "relatif"}) == Path.home() / ".local" / "share"
    assert data_home({}) == Path.home() / ".local" / "share"


# -- install / uninstall ----------------------------------------------------------------------
@linux_only
def test_install_and_uninstall_for_the_user(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path)}
    launcher = tmp_path / "dossier avec espace" / "migac-desktop"
    entry = install(env, command=[str(launcher)])
    assert entry == tmp_path / "applications" / "migac-desktop.desktop"
    keys = read_entry(entry)
    assert exec_argv(keys["Exec"], Path("/x/s.xlsx")) == [str(launcher), "/x/s.xlsx"]
    for size in ICON_SIZES:
        icon = tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "migac-desktop.png"
        assert png_size(icon) == (size, size)
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "migac-desktop.svg").is_file()
    if shutil.which("desktop-file-validate"):
        validate(entry)
    if shutil.which("update-desktop-database"):
        # « Ouvrir avec » of .xlsx files lists the entry.
        cache = (tmp_path / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
        assert f"{XLSX_MIME}=migac-desktop.desktop;" in cache
    removed = uninstall(env)
    assert len(removed) == len(ICON_SIZES) + 2
    assert not entry.exists()
    assert not list((tmp_path / "icons").rglob("migac-desktop.*"))


# -- the real program -----------------------------------------------------------------------------
def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)                  # a real X server (Xvfb), not offscreen
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"), **extra)
    return env


def _launcher() -> list[str]:
    script = Path(sys.executable).parent / "migac-desktop"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "migac_desktop.ui.app"]


@linux_only
@needs_validator
@needs_xvfb
def test_installed_entry_opens_a_scenario_under_xvfb(tmp_path):
    done = subprocess.run([*_launcher(), "--install-desktop-entry"], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "installé dans le menu des applications" in done.stdout
    entry = tmp_path / "data" / "applications" / "migac-desktop.desktop"
    validate(entry)
    scenario = tmp_path / "mes scénarios" / "exemple modèle.xlsx"
    scenario.parent.mkdir()
    shutil.copy(SAMPLES / "exemple_modele.xlsx", scenario)
    argv = exec_argv(read_entry(entry)["Exec"], scenario)
    assert Path(argv[0]).is_absolute()
    run = subprocess.run(["xvfb-run", "-a", *argv], env=_env(tmp_path, MIGAC_SMOKE_TEST="1"),
                         capture_output=True, text=True, timeout=90)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "MIGAC-SMOKE ok fichier=exemple modèle.xlsx crra=4" in run.stdout


# -- start-up stays lazy ----------------------------------------------------------------------------
def test_window_start_does_not_load_charts_workbook_or_reports():
    code = (
        "import sys\n"
        "import migac_desktop.ui.app, migac_desktop.ui.main_window\n"
        "heavy = ('matplotlib', 'openpyxl', 'migac_desktop.reporting', 'migac_desktop.io.workbook')\n"
        "print(sorted({m.split('.')[0] if not m.startswith('migac') else m for m in sys.modules\n"
        "              if m.startswith(heavy)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_about_text_names_version_licences_and_illustrative_defaults():
    from migac_desktop import __version__
    from migac_desktop.ui.about import about_text
    text = about_text()
    assert __version__ in text
    for name in ("Qt", "PySide6", "LGPL", "pandas", "NumPy", "BSD", "openpyxl", "MIT", "matplotlib",
                 "defusedxml", "PSF", "Python"):
        assert name in text, name
    assert "illustratifs" in text


# -- long file operations -----------------------------------------------------------------------
def test_long_operation_runs_in_a_thread_with_a_progress_dialog(qtbot):
    import threading
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog, QWidget

    from migac_desktop.ui.busy import run_in_background
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    seen = {}

    def slow():
        seen["thread"] = threading.current_thread() is not threading.main_thread()
        time.sleep(0.6)
        return 42

    def probe():
        dialog = window.findChild(QProgressDialog, "busyDialog")
        seen["shown"] = dialog is not None and dialog.isVisible()
        seen["text"] = dialog.labelText() if dialog is not None else None

    QTimer.singleShot(400, probe)               # timers run: the window is not frozen
    assert run_in_background(window, "Ouverture de « x.xlsx »…", slow, show_after_ms=200) == 42
    assert seen == {"thread": True, "shown": True, "text": "Ouverture de « x.xlsx »…"}
    # Gone at once: a QProgressDialog left alive shows itself again after 4 s (its own timer).
    assert window.findChildren(QProgressDialog) == []


def test_quick_operation_shows_nothing_and_errors_reach_the_caller(qtbot):
    from PySide6.QtWidgets import QProgressDialog, QWidget

    from migac_desktop.ui.busy import run_in_background
    window = QWidget()
    qtbot.addWidget(window)
    assert run_in_background(window, "…", lambda: "vite") == "vite"

    def fails():
        raise ValueError("classeur abîmé")
    with pytest.raises(ValueError, match="classeur abîmé"):
        run_in_background(window, "…", fails)
    assert window.findChildren(QProgressDialog) == []


def test_file_open_event_opens_the_scenario(qtbot):
    # macOS delivers a double-clicked file as a FileOpen event: the window opens it.
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    from migac_desktop.ui.app import open_files_from_finder
    from migac_desktop.ui.main_window import MainWindow
    window = MainWindow()
    qtbot.addWidget(window)
    app = QApplication.instance()
    open_files_from_finder(app, window)
    try:
        QApplication.sendEvent(app, QFileOpenEvent(str(SAMPLES / "exemple_modele.xlsx")))
        qtbot.waitUntil(lambda: window.document.path is not None, timeout=5000)
        assert window.document.path.name == "exemple_modele.xlsx"
    finally:
        app.removeEventFilter(window._file_open_filter)
