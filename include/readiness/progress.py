"""One night through `airflow dags test`, with each task shown as it finishes.

`airflow dags test` prints nothing useful for minutes (its log goes to a file), so a person running
`make run` would stare at a silent terminal. Airflow records every task instance in its metadata
database as it runs; this module starts the command and reads those records, so the progress shown is
Airflow's own account of the run, not a guess from log lines.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

#: Task states after which a task instance will not change within this run.
FINISHED = ("success", "failed", "upstream_failed", "skipped", "removed")


@dataclass(frozen=True)
class TaskDone:
    task_id: str
    state: str
    seconds: float | None


def finished_tasks(conn_uri: str, dag_id: str, since: datetime) -> list[TaskDone]:
    """Task instances of ``dag_id`` that finished in a run created after ``since``, first finished first."""
    import sqlalchemy as sa

    engine = sa.create_engine(conn_uri)
    try:
        with engine.connect() as con:
            rows = con.execute(
                sa.text(
                    "select ti.task_id, ti.state, ti.duration from task_instance ti "
                    "join dag_run dr on dr.dag_id = ti.dag_id and dr.run_id = ti.run_id "
                    "where ti.dag_id = :dag and dr.run_after >= :since and ti.state in :states "
                    "order by coalesce(ti.end_date, ti.updated_at), ti.task_id"
                ).bindparams(sa.bindparam("states", expanding=True)),
                {"dag": dag_id, "since": since.replace(tzinfo=None), "states": list(FINISHED)},
            ).fetchall()
    except sa.exc.OperationalError:
        return []  # the database is being created or migrated by the command: nothing finished yet
    finally:
        engine.dispose()
    return [TaskDone(task_id, state, duration) for task_id, state, duration in rows]


def run_night(
    dag_id: str,
    logical_date: str,
    log_path: Path,
    show: Callable[[TaskDone], None],
    *,
    poll_seconds: float = 2.0,
) -> int:
    """Run ``airflow dags test dag_id logical_date`` (output to ``log_path``), calling ``show`` once per task
    as it finishes. Returns the command's exit code."""
    conn_uri = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    if not conn_uri:
        raise RuntimeError("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN is not set: `make run` sets it to the project's SQLite")
    started = datetime.now(UTC)
    seen: set[str] = set()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(["airflow", "dags", "test", dag_id, logical_date], stdout=log, stderr=log)
        while True:
            exited = process.poll() is not None
            for done in finished_tasks(conn_uri, dag_id, started):
                if done.task_id not in seen:
                    seen.add(done.task_id)
                    show(done)
            if exited:
                return process.returncode
            time.sleep(poll_seconds)
