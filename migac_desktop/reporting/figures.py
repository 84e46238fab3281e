"""The report's charts, drawn at print size into SVG (vector) or 300 dpi PNG, without Qt.

The chart builders of :mod:`migac_desktop.reporting.charts` draw into a matplotlib
``Figure`` of the size the chart has on paper (so 8,5 pt tick labels are 8,5 pt on
the page); this module turns each figure into bytes that the Qt layer paints:

- SVG, with text kept as text (``svg.fonttype = "none"``): vector at any zoom, the
  words of the charts stay searchable in the PDF, and the file is five times smaller
  than with glyph outlines. The Qt layer registers matplotlib's own DejaVu Sans, so
  the text is drawn with the font it was measured with;
- PNG at 300 dpi, when the Qt build has no QtSvg module.

Speed (the national report draws 28 charts): the figures here are drawn at 72 dpi on
a canvas whose text measurements share one memoised ``TextToPath`` with the renderer
that writes the SVG, so each string is measured once per process (see
:mod:`.text_metrics`, the one module that reaches into matplotlib's internals). On Linux,
:func:`render_charts` can also fan the charts out to forked worker processes (the
command line does; the window, which has Qt threads, does not).
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import charts
from .text_metrics import PrintCanvas, draw_svg, text2path

MM_PER_INCH = 25.4
PNG_DPI = 300
# Fixed ids in the SVG (clip paths…): the same report gives the same bytes.
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "migac-rapport"}


@dataclass
class Chart:
    """One chart of the report: what to draw, its size on paper, and once drawn its bytes.

    ``kind``: ``"comparison"`` (regions, historic against modelled), ``"smoothing"``
    (``level`` and ``key`` as :func:`charts.draw_smoothing`) or ``"region_crra"``
    (the smoothing paths of the CRRA of region ``key``). A chart of something other
    than the results (the differences with a reference scenario) brings its own
    ``drawer(fig)``; it is drawn in this process, never in a worker.
    """

    kind: str
    width_mm: float
    height_mm: float
    title: str
    level: str = "national"
    key: object = None
    historic_year: int = 2013
    format: str = ""          # "svg" or "png" once rendered
    data: bytes = field(default=b"", repr=False)
    drawer: Callable[[Figure], Figure] | None = field(default=None, repr=False, compare=False)

    @property
    def rendered(self) -> bool:
        return bool(self.data)

    def task(self) -> tuple:
        return (self.kind, self.width_mm, self.height_mm, self.level, self.key,
                self.historic_year)


class ReportCancelled(Exception):
    """The user stopped the building of the report."""


# -- drawing ---------------------------------------------------------------------
def _new_figure(width_mm: float, height_mm: float, fmt: str) -> Figure:
    size = (width_mm / MM_PER_INCH, height_mm / MM_PER_INCH)
    if fmt == "svg":
        fig = Figure(figsize=size, dpi=72)      # one unit = one point, as in the SVG
        PrintCanvas(fig)
    else:
        fig = Figure(figsize=size, dpi=PNG_DPI)
        FigureCanvasAgg(fig)
    return fig


def draw(fig: Figure, results, kind: str, level: str = "national", key: object = None,
         historic_year: int = 2013) -> Figure:
    """Draw chart ``kind`` of ``results`` into ``fig`` with the shared builders."""
    if kind == "comparison":
        return charts.draw_comparison_bars(fig, results, historic_year=historic_year)
    if kind == "smoothing":
        return charts.draw_smoothing(fig, results, level, key, historic_year=historic_year)
    if kind == "region_crra":
        return charts.draw_region_crra_trajectories(fig, results, key,
                                                    historic_year=historic_year)
    if kind in ("waterfall", "tornado"):      # ``key``: the Waterfall or Tornado drawn
        from . import tornado_chart, waterfall_chart
        if kind == "waterfall":
            return waterfall_chart.draw_waterfall(fig, key, historic_year)
        return tornado_chart.draw_tornado(fig, key)
    raise ValueError(f"graphique inconnu : {kind}")


def _figure_bytes(fig: Figure, fmt: str) -> bytes:
    if fmt == "png":
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=PNG_DPI, facecolor="white")
        return buffer.getvalue()
    with matplotlib.rc_context(_SVG_RC):
        try:
            svg = draw_svg(fig)
        except (AttributeError, TypeError):  # pragma: no cover - other matplotlib internals
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None})
            svg = out.getvalue()
    return exact_font_sizes(svg).encode("utf-8")


_TEXT_ELEMENT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_FONT_SIZE = re.compile(r"font-size:\s*([0-9.]+)px")
_TEXT_SCALE = 100.0


def exact_font_sizes(svg: str) -> str:
    """Text at its exact size in QtSvg, which truncates font sizes to whole units.

    The charts' text is 8,5 pt in an SVG whose unit is the point: QtSvg would draw
    it at 8 pt, 6 % narrower than measured (value labels would float off their
    boxes). Each ``<text>`` is written 100 times larger in a ``scale(0.01)``, which
    draws the same text at 850/100 = 8,5 pt.
    """
    def scaled(match: re.Match) -> str:
        attrs, body = match.group(1), match.group(2)
        size = _FONT_SIZE.search(attrs)
        if size is None or "<tspan" in body:
            return match.group(0)
        k = _TEXT_SCALE
        attrs = attrs.replace(size.group(0), f"font-size: {float(size.group(1)) * k:.6g}px", 1)
        for name in ("x", "y"):
            found = re.search(rf'\s{name}="([-+0-9.eE]+)"', attrs)
            if found:
                attrs = attrs.replace(found.group(0), f' {name}="{float(found.group(1)) * k:.2f}"', 1)
        transform = re.search(r'transform="([^"]*)"', attrs)
        if transform:
            attrs = attrs.replace(transform.group(0),
                                  f'transform="{transform.group(1)} scale({1 / k:g})"', 1)
        else:
            attrs += f' transform="scale({1 / k:g})"'
        return f"<text{attrs}>{body}</text>"

    return _TEXT_ELEMENT.sub(scaled, svg)


def render_task(results, task: tuple, fmt: str = "svg") -> bytes:
    """The bytes of one chart (``Chart.task()``) in ``fmt`` ("svg" or "png")."""
    kind, width_mm, height_mm, level, key, historic_year = task
    text2path()
    fig = _new_figure(width_mm, height_mm, fmt)
    draw(fig, results, kind, level, key, historic_year)
    return _figure_bytes(fig, fmt)


# -- many charts ---------------------------------------------------------------------
_WORKER_RESULTS = None          # the results, inherited by forked workers


def _worker(task: tuple, fmt: str) -> bytes:
    return render_task(_WORKER_RESULTS, task, fmt)


def can_fork() -> bool:
    """Whether worker processes may be forked here (Linux only: macOS and Windows
    spawn, which would re-import everything and cost more than it saves)."""
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2


def render_charts(results, chart_list: list[Chart], fmt: str = "svg", *,
                  parallel: bool = False,
                  progress: Callable[[str], bool | None] | None = None) -> None:
    """Render every chart of ``chart_list`` not yet rendered, in place.

    ``progress(title)`` is called after each chart; returning ``False`` stops with
    :class:`ReportCancelled`. With ``parallel`` (and :func:`can_fork`), the charts
    are shared between forked worker processes; any failure of the pool falls back
    to drawing in this process.
    """
    todo = [c for c in chart_list if not c.rendered or c.format != fmt]
    if not todo:
        return

    def done(chart: Chart, data: bytes) -> None:
        chart.data, chart.format = data, fmt
        if progress is not None and progress(chart.title) is False:
            raise ReportCancelled()

    for chart in [c for c in todo if c.drawer is not None]:
        text2path()
        fig = _new_figure(chart.width_mm, chart.height_mm, fmt)
        chart.drawer(fig)
        done(chart, _figure_bytes(fig, fmt))
    todo = [c for c in todo if c.drawer is None]
    if parallel and len(todo) >= 6 and can_fork():
        try:
            _render_in_pool(results, todo, fmt, done)
            return
        except ReportCancelled:
            raise
        except Exception:  # noqa: BLE001 - a broken pool is not a broken report
            todo = [c for c in todo if not c.rendered or c.format != fmt]
    for chart in todo:
        done(chart, render_task(results, chart.task(), fmt))


_COST = {"comparison": 5.0, "region_crra": 1.5, "smoothing": 1.0}


def _render_in_pool(results, todo: list[Chart], fmt: str, done) -> None:
    """Share the charts between this process and ``cpu_count - 1`` forked workers.

    This process draws one chart first, so that the workers inherit warm caches
    (fonts, glyph metrics), then draws its own share while they draw theirs; charts
    are dealt by estimated cost, the longest first.
    """
    import concurrent.futures as futures
    import gc
    import multiprocessing

    global _WORKER_RESULTS
    workers = max(1, min(os.cpu_count() or 2, 4) - 1)
    # Frames that the builders read are built once, before the fork.
    for name in ("crra", "regions", "establishments"):
        getattr(results, name)
    first = min(todo, key=lambda c: (_COST.get(c.kind, 1.0), c.kind != "smoothing"))
    done(first, render_task(results, first.task(), fmt))
    rest = sorted((c for c in todo if c is not first), key=lambda c: -_COST.get(c.kind, 1.0))
    loads = [0.0] * (workers + 1)                   # index 0: this process
    shares: list[list[Chart]] = [[] for _ in loads]
    for chart in rest:
        k = min(range(len(loads)), key=lambda i: loads[i])
        shares[k].append(chart)
        loads[k] += _COST.get(chart.kind, 1.0)
    _WORKER_RESULTS = results
    # Objects the collector leaves alone stay shared with the workers (copy on write):
    # without this, a collection in a worker copies half the parent's memory.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            pending = {}
            for share in shares[1:]:
                for chart in share:
                    pending[pool.submit(_worker, chart.task(), fmt)] = chart
            try:
                for chart in shares[0]:
                    done(chart, render_task(results, chart.task(), fmt))
                    for future in [f for f in pending if f.done()]:
                        done(pending.pop(future), future.result())
                for future in futures.as_completed(list(pending)):
                    done(pending.pop(future), future.result())
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
    finally:
        gc.unfreeze()
        _WORKER_RESULTS = None
