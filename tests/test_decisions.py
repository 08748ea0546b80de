"""Decisions: reallocation, resilience, sensitivity and contingency triggers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from okr_scenarios import load_plan, simulate
from okr_scenarios.cli import main
from okr_scenarios.contingency import (
    MIN_PRECISION,
    MIN_RECALL,
    best_threshold,
    contingency_plan,
    playbook_table,
)
from okr_scenarios.evaluate import Evaluator
from okr_scenarios.reallocation import AllocationSpace, ReallocationError, reallocate
from okr_scenarios.resilience import resilience
from okr_scenarios.sensitivity import sensitivity

from .conftest import ROOT
from .tiny import effect, initiative, kr, tiny_plan

EXAMPLE = ROOT / "data" / "example"


@pytest.fixture(scope="module")
def example():
    return load_plan(EXAMPLE)


# -- reallocation ------------------------------------------------------------------------

@pytest.mark.parametrize(("scenario", "budget", "from_week"), [
    ("baseline", None, 1),
    ("paid_budget_cut", None, 6),
    ("event_cancelled", 1_300_000, 4),
    ("stress", 1_700_000, 9),
])
def test_reallocation_respects_bounds_total_and_spent_money(example, scenario, budget,
                                                            from_week):
    ev = Evaluator(example, scenario, draws=800, seed=3)
    result = reallocate(example, scenario, budget=budget, from_week=from_week, evaluator=ev)
    space = AllocationSpace(example, ev, from_week)
    after = result.moves["budget_after"].to_numpy()
    assert after.sum() == pytest.approx(result.total, rel=1e-9)
    if budget is not None:
        assert result.total == budget
    assert np.all(after >= space.low - 1e-6) and np.all(after <= space.high + 1e-6)
    assert np.all(after >= space.spent - 1e-6)
    for ini, row in zip(example.initiatives, result.moves.itertuples(), strict=True):
        if ini.has_spend and row.movable:
            assert ini.min_budget - 1e-6 <= row.budget_after <= ini.max_budget + 1e-6 or \
                row.budget_after == pytest.approx(row.budget_before)
        else:
            assert row.change == 0
    assert result.score_after >= result.score_start
    if budget is None:
        assert result.score_start == pytest.approx(result.score_before)
    moved = result.moves[result.moves.change.abs() > 0.5]
    for row in moved.itertuples():
        assert row.approver == example.governance.approver(row.change)


def _grid_best(plan, scenario: str, steps: int) -> tuple[float, float]:
    """(best grid score, the reallocation's score) on the same draws."""
    ev = Evaluator(plan, scenario, draws=2000, seed=5)
    space = AllocationSpace(plan, ev, 1)
    total = space.current.sum()
    unit = total / steps
    best = -np.inf
    n = len(plan.initiatives)
    for head in itertools.product(range(steps + 1), repeat=n - 1):
        if sum(head) > steps:
            continue
        budgets = np.array([*head, steps - sum(head)], dtype=float) * unit
        if np.any(budgets < space.low - 1e-6) or np.any(budgets > space.high + 1e-6):
            continue
        best = max(best, ev.outcome(space.change(budgets)).expected())
    return best, reallocate(plan, scenario, evaluator=ev).score_after


@pytest.mark.parametrize("n_initiatives", [3, 4])
def test_reallocation_matches_an_exhaustive_grid(tmp_path, n_initiatives):
    krs = [kr("A", target=900, baseline={"weekly": {"low": 20, "expected": 30, "high": 40}},
              volatility=0.2),
           kr("B", target=500, volatility=0.2, baseline={"weekly": 10})]
    specs = [("I1", 40000, "A", 30, "medium", 1.0), ("I2", 20000, "A", 20, "high", 1.0),
             ("I3", 20000, "B", 25, "low", 1.0), ("I4", 20000, "B", 15, "medium", 2.0)]
    inis = [initiative(i, b, effect(k, {"low": lift * 0.7, "expected": lift,
                                        "high": lift * 1.3}, saturation=sat, shape=shape),
                       min_budget=0, max_budget=80000)
            for i, b, k, lift, sat, shape in specs[:n_initiatives]]
    plan = tiny_plan(tmp_path, krs, inis, {"squeeze": [
        {"type": "platform", "initiatives": ["I1"], "efficiency": 0.5}]}, weeks=8)
    for scenario in ("baseline", "squeeze"):
        grid, found = _grid_best(plan, scenario, steps=40 if n_initiatives == 3 else 16)
        assert found >= grid * (1 - 0.005), (scenario, grid, found)


def test_reallocation_refuses_an_impossible_total(example):
    with pytest.raises(ReallocationError, match="cannot be spread within the initiatives' bounds"):
        reallocate(example, "baseline", budget=100, draws=200)
    with pytest.raises(ReallocationError, match="outside the quarter"):
        reallocate(example, "baseline", from_week=14, draws=200)


def test_reallocation_moves_money_to_what_works(tmp_path):
    # I2 buys twice the lift of I1 for the same money and both are linear: all of I1's
    # movable budget should move to I2, up to I2's maximum
    plan = tiny_plan(tmp_path, [kr("K", target=1e6, volatility=0)], [
        initiative("I1", 10000, effect("K", 10), min_budget=2000, max_budget=20000),
        initiative("I2", 10000, effect("K", 20), min_budget=0, max_budget=15000)])
    result = reallocate(plan, draws=100, seed=1)
    after = dict(zip(result.moves.initiative, result.moves.budget_after, strict=True))
    assert after["I2"] == pytest.approx(15000, abs=20)
    assert after["I1"] == pytest.approx(5000, abs=20)
    assert result.score_after > result.score_before


# -- evaluator ---------------------------------------------------------------------------

def test_removing_an_enabler_stops_what_depends_on_it(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K", target=1000)], [
        initiative("LIST", 400), initiative("ADS", 400, effect("K", 10), depends_on=["LIST"])])
    ev = Evaluator(plan, "baseline", draws=50, seed=1)
    full = ev.quarter()
    removed = ev.quarter(ev.change(removed=np.array([True, False])))
    assert np.allclose(full, 40) and np.allclose(removed, 0)


