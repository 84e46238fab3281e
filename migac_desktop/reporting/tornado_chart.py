"""The tornado of a sensitivity (core/sensitivity.py): which parameter moves a figure most.

One row per parameter, the largest effect on top; from the base figure (the vertical
line) a hatched bar to the figure at the parameter's low value and a plain bar to the
figure at its high value, each labelled with its signed move (« −10 % : −12 345 € »), so
that neither the colour nor the side alone says which is which. A flat tornado (a
national total the calibration holds) is its note, not empty bars. Qt-free; the window
and the report draw the same figure.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..core.numbers import format_percent, format_signed_euros, format_signed_percent
from .chart_style import (
    FONT,
    GAIN_COLOUR,
    LOSS_COLOUR,
    MODELLED_COLOUR,
    TEXT_GREY,
    FrenchFormatter,
    _axis_label,
    _bar_label,
    _fit_value_labels,
    _legend_font,
    _plain,
    _row_font_size,
    _start,
    _style_axes,
    _titles,
    _x_bins,
    draw_message,
)

LOW_COLOUR = "#b87f00"       # orange, hatched: the parameter lowered
HIGH_COLOUR = MODELLED_COLOUR


def is_percent(output: str) -> bool:
    return output == "revenue_effect_pct"


def delta_text(output: str, delta: float) -> str:
    """A move of the output, signed: « +12 345 € », « −0,42 % » (points of %)."""
    if is_percent(output):
        return format_signed_percent(delta, 2).replace("%", "pt")
    return format_signed_euros(delta)


def value_text(output: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "refusée"
    if is_percent(output):
        return format_signed_percent(value, 2)
    from ..core.numbers import format_euros
    return format_signed_euros(value) if output == "revenue_effect" else format_euros(value)


def tornado_title(tornado) -> str:
    return f"Sensibilité – {tornado.output_label} de {tornado.unit_label}"


def draw_tornado(fig: Figure, tornado) -> Figure:
    """Draw ``tornado`` (:class:`core.sensitivity.Tornado`) into ``fig``."""
    if tornado is None:
        return draw_message(fig)
    if tornado.flat:
        return draw_message(fig, tornado.note or "Aucun paramètre ne fait varier ce résultat.")
    _start(fig)
    bars = tornado.bars
    n = len(bars)
    pct = format_percent(tornado.variation, 0)
    ax = fig.add_subplot()
    _style_axes(ax, "x")
    y = np.arange(n, dtype=float)
    low = np.array([b.low_delta for b in bars], dtype=float)
    high = np.array([b.high_delta for b in bars], dtype=float)
    h = 0.38
    ax.barh(y - h / 2, low, height=h, color=LOW_COLOUR, hatch="///", edgecolor="#7a5200",
            linewidth=0.6, gid="low")
    ax.barh(y + h / 2, high, height=h, color=HIGH_COLOUR, gid="high")
    ax.axvline(0, color="#333333", linewidth=1.0, zorder=3, gid="base")
    size = _row_font_size(fig, 2 * n)
    # One line each on a wide figure (the report's page), two on a narrow one.
    wrap = 30 if fig.get_figwidth() < 6.5 else 48
    names = ["\n".join(textwrap.wrap(_plain(b.label), wrap)) for b in bars]
    ax.set_yticks(y, names, fontsize=max(size, 7.0), fontfamily=FONT)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(n - 0.5, -0.5)
    labels, short = [], []
    for yi, b, d_low, d_high in zip(y, bars, low, high):
        for dy, delta, value, sign in ((-h / 2, d_low, b.low, "−"), (h / 2, d_high, b.high, "+")):
            side = 1 if delta >= 0 else -1
            text = (f"{sign}{pct} : variation refusée" if value is None
                    else f"{sign}{pct} : {delta_text(tornado.output, delta)}")
            colour = TEXT_GREY if value is None or abs(delta) < 0.005 else (
                GAIN_COLOUR if delta > 0 else LOSS_COLOUR)
            t = _bar_label(ax, delta, yi + dy, text, side, max(size - 0.5, 6.5), colour)
            labels.append((t, delta, side))
            short.append(delta_text(tornado.output, delta) if value is not None else "refusée")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=_x_bins(fig, 7), steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FrenchFormatter("percent" if is_percent(tornado.output)
                                                 else "euros", signed=True))
    values = np.concatenate([low, high])
    _fit_value_labels(fig, ax, float(values.min()), float(values.max()), labels, short=short)
    _axis_label(ax.xaxis, "Écart au résultat du scénario"
                + (" (points de %)" if is_percent(tornado.output) else ""))
    _titles(fig, tornado_title(tornado),
            f"Chaque paramètre diminué puis augmenté de {pct}, les autres inchangés ; "
            f"résultat du scénario : {value_text(tornado.output, tornado.base)} ; "
            "paramètres classés par effet, le plus fort en haut")
    fig.legend(handles=[Patch(facecolor=LOW_COLOUR, hatch="///", edgecolor="#7a5200",
                              label=f"Paramètre diminué de {pct}"),
                        Patch(facecolor=HIGH_COLOUR, label=f"Paramètre augmenté de {pct}")],
               loc="outside lower center", ncols=2, frameon=False, prop=_legend_font())
    return fig
