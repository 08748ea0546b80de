"""The ``okr-scenarios`` command line.

Exit codes: 0 success; 2 the input is wrong (one clear message, no traceback); 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import warnings
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from . import __version__
from .errors import OkrScenariosError, PlanWarning
from .formatting import ProgressBar, StatusLine, kr_table, objective_table, reallocation_text
from .loader import load_plan
from .model import Plan
from .reallocation import reallocate
from .sampling import METHODS
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED, simulate

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
TEMPLATE_FILES = ("plan.yaml", "scenarios.yaml", "actuals.csv")


class InputError(OkrScenariosError):
    """Raised by a command for a wrong argument that argparse cannot see (exit code 2)."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PlanWarning)
            code = args.run(args)
        for w in caught:
            print(f"warning: {w.message}", file=sys.stderr)
        return code
    except OkrScenariosError as exc:  # wrong input: one message, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okr-scenarios",
        description="Stress-test a marketing team's OKRs under budget, platform and demand "
                    "scenarios.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a plan folder and summarise it",
                       description="Load and check plan.yaml, scenarios.yaml and actuals.csv; "
                                   "print a short summary, or every problem found.")
    p.add_argument("plan_dir", metavar="PLAN_DIR", type=Path)
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("simulate", help="simulate the KRs under each scenario",
                       description="Monte Carlo outlook of every KR (or objective) under each "
                                   "scenario; every probability with its standard error.")
    p.add_argument("plan_dir", metavar="PLAN_DIR", type=Path)
    p.add_argument("--scenario", action="append", metavar="ID", dest="scenarios",
                   help="scenario id to run (repeat for several; default all)")
    p.add_argument("--draws", type=_positive_int, default=DEFAULT_DRAWS, metavar="N",
                   help=f"Monte Carlo draws (default {DEFAULT_DRAWS:,})")
    p.add_argument("--seed", type=_seed, default=DEFAULT_SEED, metavar="S",
                   help=f"random seed; the same seed gives the same numbers (default "
                        f"{DEFAULT_SEED})")
    p.add_argument("--method", choices=METHODS, default="random",
                   help="sampling of the uncertain inputs (default random)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="output format (default table)")
    p.add_argument("--level", choices=("krs", "objectives"), default="krs",
                   help="one row per scenario x KR, or per scenario x objective (default krs)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar on stderr (default: when stderr is a terminal)")
    p.set_defaults(run=cmd_simulate)

    p = sub.add_parser("reallocate", help="find the budget moves that recover the most",
                       description="Reallocate quarterly budgets across initiatives to maximise "
                                   "the expected weighted objective score under a scenario, "
                                   "within each initiative's min/max budget; prints the from -> "
                                   "to table with approvers and the outlook before and after.")
    p.add_argument("plan_dir", metavar="PLAN_DIR", type=Path)
    p.add_argument("--scenario", required=True, metavar="ID", help="scenario to reallocate under")
    p.add_argument("--budget", type=_amount, metavar="AMOUNT",
                   help="total for the quarter (default: what the scenario leaves)")
    p.add_argument("--from-week", type=_positive_int, default=1, metavar="W",
                   help="week the moves take effect; money spent before it stays spent "
                        "(default 1)")
    p.add_argument("--draws", type=_positive_int, default=DEFAULT_DRAWS, metavar="N",
                   help=f"common draws every allocation is scored on (default {DEFAULT_DRAWS:,})")
    p.add_argument("--seed", type=_seed, default=DEFAULT_SEED, metavar="S",
                   help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table (default); csv: the from -> to table; json: everything")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show the search's progress on stderr (default: when stderr is a "
                        "terminal)")
    p.set_defaults(run=cmd_reallocate)

    p = sub.add_parser("report", help="run the report pack and render it for reviewers",
                       description="Execute the report notebooks on the plan, keep each executed "
                                   "notebook, render each to HTML without code, and write "
                                   "index.html. The folder appears whole or not at all.")
    p.add_argument("plan_dir", metavar="PLAN_DIR", type=Path)
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="output folder (default reports/<plan name>-<quarter>/)")
    p.add_argument("--draws", type=_positive_int, default=DEFAULT_DRAWS, metavar="N",
                   help=f"Monte Carlo draws (default {DEFAULT_DRAWS:,})")
    p.add_argument("--seed", type=_seed, default=DEFAULT_SEED, metavar="S",
                   help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--as-of-week", type=_positive_int, metavar="W",
                   help="add the monthly check-in as of week W (default: included, as of the "
                        "latest week, when the plan has actuals)")
    p.add_argument("--force", action="store_true", help="replace an existing output folder")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser("init", help="write a commented template plan to start from",
                       description="Write a commented template plan (plan.yaml, scenarios.yaml, "
                                   "actuals.csv) into DIR; refuses to overwrite a plan.")
    p.add_argument("dir", metavar="DIR", type=Path)
    p.set_defaults(run=cmd_init)
    return parser


