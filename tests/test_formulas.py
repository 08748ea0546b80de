"""Each formula of PLAN_FORMAT.md "Numbers" against hand-computed values.

Noise and uncertainty are switched off (volatility 0, plain numbers), so every draw equals
the formula's value exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from okr_scenarios import simulate

from .tiny import effect, initiative, kr, tiny_plan, weekly


def test_adstock_from_a_cold_start(tmp_path):
    # x0 = 400 / 4 = 100; e(t) = 0.5 x + 0.5 e(t-1), e(0) = 0; linear response e / x0
    plan = tiny_plan(tmp_path, [kr("K")],
                     [initiative("I", 400, effect("K", 10, carryover=0.5))])
    assert_allclose(weekly(plan), [5, 7.5, 8.75, 9.375])


def test_adstock_already_running_starts_in_steady_state(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K")], [initiative(
        "I", 400, effect("K", 10, carryover=0.5), already_running=True)])
    assert_allclose(weekly(plan), [10, 10, 10, 10])


def test_planned_spend_counts_only_active_weeks(tmp_path):
    # active weeks 2..3: x0 = 200 / 2 = 100, spend 0 before and after; carryover 0.5
    plan = tiny_plan(tmp_path, [kr("K")], [initiative(
        "I", 200, effect("K", 10, carryover=0.5), active_weeks=[2, 3])])
    assert plan.initiatives[0].weekly_spend == 100
    assert_allclose(weekly(plan), [0, 5, 7.5, 3.75])


@pytest.mark.parametrize(("saturation", "expected_ratio"), [
    ("none", 0.5),           # H(x) = x: 50 / 100
    ("low", (50 / 350) / (100 / 400)),     # K = 3 x0 = 300
    ("medium", (50 / 150) / (100 / 200)),  # K = x0 = 100
    ("high", (50 / (50 + 100 / 3)) / (100 / (100 + 100 / 3))),  # K = x0 / 3
])
def test_hill_ratio_under_a_budget_cut(tmp_path, saturation, expected_ratio):
    plan = tiny_plan(tmp_path, [kr("K")],
                     [initiative("I", 400, effect("K", 12, saturation=saturation))],
                     {"cut": [{"type": "budget", "change": -0.5, "from_week": 3}]})
    assert_allclose(weekly(plan, "cut"), [12, 12, 12 * expected_ratio, 12 * expected_ratio])
    assert_allclose(weekly(plan, "baseline"), [12] * 4)


def test_hill_with_half_saturation_and_shape(tmp_path):
    # K = 50, s = 2: H(100) = 1e4 / (1e4 + 2500) = 0.8, H(50) = 0.5, ratio 0.625
    eff = {"kr": "K", "lift": 8, "half_saturation": 50, "shape": 2}
    plan = tiny_plan(tmp_path, [kr("K")], [initiative("I", 400, eff)],
                     {"cut": [{"type": "budget", "change": -0.5, "from_week": 2}]})
    assert_allclose(weekly(plan, "cut"), [8, 5, 5, 5])


def test_lag_uses_pre_quarter_spend(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K")], [
        initiative("A", 400, effect("K", 10, lag_weeks=2)),
        initiative("B", 400, effect("K", 1, lag_weeks=2), already_running=True)])
    assert_allclose(weekly(plan), [1, 1, 11, 11])


def test_effort_with_no_budget_gives_its_lift_in_active_weeks_after_the_lag(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K")], [
        initiative("E", 0, effect("K", 5, lag_weeks=1), active_weeks=[2, 3])])
    assert_allclose(weekly(plan), [0, 0, 5, 5])


def test_trend_compounds_from_week_one(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K", baseline={"weekly": 100, "trend": 0.1})])
    assert_allclose(weekly(plan), [100, 110, 121, 133.1])


def test_funnel_lag_and_pre_quarter_level(tmp_path):
    # KR1 pre-quarter = baseline median 100 + median lift 10 of the already-running initiative
    # KR2 = 2 x KR1 two weeks earlier; KR3 = 0.5 x KR2 one week earlier
    krs = [kr("K1", baseline={"weekly": {"low": 90, "expected": 100, "high": 110}}),
           kr("K2", derived_from=[{"kr": "K1", "rate": 2, "lag_weeks": 2}]),
           kr("K3", derived_from=[{"kr": "K2", "rate": 0.5, "lag_weeks": 1}])]
    plan = tiny_plan(tmp_path, krs, [initiative(
        "I", 400, effect("K1", {"low": 5, "expected": 10, "high": 20}), already_running=True)])
    run = simulate(plan, draws=200, seed=3)
    v = run.weekly_values("baseline")  # (draws, weeks, krs)
    k1 = v[:, :, 0]
    assert_allclose(v[:, :, 1], np.column_stack([np.full((200, 2), 220.0), 2 * k1[:, :2]]))
    pre_k2 = 2 * 110  # the funnel starts the quarter in steady state
    assert_allclose(v[:, :, 2], np.column_stack([np.full(200, 0.5 * pre_k2),
                                                 0.5 * v[:, :3, 1]]))


def test_funnel_adds_to_the_derived_krs_own_baseline(tmp_path):
    krs = [kr("K1", baseline={"weekly": 10}),
           kr("K2", baseline={"weekly": 1}, derived_from=[{"kr": "K1", "rate": 3}])]
    plan = tiny_plan(tmp_path, krs)
    assert_allclose(weekly(plan, kr_id="K2"), [31] * 4)


@pytest.mark.parametrize(("measure", "value"), [("sum", 10 + 11 + 12 + 13), ("last", 13),
                                                ("mean", 11.5)])
def test_quarter_value_by_measure(tmp_path, measure, value):
    plan = tiny_plan(tmp_path, [kr("K", measure=measure, baseline={"weekly": 10})],
                     [initiative("E", 0, effect("K", 1), active_weeks=[2, 4])] +
                     [initiative("F", 0, effect("K", 1), active_weeks=[3, 4])] +
                     [initiative("G", 0, effect("K", 1), active_weeks=[4, 4])])
    run = simulate(plan, draws=2, seed=0)
    assert_allclose(run.quarter_values("baseline")[:, 0], value)


@pytest.mark.parametrize(("start", "target", "weekly_value", "score"), [
    (0, 100, 20, 0.8),     # (80 - 0) / 100
    (0, 100, 30, 1.0),     # above target: clipped, a hit
    (40, 100, 5, 0.0),     # below start: clipped to 0
    (10, 5, 7 / 4, 0.6),   # decreasing KR: (7 - 10) / (5 - 10)
    (10, 5, 1, 1.0),       # decreasing and below target: a hit
    (10, 5, 3, 0.0),       # decreasing but above start
])
def test_score_for_increasing_and_decreasing_krs(tmp_path, start, target, weekly_value, score):
    plan = tiny_plan(tmp_path, [kr("K", start=start, target=target,
                                   baseline={"weekly": weekly_value})])
    run = simulate(plan, draws=2, seed=0)
    assert_allclose(run.kr_scores("baseline")[:, 0], score)
    assert run.outlook()["p_hit"].iloc[0] == (1.0 if score == 1 else 0.0)


def test_objective_score_is_the_weighted_mean_of_its_krs(tmp_path):
    objectives = [{"id": "O1", "name": "One", "key_results": [
        kr("A", target=100, baseline={"weekly": 12.5}),            # score 0.5
        kr("B", target=100, weight=3, baseline={"weekly": 30})]},  # score 1
        {"id": "O2", "name": "Two", "key_results": [kr("C", target=10, baseline={"weekly": 1})]}]
    plan = tiny_plan(tmp_path, [], objectives=objectives)
    run = simulate(plan, draws=2, seed=0)
    assert_allclose(run.objective_scores("baseline")[0], [(0.5 + 3 * 1.0) / 4, 0.4])
    table = run.objectives()
    assert_allclose(table["expected_score"], [0.875, 0.4])
    assert list(table["p_score_0_7"]) == [1.0, 0.0]


def test_platform_shock_multiplies_lift_from_its_week(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K", baseline={"weekly": 100})],
                     [initiative("I", 400, effect("K", 10, lag_weeks=1), already_running=True),
                      initiative("J", 400, effect("K", 1))],
                     {"algo": [{"type": "platform", "initiatives": ["I"], "efficiency": 0.5,
                                "from_week": 3}]})
    assert_allclose(weekly(plan, "algo"), [111, 111, 106, 106])


def test_demand_shock_multiplies_baseline_and_lifts_not_funnel_inflow(tmp_path):
    krs = [kr("K1", baseline={"weekly": 100}),
           kr("K2", baseline={"weekly": 10}, derived_from=[{"kr": "K1", "rate": 1}])]
    plan = tiny_plan(tmp_path, krs, [initiative("I", 400, effect("K1", 20))],
                     {"slump": [{"type": "demand", "multiplier": 0.5, "from_week": 2,
                                 "key_results": ["K1", "K2"]}]})
    assert_allclose(weekly(plan, "slump", "K1"), [120, 60, 60, 60])
    assert_allclose(weekly(plan, "slump", "K2"), [130, 65, 65, 65])


def test_demand_shock_defaults_to_every_sum_kr(tmp_path):
    krs = [kr("S", baseline={"weekly": 10}), kr("L", measure="last", baseline={"weekly": 10})]
    plan = tiny_plan(tmp_path, krs, shocks={"slump": [{"type": "demand", "multiplier": 0.5}]})
    assert plan.scenario("slump").shocks[0].targets == ("S",)
    assert_allclose(weekly(plan, "slump", "S"), [5] * 4)
    assert_allclose(weekly(plan, "slump", "L"), [10] * 4)


@pytest.mark.parametrize(("change", "dependent_lift"), [(-1.0, [3, 3, 0, 0]),
                                                        (-0.5, [3, 3, 3, 3])])
def test_dependent_initiative_stops_when_its_dependency_is_stopped(tmp_path, change,
                                                                    dependent_lift):
    plan = tiny_plan(tmp_path, [kr("A"), kr("B")], [
        initiative("I", 400, effect("A", 10)),
        initiative("J", 0, effect("B", 3), depends_on=["I"])],
        {"cut": [{"type": "budget", "initiatives": ["I"], "change": change, "from_week": 3}]})
    assert_allclose(weekly(plan, "cut", "B"), dependent_lift)
    assert_allclose(weekly(plan, "cut", "A"), [10, 10, 10 * (1 + change), 10 * (1 + change)])


def test_budget_shock_selects_by_channel_and_team(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K")], [
        initiative("I", 400, effect("K", 10), team="Demand"),
        initiative("J", 400, effect("K", 1), team="Brand")],
        {"cut": [{"type": "budget", "teams": ["Brand"], "change": -1.0}]})
    assert plan.scenario("cut").shocks[0].targets == ("J",)
    assert_allclose(weekly(plan, "cut"), [10] * 4)


def test_platform_shock_can_select_an_effort_explicitly(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K")], [
        initiative("I", 400, effect("K", 10)),
        initiative("E", 0, effect("K", 4), channel="organic_social")],
        {"algo": [{"type": "platform", "channels": ["organic_social"], "efficiency": 0.25}],
         "all": [{"type": "platform", "efficiency": 0.5}]})
    assert_allclose(weekly(plan, "algo"), [11] * 4)
    assert plan.scenario("all").shocks[0].targets == ("I",)  # no selector: initiatives with spend
    assert_allclose(weekly(plan, "all"), [9] * 4)
