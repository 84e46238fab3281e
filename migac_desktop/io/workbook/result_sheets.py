"""The four output sheets: live formulas over the input sheets, cached with the
application's own results (:mod:`..formulas` writes the formulas)."""

from __future__ import annotations

import math

from ...core import schema
from ...core.scenario import Scenario
from .. import formulas as live_formulas
from ..headers import column_letter
from . import policy_sheet
from .book import _Book, _SheetWriter
from .cells import _array_values, _plain
from .formats import _FACTOR, _KIND_FORMATS, _WIDTHS, EURO, EURO_CENTS, TEXT, _text_width
from .print_setup import _wraps

NO_RESULTS_NOTE = ("Résultats non disponibles : le scénario contient des erreurs. Corrigez-les "
                   "(dans MIGAC Desktop ou avec « migac validate ») puis enregistrez de nouveau.")


def _result_layout(keys: list[str]) -> tuple[list[str], list[str | None]]:
    columns = [schema.result_column(k) for k in keys]
    # A FINESS (2A…, leading zeros) stays text in Excel.
    return [c.header for c in columns], [
        TEXT if c.key == "finess" else _KIND_FORMATS.get(c.kind) for c in columns]


def _result_keys(years: list[int], extra=()) -> tuple[list[str], list[str], list[str]]:
    """The keys of the CRRA, regions and establishments output sheets; ``extra``: the
    columns after the years' (``remaining_gap`` with « Plafonné »)."""
    allocs = [f"alloc_{y}" for y in years] + list(extra)
    return (list(schema.CRRA_RESULT_KEYS) + allocs, list(schema.REGION_RESULT_KEYS) + allocs,
            list(schema.ESTABLISHMENT_RESULT_KEYS) + allocs)


def result_sheet_headers(scenario: Scenario, years: list[int] | None = None) -> dict[str, list[str]]:
    """Headers of the four output sheets, in order (for tests and the window)."""
    return {title: headers for title, headers, _ in _result_sheets(scenario, years)}


def _extra_keys(scenario: Scenario) -> tuple[str, ...]:
    return schema.POLICY_RESULT_KEYS if scenario.parameters.capped else ()


def _result_sheets(scenario: Scenario, years: list[int] | None):
    years = scenario.years if years is None else years
    extra = _extra_keys(scenario)
    out = [(title, *_result_layout(k))
           for title, k in zip(schema.RESULT_SHEETS, _result_keys(years, extra))]
    out.append(("Trajectoires", *_trajectory_layout(scenario, years, extra)))
    return out


def _write_results(book: _Book, scenario: Scenario, results) -> None:
    """The four output sheets: live formulas over the inputs, cached with ``results``.

    Without results (the scenario has errors) each sheet gets its headers and a
    note, no formula.
    """
    years = results.years if results is not None else scenario.years
    sheets = _result_sheets(scenario, years)
    if results is None:
        if scenario.parameters.capped:
            sheets.append((schema.POLICY_SHEET, *policy_sheet.empty_layout(scenario)))
        for title, headers, formats in sheets:
            w = _SheetWriter(book, title)
            w.layout(headers, formats, 1)
            w.header(headers)
            w.columns([[NO_RESULTS_NOTE]] + [[None]] * (len(headers) - 1), [None] * len(headers))
        return

    arrays = results.crra_arrays
    crra_keys, region_keys, est_keys = _result_keys(years, results.extra_keys)
    layout = _formula_layout(scenario, results, crra_keys, region_keys, est_keys)
    live = live_formulas.crra_formulas(layout)
    title, headers, formats = sheets[0]
    _write_result_sheet(book, title, headers, formats,
                        [_array_values(arrays[k]) for k in crra_keys],
                        formulas=[live.get(k) for k in crra_keys])
    national = results.national
    for (title, headers, formats), keys, frame, level in (
            (sheets[1], region_keys, results.regions, "region"),
            (sheets[2], est_keys, results.establishments, "establishment")):
        columns = [_array_values(frame[k].to_numpy()) for k in keys]
        total = [_plain(national[k]) if k in national else None for k in keys]
        total[0] = "Total national"
        total[keys.index("n_crra")] = int(national["n_crra"])
        body, total_live = live_formulas.summary_formulas(layout, level)
        block = None
        if level == "region":
            block = _calibration_block(layout, results, scenario.parameters.calage)
        _write_result_sheet(book, title, headers, formats, columns, total,
                            formulas=[body.get(k) for k in keys],
                            total_formulas=[total_live.get(k) for k in keys], block=block)
    allocs = crra_keys[len(schema.CRRA_RESULT_KEYS):]
    _write_trajectories(book, sheets[3][1], sheets[3][2], results, allocs, layout)
    if layout.policy is not None:
        policy_sheet.write(book, results, layout.policy, _write_result_sheet)
    names = live_formulas.parameter_names()
    names.update(live_formulas.calibration_names(layout))
    _define_names(book, names)


