"""The report's PDF (A4, written atomically), also without a window (``migac report``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter

from ...io.atomic import write_atomically
from .fonts import MEASURE_DPI, chart_format
from .layout import ReportLayout
from .paint import paint_report


def _a4_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(0, 0, 0, 0))


def pdf_bytes(report, *, layout: ReportLayout | None = None,
              progress=None) -> tuple[bytes, ReportLayout]:
    """The PDF of ``report`` (A4), and its layout."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(MEASURE_DPI)
    writer.setPageLayout(_a4_layout())
    writer.setTitle(f"{report.title} – {report.subtitle}")
    writer.setCreator("MIGAC Desktop")
    layout = paint_report(report, writer, layout=layout, progress=progress)
    del writer
    buffer.close()
    return bytes(buffer.data()), layout


def write_pdf(report, path: str | os.PathLike, *, progress=None) -> ReportLayout:
    """Write the PDF of ``report`` to ``path`` atomically (a failed write leaves any
    existing file untouched). Raises ``OSError`` naming ``path``."""
    path = Path(path)
    data, layout = pdf_bytes(report, progress=progress)
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    return layout


_headless_app = None


def _ensure_gui_application():
    """A QGuiApplication for painting without a window (``migac report``): offscreen
    unless the caller chose a platform."""
    global _headless_app
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _headless_app = QGuiApplication([sys.argv[0] if sys.argv else "migac"])
        app = _headless_app
    return app


def write_report_pdf(scenario, results, path, *, region: str | None = None,
                     source: str | os.PathLike | None = None,
                     parallel: bool | None = None, reference=None) -> ReportLayout:
    """Build the report of ``scenario`` (national, or of ``region``) and write its PDF.

    The entry point of ``migac report``. ``parallel``: draw the charts in forked
    worker processes; by default only without widgets (the command line, scripts),
    never beside a window. The children only draw with matplotlib and never touch Qt.
    ``reference``: a :class:`~migac_desktop.reporting.report_reference.Reference` to
    compare with (``migac report --reference``).
    """
    from PySide6.QtWidgets import QApplication

    from ...reporting.report import build_report

    if parallel is None:
        parallel = not isinstance(QGuiApplication.instance(), QApplication)
    fmt = chart_format()
    # Charts first: worker processes are forked before Qt starts any thread.
    report = build_report(scenario, results, region=region, source=source,
                          chart_format=fmt, parallel=parallel, reference=reference)
    _ensure_gui_application()
    return write_pdf(report, path)
