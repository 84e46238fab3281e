"""Entry point of the desktop program: ``migac-desktop [SCENARIO.xlsx]``.

The command line is read before Qt starts (``argparse``, in French): ``--help`` and
``--version`` print and stop, an unknown option or a second file is refused with the
usage (exit code 2); on Linux without a graphical session, a French message says what
to do (``xvfb-run``, a desktop session) instead of Qt's abort. Options:

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
EXIT_NO_DISPLAY = 1
# Qt platform plugins that need a display server (``QT_QPA_PLATFORM``, before any ``:``).
_DISPLAY_PLATFORMS = ("", "xcb", "wayland", "wayland-egl")


def build_parser():
    """The French parser of ``migac-desktop`` (standard library only: no Qt, no pandas)."""
    from .. import __version__
    from ..cli import FrenchArgumentParser

    parser = FrenchArgumentParser(
        prog=APP_ID,
        description="MIGAC Desktop : répartition de la MIG SAMU entre les CRRA. Ouvre la "
                    "fenêtre de l'application, sur le scénario SCENARIO.xlsx s'il est donné.",
        epilog="Sans fenêtre (calcul, contrôle, rapport PDF) : la commande « migac » "
               "(migac --help).")
    parser.add_argument("scenario", nargs="?", metavar="SCENARIO.xlsx",
                        help="le classeur du scénario à ouvrir")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="affiche la version et quitte")
    parser.add_argument("--install-desktop-entry", action="store_true",
                        help="Linux : ajoute MIGAC Desktop au menu des applications et à "
                             "« Ouvrir avec » des classeurs .xlsx (pour cet utilisateur), puis quitte")
    parser.add_argument("--uninstall-desktop-entry", action="store_true",
                        help="Linux : retire MIGAC Desktop du menu des applications, puis quitte")
    parser.add_argument("--smoke-test", action="store_true",
                        help="vérification : ouvre la fenêtre et le scénario, affiche une ligne "
                             "« MIGAC-SMOKE … » et quitte")
    return parser


def parse_arguments(args: list[str]):
    """Parsed options, or the exit code when argparse stopped (help, version, error)."""
    if sys.platform == "darwin":      # older macOS adds a process serial number from Finder
        args = [a for a in args if not a.startswith("-psn_")]
    try:
        return build_parser().parse_args(args)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)


def missing_display(environ=None, platform: str | None = None) -> bool:
    """Linux: Qt would abort for want of a display server (no X11 nor Wayland session)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return False
    plugin = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if plugin not in _DISPLAY_PLATFORMS:
        return False                          # offscreen, minimal, vnc, eglfs… need no session
    if plugin == "xcb":
        return not environ.get("DISPLAY")
    if plugin.startswith("wayland"):
        return not environ.get("WAYLAND_DISPLAY")
    return not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY")


def no_display_message(scenario: str | None = None) -> str:
    """What to do without a graphical session, with this installation's own command."""
    import shlex

    from ..desktop_entry import launcher_command
    command = " ".join(shlex.quote(a) for a in launcher_command())
    if scenario:
        command += " " + shlex.quote(scenario)
    return ("MIGAC Desktop a besoin d'un écran : aucune session graphique n'est ouverte "
            "(variables DISPLAY et WAYLAND_DISPLAY vides).\n"
            "Lancez-le depuis le bureau (un terminal de la session graphique), ou, sur un "
            "serveur sans écran, dans un écran virtuel (paquets Debian xvfb et xauth) :\n\n"
            f"    xvfb-run -a {command}\n\n"
            "Pour calculer, contrôler un scénario ou en faire le rapport PDF sans fenêtre : "
            "la commande « migac » (migac --help).")


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


def _application_exists() -> bool:
    """A QApplication made by the caller (tests, embedding): its platform works already."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    return widgets is not None and widgets.QApplication.instance() is not None


def main(argv: list[str] | None = None) -> int:
    """Read the command line, open the window (on the scenario if given), return when it closes.

    ``argv``: the arguments without the program's name (``sys.argv[1:]`` by default).
    An existing ``QApplication`` is reused (tests, embedding); then a local
    event loop runs until the window closes.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    options = parse_arguments(args)
    if isinstance(options, int):
        return options
    for option in DESKTOP_OPTIONS:
        if getattr(options, option.lstrip("-").replace("-", "_")):
            from ..desktop_entry import command_line
            return command_line(option)
    smoke = options.smoke_test or os.environ.get("MIGAC_SMOKE_TEST") == "1"
    if not _application_exists() and missing_display():
        print(no_display_message(options.scenario), file=sys.stderr)
        return EXIT_NO_DISPLAY
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
        app = QApplication([APP_ID])
        app.setWindowIcon(application_icon())
        from .palette_colours import readable_highlight
        app.setPalette(readable_highlight(app.palette()))   # selected text at 4,5:1 at least
    window = MainWindow()
    if owns_app:
        from . import errors
        errors.install(window)
    window.show()
    if owns_app and sys.platform == "darwin":
        open_files_from_finder(app, window)
    path = Path(options.scenario) if options.scenario else None
    opened = True
    if path is not None:
        opened = window.open_path(path, ask=False)
    if smoke:
        _smoke_test(window, path, opened)
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
