"""The what-if panel: headless behaviour, saving scenarios, and a real JupyterLab session."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from okr_scenarios import load_plan
from okr_scenarios.widgets import Panel, Settings, WhatIf, what_if_scenario

from .conftest import ROOT

EXAMPLE = ROOT / "data" / "example"
CHROMIUM = Path("/usr/lib/chromium/chromium-headless-shell")
PAID_SEARCH_KRS = {"KR1.1", "KR1.2", "KR1.3", "KR1.4"}  # I1 feeds KR1.1, the funnel the rest


@pytest.fixture
def plan_copy(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "plan")
    return load_plan(tmp_path / "plan")


@pytest.fixture(scope="module")
def panel():
    return Panel(load_plan(EXAMPLE), draws=1000, seed=4)


def _diff(panel: Panel) -> dict[str, float]:
    return dict(zip(panel.current.krs.kr, panel.current.krs.p_hit_diff, strict=True))


def test_budget_cut_lowers_what_the_channel_feeds_and_nothing_else(panel):
    assert all(d == 0 for d in _diff(panel).values())  # untouched panel = the plan
    panel.budget["paid_search"].value = -0.6
    diff = _diff(panel)
    assert diff["KR1.1"] < -0.05
    assert all(diff[k] <= 0 for k in PAID_SEARCH_KRS)
    assert all(diff[k] == 0 for k in diff if k not in PAID_SEARCH_KRS)  # same draws: exact
    objectives = panel.current.objectives.set_index("objective")
    assert objectives.loc["O1", "diff"] < 0 and objectives.loc["O4", "diff"] == 0
    panel.budget["paid_search"].value = 0


def test_efficiency_and_demand_sliders_move_the_right_krs(panel):
    panel.efficiency["launch"].value = 0.3  # the Forecasting launch feeds trials and searches
    diff = _diff(panel)
    assert diff["KR3.1"] < 0 and diff["KR2.1"] < 0 and diff["KR4.2"] == 0
    panel.efficiency["launch"].value = 1
    panel.demand.value = 0.7
    diff = _diff(panel)
    sums = {k.id for k in panel.plan.key_results if k.measure == "sum"}
    assert all(diff[k] <= 0 for k in sums) and diff["KR1.1"] < -0.1
    assert diff["KR4.2"] == 0  # NPS is a level, not hit by the demand multiplier
    panel.demand.value = 1


def test_later_start_week_softens_the_cut(panel):
    panel.budget["paid_search"].value = -1
    early = _diff(panel)["KR1.1"]
    panel.from_week.value = 10
    late = _diff(panel)["KR1.1"]
    assert early < late <= 0
    panel.budget["paid_search"].value = 0
    panel.from_week.value = 1


def test_returning_to_earlier_settings_uses_the_cache(panel):
    panel.budget["events"].value = -0.5
    first = panel.current
    panel.budget["events"].value = 0
    panel.budget["events"].value = -0.5
    assert panel.current is first
    panel.budget["events"].value = 0


def test_threshold_highlights_and_chart_follows_the_kr(panel):
    panel.threshold.value = 1.0
    assert panel.krs.value.count('class="low"') == len(panel.plan.key_results)
    panel.threshold.value = 0.0
    assert 'class="low"' not in panel.krs.value
    before = panel.chart.value
    panel.kr.value = "KR4.3"
    assert panel.chart.value != before and panel.chart.value[:4] == b"\x89PNG"
    panel.threshold.value = 0.5


def test_suggest_reallocation_shows_moves_with_approvers(panel):
    panel.draws.value = 500
    panel.budget["paid_social"].value = -0.5
    panel.suggest.click()
    assert "Approver" in panel.realloc.value or "No move" in panel.realloc.value
    assert "Expected weighted score" in panel.realloc.value
    panel.budget["paid_social"].value = 0  # a redraw clears the suggestion
    assert panel.realloc.value == ""
    panel.draws.value = 1000


def test_save_scenario_round_trips_through_load_plan(plan_copy):
    path = Path(plan_copy.folder) / "scenarios.yaml"
    original = path.read_text()
    panel = Panel(plan_copy, draws=500)
    panel.base.value = "linkedin_costs_rise"
    panel.budget["events"].value = -0.2
    panel.efficiency["paid_social"].value = 0.7
    panel.from_week.value = 5
    panel.new_id.value, panel.new_name.value = "events_trim", "Trim events, LinkedIn dearer"
    panel.save.click()
    assert "Saved 'events_trim'" in panel.status.value
    text = path.read_text()
    assert text.startswith(original)  # every earlier line and comment kept
    loaded = load_plan(plan_copy.folder).scenario("events_trim")
    expected = what_if_scenario(plan_copy, panel.settings(), "events_trim", "x")
    assert loaded.name == "Trim events, LinkedIn dearer"
    assert loaded.shocks == expected.shocks
    assert "events_trim" in [value for _, value in panel.base.options]
    # the same id again is refused and the file stays as it is
    panel.save.click()
    assert "Not saved" in panel.status.value and "already exists" in panel.status.value
    assert path.read_text() == text


def test_save_refuses_what_it_cannot_append_and_leaves_the_file(plan_copy):
    path = Path(plan_copy.folder) / "scenarios.yaml"
    flow = "scenarios: [{id: baseline, name: Plan as written}]\n"
    path.write_text(flow)
    plan = load_plan(plan_copy.folder)
    panel = Panel(plan, draws=500)
    panel.demand.value = 0.9
    panel.new_id.value = "softer"
    panel.save.click()
    assert "Not saved" in panel.status.value and "block list" in panel.status.value
    assert path.read_text() == flow
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".scenarios")]


def test_settings_describe_themselves():
    plan = load_plan(EXAMPLE)
    settings = Settings(budget=(("events", -0.2),), demand=0.9, from_week=4)
    scenario = what_if_scenario(plan, settings)
    assert scenario.name == "events budget -20%, demand x0.90, from week 4"
    assert [s.type for s in scenario.shocks] == ["budget", "demand"]
    assert WhatIf(plan).outlook(Settings()).krs.p_hit_diff.abs().max() == 0


# -- a real JupyterLab in a real browser ----------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer at {url}")


def _run_all_cells(page) -> None:
    """Select the first cell and run each cell in turn with Shift+Enter."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.first.click()
    page.keyboard.press("Escape")  # command mode
    for _ in range(cells.count()):
        page.keyboard.press("Shift+Enter")


