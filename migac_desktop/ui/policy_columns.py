"""The columns the transition policy « Plafonné » adds to the result tables."""

from __future__ import annotations

from ..core.guarantees import UNIT_WORDS
from .table_models import ColumnDef, result_def


def guarantee_help(results) -> str:
    unit = UNIT_WORDS[results.transition.level_key][0]
    return (f"Années où l'unité protégée ({unit}) a été relevée à son plancher (perte annuelle "
            "maximale) ou ramenée à son plafond (gain annuel maximal) ; entre parenthèses, le "
            "nombre d'unités concernées quand la ligne en regroupe plusieurs.")


def guarantee_column(results) -> ColumnDef:
    return ColumnDef("guarantee", "Garantie", "text", help=guarantee_help(results))


def remaining_column() -> ColumnDef:
    return result_def("remaining_gap")
