"""How a child scenario's keys combine with the file it ``extends``.

Mappings merge key by key; lists and scalars replace. Two rules make a
variant easy to reason about:

* a choice between alternatives (``officers`` or ``shifts`` of a desk;
  ``builtin``, ``file`` or ``synthetic`` of the network) made in the child
  replaces the parent's choice, so the child need not undo it;
* ``null`` for a key of a mapping whose keys are names the user chooses (a
  violation type, a coverage node, a channel's ``by_type`` entry) removes the
  inherited key, and ``null`` for one of a set of alternatives clears it.
  ``null`` for any other key stays a value (``patrol_hours: null`` means
  round the clock, not "the default").
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from .errors import SourceMap
from .schema import Scenario

# Keys that exclude each other (with the keys that go with them): a mapping in a
# child file that gives one of them replaces the parent's choice.
ALTERNATIVES: tuple[dict[str, tuple[str, ...]], ...] = (
    {"officers": (), "shifts": ()},
    {"builtin": (), "file": ("format",), "synthetic": ()},
)


def removable(path: tuple[Any, ...], key: str) -> bool:
    """Whether ``key: null`` under ``path`` removes the key rather than setting it to null.

    Examples
    --------
    >>> removable(("violations", "types"), "drone")
    True
    >>> removable(("center", "desks", "RU"), "shifts")
    True
    >>> removable(("teams",), "patrol_hours")
    False
    """
    if any(key in group for group in ALTERNATIVES):
        return True
    return _is_named_mapping(path)


def _is_named_mapping(path: tuple[Any, ...]) -> bool:
    """Whether the schema holds a mapping of user-chosen names (``dict[str, ...]``) at ``path``."""
    model: Any = Scenario
    ann: Any = None
    parts = list(path)
    while parts:
        part = parts.pop(0)
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return False
        ann = _unwrap(field.annotation)
        while typing.get_origin(ann) in (list, dict) and parts:
            parts.pop(0)  # the list index or the mapping's own key
            ann = _unwrap(typing.get_args(ann)[-1])
        if parts:
            if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
                return False
            model = ann
    return typing.get_origin(ann) is dict


def _unwrap(ann: Any) -> Any:
    """``X | None`` as ``X``."""
    args = [a for a in typing.get_args(ann) if a is not type(None)]
    if typing.get_origin(ann) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return ann


def merge(base: dict[str, Any], over: dict[str, Any], path: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Deep-merge mappings; lists and scalars in ``over`` replace those in ``base``.

    Where ``over`` gives one of a set of alternative keys (``officers`` or
    ``shifts``; ``builtin``, ``file`` or ``synthetic``), the alternatives
    ``base`` gave are dropped: the child's choice replaces the parent's.
    ``null`` removes a key where :func:`removable` says so.

    Parameters
    ----------
    base, over : dict
        The parent's data and the child's; neither is changed.
    path : tuple, optional
        Where ``base`` and ``over`` sit in the scenario (for the ``null`` rule).

    Examples
    --------
    >>> merge({"a": {"x": 1, "y": 2}, "l": [1]}, {"a": {"y": 3}, "l": [2]})
    {'a': {'x': 1, 'y': 3}, 'l': [2]}
    >>> merge({"RU": {"officers": 2}}, {"RU": {"shifts": []}})
    {'RU': {'shifts': []}}
    >>> merge({"drone": {"share": 1}, "gun": {}}, {"drone": None}, ("violations", "types"))
    {'gun': {}}
    """
    out = dict(base)
    for group in ALTERNATIVES:
        given = [k for k in group if k in over and over[k] is not None]
        if given:
            for k, companions in group.items():
                if k not in given:
                    out.pop(k, None)
                    for c in companions:
                        if c not in over:
                            out.pop(c, None)
    for k, v in over.items():
        if v is None and removable(path, k):
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v, path + (k,))
        else:
            out[k] = v
    return out


def choose_alternative(mapping: dict[str, Any], key: str) -> None:
    """Drop from ``mapping`` the alternatives to ``key`` (and their companions), as a
    child's choice would: for a sweep that sets ``network.file`` on a resolved
    scenario naming a built-in network.

    Examples
    --------
    >>> m = {"builtin": "donbas_south", "file": "x.json", "format": None}
    >>> choose_alternative(m, "file"); m
    {'file': 'x.json', 'format': None}
    """
    for group in ALTERNATIVES:
        if key in group:
            for other, companions in group.items():
                if other != key:
                    mapping.pop(other, None)
                    for c in companions:
                        if c != key:
                            mapping.pop(c, None)


def _mapping_at(data: Any, path: tuple[Any, ...]) -> dict[str, Any] | None:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data if isinstance(data, dict) else None


def alternatives_note(data: dict[str, Any], loc: tuple[Any, ...], sources: SourceMap) -> str:
    """Where each of two clashing alternatives was set, and how to clear one ('' if none clash).

    Parameters
    ----------
    data : dict
        The merged scenario data that failed validation.
    loc : tuple
        The key path of the mapping the error is about.
    sources : SourceMap
        Where each key was written.
    """
    node = _mapping_at(data, loc)
    if node is None:
        return ""
    for group in ALTERNATIVES:
        given = [k for k in group if node.get(k) is not None]
        if len(given) < 2:
            continue
        where, files = [], []
        for k in given:
            file, line = sources.lines.get(loc + (k,), (sources.file, None))
            files.append(file)
            where.append(f"{k} is set in {file}" + (f" line {line}" if line else ""))
        inherited = [k for k, f in zip(given, files) if f != sources.file]
        if inherited and len(inherited) < len(given):
            fix = (
                f"to drop the inherited one, write `{inherited[0]}: null` beside the other "
                f"in {sources.file}"
            )
        else:
            fix = "delete all but one of them"
        return f" ({'; '.join(where)}; {fix})"
    return ""
