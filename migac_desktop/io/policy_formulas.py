"""Live formulas of the transition policy « Plafonné » (MODEL.md, « Transition policy »).

With `lissage_mode` = « Plafonné », the saved workbook computes the policy itself: the
output sheet « Lissage plafonné » has one row per policy unit (hospital, region or CRRA,
after `lissage_niveau`) and, for each smoothing year, a group of columns that follows the
steps of MODEL.md:

- the previous year's allocation (the unit's dotations historiques the first year, then
  the group before's « Dotation YYYY »), step 1's linear allocation L
  (``SUMIF`` of the unit's historic amounts and effets revenus in « Résultats CRRA »,
  the share of « Lissage » applied), step 2's floor and cap (empty, so no bound, when
  `perte_max_annuelle` / `gain_max_annuel` is empty or the previous amount is 0), step 3's
  clipped amount C = ``MIN(cap,MAX(L,floor))`` (``MIN`` and ``MAX`` skip an empty bound),
  the gain and the loss;
- step 4 under the national total: the year's N, G, P, θ, φ, what is left for the rooms,
  their sum and the share of it used; then per unit the amount after θ or φ, its room to
  its bound and its allocation A.

« Résultats CRRA » then shares A among the unit's CRRA in proportion to their linear
allocations (step 5, equally when L = 0), before step 10's notified envelopes, whose
denominator becomes the region's sum of A.

Each line of the year's financing sums the columns itself instead of naming the lines
above it: LibreOffice 7.4's threaded calculation of a long column that refers to a cell
computed from other cells computed from that sheet's columns reads those columns as 0
(see :func:`formulas.calibration_formulas`).

This module only builds formula text, as :mod:`.formulas` does; the units' keys are
values written at save (as the regions of « Synthèse régionale »).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import schema
from .formulas import _ROW, RESULTS, SMOOTHING, _Criteria, _letters, expand, sheet

POLICY = schema.POLICY_SHEET

# The leading columns of each level: (key in the results, French header); the first is
# the unit's key, compared with the same column of « Résultats CRRA ».
LEAD_COLUMNS = {
    "establishment": (("finess", "FINESS"), ("establishment", "Établissement"),
                      ("region", "Région")),
    "region": (("region", "Région"),),
    "crra": (("crra_id", "Identifiant"), ("label", "Libellé"), ("region", "Région")),
}
UNIT_COLUMNS = (("n_crra", "Nombre de CRRA"), ("historic", "Dotation historique"))

# The columns of one smoothing year, in order, and their French headers.
YEAR_FIELDS = ("prev", "linear", "floor", "cap", "clipped", "gain", "loss", "after", "room",
               "alloc")
_YEAR_HEADERS = {
    "prev": "{y} : dotation précédente", "linear": "{y} : linéaire", "floor": "{y} : plancher",
    "cap": "{y} : plafond", "clipped": "{y} : dans les bornes", "gain": "{y} : gain",
    "loss": "{y} : perte", "after": "{y} : après θ ou φ", "room": "{y} : marge",
    "alloc": "Dotation {y}",
}

# The lines of the year's financing, under the national total, in order.
FINANCING_TITLE = "Financement national de l'année"
FINANCING_LINES = (
    ("net", "Coût net des bornes (N)"),
    ("gains", "Somme des gains (G)"),
    ("losses", "Somme des pertes (P)"),
    ("theta", "Part des gains reprise (θ)"),
    ("phi", "Part des pertes rendue (φ)"),
    ("rest", "Reste à placer sur les marges"),
    ("rooms", "Somme des marges"),
    ("room_rate", "Part des marges utilisée"),
    ("shortfall", "Non financé"),
)
FINANCING_KEYS = tuple(k for k, _ in FINANCING_LINES)
# Where the lines' values go: under each year's « Dotation YYYY ».
FINANCING_COLUMN = "alloc"
TOTAL_FIELDS = ("prev", "linear", "clipped", "gain", "loss", "after", "room", "alloc")


def year_key(field: str, year: int) -> str:
    return f"{field}_{year}"


@dataclass(frozen=True)
class PolicyLayout:
    """Where the policy's sheet and « Résultats CRRA » put what the formulas read."""

    level: str                          # "establishment", "region" or "crra"
    n_units: int
    n_crra: int
    years: tuple[int, ...]
    smoothing_rows: tuple[int, ...]     # « Lissage » row of each year
    result_keys: tuple[str, ...]        # columns of « Résultats CRRA »
    exact_units: bool = False           # compare unit keys with EXACT
    exact_regions: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        """The sheet's columns, in order."""
        lead = tuple(k for k, _ in LEAD_COLUMNS[self.level])
        units = tuple(k for k, _ in UNIT_COLUMNS)
        return lead + units + tuple(year_key(f, y) for y in self.years for f in YEAR_FIELDS)

    @property
    def total_row(self) -> int:
        return self.n_units + 2

    @property
    def financing_rows(self) -> dict[str, int]:
        """Row of each financing line (its title one row above the first)."""
        first = self.total_row + 3
        return {key: first + i for i, key in enumerate(FINANCING_KEYS)}


