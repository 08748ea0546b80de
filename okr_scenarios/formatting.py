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
