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
    "results",
    "io",
    "console",
    "records",
    "docgen",
    "scenario",
    "loader",
    "network",
    "distributions",
    "units",
    "streams",
    "violations",
    "reporting",
}


def _imports(path: Path, package: tuple[str, ...] = ("sim",)) -> set[str]:
    """Top-level packages imported by ``path``; imports from within ``sim`` as
    ``sim.<module>`` (``sim.plotting`` for any module of that subpackage).

    ``package`` is the package ``path`` belongs to, to resolve relative imports."""
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from .x import y / from . import x / from ..x import y
                base = package[: len(package) - node.level + 1]
                if node.module:
                    targets = [(*base, *node.module.split("."))]
                else:
                    targets = [(*base, a.name) for a in node.names]
                out |= {"sim." + m[1] if len(m) > 1 else "sim" for m in targets}
            elif node.module:
                out.add(node.module.split(".")[0])
    return out


def _layer(path: Path) -> str:
    """``plotting`` for every module of ``sim/plotting/``, else the module's name."""
    rel = path.relative_to(PKG)
    return rel.parts[0] if len(rel.parts) > 1 else path.stem


def modules() -> dict[str, tuple[str, set[str]]]:
    """``{path within sim/: (layer, imports)}`` for every module, subpackages included."""
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG)
        package = ("sim", *rel.parts[:-1])
        out[str(rel)] = (_layer(p), _imports(p, package))
    return out


def test_only_engine_modules_import_simpy():
    for path, (layer, imps) in modules().items():
        if "simpy" in imps:
            assert layer in ENGINE, f"sim/{path} imports simpy; only {sorted(ENGINE)} may"


def test_pure_layers_do_not_import_the_engine():
    for path, (layer, imps) in modules().items():
        if layer in NO_ENGINE:
            bad = imps & {f"sim.{m}" for m in ENGINE | {"experiment", "cli"}}
            assert not bad, f"sim/{path} imports {sorted(bad)}"


# Figures and reports read saved results; they never run the model.
PRESENTATION = {"plotting", "report"}
# Reading saved results for them: plain data, no matplotlib.
RESULTS = {"results"}


def test_plotting_results_and_report_never_run_the_model():
    found = modules()
    layers = {layer for layer, _ in found.values()}
    assert PRESENTATION | RESULTS <= layers, "sim/plotting/, sim/results.py, sim/report.py exist"
    assert "plotting/__init__.py" in found and "plotting/style.py" in found
    runners = ENGINE | {"experiment", "parallel", "compare", "sweep", "cli"}
    for path, (layer, imps) in found.items():
        if layer not in PRESENTATION | RESULTS:
            continue
        bad = imps & ({"simpy"} | {f"sim.{m}" for m in runners})
        assert not bad, f"sim/{path} imports {sorted(bad)}; it must only read results"
        assert not imps & {"seaborn", "pandas"}, f"sim/{path}: matplotlib and numpy only"


def test_results_is_plain_data_below_the_figures():
    for path, (layer, imps) in modules().items():
        if layer in RESULTS:
            assert "matplotlib" not in imps, f"sim/{path} imports matplotlib"
            bad = imps & {f"sim.{m}" for m in PRESENTATION}
            assert not bad, f"sim/{path} imports {sorted(bad)}"


def test_only_presentation_imports_matplotlib():
    for path, (layer, imps) in modules().items():
        if "matplotlib" in imps:
            assert layer in PRESENTATION, f"sim/{path} imports matplotlib"


def test_nothing_imports_the_cli():
    for path, (layer, imps) in modules().items():
        if layer not in ("cli", "__main__"):
            assert "sim.cli" not in imps, f"sim/{path} imports the CLI"


def test_no_global_randomness():
    for path in PKG.rglob("*.py"):
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
    # in a subpackage: ``..`` reaches sim, ``.`` the subpackage itself
    sub = tmp_path / "sub.py"
    sub.write_text("from ..model import run\nfrom .. import cli\nfrom .style import x\n")
    assert _imports(sub, ("sim", "plotting")) == {"sim.model", "sim.cli", "sim.plotting"}
    assert _layer(PKG / "plotting" / "maps.py") == "plotting"
