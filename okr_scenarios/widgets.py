"""The what-if panel: strategists move budget, platform and demand sliders and the outlook
redraws; a good scenario can be saved for the planners' report.

`WhatIf` holds the logic (settings -> scenario -> outlook, cached) in plain functions that
tests call directly; `Panel` is the ipywidgets face over it. Outputs are HTML and Image
widgets (not Output widgets), so the panel can be driven and checked without a kernel.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import ipywidgets as w
import numpy as np
import pandas as pd

from . import plots
from .html import FigureImage, esc, percent_se, table
from .loader import load_plan
from .model import BudgetShock, DemandShock, Estimate, Onset, Plan, PlatformShock, Scenario, Selector
from .reallocation import Reallocation, reallocate
from .scenario_writer import save_scenario
from .simulation import DEFAULT_SEED, Simulation, simulate

WHAT_IF = "what_if"
DRAW_CHOICES = (500, 1000, 2000, 5000, 10000)
CACHE_SIZE = 64


@dataclass(frozen=True)
class Settings:
    """One position of the panel's controls; only changes from neutral are listed."""

    base: str = "baseline"
    budget: tuple[tuple[str, float], ...] = ()  # (channel, fractional spend change)
    efficiency: tuple[tuple[str, float], ...] = ()  # (channel, lift multiplier)
    demand: float = 1.0
    from_week: int = 1
    draws: int = 2000


@dataclass(frozen=True)
class Outlook:
    """The panel's numbers for one `Settings`: per KR and per objective, now and at plan."""

    krs: pd.DataFrame
    objectives: pd.DataFrame
    run: Simulation


def what_if_scenario(plan: Plan, settings: Settings, scenario_id: str = WHAT_IF,
                     name: str | None = None) -> Scenario:
    """The base scenario's shocks plus a shock per moved slider, from ``from_week``."""
    onset = Onset(settings.from_week, settings.from_week)
    shocks = list(plan.scenario(settings.base).shocks)
    for channel, change in settings.budget:
        targets = tuple(i.id for i in plan.initiatives if i.channel == channel and i.has_spend)
        if targets:
            shocks.append(BudgetShock(change, targets, Selector(channels=(channel,)), onset))
    for channel, efficiency in settings.efficiency:
        targets = tuple(i.id for i in plan.initiatives if i.channel == channel)
        shocks.append(PlatformShock(Estimate.known(efficiency), targets,
                                    Selector(channels=(channel,)), onset))
    if settings.demand != 1.0:
        targets = tuple(kr.id for kr in plan.key_results if kr.measure == "sum")
        shocks.append(DemandShock(Estimate.known(settings.demand), targets, onset))
    return Scenario(scenario_id, name or describe(plan, settings), tuple(shocks))


def describe(plan: Plan, settings: Settings) -> str:
    """The settings in words, for a scenario's name or description."""
    parts = [] if settings.base == "baseline" else [plan.scenario(settings.base).name]
    parts += [f"{channel} budget {change:+.0%}" for channel, change in settings.budget]
    parts += [f"{channel} efficiency x{e:.2f}" for channel, e in settings.efficiency]
    if settings.demand != 1.0:
        parts.append(f"demand x{settings.demand:.2f}")
    if len(parts) > (settings.base != "baseline"):
        parts.append(f"from week {settings.from_week}")
    return ", ".join(parts) or "Plan as written"


class WhatIf:
    """Settings -> outlook, cached: returning to earlier settings costs nothing."""

    def __init__(self, plan: Plan, seed: int = DEFAULT_SEED):
        self.plan, self.seed = plan, seed
        self._cache: OrderedDict = OrderedDict()

    def _cached(self, key, make):
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = self._cache[key] = make()
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return value

    def plan_with(self, settings: Settings) -> Plan:
        return replace(self.plan, scenarios=(*self.plan.scenarios,
                                             what_if_scenario(self.plan, settings)))

    def outlook(self, settings: Settings) -> Outlook:
        return self._cached(("outlook", settings), lambda: self._outlook(settings))

    def _outlook(self, settings: Settings) -> Outlook:
        run = simulate(self.plan_with(settings), draws=settings.draws, seed=self.seed,
                       scenarios=["baseline", WHAT_IF])
        diff = run.compare("baseline")
        krs = diff.assign(name=[self.plan.kr(k).name for k in diff.kr],
                          target=[self.plan.kr(k).target for k in diff.kr])
        krs["p_hit_se"] = np.sqrt(krs.p_hit * (1 - krs.p_hit) / run.draws)
        objectives = run.objectives().pivot(index="objective", columns="scenario",
                                            values="expected_score")
        paired = [run.objective_scores(WHAT_IF)[:, o] - run.objective_scores("baseline")[:, o]
                  for o in range(len(self.plan.objectives))]
        objectives = pd.DataFrame({
            "objective": [o.id for o in self.plan.objectives],
            "name": [o.name for o in self.plan.objectives],
            "expected_score": objectives.loc[[o.id for o in self.plan.objectives], WHAT_IF].values,
            "plan": objectives.loc[[o.id for o in self.plan.objectives], "baseline"].values,
            "diff": [d.mean() for d in paired],
            "diff_se": [d.std() / np.sqrt(d.size) for d in paired]})
        return Outlook(krs.reset_index(drop=True), objectives, run)

    def chart(self, settings: Settings, kr: str, dpi: int = 72) -> bytes:
        """PNG of the fan chart of ``kr``: the plan and the what-if, with the target."""
        def make():
            run = self.outlook(settings).run
            names = {"baseline": "Plan as written", WHAT_IF: "What-if"}
            figure = plots.quick_fan(self.plan, run.bands(kr), kr, ["baseline", WHAT_IF], names)
            return FigureImage(figure, dpi=dpi).png()
        return self._cached(("chart", settings, kr), make)

    def reallocation(self, settings: Settings) -> Reallocation:
        return reallocate(self.plan_with(settings), WHAT_IF, from_week=settings.from_week,
                          draws=settings.draws, seed=self.seed)


