"""Printing the report: one page layout for the print preview, the printer and the PDF.

The report's content comes built from the Qt-free reporting layer
(:func:`migac_desktop.reporting.report.build_report`); this package only lays it out
on pages and paints them with a ``QPainter``:

- :mod:`.fonts`: matplotlib's DejaVu Sans registered with Qt, and :class:`Fonts`, text
  measured with fixed, device-independent metrics, so that the preview, the printer
  and the PDF have the same pages;
- :mod:`.boxes`, :mod:`.layout`, :mod:`.tables`: :class:`ReportLayout` flows the blocks
  of each section onto pages of a given size (in points);
- :mod:`.paint`: :func:`paint_report` paints the pages on any ``QPagedPaintDevice``;
- :mod:`.pdf`: :func:`write_pdf` and :func:`write_report_pdf` write the PDF
  (atomically); :func:`write_report_pdf` is what ``migac report`` calls, with no window;
- :mod:`.notifications`: :func:`write_notification_pdfs`, one A4 PDF per hospital
  (``migac notify`` and the window's notifications);
- :mod:`.actions`: :class:`ReportPrinter` gives the window its three actions (Aperçu
  avant impression, Imprimer, Exporter en PDF).

The names below are the package's public face: import them from here.
"""

from .actions import NATIONAL, PDF_FILTER, ReportPrinter, ReportScopeDialog, fit_to_screen
from .boxes import MM, Box, Page
from .fonts import FAMILY, MEASURE_DPI, Fonts, chart_format, ensure_fonts, has_svg
from .layout import ReportLayout
from .notifications import NotificationLayout, NotificationRun, write_notification_pdfs
from .paint import layout_for, page_size_points, paint_report, printer_pages
from .pdf import pdf_bytes, write_pdf, write_report_pdf

__all__ = [
    "FAMILY", "MEASURE_DPI", "MM", "NATIONAL", "PDF_FILTER", "Box", "Fonts", "Page",
    "ReportLayout", "ReportPrinter", "ReportScopeDialog", "chart_format",
    "ensure_fonts", "fit_to_screen", "has_svg", "layout_for",
    "page_size_points", "paint_report", "pdf_bytes", "printer_pages", "write_pdf",
    "write_report_pdf", "NotificationLayout", "NotificationRun", "write_notification_pdfs",
]
