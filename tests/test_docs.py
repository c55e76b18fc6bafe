"""Docs stay in step with the code: generated reference, README commands, CI."""

from __future__ import annotations

import re
from pathlib import Path

from sim.scenario.docgen import generate

ROOT = Path(__file__).resolve().parent.parent


def test_scenario_reference_is_generated_from_the_schema():
    committed = (ROOT / "docs" / "scenarios.md").read_text()
    assert committed == generate(), (
        "docs/scenarios.md is stale: run `python -m sim.scenario.docgen docs/scenarios.md`"
    )


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    m = re.search(r"^## Quick start\s*$(.*?)^```(?:bash|sh)?\n(.*?)^```", text, re.M | re.S)
    assert m, "README needs a '## Quick start' section with a code block"
    return [line for line in m.group(2).splitlines() if line.strip()]


def test_readme_quick_start_has_two_commands_and_ci_runs_the_second():
    cmds = quick_start_commands()
    assert len(cmds) == 2
    assert "cfsim run scenarios/baseline.yaml" in cmds[0]
    assert "pytest" in cmds[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert cmds[1] in ci
    # ... and then the validation table and the statistical checks the quick suite leaves out
    slow = '.venv/bin/python -m pytest -m "validation or statistical or figures or slow"'
    assert slow in ci.split(cmds[1], 1)[1]


def test_every_doc_the_readme_links_exists():
    text = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(((?:docs|scenarios|benchmarks|results)/[^)#]+)\)", text):
        assert (ROOT / target).exists(), target
