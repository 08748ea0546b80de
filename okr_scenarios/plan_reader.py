"""plan.yaml: the quarter, governance, objectives with key results, and initiatives."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .model import (
    SATURATION_K,
    ApprovalTier,
    Baseline,
    DerivedLink,
    Effect,
    Governance,
    Initiative,
    KeyResult,
    Objective,
    Priority,
)
from .schema import Problems, Section, did_you_mean

FILE = "plan.yaml"
MAX_LAG = 52


def read_plan_file(raw: Any, problems: Problems) -> dict[str, Any]:
    """Read plan.yaml into the keyword arguments of `Plan` (less scenarios and actuals)."""
    top = Section(raw, FILE, "", problems)
    top.check_fields(("name", "quarter", "start", "weeks", "objectives"),
                     ("currency", "governance", "priorities", "initiatives", "description"))
    weeks = top.integer("weeks", minimum=1, maximum=53)
    priority_secs = top.sections("priorities")
    objective_secs = top.sections("objectives", required=True)
    initiative_secs = top.sections("initiatives")
    priorities = [_priority(s) for s in priority_secs]
    objectives = [_objective(s) for s in objective_secs]
    initiatives = [_initiative(s, weeks) for s in initiative_secs]
    fields = dict(
        name=top.text("name"),
        quarter=top.text("quarter"),
        start=_monday(top, "start"),
        weeks=weeks,
        currency=top.text("currency", "USD"),
        governance=_governance(top.child("governance")) if top.has("governance") else Governance(),
        priorities=tuple(priorities),
        objectives=tuple(objectives),
        initiatives=tuple(initiatives),
    )
    if not problems.items:
        _check_references(zip(priority_secs, priorities, strict=True),
                          zip(objective_secs, objectives, strict=True),
                          zip(initiative_secs, initiatives, strict=True), problems)
    return fields


def _monday(sec: Section, key: str) -> date | None:
    value = sec.raw(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            sec.error(key, f"expected an ISO date such as 2027-01-04, got '{value}'")
            return None
    if not isinstance(value, date):
        sec.error(key, f"expected an ISO date such as 2027-01-04, got {value!r}")
        return None
    if value.weekday() != 0:
        sec.error(key, f"{value} is a {value:%A}; week 1 must start on a Monday")
        return None
    return value


def _governance(sec: Section) -> Governance | None:
    sec.check_fields((), ("sets_objectives", "validates_key_results", "approves_reallocation"))
    tiers = []
    tier_secs = sec.sections("approves_reallocation")
    for n, tsec in enumerate(tier_secs):
        tsec.check_fields(("role",), ("up_to",))
        up_to = tsec.number("up_to", None, above=0)
        last = n == len(tier_secs) - 1
        if up_to is None and not last and tsec.has("role"):
            tsec.error("up_to", "only the last tier may leave out up_to (it takes anything larger)")
        if last and up_to is not None:
            tsec.error("up_to", "the last tier must leave out up_to, so every change has an approver")
        if tiers and up_to is not None and tiers[-1].up_to is not None and up_to <= tiers[-1].up_to:
            tsec.error("up_to", f"tiers must rise: {up_to:g} is not above {tiers[-1].up_to:g}")
        tiers.append(ApprovalTier(role=tsec.text("role"), up_to=up_to))
    return Governance(sets_objectives=sec.text("sets_objectives", None),
                      validates_key_results=sec.text("validates_key_results", None),
                      approves_reallocation=tuple(tiers))


def _priority(sec: Section) -> Priority | None:
    sec.check_fields(("id", "name"), ("description",))
    return Priority(id=sec.text("id"), name=sec.text("name"))


def _objective(sec: Section) -> Objective | None:
    sec.check_fields(("id", "name", "key_results"), ("priority", "owner", "weight", "description"))
    obj_id, owner = sec.text("id"), sec.text("owner", None)
    krs = [_key_result(s, obj_id, owner) for s in sec.sections("key_results", required=True)]
    weights = [kr.weight for kr in krs]
    if krs and None not in weights and sum(weights) == 0:
        sec.error("key_results", "every key result has weight 0; give at least one a weight "
                                 "above 0 so the objective can be scored")
    return Objective(id=obj_id, name=sec.text("name"), key_results=tuple(krs),
                     priority=sec.text("priority", None), owner=owner,
                     weight=sec.number("weight", 1.0, minimum=0))


def _key_result(sec: Section, objective: str | None, owner: str | None) -> KeyResult | None:
    sec.check_fields(("id", "name", "target"),
                     ("indicator", "unit", "measure", "start", "owner", "weight", "baseline",
                      "volatility", "derived_from", "description"))
    start, target = sec.number("start", 0.0), sec.number("target")
    if start is not None and target is not None and start == target:
        sec.error("target", f"equals start ({target:g}); a key result needs a target above its "
                            "start (to grow) or below it (to shrink)")
    return KeyResult(
        id=sec.text("id"), name=sec.text("name"), objective=objective, target=target,
        start=start,
        indicator=sec.choice("indicator", ("leading", "lagging"), "lagging"),
        unit=sec.text("unit", ""),
        measure=sec.choice("measure", ("sum", "last", "mean"), "sum"),
        owner=sec.text("owner", owner),
        weight=sec.number("weight", 1.0, minimum=0),
        baseline=_baseline(sec.child("baseline")) if sec.has("baseline") else Baseline(),
        volatility=sec.number("volatility", 0.1, minimum=0),
        derived_from=tuple(_derived(s) for s in sec.sections("derived_from")),
    )


def _baseline(sec: Section) -> Baseline | None:
    sec.check_fields(("weekly",), ("trend",))
    return Baseline(weekly=sec.estimate("weekly"), trend=sec.number("trend", 0.0, above=-1))


def _derived(sec: Section) -> DerivedLink | None:
    sec.check_fields(("kr", "rate"), ("lag_weeks",))
    return DerivedLink(kr=sec.text("kr"), rate=sec.estimate("rate"),
                       lag_weeks=sec.integer("lag_weeks", 0, minimum=0, maximum=MAX_LAG))


def _initiative(sec: Section, weeks: int | None) -> Initiative | None:
    sec.check_fields(("id", "name"),
                     ("team", "owner", "channel", "budget", "min_budget", "max_budget",
                      "active_weeks", "already_running", "hypothesis", "depends_on", "effects",
                      "description"))
    budget = sec.number("budget", 0.0, minimum=0)
    low = sec.number("min_budget", 0.0, minimum=0)
    high = sec.number("max_budget", None if budget is None else 3 * budget, minimum=0)
    if None not in (budget, low, high):
        if low > high:
            sec.error("min_budget", f"{low:,.0f} is above max_budget {high:,.0f}")
        elif not low <= budget <= high:
            sec.error("budget", f"{budget:,.0f} is outside min_budget {low:,.0f} .. "
                                f"max_budget {high:,.0f}")
    return Initiative(
        id=sec.text("id"), name=sec.text("name"), budget=budget, min_budget=low, max_budget=high,
        active_weeks=sec.week_range("active_weeks", weeks, (1, weeks)),
        team=sec.text("team", None), owner=sec.text("owner", None),
        channel=sec.text("channel", None),
        already_running=sec.boolean("already_running", False),
        hypothesis=sec.text("hypothesis", None),
        depends_on=sec.str_list("depends_on"),
        effects=tuple(_effect(s) for s in sec.sections("effects")),
    )


def _effect(sec: Section) -> Effect | None:
    sec.check_fields(("kr", "lift"),
                     ("saturation", "half_saturation", "shape", "carryover", "lag_weeks"))
    if sec.has("saturation") and sec.has("half_saturation"):
        sec.error("half_saturation", "give either saturation or half_saturation, not both")
    return Effect(
        kr=sec.text("kr"), lift=sec.estimate("lift"),
        saturation=sec.choice("saturation", tuple(SATURATION_K), "medium"),
        half_saturation=sec.number("half_saturation", None, above=0),
        shape=sec.number("shape", 1.0, above=0),
        carryover=sec.number("carryover", 0.0, minimum=0, below=1),
        lag_weeks=sec.integer("lag_weeks", 0, minimum=0, maximum=MAX_LAG),
    )


# -- references ----------------------------------------------------------------------


def _check_references(priorities: Iterable, objectives: Iterable, initiatives: Iterable,
                      problems: Problems) -> None:
    priorities, objectives, initiatives = list(priorities), list(objectives), list(initiatives)
    krs = [(ks, kr) for osec, obj in objectives
           for ks, kr in zip(osec.sections("key_results"), obj.key_results, strict=True)]
    seen: dict[str, str] = {}
    for sec, item in [*priorities, *objectives, *krs, *initiatives]:
        if item.id in seen:
            sec.error("id", f"'{item.id}' is already used by {seen[item.id]}; ids must be "
                            "unique across the whole plan")
        seen.setdefault(item.id, sec.path)

    priority_ids = [p.id for _, p in priorities]
    kr_ids = [kr.id for _, kr in krs]
    initiative_ids = [i.id for _, i in initiatives]
    for sec, obj in objectives:
        if obj.priority is not None:
            _resolve(sec, "priority", obj.priority, priority_ids, "priority")
    for sec, kr in krs:
        for dsec, link in zip(sec.sections("derived_from"), kr.derived_from, strict=True):
            _resolve(dsec, "kr", link.kr, kr_ids, "key result")
    for sec, ini in initiatives:
        for dep in ini.depends_on:
            if dep == ini.id:
                sec.error("depends_on", f"initiative '{dep}' cannot depend on itself")
            else:
                _resolve(sec, "depends_on", dep, initiative_ids, "initiative")
        for esec, effect in zip(sec.sections("effects"), ini.effects, strict=True):
            _resolve(esec, "kr", effect.kr, kr_ids, "key result")
    if problems.items:
        return
    funnel = {kr.id: [link.kr for link in kr.derived_from] for _, kr in krs}
    _report_cycle(funnel, dict((kr.id, s) for s, kr in krs), "derived_from", "key results")
    needs = {ini.id: list(ini.depends_on) for _, ini in initiatives}
    _report_cycle(needs, dict((i.id, s) for s, i in initiatives), "depends_on", "initiatives")


def _resolve(sec: Section, key: str, ref: str, known: list[str], what: str) -> bool:
    if ref in known:
        return True
    listing = ", ".join(known) if known else "none are defined"
    sec.error(key, f"unknown {what} '{ref}'{did_you_mean(ref, known)}; known: {listing}")
    return False


def _report_cycle(graph: dict[str, list[str]], where: dict[str, Section], key: str,
                  what: str) -> None:
    cycle = find_cycle(graph)
    if cycle:
        where[cycle[0]].error(key, f"{what} form a cycle: {' -> '.join(cycle)}")


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle in a directed graph as ``[a, b, ..., a]``, or None when it has none."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state and (found := visit(node)):
            return found
    return None


def topological_order(graph: dict[str, list[str]]) -> list[str]:
    """Nodes ordered so that each comes after everything it points to (graph must be acyclic)."""
    order: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        done.add(node)
        for nxt in graph.get(node, ()):
            visit(nxt)
        order.append(node)

    for node in graph:
        visit(node)
    return order
