"""Entry point of the desktop program: ``migac-desktop [SCENARIO.xlsx]``.

Options, read before Qt starts:

- ``--install-desktop-entry`` / ``--uninstall-desktop-entry`` (Linux): put MIGAC Desktop
  in the user's application menu and in « Ouvrir avec » for ``.xlsx`` files, or take it
  out (``migac_desktop/desktop_entry.py``), then stop;
- ``--smoke-test`` (or ``MIGAC_SMOKE_TEST=1`` in the environment, to run a desktop entry's
  ``Exec`` line unchanged): start as usual, and once the window is shown and painted with
  the scenario open, print one line ``MIGAC-SMOKE ok fichier=NOM crra=N`` (``refusé`` when
  the file could not be opened) and quit (exit code 0, or 1 when refused). Used by the
  tests of the desktop entry, the check of the stand-alone bundle and
  ``benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_ID = "migac-desktop"        # desktop file name, X11 instance name (StartupWMClass)
WINDOWS_APP_USER_MODEL_ID = "MIGAC.MIGACDesktop"
DESKTOP_OPTIONS = ("--install-desktop-entry", "--uninstall-desktop-entry")


def application_icon():
    """The window icon, from the packaged PNGs (16 to 256 px: sharp at every scale)."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from ..desktop_entry import ICON_SIZES, icon_png
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(icon_png(size)), QSize(size, size))
    return icon


def _set_windows_app_id() -> None:
    """Windows: the taskbar groups and pins the window as MIGAC Desktop, with its icon."""
    if sys.platform != "win32":
        return
    try:
        import ctypes
        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(WINDOWS_APP_USER_MODEL_ID)
    except (AttributeError, OSError):
        pass


def open_files_from_finder(app, window) -> None:
    """macOS: a double-clicked ``.xlsx`` reaches the program as a FileOpen event, not an argument."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FileOpenFilter(QObject):
        def eventFilter(self, _obj, event) -> bool:
            if event.type() == QEvent.Type.FileOpen and event.file():
                QTimer.singleShot(0, lambda p=event.file(): window.open_path(Path(p)))
                return True
            return False

    window._file_open_filter = FileOpenFilter(window)
    app.installEventFilter(window._file_open_filter)


def _smoke_test(window, path: Path | None, opened: bool) -> None:
    """``--smoke-test``: print one line once the window is painted, then quit the application."""
    import threading

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    watchdog = threading.Timer(60, os._exit, (3,))   # a dialog left waiting must not hang a test
    watchdog.daemon = True
    watchdog.start()

    finished = []

    def finish() -> None:
        if finished or not window.windowHandle().isExposed():
            return                                  # done already, or the next Expose calls again
        finished.append(True)
        QApplication.processEvents()                # pending repaints: the scenario is on screen
        name = path.name if path is not None else "(aucun)"
        state = "ok" if opened else "refusé"
        print(f"MIGAC-SMOKE {state} fichier={name} crra={len(window.document.scenario.crra)}", flush=True)
        QApplication.instance().exit(0 if opened else 1)

    class ExposeWatcher(QObject):
        def eventFilter(self, _obj, event) -> bool:
            if event.type() == QEvent.Type.Expose:
                QTimer.singleShot(0, finish)
            return False

    window._smoke_watcher = ExposeWatcher(window)
    window.windowHandle().installEventFilter(window._smoke_watcher)
    QTimer.singleShot(0, finish)


def main(argv: list[str] | None = None) -> int:
    """Open the window (on the scenario if given) and return when it closes.

    An existing ``QApplication`` is reused (tests, embedding); then a local
    event loop runs until the window closes.
    """
    argv = list(sys.argv if argv is None else [sys.argv[0], *argv])
    for option in DESKTOP_OPTIONS:
        if option in argv[1:]:
            from ..desktop_entry import command_line
            return command_line(option)
    smoke = "--smoke-test" in argv[1:] or os.environ.get("MIGAC_SMOKE_TEST") == "1"
    _set_windows_app_id()
    from PySide6.QtCore import QEventLoop, QLocale, QTimer
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance()
    owns_app = app is None
    if owns_app:
        QApplication.setOrganizationName("MIGAC")
        QApplication.setOrganizationDomain("migac.local")
        QApplication.setApplicationName("MIGAC Desktop")
        QApplication.setApplicationDisplayName("MIGAC Desktop")
        QApplication.setDesktopFileName(APP_ID)
        QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
        # argv[0] gives the X11 instance name (WM_CLASS): the same whether started by the
        # script, ``python -m`` or the bundle, so the desktop entry's StartupWMClass matches.
        app = QApplication([APP_ID, *argv[1:]])
        app.setWindowIcon(application_icon())
    window = MainWindow()
    if owns_app:
        from . import errors
        errors.install(window)
    window.show()
    if owns_app and sys.platform == "darwin":
        open_files_from_finder(app, window)
    paths = [a for a in argv[1:] if not a.startswith("-")]
    opened = True
    if paths:
        opened = window.open_path(Path(paths[0]), ask=False)
    if smoke:
        _smoke_test(window, Path(paths[0]) if paths else None, opened)
    else:
        # Copies left by a crash or a killed process: offered once the window shows.
        QTimer.singleShot(0, window.recovery.offer)
    if owns_app:
        return app.exec()
    loop = QEventLoop()
    window.closed.connect(loop.quit)
    loop.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
