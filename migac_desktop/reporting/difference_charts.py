"""The chart of the differences between the open scenario and its reference (issue 14):
who gains and who loses, by region or, for one region, by CRRA. Qt-free, matplotlib's
object API only, in the style of :mod:`.chart_style`.

Bars diverge from zero (scenario − reference), each labelled with its signed amount
(« +12 345 € »); a region or CRRA present in one scenario only has a hatched bar and
says so in its label, so that neither the colour nor the pattern alone carries meaning.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..core.comparison import BOTH, ONLY_A, ONLY_B
from ..core.numbers import format_signed_euros
from .chart_style import (
    FONT,
    FrenchFormatter,
    _axis_label,
    _bar_label,
    _fit_value_labels,
    _plain,
    _row_font_size,
    _rows_that_fit,
    _shorten,
    _sign_colour,
    _start,
    _style_axes,
    _titles,
    _x_bins,
    draw_message,
)

NO_DIFFERENCE = "Aucun écart avec la référence"
QUANTITY_TITLES = {"modelled": "du montant modélisé", "revenue_effect": "de l'effet revenu"}
# The label's suffix of a row of one scenario only (the table says it in full).
SIDE_NOTES = {ONLY_B: " (absent de la réf.)", ONLY_A: " (absent du scén.)"}


def _quantity_title(quantity: str) -> str:
    if quantity.startswith("alloc_"):
        return f"de la dotation {quantity[6:]}"
    return QUANTITY_TITLES.get(quantity, quantity)


def _names(frame, level: str) -> list[str]:
    if level == "region":
        return [str(r) for r in frame["region"]]
    from .charts import crra_short_names
    return crra_short_names(frame["label"], frame["crra_id"])


def draw_result_differences(fig: Figure, comparison, level: str = "region",
                            region: str | None = None, quantity: str = "modelled",
                            max_bars: int | None = None) -> Figure:
    """Scenario − reference of ``quantity`` by region (``level`` "region") or by CRRA
    (``level`` "crra", of ``region`` if given), largest gain on top. Rows without a
    difference are left out; when more differ than fit, the largest in absolute value
    are kept and the subtitle says so."""
    _start(fig)
    if comparison is None:
        return draw_message(fig, "Aucune référence choisie")
    levels = comparison.regions if level == "region" else comparison.crra
    frame = levels.frame
    if level != "region" and region is not None:
        frame = frame[frame["region"] == region]
    frame = frame[levels.differing()[frame.index.to_numpy()]] if len(frame) else frame
    column = f"delta_{quantity}"
    if column not in frame or not len(frame):
        where = f" pour la région {region}" if region is not None and level != "region" else ""
        return draw_message(fig, NO_DIFFERENCE + where)
    total = len(frame)
    deltas = frame[column].to_numpy(dtype=float)
    cap = max_bars if max_bars is not None else (_rows_that_fit(fig) if level != "region"
                                                 else max(total, 1))
    keep = np.argsort(-np.abs(deltas), kind="stable")[:cap]
    frame = frame.iloc[np.sort(keep)]
    frame = frame.iloc[np.argsort(-frame[column].to_numpy(dtype=float), kind="stable")]
    n = len(frame)
    values = frame[column].to_numpy(dtype=float)
    status = frame["status"].to_numpy()
    names = [_plain(_shorten(name, 30) + SIDE_NOTES.get(s, ""))
             for name, s in zip(_names(frame, level), status)]

    ax = fig.add_subplot()
    _style_axes(ax, "x")
    y = np.arange(n, dtype=float)
    bars = ax.barh(y, values, height=0.7 if n >= 8 else 0.5,
                   color=[_sign_colour(v) for v in values], gid="difference")
    one_side = status != BOTH
    for bar, alone in zip(bars, one_side):
        if alone:
            bar.set_hatch("///")
            bar.set_edgecolor("white")
    ax.axvline(0, color="#333333", linewidth=1.0, zorder=3, gid="zero")
    size = _row_font_size(fig, n)
    ax.set_yticks(y, names, fontsize=size, fontfamily=FONT)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(n - 0.5, -0.5)
    labels, short = [], []
    for yi, v in zip(y, values):
        side = 1 if v >= 0 else -1
        text = format_signed_euros(v)
        labels.append((_bar_label(ax, v, yi, text, side, max(size - 0.5, 6.0)), v, side))
        short.append(text)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=_x_bins(fig, 7), steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FrenchFormatter("euros", signed=True))
    _fit_value_labels(fig, ax, float(values.min()), float(values.max()), labels, short=short)
    unit = "région" if level == "region" else "CRRA"
    title = f"Écart {_quantity_title(quantity)} par {unit} (scénario − référence)"
    if level != "region" and region is not None:
        title += f" – Région {region}"
    ups = int((values > 0.5).sum())
    downs = int((values < -0.5).sum())
    many = "régions" if level == "region" else "CRRA"
    parts = []
    if total > n:
        parts.append(f"Les {n} plus forts écarts en valeur absolue, sur {total} {many} qui diffèrent")
    else:
        parts.append(f"{ups} en hausse, {downs} en baisse")
    parts.append("hachuré : absent de l'un des deux scénarios" if one_side.any()
                 else "écart = scénario ouvert moins référence")
    _titles(fig, title, " ; ".join(parts))
    _axis_label(ax.xaxis, "Écart (scénario − référence)")
    return fig
