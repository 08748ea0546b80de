"""Check-ins: conditioning on actuals, calibration, and the check-in tables."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from okr_scenarios import load_plan, simulate
from okr_scenarios.checkin import (
    CheckInError,
    checkin_table,
    condition,
    initiative_table,
    latest_week,
)

from .conftest import ROOT, write_plan
from .tiny import effect, initiative, kr

WEEKS, AS_OF = 10, 4


def _plan_dicts():
    krs = [kr("LEADS", target=1100, indicator="leading", volatility=0.15,
              baseline={"weekly": {"low": 50, "expected": 80, "high": 110}}),
           kr("DEALS", target=90, volatility=0.2,
              derived_from=[{"kr": "LEADS", "rate": {"low": 0.05, "expected": 0.08,
                                                     "high": 0.11}, "lag_weeks": 1}])]
    plan = {"name": "Calibration", "quarter": "Q", "start": "2027-01-04", "weeks": WEEKS,
            "objectives": [{"id": "O", "name": "Grow", "key_results": krs}],
            "initiatives": [initiative("ADS", 10000, effect("LEADS", {"low": 10, "expected": 30,
                                                                      "high": 50}))]}
    return plan, {"scenarios": [{"id": "baseline", "name": "Plan"}]}


def _actuals(weekly: np.ndarray, as_of: int) -> str:
    """actuals.csv text from one draw's weekly values (weeks, krs), up to week ``as_of``."""
    rows = ["week,kr,value,confidence,note"]
    for t in range(as_of):
        for k, name in enumerate(["LEADS", "DEALS"]):
            rows.append(f"{t + 1},{name},{float(weekly[t, k])!r},high,")
    return "\n".join(rows) + "\n"


@pytest.mark.slow
def test_conditioned_80_percent_interval_covers_the_truth_and_is_narrower(tmp_path):
    """Truths are drawn from the model itself; given their first weeks, the conditioned 80%
    interval of the quarter value should hold the truth in 80% of trials.

    Tolerance: 150 trials x 2 KRs; the binomial SE of a coverage of 0.8 over 300 (not quite
    independent) checks is about 0.023, so [0.70, 0.90] allows about four SEs, plus the
    resampling approximation.
    """
    plan_dict, scenarios = _plan_dicts()
    base = load_plan(write_plan(tmp_path / "base", plan_dict, scenarios, actuals=None))
    truths = simulate(base, draws=150, seed=99)
    weekly_truth = truths.weekly_values("baseline")
    quarter_truth = truths.quarter_values("baseline")
    covered, widths_now, widths_plan = [], [], []
    for trial in range(150):
        folder = write_plan(tmp_path / f"t{trial}", plan_dict, scenarios,
                            actuals=_actuals(weekly_truth[trial], AS_OF))
        result = condition(load_plan(folder), draws=3000, seed=trial)
        assert result.explained
        now, prior = result.quarter(), result.prior_quarter()
        for k in range(2):
            lo, hi = np.quantile(now[k], [0.1, 0.9])
            covered.append(lo <= quarter_truth[trial, k] <= hi)
            widths_now.append(hi - lo)
            p_lo, p_hi = np.quantile(prior[k], [0.1, 0.9])
            widths_plan.append(p_hi - p_lo)
    coverage = np.mean(covered)
    assert 0.70 <= coverage <= 0.90, coverage
    assert np.mean(widths_now) < 0.75 * np.mean(widths_plan)


