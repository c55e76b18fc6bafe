"""Reading scenario files: YAML, ``extends`` chains, validation into a :class:`Scenario`.

This is the description layer's half of loading: it knows files and the
schema, not the network. :func:`sim.world.load_scenario` adds the network and
the checks that need it. Every problem becomes a
:class:`~sim.scenario.errors.ScenarioError` that names the file, the line, the
key path and what was expected.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ScenarioError, SourceMap, friendly_message, key_path
from .inheritance import alternatives_note, merge
from .schema import Scenario
from .yamlfile import YamlDoc


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


MAX_EXTENDS = 32
"""The longest ``extends`` chain; a real one has two or three files."""

# Keys holding a file path relative to the file that writes them.
PATH_KEYS: tuple[tuple[str, ...], ...] = (
    ("network", "file"),
    ("network", "front_line"),
    ("network", "borders"),
    ("violations", "replay", "file"),
)


def _rebase_paths(data: dict[str, Any], from_dir: Path, to_dir: Path) -> None:
    """Rewrite the relative paths a parent file wrote so they hold from the child's folder."""
    for keys in PATH_KEYS:
        node = data
        for k in keys[:-1]:
            node = node.get(k) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        value = node.get(keys[-1])
        if isinstance(value, str) and value and not Path(value).is_absolute():
            target = os.path.normpath(from_dir / value)
            node[keys[-1]] = os.path.relpath(target, to_dir or Path("."))


def read_chain(
    path: Path, seen: tuple[Path, ...] = (), files: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[tuple[Any, ...], tuple[str, int]]]:
    """The merged data of a file and the files it ``extends``, with each key's file and line.

    ``files``, when given, receives every file of the chain (its path) with the
    SHA-256 digest of its content, so that results can say what they were made from.
    """
    path = path.resolve() if path.is_absolute() else path
    key = path.resolve()
    if key in seen:
        chain = " -> ".join(str(p) for p in seen + (key,))
        raise ScenarioError(str(path), "extends", f"circular extends: {chain}")
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError(
            str(path),
            "extends",
            f"the extends chain is longer than {MAX_EXTENDS} files (from {seen[0]}); expected "
            "a scenario that extends a few others at most",
        )
    doc = YamlDoc(path)
    if files is not None:
        files[str(key)] = doc.sha256
    data = dict(doc.data)
    origin: dict[tuple[Any, ...], tuple[str, int]] = {}
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str):
            raise ScenarioError(
                str(path),
                "extends",
                f"expected a file name such as baseline.yaml, got {parent!r}",
                doc.lines.get(("extends",)),
            )
        ppath = Path(os.path.normpath(path.parent / parent))
        if not ppath.exists():
            raise ScenarioError(
                str(path),
                "extends",
                f"the scenario it extends, {ppath}, does not exist",
                doc.lines.get(("extends",)),
            )
        if not ppath.is_file():
            raise ScenarioError(
                str(path),
                "extends",
                f"the scenario it extends, {ppath}, is not a regular file (a directory or "
                "a named pipe); expected a scenario file",
                doc.lines.get(("extends",)),
            )
        pdata, porigin = read_chain(ppath, seen + (key,), files)
        _rebase_paths(pdata, ppath.parent, path.parent)
        # Where this file replaces a list or a scalar, lines of the parent below it
        # no longer describe what is loaded.
        replaced = [p for p in doc.lines if p and not isinstance(_get(data, p), dict)]
        for p in replaced:
            for q in [q for q in porigin if len(q) > len(p) and q[: len(p)] == p]:
                del porigin[q]
        data = merge(pdata, data)
        origin.update(porigin)
    origin.update({p: (str(doc.path), line) for p, line in doc.lines.items()})
    return data, origin


def written_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """``loc`` cut at the value the user wrote: a bare duration ``delay: 90 minuts``
    is validated as ``delay.value`` (a fixed distribution), but the user wrote ``delay``.

    Examples
    --------
    >>> written_loc({"a": {"delay": "90 minuts"}}, ("a", "delay", "fixed", "value"))
    ('a', 'delay')
    >>> written_loc({"a": {}}, ("a", "b"))
    ('a', 'b')
    """
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict):
            if part not in node:
                # a discriminated-union tag or a missing key: keep the rest as it is
                continue
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return loc[:i]
    return loc


def parse_scenario(data: dict[str, Any], sources: SourceMap) -> Scenario:
    """Validate plain data against the schema; errors point into ``sources``."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        # An unknown key usually explains a "missing" one next to it: report it first.
        errs = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")
        first = errs[0]
        message = friendly_message(first, Scenario)
        if message.startswith("give exactly one of"):
            message += alternatives_note(data, tuple(first["loc"]), sources)
        err = sources.error(written_loc(data, tuple(first["loc"])), message)
        if len(errs) > 1:
            more = [
                f"  {key_path(written_loc(data, tuple(e['loc'])))}: {friendly_message(e, Scenario)}"
                for e in errs[1:6]
            ]
            err.message += "\nalso:\n" + "\n".join(more)
        raise err from None


def read_scenario(
    path: str | Path, overrides: dict[str, Any] | None = None
) -> tuple[Scenario, SourceMap]:
    """Read, merge (``extends``) and validate a scenario file, without its network.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    overrides : dict, optional
        Extra values deep-merged over the file, as if written in it.

    Returns
    -------
    (Scenario, SourceMap)
        The scenario and where each of its keys was written.
    """
    path = Path(path)
    data, origin = read_chain(path)
    if overrides:
        data = merge(data, overrides)
    sources = SourceMap(str(path), origin)
    return parse_scenario(data, sources), sources
