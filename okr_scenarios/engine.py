"""The Monte Carlo engine: weekly KR values for every scenario, vectorised over draws.

Draws are processed in chunks of `sampling.BLOCK`, so memory stays bounded however many
draws are asked for. Within a chunk the uncertain plan inputs and the weekly noise are drawn
once and shared by every scenario (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compile import CompiledPlan, CompiledScenario, ShockArrays
from .sampling import Streams, split_normal_ppf


@dataclass(frozen=True)
class PlanDraws:
    """Plan inputs drawn for one chunk of ``n`` draws."""

    baseline: np.ndarray  # (n, K) weekly baseline
    lift: np.ndarray  # (n, E) weekly lift at planned spend
    rate: np.ndarray  # (n, links) funnel rates
    noise: np.ndarray  # (n, T, K) multiplicative noise, mean 1


def draw_plan_inputs(cp: CompiledPlan, streams: Streams, start: int, stop: int) -> PlanDraws:
    def column(name, estimate):
        if estimate.is_known:
            return np.full(stop - start, estimate.expected)
        return split_normal_ppf(streams.uniform(name, start, stop), estimate)

    def stack(pairs, width):
        cols = [column(name, est) for name, est in pairs]
        return np.column_stack(cols) if cols else np.empty((stop - start, width))

    noise = np.stack([streams.gamma_noise(f"noise:{kr_id}", cv, start, stop, cp.weeks)
                      for kr_id, cv in zip(cp.kr_ids, cp.volatility, strict=True)], axis=-1)
    return PlanDraws(
        baseline=stack(zip(cp.baseline_names, cp.baseline, strict=True), len(cp.kr_ids)),
        lift=stack(zip(cp.lift_names, cp.lift, strict=True), len(cp.lift)),
        rate=stack(((link.name, link.rate) for link in cp.links), len(cp.links)),
        noise=noise,
    )


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


def shock_size(shock: ShockArrays, streams: Streams, start: int, stop: int) -> np.ndarray:
    """(n,) the shock's multiplier in each draw."""
    if not shock.size.is_known:
        return split_normal_ppf(streams.uniform(f"{shock.name}:size", start, stop), shock.size)
    return np.full(stop - start, shock.size.expected)


def simulate_weekly(cp: CompiledPlan, cs: CompiledScenario, inputs: PlanDraws,
                    streams: Streams, start: int, stop: int) -> np.ndarray:
    """Weekly values ``v_k(t)`` of one scenario for draws ``start..stop``: (n, T, K)."""
    n, T, K = stop - start, cp.weeks, len(cp.kr_ids)
    week = np.arange(1, T + 1)
    pattern, responses = _spend_responses(cp, cs, streams, start, stop)

    # lifts summed into KRs: sum_e lift_e * response_e(t) for each KR, by spend pattern
    lifts = np.empty((n, T, K))
    for p, response in enumerate(responses):
        rows = slice(None) if len(responses) == 1 else pattern == p
        weights = (response[:, :, None] * cp.effect_onehot[None, :, :]).transpose(1, 0, 2)
        lifts[rows] = (inputs.lift[rows] @ weights.reshape(len(cp.lift), T * K)).reshape(-1, T, K)

    if cs.platform:  # add lift * response * (m - 1) for the effects a platform shock hits
        hit = np.flatnonzero(np.logical_or.reduce([s.mask for s in cs.platform]))
        m = np.ones((n, T, hit.size))
        for shock in cs.platform:
            on = week[None, :] >= shock_weeks(shock, streams, start, stop, T)[:, None]
            factor = np.where(on, shock_size(shock, streams, start, stop)[:, None], 1.0)
            m[:, :, shock.mask[hit]] *= factor[:, :, None]
        response = np.stack(responses)[pattern][:, :, hit] if len(responses) > 1 \
            else responses[0][None, :, hit]
        extra = inputs.lift[:, None, hit] * response * (m - 1)
        lifts += extra @ cp.effect_onehot[hit]

    mean = inputs.baseline[:, None, :] * cp.growth[None, :, :] + lifts
    for shock in cs.demand:
        on = week[None, :] >= shock_weeks(shock, streams, start, stop, T)[:, None]
        factor = np.where(on, shock_size(shock, streams, start, stop)[:, None], 1.0)
        mean[:, :, shock.mask] *= factor[:, :, None]

    values = mean * inputs.noise
    for k in cp.order:  # funnels: sources are final before the KRs derived from them
        links = [(n_, link) for n_, link in enumerate(cp.links) if link.k == k]
        if not links:
            continue
        mu = mean[:, :, k].copy()
        for n_, link in links:
            mu += inputs.rate[:, n_, None] * _shift(values[:, :, link.j], link.lag,
                                                    cp.pre_level[link.j])
        values[:, :, k] = mu * inputs.noise[:, :, k]
    return values


def _spend_responses(cp: CompiledPlan, cs: CompiledScenario, streams: Streams, start: int,
                     stop: int) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """Distinct spend paths of the scenario's budget shocks and each path's response.

    Returns the pattern index of each draw (None when all draws share one path) and a
    (T, E) response per pattern. Random onsets give few distinct paths, so the response is
    computed per path, not per draw.
    """
    if not cs.budget:
        return None, [cp.response(cp.planned_spend)]
    T = cp.weeks
    starts = np.column_stack([shock_weeks(s, streams, start, stop, T) for s in cs.budget])
    paths, pattern = np.unique(starts, axis=0, return_inverse=True)
    week = np.arange(1, T + 1)[:, None]
    responses = []
    for path in paths:
        spend = cp.planned_spend.copy()
        for shock, onset in zip(cs.budget, path, strict=True):
            spend[:, shock.mask] *= np.where(week >= onset, shock.size, 1.0)
        responses.append(cp.response(spend))
    return pattern.ravel(), responses


def _shift(series: np.ndarray, lag: int, before: float) -> np.ndarray:
    """``series(t - lag)`` for t = 1..T, with ``before`` for weeks before the quarter."""
    if lag == 0:
        return series
    out = np.full_like(series, before)
    if lag < series.shape[1]:
        out[:, lag:] = series[:, :-lag]
    return out


def quarter_values(cp: CompiledPlan, weekly: np.ndarray) -> np.ndarray:
    """Quarter value ``V`` per KR by its measure (sum, last or mean of the weeks): (n, K)."""
    sums = weekly.sum(axis=1)
    return np.select([cp.measure == 0, cp.measure == 1],
                     [sums, weekly[:, -1, :]], sums / cp.weeks)


def scores(cp: CompiledPlan, quarter: np.ndarray) -> np.ndarray:
    """OKR score ``clip((V - start) / (target - start), 0, 1)`` per KR, same shape as V."""
    return np.clip((quarter - cp.start) / (cp.target - cp.start), 0.0, 1.0)
