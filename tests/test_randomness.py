"""Seeds, common random numbers and quasi-random sampling."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from okr_scenarios import SimulationError, load_plan, simulate
from okr_scenarios.sampling import BLOCK, resolve_seed

from .conftest import DATA
from .tiny import effect, initiative, kr, tiny_plan


@pytest.fixture(scope="module")
def plan():
    with pytest.warns(UserWarning):  # the format page's example names a channel it lacks
        return load_plan(DATA / "plan_format_example")


def test_same_seed_gives_bit_identical_results(plan):
    a = simulate(plan, draws=2000, seed=42)
    b = simulate(plan, draws=2000, seed=42)
    for scenario in a.scenario_ids:
        assert_array_equal(a.weekly_values(scenario), b.weekly_values(scenario))
    assert a.outlook().equals(b.outlook())


def test_seed_zero_is_a_seed(plan):
    a, b = simulate(plan, draws=500, seed=0), simulate(plan, draws=500, seed=0)
    assert_array_equal(a.quarter_values("baseline"), b.quarter_values("baseline"))
    other = simulate(plan, draws=500, seed=1).quarter_values("baseline")
    assert not np.array_equal(a.quarter_values("baseline"), other)


def test_no_seed_records_the_entropy_it_used(plan):
    a = simulate(plan, draws=300, seed=None)
    again = simulate(plan, draws=300, seed=a.seed)
    assert_array_equal(a.quarter_values("baseline"),
                       again.quarter_values("baseline"))


def test_generator_seed_is_reproducible(plan):
    a = simulate(plan, draws=300, seed=np.random.default_rng(3))
    b = simulate(plan, draws=300, seed=np.random.default_rng(3))
    assert_array_equal(a.quarter_values("baseline"), b.quarter_values("baseline"))


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True])
def test_bad_seed_is_refused(bad):
    with pytest.raises(SimulationError, match="seed must be"):
        resolve_seed(bad)


def test_first_draws_do_not_depend_on_the_total(plan):
    small = simulate(plan, draws=1000, seed=5)
    large = simulate(plan, draws=BLOCK + 1000, seed=5)  # crosses a chunk boundary
    for scenario in small.scenario_ids:
        assert_array_equal(small.weekly_values(scenario),
                           large.weekly_values(scenario)[:1000])


def test_adding_a_scenario_leaves_the_others_unchanged(plan):
    both = simulate(plan, draws=1000, seed=5, scenarios=["baseline", "demand_slump"])
    one = simulate(plan, draws=1000, seed=5, scenarios=["demand_slump"])
    assert_array_equal(both.quarter_values("demand_slump"), one.quarter_values("demand_slump"))


def test_adding_an_initiative_leaves_other_krs_draws_unchanged(tmp_path):
    krs = [kr("A", baseline={"weekly": {"low": 5, "expected": 10, "high": 20}}, volatility=0.2),
           kr("B", baseline={"weekly": {"low": 5, "expected": 10, "high": 20}}, volatility=0.2)]
    lift = {"low": 1, "expected": 2, "high": 4}
    before = tiny_plan(tmp_path, krs, [initiative("I", 400, effect("A", lift))])
    after = tiny_plan(tmp_path, krs, [initiative("I", 400, effect("A", lift)),
                                      initiative("J", 400, effect("B", lift))])
    a = simulate(before, draws=3000, seed=1).quarter_values("baseline")
    b = simulate(after, draws=3000, seed=1).quarter_values("baseline")
    assert_array_equal(a[:, 0], b[:, 0])          # KR A: same draws
    assert np.all(b[:, 1] > a[:, 1])              # KR B: same noise, plus J's lift


def test_common_random_numbers_shrink_the_error_of_a_difference(plan):
    n = 4000
    paired = simulate(plan, draws=n, seed=1).compare("baseline")
    row = paired[(paired.scenario == "platform_change") & (paired.kr == "KR1.1")].iloc[0]
    # the same difference estimated from two independent runs
    base = simulate(plan, draws=n, seed=1, scenarios=["baseline"]).kr_scores("baseline")[:, 0]
    other = simulate(plan, draws=n, seed=2, scenarios=["platform_change"])
    shocked = other.kr_scores("platform_change")[:, 0]
    independent_se = np.sqrt(base.var() / n + shocked.var() / n)
    assert row.expected_score_diff_se < independent_se / 5
    assert row.expected_score_diff < 0


def test_sobol_lowers_the_error_of_an_estimated_mean(tmp_path):
    # linear-scale split normals: E = m + (s_high - s_low) / sqrt(2 pi), s = spread / Z90
    from okr_scenarios.sampling import Z90
    base = {"low": 0, "expected": 100, "high": 150}
    lift = {"low": -5, "expected": 20, "high": 30}
    plan = tiny_plan(tmp_path, [kr("K", baseline={"weekly": base})],
                     [initiative("E", 0, effect("K", lift))], weeks=2)

    def mean(est):
        return est["expected"] + ((est["high"] - est["expected"])
                                  - (est["expected"] - est["low"])) / Z90 / np.sqrt(2 * np.pi)
    truth = 2 * (mean(base) + mean(lift))

    def rmse(method):
        errors = [simulate(plan, draws=1024, seed=s, method=method)
                  .quarter_values("baseline")[:, 0].mean() - truth for s in range(16)]
        return np.sqrt(np.mean(np.square(errors)))

    plain, sobol = rmse("random"), rmse("sobol")
    assert sobol < plain / 3, (plain, sobol)


def test_unknown_method_and_bad_draws_are_refused(plan):
    with pytest.raises(SimulationError, match="not a sampling method"):
        simulate(plan, draws=10, method="halton")
    with pytest.raises(SimulationError, match="draws must be"):
        simulate(plan, draws=0)