def cmd_validate(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan_dir)
    print(summary(plan))
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan_dir)
    show = sys.stderr.isatty() if args.progress is None else args.progress
    run = simulate(plan, draws=args.draws, seed=args.seed, scenarios=args.scenarios,
                   method=args.method, weekly=False,
                   progress=ProgressBar("simulating") if show else None)
    table = run.outlook() if args.level == "krs" else run.objectives()
    if args.format == "csv":
        sys.stdout.write(table.to_csv(index=False))
    elif args.format == "json":
        sys.stdout.write(table.to_json(orient="records", indent=2) + "\n")
    else:
        print(f"{plan.name}, {plan.quarter}: {run.draws:,} draws, seed {run.seed}")
        print(kr_table(table) if args.level == "krs" else objective_table(table))
    return EXIT_OK


def cmd_reallocate(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan_dir)
    plan.scenario(args.scenario)  # a clear error before any work
    show = sys.stderr.isatty() if args.progress is None else args.progress
    status = StatusLine("reallocating") if show else None
    result = reallocate(plan, args.scenario, budget=args.budget, from_week=args.from_week,
                        draws=args.draws, seed=args.seed, progress=status)
    if status is not None:
        status.done()
    if args.format == "csv":
        sys.stdout.write(result.moves.to_csv(index=False))
    elif args.format == "json":
        payload = {
            "scenario": result.scenario, "from_week": result.from_week, "total": result.total,
            "currency": result.currency, "score_before": result.score_before,
            "score_before_se": result.score_before_se, "score_after": result.score_after,
            "score_after_se": result.score_after_se, "gain": result.gain,
            "gain_se": result.gain_se, "approver": result.approver,
            "moves": json.loads(result.moves.to_json(orient="records")),
            "key_results": json.loads(result.key_results.to_json(orient="records")),
            "objectives": json.loads(result.objectives.to_json(orient="records")),
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        print(reallocation_text(result))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from .report import NotebookFailed, build_report

    try:
        out = build_report(args.plan_dir, args.out, draws=args.draws, seed=args.seed,
                           force=args.force, as_of_week=args.as_of_week,
                           progress=lambda line: print(line, file=sys.stderr, flush=True))
    except NotebookFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Report written to {out}/ (open {out / 'index.html'})")
    return EXIT_OK


def _amount(text: str) -> float:
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an amount such as 1500000, got '{text}'") \
            from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _whole_number(minimum: int):
    """An argparse type: a whole number (``10_000`` and ``10,000`` allowed) >= ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number >= {minimum}, got '{text}'") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value
    return parse


_positive_int = _whole_number(1)
_seed = _whole_number(0)


def summary(plan: Plan) -> str:
    krs = plan.key_results
    leading = sum(kr.indicator == "leading" for kr in krs)
    channels = {i.channel for i in plan.initiatives} - {None}
    lines = [
        f"{plan.name}, {plan.quarter}: {plan.weeks} weeks from {plan.start:%Y-%m-%d}",
        f"  objectives:   {len(plan.objectives)}",
        f"  key results:  {len(krs)} ({leading} leading, {len(krs) - leading} lagging)",
        f"  initiatives:  {len(plan.initiatives)} in {len(channels)} channels",
        f"  total budget: {plan.currency} {plan.total_budget:,.0f}",
        f"  scenarios:    {len(plan.scenarios)} ({', '.join(s.id for s in plan.scenarios)})",
    ]
    if plan.actuals:
        last = max(a.week for a in plan.actuals)
        lines.append(f"  check-ins:    {len(plan.actuals)} rows up to week {last}")
    lines.append("The plan is valid.")
    return "\n".join(lines)


def cmd_init(args: argparse.Namespace) -> int:
    target: Path = args.dir
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} is a file; give a folder for the new plan")
    existing = [name for name in TEMPLATE_FILES if (target / name).exists()]
    if existing:
        raise InputError(f"{target} already holds a plan ({', '.join(existing)}); "
                         "choose another folder or remove those files first")
    target.mkdir(parents=True, exist_ok=True)
    templates = resources.files("okr_scenarios") / "templates"
    with tempfile.TemporaryDirectory(dir=target) as tmp:
        for name in TEMPLATE_FILES:
            (Path(tmp) / name).write_text((templates / name).read_text(encoding="utf-8"),
                                          encoding="utf-8")
        for name in TEMPLATE_FILES:
            shutil.move(Path(tmp) / name, target / name)
    print(f"Wrote a template plan to {target}/ ({', '.join(TEMPLATE_FILES)}).")
    print(f"Edit it, then run: okr-scenarios validate {target}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
