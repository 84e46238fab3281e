"""Fast text measurement for the report's charts: the one module that reaches into
matplotlib's internals.

matplotlib measures every text with a ``TextToPath`` at 100 px, which dominates the
drawing time of a chart, and measures the same strings again on every renderer it
creates. Here one memoised :class:`MemoTextToPath` serves every measurement of the
process: the SVG renderer's (its private ``_text2path``), the layout's (through the
canvas's ``get_renderer``, which ``Figure._get_renderer`` consults), and the title
wrapping of the charts (the module global ``_text_to_path`` of :mod:`.chart_style`).

Every private name and signature used here is listed in :data:`RELIED_ON` and
checked by ``tests/test_matplotlib_canary.py``, so that a matplotlib upgrade fails
loudly there rather than slowly or silently here; ``pyproject.toml`` caps matplotlib
at the minor version checked.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.figure import Figure
from matplotlib.textpath import TextToPath

from . import chart_style

# Public and private names of matplotlib this module relies on, with the parameters
# expected (None: an attribute, not a callable).
RELIED_ON: dict[str, tuple[str, ...] | None] = {
    "matplotlib.textpath.TextToPath.get_text_width_height_descent":
        ("self", "s", "prop", "ismath"),
    "matplotlib.textpath.TextToPath._get_font": ("self", "prop"),
    "matplotlib.textpath.TextToPath.FONT_SCALE": None,
    "matplotlib.textpath.TextToPath.DPI": None,
    "matplotlib.backends.backend_svg.RendererSVG.__init__":
        ("self", "width", "height", "svgwriter", "basename", "image_dpi", "metadata"),
    "matplotlib.backends.backend_mixed.MixedModeRenderer.__init__":
        ("self", "figure", "width", "height", "dpi", "vector_renderer",
         "raster_renderer_class", "bbox_inches_restore"),
    # MixedModeRenderer hands on to the SVG renderer what it lacks (finalize).
    "matplotlib.backends.backend_mixed.MixedModeRenderer.__getattr__": ("self", "attr"),
    "matplotlib.backends.backend_svg.RendererSVG.finalize": ("self",),
    "matplotlib.figure.Figure._get_renderer": ("self",),
    "matplotlib.figure.Figure.draw": ("self", "renderer"),
    "matplotlib.ft2font.Kerning.DEFAULT": None,
    "matplotlib.ft2font.LoadFlags.NO_HINTING": None,
}


class MemoTextToPath(TextToPath):
    """``TextToPath`` with fast, memoised text measurements.

    matplotlib lays a string out with FreeType for each measurement (about 0,7 ms);
    here the advance and ink extent of each glyph are read once, and a string's size
    is their sum with the font's kerning: the same figures to a few hundredths of a
    point (ligatures aside). The text is drawn by Qt from the SVG anyway, so the
    layout only needs matplotlib's measurement to be right, not bit-exact. Strings
    with mathtext or a character the font lacks go the usual way.
    """

    def __init__(self):
        super().__init__()
        self._sizes: dict[tuple, tuple] = {}
        self._glyphs: dict[tuple, tuple | None] = {}

    def get_text_width_height_descent(self, s, prop, ismath):
        key = (s, hash(prop), ismath)
        size = self._sizes.get(key)
        if size is None:
            size = None if ismath is not False else self.fast_size(s, prop)
            if size is None:
                size = super().get_text_width_height_descent(s, prop, ismath)
            if len(self._sizes) > 50000:
                self._sizes.clear()
            self._sizes[key] = size
        return size

    def fast_size(self, s: str, prop) -> tuple | None:
        """``(width, height, descent)`` from the glyph cache, or None: the usual way."""
        if not s:
            return None
        try:
            from matplotlib.ft2font import Kerning, LoadFlags
            font = self._get_font(prop)
            font.set_size(self.FONT_SCALE, self.DPI)
            width = top = bottom = 0.0
            previous = None
            for char in s:
                glyph = self._glyphs.get((font.fname, char), False)
                if glyph is False:
                    index = font.get_char_index(ord(char))
                    if index:
                        loaded = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
                        glyph = (index, loaded.linearHoriAdvance / 65536.0,
                                 loaded.horiBearingY / 64.0,
                                 (loaded.horiBearingY - loaded.height) / 64.0)
                    else:
                        glyph = None
                    self._glyphs[(font.fname, char)] = glyph
                if glyph is None:
                    return None
                index, advance, high, low = glyph
                if previous is not None:
                    width += font.get_kerning(previous, index, Kerning.DEFAULT) / 64.0
                width += advance
                top, bottom, previous = max(top, high), min(bottom, low), index
        except Exception:  # noqa: BLE001 - another matplotlib: measure the usual way
            return None
        scale = prop.get_size_in_points() / self.FONT_SCALE
        return width * scale, (top - bottom) * scale, -bottom * scale


_TEXT2PATH: MemoTextToPath | None = None


def text2path() -> MemoTextToPath:
    """The process's memoised ``TextToPath``, lent to the chart builders as well."""
    global _TEXT2PATH
    if _TEXT2PATH is None:
        _TEXT2PATH = MemoTextToPath()
        # The builders wrap titles word by word with their own TextToPath (a module
        # global, created on first use): lend them the memoised one, which measures
        # exactly the same way (a third of the drawing time of a small chart).
        if getattr(chart_style, "_text_to_path", None) is None:
            chart_style._text_to_path = _TEXT2PATH
    return _TEXT2PATH


def svg_renderer(fig: Figure, out) -> RendererSVG:
    """An SVG renderer of ``fig`` writing to ``out``, measuring with :func:`text2path`."""
    width, height = fig.get_size_inches()
    renderer = RendererSVG(width * 72, height * 72, out, image_dpi=72,
                           metadata={"Date": None, "Creator": "MIGAC Desktop"})
    if hasattr(renderer, "_text2path"):
        renderer._text2path = text2path()
    return renderer


class PrintCanvas(FigureCanvasSVG):
    """An SVG canvas whose layout measurements use the shared memoised text sizes."""

    def get_renderer(self):
        # Used by the constrained layout and by ``get_window_extent()`` while the
        # chart builders place their labels.
        renderer = getattr(self, "_measure", None)
        size = tuple(self.figure.get_size_inches())
        if renderer is None or getattr(self, "_measure_size", None) != size:
            renderer = svg_renderer(self.figure, io.StringIO())
            self._measure, self._measure_size = renderer, size
        return renderer


def draw_svg(fig: Figure) -> str:
    """The SVG text of ``fig`` (drawn at 72 dpi), measured with :func:`text2path`.

    Raises AttributeError or TypeError if matplotlib's renderers have changed (the
    caller then saves the figure the usual way)."""
    out = io.StringIO()
    renderer = svg_renderer(fig, out)
    width, height = fig.get_size_inches()
    mixed = MixedModeRenderer(fig, width, height, 72, renderer)
    fig.draw(mixed)
    mixed.finalize()
    return out.getvalue()
