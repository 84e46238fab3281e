"""Where a figure comes from (waterfall): a unit's modelled amount, part by part.

The modelled amount of MODEL.md, steps 3 to 7, summed over the unit's CRRA:

    staff ARM + staff MR + supervision              (step 3)
  + fixed operating costs + operating costs per DRM (step 4)
  + geographic mark-up  (raw − base, step 6)
  + national calibration (modelled − raw, step 7)
  = modelled amount

and the effet revenu as modelled − historic. Each part is computed from the results' own
arrays (the ETP the model used, its base and raw amounts), so the parts add up to the
figure the tables show, to floating-point rounding (far below a cent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Results
from .scenario import Parameters
from .units import unit_label, unit_mask

PART_KEYS = ("staff_arm", "staff_mr", "supervision", "fixed_operating", "drm_operating",
             "geographic", "calibration")
PART_LABELS = {
    "staff_arm": "Personnel ARM",
    "staff_mr": "Personnel MR",
    "supervision": "Encadrement",
    "fixed_operating": "Frais fixes de fonctionnement",
    "drm_operating": "Frais de fonctionnement par DRM",
    "geographic": "Majoration géographique",
    "calibration": "Calage national",
}


@dataclass(frozen=True)
class Part:
    """One step of the waterfall: ``amount`` (€, signed), drawn from ``start`` to ``end``."""

    key: str
    label: str
    amount: float
    start: float

    @property
    def end(self) -> float:
        return self.start + self.amount


@dataclass(frozen=True)
class Waterfall:
    """A unit's modelled amount as seven parts (:data:`PART_KEYS`, in that order), then
    its effet revenu = modelled − historic. ``raw`` is the amount before calibration."""

    level: str
    key: object
    unit_label: str
    parts: tuple[Part, ...]
    raw: float
    modelled: float
    historic: float
    revenue_effect: float
    n_crra: int

    def part(self, key: str) -> Part:
        return next(p for p in self.parts if p.key == key)

    @property
    def revenue_effect_pct(self) -> float:
        return self.revenue_effect / self.historic if self.historic else float("nan")


def crra_parts(results: Results, parameters: Parameters) -> dict[str, np.ndarray]:
    """Each part per CRRA (arrays in the CRRA order), from the results' own arrays."""
    a = results.crra_arrays
    parts = {
        "staff_arm": a["etp_arm"] * parameters.cout_etp_arm,
        "staff_mr": a["etp_mr"] * parameters.cout_etp_mr,
        "supervision": a["etp_sup"] * parameters.cout_etp_encadrement,
        "fixed_operating": np.full(len(a["drm"]), float(parameters.frais_fixes_crra)),
        "drm_operating": a["drm"] * parameters.frais_par_drm,
    }
    # The mark-up closes the base as the model summed it, so the parts meet base + mark-up
    # = raw exactly, whatever the order of the model's additions.
    base_parts = parts["staff_arm"] + parts["staff_mr"] + parts["supervision"] \
        + parts["fixed_operating"] + parts["drm_operating"]
    parts["geographic"] = a["raw_amount"] - base_parts
    parts["calibration"] = a["modelled"] - a["raw_amount"]
    return parts


def waterfall(results: Results, parameters: Parameters, level: str = "crra",
              key: object = None) -> Waterfall:
    """The waterfall of one unit (levels of :mod:`units`: "crra", "establishment",
    "region", "national"). ``parameters``: the computed scenario's. Raises
    :class:`units.UnitError` (French) for a unit without CRRA."""
    mask = unit_mask(results, level, key)
    per_crra = crra_parts(results, parameters)
    parts, start = [], 0.0
    for part_key in PART_KEYS:
        amount = float(per_crra[part_key][mask].sum())
        parts.append(Part(part_key, PART_LABELS[part_key], amount, start))
        start += amount
    a = results.crra_arrays
    modelled = float(a["modelled"][mask].sum())
    historic = float(a["historic"][mask].sum())
    return Waterfall(level, key, unit_label(results, level, key), tuple(parts),
                     float(a["raw_amount"][mask].sum()), modelled, historic, modelled - historic,
                     int(mask.sum()))
