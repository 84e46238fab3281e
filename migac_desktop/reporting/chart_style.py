"""The look shared by every chart: fonts, sizes, colours, French axis numbers, titles,
value labels and the layout, for the drawers of :mod:`.charts`.

Text is measured with the font itself through the module global ``_text_to_path``
(created on first use; :mod:`.text_metrics` lends it its memoised measurer).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Annotation, Text
from matplotlib.ticker import Formatter
from matplotlib.transforms import ScaledTranslation

from ..core.numbers import (
    NBSP,
    format_euros,
    format_number,
    format_percent,
    format_signed_euros,
    format_signed_percent,
)

__all__ = [
    "FrenchFormatter", "format_millions", "format_thousands", "format_compact_euros",
    "entity_title", "chart_title", "draw_message", "NO_DATA",
]

NO_DATA = "Aucune donnée à afficher"

# -- style -------------------------------------------------------------------
FONT = "DejaVu Sans"          # bundled with matplotlib: the same glyphs everywhere
TITLE_SIZE = 11.5
SUBTITLE_SIZE = 8.5
LABEL_SIZE = 9.0
TICK_SIZE = 8.5
NOTE_SIZE = 8.0

HISTORIC_COLOUR = "#7b8794"   # grey-blue: what was (3,7:1 on white, as every chart element ≥ 3:1)
MODELLED_COLOUR = "#1f5fa8"   # strong blue: what the model gives
GAIN_COLOUR = "#2e7d32"
LOSS_COLOUR = "#c62828"
NEUTRAL_COLOUR = "#757575"
NOTIFIED_COLOUR = "#b35806"
OTHER_COLOUR = "#858f9a"
TEXT_GREY = "#555555"
GRID_COLOUR = "#e3e6ea"

# Lines of one region's CRRA: colour-blind-friendly palette (Okabe–Ito + greys)
# and markers, so that a line stays identifiable in black-and-white print too.
_LINE_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#b87f00", "#2a86c2",
                 "#8c564b", "#332288", "#7a7a29", "#882255", "#2d8273", "#666666")
_LINE_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "<", ">", "h", "*", "p")


# -- French numbers on axes --------------------------------------------------
def format_millions(value: float, decimals: int = 1) -> str:
    """``12_500_000`` → ``12,5 M€``."""
    return f"{format_number(value / 1e6, decimals)}{NBSP}M€"


def format_thousands(value: float, decimals: int = 0) -> str:
    """``162_131`` → ``162 k€``."""
    return f"{format_number(value / 1e3, decimals)}{NBSP}k€"


def format_compact_euros(value: float, decimals: int = 1) -> str:
    """Millions from 1 M€, thousands from 1 k€, else euros: for short labels."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if abs(value) >= 1e6:
        return format_millions(value, decimals)
    if abs(value) >= 1e3:
        return format_thousands(value, 0)
    return format_euros(value)


def _decimals_for(values: np.ndarray, most: int = 3) -> int:
    """The fewest decimals that write every value exactly (tick labels stay distinct)."""
    for d in range(most + 1):
        if np.all(np.abs(values - np.round(values, d)) < 1e-6 * np.maximum(1.0, np.abs(values))):
            return d
    return most


class FrenchFormatter(Formatter):
    """Tick labels in French: ``12,5 M€``, ``250 k€``, ``−3,5 %``, ``102,5``.

    ``kind``: ``"euros"`` (unit M€, k€ or € chosen from the largest tick),
    ``"percent"`` (values are fractions: 0.07 → ``7 %``) or ``"number"``.
    Decimals are the fewest that write every tick exactly; ``signed`` adds a
    ``+`` to positive ticks (effets revenus).
    """

    def __init__(self, kind: str = "euros", signed: bool = False):
        if kind not in ("euros", "percent", "number"):
            raise ValueError(f"type de graduation inconnu : {kind}")
        self.kind = kind
        self.signed = signed
        self._divisor, self._unit, self._decimals = 1.0, "", 0
        self._locs: list[float] = []

    def set_locs(self, locs):
        self._locs = list(locs)
        values = np.asarray([v for v in self._locs if np.isfinite(v)], dtype=float)
        biggest = float(np.max(np.abs(values))) if values.size else 0.0
        if self.kind == "euros":
            if biggest >= 1e6:
                self._divisor, self._unit = 1e6, "M€"
            elif biggest >= 1e3:
                self._divisor, self._unit = 1e3, "k€"
            else:
                self._divisor, self._unit = 1.0, "€"
        elif self.kind == "percent":
            self._divisor, self._unit = 0.01, "%"
        else:
            self._divisor, self._unit = 1.0, ""
        self._decimals = _decimals_for(values / self._divisor) if values.size else 0

    def __call__(self, x, pos=None):
        if not self._locs:
            self.set_locs([x])
        if abs(x) < 1e-9 * max(1.0, self._divisor):
            return "0"
        text = format_number(x / self._divisor, self._decimals)
        if self.signed and x > 0:
            text = "+" + text
        return f"{text}{NBSP}{self._unit}" if self._unit else text

    def format_data_short(self, value):
        if self.kind == "euros":
            return format_euros(value)
        if self.kind == "percent":
            return format_percent(value)
        return format_number(value, 1)