def _formula_layout(scenario: Scenario, results, crra_keys, region_keys, est_keys):
    """Where the inputs were written and how big each output sheet is."""
    smoothing_years = [int(y) if isinstance(y, (int, float)) and math.isfinite(y) else None
                       for y in scenario.smoothing["year"].tolist()]
    rows = tuple(smoothing_years.index(y) + 2 for y in results.years)
    labels = scenario.bands["label"].tolist()
    exact_regions = not live_formulas.criteria_safe(results.region_names.tolist())
    exact_finess = not live_formulas.criteria_safe(results.finess_names.tolist())
    policy, unit_rows = None, ()
    if results.transition is not None:
        policy = policy_sheet.policy_layout(results, rows, tuple(crra_keys), exact_regions,
                                            exact_finess)
        unit_rows = tuple((results.transition.unit_codes + 2).tolist())
    return live_formulas.Layout(
        n_crra=len(results.region_codes), n_bands=len(scenario.bands),
        n_envelopes=len(scenario.envelopes), years=tuple(results.years), smoothing_rows=rows,
        result_keys=tuple(crra_keys), region_keys=tuple(region_keys),
        establishment_keys=tuple(est_keys), n_regions=len(results.region_names),
        n_establishments=len(results.finess_names),
        blank_band_labels=any(not (isinstance(v, str) and v.strip()) for v in labels),
        exact_regions=exact_regions, exact_finess=exact_finess, policy=policy,
        unit_rows=unit_rows)


def _calibration_block(layout, results, calage) -> list[tuple[list, list, list | None]]:
    """Rows (values, formats, formulas) of « Calage national », under the national total."""
    lines = live_formulas.calibration_formulas(layout)
    mode, target, raw, factor = live_formulas.CALIBRATION_LABELS
    return [
        ([live_formulas.CALIBRATION_TITLE], [None], None),
        ([mode, _plain(calage)], [None, None], [None, [lines[0]]]),
        ([target, _plain(results.calibration_target)], [None, EURO_CENTS], [None, [lines[1]]]),
        ([raw, _plain(results.raw_total)], [None, EURO_CENTS], [None, [lines[2]]]),
        ([factor, _plain(results.calibration_factor)], [None, _FACTOR], [None, [lines[3]]]),
    ]


def _define_names(book: _Book, names: dict[str, str]) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    for name, ref in names.items():
        book.wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _tidy(values: list) -> list:
    """Output only: a 1e-9 € rounding residue would print as « -0 € »."""
    return [0.0 if type(v) is float and -1e-6 < v < 1e-6 else v for v in values]


