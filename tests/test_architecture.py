"""The architecture, checked from the source: layers, cycles, privacy, size, randomness.

Every import counts, including those inside functions. The layers, lowest
first (docs/architecture.md): a module may import its own layer and the
layers below it, never one above.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "sim"

LAYERS = ("records", "scenario", "world", "engine", "analysis", "output", "cli")
FACADES = {"sim", "sim.__main__"}  # the package root re-exports the public API

# Modules that read saved results for people: they never run the model.
PRESENTATION = ("sim.output.plotting", "sim.output.report", "sim.output.results")
MODEL_RUNNERS = (
    "sim.engine",
    "sim.world.violations",
    "sim.world.reporting",
    "sim.analysis.experiment",
    "sim.analysis.parallel",
    "sim.analysis.compare",
    "sim.analysis.sweep",
    "sim.analysis.optimize",
    "sim.analysis.validation",
)
MAX_FUNCTION_LINES = 100
MAX_MODULE_LINES = 700
WAIVER = "# long:"  # a one-line reason, on the line above a def or at the top of a module


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


MODULES = all_modules()


def resolve(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    """The absolute module an ``ImportFrom`` in module ``name`` refers to."""
    if not node.level:
        return node.module or ""
    base = name.split(".") if is_package else name.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


@functools.cache  # the files do not change during a run; several tests read them
def imports(name: str) -> tuple[tuple[str, str | None, int], ...]:
    """``(module, imported name or None, line)`` for every import in a module."""
    path = MODULES[name]
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = resolve(node, name, path.name == "__init__.py")
            for a in node.names:
                sub = f"{target}.{a.name}"
                # ``from . import x`` imports the module x; otherwise a name of target
                out.append(
                    (sub, None, node.lineno) if sub in MODULES else (target, a.name, node.lineno)
                )
    return tuple(out)


def internal_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for target, _, _ in imports(m):
            if target in MODULES and target != m:
                edges[m].add(target)
    return edges


def layer(name: str) -> int | None:
    parts = name.split(".")
    if name in FACADES or len(parts) < 2:
        return None
    return LAYERS.index(parts[1])


def test_every_module_is_in_a_layer_folder():
    for name in MODULES:
        if name in FACADES:
            continue
        assert name.split(".")[1] in LAYERS, f"{name} is outside the layer folders {LAYERS}"
    assert {p.name for p in PKG.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(LAYERS)


def test_layers_import_only_downwards():
    bad = []
    for m, targets in internal_edges().items():
        lm = layer(m)
        for t in targets:
            lt = layer(t)
            if lm is not None and (lt is None or lt > lm):
                bad.append(f"{m} ({LAYERS[lm]}) imports {t}")
    assert not bad, "\n".join(bad)


def test_no_import_cycles():
    edges = internal_edges()
    # A package's __init__ re-exporting its own modules is not a cycle back into it.
    for m in edges:
        edges[m] = {t for t in edges[m] if not m.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(u: str) -> None:
        state[u] = 1
        stack.append(u)
        for v in sorted(edges[u]):
            if state.get(v) == 1:
                cycles.append(" -> ".join(stack[stack.index(v) :] + [v]))
            elif v not in state:
                visit(v)
        stack.pop()
        state[u] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)
    assert not cycles, "\n".join(cycles)


def test_no_private_names_across_modules():
    bad = []
    for m in MODULES:
        aliases = {}
        for target, name, line in imports(m):
            if name and name.startswith("_") and not name.startswith("__") and target != m:
                bad.append(f"{m}:{line} imports {target}.{name}")
        tree = ast.parse(MODULES[m].read_text())
        for node in ast.walk(tree):  # module objects imported under a name
            if isinstance(node, ast.ImportFrom) and node.level:
                target = resolve(node, m, MODULES[m].name == "__init__.py")
                for a in node.names:
                    if f"{target}.{a.name}" in MODULES:
                        aliases[a.asname or a.name] = f"{target}.{a.name}"
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                bad.append(f"{m}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert not bad, "\n".join(bad)


def _external(m: str) -> set[str]:
    return {t.split(".")[0] for t, _, _ in imports(m) if not t.startswith("sim")}


def test_only_the_engine_imports_simpy():
    for m in MODULES:
        if "simpy" in _external(m):
            assert m.startswith("sim.engine"), f"{m} imports simpy; only sim.engine may"


def test_only_plotting_imports_matplotlib():
    for m in MODULES:
        if "matplotlib" in _external(m):
            assert m.startswith("sim.output.plotting"), f"{m} imports matplotlib"


def test_figures_and_reports_never_run_the_model():
    edges = internal_edges()
    for m in MODULES:
        if not m.startswith(PRESENTATION):
            continue
        for t in edges[m]:
            assert not t.startswith(MODEL_RUNNERS), f"{m} imports {t}; it must only read results"
        assert not _external(m) & {"simpy", "seaborn", "pandas"}, m


def test_nothing_below_the_cli_imports_it():
    for m, targets in internal_edges().items():
        if not m.startswith("sim.cli") and m not in FACADES:
            assert not any(t.startswith("sim.cli") for t in targets), f"{m} imports the CLI"


def _waived(lines: list[str], lineno: int) -> bool:
    above = [ln.strip() for ln in lines[max(0, lineno - 3) : lineno - 1]]
    return any(ln.startswith(WAIVER) and len(ln) > len(WAIVER) + 5 for ln in above)


def test_functions_and_modules_are_short_or_say_why():
    long = []
    for m, path in MODULES.items():
        lines = path.read_text().splitlines()
        if len(lines) > MAX_MODULE_LINES and not any(ln.startswith(WAIVER) for ln in lines[:30]):
            long.append(f"{m}: {len(lines)} lines")
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if n > MAX_FUNCTION_LINES and not _waived(lines, first):
                    long.append(f"{m}:{node.lineno} {node.name} ({n} lines)")
    assert not long, "\n".join(long)


def test_each_layer_says_what_it_is_for_and_may_import():
    for name in LAYERS:
        init = PKG / name / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "May import" in doc, f"sim/{name}/__init__.py: say what the layer may import"


def test_no_global_randomness():
    for m, path in MODULES.items():
        text = path.read_text()
        tree = ast.parse(text)
        assert "random" not in _external(m), f"{m} imports the random module"
        assert "np.random.seed" not in text, m
        for node in tree.body:  # module-level assignments must not build generators
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                src = ast.unparse(node)
                assert "default_rng(" not in src and "Generator(" not in src, (
                    f"{m}: module-level generator"
                )
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "hash":
                raise AssertionError(f"{m}: hash() is not stable across runs")


# ---------------------------------------------------------------- the checks can fail


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """A throw-away copy of the layout with one module to break the rules."""

    def make(files: dict[str, str]) -> None:
        root = tmp_path / "sim"
        for rel, text in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "PKG", root)
        monkeypatch.setattr(
            __import__(__name__, fromlist=["x"]),
            "MODULES",
            {module_name(p): p for p in sorted(root.rglob("*.py"))},
        )
        imports.cache_clear()  # the cache holds the real package's imports

    yield make
    imports.cache_clear()


def test_the_rules_catch_violations(fake_package):
    fake_package(
        {
            "__init__.py": "",
            "records/__init__.py": '"""May import: nothing."""\n',
            "records/codes.py": "def f():\n    from ..engine.model import _run\n",
            "engine/__init__.py": '"""May import: below."""\n',
            "engine/model.py": "import random\nfrom ..records import codes\n_run = 1\n",
        }
    )
    with pytest.raises(AssertionError, match="records.codes .records. imports sim.engine.model"):
        test_layers_import_only_downwards()
    with pytest.raises(AssertionError, match="sim.records.codes -> sim.engine.model"):
        test_no_import_cycles()
    with pytest.raises(AssertionError, match="imports sim.engine.model._run"):
        test_no_private_names_across_modules()
    with pytest.raises(AssertionError, match="imports the random module"):
        test_no_global_randomness()


def test_a_long_function_needs_a_reason(fake_package):
    body = "".join(f"    x{i} = {i}\n" for i in range(120))
    fake_package({"__init__.py": "", "records/__init__.py": "def f():\n" + body})
    with pytest.raises(AssertionError, match="f .121 lines"):
        test_functions_and_modules_are_short_or_say_why()
    fake_package(
        {
            "__init__.py": "",
            "records/__init__.py": "# long: one table of constants, read top to bottom\ndef f():\n"
            + body,
        }
    )
    test_functions_and_modules_are_short_or_say_why()
