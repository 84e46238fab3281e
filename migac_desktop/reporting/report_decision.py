"""The report's decision aids, without Qt: where a region's amount comes from, its
atypical CRRA, and which national parameter moves the figures the most.

Each regional section gets the waterfall of the region's modelled amount (chart and
parts table, the parts summing to the amount: core/waterfall.py) and the list of its
CRRA far from the national distribution (core/outliers.py, k = 1,5) with the national
median. The national section lists every atypical CRRA and shows the sensitivity of
the national effet revenu (core/sensitivity.py); when the calibration holds the national
total, it says so and shows instead the effet revenu of the region with the largest
historic amount, the one whose figure the parameters move most in euros.
"""

from __future__ import annotations

from ..core.french import order_key
from ..core.model import Results
from ..core.outliers import DEFAULT_K, HIGH, NORMAL, outliers
from ..core.scenario import Scenario
from ..core.sensitivity import DEFAULT_VARIATION, input_text, sweep
from ..core.waterfall import waterfall
from .figures import Chart
from .report_model import DASH, LEFT, RIGHT, Column, Columns, Heading, Paragraph, Table, _euros, _signed
from .tornado_chart import delta_text, value_text

CHART_WIDTH_MM = 180.0
GAP_MM = 6.0
WATERFALL_WIDTH_MM = (CHART_WIDTH_MM - GAP_MM) / 2
WATERFALL_HEIGHT_MM = 62.0
TORNADO_HEIGHT_MM = 105.0


def _k_text(k: float) -> str:
    return f"{k:g}".replace(".", ",")



