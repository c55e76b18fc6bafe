"""The analysis layer: statistics, experiments and validation over the engine's records.

- :mod:`~sim.analysis.statistics`: summaries and confidence intervals (pure);
- :mod:`~sim.analysis.metrics`: delays, rates, targets, utilisation and the
  run summary from replication records (pure; the one definition of each
  delay and its population);
- :mod:`~sim.analysis.parallel`: order-independent parallel maps (processes, Dask);
- :mod:`~sim.analysis.experiment`: run a scenario's replications (:func:`run`);
- :mod:`~sim.analysis.compare`: configurations under common random numbers;
- :mod:`~sim.analysis.sweepfile`, :mod:`~sim.analysis.sweep`,
  :mod:`~sim.analysis.optimize`: grids of parameters, resumable, and the staffing search;
- :mod:`~sim.analysis.theory`, :mod:`~sim.analysis.validation`: the model
  against queueing theory.

May import: :mod:`sim.records`, :mod:`sim.scenario`, :mod:`sim.world`,
:mod:`sim.engine`. Never the output layer or the CLI: files other than the
sweep store go through :mod:`sim.records.storage`.
"""
