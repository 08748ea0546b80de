"""Benchmark the what-if panel's redraw on the example plan; print ratios against a baseline
measured in this run.

    make bench            (or: python benchmarks/bench_widgets.py [--draws N])

A redraw is what a slider move costs: simulate the plan and the what-if scenario, build the
KR and objective tables, and render the fan chart. Baseline: `simulate` of the plan alone at
the same draws. Times are medians over distinct settings (nothing cached), and the cost of
returning to a setting already seen. Target: a redraw under 200 ms with 2,000 draws.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

from okr_scenarios import load_plan, simulate
from okr_scenarios.widgets import Panel

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
TARGET_MS = 200.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--moves", type=int, default=15)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = load_plan(EXAMPLE)
    panel = Panel(plan, draws=args.draws)
    base = []
    for _ in range(args.moves):
        t0 = time.perf_counter()
        simulate(plan, draws=args.draws, seed=1, scenarios=["baseline"])
        base.append(time.perf_counter() - t0)
    redraws, cached = [], []
    slider = panel.budget["paid_search"]
    values = [round(-0.05 * (i + 1), 2) for i in range(args.moves)]
    for value in values:
        t0 = time.perf_counter()
        slider.value = value
        redraws.append(time.perf_counter() - t0)
    for value in values:
        t0 = time.perf_counter()
        slider.value = value
        cached.append(time.perf_counter() - t0)
    b, r, c = (statistics.median(x) * 1e3 for x in (base, redraws, cached))
    verdict = "meets" if r < TARGET_MS else "MISSES"
    print(f"what-if panel on the example plan, {args.draws:,} draws, {args.moves} slider moves")
    print(f"baseline: simulate the plan alone:        {b:7.1f} ms")
    print(f"redraw (simulate + tables + fan chart):   {r:7.1f} ms  {r / b:5.1f} x baseline  "
          f"({verdict} target < {TARGET_MS:g} ms)")
    print(f"redraw of a setting seen before (cache):  {c:7.1f} ms  {c / b:5.2f} x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
