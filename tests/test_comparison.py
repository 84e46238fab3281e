"""Comparison of a scenario with a reference (issue 14): the input differences, the
results side by side (core/comparison.py) and ``migac compare`` (WORKBOOK.md).

No Qt here.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migac_desktop import cli
from migac_desktop.core import schema
from migac_desktop.core.comparison import (
    BOTH,
    ONLY_A,
    ONLY_B,
    PRESENCE,
    InputDifference,
    align,
    compare_results,
    input_differences,
)
from migac_desktop.core.model import compute
from migac_desktop.core.scenario import Scenario, make_table

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # ``benchmarks`` lives at the repository root
    sys.path.insert(0, str(REPO))

from conftest import WORKED_EXAMPLE_ROWS, worked_example  # noqa: E402

from benchmarks.synthetic import linear_smoothing, synthetic_scenario  # noqa: E402

RESULT_HEADER = ("status,modelled_a,modelled_b,delta_modelled,revenue_effect_a,revenue_effect_b,"
                 "delta_revenue_effect,alloc_2014_a,alloc_2014_b,delta_alloc_2014,alloc_2015_a,"
                 "alloc_2015_b,delta_alloc_2015,alloc_2016_a,alloc_2016_b,delta_alloc_2016")
QUANTITIES = ("modelled", "revenue_effect", "alloc_2014", "alloc_2015", "alloc_2016")


# --------------------------------------------------------------------------- helpers
def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_csv(path: Path) -> tuple[str, list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "pas de BOM"
    text = raw.decode("utf-8")
    return text.split("\n", 1)[0], list(csv.DictReader(text.splitlines()))


@pytest.fixture
def save(tmp_path):
    from migac_desktop.io import workbook

    def _save(scenario: Scenario, name: str) -> Path:
        path = tmp_path / name
        workbook.write_scenario(scenario, path)
        return path
    return _save


def crra_rows(**changes_by_id) -> list[dict]:
    rows = [dict(r) for r in WORKED_EXAMPLE_ROWS]
    for row in rows:
        row.update(changes_by_id.get(row["crra_id"], {}))
    return rows


def scenario_of(rows: list[dict], **kwargs) -> Scenario:
    return Scenario(crra=make_table(schema.CRRA, rows), **kwargs)


def variant_pair() -> tuple[Scenario, Scenario]:
    """The worked example (with a notified envelope) and a variant of it: a DRM changed,
    a CRRA removed and another added, a parameter, a smoothing share, an envelope."""
    a = worked_example()
    a.envelopes = make_table(schema.ENVELOPES, [dict(region="Bêta", year=2015, amount=8_600_000)])
    rows = crra_rows(**{"SAMU-A1": dict(drm=60000)})
    rows = [r for r in rows if r["crra_id"] != "SAMU-A2"]
    rows.append(dict(crra_id="SAMU-C1", label="SAMU C1", region="Gamma", departement="03",
                     finess="030000001", establishment="CH C1", drm=80000, geo_coef=0.0,
                     historic=2_000_000))
    b = scenario_of(rows)
    b.parameters = b.parameters.with_value("cout_etp_arm", 46000.0)
    b.smoothing = make_table(schema.SMOOTHING, [dict(year=2014, share=0.25), dict(year=2015, share=0.6),
                                                dict(year=2016, share=1.0)])
    b.envelopes = make_table(schema.ENVELOPES, [dict(region="Bêta", year=2015, amount=8_500_000)])
    return a, b


def rows_of(differences: list[InputDifference]) -> list[tuple]:
    return [(d.sheet, d.item, d.field, d.a, d.b) for d in differences]


# --------------------------------------------------------------------------- input differences
def test_identical_scenarios_have_no_difference():
    a = worked_example()
    assert input_differences(a, a.copy()) == []
    comparison = compare_results(compute(a), compute(a.copy()))
    for level in (comparison.crra, comparison.regions, comparison.establishments):
        assert set(level.frame["status"]) == {BOTH}
        assert not level.differing().any()


def test_parameter_differences():
    a = worked_example()
    b = a.copy()
    b.parameters = (b.parameters.with_value("frais_par_drm", 1.75)
                    .with_value("calage", "Montant cible").with_value("enveloppe_cible", 14e6)
                    .with_value("titre", "Variante"))
    diffs = input_differences(a, b)
    # In the order of the parameters (MODEL.md's keys), an empty value as None.
    assert rows_of(diffs) == [
        ("Paramètres", "frais_par_drm", "Valeur", 1.5, 1.75),
        ("Paramètres", "calage", "Valeur", "Enveloppe historique", "Montant cible"),
        ("Paramètres", "enveloppe_cible", "Valeur", None, 14e6),
        ("Paramètres", "titre", "Valeur", None, "Variante"),
    ]
    assert [(d.key, d.position) for d in diffs][:1] == [("frais_par_drm", None)]


def test_band_differences_by_label():
    a = worked_example()
    b = a.copy()
    bands = b.bands.copy()
    bands.loc[2, "etp_arm"] = 26.0                       # T3
    bands.loc[5, "drm_min"] = 310000.0                   # T6
    bands = bands.drop(index=6)                          # T7 removed …
    extra = make_table(schema.BANDS, [dict(drm_min=500000, etp_arm=80, etp_mr=38, label="T8")])
    b.bands = pd.concat([bands, extra], ignore_index=True)   # … T8 added
    diffs = input_differences(a, b)
    assert rows_of(diffs) == [
        ("Référentiel", "T3", "ETP ARM", 25.0, 26.0),
        ("Référentiel", "T6", "DRM minimum", 300000.0, 310000.0),
        ("Référentiel", "T7", PRESENCE, "oui", None),
        ("Référentiel", "T8", PRESENCE, None, "oui"),
    ]
    assert (diffs[0].position, diffs[0].key) == (2, "etp_arm")
    assert (diffs[2].position, diffs[2].key) == (None, None)
    assert (diffs[3].position, diffs[3].key) == (6, None)


def test_unnamed_band_takes_its_default_name():
    a = worked_example()
    b = a.copy()
    b.bands.loc[1, "label"] = ""
    b.bands.loc[1, "etp_mr"] = 10.0
    assert rows_of(input_differences(a, b)) == [("Référentiel", "T2", "ETP MR", 9.0, 10.0)]


def test_smoothing_differences_by_year():
    a = worked_example()
    b = a.copy()
    b.smoothing = make_table(schema.SMOOTHING, [dict(year=2014, share=0.2), dict(year=2015, share=0.5),
                                                dict(year=2017, share=1.0)])
    assert rows_of(input_differences(a, b)) == [
        ("Lissage", "2015", "Part cumulée", 0.6, 0.5),
        ("Lissage", "2016", PRESENCE, "oui", None),
        ("Lissage", "2017", PRESENCE, None, "oui"),
    ]


def test_crra_differences_every_kind_of_column():
    a = worked_example()
    b = scenario_of(crra_rows(**{
        "SAMU-A1": dict(label="SAMU A1 bis", finess="010000009"),
        "SAMU-A2": dict(geo_coef=0.02, historic=3_250_000, etp_mr_override=11),
        "SAMU-B1": dict(etp_arm_override=None, departement="2A", establishment="CHU B'"),
        "SAMU-B2": dict(region="Gamma", drm=150001),
    }))
    diffs = input_differences(a, b)
    assert rows_of(diffs) == [
        ("CRRA", "SAMU-A1", "Libellé", "SAMU A1", "SAMU A1 bis"),
        ("CRRA", "SAMU-A1", "FINESS", "010000001", "010000009"),
        ("CRRA", "SAMU-A2", "Coefficient géographique", 0.0, 0.02),
        ("CRRA", "SAMU-A2", "Dotation historique", 3_300_000.0, 3_250_000.0),
        ("CRRA", "SAMU-A2", "ETP MR retenus", None, 11.0),
        ("CRRA", "SAMU-B1", "Département", "02", "2A"),
        ("CRRA", "SAMU-B1", "Établissement", "CHU B", "CHU B'"),
        ("CRRA", "SAMU-B1", "ETP ARM retenus", 40.0, None),
        ("CRRA", "SAMU-B2", "Région", "Bêta", "Gamma"),
        ("CRRA", "SAMU-B2", "DRM", 150000.0, 150001.0),
    ]
    # Headers of WORKBOOK.md, column keys and B's rows for the window.
    assert {d.field for d in diffs} <= {c.header for c in schema.CRRA.columns}
    assert [(d.position, d.key) for d in diffs][-2:] == [(3, "region"), (3, "drm")]


def test_crra_in_one_scenario_only_and_b_reordered():
    a = worked_example()
    rows = crra_rows(**{"SAMU-B2": dict(drm=160000)})
    rows = [rows[3], rows[2], rows[0]]                   # A2 removed, order changed
    rows.insert(1, dict(crra_id="SAMU-C1", region="Gamma", finess="030000001", drm=80000,
                        historic=2e6))
    rows.append(dict(crra_id="SAMU-C2", region="Gamma", finess="030000002", drm=70000,
                     historic=1e6))
    b = scenario_of(rows)
    diffs = input_differences(a, b)
    # A's order (A1, A2, B1, B2), then B's own CRRA in B's order.
    assert rows_of(diffs) == [
        ("CRRA", "SAMU-A2", PRESENCE, "oui", None),
        ("CRRA", "SAMU-B2", "DRM", 150000.0, 160000.0),
        ("CRRA", "SAMU-C1", PRESENCE, None, "oui"),
        ("CRRA", "SAMU-C2", PRESENCE, None, "oui"),
    ]
    assert [d.position for d in diffs] == [None, 0, 1, 4]
    assert [d.is_presence for d in diffs] == [True, False, True, True]


def test_envelope_differences_by_region_and_year():
    a = worked_example()
    a.envelopes = make_table(schema.ENVELOPES, [
        dict(region="Alpha", year=2015, amount=4.6e6), dict(region="Bêta", year=2015, amount=8.6e6)])
    b = a.copy()
    b.envelopes = make_table(schema.ENVELOPES, [
        dict(region="Bêta", year=2015, amount=8.5e6), dict(region="Bêta", year=2016, amount=8.9e6)])
    diffs = input_differences(a, b)
    assert rows_of(diffs) == [
        ("Enveloppes régionales", "Alpha|2015", PRESENCE, "oui", None),
        ("Enveloppes régionales", "Bêta|2015", "Enveloppe notifiée", 8.6e6, 8.5e6),
        ("Enveloppes régionales", "Bêta|2016", PRESENCE, None, "oui"),
    ]
    assert (diffs[1].position, diffs[1].key) == (0, "amount")


def test_sheets_in_the_order_of_workbook_md():
    a, b = variant_pair()
    sheets = [d.sheet for d in input_differences(a, b)]
    assert sheets == ["Paramètres", "Lissage", "CRRA", "CRRA", "CRRA", "Enveloppes régionales"]


def test_extra_columns_and_provenance_ignored():
    a = worked_example()
    b = a.copy()
    a.crra["Commentaire"] = pd.Series(["x", "y", "z", "t"], dtype=object)
    b.crra["Commentaire"] = pd.Series(["autre", "", None, "t"], dtype=object)
    b.source_rows = {"CRRA": [5, 6, 7, 8]}
    assert input_differences(a, b) == []


def test_values_compared_exactly():
    """No tolerance: a cent, or 1e-12 of a share, is a difference; empty equals empty."""
    a = worked_example()
    b = scenario_of(crra_rows(**{"SAMU-A1": dict(historic=1_900_000.01)}))
    b.smoothing.loc[0, "share"] = 0.2 + 1e-12
    diffs = input_differences(a, b)
    assert [(d.item, d.field) for d in diffs] == [("2014", "Part cumulée"), ("SAMU-A1", "Dotation historique")]
    c = scenario_of(crra_rows(**{"SAMU-A1": dict(geo_coef=None)}))    # empty ≠ 0 as read
    assert rows_of(input_differences(a, c)) == [("CRRA", "SAMU-A1", "Coefficient géographique", 0.0, None)]


def test_duplicate_identifiers_pair_by_occurrence():
    keys_a = np.array(["X", "Y", "X"], dtype=object)
    keys_b = np.array(["X", "Z", "X", "X"], dtype=object)
    in_b, b_only = align(keys_a, keys_b)
    assert in_b.tolist() == [0, -1, 2]
    assert b_only.tolist() == [1, 3]


def test_every_change_listed_once_and_nothing_else():
    """On a pair never seen, each changed cell exactly once; an unchanged one never."""
    rng = np.random.default_rng(3)
    a = synthetic_scenario(300, seed=11)
    b = a.copy()
    changed = set()
    for col in ("drm", "historic", "geo_coef", "etp_arm_override", "label", "finess"):
        rows = rng.choice(300, 12, replace=False)
        for i in rows.tolist():
            old = b.crra.at[i, col]
            new = (old + "x") if isinstance(old, str) else (7.0 if isinstance(old, float) and math.isnan(old)
                                                           else float(old) + 1.0)
            b.crra.at[i, col] = new
            changed.add((b.crra.at[i, "crra_id"], schema.CRRA.column(col).header))
    diffs = input_differences(a, b)
    found = [(d.item, d.field) for d in diffs]
    assert len(found) == len(set(found))
    assert set(found) == changed
    # In A's order of CRRA, then of the columns.
    order = {cid: i for i, cid in enumerate(a.crra["crra_id"])}
    headers = [c.header for c in schema.CRRA.columns]
    assert found == sorted(found, key=lambda f: (order[f[0]], headers.index(f[1])))
    for d in diffs:
        assert b.crra.at[d.position, d.key] == d.b or (d.b is None)


# --------------------------------------------------------------------------- result differences
def by_key(frame: pd.DataFrame, key: str) -> dict[str, dict]:
    return {row[key]: row for row in frame.to_dict("records")}


def test_result_statuses_and_deltas_against_the_model():
    a, b = variant_pair()
    ra, rb = compute(a), compute(b)
    comparison = compare_results(ra, rb)
    assert comparison.years == [2014, 2015, 2016]
    crra = comparison.crra.frame
    assert crra["crra_id"].tolist() == ["SAMU-A1", "SAMU-A2", "SAMU-B1", "SAMU-B2", "SAMU-C1"]
    assert crra["status"].tolist() == [BOTH, ONLY_A, BOTH, BOTH, ONLY_B]
    ma, mb = by_key(ra.crra, "crra_id"), by_key(rb.crra, "crra_id")
    for row in crra.to_dict("records"):
        cid = row["crra_id"]
        for q in QUANTITIES:
            va = ma[cid][q] if cid in ma else None
            vb = mb[cid][q] if cid in mb else None
            assert (math.isnan(row[f"{q}_a"]) if va is None else row[f"{q}_a"] == va), (cid, q)
            assert (math.isnan(row[f"{q}_b"]) if vb is None else row[f"{q}_b"] == vb), (cid, q)
            assert row[f"delta_{q}"] == pytest.approx((vb or 0.0) - (va or 0.0), abs=0.01), (cid, q)
    # The CRRA's context, for the window: B's values, else A's.
    assert crra["region"].tolist() == ["Alpha", "Alpha", "Bêta", "Bêta", "Gamma"]

    regions = comparison.regions.frame
    assert regions["region"].tolist() == ["Alpha", "Bêta", "Gamma"]
    assert regions["status"].tolist() == [BOTH, BOTH, ONLY_B]
    ga, gb = by_key(ra.regions, "region"), by_key(rb.regions, "region")
    assert regions["delta_alloc_2015"].tolist()[1] == pytest.approx(8_500_000 - 8_600_000)
    for row in regions.to_dict("records"):
        for q in QUANTITIES:
            expected = gb.get(row["region"], {}).get(q, 0.0) - ga.get(row["region"], {}).get(q, 0.0)
            assert row[f"delta_{q}"] == pytest.approx(expected, abs=0.01)

    hospitals = comparison.establishments.frame
    assert hospitals["finess"].tolist() == ["010000001", "010000002", "020000001", "030000001"]
    assert hospitals["status"].tolist() == [BOTH, ONLY_A, BOTH, ONLY_B]
    assert hospitals["establishment"].tolist() == ["CH A1", "CH A2", "CHU B", "CH C1"]
    ea, eb = by_key(ra.establishments, "finess"), by_key(rb.establishments, "finess")
    for row in hospitals.to_dict("records"):
        for q in QUANTITIES:
            expected = eb.get(row["finess"], {}).get(q, 0.0) - ea.get(row["finess"], {}).get(q, 0.0)
            assert row[f"delta_{q}"] == pytest.approx(expected, abs=0.01)
    # The national totals' deltas add up at every level.
    for level in (comparison.crra, comparison.regions, comparison.establishments):
        assert level.frame["delta_modelled"].sum() == pytest.approx(
            rb.national["modelled"] - ra.national["modelled"], abs=0.01)


def test_missing_side_is_empty_and_delta_as_if_zero():
    a = worked_example()
    b = scenario_of([r for r in WORKED_EXAMPLE_ROWS if r["crra_id"] != "SAMU-A1"])
    comparison = compare_results(compute(a), compute(b))
    first = comparison.crra.frame.iloc[0]
    assert first["status"] == ONLY_A
    assert math.isnan(first["modelled_b"])
    assert first["delta_modelled"] == -first["modelled_a"]
    only_b = compare_results(compute(b), compute(a)).crra.frame.iloc[-1]
    assert (only_b["crra_id"], only_b["status"]) == ("SAMU-A1", ONLY_B)
    assert math.isnan(only_b["modelled_a"])
    assert only_b["delta_alloc_2016"] == only_b["alloc_2016_b"]


def test_only_shared_years_compared():
    a = worked_example()
    b = a.copy()
    b.smoothing = linear_smoothing(4, first_year=2014, first_share=0.25)       # 2014–2017
    comparison = compare_results(compute(a), compute(b))
    assert comparison.years == [2014, 2015, 2016]
    assert (comparison.years_only_a, comparison.years_only_b) == ([], [2017])
    assert comparison.crra.columns[-3:] == ["alloc_2016_a", "alloc_2016_b", "delta_alloc_2016"]


def test_differing_rows():
    """Without calibration, a historic amount moves its CRRA's effet revenu and
    allocations only: the other rows are not « different »."""
    a = worked_example()
    a.parameters = a.parameters.with_value("calage", "Aucun")
    b = scenario_of(crra_rows(**{"SAMU-A1": dict(historic=2_000_000)}), parameters=a.parameters)
    comparison = compare_results(compute(a), compute(b))
    assert comparison.crra.differing().tolist() == [True, False, False, False]
    assert comparison.regions.differing().tolist() == [True, False]
    assert comparison.establishments.differing().tolist() == [True, False, False]
    assert comparison.crra.frame["delta_modelled"].tolist() == [0, 0, 0, 0]
    b2 = a.copy()
    b2.crra.loc[2, "label"] = "autre nom"                 # changes no figure
    assert not compare_results(compute(a), compute(b2)).crra.differing().any()
    b3 = scenario_of([r for r in WORKED_EXAMPLE_ROWS if r["crra_id"] != "SAMU-B2"], parameters=a.parameters)
    assert compare_results(compute(a), compute(b3)).crra.differing().tolist() == [False, False, False, True]


# --------------------------------------------------------------------------- migac compare
def test_compare_worked_example_against_a_variant(capsys, save, tmp_path):
    a, b = variant_pair()
    path_a, path_b = save(a, "national.xlsx"), save(b, "variante.xlsx")
    out_dir = tmp_path / "comparaison" / "2014"
    code, out, err = run(capsys, "compare", path_a, path_b, "--out", out_dir)
    assert code == 0, err
    assert all(line.startswith("Avertissement") for line in err.splitlines()), err

    text = (out_dir / "inputs.csv").read_text(encoding="utf-8")
    assert text == (
        "sheet,item,field,a,b\n"
        "Paramètres,cout_etp_arm,Valeur,45000,46000\n"
        "Lissage,2014,Part cumulée,0.2,0.25\n"
        "CRRA,SAMU-A1,DRM,45000,60000\n"
        "CRRA,SAMU-A2,(présence),oui,\n"
        "CRRA,SAMU-C1,(présence),,oui\n"
        "Enveloppes régionales,Bêta|2015,Enveloppe notifiée,8600000,8500000\n")

    ra, rb = compute(a), compute(b)
    for name, key, ids, statuses, frames in (
            ("crra.csv", "crra_id", ["SAMU-A1", "SAMU-A2", "SAMU-B1", "SAMU-B2", "SAMU-C1"],
             ["both", "only_a", "both", "both", "only_b"], (ra.crra, rb.crra)),
            ("regions.csv", "region", ["Alpha", "Bêta", "Gamma"], ["both", "both", "only_b"],
             (ra.regions, rb.regions)),
            ("establishments.csv", "finess", ["010000001", "010000002", "020000001", "030000001"],
             ["both", "only_a", "both", "only_b"], (ra.establishments, rb.establishments))):
        header, rows = read_csv(out_dir / name)
        assert header == f"{key},{RESULT_HEADER}", name
        assert [r[key] for r in rows] == ids
        assert [r["status"] for r in rows] == statuses
        model_a, model_b = by_key(frames[0], key), by_key(frames[1], key)
        for row in rows:
            for q in QUANTITIES:
                va = model_a.get(row[key], {}).get(q)
                vb = model_b.get(row[key], {}).get(q)
                # Full precision: each side reads back as the model's float, empty if absent.
                for value, field in ((va, f"{q}_a"), (vb, f"{q}_b")):
                    if value is None:
                        assert row[field] == "", (name, row[key], field)
                    else:
                        assert float(row[field]) == value, (name, row[key], field)
                assert abs(float(row[f"delta_{q}"]) - ((vb or 0.0) - (va or 0.0))) <= 0.01
    _, crra = read_csv(out_dir / "crra.csv")
    assert float(crra[1]["delta_modelled"]) == -float(crra[1]["modelled_a"])
    assert sorted(p.name for p in out_dir.iterdir()) == \
        ["crra.csv", "establishments.csv", "inputs.csv", "regions.csv"]

    summary = out.replace("\u202f", " ").replace("\u00a0", " ")
    assert "Données d'entrée différentes : 6" in summary
    assert "CRRA : 3 dans les deux, 1 seulement dans A, 1 seulement dans B" in summary
    for name in ("inputs.csv", "crra.csv", "regions.csv", "establishments.csv"):
        assert str(out_dir / name) in out


def test_compare_writes_no_remaining_gap(capsys, save, tmp_path):
    a = worked_example()
    b = a.copy()
    b.parameters = b.parameters.with_value("lissage_mode", schema.CAPPED).with_value(
        "perte_max_annuelle", 0.02)
    code, _, err = run(capsys, "compare", save(a, "a.xlsx"), save(b, "b.xlsx"), "--out", tmp_path / "out")
    assert code == 0, err
    for name in ("crra.csv", "regions.csv", "establishments.csv"):
        header, _ = read_csv(tmp_path / "out" / name)
        assert "remaining_gap" not in header
        assert header.endswith(RESULT_HEADER)
    _, inputs = read_csv(tmp_path / "out" / "inputs.csv")
    assert [(r["item"], r["a"], r["b"]) for r in inputs] == [
        ("lissage_mode", "Linéaire", "Plafonné"), ("perte_max_annuelle", "", "0.02")]


def test_compare_years_of_one_scenario_warned(capsys, save, tmp_path):
    a = worked_example()
    b = a.copy()
    b.smoothing = linear_smoothing(4, first_year=2014, first_share=0.25)
    code, _, err = run(capsys, "compare", save(a, "a.xlsx"), save(b, "b.xlsx"), "--out", tmp_path / "out")
    assert code == 0, err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("Avertissement") for line in lines)
    assert any("2017" in line and "scénario B" in line for line in lines)
    header, _ = read_csv(tmp_path / "out" / "crra.csv")
    assert "alloc_2017" not in header


def test_compare_formula_text_neutralised_numbers_not(capsys, save, tmp_path):
    a = worked_example()
    b = scenario_of(crra_rows(**{"SAMU-A1": dict(label="=HYPERLINK(\"x\")")}))
    code, _, err = run(capsys, "compare", save(a, "a.xlsx"), save(b, "b.xlsx"), "--out", tmp_path / "out")
    assert code == 0, err
    _, inputs = read_csv(tmp_path / "out" / "inputs.csv")
    assert inputs == [dict(sheet="CRRA", item="SAMU-A1", field="Libellé", a="SAMU A1", b="'=HYPERLINK(\"x\")")]
    _, crra = read_csv(tmp_path / "out" / "crra.csv")
    assert crra[0]["delta_modelled"] == "0"
    assert crra[0]["revenue_effect_a"].startswith("-3856")          # a number: never prefixed


@pytest.mark.parametrize("invalid", ["A", "B"])
def test_compare_invalid_scenario_exit_2_names_the_file(capsys, save, tmp_path, invalid):
    good = save(worked_example(), "bon.xlsx")
    bad = save(scenario_of(crra_rows(**{"SAMU-A2": dict(drm=-5)})), "mauvais.xlsx")
    paths = (bad, good) if invalid == "A" else (good, bad)
    code, out, err = run(capsys, "compare", *paths, "--out", tmp_path / "out")
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert f"scénario {invalid} « {bad} », feuille « CRRA », ligne 3, colonne « DRM »" in err
    assert f"Erreur — scénario {invalid} « {bad} » invalide : 1 erreur" in err
    assert str(good) not in err
    assert not (tmp_path / "out").exists()


def test_compare_both_invalid_lists_both(capsys, save, tmp_path):
    bad = save(scenario_of(crra_rows(**{"SAMU-A2": dict(drm=-5)})), "mauvais.xlsx")
    missing = tmp_path / "absent.xlsx"
    code, _, err = run(capsys, "compare", bad, missing, "--out", tmp_path / "out")
    assert code == 2
    assert f"scénario A « {bad} »" in err
    assert f"scénario B « {missing} »" in err
    assert "Traceback" not in err


def test_compare_unwritable_folder_exit_1(capsys, save, tmp_path):
    a, b = variant_pair()
    path_a, path_b = save(a, "a.xlsx"), save(b, "b.xlsx")
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    for out_dir in (blocker, blocker / "sous-dossier"):
        code, out, err = run(capsys, "compare", path_a, path_b, "--out", out_dir)
        assert code == 1
        lines = err.strip().splitlines()          # the variants' warnings, then the failure
        assert lines[-1].startswith("Erreur — impossible d'écrire la comparaison dans")
        assert all(line.startswith("Avertissement") for line in lines[:-1])
        assert out == ""


def test_compare_arguments(capsys, tmp_path):
    code, out, _ = run(capsys, "compare", "--help")
    assert code == 0
    assert "scénario de référence" in out and "DOSSIER" in out
    code, _, err = run(capsys, "compare", "a.xlsx", "--out", tmp_path)
    assert code == 2
    assert "arguments obligatoires manquants" in err
    code, _, err = run(capsys, "compare", "a.xlsx", "b.xlsx", "--out", " ")
    assert code == 2
    assert "l'option --out attend un dossier" in err


def test_compare_computes_each_scenario_once(capsys, save, tmp_path, monkeypatch):
    """Each file's model runs once, while it is validated; the comparison runs none."""
    from migac_desktop.core import model

    seen = []
    real = model.compute

    def counted(scenario, *args, **kwargs):
        seen.append(len(scenario.crra))
        return real(scenario, *args, **kwargs)

    a, b = variant_pair()
    path_a, path_b = save(a, "a.xlsx"), save(b, "b.xlsx")
    monkeypatch.setattr(model, "compute", counted)
    code, _, err = run(capsys, "compare", path_a, path_b, "--out", tmp_path / "out")
    assert code == 0, err
    assert sorted(seen) == [4, 4]


def test_compare_imports_no_gui_or_plotting(tmp_path):
    samples = REPO / "samples"
    code = ("import sys; from migac_desktop import cli; "
            f"c = cli.main(['compare', {str(samples / 'scenario_national_2014.xlsx')!r}, "
            f"{str(samples / 'scenario_region.xlsx')!r}, '--out', {str(tmp_path)!r}]); "
            "print(c, any(m.startswith('PySide6') for m in sys.modules), 'matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          timeout=120, encoding="utf-8", env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.stdout.strip().splitlines()[-1] == "0 False False", done.stderr
    _, regions = read_csv(tmp_path / "regions.csv")
    assert regions[0]["region"] == "Rhône-Alpes" and regions[0]["status"] == "both"
    assert {r["status"] for r in regions[1:]} == {"only_a"}
