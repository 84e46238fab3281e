"""The report's section « Écarts au scénario de référence », without Qt.

When the modeller compares the open scenario with a reference (the ministry's national
scenario, or the file as it was saved), the printed report answers the committee's
question « what changed, and who gains what? »: which inputs differ, sheet by sheet,
and how the results of each region (and, in a regional report, of each hospital of
the region) move, scenario minus reference. Without a reference nothing here is
called: the report stays as it was.

The figures come from :mod:`migac_desktop.core.comparison`, the same as ``migac
compare`` writes and the window shows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core import schema
from ..core.comparison import (
    BOTH,
    ONLY_A,
    ONLY_B,
    PRESENT,
    InputDifference,
    LevelComparison,
    ResultComparison,
    compare_results,
    input_differences,
)
from ..core.french import fewest_decimals, order_key, plural
from ..core.model import Results
from ..core.numbers import format_euros, format_number, format_signed_euros
from ..core.scenario import Scenario
from .difference_charts import CENT, _of, difference_quantity, draw_difference_bars, quantity_label
from .figures import Chart
from .report_model import (
    RIGHT,
    Column,
    Heading,
    KeyValues,
    Paragraph,
    Section,
    Table,
    _is_nan,
)
from .report_policy import fraction_text

__all__ = ["Reference", "ReferenceBlocks", "SECTION_TITLE", "MAX_INPUT_ROWS", "ABSENT"]

SECTION_TITLE = "Écarts au scénario de référence"
NO_FILE = "scénario non enregistré"
ABSENT = "(absent)"
EMPTY = "(vide)"
# A national report lists at most this many differences of one sheet (the 101 CRRA of a
# re-estimated activity would fill three pages); a regional report lists all its region's.
MAX_INPUT_ROWS = 40
CHART_WIDTH_MM = 180.0
RESULT_FONT = 7.0       # two quantities (six amounts) beside a hospital's FINESS and name


@dataclass(eq=False)
class Reference:
    """The reference scenario a report is compared with.

    ``source``: its file (only the name is printed), or a short text when it is not a
    file of its own (« fichier ouvert, tel qu'enregistré »); None: « scénario non
    enregistré ». ``title``: its title; by default the scenario's « Titre du scénario »,
    else the file's name without extension.
    """

    scenario: Scenario
    results: Results
    source: str | os.PathLike | None = None
    title: str = ""
    _name: str = field(default="", init=False, repr=False)

    def __post_init__(self):
        if self.source is None or str(self.source) == "":
            self._name = NO_FILE
        elif isinstance(self.source, os.PathLike) or str(self.source).lower().endswith(".xlsx"):
            self._name = Path(self.source).name
        else:
            self._name = str(self.source)
        if not self.title.strip():
            titre = (self.scenario.parameters.titre or "").strip()
            stem = Path(self.source).stem if isinstance(self.source, os.PathLike) or \
                str(self.source or "").lower().endswith(".xlsx") else ""
            self.title = titre or stem or "Scénario de référence"

    @property
    def source_name(self) -> str:
        return self._name


# -- French text of values -----------------------------------------------------------
def _amount(value: float) -> str:
    decimals = 0 if abs(value - round(value)) < 1e-9 else 2
    return format_euros(value, decimals)


def _signed_amount(value: float) -> str:
    if abs(value) < 0.5 and abs(value) >= CENT:
        text = format_euros(value, 2)
        return text if value < 0 else "+" + text
    return format_signed_euros(0.0 if abs(value) < CENT else value)


def _text(kind: str, unit: str, value) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, str):
        return value
    v = float(value)
    if kind == "fraction":
        return fraction_text(v)
    if unit == "€":
        return _amount(v)
    if unit == "€/DRM":
        return f"{format_euros(v, 2)} par DRM"
    if kind == "integer":
        return str(int(v)) if v == int(v) else fewest_decimals(v, 2)
    if unit == "ETP":
        return f"{fewest_decimals(v, 2)} ETP"
    return fewest_decimals(v, 2)


def value_text(difference: InputDifference, side: str) -> str:
    """One side (``"a"`` or ``"b"``) of an input difference in French: « 45 000 € »,
    « 7 % », « 1,50 € par DRM », « (absent) » for a row that side lacks."""
    value = getattr(difference, side)
    if difference.is_presence:
        return "présent" if value == PRESENT else ABSENT
    if difference.sheet == schema.PARAMETERS_SHEET:
        spec = schema.PARAMETER_BY_KEY[difference.item]
        return _text(spec.kind, spec.unit, value)
    table = _TABLES[difference.sheet]
    try:
        col = table.column(difference.key) if difference.key else None
    except KeyError:
        col = None
    if col is None:
        return EMPTY if value is None else str(value)
    return _text(col.kind, col.unit, value)


_TABLES = {t.sheet: t for t in (schema.BANDS, schema.SMOOTHING, schema.CRRA, schema.ENVELOPES)}
_FIELD = "Donnée"
_PRESENCE = "Présence"


# -- the section ---------------------------------------------------------------------
class ReferenceBlocks:
    """The section of a report compared with ``reference``; ``region``: a regional report."""

    def __init__(self, scenario: Scenario, results: Results, reference: Reference, *,
                 region: str | None, title: str, source_name: str):
        self.scenario, self.results, self.reference = scenario, results, reference
        self.region = region
        self.title, self.source_name = title, source_name
        self.differences = input_differences(reference.scenario, scenario)
        self.comparison: ResultComparison = compare_results(reference.results, results)
        self.quantities = self.comparison.regions.quantities

    # -- the title page's line ---------------------------------------------------------
    def title_fact(self) -> tuple[str, str]:
        return ("Scénario de référence", f"{self.reference.title} ({self.reference.source_name})")

    # -- the section -------------------------------------------------------------------
    def section(self) -> Section:
        blocks: list = [Heading(SECTION_TITLE, 1), Paragraph(self._lead(), "lead"),
                        KeyValues(self._facts(), title="En bref")]
        blocks += self._input_blocks()
        blocks += self._result_blocks()
        return Section("reference", SECTION_TITLE, SECTION_TITLE, blocks)

    def _lead(self) -> str:
        ref = self.reference
        text = (f"Le scénario « {self.title} » ({self.source_name}) comparé au scénario de "
                f"référence « {ref.title} » ({ref.source_name}). Chaque écart est le "
                "scénario moins la référence : positif, le scénario donne davantage.")
        if not self.differences:
            text += " Aucune donnée d'entrée ne diffère."
        return text

    def _facts(self) -> list[tuple[str, str]]:
        ref, c = self.reference, self.comparison
        by_sheet: dict[str, int] = {}
        for d in self.differences:
            by_sheet[d.sheet] = by_sheet.get(d.sheet, 0) + 1
        count = format_number(len(self.differences))
        if by_sheet:
            count += " (" + ", ".join(f"{sheet} : {format_number(n)}"
                                      for sheet, n in by_sheet.items()) + ")"
        status = c.crra.frame["status"].to_numpy()
        facts = [("Scénario", f"{self.title} ({self.source_name})"),
                 ("Scénario de référence", f"{ref.title} ({ref.source_name})"),
                 ("Données d'entrée différentes", count),
                 ("CRRA", f"{format_number(int((status == BOTH).sum()))} dans les deux, "
                          f"{format_number(int((status == ONLY_A).sum()))} dans la référence "
                          f"seulement, {format_number(int((status == ONLY_B).sum()))} dans le "
                          "scénario seulement")]
        regions = c.regions
        moved = self._moved(regions)
        facts.append(("Régions dont les résultats diffèrent",
                      f"{int(moved.sum())} sur {len(regions.frame)}"))
        for q in self.quantities:
            if q == "revenue_effect":
                continue
            facts.append((f"Écart total, {quantity_label(q).lower()}",
                          _signed_amount(float(np.nansum(regions.frame[f"delta_{q}"])))))
        if self.region is not None:
            row = regions.frame[regions.frame["region"] == self.region]
            q = difference_quantity(c)
            if len(row):
                facts.append((f"Écart de la région {self.region}, {quantity_label(q).lower()}",
                              _signed_amount(float(row[f"delta_{q}"].iloc[0]))))
        years = []
        if c.years_only_a:
            years.append("référence : " + ", ".join(str(y) for y in c.years_only_a))
        if c.years_only_b:
            years.append("scénario : " + ", ".join(str(y) for y in c.years_only_b))
        if years:
            facts.append(("Années de lissage d'un seul scénario, non comparées",
                          " ; ".join(years)))
        return facts

    # -- inputs ------------------------------------------------------------------------
    def _crra_context(self) -> dict[str, tuple[str, str]]:
        """CRRA identifier → (label, region), the scenario's first, else the reference's."""
        out: dict[str, tuple[str, str]] = {}
        for frame in (self.scenario.crra, self.reference.scenario.crra):
            for cid, label, region in zip(frame["crra_id"], frame["label"], frame["region"]):
                key = "" if _is_nan(cid) else str(cid)
                if key not in out:
                    out[key] = ("" if _is_nan(label) else str(label).strip(),
                                "" if _is_nan(region) else str(region))
        return out

    def _input_blocks(self) -> list:
        if not self.differences:
            return []
        blocks: list = [Heading("Données d'entrée qui diffèrent", 2)]
        context = self._crra_context()
        by_sheet: dict[str, list[InputDifference]] = {}
        for d in self.differences:
            by_sheet.setdefault(d.sheet, []).append(d)
        for sheet, items in by_sheet.items():
            blocks.append(self._input_table(sheet, items, context))
        return blocks

    def _input_table(self, sheet: str, items: list[InputDifference], context) -> Table:
        national = self.region is None
        outside = 0
        if not national and sheet in (schema.CRRA.sheet, schema.ENVELOPES.sheet):
            def region_of(d):
                if sheet == schema.CRRA.sheet:
                    return context.get(d.item, ("", ""))[1]
                return d.item.split("|", 1)[0]
            kept = [d for d in items if region_of(d) == self.region]
            outside = len(items) - len(kept)
            items = kept
        shown, rest = (items[:MAX_INPUT_ROWS], items[MAX_INPUT_ROWS:]) if national \
            else (items, [])
        values = [Column("Référence", RIGHT, wrap=True), Column("Scénario", RIGHT, wrap=True)]
        def field_cell(d: InputDifference) -> str:
            return _PRESENCE if d.is_presence else d.field

        if sheet == schema.PARAMETERS_SHEET:
            columns = [Column("Paramètre", wrap=True)] + values
            rows = [[schema.PARAMETER_BY_KEY[d.item].label, value_text(d, "a"), value_text(d, "b")]
                    for d in items]
        elif sheet == schema.CRRA.sheet:
            columns = [Column("CRRA"), Column("Libellé", wrap=True)]
            if national:
                columns.append(Column("Région", wrap=True))
            columns += [Column(_FIELD, wrap=True)] + values
            rows = []
            for d in shown:
                label, region = context.get(d.item, ("", ""))
                rows.append([d.item, label] + ([region] if national else [])
                            + [field_cell(d), value_text(d, "a"), value_text(d, "b")])
        elif sheet == schema.ENVELOPES.sheet:
            columns = [Column("Région", wrap=True), Column("Année")] + [Column(_FIELD, wrap=True)] \
                + values
            rows = [d.item.split("|", 1) + [field_cell(d), value_text(d, "a"), value_text(d, "b")]
                    for d in shown]
        else:
            first = "Tranche" if sheet == schema.BANDS.sheet else "Année"
            columns = [Column(first), Column(_FIELD, wrap=True)] + values
            rows = [[d.item, field_cell(d), value_text(d, "a"), value_text(d, "b")]
                    for d in shown]
        totals = []
        if rest:
            totals.append([f"… et {plural(len(rest), 'autre', 'autres')}"]
                          + [""] * (len(columns) - 1))
        notes = []
        if rest:
            notes.append(f"Les {MAX_INPUT_ROWS} premières différences de la feuille sont listées "
                         f"sur {format_number(len(items))} ; le rapport régional de chaque "
                         "région liste toutes les siennes.")
        if outside:
            notes.append(f"{plural(outside, 'autre différence concerne', 'autres différences concernent')} "
                         "d'autres régions (non listées).")
        if any(d.is_presence for d in shown):
            notes.append(f"Présence : {ABSENT}, la ligne manque dans ce scénario.")
        return Table(columns, rows, title=f"Feuille « {sheet} »", totals=totals,
                     note=" ".join(notes), id=f"ecarts-entrees:{sheet}")

    # -- results -----------------------------------------------------------------------
    @staticmethod
    def _moved(level: LevelComparison) -> np.ndarray:
        frame = level.frame
        mask = frame["status"].to_numpy() != BOTH
        for q in level.quantities:
            mask |= np.abs(frame[f"delta_{q}"].to_numpy(dtype=float)) >= CENT
        return mask

    def _result_blocks(self) -> list:
        c = self.comparison
        blocks: list = [Heading("Résultats qui diffèrent", 2)]
        regions = c.regions
        moved = self._moved(regions)
        if not moved.any():
            blocks.append(Paragraph("Les résultats de chaque région sont les mêmes dans les "
                                    "deux scénarios (à moins d'un demi-centime près)."))
            return blocks
        blocks.append(self._result_table(regions, moved, "region", title="Écarts par région",
                                         id="ecarts-regions", total_label="Total national"))
        n_moved = int(moved.sum())
        height = min(225.0, max(60.0, 40.0 + 6.5 * n_moved))
        comparison = c
        blocks.append(Chart("difference", CHART_WIDTH_MM, height,
                            f"Écart {_of(difference_quantity(c))} par région", level="region",
                            drawer=lambda fig: draw_difference_bars(fig, comparison, "region")))
        if self.region is not None:
            est = c.establishments
            scope = est.frame["region"].to_numpy() == self.region
            moved = self._moved(est) & scope
            if moved.any():
                blocks.append(self._result_table(
                    est, moved, "establishment", scope=scope,
                    title=f"Écarts par établissement – Région {self.region}",
                    id=f"ecarts-etablissements:{self.region}",
                    total_label="Total"))
                if int(moved.sum()) > 1:
                    region = self.region
                    height = min(225.0, max(60.0, 40.0 + 6.5 * int(moved.sum())))
                    blocks.append(Chart(
                        "difference", CHART_WIDTH_MM, height,
                        f"Écart {_of(difference_quantity(c))} par établissement – Région {region}",
                        level="establishment", key=region,
                        drawer=lambda fig: draw_difference_bars(fig, comparison, "establishment",
                                                                region)))
            else:
                blocks.append(Paragraph(f"Les résultats de chaque établissement de la région "
                                        f"{self.region} sont les mêmes dans les deux scénarios."))
        return blocks

    def _result_table(self, level: LevelComparison, moved: np.ndarray, kind: str, *,
                      title: str, id: str, total_label: str,
                      scope: np.ndarray | None = None) -> Table:
        frame = level.frame
        quantities = level.quantities
        deltas = np.column_stack([np.abs(frame[f"delta_{q}"].to_numpy(dtype=float))
                                  for q in quantities])
        size = deltas.max(axis=1)
        if kind == "region":
            names = [str(r) for r in frame["region"]]
            keys = [Column("Région", repeat=True, wrap=True)]
        else:
            names = [str(n).strip() for n in frame["establishment"]]
            keys = [Column("FINESS", repeat=True), Column("Établissement", repeat=True, wrap=True)]
        listed = sorted(np.flatnonzero(moved).tolist(),
                        key=lambda i: (-size[i], order_key(names[i])))
        status = frame["status"].to_numpy()
        columns = list(keys)
        titles = {}
        for g, q in enumerate(quantities, start=1):
            label = quantity_label(q)
            titles[g] = label[0].lower() + label[1:]
            # « Modélisé » as in the tables' short headers: two groups side by side fit.
            short = "Modélisé" if q == "modelled" else label
            columns += [Column(f"{short} référence", RIGHT, wrap=True, group=g),
                        Column(f"{short} scénario", RIGHT, wrap=True, group=g),
                        Column(f"Écart {short.lower() if q == 'modelled' else titles[g]}", RIGHT,
                               wrap=True, group=g, signed=True)]

        def cells(i: int) -> list[str]:
            out = []
            for q in quantities:
                a, b = frame[f"{q}_a"].iat[i], frame[f"{q}_b"].iat[i]
                signed = q == "revenue_effect"
                out += [ABSENT if status[i] == ONLY_B else _cell(a, signed),
                        ABSENT if status[i] == ONLY_A else _cell(b, signed),
                        _signed_amount(float(frame[f"delta_{q}"].iat[i]))]
            return out

        rows = []
        for i in listed:
            key = [names[i] or str(frame[level.key].iat[i])] if kind == "region" \
                else [str(frame["finess"].iat[i]), names[i] or "—"]
            rows.append(key + cells(i))
        every = np.ones(len(frame), dtype=bool) if scope is None else scope
        total = [total_label] + [""] * (len(keys) - 1)
        for q in quantities:
            signed = q == "revenue_effect"
            total += [_cell(float(np.nansum(frame[f"{q}_a"].to_numpy(dtype=float)[every])), signed),
                      _cell(float(np.nansum(frame[f"{q}_b"].to_numpy(dtype=float)[every])), signed),
                      _signed_amount(float(np.nansum(frame[f"delta_{q}"].to_numpy(dtype=float)[every])))]
        unit, units = ("région", "régions") if kind == "region" else ("établissement", "établissements")
        unchanged = int(every.sum()) - len(listed)
        note = ("Écart : scénario moins référence ; lignes classées par le plus grand écart en "
                f"valeur absolue. {ABSENT} : l'{unit} n'a aucun CRRA dans ce scénario."
                if kind == "establishment" else
                "Écart : scénario moins référence ; lignes classées par le plus grand écart en "
                f"valeur absolue. {ABSENT} : la {unit} n'a aucun CRRA dans ce scénario.")
        if unchanged:
            note += (f" {plural(unchanged, 'autre ' + unit, 'autres ' + units)} : mêmes résultats "
                     "dans les deux scénarios (non listé" + ("e" if kind == "region" else "")
                     + ("s" if unchanged > 1 else "") + ").")
        # Two quantities per part (three columns each): nine amounts never fit a page.
        groups = list(range(1, len(quantities) + 1))
        splits = [[groups[i:i + 2] for i in range(0, len(groups), 2)]]
        return Table(columns, rows, title=title, totals=[total], note=note, id=id,
                     group_titles=titles, splits=splits, font_size=RESULT_FONT)


def _cell(value, signed: bool = False) -> str:
    """An amount of one side: whole euros as in the rest of the report; the effet revenu
    with its sign."""
    if _is_nan(value):
        return ABSENT
    return format_signed_euros(float(value)) if signed else format_euros(float(value))
