"""Sensitivity (tornado): which national parameter moves a figure the most.

Each parameter of :data:`PARAMETERS` (the six national costs and staffing of MODEL.md, and
the référentiel's ETP ARM and ETP MR columns, each as one group: every band at once) is
multiplied by 1 − v and by 1 + v, everything else as in the scenario (the CRRA's retained
ETP stay as they are). Every varied scenario is computed by :func:`model.compute` itself:
a recompute is well under a millisecond at 101 CRRA and a few at 10 000, so the 16 of a
sweep stay far below the budget of issue 15 (50 ms, 1 s; benchmarks/bench_decision.py), and
the figures are the model's by construction, not an approximation of it.

Use :func:`sweep` once per scenario (after each edit) and :meth:`Sweep.tornado` for every
unit and output the user picks: the tornado of another unit costs a few masked sums.
Nothing here touches the scenario given: each varied scenario shares the frames it does
not change and gets a new one where it does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from . import schema
from .french import fewest_decimals
from .model import ModelError, Results, compute
from .numbers import format_euros
from .scenario import Scenario
from .units import check_output, output_label, output_value, unit_label, unit_mask
from .validation import Problem, errors_of, evaluate, result_problems

NATIONAL_PARAMETERS = ("cout_etp_arm", "cout_etp_mr", "cout_etp_encadrement",
                       "etp_encadrement_par_crra", "frais_fixes_crra", "frais_par_drm")
# The référentiel's columns varied as groups: parameter name → column of the Référentiel.
BAND_GROUPS = {"ref_etp_arm": "etp_arm", "ref_etp_mr": "etp_mr"}
PARAMETERS = NATIONAL_PARAMETERS + tuple(BAND_GROUPS)
DIRECTIONS = ("low", "high")
DEFAULT_VARIATION = 0.1
# Below this (€) a parameter is said not to move the figure.
CENT = 0.01

LABELS = {key: schema.PARAMETER_BY_KEY[key].label for key in NATIONAL_PARAMETERS}
LABELS.update({"ref_etp_arm": "ETP ARM du référentiel (toutes les tranches)",
               "ref_etp_mr": "ETP MR du référentiel (toutes les tranches)"})
DIRECTION_LABELS = {"low": "basse", "high": "haute"}


class SensitivityError(ValueError):
    """A variation outside (0, 1); the message is French."""


def check_variation(variation: float) -> float:
    """``variation`` as a float in (0, 1), else :class:`SensitivityError`."""
    value = float(variation)
    if not (0.0 < value < 1.0) or math.isnan(value):
        raise SensitivityError("la variation doit être comprise entre 0 et 1 exclus "
                               "(par exemple 0,1 pour ±10 %).")
    return value


@dataclass(frozen=True)
class Variation:
    """One varied scenario: ``parameter`` multiplied by ``factor`` (1 − v or 1 + v).

    ``value`` is the value used (the parameter times the factor), or the factor itself for
    the référentiel groups, as ``sensitivity.csv`` writes it.
    """

    parameter: str
    direction: str      # "low" or "high"
    factor: float
    value: float

    @property
    def label(self) -> str:
        """« Coût annuel d'un ETP d'ARM, variation basse »."""
        return f"{LABELS[self.parameter]}, variation {DIRECTION_LABELS[self.direction]}"


def varied_scenario(scenario: Scenario, parameter: str, factor: float) -> tuple[Scenario, float]:
    """A new scenario with ``parameter`` multiplied by ``factor``, and the value used.

    Shares every frame it does not change with ``scenario`` (the model never writes
    into them): the document is never touched.
    """
    if parameter in BAND_GROUPS:
        column = BAND_GROUPS[parameter]
        bands = scenario.bands.copy()
        bands[column] = bands[column].to_numpy(dtype="float64") * factor
        return replace(scenario, bands=bands), float(factor)
    if parameter not in NATIONAL_PARAMETERS:
        raise KeyError(parameter)
    value = float(getattr(scenario.parameters, parameter)) * factor
    return replace(scenario, parameters=scenario.parameters.with_value(parameter, value)), value


@dataclass(frozen=True)
class Bar:
    """One parameter's bar of the tornado: the output at its low and high values.

    ``low``/``high`` are None when the model refuses that varied scenario (a transition
    policy « Plafonné » that cannot be financed); ``refusal`` then says why, in French.
    ``base_input`` is the parameter's value in the scenario (1 for a référentiel group,
    whose inputs are factors).
    """

    parameter: str
    label: str
    base_input: float
    low_input: float
    high_input: float
    base: float
    low: float | None
    high: float | None
    refusal: str | None = None

    @property
    def low_delta(self) -> float:
        return 0.0 if self.low is None else self.low - self.base

    @property
    def high_delta(self) -> float:
        return 0.0 if self.high is None else self.high - self.base

    @property
    def effect(self) -> float:
        """The bar's size: the larger move of the output, either way (what sorts bars)."""
        return max(abs(self.low_delta), abs(self.high_delta))


