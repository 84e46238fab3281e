"""Waterfall (where a modelled amount comes from) and outliers (Tukey's fences)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from migac_desktop.core import schema
from migac_desktop.core.outliers import HIGH, LOW, NORMAL, OutlierError, fences, outliers
from migac_desktop.core.scenario import Scenario, make_table
from migac_desktop.core.units import UnitError
from migac_desktop.core.validation import computed
from migac_desktop.core.waterfall import PART_KEYS, waterfall
from migac_desktop.io.workbook import read_scenario

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from conftest import worked_example  # noqa: E402

SAMPLES = sorted((REPO / "samples").glob("*.xlsx"))


def test_samples_are_there():
    assert {p.name for p in SAMPLES} >= {"scenario_national_2014.xlsx", "scenario_region.xlsx",
                                         "exemple_modele.xlsx"}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_parts_sum_to_the_figure_for_every_unit_of_the_samples(path):
    scenario = read_scenario(path).scenario
    results = computed(scenario)
    a = results.crra_arrays
    units = [("crra", k) for k in a["crra_id"]] + [("establishment", k) for k in results.finess_names] \
        + [("region", k) for k in results.region_names] + [("national", None)]
    for level, key in units:
        w = waterfall(results, scenario.parameters, level, key)
        mask = results.crra_arrays[{"crra": "crra_id", "establishment": "finess", "region": "region"}
                                   [level]] == key if key is not None else slice(None)
        modelled = float(a["modelled"][mask].sum())
        historic = float(a["historic"][mask].sum())
        assert [p.key for p in w.parts] == list(PART_KEYS)
        assert abs(sum(p.amount for p in w.parts) - modelled) < 0.01, (level, key)
        assert abs(w.parts[-1].end - modelled) < 0.01 and w.parts[0].start == 0
        assert abs(w.modelled - modelled) < 0.01
        assert abs(w.revenue_effect - (modelled - historic)) < 0.01
        assert abs(w.revenue_effect - float(a["revenue_effect"][mask].sum())) < 0.01
        # Staff + operating parts are the model's base cost, the mark-up closes the raw amount.
        base = sum(w.part(k).amount for k in PART_KEYS[:5])
        assert abs(base - float(a["base_cost"][mask].sum())) < 0.01
        assert abs(base + w.part("geographic").amount - float(a["raw_amount"][mask].sum())) < 0.01


def test_worked_example_parts_by_hand():
    scenario = worked_example()
    results = computed(scenario)
    w = waterfall(results, scenario.parameters, "crra", "SAMU-B1")     # retained ETP ARM 40, T5
    expected = {"staff_arm": 40 * 45_000, "staff_mr": 20 * 110_000, "supervision": 60_000,
                "fixed_operating": 150_000, "drm_operating": 260_000 * 1.5,
                "geographic": 4_600_000 * 0.07, "calibration": 5_044_801.08 - 4_922_000}
    for key, amount in expected.items():
        assert w.part(key).amount == pytest.approx(amount, abs=0.01), key
    assert round(w.revenue_effect, 2) == 44_801.08
    region = waterfall(results, scenario.parameters, "region", "Alpha")
    assert region.part("geographic").amount == pytest.approx(0, abs=1e-6)
    assert round(region.modelled, 2) == 4_389_345.92 and region.n_crra == 2
    assert round(region.revenue_effect_pct, 4) == -0.1559
    assert region.unit_label == "la région « Alpha »"


def test_no_calibration_has_a_zero_calibration_part():
    scenario = worked_example()
    scenario.parameters = scenario.parameters.with_value("calage", "Aucun")
    w = waterfall(computed(scenario), scenario.parameters, "national")
    assert w.part("calibration").amount == 0 and w.modelled == pytest.approx(12_976_250)


def test_unknown_unit_refused_in_french():
    scenario = worked_example()
    with pytest.raises(UnitError, match="FINESS 999999999 n'a aucun CRRA"):
        waterfall(computed(scenario), scenario.parameters, "establishment", "999999999")


# -- outliers ---------------------------------------------------------------------------------

def test_fences_of_a_hand_made_distribution():
    values = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 100, -50, np.nan], dtype=float)
    q1, median, q3, low, high, flags = fences(values)
    # QUARTILE.INC of the eleven finite values.
    assert (q1, median, q3) == (2.5, 5.0, 7.5)
    assert (low, high) == (2.5 - 1.5 * 5, 7.5 + 1.5 * 5)
    assert flags.tolist() == [0] * 9 + [HIGH, LOW, NORMAL]
    # A wider threshold (fences -52.5 and 62.5) keeps -50 in but not 100; a huge one both.
    assert fences(values, 11)[5].tolist() == [0] * 9 + [HIGH, 0, 0]
    assert not fences(values, 30)[5].any()


def test_fences_on_the_edge_are_not_flagged():
    values = np.array([0, 10, 10, 10, 20, 35], dtype=float)       # Q1 10, Q3 17.5, high 28.75
    q1, _, q3, _, high, flags = fences(values)
    assert (q1, q3, high) == (10.0, 17.5, 28.75)
    assert flags.tolist() == [0, 0, 0, 0, 0, HIGH]
    on_edge = np.array([0, 10, 10, 10, 20, 28.75])
    assert not fences(on_edge)[5].any()     # the fence itself is not outside


@pytest.mark.parametrize("k", [0, -1, float("nan"), float("inf")])
def test_threshold_must_be_positive(k):
    with pytest.raises(OutlierError, match="nombre positif"):
        fences(np.array([1.0, 2.0]), k)


def test_no_defined_value_gives_no_flag():
    q1, median, q3, low, high, flags = fences(np.array([np.nan, np.nan]))
    assert math.isnan(median) and not flags.any()


def crra_rows(drms, etps=None):
    rows = []
    for i, drm in enumerate(drms):
        row = dict(crra_id=f"SAMU-{i:02d}", region="Alpha", finess=f"0100000{i:02d}",
                   drm=drm, historic=2_000_000)
        if etps is not None:
            row["etp_arm_override"] = etps[i]
        rows.append(row)
    return rows


def test_outliers_of_a_scenario():
    # Ten CRRA of the same band (T2: 50 000 to 100 000 DRM) with 20 ETP ARM retained: the
    # cost per DRM falls with activity; one very busy ARM team (the last), one idle CRRA.
    drms = [60_000, 62_000, 64_000, 66_000, 68_000, 70_000, 72_000, 74_000, 76_000, 400_000, 0]
    etps = [20.0] * 10 + [20.0]
    scenario = Scenario(crra=make_table(schema.CRRA, crra_rows(drms, etps)))
    result = outliers(computed(scenario))
    activity = result.metrics["drm_per_etp_arm"]
    assert activity.values[0] == 3_000 and activity.flags[9] == HIGH
    assert activity.median == np.median(np.array(drms, dtype=float) / 20)
    cost = result.metrics["cost_per_drm"]
    assert math.isnan(cost.values[10]) and cost.flags[10] == NORMAL and cost.count == 10
    # The idle CRRA has no cost per DRM, but 0 DRM per ARM: far below the others.
    assert activity.flags[10] == LOW
    assert result.flagged.tolist() == [False] * 9 + [True, True]
    rows = result.rows()
    assert [r[1] for r in rows] == ["SAMU-09", "SAMU-10"]
    assert "DRM par ETP ARM de 0, en dessous de la borne basse" in rows[1][2][0]
    text = " ".join(rows[0][2]).replace("\u00a0", " ")
    assert "DRM par ETP ARM de 20 000, au-dessus de la borne haute" in text
    assert f"(médiane nationale : {activity.median:,.0f})".replace(",", " ") in text
    # With a threshold of 100 interquartile ranges no CRRA is flagged.
    assert not outliers(computed(scenario), 100).flagged.any()


def test_outliers_on_the_national_sample_are_few():
    results = computed(read_scenario(REPO / "samples" / "scenario_national_2014.xlsx").scenario)
    result = outliers(results)
    assert len(result.crra_ids) == 101
    assert 0 <= result.flagged.sum() < 30
    for d in result.metrics.values():
        assert d.low_fence < d.q1 <= d.median <= d.q3 < d.high_fence
