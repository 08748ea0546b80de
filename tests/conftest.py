"""Shared fixtures: a small valid plan written as dicts, and helpers to break it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent

BASE_PLAN = {
    "name": "Tiny Co",
    "quarter": "2027-Q1",
    "start": "2027-01-04",
    "weeks": 13,
    "currency": "USD",
    "governance": {
        "approves_reallocation": [
            {"up_to": 10000, "role": "Team lead"},
            {"up_to": 50000, "role": "Head of Demand Generation"},
            {"role": "CMO"},
        ]
    },
    "priorities": [{"id": "P1", "name": "Grow pipeline"}],
    "objectives": [
        {
            "id": "O1",
            "name": "Fill the funnel",
            "priority": "P1",
            "owner": "Head of Demand",
            "key_results": [
                {
                    "id": "KR1",
                    "name": "MQLs",
                    "indicator": "leading",
                    "target": 1500,
                    "baseline": {"weekly": {"low": 80, "expected": 100, "high": 120}},
                },
                {
                    "id": "KR2",
                    "name": "Pipeline",
                    "target": 1000000,
                    "derived_from": [{"kr": "KR1", "rate": 1000, "lag_weeks": 2}],
                },
            ],
        }
    ],
    "initiatives": [
        {
            "id": "I1",
            "name": "Paid social",
            "team": "Demand",
            "channel": "paid_social",
            "budget": 52000,
            "effects": [{"kr": "KR1", "lift": {"low": 10, "expected": 20, "high": 30}}],
        },
        {
            "id": "I2",
            "name": "Webinars",
            "team": "Product Marketing",
            "channel": "events",
            "budget": 0,
            "depends_on": ["I1"],
            "effects": [{"kr": "KR1", "lift": 5}],
        },
    ],
}

BASE_SCENARIOS = {
    "scenarios": [
        {"id": "baseline", "name": "Plan as written"},
        {
            "id": "cut",
            "name": "Budget cut",
            "shocks": [{"type": "budget", "channels": ["paid_social"], "change": -0.2,
                        "from_week": 6}],
        },
    ]
}

BASE_ACTUALS = "week,kr,value,confidence,note\n1,KR1,112,high,Good week\n1,KR2,,medium,\n"


def write_plan(folder: Path, plan: dict | str | None = None, scenarios: dict | str | None = None,
               actuals: str | None = BASE_ACTUALS) -> Path:
    """Write a plan folder; dicts are dumped as YAML, strings written as they are."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (("plan.yaml", plan if plan is not None else BASE_PLAN),
                          ("scenarios.yaml", scenarios if scenarios is not None else BASE_SCENARIOS)):
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        (folder / name).write_text(text, encoding="utf-8")
    if actuals is not None:
        (folder / "actuals.csv").write_text(actuals, encoding="utf-8")
    return folder


def edited(base: dict, change: Callable[[dict], object]) -> dict:
    """A deep copy of ``base`` with ``change`` applied to it."""
    out = copy.deepcopy(base)
    change(out)
    return out


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    return write_plan(tmp_path / "plan")
