"""The scenario: typed, Qt-free inputs of the model.

Tables are pandas DataFrames with the declared columns of :mod:`schema`
(numbers as float64 with NaN for empty, text as Python ``str``) followed by
any extra columns found in the workbook, kept under their original header so
that saving gives them back untouched.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from . import schema
from .schema import Table


@dataclass(frozen=True)
class Parameters:
    cout_etp_arm: float = 45000.0
    cout_etp_mr: float = 110000.0
    cout_etp_encadrement: float = 60000.0
    etp_encadrement_par_crra: float = 1.0
    frais_fixes_crra: float = 150000.0
    frais_par_drm: float = 1.5
    annee_historique: int = 2013
    calage: str = "Enveloppe historique"
    enveloppe_cible: float | None = None
    lissage_mode: str = "Linéaire"
    lissage_niveau: str = "Établissement"
    perte_max_annuelle: float | None = None
    gain_max_annuel: float | None = None
    titre: str = ""
    note: str = ""
    signataire: str = ""

    def with_value(self, key: str, value: object) -> Parameters:
        return replace(self, **{key: value})  # type: ignore[arg-type]  # checked by the caller

    @property
    def capped(self) -> bool:
        """The transition policy « Plafonné » is on (its outputs and columns exist)."""
        return self.lissage_mode == schema.CAPPED

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def empty_table(table: Table) -> pd.DataFrame:
    data = {}
    for col in table.columns:
        if col.numeric:
            data[col.key] = pd.Series([], dtype="float64")
        else:
            data[col.key] = pd.Series([], dtype="object")
    return pd.DataFrame(data)


def make_table(table: Table, rows: list[dict]) -> pd.DataFrame:
    """A table frame from dicts keyed by column key (missing keys empty)."""
    if not rows:
        return empty_table(table)
    data = {}
    for col in table.columns:
        values = [row.get(col.key) for row in rows]
        if col.numeric:
            data[col.key] = np.array(
                [math.nan if v is None else float(v) for v in values], dtype="float64")
        else:
            data[col.key] = pd.Series(
                ["" if v is None else str(v) for v in values], dtype="object")
    extra = [k for k in rows[0] if k not in table.keys]
    for key in extra:
        data[key] = pd.Series([row.get(key) for row in rows], dtype="object")
    return pd.DataFrame(data)


def default_bands() -> pd.DataFrame:
    return make_table(schema.BANDS, [
        dict(drm_min=a, etp_arm=b, etp_mr=c, label=d) for a, b, c, d in schema.DEFAULT_BANDS])


def default_smoothing() -> pd.DataFrame:
    return make_table(schema.SMOOTHING, [dict(year=y, share=s) for y, s in schema.DEFAULT_SMOOTHING])


@dataclass
class Scenario:
    parameters: Parameters = field(default_factory=Parameters)
    bands: pd.DataFrame = field(default_factory=default_bands)
    smoothing: pd.DataFrame = field(default_factory=default_smoothing)
    crra: pd.DataFrame = field(default_factory=lambda: empty_table(schema.CRRA))
    envelopes: pd.DataFrame = field(default_factory=lambda: empty_table(schema.ENVELOPES))
    # What the workbook held that the model does not use, given back on save.
    extra_parameters: list[tuple] = field(default_factory=list)
    extra_sheets: dict[str, list[tuple]] = field(default_factory=dict)
    # Excel row of each table row as read (for located messages); dropped by
    # any edit that adds or removes rows.
    source_rows: dict[str, list[int]] = field(default_factory=dict)
    parameter_rows: dict[str, int] = field(default_factory=dict)
    # Parameters that were missing from the file and took their default.
    defaulted_parameters: tuple[str, ...] = ()

    # -- access -----------------------------------------------------------
    def table(self, sheet: str) -> pd.DataFrame:
        return {"CRRA": self.crra, "Référentiel": self.bands, "Lissage": self.smoothing,
                "Enveloppes régionales": self.envelopes}[sheet]

    def set_table(self, sheet: str, frame: pd.DataFrame) -> None:
        attr = {"CRRA": "crra", "Référentiel": "bands", "Lissage": "smoothing",
                "Enveloppes régionales": "envelopes"}[sheet]
        setattr(self, attr, frame)

    def excel_row(self, sheet: str, position: int) -> int:
        rows = self.source_rows.get(sheet)
        if rows is not None and position < len(rows):
            return rows[position]
        return position + 2

    def extra_columns(self, sheet: str) -> list[str]:
        table = TABLES[sheet]
        return [c for c in self.table(sheet).columns if c not in table.keys]

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.smoothing["year"].to_numpy() if not math.isnan(y)]

    @property
    def title(self) -> str:
        return self.parameters.titre

    def copy(self) -> Scenario:
        return Scenario(
            parameters=self.parameters,
            bands=self.bands.copy(), smoothing=self.smoothing.copy(),
            crra=self.crra.copy(), envelopes=self.envelopes.copy(),
            extra_parameters=list(self.extra_parameters),
            extra_sheets=copy.deepcopy(self.extra_sheets),
            source_rows={k: list(v) for k, v in self.source_rows.items()},
            parameter_rows=dict(self.parameter_rows),
            defaulted_parameters=self.defaulted_parameters)

    def inputs_equal(self, other: Scenario) -> bool:
        """Same inputs (parameters and every table), ignoring provenance."""
        if self.parameters != other.parameters:
            return False
        for sheet in TABLES:
            a, b = self.table(sheet), other.table(sheet)
            if list(a.columns) != list(b.columns) or len(a) != len(b):
                return False
            for col in a.columns:
                x, y = a[col].to_numpy(), b[col].to_numpy()
                if x.dtype.kind == "f" and y.dtype.kind == "f":
                    if not np.allclose(x, y, rtol=0, atol=1e-9, equal_nan=True):
                        return False
                elif [_norm(v) for v in x] != [_norm(v) for v in y]:
                    return False
        return True


def _norm(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


TABLES: dict[str, Table] = {
    "CRRA": schema.CRRA,
    "Référentiel": schema.BANDS,
    "Lissage": schema.SMOOTHING,
    "Enveloppes régionales": schema.ENVELOPES,
}
