"""« Imprimer la sélection… » and « Sélection en PDF… » of any table: the selected cells as
the table shows them, printed with the report's page layout (reporting/selection_report.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from ...core.french import plural
from ..settings import last_folder
from ..translations import install_french_qt
from .actions import PDF_FILTER, _a4_layout
from .fonts import ensure_fonts
from .paint import layout_for, paint_report, printer_pages
from .pdf import write_pdf

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)


def selection_cells(view) -> tuple[list[str], list[list[str]], list[bool]]:
    """Headers, rows and numeric flags of the selection: its rows in their order on screen,
    its visible columns in theirs (whole rows selected: every visible column)."""
    rows, cols = view.selected_block()
    model = view.model()
    if not rows or not cols or model is None:
        return [], [], []
    headers = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in cols]
    cells = [[str(model.data(model.index(r, c), DISPLAY) or "") for c in cols] for r in rows]
    numeric = []
    for c in cols:
        align = model.data(model.index(rows[0], c), ALIGNMENT)
        flags = Qt.AlignmentFlag(int(align)) if align is not None else Qt.AlignmentFlag.AlignLeft
        numeric.append(bool(flags & Qt.AlignmentFlag.AlignRight))
    return headers, cells, numeric


def selection_report_of(view):
    """The report of ``view``'s selection, or None when nothing is selected."""
    from ...reporting.selection_report import selection_report
    headers, rows, numeric = selection_cells(view)
    if not rows:
        return None
    document = getattr(view.window(), "document", None)
    path = getattr(document, "path", None)
    scenario = getattr(document, "scenario", None)
    title = (scenario.title if scenario is not None else "") or (path.name if path else "Scénario MIG SAMU")
    name = view.accessibleName() or "Tableau"
    return selection_report(name, headers, rows, numeric, title=title,
                            source=path.name if path else "scénario non enregistré",
                            total_rows=view.model().rowCount(),
                            unsaved=bool(getattr(document, "modified", False)))


def _nothing_selected(view) -> None:
    QMessageBox.information(view, "Imprimer la sélection",
                            "Sélectionnez d'abord des cellules ou des lignes du tableau.")


def print_selection(view, printer=None, *, ask: bool = True) -> bool:
    """Imprimer la sélection… through Qt's print dialog (in French)."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    report = selection_report_of(view)
    if report is None:
        _nothing_selected(view)
        return False
    ensure_fonts()
    if printer is None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(_a4_layout())
        printer.setFullPage(True)
        printer.setDocName(f"{report.title} – {report.subtitle}")
    cache: dict = {}
    if ask:
        install_french_qt()
        dialog = QPrintDialog(printer, view)
        dialog.setObjectName("selectionPrintDialog")
        dialog.setWindowTitle("Imprimer la sélection")
        dialog.setMinMax(1, layout_for(report, printer, cache).page_count)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
    layout = layout_for(report, printer, cache)
    try:
        paint_report(report, printer, layout=layout, pages=printer_pages(printer, layout.page_count))
    except OSError as exc:
        QMessageBox.critical(view, "Impression impossible", str(exc))
        return False
    _tell(view, f"Sélection envoyée à l'impression ({plural(layout.page_count, 'page')}).")
    return True


def selection_pdf(view, path: str | Path | None = None) -> Path | None:
    """Sélection en PDF…: the file chosen (or ``path``), written atomically."""
    report = selection_report_of(view)
    if report is None:
        _nothing_selected(view)
        return None
    if path is None:
        start = str(Path(last_folder()) / "selection.pdf")
        chosen, _ = QFileDialog.getSaveFileName(view, "Enregistrer la sélection en PDF", start, PDF_FILTER)
        if not chosen:
            return None
        path = chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf"
    path = Path(path)
    ensure_fonts()
    try:
        layout = write_pdf(report, path)
    except OSError as exc:
        from ...oserrors import os_reason
        QMessageBox.critical(view, "Export impossible",
                             f"La sélection n'a pas pu être écrite dans « {path} » : {os_reason(exc)}. "
                             "Le fichier existant n'a pas été modifié.")
        return None
    _tell(view, f"Sélection enregistrée dans « {path.name} » ({plural(layout.page_count, 'page')}).")
    return path


def _tell(view, text: str) -> None:
    message = getattr(view, "message", None)
    if message is not None:
        message.emit(text)
