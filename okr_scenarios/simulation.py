"""`simulate`: run every scenario of a plan by Monte Carlo and keep the results."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from . import outlook
from .compile import CompiledPlan
from .engine import draw_plan_inputs, plan_paths, quarter_values, scores, simulate_weekly
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

    Values are stored KR-major: quarter values as (scenarios, krs, draws); weekly values
    once for the plan without shocks, (krs, weeks, draws), and per scenario only for the KRs
    its shocks reach. The accessors return arrays in the order ``[draw, (week,) KR]``.
    """

    def __init__(self, plan: Plan, scenario_ids: Sequence[str], compiled: CompiledPlan,
                 quarter: np.ndarray, plan_weekly: np.ndarray | None,
                 scenario_weekly: list[np.ndarray] | None, affected: list[np.ndarray],
                 seed: int, method: str):
        self.plan, self.compiled = plan, compiled
        self.scenario_ids = list(scenario_ids)
        self._quarter = quarter
        self._plan_weekly, self._scenario_weekly = plan_weekly, scenario_weekly
        self._affected = affected
        self.seed, self.method = seed, method
        self.draws = quarter.shape[2]

    @property
    def has_weekly(self) -> bool:
        return self._plan_weekly is not None

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
        if self._plan_weekly is None:
            raise SimulationError("this run did not keep weekly values; simulate again "
                                  "with weekly=True (or fewer draws)")
        s = self._index(scenario)
        out = self._plan_weekly.transpose(2, 1, 0).copy()
        for i, k in enumerate(np.flatnonzero(self._affected[s])):
            out[:, :, k] = self._scenario_weekly[s][i].T
        return out

    def quarter_values(self, scenario: str) -> np.ndarray:
        """Quarter value ``V`` of each KR in one scenario, (draws, krs) (a read-only view)."""
        return _read_only(self._quarter[self._index(scenario)].T)

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


def _read_only(view: np.ndarray) -> np.ndarray:
    view.flags.writeable = False
    return view


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

    quarter = np.empty((len(ids), n_krs, draws))
    plan_weekly = np.empty((n_krs, weeks, draws)) if weekly else None
    rows = [np.flatnonzero(cs.affected) for cs in compiled]
    own = [np.empty((r.size, weeks, draws if weekly else min(BLOCK, draws))) for r in rows]
    for start in range(0, draws, BLOCK):
        stop = min(start + BLOCK, draws)
        inputs = draw_plan_inputs(cp, streams, start, stop)
        plan_chunk = plan_paths(cp, inputs)
        if plan_weekly is not None:
            plan_weekly[:, :, start:stop] = plan_chunk.values
        plan_quarter = quarter_values(cp, plan_chunk.values)
        for s, cs in enumerate(compiled):
            quarter[s, :, start:stop] = plan_quarter
            if rows[s].size:
                out = own[s][:, :, start:stop] if weekly else own[s][:, :, :stop - start]
                simulate_weekly(cp, cs, inputs, plan_chunk, streams, start, stop, out)
                quarter[s, rows[s], start:stop] = quarter_values(cp, out, rows[s])
        if progress is not None:
            progress(stop, draws)
    return Simulation(plan, ids, cp, quarter, plan_weekly, own if weekly else None,
                      [cs.affected for cs in compiled], entropy, method)
