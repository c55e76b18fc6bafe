"""The output layer: what people read, from results as plain data.

- :mod:`~sim.output.rundir`: a run's or a comparison's result directory;
- :mod:`~sim.output.console`: the printed summary and progress bars;
- :mod:`~sim.output.results`: saved results read back as plain data for figures;
- :mod:`~sim.output.plotting`: every figure (matplotlib);
- :mod:`~sim.output.report`: the self-contained HTML report.

May import: every layer below (records, scenario, world, engine, analysis),
but figures and reports only read results: they never run the model.
"""
