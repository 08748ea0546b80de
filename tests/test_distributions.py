"""Simulated distributions against closed forms, within three Monte Carlo standard errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from okr_scenarios import simulate
from okr_scenarios.model import Estimate
from okr_scenarios.sampling import Z90, Streams, split_normal_ppf

from .tiny import effect, initiative, kr, tiny_plan

N = 40_000


def within_3_se(p_hat: float, p: float, n: int) -> bool:
    return abs(p_hat - p) <= 3 * np.sqrt(p * (1 - p) / n)


def baseline_draws(tmp_path, weekly) -> np.ndarray:
    """Draws of a one-week KR whose value is its baseline (no noise)."""
    plan = tiny_plan(tmp_path, [kr("K", baseline={"weekly": weekly})], weeks=1)
    return simulate(plan, draws=N, seed=11).quarter_values("baseline")[:, 0]


@pytest.mark.parametrize("estimate", [
    {"low": 80, "expected": 100, "high": 130},   # low > 0: log scale
    {"low": -20, "expected": 0, "high": 50},     # linear scale
    {"low": 0, "expected": 10, "high": 11},      # low == 0: linear scale
], ids=["log", "linear-negative", "linear-zero"])
def test_three_point_estimate_matches_its_quantiles(tmp_path, estimate):
    x = baseline_draws(tmp_path, estimate)
    for q, key in ((0.1, "low"), (0.5, "expected"), (0.9, "high")):
        assert within_3_se(np.mean(x <= estimate[key]), q, N), (key, np.mean(x <= estimate[key]))


def test_log_split_normal_tail_probability(tmp_path):
    est = {"low": 80, "expected": 100, "high": 130}
    x = baseline_draws(tmp_path, est)
    sigma_high = np.log(130 / 100) / Z90
    p = stats.norm.sf(np.log(160 / 100) / sigma_high)  # P(X > 160)
    assert within_3_se(np.mean(x > 160), p, N)
    sigma_low = np.log(100 / 80) / Z90
    p = stats.norm.cdf(np.log(70 / 100) / sigma_low)  # P(X < 70)
    assert within_3_se(np.mean(x < 70), p, N)
    assert x.min() > 0


def test_split_normal_ppf_hits_the_three_points_exactly():
    for est in (Estimate(80, 100, 130), Estimate(-5, 0, 20)):
        assert np.allclose(split_normal_ppf(np.array([0.1, 0.5, 0.9]), est),
                           [est.low, est.expected, est.high])


def test_linear_split_normal_mean_matches_closed_form():
    est = Estimate(0, 100, 150)
    s_low, s_high = 100 / Z90, 50 / Z90
    mean = 100 + (s_high - s_low) / np.sqrt(2 * np.pi)
    sd_bound = max(s_low, s_high)
    x = split_normal_ppf(Streams(5).uniform("x", 0, N), est)
    assert abs(x.mean() - mean) < 3 * sd_bound / np.sqrt(N)


def test_sum_of_weekly_gamma_noise_is_gamma(tmp_path):
    # V = 100 * sum of T iid gamma(1/cv^2, cv^2) = 100 * gamma(T / cv^2, cv^2)
    T, cv = 6, 0.3
    plan = tiny_plan(tmp_path, [kr("K", baseline={"weekly": 100}, volatility=cv)], weeks=T)
    v = simulate(plan, draws=N, seed=5).quarter_values("baseline")[:, 0]
    dist = stats.gamma(a=T / cv**2, scale=100 * cv**2)
    for q in (0.05, 0.1, 0.5, 0.9, 0.95):
        assert within_3_se(np.mean(v <= dist.ppf(q)), q, N), q
    assert abs(v.mean() - dist.mean()) < 3 * dist.std() / np.sqrt(N)


def test_weekly_noise_has_mean_one_and_the_given_cv(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K", baseline={"weekly": 1}, volatility=0.25)], weeks=1)
    v = simulate(plan, draws=N, seed=8).quarter_values("baseline")[:, 0]
    assert abs(v.mean() - 1) < 3 * 0.25 / np.sqrt(N)
    assert abs(v.std() - 0.25) < 0.01


def test_platform_shock_happens_with_its_probability(tmp_path):
    plan = tiny_plan(tmp_path, [kr("K")], [initiative("I", 400, effect("K", 10))],
                     {"algo": [{"type": "platform", "efficiency": 0, "probability": 0.3}]})
    v = simulate(plan, draws=N, seed=2).quarter_values("algo")[:, 0]
    assert set(np.round(v, 9)) == {0.0, 40.0}
    assert within_3_se(np.mean(v == 0), 0.3, N)


def test_onset_is_uniform_over_the_window(tmp_path):
    # demand drops to zero from a week drawn in 2..5, so V = onset - 1 weeks of 1
    plan = tiny_plan(tmp_path, [kr("K", baseline={"weekly": 1})], weeks=6,
                     shocks={"stop": [{"type": "demand", "multiplier": 0,
                                       "between_weeks": [2, 5]}]})
    v = simulate(plan, draws=N, seed=4).quarter_values("stop")[:, 0]
    assert set(np.round(v, 9)) == {1.0, 2.0, 3.0, 4.0}
    for value in (1, 2, 3, 4):
        assert within_3_se(np.mean(np.isclose(v, value)), 0.25, N)


def test_budget_shock_with_probability_and_random_onset(tmp_path):
    # the cut happens in 40% of draws, from week 2 or 3; lift is linear in spend
    plan = tiny_plan(tmp_path, [kr("K")], [initiative("I", 400, effect("K", 10))],
                     {"cut": [{"type": "budget", "change": -1, "probability": 0.4,
                               "between_weeks": [2, 3]}]})
    v = simulate(plan, draws=N, seed=9).quarter_values("cut")[:, 0]
    assert set(np.round(v, 9)) == {10.0, 20.0, 40.0}
    assert within_3_se(np.mean(v == 40), 0.6, N)
    assert within_3_se(np.mean(v == 10), 0.2, N)