def headers(layout: PolicyLayout) -> list[str]:
    lead = [h for _, h in LEAD_COLUMNS[layout.level]] + [h for _, h in UNIT_COLUMNS]
    return lead + [_YEAR_HEADERS[f].format(y=y) for y in layout.years for f in YEAR_FIELDS]


def _range(letters: dict[str, str], key: str, first: int, last: int, where: str = "") -> str:
    col = letters[key]
    return f"{where}${col}${first}:${col}${max(last, first)}"


def unit_formulas(layout: PolicyLayout) -> dict[str, list[str]]:
    """Column key → one formula per unit (rows 2…) of « Lissage plafonné »."""
    rows = range(2, layout.n_units + 2)
    return {key: expand(template, rows) for key, template in unit_templates(layout).items()}


def unit_templates(layout: PolicyLayout) -> dict[str, str]:
    """Column key → formula template (``{r}``: the unit's row) of « Lissage plafonné ».

    A CRRA unit's row is its row of « Résultats CRRA »: its amounts are read there
    directly (no ``SUMIF`` over every CRRA for each of 10 000 units), its count is 1.
    """
    P = _letters(layout.keys)
    R = _letters(layout.result_keys)
    results = sheet(RESULTS)
    last_crra = layout.n_crra + 1
    r = _ROW
    own = f"$A{r}"
    if layout.level == "crra":
        t = {"n_crra": "1", "historic": f"{results}!${R['historic']}{r}"}
        unit_effect = f"{results}!${R['revenue_effect']}{r}"
    else:
        key_column = LEAD_COLUMNS[layout.level][0][0]
        units = _Criteria(_range(R, key_column, 2, last_crra, f"{results}!"), layout.exact_units)
        t = {"n_crra": units.count(own),
             "historic": units.sum(own, _range(R, "historic", 2, last_crra, f"{results}!"))}
        unit_effect = units.sum(own, _range(R, "revenue_effect", 2, last_crra, f"{results}!"))
    fin = layout.financing_rows
    previous = P["historic"]
    for year, lissage_row in zip(layout.years, layout.smoothing_rows):
        c = {f: f"{P[year_key(f, year)]}{r}" for f in YEAR_FIELDS}
        line = P[year_key(FINANCING_COLUMN, year)]
        s = {k: f"${line}${fin[k]}" for k in FINANCING_KEYS}
        share = f"{sheet(SMOOTHING)}!$B${lissage_row}"
        prev = c["prev"]
        year_t = {
            "prev": f"{previous}{r}",
            "linear": f"{P['historic']}{r}+{share}*{unit_effect}",
            "floor": (f'IF(AND(ISNUMBER(perte_max_annuelle),{prev}<>0),'
                      f'{prev}*(1-perte_max_annuelle),"")'),
            "cap": (f'IF(AND(ISNUMBER(gain_max_annuel),{prev}<>0),'
                    f'{prev}*(1+gain_max_annuel),"")'),
            "clipped": f"MIN({c['cap']},MAX({c['linear']},{c['floor']}))",
            "gain": f"MAX({c['clipped']}-{prev},0)",
            "loss": f"MAX({prev}-{c['clipped']},0)",
            "after": f"{c['clipped']}-{s['theta']}*{c['gain']}+{s['phi']}*{c['loss']}",
            "room": (f"IF({s['net']}>0,IF(ISNUMBER({c['floor']}),"
                     f"MAX({c['after']}-{c['floor']},0),0),"
                     f"IF(AND({s['net']}<0,ISNUMBER({c['cap']})),"
                     f"MAX({c['cap']}-{c['after']},0),0))"),
            "alloc": (f"IF({s['net']}>0,{c['after']}-{s['room_rate']}*{c['room']},"
                      f"{c['after']}+{s['room_rate']}*{c['room']})"),
        }
        t.update({year_key(f, year): year_t[f] for f in YEAR_FIELDS})
        previous = P[year_key("alloc", year)]
    return t


