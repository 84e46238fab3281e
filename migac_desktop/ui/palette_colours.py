"""The colours the window adds to the system's palette, readable on a light or a dark one.

Result cells, cells with a problem, gains and losses, hints and error texts: each has a
light-palette colour and a dark-palette one, chosen from the palette's base colour, so a
dark or high-contrast system theme keeps every text at 4,5:1 at least against its
background (tests/test_contrast.py checks the pairs; scripts/contrast.py prints them).
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette

LIGHT = {
    "result_background": "#eef2f7", "error_background": "#f8d0d0", "warning_background": "#fdf0c2",
    "gain": "#1b6e2a", "loss": "#a61b1b", "error_text": "#a61b1b", "hint_text": "#555555",
    "formula_text": "#5a6470", "invalid_border": "#c0392b", "invalid_background": "#fdecea",
    "hint_border": "#b7950b", "hint_background": "#fdf6dc", "text": "#000000",
}
DARK = {
    "result_background": "#26303b", "error_background": "#5c1f1f", "warning_background": "#4d4113",
    "gain": "#7bd88f", "loss": "#ff8a80", "error_text": "#ff8a80", "hint_text": "#bdbdbd",
    "formula_text": "#a9b4c0", "invalid_border": "#ff6f61", "invalid_background": "#4a1c1c",
    "hint_border": "#e0c040", "hint_background": "#3f3510", "text": "#ffffff",
}
# Backgrounds drawn under the palette's own text colour; the other colours are texts
# drawn on the palette's base (and, gains and losses, on the result background too).
BACKGROUNDS = ("result_background", "error_background", "warning_background",
               "invalid_background", "hint_background")
TEXTS = ("gain", "loss", "error_text", "hint_text", "formula_text")


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette if palette is not None else QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5


def scheme(palette: QPalette | None = None) -> dict[str, str]:
    return DARK if is_dark(palette) else LIGHT


def colour(name: str, palette: QPalette | None = None) -> str:
    """``#rrggbb`` of ``name`` for the current (or given) palette."""
    return scheme(palette)[name]


_brushes: dict[tuple[bool, str], QBrush] = {}


def brush(name: str) -> QBrush:
    key = (is_dark(), name)
    if key not in _brushes:
        _brushes[key] = QBrush(QColor(scheme()[name]))
    return _brushes[key]


