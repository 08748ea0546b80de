"""Tiny plans built in code, for formula tests with hand-computed answers."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from okr_scenarios import load_plan, simulate
from okr_scenarios.model import Plan

from .conftest import write_plan

_folders = itertools.count()


def kr(kr_id: str, target: float = 1e9, **fields) -> dict:
    """A KR with no noise and no baseline unless given."""
    return {"id": kr_id, "name": f"KR {kr_id}", "target": target, "volatility": 0, **fields}


def effect(kr_id: str, lift, **fields) -> dict:
    return {"kr": kr_id, "lift": lift, "saturation": "none", **fields}


def initiative(ini_id: str, budget: float, *effects: dict, **fields) -> dict:
    return {"id": ini_id, "name": f"Initiative {ini_id}", "channel": f"ch_{ini_id}",
            "budget": budget, "effects": list(effects), **fields}


def tiny_plan(tmp: Path, krs: list[dict], initiatives: list[dict] = (),
              shocks: dict[str, list[dict]] | None = None, weeks: int = 4,
              objectives: list[dict] | None = None) -> Plan:
    """A one-objective plan (or ``objectives`` as given) with scenarios ``{id: shocks}``."""
    plan = {"name": "Tiny", "quarter": "Q", "start": "2027-01-04", "weeks": weeks,
            "objectives": objectives or [{"id": "O", "name": "Objective", "key_results": krs}],
            "initiatives": list(initiatives)}
    scenarios = [{"id": "baseline", "name": "Plan"}]
    scenarios += [{"id": sid, "name": sid, "shocks": s} for sid, s in (shocks or {}).items()]
    folder = write_plan(tmp / f"plan{next(_folders)}", plan, {"scenarios": scenarios}, actuals=None)
    return load_plan(folder)


def weekly(plan: Plan, scenario: str = "baseline", kr_id: str | None = None,
           draws: int = 3, seed: int = 1) -> np.ndarray:
    """Weekly values of one KR in the first draw (all draws agree when nothing is uncertain)."""
    run = simulate(plan, draws=draws, seed=seed)
    values = run.weekly_values(scenario)
    k = 0 if kr_id is None else [k.id for k in plan.key_results].index(kr_id)
    assert np.all(values[:, :, k] == values[:1, :, k]), "draws differ in a deterministic plan"
    return values[0, :, k]
