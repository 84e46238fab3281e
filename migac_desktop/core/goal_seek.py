"""Goal seek (« Valeur cible »): the value of one input that gives a unit's figure a target.

The model is piecewise of one form in each input: on every stretch where no CRRA changes
band, a unit's raw amount and the national raw total are both linear in the input, so the
calibrated figure is a ratio of two linear functions, ``(A + B·u) / (1 + C·u)`` (a plain
line without calibration). Three evaluations fix it and the target is then solved
exactly; one more evaluation checks the solution against :func:`model.compute`. Where the
form does not hold (the transition policy « Plafonné » clips, notified envelopes rescale)
a bracketing search (false position with bisection) takes over on that stretch. The
stretches are the input's valid range (:func:`GoalInput.bounds`) cut at the référentiel's
band boundaries for a DRM, and a boundary itself belongs to the upper band, as in the model.

Every trial value is computed on a private copy: the document is touched only when the
window pushes :meth:`GoalSeekResult.command`, one undoable change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from . import schema
from .commands import Command, SetCells, SetParameter
from .french import fewest_decimals
from .model import Results, compute
from .numbers import format_euros, format_percent, format_signed_percent
from .scenario import Scenario
from .units import UnitError, check_output, output_label, output_value, unit_label, unit_mask
from .validation import errors_of, evaluate

NATIONAL_INPUTS = ("cout_etp_arm", "cout_etp_mr", "cout_etp_encadrement",
                   "etp_encadrement_par_crra", "frais_fixes_crra", "frais_par_drm")
BAND_INPUTS = ("etp_arm", "etp_mr")
CRRA_INPUTS = ("drm", "geo_coef", "etp_arm_override", "etp_mr_override")
BANDS_SHEET, CRRA_SHEET = "Référentiel", "CRRA"
# A target is reached when the figure is within half a cent of it: to the cent once shown.
TOLERANCE = 0.005
_MAX_BRACKET_STEPS = 200
# An unbounded input is searched up to 4 ** (2 + this) times its current value (or 1).
_EXPANSIONS = 4


class GoalSeekError(ValueError):
    """The question cannot be asked (unknown input, unit or output, invalid scenario, an
    effet revenu in % of a zero historic amount); the message is French."""


@dataclass(frozen=True)
class GoalInput:
    """The input to solve for: a national parameter, a band's ETP or a CRRA's cell.

    Build it with :meth:`parameter`, :meth:`band` or :meth:`crra`; ``position`` is the
    row's position in its table (as the window's models count rows).
    """

    sheet: str
    key: str
    position: int | None = None

    @classmethod
    def parameter(cls, key: str) -> GoalInput:
        if key not in NATIONAL_INPUTS:
            raise GoalSeekError(f"paramètre « {key} » : choisissez parmi "
                                + ", ".join(f"« {k} »" for k in NATIONAL_INPUTS) + ".")
        return cls(schema.PARAMETERS_SHEET, key)

    @classmethod
    def band(cls, position: int, key: str) -> GoalInput:
        if key not in BAND_INPUTS:
            raise GoalSeekError("référentiel : seuls les ETP ARM et les ETP MR d'une tranche "
                                "peuvent être cherchés.")
        return cls(BANDS_SHEET, key, int(position))

    @classmethod
    def crra(cls, position: int, key: str) -> GoalInput:
        if key not in CRRA_INPUTS:
            raise GoalSeekError("CRRA : seuls les DRM, le coefficient géographique et les ETP "
                                "ARM ou MR retenus peuvent être cherchés.")
        return cls(CRRA_SHEET, key, int(position))

    @property
    def row(self) -> int:
        """The row's position (a table input only)."""
        if self.position is None:
            raise GoalSeekError(f"feuille « {self.sheet} » : la ligne n'est pas donnée.")
        return self.position

    # -- description ------------------------------------------------------
    def header(self) -> str:
        if self.sheet == schema.PARAMETERS_SHEET:
            return schema.PARAMETER_BY_KEY[self.key].label
        table = schema.BANDS if self.sheet == BANDS_SHEET else schema.CRRA
        return table.column(self.key).header

    def label(self, scenario: Scenario) -> str:
        """« Coût annuel d'un ETP d'ARM », « ETP ARM de T3 », « ETP ARM retenus de SAMU-035 »."""
        if self.sheet == schema.PARAMETERS_SHEET:
            return self.header()
        if self.sheet == BANDS_SHEET:
            name = str(scenario.bands["label"].iat[self.row] or "") or f"la tranche {self.row + 1}"
        else:
            name = str(scenario.crra["crra_id"].iat[self.row] or "") or f"la ligne {self.row + 1}"
        return f"{self.header()} de {name}"

    def format(self, value: float) -> str:
        """The value as the label and messages show it (French)."""
        if self.key == "geo_coef":
            return format_percent(value, 2)
        if self.key in ("cout_etp_arm", "cout_etp_mr", "cout_etp_encadrement", "frais_fixes_crra"):
            return format_euros(value, 2)
        if self.key == "frais_par_drm":
            return f"{fewest_decimals(value, 4)}\u00a0€"
        return fewest_decimals(value, 2)

    def bounds(self) -> tuple[float, float]:
        """The valid range ``[low, high)``: 0 to +∞, the coefficient géographique below 1."""
        return (0.0, 1.0) if self.key == "geo_coef" else (0.0, math.inf)

    def range_text(self) -> str:
        return "entre 0 % et 100 % (exclu)" if self.key == "geo_coef" else "positive ou nulle"

    # -- values -----------------------------------------------------------
    def _check(self, scenario: Scenario) -> None:
        if self.sheet == schema.PARAMETERS_SHEET:
            return
        frame = scenario.bands if self.sheet == BANDS_SHEET else scenario.crra
        if self.position is None or not 0 <= self.position < len(frame):
            raise GoalSeekError(f"la ligne {0 if self.position is None else self.position + 1} "
                                f"n'existe pas dans la feuille « {self.sheet} ».")

    def current(self, scenario: Scenario, results: Results) -> float:
        """The value the model uses now (a CRRA without retained ETP: its band's ETP)."""
        if self.sheet == schema.PARAMETERS_SHEET:
            return float(getattr(scenario.parameters, self.key))
        if self.sheet == BANDS_SHEET:
            return float(scenario.bands[self.key].iat[self.row])
        used = {"drm": "drm", "geo_coef": "geo_coef", "etp_arm_override": "etp_arm",
                "etp_mr_override": "etp_mr"}[self.key]
        return float(results.crra_arrays[used][self.row])

    def trial(self, scenario: Scenario, value: float) -> Scenario:
        """A private scenario with the input at ``value``; ``scenario`` stays as it is."""
        if self.sheet == schema.PARAMETERS_SHEET:
            return replace(scenario, parameters=scenario.parameters.with_value(self.key, float(value)))
        attr = "bands" if self.sheet == BANDS_SHEET else "crra"
        frame = getattr(scenario, attr)
        column = frame[self.key].to_numpy(dtype="float64", copy=True)
        column[self.row] = value
        new = frame.copy(deep=False)
        new[self.key] = column          # a new column in the copy: the scenario's is untouched
        return replace(scenario, **{attr: new})


