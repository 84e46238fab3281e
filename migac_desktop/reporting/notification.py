"""The notification of one hospital (FINESS), without Qt: what it receives and why.

An ARS ends its work on the MIG SAMU by telling each hospital its allocation for each
smoothing year and the detail behind it (the contracting guide asks for a justified
amount per hospital). :func:`build_notifications` turns a computed scenario into one
:class:`NotificationReport` per hospital, made of the report's blocks
(:mod:`.report_model`), so that the printing package lays them out with the report's
page layout and French number format. What every notification shares (the national
parameters, the policy's sentence) is built once in a :class:`NotificationContext`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import schema
from ..core.french import long_date, plural
from ..core.model import Results, alloc_key
from ..core.numbers import format_number
from ..core.scenario import Scenario
from .report_model import (
    DASH,
    RIGHT,
    UNSAVED,
    Column,
    Columns,
    Heading,
    KeyValues,
    Notice,
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
)
from .report_policy import _years_text, policy_sentence

KICKER = "MIG SAMU (Q01) · Notification de la dotation"
NO_FILE = "scénario non enregistré"
# The national parameters of the model whose default values are illustrative (MODEL.md).
MODEL_KEYS = ("cout_etp_arm", "cout_etp_mr", "cout_etp_encadrement", "etp_encadrement_par_crra",
              "frais_fixes_crra", "frais_par_drm")


@dataclass
class Signature:
    """The signatory, at the foot of the notification (right half of the page)."""

    place_date: str
    signatory: str


@dataclass
class NotificationReport(Report):
    """One hospital's notification; its footer says « notification » rather than
    « rapport »."""

    finess: str = ""
    establishment: str = ""

    @property
    def header_text(self) -> str:
        return f"Notification MIG SAMU · {self.title}" if self.title else "Notification MIG SAMU"

    @property
    def footer_text(self) -> str:
        text = f"MIGAC Desktop · {self.source} · notification du {long_date(self.created)}"
        return text + (f" · {UNSAVED}" if self.unsaved else "")

    def text(self) -> str:
        lines = [super().text()]
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Signature):
                    lines += [block.place_date, block.signatory]
        return "\n".join(line for line in lines if line)


def ars_name(region: str) -> str:
    """« ARS Bretagne »: the agency of a region."""
    return f"ARS {region}"


def notified_establishments(results: Results, region: str | None = None) -> pd.DataFrame:
    """The hospitals notified, in the order of ``establishments.csv``: every one, or
    those of ``region``. Raises ``ValueError`` for a region with no CRRA."""
    est = results.establishments
    if region is None:
        return est
    if region not in {str(r) for r in results.region_names}:
        raise ValueError(f"la région « {region} » n'a aucun CRRA dans le scénario")
    return est[est["region"].astype(str) == region]


class NotificationContext:
    """What the notifications of one scenario share, built once for all hospitals."""

    def __init__(self, scenario: Scenario, results: Results, *, source: str | Path | None = None,
                 created: date | None = None, unsaved: bool = False):
        from .report import _Builder

        self.scenario = scenario
        self.results = results
        self.created = created or date.today()
        self.source_name = Path(source).name if source else NO_FILE
        self.unsaved = unsaved
        p = scenario.parameters
        self.title = p.titre.strip()
        self.signatory = p.signataire.strip()
        self.years = list(results.years)
        self.historic_year = int(p.annee_historique)
        smoothing = scenario.smoothing
        self.shares = {int(y): float(s) for y, s in zip(smoothing["year"], smoothing["share"])
                       if not (_is_nan(y) or _is_nan(s))}
        builder = _Builder(scenario, results, None)
        self.parameters = _parameters_table(builder._parameters_table())
        self.policy_text = policy_sentence(p) + "." if results.capped else ""
        self.defaults_notice = _defaults_notice(scenario)
        # Per CRRA, the référentiel's staff of its band (before the ARS's overrides).
        a = results.crra_arrays
        band = a["band_index"].astype(int)
        self.band_arm = scenario.bands["etp_arm"].to_numpy(dtype=float)[band]
        self.band_mr = scenario.bands["etp_mr"].to_numpy(dtype=float)[band]
        self.arm_over = scenario.crra["etp_arm_override"].to_numpy(dtype=float)
        self.mr_over = scenario.crra["etp_mr_override"].to_numpy(dtype=float)
        self.departement = scenario.crra["departement"].to_numpy(dtype=object)
        # Each hospital's CRRA positions, in the scenario's order.
        order = np.argsort(results.finess_codes, kind="stable")
        bounds = np.searchsorted(results.finess_codes[order], np.arange(len(results.finess_names) + 1))
        self._crra_of = {str(results.finess_names[i]): order[bounds[i]:bounds[i + 1]]
                         for i in range(len(results.finess_names))}
        t = results.transition
        self.level_key = t.level_key if t is not None else ""

    def crra_positions(self, finess: str) -> np.ndarray:
        return self._crra_of[finess]


def _parameters_table(table: Table) -> Table:
    """The report's table of parameters, two pairs a line so that the page stays one;
    a target envelope without object (another calibration) is left out."""
    pairs = [row for row in table.rows if not row[1].startswith("sans objet")]
    half = (len(pairs) + 1) // 2
    left, right = pairs[:half], pairs[half:] + [["", ""]] * (2 * half - len(pairs))
    rows = [a + b for a, b in zip(left, right)]
    return Table([Column("Paramètre", wrap=True), Column("Valeur", RIGHT),
                  Column("Paramètre", wrap=True), Column("Valeur", RIGHT)], rows,
                 title="Paramètres nationaux utilisés", id="parametres", font_size=7.0,
                 keep_together=True)


def _lower_first(text: str) -> str:
    """« Coût annuel… » → « coût annuel… », but « ETP… » stays."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _defaults_notice(scenario: Scenario) -> Notice | None:
    """The report's word on illustrative defaults, when the model's national parameters
    or the référentiel are those shipped with the program."""
    p = scenario.parameters
    defaulted = set(scenario.defaulted_parameters)
    labels = [spec.label for spec in schema.PARAMETERS if spec.key in MODEL_KEYS
              and (spec.key in defaulted or getattr(p, spec.key) == spec.default)]
    bands = scenario.bands
    default_bands = [tuple(b[:3]) for b in schema.DEFAULT_BANDS]
    same_bands = len(bands) == len(default_bands) and all(
        (float(lo), float(arm), float(mr)) == tuple(float(v) for v in d)
        for lo, arm, mr, d in zip(bands["drm_min"], bands["etp_arm"], bands["etp_mr"], default_bands))
    if not labels and not same_bands:
        return None
    if len(labels) == len(MODEL_KEYS) and same_bands:
        items = ["les coûts et frais nationaux", "le référentiel de moyens"]
    else:
        items = [_lower_first(label) for label in labels]
        if same_bands:
            items.append("le référentiel de moyens")
    listed = _join_fr(items)
    text = (f"{listed} sont les valeurs par défaut de MIGAC Desktop, illustratives et non "
            "officielles : vérifiez-les" if len(items) > 1 else
            f"{listed} est la valeur par défaut de MIGAC Desktop, illustrative et non "
            "officielle : vérifiez-la")
    return Notice("Paramètres par défaut", f"{text[0].upper()}{text[1:]} avant d'adresser "
                                           "cette notification.")


