"""The world of one replication, window by window: violations and the reports that arrive.

A replication's violations and reports are not drawn for the whole horizon
up front but one window (a simulated week by default) at a time, so memory
does not grow with the horizon. Every draw is keyed by its entity
(:mod:`sim.world.streams`), so the windows do not change any result: the
violations of a window are the same as those of the whole horizon in that
window, and a report of a violation drawn in one window arrives in whichever
later window its delay takes it to.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..scenario.schema import Scenario
from .reporting import ReportSource
from .violations import ViolationModel, ViolationSource

WINDOW = 7 * 1440.0  # minutes of simulated time drawn at a time


class WorldFeed:
    """Violations and reports of one replication, in time order, window by window.

    Parameters
    ----------
    scenario : Scenario
    model : ViolationModel
        The violation process on the scenario's graph.
    graph, nodes : the network and its node order.
    seed, replication : int
        Select the keyed streams.
    window : float
        Minutes of simulated time per window.
    """

    def __init__(
        self,
        scenario: Scenario,
        model: ViolationModel,
        graph: nx.Graph,
        nodes: list[str],
        seed: int,
        replication: int,
        window: float = WINDOW,
    ):
        self.horizon = scenario.horizon
        self.window = window
        self.violations = ViolationSource(model, seed, replication, self.horizon)
        self.reports = ReportSource(
            scenario.reporting, scenario.violations, graph, nodes, seed, replication, self.horizon
        )
        self.now = 0.0
        self.next_report = 0
        self.waiting: dict[str, np.ndarray] | None = None  # drawn, arriving in a later window

    @property
    def done(self) -> bool:
        return self.now >= self.horizon

    def next_window(self) -> tuple[float, dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The next window: ``(end, violations, reports)``.

        ``violations`` are those that happen in the window, with ``n_reports``
        and ``first_report`` (every report of each, whenever it arrives);
        ``reports`` are those that arrive in the window, numbered on from the
        previous window, sorted by arrival.
        """
        end = min(self.now + self.window, self.horizon)
        v = self.violations.until(end)
        channel = self.reports.of_violations(v)
        count = np.zeros(v["time"].size, dtype=np.int64)
        first = np.full(v["time"].size, np.nan)
        base = int(v["violation"][0]) if v["violation"].size else 0
        for part in channel:
            local = part["violation"] - base
            np.add.at(count, local, 1)
            np.fmin.at(first, local, part["arrival"])
        v = {**v, "n_reports": count, "first_report": first}
        parts = [p for p in channel if p["arrival"].size]
        parts += self.reports.false_reports(end)
        if self.waiting is not None:
            parts.append(self.waiting)
        if parts:
            cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
            due = cols["arrival"] < end
            later = {k: c[~due] for k, c in cols.items()}
            self.waiting = later if later["arrival"].size else None
            now = self.reports.table([{k: c[due] for k, c in cols.items()}], self.next_report)
        else:
            now = self.reports.table([], self.next_report)
            self.waiting = None
        self.next_report += now["arrival"].size
        self.now = end
        return end, v, now
