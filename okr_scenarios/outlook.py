"""Outlook tables from a `Simulation`: tidy DataFrames with a standard error on every
probability, ``sqrt(p (1 - p) / n)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .simulation import Simulation

KR_COLUMNS = ["scenario", "objective", "kr", "target", "p_hit", "p_hit_se", "expected_score",
              "mean", "p10", "p50", "p90"]
OBJECTIVE_COLUMNS = ["scenario", "objective", "expected_score", "p_score_0_7",
                     "p_score_0_7_se"]
SCORE_BAR = 0.7


def probability(events: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Share of True along ``axis`` and its Monte Carlo standard error."""
    n = events.shape[axis]
    p = events.mean(axis=axis)
    return p, np.sqrt(p * (1 - p) / n)


def kr_outlook(run: Simulation) -> pd.DataFrame:
    cp = run.compiled
    frames = []
    for scenario in run.scenario_ids:
        values, score = run.quarter_values(scenario), run.kr_scores(scenario)
        p_hit, se = probability(score >= 1.0)
        p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9], axis=0)
        frames.append(pd.DataFrame({
            "scenario": scenario, "objective": cp.kr_objective, "kr": cp.kr_ids,
            "target": cp.target, "p_hit": p_hit, "p_hit_se": se,
            "expected_score": score.mean(axis=0), "mean": values.mean(axis=0),
            "p10": p10, "p50": p50, "p90": p90}))
    return pd.concat(frames, ignore_index=True)[KR_COLUMNS]


def objective_outlook(run: Simulation) -> pd.DataFrame:
    cp = run.compiled
    frames = []
    for scenario in run.scenario_ids:
        score = run.objective_scores(scenario)
        p, se = probability(score >= SCORE_BAR)
        frames.append(pd.DataFrame({
            "scenario": scenario, "objective": cp.objective_ids,
            "expected_score": score.mean(axis=0), "p_score_0_7": p, "p_score_0_7_se": se}))
    return pd.concat(frames, ignore_index=True)[OBJECTIVE_COLUMNS]


def fan_bands(run: Simulation, kr: str | None = None) -> pd.DataFrame:
    """p10/p50/p90 per week of the cumulative value (``sum`` KRs) or the level (others)."""
    cp = run.compiled
    krs = cp.kr_ids if kr is None else [run.plan.kr(kr).id]
    cols = [cp.kr_ids.index(k) for k in krs]
    frames = []
    for scenario in run.scenario_ids:
        values = run.weekly_values(scenario)[:, :, cols]
        cumulative = np.cumsum(values, axis=1)
        is_sum = (cp.measure[cols] == 0)[None, None, :]
        path = np.where(is_sum, cumulative, values)
        q = np.quantile(path, [0.1, 0.5, 0.9], axis=0)  # (3, T, krs)
        week, kr_ids = np.meshgrid(np.arange(1, cp.weeks + 1), krs, indexing="ij")
        frames.append(pd.DataFrame({
            "scenario": scenario, "kr": kr_ids.ravel(), "week": week.ravel(),
            "p10": q[0].ravel(), "p50": q[1].ravel(), "p90": q[2].ravel()}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["scenario", "kr", "week"], kind="stable", ignore_index=True)


def compare(run: Simulation, reference: str = "baseline") -> pd.DataFrame:
    """Paired differences against ``reference`` on the same draws (common random numbers).

    ``p_hit_diff_se`` is ``sqrt(var(hit_s - hit_ref) / n)``: pairing removes the noise the
    two scenarios share, so it is smaller than the independent-samples error.
    """
    cp = run.compiled
    ref_score = run.kr_scores(reference)
    ref_hit = ref_score >= 1.0
    n = run.draws
    frames = []
    for scenario in run.scenario_ids:
        if scenario == reference:
            continue
        score = run.kr_scores(scenario)
        hit = score >= 1.0
        diff = hit.astype(float) - ref_hit
        score_diff = score - ref_score
        frames.append(pd.DataFrame({
            "scenario": scenario, "reference": reference, "objective": cp.kr_objective,
            "kr": cp.kr_ids, "p_hit": hit.mean(axis=0), "p_hit_reference": ref_hit.mean(axis=0),
            "p_hit_diff": diff.mean(axis=0), "p_hit_diff_se": np.sqrt(diff.var(axis=0) / n),
            "expected_score_diff": score_diff.mean(axis=0),
            "expected_score_diff_se": np.sqrt(score_diff.var(axis=0) / n)}))
    if not frames:
        return pd.DataFrame(columns=["scenario", "reference", "objective", "kr", "p_hit",
                                     "p_hit_reference", "p_hit_diff", "p_hit_diff_se",
                                     "expected_score_diff", "expected_score_diff_se"])
    return pd.concat(frames, ignore_index=True)
