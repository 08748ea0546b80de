"""Outlook tables: columns, standard errors, fan bands and paired comparisons."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from okr_scenarios import SimulationError, simulate
from okr_scenarios.outlook import KR_COLUMNS, OBJECTIVE_COLUMNS

from .tiny import effect, initiative, kr, tiny_plan


@pytest.fixture
def run(tmp_path):
    krs = [kr("S", target=50, baseline={"weekly": {"low": 8, "expected": 10, "high": 13}},
              volatility=0.2),
           kr("L", target=12, measure="last", baseline={"weekly": 10}, volatility=0.2)]
    plan = tiny_plan(tmp_path, krs, [initiative("I", 400, effect("S", 2))],
                     {"cut": [{"type": "budget", "change": -1, "from_week": 2}]}, weeks=5)
    return simulate(plan, draws=3000, seed=12)


def test_kr_outlook_columns_and_values(run):
    table = run.outlook()
    assert list(table.columns) == KR_COLUMNS
    assert list(table["scenario"]) == ["baseline", "baseline", "cut", "cut"]
    v = run.quarter_values("cut")[:, 0]
    row = table.iloc[2]
    p = np.mean(v >= 50)
    assert row.p_hit == p and row.p_hit_se == pytest.approx(np.sqrt(p * (1 - p) / 3000))
    assert row["mean"] == pytest.approx(v.mean())
    assert_allclose([row.p10, row.p50, row.p90], np.quantile(v, [0.1, 0.5, 0.9]))
    assert row.expected_score == pytest.approx(np.clip(v / 50, 0, 1).mean())


def test_objective_outlook_columns_and_standard_error(run):
    table = run.objectives()
    assert list(table.columns) == OBJECTIVE_COLUMNS
    score = run.objective_scores("baseline")[:, 0]
    p = np.mean(score >= 0.7)
    assert table.iloc[0].p_score_0_7 == pytest.approx(p)
    assert table.iloc[0].p_score_0_7_se == pytest.approx(np.sqrt(p * (1 - p) / 3000))


def test_bands_are_cumulative_for_sum_krs_and_levels_otherwise(run):
    bands = run.bands()
    assert list(bands.columns) == ["scenario", "kr", "week", "p10", "p50", "p90"]
    weekly = run.weekly_values("baseline")
    s = bands[(bands.scenario == "baseline") & (bands.kr == "S")]
    assert_allclose(s.p50, np.median(np.cumsum(weekly[:, :, 0], axis=1), axis=0))
    level = bands[(bands.scenario == "baseline") & (bands.kr == "L")]
    assert_allclose(level.p90, np.quantile(weekly[:, :, 1], 0.9, axis=0))
    assert (np.diff(s.p50) > 0).all()
    assert len(run.bands("L")) == 2 * 5


def test_compare_pairs_draws(run):
    table = run.compare("baseline")
    assert set(table.scenario) == {"cut"}
    hit_b = run.quarter_values("baseline")[:, 0] >= 50
    hit_c = run.quarter_values("cut")[:, 0] >= 50
    row = table[table.kr == "S"].iloc[0]
    d = hit_c.astype(float) - hit_b
    assert row.p_hit_diff == pytest.approx(d.mean())
    assert row.p_hit_diff_se == pytest.approx(np.sqrt(d.var() / 3000))
    assert row.p_hit_diff < 0
    untouched = table[table.kr == "L"].iloc[0]  # the cut does not reach L: identical draws
    assert untouched.p_hit_diff == 0 and untouched.p_hit_diff_se == 0


def test_weekly_values_can_be_dropped(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K", baseline={"weekly": 1})])
    run = simulate(plan, draws=10, seed=1, weekly=False)
    assert not run.has_weekly
    with pytest.raises(SimulationError, match="did not keep weekly values"):
        run.bands()
    assert len(run.outlook()) == 1


def test_unknown_scenario_is_named(run):
    from okr_scenarios import ScenarioError
    with pytest.raises(ScenarioError, match="no scenario 'nope' in the plan; known: baseline, cut"):
        run.quarter_values("nope")
    only = simulate(run.plan, draws=10, seed=1, scenarios=["cut"])
    with pytest.raises(SimulationError, match="was not part of this run"):
        only.quarter_values("baseline")


@pytest.mark.parametrize(("change", "role"), [
    (0, "Team lead"), (10000, "Team lead"), (-10000, "Team lead"), (10000.01, "Head"),
    (50000, "Head"), (-50001, "CMO"), (1e9, "CMO")])
def test_approver_by_size_of_change_boundaries_included(change, role):
    from okr_scenarios.model import ApprovalTier, Governance
    gov = Governance(approves_reallocation=(ApprovalTier("Team lead", 10000),
                                            ApprovalTier("Head", 50000), ApprovalTier("CMO")))
    assert gov.approver(change) == role