def readable_highlight(palette: QPalette) -> QPalette:
    """``palette`` with its selection colour darkened (or lightened on a dark palette) until
    the selected text reads at 4,5:1: Fusion's own blue gives white text only 3,7:1."""
    from ..core.contrast import TEXT, ratio
    palette = QPalette(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        highlight = palette.color(group, QPalette.ColorRole.Highlight)
        text = palette.color(group, QPalette.ColorRole.HighlightedText).name()
        lighter_text = QColor(text).lightnessF() >= 0.5
        for _ in range(20):
            if ratio(text, highlight.name()) >= TEXT:
                break
            highlight = highlight.darker(112) if lighter_text else highlight.lighter(112)
        palette.setColor(group, QPalette.ColorRole.Highlight, highlight)
    return palette


def field_style(kind: str) -> str:
    """The style of a field refused (``invalid``) or with a hint (``hint``), its text colour
    set with its background: a light background under a dark theme's white text is unreadable."""
    s = scheme()
    return (f"QLineEdit {{ border: 2px solid {s[kind + '_border']}; "
            f"background: {s[kind + '_background']}; color: {s['text']}; }}")


# -- the pairs checked (tests/test_contrast.py) and printed (scripts/contrast.py) --------
def _hex(palette: QPalette, role: QPalette.ColorRole) -> str:
    return palette.color(QPalette.ColorGroup.Active, role).name()


def palette_pairs(palette: QPalette) -> list[tuple[str, str, str, float]]:
    """(what, text colour, background, minimum ratio) of the window's own colours on
    ``palette``: the table's text on the backgrounds the models add, gains and losses, the
    texts of hints and errors on the window, a refused field's text."""
    from ..core.contrast import TEXT
    s = scheme(palette)
    text, base, window = (_hex(palette, QPalette.ColorRole.Text), _hex(palette, QPalette.ColorRole.Base),
                          _hex(palette, QPalette.ColorRole.Window))
    window_text = _hex(palette, QPalette.ColorRole.WindowText)
    return [
        ("texte d'une cellule calculée", text, s["result_background"], TEXT),
        ("texte d'une cellule en erreur", text, s["error_background"], TEXT),
        ("texte d'une cellule avec avertissement", text, s["warning_background"], TEXT),
        ("texte d'une cellule ordinaire", text, base, TEXT),
        ("gain (vert) sur fond de tableau", s["gain"], base, TEXT),
        ("perte (rouge) sur fond de tableau", s["loss"], base, TEXT),
        ("gain (vert) sur cellule calculée", s["gain"], s["result_background"], TEXT),
        ("perte (rouge) sur cellule calculée", s["loss"], s["result_background"], TEXT),
        ("message d'erreur sur la fenêtre", s["error_text"], window, TEXT),
        ("aide (gris) sur la fenêtre", s["hint_text"], window, TEXT),
        ("formule (gris) du détail du calcul", s["formula_text"], base, TEXT),
        ("texte d'un champ refusé", s["text"], s["invalid_background"], TEXT),
        ("texte d'un champ avec remarque", s["text"], s["hint_background"], TEXT),
        ("texte de la fenêtre", window_text, window, TEXT),
        ("texte sélectionné", _hex(palette, QPalette.ColorRole.HighlightedText),
         _hex(palette, QPalette.ColorRole.Highlight), TEXT),
    ]


def chart_pairs() -> list[tuple[str, str, str, float]]:
    """The charts' colours on their white page: series at 3:1 (graphical parts), texts
    at 4,5:1."""
    from ..core.contrast import GRAPHIC, TEXT
    from ..reporting import chart_style as cs
    from ..reporting.tornado_chart import LOW_COLOUR
    from ..reporting.waterfall_chart import PART_COLOUR
    white = "#ffffff"
    series = [("dotation historique", cs.HISTORIC_COLOUR), ("montant modélisé", cs.MODELLED_COLOUR),
              ("gain", cs.GAIN_COLOUR), ("perte", cs.LOSS_COLOUR), ("neutre", cs.NEUTRAL_COLOUR),
              ("enveloppe notifiée", cs.NOTIFIED_COLOUR), ("autres régions (nuage)", cs.OTHER_COLOUR),
              ("sensibilité : paramètre diminué", LOW_COLOUR), ("cascade : part", PART_COLOUR)]
    series += [(f"courbe n° {i + 1}", c) for i, c in enumerate(cs._LINE_COLOURS)]
    pairs = [(f"graphique — {what}", c, white, GRAPHIC) for what, c in series]
    pairs += [("graphique — texte gris", cs.TEXT_GREY, white, TEXT),
              ("graphique — étiquettes", "#333333", white, TEXT)]
    return pairs


def reference_palettes() -> dict[str, QPalette]:
    """The palettes the pairs are checked on: Qt's light Fusion palette, a dark one (as a
    dark desktop theme gives), and the two high-contrast ones (white on black, black on white)."""
    from PySide6.QtWidgets import QStyleFactory
    light = QStyleFactory.create("Fusion").standardPalette()

    def made(window, window_text, base, text, highlight, highlighted_text) -> QPalette:
        p = QPalette(light)
        for role, value in ((QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, window_text),
                            (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, base),
                            (QPalette.ColorRole.Text, text), (QPalette.ColorRole.ButtonText, window_text),
                            (QPalette.ColorRole.Button, window), (QPalette.ColorRole.Highlight, highlight),
                            (QPalette.ColorRole.HighlightedText, highlighted_text),
                            (QPalette.ColorRole.PlaceholderText, QColor(text).darker(140).name()
                             if QColor(text).lightnessF() >= 0.5 else QColor(text).lighter(300).name())):
            p.setColor(role, QColor(value))
        return p
    palettes = {
        "palette claire (Fusion)": light,
        "palette sombre": made("#2b2b2b", "#f0f0f0", "#1e1e1e", "#f0f0f0", "#3874c8", "#ffffff"),
        "contraste élevé, blanc sur noir": made("#000000", "#ffffff", "#000000", "#ffffff", "#1aebff", "#000000"),
        "contraste élevé, noir sur blanc": made("#ffffff", "#000000", "#ffffff", "#000000", "#37006e", "#ffffff"),
    }
    # What the application applies at its start (ui/app.py).
    return {name: readable_highlight(p) for name, p in palettes.items()}


def focus_frame(selector: str) -> str:
    """A frame in the palette's highlight colour while ``selector`` has the focus: Fusion
    draws none round a table or a text panel, and the keyboard user must see where it is."""
    return (f"{selector} {{ border: 1px solid palette(mid); }} "
            f"{selector}:focus {{ border: 2px solid palette(highlight); }}")
