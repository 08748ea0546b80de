"""Benchmark the report pack on the example plan; print the ratio to a baseline measured in
this run.

    make bench            (or: python benchmarks/bench_report.py [--draws N])

Baseline: papermill running a notebook that only imports the package, once per page of the
pack (kernel start, imports, stop): the cost of the notebook machinery alone. Target: the
whole pack with the default draws in under 60 seconds on two cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from okr_scenarios import DEFAULT_DRAWS
from okr_scenarios.report import CHECKIN, PACK, build_report

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
PAGES = (*PACK, CHECKIN)  # the example has actuals: the check-in is part of its pack
TARGET_SECONDS = 60.0


def machinery(folder: Path) -> float:
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell("import okr_scenarios.reporting")]
    source = folder / "empty.ipynb"
    nbformat.write(book, source)
    t0 = time.perf_counter()
    for _ in PAGES:
        papermill.execute_notebook(str(source), str(folder / "out.ipynb"), kernel_name="python3",
                                   language="python", progress_bar=False, cwd=str(folder))
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = machinery(Path(tmp))
        t0 = time.perf_counter()
        build_report(EXAMPLE, Path(tmp) / "pack", draws=args.draws)
        seconds = time.perf_counter() - t0
    verdict = "meets" if seconds < TARGET_SECONDS else "MISSES"
    print(f"baseline: {len(PAGES)} notebooks that only import the package: {base:6.1f} s")
    print(f"report pack, {len(PAGES)} pages, {args.draws:,} draws:            {seconds:6.1f} s   "
          f"{seconds / base:4.1f} x baseline   ({verdict} target < {TARGET_SECONDS:g} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
