"""Scenario errors: one exception, with file, line, key path and a sentence for the user.

Pydantic's validation errors and YAML errors are turned into
:class:`ScenarioError` here, with the key path the user wrote
(:func:`key_path`) and what was expected (:func:`friendly_message`).
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel

UNION_BRANCHES = ("float", "int", "str", "bool")
DIST_TAGS = ("fixed", "exponential", "uniform", "triangular", "lognormal", "gamma", "empirical")
# the tags of size distributions (sim.scenario.counts) that are not duration tags
COUNT_TAGS = ("geometric", "negative_binomial", "poisson")


class ScenarioError(Exception):
    """A scenario file is not valid; the message is meant for the user.

    Parameters
    ----------
    file : str or None
        The file the problem is in.
    path : str
        Dotted key path, e.g. ``teams.bases[1].node`` (empty for the whole file).
    message : str
        What was wrong and what was expected.
    line : int or None
        1-based line in ``file`` where the key is, when known.
    """

    def __init__(self, file: str | None, path: str, message: str, line: int | None = None):
        self.file = file
        self.path = path
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


def key_path(loc: tuple[Any, ...]) -> str:
    """A pydantic or YAML location as the key path a user wrote.

    Examples
    --------
    >>> key_path(("teams", "bases", 1, "node"))
    'teams.bases[1].node'
    >>> key_path(("center", "triage", "time", "lognormal", "mean"))
    'center.triage.time.mean'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = str(part)
            if part in DIST_TAGS or part in COUNT_TAGS:
                continue  # discriminated-union tag, not a key the user wrote
            if part.startswith("function-") or part.startswith("constrained-"):
                continue
            if part in UNION_BRANCHES:
                continue  # which type of a union pydantic tried, not a key
            out += ("." if out else "") + part
    return out


def friendly_message(err: dict[str, Any], root: type[BaseModel]) -> str:
    """A pydantic error as a sentence a non-programmer can act on."""
    typ = err.get("type", "")
    msg = err.get("msg", "invalid value")
    inp = err.get("input")
    if typ == "extra_forbidden":
        loc = tuple(err.get("loc", ()))
        keys = allowed_keys(loc[:-1], root) if loc else None
        if keys:
            close = difflib.get_close_matches(str(loc[-1]), keys, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"unknown key{hint}; the keys allowed here are: {', '.join(keys)}"
        return "unknown key (check the spelling; see docs/scenarios.md for the keys allowed here)"
    if typ == "missing":
        return "required key is missing"
    if typ == "union_tag_invalid" or typ == "union_tag_not_found":
        return (
            "expected a distribution: a duration such as '10min' or a mapping with "
            f"dist: one of {', '.join(DIST_TAGS)}; got {inp!r}"
        )
    if typ == "finite_number":
        return f"expected a finite number (not .inf or .nan); got {inp!r}"
    if typ in _EXPECTED:
        ctx = {k: _plain_number(v) for k, v in (err.get("ctx") or {}).items()}
        return _EXPECTED[typ].format(**ctx) + f"; got {_short(inp)}"
    if typ == "literal_error":
        return f"{msg}; got {inp!r}"
    if typ in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping (key: value pairs), got {_kind(inp)}"
    if typ == "list_type":
        return f"expected a list (items starting with '- '), got {_kind(inp)}"
    msg = msg.removeprefix("Value error, ")
    if inp is not None and not isinstance(inp, (dict, list)) and "got " not in msg:
        return f"{msg}; got {_short(inp)}"
    return msg


# Pydantic's checks of plain values, as what was expected.
_EXPECTED = {
    "greater_than": "expected a value above {gt}",
    "greater_than_equal": "expected a value of at least {ge}",
    "less_than": "expected a value below {lt}",
    "less_than_equal": "expected a value of at most {le}",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "int_parsing": "expected a whole number",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "too_short": "expected at least {min_length} item(s)",
    "too_long": "expected at most {max_length} item(s)",
}


def _plain_number(v: Any) -> Any:
    """``100000`` for 100000.0, ``0.5`` for 0.5; anything else as it is."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


def _short(value: Any, width: int = 60) -> str:
    """``repr(value)``, cut to ``width`` characters.

    Examples
    --------
    >>> _short("x" * 100, 10)
    "'xxxxx...'"
    """
    text = repr(value)
    return text if len(text) <= width else text[: width - 4] + "...'" * text.startswith("'")


def allowed_keys(loc: tuple[Any, ...], root: type[BaseModel]) -> list[str] | None:
    """The keys a mapping at ``loc`` may hold, following the schema (None if unknown)."""
    model: Any = root
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        ann = field.annotation
        while True:
            origin = typing.get_origin(ann)
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if origin in (typing.Union, types.UnionType) and len(args) == 1:
                ann = args[0]
            elif origin in (list, dict) and args:
                if parts:
                    parts.pop(0)  # the list index or the mapping's own key
                ann = args[-1]
            else:
                break
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return None
        model = ann
    return [f.alias or name for name, f in model.model_fields.items()]


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


class SourceMap:
    """Where each key path of a (merged) scenario was written: file and line.

    Parameters
    ----------
    file : str
        The file reported when a key path is not in the map.
    lines : dict, optional
        Key path (tuple) to ``(file, line)``.
    """

    def __init__(self, file: str, lines: dict[tuple[Any, ...], tuple[str, int]] | None = None):
        self.file = file
        self.lines = dict(lines or {})

    def error(self, path: tuple[Any, ...], message: str) -> ScenarioError:
        """A :class:`ScenarioError` at ``path``, pointing at the closest key the files wrote."""
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        f, line = self.lines.get(probe, (self.file, None))
        return ScenarioError(f, key_path(path), message, line)
