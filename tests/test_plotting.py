"""Figures: every kind is built from a small run, comparison, sweep and staffing search;
files are valid images of sensible size; plotting from saved results equals plotting
right after a run; every figure is labelled; bad directories give clear errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import StepPatch
from PIL import Image

from sim import plotting as P
from sim.cli import main
from sim.experiment import run
from sim.io import write_run
from sim.scenario import load_scenario

from .conftest import SCENARIOS

SHORT = "horizon: 6d\nwarmup: 1d\nreplications: 2\n"


def short_scenario(directory: Path, base: str = "baseline.yaml", extra: str = "") -> Path:
    """A six-day variant of a shipped scenario (one day of warm-up, two replications)."""
    directory.mkdir(parents=True, exist_ok=True)
    p = directory / f"short_{base}"
    p.write_text(f"extends: {SCENARIOS / base}\n{SHORT}{extra}")
    return p


def check_png(path: Path) -> tuple[int, int]:
    """A readable PNG of sensible size; returns (width, height) in pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    assert 15_000 < len(data) < 2_000_000, (path, len(data))
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        w, h = im.size
    assert 900 <= w <= 3000 and 500 <= h <= 2600, (path, w, h)
    return w, h


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small baseline run written by `cfsim run --plots` (figures made from memory)."""
    root = tmp_path_factory.mktemp("plots")
    scen = short_scenario(root)
    out = root / "run"
    assert main(["run", str(scen), "--out", str(out), "-q", "--plots", "--workers", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    a = short_scenario(root, "baseline.yaml")
    b = short_scenario(root, "thin_night_shift.yaml")
    out = root / "cmp"
    args = ["compare", str(a), str(b), "-n", "2", "--out", str(out), "-q", "--plots", "-j", "1"]
    assert main(args) == 0
    return out


def _sweep_file(root: Path, body: str, name: str) -> Path:
    base = short_scenario(root)
    p = root / f"{name}.yaml"
    p.write_text(f"name: {name}\nbase: {base.name}\nreplications: 2\n{body}")
    return p


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweeps")
    grid = _sweep_file(
        root,
        "grid:\n"
        "  night:\n"
        '    paths: ["center.desks.RU.shifts[2].officers", "center.desks.UA.shifts[2].officers"]\n'
        "    values: [1, 2]\n"
        '  "teams.speed_kmh": [30, 50]\n',
        "grid2",
    )
    one = _sweep_file(
        root,
        "grid:\n  delay:\n    paths: [reporting.channels.affected.delay.mean]\n"
        "    values: [30min, 2h, 4h]\n",
        "delay",
    )
    variants = _sweep_file(
        root,
        "variants:\n  - {name: slow, set: {teams.speed_kmh: 30}}\n"
        "  - {name: fast, set: {teams.speed_kmh: 60}}\n",
        "variants",
    )
    opt = _sweep_file(
        root,
        "constraints:\n  response_p90: {max: 40h}\n  verification_rate: {min: 0.2}\n"
        "grid:\n"
        '  "teams.bases[1].count": [1, 3]\n'
        '  "teams.bases[3].count": [1, 3]\n',
        "least",
    )
    out = {}
    for name, f, cmd in (
        ("grid2", grid, "sweep"),
        ("delay", one, "sweep"),
        ("variants", variants, "sweep"),
        ("least", opt, "optimize"),
    ):
        d = root / f"out-{name}"
        assert main([cmd, str(f), "--out", str(d), "-q", "--plots", "-j", "1"]) == 0
        out[name] = d
    return out


# --------------------------------------------------------------------------- files


def test_run_plots_every_kind_as_valid_images(small):
    files = sorted(p.name for p in (small / "figures").iterdir())
    assert files == sorted(f"{k}.png" for k in P.RUN_KINDS)
    for f in files:
        check_png(small / "figures" / f)


def test_plotting_from_saved_results_equals_plotting_right_after_the_run(small, tmp_path):
    # `cfsim run --plots` drew from the data in memory; `cfsim plot` reads the files
    assert main(["plot", str(small), "--out", str(tmp_path), "-q"]) == 0
    for kind in P.RUN_KINDS:
        a = (small / "figures" / f"{kind}.png").read_bytes()
        b = (tmp_path / f"{kind}.png").read_bytes()
        assert a == b, f"{kind}: the figure from saved results differs"


def test_run_data_in_memory_equals_the_saved_tables(tmp_path):
    loaded = load_scenario(short_scenario(tmp_path))
    result = run(loaded, seed=5, replications=1, workers=1)
    out = write_run(result, tmp_path / "r")
    mem, disk = P.run_data(result), P.load_run(out)
    assert mem.scenario == disk.scenario
    assert mem.network == disk.network and mem.summary == disk.summary
    for name, table in disk.tables.items():
        assert list(mem.tables[name]) == list(table), name
        for col, values in table.items():
            other = mem.tables[name][col]
            if values.dtype.kind == "f":
                assert np.array_equal(values, other, equal_nan=True), (name, col)
            else:
                assert values.tolist() == other.tolist(), (name, col)


def test_comparison_overlays_every_configuration(comparison):
    kinds = {p.stem for p in (comparison / "figures").glob("*.png")}
    assert kinds == {"metrics", "differences", *P.RUN_KINDS}
    for p in (comparison / "figures").glob("*.png"):
        check_png(p)
    runs = P.comparison_runs(comparison)
    assert [r.name for r in runs] == ["baseline", "thin_night_shift"]


def test_comparison_tables_hold_the_same_replications_as_the_comparison(comparison):
    """--tables re-runs each configuration under the comparison's seed: same numbers."""
    meta = json.loads((comparison / "comparison.json").read_text())
    for name, per in meta["per_replication"].items():
        summary = json.loads((comparison / "runs" / name / "summary.json").read_text())
        for metric in ("response_mean", "acknowledge_mean", "verification_rate"):
            ci = summary["per_replication"][metric]
            assert ci["mean"] == pytest.approx(np.nanmean(per[metric]), rel=1e-12), (name, metric)


