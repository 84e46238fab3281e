"""The report's type: DejaVu Sans registered with Qt, and text measured in points.

Text is measured at a fixed, device-independent resolution, so that the print
preview, the printer and the PDF have the same lines and the same pages.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QImage

FAMILY = "DejaVu Sans"          # the charts' font too (bundled with matplotlib)
MEASURE_DPI = 1200              # the fixed resolution at which text is measured

_fonts_ready = False


def ensure_fonts() -> None:
    """Register matplotlib's DejaVu Sans with Qt: the report and the text inside the
    charts then use the font the charts were measured with, on every system."""
    global _fonts_ready
    if _fonts_ready:
        return
    _fonts_ready = True
    try:
        import matplotlib
        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    except Exception:  # noqa: BLE001 - the system's fonts will do
        return
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                 "DejaVuSans-BoldOblique.ttf"):
        path = folder / name
        if path.is_file():
            QFontDatabase.addApplicationFont(str(path))


def has_svg() -> bool:
    try:
        from PySide6.QtSvg import QSvgRenderer  # noqa: F401
    except ImportError:
        return False
    return True


def chart_format() -> str:
    """SVG (vector) when QtSvg can paint it, else 300 dpi PNG."""
    return "svg" if has_svg() else "png"



# -- text metrics ----------------------------------------------------------------------------
class Fonts:
    """QFonts by key ``(weight, size)`` with weight "r", "b" or "i", and their metrics in
    points, measured at a fixed resolution (not the target device's)."""

    def __init__(self):
        ensure_fonts()
        self._image = QImage(8, 8, QImage.Format.Format_ARGB32)
        dpm = int(round(MEASURE_DPI / 0.0254))
        self._image.setDotsPerMeterX(dpm)
        self._image.setDotsPerMeterY(dpm)
        self._to_pt = 72.0 / self._image.logicalDpiY()
        self._fonts: dict[tuple, QFont] = {}
        self._metrics: dict[tuple, QFontMetricsF] = {}
        self._widths: dict[tuple, float] = {}

    def font(self, key: tuple) -> QFont:
        font = self._fonts.get(key)
        if font is None:
            weight, size = key
            font = QFont(FAMILY)
            font.setPointSizeF(size)
            font.setBold(weight == "b")
            font.setItalic(weight == "i")
            font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
            font.setKerning(True)
            self._fonts[key] = font
        return font

    def _fm(self, key: tuple) -> QFontMetricsF:
        fm = self._metrics.get(key)
        if fm is None:
            fm = QFontMetricsF(self.font(key), self._image)
            self._metrics[key] = fm
        return fm

    def width(self, key: tuple, text: str) -> float:
        cache_key = (key, text)
        width = self._widths.get(cache_key)
        if width is None:
            width = self._fm(key).horizontalAdvance(text) * self._to_pt
            self._widths[cache_key] = width
        return width

    def ascent(self, key: tuple) -> float:
        return self._fm(key).ascent() * self._to_pt

    def descent(self, key: tuple) -> float:
        return self._fm(key).descent() * self._to_pt

    def wrap(self, key: tuple, text: str, width: float) -> list[str]:
        """Greedy word wrap at spaces (no-break spaces hold numbers together); a word
        longer than the line is cut where it must."""
        lines: list[str] = []
        for paragraph in str(text).split("\n"):
            words = paragraph.split(" ")
            line = ""
            for word in words:
                trial = f"{line} {word}" if line else word
                if self.width(key, trial) <= width + 0.01 or not line:
                    line = trial
                else:
                    lines.append(line)
                    line = word
                while self.width(key, line) > width + 0.01 and len(line) > 1:
                    cut = len(line) - 1
                    while cut > 1 and self.width(key, line[:cut]) > width + 0.01:
                        cut -= 1
                    lines.append(line[:cut])
                    line = line[cut:]
            lines.append(line)
        return lines

    def longest_word(self, key: tuple, text: str) -> float:
        words = str(text).replace("\n", " ").split(" ")
        return max((self.width(key, w) for w in words if w), default=0.0)

    def two_lines(self, key: tuple, text: str) -> float:
        """The narrowest width at which ``text`` wraps on two lines at most (a column
        header: « Nombre de / CRRA », never « Nombre / de / CRRA »)."""
        words = str(text).split(" ")
        if len(words) < 2:
            return self.width(key, text)
        return min(max(self.width(key, " ".join(words[:k])), self.width(key, " ".join(words[k:])))
                   for k in range(1, len(words)))

    def elide(self, key: tuple, text: str, width: float) -> str:
        if self.width(key, text) <= width:
            return text
        while text and self.width(key, text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

