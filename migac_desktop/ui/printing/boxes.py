"""The page's building blocks: boxes of paint operations, pages, and the colours.

Paint operations, in points, relative to the box's top left corner:
  ("text", x, baseline, font_key, colour, text, align)   align: "left", "right", "center"
  ("rect", x, y, w, h, fill or None, stroke or None, stroke_width)
  ("line", x1, y1, x2, y2, colour, width, dotted)
  ("chart", chart, x, y, w, h)
  ("pageref", x_right, baseline, font_key, colour, section_id)
"""

from __future__ import annotations

from dataclasses import dataclass, field

MM = 72.0 / 25.4                # points per millimetre

ACCENT = "#1f4e79"
TEXT = "#1d1f22"
GREY = "#5c6670"
LIGHT_GREY = "#8a949e"
RULE = "#c5cdd6"
HEADER_FILL = "#e1e8f0"
HEADER_RULE = "#4f6887"
ZEBRA = "#f3f5f8"
TOTAL_FILL = "#e6ebf1"
GAIN = "#1b6e2d"
LOSS = "#b0241b"
NOTICE_FILL = "#fdf2e2"
NOTICE_BAR = "#d97b10"
LEFT_ALIGN = "left"


@dataclass
class Box:
    height: float
    ops: list = field(default_factory=list)
    space_before: float = 0.0
    glue_next: bool = False          # no page break between this box and the next
    repeat: Box | None = None      # placed first on a new page when the flow breaks here
    page_break: bool = False         # a forced page break (before this box)
    min_scale: float = 1.0           # a chart may shrink this much to end a page


@dataclass
class Page:
    section: object
    ops: list = field(default_factory=list)


def shift_ops(ops: list, dx: float, dy: float) -> list:
    out = []
    for op in ops:
        kind = op[0]
        if kind == "text":
            out.append((kind, op[1] + dx, op[2] + dy) + op[3:])
        elif kind in ("rect", "chart"):
            if kind == "rect":
                out.append((kind, op[1] + dx, op[2] + dy) + op[3:])
            else:
                out.append((kind, op[1], op[2] + dx, op[3] + dy) + op[4:])
        elif kind == "line":
            out.append((kind, op[1] + dx, op[2] + dy, op[3] + dx, op[4] + dy) + op[5:])
        elif kind == "pageref":
            out.append((kind, op[1] + dx, op[2] + dy) + op[3:])
        else:  # pragma: no cover
            raise ValueError(kind)
    return out


def scaled_chart(box: Box, factor: float) -> Box:
    """A chart box shrunk by ``factor``, still centred."""
    ops = []
    for op in box.ops:
        if op[0] == "chart":
            _, chart, x, y, w, h = op
            centre = x + w / 2
            ops.append(("chart", chart, centre - w * factor / 2, y, w * factor, h * factor))
        else:  # pragma: no cover - chart boxes hold one chart
            ops.append(op)
    return Box(box.height * factor, ops, space_before=box.space_before)

