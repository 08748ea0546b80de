"""Every kind of malformed plan gets one PlanError naming the file, the place and the fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from okr_scenarios import PlanError, PlanWarning, load_plan
from okr_scenarios.cli import main

from .conftest import BASE_ACTUALS, BASE_PLAN, BASE_SCENARIOS, edited, write_plan


def kr(p: dict, i: int = 0) -> dict:
    return p["objectives"][0]["key_results"][i]


def ini(p: dict, i: int = 0) -> dict:
    return p["initiatives"][i]


def shock(s: dict) -> dict:
    return s["scenarios"][1]["shocks"][0]


def rename(d: dict, old: str, new: str) -> None:
    d[new] = d.pop(old)


HEADER = "week,kr,value,confidence,note\n"

# (id, change to plan.yaml, change to scenarios.yaml, actuals.csv, file, place, message)
CASES = [
    ("unknown-field-near-miss", lambda p: rename(kr(p), "target", "taget"), None, None,
     "plan.yaml", "objectives[0].key_results[0] (KR1): taget", "did you mean 'target'?"),
    ("unknown-field-top", lambda p: p.update(quartre="Q1"), None, None,
     "plan.yaml", "quartre", "did you mean 'quarter'?"),
    ("wrong-type-number", lambda p: kr(p).update(target="lots"), None, None,
     "plan.yaml", "objectives[0].key_results[0] (KR1): target",
     "expected a number, got 'lots' (text)"),
    ("wrong-type-list", lambda p: ini(p, 1).update(depends_on="I1"), None, None,
     "plan.yaml", "initiatives[1] (I2): depends_on", "expected a list"),
    ("wrong-type-bool", lambda p: ini(p).update(already_running="often"), None, None,
     "plan.yaml", "initiatives[0] (I1): already_running", "expected true or false"),
    ("missing-required", lambda p: ini(p).pop("name"), None, None,
     "plan.yaml", "initiatives[0] (I1): name", "missing required field 'name'"),
    ("missing-required-top", lambda p: p.pop("weeks"), None, None,
     "plan.yaml", "weeks", "missing required field 'weeks'"),
    ("duplicate-id", lambda p: ini(p, 1).update(id="KR1", depends_on=[]), None, None,
     "plan.yaml", "initiatives[1] (KR1): id", "'KR1' is already used by objectives[0]."),
    ("dangling-priority", lambda p: p["objectives"][0].update(priority="P9"), None, None,
     "plan.yaml", "objectives[0] (O1): priority", "unknown priority 'P9'"),
    ("dangling-effect-kr", lambda p: ini(p)["effects"][0].update(kr="KR9"), None, None,
     "plan.yaml", "initiatives[0].effects[0] (I1): kr", "unknown key result 'KR9'"),
    ("dangling-derived-from", lambda p: kr(p, 1)["derived_from"][0].update(kr="KR7"), None,
     None, "plan.yaml", "key_results[1].derived_from[0] (KR2): kr", "unknown key result 'KR7'"),
    ("dangling-depends-on", lambda p: ini(p, 1).update(depends_on=["I7"]), None, None,
     "plan.yaml", "initiatives[1] (I2): depends_on", "unknown initiative 'I7'"),
    ("cycle-derived-from", lambda p: kr(p).update(derived_from=[{"kr": "KR2", "rate": 1}]),
     None, None, "plan.yaml", "derived_from", "key results form a cycle: KR1 -> KR2 -> KR1"),
    ("cycle-depends-on", lambda p: ini(p).update(depends_on=["I2"]), None, None,
     "plan.yaml", "depends_on", "initiatives form a cycle: I1 -> I2 -> I1"),
    ("low-above-expected", lambda p: kr(p)["baseline"]["weekly"].update(low=130), None, None,
     "plan.yaml", "key_results[0].baseline (KR1): weekly", "low <= expected <= high"),
    ("expected-above-high", lambda p: ini(p)["effects"][0]["lift"].update(expected=31), None,
     None, "plan.yaml", "initiatives[0].effects[0] (I1): lift", "got low 10, expected 31, high 30"),
    ("carryover-one", lambda p: ini(p)["effects"][0].update(carryover=1.0), None, None,
     "plan.yaml", "effects[0] (I1): carryover", "1 is out of range; expected >= 0 and < 1"),
    ("carryover-negative", lambda p: ini(p)["effects"][0].update(carryover=-0.1), None, None,
     "plan.yaml", "effects[0] (I1): carryover", "-0.1 is out of range"),
    ("negative-budget", lambda p: ini(p).update(budget=-5000), None, None,
     "plan.yaml", "initiatives[0] (I1): budget", "-5000 is out of range; expected >= 0"),
    ("min-above-max", lambda p: ini(p).update(min_budget=60000, max_budget=50000), None, None,
     "plan.yaml", "initiatives[0] (I1): min_budget", "60,000 is above max_budget 50,000"),
    ("budget-outside-bounds", lambda p: ini(p).update(max_budget=40000), None, None,
     "plan.yaml", "initiatives[0] (I1): budget", "52,000 is outside min_budget 0 .. max_budget"),
    ("weeks-zero", lambda p: p.update(weeks=0), None, None,
     "plan.yaml", "weeks", "0 is out of range; expected >= 1 and <= 53"),
    ("weeks-54", lambda p: p.update(weeks=54), None, None,
     "plan.yaml", "weeks", "54 is out of range"),
    ("active-weeks-outside", lambda p: ini(p).update(active_weeks=[2, 14]), None, None,
     "plan.yaml", "initiatives[0] (I1): active_weeks", "14 is out of range; expected >= 1 and <= 13"),
    ("active-weeks-reversed", lambda p: ini(p).update(active_weeks=[9, 3]), None, None,
     "plan.yaml", "initiatives[0] (I1): active_weeks", "first week 9 is after last week 3"),
    ("start-not-monday", lambda p: p.update(start="2027-01-05"), None, None,
     "plan.yaml", "start", "2027-01-05 is a Tuesday"),
    ("target-equals-start", lambda p: kr(p).update(start=1500), None, None,
     "plan.yaml", "objectives[0].key_results[0] (KR1): target", "equals start (1500)"),
    ("bad-choice", lambda p: kr(p).update(measure="total"), None, None,
     "plan.yaml", "key_results[0] (KR1): measure", "'total' is not allowed"),
    ("zero-kr-weights", lambda p: [k.update(weight=0) for k in p["objectives"][0]["key_results"]],
     None, None, "plan.yaml", "objectives[0] (O1): key_results", "every key result has weight 0"),
    ("not-a-mapping", lambda p: p["initiatives"].append("I3"), None, None,
     "plan.yaml", "initiatives[2]", "expected a mapping of fields, got 'I3' (text)"),
    ("approval-last-tier", lambda p: p["governance"]["approves_reallocation"].pop(), None, None,
     "plan.yaml", "approves_reallocation[1]: up_to", "the last tier must leave out up_to"),
    ("from-week-outside", None, lambda s: shock(s).update(from_week=20), None,
     "scenarios.yaml", "scenarios[1].shocks[0] (cut): from_week", "20 is out of range"),
    ("between-weeks-outside", None,
     lambda s: (shock(s).pop("from_week"), shock(s).update(between_weeks=[0, 5])), None,
     "scenarios.yaml", "scenarios[1].shocks[0] (cut): between_weeks", "0 is out of range"),
    ("both-onsets", None, lambda s: shock(s).update(between_weeks=[2, 5]), None,
     "scenarios.yaml", "between_weeks", "either from_week or between_weeks"),
    ("selector-no-match", None, lambda s: shock(s).update(channels=["paid_socail"]), None,
     "scenarios.yaml", "scenarios[1].shocks[0] (cut): channels",
     "'paid_socail' matches no initiative (did you mean 'paid_social'?)"),
    ("selector-intersection-empty", None, lambda s: shock(s).update(teams=["Product Marketing"]),
     None, "scenarios.yaml", "scenarios[1].shocks[0] (cut)",
     "the selectors together match no initiative with a budget"),
    ("demand-kr-unknown", None,
     lambda s: s["scenarios"][1].update(shocks=[{"type": "demand", "multiplier": 0.9,
                                                 "key_results": ["KR9"]}]), None,
     "scenarios.yaml", "scenarios[1].shocks[0] (cut): key_results", "unknown key result 'KR9'"),
    ("unknown-shock-type", None, lambda s: shock(s).update(type="budjet"), None,
     "scenarios.yaml", "scenarios[1].shocks[0] (cut): type",
     "unknown shock type 'budjet' (did you mean 'budget'?)"),
    ("probability-above-one", None, lambda s: shock(s).update(probability=1.5), None,
     "scenarios.yaml", "scenarios[1].shocks[0] (cut): probability", "1.5 is out of range"),
    ("probability-negative", None, lambda s: shock(s).update(probability=-0.1), None,
     "scenarios.yaml", "scenarios[1].shocks[0] (cut): probability", "expected >= 0 and <= 1"),
    ("no-baseline", None, lambda s: s["scenarios"].pop(0), None,
     "scenarios.yaml", "scenarios", "no scenario with id 'baseline'"),
    ("duplicate-scenario", None, lambda s: s["scenarios"][1].update(id="baseline"), None,
     "scenarios.yaml", "scenarios[1] (baseline): id", "'baseline' is already used"),
    ("actuals-unknown-week", None, None, HEADER + "14,KR1,5,high,\n",
     "actuals.csv", "week", "14 is not a week of the quarter; expected 1 to 13"),
    ("actuals-bad-week", None, None, HEADER + "one,KR1,5,high,\n",
     "actuals.csv", "week", "expected a week number 1 to 13, got 'one'"),
    ("actuals-unknown-kr", None, None, HEADER + "1,KR9,5,high,\n",
     "actuals.csv", "kr", "unknown key result 'KR9'"),
    ("actuals-non-numeric", None, None, HEADER + "1,KR1,abc,high,\n",
     "actuals.csv", "value", "expected a number (or nothing when not measured), got 'abc'"),
    ("actuals-confidence", None, None, HEADER + "1,KR1,5,sure,\n",
     "actuals.csv", "confidence", "'sure' is not allowed"),
    ("actuals-duplicate-row", None, None, HEADER + "1,KR1,5,high,\n1,KR1,6,low,\n",
     "actuals.csv", "kr", "week 1, KR1 is already given on line 2"),
    ("actuals-negative-sum", None, None, HEADER + "2,KR1,-4,high,\n",
     "actuals.csv", "value", "-4 is negative, but KR1 is measured by sum"),
    ("actuals-unknown-column", None, None, "week,kr,value,confidense\n",
     "actuals.csv", "column 'confidense'", "did you mean 'confidence'?"),
]


@pytest.mark.parametrize(("plan_change", "scen_change", "actuals", "file", "place", "message"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_names_file_place_and_expectation(tmp_path, plan_change, scen_change, actuals,
                                                file, place, message):
    plan = edited(BASE_PLAN, plan_change) if plan_change else None
    scenarios = edited(BASE_SCENARIOS, scen_change) if scen_change else None
    folder = write_plan(tmp_path, plan, scenarios, actuals or BASE_ACTUALS)
    with pytest.raises(PlanError) as caught:
        load_plan(folder)
    text = str(caught.value)
    assert any(p.file == file for p in caught.value.problems), text
    assert place in text, text
    assert message in text, text
    assert re.search(rf"{re.escape(file)}, line \d+, ", text), text


def test_a_non_mapping_is_reported_once(tmp_path):
    scenarios = edited(BASE_SCENARIOS, lambda s: s["scenarios"][1].update(shocks=["cut it"]))
    with pytest.raises(PlanError) as caught:
        load_plan(write_plan(tmp_path, scenarios=scenarios))
    assert len(caught.value.problems) == 1, str(caught.value)


def test_base_fixture_is_valid(plan_dir):
    plan = load_plan(plan_dir)
    assert [kr.id for kr in plan.key_results] == ["KR1", "KR2"]


def test_several_problems_in_one_file_are_reported_together(tmp_path):
    plan = edited(BASE_PLAN, lambda p: (rename(kr(p), "target", "taget"),
                                        ini(p).update(budget=-1), p.update(weeks=60)))
    with pytest.raises(PlanError) as caught:
        load_plan(write_plan(tmp_path, plan))
    text = str(caught.value)
    assert text.startswith("4 problems in the plan:"), text
    for fragment in ("taget", "missing required field 'target'", "budget", "weeks"):
        assert fragment in text


@pytest.mark.parametrize("missing", ["plan.yaml", "scenarios.yaml"])
def test_missing_file(plan_dir, missing):
    (plan_dir / missing).unlink()
    with pytest.raises(PlanError, match=rf"^{missing}: file not found"):
        load_plan(plan_dir)


def test_missing_folder(tmp_path):
    with pytest.raises(PlanError, match="plan folder not found"):
        load_plan(tmp_path / "nowhere")


def test_actuals_are_optional(plan_dir):
    (plan_dir / "actuals.csv").unlink()
    assert load_plan(plan_dir).actuals == ()


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("name: Tiny\nweeks: [13\nstart: 2027-01-04\n", 3, "YAML syntax error"),
    ("name: Tiny\nname: Other\n", 2, "the key 'name' appears twice"),
    ("name: Tiny\n  weeks: 13\n", 2, "YAML syntax error"),
], ids=["unclosed-bracket", "repeated-key", "bad-indent"])
def test_yaml_syntax_error_gives_the_line(tmp_path, text, line, fragment):
    with pytest.raises(PlanError) as caught:
        load_plan(write_plan(tmp_path, text))
    message = str(caught.value)
    assert message.startswith(f"plan.yaml, line {line}"), message
    assert fragment in message


def test_yaml_is_loaded_safely(tmp_path):
    text = "name: !!python/name:os.system ''\n"
    with pytest.raises(PlanError, match="could not determine a constructor"):
        load_plan(write_plan(tmp_path, text))
    text = "name: !!python/object/apply:os.system\n  - echo hacked\n"
    with pytest.raises(PlanError, match="YAML tag tag:yaml.org,2002:python/object/apply:os.system"
                                        " is not allowed"):
        load_plan(write_plan(tmp_path, text))


def test_cli_prints_one_message_and_exits_2(tmp_path, capsys):
    folder = write_plan(tmp_path, edited(BASE_PLAN, lambda p: kr(p).update(target="lots")))
    before = (folder / "plan.yaml").read_bytes()
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: plan.yaml, line ")
    assert "Traceback" not in err and err.count("\n") == 1
    assert (folder / "plan.yaml").read_bytes() == before


def test_stray_selector_name_warns_when_others_match(tmp_path):
    scenarios = edited(BASE_SCENARIOS, lambda s: shock(s).update(channels=["paid_social", "tv"]))
    with pytest.warns(UserWarning, match="'tv' matches no initiative"):
        plan = load_plan(write_plan(tmp_path, scenarios=scenarios))
    assert plan.scenario("cut").shocks[0].targets == ("I1",)


def test_plan_written_from_the_format_page_validates():
    with pytest.warns(PlanWarning, match="'paid_search' matches no initiative"):
        plan = load_plan(Path(__file__).parent / "data" / "plan_format_example")
    assert plan.kr("KR1.2").derived_from[0].lag_weeks == 3
    assert plan.initiative("I1").effects[0].saturation == "medium"
