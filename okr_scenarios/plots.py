"""Figures for reports and notebooks: titles, labelled axes with units, readable in grey.

Each function takes tables or results from the core and returns a `matplotlib.figure.Figure`
(built without pyplot, so no global figure state). Colours come from a grey ramp and
hatching, so a printed page in black and white keeps every distinction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .model import Plan

INK, MID, LIGHT, PALE = "#111111", "#555555", "#a6a6a6", "#dcdcdc"
TARGET_LABEL = {"sum": "target (quarter total)", "last": "target (last week's level)",
                "mean": "target (quarter mean)"}


def money(x: float, currency: str = "") -> str:
    """``USD 1.2M``, ``USD 45k``, ``USD 900``."""
    sign = "-" if x < 0 else ""
    x = abs(x)
    text = (f"{x / 1e6:.1f}M" if x >= 1e6 else f"{x / 1e3:.0f}k" if x >= 1e3 else f"{x:.0f}")
    return f"{sign}{currency + ' ' if currency else ''}{text}"


def quantity(x: float) -> str:
    """Compact axis numbers: 1.2M, 45k, 12.5."""
    if abs(x) >= 1e6:
        return f"{x / 1e6:.1f}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.0f}k"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def p_hit_heatmap(outlook: pd.DataFrame, scenario_names: dict[str, str]) -> Figure:
    """KR x scenario grid of P(hit), each cell annotated with its standard error."""
    p = outlook.pivot(index="kr", columns="scenario", values="p_hit")
    se = outlook.pivot(index="kr", columns="scenario", values="p_hit_se")
    order_k = list(dict.fromkeys(outlook["kr"]))
    order_s = list(dict.fromkeys(outlook["scenario"]))
    p, se = p.loc[order_k, order_s], se.loc[order_k, order_s]
    fig = Figure(figsize=(1.25 * len(order_s) + 3, 0.42 * len(order_k) + 2.2), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(p.to_numpy(), cmap="Greys_r", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(p.to_numpy()):
        ax.text(j, i, f"{value:.0%}\n±{se.iloc[i, j]:.1%}", ha="center", va="center",
                fontsize=7.5, color=INK if value > 0.55 else "white")
    ax.set_xticks(range(len(order_s)), [_wrap(scenario_names.get(s, s)) for s in order_s],
                  fontsize=8)
    ax.set_yticks(range(len(order_k)), order_k, fontsize=8)
    ax.set_xlabel("Scenario")
    ax.set_ylabel("Key result")
    ax.set_title("Chance of hitting each key result, by scenario (P(hit) ± standard error)")
    bar = fig.colorbar(image, ax=ax, format=PercentFormatter(1.0))
    bar.set_label("P(hit) (%)")
    return fig


def fan_charts(plan: Plan, bands: pd.DataFrame, krs: list[str], scenarios: list[str],
               scenario_names: dict[str, str]) -> Figure:
    """Weekly p10-p90 bands and medians for ``krs`` under up to two ``scenarios``, with targets.

    ``bands`` is `Simulation.bands()`: running totals for ``sum`` KRs, levels otherwise.
    """
    cols = 2 if len(krs) > 1 else 1
    rows = int(np.ceil(len(krs) / cols))
    fig = Figure(figsize=(5.2 * cols, 3.2 * rows + 0.6), layout="constrained")
    styles = [(PALE, "-", None), (LIGHT, "--", "////")]
    for n, kr_id in enumerate(krs):
        kr = plan.kr(kr_id)
        ax = fig.add_subplot(rows, cols, n + 1)
        for scenario, (fill, line, hatch) in zip(scenarios, styles, strict=False):
            b = bands[(bands.kr == kr_id) & (bands.scenario == scenario)]
            label = _short(scenario_names.get(scenario, scenario), 40)
            ax.fill_between(b.week, b.p10, b.p90, facecolor=fill if hatch is None else "none",
                            edgecolor=MID if hatch else "none", hatch=hatch, alpha=0.9,
                            label=f"{label}: band")
            ax.plot(b.week, b.p50, line, color=INK, lw=1.6, label=f"{label}: median")
        _kr_axis(ax, plan, kr, f"{kr.id} {kr.name}", 9.5)
        if n == 0:
            handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=7.5, frameon=False)
    fig.suptitle("Leading key results through the quarter: 10th-90th percentile bands and "
                 "medians", fontsize=11)
    return fig


def resilience_chart(summary: pd.DataFrame, contributions: pd.DataFrame) -> Figure:
    """Each initiative's contribution under the plan and in its worst scenario."""
    table = summary.iloc[::-1]
    totals = contributions[contributions.objective == "all"].set_index(
        ["scenario", "initiative"])["contribution"]
    worst = [totals.get((w, i), np.nan) if isinstance(w, str) else np.nan
             for w, i in zip(table.worst_scenario, table.initiative, strict=True)]
    fig, ax, y = _paired_bars(len(table), 100 * np.asarray(worst), 100 * table.contribution,
                              ("in its worst scenario", "under the plan"), per_row=0.38)
    ax.set_yticks(y, [f"{i} {_short(n)}" for i, n in zip(table.initiative, table.name,
                                                        strict=True)], fontsize=8)
    ax.set_xlabel("Contribution to the weighted objective score (score points x 100)")
    ax.set_ylabel("Initiative (most resilient at the top)")
    ax.set_title("What each initiative adds, and what it keeps when its worst scenario hits",
                 fontsize=10)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig


