"""The DAG on a real Airflow deployment, natively: api-server, scheduler, dag-processor, triggerer and
two Celery workers started by ``readiness.service`` (``make serve``) with the settings docker-compose.yml
loads (deploy/airflow.env: dbt as one build task, workers that preload the tasks' libraries), a fresh
Postgres database for the metadata and Redis as the broker. Part of ``make test``: about 6 minutes.

The test drives it as an operator or an external scheduler would, through the authenticated REST API,
and compares the published marts with those of ``airflow dags test`` on the same deliveries (run
meanwhile in another process: SQLite metadata, no scheduler, no executor, dbt rendered per node as
`make run` does). During the run one Celery worker is killed (SIGKILL of every process it started)
while dbt builds and comes back: the task must be retried and the marts must still be identical.
Everything the test starts is stopped, its database dropped and its Redis database emptied, also when
it fails; the last test checks that nothing is left, whether or not the scenario got to its end.

Test-only settings (the rest is deploy/airflow.env): the scheduler creates no scheduled runs (runs
come through the API), a lost worker is noticed after 30 s instead of 120, and a cluster policy
(``airflow_local_settings.py`` in the test's AIRFLOW_HOME) shortens the DAG's 5-minute retry delay.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pytest
import redis

from readiness import service
from readiness.config import Settings
from readiness.generate import generate_organisation

pytestmark = [pytest.mark.deploy, pytest.mark.timeout(1500)]

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAG_ID = "readiness_nightly"
AS_OF, BAD_AS_OF = "2026-11-28", "2026-11-29"
PSEUDONYM_KEY = "deploy-test-key"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_CLAIM = "readiness-deploy-test:claimed-by"
WORKERS = ("worker-1", "worker-2")
#: A killed worker's task is failed (then retried) this long after its last heartbeat; deploy/airflow.env
#: gives production 120 s. Tasks heartbeat every few seconds, so 30 s still leaves a busy machine slack.
HEARTBEAT_TIMEOUT_S = 30
#: Columns that name the run or its clock, not the data (each side has its own run id and times).
RUN_COLUMNS = {
    "publication": {"run_id", "published_at"},
    "pipeline_run_history": {"run_id", "started_at", "finished_at", "duration_seconds"},
    "pipeline_run_volumes": {"run_id"},
}

# Lets a killed task's retry start seconds, not the DAG's 5 minutes, after the scheduler fails it.
RETRY_POLICY = """
from datetime import timedelta


def task_policy(task):
    task.retry_delay = timedelta(seconds=5)
"""


# --- the servers the deployment uses: a database and a Redis db index of this test's own -----------


def _pg_connect(dbname: str = "postgres") -> Any:
    connection = psycopg2.connect(dbname=dbname, **PG)
    connection.autocommit = True
    return connection


def _database_exists(name: str) -> bool:
    with _pg_connect() as connection, connection.cursor() as cursor:
        cursor.execute("select 1 from pg_database where datname = %s", (name,))
        return cursor.fetchone() is not None


@contextmanager
def metadata_database(name: str) -> Iterator[str]:
    connection = _pg_connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'create database "{name}"')
        yield f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'drop database if exists "{name}" with (force)')
        connection.close()


@contextmanager
def redis_database(token: str) -> Iterator[int]:
    """An empty Redis db index, claimed with a key so that parallel runs pick different ones."""
    for index in range(15, 0, -1):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=index)
        if not client.set(REDIS_CLAIM, token, nx=True):
            continue
        if client.dbsize() != 1:  # someone else's data: not ours to use (or to empty)
            client.delete(REDIS_CLAIM)
            continue
        try:
            yield index
        finally:
            client.flushdb()
        return
    raise RuntimeError("no empty Redis database index (1-15) to claim")


def _free_ports(count: int) -> int:
    """The first of ``count`` consecutive free TCP ports."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        try:
            for port in range(first, first + count):
                with socket.socket() as taken:
                    taken.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError("no free ports")


def _processes_mentioning(root: Path) -> list[str]:
    """Live processes with this test's folder in their environment: everything the deployment and the
    reference started (Airflow's by AIRFLOW_HOME, dbt's, which gets no AIRFLOW_HOME, by its data folder)."""
    marker = str(root).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes():
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append(f"{entry.name}: {command[:120]}")
        except OSError:
            continue
    return found


