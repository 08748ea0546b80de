"""Append a scenario to a plan's scenarios.yaml: validated first, written atomically, the
rest of the file (other scenarios, comments) kept exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import yaml

from .errors import OkrScenariosError
from .loader import load_plan
from .model import BudgetShock, DemandShock, Estimate, Plan, Scenario, Shock
from .scenario_reader import FILE

__all__ = ["ScenarioSaveError", "save_scenario", "shock_to_dict"]


class ScenarioSaveError(OkrScenariosError, ValueError):
    """Raised when a scenario cannot be saved (duplicate id, invalid, file layout)."""


def shock_to_dict(shock: Shock) -> dict:
    """The shock as scenarios.yaml writes it."""
    out: dict = {"type": shock.type}
    if isinstance(shock, DemandShock):
        out["multiplier"] = _estimate(shock.multiplier)
        out["key_results"] = list(shock.targets)
    else:
        for key in ("initiatives", "channels", "teams"):
            if getattr(shock.selector, key):
                out[key] = list(getattr(shock.selector, key))
        if isinstance(shock, BudgetShock):
            out["change"] = shock.change
        else:
            out["efficiency"] = _estimate(shock.efficiency)
    if shock.onset.first == shock.onset.last:
        out["from_week"] = shock.onset.first
    else:
        out["between_weeks"] = [shock.onset.first, shock.onset.last]
    if shock.probability < 1:
        out["probability"] = shock.probability
    return out


def _estimate(e: Estimate):
    return e.expected if e.is_known else {"low": e.low, "expected": e.expected, "high": e.high}


def save_scenario(plan: Plan, scenario: Scenario) -> Path:
    """Append ``scenario`` to ``plan.folder``'s scenarios.yaml and return the file's path.

    Raises
    ------
    ScenarioSaveError
        The id is taken, the plan would no longer load, or the file's scenario list is not
        a block list this can append to. The file is then left untouched.
    """
    folder = Path(plan.folder)
    path = folder / FILE
    if any(s.id == scenario.id for s in plan.scenarios):
        raise ScenarioSaveError(f"a scenario with id '{scenario.id}' already exists in {FILE}; "
                                "choose another id")
    text = path.read_text(encoding="utf-8")
    candidate = _append(text, scenario)
    _validate(folder, candidate)
    fd, tmp = tempfile.mkstemp(prefix=f".{FILE}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(candidate)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _append(text: str, scenario: Scenario) -> str:
    """``text`` with the scenario's YAML inserted right after the last item of the list."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    items = next((v for k, v in (root.value if isinstance(root, yaml.MappingNode) else [])
                  if k.value == "scenarios"), None)
    if not isinstance(items, yaml.SequenceNode) or items.flow_style or not items.value:
        raise ScenarioSaveError(f"{FILE} must hold 'scenarios:' as a block list (one '- id:' "
                                "per scenario) for a scenario to be appended")
    indent = " " * items.start_mark.column  # the column of each item's dash
    lines = [f"{indent}- id: {json.dumps(scenario.id)}",
             f"{indent}  name: {json.dumps(scenario.name)}"]
    if scenario.description:
        lines.append(f"{indent}  description: {json.dumps(scenario.description)}")
    if scenario.shocks:
        lines.append(f"{indent}  shocks:")
        lines += [f"{indent}    - {json.dumps(shock_to_dict(s))}" for s in scenario.shocks]
    block = "\n".join(lines) + "\n"
    end = items.value[-1].end_mark
    source = text if text.endswith("\n") else text + "\n"
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    cut = offsets[end.line] if end.column == 0 else offsets[min(end.line + 1, len(offsets) - 1)]
    return source[:cut] + block + source[cut:]


def _validate(folder: Path, candidate: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("plan.yaml", "actuals.csv"):
            if (folder / name).exists():
                shutil.copy(folder / name, Path(tmp) / name)
        (Path(tmp) / FILE).write_text(candidate, encoding="utf-8")
        try:
            load_plan(tmp)
        except OkrScenariosError as exc:
            raise ScenarioSaveError(f"the scenario was not saved: {exc}") from None