def tornado_chart(table: pd.DataFrame, baseline_score: float, scenario_name: str,
                  top: int = 10) -> Figure:
    """Swing of the weighted score between each input's P10 and P90 (largest first)."""
    rows = table[table.objective == "all"].head(top).iloc[::-1]
    y = np.arange(len(rows))
    fig = Figure(figsize=(8.5, 0.42 * len(rows) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    low = rows.score_at_low.to_numpy() - baseline_score
    high = rows.score_at_high.to_numpy() - baseline_score
    ax.barh(y, 100 * low, color="white", edgecolor=INK, hatch="\\\\\\\\",
            label="input at its 10th percentile")
    ax.barh(y, 100 * high, color=LIGHT, edgecolor=INK, label="input at its 90th percentile")
    ax.axvline(0, color=INK, lw=0.8)
    ax.set_yticks(y, [_wrap(d, 48) for d in rows.description], fontsize=7.5)
    ax.set_xlabel(f"Change in expected weighted score from {baseline_score:.3f} "
                  "(score points x 100)")
    ax.set_ylabel("Uncertain input")
    ax.set_title(f"What the outcome hangs on: the {len(rows)} largest swings\n"
                 f"scenario: {_short(scenario_name, 70)}", fontsize=10)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig


def moves_chart(moves: pd.DataFrame, currency: str) -> Figure:
    """Budget change per initiative of a reallocation."""
    table = moves[moves.movable].iloc[::-1]
    y = np.arange(len(table))
    fig = Figure(figsize=(8, 0.38 * len(table) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    change = table.change.to_numpy()
    ax.barh(y, np.where(change > 0, change, 0), color=LIGHT, edgecolor=INK, label="more budget")
    ax.barh(y, np.where(change < 0, change, 0), color="white", edgecolor=INK, hatch="////",
            label="less budget")
    ax.axvline(0, color=INK, lw=0.8)
    ax.set_yticks(y, [f"{i} {_short(n)}" for i, n in zip(table.initiative, table.name,
                                                        strict=True)], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: money(x)))
    ax.set_xlabel(f"Change in quarterly budget ({currency})")
    ax.set_ylabel("Initiative")
    ax.set_title("Budget moves of the reallocation", fontsize=10)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig


def playbook_chart(table: pd.DataFrame) -> Figure:
    """Each scenario's loss of expected score and what its contingency recovers."""
    rows = table.iloc[::-1]
    fig, ax, y = _paired_bars(len(rows), 100 * rows.score_change, 100 * rows.recovery.fillna(0),
                              ("impact of the scenario", "recovered by the contingency"),
                              errors=(200 * rows.score_change_se, None), per_row=0.45)
    ax.axvline(0, color=INK, lw=0.8)
    ax.set_yticks(y, [_wrap(n) for n in rows.name], fontsize=8)
    ax.set_xlabel("Change in expected weighted score (score points x 100; bars ± 2 SE)")
    ax.set_ylabel("Scenario")
    ax.set_title("Impact of each scenario and what its contingency wins back", fontsize=10)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig


def _kr_axis(ax, plan: Plan, kr, title: str, fontsize: float) -> None:
    """Target line, title and week/value axes of a KR's fan chart."""
    ax.axhline(kr.target, color=INK, lw=1, ls=":", label=TARGET_LABEL[kr.measure])
    what = "running total" if kr.measure == "sum" else "weekly level"
    ax.set_title(title, fontsize=fontsize)
    ax.set_xlabel("Week of the quarter")
    ax.set_ylabel(f"{what} ({kr.unit})" if kr.unit else what)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: quantity(x)))
    ax.set_xlim(1, plan.weeks)


def _paired_bars(n_rows: int, first: np.ndarray, second: np.ndarray, labels: tuple[str, str],
                 errors: tuple | None = None, per_row: float = 0.42):
    """A horizontal bar chart with two bars per row: ``first`` hatched above, ``second``
    solid grey below (readable in black and white). Returns (figure, axes, row positions)."""
    fig = Figure(figsize=(8, per_row * n_rows + 1.6), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(n_rows)
    first_err, second_err = errors or (None, None)
    ax.barh(y + 0.2, first, height=0.4, color="white", edgecolor=INK, hatch="////",
            xerr=first_err, label=labels[0])
    ax.barh(y - 0.2, second, height=0.4, color=LIGHT, edgecolor=INK, xerr=second_err,
            label=labels[1])
    return fig, ax, y


def _short(text: str, width: int = 34) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, width: int = 22) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line][:3])


