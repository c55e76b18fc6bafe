"""How to read each figure: the note under it in the report (the figure kinds'
one-line descriptions are :data:`sim.output.plotting.figures.KINDS`)."""

from __future__ import annotations

READING: dict[str, str] = {
    "distributions": "Each panel is a histogram of one delay: the height of a step is the "
    "share of the cases with a value (those where the event happened; the n in brackets) "
    "that fell in that bin, so each histogram adds up to 100%. The dashed line is the "
    "median. The axis stops at the 99th percentile so that the bulk stays readable; the "
    "longest case is noted.",
    "ecdf": "Follow a vertical line from any time on the axis: the curve tells what share of "
    "cases took at most that long. The dotted red line is the service target (when "
    "configurations have different targets, each one's is drawn in its colour); the legend "
    "gives each configuration's share within its own target. Cases where the event never "
    "happened (no team went, a report expired) count in the total, so a curve that levels "
    "off below 100% shows the share that never got there.",
    "violins": "The box covers the middle half of the cases (white line: median; white dot: "
    "mean), the whiskers reach the 5th and 95th percentiles and the shaded violin shows where "
    "the cases cluster. Differences between replications show how much one run varies by "
    "chance.",
    "breakdown": "Bars are median response times, the thin line runs on to the 90th "
    "percentile; n is the number of incidents behind a bar (written for up to three "
    "configurations). Use it to see which kinds of incident and which sectors wait "
    "longest; few incidents (small n) make a bar uncertain.",
    "timeline": "Daily means over the whole run. The hatched area is the warm-up, which the "
    "statistics leave out; after it the curves should fluctuate around a level. A curve that "
    "keeps rising means the center does not keep up.",
    "violations": "Violations on the line per day, over the whole run: the step is the mean "
    "over replications and the band (for one run) spans the lowest to the highest "
    "replication. Regimes show as stretches of higher or lower steps, scheduled changes as "
    "a jump at their date. When violations have sizes, the second panel counts what the "
    "monitors would count (shots and explosions), which the center handles as the incidents "
    "of the first panel. The hatched area is the warm-up.",
    "week": "A close look at the first replication, at the scenario's sampling interval: the "
    "week just after the warm-up, or the last days of a shorter run (the title gives the "
    "days and the interval). Shaded hours have fewer officers on duty than the "
    "best-staffed time of day (the night shift): queues that build up there are the cost "
    "of thin staffing.",
    "hourly": "For each desk, the bars are the officers busy in each hour of the day (the "
    "mean of the time-series samples taken in that hour, over every measured day and "
    "replication) and the black step is the number on duty per the shift plan; the lower "
    "panels show the reports waiting for triage. Where the bars reach the step, every officer "
    "on duty is busy and reports queue, as they do under a thin night shift. Busy officers "
    "include those finishing their last report after their shift ended, so just after a "
    "shift change a bar can rise above the step. With several configurations each is a line "
    "in its colour (busy solid, on duty dashed).",
    "outcomes": "Left: what became of every measured incident, per configuration; the parts "
    "add up to 100%. Hatched parts are incidents no team reached or was asked to reach: they "
    "are kept out of the response times, so a configuration with more of them can look "
    "faster only because it measures fewer, easier incidents. Right: the paired difference "
    "of each share against the reference with its 95% interval; filled dots are significant "
    "at 5% after Holm's adjustment, hollow ones are not.",
    "map": "Sectors on the line of contact coloured by how many violations happen there (per "
    "day; the scale starts at zero) and by how long the first team takes to arrive (median; "
    "the scale runs from the fastest to the slowest sector). Triangles are team bases "
    "with their number of teams; open diamonds are rear targets of long-range strikes.",
    "metrics": "Each dot is a configuration's mean over replications, the line its 95% "
    "confidence interval (cut at the possible range: no share below 0 or above 100%, no "
    "time below zero). Times of two hours or more are in hours, shorter ones in their own "
    "panel in minutes. Overlapping intervals do not mean no difference: the paired "
    "differences (next figure) are sharper because every configuration saw the same "
    "violations.",
    "differences": "Each dot is the mean difference from the reference configuration over "
    "paired replications, with its 95% interval. Filled dots are significant at 5% after "
    "Holm's adjustment over every metric and configuration (so an interval that just misses "
    "zero can still be hollow); hollow dots are not.",
    "sweep": "Each panel shows one key metric as the swept parameter changes, with the 95% "
    "confidence interval of each point (cut at the possible range). Look for where a curve "
    "bends: that is where service starts to collapse.",
    "heatmap": "Each cell is one combination of the two parameters; the colour and the "
    "number give the mean, the number below it the 95% half-width. Colour scales start at "
    "zero so a pale difference is a small one.",
    "frontier": "Every configuration explored, by cost. Filled dots meet every target with "
    "95% confidence; the dashed line is the target; the blue step is the best mean that "
    "money can buy at or below each cost; the orange ring marks the cheapest configuration "
    "meeting every target that met them again on fresh replications. A red cross marks a "
    "point that met every target in the search but not on fresh replications: it was "
    "probably lucky and is not recommended.",
}

# A run's map shows violations per day and response times; a comparison's map one
# configuration per panel, coloured by response time only.
RUN_MAP = (
    "The line-of-contact graph: sectors coloured by violations per day and median response "
    "time, bases and rear targets marked",
    READING["map"],
)
COMPARISON_MAP = (
    "The line-of-contact graph, one panel per configuration: sectors coloured by median "
    "response time on one scale, bases and rear targets marked",
    "One panel per configuration, sectors coloured by the median time for the first team to "
    "arrive, on one colour scale running from the fastest to the slowest sector of any "
    "configuration. Triangles are team bases with their number of teams; open diamonds are "
    "rear targets of long-range strikes.",
)
SWEEP_OUTCOMES = (
    "What became of the incidents at each point of the sweep",
    "Each bar is one point of the sweep: the share of its measured incidents by outcome "
    "(mean over replications), adding up to 100%. Hatched parts are incidents no team "
    "reached or was asked to reach, which the response times leave out: when they grow "
    "along the sweep, the response times measure fewer incidents.",
)