def _write_result_sheet(book, title, headers, formats, columns, total=None, formulas=None,
                        total_formulas=None, block=None) -> None:
    """One output sheet: rows, a bold « Total national » row, then a block of lines.

    ``formulas`` and ``total_formulas``: per column, None (values) or the formulas
    whose cached values are ``columns`` / ``total``; ``block``: rows of (values,
    formats, formulas) written after one blank row (the « Calage national » lines).
    """
    columns = [_tidy(c) for c in columns]
    if total is not None:
        total = _tidy(total)
    n_rows = (len(columns[0]) if columns else 0) + (1 if total is not None else 0)
    body_rows = n_rows
    if block:
        n_rows += 1 + len(block)
    widths = [_text_width(values, h) if fmt is None else max(_WIDTHS.get(fmt, 14), len(h) + 2)
              for values, h, fmt in zip(columns, headers, formats)]
    if block and widths:
        widths[0] = max(widths[0], _text_width([line[0][0] for line in block], headers[0]))
    w = _SheetWriter(book, title)
    w.layout(headers, formats, n_rows, widths)
    if block:   # the filter covers the table, not the block under it
        w.ws.auto_filter.ref = f"A1:{column_letter(len(headers) - 1)}{body_rows + 1}"
    w.print_area(len(headers), n_rows + 1)
    w.header(headers)
    w.columns(columns, formats, formulas=formulas,
              wrap=[fmt is None and _wraps(values, width)
                    for values, fmt, width in zip(columns, formats, w.widths)])
    if total is not None:
        w.columns([[v] for v in total], formats, bold=True,
                  formulas=None if total_formulas is None
                  else [None if f is None else [f] for f in total_formulas])
    if block:
        w.next_row += 1
        for i, (values, fmts, forms) in enumerate(block):
            w.columns([[v] for v in values], fmts, bold=(i == 0), formulas=forms)


def _trajectory_layout(scenario: Scenario, years: list[int], extra=()) -> tuple[list[str], list]:
    year = scenario.parameters.annee_historique
    try:
        historic = f"Dotation {int(year)}"
        if int(year) in years:
            historic = f"Dotation historique ({int(year)})"
    except (TypeError, ValueError, OverflowError):
        historic = "Dotation historique"
    headers = ["Niveau", "Code", "Libellé", "Région", historic]
    headers += [f"Dotation {y}" for y in years] + ["Montant modélisé", "Effet revenu"]
    headers += [schema.result_column(k).header for k in extra]
    formats = [None, TEXT, None, None] + [EURO] * (len(years) + 3 + len(extra))
    return headers, formats


def _write_trajectories(book, headers, formats, results, allocs, layout) -> None:
    national = results.national
    regions, ests, arrays = results.regions, results.establishments, results.crra_arrays
    n_reg, n_est, n_crra = len(regions), len(ests), len(arrays["crra_id"])
    level = ["National"] + ["Région"] * n_reg + ["Établissement"] * n_est + ["CRRA"] * n_crra
    region_names = _array_values(regions["region"].to_numpy())
    code = ([None] + region_names + _array_values(ests["finess"].to_numpy())
            + _array_values(arrays["crra_id"]))
    label = (["Total national"] + region_names + _array_values(ests["establishment"].to_numpy())
             + _array_values(arrays["label"]))
    region = ([None] + region_names + _array_values(ests["region"].to_numpy())
              + _array_values(arrays["region"]))
    columns = [level, code, label, region]
    years = [k for k in allocs if k.startswith("alloc_")]
    keys = ["historic"] + years + ["modelled", "revenue_effect"] + list(results.extra_keys)
    for key in keys:
        columns.append([_plain(national[key])] + _array_values(regions[key].to_numpy())
                       + _array_values(ests[key].to_numpy()) + _array_values(arrays[key]))
    columns = [_tidy(c) for c in columns]
    live = live_formulas.trajectory_formulas(layout, keys)
    widths = [14, 12, _text_width(label, "Libellé"), _text_width(region, "Région")]
    widths += [_WIDTHS[EURO]] * (len(headers) - 4)
    w = _SheetWriter(book, "Trajectoires")
    w.layout(headers, formats, len(level), widths)
    w.print_area(len(headers), len(level) + 1)
    w.header(headers)
    w.columns(columns, formats, formulas=[None] * 4 + [live[k] for k in keys],
              wrap=[False, False, _wraps(label, w.widths[2]), _wraps(region, w.widths[3])]
              + [False] * len(keys))
