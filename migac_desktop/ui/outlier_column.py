"""The CRRA table's « Atypique » column: CRRA far from the national distribution.

core/outliers.py flags a CRRA whose cost per DRM or DRM per ETP ARM lies outside the
interquartile fences (k = 1,5 by default, the CRRA tab's « Seuil » sets another); the
cell says which ratio and which way in words (« coût/DRM élevé »), its tooltip the value,
the fence and the national median, so that the colour is never the only carrier.
"""

from __future__ import annotations

import numpy as np

from ..core.outliers import DEFAULT_K, HIGH, LOW, outliers
from .table_models import ColumnDef

OUTLIER_KEY = "outlier"
SHORT = {"cost_per_drm": "coût/DRM", "drm_per_etp_arm": "DRM/ETP ARM"}
WAY = {HIGH: "élevé", LOW: "faible"}


def outlier_column(k: float = DEFAULT_K) -> ColumnDef:
    return ColumnDef(OUTLIER_KEY, "Atypique", "text", result=True,
                     help="CRRA dont le coût par DRM ou l'activité par ETP ARM s'écarte de la "
                          f"distribution nationale de plus de {str(k).replace('.', ',')} écart(s) "
                          "interquartile(s) (seuil réglable dans la barre d'outils).")


def outlier_arrays(results, k: float = DEFAULT_K) -> tuple[np.ndarray, np.ndarray]:
    """Per CRRA: the cell's text (« coût/DRM élevé ; DRM/ETP ARM faible », empty when not
    flagged) and its tooltip (the reasons with the national median)."""
    n = len(results.crra_arrays["crra_id"])
    texts = np.full(n, "", dtype=object)
    tips = np.full(n, "", dtype=object)
    found = outliers(results, k)
    for position, _ident, reasons in found.rows():
        words = [f"{SHORT[d.key]} {WAY[int(d.flags[position])]}"
                 for d in found.metrics.values() if int(d.flags[position]) in WAY]
        texts[position] = " ; ".join(words)
        tips[position] = "\n".join(reasons)
    return texts, tips


def outlier_threshold_box():
    """The CRRA tab's « Seuil » spin box: k interquartile ranges, 1,5 by default, in French."""
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QDoubleSpinBox
    box = QDoubleSpinBox()
    box.setObjectName("outlierThreshold")
    box.setLocale(QLocale(QLocale.Language.French, QLocale.Country.France))
    box.setRange(0.5, 10.0)
    box.setSingleStep(0.5)
    box.setDecimals(1)
    box.setValue(DEFAULT_K)
    box.setSuffix(" × EIQ")
    box.setAccessibleName("Seuil des CRRA atypiques, en écarts interquartiles")
    box.setToolTip("Un CRRA est atypique quand son coût par DRM ou ses DRM par ETP ARM sortent "
                   "de [Q1 − seuil × EIQ ; Q3 + seuil × EIQ] de la distribution nationale "
                   "(EIQ : écart interquartile ; 1,5 par défaut).")
    return box
