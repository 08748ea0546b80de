"""`build_report`: run the report notebooks through papermill and render them for reviewers.

The pack is written to a temporary folder beside the destination and moved into place
whole: a failed run leaves no half-written folder and any earlier report untouched; an
existing report is replaced only when asked (``force``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat

from . import __version__
from .checkin import check_week
from .errors import OkrScenariosError
from .html import esc, page
from .loader import load_plan
from .model import Plan
from .simulation import DEFAULT_DRAWS, DEFAULT_SEED

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@dataclass(frozen=True)
class Page:
    """One notebook of the pack; ``checkin`` pages take ``as_of_week`` too."""

    name: str
    title: str
    description: str
    checkin: bool = False


PACK = (
    Page("quarterly_scenarios", "Quarterly scenario review",
         "OKR dashboard, P(hit) by scenario, leading indicators, resilience and sensitivity."),
    Page("contingency_plan", "Contingency plan",
         "Per scenario: impact, early-warning trigger, budget action, approver, recovery."),
    Page("reallocation", "Budget reallocation",
         "The budget moves that recover the most under the most damaging scenario."),
)
CHECKIN = Page("monthly_checkin", "Monthly check-in",
               "Actuals against the plan, P(hit) at plan and now, notes, initiative suggestions.",
               checkin=True)


class ReportExistsError(OkrScenariosError, FileExistsError):
    """Raised when the output folder exists and replacing it was not asked for."""


class NotebookFailed(OkrScenariosError, RuntimeError):
    """Raised when a report notebook fails; names the notebook and the failing cell."""


def default_output(plan: Plan, root: str | Path = "reports") -> Path:
    """``reports/<plan name>-<quarter>/``, made safe as a folder name."""
    return Path(root) / f"{_slug(plan.name)}-{_slug(plan.quarter)}"


def build_report(plan_dir: str | Path, out: str | Path | None = None, *,
                 draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED, force: bool = False,
                 as_of_week: int | None = None, pages: Sequence[Page] | None = None,
                 notebooks: Path | None = None,
                 progress: Callable[[str], None] | None = None) -> Path:
    """Execute each page's notebook, render it to HTML without code, write ``index.html``.

    ``progress`` gets one line at the start and one per notebook as it finishes. The
    monthly check-in page is added when actuals.csv has measured values (as of the
    latest week with one, or ``as_of_week``); asking for ``as_of_week`` without any is an
    error (`CheckInError`).

    Raises
    ------
    PlanError
        The plan does not load (nothing is run).
    ReportExistsError
        ``out`` exists and ``force`` is false.
    NotebookFailed
        A notebook raised; the earlier report, if any, is left as it was.
    """
    plan = load_plan(plan_dir)
    if pages is None:
        pages = PACK
        measured = any(a.value is not None for a in plan.actuals)
        if measured or as_of_week is not None:
            as_of_week = check_week(plan, as_of_week)
            pages = (*PACK, CHECKIN)
    notebooks = NOTEBOOKS if notebooks is None else notebooks
    out = Path(out) if out is not None else default_output(plan)
    if out.exists() and not force:
        raise ReportExistsError(f"{out} already exists; pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a report is meant to be shared
    say = progress or (lambda _: None)
    started = datetime.now()
    say(f"Running {len(pages)} notebooks on {plan.name}, {plan.quarter} ({draws:,} draws, "
        f"seed {seed})")
    try:
        for n, item in enumerate(pages, 1):
            t0 = time.perf_counter()
            executed = tmp / f"{item.name}.ipynb"
            extra = {"as_of_week": as_of_week} if item.checkin else {}
            _execute(notebooks / f"{item.name}.ipynb", executed, plan_dir, draws, seed, tmp,
                     extra)
            (tmp / f"{item.name}.html").write_text(_render(executed, item, plan),
                                                  encoding="utf-8")
            say(f"[{n}/{len(pages)}] {item.name}: done in {time.perf_counter() - t0:.1f} s")
        (tmp / "index.html").write_text(_index(plan, pages, draws, seed, started, as_of_week),
                                        encoding="utf-8")
        _replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _execute(source: Path, target: Path, plan_dir, draws: int, seed: int, cwd: Path,
             extra: dict) -> None:
    import papermill
    from jupyter_client.manager import AsyncKernelManager
    from papermill.exceptions import PapermillExecutionError
    from traitlets import CaselessStrEnum

    class LocalKernelManager(AsyncKernelManager):
        """Talks to the kernel over local sockets (no TCP port, nothing on the network)."""

        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc")

    parameters = {"plan_dir": str(Path(plan_dir).resolve()), "draws": int(draws),
                  "seed": int(seed), **extra}
    try:
        papermill.execute_notebook(str(source), str(target), parameters=parameters,
                                   kernel_name="python3", language="python", cwd=str(cwd),
                                   progress_bar=False, log_output=False,
                                   kernel_manager_class=LocalKernelManager)
    except PapermillExecutionError as exc:
        raise NotebookFailed(f"notebook {source.name} failed in cell {exc.cell_index + 1} "
                             f"(execution count {exc.exec_count}): {exc.ename}: "
                             f"{exc.evalue}") from None


def _render(executed: Path, item: Page, plan: Plan) -> str:
    """The executed notebook as a self-contained page: outputs only, no code, no scripts."""
    from nbconvert import HTMLExporter

    notebook = nbformat.read(executed, as_version=4)
    for cell in notebook.cells:  # warnings are for the planner, not the reviewer
        cell.outputs = [o for o in cell.get("outputs", [])
                        if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    exporter = HTMLExporter(template_name="basic", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    nav = '<p class="meta"><a href="index.html">&larr; Report index</a></p>'
    return page(f"{item.title}: {plan.name}, {plan.quarter}", nav + body)


def _index(plan: Plan, pages: Sequence[Page], draws: int, seed: int, when: datetime,
           as_of_week: int | None) -> str:
    items = "".join(
        f'<li><a href="{esc(p.name)}.html">{esc(p.title)}</a> — {esc(p.description)} '
        f'<span class="muted">(<a href="{esc(p.name)}.ipynb">notebook</a>)</span></li>'
        for p in pages)
    facts = [("Plan", plan.name), ("Quarter", plan.quarter),
             ("Weeks", f"{plan.weeks} from {plan.start:%Y-%m-%d}"),
             ("Plan folder", str(plan.folder)), ("Seed", str(seed)),
             ("Draws", f"{draws:,} simulated quarters"),
             ("Check-in as of", f"week {as_of_week}" if as_of_week else "no actuals yet"),
             ("Generated", f"{when:%Y-%m-%d %H:%M}"), ("okr-scenarios", __version__)]
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts)
    body = (f"<h1>{esc(plan.name)}: OKR scenario report, {esc(plan.quarter)}</h1>"
            f"<table>{rows}</table><h2>Pages</h2><ul>{items}</ul>"
            "<p class='muted'>Every probability is a share of simulated quarters, shown with "
            "its Monte Carlo standard error (±). The same plan, seed and draws give the same "
            "numbers.</p>")
    return page(f"OKR scenario report: {plan.name}, {plan.quarter}", body)


def _replace(tmp: Path, out: Path) -> None:
    """Move ``tmp`` to ``out`` whole; an existing ``out`` is swapped out, then removed."""
    if out.exists():
        old = out.with_name(f".{out.name}.old-{time.time_ns()}")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return slug or "plan"
