"""The contrast ratios (WCAG 2.1) of the window's colour pairs, on a light, a dark and a
high-contrast palette, and of the charts' colours on white: the table of issue 17.

    .venv/bin/python scripts/contrast.py

Each line: the ratio, the minimum (4,5 for text, 3 for chart elements), the two colours.
tests/test_contrast.py asserts the same pairs.
"""

import sys

from PySide6.QtWidgets import QApplication

from migac_desktop.core.contrast import ratio
from migac_desktop.ui.palette_colours import chart_pairs, palette_pairs, reference_palettes


def main() -> int:
    QApplication.instance() or QApplication(sys.argv[:1] + ["-platform", "offscreen"])
    failed = 0
    sections = [(name, palette_pairs(p)) for name, p in reference_palettes().items()]
    sections.append(("graphiques (sur blanc)", chart_pairs()))
    for name, pairs in sections:
        print(f"\n{name}")
        for what, fg, bg, minimum in pairs:
            r = ratio(fg, bg)
            failed += r < minimum
            mark = "" if r >= minimum else "   ← insuffisant"
            print(f"  {r:5.2f}:1 (≥ {minimum:g})  {fg} sur {bg}  {what}{mark}".replace(".", ","))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
