"""The shipped Dagster configurations (deploy/dagster/) load, and the executor switch works.

The single-machine instance file becomes a real instance; the multi-host examples are checked as
far as possible without their packages (dagster-celery, dagster-k8s are not installed here):
their YAML parses, instance files pass Dagster's own schema, and they name the real module.
"""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator

from pipelines.defs import executor
from pipelines.errors import PipelineError

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "dagster"
CODE_LOCATION = "pipelines.definitions"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_every_example_is_valid_yaml() -> None:
    files = sorted(DEPLOY.rglob("*.yaml"))
    assert {f.relative_to(DEPLOY).as_posix() for f in files} >= {
        "dagster.yaml",
        "run_config.multiprocess.yaml",
        "celery/dagster.yaml",
        "celery/run_config.yaml",
        "celery/workspace.yaml",
        "k8s/values.yaml",
        "k8s/run_config.k8s_job_executor.yaml",
    }
    for f in files:
        assert isinstance(load(f), dict), f


@pytest.mark.slow
def test_single_machine_instance_queues_runs_with_a_writer_limit(tmp_path: Path) -> None:
    shutil.copy(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        coordinator = instance.run_coordinator
        assert isinstance(coordinator, QueuedRunCoordinator)
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None
        assert queue.max_concurrent_runs == 2
        assert {"key": "cpo/writes", "value": "warehouse", "limit": 1} in (
            queue.tag_concurrency_limits or []
        )


def test_multiprocess_run_config_fits_the_staging_job() -> None:
    from pipelines.definitions import defs

    job = defs().resolve_job_def("stage_days")
    config = load(DEPLOY / "run_config.multiprocess.yaml")
    execution = dg.validate_run_config(job, config)["execution"]
    assert execution["multi_or_in_process_executor"]["multiprocess"]["max_concurrent"] == 2


def test_celery_instance_passes_dagsters_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DAGSTER_PG_HOST", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB"):
        monkeypatch.setenv(name, "x")
    config, _ = dagster_instance_config(str(DEPLOY / "celery"))
    assert "postgres" in config["storage"]
    assert config["run_launcher"]["module"] == "dagster_celery.launcher"
    assert config["concurrency"]["runs"]["tag_concurrency_limits"][0]["key"] == "cpo/writes"
    workspace = load(DEPLOY / "celery" / "workspace.yaml")
    assert workspace["load_from"][0]["python_module"]["module_name"] == CODE_LOCATION
    assert set(load(DEPLOY / "celery" / "run_config.yaml")["execution"]["config"]) >= {
        "broker",
        "backend",
    }


def test_helm_values_serve_the_code_location_on_kubernetes() -> None:
    values = load(DEPLOY / "k8s" / "values.yaml")
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", CODE_LOCATION]
    importlib.import_module(CODE_LOCATION)  # the module the image must contain
    env = {e["name"]: e["value"] for e in deployment["env"]}
    assert env["CPO_LAKE_URL"].startswith("s3://")
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert {"key": "cpo/writes", "value": "warehouse", "limit": 1} in queued["tagConcurrencyLimits"]
    assert values["postgresql"]["enabled"] is True
    step = load(DEPLOY / "k8s" / "run_config.k8s_job_executor.yaml")["execution"]["config"]
    assert step["max_concurrent"] >= 1


def test_executor_defaults_to_multiprocess(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(executor.EXECUTOR_ENV, raising=False)
    assert executor.chosen_executor() is dg.multi_or_in_process_executor


@pytest.mark.parametrize(("name", "message"), [
    ("ray", "choose multiprocess, celery, k8s"),
    ("celery", "needs the dagster-celery package"),
    ("k8s", "needs the dagster-k8s package"),
])  # fmt: skip
def test_executor_choice_errors_say_what_to_do(
    monkeypatch: pytest.MonkeyPatch, name: str, message: str
) -> None:
    if name != "ray" and importlib.util.find_spec(executor.CHOICES[name][0]) is not None:
        pytest.skip(f"{executor.CHOICES[name][2]} is installed")
    monkeypatch.setenv(executor.EXECUTOR_ENV, name)
    with pytest.raises(PipelineError, match=message):
        executor.chosen_executor()
