"""The window's three report actions: Aperçu avant impression, Imprimer, Exporter en PDF.

Region choice, building in a worker thread behind a progress dialog when it takes
more than half a second (:func:`migac_desktop.ui.jobs.run_job`), then the preview,
the print dialog or the file dialog.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
)

from ...core.french import strip_accents
from ..jobs import run_job
from ..settings import last_folder
from ..translations import install_french_qt
from .fonts import chart_format, ensure_fonts
from .paint import layout_for, paint_report, printer_pages
from .pdf import _a4_layout, write_pdf

NATIONAL = "Rapport national"
PDF_FILTER = "Documents PDF (*.pdf)"


def fit_to_screen(widget, width: int, height: int):
    """A dialog's size, no larger than the available screen of ``widget`` (1366×768
    laptops: the preview's page buttons stay on screen)."""
    from PySide6.QtCore import QSize

    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    room = screen.availableGeometry() if screen is not None else None
    if room is None:
        return QSize(width, height)
    return QSize(min(width, room.width() - 40), min(height, room.height() - 60))


class ReportScopeDialog(QDialog):
    """Which report: « Rapport national » or one region."""

    def __init__(self, regions: list[str], current: str | None, title: str, parent=None):
        super().__init__(parent)
        self.setObjectName("reportScopeDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Le rapport national présente toutes les régions ; un rapport "
                                "régional présente une seule région (ce qu'imprime une ARS)."))
        form = QFormLayout()
        self.combo = QComboBox()
        self.combo.setObjectName("reportRegion")
        self.combo.addItem(NATIONAL, None)
        for name in regions:
            self.combo.addItem(f"Région {name}", name)
        index = self.combo.findData(current) if current is not None else 0
        self.combo.setCurrentIndex(max(index, 0))
        form.addRow("&Rapport :", self.combo)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Continuer")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def region(self) -> str | None:
        return self.combo.currentData()


