"""The Monte Carlo engine: weekly KR values for every scenario, vectorised over draws.

Draws are processed in chunks of `sampling.BLOCK`, so memory stays bounded however many
draws are asked for. Within a chunk the uncertain plan inputs and the weekly noise are drawn
once and shared by every scenario (common random numbers), and the plan without shocks is
computed once: a scenario recomputes only the KRs its shocks reach.

Arrays are KR-major and draws-last, ``(krs, weeks, draws)``: one KR's week is a contiguous
run over draws, so week shifts (lags) and sums over weeks work on long contiguous rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compile import CompiledPlan, CompiledScenario, ShockArrays
from .sampling import Streams, split_normal_columns, split_normal_from_z


@dataclass(frozen=True)
class PlanDraws:
    """Plan inputs drawn for one chunk of ``n`` draws."""

    baseline: np.ndarray  # (K, n) weekly baseline
    lift: np.ndarray  # (E, n) weekly lift at planned spend
    rate: np.ndarray  # (links, n) funnel rates
    noise: np.ndarray  # (K, T, n) multiplicative noise, mean 1


@dataclass(frozen=True)
class PlanPaths:
    """The plan without shocks for one chunk, shared by every scenario's KRs it leaves alone."""

    mean: np.ndarray  # (K, T, n) baseline with trend plus lifts, before noise and funnels
    values: np.ndarray  # (K, T, n) weekly values v_k(t)


def draw_plan_inputs(cp: CompiledPlan, streams: Streams, start: int, stop: int) -> PlanDraws:
    named = [*zip(cp.baseline_names, cp.baseline, strict=True),
             *zip(cp.lift_names, cp.lift, strict=True),
             *((link.name, link.rate) for link in cp.links)]
    rows = np.array([est.expected for _, est in named], dtype=float)[:, None] \
        * np.ones(stop - start)
    uncertain = [i for i, (_, est) in enumerate(named) if not est.is_known]
    if uncertain:
        z = np.stack([streams.normal(named[i][0], start, stop) for i in uncertain])
        rows[uncertain] = split_normal_columns(z, [named[i][1] for i in uncertain])
    n_krs, n_effects = len(cp.kr_ids), len(cp.lift)
    noise = np.stack([streams.gamma_noise(f"noise:{kr_id}", cv, start, stop, cp.weeks).T
                      for kr_id, cv in zip(cp.kr_ids, cp.volatility, strict=True)])
    return PlanDraws(baseline=rows[:n_krs], lift=rows[n_krs:n_krs + n_effects],
                     rate=rows[n_krs + n_effects:], noise=noise)


def shock_weeks(shock: ShockArrays, streams: Streams, start: int, stop: int,
                weeks: int) -> np.ndarray:
    """(n,) week each draw's shock starts, or ``weeks + 1`` in draws where it does not occur."""
    n = stop - start
    first, last = shock.onset.first, shock.onset.last
    if first == last:
        onset = np.full(n, first)
    else:
        u = streams.uniform(f"{shock.name}:onset", start, stop)
        onset = first + np.minimum((u * (last - first + 1)).astype(int), last - first)
    if shock.probability < 1:
        occurs = streams.uniform(f"{shock.name}:occurs", start, stop) < shock.probability
        onset = np.where(occurs, onset, weeks + 1)
    return onset


def shock_factor(shock: ShockArrays, streams: Streams, start: int, stop: int,
                 weeks: int) -> np.ndarray:
    """(T, n): the shock's multiplier in the weeks from its onset, 1 before (and if it
    does not occur)."""
    if shock.size.is_known:
        size = np.full(stop - start, shock.size.expected)
    else:
        z = streams.normal(f"{shock.name}:size", start, stop)
        size = split_normal_from_z(z, shock.size)
    on = np.arange(1, weeks + 1)[:, None] >= shock_weeks(shock, streams, start, stop, weeks)
    return np.where(on, size, 1.0)


def plan_paths(cp: CompiledPlan, inputs: PlanDraws) -> PlanPaths:
    """Mean and weekly values of every KR with no shock."""
    response = cp.response(cp.planned_spend)
    mean = cp.growth.T[:, :, None] * inputs.baseline[:, None, :]
    for k, effects in enumerate(cp.kr_effects):
        if effects.size:
            mean[k] += response[:, effects] @ inputs.lift[effects]
    values = mean * inputs.noise
    _funnels(cp, inputs, mean, values, np.arange(len(cp.kr_ids)), values)
    return PlanPaths(mean, values)


def simulate_weekly(cp: CompiledPlan, cs: CompiledScenario, inputs: PlanDraws,
                    plan: PlanPaths, streams: Streams, start: int, stop: int,
                    out: np.ndarray) -> None:
    """Weekly values ``v_k(t)`` of the KRs a scenario's shocks reach, draws ``start..stop``.

    Every other KR equals the plan's (``plan.values``). Writes ``out[i]`` (weeks, draws) for
    the ``i``-th KR of ``cs.affected``; ``out`` is (affected krs, weeks, draws).
    """
    rows = np.flatnonzero(cs.affected)
    mean = shocked_means(cp, cs, inputs, plan, streams, start, stop)
    for i, k in enumerate(rows):
        if cs.mean_changed[k]:
            np.multiply(mean[k], inputs.noise[k], out=out[i])
    _funnels(cp, inputs, mean, out, rows, plan.values)


