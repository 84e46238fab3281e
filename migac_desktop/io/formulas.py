"""Live formulas of the output sheets: the saved workbook is the model itself.

A scenario saved by MIGAC Desktop is a working Excel model, as the ministry's tool was:
its output sheets (« Résultats CRRA », « Synthèse régionale », « Synthèse
établissements », « Trajectoires ») are formulas over the input sheets, so a colleague
who changes a DRM, a cost or a smoothing share in Excel or LibreOffice sees every result
move. The writer (:mod:`.workbook`) stores each formula together with the application's
own result as the cell's cached value, so readers that do not compute (openpyxl,
previews) still see the numbers.

This module only builds formula text (no XML, no openpyxl). The structure, step by step
of MODEL.md, for the CRRA of row 2 (the same row in « CRRA » and « Résultats CRRA »;
``ref`` stands for ``'Référentiel'!``, ``m`` for the band's ``MATCH``):

- DRM ``='CRRA'!G2``; step 1, Tranche
  ``=INDEX(ref$D$2:$D$8,MATCH(F2,ref$A$2:$A$8,1))`` (type 1: the last minimum ≤ DRM,
  so a CRRA on a boundary goes up);
- step 2, ETP ARM ``=IF(ISBLANK('CRRA'!J2),INDEX(ref$B$2:$B$8,m),'CRRA'!J2)``, the same
  for ETP MR, ETP encadrement ``=etp_encadrement_par_crra``;
- steps 3–6: ``=H2*cout_etp_arm+I2*cout_etp_mr+J2*cout_etp_encadrement``,
  ``=frais_fixes_crra+frais_par_drm*F2``, ``=K2+L2``, coefficient ``=N('CRRA'!H2)``
  (empty is 0), Montant brut ``=M2*(1+N2)``;
- step 7, Montant modélisé ``=O2*facteur_calage``; step 8, ``=P2-Q2`` and
  ``=IF(Q2=0,"",R2/Q2)``;
- step 9, Dotation YYYY ``=$Q2+'Lissage'!$B$2*$R2``; step 10, when the scenario has
  notified envelopes, that amount times
  ``IF(COUNTIFS(env_region,$C2,env_year,YYYY)>0,SUMIFS(env_amount,…)/(SUMIF(region,$C2,
  historic)+share*SUMIF(region,$C2,effect)),1)``: the region's smoothed total is the sum
  of its historic amounts plus the share of its effets revenus, so no helper column.

The named cells: one per parameter of « Paramètres » (``cout_etp_arm``, ``calage``…, the
``Valeur`` cell of its row) and, in a « Calage national » block under the national total
of « Synthèse régionale », ``cible_calage``, ``total_montants_bruts`` and
``facteur_calage`` (step 7). Regions and hospitals are ``SUMIF`` over « Résultats
CRRA » (``COUNTIF`` for the number of CRRA), their effet revenu and its percentage
recomputed from the sums; the national row is a ``SUM``; « Trajectoires » refers to the
three other sheets.

Spreadsheet criteria (``SUMIF``, ``COUNTIFS``…) compare text ignoring case, read ``*``,
``?`` and ``~`` as wildcards, a leading ``<``, ``>`` or ``=`` as an operator, and a
number-like text as a number; the model compares names exactly. When a scenario's region
names or FINESS could be confused that way, their sums use
``SUMPRODUCT(EXACT(…)*…)`` instead, which compares exactly (:func:`criteria_safe`).

With `lissage_mode` = « Plafonné », step 9 goes through the policy's sheet « Lissage
plafonné » (:mod:`.policy_formulas`): each CRRA's ``Dotation YYYY`` is its unit's
allocation there times its linear allocation over the unit's, step 10 dividing by the
region's sum of those allocations; the three sheets end with « Reste à converger »
(modelled − the last year's allocation).

Every range is sized to the rows actually written: the sheets are rewritten on each save.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core import schema
from .headers import column_letter

if TYPE_CHECKING:
    from .policy_formulas import PolicyLayout

# Sheets (the input sheets as the writer names them).
PARAMETERS = schema.PARAMETERS_SHEET
BANDS = "Référentiel"
SMOOTHING = "Lissage"
CRRA = "CRRA"
ENVELOPES = "Enveloppes régionales"
RESULTS, REGIONS, ESTABLISHMENTS, TRAJECTORIES = schema.RESULT_SHEETS

# The parameters that get a workbook-level name: every one the model reads.
PARAMETER_NAMES = tuple(p.key for p in schema.PARAMETERS if p.kind != "text")
CALIBRATION_FACTOR = "facteur_calage"
CALIBRATION_TARGET = "cible_calage"
RAW_TOTAL = "total_montants_bruts"

# French labels of the « Calage national » block of « Synthèse régionale ».
CALIBRATION_TITLE = "Calage national"
CALIBRATION_LABELS = ("Mode de calage", "Cible de calage", "Total des montants bruts",
                      "Facteur de calage")

_ROW = "{r}"     # placeholder of the row number in a formula template
_UNIT = "{u}"    # placeholder of the CRRA's policy unit's row in « Lissage plafonné »


def sheet(name: str) -> str:
    """A sheet name as formulas write it: ``'Résultats CRRA'``."""
    return "'" + name.replace("'", "''") + "'"


def expand(template: str, rows) -> list[str]:
    """One formula per row number: ``{r}`` in ``template`` replaced by each row."""
    parts = template.split(_ROW)
    if len(parts) == 1:
        return [template] * len(rows)
    return [str(r).join(parts) for r in rows]


def _column_range(sheet_name: str, col: str, first: int, last: int) -> str:
    return f"{sheet(sheet_name)}!${col}${first}:${col}${max(last, first)}"


def _input_letters(table) -> dict[str, str]:
    return {key: column_letter(i) for i, key in enumerate(table.keys)}


def parameter_names() -> dict[str, str]:
    """Name → reference of each parameter's ``Valeur`` cell in « Paramètres ».

    The writer puts the declared parameters first, in :data:`schema.PARAMETERS`
    order, from row 2, with ``Valeur`` in column C.
    """
    value_col = column_letter(schema.PARAMETER_HEADERS.index("Valeur"))
    return {spec.key: f"{sheet(PARAMETERS)}!${value_col}${i + 2}"
            for i, spec in enumerate(schema.PARAMETERS) if spec.key in PARAMETER_NAMES}


def criteria_safe(values) -> bool:
    """True when ``SUMIF``-style criteria tell these names apart exactly as the model does."""
    unique = {v for v in values}
    folded: set[object] = set()
    for value in unique:
        if not isinstance(value, str) or not value or value != value.strip():
            return False
        if value[0] in "<>=" or any(ch in value for ch in "*?~"):
            return False
        key: object = value.casefold()
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            pass
        else:
            if not math.isfinite(number):
                return False
            key = number
        if key in folded:
            return False
        folded.add(key)
    return True


@dataclass(frozen=True)
class Layout:
    """Where the writer put the inputs, and the size of each output sheet."""

    n_crra: int
    n_bands: int
    n_envelopes: int
    years: tuple[int, ...]
    smoothing_rows: tuple[int, ...]      # « Lissage » row of each year
    result_keys: tuple[str, ...]         # columns of « Résultats CRRA »
    region_keys: tuple[str, ...]         # columns of « Synthèse régionale »
    establishment_keys: tuple[str, ...]  # columns of « Synthèse établissements »
    n_regions: int
    n_establishments: int
    blank_band_labels: bool = False      # some band has no label: the model says T1, T2…
    exact_regions: bool = False          # compare region names with EXACT
    exact_finess: bool = False
    # With « Plafonné »: the policy's sheet, and each CRRA's row of its unit there.
    policy: PolicyLayout | None = None
    unit_rows: tuple[int, ...] = ()

    @property
    def last_crra_row(self) -> int:
        return self.n_crra + 1

    @property
    def region_total_row(self) -> int:
        return self.n_regions + 2

    @property
    def establishment_total_row(self) -> int:
        return self.n_establishments + 2

    @property
    def calibration_rows(self) -> tuple[int, int, int, int, int]:
        """Rows of the block title and of its four lines, under the national total."""
        first = self.region_total_row + 2
        return tuple(range(first, first + 5))   # type: ignore[return-value]


def _letters(keys) -> dict[str, str]:
    return {key: column_letter(i) for i, key in enumerate(keys)}


def _alloc(year: int) -> str:
    return f"alloc_{year}"


class _Criteria:
    """``SUMIF``/``COUNTIF`` over a key column, or their exact ``SUMPRODUCT`` twins."""

    def __init__(self, key_range: str, exact: bool):
        self.key_range = key_range
        self.exact = exact

    def count(self, key: str) -> str:
        if self.exact:
            return f"SUMPRODUCT(EXACT({self.key_range},{key})*1)"
        return f"COUNTIF({self.key_range},{key})"

    def sum(self, key: str, values: str) -> str:
        if self.exact:
            return f"SUMPRODUCT(EXACT({self.key_range},{key})*{values})"
        return f"SUMIF({self.key_range},{key},{values})"


def crra_templates(layout: Layout) -> dict[str, str]:
    """Result key → formula template (``{r}``: the row) of « Résultats CRRA »."""
    R = _letters(layout.result_keys)
    C = _input_letters(schema.CRRA)
    B = _input_letters(schema.BANDS)
    crra = sheet(CRRA)
    last_band = layout.n_bands + 1
    band = {k: _column_range(BANDS, B[k], 2, last_band) for k in ("drm_min", "etp_arm", "etp_mr",
                                                                  "label")}
    r = _ROW
    match = f"MATCH({R['drm']}{r},{band['drm_min']},1)"
    label = f"INDEX({band['label']},{match})"
    if layout.blank_band_labels:
        label = f'IF(TRIM({label})="","T"&{match},{label})'
    t = {
        "drm": f"{crra}!{C['drm']}{r}",
        "tranche": label,
        "etp_arm": (f"IF(ISBLANK({crra}!{C['etp_arm_override']}{r}),INDEX({band['etp_arm']},"
                    f"{match}),{crra}!{C['etp_arm_override']}{r})"),
        "etp_mr": (f"IF(ISBLANK({crra}!{C['etp_mr_override']}{r}),INDEX({band['etp_mr']},"
                   f"{match}),{crra}!{C['etp_mr_override']}{r})"),
        "etp_sup": "etp_encadrement_par_crra",
        "staff_cost": (f"{R['etp_arm']}{r}*cout_etp_arm+{R['etp_mr']}{r}*cout_etp_mr"
                       f"+{R['etp_sup']}{r}*cout_etp_encadrement"),
        "operating_cost": f"frais_fixes_crra+frais_par_drm*{R['drm']}{r}",
        "base_cost": f"{R['staff_cost']}{r}+{R['operating_cost']}{r}",
        "geo_coef": f"N({crra}!{C['geo_coef']}{r})",
        "raw_amount": f"{R['base_cost']}{r}*(1+{R['geo_coef']}{r})",
        "modelled": f"{R['raw_amount']}{r}*{CALIBRATION_FACTOR}",
        "historic": f"{crra}!{C['historic']}{r}",
        "revenue_effect": f"{R['modelled']}{r}-{R['historic']}{r}",
        "revenue_effect_pct": (f'IF({R["historic"]}{r}=0,"",'
                               f'{R["revenue_effect"]}{r}/{R["historic"]}{r})'),
    }
    last = layout.last_crra_row
    regions = _Criteria(f"${R['region']}$2:${R['region']}${last}", layout.exact_regions)
    own_region = f"${R['region']}{r}"
    hist = f"${R['historic']}{r}"
    effect = f"${R['revenue_effect']}{r}"
    hist_range = f"${R['historic']}$2:${R['historic']}${last}"
    effect_range = f"${R['revenue_effect']}$2:${R['revenue_effect']}${last}"
    E = _input_letters(schema.ENVELOPES)
    last_env = layout.n_envelopes + 1
    env = {k: _column_range(ENVELOPES, E[k], 2, last_env) for k in ("region", "year", "amount")}
    policy = layout.policy
    if policy is not None:
        from . import policy_formulas
    for year, lissage_row in zip(layout.years, layout.smoothing_rows):
        share = f"{sheet(SMOOTHING)}!$B${lissage_row}"
        smoothed = f"{hist}+{share}*{effect}"
        if policy is not None:     # step 5 of the policy, then the envelopes on it
            smoothed = policy_formulas.crra_allocation(policy, year, _UNIT, smoothed)
        if not layout.n_envelopes:
            t[_alloc(year)] = smoothed
            continue
        if layout.exact_regions:
            match_env = f"EXACT({env['region']},{own_region})*({env['year']}={year})"
            notified = f"SUMPRODUCT({match_env}*1)"
            amount = f"SUMPRODUCT({match_env}*{env['amount']})"
        else:
            criteria = f"{env['region']},{own_region},{env['year']},{year}"
            notified = f"COUNTIFS({criteria})"
            amount = f"SUMIFS({env['amount']},{criteria})"
        region_sum = (f"{regions.sum(own_region, hist_range)}"
                      f"+{share}*{regions.sum(own_region, effect_range)}")
        if policy is not None:
            region_sum = policy_formulas.region_allocation(policy, year, own_region)
        t[_alloc(year)] = f"({smoothed})*IF({notified}>0,{amount}/({region_sum}),1)"
    t.update(_remaining_gap(R, layout.years))
    return t


def _remaining_gap(letters: dict[str, str], years) -> dict[str, str]:
    """Reste à converger (« Plafonné »): modelled − the last year's allocation."""
    if "remaining_gap" not in letters or not years:
        return {}
    return {"remaining_gap": f"{letters['modelled']}{_ROW}-{letters[_alloc(years[-1])]}{_ROW}"}