@dataclass(frozen=True)
class Tornado:
    """The tornado of one output of one unit, bars sorted by effect (largest first).

    ``flat`` is True when no parameter moves the output by a cent; ``note`` then says why
    in French (under « Enveloppe historique » the national modelled total is the sum of
    the historic amounts), for the window to show instead of empty bars.
    """

    output: str
    output_label: str
    level: str
    key: object
    unit_label: str
    variation: float
    base: float
    bars: tuple[Bar, ...]
    flat: bool
    note: str | None


@dataclass
class Sweep:
    """Every varied scenario of one scenario, computed once; tornadoes are read from it."""

    scenario: Scenario
    variation: float
    base: Results
    variations: list[Variation]
    results: dict[tuple[str, str], Results] = field(default_factory=dict)
    refused: dict[tuple[str, str], list[Problem]] = field(default_factory=dict)

    def first_refusal(self) -> tuple[Variation, list[Problem]] | None:
        """The first varied scenario the model refuses, in the order of the sweep."""
        for v in self.variations:
            problems = self.refused.get((v.parameter, v.direction))
            if problems:
                return v, problems
        return None

    def tornado(self, output: str = "modelled", level: str = "national",
                key: object = None) -> Tornado:
        """The tornado of ``output`` for one unit (levels of :mod:`units`).

        Raises :class:`units.UnitError` (French) for an unknown unit or output.
        """
        check_output(self.base, output)
        mask = unit_mask(self.base, level, key)
        base = output_value(self.base, output, mask)
        by_key = {(v.parameter, v.direction): v for v in self.variations}
        bars = []
        for parameter in PARAMETERS:
            low_v, high_v = by_key[(parameter, "low")], by_key[(parameter, "high")]
            values: dict[str, float | None] = {}
            refusal: str | None = None
            for v in (low_v, high_v):
                results = self.results.get((v.parameter, v.direction))
                if results is None:
                    values[v.direction] = None
                    problems = self.refused.get((v.parameter, v.direction), [])
                    refusal = refusal or (f"variation {DIRECTION_LABELS[v.direction]} refusée : "
                                          + (problems[0].message if problems else "scénario invalide"))
                else:
                    values[v.direction] = output_value(results, output, mask)
            group = parameter in BAND_GROUPS
            base_input = 1.0 if group else float(getattr(self.scenario.parameters, parameter))
            bars.append(Bar(parameter, LABELS[parameter], base_input, low_v.value, high_v.value,
                            base, values["low"], values["high"], refusal))
        order = sorted(range(len(bars)), key=lambda i: (-_finite(bars[i].effect), i))
        ordered = tuple(bars[i] for i in order)
        flat = all(not (b.effect >= CENT) for b in ordered)
        note = self._flat_note(output, level, key) if flat else None
        return Tornado(output, output_label(output), level, key,
                       unit_label(self.base, level, key), self.variation, base, ordered, flat, note)

    def _flat_note(self, output: str, level: str, key: object) -> str:
        p = self.scenario.parameters
        what = output_label(output)
        if level == "national" and p.calage != "Aucun":
            if p.calage == "Enveloppe historique":
                fixed = ("le total national modélisé est égal à la somme des dotations "
                         f"historiques ({format_euros(float(self.base.crra_arrays['historic'].sum()))})")
            else:
                fixed = (f"le total national modélisé est égal à l'enveloppe cible "
                         f"({format_euros(self.base.calibration_target)})")
            return (f"Sous le calage « {p.calage} », {fixed} : aucun paramètre ne fait varier "
                    f"« {what} » au niveau national. Choisissez une région, un établissement "
                    "ou un CRRA.")
        if output.startswith("alloc_") and level == "region" and (key, int(output[6:])) in self.base.notified:
            return (f"La dotation {output[6:]} de la région « {key} » est son enveloppe notifiée : "
                    "aucun paramètre ne la fait varier.")
        return (f"Aucun paramètre ne fait varier « {what} » de "
                f"{unit_label(self.base, level, key)} de plus d'un centime.")


