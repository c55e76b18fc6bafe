"""The docs' Python examples run as written, and the docs point nowhere outside the repository."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import sim
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), re.M | re.S)


def package_example() -> str:
    """The ``::`` block of ``sim/__init__.py``'s docstring."""
    doc = sim.__doc__ or ""
    block = doc.split("::", 1)[1].split("\n\n")[1]
    return "\n".join(line[4:] for line in block.splitlines())


EXAMPLES = [(f"{p.name}#{i}", code) for p in DOCS for i, code in enumerate(python_blocks(p))]
EXAMPLES.append(("sim/__init__.py", package_example()))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A folder laid out like the project: a short baseline and one run of it (Parquet and CSV)."""
    root = tmp_path_factory.mktemp("project")
    (root / "scenarios").mkdir()
    (root / "scenarios" / "baseline.yaml").write_text(
        f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nhorizon: 8d\nwarmup: 1d\n"
    )
    scenario = str(root / "scenarios" / "baseline.yaml")
    run = root / "results" / "baseline" / "example"
    assert main(["run", scenario, "-n", "1", "-q", "-j", "1", "--out", str(run)]) == 0
    csv = root / "csv"
    assert (
        main(["run", scenario, "-n", "1", "-q", "-j", "1", "--out", str(csv), "--format", "csv"])
        == 0
    )
    shutil.copy(csv / "reports.csv", run / "reports.csv")
    return root


def test_the_docs_have_examples_to_check():
    names = {name.split("#")[0] for name, _ in EXAMPLES}
    assert {"README.md", "plots.md", "outputs.md", "experiments.md", "sim/__init__.py"} <= names


# an example that draws every figure of a run belongs with the other rendering tests
RENDERS = {"plots.md#0"}
PARAMS = [
    pytest.param(n, c, id=n, marks=[pytest.mark.figures] if n in RENDERS else [])
    for n, c in EXAMPLES
]


@pytest.mark.parametrize("name,code", PARAMS)
def test_a_doc_example_runs(name, code, project, monkeypatch):
    monkeypatch.chdir(project)
    code = code.replace("<run-id>", "example")
    # A block's last expressions are what the reader looks at: they must evaluate too.
    exec(compile(code, name, "exec"), {"__name__": "doc_example"})


def test_the_package_example_reads_a_key_the_summary_has(project, monkeypatch):
    monkeypatch.chdir(project)
    scope: dict = {}
    exec(package_example().replace("replications=3", "replications=1"), scope)
    assert scope["result"].summary["delays"]["response"]["p90"] > 0


# An absolute path of some machine, or a home-relative one.
ABSOLUTE = re.compile(r"(?<![\w.:/~-])(?:/(?:work|home|Users|tmp|mnt|root|opt|var)/|~/|[A-Z]:\\)")


@pytest.mark.parametrize("doc", DOCS, ids=[p.name for p in DOCS])
def test_docs_name_no_path_outside_the_repository(doc):
    text = doc.read_text(encoding="utf-8")
    assert not ABSOLUTE.findall(text), f"{doc.name} names an absolute path"
    assert "REALWORLD" not in text and "RW §" not in text, f"{doc.name} cites a file not shipped"
    for target in re.findall(r"\]\(([^)#\s]+)", text):
        if re.match(r"[a-z]+:", target):
            continue  # a URL
        resolved = (doc.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{doc.name} links outside the repo: {target}"
        assert resolved.exists(), f"{doc.name} links to a missing file: {target}"


def cited_sources(text: str) -> set[str]:
    urls = re.findall(r"https?://[^\s)|,;\"`]+", text)
    repos = re.findall(r"`([\w.-]+/[\w.-]+:[^`@\s]+@[0-9a-f]{7,40})`", text)
    return {u.rstrip(".") for u in urls} | set(repos)


def test_sources_lists_every_source_calibration_and_network_cite():
    listed = cited_sources((ROOT / "docs" / "sources.md").read_text(encoding="utf-8"))
    for page in ("calibration.md", "network-default.md"):
        cited = cited_sources((ROOT / "docs" / page).read_text(encoding="utf-8"))
        assert cited, page
        missing = sorted(cited - listed)
        assert not missing, f"{page} cites sources missing from docs/sources.md: {missing}"
