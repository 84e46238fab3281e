"""Charts of the results: Qt-free matplotlib figures for the window and the report.

Every builder draws into the :class:`~matplotlib.figure.Figure` it is given
(clearing it first), so the window redraws in place after each edit, and returns
it. Only the matplotlib object API is used, never ``pyplot``: no global figure
manager, no backend chosen here, and the same builders serve the screen (a Qt
canvas of about 900 × 500 px) and the printed report (A4, 300 dpi or vector).

Matplotlib is imported at the top of this module; callers import the module
itself lazily (the first time a chart is shown), so starting the application
does not pay for it.

The builders size what depends on space (how many bars fit, label font size,
room for the value labels at the end of the bars) from the figure's size at the
time they run: call them again after a resize (the Qt view does).

Every number shown goes through :mod:`migac_desktop.core.numbers`: ``12,5 M€``,
``+162 131 €``, ``−15,6 %``. What every chart shares (style, French axis numbers,
titles, value labels) is in :mod:`.chart_style`; its public names stay importable here.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, MaxNLocator

from ..core.numbers import format_euros, format_percent, format_signed_euros, format_signed_percent
from .chart_style import (
    _LINE_COLOURS,
    _LINE_MARKERS,
    FONT,
    GAIN_COLOUR,
    HISTORIC_COLOUR,
    LOSS_COLOUR,
    MODELLED_COLOUR,
    NO_DATA,
    NOTE_SIZE,
    NOTIFIED_COLOUR,
    OTHER_COLOUR,
    TEXT_GREY,
    FrenchFormatter,
    _axis_label,
    _bar_label,
    _effect_text,
    _fit_value_labels,
    _layout,
    _legend_font,
    _plain,
    _row_font_size,
    _rows_that_fit,
    _shorten,
    _sign_colour,
    _start,
    _style_axes,
    _titles,
    _x_bins,
    chart_title,
    draw_message,
    entity_title,
    format_compact_euros,
    format_millions,
    format_thousands,
)
from .policy_chart import policy_marks, remaining_mark

__all__ = [
    "FrenchFormatter", "format_millions", "format_thousands", "format_compact_euros",
    "entity_title", "chart_title", "draw_message", "draw_comparison_bars", "draw_revenue_effect",
    "draw_scatter", "draw_smoothing", "draw_region_crra_trajectories", "NO_DATA",
]


# -- 1. historic against modelled, by region --------------------------------
def draw_comparison_bars(fig: Figure, results, historic_year: int = 2013) -> Figure:
    """Dotation historique and montant modélisé of each region, grouped horizontal bars.

    Regions are sorted by historic amount, largest at the top; the effet revenu
    in % is written at the end of each pair. The two bar containers carry the
    labels « Dotation historique <année> » and « Montant modélisé ».
    """
    _start(fig)
    regions = results.regions
    if regions is None or len(regions) == 0:
        return draw_message(fig)
    df = regions.sort_values("historic", ascending=False, kind="stable")
    n = len(df)
    ax = fig.add_subplot()
    _style_axes(ax, "x")
    y = np.arange(n, dtype=float)
    h = 0.4
    historic = df["historic"].to_numpy(dtype=float)
    modelled = df["modelled"].to_numpy(dtype=float)
    # Hatched as well as grey: told from the modelled bars without colour (printed in grey too).
    ax.barh(y - h / 2, historic, height=h, color=HISTORIC_COLOUR, hatch="///", edgecolor="white",
            linewidth=0, label=f"Dotation historique {historic_year}", gid="historic")
    ax.barh(y + h / 2, modelled, height=h, color=MODELLED_COLOUR,
            label="Montant modélisé", gid="modelled")
    size = _row_font_size(fig, n)
    ax.set_yticks(y, [_plain(r) for r in df["region"]], fontsize=size, fontfamily=FONT)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(n - 0.5, -0.5)          # first (largest) region on top
    ax.xaxis.set_major_locator(MaxNLocator(nbins=_x_bins(fig, 9), steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FrenchFormatter("euros"))
    labels = []
    pct = df["revenue_effect_pct"].to_numpy(dtype=float)
    effect = df["revenue_effect"].to_numpy(dtype=float)
    for yi, a, b, p, e in zip(y, historic, modelled, pct, effect):
        if math.isnan(p):
            continue
        end = max(a, b)
        t = _bar_label(ax, end, yi, format_signed_percent(p), +1, max(size - 0.5, 6.0),
                       _sign_colour(e))
        labels.append((t, end, +1))
    top = float(np.nanmax(np.concatenate([historic, modelled]))) if n else 1.0
    _fit_value_labels(fig, ax, 0.0, top * 1.02 if top > 0 else 1.0, labels)
    _axis_label(ax.xaxis, "Montant annuel")
    _titles(fig, "Dotation historique et montant modélisé par région",
            f"Régions classées par dotation historique {historic_year} ; "
            "à droite, l'effet revenu en % de la dotation historique")
    # Under the axes: never on top of a bar, whichever region is largest.
    fig.legend(loc="outside lower center", ncols=2, frameon=False, prop=_legend_font())
    return fig


# -- 2. effet revenu, diverging bars ------------------------------------------
_LEVEL_NAMES = {"region": ("région", "régions"), "crra": ("CRRA", "CRRA"),
                "establishment": ("établissement", "établissements")}


def _effect_frame(results, level: str, region: str | None):
    if level == "region":
        df = results.regions.copy()
        df["name"] = [_plain(r) for r in df["region"]]
    elif level == "crra":
        df = results.crra.copy()
        # The label (« SAMU 75 – Paris ») says more than the identifier; the
        # identifier when there is no label or two CRRA share one.
        names = [_shorten(lab) if str(lab).strip() else str(c)
                 for lab, c in zip(df["label"], df["crra_id"])]
        counts: dict[str, int] = {}
        for n in names:
            counts[n] = counts.get(n, 0) + 1
        df["name"] = [_plain(f"{n} ({c})" if counts[n] > 1 and n != str(c) else n)
                      for n, c in zip(names, df["crra_id"])]
    elif level == "establishment":
        df = results.establishments.copy()
        names = [_shorten(n) if str(n).strip() else str(f)
                 for n, f in zip(df["establishment"], df["finess"])]
        # Two hospitals with the same short name: tell them apart by FINESS.
        counts: dict[str, int] = {}
        for n in names:
            counts[n] = counts.get(n, 0) + 1
        df["name"] = [_plain(f"{n} ({f})" if counts[n] > 1 and n != str(f) else n)
                      for n, f in zip(names, df["finess"])]
    else:
        raise ValueError(f"niveau inconnu : {level}")
    if region is not None and level != "region":
        df = df[df["region"] == region]
    return df


def draw_revenue_effect(fig: Figure, results, level: str = "region", region: str | None = None,
                        *, percent: bool = False, max_bars: int | None = None) -> Figure:
    """Effet revenu sorted from the largest gain (top) to the largest loss (bottom).

    Diverging horizontal bars (gains green, losses red) around a zero line, each
    labelled « +810 654 € (+10,0 %) ». ``level``: "region", "crra" or
    "establishment"; ``region`` restricts CRRA or establishments to one region.
    ``percent``: bar lengths are the effet revenu in % of the historic amount
    instead of euros. When there are more entities than fit (``max_bars``, by
    default from the figure's height), the largest effects in absolute value
    are shown and the subtitle says so.
    """
    _start(fig)
    df = _effect_frame(results, level, region)
    value_col = "revenue_effect_pct" if percent else "revenue_effect"
    df = df[np.isfinite(df[value_col].to_numpy(dtype=float))]
    if len(df) == 0:
        return draw_message(fig, NO_DATA if region is None else f"{NO_DATA} pour la région {region}")
    total = len(df)
    cap = max_bars if max_bars is not None else (total if level == "region" else _rows_that_fit(fig))
    if total > cap:
        keep = np.argsort(-np.abs(df[value_col].to_numpy(dtype=float)), kind="stable")[:cap]
        df = df.iloc[np.sort(keep)]
    df = df.sort_values(value_col, ascending=False, kind="stable")
    n = len(df)
    values = df[value_col].to_numpy(dtype=float)
    effects = df["revenue_effect"].to_numpy(dtype=float)
    pcts = df["revenue_effect_pct"].to_numpy(dtype=float)
    ax = fig.add_subplot()
    _style_axes(ax, "x")
    y = np.arange(n, dtype=float)
    colours = [_sign_colour(e) for e in effects]
    ax.barh(y, values, height=0.7 if n >= 8 else 0.5, color=colours, gid="revenue_effect",
            label="Effet revenu")
    ax.axvline(0, color="#333333", linewidth=1.0, zorder=3, gid="zero")
    size = _row_font_size(fig, n)
    ax.set_yticks(y, list(df["name"]), fontsize=size, fontfamily=FONT)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(n - 0.5, -0.5)
    labels, short = [], []
    for yi, v, e, p in zip(y, values, effects, pcts):
        side = 1 if v >= 0 else -1
        t = _bar_label(ax, v, yi, _effect_text(e, p, percent_first=percent), side,
                       max(size - 0.5, 6.0))
        labels.append((t, v, side))
        short.append(_effect_text(e, p, percent_first=percent, brief=True))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=_x_bins(fig, 8), steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FrenchFormatter("percent" if percent else "euros", signed=True))
    _fit_value_labels(fig, ax, float(values.min()), float(values.max()), labels, short=short)
    one, many = _LEVEL_NAMES[level]
    title = f"Effet revenu par {one}"
    if region is not None and level != "region":
        title += f" – Région {region}"
    gains = int((effects > 0.5).sum()) if total == n else None
    parts = []
    if total > n:
        parts.append(f"Les {n} plus forts effets revenus en valeur absolue, sur {total} {many}")
    elif gains is not None:
        parts.append(f"{gains} en hausse, {n - gains} en baisse ou stables")
    parts.append("montant modélisé moins dotation historique" + (" (en %)" if percent else ""))
    _titles(fig, title, " ; ".join(parts))
    _axis_label(ax.xaxis, "Effet revenu (en % de la dotation historique)" if percent
                else "Effet revenu")
    return fig


# -- 3. modelled against historic, per CRRA ----------------------------------
def crra_short_names(labels, ids) -> list[str]:
    """What a reader recognises a CRRA by on a chart: its département, the part of the
    label after the dash (« SAMU 29 – Finistère » → « Finistère »), else the label,
    else the identifier; the identifier added where two CRRA would read the same."""
    names = []
    for label, ident in zip(labels, ids):
        text = " ".join(str(label).split()) if label is not None else ""
        for dash in (" – ", " — ", " - "):
            if dash in text:
                text = text.split(dash, 1)[1].strip()
                break
        names.append(_shorten(text, 26) if text else str(ident))
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    return [f"{n} ({i})" if counts[n] > 1 and n != str(i) else n for n, i in zip(names, ids)]


def _place_labels(fig: Figure, ax, annotations: list, obstacles: list, x, y) -> None:
    """Greedy placement, most important label first: each label takes the first of a
    few positions around its point whose box stays in the axes and meets no label
    placed before (nor the ``obstacles`` artists: the legend, the note; nor, if
    possible, another of the points ``x``, ``y``); a label that finds none is left out
    rather than drawn over another. Pixels are measured after one layout, here."""
    if not annotations:
        return
    _layout(fig)
    inside = ax.get_window_extent()
    placed = [artist.get_window_extent() for artist in obstacles]
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    px, py = ax.transData.transform(np.column_stack([x, y])).T
    for ann, up in annotations:
        # Winners up-left of their point (away from the diagonal), losers down-right.
        spots = [(-8, 9, "right", "bottom"), (8, -9, "left", "top"),
                 (8, 9, "left", "bottom"), (-8, -9, "right", "top"),
                 (-8, 20, "right", "bottom"), (8, -20, "left", "top"),
                 (10, 0, "left", "center"), (-10, 0, "right", "center")]
        if not up:
            spots[0], spots[1] = spots[1], spots[0]
            spots[4], spots[5] = spots[5], spots[4]
        ox, oy = ann.xy
        others = (x != ox) | (y != oy)
        opx, opy = px[others], py[others]
        chosen = None
        for avoid_points in (True, False):
            for dx, dy, ha, va in spots:
                ann.xyann = (dx, dy)
                ann.set_ha(ha)
                ann.set_va(va)
                ann.get_window_extent()
                box = Text.get_window_extent(ann).expanded(1.06, 1.15)
                if not (inside.x0 <= box.x0 and box.x1 <= inside.x1
                        and inside.y0 <= box.y0 and box.y1 <= inside.y1):
                    continue
                if any(box.overlaps(other) for other in placed):
                    continue
                if avoid_points and np.any((box.x0 <= opx) & (opx <= box.x1)
                                           & (box.y0 <= opy) & (opy <= box.y1)):
                    continue
                chosen = box
                break
            if chosen is not None:
                break
        if chosen is None:
            ann.remove()
        else:
            placed.append(chosen)


def draw_scatter(fig: Figure, results, highlight_region: str | None = None,
                 *, annotate: int = 5, historic_year: int = 2013,
                 selected: str | None = None) -> Figure:
    """Montant modélisé against dotation historique, one point per CRRA.

    The diagonal (« Modèle = historique ») separates the winners (above) from
    the losers (below). With ``highlight_region`` that region's CRRA are drawn
    in colour over the others in grey. The ``annotate`` largest gaps (of the
    highlighted region if any), and the ``selected`` CRRA, are labelled with
    their département (:func:`crra_short_names`), without overlaps.
    """
    _start(fig)
    crra = results.crra
    if crra is None or len(crra) == 0:
        return draw_message(fig)
    x = crra["historic"].to_numpy(dtype=float)
    y = crra["modelled"].to_numpy(dtype=float)
    effect = crra["revenue_effect"].to_numpy(dtype=float)
    ids = crra["crra_id"].to_numpy(dtype=object)
    names = crra_short_names(crra["label"], ids)
    region_col = crra["region"].to_numpy(dtype=object)
    ax = fig.add_subplot()
    _style_axes(ax, "both")
    top = float(np.nanmax(np.concatenate([x, y]))) if len(x) else 1.0
    top = top * 1.06 if top > 0 else 1.0
    ax.plot([0, top], [0, top], linestyle="--", color="#666666", linewidth=1.1,
            label="Modèle = historique", gid="diagonal", zorder=2)
    focus = np.ones(len(x), dtype=bool)
    if highlight_region is not None:
        focus = region_col == highlight_region
        if (~focus).any():
            ax.scatter(x[~focus], y[~focus], s=22, color=OTHER_COLOUR, edgecolors="none",
                       label="Autres CRRA", gid="others", zorder=3)
        if focus.any():
            ax.scatter(x[focus], y[focus], s=46, color=MODELLED_COLOUR, edgecolors="white",
                       linewidths=0.8, label=_plain(f"CRRA de la région {highlight_region}"),
                       gid="highlight", zorder=4)
    else:
        win = effect > 0
        if win.any():
            ax.scatter(x[win], y[win], s=30, color=GAIN_COLOUR, edgecolors="white",
                       linewidths=0.6, label=f"CRRA en hausse ({int(win.sum())})",
                       gid="winners", zorder=3)
        if (~win).any():
            ax.scatter(x[~win], y[~win], s=30, color=LOSS_COLOUR, edgecolors="white",
                       linewidths=0.6, label=f"CRRA en baisse ou stables ({int((~win).sum())})",
                       gid="losers", zorder=3)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        axis.set_major_formatter(FrenchFormatter("euros"))
    _axis_label(ax.xaxis, f"Dotation historique {historic_year}")
    _axis_label(ax.yaxis, "Montant modélisé")
    note = ax.text(0.02, 0.98, "Au-dessus de la diagonale : CRRA gagnants\n"
                   "en dessous : CRRA perdants", transform=ax.transAxes, ha="left", va="top",
                   fontsize=NOTE_SIZE, color=TEXT_GREY, fontfamily=FONT)
    # The largest gaps (and the selected CRRA first), labelled by their département.
    candidates = np.flatnonzero(focus)
    order = list(candidates[np.argsort(-np.abs(effect[candidates]), kind="stable")][:max(annotate, 0)])
    if selected is not None:
        chosen = [int(i) for i in np.flatnonzero(ids == selected)]
        order = chosen[:1] + [i for i in order if i not in chosen[:1]]
    annotations = []
    for i in order:
        up = effect[i] > 0
        ann = ax.annotate(
            _plain(names[i]), xy=(x[i], y[i]), xytext=(-8, 9) if up else (8, -9),
            textcoords="offset points", ha="right" if up else "left",
            va="bottom" if up else "top", fontsize=NOTE_SIZE, fontfamily=FONT,
            color=GAIN_COLOUR if up else LOSS_COLOUR,
            fontweight="bold" if ids[i] == selected else "normal",
            arrowprops=dict(arrowstyle="-", color="#888888", linewidth=0.7,
                            shrinkA=0, shrinkB=3), zorder=5, gid=f"label:{ids[i]}")
        annotations.append((ann, up))
    subtitle = ("Chaque point est un CRRA ; les plus forts écarts sont nommés"
                if highlight_region is None else
                f"Région {highlight_region} en couleur ; ses plus forts écarts sont nommés")
    _titles(fig, "Montant modélisé et dotation historique par CRRA", subtitle)
    legend = ax.legend(loc="lower right", prop=_legend_font(), frameon=True, framealpha=0.9,
                       edgecolor="#dddddd")
    legend.set_zorder(6)
    _place_labels(fig, ax, annotations, [legend, note], x, y)
    return fig


# -- 4. smoothing trajectory of one entity ------------------------------------
def _count(results, level: str, key: object) -> int:
    return int(results.mask(level, key).sum())


def _share_text(share: float) -> str:
    decimals = 0 if abs(share * 100 - round(share * 100)) < 0.05 else 1
    return format_percent(share, decimals)


def draw_smoothing(fig: Figure, results, level: str, key: object = None,
                   historic_year: int = 2013) -> Figure:
    """The smoothing path of one entity, from the historic year to the target.

    x = [historic year, smoothing years…], y = ``results.trajectory(level, key)``
    (line ``gid="trajectory"``); dashed lines for the modelled target and the
    historic amount; each year labelled with the cumulative share of the effet
    revenu applied and its amount (« 20 % : +162 131 € »); for a region, its
    notified envelopes as orange diamonds (« Enveloppe notifiée »). With the policy
    « Plafonné », the linear path too (grey, dashed, ``gid="linear"``), the years a unit
    was floored (triangle up, ``gid="floored"``) or capped (triangle down, ``gid="capped"``)
    named under the year's label, and the reste à converger at the last year
    (``gid="remaining"``); under « Linéaire » the chart is as it was.
    """
    _start(fig)
    if level not in ("national", "region", "establishment", "crra"):
        raise ValueError(f"niveau inconnu : {level}")
    if results is None or _count(results, level, key) == 0:
        return draw_message(fig)
    name = entity_title(results, level, key)
    years = [int(historic_year)] + [int(yr) for yr in results.years]
    values = results.trajectory(level, key)
    target = results.target(level, key)
    historic = values[0]
    effect = target - historic
    ax = fig.add_subplot()
    _style_axes(ax, "y")
    ax.axhline(historic, linestyle="--", color=HISTORIC_COLOUR, linewidth=1.4,
               label=f"Dotation historique {historic_year} : {format_euros(historic)}",
               gid="historic", zorder=2)
    ax.axhline(target, linestyle="--", color=MODELLED_COLOUR, linewidth=1.4,
               label=f"Montant modélisé : {format_euros(target)}", gid="target", zorder=2)
    policy = policy_marks(ax, results, level, key, years) if results.capped else None
    ax.plot(years, values, marker="o", markersize=6, color="#222222", linewidth=2.0,
            label="Dotation de l'année" if policy is None else "Dotation plafonnée",
            gid="trajectory", zorder=4)
    notified = []
    if level == "region":
        notified = sorted((yr, amount) for (r, yr), amount in results.notified.items() if r == key)
    if notified:
        ax.plot([yr for yr, _ in notified], [a for _, a in notified], linestyle="none",
                marker="D", markersize=11, markerfacecolor="none", markeredgecolor=NOTIFIED_COLOUR,
                markeredgewidth=2.0, label="Enveloppe notifiée", gid="notified", zorder=5)
    rising = effect >= 0
    for n, (yr, value) in enumerate(zip(years[1:], values[1:]), start=1):
        applied = value - historic
        if abs(effect) >= 0.5:
            text = f"{_share_text(applied / effect)} : {format_signed_euros(applied)}"
        else:
            text = format_signed_euros(applied)
        if policy is not None and policy["words"][yr]:
            text += "\n" + policy["words"][yr]
        # Beside the point, away from the line: up-left of a rising path,
        # down-left of a falling one. Where the linear path runs on that side (the policy
        # held the amount back), right of the point on the other side, but for the last
        # year, whose right is the reste's bracket.
        up, side = rising, -7
        if policy is not None and n < len(values) - 1 and abs(value - policy["linear"][n]) >= 0.5 \
                and (value > policy["linear"][n]) != rising:
            up, side = not rising, 7
        ax.annotate(text, xy=(yr, value), xytext=(side, 7 if up else -7),
                    textcoords="offset points", ha="right" if side < 0 else "left",
                    va="bottom" if up else "top",
                    fontsize=NOTE_SIZE + 0.5, fontfamily=FONT, color="#222222",
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none",
                              alpha=0.85), zorder=6)
    ax.xaxis.set_major_locator(FixedLocator(years))
    ax.set_xticks(years, [f"{years[0]}\n(historique)"] + [str(yr) for yr in years[1:]])
    ax.set_xlim(years[0] - 0.45, years[-1] + 0.45)
    every = [historic, target] + list(values) + [a for _, a in notified]
    if policy is not None:
        every += policy["linear"]
        remaining_mark(ax, results, level, key, years[-1], values[-1], target, rising)
    low, high = min(every), max(every)
    span = (high - low) or max(abs(high), 1.0) * 0.05
    # Room above (gain) or below (loss) for the labels; with the policy, for the labels
    # moved to the other side too, and for the reste à converger's box on the first.
    below, above = (0.12, 0.35) if rising else (0.35, 0.12)
    if policy is not None:
        below, above = (0.3, 0.6) if rising else (0.6, 0.3)
    ax.set_ylim(low - span * below, high + span * above)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FrenchFormatter("euros"))
    _axis_label(ax.yaxis, "Dotation MIG SAMU")
    pct = effect / historic if historic else float("nan")
    if abs(effect) < 0.5:
        subtitle = ("Effet revenu nul : le modèle redistribue l'enveloppe historique"
                    if level == "national" else "Effet revenu nul")
    else:
        subtitle = (f"Effet revenu : {_effect_text(effect, pct)} ; chaque année : part "
                    "cumulée de l'effet revenu appliquée et montant correspondant")
    _titles(fig, f"Lissage de l'effet revenu – {name}", subtitle)
    fig.legend(loc="outside lower center",
               ncols=(4 if len(ax.get_lines()) <= 3 else 2) if policy is None else 3,
               frameon=False, prop=_legend_font())
    return fig


# -- 5. all the CRRA of one region --------------------------------------------
def draw_region_crra_trajectories(fig: Figure, results, region: str, historic_year: int = 2013,
                                  *, index: bool = True) -> Figure:
    """The smoothing paths of every CRRA of ``region`` together.

    By default as an index (100 = dotation historique), so that small and
    large CRRA read on one scale; ``index=False`` draws amounts in euros. The
    region as a whole is the thick black line; its notified envelopes, if any,
    are orange diamonds. Lines have ``gid="crra:<identifier>"`` and ``"region"``.
    """
    _start(fig)
    crra = results.crra
    rows = crra[crra["region"] == region] if crra is not None else crra
    if rows is None or len(rows) == 0:
        return draw_message(fig, f"{NO_DATA} pour la région {region}")
    years = [int(historic_year)] + [int(yr) for yr in results.years]
    alloc_cols = [f"alloc_{yr}" for yr in results.years]
    ax = fig.add_subplot()
    _style_axes(ax, "y")
    skipped = []
    ordered = rows.sort_values("revenue_effect_pct", ascending=False, kind="stable",
                               na_position="last")
    for i, (_, row) in enumerate(ordered.iterrows()):
        path = np.array([row["historic"]] + [row[c] for c in alloc_cols], dtype=float)
        if index:
            if not row["historic"]:
                skipped.append(str(row["crra_id"]))
                continue
            path = path / row["historic"] * 100.0
        label = f"{row['crra_id']} : {_effect_text(row['revenue_effect'], row['revenue_effect_pct'], True)}"
        ax.plot(years, path, color=_LINE_COLOURS[i % len(_LINE_COLOURS)],
                marker=_LINE_MARKERS[i % len(_LINE_MARKERS)], markersize=5, linewidth=1.5,
                label=_plain(label), gid=f"crra:{row['crra_id']}", zorder=3)
    total = np.array(results.trajectory("region", region), dtype=float)
    base = total[0]
    region_effect = results.target("region", region) - base
    region_pct = region_effect / base if base else float("nan")
    if index and base:
        total_path = total / base * 100.0
    elif index:
        total_path = None
    else:
        total_path = total
    if total_path is not None:
        ax.plot(years, total_path, color="#111111", linewidth=3.0, alpha=0.85,
                label=_plain(f"Ensemble de la région : {_effect_text(region_effect, region_pct, True)}"),
                gid="region", zorder=4)
    notified = sorted((yr, amount) for (r, yr), amount in results.notified.items() if r == region)
    if notified and (base or not index):
        ys = [a / base * 100.0 if index else a for _, a in notified]
        ax.plot([yr for yr, _ in notified], ys, linestyle="none", marker="D", markersize=11,
                markerfacecolor="none", markeredgecolor=NOTIFIED_COLOUR, markeredgewidth=2.0,
                label="Enveloppe notifiée (région)", gid="notified", zorder=5)
    if index:
        ax.axhline(100, color="#888888", linewidth=0.9, linestyle=":", zorder=1)
    ax.set_xticks(years, [f"{years[0]}\n(historique)"] + [str(yr) for yr in years[1:]])
    ax.set_xlim(years[0] - 0.2, years[-1] + 0.2)
    ax.margins(y=0.08)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FrenchFormatter("number" if index else "euros"))
    _axis_label(ax.yaxis, f"Indice (100 = dotation historique {historic_year})" if index
                else "Dotation MIG SAMU")
    n = len(rows)
    subtitle = f"{n} CRRA ; dans la légende, l'effet revenu total de chacun"
    if skipped:
        subtitle += f" ; sans dotation historique, non indicés : {', '.join(skipped)}"
    _titles(fig, f"Lissage par CRRA – Région {region}", subtitle)
    # Lower right: the title runs along the top, whatever its length.
    legend = fig.legend(loc="outside right lower", frameon=False, prop=_legend_font(),
                        title="CRRA (effet revenu)", title_fontproperties=_legend_font())
    legend.get_title().set_fontweight("bold")
    return fig
