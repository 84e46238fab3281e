"""The printed report's content, without Qt: sections of blocks, every number in French.

:func:`build_report` turns a computed scenario into a :class:`Report`: an ordered list
of :class:`Section` (the title page, the national summary, one per region), each a
list of blocks — :class:`Title`, :class:`Heading`, :class:`Paragraph`,
:class:`Notice`, :class:`KeyValues`, :class:`Table`, :class:`Chart`,
:class:`Columns`, :class:`Contents`, :class:`PageBreak`. Every cell is already a
French string (``227 730 000 €``, ``−10,6 %``); the Qt layer
(:mod:`migac_desktop.ui.printing`) only lays the blocks out on pages, so the print
preview, the printer and the PDF show the same report, built once.

Tables carry what the layout needs to keep them readable on paper: column alignment,
which columns may wrap, which columns are repeated when a table too wide for the page
is split into several (its key: identifier, name), and column groups that stay
together in such a split; total rows are kept apart so that they close the table.
The blocks and the French text of their cells are in :mod:`.report_model`; their
names stay importable here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from ..core import schema
from ..core.french import long_date, order_key, plural
from ..core.model import Results, alloc_key
from ..core.numbers import format_euros, format_number
from ..core.scenario import Scenario
from ..core.validation import envelope_raises
from .figures import Chart, ReportCancelled, render_charts
from .report_decision import DecisionBlocks
from .report_model import (
    CENTER,
    DASH,
    RIGHT,
    UNSAVED,
    Column,
    Columns,
    Contents,
    Heading,
    KeyValues,
    Notice,
    PageBreak,
    Paragraph,
    Report,
    Section,
    Table,
    Title,
    _euros,
    _is_nan,
    _join_fr,
    _number,
    _pct,
    _share,
    _signed,
    result_column,
)
from .report_policy import POLICY_KEYS, PolicyBlocks, parameter_text, policy_sentence
from .report_reference import Reference, ReferenceBlocks

__all__ = [
    "Report", "Section", "Title", "Heading", "Paragraph", "Notice", "KeyValues", "Column",
    "Table", "Chart", "Columns", "Contents", "PageBreak", "ReportCancelled", "Reference",
    "build_report",
]

# Sizes of the charts on paper, for an A4 portrait page with 15 mm margins.
CHART_WIDTH_MM = 180.0
COMPARISON_HEIGHT_MM = 225.0
SMOOTHING_HEIGHT_MM = 82.0
REGION_CRRA_HEIGHT_MM = 92.0

AMOUNT_GROUPS = {1: "modèle et effet revenu", 2: "dotations du lissage"}

# -- building ----------------------------------------------------------------------------
NO_FILE = "scénario non enregistré"


def build_report(scenario: Scenario, results: Results, *, region: str | None = None,
                 source: str | Path | None = None, created: date | None = None,
                 chart_format: str = "svg", parallel: bool = False,
                 progress: Callable[[int, int, str], bool | None] | None = None,
                 render: bool = True, unsaved: bool = False,
                 reference: Reference | None = None) -> Report:
    """The report of ``scenario`` (computed as ``results``), national or for ``region``.

    ``source``: the scenario's file (its name is printed); ``chart_format``: "svg"
    (vector) or "png" (300 dpi) for the charts; ``parallel``: draw the charts in
    forked worker processes (see :func:`figures.render_charts`). ``progress(done,
    total, text)`` is called as the report is built; returning ``False`` stops it
    with :class:`ReportCancelled`. With ``render=False`` the charts are described
    but not drawn (:func:`figures.render_charts` draws them later). ``unsaved``: the
    scenario has changes that ``source`` does not hold; the title page and every
    footer say so, so that a printed figure is never taken for the file's.
    ``reference``: a scenario to compare with (:class:`.report_reference.Reference`);
    the title page names it and a section « Écarts au scénario de référence » follows
    the national summary (the region's section in a regional report).

    A scenario with a single region, printed without ``region``, gets the report of
    that region: its national summary would repeat the region's section.
    """
    names = [str(r) for r in results.region_names]
    if region is not None and region not in names:
        raise ValueError(f"la région « {region} » n'a aucun CRRA dans le scénario")
    if region is None and len(names) == 1:
        region = names[0]
    created = created or date.today()
    source_name = Path(source).name if source else NO_FILE
    p = scenario.parameters
    title = p.titre.strip() or (Path(source).stem if source else "Scénario sans titre")
    builder = _Builder(scenario, results, region)
    if reference is not None:
        builder.reference = ReferenceBlocks(scenario, results, reference, region=region,
                                            title=title, source_name=source_name)
    subtitle = ("Rapport national" if region is None else f"Rapport régional – Région {region}")

    sections = [builder.title_section(title, subtitle, source_name, created, unsaved)]
    if region is None:
        sections.append(builder.contents_section())
    steps = 1 + (0 if region is not None else 1) + (1 if region else len(names)) \
        + (reference is not None)
    done = 0

    def step(text: str) -> None:
        nonlocal done
        done += 1
        if progress is not None and progress(done, total, text) is False:
            raise ReportCancelled()

    # Charts are the slow part: count them in the progress as steps of their own.
    total = steps
    step("Page de titre")
    if region is None:
        sections.append(builder.national_section())
        step("Synthèse nationale")
        if builder.reference is not None:
            sections.append(builder.reference.section())
            step("Écarts au scénario de référence")
        for name in sorted(names, key=order_key):
            sections.append(builder.region_section(name))
            step(f"Région {name}")
    else:
        sections.append(builder.region_section(region, detailed=True))
        step(f"Région {region}")
        if builder.reference is not None:
            sections.append(builder.reference.section())
            step("Écarts au scénario de référence")
    report = Report(title=title, subtitle=subtitle, source=source_name, created=created,
                    region=region, sections=sections, note=p.note.strip(), unsaved=unsaved)
    if render:
        charts_list = report.charts
        total = done + len(charts_list)

        def chart_done(chart_title: str) -> bool | None:
            step(f"Graphique : {chart_title}")
            return None

        render_charts(results, charts_list, chart_format, parallel=parallel,
                      progress=chart_done)
    return report


class _Builder:
    def __init__(self, scenario: Scenario, results: Results, region: str | None):
        self.scenario = scenario
        self.results = results
        self.region = region
        self.years = list(results.years)
        self.historic_year = int(scenario.parameters.annee_historique)
        self.crra = results.crra
        self.regions = results.regions
        self.establishments = results.establishments
        smoothing = scenario.smoothing
        self.shares = {int(y): float(s) for y, s in zip(smoothing["year"], smoothing["share"])
                       if not (_is_nan(y) or _is_nan(s))}
        # « Plafonné » only: the guarantees and the reste à converger.
        self.policy = PolicyBlocks(results) if results.capped else None
        self.reference: ReferenceBlocks | None = None      # set when compared with one
        self.decision = DecisionBlocks(scenario, results)    # waterfall, outliers, tornado

    # -- title page ------------------------------------------------------------------
    def title_section(self, title: str, subtitle: str, source_name: str,
                      created: date, unsaved: bool = False) -> Section:
        p = self.scenario.parameters
        r = self.results
        scope = self.crra if self.region is None else self.crra[self.crra["region"] == self.region]
        n_est = len(set(scope["finess"]))
        if self.region is None:
            perimeter = (f"{plural(len(r.region_names), 'région')}, "
                         f"{plural(len(scope), 'CRRA', 'CRRA')}, "
                         f"{plural(n_est, 'établissement')}")
        else:
            perimeter = (f"Région {self.region} : {plural(len(scope), 'CRRA', 'CRRA')}, "
                         f"{plural(n_est, 'établissement')}")
            if len(r.region_names) > 1:
                perimeter += f" (le scénario compte {plural(len(r.region_names), 'région')})"
        years = self.years
        info = [
            ("Fichier du scénario", source_name),
            ("Date du rapport", long_date(created)),
            ("Périmètre", perimeter),
            ("Année historique", str(self.historic_year)),
        ]
        if years:
            info.append(("Lissage", f"de {years[0]} à {years[-1]} "
                                    f"({plural(len(years), 'année')})"))
        if self.policy is not None:
            info.append(("Politique de transition", policy_sentence(p)))
        if self.reference is not None:
            info.append(self.reference.title_fact())
        blocks: list = [Title("MIG SAMU (Q01) · Répartition entre les CRRA", title, subtitle),
                        KeyValues(info)]
        if unsaved:
            where = ("ne sont pas encore enregistrées dans un fichier"
                     if source_name == NO_FILE else f"ne sont pas enregistrées dans « {source_name} »")
            blocks.append(Notice(UNSAVED[0].upper() + UNSAVED[1:],
                                 "Ce rapport montre le scénario tel qu'il est dans la fenêtre : "
                                 f"ses dernières modifications {where}. Enregistrez le scénario "
                                 "pour que le fichier et le rapport concordent."))
        if p.note.strip():
            blocks.append(Notice("Note du scénario", p.note.strip()))
        blocks.append(self._parameters_table())
        formula = ("Montant modélisé d'un CRRA : (ETP ARM × coût d'un ETP d'ARM + ETP MR × coût "
                   "d'un ETP de médecin régulateur + ETP d'encadrement × coût d'un ETP "
                   "d'encadrement + frais fixes + frais par DRM × DRM) × (1 + coefficient "
                   "géographique) × facteur de calage. Effet revenu : montant modélisé moins "
                   f"dotation historique {self.historic_year}, appliqué chaque année selon la part "
                   "cumulée du lissage.")
        if self.policy is None:
            blocks.append(Columns([self._bands_table(), self._smoothing_table()]))
            blocks.append(Paragraph(formula, "small"))
        else:
            # The policy's rows fill the page: the formula goes under the short smoothing
            # table, beside the référentiel, so that the title page stays one page.
            smoothing = self._smoothing_table()
            smoothing.note = formula
            blocks.append(Columns([self._bands_table(), smoothing]))
        return Section("titre", "Page de titre et paramètres", "Page de titre", blocks,
                       in_contents=False)

    def contents_section(self) -> Section:
        return Section("sommaire", "Sommaire", "Sommaire", [Heading("Sommaire", 1), Contents()],
                       in_contents=False)

    def _parameters_table(self) -> Table:
        p = self.scenario.parameters
        defaulted = set(self.scenario.defaulted_parameters)
        rows = []
        for spec in schema.PARAMETERS:
            if spec.key in ("titre", "note", "signataire"):
                continue
            if spec.key in POLICY_KEYS and self.policy is None:
                continue            # « Linéaire »: the report says nothing of the policy
            value = getattr(p, spec.key)
            if spec.key in POLICY_KEYS:
                text = parameter_text(p, spec.key)
            elif spec.key == "enveloppe_cible":
                if p.calage != "Montant cible":
                    text = "sans objet (calage « " + p.calage + " »)" if value is None \
                        else f"{_euros(value)} (non utilisée)"
                else:
                    text = _euros(value)
            elif spec.key == "calage":
                text = str(value)
            elif spec.key == "annee_historique":
                text = str(int(value))
            elif spec.unit == "€":
                text = _euros(value)
            elif spec.unit == "€/DRM":
                text = f"{format_euros(float(value), 2)} par DRM"
            elif spec.unit == "ETP":
                text = f"{_number(value)} ETP"
            else:
                text = _number(value) if isinstance(value, (int, float)) else str(value)
            if spec.key in defaulted:
                text += " (valeur par défaut)"
            rows.append([spec.label, text])
        k = self.results.calibration_factor
        rows.append(["Facteur de calage national (résultat)",
                     DASH if _is_nan(k) else format_number(k, 6)])
        return Table([Column("Paramètre", wrap=True), Column("Valeur", RIGHT)], rows,
                     title="Paramètres nationaux", id="parametres", font_size=8.0,
                     keep_together=True)

    def _bands_table(self) -> Table:
        bands = self.scenario.bands
        band_index = self.results.crra_arrays["band_index"]
        if self.region is not None:
            band_index = band_index[self.results.crra_arrays["region"] == self.region]
        counts = np.bincount(band_index.astype(int), minlength=len(bands)) if len(bands) else []
        rows = []
        for i, (lo, arm, mr, label) in enumerate(zip(bands["drm_min"], bands["etp_arm"],
                                                     bands["etp_mr"], bands["label"])):
            name = label if isinstance(label, str) and label.strip() else f"T{i + 1}"
            rows.append([name, format_number(float(lo)), _number(arm), _number(mr),
                         format_number(float(counts[i]))])
        return Table([Column("Tranche"), Column("DRM minimum", RIGHT), Column("ETP ARM", RIGHT),
                      Column("ETP MR", RIGHT), Column("Nombre de CRRA", RIGHT)], rows,
                     title="Référentiel de moyens", id="referentiel", font_size=8.0,
                     keep_together=True,
                     note="Nombre de CRRA : ceux " + ("du scénario" if self.region is None
                                                      else "de la région") + " dans la tranche.")

    def _smoothing_table(self) -> Table:
        rows = [[str(y), _share(s)] for y, s in self.shares.items()]
        return Table([Column("Année"), Column("Part cumulée de l'effet revenu", RIGHT, wrap=True)],
                     rows, title="Lissage", id="lissage", font_size=8.0, keep_together=True)

    # -- national summary ------------------------------------------------------------
    @staticmethod
    def _count_column() -> Column:
        return result_column("n_crra", schema.result_column("n_crra").short_header)

    def _amount_columns(self, first: list[Column]) -> list[Column]:
        hy = self.historic_year
        cols = list(first)
        cols.append(result_column("historic", f"{schema.result_header('historic')} {hy}",
                                  wrap=True, group=1))
        cols += [result_column(k, wrap=True, group=1)
                 for k in ("modelled", "revenue_effect", "revenue_effect_pct")]
        cols += [result_column(alloc_key(y), wrap=True, group=2) for y in self.years]
        return cols

    def _amount_cells(self, row) -> list[str]:
        cells = [_euros(row["historic"]), _euros(row["modelled"]), _signed(row["revenue_effect"]),
                 _pct(row["revenue_effect_pct"])]
        cells += [_euros(row[alloc_key(y)]) for y in self.years]
        return cells

    def national_section(self) -> Section:
        r = self.results
        nat = r.national
        hy = self.historic_year
        regions = self.regions.copy()
        regions = regions.iloc[sorted(range(len(regions)),
                                      key=lambda i: order_key(regions["region"].iat[i]))]
        effects = regions["revenue_effect"].to_numpy(dtype=float)
        up, down = effects > 0.5, effects < -0.5
        crra_effects = self.crra["revenue_effect"].to_numpy(dtype=float)
        calage = self.scenario.parameters.calage
        k = r.calibration_factor
        facts = [
            (f"Dotations historiques {hy}", _euros(nat["historic"])),
            ("Montant modélisé", _euros(nat["modelled"])),
            ("Effet revenu national", f"{_signed(nat['revenue_effect'])} "
                                      f"({_pct(nat['revenue_effect_pct'])})"),
            ("Calage", f"{calage} (facteur {DASH if _is_nan(k) else format_number(k, 6)})"),
            ("Régions en hausse", f"{int(up.sum())} ({_signed(effects[up].sum())})"),
            ("Régions en baisse", f"{int(down.sum())} ({_signed(effects[down].sum())})"),
            ("CRRA en hausse", str(int((crra_effects > 0.5).sum()))),
            ("CRRA en baisse", str(int((crra_effects < -0.5).sum()))),
        ]
        for y in self.years:
            facts.append((f"Dotations {y}", _euros(nat[alloc_key(y)])))
        if self.policy is not None:
            facts += self.policy.national_facts()
        rows = []
        for _, row in regions.iterrows():
            rows.append([str(row["region"]), format_number(float(row["n_crra"]))]
                        + self._amount_cells(row))
        total = ["Total national", format_number(nat["n_crra"])] + self._amount_cells(nat)
        columns = self._amount_columns([result_column("region", repeat=True, wrap=True),
                                        self._count_column()])
        table = Table(columns, rows, title="Dotations par région", totals=[total],
                      id="regions", group_titles=dict(AMOUNT_GROUPS), splits=[[[1], [2]]],
                      note="Effet revenu : montant modélisé moins dotation historique ; "
                           "en %, rapporté à la dotation historique. Les dotations de chaque "
                           "année appliquent la part cumulée du lissage"
                           + (" et les enveloppes notifiées." if r.notified else "."))
        blocks: list = [Heading("Synthèse nationale", 1),
                        Paragraph(self._national_lead(), "lead"),
                        KeyValues(facts, title="Chiffres clés", columns=2),
                        table]
        if self.policy is not None:
            blocks.append(self.policy.financing_table())
            units = self.policy.units_table(None)
            if units is not None:
                blocks.append(units)
        if r.notified:
            blocks.append(self._notified_table(None))
            blocks += self._envelope_raise_notices()
        # The smoothing under the yearly allocations; the 26 regions' bars on a page.
        blocks.append(Chart("smoothing", CHART_WIDTH_MM, SMOOTHING_HEIGHT_MM,
                            "Lissage de l'effet revenu – France entière", level="national",
                            historic_year=hy))
        # Bars as thick whatever the number of regions: a full page for the 26 ARS.
        height = min(COMPARISON_HEIGHT_MM, max(70.0, 45.0 + 7.0 * len(regions)))
        blocks.append(Chart("comparison", CHART_WIDTH_MM, height,
                            "Dotation historique et montant modélisé par région",
                            historic_year=hy))
        blocks += self.decision.national_blocks()
        return Section("national", "Synthèse nationale", "Synthèse nationale", blocks)

    def _national_lead(self) -> str:
        r = self.results
        nat = r.national
        calage = self.scenario.parameters.calage
        text = (f"{plural(len(r.region_names), 'région')} et "
                f"{plural(int(nat['n_crra']), 'CRRA', 'CRRA')}. ")
        if calage == "Enveloppe historique":
            text += ("Le calage « Enveloppe historique » ramène le total modélisé à la somme "
                     f"des dotations historiques {self.historic_year} : la péréquation est à "
                     "budget constant, les régions en hausse gagnent ce que perdent les autres.")
        elif calage == "Montant cible":
            text += ("Le calage « Montant cible » ramène le total modélisé à l'enveloppe "
                     f"nationale cible de {_euros(self.scenario.parameters.enveloppe_cible)}.")
        else:
            text += "Sans calage : les montants modélisés sont les montants bruts du référentiel."
        return text

    def _envelope_raise_notices(self) -> list:
        return [Notice(f"Avertissement – enveloppes {year}", text[0].upper() + text[1:])
                for year, text in envelope_raises(self.results).items()]

    def _notified_table(self, region: str | None) -> Table:
        r = self.results
        rows = []
        for (name, year), amount in sorted(r.notified.items(),
                                           key=lambda item: (order_key(item[0][0]), item[0][1])):
            if region is not None and name != region:
                continue
            smoothed = r.linear_regions(int(year))[name]     # the region's step 9, summed
            row = [str(year), _euros(amount), _euros(smoothed), _signed(amount - smoothed)]
            rows.append(([name] if region is None else []) + row)
        columns = [Column("Année"), Column("Enveloppe notifiée", RIGHT, wrap=True),
                   Column("Dotations lissées avant notification", RIGHT, wrap=True),
                   Column("Écart", RIGHT, signed=True)]
        if region is None:
            columns.insert(0, Column("Région", repeat=True, wrap=True))
        return Table(columns, rows, title="Enveloppes régionales notifiées",
                     id="enveloppes" if region is None else f"enveloppes:{region}",
                     note="L'enveloppe notifiée d'une année est répartie entre les CRRA de la "
                          "région au prorata de leurs dotations lissées de cette année.",
                     keep_together=True)

    # -- one region ---------------------------------------------------------------------
    def region_section(self, region: str, detailed: bool = False) -> Section:
        """The section of one region; ``detailed`` (a regional report) adds the chart of
        its CRRA's smoothing paths, too long for the 26 sections of a national report."""
        r = self.results
        hy = self.historic_year
        crra = self.crra[self.crra["region"] == region]
        est = self.establishments[self.establishments["region"] == region]
        reg = self.regions[self.regions["region"] == region].iloc[0]
        blocks: list = [Heading(f"Région {region}", 1),
                        Paragraph(self._region_lead(region, reg, crra, est), "lead"),
                        # The picture first: where the region goes, year by year.
                        Chart("smoothing", CHART_WIDTH_MM, SMOOTHING_HEIGHT_MM,
                              f"Lissage de l'effet revenu – Région {region}", level="region",
                              key=region, historic_year=hy)]

        # CRRA: activity, staff and costs, then money.
        # Result rows are in the order of the scenario's rows: the overrides align.
        positions = crra.index.to_numpy()
        arm_over = self.scenario.crra["etp_arm_override"].to_numpy(dtype=float)[positions]
        mr_over = self.scenario.crra["etp_mr_override"].to_numpy(dtype=float)[positions]
        rows, overridden = [], False
        for i, (_, row) in enumerate(crra.iterrows()):
            cid = str(row["crra_id"])
            arm, mr = _number(row["etp_arm"]), _number(row["etp_mr"])
            if not math.isnan(arm_over[i]):
                arm += "*"
                overridden = True
            if not math.isnan(mr_over[i]):
                mr += "*"
                overridden = True
            label = str(row["label"]).strip()
            rows.append([cid, label, format_number(float(row["drm"])), str(row["tranche"]),
                         arm, mr, _number(row["etp_sup"]), _euros(row["staff_cost"]),
                         _euros(row["operating_cost"]), _geo(row["geo_coef"]),
                         _euros(row["modelled"])]
                        + [_euros(row["historic"]), _signed(row["revenue_effect"]),
                           _pct(row["revenue_effect_pct"])]
                        + [_euros(row[alloc_key(y)]) for y in self.years])
        sums = crra[["drm", "staff_cost", "operating_cost", "modelled", "historic",
                     "revenue_effect"]].sum()
        total = ["Total", "", format_number(float(sums["drm"])), "",
                 _number(crra["etp_arm"].sum()), _number(crra["etp_mr"].sum()),
                 _number(crra["etp_sup"].sum()), _euros(sums["staff_cost"]),
                 _euros(sums["operating_cost"]), "", _euros(sums["modelled"]),
                 _euros(sums["historic"]), _signed(sums["revenue_effect"]),
                 _pct(reg["revenue_effect_pct"])] + [_euros(reg[alloc_key(y)]) for y in self.years]
        columns = [Column("CRRA", repeat=True), result_column("label", repeat=True, wrap=True),
                   result_column("drm", group=1), result_column("tranche", align=CENTER, group=1)]
        columns += [result_column(k, wrap=True, group=1) for k in ("etp_arm", "etp_mr", "etp_sup")]
        columns += [result_column(k, wrap=True, group=2)
                    for k in ("staff_cost", "operating_cost", "geo_coef", "modelled")]
        columns.append(result_column("historic", f"{schema.result_header('historic')} {hy}",
                                     wrap=True, group=3))
        columns += [result_column(k, wrap=True, group=3) for k in ("revenue_effect",
                                                                    "revenue_effect_pct")]
        columns += [result_column(alloc_key(y), wrap=True, group=4) for y in self.years]
        note = ("Tranche du référentiel selon les DRM ; montant modélisé après coefficient "
                "géographique et calage national.")
        if overridden:
            note += " * Effectif retenu par l'ARS à la place de celui du référentiel."
        blocks.append(Table(columns, rows, title="CRRA de la région", totals=[total], note=note,
                            id=f"crra:{region}", group_titles={
                                1: "activité et effectifs", 2: "coûts et montant modélisé",
                                3: "effet revenu", 4: "dotations du lissage"},
                            splits=[[[1, 2], [3, 4]], [[1], [2], [3, 4]]]))

        # Hospitals.
        est = est.iloc[sorted(range(len(est)), key=lambda i: (str(est["establishment"].iat[i]).casefold(),
                                                              str(est["finess"].iat[i])))]
        rows = []
        for _, row in est.iterrows():
            rows.append([str(row["finess"]), str(row["establishment"]).strip() or DASH,
                         format_number(float(row["n_crra"]))] + self._amount_cells(row))
        total = ["Total", "", format_number(float(reg["n_crra"]))] + self._amount_cells(reg)
        columns = self._amount_columns([result_column("finess", repeat=True),
                                        result_column("establishment", repeat=True, wrap=True),
                                        self._count_column()])
        blocks.append(Table(columns, rows, title="Établissements sièges de CRRA",
                            totals=[total], id=f"etablissements:{region}",
                            group_titles=dict(AMOUNT_GROUPS), splits=[[[1], [2]]],
                            note="Un établissement reçoit la somme des dotations de ses CRRA."))
        if self.policy is not None:
            units = self.policy.units_table(region)
            if units is not None:
                blocks.append(units)
        if any(name == region for name, _ in r.notified):
            blocks.append(self._notified_table(region))
            if detailed:        # a regional report has no national section to say it
                blocks += self._envelope_raise_notices()
        blocks += self.decision.region_blocks(region)
        if detailed and len(crra) > 1:
            blocks.append(Chart("region_crra", CHART_WIDTH_MM, REGION_CRRA_HEIGHT_MM,
                                f"Lissage par CRRA – Région {region}", level="region",
                                key=region, historic_year=hy))
        return Section(f"region:{region}", f"Région {region}", f"Région {region}", blocks,
                       region=region)

    def _region_lead(self, region, reg, crra, est) -> str:
        hy = self.historic_year
        effect = float(reg["revenue_effect"])
        text = (f"{plural(len(crra), 'CRRA', 'CRRA')}, {plural(len(est), 'établissement')}. "
                f"Dotation historique {hy} : {_euros(reg['historic'])} ; montant modélisé : "
                f"{_euros(reg['modelled'])} ; effet revenu : {_signed(effect)}")
        if not _is_nan(reg["revenue_effect_pct"]):
            text += f" ({_pct(reg['revenue_effect_pct'])})"
        if self.shares and abs(effect) >= 0.5:
            steps = [f"{_share(s)} en {y}" for y, s in self.shares.items()]
            text += f", appliqué à {_join_fr(steps)}"
        text += "."
        notified = sorted((y, a) for (name, y), a in self.results.notified.items() if name == region)
        if notified:
            text += " Enveloppe notifiée : " + _join_fr(
                [f"{_euros(a)} en {y}" for y, a in notified]) + "."
        if self.policy is not None:
            text += " " + self.policy.region_sentence(region)
        return text


def _geo(value) -> str:
    if _is_nan(value):
        return ""
    return _share(float(value))