# --- the REST API, as an operator's script uses it -------------------------------------------------


class Api:
    def __init__(self, base_url: str, passwords_file: Path) -> None:
        self.base_url = base_url
        password = json.loads(passwords_file.read_text())["admin"]
        self.token = self._request("POST", "/auth/token", {"username": "admin", "password": password})["access_token"]

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if getattr(self, "token", None):
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def get(self, path: str) -> Any:
        return self._request("GET", path)

    def run_path(self, run_id: str) -> str:
        return f"/api/v2/dags/{DAG_ID}/dagRuns/{urllib.parse.quote(run_id, safe='')}"

    def trigger(self, logical_date: str) -> str:
        run = self._request("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": f"{logical_date}T00:00:00Z"})
        return run["dag_run_id"]

    def task_instances(self, run_id: str, state: str | None = None) -> list[dict[str, Any]]:
        only = f"&state={state}" if state else ""
        return self.get(f"{self.run_path(run_id)}/taskInstances?limit=500{only}")["task_instances"]

    def wait(self, run_id: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.get(self.run_path(run_id))
            if run["state"] in ("success", "failed"):
                return run
            time.sleep(5)
        raise TimeoutError(f"run {run_id} still {run['state']} after {timeout:.0f} s")


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _kill_a_worker_during_a_dbt_task(
    api: Api, run_id: str, deployment: service.Deployment, env: dict[str, str], pids: dict[str, int]
) -> dict[str, Any]:
    """SIGKILL the worker running a dbt task (and the task, and dbt), then start the worker again."""
    components = {component.name: component for component in deployment.components()}
    for _ in range(5):
        deadline = time.monotonic() + 1800
        victim = None
        while victim is None and time.monotonic() < deadline:
            for ti in api.task_instances(run_id, state="running"):
                started = ti["start_date"] and (datetime.now(UTC) - _when(ti["start_date"])).total_seconds()
                dbt_task = ti["task_id"].startswith("transform.") and ti["hostname"] in WORKERS
                if dbt_task and ti["state"] == "running" and started and started > 2:
                    victim = ti
                    break
            time.sleep(1)
        assert victim is not None, "no dbt task ever ran on a worker"
        worker = victim["hostname"]
        # Killed while dbt itself is writing the candidate, not while the task is still starting.
        deadline = time.monotonic() + 120
        while not _dbt_running(pids[worker]) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)
        service.kill_session(pids[worker], signal.SIGKILL)
        while service.session_members(pids[worker]):
            time.sleep(0.2)
        # The machine comes back: the same worker name starts again.
        pids[worker] = service.launch(deployment, components[worker], env).pid
        time.sleep(3)
        after = api.get(f"{api.run_path(run_id)}/taskInstances/{victim['task_id']}")
        if not (after["state"] == "success" and after["try_number"] == 1):
            return {"task_id": victim["task_id"], "worker": worker}
        # The task had just finished when the worker died: try the next one.
    raise AssertionError("five kills in a row came just after a task had finished")


def _dbt_running(session_id: int) -> bool:
    """Whether a dbt process (``python .../bin/dbt build ...``) runs in the session."""
    for pid in service.session_members(session_id):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(Path(part.decode(errors="replace")).name == "dbt" for part in command[:2]):
            return True
    return False


