"""actuals.csv: weekly check-ins (week, kr, value, confidence, note)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from .model import Actual, KeyResult
from .schema import Problems, did_you_mean, one_of

FILE = "actuals.csv"
REQUIRED = ("week", "kr", "value")
COLUMNS = (*REQUIRED, "confidence", "note")
CONFIDENCE = ("low", "medium", "high")


def read_actuals_file(path: Path, weeks: int, key_results: tuple[KeyResult, ...],
                      problems: Problems) -> tuple[Actual, ...]:
    """Read the check-ins; report every bad row (line numbers count the header as line 1)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(FILE, "", f"is not UTF-8 text ({exc.reason})")
        return ()
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    bad_header = False
    for column in header:
        if column not in COLUMNS:
            bad_header = True
            problems.add(FILE, f"column '{column}'", f"unknown column{did_you_mean(column, COLUMNS)}"
                                                     f"; expected {one_of(COLUMNS)}", 1)
    for column in REQUIRED:
        if column not in header:
            bad_header = True
            problems.add(FILE, "header", f"missing column '{column}'; the first line must name "
                                         f"the columns, e.g. week,kr,value,confidence,note", 1)
    if bad_header:
        return ()
    by_id = {kr.id: kr for kr in key_results}
    rows, seen = [], {}
    for row in reader:
        line = reader.line_num
        actual = _row(row, line, weeks, by_id, problems)
        if actual is None:
            continue
        key = (actual.week, actual.kr)
        if key in seen:
            problems.add(FILE, "kr", f"week {actual.week}, {actual.kr} is already given on line "
                                     f"{seen[key]}; give one row per week and key result", line)
        seen.setdefault(key, line)
        rows.append(actual)
    return tuple(rows)


def _row(row: dict, line: int, weeks: int, by_id: dict[str, KeyResult],
         problems: Problems) -> Actual | None:
    if None in row:  # more cells than columns
        problems.add(FILE, "row", f"has {len(row) - 1 + len(row[None])} cells but the header "
                                  f"names {len(row) - 1} columns", line)
        return None
    cell = {k: (v or "").strip() for k, v in row.items()}
    before = len(problems.items)
    week = None
    try:
        week = int(cell["week"])
        if not 1 <= week <= weeks:
            problems.add(FILE, "week", f"{week} is not a week of the quarter; expected 1 to "
                                       f"{weeks}", line)
    except ValueError:
        problems.add(FILE, "week", f"expected a week number 1 to {weeks}, got '{cell['week']}'",
                     line)
    kr = by_id.get(cell["kr"])
    if kr is None:
        problems.add(FILE, "kr", f"unknown key result '{cell['kr']}'"
                                 f"{did_you_mean(cell['kr'], by_id)}; known: {', '.join(by_id)}",
                     line)
    value = None
    if cell["value"]:
        try:
            value = float(cell["value"].replace(",", "")) if cell["value"] else None
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            problems.add(FILE, "value", f"expected a number (or nothing when not measured), got "
                                        f"'{cell['value']}'", line)
            value = None
    if value is not None and value < 0 and kr is not None and kr.measure == "sum":
        problems.add(FILE, "value", f"{value:g} is negative, but {kr.id} is measured by sum "
                                    "(a weekly count or amount cannot be negative)", line)
    confidence = cell.get("confidence") or None
    if confidence is not None and confidence not in CONFIDENCE:
        problems.add(FILE, "confidence", f"'{confidence}' is not allowed"
                                         f"{did_you_mean(confidence, CONFIDENCE)}; expected one "
                                         f"of {one_of(CONFIDENCE)} or nothing", line)
    if len(problems.items) > before:
        return None
    return Actual(week=week, kr=kr.id, value=value, confidence=confidence,
                  note=cell.get("note", ""))
