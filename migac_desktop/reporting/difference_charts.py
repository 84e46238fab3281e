"""The chart of the differences between a scenario and its reference, without Qt.

:func:`draw_difference_bars` draws, for one level of a
:class:`~migac_desktop.core.comparison.ResultComparison`, the difference (scenario
minus reference) of one quantity as diverging horizontal bars: gains green, losses red,
each bar labelled with its signed amount, so that the sign is read from the text and
the side of the zero line, not from the colour alone. Units present in one scenario
only are named as such. It follows the conventions of :mod:`.charts` (draws into the
figure it is given, clears it first, sizes itself from the figure) and serves the
printed report's section « Écarts au scénario de référence ».
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..core.comparison import BOTH, ONLY_A, ResultComparison
from ..core.model import alloc_key
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

__all__ = ["draw_difference_bars", "difference_quantity", "quantity_label", "CENT"]

CENT = 0.005            # below half a cent, two amounts are the same amount
_LEVEL_WORDS = {"region": ("région", "régions"), "crra": ("CRRA", "CRRA"),
                "establishment": ("établissement", "établissements")}
ONLY_REFERENCE = "référence seulement"
ONLY_SCENARIO = "scénario seulement"


def difference_quantity(comparison: ResultComparison) -> str:
    """The quantity a difference chart shows by default: the allocation of the last
    smoothing year both scenarios share (what a unit receives at the end), else the
    modelled amount."""
    return alloc_key(comparison.years[-1]) if comparison.years else "modelled"


def quantity_label(quantity: str) -> str:
    """« Montant modélisé », « Effet revenu », « Dotation 2016 »."""
    if quantity == "modelled":
        return "Montant modélisé"
    if quantity == "revenue_effect":
        return "Effet revenu"
    if quantity.startswith("alloc_"):
        return f"Dotation {quantity[len('alloc_'):]}"
    raise ValueError(f"grandeur inconnue : {quantity}")


def _of(quantity: str) -> str:
    """« du montant modélisé », « de l'effet revenu », « de la dotation 2016 »."""
    if quantity == "modelled":
        return "du montant modélisé"
    if quantity == "revenue_effect":
        return "de l'effet revenu"
    return "de la " + quantity_label(quantity).lower()


def _names(frame, level: str) -> list[str]:
    if level == "region":
        return [str(r) for r in frame["region"]]
    if level == "crra":
        return [_shorten(lab) if isinstance(lab, str) and lab.strip() else str(c)
                for lab, c in zip(frame["label"], frame["crra_id"])]
    return [_shorten(n) if isinstance(n, str) and n.strip() else str(f)
            for n, f in zip(frame["establishment"], frame["finess"])]


def draw_difference_bars(fig: Figure, comparison: ResultComparison, level: str = "region",
                         region: str | None = None, quantity: str | None = None,
                         max_bars: int | None = None) -> Figure:
    """Scenario minus reference for ``quantity`` (default :func:`difference_quantity`) of
    each unit of ``level`` ("region", "crra" or "establishment"; ``region`` keeps the
    CRRA or hospitals of one region) whose amount differs, largest gain at the top.

    When more units differ than fit (``max_bars``, by default from the figure's
    height; every region always), the largest differences in absolute value are
    shown and the subtitle says so.
    """
    _start(fig)
    if comparison is None:
        return draw_message(fig, "Aucune référence choisie")
    quantity = quantity or difference_quantity(comparison)
    one, many = _LEVEL_WORDS[level]
    frame = comparison.level(level).frame
    if region is not None and level != "region":
        frame = frame[frame["region"] == region]
    delta = frame[f"delta_{quantity}"].to_numpy(dtype=float)
    status = frame["status"].to_numpy()
    keep = np.isfinite(delta) & ((np.abs(delta) >= CENT) | (status != BOTH))
    where = "" if region is None or level == "region" else f" – Région {region}"
    title = f"Écart {_of(quantity)} par {one}{where}"
    if not keep.any():
        return draw_message(fig, f"{title} : aucun écart avec le scénario de référence")
    frame, delta, status = frame[keep], delta[keep], status[keep]
    total = len(frame)
    cap = max_bars if max_bars is not None else (total if level == "region"
                                                 else _rows_that_fit(fig))
    if total > cap:
        chosen = np.sort(np.argsort(-np.abs(delta), kind="stable")[:cap])
        frame, delta, status = frame.iloc[chosen], delta[chosen], status[chosen]
    order = np.argsort(-delta, kind="stable")
    frame, delta, status = frame.iloc[order], delta[order], status[order]
    names = []
    for name, s in zip(_names(frame, level), status):
        if s != BOTH:
            name += f" ({ONLY_REFERENCE if s == ONLY_A else ONLY_SCENARIO})"
        names.append(_plain(name))

    n = len(frame)
    ax = fig.add_subplot()
    _style_axes(ax, "x")
    y = np.arange(n, dtype=float)
    bars = ax.barh(y, delta, height=0.7 if n >= 8 else 0.5, color=[_sign_colour(d) for d in delta],
                   gid="difference", label=f"Écart {quantity_label(quantity)}")
    one_side = status != BOTH
    for bar, alone in zip(bars, one_side):     # hatched as well as named: not colour alone
        if alone:
            bar.set_hatch("///")
            bar.set_edgecolor("white")
    ax.axvline(0, color="#333333", linewidth=1.0, zorder=3, gid="zero")
    size = _row_font_size(fig, n)
    ax.set_yticks(y, names, fontsize=size, fontfamily=FONT)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(n - 0.5, -0.5)
    labels = []
    for yi, d in zip(y, delta):
        side = 1 if d >= 0 else -1
        labels.append((_bar_label(ax, d, yi, format_signed_euros(d), side, max(size - 0.5, 6.0)),
                       d, side))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=_x_bins(fig, 8), steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FrenchFormatter("euros", signed=True))
    _fit_value_labels(fig, ax, float(delta.min()), float(delta.max()), labels)
    gains, losses = int((delta >= 0.5).sum()), int((delta <= -0.5).sum())
    if total > n:
        sub = f"Les {n} plus grands écarts en valeur absolue, sur {total} {many} qui diffèrent"
    else:
        sub = f"{gains} en hausse, {losses} en baisse"
        if n - gains - losses:
            sub += f", {n - gains - losses} à moins d'un euro près"
    sub += " ; scénario moins référence"
    if one_side.any():
        sub += " ; hachuré : absent de l'un des deux scénarios"
    _titles(fig, title, sub)
    _axis_label(ax.xaxis, f"Écart (scénario − référence), {quantity_label(quantity).lower()}")
    return fig