def crra_formulas(layout: Layout) -> dict[str, list[str]]:
    """Result key → one formula per CRRA (rows 2…) of « Résultats CRRA »."""
    rows = range(2, layout.last_crra_row + 1)
    out = {}
    for key, template in crra_templates(layout).items():
        if _UNIT in template:
            out[key] = [template.replace(_ROW, str(r)).replace(_UNIT, str(u))
                        for r, u in zip(rows, layout.unit_rows)]
        else:
            out[key] = expand(template, rows)
    return out


def _summary_templates(layout: Layout, keys, key_column: str, exact: bool) -> dict[str, str]:
    """Formulas of a grouped sheet: SUMIF over « Résultats CRRA » by ``key_column``."""
    R = _letters(layout.result_keys)
    G = _letters(keys)
    last = layout.last_crra_row
    results = sheet(RESULTS)
    criteria = _Criteria(f"{results}!${R[key_column]}$2:${R[key_column]}${last}", exact)
    own = f"${G[keys[0]]}{_ROW}"
    t = {"n_crra": criteria.count(own)}
    for key in keys:
        if key in ("historic", "modelled") or key.startswith("alloc_"):
            t[key] = criteria.sum(own, f"{results}!${R[key]}$2:${R[key]}${last}")
    t.update(_effect(G))
    t.update(_remaining_gap(G, layout.years))
    return t


