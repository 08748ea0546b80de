"""Sensitivity: which uncertain inputs drive each objective's score (a tornado table).

Method: one at a time, on common draws. Each uncertain input (every three-point estimate of
the plan and every uncertain shock magnitude of the scenario) is pinned at its 10th and then
its 90th percentile in every draw, all other inputs keeping their drawn values; the swing
is the expected score at the 90th percentile minus that at the 10th. A large swing means the
outcome hangs on that assumption, which is where better information pays. It does not
capture interactions between inputs (a variance-based analysis would; not built here).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluate import Evaluator
from .model import Plan
from .sampling import Z90
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED

METHOD = "one at a time: input pinned at its P10 and P90, other inputs at their draws"


def sensitivity(plan: Plan, scenario: str = "baseline", *, draws: int = DEFAULT_DRAWS,
                seed=DEFAULT_SEED, evaluator: Evaluator | None = None) -> pd.DataFrame:
    """Tornado table: one row per uncertain input x objective (``"all"`` = weighted total),
    sorted by the size of the swing in the weighted total.

    Columns: ``input`` (stream name), ``description``, ``low``, ``high`` (the input's P10
    and P90), ``objective``, ``score_at_low``, ``score_at_high``, ``swing``, ``method``.
    """
    ev = evaluator or Evaluator(plan, scenario, draws=draws, seed=seed)
    objective_ids = [o.id for o in plan.objectives] + ["all"]
    rows = []
    for name, description, estimate in uncertain_inputs(plan, ev):
        at = {}
        for side, z in (("low", -Z90), ("high", Z90)):
            outcome = ev.outcome(fixed=(name, z))
            at[side] = np.append(outcome.objective_scores.mean(axis=0), outcome.expected())
        for o, objective in enumerate(objective_ids):
            rows.append({"input": name, "description": description, "low": estimate.low,
                         "high": estimate.high, "objective": objective,
                         "score_at_low": at["low"][o], "score_at_high": at["high"][o],
                         "swing": at["high"][o] - at["low"][o], "method": METHOD})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    size = table[table.objective == "all"].set_index("input")["swing"].abs()
    table["_order"] = table["input"].map(size.rank(ascending=False, method="first"))
    return (table.sort_values(["_order", "objective"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def uncertain_inputs(plan: Plan, ev: Evaluator):
    """(stream name, description, estimate) of every uncertain input of the evaluation."""
    cp = ev.cp
    for kr, estimate, name in zip(plan.key_results, cp.baseline, cp.baseline_names, strict=True):
        if not estimate.is_known:
            yield name, f"weekly baseline of {kr.id} ({kr.name})", estimate
    for name, estimate, e in zip(cp.lift_names, cp.lift, range(len(cp.lift)), strict=True):
        if not estimate.is_known:
            ini = plan.initiatives[cp.effect_initiative[e]]
            yield name, f"lift of {ini.id} ({ini.name}) on {cp.kr_ids[cp.effect_kr[e]]}", estimate
    for link in cp.links:
        if not link.rate.is_known:
            yield (link.name, f"rate {cp.kr_ids[link.j]} -> {cp.kr_ids[link.k]}", link.rate)
    scenario = plan.scenario(ev.scenario.id)
    shocks = (*ev.scenario.budget, *ev.scenario.platform, *ev.scenario.demand)
    for shock in shocks:
        if not shock.size.is_known:
            what = "efficiency" if shock.kind == "platform" else "multiplier"
            yield (f"{shock.name}:size", f"{shock.kind} shock {what} in '{scenario.name}'",
                   shock.size)
