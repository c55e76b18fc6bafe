"""Hand-made mutants of the model's rules: each must make the scripted-timeline tests fail.

Every entry breaks one rule of docs/model.md in a copy of the package and runs
the rule tests (``tests/test_rules_*.py`` and ``tests/test_model.py``) against
the copy; the test passes only if they fail. This is the check, done once per
rule, that "breaking any rule makes some test fail" (docs/testing.md); mutmut
does the same systematically. Behind the ``mutation`` marker: one pytest run
per mutant.

When the engine changes so that a snippet no longer occurs, the test says
which one: update the snippet to break the same rule in the new code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULE_TESTS = ["test_model.py", *sorted(p.name for p in (ROOT / "tests").glob("test_rules_*.py"))]


@dataclass(frozen=True)
class Mutant:
    rule: str
    path: str
    old: str
    new: str


MUTANTS = [
    # the eleven hand-made mutants that survived the engine tests before issue 10
    Mutant(
        "a shift change at normal priority (work at the same minute goes first)",
        "sim/engine/shifts.py",
        "env.schedule(self, simpy.core.URGENT, delay)",
        "env.schedule(self, simpy.core.NORMAL, delay)",
    ),
    Mutant(
        "reservations kept when a desk goes off duty",
        "sim/engine/center.py",
        "if self.joint and not self._all_staffed():",
        "if False:",
    ),
    Mutant(
        "reservations kept when an assessment is withdrawn",
        "sim/engine/center.py",
        "if not self.joint:  # nothing left to reserve officers for",
        "if False:",
    ),
    Mutant(
        "least severe first at the desks",
        "sim/engine/center.py",
        "heapq.heappush(heap, (-float(severity) if key else 0.0, rid))",
        "heapq.heappush(heap, (float(severity) if key else 0.0, rid))",
    ),
    Mutant(
        "least severe first in the joint queue",
        "sim/engine/center.py",
        "return -float(severity) if self.severity_first else 0.0",
        "return float(severity) if self.severity_first else 0.0",
    ),
    Mutant(
        "least severe first in the team queue",
        "sim/engine/teams.py",
        "key = -float(severity) if self.config.severity_first else 0.0",
        "key = float(severity) if self.config.severity_first else 0.0",
    ),
    Mutant(
        "a report merges into the newest matching incident",
        "sim/engine/incidents.py",
        "if best < 0 or inc < best:",
        "if best < 0 or inc > best:",
    ),
    Mutant(
        "target shares without censoring",
        "sim/analysis/metrics.py",
        "decidable = happened | (start + limit <= horizon)",
        "decidable = happened | True",
    ),
    Mutant(
        "give-up never fires",
        "sim/engine/teams.py",
        "if self.config.give_up_after is not None:",
        "if False:",
    ),
    Mutant(
        "evidence half-life x 1.2",
        "sim/engine/replication.py",
        "0.5 ** (age / types.half_life[ty])",
        "0.5 ** (age / (1.2 * types.half_life[ty]))",
    ),
    Mutant(
        "warm-up ignored for incidents",
        "sim/analysis/metrics.py",
        "name: R.measured(name, getattr(rep, name), warmup)",
        "name: R.measured(name, getattr(rep, name), 0.0 if name == 'incidents' else warmup)",
    ),
    # more rules of docs/model.md, one mutant each
    Mutant(
        "intake before joint work",
        "sim/engine/center.py",
        "if joint and self.reserved[desk.code] < 0 and self._all_staffed():",
        "if joint and not heap and self.reserved[desk.code] < 0 and self._all_staffed():",
    ),
    Mutant(
        "a report expires when it waited exactly max_wait",
        "sim/engine/center.py",
        "while deadlines and deadlines[0][0] < now:",
        "while deadlines and deadlines[0][0] <= now:",
    ),
    Mutant(
        "new work goes to the shift that leaves first",
        "sim/engine/center.py",
        "if left > best_left:",
        "if best_left < 0 or left < best_left:",
    ),
    Mutant(
        "an outgoing officer takes new work after the shift",
        "sim/engine/center.py",
        "        if g.on:\n            self.free += 1",
        "        self.free += 1",
    ),
    Mutant(
        "the farthest free team goes",
        "sim/engine/teams.py",
        "team = int(np.argmin(times))",
        "team = int(np.argmax(np.where(np.isfinite(times), times, -1.0)))",
    ),
    Mutant(
        "patrol hours ignore the arrival time",
        "sim/engine/teams.py",
        "latest = end - travel",
        "latest = end",
    ),
    Mutant(
        "a freed team takes a waiting incident out of its range",
        "sim/engine/teams.py",
        "if reach[mission.node] <= self.max_minutes:",
        "if True:",
    ),
    Mutant(
        "access decided by the accused side",
        "sim/engine/replication.py",
        "if inc.u_access < self.access_denial[inc.affected]:",
        "if inc.u_access < self.access_denial[1 - inc.affected]:",
    ),
    Mutant(
        "attribution names the wrong side when accurate",
        "sim/engine/replication.py",
        "attr = truth if vb.u_attribution[k] < v.attribution_accuracy else 1 - truth",
        "attr = 1 - truth if vb.u_attribution[k] < v.attribution_accuracy else truth",
    ),
    Mutant(
        "merging ignores the time window",
        "sim/engine/incidents.py",
        "lo_key, hi_key = (event_time - self.window, -1), (event_time + self.window, math.inf)",
        "lo_key, hi_key = (-math.inf, -1), (math.inf, math.inf)",
    ),
    Mutant(
        "merging ignores the road distance",
        "sim/engine/incidents.py",
        "for j in self.near[node]:",
        "for j in list(self.at):",
    ),
    Mutant(
        "a later, equally advanced finding replaces the first",
        "sim/engine/replication.py",
        "if current < 0 or _RANK[code] > _RANK[current]:",
        "if current < 0 or _RANK[code] >= _RANK[current]:",
    ),
]


def _copy_project(dst: Path) -> None:
    shutil.copytree(ROOT / "sim", dst / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", dst / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "scenarios", dst / "scenarios")
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")


def _run_rule_tests(where: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(where), PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-n0"]
    cmd += ["-m", "not validation", *(f"tests/{t}" for t in RULE_TESTS)]
    return subprocess.run(cmd, cwd=where, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.mutation
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.rule for m in MUTANTS])
def test_breaking_a_rule_makes_a_rule_test_fail(mutant, tmp_path):
    _copy_project(tmp_path)
    target = tmp_path / mutant.path
    source = target.read_text()
    assert source.count(mutant.old) == 1, f"update the mutant: {mutant.old!r} not found once"
    target.write_text(source.replace(mutant.old, mutant.new))
    out = _run_rule_tests(tmp_path)
    assert out.returncode == 1, f"no rule test failed for: {mutant.rule}\n{out.stdout[-2000:]}"


@pytest.mark.mutation
def test_the_rule_tests_pass_on_an_unchanged_copy(tmp_path):
    _copy_project(tmp_path)
    out = _run_rule_tests(tmp_path)
    assert out.returncode == 0, out.stdout[-3000:]