def _marts(published: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    with duckdb.connect(str(published), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        result = {}
        for table in tables:
            columns = [
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts' "
                    "and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if row[0] not in RUN_COLUMNS.get(table, set())
            ]
            quoted = ", ".join(f'"{column}"' for column in columns)
            rows = con.execute(f"select {quoted} from marts.{table}").fetchall()
            result[table] = (columns, sorted(rows, key=repr))
    return result


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):  # sums of doubles may add up in another order
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dbt_manifest_is_fresh() -> bool:
    manifest = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
    if not manifest.exists():
        return False
    sources = [p for p in (REPO_ROOT / "dbt_project").rglob("*") if p.is_file() and "target" not in p.parts]
    return all(p.stat().st_mtime <= manifest.stat().st_mtime for p in sources)


def _session_cpu_seconds(session_id: int) -> float:
    """CPU time of a session's live processes, with what their reaped children (the tasks) used."""
    ticks = 0
    for pid in service.session_members(session_id):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _start_reference(generated: Path, root: Path, base: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
    """`airflow dags test` on a copy of the same deliveries, meanwhile, in a session of its own.

    It renders dbt as `make run` does (one task per node) while the deployment runs the single-build
    rendering of deploy/airflow.env, so equal marts also say the two renderings build the same warehouse.
    """
    home, data = root / "reference-airflow", root / "reference-data"
    home.mkdir()
    shutil.copytree(generated, Settings(data).landing_dir)
    env = service.dags_test_environment(data, home, base={**base, "READINESS_DBT_TASKS": "nodes"})
    log = root / "reference-dags-test.log"
    # Its metadata database is prepared by the same process, so that nothing here waits for it.
    then_run = "import os, sys; from pathlib import Path; from readiness import service; "
    then_run += "service.init_metadata(os.environ, Path(sys.argv[1])); os.execv(sys.argv[2], sys.argv[2:])"
    dags_test = [str(BIN / "airflow"), "dags", "test", DAG_ID, AS_OF]
    process = subprocess.Popen(
        [sys.executable, "-c", then_run, str(root / "reference-init.log"), *dags_test],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process, log


# --- the whole scenario, run once; tests below look at what it collected ---------------------------


@pytest.fixture(scope="module")
def deployment_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Runs the scenario; an error is recorded (``error``), not raised, so that the clean-up is still
    checked by its own test and the other tests report the error."""
    started_at = time.monotonic()
    root = tmp_path_factory.mktemp("deploy")
    token = uuid.uuid4().hex[:12]
    database = f"readiness_deploy_test_{token}"
    airflow_home, data_dir = root / "airflow", root / "data"
    reference_home = root / "reference-airflow"
    collected: dict[str, Any] = {"airflow_home": airflow_home, "reference_home": reference_home, "database": database}
    reference: subprocess.Popen[bytes] | None = None
    pids: dict[str, int] = {}
    try:
        generated = root / "generated"
        generate_organisation(generated, employees=120, seed=11)
        base = {**os.environ, "READINESS_PSEUDONYM_KEY": PSEUDONYM_KEY, "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"}
        if not _dbt_manifest_is_fresh():
            parsed = subprocess.run([str(BIN / "readiness"), "dbt-parse"], env=base, capture_output=True, text=True)
            assert parsed.returncode == 0, parsed.stdout[-2000:] + parsed.stderr[-2000:]
        reference, reference_log = _start_reference(generated, root, base)

        (airflow_home / "config").mkdir(parents=True)
        (airflow_home / "config" / "airflow_local_settings.py").write_text(RETRY_POLICY)
        settings = Settings(data_dir)
        shutil.copytree(generated, settings.landing_dir)
        published = settings.published_db
        with metadata_database(database) as metadata_url, redis_database(token) as redis_db:
            collected["redis_db"] = redis_db
            first_port = _free_ports(2 + len(WORKERS) + 1)
            deployment = service.Deployment(
                airflow_home=airflow_home,
                metadata_url=metadata_url,
                broker_url=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
                workers=WORKERS,
                api_port=first_port,
                log_port=first_port + 1,
            )
            base_env = {
                **base,
                "PATH": f"{BIN}:{os.environ['PATH']}",
                "READINESS_DATA_DIR": str(data_dir),
                "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT_S),
            }
            env = deployment.environment(base_env)
            try:
                startup = time.monotonic()
                pids.update(service.start(deployment, base_env, timeout=600))
                collected["startup_s"] = time.monotonic() - startup
                # CPU from here on is the tasks' (a restarted worker starts again from its own start-up).
                cpu_at_start = {worker: _session_cpu_seconds(pids[worker]) for worker in WORKERS}
                api = Api(deployment.api_url, deployment.passwords_file)
                api._request("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})

                run_started = time.monotonic()
                run_id = api.trigger(AS_OF)
                collected["killed"] = _kill_a_worker_during_a_dbt_task(api, run_id, deployment, env, pids)
                collected["run"] = api.wait(run_id, timeout=1200)
                collected["run_s"] = time.monotonic() - run_started
                collected["worker_cpu_s"] = {
                    worker: _session_cpu_seconds(pids[worker]) - cpu_at_start[worker]
                    for worker in WORKERS
                    if worker != collected["killed"]["worker"]
                }
                collected["task_instances"] = api.task_instances(run_id)
                killed_path = f"{api.run_path(run_id)}/taskInstances/{collected['killed']['task_id']}/tries"
                collected["killed_tries"] = api.get(killed_path)["task_instances"]
                collected["marts"] = _marts(published)
                collected["published_sha256"] = _sha256(published)

                bad_started = time.monotonic()
                bad = settings.landing_dir / "hr" / "workers" / f"workers_{AS_OF}.csv"
                lines = (generated / "hr" / "workers" / "workers_2026-11-27.csv").read_text().splitlines()
                bad.write_text("\n".join([*lines, lines[1], lines[2]]) + "\n")  # two workers delivered twice
                collected["duplicated_worker"] = lines[1].split(",")[0]
                bad_run_id = api.trigger(BAD_AS_OF)
                collected["bad_run"] = api.wait(bad_run_id, timeout=900)
                collected["bad_run_s"] = time.monotonic() - bad_started
                collected["bad_task_instances"] = api.task_instances(bad_run_id)
                failed = [ti for ti in collected["bad_task_instances"] if ti["state"] == "failed"]
                collected["bad_logs"] = {
                    ti["task_id"]: api.get(
                        f"{api.run_path(bad_run_id)}/taskInstances/{ti['task_id']}/logs/{ti['try_number']}"
                        "?full_content=true"
                    )
                    for ti in failed
                }
                collected["published_sha256_after_bad_run"] = _sha256(published)
            finally:
                service.stop_sessions(list(pids.values()))
        reference.wait(timeout=900)
        collected["reference_returncode"] = reference.returncode
        collected["reference_log"] = reference_log.read_text(errors="replace")[-6000:]
        if reference.returncode == 0:
            collected["reference_marts"] = _marts(Settings(root / "reference-data").published_db)
    except Exception as exc:  # recorded: the tests below report it, the clean-up is still checked
        collected["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if reference is not None:
            service.stop_sessions([reference.pid])
    # Everything above was stopped and dropped: what is left now would be a leak.
    collected["left_processes"] = _processes_mentioning(root)
    collected["database_left"] = _database_exists(database)
    if "redis_db" in collected:
        collected["redis_keys_left"] = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=collected["redis_db"]).dbsize()
    collected["total_s"] = time.monotonic() - started_at
    _write_measurements(collected)
    return collected


@pytest.fixture(scope="module")
def completed(deployment_run: dict[str, Any]) -> dict[str, Any]:
    """The scenario's results, for the tests that need it to have run to the end."""
    if "error" in deployment_run:
        pytest.fail(f"the deployment scenario stopped: {deployment_run['error']}", pytrace=False)
    return deployment_run


def _write_measurements(collected: dict[str, Any]) -> None:
    """Duration, spread over the workers and their CPU, for the record (test-artifacts/deployment.json)."""
    tis = collected.get("task_instances", [])
    cpu = collected.get("worker_cpu_s", {})
    tasks = Counter(ti["hostname"] for ti in tis)
    summary = {
        "total_s": round(collected["total_s"]),
        "startup_s": round(collected.get("startup_s", 0)),
        "run_s": round(collected.get("run_s", 0)),
        "bad_run_s": round(collected.get("bad_run_s", 0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "tasks_per_worker": dict(tasks),
        "busy_s_per_worker": {
            worker: round(sum(ti["duration"] or 0 for ti in tis if ti["hostname"] == worker)) for worker in WORKERS
        },
        # From the first task on, of the worker that was not killed (the other restarted mid-run): its
        # tasks, with their dbt subprocesses, and the worker's own idle work.
        "cpu_s_of_the_worker_not_killed": {worker: round(cpu[worker], 1) for worker in cpu},
        "its_tasks": {worker: sorted(ti["task_id"] for ti in tis if ti["hostname"] == worker) for worker in cpu},
        "killed": collected.get("killed"),
        "error": collected.get("error"),
    }
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "deployment.json").write_text(json.dumps(summary, indent=2))
    print("deployment test:", json.dumps(summary))


def test_the_run_succeeds_on_both_workers(completed: dict[str, Any]) -> None:
    assert completed["run"]["state"] == "success"
    tis = completed["task_instances"]
    assert tis and all(ti["state"] == "success" for ti in tis), [
        ti["task_id"] for ti in tis if ti["state"] != "success"
    ]
    spread = Counter(ti["hostname"] for ti in tis)
    assert set(spread) == set(WORKERS), spread
    assert completed["run"]["triggered_by"] == "rest_api"


def test_the_deployment_runs_dbt_as_one_build_task(completed: dict[str, Any]) -> None:
    """deploy/airflow.env's READINESS_DBT_TASKS=build reaches the deployment: one dbt task, not one per node."""
    dbt_tasks = sorted(ti["task_id"] for ti in completed["task_instances"] if ti["task_id"].startswith("transform."))
    assert dbt_tasks == ["transform.build"]


def test_no_two_duckdb_writers_overlapped(completed: dict[str, Any]) -> None:
    tries = [*completed["task_instances"], *completed["killed_tries"]]
    assert all(ti["pool"] == service.POOL for ti in tries), "every task writes DuckDB through the one-slot pool"
    spans = sorted(
        {(ti["task_id"], ti["try_number"]): (_when(ti["start_date"]), _when(ti["end_date"])) for ti in tries}.items(),
        key=lambda item: item[1],
    )
    overlaps = [(earlier[0], later[0]) for earlier, later in itertools.pairwise(spans) if later[1][0] < earlier[1][1]]
    assert not overlaps, f"tasks of the one-slot pool ran at the same time: {overlaps}"


def test_the_task_of_the_killed_worker_was_retried(completed: dict[str, Any]) -> None:
    killed = completed["killed"]
    tries = {ti["try_number"]: ti for ti in completed["killed_tries"]}
    assert tries[1]["state"] == "failed" and tries[1]["hostname"] == killed["worker"], tries[1]
    final = next(ti for ti in completed["task_instances"] if ti["task_id"] == killed["task_id"])
    assert final["try_number"] >= 2 and final["state"] == "success"


def test_the_marts_equal_those_of_airflow_dags_test(completed: dict[str, Any]) -> None:
    assert completed["reference_returncode"] == 0, completed["reference_log"]
    served, reference = completed["marts"], completed["reference_marts"]
    assert set(served) == set(reference) and "skills_coverage" in served
    for table, (columns, rows) in reference.items():
        served_columns, served_rows = served[table]
        assert served_columns == columns, table
        assert len(served_rows) == len(rows) > 0, table
        for got, want in zip(served_rows, rows, strict=True):
            assert all(_same_value(a, b) for a, b in zip(got, want, strict=True)), f"{table}: {got} != {want}"


def test_a_bad_delivery_fails_the_run_with_its_reason_in_the_api(completed: dict[str, Any]) -> None:
    assert completed["bad_run"]["state"] == "failed"
    failed = {ti["task_id"] for ti in completed["bad_task_instances"] if ti["state"] == "failed"}
    assert failed == {"hr.validate_workers"}
    states = {ti["task_id"]: ti["state"] for ti in completed["bad_task_instances"]}
    assert states["publish"] == "upstream_failed"
    log = json.dumps(completed["bad_logs"]["hr.validate_workers"])
    assert f"hr/workers: delivery workers_{AS_OF}.csv failed" in log
    assert "expect_column_values_to_be_unique on worker_id" in log
    assert completed["duplicated_worker"] in log, "a sample of the failing values is named"
    assert completed["published_sha256_after_bad_run"] == completed["published_sha256"]


def test_nothing_is_left_behind(deployment_run: dict[str, Any]) -> None:
    """Checked whether or not the scenario got to the end."""
    assert deployment_run["left_processes"] == []
    assert not deployment_run["database_left"], deployment_run["database"]
    assert deployment_run.get("redis_keys_left", 0) == 0


# --- servers down: a clear error before anything starts --------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def _serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__DATABASE__", "AIRFLOW__CELERY__"))}
    environment = {**inherited, "AIRFLOW_HOME": str(tmp_path / "airflow"), **env}
    return subprocess.run(
        [sys.executable, "-m", "readiness.service", "start", "--api-port", str(_closed_port())],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_postgres_down_names_the_database_that_was_expected(tmp_path: Path) -> None:
    port = _closed_port()
    result = _serve(
        tmp_path, AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"postgresql+psycopg2://airflow:s3cret@127.0.0.1:{port}/airflow"
    )
    assert result.returncode == 2, result.stderr
    message = result.stderr
    assert (
        f"Airflow metadata database: expected postgresql at postgresql+psycopg2://airflow:***@127.0.0.1:{port}/airflow"
        in message
    )
    assert "(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)" in message and "s3cret" not in message
    assert "Traceback" not in message
    assert not (tmp_path / "airflow" / service.STATE_FILE).exists(), "nothing was started"


def test_redis_down_names_the_broker_that_was_expected(tmp_path: Path) -> None:
    port = _closed_port()
    result = _serve(
        tmp_path,
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/postgres",
        AIRFLOW__CELERY__BROKER_URL=f"redis://127.0.0.1:{port}/0",
    )
    assert result.returncode == 2, result.stderr
    assert f"Celery broker: expected Redis at redis://127.0.0.1:{port}/0 (AIRFLOW__CELERY__BROKER_URL)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "airflow" / service.STATE_FILE).exists(), "nothing was started"


def test_celery_on_sqlite_is_refused(tmp_path: Path) -> None:
    result = _serve(
        tmp_path,
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{tmp_path}/airflow.db",
        AIRFLOW__CELERY__BROKER_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
    )
    assert result.returncode == 2
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN is SQLite" in result.stderr


def test_the_shared_config_reads_as_compose_reads_it(tmp_path: Path) -> None:
    good = tmp_path / "good.env"
    good.write_text("# comment\n\nA=1\nB=x=y\n")
    assert service.read_env_file(good) == {"A": "1", "B": "x=y"}
    for line in ('A="quoted"', "A=${B}", "not a pair"):
        bad = tmp_path / "bad.env"
        bad.write_text(f"{line}\n")
        with pytest.raises(ValueError, match=r"bad\.env, line 1"):
            service.read_env_file(bad)


def test_a_killed_session_is_gone_before_its_leader_is_reaped() -> None:
    """The kill above waits for the worker's processes to go: its leader stays a zombie until reaped."""
    leader = subprocess.Popen(["bash", "-c", "sleep 300 & sleep 300; wait"], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while len(service.session_members(leader.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(service.session_members(leader.pid)) == 3  # bash and its two sleeps
        service.kill_session(leader.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while service.session_members(leader.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert service.session_members(leader.pid) == []
    finally:
        service.kill_session(leader.pid, signal.SIGKILL)
        leader.wait(timeout=10)


def _alive(pid: int) -> bool:
    """Running: not gone and not a zombie (an orphan's zombie waits for whoever reaps orphans here)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_stopping_a_session_stops_a_child_that_left_it() -> None:
    """Cosmos starts dbt with setsid: stopping a worker's session must still stop its dbt."""
    escape = f"{sys.executable} -c 'import os, time; os.setsid(); time.sleep(300)'"
    leader = subprocess.Popen(["bash", "-c", f"{escape} & sleep 300; wait"], start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        members: list[int] = []
        escaped: list[int] = []
        while not (len(members) == 3 and escaped) and time.monotonic() < deadline:
            time.sleep(0.1)
            members = service.session_members(leader.pid)
            escaped = [pid for pid in members if os.getsid(pid) != leader.pid]
        assert len(members) == 3 and len(escaped) == 1, members  # bash, sleep, and the one in its own session
        service.stop_sessions([leader.pid], grace=5)
        leader.wait(timeout=10)
        assert not _alive(escaped[0]), "the child in a session of its own outlived the stop"
    finally:
        service.kill_session(leader.pid, signal.SIGKILL)
        leader.wait(timeout=10)
