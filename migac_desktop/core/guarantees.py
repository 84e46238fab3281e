"""The guarantees of the transition policy « Plafonné » in words, for the window's tables
and the smoothing chart: which years an entity's units were floored or capped
(« plancher 2014, 2015 »). Qt-free.

Counted with numpy over (entity, unit) pairs, not per row: the comparison lists every
hospital or CRRA of the nation.
"""

from __future__ import annotations

import numpy as np

from .numbers import format_signed_euros

UNIT_WORDS = {"establishment": ("établissement", "établissements"),
              "region": ("région", "régions"), "crra": ("CRRA", "CRRA")}
KINDS = ("plancher", "plafond")
OF_UNIT = {"establishment": " de l'établissement", "region": " de la région"}
FINENESS = {"national": 0, "region": 1, "establishment": 2, "crra": 3}


def unit_word(results, n: int) -> str:
    """« 1 établissement », « 3 régions »: the policy units of the scenario."""
    one, many = UNIT_WORDS[results.transition.level_key]
    return f"{n} {one if n == 1 else many}"


def _entity_codes(results, level: str) -> np.ndarray:
    if level == "region":
        return np.asarray(results.region_codes, dtype=np.int64)
    if level == "establishment":
        return np.asarray(results.finess_codes, dtype=np.int64)
    return np.arange(len(results.region_codes), dtype=np.int64)


def guarantee_counts(results, level: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per entity of ``level`` (in the results' frame order) and per year: how many of the
    policy units it holds (or that hold it) were floored, and capped; and how many units."""
    t = results.transition
    n_units = len(t.unit_names)
    codes = _entity_codes(results, level)
    n = int(codes.max()) + 1 if len(codes) else 0
    pairs = np.unique(codes * n_units + t.unit_codes.astype(np.int64))
    entity, unit = pairs // n_units, pairs % n_units
    floored = np.zeros((n, len(results.years)))
    capped = np.zeros((n, len(results.years)))
    for y, year in enumerate(t.policy.years):
        floored[:, y] = np.bincount(entity, weights=year.floored[unit], minlength=n)
        capped[:, y] = np.bincount(entity, weights=year.capped[unit], minlength=n)
    return floored, capped, np.bincount(entity, minlength=n)


def guarantee_text(years, floored, capped, n_units: int) -> str:
    """« plancher 2015, 2016 », « plafond 2014 (3) », both with « ; », or empty."""
    parts = []
    for word, counts in zip(KINDS, (floored, capped)):
        hits = [(year, int(n)) for year, n in zip(years, counts) if n]
        if hits:
            listed = ", ".join(f"{year} ({n})" if n_units > 1 else str(year) for year, n in hits)
            parts.append(f"{word} {listed}")
    return " ; ".join(parts)


def guarantee_texts(results, level: str, rows) -> list[str]:
    """The « Garantie » text of each row (positions in the level's frame)."""
    floored, capped, units = guarantee_counts(results, level)
    return [guarantee_text(results.years, floored[r], capped[r], int(units[r])) for r in rows]


def entity_unit_count(results, level: str, key) -> int:
    """How many policy units the entity holds (1 for a CRRA inside a guaranteed hospital)."""
    t = results.transition
    if level == "national":
        return len(t.unit_names)
    return len(np.unique(t.unit_codes[results.mask(level, key)]))


def year_guarantees(results, level: str, key, *, long: bool = False) -> list[str]:
    """Per smoothing year of one entity: « plancher », « plafond (2) »…, or empty; with
    ``long``, the count in words (« plancher : 3 établissements »), for the chart."""
    many = entity_unit_count(results, level, key) > 1
    # A CRRA inside a guaranteed hospital (or region): the guarantee is its unit's.
    whose = OF_UNIT.get(results.transition.level_key, "") \
        if long and FINENESS[level] > FINENESS[results.transition.level_key] else ""
    out = []
    for counts in results.guarantees(level, key):
        parts = []
        for word, n in zip(KINDS, counts):
            if n:
                parts.append(f"{word}{whose}" if not many else
                             f"{word} : {unit_word(results, n)}" if long else f"{word} ({n})")
        out.append(" ; ".join(parts))
    return out


def remaining_split(results, level: str, key) -> tuple[float, int, float, int]:
    """The reste à converger of the policy units inside an entity: what those still below
    their modelled amount are to receive, and how many; what those above are to give back."""
    t = results.transition
    gap = np.bincount(t.unit_codes, weights=results.crra_arrays["remaining_gap"],
                      minlength=len(t.unit_names))
    if level != "national":
        gap = gap[np.unique(t.unit_codes[results.mask(level, key)])]
    up, down = gap >= 0.01, gap <= -0.01
    return float(gap[up].sum()), int(up.sum()), float(gap[down].sum()), int(down.sum())


def remaining_detail(results, level: str, key) -> str:
    """« +5 078 719 € à recevoir par 49 établissements ; −5 078 719 € à rendre par 30 », for
    an entity of several units; empty for one."""
    if entity_unit_count(results, level, key) <= 1:
        return ""
    up, n_up, down, n_down = remaining_split(results, level, key)
    parts = []
    if n_up:
        parts.append(f"{format_signed_euros(up)} à recevoir par {unit_word(results, n_up)}")
    if n_down:
        parts.append(f"{format_signed_euros(down)} à rendre par {unit_word(results, n_down)}")
    return " ; ".join(parts)
