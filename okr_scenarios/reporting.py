"""Report sections for the notebooks: each function takes a `Report` and returns something
Jupyter displays (escaped HTML or an embedded figure). The notebooks only call these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, plots
from .checkin import ESS_FLOOR, Conditioned, checkin_table, condition, initiative_table
from .contingency import Contingency, contingency_plan, playbook_table
from .html import FigureImage, Html, esc, paragraphs, percent_se, table
from .loader import load_plan
from .model import Plan
from .reallocation import Reallocation, reallocate
from .resilience import Resilience, resilience
from .sensitivity import sensitivity
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED, Simulation, simulate


@dataclass
class Report:
    """A plan simulated for a report, with decision analyses computed when first asked."""

    plan: Plan
    draws: int
    seed: int
    run: Simulation
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, plan_dir: str | Path, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED
             ) -> Report:
        plan = load_plan(plan_dir)
        return cls(plan, draws, seed, simulate(plan, draws=draws, seed=seed))

    @property
    def names(self) -> dict[str, str]:
        return {s.id: s.name for s in self.plan.scenarios}

    @cached_property
    def outlook(self) -> pd.DataFrame:
        return self.run.outlook()

    def weighted_draws(self, scenario: str) -> np.ndarray:
        """(draws,) weighted objective score in each draw."""
        weights = np.array([o.weight for o in self.plan.objectives], dtype=float)
        return self.run.objective_scores(scenario) @ (weights / weights.sum())

    @cached_property
    def weighted(self) -> pd.Series:
        """Expected weighted objective score per scenario."""
        return pd.Series({s: float(self.weighted_draws(s).mean()) for s in self.run.scenario_ids})

    @property
    def worst(self) -> str:
        """The scenario with the lowest expected weighted score."""
        return str(self.weighted.idxmin())

    @cached_property
    def resilience(self) -> Resilience:
        return resilience(self.plan, draws=self.draws, seed=self.seed)

    def sensitivity(self, scenario: str) -> pd.DataFrame:
        if ("sensitivity", scenario) not in self._cache:
            self._cache["sensitivity", scenario] = sensitivity(
                self.plan, scenario, draws=self.draws, seed=self.seed)
        return self._cache["sensitivity", scenario]

    @cached_property
    def playbook(self) -> list[Contingency]:
        return contingency_plan(self.plan, draws=self.draws, seed=self.seed)


# -- shared ------------------------------------------------------------------------------

def plus_minus(value: float, se: float) -> str:
    """``+1.23 ± 0.04``, with a third decimal when the standard error would round to 0."""
    digits = 2 if abs(se) >= 0.005 else 3
    return f"{value:+.{digits}f} ± {se:.{digits}f}"


def header(report: Report, title: str) -> Html:
    plan = report.plan
    meta = (f"{plan.name}, {plan.quarter} · {report.draws:,} simulated quarters, seed "
            f"{report.seed} · generated {date.today():%Y-%m-%d} · okr-scenarios {__version__}")
    return Html(f"<h1>{esc(title)}</h1><p class='meta'>{esc(meta)}</p>")


def _kr_initiatives(plan: Plan) -> dict[str, list[str]]:
    feeds: dict[str, list[str]] = {kr.id: [] for kr in plan.key_results}
    for ini in plan.initiatives:
        for effect in ini.effects:
            feeds[effect.kr].append(f"{ini.id} {ini.name}")
    return feeds


# -- quarterly scenarios -----------------------------------------------------------------

def dashboard(report: Report) -> Html:
    """Priorities -> objectives -> KRs with P(hit) under the plan and the worst scenario."""
    plan, worst = report.plan, report.worst
    out = report.outlook.set_index(["scenario", "kr"])
    feeds = _kr_initiatives(plan)
    priorities = {p.id: p.name for p in plan.priorities}
    rows = []
    for obj in plan.objectives:
        rows.append({"kr": "", "what": f"{obj.id} {obj.name}", "type": "", "owner": obj.owner,
                     "target": "", "plan": "", "worst": "",
                     "feeds": f"priority: {priorities.get(obj.priority, obj.priority or '')}",
                     "kind": "objective"})
        for kr in obj.key_results:
            base, bad = out.loc[("baseline", kr.id)], out.loc[(worst, kr.id)]
            rows.append({
                "kr": kr.id, "what": kr.name, "type": kr.indicator, "owner": kr.owner,
                "target": f"{plots.quantity(kr.target)} {kr.unit}".strip(),
                "plan": percent_se(base.p_hit, base.p_hit_se),
                "worst": percent_se(bad.p_hit, bad.p_hit_se),
                "feeds": "; ".join(feeds[kr.id]) or "(baseline and funnel only)",
                "kind": "kr"})
    frame = pd.DataFrame(rows)
    headers = {"kr": "KR", "what": "Objective / key result", "type": "Leading or lagging",
               "owner": "Owner", "target": "Target", "plan": "P(hit) under the plan ± SE",
               "worst": f"P(hit) under '{report.names[worst]}' ± SE",
               "feeds": "Initiatives that feed it"}
    note = paragraphs(f"Worst scenario (lowest expected weighted score): "
                      f"{report.names[worst]}. P(hit) is the share of {report.draws:,} "
                      "simulated quarters in which the key result reaches its target; ± is "
                      "the Monte Carlo standard error.")
    return Html(note + table(frame, headers, numeric=("plan", "worst"),
                             row_class=lambda r: r["kind"]))


def heatmap(report: Report) -> FigureImage:
    return FigureImage(plots.p_hit_heatmap(report.outlook, report.names))


def fan_charts(report: Report) -> FigureImage:
    leading = [kr.id for kr in report.plan.key_results if kr.indicator == "leading"]
    return FigureImage(plots.fan_charts(report.plan, report.run.bands(), leading,
                                        ["baseline", report.worst], report.names))


def resilience_chart(report: Report) -> FigureImage:
    r = report.resilience
    return FigureImage(plots.resilience_chart(r.summary, r.contributions))


def resilience_table(report: Report) -> Html:
    s = report.resilience.summary
    frame = s.assign(worst=s.worst_scenario.map(lambda w: report.names.get(w, "")))
    return table(frame, {
        "initiative": "Initiative", "name": "Name", "channel": "Channel", "budget": "Budget",
        "contribution": "Contribution (score points x 100) ± SE", "worst": "Worst scenario",
        "kept_in_worst": "Kept in worst", "score_per_1000": f"Score points x 100 per "
        f"{report.plan.currency} 1,000", "recommendation": "Do", "reason": "Why"}, formats={
        "budget": lambda v: plots.money(v, report.plan.currency),
        "contribution": lambda v: f"{100 * v:.2f}",
        "kept_in_worst": lambda v: "" if v != v else f"{v:.0%}",
        "score_per_1000": lambda v: "" if v != v else f"{100 * v:.3f}",
    }, numeric=("budget", "contribution", "kept_in_worst", "score_per_1000"))


def tornado(report: Report, scenario: str | None = None) -> FigureImage:
    scenario = scenario or report.worst
    return FigureImage(plots.tornado_chart(report.sensitivity(scenario),
                                           report.weighted[scenario], report.names[scenario]))


def summary(report: Report) -> Html:
    """What is at risk, under which scenario, by how much: sentences from the numbers."""
    plan, out, worst = report.plan, report.outlook, report.worst
    base = out[out.scenario == "baseline"].set_index("kr")
    likely = int((base.p_hit >= 0.5).sum())
    lines = [f"Under the plan as written the expected weighted objective score is "
             f"{report.weighted['baseline']:.3f}, and {likely} of {len(base)} key results have "
             f"at least an even chance of being hit."]
    at_risk = base.sort_values("p_hit").head(3)
    lines.append("Most at risk under the plan: " + "; ".join(
        f"{kr} {plan.kr(kr).name} ({percent_se(r.p_hit, r.p_hit_se)})"
        for kr, r in at_risk.iterrows()) + ".")
    compare = report.run.compare("baseline")
    hurt = compare[compare.scenario == worst].sort_values("p_hit_diff").head(3)
    loss = report.weighted_draws("baseline") - report.weighted_draws(worst)
    lines.append(
        f"The most damaging scenario is '{report.names[worst]}': the expected weighted score "
        f"falls by {loss.mean():.4f} ± {loss.std() / np.sqrt(loss.size):.4f}. It hurts "
        + "; ".join(f"{r.kr} {plan.kr(r.kr).name} from {r.p_hit_reference:.0%} to "
                    f"{r.p_hit:.0%} (change {100 * r.p_hit_diff:+.1f} ± "
                    f"{100 * r.p_hit_diff_se:.1f} points)" for r in hurt.itertuples()) + ".")
    biggest = compare.loc[compare.p_hit_diff.idxmin()] if len(compare) else None
    if biggest is not None and biggest.scenario != worst:
        lines.append(f"The single largest drop is {biggest.kr} under "
                     f"'{report.names[biggest.scenario]}': {100 * biggest.p_hit_diff:+.1f} ± "
                     f"{100 * biggest.p_hit_diff_se:.1f} points of P(hit).")
    res = report.resilience.summary.dropna(subset=["kept_in_worst"])
    if len(res):
        fragile = res.iloc[-1]
        lines.append(f"Most exposed initiative: {fragile.initiative} {fragile['name']}, which "
                     f"keeps {fragile.kept_in_worst:.0%} of its contribution under "
                     f"'{report.names.get(fragile.worst_scenario, '')}'.")
    sens = report.sensitivity(worst)
    top = sens[sens.objective == "all"].head(2)
    if len(top):
        lines.append(f"Under '{report.names[worst]}' the outcome hangs most on: "
                     + " and ".join(top.description) + ".")
    return paragraphs(*lines)


# -- contingency plan --------------------------------------------------------------------

def playbook_overview(report: Report) -> Html:
    t = playbook_table(report.plan, report.playbook)
    t = t.assign(
        impact=[plus_minus(100 * v, 100 * e) for v, e in zip(t.score_change, t.score_change_se,
                                                             strict=True)],
        recovered=["" if v != v else plus_minus(100 * v, 100 * e)
                   for v, e in zip(t.recovery, t.recovery_se, strict=True)])
    return table(t, {
        "name": "Scenario", "likelihood": "Likelihood", "impact": "Impact (score x 100) ± SE",
        "trigger": "Trigger", "precision": "Precision", "recall": "Recall",
        "action_from_week": "Act from week", "approver": "Approver",
        "recovered": "Recovery (score x 100) ± SE"}, formats={
        "likelihood": lambda v: "" if v is None or v != v else f"{v:.0%}",
        "precision": lambda v: "" if v != v else f"{v:.0%}",
        "recall": lambda v: "" if v != v else f"{v:.0%}",
        "action_from_week": lambda v: "" if v is None or v != v else f"{int(v)}",
    }, numeric=("likelihood", "impact", "precision", "recall", "recovered"))


def playbook_chart(report: Report) -> FigureImage:
    return FigureImage(plots.playbook_chart(playbook_table(report.plan, report.playbook)))


def playbook_sections(report: Report) -> Html:
    """One section per scenario: impact, trigger, action, approver, expected recovery."""
    plan, parts = report.plan, []
    for c in report.playbook:
        total = c.impact_objectives.set_index("objective").loc["all"]
        parts.append(f"<h2>{esc(c.name)}</h2>")
        likely = f"Likelihood {c.likelihood:.0%}. " if c.likelihood is not None else ""
        parts.append(paragraphs(
            f"{likely}Impact on the expected weighted score: "
            f"{plus_minus(100 * total.expected_score_diff, 100 * total.expected_score_diff_se)} "
            "points (x 100)."))
        impact = c.impact_krs[c.impact_krs.p_hit_diff.abs() > 0]
        if len(impact):
            impact = impact.assign(change=[f"{100 * d:+.1f} ± {100 * e:.1f}" for d, e in zip(
                impact.p_hit_diff, impact.p_hit_diff_se, strict=True)])
            parts.append(table(impact, {
                "kr": "KR", "p_hit_reference": "P(hit) under the plan",
                "p_hit": "P(hit) in this scenario", "change": "Change ± SE (points)"},
                formats={"p_hit_reference": lambda v: f"{v:.1%}", "p_hit": lambda v: f"{v:.1%}"},
                numeric=("p_hit_reference", "p_hit", "change")))
        if c.trigger is None:
            parts.append(f"<p class='callout'>{esc('No early signal: ' + c.note + '.')}</p>")
            continue
        t = c.trigger
        parts.append(f"<p class='callout'><b>Trigger:</b> {esc(t.describe(plan))} "
                     f"(precision {t.precision:.0%}, recall {t.recall:.0%}).</p>")
        parts.append(_action(c.action, plan))
    return Html("".join(parts))


def _action(action: Reallocation, plan: Plan) -> str:
    moves = action.moves[action.moves.change.abs() > 0.5]
    head = paragraphs(
        f"Action: reallocate from week {action.from_week}. Approver: "
        f"{action.approver or 'none needed'}. Expected recovery: "
        f"{plus_minus(100 * action.gain, 100 * action.gain_se)} points of the weighted score "
        "(x 100).")
    return head + (moves_table(action, plan.currency) if len(moves) else "")


# -- reallocation ------------------------------------------------------------------------

def reallocation(report: Report, scenario: str, budget: float | None = None,
                 from_week: int = 1) -> Reallocation:
    return reallocate(report.plan, scenario, budget=budget, from_week=from_week,
                      draws=report.draws, seed=report.seed)


def reallocation_summary(report: Report, result: Reallocation) -> Html:
    cur = result.currency
    moved = result.moves[result.moves.change.abs() > 0.5]
    lines = [f"Scenario: {report.names[result.scenario]}. Total budget {cur} "
             f"{result.total:,.0f}, moves from week {result.from_week}.",
             f"Expected weighted score: {result.score_before:.4f} -> {result.score_after:.4f} "
             f"({result.gain:+.4f} ± {result.gain_se:.4f}), with {len(moved)} budget moves.",
             f"Approval needed from: {result.approver or 'nobody (no moves)'}."]
    return paragraphs(*lines)


def moves_table(result: Reallocation, currency: str) -> Html:
    moves = result.moves[result.moves.movable | (result.moves.change.abs() > 0.5)]
    return table(moves, {
        "initiative": "Initiative", "name": "Name", "budget_before": f"From ({currency})",
        "budget_after": f"To ({currency})", "change": "Change", "approver": "Approver"},
        formats={"budget_before": lambda v: f"{v:,.0f}", "budget_after": lambda v: f"{v:,.0f}",
                 "change": lambda v: f"{v:+,.0f}" if abs(v) > 0.5 else ""},
        numeric=("budget_before", "budget_after", "change"))


def moves_chart(result: Reallocation) -> FigureImage:
    return FigureImage(plots.moves_chart(result.moves, result.currency))


def before_after(result: Reallocation) -> Html:
    """Every KR's P(hit) and each objective's expected score, before and after."""
    frame = result.key_results.assign(
        before=[percent_se(p, s) for p, s in zip(result.key_results.p_hit_before,
                                                 result.key_results.p_hit_before_se, strict=True)],
        after=[percent_se(p, s) for p, s in zip(result.key_results.p_hit_after,
                                                result.key_results.p_hit_after_se, strict=True)])
    kr_table = table(frame, {"objective": "Objective", "kr": "KR", "before": "P(hit) before ± SE",
                             "after": "P(hit) after ± SE"}, numeric=("before", "after"))
    objectives = result.objectives.assign(
        before=[f"{m:.3f} ± {s:.3f}" for m, s in zip(result.objectives.expected_score_before,
                                                    result.objectives.expected_score_before_se,
                                                    strict=True)],
        after=[f"{m:.3f} ± {s:.3f}" for m, s in zip(result.objectives.expected_score_after,
                                                   result.objectives.expected_score_after_se,
                                                   strict=True)])
    obj_table = table(objectives, {"objective": "Objective", "before": "Expected score before",
                                   "after": "Expected score after"}, numeric=("before", "after"))
    return Html(kr_table + obj_table)


# -- monthly check-in --------------------------------------------------------------------

@dataclass
class CheckIn:
    """A check-in for a report: the conditioned draws and their tables."""

    report: Report
    result: Conditioned
    krs: pd.DataFrame
    initiatives: pd.DataFrame


def check_in(report: Report, as_of_week: int | None = None) -> CheckIn:
    result = condition(report.plan, as_of_week, draws=report.draws, seed=report.seed)
    krs = checkin_table(result)
    return CheckIn(report, result, krs, initiative_table(result, krs))


def checkin_summary(c: CheckIn) -> Html:
    t, plan, week = c.krs, c.report.plan, c.result.as_of_week
    behind = t[t.flag == "below"]
    ahead = t[t.flag == "above"]
    moved = t.assign(change=t.p_hit_now - t.p_hit_plan).sort_values("change")
    lines = [f"As of week {week} of {plan.weeks}: {len(behind)} key result(s) below the "
             f"plan's 80% band, {len(ahead)} above, "
             f"{int((t.flag == 'within').sum())} within."]
    if len(behind):
        lines.append("Behind: " + "; ".join(
            f"{r.kr} {r['name']} ({plots.quantity(r.actual)} against a band of "
            f"{plots.quantity(r.band_p10)} to {plots.quantity(r.band_p90)})"
            for _, r in behind.iterrows()) + ".")
    worst = moved.head(3)
    lines.append("Largest drops in P(hit) since the plan: " + "; ".join(
        f"{r.kr} from {r.p_hit_plan:.0%} to {percent_se(r.p_hit_now, r.p_hit_now_se)}"
        for r in worst.itertuples()) + ".")
    best = moved.tail(1).iloc[0]
    if best.change > 0:
        lines.append(f"Largest gain: {best.kr} from {best.p_hit_plan:.0%} to "
                     f"{percent_se(best.p_hit_now, best.p_hit_now_se)}.")
    if c.result.unexplained:
        lines.append("The plan no longer explains the actuals of "
                     + ", ".join(c.result.unexplained) + f" (fewer than {ESS_FLOOR} of "
                     f"{c.result.draws:,} simulated quarters fit them): revisit their "
                     "assumptions before trusting their outlook.")
    else:
        lines.append(f"Every key result's actuals are explained by the plan (at least "
                     f"{c.result.kr_ess.min():,.0f} of {c.result.draws:,} simulated quarters "
                     "carry each outlook).")
    return paragraphs(*lines)


def checkin_krs(c: CheckIn) -> Html:
    t = c.krs.assign(
        plan=[percent_se(p, s) for p, s in zip(c.krs.p_hit_plan, c.krs.p_hit_plan_se, strict=True)],
        now=[percent_se(p, s) for p, s in zip(c.krs.p_hit_now, c.krs.p_hit_now_se, strict=True)],
        band=[f"{plots.quantity(a)} to {plots.quantity(b)}" if a == a else ""
              for a, b in zip(c.krs.band_p10, c.krs.band_p90, strict=True)])
    return table(t, {"kr": "KR", "name": "Key result", "to_date": "Actual to date",
                     "actual": "Actual", "band": "Plan's 80% band", "flag": "Against band",
                     "plan": "P(hit) at plan ± SE", "now": "P(hit) now ± SE",
                     "confidence": "Confidence", "notes": "Notes from the field"},
                 formats={"actual": lambda v: "" if v != v else plots.quantity(v)},
                 numeric=("actual", "band", "plan", "now"),
                 row_class=lambda r: "flag" if r["flag"] in ("below", "above") else "")


def checkin_bands(c: CheckIn) -> FigureImage:
    r = c.result
    return FigureImage(plots.actuals_vs_bands(c.report.plan, r.prior_weekly, r.observed,
                                              r.as_of_week))


def checkin_p_hit(c: CheckIn) -> FigureImage:
    return FigureImage(plots.p_hit_now_vs_plan(c.krs))


def checkin_initiatives(c: CheckIn) -> Html:
    return table(c.initiatives, {"initiative": "Initiative", "name": "Name", "feeds": "Feeds",
                                 "behind": "Behind", "lift_vs_plan": "Lift vs plan",
                                 "suggestion": "Suggestion", "reason": "Why"},
                 formats={"lift_vs_plan": lambda v: "" if v != v else f"{v:.0%}"},
                 numeric=("lift_vs_plan",))
