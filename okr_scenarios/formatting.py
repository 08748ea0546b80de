"""Human-readable text for the command line: outlook tables and a progress bar."""

from __future__ import annotations

import sys
import time
from typing import TextIO

import pandas as pd


def percent_with_se(p: float, se: float) -> str:
    """``62.3% ± 0.5`` (percentage points)."""
    return f"{100 * p:5.1f}% ± {100 * se:.1f}"


def number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}"


def kr_table(outlook: pd.DataFrame) -> str:
    """The KR outlook as an aligned text table, probabilities with their standard errors."""
    shown = pd.DataFrame({
        "scenario": outlook["scenario"],
        "objective": outlook["objective"],
        "kr": outlook["kr"],
        "target": outlook["target"].map(number),
        "P(hit) ± SE": [percent_with_se(p, s) for p, s in
                        zip(outlook["p_hit"], outlook["p_hit_se"], strict=True)],
        "exp. score": outlook["expected_score"].map("{:.2f}".format),
        "p10": outlook["p10"].map(number),
        "median": outlook["p50"].map(number),
        "p90": outlook["p90"].map(number),
    })
    return shown.to_string(index=False)


def objective_table(objectives: pd.DataFrame) -> str:
    shown = pd.DataFrame({
        "scenario": objectives["scenario"],
        "objective": objectives["objective"],
        "exp. score": objectives["expected_score"].map("{:.2f}".format),
        "P(score >= 0.7) ± SE": [percent_with_se(p, s) for p, s in zip(
            objectives["p_score_0_7"], objectives["p_score_0_7_se"], strict=True)],
    })
    return shown.to_string(index=False)


class ProgressBar:
    """A one-line progress bar on a terminal stream, redrawn at most ten times a second."""

    def __init__(self, label: str, stream: TextIO = sys.stderr, width: int = 30):
        self.label, self.stream, self.width = label, stream, width
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = round(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {100 * done / total:3.0f}% "
                          f"{done:,}/{total:,} draws")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def reallocation_text(result) -> str:
    """The from -> to table and the before/after outlook of a `Reallocation`."""
    cur = result.currency
    moves = result.moves
    table = pd.DataFrame({
        "initiative": moves["initiative"],
        "name": moves["name"].str.slice(0, 40),
        f"before ({cur})": moves["budget_before"].map("{:,.0f}".format),
        f"after ({cur})": moves["budget_after"].map("{:,.0f}".format),
        "change": [f"{c:+,.0f}" if abs(c) > 0.5 else "" for c in moves["change"]],
        "approver": moves["approver"].fillna(""),
    })
    krs = result.key_results
    outlook = pd.DataFrame({
        "objective": krs["objective"], "kr": krs["kr"],
        "P(hit) before": [percent_with_se(p, s) for p, s in
                          zip(krs["p_hit_before"], krs["p_hit_before_se"], strict=True)],
        "P(hit) after": [percent_with_se(p, s) for p, s in
                         zip(krs["p_hit_after"], krs["p_hit_after_se"], strict=True)],
    })
    objs = result.objectives
    scores = pd.DataFrame({
        "objective": objs["objective"],
        "exp. score before": [f"{m:.3f} ± {s:.3f}" for m, s in zip(
            objs["expected_score_before"], objs["expected_score_before_se"], strict=True)],
        "exp. score after": [f"{m:.3f} ± {s:.3f}" for m, s in zip(
            objs["expected_score_after"], objs["expected_score_after_se"], strict=True)],
    })
    head = (f"Reallocation under '{result.scenario}' from week {result.from_week}, total "
            f"{cur} {result.total:,.0f}: expected weighted score {result.score_before:.4f} -> "
            f"{result.score_after:.4f} ({result.gain:+.4f} ± {result.gain_se:.4f})")
    approval = (f"Needs approval from: {result.approver} (largest single move)"
                if result.approver else "No budget moves: the current allocation is the best found.")
    return "\n\n".join([head, table.to_string(index=False), approval,
                         outlook.to_string(index=False), scores.to_string(index=False)])


class StatusLine:
    """A one-line status on a terminal stream for searches of unknown length."""

    def __init__(self, label: str, stream: TextIO = sys.stderr):
        self.label, self.stream = label, stream

    def __call__(self, evaluations: int, score: float) -> None:
        self.stream.write(f"\r{self.label}: {evaluations:,} evaluations, expected score "
                          f"{score:.4f}")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
