"""Dagster definitions over the lake: staging, marts, checks, models, reports (see defs/).

Two Dagster beta warnings are silenced here, the first module of ours any process loading the
code location imports (the CLI, ``dagster dev``, a step process): they named parameters we use
on purpose and would print on every ``cpo pipelines run`` and ``cpo demo``. Only these two: any
other warning still shows.
- ``backfill_policy=`` on the staging asset: a backfill of many days runs as one run.
- ``owners`` of ``SensorDefinition``: passed by Dagster itself when it copies a sensor
  (``SensorDefinition.dagster_internal_init``, e.g. binding resources), never by us.
"""

import warnings

for _parameter in ("backfill_policy", "owners"):
    warnings.filterwarnings(
        "ignore", message=rf"Parameter `{_parameter}` of .* is currently in beta"
    )
