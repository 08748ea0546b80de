"""Exceptions of okr-scenarios: one base class and a few narrow subclasses."""

from __future__ import annotations

from dataclasses import dataclass


class OkrScenariosError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which file, where in it, and what was expected."""

    file: str
    place: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        return f"{where}, {self.place}: {self.message}" if self.place else f"{where}: {self.message}"


class PlanError(OkrScenariosError, ValueError):
    """Raised when a plan folder cannot be loaded: missing files, bad YAML or CSV, invalid values.

    Holds every :class:`Problem` found in the same pass, so a user can fix them together.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        if not problems:
            raise ValueError("PlanError needs at least one problem")
        self.problems = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems in the plan:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class PlanWarning(UserWarning):
    """Issued when a plan loads but something in it is probably not what was meant."""


class ScenarioError(OkrScenariosError, ValueError):
    """Raised when a scenario id asked for is not in the plan."""


class SimulationError(OkrScenariosError, ValueError):
    """Raised when simulation arguments are invalid (draws, seed, sampling method)."""
