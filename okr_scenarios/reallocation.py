"""Budget reallocation: the quarterly budgets that maximise the expected objective score.

Method (a steepest-ascent exchange, the greedy marginal-allocation rule):
1. Evaluate every allocation on one fixed set of common draws (`Evaluator`), so scores of
   two allocations differ only through the allocations.
2. From the starting allocation, measure each movable initiative's marginal score per unit
   of budget for a step up and a step down.
3. Move one step from the initiative that loses least to the one that gains most, if the
   move raises the expected score; else halve the step. Stop below a minimum step.

Every move keeps the total and each initiative's bounds, and only improving moves are
taken, so the result never scores below where it started. When each initiative's response
is concave and separable (the Hill curves with shape <= 1), this greedy rule converges to
the optimum; where clipped scores make the objective non-concave it is a local search, and
the tests check it against an exhaustive grid on small plans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import OkrScenariosError
from .evaluate import Evaluator, Outcome
from .model import Plan
from .outlook import probability
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED


class ReallocationError(OkrScenariosError, ValueError):
    """Raised when no allocation can meet the request (a total outside the bounds, a week
    outside the quarter)."""


@dataclass(frozen=True)
class Reallocation:
    """The result of `reallocate`: the moves and the outlook before and after them."""

    scenario: str
    from_week: int
    total: float
    currency: str
    moves: pd.DataFrame  # one row per initiative: budgets before and after, change, approver
    key_results: pd.DataFrame  # one row per KR: p_hit before and after with SEs
    objectives: pd.DataFrame  # one row per objective: expected score before and after, SEs
    score_before: float
    score_before_se: float
    score_start: float  # the allocation the search started from (before, moved to the total)
    score_after: float
    score_after_se: float
    gain_se: float
    evaluations: int

    @property
    def gain(self) -> float:
        return self.score_after - self.score_before

    @property
    def approver(self) -> str | None:
        """The role whose approval the largest single move needs."""
        moved = self.moves[self.moves["change"].abs() > 0.5]
        if moved.empty:
            return None
        return moved.loc[moved["change"].abs().idxmax(), "approver"]


def reallocate(plan: Plan, scenario: str = "baseline", *, budget: float | None = None,
               from_week: int = 1, draws: int = DEFAULT_DRAWS, seed=DEFAULT_SEED,
               min_step: float | None = None, evaluator: Evaluator | None = None,
               progress: Callable[[int, float], None] | None = None) -> Reallocation:
    """Reallocate quarterly budgets across initiatives to maximise the expected score.

    Parameters
    ----------
    plan, scenario
        The plan and the scenario (id) to reallocate under.
    budget
        Total for the quarter; default the scenario's own (what its budget shocks leave).
    from_week
        Week the moves take effect: money spent before it stays spent, and the new budget
        of each initiative is spread over its remaining weeks in the scenario's pattern.
    draws, seed
        The common draws every allocation is evaluated on.
    min_step
        Smallest budget step tried (default 0.1% of the total, at least 100).
    evaluator
        An `Evaluator` of the same plan and scenario to reuse.
    progress
        Called as ``progress(evaluations, expected_score)`` after each accepted move.

    Notes
    -----
    Efforts (budget 0), initiatives with no spend left from ``from_week`` on, and
    initiatives whose remaining spend the scenario cuts to zero are kept as they are.
    """
    if not 1 <= from_week <= plan.weeks:
        raise ReallocationError(f"from_week {from_week} is outside the quarter (1..{plan.weeks})")
    ev = evaluator or Evaluator(plan, scenario, draws=draws, seed=seed)
    space = AllocationSpace(plan, ev, from_week)
    total = space.current.sum() if budget is None else float(budget)
    start = space.start(total)
    search = _Search(ev, space, min_step or max(0.001 * total, 100.0), progress)
    best = search.run(start)
    before, after = ev.outcome(), ev.outcome(space.change(best))
    return _result(plan, scenario, from_week, total, space, best, before, after,
                   ev.outcome(space.change(start)).expected(), search.evaluations)


class AllocationSpace:
    """Feasible allocations under a scenario from a week on.

    ``current`` (I,) is what each initiative spends in the scenario (in expectation);
    ``low``/``high`` its bounds: its min/max budget, never below what it has spent before
    ``from_week``; ``movable`` marks initiatives whose budget may change.
    """

    def __init__(self, plan: Plan, ev: Evaluator, from_week: int):
        self.ev, self.from_week = ev, from_week
        path = ev.expected_spend()  # (T, I) what the scenario spends, in expectation
        self.path = path
        self.current = path.sum(axis=0)
        self.spent = path[:from_week - 1].sum(axis=0)
        self.remaining = path[from_week - 1:].sum(axis=0)
        funded = np.array([i.has_spend for i in plan.initiatives], dtype=bool)
        self.movable = funded & (self.remaining > 0)
        low = np.array([i.min_budget for i in plan.initiatives])
        high = np.array([i.max_budget for i in plan.initiatives])
        self.low = np.where(self.movable, np.maximum(self.spent, np.minimum(low, self.current)),
                            self.current)
        self.high = np.where(self.movable, np.maximum(high, self.current), self.current)

    def start(self, total: float) -> np.ndarray:
        """The current allocation moved to ``total`` in proportion to each one's headroom."""
        low_sum, high_sum = self.low.sum(), self.high.sum()
        if not low_sum - 1e-6 <= total <= high_sum + 1e-6:
            raise ReallocationError(
                f"a total of {total:,.0f} cannot be spread within the initiatives' bounds "
                f"from week {self.from_week}: the least is {low_sum:,.0f} (minimum budgets and "
                f"money already spent), the most {high_sum:,.0f} (maximum budgets)")
        gap = total - self.current.sum()
        room = (self.high - self.current) if gap > 0 else (self.current - self.low)
        if abs(gap) < 1e-9 or room.sum() <= 0:
            return self.current.copy()
        return self.current + gap * room / room.sum()

    def change(self, budgets: np.ndarray):
        """The `SpendChange` that spends ``budgets`` (I,) for the quarter."""
        moved = self.movable & (np.abs(budgets - self.current) > 1e-6)
        scale = np.divide(budgets - self.spent, self.remaining,
                          out=np.ones_like(budgets), where=self.remaining > 0)
        spend = self.path * np.where(np.arange(len(self.path))[:, None] >= self.from_week - 1,
                                     scale, 1.0)
        return self.ev.change(from_week=self.from_week, spend=spend, moved=moved)


