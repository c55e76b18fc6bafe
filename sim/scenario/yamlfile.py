"""Reading one YAML file: the data, the line of every key, and clear errors.

YAML that would silently lose information (a key written twice) is refused;
so is YAML that would exhaust the machine: files that are not regular files
(a directory or a named pipe given by mistake), files over
:data:`MAX_BYTES`, nesting deeper than :data:`MAX_DEPTH` and aliases that
expand to more than :data:`MAX_NODES` values (the "billion laughs"). Every
problem becomes a :class:`~sim.scenario.errors.ScenarioError` with the file
and line.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from ..records.storage import InputFileError, read_input
from .errors import ScenarioError, key_path

MAX_BYTES = 4 * 2**20
"""The largest YAML file read (bytes); shipped scenarios are a few kilobytes."""
MAX_DEPTH = 40
"""The deepest nesting of mappings and lists, aliases expanded; a scenario needs 8."""
MAX_NODES = 200_000
"""The most values a file may hold with every alias expanded."""
WHAT = "a scenario, sweep or optimize file (YAML)"
"""What a YAML file given to ``cfsim`` is expected to be, for messages."""


class _Limit(Exception):
    """A bound of this module was exceeded (turned into a ScenarioError)."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing nesting deeper than :data:`MAX_DEPTH` while composing
    (PyYAML composes recursively: 5,000 levels would exhaust Python's stack)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Limit(_too_deep(), mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _loader(text: str):
    """libyaml's safe loader when PyYAML was built with it (ten times faster; its own
    nesting limit of 1,000 keeps its C composer safe, and :func:`expanded_size`
    then applies :data:`MAX_DEPTH`), else the bounded pure-Python one."""
    c_loader = getattr(yaml, "CSafeLoader", None)
    return c_loader(text) if c_loader is not None else _BoundedLoader(text)


def _too_deep() -> str:
    return (
        f"mappings and lists are nested more than {MAX_DEPTH} levels deep; a scenario needs "
        "fewer than 10 (check for an unclosed '[' or '{')"
    )


def expanded_size(root: yaml.Node) -> int:
    """The number of values in a composed document with every alias expanded.

    Aliases share nodes, so sizes are memoised per node and the count takes
    time linear in the file even when the expansion is astronomically large;
    an alias inside the value it refers to (a cycle) is refused.

    Raises
    ------
    _Limit
        Over :data:`MAX_NODES` values, deeper than :data:`MAX_DEPTH` once
        expanded, or a cycle.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in size:
            continue
        kids = _children(node)
        if not children_done:
            active.add(key)
            stack.append((node, True))
            for kid in kids:
                if id(kid) in active:
                    raise _Limit(
                        "an alias (*name) refers to a value it is itself part of; expected "
                        "aliases to refer to values written before and outside them",
                        kid.start_mark.line + 1,
                    )
                if id(kid) not in size:
                    stack.append((kid, False))
            continue
        active.discard(key)
        size[key] = 1 + sum(size[id(k)] for k in kids)
        depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
        if size[key] > MAX_NODES:
            raise _Limit(
                f"with its aliases (*name) expanded this file holds more than {MAX_NODES:,} "
                "values; expected a scenario of at most that size (aliases that repeat "
                "aliases grow exponentially)",
                node.start_mark.line + 1,
            )
        if depth[key] > MAX_DEPTH:
            raise _Limit(_too_deep(), node.start_mark.line + 1)
    return size[id(root)]


_CYCLE = (
    "an alias (*name) refers to a value it is itself part of; expected aliases to refer "
    "to values written before and outside them"
)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


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
    """Refuse a mapping that repeats a key (YAML would silently keep the last one),
    and keys that are not plain names or numbers."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise ScenarioError(
                    file,
                    key_path(path),
                    "a key is a list or a mapping; expected keys that are names, e.g. 'horizon:'",
                    k.start_mark.line + 1,
                )
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


def parse_yaml(text: str, file: str) -> tuple[Any, yaml.Node | None]:
    """The data of one YAML document and its composed node tree, within the bounds
    of this module; every problem is a :class:`ScenarioError` naming ``file``."""
    loader = None
    try:
        loader = _loader(text)
        node = loader.get_single_node()
        if node is not None:
            expanded_size(node)
            _no_duplicate_keys(node, file)
        data = loader.construct_document(node) if node is not None else None
    except _Limit as exc:
        raise ScenarioError(file, "", exc.message, exc.line) from None
    except yaml.reader.ReaderError as exc:
        raise ScenarioError(
            file,
            "",
            f"not valid YAML: it contains the control character #x{exc.character:04x} at "
            f"position {exc.position}; expected plain text",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        if "exceeded maximum nesting depth" in problem:  # libyaml's own limit
            raise ScenarioError(file, "", _too_deep(), line) from None
        raise ScenarioError(
            file,
            "",
            f"not valid YAML: {problem} (check the indentation and the ':' and '-' on this "
            "line and the one before)" + bracket_hint(text, line),
            line,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


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
    """A parsed YAML file with the line of every key path.

    Attributes
    ----------
    path : Path
    data : dict
        The top-level mapping.
    lines : dict
        Key path (tuple) to its 1-based line.
    sha256 : str
        The digest of the file's bytes, as read (fingerprints cover content).
    """

    def __init__(self, path: Path, what: str = WHAT):
        self.path = path
        if not Path(path).exists():
            raise ScenarioError(str(path), "", "file not found")
        if Path(path).is_dir():
            raise ScenarioError(str(path), "", DIRECTORY_GIVEN)
        try:
            raw = read_input(path, MAX_BYTES, what)
        except InputFileError as exc:
            raise ScenarioError(str(path), "", f"the file {exc.reason}") from None
        self.sha256 = hashlib.sha256(raw).hexdigest()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                str(path), "", f"cannot read the file: it is not UTF-8 text ({exc.reason})"
            ) from None
        self.data, node = parse_yaml(text, str(path))
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
