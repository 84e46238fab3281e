"""CRRA far from the national distribution (Tukey's fences), for an ARS to check first.

Two ratios per CRRA: the cost per DRM (modelled amount / DRM) and the activity per ARM
(DRM / ETP ARM the model used). A CRRA is flagged when its ratio lies outside
[Q1 − k·IQR, Q3 + k·IQR] of every CRRA of the scenario (k = 1,5 by default, the usual
rule; the user may set another). Quartiles are those of Excel's QUARTILE.INC (linear
interpolation), so that an ARS checking them in a spreadsheet finds the same bounds. A
ratio that is undefined (0 DRM, 0 ETP ARM) is left out of the distribution and never
flagged. Vectorised: no loop over CRRA.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .model import Results
from .numbers import format_euros, format_number

DEFAULT_K = 1.5
METRICS = ("cost_per_drm", "drm_per_etp_arm")
METRIC_LABELS = {"cost_per_drm": "Coût par DRM", "drm_per_etp_arm": "DRM par ETP ARM"}
LOW, NORMAL, HIGH = -1, 0, 1


class OutlierError(ValueError):
    """A threshold that is not a positive number; the message is French."""


@dataclass(frozen=True)
class Distribution:
    """One ratio over every CRRA: per-CRRA ``values`` (NaN where undefined) and ``flags``
    (:data:`LOW`, :data:`NORMAL`, :data:`HIGH`), the quartiles and the fences."""

    key: str
    label: str
    values: np.ndarray
    flags: np.ndarray
    q1: float
    median: float
    q3: float
    low_fence: float
    high_fence: float
    count: int              # CRRA with a defined ratio

    def format(self, value: float) -> str:
        """French text of a value of this ratio: « 15,82 € », « 4 215 »."""
        if self.key == "cost_per_drm":
            return format_euros(value, 2)
        return format_number(value, 0)


def fences(values: np.ndarray, k: float = DEFAULT_K) -> tuple[float, float, float, float, float, np.ndarray]:
    """Q1, median, Q3, the low and high fences of the finite ``values``, and each value's
    flag (NaN values: :data:`NORMAL`). With no finite value every figure is NaN."""
    k = check_threshold(k)
    arr = np.asarray(values, dtype="float64")
    finite = np.isfinite(arr)
    flags = np.zeros(len(arr), dtype=np.int8)
    if not finite.any():
        nan = math.nan
        return nan, nan, nan, nan, nan, flags
    q1, median, q3 = (float(q) for q in np.percentile(arr[finite], [25, 50, 75]))
    iqr = q3 - q1
    low, high = q1 - k * iqr, q3 + k * iqr
    with np.errstate(invalid="ignore"):
        flags[finite & (arr < low)] = LOW
        flags[finite & (arr > high)] = HIGH
    return q1, median, q3, low, high, flags


def check_threshold(k: float) -> float:
    value = float(k)
    if not (value > 0) or math.isinf(value):
        raise OutlierError("le seuil doit être un nombre positif d'écarts interquartiles "
                           "(1,5 par défaut).")
    return value


@dataclass(frozen=True)
class Outliers:
    """Both ratios of every CRRA of a computed scenario, with the threshold used."""

    k: float
    crra_ids: np.ndarray
    metrics: dict[str, Distribution]

    @property
    def flagged(self) -> np.ndarray:
        """Per CRRA: flagged on at least one ratio (the CRRA table's marker)."""
        out = np.zeros(len(self.crra_ids), dtype=bool)
        for d in self.metrics.values():
            out |= d.flags != NORMAL
        return out

    def reasons(self, position: int) -> list[str]:
        """Why the CRRA at ``position`` is flagged, one French sentence per ratio
        (the table's tooltip and the report's list); empty when it is not."""
        out = []
        for d in self.metrics.values():
            flag = int(d.flags[position])
            if flag == NORMAL:
                continue
            side = "au-dessus" if flag == HIGH else "en dessous"
            fence = d.high_fence if flag == HIGH else d.low_fence
            out.append(f"{d.label} de {d.format(float(d.values[position]))}, {side} de la borne "
                       f"{'haute' if flag == HIGH else 'basse'} {d.format(fence)} "
                       f"(médiane nationale : {d.format(d.median)}).")
        return out

    def rows(self) -> list[tuple[int, str, list[str]]]:
        """The flagged CRRA, in the sheet's order: (position, identifier, reasons)."""
        return [(int(i), str(self.crra_ids[i]), self.reasons(int(i)))
                for i in np.flatnonzero(self.flagged)]


def crra_ratios(results: Results) -> dict[str, np.ndarray]:
    """Per CRRA: cost per DRM and DRM per ETP ARM, NaN where the divisor is 0."""
    a = results.crra_arrays
    drm, etp = a["drm"], a["etp_arm"]
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = np.where(drm > 0, a["modelled"] / drm, np.nan)
        activity = np.where(etp > 0, drm / etp, np.nan)
    return {"cost_per_drm": cost, "drm_per_etp_arm": activity}


def outliers(results: Results, k: float = DEFAULT_K) -> Outliers:
    """The two ratios of every CRRA and their flags at threshold ``k``
    (:class:`OutlierError` when ``k`` is not a positive number)."""
    k = check_threshold(k)
    metrics = {}
    for key, values in crra_ratios(results).items():
        q1, median, q3, low, high, flags = fences(values, k)
        metrics[key] = Distribution(key, METRIC_LABELS[key], values, flags, q1, median, q3, low,
                                    high, int(np.isfinite(values).sum()))
    return Outliers(k, results.crra_arrays["crra_id"], metrics)
