"""Layering and randomness rules, checked by parsing the package's imports."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "sim"

# Modules allowed to run the SimPy engine.
ENGINE = {"center", "teams", "model"}
# Modules that must stay free of the engine (pure functions or I/O on plain data).
NO_ENGINE = {
    "metrics",
    "io",
    "console",
    "records",
    "docgen",
    "scenario",
    "network",
    "distributions",
    "units",
    "streams",
    "violations",
    "reporting",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from .x import y / from . import x
                if node.module:
                    out.add("sim." + node.module.split(".")[0])
                else:
                    out |= {"sim." + a.name for a in node.names}
            elif node.module:
                out.add(node.module.split(".")[0])
    return out


def modules() -> dict[str, set[str]]:
    return {p.stem: _imports(p) for p in PKG.glob("*.py")}


def test_only_engine_modules_import_simpy():
    for name, imps in modules().items():
        if "simpy" in imps:
            assert name in ENGINE, f"sim/{name}.py imports simpy; only {sorted(ENGINE)} may"


def test_pure_layers_do_not_import_the_engine():
    for name, imps in modules().items():
        if name in NO_ENGINE:
            bad = imps & {f"sim.{m}" for m in ENGINE | {"experiment", "cli"}}
            assert not bad, f"sim/{name}.py imports {sorted(bad)}"


# Figures and reports read saved results; they never run the model.
PRESENTATION = {"plotting", "report"}


def test_plotting_and_report_never_run_the_model():
    found = modules()
    assert PRESENTATION <= set(found), "sim/plotting.py and sim/report.py exist"
    for name in PRESENTATION:
        imps = found[name]
        runners = ENGINE | {"experiment", "parallel", "compare", "sweep", "cli"}
        bad = imps & ({"simpy"} | {f"sim.{m}" for m in runners})
        assert not bad, f"sim/{name}.py imports {sorted(bad)}; it must only read results"
        assert not imps & {"seaborn", "pandas"}, f"sim/{name}.py: matplotlib and numpy only"


def test_only_presentation_imports_matplotlib():
    for name, imps in modules().items():
        if "matplotlib" in imps:
            assert name in PRESENTATION, f"sim/{name}.py imports matplotlib"


def test_nothing_imports_the_cli():
    for name, imps in modules().items():
        if name not in ("cli", "__main__"):
            assert "sim.cli" not in imps, f"sim/{name}.py imports the CLI"


def test_no_global_randomness():
    for path in PKG.glob("*.py"):
        text = path.read_text()
        tree = ast.parse(text)
        assert "random" not in _imports(path), f"{path.name} imports the random module"
        assert "np.random.seed" not in text, path.name
        for node in tree.body:  # module-level assignments must not build generators
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                src = ast.unparse(node)
                assert "default_rng(" not in src and "Generator(" not in src, (
                    f"{path.name}: module-level generator"
                )
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "hash":
                raise AssertionError(f"{path.name}: hash() is not stable across runs")


def test_the_rules_catch_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import random\nfrom . import model\nimport simpy\n")
    assert _imports(bad) == {"random", "sim.model", "simpy"}
