"""The report's pages on the transition policy « Plafonné » (MODEL.md), without Qt.

With `lissage_mode` = « Plafonné » the report says the policy in words on its title
page, and its national and regional sections show which units (hospitals, regions or
CRRA) were held at their floor or cap and in which years, how each year's guarantees
were financed, and what each unit has still to converge at the last smoothing year.
Under « Linéaire » nothing here is called: the report stays as it was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core import schema
from ..core.french import fewest_decimals, order_key, plural
from ..core.guarantees import remaining_split
from ..core.model import Results, alloc_key
from ..core.numbers import NBSP, format_euros, format_percent
from .report_model import DASH, RIGHT, Column, Table, _euros, _join_fr, _signed

POLICY_KEYS = ("lissage_mode", "lissage_niveau", "perte_max_annuelle", "gain_max_annuel")
# The national section lists the largest restes; the others are summed in one row.
NATIONAL_ROWS = 15
CENT = 0.01

# Per level: (one unit, many units, « par … », « de the unit »).
_UNIT_WORDS = {"establishment": ("établissement", "établissements", "par établissement",
                                 "de l'établissement"),
               "region": ("région", "régions", "par région", "de la région"),
               "crra": ("CRRA", "CRRA", "par CRRA", "du CRRA")}
# The title of the national table and of the count of units held, per level.
_HELD = {"establishment": "Établissements garantis", "region": "Régions garanties",
         "crra": "CRRA garantis"}


def fraction_text(value: float) -> str:
    """A bound as a percentage, with the decimals it has (``0.02`` → ``2 %``, ``0.0125`` →
    ``1,25 %``)."""
    return f"{fewest_decimals(value * 100.0, 2)}{NBSP}%"


def _bound(value) -> float | None:
    """A bound as the model reads it: empty (None or NaN) is no bound."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def policy_sentence(parameters) -> str:
    """The policy in words, for the title page."""
    level_key = schema.POLICY_LEVEL_KEYS.get(parameters.lissage_niveau, "establishment")
    loss, gain = _bound(parameters.perte_max_annuelle), _bound(parameters.gain_max_annuel)
    basis = "de la dotation de l'année précédente"
    # A loss of 0 % is no loss at all: said so, as the 2022 decree says it.
    floor = (None if loss is None else "aucune baisse" if loss == 0
             else f"perte annuelle limitée à {fraction_text(loss)}")
    if floor is not None and gain is not None:
        bounds = f"{floor} et gain annuel limité à {fraction_text(gain)} {basis}"
    elif floor is not None:
        against = "par rapport à la dotation de l'année précédente" if loss == 0 else basis
        bounds = f"{floor} {against}, sans plafond de gain"
    elif gain is not None:
        bounds = f"gain annuel limité à {fraction_text(gain)} {basis}, sans plancher de perte"
    else:
        bounds = "ni plancher ni plafond fixés, les dotations suivent le lissage linéaire"
    return (f"Lissage plafonné {_UNIT_WORDS[level_key][2]} : {bounds} ; garanties financées "
            "dans l'enveloppe nationale de chaque année")


def parameter_text(parameters, key: str) -> str:
    """The value of one of the policy's parameters in the parameters table."""
    value = getattr(parameters, key)
    if key in ("perte_max_annuelle", "gain_max_annuel"):
        value = _bound(value)
    if key == "perte_max_annuelle":
        return "sans plancher" if value is None else fraction_text(value)
    if key == "gain_max_annuel":
        return "sans plafond" if value is None else fraction_text(value)
    return str(value)


@dataclass
class _Units:
    """The policy's units with their figures, one entry per unit (all the scenario's)."""

    level_key: str
    names: list[str]                # FINESS, region or CRRA identifier
    labels: list[str]               # hospital name or CRRA label ("" for a region)
    regions: list[str]
    floored: np.ndarray             # (years, units)
    capped: np.ndarray
    modelled: np.ndarray
    last: np.ndarray                # the last year's allocation (after notified envelopes)
    gap: np.ndarray


def _units(results: Results) -> _Units:
    t = results.transition
    codes, n = t.unit_codes, len(t.unit_names)
    a = results.crra_arrays
    first = np.full(n, len(codes))
    np.minimum.at(first, codes, np.arange(len(codes)))
    if t.level_key == "establishment":
        est = results.establishments          # in the order of the FINESS's first CRRA, as the units
        labels = [str(x).strip() for x in est["establishment"]]
    elif t.level_key == "crra":
        labels = [str(x).strip() for x in a["label"][first]]
    else:
        labels = [""] * n
    last = (np.bincount(codes, weights=a[alloc_key(results.years[-1])], minlength=n)
            if results.years else np.zeros(n))
    return _Units(
        level_key=t.level_key, names=[str(x) for x in t.unit_names], labels=labels,
        regions=[str(x) for x in a["region"][first]],
        floored=np.array([y.floored for y in t.policy.years], dtype=bool).reshape(-1, n),
        capped=np.array([y.capped for y in t.policy.years], dtype=bool).reshape(-1, n),
        modelled=np.bincount(codes, weights=a["modelled"], minlength=n), last=last,
        gap=np.bincount(codes, weights=a["remaining_gap"], minlength=n))