def test_panel_in_jupyterlab_redraws_when_a_slider_moves(tmp_path):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("headless Chromium is missing; `make test` installs it")
        pytest.skip("headless Chromium not installed (make test installs it)")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    book = nbformat.read(ROOT / "notebooks" / "what_if.ipynb", as_version=4)
    params = next(c for c in book.cells if "parameters" in c.metadata.get("tags", []))
    params.source = (f"plan_dir = {json.dumps(str(EXAMPLE))}\ndraws = 500\nseed = 2027")
    nbformat.write(book, tmp_path / "what_if.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--allow-root", f"--ServerApp.root_dir={tmp_path}",
         "--LabApp.news_url=", "--ServerApp.log_level=WARN"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/api/status?token={token}", 90)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(f"{base}/lab/tree/what_if.ipynb?reset&token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            page.get_by_text("Python 3 (ipykernel)").first.wait_for(timeout=90_000)
            table = page.locator(".okr-krs")
            for _ in range(3):  # the kernel may still be connecting on the first try
                _run_all_cells(page)
                try:
                    table.wait_for(timeout=60_000)
                    break
                except PlaywrightTimeout:
                    continue
            before = table.inner_text()
            slider = page.locator(".widget-slider", has_text="Demand multiplier")
            slider.locator(".noUi-handle").focus()
            for _ in range(4):
                page.keyboard.press("ArrowLeft")
            deadline = time.monotonic() + 60
            while table.inner_text() == before and time.monotonic() < deadline:
                time.sleep(0.5)
            after = table.inner_text()
            browser.close()
        assert after != before
        assert "KR1.1" in after
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
