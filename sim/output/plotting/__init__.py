"""Figures from saved results: delay distributions, breakdowns, timelines, comparisons, the map.

Plotting reads result directories (or the same plain data built in memory
right after a run, :func:`sim.output.results.run_data`) and never runs the model.
Every ``plot_*`` function takes plain data (dicts of lists and numpy arrays)
and returns a :class:`matplotlib.figure.Figure`; :func:`save` writes it so
that the same data always give the same bytes. Figures are built with
matplotlib's object-oriented API on the Agg canvas: importing this package
does not touch pyplot or the global backend.

Colours: configurations get :data:`PALETTE` colours by their order, so the
reference (the first configuration of a comparison, or the scenario of a
run) is always the same blue. Times are shown in minutes when short and in
hours otherwise; simulated time on timelines in days.

Modules: :mod:`~sim.output.plotting.style` (colours, style, figure helpers,
saving), :mod:`~sim.output.plotting.delays` (distributions, ECDF, violins,
breakdowns), :mod:`~sim.output.plotting.timelines`,
:mod:`~sim.output.plotting.staffing` (desk load by hour of the day against the
shift plan), :mod:`~sim.output.plotting.maps`,
:mod:`~sim.output.plotting.experiments` (comparisons, sweeps, heatmaps),
:mod:`~sim.output.plotting.outcomes` (what became of the incidents),
:mod:`~sim.output.plotting.frontier` (the staffing search),
:mod:`~sim.output.plotting.fitting` (the goodness of fit of ``cfsim fit``),
:mod:`~sim.output.plotting.captions` (how to read each figure) and
:mod:`~sim.output.plotting.figures` (which figures a directory supports,
writing them). Reading results and deriving plot data is
:mod:`sim.output.results`; its public names are available here too.
"""

from __future__ import annotations

from ..results import (
    OUTCOME_PARTS,
    ResultsError,
    RunData,
    comparison_outcomes,
    comparison_runs,
    daily_means,
    daily_violations,
    daily_violations_by_region,
    delay_samples,
    detect,
    hour_of_day_means,
    hourly_load,
    load_run,
    map_values,
    read_table,
    reduced_staffing,
    response_breakdown,
    run_data,
    staffing_levels,
    sweep_outcomes,
    week_window,
)
from .delays import (
    DELAY_KEYS,
    DELAY_LABELS,
    DELAY_SPANS,
    DELAY_UNITS,
    ecdf,
    plot_breakdown,
    plot_distributions,
    plot_ecdf,
    plot_violins,
)
from .experiments import (
    METRIC_KIND,
    METRIC_LABEL,
    SWEEP_METRICS,
    plot_heatmap,
    plot_metrics,
    plot_sweep,
)
from .frontier import plot_frontier
from .figures import KINDS, RUN_KINDS, figure_makers, make_figures, run_figures
from .maps import km_per_degree_lon, plot_map
from .outcomes import plot_outcomes, plot_sweep_outcomes
from .staffing import plot_hourly
from .style import DESK_COLOURS, DPI, FORMATS, PALETTE, STYLE, colour, png_bytes, save, time_unit
from .timelines import plot_timeline, timeline_panels, week_panels

__all__ = [
    # figure kinds and writing figures
    "KINDS",
    "RUN_KINDS",
    "figure_makers",
    "make_figures",
    "run_figures",
    "save",
    "png_bytes",
    # the figures
    "plot_breakdown",
    "plot_distributions",
    "plot_ecdf",
    "plot_frontier",
    "plot_heatmap",
    "plot_hourly",
    "plot_map",
    "plot_metrics",
    "plot_outcomes",
    "plot_sweep",
    "plot_sweep_outcomes",
    "plot_timeline",
    "plot_violins",
    # style
    "DESK_COLOURS",
    "DPI",
    "FORMATS",
    "PALETTE",
    "STYLE",
    "colour",
    "time_unit",
    # plot data
    "DELAY_KEYS",
    "DELAY_LABELS",
    "DELAY_SPANS",
    "DELAY_UNITS",
    "METRIC_KIND",
    "METRIC_LABEL",
    "SWEEP_METRICS",
    "ecdf",
    "km_per_degree_lon",
    "timeline_panels",
    "week_panels",
    # from sim.results
    "OUTCOME_PARTS",
    "ResultsError",
    "RunData",
    "comparison_outcomes",
    "comparison_runs",
    "daily_means",
    "daily_violations",
    "daily_violations_by_region",
    "delay_samples",
    "detect",
    "hour_of_day_means",
    "hourly_load",
    "load_run",
    "map_values",
    "read_table",
    "reduced_staffing",
    "response_breakdown",
    "run_data",
    "staffing_levels",
    "sweep_outcomes",
    "week_window",
]
