"""The MIG SAMU model of MODEL.md, vectorised over CRRA.

:func:`compute` works on numpy arrays only (no Python loop over CRRA, no
DataFrame built on the hot path) so that a recompute after each edit stays
within the interactive budget; the result frames are built on first access.
No rounding happens here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from . import schema
from .scenario import Scenario
from .transition import PolicyResult, apply_policy

CRRA_RESULT_COLUMNS = schema.CRRA_RESULT_KEYS
SUM_COLUMNS = ("historic", "modelled", "revenue_effect")
# The column of Results.crra_arrays that holds each level's key (national: every CRRA).
LEVEL_COLUMNS = {"region": "region", "establishment": "finess", "crra": "crra_id"}


class ModelError(ValueError):
    """The scenario cannot be computed; ``problems`` says why, located
    (raised by ``validation.computed``)."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def alloc_key(year: int) -> str:
    return f"alloc_{year}"


@dataclass
class Transition:
    """The transition policy « Plafonné » of a computed scenario (MODEL.md).

    ``level``: `lissage_niveau` (French); ``level_key``: the results' level of its units
    ("establishment", "region", "crra"); ``unit_names`` / ``unit_codes``: the units, in
    order of first appearance, and each CRRA's unit; ``linear``: per year, each CRRA's
    allocation under « Linéaire » (step 9, then the notified envelopes), the path the
    policy is compared with; ``policy``: the policy's own figures, year by year.
    """

    level: str
    level_key: str
    unit_names: np.ndarray
    unit_codes: np.ndarray
    linear: dict[int, np.ndarray]
    policy: PolicyResult

    def year_index(self, year: int) -> int:
        return list(self.linear).index(year)

    def crra_guarantee(self, year: int) -> tuple[np.ndarray, np.ndarray]:
        """Per CRRA: its unit was floored, and capped, in ``year``."""
        unit = self.policy.years[self.year_index(year)]
        return unit.floored.take(self.unit_codes), unit.capped.take(self.unit_codes)

    def unit_index(self, crra_position: int) -> int:
        return int(self.unit_codes[crra_position])


