"""WCAG 2.1 contrast ratios: what a colour pair gives a reader with low vision.

RGAA (criteria 3.2 and 3.3) asks 4,5:1 for text, 3:1 for large text and for the
graphical parts a chart is read by; the ratio is (L1 + 0,05) / (L2 + 0,05) of the
relative luminances of the lighter and the darker colour.
"""

from __future__ import annotations

TEXT, LARGE_TEXT, GRAPHIC = 4.5, 3.0, 3.0


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (or ``#rgb``)."""
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def ratio(foreground: str, background: str) -> float:
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
