"""The transition policy « Plafonné » on the smoothing chart: the linear path beside the
capped one, the guaranteed years marked, the reste à converger (MODEL.md)."""

from __future__ import annotations

from ..core.guarantees import remaining_detail, year_guarantees
from ..core.numbers import format_signed_euros
from .chart_style import FONT, NOTE_SIZE, TEXT_GREY

GUARANTEE_MARKS = (("floored", "^", "plancher", "Année au plancher (perte maximale)"),
                   ("capped", "v", "plafond", "Année au plafond (gain maximal)"))


def policy_marks(ax, results, level: str, key, years: list[int]) -> dict:
    """« Plafonné »: the linear path (grey, dashed) and the guaranteed years, each kind its
    own marker and legend entry (not colour alone); returns the linear path and, per year,
    the words shown under its label (« plancher », « plancher : 3 établissements »)."""
    linear = results.linear_trajectory(level, key)
    ax.plot(years, linear, linestyle="--", marker="s", markersize=4, color="#7a828c",
            linewidth=1.6, label="Trajectoire linéaire", gid="linear", zorder=3)
    values = results.trajectory(level, key)
    counts = results.guarantees(level, key)
    for index, (gid, marker, _word, label) in enumerate(GUARANTEE_MARKS):
        hit = [(yr, v) for yr, v, n in zip(years[1:], values[1:], counts) if n[index]]
        if hit:
            ax.plot([yr for yr, _ in hit], [v for _, v in hit], linestyle="none", marker=marker,
                    markersize=12, markerfacecolor="none", markeredgecolor="#222222",
                    markeredgewidth=1.6, label=label, gid=gid, zorder=5)
    words = year_guarantees(results, level, key, long=True)
    return {"linear": linear, "words": dict(zip(years[1:], words))}


def remaining_mark(ax, results, level: str, key, year: int, final: float, target: float,
                   rising: bool) -> None:
    """The reste à converger of the last year: a bracket from the last amount to the
    modelled one, and its amount in the corner the labels leave free; for an entity of
    several units (the nation), what its units are still to receive and to give back."""
    gap = target - final
    text = f"Reste à converger en {year} : {format_signed_euros(gap)}"
    detail = remaining_detail(results, level, key)
    if detail:
        text += "\n" + detail
    if abs(gap) >= 0.5:
        ax.annotate("", xy=(year + 0.2, target), xytext=(year + 0.2, final),
                    arrowprops=dict(arrowstyle="<->", color=TEXT_GREY, linewidth=1.2,
                                    shrinkA=0, shrinkB=0), zorder=3, gid="remaining_bracket")
    ax.text(0.01, 0.98 if rising else 0.02, text, transform=ax.transAxes, ha="left",
            va="top" if rising else "bottom", fontsize=NOTE_SIZE + 1, fontfamily=FONT,
            color="#222222", fontweight="bold", gid="remaining",
            bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor=TEXT_GREY,
                      linewidth=0.8), zorder=7)
