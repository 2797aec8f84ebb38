"""The code location's default executor, chosen by ``CPO_DAGSTER_EXECUTOR`` (same code, any host).

- ``multiprocess`` (default): Dagster's own; a run's steps in processes on the run's machine.
- ``celery``: each step a Celery task on the workers of a broker (needs ``dagster-celery``).
- ``k8s``: each step a Kubernetes Job (needs ``dagster-k8s`` and the instance's K8sRunLauncher).

Jobs that pin their executor keep it: ``build_marts`` runs in process (one DuckDB writer).
Example instance and run configurations: ``deploy/dagster/``; how-to: docs/scale-out-pipelines.md.
"""

from __future__ import annotations

import importlib
import os
from typing import cast

import dagster as dg

from pipelines.errors import PipelineError

EXECUTOR_ENV = "CPO_DAGSTER_EXECUTOR"
# name -> (module, attribute, pip package)
CHOICES = {
    "celery": ("dagster_celery", "celery_executor", "dagster-celery"),
    "k8s": ("dagster_k8s", "k8s_job_executor", "dagster-k8s"),
}


def chosen_executor() -> dg.ExecutorDefinition:
    name = os.environ.get(EXECUTOR_ENV, "multiprocess").strip() or "multiprocess"
    if name == "multiprocess":
        return dg.multi_or_in_process_executor
    if name not in CHOICES:
        raise PipelineError(
            f"{EXECUTOR_ENV}={name!r}: choose multiprocess, {', '.join(CHOICES)}"
        )
    module, attribute, package = CHOICES[name]
    try:
        loaded = importlib.import_module(module)
    except ImportError:
        raise PipelineError(
            f"{EXECUTOR_ENV}={name} needs the {package} package in this environment "
            f"(e.g. `uv pip install {package}` in the image that runs the code location)"
        ) from None
    return cast(dg.ExecutorDefinition, getattr(loaded, attribute))


@dg.definitions
def executor() -> dg.Definitions:
    return dg.Definitions(executor=chosen_executor())
