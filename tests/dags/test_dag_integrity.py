"""DAG integrity: the DAG imports cleanly, is configured as the design says, and does no work at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from readiness.contracts import EXTRACTS
from readiness.marts import mart_names

REPO_ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "readiness_nightly"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO_ROOT / "dags"))


@pytest.fixture(scope="module")
def dag(dagbag):
    return dagbag.dags[DAG_ID]


def test_dags_import_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert DAG_ID in dagbag.dags


def test_dag_settings(dag) -> None:
    assert {"readiness", "hr", "lms", "finance"} <= set(dag.tags)
    assert dag.catchup is False
    assert dag.max_active_runs == 1, "DuckDB has one writer: one run at a time"
    assert dag.doc_md and "readiness_nightly" in dag.doc_md
    assert dag.start_date.tzinfo is not None


def _watcher_node_task(task) -> bool:
    """A cosmos watcher task that reports a node's outcome from the producer's log (writes no DuckDB)."""
    return task.task_id.startswith("transform.") and not task.task_id.endswith(".dbt_producer_watcher")


def test_every_task_retries_and_every_writer_uses_the_single_writer_pool(dag) -> None:
    for task in dag.tasks:
        assert task.retries >= 1, f"{task.task_id} has no retries"
        assert task.on_failure_callback, f"{task.task_id} would fail without recording why in ops.pipeline_runs"
        if _watcher_node_task(task):
            # After the producer and before publish, the next writer: no need to queue for the slot.
            assert task.pool == "default_pool", f"{task.task_id} holds the DuckDB slot without writing"
        else:
            assert task.pool == "readiness_duckdb", f"{task.task_id} writes DuckDB outside the one-slot pool"
    assert any(_watcher_node_task(task) for task in dag.tasks)


def _parse_with(monkeypatch: pytest.MonkeyPatch, dbt_tasks: str):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("READINESS_DBT_TASKS", dbt_tasks)
    return DagBag(dag_folder=str(REPO_ROOT / "dags"))


def test_the_build_rendering_is_one_cosmos_dbt_build_task_in_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """What deploy/airflow.env sets for a real executor: one task running `dbt build` in a subprocess."""
    from cosmos.constants import InvocationMode
    from cosmos.operators.local import DbtBuildLocalOperator

    bag = _parse_with(monkeypatch, "build")
    assert bag.import_errors == {}
    dag = bag.dags[DAG_ID]
    dbt_tasks = [t for t in dag.tasks if t.task_id.startswith("transform.")]
    assert [t.task_id for t in dbt_tasks] == ["transform.build"]
    build = dbt_tasks[0]
    assert isinstance(build, DbtBuildLocalOperator)
    assert build.invocation_mode == InvocationMode.SUBPROCESS, "dbt-duckdb would keep the files open in-process"
    assert build.pool == "readiness_duckdb" and build.retries >= 1 and build.on_failure_callback
    assert dag.get_task("prepare_candidate").downstream_task_ids == {"transform.build"}
    assert build.downstream_task_ids == {"publish"}
    # The as-of date reaches dbt through the environment (templated), not as a var: partial parsing holds.
    assert build.env["READINESS_AS_OF_DATE"] == "{{ ds }}" and "as_of_date" not in build.vars


def test_the_deployment_settings_choose_the_build_rendering() -> None:
    from readiness import service

    assert service.read_env_file(service.SHARED_CONFIG)["READINESS_DBT_TASKS"] == "build"


def test_an_unknown_rendering_is_an_import_error_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    bag = _parse_with(monkeypatch, "per-model")
    errors = "\n".join(bag.import_errors.values())
    assert "READINESS_DBT_TASKS='per-model': expected one of nodes, build" in errors


def test_one_load_and_one_validation_per_extract_before_dbt(dag) -> None:
    ids = set(dag.task_ids)
    dbt_tasks = [t for t in dag.tasks if t.task_id.startswith("transform.")]
    assert dbt_tasks, "the dbt project is not rendered into the DAG"
    prepare = dag.get_task("prepare_candidate")
    for extract in EXTRACTS:
        load = f"{extract.source}.load_{extract.name}"
        validate = f"{extract.source}.validate_{extract.name}"
        assert {load, validate} <= ids
        assert validate in dag.get_task(load).downstream_task_ids
        assert "prepare_candidate" in dag.get_task(validate).downstream_task_ids
    # nothing of dbt runs before every validation has passed
    upstream_of_dbt = {t.task_id for t in dbt_tasks for t in t.get_flat_relatives(upstream=True)}
    assert prepare.task_id in upstream_of_dbt
    assert all(f"{e.source}.validate_{e.name}" in upstream_of_dbt for e in EXTRACTS)


def test_export_report_and_docs_follow_the_publication(dag) -> None:
    """Exports, the report and the dbt docs are made from the version just published, never from a candidate."""
    assert dag.get_task("publish").downstream_task_ids == {"export", "dbt_docs", "alert"}
    assert dag.get_task("export").downstream_task_ids == {"report"}
    assert not dag.get_task("report").downstream_task_ids
    assert not dag.get_task("dbt_docs").downstream_task_ids
    assert not dag.get_task("alert").downstream_task_ids, "the night digest compares with the version just replaced"


def test_a_failed_run_alerts_once_from_the_dag_callback(dag) -> None:
    assert dag.on_failure_callback, "a failed run must send its one alert message (readiness.alerts)"


def test_assets_are_emitted_by_publish_only(dag) -> None:
    producers = {t.task_id: {o.name for o in t.outlets} for t in dag.tasks if t.outlets}
    assert set(producers) == {"publish"}
    assert producers["publish"] == {f"readiness.marts.{m}" for m in mart_names()}


def test_import_does_no_work(tmp_path: Path) -> None:
    """Importing the DAG file must not touch the data root, a database or the network."""
    data_dir = tmp_path / "never-created"
    code = textwrap.dedent(f"""
        import socket, runpy
        def refuse(*a, **k):
            raise AssertionError("network access at import")
        socket.socket.connect = refuse
        runpy.run_path({str(REPO_ROOT / "dags" / "readiness_nightly.py")!r})
    """)
    env = {**os.environ, "READINESS_DATA_DIR": str(data_dir)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not data_dir.exists(), "importing the DAG created the data folder"


#: What the scheduler must not pay for on every parse (about 4 s of imports when the DAG file pulled them in).
HEAVY_MODULES = ("pandas", "pyarrow", "duckdb", "dbt", "great_expectations")


def test_parsing_the_dag_imports_nothing_heavy() -> None:
    """The dag-processor re-parses the file every 30 s: the stages' libraries are imported by the tasks."""
    code = textwrap.dedent(f"""
        import json, runpy, sys
        runpy.run_path({str(REPO_ROOT / "dags" / "readiness_nightly.py")!r})
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {list(HEAVY_MODULES)!r})))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert imported == [], f"parsing the DAG file imported {sorted({m.split('.')[0] for m in imported})}"


def test_dbt_runs_once_and_every_node_task_waits_for_it(dag) -> None:
    """One `dbt build` (cosmos watcher producer, in a subprocess); the per-node tasks only report its outcome
    and all come after it, so no node task can wait on a producer that has not started."""
    from cosmos.constants import InvocationMode
    from cosmos.operators.watcher import DbtProducerWatcherOperator

    dbt_tasks = [t for t in dag.tasks if t.task_id.startswith("transform.")]
    producers = [t for t in dbt_tasks if isinstance(t, DbtProducerWatcherOperator)]
    assert len(producers) == 1
    producer = producers[0]
    assert producer.invocation_mode == InvocationMode.SUBPROCESS, "dbt-duckdb would keep the files open in-process"
    after = {t.task_id for t in producer.get_flat_relatives(upstream=False)}
    assert {t.task_id for t in dbt_tasks} - after == {producer.task_id}
    node_tasks = {t.task_id for t in dbt_tasks} - {producer.task_id, f"{producer.task_id}_done"}
    assert {"transform.skills_coverage.run", "transform.skills_coverage.test"} <= node_tasks
    for task_id in producer.downstream_task_ids - {f"{producer.task_id}_done"}:
        assert dag.get_task(task_id).trigger_rule == "one_done", task_id
