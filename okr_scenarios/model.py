"""The typed, immutable plan: what `load_plan` returns and every other module reads.

Every default of PLAN_FORMAT.md is already applied here and every reference resolved, so
downstream code never looks at raw YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from .errors import ScenarioError

Measure = Literal["sum", "last", "mean"]
Indicator = Literal["leading", "lagging"]
Confidence = Literal["low", "medium", "high"]

#: Half-saturation spend ``K`` as a multiple of the planned weekly spend ``x0``, by word.
SATURATION_K: dict[str, float | None] = {"none": None, "low": 3.0, "medium": 1.0, "high": 1 / 3}


@dataclass(frozen=True)
class Estimate:
    """A three-point estimate: 10th percentile, median and 90th percentile.

    A known quantity has ``low == expected == high``.
    """

    low: float
    expected: float
    high: float

    @classmethod
    def known(cls, value: float) -> Estimate:
        return cls(value, value, value)

    @property
    def is_known(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True)
class ApprovalTier:
    """One rung of the reallocation approval ladder; ``up_to=None`` means anything larger."""

    role: str
    up_to: float | None = None


@dataclass(frozen=True)
class Governance:
    sets_objectives: str | None = None
    validates_key_results: str | None = None
    approves_reallocation: tuple[ApprovalTier, ...] = ()

    def approver(self, change: float) -> str | None:
        """Role that approves changing one initiative's budget by ``change`` (either sign).

        A change exactly equal to a tier's ``up_to`` belongs to that tier.
        """
        size = abs(change)
        for tier in self.approves_reallocation:
            if tier.up_to is None or size <= tier.up_to:
                return tier.role
        return None


@dataclass(frozen=True)
class Priority:
    id: str
    name: str


@dataclass(frozen=True)
class Baseline:
    """What a KR does weekly with no initiative at all."""

    weekly: Estimate = Estimate.known(0.0)
    trend: float = 0.0


@dataclass(frozen=True)
class DerivedLink:
    """Funnel link: ``rate`` units of this KR per unit of KR ``kr``, ``lag_weeks`` later."""

    kr: str
    rate: Estimate
    lag_weeks: int = 0


@dataclass(frozen=True)
class KeyResult:
    id: str
    name: str
    objective: str
    target: float
    start: float = 0.0
    indicator: Indicator = "lagging"
    unit: str = ""
    measure: Measure = "sum"
    owner: str | None = None
    weight: float = 1.0
    baseline: Baseline = Baseline()
    volatility: float = 0.1
    derived_from: tuple[DerivedLink, ...] = ()

    @property
    def decreasing(self) -> bool:
        """True when success means going down (target below start)."""
        return self.target < self.start


@dataclass(frozen=True)
class Objective:
    id: str
    name: str
    key_results: tuple[KeyResult, ...]
    priority: str | None = None
    owner: str | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Effect:
    """How one initiative moves one KR."""

    kr: str
    lift: Estimate
    saturation: str = "none"
    half_saturation: float | None = None
    shape: float = 1.0
    carryover: float = 0.0
    lag_weeks: int = 0


@dataclass(frozen=True)
class Initiative:
    id: str
    name: str
    budget: float = 0.0
    min_budget: float = 0.0
    max_budget: float = 0.0
    active_weeks: tuple[int, int] = (1, 1)
    team: str | None = None
    owner: str | None = None
    channel: str | None = None
    already_running: bool = False
    hypothesis: str | None = None
    depends_on: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()

    @property
    def n_active_weeks(self) -> int:
        return self.active_weeks[1] - self.active_weeks[0] + 1

    @property
    def weekly_spend(self) -> float:
        """Planned weekly spend ``x0 = budget / active weeks``."""
        return self.budget / self.n_active_weeks

    @property
    def has_spend(self) -> bool:
        return self.budget > 0


@dataclass(frozen=True)
class Selector:
    """Which initiatives a shock hits: union within a list, intersection across lists."""

    initiatives: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.initiatives or self.channels or self.teams)


@dataclass(frozen=True)
class Onset:
    """Week a shock starts: fixed (``first == last``) or uniform over ``first..last``."""

    first: int = 1
    last: int = 1


@dataclass(frozen=True)
class BudgetShock:
    """Weekly spend of ``targets`` is multiplied by ``1 + change`` from the onset week."""

    change: float
    targets: tuple[str, ...]
    selector: Selector = Selector()
    onset: Onset = Onset()
    probability: float = 1.0
    type: str = field(default="budget", init=False)


@dataclass(frozen=True)
class PlatformShock:
    """The lift of ``targets`` is multiplied by ``efficiency`` from the onset week."""

    efficiency: Estimate
    targets: tuple[str, ...]
    selector: Selector = Selector()
    onset: Onset = Onset()
    probability: float = 1.0
    type: str = field(default="platform", init=False)


@dataclass(frozen=True)
class DemandShock:
    """Baseline and lifts of the KRs ``targets`` are multiplied by ``multiplier`` from onset."""

    multiplier: Estimate
    targets: tuple[str, ...]
    onset: Onset = Onset()
    probability: float = 1.0
    type: str = field(default="demand", init=False)


Shock = BudgetShock | PlatformShock | DemandShock


@dataclass(frozen=True)
class Scenario:
    id: str
    name: str
    shocks: tuple[Shock, ...] = ()
    likelihood: float | None = None
    description: str | None = None


@dataclass(frozen=True)
class Actual:
    """One check-in row of actuals.csv; ``value`` is None when not measured."""

    week: int
    kr: str
    value: float | None
    confidence: Confidence | None = None
    note: str = ""


@dataclass(frozen=True)
class Plan:
    name: str
    quarter: str
    start: date
    weeks: int
    objectives: tuple[Objective, ...]
    initiatives: tuple[Initiative, ...]
    scenarios: tuple[Scenario, ...]
    currency: str = "USD"
    governance: Governance = Governance()
    priorities: tuple[Priority, ...] = ()
    actuals: tuple[Actual, ...] = ()
    folder: Path | None = None

    @property
    def key_results(self) -> tuple[KeyResult, ...]:
        """Every KR of the plan, in the order written."""
        return tuple(kr for obj in self.objectives for kr in obj.key_results)

    @property
    def total_budget(self) -> float:
        return sum(i.budget for i in self.initiatives)

    def kr(self, kr_id: str) -> KeyResult:
        return _find(self.key_results, kr_id, "key result")

    def objective(self, objective_id: str) -> Objective:
        return _find(self.objectives, objective_id, "objective")

    def initiative(self, initiative_id: str) -> Initiative:
        return _find(self.initiatives, initiative_id, "initiative")

    def scenario(self, scenario_id: str) -> Scenario:
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        known = ", ".join(s.id for s in self.scenarios)
        raise ScenarioError(f"no scenario '{scenario_id}' in the plan; known: {known}")


def _find(items, item_id: str, what: str):
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"no {what} with id '{item_id}'")
