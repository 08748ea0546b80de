"""okr-scenarios: stress-test a marketing team's OKRs by Monte Carlo simulation."""

from importlib.metadata import PackageNotFoundError, version

from .contingency import Contingency, contingency_plan, playbook_table
from .errors import (
    OkrScenariosError,
    PlanError,
    PlanWarning,
    Problem,
    ScenarioError,
    SimulationError,
)
from .loader import load_plan
from .model import Plan
from .reallocation import Reallocation, ReallocationError, reallocate
from .resilience import Resilience, resilience
from .sensitivity import sensitivity
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED, Simulation, simulate

try:
    __version__ = version("okr-scenarios")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "Contingency",
    "Reallocation",
    "ReallocationError",
    "Resilience",
    "contingency_plan",
    "playbook_table",
    "reallocate",
    "resilience",
    "sensitivity",
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "Simulation",
    "simulate",
    "OkrScenariosError",
    "Plan",
    "PlanError",
    "PlanWarning",
    "Problem",
    "ScenarioError",
    "SimulationError",
    "__version__",
    "load_plan",
]
