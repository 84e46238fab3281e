"""The report's charts, drawn at print size into SVG (vector) or 300 dpi PNG, without Qt.

The chart builders of :mod:`migac_desktop.reporting.charts` draw into a matplotlib
``Figure`` of the size the chart has on paper (so 8,5 pt tick labels are 8,5 pt on
the page); this module turns each figure into bytes that the Qt layer paints:

- SVG, with text kept as text (``svg.fonttype = "none"``): vector at any zoom, the
  words of the charts stay searchable in the PDF, and the file is five times smaller
  than with glyph outlines. The Qt layer registers matplotlib's own DejaVu Sans, so
  the text is drawn with the font it was measured with;
- PNG at 300 dpi, when the Qt build has no QtSvg module.

Speed (the national report draws 28 charts): matplotlib measures every text with a
``TextToPath`` at 100 px, which dominates the drawing time, and measures the same
strings again on every renderer it creates. The figures here are drawn at 72 dpi on
a canvas whose measuring renderer shares one memoised ``TextToPath`` with the
renderer that writes the SVG, so each string is measured once per process. On Linux,
:func:`render_charts` can also fan the charts out to forked worker processes (the
command line does; the window, which has Qt threads, does not).
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass, field
from typing import Callable

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.figure import Figure
from matplotlib.textpath import TextToPath

from . import charts

MM_PER_INCH = 25.4
PNG_DPI = 300
# Fixed ids in the SVG (clip paths…): the same report gives the same bytes.
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "migac-rapport"}


@dataclass
class Chart:
    """One chart of the report: what to draw, its size on paper, and once drawn its bytes.

    ``kind``: ``"comparison"`` (regions, historic against modelled), ``"smoothing"``
    (``level`` and ``key`` as :func:`charts.draw_smoothing`) or ``"region_crra"``
    (the smoothing paths of the CRRA of region ``key``).
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

    @property
    def rendered(self) -> bool:
        return bool(self.data)

    def task(self) -> tuple:
        return (self.kind, self.width_mm, self.height_mm, self.level, self.key,
                self.historic_year)


class ReportCancelled(Exception):
    """The user stopped the building of the report."""


# -- drawing ---------------------------------------------------------------------
class _MemoTextToPath(TextToPath):
    """``TextToPath`` whose text measurements are memoised (see the module notes)."""

    def __init__(self):
        super().__init__()
        self._sizes: dict[tuple, tuple] = {}

    def get_text_width_height_descent(self, s, prop, ismath):
        key = (s, hash(prop), ismath)
        size = self._sizes.get(key)
        if size is None:
            size = super().get_text_width_height_descent(s, prop, ismath)
            if len(self._sizes) > 20000:
                self._sizes.clear()
            self._sizes[key] = size
        return size


_TEXT2PATH: _MemoTextToPath | None = None


def _text2path() -> _MemoTextToPath:
    global _TEXT2PATH
    if _TEXT2PATH is None:
        _TEXT2PATH = _MemoTextToPath()
        # The builders wrap titles word by word with their own TextToPath (a module
        # global, created on first use): lend them the memoised one, which measures
        # exactly the same way (a third of the drawing time of a small chart).
        if getattr(charts, "_text_to_path", None) is None:
            charts._text_to_path = _TEXT2PATH
    return _TEXT2PATH


def _svg_renderer(fig: Figure, out) -> RendererSVG:
    width, height = fig.get_size_inches()
    renderer = RendererSVG(width * 72, height * 72, out, image_dpi=72,
                           metadata={"Date": None, "Creator": "MIGAC Desktop"})
    if hasattr(renderer, "_text2path"):
        renderer._text2path = _text2path()
    return renderer


class _PrintCanvas(FigureCanvasSVG):
    """An SVG canvas whose layout measurements use the shared memoised text sizes."""

    def get_renderer(self):
        # Used by the constrained layout and by ``get_window_extent()`` while the
        # chart builders place their labels.
        renderer = getattr(self, "_measure", None)
        size = tuple(self.figure.get_size_inches())
        if renderer is None or getattr(self, "_measure_size", None) != size:
            renderer = _svg_renderer(self.figure, io.StringIO())
            self._measure, self._measure_size = renderer, size
        return renderer


def _new_figure(width_mm: float, height_mm: float, fmt: str) -> Figure:
    size = (width_mm / MM_PER_INCH, height_mm / MM_PER_INCH)
    if fmt == "svg":
        fig = Figure(figsize=size, dpi=72)      # one unit = one point, as in the SVG
        _PrintCanvas(fig)
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
    raise ValueError(f"graphique inconnu : {kind}")


def _figure_bytes(fig: Figure, fmt: str) -> bytes:
    if fmt == "png":
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=PNG_DPI, facecolor="white")
        return buffer.getvalue()
    out = io.StringIO()
    with matplotlib.rc_context(_SVG_RC):
        try:
            renderer = _svg_renderer(fig, out)
            width, height = fig.get_size_inches()
            mixed = MixedModeRenderer(fig, width, height, 72, renderer)
            fig.draw(mixed)
            mixed.finalize()
        except (AttributeError, TypeError):  # pragma: no cover - other matplotlib internals
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue().encode("utf-8")


def render_task(results, task: tuple, fmt: str = "svg") -> bytes:
    """The bytes of one chart (``Chart.task()``) in ``fmt`` ("svg" or "png")."""
    kind, width_mm, height_mm, level, key, historic_year = task
    _text2path()
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


def _render_in_pool(results, todo: list[Chart], fmt: str, done) -> None:
    import concurrent.futures as futures
    import multiprocessing

    global _WORKER_RESULTS
    workers = min(os.cpu_count() or 2, 4, len(todo))
    # Frames that the builders read are built once, before the fork.
    for name in ("crra", "regions", "establishments"):
        getattr(results, name)
    _WORKER_RESULTS = results
    try:
        context = multiprocessing.get_context("fork")
        with futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            # Largest first, so that the long ones do not finish last.
            order = sorted(todo, key=lambda c: -c.width_mm * c.height_mm)
            pending = {pool.submit(_worker, chart.task(), fmt): chart for chart in order}
            try:
                for future in futures.as_completed(pending):
                    done(pending[future], future.result())
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
    finally:
        _WORKER_RESULTS = None
