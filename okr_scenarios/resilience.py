"""Resilience: what each initiative contributes, how much of it survives each scenario, and
what the team should do with it (stop / start / continue / scale).

Contribution of initiative ``i`` to objective ``o`` under scenario ``s``: the expected score
of ``o`` minus its expected score with ``i`` removed (no lift, and stopped from week 1 for
the initiatives that depend on it), on the same draws. Its standard error is that of the
paired difference.

Marginal score per 1,000: the rise in the weighted objective score when ``i``'s budget
grows by `STEP_SHARE` of itself (at least 1,000), per 1,000 of currency.

Recommendation, first rule that applies:

- **stop**: its weighted contribution under the plan is not measurably above zero (below
  two standard errors, or below `NEGLIGIBLE`);
- **scale**: it has a budget below its maximum and the best marginal score per 1,000 of
  the initiatives with budget in at least half of the scenarios;
- **start**: it has not started by week 1 (it begins later and is not already running);
- **continue**: otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .evaluate import Evaluator
from .model import Plan
from .reallocation import AllocationSpace
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED

STEP_SHARE = 0.10
NEGLIGIBLE = 1e-3


@dataclass(frozen=True)
class Resilience:
    """Tables from `resilience`.

    ``contributions``: one row per scenario x initiative x objective (``objective`` is
    ``"all"`` for the weighted total). ``summary``: one row per initiative, ranked from the
    most to the least resilient, with the recommendation and its reason.
    """

    contributions: pd.DataFrame
    summary: pd.DataFrame


def resilience(plan: Plan, *, draws: int = DEFAULT_DRAWS, seed=DEFAULT_SEED,
               scenarios: Sequence[str] | None = None) -> Resilience:
    ids = [s.id for s in plan.scenarios] if scenarios is None else list(scenarios)
    if "baseline" not in ids:
        ids.insert(0, "baseline")
    rows, per_1000 = [], {}
    for scenario in ids:
        ev = Evaluator(plan, scenario, draws=draws, seed=seed)
        rows += _contributions(plan, ev, scenario)
        per_1000[scenario] = _score_per_1000(plan, ev)
    contributions = pd.DataFrame(rows)
    return Resilience(contributions, _summary(plan, contributions, per_1000))


def _contributions(plan: Plan, ev: Evaluator, scenario: str) -> list[dict]:
    base = ev.outcome()
    n = base.total.size
    objective_ids = [o.id for o in plan.objectives] + ["all"]
    rows = []
    for i, initiative in enumerate(plan.initiatives):
        removed = np.zeros(len(plan.initiatives), dtype=bool)
        removed[i] = True
        without = ev.outcome(ev.change(removed=removed))
        diff = np.column_stack([base.objective_scores - without.objective_scores,
                                base.total - without.total])
        for o, objective in enumerate(objective_ids):
            rows.append({"scenario": scenario, "initiative": initiative.id,
                         "objective": objective, "contribution": diff[:, o].mean(),
                         "contribution_se": diff[:, o].std() / np.sqrt(n)})
    return rows


def _score_per_1000(plan: Plan, ev: Evaluator) -> np.ndarray:
    """(initiatives,) weighted score gained per 1,000 of extra budget; NaN without budget."""
    space = AllocationSpace(plan, ev, from_week=1)
    base = ev.outcome().expected()
    out = np.full(len(plan.initiatives), np.nan)
    for i in np.flatnonzero(space.movable):
        step = max(STEP_SHARE * space.current[i], 1000.0)
        budgets = space.current.copy()
        budgets[i] += step
        out[i] = (ev.outcome(space.change(budgets)).expected() - base) / step * 1000
    return out


def _summary(plan: Plan, contributions: pd.DataFrame, per_1000: dict[str, np.ndarray]
             ) -> pd.DataFrame:
    total = contributions[contributions.objective == "all"].pivot(
        index="initiative", columns="scenario", values="contribution")
    total_se = contributions[contributions.objective == "all"].pivot(
        index="initiative", columns="scenario", values="contribution_se")
    others = [s for s in per_1000 if s != "baseline"]
    names = {s.id: s.name for s in plan.scenarios}
    best_counts = _best_counts(plan, per_1000)
    rows = []
    for i, ini in enumerate(plan.initiatives):
        base, se = total.loc[ini.id, "baseline"], total_se.loc[ini.id, "baseline"]
        kept = {s: total.loc[ini.id, s] / base for s in others} if base > 0 else {}
        worst = min(kept, key=kept.get) if kept else None
        row = {
            "initiative": ini.id, "name": ini.name, "channel": ini.channel,
            "budget": ini.budget, "contribution": base, "contribution_se": se,
            "worst_scenario": worst,
            "kept_in_worst": kept[worst] if worst else np.nan,
            "score_per_1000": per_1000["baseline"][i],
        }
        row["recommendation"], row["reason"] = _recommend(
            ini, row, best_counts[i], len(per_1000), names.get(worst, worst))
        rows.append(row)
    table = pd.DataFrame(rows)
    order = table.sort_values(["kept_in_worst", "contribution"], ascending=False,
                              na_position="last").index
    return table.loc[order].reset_index(drop=True)


def _best_counts(plan: Plan, per_1000: dict[str, np.ndarray]) -> np.ndarray:
    """In how many scenarios each initiative has the best score per 1,000 among those with
    room to grow."""
    room = np.array([i.has_spend and i.budget < i.max_budget for i in plan.initiatives])
    counts = np.zeros(len(plan.initiatives), dtype=int)
    for values in per_1000.values():
        candidates = np.where(room & np.isfinite(values), values, -np.inf)
        if np.isfinite(candidates).any() and candidates.max() > 0:
            counts[int(np.argmax(candidates))] += 1
    return counts


def _recommend(ini, row: dict, best: int, n_scenarios: int, worst_name: str | None
               ) -> tuple[str, str]:
    base, se = row["contribution"], row["contribution_se"]
    if base < max(2 * se, NEGLIGIBLE):
        return "stop", (f"stop: no measurable contribution under the plan "
                        f"({base:+.4f} ± {se:.4f} to the weighted score)")
    if best * 2 >= n_scenarios and ini.has_spend and ini.budget < ini.max_budget:
        return "scale", f"scale: highest score per 1,000 in {best} of {n_scenarios} scenarios"
    kept = row["kept_in_worst"]
    survival = (f"keeps {kept:.0%} of its contribution in the worst scenario ({worst_name})"
                if worst_name else "no scenario to compare with")
    if ini.active_weeks[0] > 1 and not ini.already_running:
        return "start", f"start as planned in week {ini.active_weeks[0]}: {survival}"
    return "continue", f"continue: {survival}"
