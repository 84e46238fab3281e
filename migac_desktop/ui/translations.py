"""Qt's own texts in French: standard dialogs, buttons, context menus of fields.

Qt ships its French catalogues with PySide6 (``qtbase_fr.qm``); without them the file
dialogs say "Look in" and message boxes "Show Details…". Installed once, as soon as
the window exists, so that the very first dialog is French.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

_installed: list[QTranslator] = []


def install_french_qt() -> bool:
    """Install Qt's French catalogue in the running application (once); True if loaded."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    if _installed:
        return True
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.French, QLocale.Country.France),
                           "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
