"""The time series of a replication: queue lengths, busy officers, teams, open incidents.

A SimPy process samples the state every ``output.sample_interval`` (first
bringing the desks' accounts up to date and expiring due reports, so a sample
sees the state at exactly its time) and hands the rows to the recorder a block
at a time; it also reports progress once per simulated day.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .blocks import BLOCK
from .prepared import SERIES


class Sampler:
    """Samples the state of ``rep`` (a :class:`~sim.engine.replication.Replication`)."""

    def __init__(self, rep: Any):
        self.rep = rep
        self.rows: dict[str, list[float]] = {c: [] for c in SERIES}

    def run(self):
        """The SimPy process: one sample at 0, ``step``, ... before the horizon."""
        rep = self.rep
        env = rep.env
        step = rep.scen.output.sample_interval
        k = int(np.ceil(rep.horizon / step))
        next_progress = 1440.0
        for i in range(k):
            t = i * step
            if t > env.now:
                yield env.timeout(t - env.now)
            rep.center.catch_up()
            rep.center.expire_due()
            s = self.rows
            s["time"].append(t)
            for d in rep.desks:
                s[f"queue_{d.name}"].append(float(d.queued))
                s[f"busy_{d.name}"].append(float(d.busy()))
                s[f"on_duty_{d.name}"].append(d.on_duty.value)
            s["joint_waiting"].append(rep.center.joint_waiting.value)
            s["teams_busy"].append(rep.teams.busy.value)
            s["teams_queue"].append(len(rep.teams.waiting))
            s["incidents_open"].append(rep.open_level.value)
            if len(s["time"]) >= BLOCK:
                self.flush()
            if rep.progress is not None and t >= next_progress:
                rep.progress(t)
                next_progress = t + 1440.0

    def flush(self) -> None:
        """Hand the rows sampled so far to the recorder."""
        if self.rows["time"]:
            cols = {c: np.array(v, dtype=float) for c, v in self.rows.items()}
            self.rep.recorder.write("series", cols)
            self.rows = {c: [] for c in SERIES}
