"""Benchmark the engine on the example plan; print ratios against a floor measured in this run.

    make bench            (or: python benchmarks/bench_simulate.py [--draws N] [--repeat R])

Floor: one vectorised numpy evaluation of the Hill response over an array of the same size as
the simulation's [draws, weeks, effects], the least work any per-draw engine must do once.
Times are the best of R repeats (shared machines are noisy; the minimum is the least noisy
estimate). Peak memory is the maximum resident size of a fresh process simulating 1,000,000
draws of every scenario, as the command line does (quarter values only, no weekly paths).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np

from okr_scenarios import load_plan, simulate
from okr_scenarios.compile import CompiledPlan

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
TARGET_SECONDS, TARGET_RATIO, TARGET_PEAK_GB = 1.0, 5.0, 1.5


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def hill_floor(draws: int, weeks: int, n_effects: int) -> callable:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 2e4, size=(draws, weeks, n_effects))
    half = rng.uniform(5e3, 2e4, size=n_effects)
    shape = np.ones(n_effects)

    def run():
        xs = x**shape
        return xs / (xs + half**shape)
    return run


def peak_memory(draws: int) -> tuple[float, float]:
    """(peak resident GB, seconds) of a fresh process simulating ``draws`` draws."""
    code = textwrap.dedent(f"""
        import resource, time, warnings
        warnings.simplefilter("ignore")
        from okr_scenarios import load_plan, simulate
        plan = load_plan({str(EXAMPLE)!r})
        t0 = time.perf_counter()
        run = simulate(plan, draws={draws}, seed=1, weekly=False)
        run.outlook(); run.objectives()
        elapsed = time.perf_counter() - t0
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, elapsed)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    kib, seconds = out.stdout.split()
    return int(kib) / 2**20, float(seconds)


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--peak-draws", type=int, default=1_000_000)
    args = parser.parse_args()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = load_plan(EXAMPLE)
    cp = CompiledPlan(plan)
    n_eff, n_scen = len(cp.lift), len(plan.scenarios)
    print(f"example plan: {len(plan.key_results)} KRs, {len(plan.initiatives)} initiatives, "
          f"{n_eff} effects, {n_scen} scenarios, {plan.weeks} weeks; {args.draws:,} draws; "
          f"best of {args.repeat}")

    floor = best_of(args.repeat, hill_floor(args.draws, plan.weeks, n_eff))
    simulate(plan, draws=args.draws, seed=1)  # warm-up
    engine = best_of(args.repeat, lambda: simulate(plan, draws=args.draws, seed=1))
    tables = best_of(args.repeat, lambda: simulate(plan, draws=args.draws, seed=1).outlook())
    ratio = engine / floor
    print(f"floor: one Hill evaluation over [{args.draws:,}, {plan.weeks}, {n_eff}]: "
          f"{floor * 1e3:8.1f} ms")
    print(f"simulate, all {n_scen} scenarios:                  {engine * 1e3:8.1f} ms   "
          f"{ratio:5.2f} x floor   ({verdict(engine < TARGET_SECONDS and ratio < TARGET_RATIO)}: "
          f"< {TARGET_SECONDS:g} s and < {TARGET_RATIO:g} x)")
    print(f"simulate + KR outlook table:                  {tables * 1e3:8.1f} ms   "
          f"{tables / floor:5.2f} x floor")

    peak_gb, seconds = peak_memory(args.peak_draws)
    print(f"peak memory, {args.peak_draws:,} draws, all scenarios + tables: {peak_gb:.2f} GB "
          f"in {seconds:.1f} s ({seconds / floor:,.0f} x floor)   "
          f"({verdict(peak_gb < TARGET_PEAK_GB)}: < {TARGET_PEAK_GB:g} GB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
