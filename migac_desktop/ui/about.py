"""The « À propos de MIGAC Desktop » dialog: version, licences, illustrative defaults."""

from __future__ import annotations

import html
import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__

# (name shown, distribution for its version or None, licence)
LIBRARIES: tuple[tuple[str, str | None, str], ...] = (
    ("Qt", None, "LGPL v3"),
    ("PySide6 et Shiboken6 (Qt pour Python)", None, "LGPL v3"),
    ("pandas", "pandas", "BSD 3 clauses"),
    ("NumPy", "numpy", "BSD 3 clauses"),
    ("openpyxl", "openpyxl", "MIT"),
    ("matplotlib", "matplotlib", "licence matplotlib, fondée sur la licence PSF"),
    ("defusedxml", "defusedxml", "PSF (Python Software Foundation License)"),
    ("Python", None, "PSF (Python Software Foundation License)"),
)


def _version(name: str, dist: str | None) -> str:
    if name == "Qt":
        return qVersion()
    if name.startswith("PySide6"):
        return pyside_version
    if name == "Python":
        return platform.python_version()
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def about_text() -> str:
    """The dialog's rich text (also what the tests read)."""
    rows = "".join(f"<li>{html.escape(name)} {html.escape(_version(name, dist))} — {html.escape(licence)}</li>"
                   for name, dist, licence in LIBRARIES)
    return (f"<h3>MIGAC Desktop {__version__}</h3>"
            "<p>Répartition de la MIG SAMU entre les centres de réception et de régulation des "
            "appels (CRRA) : référentiel de moyens, effet revenu et lissage.</p>"
            "<p><b>Les paramètres par défaut sont illustratifs</b> (coûts des ETP, référentiel, "
            "frais) : ce ne sont pas les valeurs officielles de la DGOS. Chargez vos propres "
            "valeurs depuis votre fichier de scénario. Les exemples fournis sont fictifs.</p>"
            f"<p>Bibliothèques utilisées et leurs licences :</p><ul>{rows}</ul>"
            "<p>Qt et PySide6 sont utilisés sous la licence LGPL v3 : leur code source est "
            "publié par The Qt Company (qt.io), et vous pouvez les remplacer par une version "
            "modifiée. Le bouton « À propos de Qt » en donne le détail.</p>")


def show_about(parent: QWidget) -> None:
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle("À propos de MIGAC Desktop")
    box.setText(about_text())
    icon = parent.windowIcon()
    if not icon.isNull():
        box.setIconPixmap(icon.pixmap(64, 64))
    about_qt = box.addButton("À propos de Qt", QMessageBox.ButtonRole.HelpRole)
    close = box.addButton("Fermer", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    box.exec()
    if box.clickedButton() is about_qt:
        QMessageBox.aboutQt(parent, "À propos de Qt")
