"""Figures: every kind is built from a small run, comparison, sweep and staffing search;
files are valid images of sensible size; plotting from saved results equals plotting
right after a run; every figure is labelled; bad directories give clear errors."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle, StepPatch
from matplotlib.text import Text
from PIL import Image

from sim.output import plotting as P
from sim.output.results import comparison_runs, delay_samples
from sim.cli import main
from sim.analysis.experiment import run
from sim.output.rundir import write_run
from sim.world import load_scenario

from .conftest import SCENARIOS

SHORT = "horizon: 6d\nwarmup: 1d\nreplications: 2\n"
# a configuration name long enough to break a layout that does not wrap or shorten it
LONG_NAME = "thin_night_shift_with_a_rather_long_configuration_name"
NO_RESPONSE = "No response times"


def short_scenario(
    directory: Path, base: str = "baseline.yaml", extra: str = "", stem: str | None = None
) -> Path:
    """A six-day variant of a shipped scenario (one day of warm-up, two replications)."""
    directory.mkdir(parents=True, exist_ok=True)
    p = directory / f"{stem or 'short_' + base.removesuffix('.yaml')}.yaml"
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
    b = short_scenario(root, "thin_night_shift.yaml", f"name: {LONG_NAME}\n")
    out = root / "cmp"
    args = ["compare", str(a), str(b), "-n", "2", "--out", str(out), "-q", "--plots", "-j", "1"]
    assert main(args) == 0
    return out


def _sweep_file(root: Path, body: str, name: str, replications: int = 2) -> Path:
    base = short_scenario(root)
    p = root / f"{name}.yaml"
    p.write_text(f"name: {name}\nbase: {base.name}\nreplications: {replications}\n{body}")
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
    single = _sweep_file(root, 'grid:\n  "teams.speed_kmh": [40]\n', "single")
    variants = _sweep_file(
        root,
        "variants:\n  - {name: slow, set: {teams.speed_kmh: 30}}\n"
        "  - {name: fast, set: {teams.speed_kmh: 60}}\n",
        "variants",
    )
    opt = _sweep_file(
        root,
        "constraints:\n  response_p90: {max: 72h}\n  verification_rate: {min: 0.1}\n"
        "grid:\n"
        '  "teams.bases[1].count": [1, 3]\n'
        '  "teams.bases[3].count": [1, 3]\n',
        "least",
        replications=4,  # the chosen point is confirmed on 4 fresh ones
    )
    out = {}
    for name, f, cmd in (
        ("grid2", grid, "sweep"),
        ("delay", one, "sweep"),
        ("variants", variants, "sweep"),
        ("single", single, "sweep"),
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
    assert kinds == {"metrics", "differences", "outcomes", *P.RUN_KINDS}
    for p in (comparison / "figures").glob("*.png"):
        check_png(p)
    runs = P.comparison_runs(comparison)
    assert [r.name for r in runs] == ["baseline", LONG_NAME]


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
        "grid2": {"sweep", "heatmap", "outcomes"},
        "delay": {"sweep", "outcomes"},
        "variants": {"sweep", "outcomes"},
        "single": {"sweep", "outcomes"},
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
def no_teams(tmp_path_factory):
    """A comparison of a run without teams (the reference), the baseline and the
    baseline with a tighter response target; its runs/ hold each as a run directory."""
    root = tmp_path_factory.mktemp("noteams")
    files = [
        short_scenario(root, extra="name: no_teams\nteams: {enabled: false}\n", stem="a"),
        short_scenario(root, stem="b"),
        short_scenario(root, extra="name: tight_target\ntargets: {response: 12h}\n", stem="c"),
    ]
    out = root / "cmp"
    args = ["compare", *map(str, files), "-n", "2", "--out", str(out), "-q", "--plots", "-j", "1"]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def figures(small, comparison, sweeps, no_teams) -> dict[str, Figure]:
    """Every figure kind of every kind of results directory, drawn."""
    figs = {}
    dirs = (
        ("run", small),
        ("comparison", comparison),
        *sweeps.items(),
        ("no-teams run", no_teams / "runs" / "no_teams"),
        ("no-teams comparison", no_teams),
    )
    for label, d in dirs:
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
    # run, comparison, sweeps and search, a run without teams (no breakdown), a comparison
    assert len(figures) == 9 + 12 + 10 + 8 + 12
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


def _inside(inner, outer, tol: float = 1.5) -> bool:
    return (
        inner.x0 >= outer.x0 - tol
        and inner.x1 <= outer.x1 + tol
        and inner.y0 >= outer.y0 - tol
        and inner.y1 <= outer.y1 + tol
    )


def _shown_ticks(ax) -> list:
    """Tick labels within the axis limits (those outside are not drawn)."""
    out = []
    for axis, k, (lo, hi) in ((ax.xaxis, 0, ax.get_xlim()), (ax.yaxis, 1, ax.get_ylim())):
        lo, hi = min(lo, hi), max(lo, hi)
        out += [t for t in axis.get_ticklabels() if lo <= t.get_position()[k] <= hi]
    return out


def test_nothing_is_cut_off_at_the_edge_of_a_figure_or_a_panel(figures):
    """Titles, tick labels and legends stay inside the figure, notes written in a panel
    inside the panel: long configuration names are wrapped or shortened (the
    comparison has one)."""
    for name, fig in figures.items():
        r = fig.canvas.get_renderer()
        page = fig.bbox
        for leg in fig.legends:
            assert _inside(leg.get_window_extent(r), page), (name, "legend cut off")
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            for t in (ax.title, ax._left_title, *_shown_ticks(ax)):
                if t.get_visible() and t.get_text():
                    assert _inside(t.get_window_extent(r), page), (name, t.get_text())
            if ax.get_legend():
                assert _inside(ax.get_legend().get_window_extent(r), page), (name, "legend")
            if "map" in name:
                continue  # labels of a map may reach past its frame by design
            box = ax.get_window_extent(r)
            for t in ax.texts:
                if t.get_visible() and t.get_text():
                    assert _inside(t.get_window_extent(r), box), (name, t.get_text())
            legend = ax.get_legend()
            if legend and legend.get_bbox_to_anchor().bounds == ax.bbox.bounds:  # placed inside
                assert _inside(legend.get_window_extent(r), box), (name, "legend past its panel")


def test_legends_do_not_overlap_each_other(figures):
    for name, fig in figures.items():
        r = fig.canvas.get_renderer()
        legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
        boxes = [leg.get_window_extent(r) for leg in legends]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b), (name, "two legends overlap")


def test_distribution_notes_stay_above_the_curves(figures):
    for name in ("run:distributions", "comparison:distributions"):
        fig = figures[name]
        r = fig.canvas.get_renderer()
        for ax in fig.axes:
            notes = [t.get_window_extent(r) for t in ax.texts if t.get_text()]
            if not notes:
                continue
            low = min(b.y0 for b in notes)
            peak = max(
                (p.get_window_extent(r).y1 for p in ax.patches if isinstance(p, StepPatch)),
                default=0.0,
            )
            assert peak <= low + 1, (name, ax.get_title(), "the notes cover the histogram")


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
    # one definition in sim.analysis.metrics: plotting cannot import the comparison runner
    from sim.analysis import compare, metrics
    from sim.output.plotting import experiments

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


# --------------------------------------------------------------------------- edge cases


def _texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def _panel(fig: Figure, title: str):
    return next(
        ax
        for ax in fig.axes
        if ax.get_title().startswith(title) or ax.get_title(loc="left").startswith(title)
    )


def test_a_run_without_teams_says_so_instead_of_drawing_empty_panels(no_teams):
    d = no_teams / "runs" / "no_teams"
    _, makers = P.figure_makers(d)
    # no incident ever had a team: nothing to break down, every other figure is there
    assert list(makers) == [k for k in P.RUN_KINDS if k != "breakdown"]
    for kind in ("distributions", "ecdf", "violins"):
        fig = makers[kind]()
        ax = _panel(fig, "Response time")
        assert NO_RESPONSE in _texts(ax), kind
        assert not ax.get_xticks().size and not ax.get_yticks().size, kind  # no made-up scale
    fig = makers["map"]()
    assert NO_RESPONSE in _texts(_panel(fig, "Median response time"))
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 1 and bars[0].get_ylim()[0] == 0  # violations per day, from zero
    for kind in ("week", "timeline"):
        assert "No teams" in _texts(_panel(makers[kind](), "Teams busy")), kind
    with pytest.raises(P.ResultsError, match="no incident asked for a team"):
        P.make_figures(d, ["breakdown"], makers=makers)


def test_the_ecdf_covers_a_configuration_the_reference_has_no_data_for(no_teams):
    runs = P.comparison_runs(no_teams)
    assert [r.name for r in runs] == ["no_teams", "baseline", "tight_target"]
    fig = P.figure_makers(no_teams)[1]["ecdf"]()
    ax = _panel(fig, "Response time")
    p99 = max(np.nanpercentile(P.delay_samples(r)["response"]["values"], 99) for r in runs[1:])
    div = 60.0 if ax.get_xlabel().endswith("(h)") else 1.0
    assert ax.get_xlim()[1] >= p99 / div
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "no_teams: no incident asked for a team", labels
    # the same with data reaching well past the target
    values = np.linspace(60.0, 6000.0, 100)
    fig = P.plot_ecdf(
        {"ref": {k: np.array([]) for k in P.DELAY_KEYS}, "b": {k: values for k in P.DELAY_KEYS}},
        {"response": 24 * 60},
    )
    assert _panel(fig, "Response time").get_xlim()[1] >= np.percentile(values, 99) / 60


def test_each_configuration_is_counted_against_its_own_target(no_teams):
    fig = P.figure_makers(no_teams)[1]["ecdf"]()
    ax = _panel(fig, "Response time")
    shown = {}
    for t in ax.get_legend().get_texts():
        m = re.match(r"(\w+): (\d+)% within (.+)$", t.get_text())
        if m:
            shown[m.group(1)] = (int(m.group(2)), m.group(3))
    assert shown["baseline"][1] == "24 h" and shown["tight_target"][1] == "12 h", shown
    # each share against its own target, pooled over the replications as the figure
    # draws them (incidents never answered count, as NaN); the other target's share
    # differs, so a share counted against the wrong target would show
    runs = {r.name: r for r in comparison_runs(no_teams)}
    limits = {"baseline": 24 * 60, "tight_target": 12 * 60}
    for name, limit in limits.items():
        v = delay_samples(runs[name])["response"]["values"]
        assert shown[name][0] == round(100 * np.mean(v <= limit)), (name, shown)
        other = min(limits.values()) if limit == max(limits.values()) else max(limits.values())
        assert shown[name][0] != round(100 * np.mean(v <= other)), (name, shown)
    assert shown["baseline"][0] - shown["tight_target"][0] > 10
    # targets that differ are drawn each in its configuration's colour
    lines = {ln.get_label(): to_hex(ln.get_color()) for ln in ax.lines}
    assert lines["target of baseline: 24 h"] == P.PALETTE[1].lower()
    assert lines["target of tight_target: 12 h"] == P.PALETTE[2].lower()


def test_a_one_point_sweep_shows_its_interval(sweeps):
    fig = P.figure_makers(sweeps["single"])[1]["sweep"]()
    assert "1 point × 2 replications" in fig._suptitle.get_text()
    for ax in fig.axes:
        bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert bars and not any(isinstance(c, PolyCollection) for c in ax.collections)
        (x,) = bars[0].lines[0].get_xdata()
        lo, hi = ax.get_xlim()
        assert lo < x < hi and min(x - lo, hi - x) > 0.1 * (hi - lo)  # not on a spine


def test_intervals_are_cut_to_the_possible_range(figures):
    fig = figures["comparison:metrics"]
    for ax in fig.axes:
        share = ax.get_title() == "Shares"
        for c in ax.containers:
            for seg in c.lines[2][0].get_segments():
                xs = [p[0] for p in seg]
                assert min(xs) >= 0 and (not share or max(xs) <= 100), (ax.get_title(), xs)
    # short times get a minutes panel: no mean of a few minutes on the hours axis' zero line
    minutes = _panel(fig, "Shorter times")
    assert minutes.get_xlabel() == "Time (min)"
    assert "Time to acknowledge, mean" in [t.get_text() for t in minutes.get_yticklabels()]


def test_a_frontier_rings_the_best_point_behind_it_and_lists_only_what_it_shows(sweeps):
    meta = json.loads((sweeps["least"] / "frontier.json").read_text())
    rows = [dict(r, feasible=k in (1, 2)) for k, r in enumerate(meta["rows"])]
    best = rows[1]
    fig = P.plot_frontier(rows, meta["constraints"], best)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "meets every target (95%)" in labels and "misses a target" in labels
    for ax in fig.axes:
        (ring,) = [ln for ln in ax.lines if ln.get_markersize() > 10]
        points = [c.lines[0] for c in ax.containers]
        assert ring.get_zorder() < min(p.get_zorder() for p in points)
        assert ring.get_xdata()[0] in [p.get_xdata()[0] for p in points]  # at the dodged x
    fig = P.plot_frontier([dict(r, feasible=False) for r in rows], meta["constraints"], None)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "meets every target (95%)" not in labels and "misses a target" in labels


def test_a_frontier_crosses_out_points_that_failed_their_confirmation(sweeps):
    meta = json.loads((sweeps["least"] / "frontier.json").read_text())
    rows = [dict(r, feasible=True) for r in meta["rows"]]
    fig = P.plot_frontier(rows, meta["constraints"], rows[1], not_confirmed=[rows[0]])
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "met the targets, not on fresh replications" in labels
    for ax in fig.axes:
        (cross,) = [ln for ln in ax.lines if ln.get_marker() == "x"]
        points = {c.lines[0].get_xdata()[0]: c.lines[0].get_ydata()[0] for c in ax.containers}
        assert points[cross.get_xdata()[0]] == pytest.approx(cross.get_ydata()[0])
    fig = P.plot_frontier(rows, meta["constraints"], rows[0])
    assert "met the targets, not on fresh replications" not in [
        t.get_text() for t in fig.legends[0].get_texts()
    ]


def test_violins_say_when_replications_are_left_out(small):
    data = P.load_run(small)
    for t in ("reports", "incidents"):
        cols = data.tables[t]
        reps = cols["replication"]
        data.tables[t] = {
            k: np.concatenate([v + 2 * j if k == "replication" else v for j in range(7)])
            for k, v in cols.items()
        }
        assert data.tables[t]["replication"].max() == reps.max() + 12
    fig = P.run_figures([data])["violins"]()
    assert "the first 12 of 14 replications" in fig._suptitle.get_text()


def test_comparison_timelines_draw_earlier_configurations_wider(figures):
    for kind in ("timeline", "week"):
        ax = figures[f"comparison:{kind}"].axes[0]
        widths = [ln.get_linewidth() for ln in ax.lines if not ln.get_label().startswith("_")]
        assert widths[0] > widths[1], (kind, widths)


def test_bins_under_a_minute_are_labelled_in_seconds():
    fig = P.plot_distributions({"a": {k: np.linspace(0.0, 10.0, 200) for k in P.DELAY_KEYS}})
    assert "per 15-s bin" in fig.axes[0].get_ylabel()


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
    assert kind == "comparison" and list(makers) == ["metrics", "differences", "outcomes"]
    with pytest.raises(P.ResultsError, match="--tables"):
        P.make_figures(bare, ["ecdf"])


def test_a_run_without_its_tables_says_so(small, tmp_path, capsys):
    d = tmp_path / "kept"
    d.mkdir()
    for f in ("summary.json", "scenario.yaml", "metadata.json"):
        (d / f).write_bytes((small / f).read_bytes())
    assert main(["plot", str(d)]) == 2
    assert "tables of this run were not kept" in capsys.readouterr().err


# --------------------------------------------------------------------------- desk load by hour


def _hourly_means_from_file(run_dir: Path, column: str) -> list[float]:
    """Mean of ``column`` per hour of the day over the samples after the warm-up,
    read straight from timeseries.parquet with pyarrow (independent of sim)."""
    import pyarrow.parquet as pq

    warmup = P.load_run(run_dir).scenario.warmup  # minutes
    sums, counts = [0.0] * 24, [0] * 24
    for row in pq.read_table(run_dir / "timeseries.parquet").to_pylist():
        t = float(row["time"])
        if t < warmup:
            continue
        h = int((t % 1440) // 60)
        sums[h] += float(row[column])
        counts[h] += 1
    assert all(counts), counts
    return [a / n for a, n in zip(sums, counts)]


def test_hourly_bars_are_the_mean_busy_officers_of_each_hour(small):
    fig = P.figure_makers(small)[1]["hourly"]()
    for desk in ("RU", "UA", "US"):
        ax = _panel(fig, f"{desk} desk: officers busy")
        bars = [b for b in ax.patches if isinstance(b, Rectangle)]
        bars.sort(key=lambda b: b.get_x())
        assert [b.get_x() for b in bars] == list(range(24)), desk
        expected = _hourly_means_from_file(small, f"busy_{desk}")
        assert [b.get_height() for b in bars] == pytest.approx(expected, abs=1e-9), desk
        queue = sorted(
            _panel(fig, f"{desk} desk: reports waiting").patches, key=lambda b: b.get_x()
        )
        assert [b.get_height() for b in queue] == pytest.approx(
            _hourly_means_from_file(small, f"queue_{desk}"), abs=1e-9
        )


def test_the_hourly_staffing_line_is_the_shift_plan_the_run_had_on_duty(small):
    fig = P.figure_makers(small)[1]["hourly"]()
    series = P.read_table(small / "timeseries.parquet")
    for desk in ("RU", "UA", "US"):
        (step,) = [
            a
            for a in _panel(fig, f"{desk} desk: officers busy").patches
            if isinstance(a, StepPatch)
        ]
        values, edges = step.get_data().values, step.get_data().edges
        assert edges[0] == 0 and edges[-1] == 24 and len(values) == 1440
        minute = (series["time"] % 1440).astype(int)
        assert np.array_equal(values[minute], series[f"on_duty_{desk}"]), desk
    # the baseline has fewer officers at night than by day: the step shows it
    assert values.min() < values.max()


def test_a_thin_night_shift_shows_in_the_hourly_figure(comparison):
    fig = P.figure_makers(comparison / "runs" / LONG_NAME)[1]["hourly"]()
    ax = _panel(fig, "RU desk: officers busy")
    (step,) = [a for a in ax.patches if isinstance(a, StepPatch)]
    plan = step.get_data().values
    assert plan[23 * 60] == 1 and plan[12 * 60] == 4  # one officer at night, four by day
    busy = {int(b.get_x()): b.get_height() for b in ax.patches if not isinstance(b, StepPatch)}
    night = np.mean([busy[h] / plan[60 * h] for h in range(6)])
    day = np.mean([busy[h] / plan[60 * h] for h in range(9, 21)])
    assert night > 1.5 * day  # per officer on duty, the night is much busier than the day


# --------------------------------------------------------------------------- outcomes


def test_the_outcome_figure_adds_up_and_shows_the_saved_differences(comparison):
    meta = json.loads((comparison / "comparison.json").read_text())
    fig = P.figure_makers(comparison)[1]["outcomes"]()
    bars = _panel(fig, "Outcome of every incident")
    ends = {}
    for b in bars.patches:
        y = round(b.get_y() + b.get_height() / 2)
        ends[y] = max(ends.get(y, 0.0), b.get_x() + b.get_width())
    assert sorted(ends) == [0, 1] and all(v == pytest.approx(100.0) for v in ends.values())
    # every share the figure draws for the reference, against the counts
    counts = meta["counts"]["baseline"]
    shares = [c["incidents"]["verified"] / sum(c["incidents"].values()) for c in counts]
    top = [b for b in bars.patches if round(b.get_y() + b.get_height() / 2) == 0]
    first = min(top, key=lambda b: b.get_x())
    assert first.get_width() == pytest.approx(100 * np.mean(shares))  # verified comes first
    # the paired difference of "verified" is the comparison's own, filled when significant
    diffs = _panel(fig, "Paired difference")
    labels = [t.get_text().replace("\n", " ") for t in diffs.get_yticklabels()]
    row = next(
        r
        for r in meta["rows"]
        if r["metric"] == "incidents_verified" and r["configuration"] != "baseline"
    )
    (dot,) = [
        c.lines[0]
        for c in diffs.containers
        if round(c.lines[0].get_ydata()[0]) == labels.index("verified")
    ]
    assert dot.get_xdata()[0] == pytest.approx(100 * row["diff_mean"])
    filled = to_hex(dot.get_markerfacecolor()) != "#ffffff"
    assert filled == bool(row["significant"])


def test_sweep_outcomes_add_up_for_every_point(sweeps):
    meta = json.loads((sweeps["grid2"] / "sweep.json").read_text())
    fig = P.figure_makers(sweeps["grid2"])[1]["outcomes"]()
    (ax,) = fig.axes
    ends = {}
    for b in ax.patches:
        y = round(b.get_y() + b.get_height() / 2)
        ends[y] = max(ends.get(y, 0.0), b.get_x() + b.get_width())
    assert len(ends) == meta["points"] and all(v == pytest.approx(100.0) for v in ends.values())