class DecisionBlocks:
    """The blocks of the decision aids for one computed scenario (built once per report)."""

    def __init__(self, scenario: Scenario, results: Results, k: float = DEFAULT_K,
                 variation: float = DEFAULT_VARIATION):
        self.scenario, self.results, self.k, self.variation = scenario, results, k, variation
        self.outliers = outliers(results, k)
        self.historic_year = int(scenario.parameters.annee_historique)
        self._sweep = None

    # -- waterfall ------------------------------------------------------------------
    def waterfall_blocks(self, level: str, key) -> list:
        w = waterfall(self.results, self.scenario.parameters, level, key)
        rows = [[p.label, _signed(p.amount), _euros(p.end)] for p in w.parts]
        totals = [["Montant modélisé", _euros(w.modelled), ""],
                  [f"Dotation historique {self.historic_year}", _euros(w.historic), ""],
                  ["Effet revenu (modélisé − historique)", _signed(w.revenue_effect), ""]]
        columns = [Column("Part du montant modélisé", LEFT, wrap=True),
                   Column("Montant", RIGHT, signed=True), Column("Cumul", RIGHT)]
        name = f"Région {key}" if level == "region" else "France entière"
        # Side by side: the chart and its figures on half a page.
        return [Heading("D'où vient le montant modélisé", 2),
                Columns([Table(columns, rows, title="Parts du montant modélisé", totals=totals,
                               id=f"cascade:{key}" if level == "region" else "cascade",
                               keep_together=True,
                               note="Personnel, encadrement et frais de fonctionnement du "
                                    "référentiel, puis la majoration du coefficient géographique "
                                    "et le calage national : leur somme est le montant modélisé."),
                         Chart("waterfall", WATERFALL_WIDTH_MM, WATERFALL_HEIGHT_MM,
                               f"D'où vient le montant modélisé – {name}", level=level, key=w,
                               historic_year=self.historic_year)],
                        gap_mm=GAP_MM)]

    # -- outliers -------------------------------------------------------------------------
    def outlier_rows(self, region: str | None) -> list[list[str]]:
        a = self.results.crra_arrays
        rows = []
        for position, ident, _reasons in self.outliers.rows():
            if region is not None and a["region"][position] != region:
                continue
            for d in self.outliers.metrics.values():
                flag = int(d.flags[position])
                if flag == NORMAL:
                    continue
                way = "élevé" if flag == HIGH else "faible"
                fence = d.high_fence if flag == HIGH else d.low_fence
                row = [ident, str(a["label"][position]).strip() or DASH, f"{d.label} {way}",
                       d.format(float(d.values[position])), d.format(fence), d.format(d.median)]
                if region is None:
                    row.insert(2, str(a["region"][position]))
                rows.append(row)
        if region is None:
            rows.sort(key=lambda r: (order_key(r[2]), r[0]))
        return rows

    def outlier_blocks(self, region: str | None) -> list:
        rows = self.outlier_rows(region)
        k = _k_text(self.k)
        where = "de la région" if region is not None else ""
        heading = Heading("CRRA atypiques", 2)
        rule = (f"coût par DRM ou DRM par ETP ARM hors de [Q1 − {k} × EIQ ; Q3 + {k} × EIQ] de "
                "la distribution nationale (EIQ : écart interquartile)")
        if not rows:
            return [heading, Paragraph(f"Aucun CRRA {where or 'du scénario'} n'est atypique : "
                                       f"{rule}.".replace("  ", " "))]
        columns = [Column("CRRA", repeat=True), Column("Libellé", wrap=True)]
        if region is None:
            columns.append(Column("Région", wrap=True))
        columns += [Column("Indicateur", wrap=True), Column("Valeur", RIGHT),
                    Column("Borne", RIGHT), Column("Médiane nationale", RIGHT, wrap=True)]
        return [heading, Table(columns, rows, title="",
                               id=f"atypiques:{region}" if region else "atypiques",
                               note=f"Atypique : {rule}. Un CRRA atypique n'est pas une erreur : "
                                    "c'est celui dont les données se vérifient en premier.")]

    # -- sensitivity ------------------------------------------------------------------------
    def sweep(self):
        if self._sweep is None:
            self._sweep = sweep(self.scenario, self.variation, base=self.results)
        return self._sweep

    def tornado_blocks(self) -> list:
        s = self.sweep()
        tornado = s.tornado("revenue_effect", "national")
        blocks: list = [Heading("Sensibilité aux paramètres nationaux", 2)]
        pct = f"{_k_text(round(self.variation * 100, 6))} %"
        if tornado.flat:
            regions = self.results.regions
            largest = str(regions.sort_values("historic", ascending=False, kind="stable")
                          ["region"].iat[0])
            calage = self.scenario.parameters.calage
            blocks.append(Paragraph(
                f"Sous le calage « {calage} », le total national modélisé ne dépend pas des "
                "paramètres nationaux : aucun ne fait varier l'effet revenu national. Ils "
                "déplacent en revanche l'argent entre régions ; ci-dessous, l'effet revenu de "
                f"la région la plus dotée, {largest}, chaque paramètre diminué puis augmenté "
                f"de {pct}."))
            tornado = s.tornado("revenue_effect", "region", largest)
        if tornado.flat:
            blocks.append(Paragraph(tornado.note or ""))
            return blocks
        blocks.append(Chart("tornado", CHART_WIDTH_MM, TORNADO_HEIGHT_MM,
                            f"Sensibilité – effet revenu de {tornado.unit_label}",
                            level=tornado.level, key=tornado, historic_year=self.historic_year))
        rows = [[b.label, input_text(b.parameter, b.low_input), input_text(b.parameter, b.high_input),
                 DASH if b.low is None else delta_text(tornado.output, b.low_delta),
                 DASH if b.high is None else delta_text(tornado.output, b.high_delta)]
                for b in tornado.bars]
        columns = [Column("Paramètre", wrap=True), Column(f"Valeur basse (−{pct})", RIGHT, wrap=True),
                   Column(f"Valeur haute (+{pct})", RIGHT, wrap=True),
                   Column("Écart bas", RIGHT, signed=True), Column("Écart haut", RIGHT, signed=True)]
        blocks.append(Table(columns, rows, title="Effet de chaque paramètre", keep_together=True,
                            id="sensibilite",
                            note=f"Résultat du scénario : {value_text(tornado.output, tornado.base)}. "
                                 "Écarts au résultat du scénario, le paramètre à sa valeur "
                                 "basse puis haute, les autres inchangés ; les ETP du "
                                 "référentiel varient ensemble, toutes les tranches."))
        return blocks

    # -- sections ---------------------------------------------------------------------------
    def region_blocks(self, region: str) -> list:
        return self.waterfall_blocks("region", region) + self.outlier_blocks(region)

    def national_blocks(self) -> list:
        return self.outlier_blocks(None) + self.tornado_blocks()
