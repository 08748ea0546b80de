"""The okr-scenarios command line: output, formats and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest

from okr_scenarios import load_plan
from okr_scenarios.cli import main
from okr_scenarios.formatting import ProgressBar
from okr_scenarios.outlook import KR_COLUMNS, OBJECTIVE_COLUMNS

from .conftest import ROOT

EXAMPLE = str(ROOT / "data" / "example")


def test_validate_example_prints_a_summary(capsys):
    assert main(["validate", EXAMPLE]) == 0
    out = capsys.readouterr().out
    assert "Lumen Analytics Marketing, 2027-Q1: 13 weeks from 2027-01-04" in out
    assert "key results:  12 (6 leading, 6 lagging)" in out
    assert "total budget: USD 1,511,000" in out
    assert out.rstrip().endswith("The plan is valid.")


def test_simulate_csv_has_exactly_the_outlook_columns(capsys):
    assert main(["simulate", EXAMPLE, "--format", "csv", "--draws", "500",
                 "--scenario", "baseline", "--scenario", "stress"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(table.columns) == KR_COLUMNS
    assert list(table.scenario.unique()) == ["baseline", "stress"]
    assert len(table) == 2 * 12
    assert table.p_hit.between(0, 1).all() and (table.p_hit_se > 0).any()


def test_simulate_is_reproducible_with_the_default_seed(capsys):
    main(["simulate", EXAMPLE, "--format", "csv", "--draws", "300"])
    first = capsys.readouterr().out
    main(["simulate", EXAMPLE, "--format", "csv", "--draws", "300"])
    assert capsys.readouterr().out == first
    main(["simulate", EXAMPLE, "--format", "csv", "--draws", "300", "--seed", "8"])
    assert capsys.readouterr().out != first


def test_simulate_objectives_as_json(capsys):
    assert main(["simulate", EXAMPLE, "--format", "json", "--level", "objectives",
                 "--draws", "300"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert list(rows[0]) == OBJECTIVE_COLUMNS
    assert {r["objective"] for r in rows} == {"O1", "O2", "O3", "O4"}


def test_simulate_table_shows_probabilities_with_standard_errors(capsys):
    assert main(["simulate", EXAMPLE, "--draws", "400", "--scenario", "baseline"]) == 0
    out = capsys.readouterr().out
    assert "P(hit) ± SE" in out and "KR1.4" in out and "seed 2027" in out


def test_unknown_scenario_exits_2_with_one_line(capsys):
    assert main(["simulate", EXAMPLE, "--scenario", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no scenario 'nope' in the plan; known: baseline,")
    assert "Traceback" not in err


def test_bad_draws_exit_2():
    with pytest.raises(SystemExit) as caught:
        main(["simulate", EXAMPLE, "--draws", "0"])
    assert caught.value.code == 2


def test_init_writes_a_template_that_validates_and_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "new-plan"
    assert main(["init", str(target)]) == 0
    plan = load_plan(target)
    assert plan.kr("KR1.2").derived_from[0].kr == "KR1.1"
    assert "# plan.yaml" in (target / "plan.yaml").read_text()  # commented
    before = (target / "plan.yaml").read_bytes()
    assert main(["init", str(target)]) == 2
    assert "already holds a plan" in capsys.readouterr().err
    assert (target / "plan.yaml").read_bytes() == before


def test_progress_bar_draws_on_its_stream():
    stream = io.StringIO()
    bar = ProgressBar("simulating", stream=stream, width=10)
    bar(5, 10)
    bar(10, 10)
    text = stream.getvalue()
    assert "[#####-----]  50% 5/10 draws" in text
    assert text.endswith("[##########] 100% 10/10 draws\n")


def test_console_script_runs_as_a_program():
    result = subprocess.run([sys.executable, "-m", "okr_scenarios.cli", "validate", "/nowhere"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("error: /nowhere: plan folder not found")
    assert "Traceback" not in result.stderr
