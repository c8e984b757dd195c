"""A real Apache Superset beside the tests: installed natively in its own environment from the pinned
docker/superset/requirements.lock, configured by docker/superset/superset_config.py and provisioned by
docker/superset/superset-init.sh (the very files compose's image and superset-init use), started on
127.0.0.1 only.

    python -m tests.superset.harness --warehouse data/served/warehouse/readiness.duckdb [--port 8089] [--export]

installs (once per lock), provisions (with the dashboards of docker/superset/dashboards/), starts and serves
until Ctrl-C; with ``--export`` it then writes the dashboards, as edited in the UI meanwhile, back into that
folder (Superset's own export, in stable file names). Tests use ``NativeSuperset`` as a context manager and
``SupersetApi`` for the REST API (SQL Lab, databases, chart data, exports).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import requests
import yaml

from readiness.config import TELEMETRY_OFF, private_dir, write_private_file
from readiness.serve import reader_uri

ROOT = Path(__file__).resolve().parents[2]
SUPERSET_DIR = ROOT / "docker" / "superset"
LOCK = SUPERSET_DIR / "requirements.lock"
INIT_SCRIPT = SUPERSET_DIR / "superset-init.sh"
CONFIG = SUPERSET_DIR / "superset_config.py"
#: Beside the project's .venv, ignored by git; one environment per checkout, rebuilt when the lock changes.
DEFAULT_VENV = ROOT / ".superset" / "venv"
DATABASE_NAME = "Readiness warehouse"  # as superset-init.sh names it
ADMIN = "admin"


def install(venv: Path = DEFAULT_VENV) -> Path:
    """Superset's environment exactly as the lock pins it (uv, from the project's environment)."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    marker = venv / ".installed-from"
    if marker.exists() and marker.read_text() == digest:
        return venv
    uv = Path(sys.executable).parent / "uv"
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([str(uv), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    subprocess.run([str(uv), "pip", "sync", "--quiet", "--python", str(venv / "bin" / "python"), str(LOCK)], check=True)
    marker.write_text(digest)
    return venv


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class NativeSuperset:
    """One Superset: its home (metadata DB, logs) in ``home``, reading the warehouse file ``warehouse``."""

    home: Path
    warehouse: Path
    port: int = field(default_factory=free_port)
    venv: Path = DEFAULT_VENV
    process: subprocess.Popen[bytes] | None = None

    @property
    def admin_password(self) -> str:
        return self._secret("admin-password")

    @property
    def secret_key(self) -> str:
        return self._secret("secret-key")

    def _secret(self, name: str) -> str:
        """Generated once per home and kept there (owner-only): the metadata DB is encrypted with the
        secret key and the admin user keeps its first password, so a re-used home needs the same ones."""
        path = self.home / ".secrets" / name
        if not path.exists():
            private_dir(path.parent)
            write_private_file(path, secrets.token_urlsafe(32))
        return path.read_text()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def warehouse_uri(self) -> str:
        return reader_uri(self.warehouse)

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return {
            **keep,
            **TELEMETRY_OFF,
            "PATH": f"{self.venv / 'bin'}:{keep.get('PATH', '')}",
            "SUPERSET_CONFIG_PATH": str(CONFIG),
            "SUPERSET_HOME": str(self.home),
            "SUPERSET_SECRET_KEY": self.secret_key,
            "SUPERSET_ADMIN_PASSWORD": self.admin_password,
            "READINESS_WAREHOUSE_URI": self.warehouse_uri,
        }

    def provision(self) -> None:
        """superset-init.sh: metadata DB, admin user, the locked connection to the warehouse."""
        self.home.mkdir(parents=True, exist_ok=True)
        with (self.home / "superset-init.log").open("wb") as log:
            result = subprocess.run(["bash", str(INIT_SCRIPT)], env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            tail = (self.home / "superset-init.log").read_text(errors="replace")[-4000:]
            raise RuntimeError(f"superset-init.sh failed ({result.returncode}):\n{tail}")

    def start(self, timeout: float = 300) -> None:
        log = (self.home / "superset.log").open("wb")
        self.process = subprocess.Popen(
            [str(self.venv / "bin" / "superset"), "run", "-h", "127.0.0.1", "-p", str(self.port), "--with-threads"],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own session: a Ctrl-C at the terminal stops the harness, which then exports (--export) and
            # stops Superset itself, rather than reaching Superset first.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Superset exited ({self.process.returncode}); see {self.home / 'superset.log'}")
            try:
                if requests.get(f"{self.url}/health", timeout=5).text == "OK":
                    return
            except requests.ConnectionError:
                pass
            time.sleep(1)
        self.stop()
        raise TimeoutError(f"Superset did not answer on {self.url}/health within {timeout} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def api(self) -> SupersetApi:
        return SupersetApi(self.url, ADMIN, self.admin_password)

    def __enter__(self) -> NativeSuperset:
        install(self.venv)
        self.provision()
        self.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


class SupersetApi:
    """A logged-in REST client (JWT plus the CSRF token of its session), as a script or a BI admin uses it."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url
        self.session = requests.Session()
        login = self.session.post(
            f"{url}/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": True},
            timeout=60,
        )
        login.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        csrf = self.session.get(f"{url}/api/v1/security/csrf_token/", timeout=60)
        csrf.raise_for_status()
        self.session.headers.update({"X-CSRFToken": csrf.json()["result"], "Referer": url})

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(f"{self.url}{path}", timeout=120, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(f"{self.url}{path}", timeout=120, **kwargs)

    def database_id(self, name: str = DATABASE_NAME) -> int:
        listed = self.get("/api/v1/database/")
        listed.raise_for_status()
        ids = [d["id"] for d in listed.json()["result"] if d["database_name"] == name]
        if len(ids) != 1:
            raise LookupError(f"{len(ids)} databases named {name!r} in Superset")
        return int(ids[0])

    def export_dashboards(self) -> dict[str, dict[str, Any]]:
        """Every dashboard as Superset's export writes it (with its charts, datasets and database): path in
        the export's ZIP (its root folder dropped) -> YAML document."""
        listed = self.get("/api/v1/dashboard/", params={"q": "(page_size:100,columns:!(id))"})
        listed.raise_for_status()
        ids = ",".join(str(d["id"]) for d in listed.json()["result"])
        answer = self.get("/api/v1/dashboard/export/", params={"q": f"!({ids})"})
        answer.raise_for_status()
        with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
            return {
                name.split("/", 1)[1]: yaml.safe_load(archive.read(name))
                for name in archive.namelist()
                if name.endswith(".yaml")
            }

    def execute_sql(self, database_id: int, sql: str) -> requests.Response:
        """SQL Lab's Run button: one synchronous query."""
        return self.post(
            "/api/v1/sqllab/execute/",
            json={
                "database_id": database_id,
                "sql": sql,
                "runAsync": False,
                "queryLimit": 1000,
                "client_id": secrets.token_hex(5),
                "sql_editor_id": "1",
                "tab": "readiness",
            },
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True, help="the published readiness.duckdb")
    parser.add_argument("--home", type=Path, default=ROOT / ".superset" / "home")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument(
        "--export",
        action="store_true",
        help="on Ctrl-C, write the dashboards as they are now into docker/superset/dashboards/ (after editing them)",
    )
    args = parser.parse_args()
    superset = NativeSuperset(args.home, args.warehouse.resolve(), args.port)
    with superset:
        print(f"Superset on {superset.url}, user {ADMIN}, password {superset.admin_password}; Ctrl-C stops it")
        try:
            while superset.process and superset.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        if args.export:
            from tests.superset import bundle

            bundle.write(superset.api().export_dashboards())
            print(f"exported into {bundle.BUNDLE_DIR}: check it with pytest tests/test_superset_bundle.py")


if __name__ == "__main__":
    main()
