"""Entry point of the desktop program: ``migac-desktop [SCENARIO.xlsx]``."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Open the window (on the scenario if given) and return when it closes.

    An existing ``QApplication`` is reused (tests, embedding); then a local
    event loop runs until the window closes.
    """
    argv = list(sys.argv if argv is None else [sys.argv[0], *argv])
    from PySide6.QtCore import QEventLoop, QLocale
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance()
    owns_app = app is None
    if owns_app:
        QApplication.setOrganizationName("MIGAC")
        QApplication.setOrganizationDomain("migac.local")
        QApplication.setApplicationName("MIGAC Desktop")
        QApplication.setApplicationDisplayName("MIGAC Desktop")
        QApplication.setDesktopFileName("migac-desktop")
        QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
        app = QApplication(argv)
    window = MainWindow()
    window.show()
    paths = [a for a in argv[1:] if not a.startswith("-")]
    if paths:
        window.open_path(Path(paths[0]), ask=False)
    if owns_app:
        return app.exec()
    loop = QEventLoop()
    window.closed.connect(loop.quit)
    loop.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
