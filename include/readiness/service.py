"""Airflow as a service on one machine: the Airflow services of docker-compose.yml, run as processes.

``make serve`` (``python -m readiness.service start``) starts the api-server, scheduler, dag-processor,
triggerer and, when a Celery broker is configured (``AIRFLOW__CELERY__BROKER_URL``), Celery workers;
without a broker the scheduler runs the tasks itself (LocalExecutor). Every process gets the settings
of ``deploy/airflow.env``, the file compose loads into its Airflow services, plus what differs on one
machine: 127.0.0.1 instead of container names, and a port of its own for each log server.

Before anything starts, the metadata database and the broker are checked, so a server that is down
gives an error naming what was expected where instead of a stack trace from inside Airflow.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parents[2]
#: The settings every deployment shares (compose's ``env_file``).
SHARED_CONFIG = PROJECT_DIR / "deploy" / "airflow.env"
#: The one-slot pool the DAG's DuckDB writers run in (``POOL`` of dags/readiness_nightly.py).
POOL = "readiness_duckdb"
POOL_DESCRIPTION = "single writer of the DuckDB warehouse"
#: Which processes of a native deployment are running: written by ``start``, read by ``stop``.
STATE_FILE = "service.json"


class ServiceUnreachable(RuntimeError):
    """A server the deployment needs (metadata database, broker) cannot be reached."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as docker compose reads an ``env_file`` (comments and blank lines skipped)."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.isidentifier() or "${" in value or value[:1] in "\"'":
            raise ValueError(f"{path}, line {number}: expected KEY=value without quotes or ${{...}}, got {line!r}")
        values[key] = value
    return values


def worker_hostname() -> str:
    """``[core] hostname_callable`` of native Celery workers: the Celery name, so the task-instance
    API tells apart two workers that share one machine (on separate machines the host name does)."""
    return os.environ.get("READINESS_WORKER_HOSTNAME") or socket.getfqdn()


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def check_metadata_db(url: str, timeout: float = 5.0) -> None:
    """Raise ServiceUnreachable naming the database Airflow was told to use when it cannot connect."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    parsed = make_url(url)
    connect_args = {"connect_timeout": int(timeout)} if parsed.get_backend_name() == "postgresql" else {}
    engine = create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ServiceUnreachable(
            f"Airflow metadata database: expected {parsed.get_backend_name()} at "
            f"{parsed.render_as_string(hide_password=True)} (AIRFLOW__DATABASE__SQL_ALCHEMY_CONN), "
            f"but cannot connect: {reason}. Start that server, or set AIRFLOW__DATABASE__SQL_ALCHEMY_CONN "
            "to a database that is running."
        ) from exc
    finally:
        engine.dispose()


def check_broker(url: str, timeout: float = 5.0) -> None:
    """Raise ServiceUnreachable naming the Celery broker when it does not answer."""
    import redis

    shown = _hide_password(url)
    if urlsplit(url).scheme not in ("redis", "rediss"):
        raise ServiceUnreachable(f"Celery broker {shown} (AIRFLOW__CELERY__BROKER_URL): only redis:// is supported")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except redis.RedisError as exc:
        raise ServiceUnreachable(
            f"Celery broker: expected Redis at {shown} (AIRFLOW__CELERY__BROKER_URL), but it does not answer: "
            f"{exc}. Start Redis there, or set AIRFLOW__CELERY__BROKER_URL to a running one "
            "(leave it unset to run tasks in the scheduler with the LocalExecutor)."
        ) from exc


@dataclass(frozen=True)
class Component:
    name: str
    args: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Deployment:
    """One machine's deployment: where Airflow keeps its state and which servers it uses."""

    airflow_home: Path
    metadata_url: str
    broker_url: str | None = None
    #: Celery worker names (``--celery-hostname``); ignored without a broker.
    workers: tuple[str, ...] = ("worker-1", "worker-2")
    api_port: int = 8080
    #: First of the ports of the log servers (scheduler or each worker, and the triggerer).
    log_port: int = 8793
    dags_folder: Path = PROJECT_DIR / "dags"

    @classmethod
    def from_env(cls, env: Mapping[str, str], workers: int = 2, api_port: int = 8080) -> Deployment:
        home = Path(env.get("AIRFLOW_HOME", PROJECT_DIR / "airflow_home")).resolve()
        return cls(
            airflow_home=home,
            metadata_url=env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home}/airflow.db"),
            broker_url=env.get("AIRFLOW__CELERY__BROKER_URL") or None,
            workers=tuple(f"worker-{i}" for i in range(1, workers + 1)),
            api_port=api_port,
            dags_folder=Path(env.get("AIRFLOW__CORE__DAGS_FOLDER", PROJECT_DIR / "dags")),
        )

    @property
    def executor(self) -> str:
        return "CeleryExecutor" if self.broker_url else "LocalExecutor"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def passwords_file(self) -> Path:
        """Where the api-server writes the generated password of each user of the auth manager."""
        return self.airflow_home / "simple_auth_manager_passwords.json.generated"

    @property
    def logs_dir(self) -> Path:
        return self.airflow_home / "logs" / "service"

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """The shared settings, overridden by ``base`` (as compose's ``environment:`` overrides its
        ``env_file``), and what this deployment fixes: home, database, executor, broker, ports."""
        env = {**read_env_file(SHARED_CONFIG), **base}
        env.update(
            AIRFLOW_HOME=str(self.airflow_home),
            AIRFLOW__CORE__DAGS_FOLDER=str(self.dags_folder),
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=self.metadata_url,
            AIRFLOW__CORE__EXECUTOR=self.executor,
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{self.api_url}/execution/",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(self.passwords_file),
            AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(self.log_port),
            AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(self.log_port + 1),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}",
        )
        if self.broker_url:
            env["AIRFLOW__CELERY__BROKER_URL"] = self.broker_url
        return env

    def components(self) -> list[Component]:
        api = ("api-server", "--host", "127.0.0.1", "--port", str(self.api_port))
        found = [
            Component("api-server", api),
            Component("scheduler", ("scheduler",)),
            Component("dag-processor", ("dag-processor",)),
            Component("triggerer", ("triggerer",)),
        ]
        if not self.broker_url:
            return found
        for offset, name in enumerate(self.workers, start=2):
            args = ("celery", "worker", "--celery-hostname", f"{name}@%h")
            env = {
                # Workers on one machine need log servers of their own and names the API tells apart.
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.log_port + offset),
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "readiness.service.worker_hostname",
                "READINESS_WORKER_HOSTNAME": name,
            }
            found.append(Component(name, args, env))
        return found