@dataclass
class Results:
    """Per-CRRA arrays plus the groupings; frames built lazily."""

    years: list[int]
    calibration_factor: float
    calibration_target: float
    raw_total: float
    crra_arrays: dict[str, np.ndarray]
    region_names: np.ndarray          # unique regions, in order of first appearance
    region_codes: np.ndarray          # per CRRA: index in region_names
    finess_names: np.ndarray
    finess_codes: np.ndarray
    notified: dict[tuple[str, int], float] = field(default_factory=dict)
    # Per year that has notified envelopes: each region's allocation before them (step 9,
    # or the transition policy's).
    before_envelopes: dict[int, np.ndarray] = field(default_factory=dict)
    transition: Transition | None = None      # with `lissage_mode` = « Plafonné » only

    @property
    def capped(self) -> bool:
        """The scenario's policy is « Plafonné »: results carry ``remaining_gap``."""
        return self.transition is not None

    @property
    def extra_keys(self) -> tuple[str, ...]:
        """The columns after ``alloc_<year>``: ``remaining_gap`` with « Plafonné »."""
        return schema.POLICY_RESULT_KEYS if self.capped else ()

    def linear_regions(self, year: int) -> dict[str, float]:
        """Each region's allocation of ``year`` before any notified envelope."""
        sums = self.before_envelopes.get(year)
        if sums is None:
            sums = np.bincount(self.region_codes, weights=self.crra_arrays[alloc_key(year)],
                               minlength=len(self.region_names))
        return dict(zip((str(r) for r in self.region_names), (float(v) for v in sums)))

    def envelope_effects(self) -> dict[int, tuple[float, float]]:
        """For each year with notified envelopes: the national total before and after them."""
        return {year: (float(sums.sum()), float(self.crra_arrays[alloc_key(year)].sum()))
                for year, sums in self.before_envelopes.items()}

    # -- frames ------------------------------------------------------------
    def _summed(self) -> tuple[str, ...]:
        return SUM_COLUMNS + tuple(alloc_key(y) for y in self.years) + self.extra_keys

    @cached_property
    def crra(self) -> pd.DataFrame:
        cols = list(CRRA_RESULT_COLUMNS) + [alloc_key(y) for y in self.years] + list(self.extra_keys)
        return pd.DataFrame({c: self.crra_arrays[c] for c in cols})

    def _grouped(self, codes: np.ndarray, n: int) -> dict[str, np.ndarray]:
        out = {"n_crra": np.bincount(codes, minlength=n).astype("int64")}
        for col in self._summed():
            out[col] = np.bincount(codes, weights=self.crra_arrays[col], minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = out["revenue_effect"] / out["historic"]
        out["revenue_effect_pct"] = np.where(out["historic"] == 0, np.nan, pct)
        return out

    def _ordered(self, grouped: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        keys = list(schema.GROUP_RESULT_KEYS) + [alloc_key(y) for y in self.years] + list(self.extra_keys)
        return {k: grouped[k] for k in keys}

    @cached_property
    def regions(self) -> pd.DataFrame:
        grouped = self._grouped(self.region_codes, len(self.region_names))
        return pd.DataFrame({"region": self.region_names, **self._ordered(grouped)})

    @cached_property
    def establishments(self) -> pd.DataFrame:
        n = len(self.finess_names)
        grouped = self._grouped(self.finess_codes, n)
        # Name: the first non-empty one among the FINESS's CRRA.
        names = self.crra_arrays["establishment"]
        rows = np.arange(len(self.finess_codes))
        first = np.full(n, len(rows))
        np.minimum.at(first, self.finess_codes, rows)
        named = np.fromiter((bool(v) for v in names), dtype=bool, count=len(names))
        first_named = np.full(n, len(rows))
        np.minimum.at(first_named, self.finess_codes[named], rows[named])
        pick = np.where(first_named < len(rows), first_named, first)
        return pd.DataFrame({
            "finess": self.finess_names,
            "establishment": names[pick],
            "region": self.crra_arrays["region"][pick],
            **self._ordered(grouped)})

    @cached_property
    def national(self) -> dict[str, float]:
        out = {"n_crra": float(len(self.region_codes))}
        for col in self._summed():
            out[col] = float(self.crra_arrays[col].sum())
        out["revenue_effect_pct"] = (out["revenue_effect"] / out["historic"]
                                     if out["historic"] else float("nan"))
        return out

    def trajectory(self, level: str, key: object = None) -> list[float]:
        """Historic, then each year's allocation: the smoothing path of one entity.

        ``level``: "national", "region" (key: name), "establishment" (key:
        FINESS) or "crra" (key: identifier). The modelled target is
        ``self.target(level, key)``.
        """
        mask = self.mask(level, key)
        values = [float(self.crra_arrays["historic"][mask].sum())]
        for y in self.years:
            values.append(float(self.crra_arrays[alloc_key(y)][mask].sum()))
        return values

    def target(self, level: str, key: object = None) -> float:
        return float(self.crra_arrays["modelled"][self.mask(level, key)].sum())

    def linear_trajectory(self, level: str, key: object = None) -> list[float]:
        """Like :meth:`trajectory`, under « Linéaire »: the path the policy departs from
        (the trajectory itself when the policy is « Linéaire »)."""
        if self.transition is None:
            return self.trajectory(level, key)
        mask = self.mask(level, key)
        values = [float(self.crra_arrays["historic"][mask].sum())]
        values += [float(self.transition.linear[y][mask].sum()) for y in self.years]
        return values

    def guarantees(self, level: str, key: object = None) -> list[tuple[int, int]]:
        """Per smoothing year: how many policy units in the entity (or holding it, for a
        CRRA of a guaranteed hospital) were floored, and capped; all 0 under « Linéaire »."""
        if self.transition is None:
            return [(0, 0)] * len(self.years)
        t = self.transition
        units = np.unique(t.unit_codes[self.mask(level, key)])
        out = []
        for unit in t.policy.years:
            out.append((int(unit.floored[units].sum()), int(unit.capped[units].sum())))
        return out

    def mask(self, level: str, key: object = None) -> np.ndarray:
        """The CRRA of one entity of ``level`` (every CRRA for "national")."""
        if level == "national":
            return np.ones(len(self.region_codes), dtype=bool)
        return self.crra_arrays[LEVEL_COLUMNS[level]] == key


def compute(scenario: Scenario) -> Results:
    """Compute MODEL.md steps 1–10 for every CRRA of ``scenario``.

    Pure: no validation here. An invalid scenario gives meaningless figures;
    ``validation.evaluate`` checks first and computes once.
    """
    p = scenario.parameters
    crra = scenario.crra
    bands = scenario.bands
    smoothing = scenario.smoothing

    drm = crra["drm"].to_numpy(dtype="float64")
    geo = np.nan_to_num(crra["geo_coef"].to_numpy(dtype="float64"), nan=0.0)
    historic = crra["historic"].to_numpy(dtype="float64")

    # 1. Band: the last band whose minimum <= DRM (a boundary goes up).
    band_min = bands["drm_min"].to_numpy(dtype="float64")
    band_idx = np.searchsorted(band_min, drm, side="right") - 1
    band_idx = np.clip(band_idx, 0, len(band_min) - 1)
    band_labels = _band_labels(bands)
    # 2. Staff, with the ARS's overrides.
    arm_over = crra["etp_arm_override"].to_numpy(dtype="float64")
    mr_over = crra["etp_mr_override"].to_numpy(dtype="float64")
    etp_arm = np.where(np.isnan(arm_over), bands["etp_arm"].to_numpy(dtype="float64")[band_idx], arm_over)
    etp_mr = np.where(np.isnan(mr_over), bands["etp_mr"].to_numpy(dtype="float64")[band_idx], mr_over)
    etp_sup = np.full(len(drm), float(p.etp_encadrement_par_crra))
    # 3–6. Costs and raw amount.
    staff = etp_arm * p.cout_etp_arm + etp_mr * p.cout_etp_mr + etp_sup * p.cout_etp_encadrement
    operating = p.frais_fixes_crra + p.frais_par_drm * drm
    base = staff + operating
    raw = base * (1.0 + geo)
    # 7. National calibration.
    raw_total = float(raw.sum())
    if p.calage == "Aucun":
        target, k = raw_total, 1.0
    else:
        target = (float(historic.sum()) if p.calage == "Enveloppe historique"
                  else float(p.enveloppe_cible or 0.0))     # validated: a positive target
        k = target / raw_total if raw_total else float("nan")
    modelled = raw * k
    # 8. Effet revenu.
    effect = modelled - historic
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(historic == 0, np.nan, effect / historic)

    regions = crra["region"].to_numpy(dtype=object)
    finess = crra["finess"].to_numpy(dtype=object)
    region_codes, region_names = pd.factorize(regions)
    finess_codes, finess_names = pd.factorize(finess)

    arrays: dict[str, np.ndarray] = {
        "crra_id": crra["crra_id"].to_numpy(dtype=object),
        "label": crra["label"].to_numpy(dtype=object),
        "region": regions,
        "finess": finess,
        "establishment": crra["establishment"].to_numpy(dtype=object),
        "drm": drm, "tranche": band_labels[band_idx], "band_index": band_idx,
        "etp_arm": etp_arm, "etp_mr": etp_mr, "etp_sup": etp_sup,
        "staff_cost": staff, "operating_cost": operating, "base_cost": base,
        "geo_coef": geo, "raw_amount": raw, "modelled": modelled, "historic": historic,
        "revenue_effect": effect, "revenue_effect_pct": pct,
    }
    # 9. Allocation per smoothing year.
    years = [int(y) for y in smoothing["year"].to_numpy()]
    shares = smoothing["share"].to_numpy(dtype="float64")
    linear = {year: historic + share * effect for year, share in zip(years, shares)}
    # The transition policy, then 10. the notified regional envelopes, on its result.
    notified = _notified(scenario.envelopes)
    transition = None
    if p.capped:
        level_key = schema.POLICY_LEVEL_KEYS.get(p.lissage_niveau, "establishment")
        codes, names = {"establishment": (finess_codes, finess_names),
                        "region": (region_codes, region_names),
                        "crra": (np.arange(len(drm)), crra["crra_id"].to_numpy(dtype=object))}[level_key]
        policy = apply_policy(codes, len(names), historic, list(linear.values()),
                              _fraction(p.perte_max_annuelle), _fraction(p.gain_max_annuel), years=years)
        allocations = dict(zip(years, policy.crra_by_year()))
        transition = Transition(
            level=p.lissage_niveau, level_key=level_key, unit_names=np.asarray(names, dtype=object),
            unit_codes=np.asarray(codes, dtype=np.intp),
            linear=_envelopes(linear, notified, region_codes, region_names)[0], policy=policy)
    else:
        allocations = linear
    allocations, before_envelopes = _envelopes(allocations, notified, region_codes, region_names)
    for year in years:
        arrays[alloc_key(year)] = allocations[year]
    if transition is not None:
        arrays["remaining_gap"] = modelled - allocations[years[-1]] if years else np.zeros(len(drm))

    return Results(
        years=years, calibration_factor=k, calibration_target=target, raw_total=raw_total,
        crra_arrays=arrays, region_names=np.asarray(region_names, dtype=object),
        region_codes=region_codes, finess_names=np.asarray(finess_names, dtype=object),
        finess_codes=finess_codes, notified=notified, before_envelopes=before_envelopes,
        transition=transition)


def _fraction(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _notified(env: pd.DataFrame) -> dict[tuple[str, int], float]:
    return {(region, int(year)): float(amount)
            for region, year, amount in zip(env["region"], env["year"], env["amount"])}


def _envelopes(allocations: dict[int, np.ndarray], notified: dict[tuple[str, int], float],
               region_codes: np.ndarray, region_names) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Step 10: each year's allocations with the notified regional envelopes applied, and,
    per year that has some, each region's allocation before them."""
    if not notified:
        return allocations, {}
    region_index = {name: i for i, name in enumerate(region_names)}
    out = dict(allocations)
    before: dict[int, np.ndarray] = {}
    for year, col in allocations.items():
        factors = np.ones(len(region_names))
        sums = np.bincount(region_codes, weights=col, minlength=len(region_names))
        touched = False
        for (region, y), amount in notified.items():
            if y == year and region in region_index:
                i = region_index[region]
                factors[i] = amount / sums[i] if sums[i] else float("nan")
                touched = True
        if touched:
            before[year] = sums
            out[year] = col * factors[region_codes]
    return out, before


def _band_labels(bands: pd.DataFrame) -> np.ndarray:
    labels = bands["label"].to_numpy(dtype=object)
    return np.array([lab if isinstance(lab, str) and lab.strip() else f"T{i + 1}"
                     for i, lab in enumerate(labels)], dtype=object)
