"""What the README shows is what the code prints.

The summary block in the README is the output of the README's first command
(``cfsim run scenarios/baseline.yaml``). To refresh it after a deliberate
change of the model or the summary, run::

    CFSIM_UPDATE_DOCS=1 python -m pytest tests/test_readme.py

and review the diff.
"""

from __future__ import annotations

import os
import re

from sim.cli import main

from .conftest import ROOT

README = ROOT / "README.md"
START = "The run prints a summary and writes `results/baseline/<run-id>/`:\n\n```\n"


def readme_summary() -> tuple[str, int, int]:
    text = README.read_text(encoding="utf-8")
    a = text.index(START) + len(START)
    b = text.index("```\n", a)
    return text, a, b


def test_the_printed_summary_in_the_readme_is_what_the_command_prints(tmp_path, capsys):
    assert (
        main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(tmp_path / "r")]) == 0
    )
    printed = capsys.readouterr().out
    summary = printed[: printed.index("\nResults written to")].rstrip() + "\n"
    text, a, b = readme_summary()
    if os.environ.get("CFSIM_UPDATE_DOCS") == "1":
        README.write_text(text[:a] + summary + text[b:], encoding="utf-8")
    assert text[a:b] == summary, (
        "README.md's summary is stale; refresh it with CFSIM_UPDATE_DOCS=1 (see this module)"
    )


def test_the_readme_commands_name_files_that_exist():
    text = README.read_text(encoding="utf-8")
    for path in set(re.findall(r"\b(scenarios/[\w/.-]+\.yaml)", text)):
        assert (ROOT / path).exists(), path
