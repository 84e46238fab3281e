"""Validation of a scenario: every problem at once, located, in French.

Errors mean the scenario cannot be computed; warnings mean it computes but
the modeller should look. Checks are vectorised: the window validates after
every edit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import model, schema
from .french import fewest_decimals
from .guarantees import UNIT_WORDS, remaining_split
from .model import ModelError, Results
from .numbers import format_euros, format_number, format_percent
from .scenario import TABLES, Scenario

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    severity: str
    message: str
    sheet: str | None = None
    row: int | None = None        # Excel row (1 = headers)
    column: str | None = None     # French header
    key: str | None = None        # column key or parameter key, for the window
    position: int | None = None   # row position in the table, for the window

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"feuille « {self.sheet} »")
        if self.row is not None:
            parts.append(f"ligne {self.row}")
        if self.column:
            parts.append(f"colonne « {self.column} »")
        return ", ".join(parts)

    def __str__(self) -> str:
        head = "Erreur" if self.is_error else "Avertissement"
        where = self.location
        return f"{head} — {where} : {self.message}" if where else f"{head} — {self.message}"


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]


class _Collector:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.problems: list[Problem] = []

    def add(self, severity, message, sheet=None, position=None, column=None, key=None, row=None):
        if position is not None:
            position = int(position)
            if row is None and sheet is not None:
                row = self.scenario.excel_row(sheet, position)
        self.problems.append(Problem(severity, message, sheet, row, column, key, position))

    def param(self, severity, key, message):
        row = self.scenario.parameter_rows.get(key)
        self.problems.append(Problem(severity, message, schema.PARAMETERS_SHEET, row, "Valeur", key))


def validate(scenario: Scenario) -> list[Problem]:
    return evaluate(scenario)[0]


def evaluate(scenario: Scenario) -> tuple[list[Problem], Results | None]:
    """Every problem and, when there is no error, the results: the model runs once.

    What the window (after each edit and on open), the command line and the
    writer call; the results are None as soon as one error exists.
    """
    problems = static_problems(scenario)
    if errors_of(problems):
        return problems, None
    with np.errstate(all="ignore"):
        results = model.compute(scenario)
    problems += result_problems(scenario, results)
    return problems, (None if errors_of(problems) else results)


def computed(scenario: Scenario) -> Results:
    """The results of a scenario that must be valid; :class:`ModelError` lists its errors."""
    problems, results = evaluate(scenario)
    if results is None:
        raise ModelError(errors_of(problems))
    return results


def static_problems(scenario: Scenario) -> list[Problem]:
    """The checks that need no results: parameters, columns, bands, smoothing, CRRA, envelopes."""
    c = _Collector(scenario)
    _check_parameters(c, scenario.parameters)
    for sheet, table in TABLES.items():
        _check_columns(c, sheet, table, scenario.table(sheet))
    _check_bands(c, scenario.bands)
    _check_smoothing(c, scenario.smoothing)
    _check_crra(c, scenario)
    _check_envelopes(c, scenario)
    return c.problems


def result_problems(scenario: Scenario, results: Results) -> list[Problem]:
    """The checks that need the results of a statically valid scenario: calibration,
    overflow, then the notified envelopes."""
    c = _Collector(scenario)
    if _check_calibration(c, scenario, results):
        _check_policy(c, scenario, results)
        _check_notified(c, scenario, results)
    return c.problems


def _check_policy(c: _Collector, s: Scenario, results: Results) -> None:
    """« Plafonné »: the first year that cannot be financed (an error at its bound), then
    the units left short of their modelled amount at the last year (one warning)."""
    t = results.transition
    if t is None or not results.years:
        return
    bad = t.policy.unfinanceable
    if bad is not None:
        amount = format_euros(bad.amount, 2)
        if bad.side == "floors":
            c.param(ERROR, "perte_max_annuelle",
                    f"Lissage plafonné : en {bad.year}, les planchers dépassent l'enveloppe de l'année "
                    f"de {amount} ; augmentez la perte annuelle maximale ou l'enveloppe.")
        else:
            c.param(ERROR, "gain_max_annuel",
                    f"Lissage plafonné : en {bad.year}, les plafonds n'atteignent pas l'enveloppe de "
                    f"l'année, à {amount} près ; augmentez le gain annuel maximal ou réduisez l'enveloppe.")
        return
    to_receive, n_short, to_give, n_over = remaining_split(results, "national", None)
    if not (n_short or n_over):
        return
    one, many = UNIT_WORDS[t.level_key]
    count = n_short + n_over
    parts = []
    if n_short:
        parts.append(f"{format_euros(to_receive)} encore à recevoir par {n_short}")
    if n_over:
        parts.append(f"{format_euros(-to_give)} encore à rendre par {n_over}")
    c.param(WARNING, "lissage_mode",
            f"Lissage plafonné : en {results.years[-1]}, {count} {one if count == 1 else many} "
            f"n'{'a' if count == 1 else 'ont'} pas atteint {'son' if count == 1 else 'leur'} montant "
            f"modélisé (reste à converger : {' ; '.join(parts)}).")


def _check_parameters(c: _Collector, p) -> None:
    for spec in schema.PARAMETERS:
        value = getattr(p, spec.key)
        if spec.kind in ("number", "integer", "fraction") and value is not None:
            if isinstance(value, float) and math.isnan(value):
                if not spec.optional:
                    c.param(ERROR, spec.key, f"« {spec.label} » est vide : saisissez un nombre.")
                continue
            if spec.kind == "fraction" and not (0 <= value <= (spec.maximum or 1)):
                c.param(ERROR, spec.key, f"« {spec.label} » doit être comprise entre 0 % et 100 % "
                                         f"({format_percent(value)}) : saisissez par exemple 2 %.")
            elif spec.minimum is not None and value < spec.minimum:
                if spec.minimum == 0:
                    c.param(ERROR, spec.key, f"« {spec.label} » ne peut pas être négatif "
                                             f"({format_number(value, 2)}).")
                else:
                    c.param(ERROR, spec.key, f"« {spec.label} » doit être au moins {spec.minimum:g}.")
        elif spec.kind == "choice" and value not in spec.choices:
            choices = ", ".join(f"« {x} »" for x in spec.choices)
            c.param(ERROR, spec.key, f"{spec.key} « {value} » inconnu : choisissez {choices}.")
    if p.calage == "Montant cible" and not (p.enveloppe_cible is not None
                                            and not math.isnan(p.enveloppe_cible)
                                            and p.enveloppe_cible > 0):
        c.param(ERROR, "enveloppe_cible",
                "le calage « Montant cible » demande une enveloppe cible positive : "
                "saisissez-la ou choisissez un autre calage.")


def _check_columns(c: _Collector, sheet: str, table, frame: pd.DataFrame) -> None:
    """Required values and bounds, column by column, for the offending rows only."""
    for col in table.columns:
        values = frame[col.key]
        if col.numeric:
            arr = values.to_numpy(dtype="float64")
            if col.required:
                for pos in np.flatnonzero(np.isnan(arr)):
                    c.add(ERROR, f"valeur manquante : saisissez « {col.header} ».",
                          sheet, pos, col.header, col.key)
            bad = np.zeros(len(arr), dtype=bool)
            with np.errstate(invalid="ignore"):
                if col.minimum is not None:
                    bad |= arr < col.minimum
                if col.maximum is not None:
                    bad |= (arr >= col.maximum) if col.max_exclusive else (arr > col.maximum)
                if col.kind == "integer":
                    bad |= ~np.isnan(arr) & (arr != np.round(arr))
            for pos in np.flatnonzero(bad):
                reason = col.bound_problem(float(arr[pos]))
                shown = (format_percent(arr[pos]) if col.kind == "fraction"
                         else format_number(arr[pos], 2))
                c.add(ERROR, f"{reason} ({shown}).", sheet, pos, col.header, col.key)
        elif col.required:
            for pos in np.flatnonzero([not (isinstance(v, str) and v.strip()) for v in values]):
                c.add(ERROR, f"valeur manquante : saisissez « {col.header} ».",
                      sheet, pos, col.header, col.key)


def _check_bands(c: _Collector, bands: pd.DataFrame) -> None:
    sheet = "Référentiel"
    if len(bands) == 0:
        c.add(ERROR, "le référentiel n'a aucune tranche : ajoutez au moins la tranche à 0 DRM.", sheet)
        return
    mins = bands["drm_min"].to_numpy(dtype="float64")
    if not math.isnan(mins[0]) and mins[0] != 0:
        c.add(ERROR, "le référentiel doit commencer à 0 DRM "
                     f"(première tranche : {format_number(mins[0])}).", sheet, 0, "DRM minimum", "drm_min")
    for pos in range(1, len(mins)):
        if not (mins[pos] > mins[pos - 1]):
            c.add(ERROR, "les « DRM minimum » doivent croître strictement d'une tranche à la suivante "
                         f"({format_number(mins[pos])} après {format_number(mins[pos - 1])}).",
                  sheet, pos, "DRM minimum", "drm_min")


def _check_smoothing(c: _Collector, smoothing: pd.DataFrame) -> None:
    sheet = "Lissage"
    if len(smoothing) == 0:
        c.add(ERROR, "le lissage n'a aucune année : ajoutez au moins une année à 100 %.", sheet)
        return
    years = smoothing["year"].to_numpy(dtype="float64")
    shares = smoothing["share"].to_numpy(dtype="float64")
    for pos in range(1, len(years)):
        if years[pos] != years[pos - 1] + 1 and not np.isnan(years[pos - 1]):
            c.add(ERROR, "les années du lissage doivent se suivre "
                         f"({years[pos]:.0f} après {years[pos - 1]:.0f}).", sheet, pos, "Année", "year")
    for pos in range(1, len(shares)):
        if shares[pos] < shares[pos - 1]:
            c.add(ERROR, "les parts cumulées ne peuvent pas diminuer "
                         f"({format_percent(shares[pos])} après {format_percent(shares[pos - 1])}).",
                  sheet, pos, "Part cumulée", "share")
    last = shares[-1]
    if not np.isnan(last) and 0 <= last <= 1 and abs(last - 1.0) > 1e-12:
        c.add(WARNING, f"la dernière part cumulée est {format_percent(last)} et non 100 % : "
                       "l'effet revenu ne sera pas entièrement appliqué.",
              sheet, len(shares) - 1, "Part cumulée", "share")


def _check_crra(c: _Collector, s: Scenario) -> None:
    sheet = "CRRA"
    crra = s.crra
    if len(crra) == 0:
        c.add(ERROR, "le scénario ne contient aucun CRRA : ajoutez au moins une ligne.", sheet)
        return
    ids = crra["crra_id"].map(lambda v: v.strip() if isinstance(v, str) else v)
    dup = ids.duplicated(keep=False) & (ids != "")
    if dup.any():
        first_pos: dict[str, int] = {}
        for pos in np.flatnonzero(dup.to_numpy()):
            ident = ids.iat[pos]
            if ident in first_pos:
                c.add(ERROR, f"l'identifiant « {ident} » est déjà utilisé ligne "
                             f"{s.excel_row(sheet, first_pos[ident])} : chaque CRRA doit avoir "
                             "un identifiant unique.", sheet, pos, "Identifiant", "crra_id")
            else:
                first_pos[ident] = int(pos)
    # One FINESS in two regions.
    finess_codes, finess_names = pd.factorize(crra["finess"].to_numpy(dtype=object))
    region_codes, _ = pd.factorize(crra["region"].to_numpy(dtype=object))
    for code in _mixed_groups(finess_codes, len(finess_names), region_codes):
        finess = finess_names[code]
        if not finess:
            continue
        positions = np.flatnonzero(finess_codes == code)
        first_region = crra["region"].iat[positions[0]]
        for pos in positions[1:]:
            region = crra["region"].iat[pos]
            if region != first_region and region:
                c.add(ERROR, f"le FINESS {finess} est dans la région « {region} » ici et dans "
                             f"« {first_region} » ligne {s.excel_row(sheet, positions[0])} : "
                             "un établissement appartient à une seule région.",
                      sheet, pos, "FINESS", "finess")
    # One FINESS under two hospital names: the synthesis shows the first; say so. Names
    # are compared exactly (fast) first, then ignoring case and spaces where they differ.
    names = crra["establishment"].to_numpy(dtype=object)
    name_codes, _ = pd.factorize(names)
    for code in _mixed_groups(finess_codes, len(finess_names), name_codes):
        if not finess_names[code]:
            continue
        named = [int(p) for p in np.flatnonzero(finess_codes == code) if str(names[p]).strip()]
        shown = {p: str(names[p]).strip() for p in named}
        first = named[0] if named else 0
        for member in named[1:]:
            if shown[member].casefold() != shown[first].casefold():
                c.add(WARNING, f"le FINESS {finess_names[code]} s'appelle « {shown[member]} » ici et "
                               f"« {shown[first]} » ligne {s.excel_row(sheet, first)} : la synthèse "
                               "par établissement retient le premier nom ; harmonisez-les.",
                      sheet, member, "Établissement", "establishment")
    finess = crra["finess"].to_numpy(dtype=object)
    for pos in np.flatnonzero([bool(f) and (len(f) != 9 or not f.isalnum()) for f in finess]):
        c.add(WARNING, f"le FINESS « {finess[pos]} » n'a pas la forme habituelle "
                       "(9 chiffres, ou 2A/2B en Corse).", sheet, pos, "FINESS", "finess")
    drm = crra["drm"].to_numpy(dtype="float64")
    for pos in np.flatnonzero(drm == 0):
        c.add(WARNING, "ce CRRA n'a aucun DRM : vérifiez son activité.", sheet, pos, "DRM", "drm")
    with np.errstate(invalid="ignore"):
        fractional = np.isfinite(drm) & (drm >= 0) & (drm != np.round(drm))
    for pos in np.flatnonzero(fractional):
        c.add(WARNING, _fractional_drm(crra["crra_id"].iat[pos], float(drm[pos])),
              sheet, pos, "DRM", "drm")
    hist = crra["historic"].to_numpy(dtype="float64")
    for pos in np.flatnonzero(hist == 0):
        c.add(WARNING, "dotation historique nulle : l'effet revenu en % n'est pas défini.",
              sheet, pos, "Dotation historique", "historic")
    geo = crra["geo_coef"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        high = np.flatnonzero((geo > 0.35) & (geo < 1))
    for pos in high:
        c.add(WARNING, f"coefficient géographique élevé ({format_percent(geo[pos])}, plus de 35 %) : "
                       "vérifiez la saisie.", sheet, pos, "Coefficient géographique", "geo_coef")


def _fractional_drm(crra_id, drm: float) -> str:
    """A count of cases is whole: « 1.234 » was most likely 1 234 typed with a point."""
    who = f"{crra_id} : " if isinstance(crra_id, str) and crra_id.strip() else ""
    shown = fewest_decimals(drm, 3)
    hint = ""
    if drm < 1000 and round(drm * 1000) == drm * 1000:
        hint = (f" ; si vous vouliez {format_number(drm * 1000)} (point tapé comme séparateur "
                f"des milliers), saisissez {drm * 1000:.0f}")
    return (f"{who}le nombre de DRM ({shown}) n'est pas un nombre entier de dossiers{hint}.")


def _check_envelopes(c: _Collector, s: Scenario) -> None:
    sheet = "Enveloppes régionales"
    env = s.envelopes
    if len(env) == 0:
        return
    regions = set(s.crra["region"])
    years = set(s.years)
    seen: dict[tuple, int] = {}
    for pos, (region, year) in enumerate(zip(env["region"], env["year"])):
        if region and region not in regions:
            c.add(ERROR, f"la région « {region} » n'a aucun CRRA dans le scénario : "
                         "corrigez son nom ou supprimez la ligne.", sheet, pos, "Région", "region")
        if not np.isnan(year) and int(year) not in years:
            shown = ", ".join(str(y) for y in sorted(years)) or "aucune"
            c.add(ERROR, f"l'année {year:.0f} n'est pas une année du lissage ({shown}).",
                  sheet, pos, "Année", "year")
        key = (region, year)
        if key in seen:
            c.add(ERROR, f"une enveloppe est déjà notifiée à « {region} » pour {year:.0f} "
                         f"ligne {s.excel_row(sheet, seen[key])}.", sheet, pos, "Région", "region")
        else:
            seen[key] = pos


def _mixed_groups(group_codes: np.ndarray, n_groups: int, value_codes: np.ndarray) -> np.ndarray:
    """The groups whose members do not all share one value (vectorised: min ≠ max)."""
    low = np.full(n_groups, np.iinfo(np.int64).max)
    high = np.full(n_groups, -1)
    np.minimum.at(low, group_codes, value_codes)
    np.maximum.at(high, group_codes, value_codes)
    return np.flatnonzero(low != high)


def _check_calibration(c: _Collector, s: Scenario, results: Results) -> bool:
    """Σ raw = 0 cannot be calibrated; figures that overflow cannot be shown. False on error."""
    if s.parameters.calage != "Aucun" and results.raw_total == 0:
        c.param(ERROR, "calage", "le calage est impossible : la somme des montants bruts "
                                 "est nulle (aucun coût modélisé). Choisissez le calage « Aucun ».")
        return False
    if not np.isfinite(results.crra_arrays["modelled"]).all():
        # Σ raw so small that the factor overflows, or costs beyond any budget.
        c.param(ERROR, "calage" if s.parameters.calage != "Aucun" else "cout_etp_arm",
                "les montants modélisés ne peuvent pas être calculés : les coûts et frais saisis "
                "sont quasi nuls ou démesurés. Vérifiez les paramètres nationaux.")
        return False
    return True


def _check_notified(c: _Collector, s: Scenario, results: Results) -> None:
    """Envelopes that cannot be shared, that zero a funded region, or that raise a year."""
    sheet = "Enveloppes régionales"
    regions = results.crra_arrays["region"]
    for pos, (region, year, amount) in enumerate(zip(s.envelopes["region"], s.envelopes["year"],
                                                     s.envelopes["amount"])):
        alloc = results.crra_arrays[f"alloc_{int(year)}"][regions == region]
        if not np.isfinite(alloc).all():
            c.add(ERROR, f"les dotations {int(year)} de « {region} » sont nulles : "
                         "l'enveloppe notifiée ne peut pas être répartie.",
                  sheet, pos, "Enveloppe notifiée", "amount")
        elif amount == 0 and (before := results.linear_regions(int(year)).get(region, 0.0)) != 0:
            c.add(WARNING, f"enveloppe notifiée de 0 € : la région « {region} » ne recevrait rien "
                           f"en {int(year)} (dotation avant l'enveloppe : {format_euros(before)}). "
                           "Saisissez le montant notifié ou supprimez la ligne.",
                  sheet, pos, "Enveloppe notifiée", "amount")
    for year, text in envelope_raises(results).items():
        first = next(pos for pos, y in enumerate(s.envelopes["year"]) if int(y) == year)
        c.add(WARNING, text, sheet, first, "Enveloppe notifiée", "amount")


def envelope_raises(results) -> dict[int, str]:
    """The years whose notified envelopes raise the national total, said in French
    (a warning in the window, a line in the report)."""
    out = {}
    for year, (before, after) in results.envelope_effects().items():
        if after - before > 0.01:
            out[year] = (f"les enveloppes notifiées portent le total national {year} à "
                         f"{format_euros(after)}, soit {format_euros(after - before)} de plus "
                         f"qu'avant elles ({format_euros(before)}).")
    return out
