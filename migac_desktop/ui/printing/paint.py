"""Painting the laid-out pages on any ``QPagedPaintDevice``.

``QPrinter`` for the preview and the printer, ``QPdfWriter`` for the PDF: the page
header (scenario, section) and footer (file, date, « Page N / M »); charts are SVG
drawn as vectors with ``QSvgRenderer`` (or 300 dpi images when QtSvg is missing).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPageLayout, QPainter, QPen

from .boxes import ACCENT, GREY, LIGHT_GREY, RULE
from .layout import ReportLayout


def page_size_points(device) -> tuple[float, float]:
    rect = device.pageLayout().fullRect(QPageLayout.Unit.Point)
    return rect.width(), rect.height()


class _Painter:
    """Paints the layout's pages on one device, converting points to device pixels."""

    def __init__(self, layout: ReportLayout, painter: QPainter, resolution: float):
        self.layout = layout
        self.painter = painter
        self.scale = resolution / 72.0
        self.fonts = layout.fonts
        self._device_metrics: dict[tuple, QFontMetricsF] = {}
        self._charts: dict[int, object] = {}
        self._pens: dict[tuple, QPen] = {}

    def _metrics(self, key) -> QFontMetricsF:
        fm = self._device_metrics.get(key)
        if fm is None:
            fm = QFontMetricsF(self.fonts.font(key), self.painter.device())
            self._device_metrics[key] = fm
        return fm

    def _pen(self, colour, width, dotted=False) -> QPen:
        key = (colour, width, dotted)
        pen = self._pens.get(key)
        if pen is None:
            pen = QPen(QColor(colour))
            pen.setWidthF(max(width * self.scale, 1.0))
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if dotted:
                pen.setStyle(Qt.PenStyle.DotLine)
            self._pens[key] = pen
        return pen

    def text(self, x, y, key, colour, text, align="left") -> None:
        p = self.painter
        s = self.scale
        p.setFont(self.fonts.font(key))
        p.setPen(QColor(colour))
        if align != "left":
            width = self._metrics(key).horizontalAdvance(text)
            x = x * s - (width if align == "right" else width / 2)
            p.drawText(QPointF(x, y * s), text)
        else:
            p.drawText(QPointF(x * s, y * s), text)

    def page(self, index: int) -> None:
        layout = self.layout
        page = layout.pages[index]
        p = self.painter
        s = self.scale
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for op in page.ops:
            kind = op[0]
            if kind == "text":
                _, x, y, key, colour, text, align = op
                self.text(x, y, key, colour, text, align)
            elif kind == "rect":
                _, x, y, w, h, fill, stroke, stroke_width = op
                rect = QRectF(x * s, y * s, w * s, h * s)
                if fill:
                    p.fillRect(rect, QColor(fill))
                if stroke:
                    p.setPen(self._pen(stroke, stroke_width))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(rect)
            elif kind == "line":
                _, x1, y1, x2, y2, colour, width, dotted = op
                p.setPen(self._pen(colour, width, dotted))
                p.drawLine(QPointF(x1 * s, y1 * s), QPointF(x2 * s, y2 * s))
            elif kind == "chart":
                _, chart, x, y, w, h = op
                self.chart(chart, QRectF(x * s, y * s, w * s, h * s))
            elif kind == "pageref":
                _, x, y, key, colour, section_id = op
                number = layout.section_pages.get(section_id)
                self.text(x, y, key, colour, str(number) if number else "", "right")
        self.header_footer(index)
        p.restore()

    def chart(self, chart, rect: QRectF) -> None:
        p = self.painter
        if not chart.data:
            p.setPen(QColor(LIGHT_GREY))
            p.drawRect(rect)
            return
        if chart.format == "svg":
            renderer = self._charts.get(id(chart))
            if renderer is None:
                from PySide6.QtSvg import QSvgRenderer
                renderer = QSvgRenderer(QByteArray(chart.data))
                self._charts[id(chart)] = renderer
            # The SVG's text names family, size and weight but no style: it takes the
            # rest from the painter's font, which must not be the italic of a note.
            p.setFont(self.fonts.font(("r", 8.0)))
            renderer.render(p, rect)
        else:
            image = self._charts.get(id(chart))
            if image is None:
                image = QImage.fromData(chart.data)
                self._charts[id(chart)] = image
            p.drawImage(rect, image)

    def header_footer(self, index: int) -> None:
        layout = self.layout
        report = layout.report
        page = layout.pages[index]
        key = ("r", 7.5)
        left, right = layout.left, layout.width - layout.MARGIN_X
        width = right - left
        if index > 0 or page.section.id != "titre":
            label = page.section.label
            label_width = self.fonts.width(("b", 7.5), label)
            title = self.fonts.elide(key, report.header_text, width - label_width - 20)
            self.text(left, layout.HEADER_BASELINE, key, GREY, title)
            self.text(right, layout.HEADER_BASELINE, ("b", 7.5), ACCENT, label, "right")
            p = self.painter
            s = self.scale
            p.setPen(self._pen(RULE, 0.6))
            p.drawLine(QPointF(left * s, layout.HEADER_RULE * s),
                       QPointF(right * s, layout.HEADER_RULE * s))
        rule_y = layout.height - layout.FOOTER_RULE
        base_y = layout.height - layout.FOOTER_BASELINE
        p = self.painter
        s = self.scale
        p.setPen(self._pen(RULE, 0.6))
        p.drawLine(QPointF(left * s, rule_y * s), QPointF(right * s, rule_y * s))
        number = f"Page {index + 1} / {layout.page_count}"
        footer = self.fonts.elide(key, report.footer_text,
                                  width - self.fonts.width(key, number) - 20)
        self.text(left, base_y, key, GREY, footer)
        self.text(right, base_y, key, GREY, number, "right")


def layout_for(report, device, cache: dict | None = None) -> ReportLayout:
    """The layout of ``report`` for the page size of ``device`` (cached by size)."""
    width, height = page_size_points(device)
    key = (id(report), round(width, 2), round(height, 2))
    if cache is not None and key in cache:
        return cache[key]
    layout = ReportLayout(report, width, height)
    if cache is not None:
        cache[key] = layout
    return layout


def paint_report(report, device, *, layout: ReportLayout | None = None,
                 pages: list[int] | None = None, cache: dict | None = None,
                 progress=None) -> ReportLayout:
    """Paint ``report`` on ``device`` (a QPrinter with full-page coordinates or a
    QPdfWriter without margins); ``pages``: 0-based page indices (default all).
    ``progress(done, total, text)`` after each page; False stops (ReportCancelled)."""
    if layout is None:
        layout = layout_for(report, device, cache)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("le périphérique d'impression n'a pas pu être ouvert")
    try:
        resolution = device.resolution()
        worker = _Painter(layout, painter, resolution)
        indices = list(range(layout.page_count)) if pages is None else pages
        for n, index in enumerate(indices):
            if n:
                device.newPage()
            worker.page(index)
            if progress is not None and \
                    progress(n + 1, len(indices), f"Page {n + 1} / {len(indices)}") is False:
                from ...reporting.report import ReportCancelled
                raise ReportCancelled()
    finally:
        painter.end()
    return layout


def printer_pages(printer, page_count: int) -> list[int]:
    """The pages the print dialog asked for (« Pages de … à … »), 0-based."""
    from PySide6.QtPrintSupport import QPrinter

    if printer.printRange() == QPrinter.PrintRange.PageRange:
        first = max(printer.fromPage(), 1)
        last = min(printer.toPage() or page_count, page_count)
        return list(range(first - 1, last))
    return list(range(page_count))
