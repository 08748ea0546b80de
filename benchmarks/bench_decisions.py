"""Benchmark decision analysis on the example plan; print ratios against a baseline
measured in this run.

    make bench            (or: python benchmarks/bench_decisions.py [--draws N])

Baseline: one `simulate` of the example plan, every scenario, at the same draws. Each
decision step is timed once (they take seconds; the ratio carries the comparison).
Target: a reallocation over all the example's initiatives in under 10 seconds with the
default draws.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

from okr_scenarios import DEFAULT_DRAWS, load_plan, simulate
from okr_scenarios.contingency import contingency_plan
from okr_scenarios.reallocation import reallocate
from okr_scenarios.resilience import resilience
from okr_scenarios.sensitivity import sensitivity

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
TARGET_REALLOCATION_SECONDS = 10.0


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = load_plan(EXAMPLE)
    n = args.draws
    simulate(plan, draws=n, seed=1)  # warm-up
    base = min(timed(lambda: simulate(plan, draws=n, seed=1))[0] for _ in range(5))
    print(f"example plan: {len(plan.initiatives)} initiatives, {len(plan.scenarios)} scenarios, "
          f"{n:,} draws")
    print(f"baseline: simulate, all scenarios:           {base:7.3f} s")

    seconds, result = timed(lambda: reallocate(plan, "paid_budget_cut", from_week=6, draws=n))
    ok = seconds < TARGET_REALLOCATION_SECONDS
    print(f"reallocate paid_budget_cut from week 6:      {seconds:7.3f} s  {seconds / base:6.1f} x "
          f"baseline  ({result.evaluations} evaluations; "
          f"{'meets' if ok else 'MISSES'} target < {TARGET_REALLOCATION_SECONDS:g} s)")
    for label, fn in (("resilience, all scenarios:", lambda: resilience(plan, draws=n)),
                      ("sensitivity, stress scenario:", lambda: sensitivity(plan, "stress",
                                                                            draws=n)),
                      ("contingency playbook:", lambda: contingency_plan(plan, draws=n))):
        seconds, _ = timed(fn)
        print(f"{label:<44} {seconds:7.3f} s  {seconds / base:6.1f} x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
