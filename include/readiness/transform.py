"""Transform: how dbt is run, from Airflow (through cosmos) and from the CLI and tests (dbtRunner).

One place says where the dbt project is, which environment and vars dbt gets, and which
executable runs it, so the nightly DAG, `make run` and the tests build the same warehouse.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from readiness.config import TELEMETRY_OFF, Settings

#: Airflow's pool of tasks that name none (128 slots): for tasks that do not write DuckDB.
DEFAULT_POOL = "default_pool"

#: The repository root when running from a checkout; the image sets READINESS_DBT_PROJECT_DIR.
_REPO_ROOT = Path(__file__).resolve().parents[2]


def project_dir() -> Path:
    return Path(os.environ.get("READINESS_DBT_PROJECT_DIR", _REPO_ROOT / "dbt_project")).resolve()


def manifest_path() -> Path:
    return project_dir() / "target" / "manifest.json"


def dbt_executable() -> str:
    """The dbt of this interpreter's environment (the locked one), not whatever is first on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


#: The run's as-of date for dbt (macro readiness_as_of_date). An environment variable, not a dbt var: dbt
#: re-parses the whole project whenever a var changes (about 5 s of CPU per dbt start, every night), but
#: only the files that read an environment variable when it changes.
AS_OF_DATE_VARIABLE = "READINESS_AS_OF_DATE"


def dbt_env(settings: Settings, as_of_date: str | None = None) -> dict[str, str]:
    """Environment every dbt invocation gets: database paths (absolute), the run's as-of date (may be a
    template, rendered by Airflow) and telemetry off."""
    env = {
        "READINESS_DATA_DIR": str(settings.data_dir),
        "READINESS_INGEST_DB": str(settings.ingest_db),
        "READINESS_CANDIDATE_DB": str(settings.candidate_db),
        "READINESS_STATE_DB": str(settings.state_db),
        **TELEMETRY_OFF,
    }
    if as_of_date:
        env[AS_OF_DATE_VARIABLE] = as_of_date
    return env


def dbt_vars(settings: Settings) -> dict[str, Any]:
    """dbt vars: the configuration the models read (the same every night, so dbt's partial parsing holds)."""
    return {
        "reporting_currency": settings.reporting_currency,
        "small_cell_threshold": settings.small_cell_threshold,
        "fiscal_year_start_month": settings.fiscal_year_start_month,
        "cost_center_tag_keys": list(settings.cost_center_tag_keys),
    }


class DbtFailed(Exception):
    """A dbt command failed; the message carries dbt's own summary of what failed."""


def _dbt_command(settings: Settings, args: list[str]) -> list[str]:
    import json

    project = ["--project-dir", str(project_dir()), "--profiles-dir", str(project_dir())]
    return [*args, *project, "--vars", json.dumps(dbt_vars(settings))]


def _dbt_environment(settings: Settings, warehouse_db: Path | None, as_of_date: str | None) -> dict[str, str]:
    env = dbt_env(settings, as_of_date)
    if warehouse_db is not None:
        env["READINESS_CANDIDATE_DB"] = str(warehouse_db)
        # Its own build state beside it: the night's state stays out of it (and is not locked by it).
        env["READINESS_STATE_DB"] = f"{warehouse_db}.state"
    return env


def run_dbt(
    settings: Settings, args: list[str], *, as_of_date: str | None = None, warehouse_db: Path | None = None
) -> Any:
    """Run a dbt command in-process (dbtRunner) against the candidate warehouse (or ``warehouse_db``)."""
    from dbt.cli.main import dbtRunner

    os.environ.update(_dbt_environment(settings, warehouse_db, as_of_date))
    result = dbtRunner().invoke(_dbt_command(settings, args))
    if not result.success:
        failed = []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) in ("error", "fail"):
                failed.append(f"{node.node.unique_id}: {node.message}")
        detail = "\n  ".join(failed) or str(result.exception)
        raise DbtFailed(f"dbt {' '.join(args)} failed:\n  {detail}")
    return result