def shocked_means(cp: CompiledPlan, cs: CompiledScenario, inputs: PlanDraws, plan: PlanPaths,
                  streams: Streams, start: int, stop: int) -> dict[int, np.ndarray]:
    """``{k: (T, n)}``: the mean of each KR the scenario reaches, before funnel inflow and
    noise (baseline with trend and demand, plus lifts with platform, demand and spend)."""
    T = cp.weeks
    mean = {int(k): plan.mean[k] for k in np.flatnonzero(cs.affected)}
    pattern, responses = _spend_responses(cp, cs, streams, start, stop)
    for k in np.flatnonzero(cs.lifts_changed):  # baseline with trend plus re-spent lifts
        mean[k] = cp.growth[:, k, None] * inputs.baseline[k] + _lift_sum(
            inputs.lift, cp.kr_effects[k], pattern, responses)

    if cs.platform:  # add lift * response * (m - 1) for the effects a platform shock hits
        m: dict[int, np.ndarray] = {}
        for shock in cs.platform:
            factor = shock_factor(shock, streams, start, stop, T)
            for e in np.flatnonzero(shock.mask):
                m[e] = m[e] * factor if e in m else factor
        for e, factor in m.items():
            response = (responses[0][:, e, None] if pattern is None
                        else np.stack([r[:, e] for r in responses], axis=1)[:, pattern])
            k = cp.effect_kr[e]
            mean[k] = mean[k] + inputs.lift[e] * response * (factor - 1)

    for shock in cs.demand:
        factor = shock_factor(shock, streams, start, stop, T)
        for k in np.flatnonzero(shock.mask):
            mean[k] = mean[k] * factor
    return mean


def _funnels(cp: CompiledPlan, inputs: PlanDraws, mean, out: np.ndarray, rows: np.ndarray,
             plan_values: np.ndarray) -> None:
    """Recompute the derived KRs among ``rows``, sources before the KRs derived from them.

    ``mean[k]`` is KR k's mean before funnel inflows; ``out[i]`` holds KR ``rows[i]`` and is
    written in place; a source outside ``rows`` is read from ``plan_values``.
    """
    slot = dict(zip(rows.tolist(), range(len(rows)), strict=True))
    for k in cp.order:
        if k in slot and cp.links_into[k]:
            mu = mean[k].copy()
            for n, link in cp.links_into[k]:
                source = out[slot[link.j]] if link.j in slot else plan_values[link.j]
                add_lagged(mu, inputs.rate[n], source, link.lag, cp.pre_level[link.j])
            np.multiply(mu, inputs.noise[k], out=out[slot[k]])


def add_lagged(total: np.ndarray, rate: np.ndarray, source: np.ndarray, lag: int,
                before: float) -> None:
    """``total += rate * source(t - lag)`` in place, ``source`` being ``before`` before week 1.

    total, source: (weeks, draws); rate: (draws,).
    """
    weeks = total.shape[0]
    head = min(lag, weeks)
    if head:
        total[:head] += rate * before
    if lag < weeks:
        total[lag:] += rate * source[:weeks - lag]


def _lift_sum(lift: np.ndarray, effects: np.ndarray, pattern: np.ndarray | None,
              responses: list[np.ndarray]) -> np.ndarray:
    """``sum_e lift_e * response_e(t)`` over ``effects`` for each draw's spend path: (T, n)."""
    if pattern is None:
        return responses[0][:, effects] @ lift[effects]
    out = np.empty((responses[0].shape[0], lift.shape[1]))
    for p, response in enumerate(responses):
        cols = pattern == p
        out[:, cols] = response[:, effects] @ lift[effects][:, cols]
    return out


def _spend_responses(cp: CompiledPlan, cs: CompiledScenario, streams: Streams, start: int,
                     stop: int) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """Distinct spend paths of the scenario's budget shocks and decisions, and each path's
    response.

    Returns the path index of each draw (None when all draws share one path) and a
    (T, E) response per path. Random onsets give few distinct paths, so the response is
    computed per path, not per draw.
    """
    change = cs.change
    removed = None if change is None else change.removed
    if not cs.budget:
        spend = cp.planned_spend if change is None else change.apply(cp.planned_spend)
        return None, [cp.response(spend, removed)]
    T = cp.weeks
    starts = np.column_stack([shock_weeks(s, streams, start, stop, T) for s in cs.budget])
    radix = (T + 2) ** np.arange(starts.shape[1])  # onsets 1..T+1 as digits of one code
    codes, pattern = np.unique(starts @ radix, return_inverse=True)
    paths = (codes[:, None] // radix) % (T + 2)
    week = np.arange(1, T + 1)[:, None]
    responses = []
    for path in paths:
        spend = cp.planned_spend.copy()
        for shock, onset in zip(cs.budget, path, strict=True):
            spend[:, shock.mask] *= np.where(week >= onset, shock.size.expected, 1.0)
        if change is not None:
            spend = change.apply(spend)
        responses.append(cp.response(spend, removed))
    return (None if len(paths) == 1 else pattern.ravel()), responses


def quarter_values(cp: CompiledPlan, weekly: np.ndarray, krs: np.ndarray | None = None
                   ) -> np.ndarray:
    """Quarter value ``V`` by each KR's measure (sum, last or mean of its weeks).

    ``weekly`` is (len(krs), weeks, draws), row ``i`` holding KR ``krs[i]`` (default all
    KRs); returns (len(krs), draws).
    """
    krs = np.arange(len(cp.kr_ids)) if krs is None else krs
    out = np.empty((len(krs), weekly.shape[2]))
    for row, k in enumerate(krs):
        if cp.measure[k] == 1:
            out[row] = weekly[row, -1]
        else:
            weekly[row].sum(axis=0, out=out[row])
            if cp.measure[k] == 2:
                out[row] /= cp.weeks
    return out


def scores(cp: CompiledPlan, quarter: np.ndarray) -> np.ndarray:
    """OKR score ``clip((V - start) / (target - start), 0, 1)`` per KR; V is (draws, krs)."""
    return np.clip((quarter - cp.start) / (cp.target - cp.start), 0.0, 1.0)
