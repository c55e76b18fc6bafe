"""Fuzzing the shipped scenarios: a hostile value at a random key of a shipped
scenario is refused cleanly or runs; never a traceback, never a hang.

Each example takes a shipped scenario with every key written out (its
resolved form), shortens it to two days, puts one hostile value at one key
path (or removes the key, or adds an unknown one) and gives it to ``cfsim
validate`` and, if accepted, to ``cfsim run``. A clean refusal is exit code 2
and one message naming the file and a key path; an accepted scenario must
run to exit 0. Anything else (a traceback, another exit code, more than
:data:`SECONDS`) fails.

The default suite tries a few examples; ``pytest -m fuzz`` tries many more.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.world import load_scenario

from .conftest import SCENARIOS
from .test_hostile import deadline

SECONDS = 30
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
RESOLVED = {p.name: load_scenario(p).scenario.resolved() for p in SHIPPED}


def leaf_paths(data, prefix=()) -> list[tuple]:
    """Every key path of nested data (mappings and lists), inner nodes included."""
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += leaf_paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += leaf_paths(v, prefix + (i,))
    return out


PATHS = {name: leaf_paths(data) for name, data in RESOLVED.items()}

HOSTILE_VALUES = st.one_of(
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            -1,
            0,
            0.0,
            1e300,
            -1e300,
            10**30,
            2**63,
            True,
            None,
            "",
            " ",
            "1e300min",
            "0.001s",
            "-5min",
            "1e7d",
            "3650d",
            "nan",
            "inf",
            "∞",
            "../../etc",
            "a" * 300,
            [],
            {},
            [[[[[]]]]],
            {"dist": "lognormal", "mean": "1s", "sd": "3000d"},
            {"dist": "gamma", "mean": "3000d", "sd": "1s"},
            {"dist": "empirical", "values": []},
            {"dist": "nope"},
            ["x"] * 24,
            [1e300] * 24,
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=12),
)


def mutate(data: dict, path: tuple, action: str, value) -> dict:
    """``data`` with ``value`` put at ``path`` (``set``), the key removed (``drop``)
    or an unknown key added beside it (``add``)."""
    node = data
    for part in path[:-1]:
        node = node[part]
    last = path[-1]
    if action == "set":
        node[last] = value
    elif action == "drop" and isinstance(node, dict):
        node.pop(last)
    elif action == "add" and isinstance(node, dict):
        node["surprise_key"] = value
    else:
        node[last] = value
    return data


def short(data: dict, path: tuple) -> dict:
    """Two days and one replication, unless the mutation is about those keys."""
    if path[:1] not in (("horizon",), ("warmup",)):
        data["horizon"], data["warmup"] = "2d", "0min"
    if path[:1] != ("replications",):
        data["replications"] = 1
    return data


ERROR = re.compile(r"^error: (?P<file>[^:]+)(:\d+)?: (?P<rest>.+)", re.S)


def check_one(tmp: Path, name: str, path: tuple, action: str, value, capsys) -> None:
    import copy

    data = short(mutate(copy.deepcopy(RESOLVED[name]), path, action, value), path)
    file = tmp / "fuzzed.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out = tmp / "out"
    limit = ["--max-memory", "400MB"]
    with deadline(SECONDS):
        code = main(["validate", str(file), "-j", "1", *limit])
        err = capsys.readouterr().err
        if code == 0:
            argv = ["run", str(file), "--out", str(out), "-q", "-j", "1", "-n", "1", *limit]
            code = main(argv)
            err = capsys.readouterr().err
    assert code in (0, 2), f"exit code {code}: {err}"
    if code == 2:
        first = next(line for line in err.splitlines() if line.startswith("error: "))
        m = ERROR.match(first)
        assert m and m.group("file").endswith("fuzzed.yaml"), f"the file is not named: {first}"
        assert re.match(r"[\w.\[\]-]*: |\S", m.group("rest")), first
    else:
        assert (out / "summary.json").exists()


def fuzz_strategy():
    return st.sampled_from(sorted(RESOLVED)).flatmap(
        lambda name: st.tuples(
            st.just(name),
            st.sampled_from(PATHS[name]),
            st.sampled_from(["set", "set", "set", "drop", "add"]),
            HOSTILE_VALUES,
        )
    )


COMMON = dict(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings(max_examples=8, **COMMON)
@given(example=fuzz_strategy())
def test_fuzzed_shipped_scenarios_are_refused_cleanly_or_run(example, tmp_path_factory, capsys):
    check_one(tmp_path_factory.mktemp("fuzz"), *example, capsys)


@pytest.mark.fuzz
@settings(max_examples=400, **{**COMMON, "derandomize": False})
@given(example=fuzz_strategy())
def test_fuzzed_shipped_scenarios_deeply(example, tmp_path_factory, capsys):
    check_one(tmp_path_factory.mktemp("fuzz"), *example, capsys)