def check_servers(deployment: Deployment) -> None:
    if deployment.broker_url and deployment.metadata_url.startswith("sqlite"):
        raise ServiceUnreachable(
            "Celery workers need a metadata database they can share: AIRFLOW__CELERY__BROKER_URL is set but "
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN is SQLite. Point it at PostgreSQL, or unset the broker to run "
            "the LocalExecutor."
        )
    check_metadata_db(deployment.metadata_url)
    if deployment.broker_url:
        check_broker(deployment.broker_url)


def _airflow(env: Mapping[str, str], *args: str, log: Path) -> None:
    airflow = str(Path(sys.executable).parent / "airflow")
    with log.open("a") as out:
        result = subprocess.run([airflow, *args], env=dict(env), stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-30:])
        raise RuntimeError(f"`airflow {' '.join(args)}` failed (log: {log}):\n{tail}")


def init_metadata(env: Mapping[str, str], log: Path) -> None:
    """What compose's airflow-init does: migrate the metadata database and create the DuckDB pool."""
    log.parent.mkdir(parents=True, exist_ok=True)
    _airflow(env, "db", "migrate", log=log)
    _airflow(env, "pools", "set", POOL, "1", POOL_DESCRIPTION, log=log)


def prepare(deployment: Deployment, env: Mapping[str, str]) -> None:
    init_metadata(env, deployment.logs_dir / "init.log")