def build_notifications(scenario: Scenario, results: Results, *, region: str | None = None,
                        source: str | Path | None = None, created: date | None = None,
                        unsaved: bool = False,
                        context: NotificationContext | None = None
                        ) -> Iterator[NotificationReport]:
    """One notification per hospital of the scenario, or of ``region``, in the order of
    ``establishments.csv`` (a generator: the printer writes each as it comes)."""
    context = context or NotificationContext(scenario, results, source=source, created=created,
                                             unsaved=unsaved)
    for finess in notified_establishments(results, region)["finess"]:
        yield build_notification(context, str(finess))


def build_notification(context: NotificationContext, finess: str) -> NotificationReport:
    """The notification of the hospital ``finess``."""
    c = context
    r = c.results
    est = r.establishments
    row = est[est["finess"].astype(str) == finess]
    if row.empty:
        raise ValueError(f"l'établissement de FINESS « {finess} » n'a aucun CRRA dans le scénario")
    row = row.iloc[0]
    region = str(row["region"])
    name = str(row["establishment"]).strip()
    shown_name = name or f"Établissement {finess}"
    positions = c.crra_positions(finess)
    # The scenario's title (when it has one) beside the ARS, under the hospital's name.
    subtitle = ars_name(region) + (f" · {c.title}" if c.title else "")
    blocks: list = [Title(KICKER, shown_name, subtitle)]
    info = [("Région", region), ("FINESS", finess),
            ("CRRA", ", ".join(str(r.crra_arrays["crra_id"][i]) for i in positions)),
            ("Date", long_date(c.created))]
    blocks.append(KeyValues(info, columns=2))
    blocks.append(Paragraph(_lead(c, row, shown_name, len(positions)), "lead"))
    blocks.append(_allocations_table(c, row, finess, positions))
    blocks.append(Heading("Détail du calcul par CRRA", 2))
    blocks += _crra_blocks(c, positions)
    blocks.append(c.parameters)
    # The notice on defaults beside the signature: the page stays one page.
    last = [b for b in (c.defaults_notice, Signature(f"Fait le {long_date(c.created)},",
                                                     c.signatory) if c.signatory else None) if b]
    if len(last) == 2:
        blocks.append(Columns(last, gap_mm=10.0))
    else:
        blocks += last
    section = Section(f"notification:{finess}", shown_name, ars_name(region), blocks,
                      region=region, in_contents=False)
    return NotificationReport(
        title=c.title, subtitle=f"Notification – {shown_name} (FINESS {finess})",
        source=c.source_name, created=c.created, region=region, sections=[section],
        unsaved=c.unsaved, finess=finess, establishment=name)


