"""`simulate`: run every scenario of a plan by Monte Carlo and keep the results."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from . import outlook
from .compile import CompiledPlan
from .engine import draw_plan_inputs, quarter_values, scores, simulate_weekly
from .errors import SimulationError
from .model import Plan
from .sampling import BLOCK, Method, Streams, resolve_seed

#: Seed used when none is given on the command line: runs are reproducible by default.
DEFAULT_SEED = 2027
DEFAULT_DRAWS = 10_000
#: Weekly values are kept when they fit in this many bytes, unless asked otherwise.
WEEKLY_LIMIT_BYTES = 1 << 30

Progress = Callable[[int, int], None]


class Simulation:
    """Results of one run: every scenario on the same random draws.

    Attributes
    ----------
    quarter : (scenarios, draws, krs)
        Quarter value ``V`` of each KR.
    weekly : (scenarios, draws, weeks, krs) or None
        Weekly values ``v_k(t)``; None when the run was asked not to keep them.
    """

    def __init__(self, plan: Plan, scenario_ids: Sequence[str], compiled: CompiledPlan,
                 quarter: np.ndarray, weekly: np.ndarray | None, seed: int, method: str):
        self.plan, self.compiled = plan, compiled
        self.scenario_ids = list(scenario_ids)
        self.quarter, self.weekly = quarter, weekly
        self.seed, self.method = seed, method
        self.draws = quarter.shape[1]

    def __repr__(self) -> str:
        return (f"<Simulation of {self.plan.name!r}: {len(self.scenario_ids)} scenarios, "
                f"{self.draws:,} draws, seed {self.seed}, {self.method} sampling>")

    # -- arrays ---------------------------------------------------------------------------
    def _index(self, scenario: str) -> int:
        if scenario not in self.scenario_ids:
            self.plan.scenario(scenario)  # raises ScenarioError naming the known ones
            raise SimulationError(f"scenario '{scenario}' was not part of this run; it ran "
                                  f"{', '.join(self.scenario_ids)}")
        return self.scenario_ids.index(scenario)

    def weekly_values(self, scenario: str) -> np.ndarray:
        """Weekly values of one scenario, (draws, weeks, krs)."""
        if self.weekly is None:
            raise SimulationError("this run did not keep weekly values; simulate again "
                                  "with weekly=True (or fewer draws)")
        return self.weekly[self._index(scenario)]

    def quarter_values(self, scenario: str) -> np.ndarray:
        """Quarter value ``V`` of each KR in one scenario, (draws, krs)."""
        return self.quarter[self._index(scenario)]

    def kr_scores(self, scenario: str) -> np.ndarray:
        """OKR score of each KR in one scenario, (draws, krs), in [0, 1]."""
        return scores(self.compiled, self.quarter_values(scenario))

    def objective_scores(self, scenario: str) -> np.ndarray:
        """Weighted mean of each objective's KR scores, (draws, objectives)."""
        return self.kr_scores(scenario) @ self.compiled.objective_weights

    # -- tables ---------------------------------------------------------------------------
    def outlook(self) -> pd.DataFrame:
        """One row per scenario x KR: P(hit) with its standard error, score, quantiles."""
        return outlook.kr_outlook(self)

    def objectives(self) -> pd.DataFrame:
        """One row per scenario x objective: expected score and P(score >= 0.7) +- SE."""
        return outlook.objective_outlook(self)

    def bands(self, kr: str | None = None) -> pd.DataFrame:
        """Weekly p10/p50/p90 per scenario x KR x week (cumulative for sum KRs)."""
        return outlook.fan_bands(self, kr)

    def compare(self, reference: str = "baseline") -> pd.DataFrame:
        """Each scenario against ``reference``: difference in P(hit) and score, with SEs."""
        return outlook.compare(self, reference)


def simulate(plan: Plan, *, draws: int = DEFAULT_DRAWS,
             seed: int | np.random.Generator | None = DEFAULT_SEED,
             scenarios: Sequence[str] | None = None, method: Method = "random",
             weekly: bool | None = None, progress: Progress | None = None) -> Simulation:
    """Simulate the plan's KRs under each scenario.

    Parameters
    ----------
    plan
        A loaded plan (`load_plan`).
    draws
        Monte Carlo draws, shared by all scenarios.
    seed
        Integer seed (the same seed gives bit-identical results), a numpy Generator, or
        None for fresh entropy (recorded as ``Simulation.seed``).
    scenarios
        Scenario ids to run, in order; default all of the plan's.
    method
        ``"random"`` or ``"sobol"`` (scrambled Sobol points for the uncertain inputs;
        best with a power-of-two number of draws).
    weekly
        Keep weekly values (needed for fan bands). Default: keep them when they fit in
        `WEEKLY_LIMIT_BYTES`, else drop them with a warning.
    progress
        Called as ``progress(done, total)`` after each chunk of draws.
    """
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise SimulationError(f"draws must be a whole number >= 1, got {draws!r}")
    ids = [s.id for s in plan.scenarios] if scenarios is None else list(scenarios)
    chosen = [plan.scenario(s) for s in ids]  # ScenarioError for an unknown id
    if len(set(ids)) != len(ids):
        raise SimulationError(f"scenario listed twice: {', '.join(ids)}")
    entropy = resolve_seed(seed)
    cp = CompiledPlan(plan)
    compiled = [cp.compile_scenario(s) for s in chosen]
    n_krs, weeks = len(cp.kr_ids), cp.weeks
    if weekly is None:
        weekly = len(ids) * draws * weeks * n_krs * 8 <= WEEKLY_LIMIT_BYTES
        if not weekly:
            warnings.warn(f"{draws:,} draws: weekly values are not kept (they would need more "
                          f"than {WEEKLY_LIMIT_BYTES >> 20} MiB); fan bands need weekly=True",
                          stacklevel=2)
    names = cp.uniform_names() + [n for cs in compiled for n in cs.uniform_names()]
    streams = Streams(entropy, method, names)

    quarter = np.empty((len(ids), draws, n_krs))
    weekly_out = np.empty((len(ids), draws, weeks, n_krs)) if weekly else None
    for start in range(0, draws, BLOCK):
        stop = min(start + BLOCK, draws)
        inputs = draw_plan_inputs(cp, streams, start, stop)
        for s, cs in enumerate(compiled):
            values = simulate_weekly(cp, cs, inputs, streams, start, stop)
            quarter[s, start:stop] = quarter_values(cp, values)
            if weekly_out is not None:
                weekly_out[s, start:stop] = values
        if progress is not None:
            progress(stop, draws)
    return Simulation(plan, ids, cp, quarter, weekly_out, entropy, method)
