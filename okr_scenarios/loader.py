"""`load_plan`: read a plan folder into a validated, immutable `Plan`."""

from __future__ import annotations

import warnings
from os import PathLike
from pathlib import Path

from .actuals_reader import FILE as ACTUALS_FILE
from .actuals_reader import read_actuals_file
from .errors import PlanError, PlanWarning, Problem
from .model import Plan
from .plan_reader import FILE as PLAN_FILE
from .plan_reader import read_plan_file
from .scenario_reader import FILE as SCENARIOS_FILE
from .scenario_reader import read_scenarios_file
from .schema import Problems
from .yamlio import read_yaml


def load_plan(folder: str | PathLike[str]) -> Plan:
    """Load ``plan.yaml``, ``scenarios.yaml`` and the optional ``actuals.csv`` of a folder.

    Every default of the plan format is applied and every reference resolved.

    Raises
    ------
    PlanError
        Listing every problem found in the first file that has any: which file, where in
        it (with the line where YAML gives one), and what was expected.

    Warns
    -----
    PlanWarning
        For what loads but is probably a slip, such as a selector name matching nothing
        while the shock's other names do match.
    """
    root = Path(folder)
    if not root.is_dir():
        what = "is a file, not a plan folder" if root.exists() else "plan folder not found"
        raise PlanError([Problem(str(root), "", f"{what}; expected a folder holding "
                                                f"{PLAN_FILE} and {SCENARIOS_FILE}")])
    problems = Problems()
    fields = read_plan_file(read_yaml(root / PLAN_FILE), problems)
    problems.raise_if_any()
    key_results = tuple(kr for obj in fields["objectives"] for kr in obj.key_results)
    scenarios = read_scenarios_file(read_yaml(root / SCENARIOS_FILE), fields["weeks"],
                                    fields["initiatives"], key_results, problems)
    problems.raise_if_any()
    actuals = ()
    if (root / ACTUALS_FILE).is_file():
        actuals = read_actuals_file(root / ACTUALS_FILE, fields["weeks"], key_results, problems)
        problems.raise_if_any()
    for problem in problems.warnings:
        warnings.warn(PlanWarning(str(problem)), stacklevel=2)
    return Plan(**fields, scenarios=scenarios, actuals=actuals, folder=root.resolve())