def _lead(c: NotificationContext, row, shown_name: str, n_crra: int) -> str:
    hy = c.historic_year
    effect = float(row["revenue_effect"])
    text = (f"Dotation calculée pour {plural(n_crra, 'CRRA', 'CRRA')} par le modèle de "
            f"répartition de la MIG SAMU. Effet revenu (montant modélisé moins dotation "
            f"historique {hy}) : {_signed(effect)}")
    if not _is_nan(row["revenue_effect_pct"]):
        text += f" ({_pct(row['revenue_effect_pct'])})"
    if c.shares and abs(effect) >= 0.5:
        steps = [f"{_share(s)} en {y}" for y, s in c.shares.items()]
        text += ", appliqué à " + _join_fr(steps)
    return text + "."


def _held(c: NotificationContext, finess: str) -> list[tuple[int, int]]:
    return c.results.guarantees("establishment", finess)


def _guarantee_cell(c: NotificationContext, floored: int, capped: int, n_crra: int) -> str:
    if not (floored or capped):
        return DASH
    if c.level_key == "crra" and n_crra > 1:
        parts = []
        if floored:
            parts.append(f"plancher ({floored} CRRA sur {n_crra})")
        if capped:
            parts.append(f"plafond ({capped} CRRA sur {n_crra})")
        return ", ".join(parts)
    word = "plancher" if floored else "plafond"
    return word + (" de la région" if c.level_key == "region" else "")


def _allocations_table(c: NotificationContext, row, finess: str, positions: np.ndarray) -> Table:
    hy = c.historic_year
    historic = float(row["historic"])
    capped = c.results.capped
    held = _held(c, finess) if capped else []
    n_crra = int(row["n_crra"])
    rows = [[f"{hy} (historique)", _euros(historic), "", ""] + ([""] if capped else [])]
    for k, y in enumerate(c.years):
        amount = float(row[alloc_key(y)])
        cells = [str(y), _euros(amount), _signed(amount - historic), _share(c.shares.get(y))]
        if capped:
            cells.append(_guarantee_cell(c, *held[k], n_crra))
        rows.append(cells)
    columns = [Column("Année"), Column("Dotation", RIGHT),
               Column(f"Écart à la dotation historique {hy}", RIGHT, wrap=True, signed=True),
               Column("Part cumulée de l'effet revenu", RIGHT, wrap=True)]
    if capped:
        columns.append(Column("Garantie", wrap=True))
    totals = [["Montant modélisé", _euros(row["modelled"]), _signed(row["revenue_effect"]),
               _pct(row["revenue_effect_pct"])] + ([""] if capped else [])]
    # Under the table, in small type: the transition policy, so that the page stays one.
    notes = []
    if capped:
        notes.append(f"Politique de transition : {c.policy_text} "
                     + _guarantee_sentence(c, finess, positions))
    if c.results.notified:
        notes.append("Les dotations d'une année pour laquelle une enveloppe est notifiée à la "
                     "région sont ramenées à cette enveloppe, au prorata de ses CRRA.")
    note = " ".join(notes)
    return Table(columns, rows, title="Dotations de l'établissement", totals=totals,
                 note=note, id=f"dotations:{finess}", font_size=8.5, keep_together=True)


