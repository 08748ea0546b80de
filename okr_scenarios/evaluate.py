"""Re-run one scenario on a fixed set of common draws, with decisions laid over it.

Decision analysis asks many "what if we changed this?" questions of the same scenario:
move budget from a week on, remove an initiative, pin one uncertain input at a percentile.
`Evaluator` draws the inputs and computes the plan once, then answers each question by
recomputing only the KRs the change reaches, on the same draws (common random numbers), so
differences between answers come from the changes, not from sampling noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compile import CompiledPlan, CompiledScenario, SpendChange
from .engine import draw_plan_inputs, plan_paths, quarter_values, scores, simulate_weekly
from .model import Plan
from .sampling import BLOCK, Method, Streams, resolve_seed


@dataclass(frozen=True)
class Outcome:
    """Scores of one evaluation: KR scores (draws, krs) and objective scores (draws, objs)."""

    kr_scores: np.ndarray
    objective_scores: np.ndarray
    objective_weights: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """(draws,) weighted mean of the objective scores (objective ``weight``)."""
        return self.objective_scores @ self.objective_weights

    def expected(self) -> float:
        return float(self.total.mean())


class Evaluator:
    """One scenario of a plan on fixed draws; `outcome` re-runs it with changes."""

    def __init__(self, plan: Plan, scenario: str, *, draws: int, seed=None,
                 method: Method = "random"):
        self.plan = plan
        self.cp = cp = CompiledPlan(plan)
        self.scenario = cp.compile_scenario(plan.scenario(scenario))
        self.draws = draws
        self.seed = resolve_seed(seed)
        names = cp.uniform_names() + self.scenario.uniform_names()
        self.streams = Streams(self.seed, method, names, cache=True)
        self._plan = [self._plan_chunk(self.streams, start) for start in range(0, draws, BLOCK)]
        weights = np.array([o.weight for o in plan.objectives], dtype=float)
        self.objective_weights = weights / weights.sum()

    def _plan_chunk(self, streams: Streams, start: int):
        stop = min(start + BLOCK, self.draws)
        inputs = draw_plan_inputs(self.cp, streams, start, stop)
        paths = plan_paths(self.cp, inputs)
        return start, stop, inputs, paths, quarter_values(self.cp, paths.values)

    # -- what the scenario spends ------------------------------------------------------
    def expected_spend(self) -> np.ndarray:
        """(weeks, initiatives) spend under the scenario, in expectation."""
        return self.cp.expected_spend(self.scenario)

    # -- evaluations --------------------------------------------------------------------
    def quarter(self, change: SpendChange | None = None, fixed: tuple[str, float] | None = None
                ) -> np.ndarray:
        """Quarter values (krs, draws) of the scenario with ``change`` laid over it and,
        optionally, one input pinned at a normal score: ``fixed = (stream name, z)``."""
        cs = self.scenario if change is None else self.cp.with_change(self.scenario, change)
        streams = self.streams if fixed is None else self.streams.with_fixed(*fixed)
        chunks = self._plan if fixed is None else [self._plan_chunk(streams, start)
                                                   for start, *_ in self._plan]
        out = np.empty((len(self.cp.kr_ids), self.draws))
        for start, stop, inputs, paths, plan_quarter in chunks:
            out[:, start:stop] = plan_quarter
            _scenario_rows(self.cp, cs, inputs, paths, streams, start, stop, out)
        return out

    def outcome(self, change: SpendChange | None = None,
                fixed: tuple[str, float] | None = None) -> Outcome:
        kr = scores(self.cp, self.quarter(change, fixed).T)
        return Outcome(kr, kr @ self.cp.objective_weights, self.objective_weights)

    def change(self, from_week: int = 1, spend: np.ndarray | None = None,
               moved: np.ndarray | None = None, removed: np.ndarray | None = None
               ) -> SpendChange:
        """A `SpendChange` for this plan, defaulting to "no change"."""
        n = len(self.cp.initiative_ids)
        return SpendChange(
            from_week=from_week,
            spend=self.cp.planned_spend if spend is None else spend,
            moved=np.zeros(n, bool) if moved is None else moved,
            removed=np.zeros(n, bool) if removed is None else removed,
        )


def _scenario_rows(cp: CompiledPlan, cs: CompiledScenario, inputs, paths, streams,
                   start: int, stop: int, out: np.ndarray) -> None:
    rows = np.flatnonzero(cs.affected)
    if rows.size:
        weekly = np.empty((rows.size, cp.weeks, stop - start))
        simulate_weekly(cp, cs, inputs, paths, streams, start, stop, weekly)
        out[rows, start:stop] = quarter_values(cp, weekly, rows)