def _sum(letters: dict[str, str], key: str, layout: PolicyLayout) -> str:
    col = letters[key]
    return f"SUM(${col}$2:${col}${layout.n_units + 1})"


def financing_formulas(layout: PolicyLayout) -> dict[int, dict[str, str]]:
    """Year → line key → formula of the year's financing, each from the columns' sums."""
    P = _letters(layout.keys)
    out = {}
    for year in layout.years:
        def col_sum(field: str, year: int = year) -> str:
            return _sum(P, year_key(field, year), layout)

        net = f"({col_sum('clipped')}-{col_sum('linear')})"
        gains, losses, rooms = col_sum("gain"), col_sum("loss"), col_sum("room")
        rest = f"IF({net}>0,MAX({net}-{gains},0),IF({net}<0,MAX(-{net}-{losses},0),0))"
        out[year] = {
            "net": net[1:-1],
            "gains": gains,
            "losses": losses,
            "theta": f"IF(AND({net}>0,{gains}>0),MIN(1,{net}/{gains}),0)",
            "phi": f"IF(AND({net}<0,{losses}>0),MIN(1,-{net}/{losses}),0)",
            "rest": rest,
            "rooms": rooms,
            "room_rate": (f"IF(({rest})>0,IF({rooms}>=({rest}),({rest})/{rooms},"
                          f"IF({rooms}>0,1,0)),0)"),
            "shortfall": f"IF(({rest})>0,MAX(({rest})-{rooms},0),0)",
        }
    return out


def total_formulas(layout: PolicyLayout) -> dict[str, str]:
    """Column key → formula of the « Total national » row."""
    P = _letters(layout.keys)
    keys = ["n_crra", "historic"] + [year_key(f, y) for y in layout.years for f in TOTAL_FIELDS]
    return {k: _sum(P, k, layout).replace("$", "") for k in keys}


def crra_allocation(layout: PolicyLayout, year: int, unit_row: int | str, smoothed: str) -> str:
    """Step 5 for one CRRA: its unit's A × its linear allocation ``smoothed`` / the unit's L,
    or A shared equally when L = 0."""
    P = _letters(layout.keys)
    ref = sheet(POLICY)
    a = f"{ref}!${P[year_key('alloc', year)]}${unit_row}"
    lin = f"{ref}!${P[year_key('linear', year)]}${unit_row}"
    count = f"{ref}!${P['n_crra']}${unit_row}"
    return f"IF({lin}=0,{a}/{count},{a}*({smoothed})/{lin})"


def region_allocation(layout: PolicyLayout, year: int, own_region: str) -> str:
    """The policy's allocation of a region for ``year``: the sum of its units' A."""
    P = _letters(layout.keys)
    ref = sheet(POLICY)
    region = _range(P, "region", 2, layout.n_units + 1, f"{ref}!")
    alloc = _range(P, year_key("alloc", year), 2, layout.n_units + 1, f"{ref}!")
    return _Criteria(region, layout.exact_regions).sum(own_region, alloc)

