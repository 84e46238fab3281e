"""Canary: the matplotlib internals that the report's fast text measurement relies on.

``reporting/text_metrics.py`` subclasses ``TextToPath``, replaces the SVG renderer's
private ``_text2path`` and gives its canvas a ``get_renderer``; when matplotlib
changes one of them the report would silently measure the slow way, or draw with
another renderer. These tests fail first, naming what changed: read the new
matplotlib, adapt ``text_metrics.py``, then raise the cap in ``pyproject.toml``.
"""

import importlib
import inspect
import io
import re
from pathlib import Path

import matplotlib
import pytest
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from migac_desktop.reporting import chart_style, text_metrics

ROOT = Path(__file__).resolve().parents[1]


def resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


@pytest.mark.parametrize("dotted", sorted(text_metrics.RELIED_ON))
def test_relied_on_names_keep_their_signature(dotted):
    obj = resolve(dotted)                               # AttributeError: it is gone
    expected = text_metrics.RELIED_ON[dotted]
    if expected is None:
        assert obj is not None
        return
    assert tuple(inspect.signature(obj).parameters) == expected, dotted


def test_the_cap_is_the_minor_version_checked():
    """pyproject.toml caps matplotlib at the next minor version of the one tested."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    cap = re.search(r'"matplotlib>=[0-9.]+,<([0-9]+)\.([0-9]+)"', text)
    assert cap, "matplotlib sans plafond de version dans pyproject.toml"
    major, minor = (int(n) for n in matplotlib.__version__.split(".")[:2])
    assert (int(cap.group(1)), int(cap.group(2))) == (major, minor + 1)


def test_renderer_svg_measures_with_a_private_text2path():
    renderer = RendererSVG(100, 100, io.StringIO())
    assert isinstance(renderer._text2path, TextToPath)
    fig = Figure(figsize=(2, 1), dpi=72)
    assert text_metrics.svg_renderer(fig, io.StringIO())._text2path is text_metrics.text2path()


def test_figure_asks_the_canvas_for_its_renderer():
    """The layout measures with the canvas's renderer (the memoised text sizes)."""
    fig = Figure(figsize=(3, 2), dpi=72)
    canvas = text_metrics.PrintCanvas(fig)
    renderer = fig._get_renderer()
    assert renderer is canvas.get_renderer()
    assert renderer._text2path is text_metrics.text2path()


def test_chart_builders_measure_with_the_lent_text2path(monkeypatch):
    monkeypatch.setattr(chart_style, "_text_to_path", None)
    monkeypatch.setattr(text_metrics, "_TEXT2PATH", None)
    memo = text_metrics.text2path()
    assert chart_style._text_to_path is memo
    assert chart_style._text_width("Bretagne", 8.5) == pytest.approx(38.94, abs=0.05)
    assert ("Bretagne", hash(FontProperties(family=chart_style.FONT, size=8.5)), False) in memo._sizes


@pytest.mark.parametrize("text", ["Bretagne", "Provence-Alpes-Côte d'Azur", "1 234 567 €",
                                  "AVo WAVE", "7,0 %"])
def test_fast_sizes_are_freetypes(text):
    """The glyph-cache measurement works (no silent fallback) and equals matplotlib's:
    to a few hundredths of a point, 0,3 % where kerning is heavy (« AV », « WA »)."""
    prop = FontProperties(family="DejaVu Sans", size=8.5)
    fast = text_metrics.MemoTextToPath().fast_size(text, prop)
    assert fast is not None, "ft2font a changé : la mesure rapide n'aboutit plus"
    slow = TextToPath().get_text_width_height_descent(text, prop, ismath=False)
    for mine, theirs in zip(fast, slow):
        assert mine == pytest.approx(theirs, rel=3e-3, abs=0.05)


def test_svg_is_drawn_by_hand_not_by_the_fallback():
    fig = Figure(figsize=(3, 2), dpi=72)
    text_metrics.PrintCanvas(fig)
    fig.text(0.1, 0.5, "Région Bretagne")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = text_metrics.draw_svg(fig)           # AttributeError / TypeError: changed
    assert svg.startswith("<?xml") and "Région Bretagne" in svg
    assert "MIGAC Desktop" in svg                   # our renderer's metadata