class ReportPrinter(QObject):
    """The report actions of the main window."""

    SHOW_PROGRESS_AFTER_MS = 500

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.document = window.document
        self._layouts: dict = {}
        self._cached = None    # (results, key, report, reference): the last report built
        self.last_preview = None
        self.progress_shown = False    # whether a build lasted long enough to show progress

    # -- choosing and building ----------------------------------------------------------
    def regions(self) -> list[str]:
        return self.document.result_region_names()

    def default_region(self) -> str | None:
        """The working region (chosen in the CRRA tab) is the report proposed first."""
        region = self.document.working_region
        return region if region in self.regions() else None

    def choose_region(self, title: str):
        """The region asked for, ``None`` for the national report, or ``False`` if the
        user cancelled."""
        regions = self.regions()
        if len(regions) <= 1:
            return regions[0] if regions else None
        dialog = ReportScopeDialog(regions, self.default_region(), title, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return dialog.region()

    def _unavailable(self) -> bool:
        if self.document.results is None:
            self.window.show_message("Rapport indisponible : le scénario contient des erreurs "
                                     "(voir le panneau « Problèmes »).")
            return True
        return False

    def _region(self, region, title: str):
        """The report's region (``...``: asked under ``title``; ``None``: national), or
        False when there is no report (told) or the user cancelled."""
        if self._unavailable():
            return False
        return self.choose_region(title) if region is ... else region

    def build(self, region: str | None):
        """The report of the open scenario, or None if cancelled or failed (told)."""
        results = self.document.results
        # Built once, shown three ways: the same results and region give the same report
        # (results are replaced, never changed, by a recompute).
        unsaved = self.document.modified
        # The scenario the window compares with (« Comparer à… »), if any: its section.
        provider = getattr(self.window, "report_reference", None)
        reference = provider() if callable(provider) else None
        key = (region, str(self.document.path or ""), unsaved)
        if self._cached is not None and self._cached[0] is results and self._cached[1] == key \
                and self._cached[3] is reference:
            return self._cached[2]
        for name in ("crra", "regions", "establishments"):
            getattr(results, name)          # frames built here, read by the thread
        scenario = self.document.scenario.copy()
        source, fmt = self.document.path, chart_format()

        def job(progress):
            from ...reporting.report import build_report
            return build_report(scenario, results, region=region, source=source,
                                chart_format=fmt, progress=progress, unsaved=unsaved,
                                reference=reference)

        report = self.run_job(job, "Préparation du rapport", "Le rapport n'a pas pu être préparé")
        if report is not None:
            self._cached = (results, key, report, reference)
        return report

    def run_job(self, func, text: str, failure: str):
        """``func(progress)`` in a worker thread; the window keeps repainting and, past
        half a second, a window-modal progress dialog (with « Annuler ») says where it
        is. Returns the result, or None if cancelled or failed (told)."""
        from ...reporting.report import ReportCancelled

        ensure_fonts()                      # font registration stays on the GUI thread
        job = run_job(self.window, text + "…", func, title="Rapport", name="reportProgress",
                      cancel="Annuler", cancelled_by=(ReportCancelled,),
                      show_after_ms=self.SHOW_PROGRESS_AFTER_MS)
        self.progress_shown = job.shown or self.progress_shown
        if job.error is not None:
            if isinstance(job.error, OSError):
                raise job.error
            QMessageBox.critical(self.window, "Rapport impossible",
                                 f"{failure} :\n\n{job.error}")
            return None
        if job.cancelled:
            self.window.show_message("Rapport annulé.")
            return None
        return job.result

    # -- the three actions ----------------------------------------------------------------
    def new_printer(self, report=None):
        from PySide6.QtPrintSupport import QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(_a4_layout())
        printer.setFullPage(True)
        if report is not None:
            printer.setDocName(f"{report.title} – {report.subtitle}")
        return printer

    def preview(self, region=..., *, modal: bool = True):
        """Aperçu avant impression; returns the dialog (already closed when modal)."""
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        region = self._region(region, "Aperçu avant impression")
        report = None if region is False else self.build(region)
        if report is None:
            return None
        printer = self.new_printer(report)
        install_french_qt()      # Qt's preview and print dialogs in French
        dialog = QPrintPreviewDialog(printer, self.window)
        dialog.printer_ = printer          # the dialog only points to it: keep it alive
        dialog.setObjectName("reportPreview")
        dialog.setWindowTitle(f"Aperçu avant impression — {report.subtitle}")
        dialog.paintRequested.connect(
            lambda device: paint_report(report, device, cache=self._layouts,
                                        pages=None))
        dialog.resize(fit_to_screen(self.window, 1000, 900))
        self.last_preview = dialog
        if modal:
            dialog.exec()
        else:
            dialog.open()
        return dialog

    def print(self, region=..., *, printer=None, ask: bool = True) -> bool:
        """Imprimer… through the print dialog (pages, printer, copies)."""
        from PySide6.QtPrintSupport import QPrintDialog

        region = self._region(region, "Imprimer le rapport")
        report = None if region is False else self.build(region)
        if report is None:
            return False
        printer = printer or self.new_printer(report)
        if ask:
            install_french_qt()      # Qt's preview and print dialogs in French
            dialog = QPrintDialog(printer, self.window)
            dialog.setObjectName("reportPrintDialog")
            dialog.setWindowTitle("Imprimer le rapport")
            dialog.setMinMax(1, layout_for(report, printer, self._layouts).page_count)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
        # The printer chosen may have another paper size: the layout follows it.
        layout = layout_for(report, printer, self._layouts)
        try:
            paint_report(report, printer, layout=layout,
                         pages=printer_pages(printer, layout.page_count))
        except OSError as exc:
            QMessageBox.critical(self.window, "Impression impossible", str(exc))
            return False
        self.window.show_message(f"Rapport envoyé à l'impression ({layout.page_count} pages).")
        return True

    def export_pdf(self, region=..., path: str | os.PathLike | None = None) -> Path | None:
        """Exporter en PDF…; returns the file written."""
        region = self._region(region, "Exporter le rapport en PDF")
        if region is False:
            return None
        if path is None:
            path = self._ask_pdf_path(region)
            if path is None:
                return None
        report = self.build(region)
        if report is None:
            return None
        path = Path(path)
        try:
            layout = self.run_job(lambda progress: write_pdf(report, path, progress=progress),
                                  "Écriture du PDF", "Le PDF n'a pas pu être écrit")
            if layout is None:
                return None
        except OSError as exc:
            from ...oserrors import os_reason
            QMessageBox.critical(self.window, "Export impossible",
                                 f"Le rapport n'a pas pu être écrit dans « {path} » : "
                                 f"{os_reason(exc)}.")
            return None
        self.window.show_message(f"Rapport exporté dans « {path.name} » "
                                 f"({layout.page_count} pages).")
        return path

    def _ask_pdf_path(self, region) -> Path | None:
        folder = Path(last_folder(getattr(self.window, "settings", None)))
        stem = self.document.path.stem if self.document.path else "scenario"
        suffix = "rapport-national" if region is None else f"rapport-{_file_safe(region)}"
        start = str(folder / f"{stem}-{suffix}.pdf")
        chosen, _ = QFileDialog.getSaveFileName(self.window, "Exporter le rapport en PDF", start,
                                                PDF_FILTER)
        if not chosen:
            return None
        if not chosen.lower().endswith(".pdf"):
            chosen += ".pdf"
        return Path(chosen)


def _file_safe(text: str) -> str:
    bare = strip_accents(text)
    return "".join(ch if ch.isalnum() else "-" for ch in bare).strip("-").lower() or "region"