def _crra_blocks(c: NotificationContext, positions: np.ndarray) -> list:
    """One column per CRRA (and a total when several): every step of the calculation.
    A single CRRA's steps go in two tables side by side, so that the page stays one."""
    a = c.results.crra_arrays
    k = c.results.calibration_factor
    hy = c.historic_year
    several = len(positions) > 1

    def over(value: float) -> str:
        return DASH if math.isnan(value) else _number(value)

    def geo(value: float) -> str:
        return _share(float(value)) if not _is_nan(value) else ""

    lines: list[tuple[str, Callable[[int], str], str]] = [
        ("Libellé", lambda i: str(a["label"][i]).strip() or DASH, ""),
        ("Département", lambda i: str(c.departement[i]).strip() or DASH, ""),
        ("DRM", lambda i: format_number(float(a["drm"][i])),
         format_number(float(a["drm"][positions].sum()))),
        ("Tranche du référentiel", lambda i: str(a["tranche"][i]), ""),
        ("ETP ARM du référentiel", lambda i: _number(c.band_arm[i]), ""),
        ("ETP ARM retenus par l'ARS", lambda i: over(c.arm_over[i]), ""),
        ("ETP MR du référentiel", lambda i: _number(c.band_mr[i]), ""),
        ("ETP MR retenus par l'ARS", lambda i: over(c.mr_over[i]), ""),
        ("ETP d'encadrement", lambda i: _number(a["etp_sup"][i]), ""),
        ("Coût du personnel", lambda i: _euros(a["staff_cost"][i]),
         _euros(a["staff_cost"][positions].sum())),
        ("Frais de fonctionnement", lambda i: _euros(a["operating_cost"][i]),
         _euros(a["operating_cost"][positions].sum())),
        ("Coût de base", lambda i: _euros(a["base_cost"][i]), _euros(a["base_cost"][positions].sum())),
        ("Coefficient géographique", lambda i: geo(a["geo_coef"][i]), ""),
        ("Montant avant calage", lambda i: _euros(a["raw_amount"][i]),
         _euros(a["raw_amount"][positions].sum())),
        ("Facteur de calage national", lambda i: DASH if _is_nan(k) else format_number(k, 6), ""),
        ("Montant modélisé", lambda i: _euros(a["modelled"][i]), _euros(a["modelled"][positions].sum())),
        (f"Dotation historique {hy}", lambda i: _euros(a["historic"][i]),
         _euros(a["historic"][positions].sum())),
        ("Effet revenu", lambda i: _signed(a["revenue_effect"][i]),
         _signed(a["revenue_effect"][positions].sum())),
        ("Effet revenu (%)", lambda i: _pct(a["revenue_effect_pct"][i]), _total_pct(a, positions)),
    ]
    if several:
        for y in c.years:
            key = alloc_key(y)
            lines.append((f"Dotation {y}", _cell(a[key], _euros), _euros(a[key][positions].sum())))
    if c.results.capped and c.years:
        lines.append((f"Reste à converger en {c.years[-1]}", lambda i: _signed(a["remaining_gap"][i]),
                      _signed(a["remaining_gap"][positions].sum())))
    rows = []
    for label, cell, total in lines:
        rows.append([label] + [cell(int(i)) for i in positions] + ([total] if several else []))
    note = ("ETP retenus par l'ARS : l'effectif qui remplace celui du référentiel (— : aucun). "
            "Coût du personnel : ETP × coût annuel de l'ETP ; frais de fonctionnement : frais "
            "fixes + frais par DRM × DRM ; montant modélisé : coût de base × (1 + coefficient "
            "géographique) × facteur de calage.")

    def table(part: list[list[str]], header: str, table_note: str = "") -> Table:
        columns = [Column(header, repeat=True, wrap=True)]
        columns += [Column(str(a["crra_id"][i]), RIGHT, wrap=True) for i in positions]
        if several:
            columns.append(Column("Total", RIGHT))
        return Table(columns, part, note=table_note, id="crra", font_size=8.0)

    if several:
        return [table(rows, "Étape du calcul", note)]
    cut = 9          # activity and staff | costs and money
    return [Columns([table(rows[:cut], "Activité et effectifs"),
                     table(rows[cut:], "Coûts et montants")], gap_mm=6.0),
            Paragraph(note, "small")]


def _cell(values: np.ndarray, text: Callable[[float], str]) -> Callable[[int], str]:
    return lambda i: text(values[i])


def _total_pct(a: dict, positions: np.ndarray) -> str:
    historic = float(a["historic"][positions].sum())
    if historic == 0:
        return DASH
    return _pct(float(a["revenue_effect"][positions].sum()) / historic)


def _guarantee_sentence(c: NotificationContext, finess: str, positions: np.ndarray) -> str:
    """The years the hospital (or the unit that holds it) was held at its floor or cap."""
    t = c.results.transition
    if t is None or not c.years:
        return ""
    held = _held(c, finess)
    floored = np.array([f > 0 for f, _ in held])
    capped = np.array([k > 0 for _, k in held])
    region = str(c.results.crra_arrays["region"][positions[0]])
    of_unit = {"establishment": "l'établissement", "region": f"la région {region}, unité protégée,",
               "crra": "un CRRA de l'établissement" if len(positions) > 1
               else "le CRRA de l'établissement"}[c.level_key]
    parts = []
    if floored.any():
        parts.append(f"au plancher en {_years_text(c.years, floored)}")
    if capped.any():
        parts.append(f"au plafond en {_years_text(c.years, capped)}")
    if parts:
        text = f"Années garanties : {of_unit} est {' et '.join(parts)}."
    else:
        text = "Années garanties : aucune, ni plancher ni plafond."
    gap = float(c.results.crra_arrays["remaining_gap"][positions].sum())
    text += f" Reste à converger en {c.years[-1]} : " + (_signed(gap) if abs(gap) >= 0.01
                                                          else "aucun") + "."
    return text
