"""Properties that hold for any plan, checked on plans drawn by hypothesis."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okr_scenarios import simulate

from .tiny import effect, initiative, kr, tiny_plan

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

positive = st.floats(0.5, 50)
spread = st.tuples(positive, positive, positive).map(sorted).map(
    lambda v: {"low": v[0], "expected": v[1], "high": v[2]})
response = st.fixed_dictionaries({
    "saturation": st.sampled_from(["none", "low", "medium", "high"]),
    "carryover": st.floats(0, 0.9),
    "lag_weeks": st.integers(0, 3),
    "shape": st.floats(0.5, 3),
})


def make(**kwargs):
    return tiny_plan(Path(tempfile.mkdtemp()), **kwargs)


@SETTINGS
@given(lift=spread, resp=response, low=st.floats(-0.9, 1), step=st.floats(0.01, 1),
       week=st.integers(1, 6), running=st.booleans())
def test_more_spend_never_lowers_the_expected_value(lift, resp, low, step, week, running):
    shocks = {"less": [{"type": "budget", "change": low, "from_week": week}],
              "more": [{"type": "budget", "change": low + step, "from_week": week}]}
    plan = make(krs=[kr("K", baseline={"weekly": 10}, volatility=0.2)],
                initiatives=[initiative("I", 6000, effect("K", lift, **resp),
                                        already_running=running)],
                shocks=shocks, weeks=6)
    run = simulate(plan, draws=400, seed=1)
    less, more = run.quarter_values("less")[:, 0], run.quarter_values("more")[:, 0]
    assert np.all(more >= less - 1e-9)  # per draw, hence also in expectation
    assert more.mean() >= less.mean()


@SETTINGS
@given(multiplier=spread.map(lambda e: {k: min(v / 51, 0.99) for k, v in e.items()}),
       target=st.floats(20, 200), week=st.integers(1, 6), lift=spread)
def test_demand_below_one_never_raises_p_hit(multiplier, target, week, lift):
    plan = make(krs=[kr("K", target=target, baseline={"weekly": {"low": 2, "expected": 10,
                                                                 "high": 30}}, volatility=0.3)],
                initiatives=[initiative("I", 600, effect("K", lift))],
                shocks={"slump": [{"type": "demand", "multiplier": multiplier,
                                   "from_week": week}]}, weeks=6)
    table = simulate(plan, draws=500, seed=2).outlook().set_index("scenario")
    assert table.loc["slump", "p_hit"] <= table.loc["baseline", "p_hit"]
    assert table.loc["slump", "expected_score"] <= table.loc["baseline", "expected_score"]


@SETTINGS
@given(start=st.floats(-100, 100), gap=st.floats(-200, 200).filter(lambda g: abs(g) > 1e-3),
       base=st.tuples(st.floats(-50, 50), st.floats(0, 40), st.floats(0, 40)),
       measure=st.sampled_from(["sum", "last", "mean"]), vol=st.floats(0, 1))
def test_scores_stay_between_zero_and_one(start, gap, base, measure, vol):
    low, mid, high = base[0], base[0] + base[1], base[0] + base[1] + base[2]
    plan = make(krs=[kr("K", start=start, target=start + gap, measure=measure, volatility=vol,
                        baseline={"weekly": {"low": low, "expected": mid, "high": high}})],
                weeks=3)
    run = simulate(plan, draws=300, seed=3)
    s = run.kr_scores("baseline")
    assert np.all((s >= 0) & (s <= 1))
    table = run.outlook()
    assert table["p_hit"].between(0, 1).all() and table["expected_score"].between(0, 1).all()