def _finite(value: float) -> float:
    return value if math.isfinite(value) else -1.0


def variations(scenario: Scenario, variation: float = DEFAULT_VARIATION) -> list[Variation]:
    """Each parameter of :data:`PARAMETERS`, low then high (the order of sensitivity.csv)."""
    v = check_variation(variation)
    out = []
    for parameter in PARAMETERS:
        for direction, factor in (("low", 1.0 - v), ("high", 1.0 + v)):
            if parameter in BAND_GROUPS:
                value = factor
            else:
                value = float(getattr(scenario.parameters, parameter)) * factor
            out.append(Variation(parameter, direction, factor, value))
    return out


def sweep(scenario: Scenario, variation: float = DEFAULT_VARIATION, *,
          base: Results | None = None) -> Sweep:
    """Compute the scenario and its 16 varied scenarios (:func:`varied_scenario`).

    ``base``: the scenario's results when the caller has them (the window does). A varied
    scenario the model refuses (its errors: a policy « Plafonné » that cannot be
    financed) is kept in ``Sweep.refused``, not raised. Raises :class:`SensitivityError`
    for a variation outside (0, 1), :class:`model.ModelError` when the scenario itself is
    invalid.
    """
    chosen = variations(scenario, variation)
    if base is None:
        problems, base = evaluate(scenario)
        if base is None:
            raise ModelError(errors_of(problems))
    out = Sweep(scenario, float(variation), base, chosen)
    for v in chosen:
        trial, _ = varied_scenario(scenario, v.parameter, v.factor)
        with np.errstate(all="ignore"):
            results = compute(trial)
        # Varying a non-negative parameter by a factor in (0, 2) keeps every static check
        # as it was: only the checks on results can refuse a varied scenario.
        errors = errors_of(result_problems(trial, results))
        if errors:
            out.refused[(v.parameter, v.direction)] = errors
        else:
            out.results[(v.parameter, v.direction)] = results
    return out


def tornado(scenario: Scenario, output: str = "modelled", level: str = "national",
            key: object = None, variation: float = DEFAULT_VARIATION, *,
            base: Results | None = None) -> Tornado:
    """The tornado of one unit: :func:`sweep`, then :meth:`Sweep.tornado`."""
    return sweep(scenario, variation, base=base).tornado(output, level, key)


_EURO_INPUTS = ("cout_etp_arm", "cout_etp_mr", "cout_etp_encadrement", "frais_fixes_crra")


def input_text(parameter: str, value: float) -> str:
    """A parameter's varied value as the tables show it: « 40 500 € », « × 0,9 »."""
    if parameter in BAND_GROUPS:
        return f"× {fewest_decimals(value, 4)}"
    if parameter in _EURO_INPUTS:
        whole = round(value, 2) == round(value)
        return format_euros(value, 0 if whole else 2)
    if parameter == "frais_par_drm":
        return f"{fewest_decimals(value, 4)}\u00a0€"
    return fewest_decimals(value, 4)