@dataclass(frozen=True)
class GoalTarget:
    """The figure to reach: ``output`` (``modelled``, ``revenue_effect``,
    ``revenue_effect_pct`` as a fraction, ``alloc_<year>``) of one unit equal to ``value``."""

    output: str
    value: float
    level: str = "national"
    key: object = None


@dataclass(frozen=True)
class GoalSeekResult:
    """What the search found. ``reached``: ``output`` is within half a cent of the target
    at ``value``; otherwise ``value`` is the closest found in the valid range and
    ``output`` the figure there. ``message`` says it in French; ``label`` is the undo
    label of :meth:`command` (« valeur cible : ETP ARM retenus de SAMU-035 = 31,4 »)."""

    input: GoalInput
    target: GoalTarget
    reached: bool
    value: float
    output: float
    current_value: float
    current_output: float
    message: str
    label: str
    evaluations: int

    def command(self, scenario: Scenario) -> Command:
        """The one undoable change that sets the input to ``value`` in ``scenario``."""
        if self.input.sheet == schema.PARAMETERS_SHEET:
            command = SetParameter(scenario, self.input.key, float(self.value))
            command.label = self.label
            return command
        return SetCells(scenario, self.input.sheet, [(self.input.row, self.input.key,
                                                      float(self.value))], label=self.label)


class _Evaluator:
    """The unit's figure in euros at a trial value, counted and remembered."""

    def __init__(self, scenario: Scenario, goal_input: GoalInput, output: str, mask: np.ndarray):
        self.scenario, self.input, self.output, self.mask = scenario, goal_input, output, mask
        self.seen: dict[float, float] = {}

    def __call__(self, x: float) -> float:
        x = float(x)
        if x in self.seen:
            return self.seen[x]
        with np.errstate(all="ignore"):
            results = compute(self.input.trial(self.scenario, x))
        bad = results.transition is not None and results.transition.policy.unfinanceable is not None
        value = math.nan if bad else output_value(results, self.output, self.mask)
        self.seen[x] = value if math.isfinite(value) else math.nan
        return self.seen[x]


