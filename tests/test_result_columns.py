"""One catalogue of result columns (core/schema.py) feeds the window's tables, the report,
the CSV and the output sheets: a header or a kind changed there changes it everywhere."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from migac_desktop.core import schema
from migac_desktop.core.model import compute
from migac_desktop.io import csv_export
from migac_desktop.io.workbook import result_sheet_headers
from migac_desktop.reporting.report import Table, build_report
from migac_desktop.ui.panels import comparison_rows
from migac_desktop.ui.table_models import RESULT_KINDS, crra_result_columns


@pytest.fixture
def renamed(monkeypatch):
    """« Montant modélisé » renamed in the catalogue only (short header too)."""
    by_key = dict(schema._RESULT_BY_KEY)
    by_key["modelled"] = dataclasses.replace(by_key["modelled"], header="Cible du modèle",
                                             short="Cible")
    by_key["revenue_effect"] = dataclasses.replace(by_key["revenue_effect"], kind="euros")
    monkeypatch.setattr(schema, "_RESULT_BY_KEY", by_key)


def report_headers(report) -> set[str]:
    seen = set()

    def walk(block):
        if isinstance(block, Table):
            seen.update(c.header for c in block.columns)
        for attr in ("blocks", "sections", "left", "right"):
            for child in getattr(block, attr, None) or []:
                walk(child)
    walk(report)
    return seen


def test_a_header_changed_in_the_catalogue_changes_everywhere(renamed, example):
    results = compute(example)
    sheets = result_sheet_headers(example)
    assert "Cible du modèle" in sheets["Résultats CRRA"]
    assert "Cible du modèle" in sheets["Synthèse régionale"]
    crra_table = {c.key: c for c in crra_result_columns(results.years)}
    assert crra_table["modelled"].header == "Cible du modèle"
    columns, _, _ = comparison_rows(results, "region", None, 2013)
    assert {c.key: c.header for c in columns}["modelled"] == "Cible"
    report = build_report(example, results, created=date(2020, 1, 1))
    headers = report_headers(report)
    assert "Cible du modèle" in headers and "Montant modélisé" not in headers


def test_a_kind_changed_in_the_catalogue_changes_the_tables(renamed, example):
    results = compute(example)
    columns, _, _ = comparison_rows(results, "crra", None, 2013)
    assert {c.key: c.kind for c in columns}["revenue_effect"] == "euros"


def test_the_csv_and_the_window_read_the_catalogue():
    assert csv_export.CRRA_COLUMNS == tuple(k for k in schema.CRRA_RESULT_KEYS
                                            if k != "establishment")
    assert csv_export.REGION_COLUMNS == schema.REGION_RESULT_KEYS
    assert csv_export.ESTABLISHMENT_COLUMNS == schema.ESTABLISHMENT_RESULT_KEYS
    assert list(RESULT_KINDS) == [k for k in schema.CRRA_RESULT_KEYS if k not in schema.CRRA.keys]
    assert all(RESULT_KINDS[k] == schema.result_column(k).kind for k in RESULT_KINDS)
