"""scenarios.yaml: named scenarios, each a list of shocks, with selectors resolved to ids.

Shock types live in a registry (`SHOCK_TYPES`): a type name maps to the function that reads
it, so an unknown type can list the known ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .model import (
    BudgetShock,
    DemandShock,
    Initiative,
    KeyResult,
    Onset,
    PlatformShock,
    Scenario,
    Selector,
    Shock,
)
from .schema import Problems, Section, did_you_mean, one_of

FILE = "scenarios.yaml"
BASELINE = "baseline"
TIMING = ("from_week", "between_weeks", "probability")
SELECTORS = ("initiatives", "channels", "teams")


class _Context:
    """What a shock reader needs from plan.yaml."""

    def __init__(self, weeks: int, initiatives: tuple[Initiative, ...],
                 key_results: tuple[KeyResult, ...]):
        self.weeks, self.initiatives, self.key_results = weeks, initiatives, key_results


def read_scenarios_file(raw: Any, weeks: int, initiatives: tuple[Initiative, ...],
                        key_results: tuple[KeyResult, ...], problems: Problems
                        ) -> tuple[Scenario, ...]:
    top = Section(raw, FILE, "", problems)
    top.check_fields(("scenarios",))
    ctx = _Context(weeks, initiatives, key_results)
    scenarios, seen = [], {}
    for sec in top.sections("scenarios", required=top.ok):
        scenario = _scenario(sec, ctx)
        if scenario.id in seen:
            sec.error("id", f"'{scenario.id}' is already used by {seen[scenario.id]}")
        seen.setdefault(scenario.id, sec.path)
        scenarios.append(scenario)
        if scenario.id == BASELINE and scenario.shocks:
            sec.error("shocks", "the baseline scenario is the plan as written and takes no shocks")
    if top.ok and seen and BASELINE not in seen:
        top.error("scenarios", "no scenario with id 'baseline'; add "
                               "'- {id: baseline, name: Plan as written}' as the first one")
    return tuple(scenarios)


def _scenario(sec: Section, ctx: _Context) -> Scenario:
    sec.check_fields(("id", "name"), ("likelihood", "shocks", "description"))
    shocks = []
    for ssec in sec.sections("shocks"):
        if not ssec.ok:
            continue
        kind = ssec.raw("type")
        reader = SHOCK_TYPES.get(kind) if isinstance(kind, str) else None
        if reader is None:
            if kind is None:
                ssec.error("type", f"missing required field 'type'; expected one of "
                                   f"{one_of(SHOCK_TYPES)}")
            else:
                ssec.error("type", f"unknown shock type '{kind}'{did_you_mean(kind, SHOCK_TYPES)}"
                                   f"; expected one of {one_of(SHOCK_TYPES)}")
            continue
        shocks.append(reader(ssec, ctx))
    return Scenario(id=sec.text("id"), name=sec.text("name"), shocks=tuple(shocks),
                    likelihood=sec.number("likelihood", None, minimum=0, maximum=1),
                    description=sec.text("description", None))


def _budget(sec: Section, ctx: _Context) -> BudgetShock:
    sec.check_fields(("type", "change"), (*SELECTORS, *TIMING))
    selector, targets = _select_initiatives(sec, ctx, funded_only=True)
    return BudgetShock(change=sec.number("change", minimum=-1), targets=targets, selector=selector,
                       onset=_onset(sec, ctx.weeks), probability=_probability(sec))


def _platform(sec: Section, ctx: _Context) -> PlatformShock:
    sec.check_fields(("type", "efficiency"), (*SELECTORS, *TIMING))
    selector, targets = _select_initiatives(sec, ctx, funded_only=False)
    return PlatformShock(efficiency=sec.estimate("efficiency", minimum=0), targets=targets,
                         selector=selector, onset=_onset(sec, ctx.weeks),
                         probability=_probability(sec))


def _demand(sec: Section, ctx: _Context) -> DemandShock:
    sec.check_fields(("type", "multiplier"), ("key_results", *TIMING))
    known = [kr.id for kr in ctx.key_results]
    chosen = sec.str_list("key_results") or ()
    for kr_id in chosen:
        if kr_id not in known:
            sec.error("key_results", f"unknown key result '{kr_id}'{did_you_mean(kr_id, known)}; "
                                     f"known: {', '.join(known)}")
    if not sec.has("key_results"):
        chosen = tuple(kr.id for kr in ctx.key_results if kr.measure == "sum")
        if not chosen:
            sec.error("key_results", "no key result is measured by sum, so a demand shock needs "
                                     "its key_results listed")
    return DemandShock(multiplier=sec.estimate("multiplier", minimum=0), targets=tuple(chosen),
                       onset=_onset(sec, ctx.weeks), probability=_probability(sec))


#: Shock readers by the ``type`` written in scenarios.yaml.
SHOCK_TYPES: dict[str, Callable[[Section, _Context], Shock]] = {
    "budget": _budget,
    "platform": _platform,
    "demand": _demand,
}


def _probability(sec: Section) -> float | None:
    return sec.number("probability", 1.0, minimum=0, maximum=1)


def _onset(sec: Section, weeks: int) -> Onset | None:
    if sec.has("from_week") and sec.has("between_weeks"):
        sec.error("between_weeks", "give either from_week or between_weeks, not both")
        return None
    if sec.has("between_weeks"):
        window = sec.week_range("between_weeks", weeks)
        return None if window is None else Onset(*window)
    week = sec.integer("from_week", 1, minimum=1, maximum=weeks,
                       what=" (a week of the quarter)")
    return None if week is None else Onset(week, week)


def _select_initiatives(sec: Section, ctx: _Context, funded_only: bool
                        ) -> tuple[Selector, tuple[str, ...]]:
    """Resolve a shock's selectors to initiative ids; report names that match nothing.

    No selector means every initiative with a budget. A budget shock only ever hits
    initiatives with a budget (a zero budget has nothing to cut).
    """
    lists = {key: sec.str_list(key) or () for key in SELECTORS}
    selector = Selector(**lists)
    chosen = list(ctx.initiatives)
    misses = []
    for key, names in lists.items():
        if not names:
            continue
        known = sorted({getattr(i, _ATTRIBUTE[key]) for i in ctx.initiatives} - {None})
        misses += [(key, f"'{name}' matches no initiative{did_you_mean(name, known)}; "
                         f"known {key}: {', '.join(known) or 'none'}")
                   for name in names if name not in known]
        chosen = [i for i in chosen if getattr(i, _ATTRIBUTE[key]) in names]
    if selector.is_empty or funded_only:
        chosen = [i for i in chosen if i.has_spend]
    for key, message in misses:  # a stray name is an error only when nothing else matches
        (sec.warn if chosen else sec.error)(key, message)
    if not chosen and not misses:
        what = "initiative with a budget" if selector.is_empty or funded_only else "initiative"
        sec.error("", f"the selectors together match no {what}")
    return selector, tuple(i.id for i in chosen)


_ATTRIBUTE = {"initiatives": "id", "channels": "channel", "teams": "team"}
