"""Reading raw YAML into typed values, recording a `Problem` for each thing that is wrong.

A `Section` wraps one YAML mapping with its file and path. Its getters return the typed
value, or ``None`` after recording a problem, so one pass reports every problem it can.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from .errors import PlanError, Problem
from .model import Estimate
from .yamlio import YamlList, YamlMap

MISSING: Any = object()


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a near miss, else an empty string."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(options: Iterable[str]) -> str:
    return ", ".join(f"'{o}'" for o in options)


def describe(value: Any) -> str:
    """Show a user's value and its YAML kind, for 'got ...' in messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    if isinstance(value, str):
        return f"'{value}' (text)"
    return repr(value)


class Problems:
    """Collects problems; `raise_if_any` turns them into one `PlanError`."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(self, file: str, place: str, message: str, line: int | None = None) -> None:
        self.items.append(Problem(file, place, message, line))

    def raise_if_any(self) -> None:
        if self.items:
            raise PlanError(self.items)


class Section:
    """One YAML mapping being read, with the file and path used in messages."""

    def __init__(self, data: Any, file: str, path: str, problems: Problems,
                 line: int | None = None, label: str | None = None):
        self.data = data if isinstance(data, dict) else {}
        self.file, self.path, self.problems, self.label = file, path, problems, label
        self.line = getattr(data, "line", None) or line
        self.ok = isinstance(data, dict)
        if not self.ok:
            self.error("", f"expected a mapping of fields, got {describe(data)}")

    # -- where -------------------------------------------------------------------
    @property
    def where(self) -> str:
        return f"{self.path} ({self.label})" if self.label else self.path

    def place(self, key: str) -> str:
        return f"{self.where}: {key}" if self.where and key else (self.where or key)

    def line_of(self, key: str | None) -> int | None:
        if key and isinstance(self.data, YamlMap):
            return self.data.key_lines.get(key, self.line)
        return self.line

    def error(self, key: str, message: str) -> None:
        self.problems.add(self.file, self.place(key), message, self.line_of(key))

    def warn(self, key: str, message: str) -> None:
        self.problems.warnings.append(Problem(self.file, self.place(key), message,
                                              self.line_of(key)))

    # -- shape -------------------------------------------------------------------
    def check_fields(self, required: Sequence[str], optional: Sequence[str] = ()) -> bool:
        """Report unknown fields (with a suggestion) and missing required ones."""
        if not self.ok:  # already reported: not a mapping
            return False
        known = [*required, *optional]
        good = True
        for key in self.data:
            if key not in known:
                self.error(key, f"unknown field '{key}'{did_you_mean(key, known)}; "
                                f"allowed fields are {one_of(known)}")
                good = False
        for key in required:
            if self._value(key) is MISSING:
                where = self.where or "the top level"
                self.problems.add(self.file, self.place(key),
                                  f"missing required field '{key}' in {where}", self.line)
                good = False
        return good

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    # -- scalars -----------------------------------------------------------------
    def _value(self, key: str) -> Any:
        """The raw value, or MISSING when the key is absent or empty (``null``)."""
        value = self.data.get(key)
        return MISSING if value is None else value

    def text(self, key: str, default: Any = MISSING) -> str | None:
        value = self._value(key)
        if value is MISSING:
            return None if default is MISSING else default
        if isinstance(value, bool) or not isinstance(value, str | int | float | date):
            self.error(key, f"expected text, got {describe(value)}")
            return None
        text = str(value).strip()
        if not text:
            self.error(key, "must not be empty")
            return None
        return text

    def number(self, key: str, default: Any = MISSING, *, minimum: float | None = None,
               maximum: float | None = None, below: float | None = None,
               above: float | None = None) -> float | None:
        value = self._value(key)
        if value is MISSING:
            return None if default is MISSING else default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(key, f"expected a number, got {describe(value)}")
            return None
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            self.error(key, f"expected a finite number, got {value}")
            return None
        if not _in_range(value, minimum, maximum, below, above):
            self.error(key, f"{_fmt(value)} is out of range; expected "
                            f"{_range_text(minimum, maximum, below, above)}")
            return None
        return value

    def integer(self, key: str, default: Any = MISSING, *, minimum: int | None = None,
                maximum: int | None = None, what: str = "") -> int | None:
        value = self._value(key)
        if value is MISSING:
            return None if default is MISSING else default
        return self.check_int(key, value, minimum, maximum, what)

    def check_int(self, key: str, value: Any, minimum: int | None, maximum: int | None,
                  what: str = "") -> int | None:
        if isinstance(value, bool) or not (
            isinstance(value, int) or isinstance(value, float) and value.is_integer()
        ):
            self.error(key, f"expected a whole number, got {describe(value)}")
            return None
        value = int(value)
        if not _in_range(value, minimum, maximum, None, None):
            self.error(key, f"{value} is out of range; expected "
                            f"{_range_text(minimum, maximum, None, None)}{what}")
            return None
        return value

    def boolean(self, key: str, default: bool) -> bool | None:
        value = self._value(key)
        if value is MISSING:
            return default
        if not isinstance(value, bool):
            self.error(key, f"expected true or false, got {describe(value)}")
            return None
        return value

    def choice(self, key: str, options: Sequence[str], default: Any = MISSING) -> str | None:
        value = self._value(key)
        if value is MISSING:
            return None if default is MISSING else default
        if value not in options:
            self.error(key, f"'{value}' is not allowed{did_you_mean(value, options)}; "
                            f"expected one of {one_of(options)}")
            return None
        return value

    def estimate(self, key: str, default: Any = MISSING, *, minimum: float | None = None
                 ) -> Estimate | None:
        """A plain number (known) or ``{low, expected, high}`` with low <= expected <= high."""
        value = self._value(key)
        if value is MISSING:
            return None if default is MISSING else default
        if isinstance(value, dict):
            sub = self.child(key)
            if not sub.check_fields(("low", "expected", "high")):
                return None
            low, mid, high = (sub.number(k, minimum=minimum) for k in ("low", "expected", "high"))
            if None in (low, mid, high):
                return None
            if not low <= mid <= high:
                self.error(key, f"needs low <= expected <= high, got low {_fmt(low)}, "
                                f"expected {_fmt(mid)}, high {_fmt(high)}")
                return None
            return Estimate(low, mid, high)
        number = self.number(key, minimum=minimum)
        return None if number is None else Estimate.known(number)

    def str_list(self, key: str) -> tuple[str, ...] | None:
        value = self._value(key)
        if value is MISSING:
            return ()
        if not isinstance(value, list | tuple) or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value
        ):
            self.error(key, f"expected a list of ids or names such as [A, B], got {describe(value)}")
            return None
        return tuple(str(v) for v in value)

    def week_range(self, key: str, weeks: int | None, default: Any = MISSING
                   ) -> tuple[int, int] | None:
        """An inclusive ``[first, last]`` pair of weeks inside the quarter."""
        value = self._value(key)
        if value is MISSING:
            return None if default is MISSING else default
        if not isinstance(value, list) or len(value) != 2:
            self.error(key, f"expected two weeks [first, last], got {describe(value)}")
            return None
        first, last = (self.check_int(key, v, 1, weeks, " (a week of the quarter)") for v in value)
        if first is None or last is None:
            return None
        if first > last:
            self.error(key, f"first week {first} is after last week {last}")
            return None
        return first, last

    # -- nesting -----------------------------------------------------------------
    def child(self, key: str, label: str | None = None) -> Section:
        path = f"{self.path}.{key}" if self.path else key
        return Section(self.data.get(key), self.file, path, self.problems,
                       self.line_of(key), label or self.label)

    def sections(self, key: str, required: bool = False) -> list[Section]:
        """Each mapping of the list under ``key``, labelled with its ``id``, else the owner's."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(key, "expected a list with at least one entry")
            return []
        if not isinstance(value, list):
            self.error(key, f"expected a list, got {describe(value)}")
            return []
        lines = value.item_lines if isinstance(value, YamlList) else [None] * len(value)
        base = f"{self.path}.{key}" if self.path else key
        out = []
        for i, (item, line) in enumerate(zip(value, lines, strict=True)):
            label = item.get("id") if isinstance(item, dict) else None
            label = str(label) if isinstance(label, str | int) else self.label
            out.append(Section(item, self.file, f"{base}[{i}]", self.problems, line, label))
        if required and not out:
            self.error(key, "expected a list with at least one entry")
        return out


def _in_range(v: float, minimum, maximum, below, above) -> bool:
    return not ((minimum is not None and v < minimum) or (maximum is not None and v > maximum)
                or (below is not None and v >= below) or (above is not None and v <= above))


def _range_text(minimum, maximum, below, above) -> str:
    low = f">= {_fmt(minimum)}" if minimum is not None else f"> {_fmt(above)}" if above is not None else ""
    high = f"<= {_fmt(maximum)}" if maximum is not None else f"< {_fmt(below)}" if below is not None else ""
    return " and ".join(p for p in (low, high) if p) or "a number"


def _fmt(v: float) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)
