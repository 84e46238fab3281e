"""The transition policy of MODEL.md (`lissage_mode` = « Plafonné »), vectorised over units.

:func:`apply_policy` takes step 9's linear allocations and applies the yearly floors and
caps of the policy, financed inside each year's national total (budget-neutral). It is
pure numpy: one Python loop over the smoothing years (each year starts from the last
one's result), none over units or CRRA. It knows nothing of scenarios, levels or
notified envelopes: the caller factorizes the units (FINESS, region or CRRA) and applies
step 10 to the result. No rounding happens here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# A year whose bounds cannot be financed by more than this (€) is refused (MODEL.md,
# step 4); within it the remainder is left unplaced.
TOLERANCE = 0.01


@dataclass(frozen=True)
class Unfinanceable:
    """The first year the policy cannot be financed: the floors exceed the year's total
    (``side`` = "floors") or the caps fall short of it ("caps"), by ``amount`` €."""

    index: int          # position in the smoothing order
    year: int           # the year itself (the position when no years were given)
    side: str           # "floors" or "caps"
    amount: float       # unrounded; shown to the cent


@dataclass
class PolicyYear:
    """One smoothing year of the policy: per unit, then per CRRA.

    Only what cannot be derived is kept (fresh arrays kept for every year cost more than
    the arithmetic); the bounds, clipping, gains and losses are recomputed on demand,
    by the same functions as the policy.
    """

    prev: np.ndarray       # per unit: the previous year's allocation (historic the first year)
    linear: np.ndarray     # L: step 9's allocation summed per unit
    final: np.ndarray      # A: the unit's allocation after the financing
    crra: np.ndarray       # per CRRA: the unit's amount shared in proportion to its linear path
    floor_loss: float | None
    cap_gain: float | None
    net_cost: float        # N = ΣC − ΣL
    theta: float           # share of the gains given back (N > 0)
    phi: float             # share of the losses given back (N < 0)
    room_rate: float       # share of the room to the floors (N > 0) or caps (N < 0) used
    shortfall: float       # what the rooms could not place (0 when financed)

    @property
    def floor(self) -> np.ndarray:
        """lo per unit, NaN where the unit has none."""
        return _bounds(self.prev, self.floor_loss, self.cap_gain)[0]

    @property
    def cap(self) -> np.ndarray:
        """hi per unit, NaN where the unit has none."""
        return _bounds(self.prev, self.floor_loss, self.cap_gain)[1]

    @property
    def clipped(self) -> np.ndarray:
        """C: L raised to lo or lowered to hi."""
        return _clip(self.linear, self.floor, self.cap)

    @property
    def gain(self) -> np.ndarray:
        """C − prev where positive, else 0."""
        return np.maximum(self.clipped - self.prev, 0.0)

    @property
    def loss(self) -> np.ndarray:
        """prev − C where positive, else 0."""
        return np.maximum(self.prev - self.clipped, 0.0)

    @property
    def floored(self) -> np.ndarray:
        """Per unit: L was below its floor."""
        return self.linear < self.floor           # False where NaN

    @property
    def capped(self) -> np.ndarray:
        """Per unit: L was above its cap."""
        return self.linear > self.cap

    @property
    def guaranteed(self) -> np.ndarray:
        """Per unit: floored or capped this year."""
        return self.floored | self.capped


@dataclass
class PolicyResult:
    years: list[PolicyYear]
    unfinanceable: Unfinanceable | None     # the first year that cannot be financed

    def crra_by_year(self) -> list[np.ndarray]:
        return [y.crra for y in self.years]


def apply_policy(unit_codes: np.ndarray, n_units: int, historic: np.ndarray,
                 linear_by_year: Sequence[np.ndarray], floor_loss: float | None,
                 cap_gain: float | None, *, years: Sequence[int] | None = None) -> PolicyResult:
    """MODEL.md's transition policy, steps 1–5, for each year of ``linear_by_year``.

    ``unit_codes``: per CRRA, the index (0 … ``n_units`` − 1) of its unit;
    ``historic``: per CRRA, the dotation historique; ``linear_by_year``: per year, in the
    order of the Lissage sheet, step 9's allocation of each CRRA; ``floor_loss`` /
    ``cap_gain``: `perte_max_annuelle` / `gain_max_annuel` as fractions, None when empty.
    A year that cannot be financed is reported in ``unfinanceable`` (the first one), not
    raised: its rooms are used up, the rest left unplaced, and the next years go on from it.
    """
    codes = np.asarray(unit_codes, dtype=np.intp)
    count = np.bincount(codes, minlength=n_units)
    prev = np.bincount(codes, weights=np.asarray(historic, dtype="float64"), minlength=n_units)
    out: list[PolicyYear] = []
    first_bad: Unfinanceable | None = None
    for index, linear_crra in enumerate(linear_by_year):
        lin = np.asarray(linear_crra, dtype="float64")
        year = _policy_year(codes, count, n_units, prev, lin, floor_loss, cap_gain)
        if first_bad is None and year.shortfall > TOLERANCE:
            side = "floors" if year.net_cost > 0 else "caps"
            label = int(years[index]) if years is not None else index
            first_bad = Unfinanceable(index=index, year=label, side=side, amount=year.shortfall)
        out.append(year)
        prev = year.final
    return PolicyResult(years=out, unfinanceable=first_bad)


def _bounds(prev: np.ndarray, floor_loss: float | None,
            cap_gain: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Floor and cap from the previous year; a unit with nothing last year has none."""
    none = np.full(len(prev), np.nan)
    bounded = prev != 0
    lo = np.where(bounded, prev * (1.0 - floor_loss), np.nan) if floor_loss is not None else none
    hi = np.where(bounded, prev * (1.0 + cap_gain), np.nan) if cap_gain is not None else none
    return lo, hi