class _Search:
    """The exchange search; counts evaluations."""

    def __init__(self, ev: Evaluator, space: AllocationSpace, min_step: float, progress=None):
        self.ev, self.space, self.min_step, self.progress = ev, space, min_step, progress
        self.evaluations = 0

    def score(self, budgets: np.ndarray) -> float:
        self.evaluations += 1
        return self.ev.outcome(self.space.change(budgets)).expected()

    def run(self, start: np.ndarray) -> np.ndarray:
        space, x = self.space, start.copy()
        movable = np.flatnonzero(space.movable)
        f = self.score(x)
        step = 0.25 * max((space.high - space.low)[movable].max(initial=0.0), 0.0)
        while step >= self.min_step and movable.size > 1:
            up, down = self._marginals(x, f, step, movable)
            moved = False
            for a, b in self._pairs(up, down, movable):
                d = min(step, space.high[b] - x[b], x[a] - space.low[a])
                trial = x.copy()
                trial[a] -= d
                trial[b] += d
                f_trial = self.score(trial)
                if f_trial > f + 1e-12:
                    x, f, moved = trial, f_trial, True
                    if self.progress is not None:
                        self.progress(self.evaluations, f)
                    break
            if not moved:
                step /= 2
        return x

    def _marginals(self, x, f, step, movable):
        """Score gained per unit for a step up, and lost per unit for a step down."""
        up = np.full(len(x), -np.inf)
        down = np.full(len(x), np.inf)
        for i in movable:
            d = min(step, self.space.high[i] - x[i])
            if d > 1e-6:
                up[i] = (self.score(_bump(x, i, d)) - f) / d
            d = min(step, x[i] - self.space.low[i])
            if d > 1e-6:
                down[i] = (f - self.score(_bump(x, i, -d))) / d
        return up, down

    @staticmethod
    def _pairs(up, down, movable, tries: int = 3):
        """The most promising (from, to) pairs: largest gain minus loss per unit first."""
        pairs = [(down[a] - up[b], a, b) for a in movable for b in movable
                 if a != b and np.isfinite(up[b]) and np.isfinite(down[a]) and up[b] > down[a]]
        return [(a, b) for _, a, b in sorted(pairs)[:tries]]


def _bump(x: np.ndarray, i: int, d: float) -> np.ndarray:
    out = x.copy()
    out[i] += d
    return out


def _result(plan: Plan, scenario: str, from_week: int, total: float, space: AllocationSpace,
            best: np.ndarray, before: Outcome, after: Outcome, score_start: float,
            evaluations: int) -> Reallocation:
    n = before.total.size
    change = np.where(space.movable, best - space.current, 0.0)
    moves = pd.DataFrame({
        "initiative": [i.id for i in plan.initiatives],
        "name": [i.name for i in plan.initiatives],
        "channel": [i.channel for i in plan.initiatives],
        "budget_before": space.current,
        "budget_after": space.current + change,
        "change": change,
        "approver": [plan.governance.approver(c) if abs(c) > 0.5 else None for c in change],
        "movable": space.movable,
    })
    krs = pd.DataFrame({"objective": [kr.objective for kr in plan.key_results],
                        "kr": [kr.id for kr in plan.key_results]})
    for label, outcome in (("before", before), ("after", after)):
        p, se = probability(outcome.kr_scores >= 1.0)
        krs[f"p_hit_{label}"], krs[f"p_hit_{label}_se"] = p, se
    objectives = pd.DataFrame({"objective": [o.id for o in plan.objectives]})
    for label, outcome in (("before", before), ("after", after)):
        objectives[f"expected_score_{label}"] = outcome.objective_scores.mean(axis=0)
        spread = outcome.objective_scores.std(axis=0)
        objectives[f"expected_score_{label}_se"] = spread / np.sqrt(n)
    gain = after.total - before.total
    return Reallocation(
        scenario=scenario, from_week=from_week, total=total, currency=plan.currency,
        moves=moves, key_results=krs, objectives=objectives,
        score_before=before.expected(), score_before_se=float(before.total.std() / np.sqrt(n)),
        score_start=score_start, score_after=after.expected(),
        score_after_se=float(after.total.std() / np.sqrt(n)),
        gain_se=float(gain.std() / np.sqrt(n)), evaluations=evaluations)