def test_observed_weeks_are_fixed_and_missing_ones_simulated(tmp_path):
    plan_dict, scenarios = _plan_dicts()
    actuals = ("week,kr,value,confidence,note\n1,LEADS,100,high,\n2,LEADS,,low,CRM down\n"
               "3,LEADS,120,medium,\n1,DEALS,7,high,\n")
    plan = load_plan(write_plan(tmp_path, plan_dict, scenarios, actuals=actuals))
    result = condition(plan, as_of_week=3, draws=2000, seed=1)
    leads = result.weekly[0]
    assert np.all(leads[0] == 100) and np.all(leads[2] == 120)
    assert np.std(leads[1]) > 0  # week 2 was not measured: simulated, not zero
    assert np.all(result.weekly[1, 0] == 7)
    # DEALS in week 2 grows from the observed LEADS of week 1: rate x 100 x noise
    assert np.all(result.weekly[1, 1] > 0)
    table = checkin_table(result).set_index("kr")
    assert table.loc["LEADS", "actual"] == 220  # the measured weeks only
    assert "total of 2 measured weeks" in table.loc["LEADS", "to_date"]
    assert table.loc["LEADS", "notes"] == "week 2: CRM down"
    assert table.loc["LEADS", "confidence"] == "medium"


def test_actuals_far_below_plan_flag_the_kr_and_lower_p_hit(tmp_path):
    plan_dict, scenarios = _plan_dicts()
    actuals = "week,kr,value,confidence,note\n" + "".join(
        f"{t},LEADS,{40 + t},high,\n" for t in range(1, 5))
    plan = load_plan(write_plan(tmp_path, plan_dict, scenarios, actuals=actuals))
    result = condition(plan, draws=4000, seed=2)
    assert result.as_of_week == 4
    table = checkin_table(result).set_index("kr")
    row = table.loc["LEADS"]
    assert row.flag == "below" and row.actual == 41 + 42 + 43 + 44
    assert row.p_hit_now < row.p_hit_plan - 3 * row.p_hit_now_se
    ideas = initiative_table(result, table.reset_index()).set_index("initiative")
    assert ideas.loc["ADS", "suggestion"] in {"modify", "discard"}
    assert "LEADS" in ideas.loc["ADS", "behind"]
    # the actuals pull the baseline and the lift down: lift below plan
    assert ideas.loc["ADS", "lift_vs_plan"] < 1


def test_same_seed_same_check_in(tmp_path):
    plan = load_plan(ROOT / "data" / "example")
    a, b = condition(plan, draws=1500, seed=5), condition(plan, draws=1500, seed=5)
    assert_allclose(a.weekly, b.weekly)
    assert a.as_of_week == latest_week(plan) == 6


def test_unexplained_actuals_are_said_plainly(tmp_path):
    plan_dict, scenarios = _plan_dicts()
    actuals = "week,kr,value,confidence,note\n" + "".join(
        f"{t},LEADS,{5000 * t},high,\n" for t in range(1, 5))  # absurd for this plan
    plan = load_plan(write_plan(tmp_path, plan_dict, scenarios, actuals=actuals))
    result = condition(plan, draws=500, seed=3, max_draws=2000)
    assert result.draws == 2000  # drew more before giving up
    assert "LEADS" in result.unexplained and not result.explained


def test_actuals_no_draw_can_produce_are_unexplained(tmp_path):
    plan_dict, scenarios = _plan_dicts()
    plan_dict["objectives"][0]["key_results"].append(kr("IDLE", target=10))  # always 0
    actuals = "week,kr,value,confidence,note\n1,IDLE,5,high,\n1,LEADS,100,high,\n"
    plan = load_plan(write_plan(tmp_path, plan_dict, scenarios, actuals=actuals))
    result = condition(plan, draws=2000, seed=1, max_draws=2000)
    assert result.unexplained == ["IDLE"]
    assert result.block_ess[2] == 0 and result.block_ess[0] > 500


def test_check_in_needs_actuals_and_a_week_in_the_quarter(tmp_path):
    plan_dict, scenarios = _plan_dicts()
    plan = load_plan(write_plan(tmp_path, plan_dict, scenarios, actuals=None))
    with pytest.raises(CheckInError, match="no measured values"):
        condition(plan)
    plan = load_plan(write_plan(tmp_path / "b", plan_dict, scenarios,
                                actuals="week,kr,value\n3,LEADS,50\n"))
    with pytest.raises(CheckInError, match="outside the quarter"):
        condition(plan, as_of_week=11)
    with pytest.raises(CheckInError, match="no measured values up to week 2"):
        condition(plan, as_of_week=2)