# -- shared helpers ----------------------------------------------------------
def _plain(text: object) -> str:
    """User text shown literally: a ``$`` in a name must not start mathtext."""
    return str(text).replace("$", r"\$")


def _shorten(text: str, most: int = 34) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _start(fig: Figure) -> Figure:
    """Clear ``fig`` and give it the constrained layout (nothing clipped)."""
    fig.clear()
    fig.set_layout_engine("constrained", w_pad=6 / 72, h_pad=6 / 72, hspace=0.02, wspace=0.02)
    fig.set_facecolor("white")
    return fig


def _style_axes(ax, value_axis: str = "x") -> None:
    ax.tick_params(labelsize=TICK_SIZE, labelfontfamily=FONT, color="#8c8c8c", labelcolor="#333333", length=3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#8c8c8c")
    ax.set_axisbelow(True)
    if value_axis in ("x", "both"):
        ax.xaxis.grid(True, color=GRID_COLOUR, linewidth=0.8)
    if value_axis in ("y", "both"):
        ax.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.8)


_EDGE_PT = 6.0                 # the constrained layout's pads, in points
_text_to_path = None


def _text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width of ``text`` in points, measured with the font itself (no renderer needed)."""
    global _text_to_path
    if _text_to_path is None:
        from matplotlib.textpath import TextToPath
        _text_to_path = TextToPath()
    prop = FontProperties(family=FONT, size=size, weight=weight)
    return _text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0]


def _wrap(text: str, size: float, weight: str, width_pt: float) -> list[str]:
    """Greedy word wrap to ``width_pt`` (numbers keep their no-break spaces)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and _text_width(trial, size, weight) > width_pt:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def _titles(fig: Figure, title: str, subtitle: str | None = None) -> None:
    """Bold title and grey subtitle at the figure's top left, wrapped to its width.

    The title is the figure's ``suptitle``, which the constrained layout makes
    room for (height only: a long title never squeezes the axes); it carries
    blank lines that reserve the room of the subtitle, an annotation anchored
    under the title line.
    """
    width = fig.get_figwidth() * 72 - 2 * _EDGE_PT - 2
    title_lines = _wrap(title, TITLE_SIZE, "bold", width)
    sub_lines = _wrap(subtitle, SUBTITLE_SIZE, "normal", width) if subtitle else []
    reserve = math.ceil(len(sub_lines) * SUBTITLE_SIZE * 1.25 / (TITLE_SIZE * 1.2))
    x = _EDGE_PT / 72 / fig.get_figwidth()
    head = fig.suptitle(_plain("\n".join(title_lines)) + "\n" * reserve, x=x, ha="left",
                        fontsize=TITLE_SIZE, fontweight="bold", fontfamily=FONT,
                        linespacing=1.2)
    if sub_lines:
        # Anchored to the title's box: (0, 0) is the bottom left of the reserved lines.
        fig.add_artist(Annotation(
            _plain("\n".join(sub_lines)), xy=(0, 0), xycoords=head, xytext=(0, 2),
            textcoords="offset points", ha="left", va="bottom", fontsize=SUBTITLE_SIZE,
            color=TEXT_GREY, fontfamily=FONT, linespacing=1.25, annotation_clip=False))


def chart_title(fig: Figure) -> str:
    """The title of a chart drawn by this module, on one line."""
    lines = (line.strip() for line in fig.get_suptitle().split("\n"))
    return " ".join(line for line in lines if line).replace(r"\$", "$")


def _x_bins(fig, most: int) -> int:
    """As many x ticks as fit: the bars take about half the figure's width beside the
    names, and a label such as « −35 M€ » needs about 0.6 inch (no « 5 M€10 M€ »)."""
    return max(3, min(most, int(fig.get_figwidth() * 0.5 / 0.6)))


def _axis_label(axis, text: str) -> None:
    axis.set_label_text(_plain(text), fontsize=LABEL_SIZE, fontfamily=FONT, color="#333333")


def _legend_font() -> dict:
    return {"family": FONT, "size": NOTE_SIZE + 0.5}


def _row_font_size(fig: Figure, rows: int) -> float:
    """Category labels as large as the rows allow, between 6 and 9 pt."""
    per_row = fig.get_figheight() * 72 * 0.72 / max(rows, 1)
    return float(min(TICK_SIZE, max(6.0, per_row * 0.72)))


def _rows_that_fit(fig: Figure) -> int:
    """How many bars a horizontal bar chart shows legibly at this figure's height."""
    return max(10, int(fig.get_figheight() * 72 * 0.74 / 10.5))