def _years_text(years: list[int], flags: np.ndarray) -> str:
    """The years a unit was held, runs of consecutive years as « 2014–2016 »."""
    chosen = [y for y, f in zip(years, flags) if f]
    runs: list[list[int]] = []
    for y in chosen:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]
    return ", ".join(parts)


def _guarantee_text(years: list[int], floored: np.ndarray, capped: np.ndarray) -> str:
    parts = []
    if floored.any():
        parts.append("plancher " + _years_text(years, floored))
    if capped.any():
        parts.append("plafond " + _years_text(years, capped))
    return " ; ".join(parts) or DASH


class PolicyBlocks:
    """The blocks « Plafonné » adds to the national and regional sections."""

    def __init__(self, results: Results):
        self.results = results
        self.years = list(results.years)
        self.units = _units(results)
        self.one, self.many, self.per, self.of_unit = _UNIT_WORDS[self.units.level_key]
        self.held_title = _HELD[self.units.level_key]

    # -- national ----------------------------------------------------------------------
    def national_facts(self) -> list[tuple[str, str]]:
        u = self.units
        held = (u.floored | u.capped).any(axis=0) if len(self.years) else np.zeros(len(u.names), bool)
        facts = [("Politique de transition", f"Plafonné {self.per}"),
                 (self.held_title, f"{int(held.sum())} sur {len(u.names)}")]
        if self.years:
            last = self.years[-1]
            to_receive, n_short, to_give, n_over = remaining_split(self.results, "national", None)
            if not (n_short or n_over):
                facts.append((f"Reste à converger {last}", "aucun"))
            if n_short:
                facts.append((f"Encore à recevoir en {last}", f"{format_euros(to_receive)} "
                               f"({plural(n_short, self.one, self.many)})"))
            if n_over:
                facts.append((f"Encore à rendre en {last}", f"{format_euros(-to_give)} "
                               f"({plural(n_over, self.one, self.many)})"))
        return facts

    def financing_table(self) -> Table:
        """Year by year: how many units were floored and capped, what it cost, who paid."""
        rows = []
        for y, unit in zip(self.years, self.results.transition.policy.years):
            rows.append([str(y), str(int(unit.floored.sum())), str(int(unit.capped.sum())),
                         _signed(unit.net_cost) if abs(unit.net_cost) >= CENT else DASH,
                         _financing_text(unit, self.many)])
        return Table([Column("Année"), Column(f"{self.many[0].upper()}{self.many[1:]} au plancher", RIGHT, wrap=True),
                      Column(f"{self.many[0].upper()}{self.many[1:]} au plafond", RIGHT, wrap=True),
                      Column("Coût net des garanties", RIGHT, wrap=True),
                      Column("Financement", wrap=True)],
                     rows, title="Financement des garanties", id="garanties-financement",
                     keep_together=True,
                     note="Coût net : ce que coûtent les planchers moins ce que libèrent les "
                          "plafonds. Il est financé dans l'enveloppe nationale de l'année, dont "
                          "le total reste celui du lissage linéaire.")

    # -- the table of units ------------------------------------------------------------
    def units_table(self, region: str | None) -> Table | None:
        """The units guaranteed at least one year or left with a reste à converger, the
        largest restes first; for the nation, the first :data:`NATIONAL_ROWS` and the
        others summed. None when no unit of the scope is concerned."""
        u = self.units
        if not self.years:
            return None
        scope = np.array([region is None or r == region for r in u.regions], dtype=bool)
        held = (u.floored | u.capped).any(axis=0)
        listed = np.flatnonzero(scope & (held | (np.abs(u.gap) >= CENT)))
        if not len(listed):
            return None
        order = sorted(listed, key=lambda i: (-abs(u.gap[i]), order_key(u.names[i])))
        shown, rest = (order[:NATIONAL_ROWS], order[NATIONAL_ROWS:]) if region is None \
            else (order, [])
        last_year = self.years[-1]
        columns, key_cells = self._key_columns(region)
        columns += [Column("Garantie", wrap=True), Column("Montant modélisé", RIGHT, wrap=True),
                    Column(f"Dotation {last_year}", RIGHT, wrap=True),
                    Column("Reste à converger", RIGHT, wrap=True, signed=True)]
        rows = [key_cells(i) + [_guarantee_text(self.years, u.floored[:, i], u.capped[:, i]),
                                _euros(u.modelled[i]), _euros(u.last[i]), _signed(u.gap[i])]
                for i in shown]
        blanks = [""] * (len(columns) - 5)     # after the label, before the four figures
        totals = []
        if rest:
            idx = np.asarray(rest)
            totals.append([f"{plural(len(rest), 'autre ' + self.one, 'autres ' + self.many)}"]
                          + blanks + [_count_held(held[idx]),
                                      _euros(u.modelled[idx].sum()), _euros(u.last[idx].sum()),
                                      _signed(u.gap[idx].sum())])
        every = np.asarray(order)
        # A region's table lists all its units; the nation's total says how many it sums.
        label = "Total" if region is not None else f"Total ({plural(len(order), self.one, self.many)})"
        totals.append([label] + blanks
                      + ["", _euros(u.modelled[every].sum()), _euros(u.last[every].sum()),
                         _signed(u.gap[every].sum())])
        title = f"{self.held_title} et reste à converger"
        note = (f"Plancher (plafond) : les années où la dotation linéaire {self.of_unit} était "
                f"sous sa perte annuelle maximale (au-dessus de son gain annuel maximal) et a été "
                f"relevée (abaissée). Reste à converger : montant modélisé moins dotation "
                f"{last_year} ; positif, encore à recevoir ; négatif, encore à rendre.")
        if rest:
            note += f" Les {plural(NATIONAL_ROWS, self.one, self.many)} aux plus grands restes " \
                    "sont listés ; la section de chaque région les donne tous."
        return Table(columns, rows, title=title, totals=totals, note=note,
                     id="garanties" if region is None else f"garanties:{region}")

    def _key_columns(self, region: str | None):
        u = self.units
        with_region = region is None and u.level_key != "region"
        if u.level_key == "establishment":
            columns = [Column("FINESS", repeat=True, wrap=True),
                       Column("Établissement", repeat=True, wrap=True)]
        elif u.level_key == "crra":
            columns = [Column("CRRA", repeat=True, wrap=True), Column("Libellé", repeat=True, wrap=True)]
        else:
            columns = [Column("Région", repeat=True, wrap=True)]
        if with_region:
            columns.append(Column("Région", wrap=True))

        def cells(i: int) -> list[str]:
            out = [u.names[i]]
            if u.level_key != "region":
                out.append(u.labels[i] or DASH)
            if with_region:
                out.append(u.regions[i])
            return out

        return columns, cells

    # -- one region --------------------------------------------------------------------
    def region_sentence(self, region: str) -> str:
        """For the region's lead: its units held, year by year, and its reste."""
        u = self.units
        if not self.years:
            return ""
        scope = np.array([r == region for r in u.regions], dtype=bool)
        if u.level_key == "region":
            i = int(np.flatnonzero(scope)[0])
            parts = []
            if u.floored[:, i].any():
                parts.append("au plancher en " + _years_text(self.years, u.floored[:, i]))
            if u.capped[:, i].any():
                parts.append("au plafond en " + _years_text(self.years, u.capped[:, i]))
            text = ("Garanties : la région est " + " et ".join(parts) if parts
                    else "Garanties : la région n'est ni au plancher ni au plafond")
        else:
            parts = []
            for side, counts in (("au plancher", u.floored), ("au plafond", u.capped)):
                held = [(y, int(c[scope].sum())) for y, c in zip(self.years, counts) if c[scope].any()]
                if held:
                    first = f"{plural(held[0][1], self.one, self.many)} en {held[0][0]}"
                    parts.append(f"{side}, " + _join_fr([first] + [f"{n} en {y}" for y, n in held[1:]]))
            text = ("Garanties : " + " ; ".join(parts) if parts
                    else f"Garanties : aucun {self.one} de la région au plancher ni au plafond")
        gap = float(u.gap[scope].sum())
        return (text + f". Reste à converger en {self.years[-1]} : "
                + (_signed(gap) if abs(gap) >= CENT else "aucun") + ".")