# -- HTML of the outputs -------------------------------------------------------------------

def kr_html(outlook: Outlook, threshold: float) -> str:
    """The KR outlook table; KRs whose P(hit) falls below ``threshold`` are highlighted."""
    t = outlook.krs.assign(
        now=[percent_se(p, s) for p, s in zip(outlook.krs.p_hit, outlook.krs.p_hit_se,
                                              strict=True)],
        change=[f"{100 * d:+.1f} ± {100 * s:.1f}" for d, s in zip(
            outlook.krs.p_hit_diff, outlook.krs.p_hit_diff_se, strict=True)],
        low=["below threshold" if p < threshold else "" for p in outlook.krs.p_hit])
    html = table(t, {"kr": "KR", "name": "Key result", "now": "P(hit) ± SE",
                     "p_hit_reference": "At plan", "change": "Change (points) ± SE",
                     "low": f"Under {threshold:.0%}"},
                 formats={"p_hit_reference": lambda v: f"{v:.1%}"},
                 numeric=("now", "p_hit_reference", "change"),
                 row_class=lambda r: "low" if r["p_hit"] < threshold else "")
    style = ("<style>.okr-panel table{border-collapse:collapse;font-size:12px}"
             ".okr-panel td,.okr-panel th{border:1px solid #bbb;padding:2px 6px}"
             ".okr-panel tr.low td{font-weight:bold;background:#e6e6e6}</style>")
    return f'{style}<div class="okr-panel okr-krs">{html}</div>'


def objectives_html(outlook: Outlook) -> str:
    t = outlook.objectives.assign(
        score=[f"{m:.3f}" for m in outlook.objectives.expected_score],
        change=[f"{d:+.3f} ± {s:.3f}" for d, s in zip(outlook.objectives["diff"],
                                                     outlook.objectives.diff_se, strict=True)])
    html = table(t, {"objective": "Objective", "name": "Name", "score": "Expected score",
                     "plan": "At plan", "change": "Change ± SE"},
                 formats={"plan": lambda v: f"{v:.3f}"}, numeric=("score", "plan", "change"))
    return f'<div class="okr-panel">{html}</div>'


def reallocation_html(result: Reallocation) -> str:
    moves = result.moves[result.moves.change.abs() > 0.5]
    head = (f"<p>Expected weighted score {result.score_before:.4f} &rarr; "
            f"{result.score_after:.4f} ({result.gain:+.4f} ± {result.gain_se:.4f}); approval: "
            f"{esc(result.approver or 'none needed')}.</p>")
    if moves.empty:
        return head + "<p>No move improves on the current allocation.</p>"
    cur = result.currency
    return head + table(moves, {"initiative": "Initiative", "name": "Name",
                                "budget_before": f"From ({cur})", "budget_after": f"To ({cur})",
                                "change": "Change", "approver": "Approver"},
                        formats={"budget_before": lambda v: f"{v:,.0f}",
                                 "budget_after": lambda v: f"{v:,.0f}",
                                 "change": lambda v: f"{v:+,.0f}"},
                        numeric=("budget_before", "budget_after", "change"))


# -- the widget panel --------------------------------------------------------------------

