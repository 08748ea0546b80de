"""okr-scenarios report: the pack end to end, all-or-nothing, escaping, and a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from okr_scenarios.cli import main
from okr_scenarios.report import CHECKIN, NotebookFailed, Page, build_report
from okr_scenarios.report import PACK as BASE_PACK

from .conftest import BASE_PLAN, BASE_SCENARIOS, ROOT, edited, write_plan

EXAMPLE = ROOT / "data" / "example"
PACK = (*BASE_PACK, CHECKIN)  # the example has actuals, so its pack has the check-in
CHROMIUM = [Path("/usr/lib/chromium/chromium-headless-shell"), Path("/usr/bin/chromium")]


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "pack"
    assert main(["report", str(EXAMPLE), "--out", str(out), "--draws", "400", "--seed", "3"]) == 0
    return out


def test_pack_has_every_page_and_executed_notebook(pack):
    names = sorted(p.name for p in pack.iterdir())
    expected = sorted(["index.html"] + [f"{p.name}.{ext}" for p in PACK for ext in ("html", "ipynb")])
    assert names == expected
    for page in PACK:  # executed copies carry their outputs and parameters
        book = nbformat.read(pack / f"{page.name}.ipynb", as_version=4)
        assert any(c.get("outputs") for c in book.cells if c.cell_type == "code")
        assert book.metadata.papermill.parameters["draws"] == 400
    checkin = nbformat.read(pack / "monthly_checkin.ipynb", as_version=4)
    assert checkin.metadata.papermill.parameters["as_of_week"] == 6


@pytest.mark.parametrize("page", [p.name for p in PACK])
def test_pages_embed_figures_and_show_no_code(pack, page):
    text = (pack / f"{page}.html").read_text()
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,[A-Za-z0-9+/]{100}', text)
    assert images and "No description" not in " ".join(images)
    for code in ("rep.header", "import reporting", "Report.load", "In&nbsp;[", "jp-InputArea"):
        assert code not in text
    assert "<script" not in text.lower()
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing loaded from a network
    assert "±" in text  # probabilities come with their standard errors


def test_summary_names_a_kr_and_a_scenario(pack):
    text = (pack / "quarterly_scenarios.html").read_text()
    summary = text[text.index("Summary"):text.index("OKR dashboard")]
    assert re.search(r"KR\d\.\d", summary)
    assert "Stress test" in summary or "scenario is" in summary


def test_index_states_plan_seed_draws_date_and_version(pack):
    from okr_scenarios import __version__
    text = (pack / "index.html").read_text()
    for fact in ("Lumen Analytics Marketing", "2027-Q1", ">3<", "400 simulated quarters",
                 "week 6", 'href="monthly_checkin.html"',
                 __version__, 'href="quarterly_scenarios.html"', 'href="reallocation.ipynb"'):
        assert fact in text, fact
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", text)


def test_existing_report_is_replaced_only_with_force(pack, capsys):
    before = (pack / "index.html").read_bytes()
    assert main(["report", str(EXAMPLE), "--out", str(pack), "--draws", "50"]) == 2
    assert "already exists; pass --force" in capsys.readouterr().err
    assert (pack / "index.html").read_bytes() == before


def _broken_pack(folder: Path) -> Path:
    book = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('plan_dir = ""  # plan\ndraws = 1  # draws\nseed = 1  # seed')
    params.metadata["tags"] = ["parameters"]
    book.cells = [params, nbformat.v4.new_code_cell('raise RuntimeError("boom")')]
    folder.mkdir()
    nbformat.write(book, folder / "broken.ipynb")
    return folder


def test_a_failing_notebook_leaves_the_earlier_report_untouched(tmp_path, monkeypatch, capsys):
    out = tmp_path / "reports" / "pack"
    out.mkdir(parents=True)
    (out / "marker.txt").write_text("earlier report")
    notebooks = _broken_pack(tmp_path / "notebooks")
    with pytest.raises(NotebookFailed, match=r"notebook broken.ipynb failed in cell 3 .*"
                                             r"RuntimeError: boom"):
        build_report(EXAMPLE, out, draws=50, force=True, notebooks=notebooks,
                     pages=(Page("broken", "Broken", "fails"),))
    assert [p.name for p in out.iterdir()] == ["marker.txt"]
    assert [p.name for p in out.parent.iterdir()] == ["pack"]  # no half-written folder left
    # the command line says which notebook failed and exits 1
    monkeypatch.setattr("okr_scenarios.report.NOTEBOOKS", notebooks)
    monkeypatch.setattr("okr_scenarios.report.PACK", (Page("broken", "Broken", "fails"),))
    assert main(["report", str(EXAMPLE), "--out", str(out), "--force", "--draws", "50"]) == 1
    assert "broken.ipynb failed in cell" in capsys.readouterr().err
    assert (out / "marker.txt").read_text() == "earlier report"


def test_plan_text_is_escaped_in_every_page(tmp_path):
    hostile = "<script>alert(1)</script>"
    plan = edited(BASE_PLAN, lambda p: (p["objectives"][0].update(name=hostile),
                                        p["initiatives"][0].update(name=f"Ads {hostile}")))
    scenarios = edited(BASE_SCENARIOS, lambda s: s["scenarios"][1].update(name=f"Cut {hostile}"))
    actuals = f"week,kr,value,confidence,note\n1,KR1,90,high,Webinar {hostile}\n"
    folder = write_plan(tmp_path / "plan", plan, scenarios, actuals)
    lines: list[str] = []
    out = build_report(folder, tmp_path / "out", draws=200, progress=lines.append)
    assert (out / "monthly_checkin.html").exists()
    assert lines[0].startswith("Running 4 notebooks on Tiny Co, 2027-Q1 (200 draws")
    assert [ln.split(":")[0] for ln in lines[1:]] == [f"[{n}/4] {p.name}"
                                                      for n, p in enumerate(PACK, 1)]
    for page in PACK:
        text = (out / f"{page.name}.html").read_text()
        assert hostile not in text, page.name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, page.name


def _chromium() -> Path | None:
    return next((p for p in CHROMIUM if p.exists()), None)


def test_pages_open_in_a_headless_browser_without_script_errors(pack, tmp_path):
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("headless Chromium is missing; `make test` installs it")
        pytest.skip("headless Chromium not installed (make test installs it)")
    for page in ["index", *[p.name for p in PACK]]:
        result = subprocess.run(
            [str(browser), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / page}", "--enable-logging=stderr", "--v=0",
             "--dump-dom", (pack / f"{page}.html").as_uri()],
            capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        assert "<h1>" in result.stdout, page  # the page rendered
        console = [ln for ln in result.stderr.splitlines() if ":CONSOLE" in ln]
        assert console == [], console


def test_check_in_week_must_fit_the_actuals(tmp_path, capsys):
    folder = write_plan(tmp_path / "plan", actuals=None)
    assert main(["report", str(folder), "--out", str(tmp_path / "o"), "--as-of-week", "3"]) == 2
    assert "no measured values" in capsys.readouterr().err
    assert main(["report", str(EXAMPLE), "--out", str(tmp_path / "o"), "--as-of-week",
                 "20"]) == 2
    assert "outside the quarter" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_default_output_folder_and_make_report_command(tmp_path, monkeypatch):
    from okr_scenarios import load_plan
    from okr_scenarios.report import default_output
    assert default_output(load_plan(EXAMPLE)) == Path("reports/lumen-analytics-marketing-2027-q1")
    assert "okr-scenarios report $(PLAN)" in (ROOT / "Makefile").read_text()
    assert shutil.which("make")
