"""Contingency playbook: for each scenario, its impact, the early signal that tells it apart
from the plan, the reallocation to make when the signal fires, who approves it, and what it
recovers.

Trigger: for each leading KR and each week ``w``, the KR's running total by the end of week
``w`` (for a ``sum`` KR; its level otherwise) in the scenario's draws is compared with the
plan's draws (common random numbers, equal weight). A threshold on the side the scenario
pushes the KR to flags a draw; **precision** is the share of flagged draws that come from the
scenario, **recall** the share of the scenario's draws that are flagged. The trigger is the
earliest week, and the KR and threshold, where some threshold reaches `MIN_PRECISION` with
at least `MIN_RECALL` (a signal that misses most cases is no trigger); ties go to the higher
recall. The action is the reallocation under the scenario from the week after the trigger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .evaluate import Evaluator
from .model import Plan
from .reallocation import Reallocation, reallocate
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED, Simulation, simulate

MIN_PRECISION = 0.8
MIN_RECALL = 0.5


@dataclass(frozen=True)
class Trigger:
    """Act when ``kr``'s ``quantity`` by the end of ``week`` is ``direction`` ``threshold``."""

    kr: str
    week: int
    quantity: str  # "running total" or "level"
    direction: str  # "below" or "above"
    threshold: float
    precision: float
    recall: float

    def describe(self, plan: Plan) -> str:
        kr = plan.kr(self.kr)
        unit = f" {kr.unit}" if kr.unit else ""
        value = f"{self.threshold:,.0f}" if abs(self.threshold) >= 100 else f"{self.threshold:.3g}"
        return (f"{self.kr} ({kr.name}) {self.quantity} by the end of week {self.week} "
                f"{self.direction} {value}{unit}")


@dataclass(frozen=True)
class Contingency:
    """One scenario's entry in the playbook."""

    scenario: str
    name: str
    likelihood: float | None
    impact_krs: pd.DataFrame  # per KR: p_hit in plan and scenario, difference and SE
    impact_objectives: pd.DataFrame  # per objective: expected score difference and SE
    trigger: Trigger | None
    action: Reallocation | None
    note: str

    @property
    def approver(self) -> str | None:
        return None if self.action is None else self.action.approver

    @property
    def recovery(self) -> float | None:
        """Expected weighted score the action wins back, in the scenario."""
        return None if self.action is None else self.action.gain


def contingency_plan(plan: Plan, *, draws: int = DEFAULT_DRAWS, seed=DEFAULT_SEED,
                     scenarios: Sequence[str] | None = None) -> list[Contingency]:
    """The playbook: one `Contingency` per non-baseline scenario, in plan order."""
    ids = [s.id for s in plan.scenarios if s.id != "baseline"] if scenarios is None \
        else [s for s in scenarios if s != "baseline"]
    run = simulate(plan, draws=draws, seed=seed, scenarios=["baseline", *ids])
    return [_entry(plan, run, scenario, draws, seed) for scenario in ids]


def playbook_table(plan: Plan, entries: Sequence[Contingency]) -> pd.DataFrame:
    """One row per scenario: impact, trigger, action, approver and recovery, in words."""
    rows = []
    for c in entries:
        total = c.impact_objectives.set_index("objective").loc["all"]
        rows.append({
            "scenario": c.scenario, "name": c.name, "likelihood": c.likelihood,
            "score_change": total["expected_score_diff"],
            "score_change_se": total["expected_score_diff_se"],
            "trigger": c.trigger.describe(plan) if c.trigger else c.note,
            "precision": c.trigger.precision if c.trigger else np.nan,
            "recall": c.trigger.recall if c.trigger else np.nan,
            "action_from_week": c.action.from_week if c.action else None,
            "approver": c.approver,
            "recovery": c.recovery if c.action else np.nan,
            "recovery_se": c.action.gain_se if c.action else np.nan,
        })
    return pd.DataFrame(rows)


def _entry(plan: Plan, run: Simulation, scenario: str, draws: int, seed) -> Contingency:
    info = plan.scenario(scenario)
    compare = run.compare("baseline")
    impact_krs = compare[compare.scenario == scenario].reset_index(drop=True)
    impact_objectives = _objective_impact(plan, run, scenario)
    trigger = find_trigger(plan, run, scenario)
    if trigger is None:
        note = (f"no leading KR tells this scenario apart from the plan with "
                f"{MIN_PRECISION:.0%} precision and {MIN_RECALL:.0%} recall before the last week")
        return Contingency(scenario, info.name, info.likelihood, impact_krs, impact_objectives,
                           None, None, note)
    ev = Evaluator(plan, scenario, draws=draws, seed=seed)
    action = reallocate(plan, scenario, from_week=trigger.week + 1, evaluator=ev)
    note = "reallocate from the week after the trigger"
    return Contingency(scenario, info.name, info.likelihood, impact_krs, impact_objectives,
                       trigger, action, note)


def _objective_impact(plan: Plan, run: Simulation, scenario: str) -> pd.DataFrame:
    weights = np.array([o.weight for o in plan.objectives], dtype=float)
    weights /= weights.sum()
    base, shocked = run.objective_scores("baseline"), run.objective_scores(scenario)
    diff = np.column_stack([shocked - base, (shocked - base) @ weights])
    return pd.DataFrame({
        "objective": [o.id for o in plan.objectives] + ["all"],
        "expected_score_diff": diff.mean(axis=0),
        "expected_score_diff_se": diff.std(axis=0) / np.sqrt(run.draws)})


def find_trigger(plan: Plan, run: Simulation, scenario: str) -> Trigger | None:
    """The earliest leading-KR threshold that signals ``scenario`` (see the module notes)."""
    cp = run.compiled
    base, shocked = run.weekly_values("baseline"), run.weekly_values(scenario)
    best: Trigger | None = None
    for k, kr in enumerate(plan.key_results):
        if kr.indicator != "leading":
            continue
        is_sum = kr.measure == "sum"
        path_b = np.cumsum(base[:, :, k], axis=1) if is_sum else base[:, :, k]
        path_s = np.cumsum(shocked[:, :, k], axis=1) if is_sum else shocked[:, :, k]
        for w in range(1, cp.weeks):  # a trigger in the last week leaves no time to act
            if best is not None and w > best.week:
                break
            found = best_threshold(path_b[:, w - 1], path_s[:, w - 1])
            if found is None:
                continue
            direction, threshold, precision, recall = found
            candidate = Trigger(kr.id, w, "running total" if is_sum else "level", direction,
                                threshold, precision, recall)
            if best is None or (w, -recall) < (best.week, -best.recall):
                best = candidate
            break
    return best


def best_threshold(plan_values: np.ndarray, scenario_values: np.ndarray
                   ) -> tuple[str, float, float, float] | None:
    """(direction, threshold, precision, recall) of the threshold with the highest recall
    whose precision reaches `MIN_PRECISION` (and recall `MIN_RECALL`), or None."""
    direction = "below" if scenario_values.mean() < plan_values.mean() else "above"
    sign = 1.0 if direction == "below" else -1.0
    s = np.sort(sign * scenario_values)
    b = np.sort(sign * plan_values)
    flagged = np.arange(1, s.size + 1)  # scenario draws at or below each candidate
    false = np.searchsorted(b, s, side="right")
    precision = flagged / (flagged + false)
    ok = np.flatnonzero((precision >= MIN_PRECISION) & (flagged / s.size >= MIN_RECALL))
    if ok.size == 0:
        return None
    i = ok[-1]
    return direction, float(sign * s[i]), float(precision[i]), float(flagged[i] / s.size)