# -- resilience --------------------------------------------------------------------------

def test_resilience_ranks_the_robust_initiative_above_the_fragile_one(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K", target=160, baseline={"weekly": 10}, volatility=0.1)], [
        initiative("ROBUST", 8000, effect("K", 10, saturation="medium"), channel="email",
                   max_budget=30000),
        initiative("FRAGILE", 8000, effect("K", 10), channel="paid_social", max_budget=8000),
        initiative("IDLE", 8000, effect("K", 0), channel="display")],
        {"algo": [{"type": "platform", "channels": ["paid_social"], "efficiency": 0.1}]},
        weeks=4)
    table = resilience(plan, draws=3000, seed=2).summary.set_index("initiative")
    robust, fragile = table.loc["ROBUST"], table.loc["FRAGILE"]
    assert robust.contribution > 0 and fragile.contribution > 0
    assert robust.kept_in_worst > 0.9 > 0.3 > fragile.kept_in_worst
    assert list(table.index[:2]) == ["ROBUST", "FRAGILE"]  # most resilient first
    assert table.loc["IDLE", "recommendation"] == "stop"
    assert table.loc["IDLE", "contribution"] == pytest.approx(0, abs=1e-12)
    assert table.loc["ROBUST", "recommendation"] == "scale"
    assert "highest score per 1,000 in 2 of 2 scenarios" in table.loc["ROBUST", "reason"]


# -- sensitivity -------------------------------------------------------------------------

def test_tornado_swing_matches_the_closed_form(tmp_path):
    # one week, no noise, score = V / 100 with V the baseline: swing = (12 - 8) / 100
    plan = tiny_plan(tmp_path, [
        kr("K", target=100, baseline={"weekly": {"low": 8, "expected": 10, "high": 12}}),
        kr("J", target=100, baseline={"weekly": {"low": 1, "expected": 2, "high": 3}},
           weight=3)], weeks=1)
    table = sensitivity(plan, draws=500, seed=1)
    k = table[(table.input == "kr:K:baseline") & (table.objective == "O")].iloc[0]
    assert k.swing == pytest.approx(0.04 / 4)  # K has weight 1 of 4 in the objective
    j_score = simulate(plan, draws=500, seed=1).kr_scores("baseline")[:, 1].mean()
    assert k.score_at_low == pytest.approx((0.08 + 3 * j_score) / 4)  # J keeps its draws
    j = table[(table.input == "kr:J:baseline") & (table.objective == "all")].iloc[0]
    assert j.swing == pytest.approx(3 * 0.02 / 4)
    assert list(table[table.objective == "all"].input) == ["kr:J:baseline", "kr:K:baseline"]
    assert set(table.method) == {"one at a time: input pinned at its P10 and P90, other "
                                 "inputs at their draws"}


# -- contingency -------------------------------------------------------------------------

def test_best_threshold_by_hand():
    direction, threshold, precision, recall = best_threshold(
        np.array([10.0, 11, 12, 13]), np.array([1.0, 2, 3, 11.5]))
    assert (direction, threshold, precision, recall) == ("below", 3.0, 1.0, 0.75)
    assert best_threshold(np.arange(100.0), np.arange(100.0)) is None  # indistinguishable


def test_trigger_found_when_a_leading_kr_signals_and_not_otherwise(tmp_path):
    krs = [kr("LEAD", indicator="leading", target=1000, volatility=0.1,
              baseline={"weekly": {"low": 90, "expected": 100, "high": 110}}),
           kr("LAG", target=1000, volatility=0.1, baseline={"weekly": 100})]
    plan = tiny_plan(tmp_path, krs, [initiative("I", 8000, effect("LEAD", 5),
                                                max_budget=16000)], {
        "crash": [{"type": "demand", "key_results": ["LEAD"], "multiplier": 0.5,
                   "from_week": 3}],
        "quiet": [{"type": "demand", "key_results": ["LAG"], "multiplier": 0.5,
                   "from_week": 3}]}, weeks=8)
    entries = {c.scenario: c for c in contingency_plan(plan, draws=2000, seed=4)}
    crash = entries["crash"].trigger
    assert crash is not None and crash.kr == "LEAD" and crash.direction == "below"
    assert crash.week == 3  # the first week the shock shows
    assert crash.precision >= MIN_PRECISION and crash.recall >= MIN_RECALL
    assert entries["crash"].action.from_week == 4
    assert entries["quiet"].trigger is None and entries["quiet"].action is None
    assert "no leading KR tells this scenario apart" in entries["quiet"].note
    table = playbook_table(plan, list(entries.values())).set_index("scenario")
    assert table.loc["crash", "score_change"] < 0
    assert "LEAD" in table.loc["crash", "trigger"]


# -- command line ------------------------------------------------------------------------

def test_reallocate_command_csv_and_errors(capsys):
    assert main(["reallocate", str(EXAMPLE), "--scenario", "paid_budget_cut", "--from-week",
                 "6", "--draws", "500", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header == ("initiative,name,channel,budget_before,budget_after,change,approver,"
                      "movable")
    assert main(["reallocate", str(EXAMPLE), "--scenario", "nope"]) == 2
    assert "no scenario 'nope'" in capsys.readouterr().err
    assert main(["reallocate", str(EXAMPLE), "--scenario", "baseline", "--budget", "10",
                 "--draws", "200"]) == 2
    assert "cannot be spread" in capsys.readouterr().err
