"""The waterfall of a modelled amount (core/waterfall.py): where a figure comes from.

One row per part, top to bottom in the order of MODEL.md, each bar floating from the
sum of the parts above it to that sum plus its own amount, labelled with its signed
amount (a negative part is hatched as well as red: not colour alone); then the modelled
amount as a full bar and the historic amount beside it, the effet revenu in the
subtitle. Qt-free; the window and the report draw the same figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..core.numbers import format_euros, format_signed_euros, format_signed_percent
from .chart_style import (
    FONT,
    HISTORIC_COLOUR,
    LOSS_COLOUR,
    MODELLED_COLOUR,
    FrenchFormatter,
    _axis_label,
    _bar_label,
    _fit_value_labels,
    _plain,
    _row_font_size,
    _start,
    _style_axes,
    _titles,
    _x_bins,
    draw_message,
)

PART_COLOUR = "#2a86c2"
# Below this width (inches) the chart is drawn compact: short names, no title, no value
# labels; the parts table beside or under it gives the amounts (the report, the window).
COMPACT_WIDTH_IN = 4.8
SHORT_NAMES = {"staff_arm": "Personnel ARM", "staff_mr": "Personnel MR",
               "supervision": "Encadrement", "fixed_operating": "Frais fixes",
               "drm_operating": "Frais par DRM", "geographic": "Majoration géo.",
               "calibration": "Calage national"}


def waterfall_title(waterfall) -> str:
    unit = waterfall.unit_label
    return f"D'où vient le montant modélisé de {unit}"


def draw_waterfall(fig: Figure, waterfall, historic_year: int | None = None) -> Figure:
    """Draw ``waterfall`` (:class:`core.waterfall.Waterfall`) into ``fig``."""
    if waterfall is None:
        return draw_message(fig)
    _start(fig)
    parts = waterfall.parts
    compact = fig.get_figwidth() < COMPACT_WIDTH_IN
    hist_label = ("Historique" if compact else "Dotation historique") \
        + (f" {historic_year}" if historic_year else "")
    names = [SHORT_NAMES[p.key] if compact else p.label for p in parts] \
        + ["Modélisé" if compact else "Montant modélisé", hist_label]
    n = len(names)
    ax = fig.add_subplot()
    _style_axes(ax, "x")
    y = np.arange(n, dtype=float)
    starts = [p.start for p in parts] + [0.0, 0.0]
    amounts = [p.amount for p in parts] + [waterfall.modelled, waterfall.historic]
    colours = [PART_COLOUR if a >= 0 else LOSS_COLOUR for a in amounts[:-2]] \
        + [MODELLED_COLOUR, HISTORIC_COLOUR]
    hatches = ["" if a >= 0 else "///" for a in amounts[:-2]] + ["", ""]
    for yi, s, a, c, hatch in zip(y, starts, amounts, colours, hatches):
        ax.barh(yi, a, left=s, height=0.62, color=c, hatch=hatch,
                edgecolor="#333333" if hatch else c, linewidth=0.5, gid="part")
    for yi, s, a in zip(y[:len(parts) - 1], starts, amounts):
        end = s + a           # the thin step line from one part to the next
        ax.plot([end, end], [yi + 0.31, yi + 0.69], color="#777777", linewidth=0.8, zorder=2)
    size = _row_font_size(fig, n)
    ax.set_yticks(y, [_plain(t) for t in names], fontsize=max(size, 7.0), fontfamily=FONT)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(n - 0.5, -0.5)
    ends = np.array([s + a for s, a in zip(starts, amounts)] + starts, dtype=float)
    ax.xaxis.set_major_formatter(FrenchFormatter("euros"))
    if compact:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 2.5, 5, 10]))
        ax.set_xlim(min(float(ends.min()), 0.0), float(ends.max()) * 1.04)
        return fig
    labels, short = [], []
    for yi, s, a, i in zip(y, starts, amounts, range(n)):
        end = s + a
        total = i >= len(parts)
        text = format_euros(a) if total else format_signed_euros(a)
        side = 1 if a >= 0 else -1
        anchor = max(s, end) if side > 0 else min(s, end)
        t = _bar_label(ax, anchor, yi, text, side, max(size - 0.5, 6.5))
        if total:
            t.set_fontweight("bold")
        labels.append((t, anchor, side))
        short.append(text)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=_x_bins(fig, 6), steps=[1, 2, 2.5, 5, 10]))
    _fit_value_labels(fig, ax, float(min(ends.min(), 0.0)), float(ends.max()), labels,
                      short=short)
    _axis_label(ax.xaxis, "Montant annuel")
    pct = format_signed_percent(waterfall.revenue_effect_pct)
    _titles(fig, waterfall_title(waterfall),
            f"Les sept parts du calcul s'additionnent au montant modélisé ; effet revenu "
            f"(modélisé − historique) : {format_signed_euros(waterfall.revenue_effect)}"
            + (f" ({pct})" if pct else ""))
    return fig
