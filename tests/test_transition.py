"""The transition policy of MODEL.md (« Plafonné »): the worked example to the cent, hand
cases of each financing path, and properties over random units (pure numpy, no Qt)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import worked_example
from hypothesis import given, settings
from hypothesis import strategies as st

from migac_desktop.core.model import alloc_key, compute
from migac_desktop.core.transition import apply_policy

# -- MODEL.md's worked example of the policy ------------------------------------------

EXPECTED_FINESS = {        # FINESS: 2014, 2015, 2016, reste à converger
    "010000001": (1_843_000.00, 1_787_710.00, 1_734_078.70, -219_715.92),
    "010000002": (3_214_996.63, 3_118_546.73, 3_024_990.33, -150_007.19),
    "020000001": (8_242_003.37, 8_393_743.27, 8_540_930.97, 369_723.11),
}
EXPECTED_CRRA = {
    "SAMU-B1": (4_996_757.85, 4_914_094.70, 4_835_480.92),
    "SAMU-B2": (3_245_245.52, 3_479_648.57, 3_705_450.05),
}


def _example_policy():
    results = compute(worked_example())
    linear = [results.crra_arrays[alloc_key(y)] for y in results.years]
    policy = apply_policy(results.finess_codes, len(results.finess_names),
                          results.crra_arrays["historic"], linear, 0.03, None, years=results.years)
    return results, policy


def test_worked_example_of_the_policy_to_the_cent():
    results, policy = _example_policy()
    assert results.years == [2014, 2015, 2016]
    assert policy.unfinanceable is None
    finess = [str(f) for f in results.finess_names]
    modelled = np.bincount(results.finess_codes, weights=results.crra_arrays["modelled"],
                           minlength=len(finess))
    for code, expected in EXPECTED_FINESS.items():
        u = finess.index(code)
        got = [round(float(year.final[u]), 2) for year in policy.years]
        assert got == list(expected[:3]), code
        assert round(float(modelled[u] - policy.years[-1].final[u]), 2) == expected[3], code
    crra_ids = list(results.crra_arrays["crra_id"])
    for crra_id, expected in EXPECTED_CRRA.items():
        i = crra_ids.index(crra_id)
        assert [round(float(year.crra[i]), 2) for year in policy.years] == list(expected), crra_id
    for year in policy.years:
        assert year.final.sum() == pytest.approx(13_300_000, abs=1e-6)
        assert year.crra.sum() == pytest.approx(13_300_000, abs=1e-6)


def test_worked_example_explains_2014():
    """MODEL.md's sentence: 010000001 floored at 1 843 000, its cost paid by 020000001's
    gain, θ = 20 127.44 / 162 130.82."""
    results, policy = _example_policy()
    first = policy.years[0]
    u = [str(f) for f in results.finess_names].index("010000001")
    assert round(float(first.linear[u]), 2) == 1_822_872.56
    assert round(float(first.floor[u]), 2) == 1_843_000.00
    assert first.floored.tolist() == [True, False, False]
    assert not first.capped.any() and np.isnan(first.cap).all()
    assert round(first.net_cost, 2) == 20_127.44
    assert round(float(first.gain.sum()), 2) == 162_130.82
    assert first.theta == pytest.approx(20_127.44 / 162_130.82, rel=1e-6)      # rounded figures
    assert first.phi == 0.0 and first.shortfall == 0.0
    # Each year starts from the policy's own result of the year before.
    for before, after in zip(policy.years, policy.years[1:]):
        assert np.array_equal(after.prev, before.final)


# -- hand cases of the financing paths --------------------------------------------------

def _units(historic, *years, floor=None, cap=None):
    """One CRRA per unit."""
    codes = np.arange(len(historic))
    return apply_policy(codes, len(historic), np.array(historic, dtype=float),
                        [np.array(y, dtype=float) for y in years], floor, cap,
                        years=list(range(2014, 2014 + len(years))))


def test_gains_not_enough_then_room_above_the_floors():
    # Floors at 90: A costs 20; B's gain of 8 is all given back (θ = 1); the 12 left come
    # from B's and C's room above their floors (10 each), 6 each.
    policy = _units([100, 100, 100], [70, 108, 100], floor=0.10)
    year = policy.years[0]
    assert year.theta == 1.0
    assert year.room_rate == pytest.approx(0.6)
    assert year.final.tolist() == pytest.approx([90, 94, 94])
    assert policy.unfinanceable is None


def test_caps_paid_by_the_losses_then_room_below_the_caps():
    # Caps at 110: A frees 30; B's loss of 10 is given back (φ = 1); the 20 left go to the
    # room below the caps: B 10 and C 10.
    policy = _units([100, 100, 100], [140, 90, 100], cap=0.10)
    year = policy.years[0]
    assert year.capped.tolist() == [True, False, False]
    assert year.phi == 1.0
    assert year.final.tolist() == pytest.approx([110, 110, 110])
    assert year.shortfall == pytest.approx(0.0, abs=1e-9)
    assert policy.unfinanceable is None


def test_losses_partly_given_back():
    policy = _units([100, 100, 100], [120, 80, 100], cap=0.10)
    year = policy.years[0]
    assert year.phi == pytest.approx(0.5)
    assert year.final.tolist() == pytest.approx([110, 90, 100])


def test_a_unit_whose_crra_are_all_zero_shares_equally():
    codes = np.array([0, 0, 1])
    policy = apply_policy(codes, 2, np.array([50.0, 50.0, 100.0]),
                          [np.array([0.0, 0.0, 200.0])], 0.5, None)
    year = policy.years[0]
    assert year.final.tolist() == pytest.approx([50, 150])
    assert year.crra.tolist() == pytest.approx([25, 25, 150])


def test_a_tiny_linear_sum_raised_to_its_floor_is_shared_without_overflow():
    codes = np.array([0, 0, 1])
    policy = apply_policy(codes, 2, np.array([2.0, 2.0, 100.0]),
                          [np.array([1e-308, 0.0, 200.0])], 0.0, None)
    crra = policy.years[0].crra
    assert np.isfinite(crra).all()
    assert crra.tolist() == pytest.approx([4, 0, 196])


def test_a_new_centre_has_no_bounds():
    policy = _units([0, 100], [100, 100], cap=0.10, floor=0.0)
    year = policy.years[0]
    assert np.isnan(year.floor[0]) and np.isnan(year.cap[0])
    assert not year.guaranteed.any()
    assert year.final.tolist() == [100, 100]


def test_floors_above_the_total_are_unfinanceable_in_the_right_year():
    # 2014 unchanged; in 2015 the floors (180) exceed the year's total (100) by 80.
    policy = _units([100, 100], [100, 100], [50, 50], [40, 40], floor=0.10)
    bad = policy.unfinanceable
    assert bad is not None
    assert (bad.year, bad.index, bad.side) == (2015, 1, "floors")
    assert bad.amount == pytest.approx(80.0)
    # Reported, not raised: the year's units are left at their floors, the next years go on.
    assert policy.years[1].final.tolist() == pytest.approx([90, 90])
    assert len(policy.years) == 3


def test_caps_below_the_total_are_unfinanceable():
    policy = _units([100, 100], [300, 100], cap=0.20)
    bad = policy.unfinanceable
    assert bad is not None and (bad.year, bad.side) == (2014, "caps")
    assert bad.amount == pytest.approx(400 - 240)


def test_within_the_cent_the_remainder_is_left_unplaced():
    policy = _units([100, 100], [89.995, 90.0], floor=0.10)
    assert policy.unfinanceable is None
    assert policy.years[0].shortfall == pytest.approx(0.005)
    assert policy.years[0].final.tolist() == pytest.approx([90, 90])


# -- properties ---------------------------------------------------------------------------

AMOUNT = st.one_of(st.just(0.0), st.floats(0, 1e7, allow_nan=False, allow_subnormal=False))
# Deterministic, as the project's other property tests: the same examples on every run.
PROPERTY = dict(deadline=None, derandomize=True, database=None)
BOUND = st.one_of(st.none(), st.floats(0, 1, allow_nan=False, allow_subnormal=False))


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 25))
    n_units = draw(st.integers(1, n))
    codes = np.array(draw(st.lists(st.integers(0, n_units - 1), min_size=n, max_size=n)))
    historic = np.array(draw(st.lists(AMOUNT, min_size=n, max_size=n)))
    n_years = draw(st.integers(1, 4))
    linear = [np.array(draw(st.lists(AMOUNT, min_size=n, max_size=n))) for _ in range(n_years)]
    return codes, n_units, historic, linear


def _run(case, floor, cap):
    codes, n_units, historic, linear = case
    return apply_policy(codes, n_units, historic, linear, floor, cap)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@settings(max_examples=300, **PROPERTY)
@given(scenarios(), BOUND, BOUND)
def test_each_year_total_is_the_linear_one(case, floor, cap):
    policy = _run(case, floor, cap)
    codes, n_units, _, linear = case
    for year, lin in zip(policy.years, linear):
        total = float(year.crra.sum())
        # Budget-neutral, but for what the rooms could not place (within the cent, or a
        # year reported unfinanceable).
        assert abs(total - float(lin.sum())) <= year.shortfall + 1e-9 * float(lin.sum()) + 1e-6
        if year.shortfall == 0:
            assert _close(total, float(lin.sum()))
        # The CRRA's shares add up to their unit's amount.
        sums = np.bincount(codes, weights=year.crra, minlength=n_units)
        assert np.allclose(sums, year.final, rtol=1e-9, atol=1e-6)
    if policy.unfinanceable is None:
        assert all(y.shortfall <= 0.01 for y in policy.years)


@settings(max_examples=300, **PROPERTY)
@given(scenarios(), BOUND, BOUND)
def test_every_unit_stays_within_its_floor_and_cap(case, floor, cap):
    policy = _run(case, floor, cap)
    for year in policy.years:
        lo = np.where(np.isnan(year.floor), -np.inf, year.floor)
        hi = np.where(np.isnan(year.cap), np.inf, year.cap)
        assert (year.final >= lo - 0.01).all()
        assert (year.final <= hi + 0.01).all()
        assert (year.final >= -1e-6).all()
        assert np.array_equal(np.isnan(year.floor), (year.prev == 0) | (floor is None))


@settings(max_examples=200, **PROPERTY)
@given(scenarios())
def test_no_bound_is_the_linear_path_exactly(case):
    for year, lin in zip(_run(case, None, None).years, case[3]):
        assert np.array_equal(year.crra, lin)
        assert year.theta == year.phi == year.net_cost == 0.0


@settings(max_examples=200, **PROPERTY)
@given(scenarios())
def test_losing_everything_allowed_and_no_cap_is_the_linear_path_exactly(case):
    for year, lin in zip(_run(case, 1.0, None).years, case[3]):
        assert np.array_equal(year.crra, lin)
        assert not year.guaranteed.any()


@settings(max_examples=200, **PROPERTY)
@given(st.lists(st.floats(1, 1e7, allow_nan=False), min_size=1, max_size=20),
       st.floats(0, 0.5, allow_nan=False), st.floats(0.02, 0.9, allow_nan=False), st.integers(0, 2))
def test_floors_above_the_year_total_are_reported(historic, loss, cut, bad_index):
    # Every unit has a floor; a year whose total is below the sum of the floors cannot be
    # financed, by exactly the difference, whichever way the total is spread.
    h = np.array(historic)
    floors = float((h * (1 - loss)).sum())
    total = floors * (1 - cut)
    if floors - total <= 0.02:
        return
    rng = np.random.default_rng(len(historic))
    spread = rng.dirichlet(np.ones(len(h))) * total
    years = [h.copy() for _ in range(bad_index)] + [spread, h.copy()]
    policy = apply_policy(np.arange(len(h)), len(h), h, years, loss, None, years=[2014, 2015, 2016, 2017][:len(years)])
    bad = policy.unfinanceable
    assert bad is not None
    assert bad.index == bad_index and bad.year == 2014 + bad_index and bad.side == "floors"
    assert bad.amount == pytest.approx(floors - total, rel=1e-9, abs=1e-6)