def run_dbt_subprocess(
    settings: Settings, args: list[str], *, as_of_date: str | None = None, warehouse_db: Path | None = None
) -> None:
    """The same, in a child process: dbt-duckdb keeps its databases open for the life of its process, which
    inside an Airflow task process (all of them, under `airflow dags test`) would lock later tasks out."""
    import subprocess

    result = subprocess.run(
        [dbt_executable(), *_dbt_command(settings, args)],
        # No colour codes: the output becomes a failure reason in ops, an alert e-mail and a chat message.
        env={**os.environ, **_dbt_environment(settings, warehouse_db, as_of_date), "DBT_USE_COLORS": "false"},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DbtFailed(f"dbt {' '.join(args)} failed:\n{dbt_failures(result.stdout + result.stderr)}")


#: dbt's lines that say what failed (its end-of-run summary and the errors), not the hundreds of SKIPs.
_FAILURE_LINE = re.compile(
    r"(ERROR|FAIL |Failure in|Error in|Database Error|Compilation Error|Runtime Error|Completed with)"
)


def dbt_failures(output: str, limit: int = 3000) -> str:
    """The lines of dbt's output that name what failed and why, with the line after each (dbt's message);
    the output's tail when none matches."""
    lines = output.splitlines()
    picked: list[str] = []
    for number, line in enumerate(lines):
        if _FAILURE_LINE.search(line) and " SKIP " not in line:
            picked += [line, *lines[number + 1 : number + 2]]
    text = "\n".join(dict.fromkeys(kept for kept in picked if kept.strip())) if picked else output[-limit:]
    return text[-limit:]


def docs_dir(settings: Settings) -> Path:
    return settings.docs_dir


def generate_docs(settings: Settings, *, as_of_date: str | None = None) -> Path:
    """Write the dbt docs of the published warehouse as one static page, $READINESS_DATA_DIR/docs/index.html.

    Run after the publish step. dbt reads the catalogue from a private copy of the published warehouse
    (the candidate before the first publication): dbt-duckdb opens its database for writing, which must
    not lock out the BI tools reading the published file. The build happens in a temporary target so the
    manifest cosmos renders the DAG from is left alone; the page replaces the previous one only once whole.
    """
    import tempfile

    from readiness.warehouse import is_postgres

    if is_postgres(settings):
        return _generate_docs_postgres(settings, as_of_date=as_of_date)
    source = settings.published_db if settings.published_db.exists() else settings.candidate_db
    if not source.exists():
        raise FileNotFoundError(
            f"Neither {settings.published_db} nor {settings.candidate_db} exists: build the warehouse "
            "(`dbt build` through the nightly DAG or `make run`) before generating its docs."
        )
    target = docs_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as work:
        copy = Path(work) / "warehouse.duckdb"
        shutil.copyfile(source, copy)
        # A database still open elsewhere may hold its latest changes in the write-ahead log.
        if Path(f"{source}.wal").exists():
            shutil.copyfile(f"{source}.wal", f"{copy}.wal")
        build = Path(work) / "target"
        run_dbt_subprocess(
            settings,
            ["docs", "generate", "--static", "--target-path", str(build)],
            as_of_date=as_of_date,
            warehouse_db=copy,
        )
        return _install_page(build, target)


def _install_page(build: Path, target: Path) -> Path:
    """dbt's static page into ``target``, replacing the previous one only once whole."""
    page = target / "index.html"
    staged = target / "index.html.tmp"
    shutil.copyfile(build / "static_index.html", staged)
    staged.replace(page)
    return page


def _generate_docs_postgres(settings: Settings, *, as_of_date: str | None) -> Path:
    """The docs page of the Postgres warehouse: dbt reads the catalogue of the published schemas (no schema
    prefix, so the marts resolve to ``marts``) through its own connections; nothing is written there."""
    import tempfile
    from datetime import UTC, datetime

    from readiness import pg

    target = docs_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as work:
        build = Path(work) / "target"
        pg.run_dbt(
            settings,
            ["docs", "generate", "--static"],
            as_of_date=as_of_date or datetime.now(UTC).date().isoformat(),
            target_path=str(build),
            schema_prefix="",
        )
        return _install_page(build, target)


def ensure_manifest(settings: Settings) -> Path:
    """Write target/manifest.json, which cosmos reads to render the DAG without running dbt at parse time."""
    run_dbt(settings, ["parse", "--quiet"])
    return manifest_path()


#: How the DAG renders the dbt project (``READINESS_DBT_TASKS``): see ``cosmos_task_group``.
DBT_TASKS_VARIABLE = "READINESS_DBT_TASKS"
DBT_TASKS_MODES = ("nodes", "build")


def dbt_tasks_mode() -> str:
    """``nodes`` (the default, what `make run` shows) or ``build`` (what deploy/airflow.env sets)."""
    mode = os.environ.get(DBT_TASKS_VARIABLE, "nodes").strip().lower() or "nodes"
    if mode not in DBT_TASKS_MODES:
        raise ValueError(
            f"{DBT_TASKS_VARIABLE}={os.environ[DBT_TASKS_VARIABLE]!r}: expected one of {', '.join(DBT_TASKS_MODES)} "
            "(nodes: one Airflow task per dbt node; build: one task running `dbt build`)."
        )
    return mode


def dbt_task_group(settings: Settings, *, group_id: str, pool: str, as_of_date: str) -> Any:
    """The DAG's dbt step for the configured warehouse: cosmos on DuckDB, one build task on Postgres."""
    from readiness.warehouse import is_postgres

    if is_postgres(settings):
        return _postgres_build_group(group_id=group_id, pool=pool, as_of_date=as_of_date)
    return cosmos_task_group(settings, group_id=group_id, pool=pool, as_of_date=as_of_date)


def _postgres_build_group(*, group_id: str, pool: str, as_of_date: str) -> Any:
    """One task, ``<group_id>.build``, running readiness.pg.build: `dbt build` on dbt-postgres into the
    candidate schemas, dbt's log (one line per model, test and unit test) in the task's log.

    Not cosmos: its profile and environment would be part of the DAG, and the dbt-postgres build needs the
    pseudonym key in its connections' start-up options (readiness.pg.dbt_environment), which must never be
    written into a serialised DAG or its rendered fields. readiness.pg.run_dbt gives it to dbt's process only.
    """
    from airflow.sdk import TaskGroup, task

    @task(task_id="build", pool=pool, retries=1, retry_delay=timedelta(seconds=30))
    def build(as_of: str) -> None:
        from readiness import tasks

        tasks.build_postgres(as_of)

    with TaskGroup(group_id=group_id, tooltip="dbt build of the whole project on Postgres") as group:
        build(as_of_date)
    return group


def cosmos_task_group(settings: Settings, *, group_id: str, pool: str, as_of_date: str) -> Any:
    """The dbt project as an Airflow task group running one `dbt build` for the whole project.

    Two renderings (``READINESS_DBT_TASKS``), the same build (one dbt start-up, one parse, the
    project's own threads); one subprocess per node instead cost about 8 s of CPU per node before any
    work (45 nodes: 7.8x a bare `dbt build` at 10,000 workers):

    - ``nodes`` (default; `make run`): cosmos's watcher mode. A producer task runs the build and a
      task per model, seed and detached test reports that node's outcome, so the UI shows each model.
    - ``build`` (deploy/airflow.env, so compose and `make serve`): cosmos's single `dbt build` operator,
      one task. On a real executor every task is a process that parses the DAG file, is queued and
      heartbeats; the ~110 node tasks of ``nodes`` took about 3 s each on a Celery worker (some 6
      minutes in all) for no work of their own (README, "Running as a service"). dbt's own log in the
      task names each node.
    """
    if dbt_tasks_mode() == "build":
        return _single_build_group(settings, group_id=group_id, pool=pool, as_of_date=as_of_date)
    return _watcher_group(settings, group_id=group_id, pool=pool, as_of_date=as_of_date)


def _profile_config() -> Any:
    from cosmos import ProfileConfig

    return ProfileConfig(
        profile_name="readiness", target_name="duckdb", profiles_yml_filepath=project_dir() / "profiles.yml"
    )


def _dbt_operator_args(settings: Settings, pool: str) -> dict[str, Any]:
    return {
        "vars": dbt_vars(settings),
        "pool": pool,
        "install_deps": False,
        # Assets are the published marts, emitted by the publish task only: a model built in the
        # candidate is not yet something a consumer may read.
        "emit_datasets": False,
        # dbt failures are failed tests or broken SQL: one quick retry covers a transient error,
        # more would only delay the alert.
        "retries": 1,
        "retry_delay": timedelta(seconds=30),
    }


def _single_build_group(settings: Settings, *, group_id: str, pool: str, as_of_date: str) -> Any:
    """One task, ``<group_id>.build``: cosmos's DbtBuildLocalOperator, dbt in a subprocess (dbt-duckdb keeps
    its databases open for the life of its process, which would lock the publish step out)."""
    from airflow.sdk import TaskGroup
    from cosmos.constants import InvocationMode
    from cosmos.operators.local import DbtBuildLocalOperator

    with TaskGroup(group_id=group_id, tooltip="dbt build of the whole project (cosmos)") as group:
        DbtBuildLocalOperator(
            task_id="build",
            project_dir=str(project_dir()),
            profile_config=_profile_config(),
            env=dbt_env(settings, as_of_date),
            dbt_executable_path=dbt_executable(),
            invocation_mode=InvocationMode.SUBPROCESS,
            **_dbt_operator_args(settings, pool),
        )
    return group


def _watcher_group(settings: Settings, *, group_id: str, pool: str, as_of_date: str) -> Any:
    """Cosmos's watcher mode: a producer runs `dbt build`, one task per node reports its outcome.

    The node tasks are put downstream of the producer (cosmos does so only for a DbtDag, not a
    DbtTaskGroup): they then read a finished result and never wait on a producer that has not started,
    which is what deadlocked under `airflow dags test` (tasks run one at a time). Only the producer
    writes DuckDB, so only it takes the one-slot pool: the node tasks run after it and before publish
    (the next writer, downstream of all of them), and on a real executor they then run side by side.
    """
    from cosmos import DbtTaskGroup, ExecutionConfig, ProjectConfig, RenderConfig
    from cosmos.constants import (
        PRODUCER_WATCHER_DONE_TASK_ID,
        PRODUCER_WATCHER_TASK_ID,
        ExecutionMode,
        InvocationMode,
        LoadMode,
        TestBehavior,
    )

    if not manifest_path().exists():
        raise FileNotFoundError(
            f"{manifest_path()} is missing: the DAG renders dbt from its manifest. Run `make dbt-parse` (or "
            "`readiness dbt-parse`) after changing the dbt project."
        )
    operator_args = _dbt_operator_args(settings, pool)
    operator_args["pool"] = DEFAULT_POOL
    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=project_dir(), manifest_path=manifest_path(), env_vars=dbt_env(settings, as_of_date)
        ),
        profile_config=_profile_config(),
        # dbt in a subprocess: dbt-duckdb keeps its databases open for the life of its process, which
        # would lock the candidate and ingest files for the publish step and the next night's loads
        # (under `airflow dags test` every task shares one process).
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER,
            dbt_executable_path=dbt_executable(),
            invocation_mode=InvocationMode.SUBPROCESS,
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_EACH,
            # A relationships test needs both its models built: it has its own task after them.
            should_detach_multiple_parents_tests=True,
        ),
        operator_args=operator_args,
    )
    producer = group.children[f"{group_id}.{PRODUCER_WATCHER_TASK_ID}"]
    producer.pool = pool
    # Cosmos's gate after the producer (it absorbs a skipped producer) gets the DAG's default pool.
    done = group.children.get(f"{group_id}.{PRODUCER_WATCHER_DONE_TASK_ID}")
    if done is not None:
        done.pool = DEFAULT_POOL
    _node_tasks_after_producer(group, producer)
    return group


def _node_tasks_after_producer(group: Any, producer: Any) -> None:
    """Make every root node task of ``group`` wait for the producer's end, success or failure.

    ``one_done``: after a failed build the node tasks still report which node failed (and the rest are
    skipped by dbt); when the producer never ran (a validation stopped the night) they are skipped.
    """
    from airflow.sdk import TriggerRule

    for task in list(group.get_roots()):
        if task is producer:
            continue
        producer >> task
        task.trigger_rule = TriggerRule.ONE_DONE
