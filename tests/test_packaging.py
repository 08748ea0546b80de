"""Dependencies are declared once in pyproject.toml and mirrored in environment.yml."""

from __future__ import annotations

import re
import tomllib

import yaml

from .conftest import ROOT


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [d for deps in project["optional-dependencies"].values()
                                       for d in deps]
    return dict(_split(s) for s in specs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    return dict(_split(s) for s in specs if not s.startswith(("python", "pip")))


def _split(spec: str) -> tuple[str, str]:
    name, bound = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    assert _environment() == _pyproject()


def test_environment_installs_the_package_itself_with_pip():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip == ["-e ."]
    assert "conda-forge" in env["channels"]


def test_every_dependency_has_a_lower_bound():
    assert all(bound.startswith(">=") for bound in _pyproject().values())
