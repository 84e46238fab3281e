"""How each written sheet prints, and the heights of its rows of wrapped text."""

from __future__ import annotations

# Printing (Excel, LibreOffice): A4 landscape, the scenario's title and the sheet's name
# in the header, the file's name and « Page n sur N » in the footer, cell grid printed.
# A sheet is fit to the page's width only when that keeps it at _MIN_SCALE or more; a
# wider one prints over several pages, its header row and its identity columns repeated
# on each page, pages of the same rows following each other.
_PAGE_WIDTH_PX = (297 / 25.4 - 2 * 0.4) * 96      # A4 landscape inside 0,4 in margins
_MIN_SCALE = 0.65                                   # Calibri 11 printed at about 7 pt
_PRINT_TITLE_COLUMNS = {                            # first and last column repeated, 0-based
    "CRRA": (0, 1), "Résultats CRRA": (0, 1), "Synthèse établissements": (0, 1),
    "Trajectoires": (1, 2),
}
_HEADER_TITLE_CHARS = 100                           # Excel refuses headers over 255 characters


def _column_px(width: float) -> float:
    """A column's printed width at 100 %, in pixels at 96 dpi (Calibri 11: 7 px a character)."""
    return 7 * width + 5


def _header_text(text: str) -> str:
    """Literal text for a header or footer: ``&`` starts a code there, so it is doubled."""
    text = " ".join(str(text).split())
    if len(text) > _HEADER_TITLE_CHARS:
        text = text[:_HEADER_TITLE_CHARS - 1].rstrip() + "…"
    return text.replace("&", "&&")


def _page_setup(ws, title: str) -> None:
    """What every sheet prints with, fit or not (see :func:`_fit_or_repeat`)."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.pageOrder = "overThenDown"
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.75, bottom=0.75,
                                  header=0.3, footer=0.3)
    ws.print_options.gridLines = True
    ws.oddHeader.left.text = _header_text(title)
    ws.oddHeader.right.text = "&A"
    ws.oddFooter.left.text = "&F"
    ws.oddFooter.right.text = "Page &P sur &N"


def _fit_or_repeat(ws, widths: list[float], title_columns: tuple[int, int]) -> None:
    """Fit to one page's width if it stays readable, else to as many pages as it takes at
    _MIN_SCALE, the identity columns repeated (Excel and LibreOffice then choose a scale
    of _MIN_SCALE or more; a fixed scale makes LibreOffice print blank pages)."""
    from openpyxl.utils import get_column_letter

    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    page = _PAGE_WIDTH_PX / _MIN_SCALE                 # what a page holds, at 100 %
    px = [_column_px(w) for w in widths]
    if sum(px) <= page:
        ws.page_setup.fitToWidth = 1
        return
    first, last = title_columns
    last = min(last, len(widths) - 1)
    while last > first and sum(px[first:last + 1]) > 0.4 * page:
        last -= 1                                       # repeated columns: 40 % at most
    repeated = 0.0
    if first <= last and sum(px[first:last + 1]) <= 0.4 * page:
        ws.print_title_cols = f"{get_column_letter(first + 1)}:{get_column_letter(last + 1)}"
        repeated = sum(px[first:last + 1])
    pages, used = 1, 0.0
    for i, width in enumerate(px):
        if first <= i <= last and repeated:
            used += width if pages == 1 else 0         # printed once on the first page
            continue
        if used + width > page and used > repeated:
            pages, used = pages + 1, repeated
        used += width
    ws.page_setup.fitToWidth = pages


def _wraps(values: list, width: float) -> bool:
    """A text column wraps when one of its texts is longer than the column is wide."""
    return any(type(v) is str and len(v) > width - 1 for v in values)


_LINE_POINTS = 15           # Calibri 11: the default row height


def _line_count(text: str, chars: int) -> int:
    """Lines of ``text`` wrapped word by word at ``chars`` characters (textwrap's count,
    a long word broken), without textwrap's cost: 10 000 CRRA have 25 000 long names."""
    lines = 0
    for part in text.splitlines() or [""]:
        count, used = 1, 0
        for word in part.split():
            size = len(word)
            if used and used + 1 + size <= chars:
                used += 1 + size
                continue
            if used:
                count += 1
            count += (size - 1) // chars if size > chars else 0
            used = size - chars * ((size - 1) // chars) if size > chars else size
        lines += count
    return lines


def _wrapped_heights(columns: list[list], wrap: list[bool], widths: list[float]) -> dict[int, float]:
    """Row → height of its wrapped texts' lines (points): written, since neither
    LibreOffice nor Excel is sure to grow a row on opening. Counted word by word at
    one character a unit of width, which errs on the tall side."""
    heights: dict[int, float] = {}
    for values, wraps, width in zip(columns, wrap, widths):
        if not wraps:
            continue
        chars = max(int(width) - 1, 1)
        counted: dict[str, int] = {}
        for i, v in enumerate(values):
            if type(v) is str and len(v) > chars:
                lines = counted.get(v)
                if lines is None:
                    lines = counted[v] = _line_count(v, chars)
                heights[i] = max(heights.get(i, 0), min(lines, 27) * _LINE_POINTS)
    return heights