def _pieces(scenario: Scenario, goal_input: GoalInput) -> list[tuple[float, float]]:
    low, high = goal_input.bounds()
    if goal_input.sheet == CRRA_SHEET and goal_input.key == "drm":
        cuts = [float(b) for b in scenario.bands["drm_min"].to_numpy(dtype="float64") if b > low]
        edges = [low] + sorted(set(cuts)) + [high]
        return list(zip(edges[:-1], edges[1:]))
    return [(low, high)]


def _moebius_root(xs: list[float], fs: list[float], t: float, a: float, w: float) -> float | None:
    """The ``x`` where ``(A + B·u) / (1 + C·u)`` through the three points equals ``t``
    (``u = (x − a) / w``), or None when there is none."""
    u = [(x - a) / w for x in xs]
    scale = max(abs(f) for f in fs) or 1.0
    g = [f / scale for f in fs]
    matrix = np.array([[1.0, ui, -ui * gi] for ui, gi in zip(u, g)])
    try:
        A, B, C = np.linalg.solve(matrix, np.array(g))
    except np.linalg.LinAlgError:
        return None
    tt = t / scale
    denominator = B - C * tt
    if denominator == 0 or not math.isfinite(denominator):
        return None
    root = (tt - A) / denominator
    return a + root * w if math.isfinite(root) else None


def _bracket(f: _Evaluator, x0: float, f0: float, x1: float, f1: float, t: float) -> float | None:
    """False position (Illinois) with bisection, between two values either side of ``t``."""
    g0, g1 = f0 - t, f1 - t
    side = 0
    for _ in range(_MAX_BRACKET_STEPS):
        if g1 != g0:
            x = x1 - g1 * (x1 - x0) / (g1 - g0)
        else:
            x = (x0 + x1) / 2
        if not (min(x0, x1) < x < max(x0, x1)):
            x = (x0 + x1) / 2
        fx = f(x)
        if math.isnan(fx):
            return None
        gx = fx - t
        if abs(gx) <= TOLERANCE:
            return x
        if (gx > 0) == (g1 > 0):
            x1, g1 = x, gx
            if side == -1:
                g0 /= 2
            side = -1
        else:
            x0, g0 = x, gx
            if side == 1:
                g1 /= 2
            side = 1
        if x0 == x1:
            break
    return None


def _solve_piece(f: _Evaluator, a: float, b: float, t: float, scale: float) -> float | None:
    """A value of ``[a, b)`` where the figure is ``t`` (within :data:`TOLERANCE`), or None."""
    if math.isinf(b):
        w = scale
        xs = [a, a + w, a + 4 * w]
    else:
        w = b - a
        xs = [a, a + w / 2, b - min(w * 1e-6, 1.0)]   # b itself is the next stretch's
    fs = [f(x) for x in xs]
    for x, fx in zip(xs, fs):
        if math.isfinite(fx) and abs(fx - t) <= TOLERANCE and x < b:
            return x
    if all(math.isfinite(v) for v in fs):
        root = _moebius_root(xs, fs, t, a, w)
        if root is not None and a <= root < b:
            value = f(root)
            if math.isfinite(value) and abs(value - t) <= TOLERANCE:
                return root
    # Not of the one form here (policy clipping, envelopes): bracket on the samples.
    points = sorted((x, v) for x, v in f.seen.items() if a <= x < b and math.isfinite(v))
    if math.isinf(b):
        far = xs[-1]
        for _ in range(_EXPANSIONS):         # up to 4^6 times the scale: beyond, no answer
            if any((v - t) * (points[0][1] - t) < 0 for _, v in points):
                break
            far = a + (far - a) * 4
            v = f(far)
            if math.isfinite(v):
                points.append((far, v))
    for (x0, v0), (x1, v1) in zip(points, points[1:]):
        if (v0 - t) * (v1 - t) < 0:
            found = _bracket(f, x0, v0, x1, v1, t)
            if found is not None:
                return found
    return None


