"""The explanation panel: one CRRA's amount, step by step, as MODEL.md computes it."""

from __future__ import annotations

import html
import math

from PySide6.QtWidgets import QTextBrowser

from ..core.french import fewest_decimals
from ..core.numbers import format_euros, format_number, format_percent, format_signed_euros, format_signed_percent
from .document import Document
from .explain_policy import policy_rows
from .palette_colours import colour, focus_frame

NO_SELECTION = "Sélectionnez un CRRA pour voir le détail de son calcul."


class ExplainPanel(QTextBrowser):
    """The chain of MODEL.md with one CRRA's numbers, to justify an amount."""

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("explainPanel")
        self.setAccessibleName("Détail du calcul du CRRA sélectionné")
        self.setStyleSheet(focus_frame("QTextBrowser"))
        self.setAccessibleDescription("Le montant du CRRA étape par étape, de sa tranche à sa "
                                      "dotation ; les flèches font défiler le texte")
        self.document = document
        self.crra_id: str | None = None
        self.setOpenExternalLinks(False)
        document.recomputed.connect(self.refresh)
        document.reset.connect(self.refresh)
        self.refresh()

    def show_crra(self, crra_id: str | None) -> None:
        if crra_id == self.crra_id:
            return                      # selection moved within the same row
        self.crra_id = crra_id
        self.refresh()

    def refresh(self) -> None:
        self.setHtml(self.explanation())

    def explanation(self) -> str:
        results = self.document.results
        if self.crra_id is None:
            return f"<p>{NO_SELECTION}</p>"
        if results is None:
            return ("<p>Le calcul est indisponible : corrigez d'abord les erreurs listées dans "
                    "le panneau « Problèmes ».</p>")
        arrays = results.crra_arrays
        matches = [i for i, v in enumerate(arrays["crra_id"]) if v == self.crra_id]
        if not matches:
            return f"<p>Le CRRA « {html.escape(str(self.crra_id))} » n'existe plus.</p>"
        i = matches[0]
        p = self.document.scenario.parameters
        crra = self.document.scenario.crra
        over_arm = crra["etp_arm_override"].iat[i]
        over_mr = crra["etp_mr_override"].iat[i]
        bands = self.document.scenario.bands
        band = int(arrays["band_index"][i])
        e = html.escape
        grey = colour("formula_text")

        def row(label, formula, value, strong=False):
            value = f"<b>{value}</b>" if strong else value
            return (f"<tr><td>{label}<br><span style='color:{grey}; font-size:small'>{formula}"
                    f"</span></td><td align='right' style='white-space:nowrap'>{value}</td></tr>")

        arm_src = ("retenu par l'ARS" if not math.isnan(over_arm) else "du référentiel")
        mr_src = ("retenu par l'ARS" if not math.isnan(over_mr) else "du référentiel")
        rows = [
            row("1. Tranche", f"{format_number(arrays['drm'][i])} DRM ≥ "
                              f"{format_number(bands['drm_min'].iat[band])}", e(str(arrays['tranche'][i]))),
            row("2. ETP ARM", arm_src, fewest_decimals(arrays["etp_arm"][i])),
            row("&nbsp;&nbsp;&nbsp;ETP MR", mr_src, fewest_decimals(arrays["etp_mr"][i])),
            row("&nbsp;&nbsp;&nbsp;ETP encadrement", "par CRRA",
                fewest_decimals(arrays["etp_sup"][i])),
            row("3. Coût du personnel",
                f"ARM × {format_euros(p.cout_etp_arm)} + MR × {format_euros(p.cout_etp_mr)} + "
                f"encadrement × {format_euros(p.cout_etp_encadrement)}", format_euros(arrays["staff_cost"][i])),
            row("4. Frais de fonctionnement",
                f"{format_euros(p.frais_fixes_crra)} + {format_number(p.frais_par_drm, 2)} € × DRM",
                format_euros(arrays["operating_cost"][i])),
            row("5. Coût de base", "personnel + fonctionnement", format_euros(arrays["base_cost"][i])),
            row("6. Montant brut", f"coût de base × (1 + {format_percent(arrays['geo_coef'][i])})",
                format_euros(arrays["raw_amount"][i])),
            row("7. Montant modélisé", f"brut × facteur de calage {format_number(results.calibration_factor, 9)} "
                                       f"({e(p.calage)})", format_euros(arrays["modelled"][i]), True),
            row("&nbsp;&nbsp;&nbsp;Dotation historique", f"année {p.annee_historique}",
                format_euros(arrays["historic"][i])),
            row("8. Effet revenu", "modélisé − historique",
                f"{format_signed_euros(arrays['revenue_effect'][i])} "
                f"({format_signed_percent(arrays['revenue_effect_pct'][i]) or 'non défini'})", True),
        ]
        # Steps 9 and 10 of MODEL.md: one line per smoothing year under each number.
        region = arrays["region"][i]
        shares = list(self.document.scenario.smoothing["share"])
        notified = [y for y in results.years if (region, y) in results.notified]
        rows.append(row("9. Dotation par année de lissage",
                        "historique + part cumulée × effet revenu", ""))
        linear_by_year = {}
        for n, (year, share) in enumerate(zip(results.years, shares)):
            linear = arrays["historic"][i] + share * arrays["revenue_effect"][i]
            linear_by_year[year] = float(linear)
            # Under « Plafonné » step 9 is the linear allocation only; the policy follows.
            final = year not in notified and not results.capped
            rows.append(row(f"&nbsp;&nbsp;&nbsp;9{_letter(n)}. Dotation {year}"
                            + (" (linéaire)" if results.capped else ""),
                            f"historique + {format_percent(share)} × effet revenu",
                            format_euros(arrays[f'alloc_{year}'][i] if final else linear), final))
        if results.capped:
            rows += policy_rows(results, p, i, linear_by_year, notified, row, _letter)
        if notified:
            rows.append(row("10. Enveloppes notifiées",
                            f"les dotations des CRRA de {e(region)} ramenées à l'enveloppe, "
                            "au prorata", ""))
            for n, year in enumerate(notified):
                rows.append(row(f"&nbsp;&nbsp;&nbsp;10{_letter(n)}. Dotation {year} notifiée",
                                f"enveloppe notifiée à la région : "
                                f"{format_euros(results.notified[(region, year)])}",
                                format_euros(arrays[f'alloc_{year}'][i]), True))
        if results.capped and results.years:
            rows.append(row("Reste à converger", f"montant modélisé − dotation {results.years[-1]}",
                            format_signed_euros(arrays["remaining_gap"][i]), True))
        title = e(f"{arrays['crra_id'][i]} – {arrays['label'][i]}") if arrays["label"][i] else e(arrays["crra_id"][i])
        where = e(f"{region} · FINESS {arrays['finess'][i]} {arrays['establishment'][i]}")
        return (f"<h3>{title}</h3><p>{where}</p>"
                "<table cellspacing='0' cellpadding='3' width='100%'>"
                "<tr><th align='left'>Étape et calcul</th><th align='right'>Valeur</th></tr>"
                + "".join(rows) + "</table>")


def _letter(n: int) -> str:
    """a, b, … z, then aa, ab…: sub-steps of one numbered step."""
    text = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        text = chr(ord("a") + r) + text
    return text