def _count_held(held: np.ndarray) -> str:
    n = int(held.sum())
    return f"{n} garanti{'s' if n > 1 else ''}" if n else DASH


def _financing_text(unit, many: str) -> str:
    """How one year's net cost was placed, in words (θ, φ and the rooms to the bounds)."""
    if abs(unit.net_cost) < CENT:
        return "aucune garantie à financer"
    if unit.net_cost > 0:
        parts = []
        if unit.theta > 0:
            parts.append(f"les {many} en hausse rendent {format_percent(unit.theta)} de leur hausse "
                         f"(θ)")
        if unit.room_rate > 0:
            parts.append(f"les {many} ayant un plancher cèdent {format_percent(unit.room_rate)} de "
                         "leur marge au-dessus de lui")
    else:
        parts = []
        if unit.phi > 0:
            parts.append(f"les {many} en baisse récupèrent {format_percent(unit.phi)} de leur baisse "
                         "(φ)")
        if unit.room_rate > 0:
            parts.append(f"les {many} ayant un plafond reçoivent {format_percent(unit.room_rate)} "
                         "de leur marge sous lui")
    text = " ; puis ".join(parts) or DASH
    if unit.shortfall > CENT:
        text += f" ; {format_euros(unit.shortfall, 2)} non financés"
    return text
