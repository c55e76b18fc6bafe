"""Reading one YAML file: the data, the line of every key, and clear errors.

YAML that would silently lose information (a key written twice) is refused;
every problem becomes a :class:`~sim.scenario.errors.ScenarioError` with the
file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError, key_path


def _compose_lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[path + (key,)] = k.start_mark.line + 1
            _compose_lines(v, path + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _compose_lines(v, path + (i,), out)


def _no_duplicate_keys(node: yaml.Node | None, file: str, path: tuple[Any, ...] = ()) -> None:
    """Refuse a mapping that repeats a key (YAML would silently keep the last one)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for k, v in node.value:
            key = k.value
            if key in seen:
                raise ScenarioError(
                    file,
                    key_path(path + (key,)),
                    f"the key appears twice (first on line {seen[key]}); YAML would silently "
                    "keep only the last one, so merge the two",
                    k.start_mark.line + 1,
                )
            seen[key] = k.start_mark.line + 1
            _no_duplicate_keys(v, file, path + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _no_duplicate_keys(v, file, path + (i,))


# libyaml's parser when PyYAML was built with it (ten times faster), else PyYAML's own
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


DIRECTORY_GIVEN = (
    "this is a folder, not a file; give a YAML file, e.g. scenarios/baseline.yaml "
    "(a folder of results goes to cfsim plot or cfsim report)"
)


def bracket_hint(text: str, line: int | None) -> str:
    """A hint to quote a key path such as ``teams.bases[1].count`` written unquoted
    where YAML reads ``[1]`` as a list ('' when the line has no such ``[n]``).

    Examples
    --------
    >>> bracket_hint("paths: [teams.bases[1].count]", 1)[:30]
    '; a key path with [1] in it mu'
    >>> bracket_hint("a: [1, 2]", 1)
    ''
    """
    lines = text.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return ""
    m = re.search(r"[\w.]+(\[\d+\])(?:\.\w+|\[\d+\])*", lines[line - 1])
    if m is None:
        return ""
    return (
        f"; a key path with {m.group(1)} in it must be quoted, or YAML reads {m.group(1)} "
        f'as a list: write "{m.group(0)}"'
    )


class YamlDoc:
    """A parsed YAML file with the line of every key path."""

    def __init__(self, path: Path):
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScenarioError(str(path), "", "file not found") from None
        except IsADirectoryError:
            raise ScenarioError(str(path), "", DIRECTORY_GIVEN) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(str(path), "", f"cannot read the file: {exc}") from None
        try:
            node = yaml.compose(text, Loader=LOADER)
            _no_duplicate_keys(node, str(path))
            self.data = yaml.load(text, Loader=LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise ScenarioError(
                str(path),
                "",
                f"not valid YAML: {problem} (check the indentation and the ':' and '-' on this "
                "line and the one before)" + bracket_hint(text, line),
                line,
            ) from None
        if self.data is None:
            raise ScenarioError(
                str(path), "", "the file is empty; expected a mapping of scenario keys"
            )
        if not isinstance(self.data, dict):
            raise ScenarioError(
                str(path), "", "expected a mapping of scenario keys at the top level"
            )
        self.lines: dict[tuple[Any, ...], int] = {}
        if node is not None:
            _compose_lines(node, (), self.lines)
