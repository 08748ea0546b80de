"""Safe YAML loading that remembers line numbers, for error messages that point at a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import PlanError, Problem


class YamlMap(dict):
    """A mapping from YAML that knows its line and the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[str, int]


class YamlList(list):
    """A sequence from YAML that knows its line and the line of each item (1-based)."""

    line: int | None = None
    item_lines: list[int]


def read_yaml(path: Path) -> Any:
    """Load one YAML document safely, keeping line numbers on mappings and sequences.

    Raises
    ------
    PlanError
        When the file is missing, is not UTF-8, has a syntax error, or repeats a key.
    """
    name = path.name
    if not path.is_file():
        raise PlanError([Problem(name, "", f"file not found (looked for {path})")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError([Problem(name, "", f"is not UTF-8 text ({exc.reason})")]) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _convert(node, loader, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(s for s in (exc.context, exc.problem) if s)
        raise PlanError([Problem(name, "", f"YAML syntax error: {what}", line)]) from None
    except yaml.YAMLError as exc:
        raise PlanError([Problem(name, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _convert(node: yaml.Node, loader: yaml.SafeLoader, name: str) -> Any:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise PlanError([Problem(name, "", f"YAML tag {node.tag} is not allowed; write plain "
                                           "values, lists and mappings", line)])
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out = YamlMap()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | float | bool) or key is None:
                raise PlanError([Problem(name, "", "mapping keys must be plain words", key_line)])
            key = str(key)
            if key in out:
                message = f"the key '{key}' appears twice in the same mapping"
                raise PlanError([Problem(name, "", message, key_line)])
            out[key] = _convert(value_node, loader, name)
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        out_list = YamlList(_convert(item, loader, name) for item in node.value)
        out_list.line = line
        out_list.item_lines = [item.start_mark.line + 1 for item in node.value]
        return out_list
    return loader.construct_object(node, deep=True)