def _layout(fig: Figure) -> None:
    """Run the layout engine once (positions known, nothing rendered)."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)


def _bar_label(ax, x: float, y: float, text: str, side: int, size: float,
               colour: str = "#333333") -> Text:
    """A value label just past the end of a horizontal bar (``side`` +1 right, −1 left).

    Plain text with a white backing so a grid line never crosses it; kept out
    of the layout computation: :func:`_fit_value_labels` keeps it inside the axes.
    """
    offset = ScaledTranslation(side * 4 / 72, 0, ax.figure.dpi_scale_trans)
    label = ax.text(x, y, _plain(text), transform=ax.transData + offset,
                    ha="left" if side > 0 else "right", va="center", fontsize=size,
                    color=colour, fontfamily=FONT, zorder=4,
                    bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none",
                              alpha=0.8))
    label.set_in_layout(False)
    return label


def draw_message(fig: Figure, text: str = NO_DATA) -> Figure:
    """An empty chart with a French message in its middle."""
    fig.clear()
    fig.set_layout_engine("none")
    fig.set_facecolor("white")
    fig.text(0.5, 0.5, _plain(text), ha="center", va="center", fontsize=12,
             color=TEXT_GREY, fontfamily=FONT, wrap=True)
    return fig


def _fit_value_labels(fig: Figure, ax, lo: float, hi: float,
                      labels: Iterable[tuple[object, float, int]], pad_px: float = 8.0,
                      short: list[str] | None = None) -> None:
    """Set the x limits so that the value labels at the bar ends stay inside the axes.

    ``short``: a shorter text for each label, used when a narrow chart cannot hold the
    long ones (« −387 150 € » for « −387 150 € (−15,6 %) »).

    ``labels``: (text artist, anchor x in data units, +1 if the text extends to
    the right of its anchor, −1 to the left). Solves for the data-per-pixel
    scale ``u`` at which [L(u), R(u)] spans exactly the axes width, where
    R(u) = max(hi, xᵢ + wᵢ·u) over right-hand labels and L(u) likewise on the left.
    """
    labels = list(labels)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo <= 0:
        hi, lo = 1.0, -1.0 if any(side < 0 for _, _, side in labels) else 0.0
    ax.set_xlim(lo, hi)
    if not labels:
        return
    _layout(fig)
    width = ax.get_window_extent().width
    right: list[tuple[float, float]] = []
    left: list[tuple[float, float]] = []
    for text, x, side in labels:
        box = text.get_window_extent()
        anchor = ax.transData.transform((x, 0))[0]
        extent = (box.x1 - anchor) if side > 0 else (anchor - box.x0)
        (right if side > 0 else left).append((x, max(extent, 0.0) * 1.04 + pad_px))

    def bounds(u: float) -> tuple[float, float]:
        r = max([hi] + [x + e * u for x, e in right])
        l_ = min([lo] + [x - e * u for x, e in left])
        return l_, r

    slope = max([0.0] + [e for _, e in right]) + max([0.0] + [e for _, e in left])
    if width <= slope + 1 and short is not None:
        for (text, _, _), brief in zip(labels, short):
            text.set_text(brief)
        _fit_value_labels(fig, ax, lo, hi, labels, pad_px)
        return
    if width <= slope + 1:
        # The labels cannot fit whatever the scale: keep the bars, give some room.
        span = hi - lo
        ax.set_xlim(lo - 0.25 * span * bool(left), hi + 0.25 * span * bool(right))
        return
    u_low, u_high = (hi - lo) / width, (hi - lo) / (width - slope)
    for _ in range(60):
        u = 0.5 * (u_low + u_high)
        l_, r = bounds(u)
        if u * width >= r - l_:
            u_high = u
        else:
            u_low = u
    ax.set_xlim(*bounds(u_high))


def entity_title(results, level: str, key: object = None) -> str:
    """The entity in French: « France entière », « Région Bretagne »,
    « CRRA SAMU-075 (SAMU 75 – Paris) », « Établissement 750100042 – AP-HP »."""
    if level == "national":
        return "France entière"
    if level == "region":
        return f"Région {key}"
    if level == "crra":
        crra = results.crra
        rows = crra[crra["crra_id"] == key]
        label = str(rows["label"].iloc[0]).strip() if len(rows) else ""
        return f"CRRA {key} ({label})" if label and label != str(key) else f"CRRA {key}"
    if level == "establishment":
        est = results.establishments
        rows = est[est["finess"] == key]
        name = str(rows["establishment"].iloc[0]).strip() if len(rows) else ""
        return f"Établissement {key} – {name}" if name else f"Établissement {key}"
    raise ValueError(f"niveau inconnu : {level}")


def _effect_text(effect: float, pct: float, percent_first: bool = False,
                 brief: bool = False) -> str:
    """« −387 150 € (−15,6 %) », percent first if asked; ``brief``: the first part alone."""
    euros = format_signed_euros(effect)
    if pct is None or (isinstance(pct, float) and math.isnan(pct)):
        return euros
    percent = format_signed_percent(pct)
    if brief:
        return percent if percent_first else euros
    return f"{percent} ({euros})" if percent_first else f"{euros} ({percent})"


def _sign_colour(value: float) -> str:
    if round(value) > 0:
        return GAIN_COLOUR
    if round(value) < 0:
        return LOSS_COLOUR
    return NEUTRAL_COLOUR