def _effect(G: dict[str, str]) -> dict[str, str]:
    """Effet revenu of a group: modelled − historic of its sums, and its percentage.

    A subtraction rather than a sum of the CRRA's effects: spreadsheets snap a
    difference of equal amounts to exactly 0, where a sum would leave a 1e-9 €
    residue that prints « -0 € » on the national total of a budget-neutral scenario.
    """
    r = _ROW
    return {"revenue_effect": f"{G['modelled']}{r}-{G['historic']}{r}",
            "revenue_effect_pct": (f'IF({G["historic"]}{r}=0,"",'
                                   f'{G["revenue_effect"]}{r}/{G["historic"]}{r})')}


def _total_templates(keys, last_row: int) -> dict[str, str]:
    G = _letters(keys)
    t = {}
    for key in keys:
        if key in ("n_crra", "historic", "modelled") or key.startswith("alloc_"):
            t[key] = f"SUM({G[key]}2:{G[key]}{last_row})"
    t.update(_effect(G))
    t.update(_remaining_gap(G, [k[len("alloc_"):] for k in keys if k.startswith("alloc_")]))
    return t


def summary_formulas(layout: Layout, level: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """(key → one formula per group row, key → formula of the « Total national » row).

    ``level``: "region" or "establishment".
    """
    if level == "region":
        keys, key_column, exact, n = (layout.region_keys, "region", layout.exact_regions,
                                      layout.n_regions)
    else:
        keys, key_column, exact, n = (layout.establishment_keys, "finess", layout.exact_finess,
                                      layout.n_establishments)
    rows = range(2, n + 2)
    body = {k: expand(t, rows) for k, t in _summary_templates(layout, keys, key_column,
                                                              exact).items()}
    total_row = n + 2
    total = {k: t.replace(_ROW, str(total_row)) for k, t in _total_templates(keys, n + 1).items()}
    return body, total


def calibration_formulas(layout: Layout) -> list[str]:
    """The four lines of the « Calage national » block (mode, target, Σ raw, factor)."""
    R = _letters(layout.result_keys)
    last = layout.last_crra_row
    results = sheet(RESULTS)
    raw = f"SUM({results}!${R['raw_amount']}$2:${R['raw_amount']}${last})"
    historic = f"SUM({results}!${R['historic']}$2:${R['historic']}${last})"
    target = f'IF(calage="Montant cible",enveloppe_cible,{historic})'
    # Each line sums the CRRA itself rather than referring to the lines above:
    # LibreOffice 7.4's threaded calculation of a long column (« Montant modélisé »,
    # 100 rows or more) that refers to a cell computed from other cells computed from
    # that sheet's columns reads those columns as 0 (checked by tests/test_live_workbook).
    return [
        "calage",
        f'IF(calage="Aucun",{raw},{target})',
        raw,
        f'IF(calage="Aucun",1,{target}/{raw})',
    ]


def calibration_names(layout: Layout) -> dict[str, str]:
    """Names of the target, Σ raw and factor cells of the « Calage national » block."""
    _, _, target_row, raw_row, factor_row = layout.calibration_rows
    col = column_letter(1)
    ref = sheet(REGIONS)
    return {CALIBRATION_TARGET: f"{ref}!${col}${target_row}",
            RAW_TOTAL: f"{ref}!${col}${raw_row}",
            CALIBRATION_FACTOR: f"{ref}!${col}${factor_row}"}


def trajectory_formulas(layout: Layout, keys) -> dict[str, list[str]]:
    """Trajectory key (historic, alloc_…, modelled, revenue_effect) → one formula per row.

    Rows: the national total, each region, each hospital, each CRRA, in the order of
    the three other sheets; every value refers to its cell there.
    """
    blocks = (
        (REGIONS, layout.region_keys, [layout.region_total_row]),
        (REGIONS, layout.region_keys, range(2, layout.n_regions + 2)),
        (ESTABLISHMENTS, layout.establishment_keys, range(2, layout.n_establishments + 2)),
        (RESULTS, layout.result_keys, range(2, layout.last_crra_row + 1)),
    )
    out: dict[str, list[str]] = {key: [] for key in keys}
    for sheet_name, sheet_keys, rows in blocks:
        G = _letters(sheet_keys)
        ref = sheet(sheet_name)
        for key in keys:
            out[key].extend(expand(f"{ref}!{G[key]}{_ROW}", rows))
    return out