def actuals_vs_bands(plan: Plan, prior_weekly: np.ndarray, observed: np.ndarray,
                     as_of_week: int) -> Figure:
    """Per KR: the plan's 10th-90th percentile band to ``as_of_week`` and the actuals.

    ``prior_weekly`` (krs, weeks, draws) are the plan's draws; ``observed`` (krs, weeks) the
    actuals (NaN where not measured). Running totals for ``sum`` KRs (over measured weeks),
    levels otherwise.
    """
    krs = plan.key_results
    cols = 3
    rows = int(np.ceil(len(krs) / cols))
    weeks = np.arange(1, as_of_week + 1)
    fig = Figure(figsize=(4.2 * cols, 2.7 * rows + 0.7), layout="constrained")
    for k, kr in enumerate(krs):
        ax = fig.add_subplot(rows, cols, k + 1)
        sims = prior_weekly[k, :as_of_week]
        seen = ~np.isnan(observed[k, :as_of_week])
        if kr.measure == "sum":  # totals over the measured weeks, as the actuals are
            sims = np.cumsum(np.where(seen[:, None], sims, 0.0), axis=0)
            actual = np.cumsum(np.nan_to_num(observed[k, :as_of_week]))
            what = "running total"
        else:
            actual, what = observed[k, :as_of_week], "weekly level"
        p10, p50, p90 = np.quantile(sims, [0.1, 0.5, 0.9], axis=1)
        ax.fill_between(weeks, p10, p90, color=PALE, label="plan: 10th-90th percentile")
        ax.plot(weeks, p50, "--", color=MID, lw=1.2, label="plan: median")
        ax.plot(weeks[seen], actual[seen], "o-", color=INK, lw=1.6, ms=4, label="actual")
        ax.set_title(_short(f"{kr.id} {kr.name}", 42), fontsize=9)
        ax.set_xlabel("Week")
        ax.set_ylabel(f"{what} ({kr.unit})" if kr.unit else what, fontsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: quantity(x)))
        if k == 0:
            handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(f"Actuals to week {as_of_week} against the plan's band", fontsize=11)
    return fig


def p_hit_now_vs_plan(table: pd.DataFrame) -> Figure:
    """P(hit) at plan and now per KR, with ±2 standard error bars."""
    rows = table.iloc[::-1]
    fig, ax, y = _paired_bars(len(rows), rows.p_hit_plan, rows.p_hit_now,
                              ("at plan", "now, given the actuals"),
                              errors=(2 * rows.p_hit_plan_se, 2 * rows.p_hit_now_se), per_row=0.4)
    ax.set_yticks(y, rows.kr, fontsize=8)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(0, 1)
    ax.set_xlabel("P(hit) (%; bars ± 2 SE)")
    ax.set_ylabel("Key result")
    ax.set_title("Chance of hitting each key result: at plan and now", fontsize=10)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return fig


def quick_fan(plan: Plan, bands: pd.DataFrame, kr_id: str, scenarios: list[str],
              scenario_names: dict[str, str]) -> Figure:
    """A light fan chart of one KR for interactive use: fixed margins, no hatching, so it
    draws in a few tens of milliseconds. Reports use `fan_charts`."""
    kr = plan.kr(kr_id)
    fig = Figure(figsize=(6.4, 3.4))
    fig.subplots_adjust(left=0.13, right=0.97, top=0.88, bottom=0.15)
    ax = fig.add_subplot()
    for scenario, (fill, line) in zip(scenarios, [(PALE, "-"), (LIGHT, "--")], strict=False):
        b = bands[(bands.kr == kr_id) & (bands.scenario == scenario)]
        label = _short(scenario_names.get(scenario, scenario), 30)
        ax.fill_between(b.week, b.p10, b.p90, color=fill, alpha=0.7, lw=0)
        ax.plot(b.week, b.p50, line, color=INK, lw=1.6, label=f"{label} (median, 80% band)")
    _kr_axis(ax, plan, kr, f"{kr.id} {_short(kr.name, 50)}", 10)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return fig
