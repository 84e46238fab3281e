"""Units and outputs the decision aids talk about: a level and its key, an output column.

The sensitivity, the goal seek and the waterfall all ask « this figure, of this unit »;
the levels are those of :meth:`Results.trajectory` ("national", "region",
"establishment" keyed by FINESS, "crra" keyed by identifier), the outputs are result
columns (``modelled``, ``revenue_effect``, ``revenue_effect_pct``, ``alloc_<year>``).
One place so that the window, the report and the command line name them alike.
"""

from __future__ import annotations

import numpy as np

from . import schema
from .model import LEVEL_COLUMNS, Results

LEVELS = ("national", "region", "establishment", "crra")
LEVEL_NAMES = {"national": "national", "region": "région", "establishment": "établissement",
               "crra": "CRRA"}
# Outputs that are sums of CRRA amounts, in euros (``alloc_<year>`` too).
EURO_OUTPUTS = ("modelled", "revenue_effect", "historic")


class UnitError(ValueError):
    """An unknown level, unit or output; the message is French."""


def unit_mask(results: Results, level: str, key: object = None) -> np.ndarray:
    """The CRRA of a unit, as a boolean mask; :class:`UnitError` when it has none."""
    if level == "national":
        return np.ones(len(results.region_codes), dtype=bool)
    if level not in LEVEL_COLUMNS:
        raise UnitError(f"niveau « {level} » inconnu : choisissez parmi "
                        + ", ".join(f"« {x} »" for x in LEVELS) + ".")
    mask = results.mask(level, key)
    if not mask.any():
        raise UnitError(f"{unit_label(results, level, key, capital=True)} n'a aucun CRRA "
                        "dans le scénario.")
    return mask


def check_output(results: Results, output: str) -> str:
    """``output`` when the results have it, else :class:`UnitError` (French)."""
    allowed = EURO_OUTPUTS + ("revenue_effect_pct",) + tuple(f"alloc_{y}" for y in results.years)
    if output not in allowed:
        raise UnitError(f"résultat « {output} » inconnu : choisissez parmi "
                        + ", ".join(f"« {x} »" for x in allowed) + ".")
    return output


def output_value(results: Results, output: str, mask: np.ndarray) -> float:
    """The unit's figure: a sum of its CRRA, or for ``revenue_effect_pct`` the ratio of
    the sums (NaN when its historic amount is 0), as the result tables give it."""
    arrays = results.crra_arrays
    if output == "revenue_effect_pct":
        historic = float(arrays["historic"][mask].sum())
        return float(arrays["revenue_effect"][mask].sum()) / historic if historic else float("nan")
    return float(arrays[output][mask].sum())


def output_label(output: str) -> str:
    """French name of an output: « Montant modélisé », « Dotation 2014 »…"""
    return schema.result_header(output)


def unit_label(results: Results, level: str, key: object = None, *, capital: bool = False) -> str:
    """« le total national », « la région Bretagne », « l'établissement CH X (FINESS …) »,
    « le CRRA SAMU-035 »; with ``capital`` the first letter upper-cased."""
    if level == "national":
        text = "le total national"
    elif level == "region":
        text = f"la région « {key} »"
    elif level == "establishment":
        names = results.crra_arrays["establishment"][results.crra_arrays["finess"] == key]
        name = next((str(n) for n in names if n), "")
        text = (f"l'établissement « {name} » (FINESS {key})" if name
                else f"l'établissement de FINESS {key}")
    else:
        text = f"le CRRA « {key} »"
    return text[:1].upper() + text[1:] if capital else text