def goal_seek(scenario: Scenario, goal_input: GoalInput, target: GoalTarget, *,
              base: Results | None = None) -> GoalSeekResult:
    """Find the value of ``goal_input`` that gives ``target`` (see the module's docstring).

    ``base``: the scenario's results when the caller has them. Raises
    :class:`GoalSeekError` (French) when the question cannot be asked; an unreachable
    target is an answer (``reached`` False), not an error.
    """
    if base is None:
        problems, base = evaluate(scenario)
        if base is None:
            first = errors_of(problems)[0]
            raise GoalSeekError(f"le scénario n'est pas calculable : {first}")
    try:
        check_output(base, target.output)
        mask = unit_mask(base, target.level, target.key)
    except UnitError as exc:
        raise GoalSeekError(str(exc)) from None
    goal_input._check(scenario)
    unit = unit_label(base, target.level, target.key)
    output = target.output
    wanted = float(target.value)
    if output == "revenue_effect_pct":
        historic = float(base.crra_arrays["historic"][mask].sum())
        if historic == 0:
            raise GoalSeekError(f"l'effet revenu en % de {unit} n'est pas défini : sa dotation "
                                "historique est nulle. Visez l'effet revenu en euros.")
        output, wanted = "revenue_effect", wanted * historic
    f = _Evaluator(scenario, goal_input, output, mask)
    x0 = goal_input.current(scenario, base)
    f0 = output_value(base, output, mask)
    f.seen[x0] = f0
    scale = max(abs(x0), 1.0)

    pieces = _pieces(scenario, goal_input)
    order = sorted(range(len(pieces)), key=lambda i: _distance(x0, *pieces[i]))
    best: float | None = x0 if abs(f0 - wanted) <= TOLERANCE else None   # already there
    for i in order:
        if best == x0:
            break
        a, b = pieces[i]
        if best is not None and _distance(x0, a, b) > abs(best - x0):
            break
        found = _solve_piece(f, a, b, wanted, scale)
        if found is not None and (best is None or abs(found - x0) < abs(best - x0)):
            best = found
    if best is not None:
        problems, _ = evaluate(goal_input.trial(scenario, best))
        if errors_of(problems):
            best = None
    value: float
    if best is not None:
        reached, value, reached_output = True, best, f(best)
    else:
        reached = False
        value, reached_output = _closest(f, wanted, x0, goal_input.bounds())
    historic_u = float(base.crra_arrays["historic"][mask].sum())
    show = _shower(target.output, historic_u)
    shown = show(reached_output)
    name = goal_input.label(scenario)
    label = f"valeur cible : {name} = {goal_input.format(value)}"
    what = f"{_article(output_label(target.output))} {_of(unit)}"
    goal = show(wanted)
    if reached:
        message = (f"Cible atteinte : avec « {name} » = {goal_input.format(value)} (actuellement "
                   f"{goal_input.format(x0)}), {what} vaut {shown} (cible : {goal}).")
    elif _constant(f):
        message = (f"La cible ne peut pas être atteinte : {what} ne dépend pas de « {name} » "
                   f"(il vaut {show(f0)} quelle que soit sa valeur).")
    else:
        message = (f"Aucune valeur {goal_input.range_text()} de « {name} » ne porte {what} à "
                   f"{goal} : la plus proche trouvée est {goal_input.format(value)}, qui donne "
                   f"{shown}.")
        if math.isinf(goal_input.bounds()[1]) and value >= max(f.seen) and value > x0:
            message = message[:-1] + (f" ; plus « {name} » augmente, plus {what} s'en approche, "
                                      "sans l'atteindre.")
    final_output = reached_output
    if target.output == "revenue_effect_pct":
        final_output = reached_output / historic_u
    return GoalSeekResult(goal_input, target, reached, float(value), float(final_output), float(x0),
                          float(output_value(base, target.output, mask)), message, label, len(f.seen))


def _article(label: str) -> str:
    """« Montant modélisé » → « le montant modélisé »; « Effet revenu (%) » → « l'effet revenu (%) »."""
    text = label[:1].lower() + label[1:]
    return ("l'" if text[:1] in "aeéiouy" else ("la " if text.startswith("dotation") else "le ")) + text


def _of(unit: str) -> str:
    """« le CRRA … » → « du CRRA … », « la région … » → « de la région … »."""
    return "du " + unit[3:] if unit.startswith("le ") else "de " + unit


def _distance(x: float, a: float, b: float) -> float:
    return 0.0 if a <= x < b else min(abs(x - a), abs(x - b))


def _constant(f: _Evaluator) -> bool:
    values = [v for v in f.seen.values() if math.isfinite(v)]
    return bool(values) and max(values) - min(values) <= TOLERANCE


def _closest(f: _Evaluator, t: float, x0: float, bounds: tuple[float, float]) -> tuple[float, float]:
    low, high = bounds
    # The nearest to the target to the cent, then the nearest to the current value.
    candidates = [(round(abs(v - t), 2), abs(x - x0), x, v) for x, v in f.seen.items()
                  if math.isfinite(v) and low <= x < high]
    if not candidates:
        return x0, f.seen.get(x0, math.nan)
    _, _, x, v = min(candidates)
    return x, v


def _shower(output: str, historic: float):
    """The figure as messages show it, from its amount in euros (a % from the effet revenu)."""
    def show(euros: float) -> str:
        if output == "revenue_effect_pct":
            return format_signed_percent(euros / historic, 2)
        if output == "revenue_effect":
            return ("+" if euros >= 0.5 else "") + format_euros(euros)
        return format_euros(euros)
    return show


