"""Qt's own texts in French: standard dialogs, buttons, context menus of fields.

Qt ships its French catalogues with PySide6 (``qtbase_fr.qm``); without them the file
dialogs say "Look in" and message boxes "Show Details…". Installed once, as soon as
the window exists, so that the very first dialog is French.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

_installed: list[QTranslator] = []
_failed: list[str] = []

# Strings of Qt 6's dialogs that its French catalogue lacks (found by listing every label of
# the file, print and page-setup dialogs with the catalogue installed).
MISSING = {
    ("QFileDialog", "&Look in:"): "&Voir dans\u00a0:",
    ("QFileDialog", "Files of &type:"): "&Type de fichier\u00a0:",
    ("QPrintSettingsOutput", "Page &Set:"): "&Jeu de pages\u00a0:",
    ("QPageSetupWidget", "Page &order:"): "&Ordre des pages\u00a0:",
    ("QPageSetupWidget", "Pages &per sheet:"): "&Pages par feuille\u00a0:",
}


class _Missing(QTranslator):
    """Asked after Qt's catalogue, for the few strings it does not translate."""

    def translate(self, context, source, disambiguation=None, n=-1):
        return MISSING.get((context, source), "")

    def isEmpty(self) -> bool:
        return False


def install_french_qt() -> bool:
    """Install Qt's French catalogue in the running application (once); True if loaded."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    if _installed or _failed:
        return bool(_installed)
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.French, QLocale.Country.France),
                           "qtbase", "_", folder):
        _failed.append(folder)          # looked for once, not at every dialog
        return False
    fallback = _Missing(app)
    app.installTranslator(fallback)         # the last installed is asked first
    app.installTranslator(translator)
    _installed.extend([fallback, translator])
    return True