class Panel:
    """The ipywidgets panel over `WhatIf`. Display it as the last line of a cell."""

    def __init__(self, plan: Plan, *, draws: int = 2000, seed: int = DEFAULT_SEED):
        self.plan, self.logic = plan, WhatIf(plan, seed)
        channels = sorted({i.channel for i in plan.initiatives if i.channel})
        style = {"description_width": "initial"}
        self.base = w.Dropdown(options=[(s.name, s.id) for s in plan.scenarios],
                               value="baseline", description="Start from", style=style)
        self.budget = {c: w.FloatSlider(value=0, min=-1, max=1, step=0.05, description="budget",
                                        readout_format="+.0%", continuous_update=False)
                       for c in channels}
        self.efficiency = {c: w.FloatSlider(value=1, min=0, max=1.5, step=0.05,
                                            description="efficiency", readout_format=".2f",
                                            continuous_update=False) for c in channels}
        self.demand = w.FloatSlider(value=1, min=0.5, max=1.5, step=0.05, style=style,
                                    description="Demand multiplier", continuous_update=False)
        self.from_week = w.IntSlider(value=1, min=1, max=plan.weeks, style=style,
                                     description="Changes start in week",
                                     continuous_update=False)
        self.draws = w.Dropdown(options=sorted({*DRAW_CHOICES, int(draws)}), value=int(draws),
                                description="Draws", style=style)
        self.threshold = w.FloatSlider(value=0.5, min=0, max=1, step=0.05, style=style,
                                       description="Highlight P(hit) under",
                                       readout_format=".0%", continuous_update=False)
        self.kr = w.Dropdown(options=[(f"{k.id} {k.name}", k.id) for k in plan.key_results],
                             description="Fan chart of", style=style)
        self.krs, self.objectives = w.HTML(), w.HTML()
        self.chart = w.Image(format="png")
        self.suggest = w.Button(description="Suggest reallocation", icon="random")
        self.realloc = w.HTML()
        self.new_id = w.Text(placeholder="scenario id, e.g. linkedin_dip", description="Id")
        self.new_name = w.Text(placeholder="a name reviewers will read", description="Name")
        self.save = w.Button(description="Save scenario", icon="save")
        self.status = w.HTML()
        self.current: Outlook | None = None
        controls = [self.base, self.demand, self.from_week, self.draws, self.threshold,
                    self.kr, *self.budget.values(), *self.efficiency.values()]
        for control in controls:
            control.observe(self.refresh, names="value")
        self.suggest.on_click(self.on_suggest)
        self.save.on_click(self.on_save)
        rows = [w.HBox([w.Label(c, layout=w.Layout(width="120px")), self.budget[c],
                        self.efficiency[c]]) for c in channels]
        left = w.VBox([w.HTML("<b>Shocks</b>"), self.base, *rows, self.demand, self.from_week,
                       self.draws, w.HTML("<b>Save this scenario</b>"), self.new_id,
                       self.new_name, self.save, self.status])
        right = w.VBox([self.threshold, self.krs, self.objectives, self.kr, self.chart,
                        self.suggest, self.realloc])
        self.widget = w.HBox([left, right])
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.widget)

    def settings(self) -> Settings:
        return Settings(
            base=self.base.value,
            budget=tuple((c, round(s.value, 4)) for c, s in self.budget.items() if s.value != 0),
            efficiency=tuple((c, round(s.value, 4)) for c, s in self.efficiency.items()
                             if s.value != 1),
            demand=round(self.demand.value, 4), from_week=self.from_week.value,
            draws=self.draws.value)

    def refresh(self, *_) -> None:
        settings = self.settings()
        self.current = self.logic.outlook(settings)
        self.krs.value = kr_html(self.current, self.threshold.value)
        self.objectives.value = objectives_html(self.current)
        self.chart.value = self.logic.chart(settings, self.kr.value)
        self.realloc.value = ""

    def on_suggest(self, *_) -> None:
        self.realloc.value = "<p>Searching for the best reallocation...</p>"
        self.realloc.value = reallocation_html(self.logic.reallocation(self.settings()))

    def on_save(self, *_) -> None:
        scenario_id, name = self.new_id.value.strip(), self.new_name.value.strip()
        if not scenario_id:
            self.status.value = "<p>Give the scenario an id first.</p>"
            return
        scenario = what_if_scenario(self.plan, self.settings(), scenario_id,
                                    name or describe(self.plan, self.settings()))
        scenario = replace(scenario, description="Saved from the what-if panel: "
                                                 + describe(self.plan, self.settings()))
        try:
            path = save_scenario(self.plan, scenario)
        except Exception as exc:  # shown to the strategist; the file is untouched
            self.status.value = f"<p><b>Not saved:</b> {esc(exc)}</p>"
            return
        self.plan = load_plan(self.plan.folder)
        self.logic.plan = self.plan
        chosen = self.base.value  # new options would reset the choice
        self.base.options = [(s.name, s.id) for s in self.plan.scenarios]
        self.base.value = chosen
        self.status.value = f"<p>Saved '{esc(scenario_id)}' to {esc(path)}.</p>"


def panel(plan_dir: str | Path, draws: int = 2000, seed: int = DEFAULT_SEED) -> Panel:
    """Load a plan and build its what-if panel (the notebook's one call)."""
    return Panel(load_plan(plan_dir), draws=draws, seed=seed)
