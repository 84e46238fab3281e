"""Not colour alone, and colours everyone reads (issue 17, RGAA 3.2 / 3.3, WCAG 1.4.3 and
1.4.11): every text of the window at 4,5:1 at least against its background, on a light,
a dark and both high-contrast palettes; the charts' series at 3:1 on their white page.

The ratios measured (scripts/contrast.py prints them all), the lowest of each kind:

    palette claire (Fusion)   gain #1b6e2a sur cellule calculée #eef2f7      5,64:1
                              formule #5a6470 sur blanc                       6,01:1
                              texte sélectionné #ffffff sur #26709e           5,39:1
    palette sombre            perte #ff8a80 sur cellule calculée #26303b      5,87:1
                              texte sélectionné #ffffff sur #3874c8           4,67:1
    contraste élevé (n/b)     perte #ff8a80 sur #26303b                       5,87:1
    graphiques sur blanc      courbe n° 4 #cc79a7                             3,06:1
                              autres régions (nuage) #858f9a                  3,28:1
                              dotation historique #7b8794                     3,66:1
"""

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from migac_desktop.core.contrast import ratio
from migac_desktop.ui import palette_colours
from migac_desktop.ui.palette_colours import chart_pairs, palette_pairs, readable_highlight, reference_palettes

BACKGROUND, FOREGROUND = Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole
UI = Path(__file__).resolve().parent.parent / "migac_desktop" / "ui"


def test_ratio_is_the_wcag_formula():
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)     # WCAG's grey at the limit
    assert ratio("#308cc6", "#ffffff") < 4.5        # Qt's Fusion selection: too light for white text


@pytest.mark.parametrize("name", ["palette claire (Fusion)", "palette sombre",
                                  "contraste élevé, blanc sur noir", "contraste élevé, noir sur blanc"])
def test_every_text_of_the_window_reads_on_its_background(qapp, name):
    palette = reference_palettes()[name]
    low = [f"{what} : {fg} sur {bg} = {ratio(fg, bg):.2f}:1 < {minimum}"
           for what, fg, bg, minimum in palette_pairs(palette) if ratio(fg, bg) < minimum]
    assert not low, f"{name} :\n" + "\n".join(low)


def test_chart_colours_on_white():
    low = [f"{what} : {fg} = {ratio(fg, bg):.2f}:1 < {minimum}"
           for what, fg, bg, minimum in chart_pairs() if ratio(fg, bg) < minimum]
    assert not low, "\n".join(low)
    assert len(chart_pairs()) >= 20


def test_the_selection_colour_is_darkened_until_white_text_reads(qapp):
    from PySide6.QtWidgets import QStyleFactory
    fusion = QStyleFactory.create("Fusion").standardPalette()
    roles = QPalette.ColorRole
    assert ratio(fusion.color(roles.HighlightedText).name(), fusion.color(roles.Highlight).name()) < 4.5
    fixed = readable_highlight(fusion)
    assert ratio(fixed.color(roles.HighlightedText).name(), fixed.color(roles.Highlight).name()) >= 4.5


def test_table_models_follow_a_dark_palette(qtbot, window):
    """Under a dark palette the CRRA table's result cells and the comparison's gains and
    losses take the dark scheme: the palette's light text stays readable on them."""
    app = QApplication.instance()
    saved = app.palette()
    dark = reference_palettes()["palette sombre"]
    try:
        app.setPalette(dark)
        text = dark.color(QPalette.ColorRole.Text).name()
        base = dark.color(QPalette.ColorRole.Base).name()
        model = window.crra_panel.model
        result = [c for c, col in enumerate(model.columns) if col.result][0]
        background = model.data(model.index(0, result), BACKGROUND)
        assert background is not None
        assert ratio(text, background.color().name()) >= 4.5
        panel = window.comparison_panel
        panel.refresh()
        cm = panel.model
        signed = [c for c, col in enumerate(cm.columns) if col.key == "revenue_effect"][0]
        colours = {cm.data(cm.index(r, signed), FOREGROUND).color().name() for r in range(cm.rowCount())
                   if cm.data(cm.index(r, signed), FOREGROUND) is not None}
        assert colours and all(ratio(c, base) >= 4.5 for c in colours), colours
        assert colours <= {palette_colours.DARK["gain"], palette_colours.DARK["loss"]}
    finally:
        app.setPalette(saved)


def test_no_light_colour_is_hard_coded_in_the_window():
    """A light background or a grey text written into a style sheet would stay light under
    a dark theme: the window's colours come from ui/palette_colours.py."""
    pattern = re.compile(r"(background|color)\s*:\s*#[0-9a-fA-F]{3,6}")
    found = [f"{path.relative_to(UI)}:{n}: {line.strip()}"
             for path in UI.rglob("*.py") if path.name != "palette_colours.py" and "printing" not in path.parts
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert not found, "\n".join(found)


def test_no_pixel_font_size_in_the_window():
    """The interface follows the system's font size: no size in pixels or points in a
    style sheet (the tables' zoom scales the font the system gives)."""
    pattern = re.compile(r"font-size\s*:\s*\d|setPixelSize\(\d|setPointSize\(\d")
    found = [f"{path.relative_to(UI)}:{n}" for path in UI.rglob("*.py") if "printing" not in path.parts
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert not found, found
