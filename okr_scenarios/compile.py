"""Compile a plan and its scenarios into arrays the simulation engine works on.

Indices: ``K`` key results (plan order), ``I`` initiatives, ``E`` effects (one per
initiative x KR pair), ``T`` weeks. Uncertain inputs are kept as named `Estimate`s; the
name is the key of the random stream that draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import SATURATION_K, BudgetShock, DemandShock, Estimate, Onset, Plan, Scenario
from .plan_reader import topological_order
from .response import adstock, hill, lagged

MEASURES = ("sum", "last", "mean")


@dataclass(frozen=True)
class Link:
    """Funnel link into KR ``k`` from KR ``j``: ``rate * v_j(t - lag)``."""

    k: int
    j: int
    lag: int
    rate: Estimate
    name: str


@dataclass(frozen=True)
class ShockArrays:
    """One shock of a scenario in array form.

    ``mask`` selects initiatives (budget, shape (I,)), effects (platform, (E,)) or KRs
    (demand, (K,)); ``size`` is the multiplier: the spend factor ``1 + change`` (budget,
    known), the efficiency (platform) or the demand multiplier.
    """

    kind: str
    mask: np.ndarray
    size: Estimate
    onset: Onset
    probability: float
    name: str


@dataclass(frozen=True)
class SpendChange:
    """Decisions laid over a scenario: a new spend path from a week, initiatives removed.

    From ``from_week`` on, the ``moved`` initiatives (I,) spend ``spend`` (T, I) instead of
    what the scenario would have them spend; ``removed`` initiatives (I,) give no lift at
    all and count as stopped from week 1 for those that depend on them.
    """

    from_week: int
    spend: np.ndarray
    moved: np.ndarray
    removed: np.ndarray

    def apply(self, spend: np.ndarray) -> np.ndarray:
        out = spend.copy()
        week = self.from_week - 1
        out[week:, self.moved] = self.spend[week:, self.moved]
        out[:, self.removed] = 0.0
        return out

    @property
    def touched(self) -> np.ndarray:
        return self.moved | self.removed


@dataclass(frozen=True)
class CompiledScenario:
    """A scenario's shocks (and any decisions laid over it), and which KRs (K,) they reach.

    ``lifts_changed``: KRs fed by an initiative whose spend (or dependency) a budget shock or
    a decision changes; ``mean_changed``: those plus KRs hit by platform or demand shocks;
    ``affected``: those plus every KR derived from them. Other KRs equal the plan's.
    """

    id: str
    budget: tuple[ShockArrays, ...]
    platform: tuple[ShockArrays, ...]
    demand: tuple[ShockArrays, ...]
    lifts_changed: np.ndarray
    mean_changed: np.ndarray
    affected: np.ndarray
    change: SpendChange | None = None

    def uniform_names(self) -> list[str]:
        names = []
        for shock in (*self.budget, *self.platform, *self.demand):
            if shock.probability < 1:
                names.append(f"{shock.name}:occurs")
            if shock.onset.first < shock.onset.last:
                names.append(f"{shock.name}:onset")
            if not shock.size.is_known:
                names.append(f"{shock.name}:size")  # a normal score (Sobol: its uniform)
        return names


class CompiledPlan:
    """Arrays of one plan that do not depend on the scenario."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.weeks = T = plan.weeks
        krs = plan.key_results
        self.kr_ids = [kr.id for kr in krs]
        kr_at = {kr_id: k for k, kr_id in enumerate(self.kr_ids)}
        self.measure = np.array([MEASURES.index(kr.measure) for kr in krs])
        self.start = np.array([kr.start for kr in krs])
        self.target = np.array([kr.target for kr in krs])
        self.volatility = np.array([kr.volatility for kr in krs])
        self.baseline = [kr.baseline.weekly for kr in krs]
        trend = np.array([kr.baseline.trend for kr in krs])
        self.growth = (1 + trend)[None, :] ** np.arange(T)[:, None]  # (T, K)

        # objectives: score of objective o = sum_k objective_weights[k, o] * score_k
        self.objective_ids = [o.id for o in plan.objectives]
        self.objective_weights = np.zeros((len(krs), len(plan.objectives)))
        for o, obj in enumerate(plan.objectives):
            total = sum(kr.weight for kr in obj.key_results)
            for kr in obj.key_results:
                self.objective_weights[kr_at[kr.id], o] = kr.weight / total
        self.kr_objective = [kr.objective for kr in krs]

        # initiatives and effects
        inits = plan.initiatives
        self.initiative_ids = [i.id for i in inits]
        at = {i.id: n for n, i in enumerate(inits)}
        self.x0 = np.array([i.weekly_spend for i in inits])
        week = np.arange(1, T + 1)[:, None]
        first = np.array([i.active_weeks[0] for i in inits])
        last = np.array([i.active_weeks[1] for i in inits])
        self.active = (week >= first) & (week <= last)  # (T, I)
        self.planned_spend = self.active * self.x0  # (T, I)
        self.running = np.array([i.already_running for i in inits], dtype=bool)
        self.depends = np.zeros((len(inits), len(inits)), dtype=bool)  # [i, j]: i needs j
        for i in inits:
            for dep in i.depends_on:
                self.depends[at[i.id], at[dep]] = True

        effects = [(at[i.id], e) for i in inits for e in i.effects]
        self.effect_initiative = np.array([n for n, _ in effects], dtype=int)
        self.effect_kr = np.array([kr_at[e.kr] for _, e in effects], dtype=int)
        self.lift = [e.lift for _, e in effects]
        self.lift_names = [f"effect:{inits[n].id}:{e.kr}:lift" for n, e in effects]
        self.carryover = np.array([e.carryover for _, e in effects])
        self.lag = np.array([e.lag_weeks for _, e in effects], dtype=int)
        self.shape = np.array([e.shape for _, e in effects])
        x0 = self.x0[self.effect_initiative]
        self.half = np.array([_half_saturation(e, x0[n]) for n, (_, e) in enumerate(effects)])
        self.effect_onehot = np.zeros((len(effects), len(krs)))  # (E, K)
        self.effect_onehot[np.arange(len(effects)), self.effect_kr] = 1.0

        # funnels, in an order where every source comes before the KRs derived from it
        graph = {kr.id: [link.kr for link in kr.derived_from] for kr in krs}
        self.order = [kr_at[kr_id] for kr_id in topological_order(graph)]
        self.links = [Link(kr_at[kr.id], kr_at[link.kr], link.lag_weeks, link.rate,
                           f"kr:{kr.id}:rate:{link.kr}")
                      for kr in krs for link in kr.derived_from]
        self.links_into = [[(n, link) for n, link in enumerate(self.links) if link.k == k]
                           for k in range(len(krs))]
        self.kr_effects = [np.flatnonzero(self.effect_kr == k) for k in range(len(krs))]
        self.pre_level = self._pre_quarter_levels()

    # -- uncertain inputs -------------------------------------------------------------
    def uniform_names(self) -> list[str]:
        named = [*zip(self.baseline_names, self.baseline, strict=True),
                 *zip(self.lift_names, self.lift, strict=True),
                 *((link.name, link.rate) for link in self.links)]
        return [name for name, est in named if not est.is_known]

    @property
    def baseline_names(self) -> list[str]:
        return [f"kr:{kr_id}:baseline" for kr_id in self.kr_ids]

    def _pre_quarter_levels(self) -> np.ndarray:
        """Each KR's weekly level before week 1, so funnels start in steady state.

        Baseline median, plus the median lift of each already-running initiative feeding
        it, plus, for a derived KR, the median rate times its source's pre-quarter level.
        """
        pre = np.array([b.expected for b in self.baseline])
        running = self.running[self.effect_initiative]
        for e in np.flatnonzero(running):
            pre[self.effect_kr[e]] += self.lift[e].expected
        for k in self.order:
            for _, link in self.links_into[k]:
                pre[k] += link.rate.expected * pre[link.j]
        return pre

    # -- response of every effect to a spend path ----------------------------------------
    def response(self, spend: np.ndarray, removed: np.ndarray | None = None) -> np.ndarray:
        """Share of each effect's planned lift delivered each week, before platform and
        demand shocks: ``H(e(t - lag)) / H(x0)``, or for an effort with no budget its
        activity ``t - lag`` weeks ago; zero from the week a dependency is stopped.

        Parameters
        ----------
        spend : (weeks, initiatives)
        removed : (initiatives,), optional
            Initiatives taken out of the plan: no lift, and stopped from week 1.

        Returns
        -------
        (weeks, effects)
        """
        ini = self.effect_initiative
        x0 = self.x0[ini]
        effort = x0 == 0
        initial = np.where(self.running[ini], x0, 0.0)
        eff = lagged(adstock(spend[:, ini], self.carryover, initial), self.lag)
        safe_x0 = np.where(effort, 1.0, x0)
        ratio = hill(eff, self.half, self.shape) / hill(safe_x0, self.half, self.shape)
        active = np.vstack([self.running[None, :], self.active]).astype(float)  # (T+1, I)
        effort_on = lagged(active[:, ini], self.lag)
        out = np.where(effort, effort_on, ratio)
        out *= ~self.stopped_needs(spend, removed)[:, ini]
        if removed is not None:
            out[:, removed[ini]] = 0.0
        return out

    def stopped_needs(self, spend: np.ndarray, removed: np.ndarray | None = None) -> np.ndarray:
        """(weeks, initiatives): True from the week an initiative's dependency is stopped.

        An initiative is stopped from week ``w`` when its planned spend in ``w`` is positive
        and its spend is zero from ``w`` to the end of the quarter; a removed one from week 1.
        """
        zero_from = np.flip(np.logical_and.accumulate(np.flip(spend == 0, 0), 0), 0)
        stopped = np.logical_or.accumulate(zero_from & (self.planned_spend > 0), 0)
        if removed is not None:
            stopped = stopped | removed[None, :]
        return (stopped.astype(int) @ self.depends.T.astype(int)) > 0

    def expected_spend(self, cs: CompiledScenario) -> np.ndarray:
        """(weeks, initiatives): spend the scenario's budget shocks leave, in expectation.

        Each shock multiplies week ``t`` by ``1 + p P(onset <= t) change``; shocks are
        independent, so the expectations multiply.
        """
        spend = self.planned_spend.copy()
        week = np.arange(1, self.weeks + 1)[:, None]
        for shock in cs.budget:
            first, last = shock.onset.first, shock.onset.last
            started = np.clip((week - first + 1) / (last - first + 1), 0.0, 1.0)
            change = shock.size.expected - 1
            spend[:, shock.mask] *= 1 + shock.probability * started * change
        return spend

    # -- scenarios ------------------------------------------------------------------------
    def compile_scenario(self, scenario: Scenario, change: SpendChange | None = None
                         ) -> CompiledScenario:
        at_ini = {i: n for n, i in enumerate(self.initiative_ids)}
        at_kr = {k: n for n, k in enumerate(self.kr_ids)}
        budget, platform, demand = [], [], []
        for j, shock in enumerate(scenario.shocks):
            name = f"scenario:{scenario.id}:shock{j}"
            if isinstance(shock, DemandShock):
                mask = np.isin(np.arange(len(self.kr_ids)), [at_kr[k] for k in shock.targets])
                demand.append(ShockArrays("demand", mask, shock.multiplier, shock.onset,
                                          shock.probability, name))
                continue
            ini_mask = np.isin(np.arange(len(self.initiative_ids)),
                               [at_ini[i] for i in shock.targets])
            if isinstance(shock, BudgetShock):
                budget.append(ShockArrays("budget", ini_mask, Estimate.known(1 + shock.change),
                                          shock.onset, shock.probability, name))
            else:
                platform.append(ShockArrays("platform", ini_mask[self.effect_initiative],
                                            shock.efficiency, shock.onset, shock.probability,
                                            name))
        return self._with_reach(scenario.id, tuple(budget), tuple(platform), tuple(demand),
                                change)

    def with_change(self, cs: CompiledScenario, change: SpendChange | None) -> CompiledScenario:
        """The same scenario with decisions ``change`` laid over it."""
        return self._with_reach(cs.id, cs.budget, cs.platform, cs.demand, change)

    def _with_reach(self, scenario_id: str, budget, platform, demand,
                    change: SpendChange | None) -> CompiledScenario:
        spend_hit = np.zeros(len(self.initiative_ids), dtype=bool)
        for shock in budget:
            spend_hit |= shock.mask
        if change is not None:
            spend_hit |= change.touched
        spend_hit |= self.depends.astype(int) @ spend_hit.astype(int) > 0
        lifts_changed = self._krs_of_effects(spend_hit[self.effect_initiative])
        mean_changed = lifts_changed.copy()
        for shock in platform:
            mean_changed |= self._krs_of_effects(shock.mask)
        for shock in demand:
            mean_changed |= shock.mask
        affected = mean_changed.copy()
        for k in self.order:
            affected[k] |= any(affected[link.j] for _, link in self.links_into[k])
        return CompiledScenario(scenario_id, budget, platform, demand, lifts_changed,
                                mean_changed, affected, change)

    def _krs_of_effects(self, effect_mask: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.kr_ids), dtype=bool)
        out[self.effect_kr[effect_mask]] = True
        return out


def _half_saturation(effect, x0: float) -> float:
    """``K`` of the Hill curve: explicit, or the saturation word times ``x0``; NaN = linear."""
    if effect.half_saturation is not None:
        return effect.half_saturation
    factor = SATURATION_K[effect.saturation]
    return np.nan if factor is None else factor * x0
