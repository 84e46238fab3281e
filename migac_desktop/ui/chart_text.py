"""What a chart shows, in words: the accessible description of a chart in the window.

A screen reader cannot read a picture: the description says the chart's title and, for
each series drawn, its extremes with the bar they belong to (« Effet revenu : de −12,5 %
(Limousin) à +12,2 % (Guyane) »). It is read from the figure as drawn (bars, lines,
points, tick labels), so it never says something the chart does not show.
"""

from __future__ import annotations

import math

from ..core.numbers import (
    format_euros,
    format_number,
    format_percent,
    format_signed_euros,
    format_signed_percent,
)


def _format(axis, value: float) -> str:
    """A value in the unit of the axis it is read on (its tick formatter's kind)."""
    formatter = axis.get_major_formatter()
    kind, signed = getattr(formatter, "kind", "number"), getattr(formatter, "signed", False)
    if kind == "euros":
        return format_signed_euros(value) if signed else format_euros(value)
    if kind == "percent":
        return format_signed_percent(value) if signed else format_percent(value)
    return format_number(value, 0 if float(value).is_integer() else 1)


def _tick_names(axis) -> dict[float, str]:
    names = {}
    for tick, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels()):
        text = label.get_text().replace("\n", " ").strip()
        if text:
            names[round(float(tick), 6)] = text
    return names


def _nearest(names: dict[float, str], position: float) -> str:
    """The tick label of a bar: the tick under it (grouped bars sit beside their tick)."""
    if not names:
        return ""
    tick = min(names, key=lambda t: abs(t - position))
    return names[tick] if abs(tick - position) < 0.5 else ""


def _series_label(artist, default: str) -> str:
    label = str(artist.get_label() or "")
    return default if not label or label.startswith("_") else label


def _bars(ax, container) -> str | None:
    horizontal = getattr(container, "orientation", "vertical") == "horizontal"
    values = [float(v) for v in getattr(container, "datavalues", [])]
    if not values:
        return None
    if horizontal:
        positions = [p.get_y() + p.get_height() / 2 for p in container.patches]
        names, value_axis = _tick_names(ax.yaxis), ax.xaxis
    else:
        positions = [p.get_x() + p.get_width() / 2 for p in container.patches]
        names, value_axis = _tick_names(ax.xaxis), ax.yaxis
    drawn = [(v, _nearest(names, pos)) for v, pos in zip(values, positions) if math.isfinite(v)]
    if not drawn:
        return None
    low, high = min(drawn, key=lambda d: d[0]), max(drawn, key=lambda d: d[0])
    label = _series_label(container, "Barres")

    def part(value, name):
        return _format(value_axis, value) + (f" ({name})" if name else "")
    if len(drawn) == 1:
        return f"{label} : {part(*low)}"
    return f"{label}, {len(drawn)} barres : de {part(*low)} à {part(*high)}"


def _line(ax, line) -> str | None:
    """A trajectory, from its first point to its last (two-point lines are guides: the
    historic level, the diagonal)."""
    label = str(line.get_label() or "")
    points = [(float(x), float(y)) for x, y in zip(line.get_xdata(), line.get_ydata())
              if math.isfinite(float(y))]
    if len(points) < 3 or label.startswith("_"):
        return None
    (x0, y0), (x1, y1) = points[0], points[-1]

    def at(x):
        return f"{x:.0f}" if float(x).is_integer() else format_number(x, 1)
    return f"{label} : {_format(ax.yaxis, y0)} en {at(x0)}, {_format(ax.yaxis, y1)} en {at(x1)}"


def describe_figure(fig) -> str:
    """The chart's title and what each of its series shows, in one French text."""
    title = " ".join(line.strip() for line in fig.get_suptitle().split("\n") if line.strip())
    if not fig.axes:                    # a message (« Aucune donnée à afficher »)
        texts = [t.get_text().strip() for t in fig.texts if t.get_text().strip()]
        return " ".join([title, *texts]).strip()
    parts = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        heading = ax.get_title().strip()
        series = [text for container in ax.containers if hasattr(container, "patches")
                  for text in [_bars(ax, container)] if text]
        series += [text for line in ax.get_lines() for text in [_line(ax, line)] if text]
        points = sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets"))
        if points:
            series.append(f"{points} points")
        if heading or series:
            parts.append((heading + " : " if heading and series else heading) + " ; ".join(series))
    text = ". ".join(p for p in parts if p)
    return f"{title}. {text}".strip(" .") + "." if title or text else ""