def dags_test_environment(
    data_dir: Path,
    airflow_home: Path,
    *,
    pseudonym_key: str | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of an ``airflow dags test`` subprocess (tests, the benchmark): the DAG of this
    checkout on ``data_dir``, SQLite metadata in ``airflow_home``, telemetry off, this interpreter's
    ``airflow`` first on PATH. Pass it to ``init_metadata`` once before the first run.

    The dbt rendering is left to ``base`` (``READINESS_DBT_TASKS``, default per-node tasks); only the
    parse allowance is taken from deploy/airflow.env, since parsing renders the dbt project here too.
    """
    from readiness.config import TELEMETRY_OFF

    base = os.environ if base is None else base
    env = {
        **base,
        **TELEMETRY_OFF,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}",
        "READINESS_DATA_DIR": str(data_dir),
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home}/airflow.db",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": read_env_file(SHARED_CONFIG)["AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT"],
    }
    if pseudonym_key is not None:
        env["READINESS_PSEUDONYM_KEY"] = pseudonym_key
    return env


def launch(deployment: Deployment, component: Component, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start one component in a session of its own: stopping it stops every process it started."""
    airflow = str(Path(sys.executable).parent / "airflow")
    log = (deployment.logs_dir / f"{component.name}.log").open("ab")
    return subprocess.Popen(
        [airflow, *component.args],
        env={**env, **component.env},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


@dataclass(frozen=True)
class _Proc:
    pid: int
    ppid: int
    sid: int
    #: Start time in clock ticks since boot: with the pid, names one process even after pids are reused.
    started: int
    #: Dead, only waiting for its parent to read its exit status: nothing to stop, but its children count.
    zombie: bool


def _processes() -> dict[int, _Proc]:
    """Every process, zombies included (a dead task's dbt is still the zombie's child)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        pid = int(entry.name)
        found[pid] = _Proc(pid, int(fields[1]), int(fields[3]), int(fields[19]), fields[0] == "Z")
    return found


def _tree(session_id: int, processes: dict[int, _Proc]) -> list[_Proc]:
    """The processes of a session and all their descendants, also those in sessions of their own:
    cosmos starts dbt with ``setsid``, so a session alone would miss it (and leave it running)."""
    children: dict[int, list[_Proc]] = {}
    for proc in processes.values():
        children.setdefault(proc.ppid, []).append(proc)
    found = {proc.pid: proc for proc in processes.values() if proc.sid == session_id}
    pending = list(found)
    while pending:
        for child in children.get(pending.pop(), []):
            if child.pid not in found:
                found[child.pid] = child
                pending.append(child.pid)
    return [proc for proc in found.values() if not proc.zombie]


def session_members(session_id: int) -> list[int]:
    """Every live process of a session (a component and whatever it started, tasks and dbt included)."""
    return [proc.pid for proc in _tree(session_id, _processes())]


def _signal(targets: dict[int, _Proc], sig: signal.Signals) -> None:
    """Signal the processes that are still the ones recorded (same pid, same start time)."""
    live = _processes()
    for pid, proc in targets.items():
        if live.get(pid) == proc:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)


def _still_running(targets: dict[int, _Proc]) -> bool:
    live = _processes()
    return any(live.get(pid) == proc for pid, proc in targets.items())  # a zombie differs: not running


def _collect(session_ids: list[int], into: dict[int, _Proc]) -> dict[int, _Proc]:
    processes = _processes()
    for session_id in session_ids:
        into.update({proc.pid: proc for proc in _tree(session_id, processes)})
    return into


def kill_session(session_id: int, sig: signal.Signals) -> None:
    """Signal every process of the session's tree at once: they are all found before any dies, so a
    dbt whose task is killed first cannot slip out as an orphan."""
    _signal(_collect([session_id], {}), sig)


def stop_sessions(session_ids: list[int], grace: float = 30.0) -> None:
    """SIGTERM every process of the sessions (Airflow's warm shutdown), SIGKILL what is left after ``grace``.

    Every process seen is remembered, so one orphaned by its parent's exit is still stopped."""
    targets = _collect(session_ids, {})
    _signal(targets, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _still_running(_collect(session_ids, targets)):
        time.sleep(0.5)
    _signal(_collect(session_ids, targets), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _still_running(_collect(session_ids, targets)):
        time.sleep(0.2)


def health(deployment: Deployment) -> dict[str, str]:
    """Status per component from the api-server's health endpoint; empty while it is not up."""
    try:
        with urllib.request.urlopen(f"{deployment.api_url}/api/v2/monitor/health", timeout=5) as response:
            body = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return {}
    return {name: str((part or {}).get("status")) for name, part in body.items()}


def wait_until_healthy(deployment: Deployment, processes: dict[str, subprocess.Popen[bytes]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = [name for name, process in processes.items() if process.poll() is not None]
        if dead:
            raise RuntimeError(f"{', '.join(dead)} exited at start; see {deployment.logs_dir}/<name>.log")
        status = health(deployment)
        if status and all(value == "healthy" for value in status.values()):
            return
        time.sleep(2)
    raise RuntimeError(f"not healthy after {timeout:.0f} s: {health(deployment) or 'api-server not answering'}")


def start(deployment: Deployment, base_env: Mapping[str, str], timeout: float = 300.0) -> dict[str, int]:
    """Check the servers, prepare the database, start every component and wait until all are healthy.

    Returns the process id of each component (its session id too); they are also written to
    ``$AIRFLOW_HOME/service.json`` for ``stop``. Nothing is left running if the start fails.
    """
    deployment.airflow_home.mkdir(parents=True, exist_ok=True)  # SQLite's file and Airflow's logs go there
    check_servers(deployment)
    env = deployment.environment(base_env)
    prepare(deployment, env)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for component in deployment.components():
            processes[component.name] = launch(deployment, component, env)
        pids = {name: process.pid for name, process in processes.items()}
        (deployment.airflow_home / STATE_FILE).write_text(json.dumps(pids, indent=2))
        wait_until_healthy(deployment, processes, timeout)
    except BaseException:
        stop_sessions([process.pid for process in processes.values()])
        raise
    return pids


def stop(deployment: Deployment) -> list[str]:
    """Stop the components recorded by ``start``; returns their names."""
    state = deployment.airflow_home / STATE_FILE
    if not state.exists():
        return []
    pids: dict[str, int] = json.loads(state.read_text())
    stop_sessions(list(pids.values()))
    state.unlink()
    return list(pids)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from readiness.config import disable_telemetry

    parser = argparse.ArgumentParser(prog="python -m readiness.service", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (with a broker only)")
    parser.add_argument("--api-port", type=int, default=8080)
    args = parser.parse_args(argv)
    disable_telemetry()
    deployment = Deployment.from_env(os.environ, workers=args.workers, api_port=args.api_port)
    if args.action == "stop":
        stopped = stop(deployment)
        print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
        return 0
    try:
        pids = start(deployment, os.environ)
    except ServiceUnreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Airflow ({deployment.executor}) is running: {', '.join(pids)}; logs in {deployment.logs_dir}")
    print(f"UI and REST API: {deployment.api_url} (user admin, password in {deployment.passwords_file})")
    print("Stop it with `make serve-stop`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