def _clip(linear: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    # fmax/fmin ignore a NaN bound: no floor or no cap leaves L as it is.
    return np.fmin(np.fmax(linear, lo), hi)


def _policy_year(codes: np.ndarray, count: np.ndarray, n_units: int, prev: np.ndarray,
                 lin: np.ndarray, floor_loss: float | None, cap_gain: float | None) -> PolicyYear:
    # 1. Linear allocation per unit.
    linear = np.bincount(codes, weights=lin, minlength=n_units)
    theta = phi = rate = shortfall = net = 0.0
    final = linear
    if floor_loss is not None or cap_gain is not None:
        # 2–3. Bounds and clipping. N is exactly 0 when nothing was clipped: then A = C = L.
        lo, hi = _bounds(prev, floor_loss, cap_gain)
        clipped = _clip(linear, lo, hi)
        net = float(clipped.sum() - linear.sum())
        final = clipped
        # 4. Financing.
        if net > 0:
            theta, rest, after = _give_back(net, np.maximum(clipped - prev, 0.0), clipped, -1.0)
            room = np.nan_to_num(after - lo, nan=0.0)
            final, rate, shortfall = _use_room(rest, after, room, -1.0)
        elif net < 0:
            phi, rest, after = _give_back(-net, np.maximum(prev - clipped, 0.0), clipped, +1.0)
            room = np.nan_to_num(hi - after, nan=0.0)
            final, rate, shortfall = _use_room(rest, after, room, +1.0)
    return PolicyYear(prev=prev, linear=linear, final=final, crra=_share(codes, count, lin, linear, final),
                      floor_loss=floor_loss, cap_gain=cap_gain, net_cost=net, theta=theta, phi=phi,
                      room_rate=rate, shortfall=shortfall)


def _share(codes: np.ndarray, count: np.ndarray, lin: np.ndarray, linear: np.ndarray,
           final: np.ndarray) -> np.ndarray:
    """5. Inside a unit: in proportion to the CRRA's linear allocations, equally if they are
    all 0. A unit left at its linear amount keeps its CRRA's amounts exactly (factor 1)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        factor = final / linear
        crra = lin * factor.take(codes)     # fixed below where the factor is not finite
    odd = ~np.isfinite(factor)          # a zero linear sum, or one so small the factor overflows
    if odd.any():
        rows = odd.take(codes)
        units = codes[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            part = lin[rows] / linear.take(units)           # in [0, 1]: no overflow
        crra[rows] = np.where(linear.take(units) == 0, final.take(units) / count.take(units),
                              part * final.take(units))
    return crra


def _give_back(need: float, amounts: np.ndarray, clipped: np.ndarray,
               sign: float) -> tuple[float, float, np.ndarray]:
    """The same fraction of every unit's gain (sign −1) or loss (+1), up to all of it.

    Returns the fraction, what is still to place, and the amounts after it.
    """
    total = float(amounts.sum())
    if total <= 0:
        return 0.0, need, clipped
    if total >= need:
        fraction, rest = need / total, 0.0
    else:
        fraction, rest = 1.0, need - total
    return fraction, rest, clipped + sign * fraction * amounts


def _use_room(rest: float, after: np.ndarray, room: np.ndarray,
              sign: float) -> tuple[np.ndarray, float, float]:
    """Place ``rest`` on the units' room to their bounds, in proportion to it.

    Returns the final amounts, the share of the room used and what could not be placed.
    """
    if rest <= 0:
        return after, 0.0, 0.0
    room = np.maximum(room, 0.0)
    total = float(room.sum())
    if total >= rest:
        rate = rest / total
        return after + sign * rate * room, rate, 0.0
    return after + sign * room, (1.0 if total > 0 else 0.0), rest - total
