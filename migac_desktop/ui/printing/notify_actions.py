"""« Notifications aux établissements… » (Fichier): one PDF per hospital, from the window.

A small dialog chooses the scope (the working region, or the whole scenario) and the
folder (remembered); files already there are listed and replaced only when the user
says « Remplacer »; the PDFs are written in a worker thread behind a progress dialog
with « Annuler » (:func:`migac_desktop.ui.jobs.run_job`), then a summary says how
many were written, and where. The same files as ``migac notify``: ``<FINESS>.pdf``
and ``notifications.csv``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from ...core.french import plural
from ..jobs import run_job
from ..settings import notifications_folder, set_notifications_folder
from .fonts import Fonts, ensure_fonts

TITLE = "Notifications aux établissements"
CSV_NAME = "notifications.csv"
# Files listed by name in the question; the others are counted.
LISTED_FILES = 12


class NotifyDialog(QDialog):
    """The scope (working region or whole scenario) and the folder of the notifications."""

    def __init__(self, working_region: str | None, counts: dict[str | None, int], folder: str,
                 parent=None):
        super().__init__(parent)
        self.setObjectName("notifyDialog")
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        layout = QVBoxLayout(self)
        intro = QLabel("Une notification PDF (A4) par établissement (FINESS) : ses dotations de "
                       "chaque année, le détail du calcul de chacun de ses CRRA et les paramètres "
                       "nationaux. Le fichier notifications.csv les résume.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.scope = QButtonGroup(self)
        self.region_button = QRadioButton()
        self.region_button.setObjectName("notifyScopeRegion")
        self.all_button = QRadioButton(
            f"Tout le &scénario ({plural(counts[None], 'établissement')})")
        self.all_button.setObjectName("notifyScopeAll")
        self.all_button.setAccessibleName("Tout le scénario")
        self.working_region = working_region
        if working_region is not None:
            self.region_button.setText(f"&Région de travail : {working_region} "
                                       f"({plural(counts[working_region], 'établissement')})")
            self.region_button.setChecked(True)
        else:
            self.region_button.setText("&Région de travail : aucune (choisissez-la dans "
                                       "l'onglet CRRA)")
            self.region_button.setEnabled(False)
            self.all_button.setChecked(True)
        self.region_button.setAccessibleName("Région de travail")
        for button in (self.region_button, self.all_button):
            self.scope.addButton(button)
            layout.addWidget(button)
        form = QFormLayout()
        row = QHBoxLayout()
        self.folder = QLineEdit(folder)
        self.folder.setObjectName("notifyFolder")
        self.folder.setAccessibleName("Dossier des notifications")
        self.folder.setMinimumWidth(360)
        browse = QPushButton("&Parcourir…")
        browse.setObjectName("notifyBrowse")
        browse.setAccessibleName("Choisir le dossier des notifications")
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        label = QLabel("&Dossier :")
        label.setBuddy(self.folder)
        form.addRow(label, row)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Écrire les notifications")
        ok.setObjectName("notifyWrite")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Dossier des notifications",
                                                  self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _accept(self) -> None:
        if not self.folder.text().strip():
            QMessageBox.warning(self, TITLE, "Choisissez le dossier où écrire les notifications.")
            self.folder.setFocus()
            return
        self.accept()

    def region(self) -> str | None:
        """The region chosen, None for the whole scenario."""
        return self.working_region if self.region_button.isChecked() else None

    def chosen_folder(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()


class Notifier(QObject):
    """The window's « Notifications aux établissements… »."""

    SHOW_PROGRESS_AFTER_MS = 500

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.document = window.document
        self._fonts: Fonts | None = None        # measured text, kept from run to run
        self.last_run = None

    def settings(self):
        return getattr(self.window, "settings", None)

    def counts(self) -> dict[str | None, int]:
        est = self.document.results.establishments
        counts: dict[str | None, int] = {None: len(est)}
        for region, n in est.groupby(est["region"].astype(str)).size().items():
            counts[str(region)] = int(n)
        return counts

    def notify(self, region=..., folder: str | Path | None = None) -> int | None:
        """Ask (scope and folder, unless given), confirm any replacement, write; returns
        how many notifications were written, None when nothing was (cancelled, told)."""
        if self.document.results is None:
            self.window.show_message("Notifications indisponibles : le scénario contient des "
                                     "erreurs (voir le panneau « Problèmes »).")
            return None
        working = self.document.working_region
        if working not in self.document.result_region_names():
            working = None
        if region is ... or folder is None:
            dialog = NotifyDialog(working, self.counts(),
                                  str(folder or notifications_folder(self.settings())), self.window)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            region, folder = dialog.region(), dialog.chosen_folder()
        folder = Path(folder)
        set_notifications_folder(str(folder), self.settings())
        from ...reporting.notification import notified_establishments

        chosen = [str(f) for f in notified_establishments(self.document.results, region)["finess"]]
        existing = [name for name in [f"{f}.pdf" for f in chosen] + [CSV_NAME]
                    if (folder / name).exists()]
        if existing and not self.confirm_replace(folder, existing):
            self.window.show_message("Notifications annulées : aucun fichier remplacé.")
            return None
        return self._write(region, folder, chosen)

    def confirm_replace(self, folder: Path, existing: list[str]) -> bool:
        """« Remplacer » or « Annuler », the files already in ``folder`` listed."""
        shown = existing[:LISTED_FILES]
        more = len(existing) - len(shown)
        listing = "\n".join(f"  {name}" for name in shown)
        if more:
            listing += f"\n  … et {plural(more, 'autre fichier', 'autres fichiers')}"
        box = QMessageBox(QMessageBox.Icon.Warning, TITLE,
                          f"Le dossier « {folder} » contient déjà "
                          f"{plural(len(existing), 'fichier')} du même nom :\n\n{listing}\n\n"
                          "Les remplacer par les nouvelles notifications ?", parent=self.window)
        box.setObjectName("notifyReplace")
        replace = box.addButton("Remplacer", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is replace

    def _write(self, region: str | None, folder: Path, chosen: list[str]) -> int | None:
        from ...io.notifications_csv import write_notifications_csv
        from ...oserrors import os_reason
        from ...reporting.figures import ReportCancelled
        from ...reporting.notification import notified_establishments
        from .notifications import NotificationRun, write_notification_pdfs

        ensure_fonts()                      # font registration stays on the GUI thread
        if self._fonts is None:
            self._fonts = Fonts()
        results = self.document.results
        for name in ("crra", "regions", "establishments"):
            getattr(results, name)          # frames built here, read by the thread
        scenario = self.document.scenario.copy()
        source, unsaved, fonts = self.document.path, self.document.modified, self._fonts
        run = NotificationRun()
        self.last_run = run

        def work(progress):
            write_notification_pdfs(scenario, results, folder, source=source, unsaved=unsaved,
                                    finess=chosen, progress=progress, fonts=fonts, run=run)
            write_notifications_csv(results, notified_establishments(results, region), folder)
            return run

        job = run_job(self.window, "Écriture des notifications…", work, title=TITLE,
                      name="notifyProgress", cancel="Annuler", cancelled_by=(ReportCancelled,),
                      show_after_ms=self.SHOW_PROGRESS_AFTER_MS)
        written = len(run.paths)
        if job.cancelled:
            self.window.show_message(
                f"Notifications annulées : {plural(written, 'notification écrite', 'notifications écrites')} "
                f"dans « {folder} » avant l'arrêt.")
            return None
        if job.error is not None:
            error = job.error
            text = (f"« {getattr(error, 'filename', None) or folder} » : {os_reason(error)}"
                    if isinstance(error, OSError) else str(error))
            QMessageBox.critical(self.window, TITLE,
                                 f"Les notifications n'ont pas pu être écrites : {text}."
                                 + (f"\n\n{plural(written, 'notification écrite', 'notifications écrites')} "
                                    "avant l'erreur." if written else ""))
            return None
        summary = (f"{plural(written, 'notification écrite', 'notifications écrites')} dans "
                   f"« {folder} »" + (f" (région {region})" if region else "") + ".")
        self.window.show_message(summary)
        box = QMessageBox(QMessageBox.Icon.Information, TITLE, summary, parent=self.window)
        box.setObjectName("notifySummary")
        box.exec()
        return written