def test_sweep_and_optimize_figures(sweeps):
    expect = {
        "grid2": {"sweep", "heatmap"},
        "delay": {"sweep"},
        "variants": {"sweep"},
        "least": {"frontier"},
    }
    for name, kinds in expect.items():
        got = {p.stem for p in (sweeps[name] / "figures").glob("*.png")}
        assert got == kinds, name
        for k in kinds:
            check_png(sweeps[name] / "figures" / f"{k}.png")


@pytest.mark.parametrize("fmt,magic", [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_vector_formats_are_reproducible(small, tmp_path, fmt, magic):
    for out in (tmp_path / "a", tmp_path / "b"):
        args = ["plot", str(small), "-k", "ecdf", "-f", fmt, "--out", str(out), "-q"]
        assert main(args) == 0
    for kind in ("ecdf",):
        a = (tmp_path / "a" / f"{kind}.{fmt}").read_bytes()
        assert a.startswith(magic) and len(a) > 10_000
        assert a == (tmp_path / "b" / f"{kind}.{fmt}").read_bytes(), kind


# --------------------------------------------------------------------------- what a figure shows


@pytest.fixture(scope="module")
def figures(small, comparison, sweeps) -> dict[str, Figure]:
    """Every figure kind of every kind of results directory, drawn."""
    figs = {}
    for label, d in (("run", small), ("comparison", comparison), *sweeps.items()):
        _, makers = P.figure_makers(d)
        for kind, make in makers.items():
            figs[f"{label}:{kind}"] = fig = make()
            fig.canvas.draw()
    return figs


def _is_colorbar(ax) -> bool:
    return ax.get_label() == "<colorbar>"


def _overlapping(boxes) -> bool:
    return any(a.overlaps(b) for a, b in zip(boxes, boxes[1:]))


def test_every_figure_is_titled_labelled_with_units_and_has_a_legend(figures):
    assert len(figures) == 7 + 9 + 5
    for name, fig in figures.items():
        assert fig._suptitle is not None and fig._suptitle.get_text().strip(), name
        axes = [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax)]
        assert axes, name
        for ax in axes:
            assert ax.get_title() or ax.get_title(loc="left"), (name, "axes without a title")
            # stacked panels sharing a time axis label it once, under the bottom panel
            shared = ax.get_shared_x_axes().get_siblings(ax)
            assert any(a.get_xlabel().strip() for a in shared), (name, ax.get_title())
            assert ax.get_ylabel().strip(), (name, ax.get_title())
        labels = " ".join(
            f"{ax.get_xlabel()} {ax.get_ylabel()}" for ax in fig.axes if ax.get_visible()
        )
        assert "(" in labels and ")" in labels, (name, "no units in any axis label")
        assert "(s)" not in labels and "second" not in labels.lower(), name
        has_legend = bool(fig.legends) or any(ax.get_legend() for ax in fig.axes)
        has_colorbar = any(_is_colorbar(ax) for ax in fig.axes)
        assert has_legend or has_colorbar, (name, "no legend")


def test_tick_labels_and_titles_do_not_overlap(figures):
    for name, fig in figures.items():
        r = fig.canvas.get_renderer()
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            for axis in (ax.xaxis, ax.yaxis):
                ticks = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
                boxes = sorted(
                    (t.get_window_extent(r) for t in ticks),
                    key=lambda b: (b.x0, b.y0),
                )
                assert not _overlapping(boxes), (name, ax.get_title(), "tick labels overlap")
        titles = [ax.title.get_window_extent(r) for ax in fig.axes if ax.get_title()]
        sup = fig._suptitle.get_window_extent(r)
        assert not any(sup.overlaps(t) for t in titles), (name, "title overlaps a panel title")


def test_the_overlap_check_catches_crowded_ticks():
    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xticks(range(30), [f"label number {k}" for k in range(30)])
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = sorted((t.get_window_extent(r) for t in ax.get_xticklabels()), key=lambda b: b.x0)
    assert _overlapping(boxes)


def test_times_are_shown_in_minutes_or_hours():
    assert P.time_unit(90) == (1.0, "min")
    assert P.time_unit(24 * 60) == (60.0, "h")
    fig = P.plot_ecdf(
        {"a": {k: np.array([30.0, 600.0, np.nan]) for k in P.DELAY_KEYS}},
        {"response": 24 * 60},
    )
    xlabels = [ax.get_xlabel() for ax in fig.axes]
    assert all(label.endswith("(h)") or label.endswith("(min)") for label in xlabels)


def test_the_reference_configuration_keeps_its_colour_everywhere():
    samples = {
        name: {k: np.arange(1.0, 50.0) * (i + 1) for k in P.DELAY_KEYS}
        for i, name in enumerate(["ref", "b", "c"])
    }
    groups = {n: samples[n] for n in ("ref", "b")}
    for fig in (P.plot_distributions(samples), P.plot_ecdf(samples), P.plot_violins(groups)):
        seen = {}
        for artist in fig.axes[0].get_children() + [
            h for leg in fig.legends for h in leg.legend_handles
        ]:
            label = str(artist.get_label())
            name = label.split(" ")[0].split(":")[0]
            if name in samples:
                c = artist.get_color() if isinstance(artist, Line2D) else artist.get_facecolor()
                if isinstance(artist, StepPatch):
                    c = artist.get_edgecolor()
                seen.setdefault(name, to_hex(c))
        assert seen["ref"] == P.PALETTE[0].lower(), fig
        assert seen["b"] == P.PALETTE[1].lower(), fig


def test_plotting_and_the_comparison_table_share_one_metric_list():
    # one definition in sim.metrics: plotting cannot import sim.compare (the engine)
    from sim import compare, metrics
    from sim.plotting import experiments

    assert compare.KEY_METRICS is metrics.KEY_METRICS
    assert experiments.KEY_METRICS is metrics.KEY_METRICS
    assert P.METRIC_LABEL == {k: label for k, label, _ in metrics.KEY_METRICS}


def test_ecdf_counts_cases_that_never_happened():
    x, y = P.ecdf(np.array([10.0, np.nan, 20.0, np.nan]))
    assert x.tolist() == [10.0, 20.0] and y.tolist() == [0.25, 0.5]


def test_scale_bar_uses_km_per_degree_of_longitude_at_the_mean_latitude():
    assert P.km_per_degree_lon(60.0) == pytest.approx(P.km_per_degree_lon(0.0) / 2, rel=1e-9)


def test_a_network_without_coordinates_has_no_map(small):
    data = P.load_run(small)
    for n in data.network["nodes"]:
        for k in ("lat", "lon", "x_km", "y_km"):
            n.pop(k, None)
    assert "map" not in P.run_figures([data])


# --------------------------------------------------------------------------- errors


def test_plot_rejects_what_is_not_a_results_directory(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is not a results directory" in err and "Traceback" not in err
    assert main(["plot", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) == 2
    assert "is not a results directory" in capsys.readouterr().err


def test_plot_rejects_unknown_or_unavailable_kinds(small, tmp_path, capsys):
    assert main(["plot", str(small), "-k", "pie", "--out", str(tmp_path)]) == 2
    assert "unknown figure kind pie" in capsys.readouterr().err
    assert main(["plot", str(small), "-k", "heatmap", "--out", str(tmp_path)]) == 2
    assert "not a figure of this run directory" in capsys.readouterr().err


def test_a_comparison_without_tables_explains_how_to_get_distributions(comparison, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    for f in comparison.iterdir():
        if f.is_file():
            (bare / f.name).write_bytes(f.read_bytes())
    kind, makers = P.figure_makers(bare)
    assert kind == "comparison" and list(makers) == ["metrics", "differences"]
    with pytest.raises(P.ResultsError, match="--tables"):
        P.make_figures(bare, ["ecdf"])


def test_a_run_without_its_tables_says_so(small, tmp_path, capsys):
    d = tmp_path / "kept"
    d.mkdir()
    for f in ("summary.json", "scenario.yaml", "metadata.json"):
        (d / f).write_bytes((small / f).read_bytes())
    assert main(["plot", str(d)]) == 2
    assert "tables of this run were not kept" in capsys.readouterr().err
