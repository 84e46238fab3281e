"""The output sheet « Lissage plafonné » (`lissage_mode` = « Plafonné » only): the policy's
units year by year, live formulas (:mod:`..policy_formulas`) cached with the engine's own
figures (:class:`~migac_desktop.core.transition.PolicyYear`)."""

from __future__ import annotations

import numpy as np

from ...core import schema
from ...core.scenario import Scenario
from .. import formulas as live_formulas
from .. import policy_formulas as pf
from .cells import _array_values, _plain
from .formats import COUNT, EURO, EURO_CENTS, RATE, TEXT

_LINE_FORMATS = {"theta": RATE, "phi": RATE, "room_rate": RATE}


def policy_layout(results, smoothing_rows, result_keys, exact_regions: bool,
                  exact_finess: bool) -> pf.PolicyLayout:
    t = results.transition
    exact_units = {"establishment": exact_finess, "region": exact_regions}.get(
        t.level_key, not live_formulas.criteria_safe(t.unit_names.tolist()))
    return pf.PolicyLayout(
        level=t.level_key, n_units=len(t.unit_names), n_crra=len(t.unit_codes),
        years=tuple(results.years), smoothing_rows=tuple(smoothing_rows),
        result_keys=tuple(result_keys), exact_units=exact_units, exact_regions=exact_regions)


def _formats(layout: pf.PolicyLayout) -> list[str | None]:
    lead = [TEXT if k == "finess" else None for k, _ in pf.LEAD_COLUMNS[layout.level]]
    return lead + [COUNT, EURO] + [EURO] * (len(layout.years) * len(pf.YEAR_FIELDS))


def empty_layout(scenario: Scenario) -> tuple[list[str], list[str | None]]:
    """Headers and formats of the sheet when the scenario cannot be computed."""
    level = schema.POLICY_LEVEL_KEYS.get(scenario.parameters.lissage_niveau, "establishment")
    layout = pf.PolicyLayout(level=level, n_units=0, n_crra=0, years=tuple(scenario.years),
                             smoothing_rows=(), result_keys=())
    return pf.headers(layout), _formats(layout)


def _lead_values(results, level: str) -> list[list]:
    t = results.transition
    if level == "establishment":
        frame = results.establishments
        return [_array_values(frame[k].to_numpy()) for k in ("finess", "establishment", "region")]
    if level == "region":
        return [_array_values(t.unit_names)]
    arrays = results.crra_arrays
    return [_array_values(arrays[k]) for k in ("crra_id", "label", "region")]


def _year_values(year) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The engine's figures of one year: per unit, and the financing lines."""
    gain, loss, clipped = year.gain, year.loss, year.clipped
    after = clipped - year.theta * gain + year.phi * loss
    if year.net_cost > 0:
        room = np.maximum(np.nan_to_num(after - year.floor, nan=0.0), 0.0)
        rest = max(year.net_cost - float(gain.sum()), 0.0)
    elif year.net_cost < 0:
        room = np.maximum(np.nan_to_num(year.cap - after, nan=0.0), 0.0)
        rest = max(-year.net_cost - float(loss.sum()), 0.0)
    else:
        room, rest = np.zeros(len(after)), 0.0
    units = {"prev": year.prev, "linear": year.linear, "floor": year.floor, "cap": year.cap,
             "clipped": clipped, "gain": gain, "loss": loss, "after": after, "room": room,
             "alloc": year.final}
    lines = {"net": year.net_cost, "gains": float(gain.sum()), "losses": float(loss.sum()),
             "theta": year.theta, "phi": year.phi, "rest": rest, "rooms": float(room.sum()),
             "room_rate": year.room_rate, "shortfall": year.shortfall}
    return units, lines


def write(book, results, layout: pf.PolicyLayout, write_sheet) -> None:
    """The sheet: one row per unit, the national total, then the year's financing."""
    t = results.transition
    keys = layout.keys
    headers, formats = pf.headers(layout), _formats(layout)
    n_lead = len(pf.LEAD_COLUMNS[layout.level])
    values: dict[str, list] = dict(zip(keys[:n_lead], _lead_values(results, layout.level)))
    values["n_crra"] = _array_values(np.bincount(t.unit_codes, minlength=layout.n_units))
    values["historic"] = _array_values(t.policy.years[0].prev if t.policy.years else
                                       np.bincount(t.unit_codes,
                                                   weights=results.crra_arrays["historic"],
                                                   minlength=layout.n_units))
    lines: dict[int, dict[str, float]] = {}
    for year, policy_year in zip(layout.years, t.policy.years):
        units, lines[year] = _year_values(policy_year)
        for field in pf.YEAR_FIELDS:
            values[pf.year_key(field, year)] = _array_values(units[field])   # no bound: empty
    live = pf.unit_formulas(layout)
    columns = [values[k] for k in keys]
    total_live = pf.total_formulas(layout)
    total: list = [_plain(float(np.nansum(np.asarray(values[k], dtype="float64"))))
                   if k in total_live else None for k in keys]
    total[0] = "Total national"
    total[keys.index("n_crra")] = len(t.unit_codes)
    write_sheet(book, schema.POLICY_SHEET, headers, formats, columns, total,
                formulas=[live.get(k) for k in keys],
                total_formulas=[total_live.get(k) for k in keys],
                block=_financing_block(layout, lines))


def _financing_block(layout: pf.PolicyLayout, lines: dict[int, dict[str, float]]):
    """Rows (values, formats, formulas) of the year's financing, under the total."""
    keys = layout.keys
    width = len(keys)
    at = {year: keys.index(pf.year_key(pf.FINANCING_COLUMN, year)) for year in layout.years}
    forms = pf.financing_formulas(layout)
    title = [pf.FINANCING_TITLE] + [None] * (width - 1)
    block: list[tuple[list, list, list | None]] = [(title, [None] * width, None)]
    for key, label in pf.FINANCING_LINES:
        row: list = [label] + [None] * (width - 1)
        fmts: list = [None] * width
        row_forms: list = [None] * width
        for year in layout.years:
            row[at[year]] = _plain(lines[year][key])
            fmts[at[year]] = _LINE_FORMATS.get(key, EURO_CENTS)
            row_forms[at[year]] = [forms[year][key]]
        block.append((row, fmts, row_forms))
    return block
