"""okr-scenarios: stress-test a marketing team's OKRs by Monte Carlo simulation."""

from importlib.metadata import PackageNotFoundError, version

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
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED, Simulation, simulate

try:
    __version__ = version("okr-scenarios")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
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
