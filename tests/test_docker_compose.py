"""The scaled-out deployment: docker-compose.yml, the Dockerfile, .dockerignore and docker/.

Checked statically with PyYAML (there is no Docker daemon in CI); when a compose binary is on PATH,
`docker-compose config -q` also validates the file against the Compose schema.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from readiness.serve import reader_uri

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
INIT_SCRIPT = ROOT / "docker" / "airflow-init.sh"
LOCK_FILE = ROOT / "requirements.lock"

AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)
# The services that load DAG and package code. The api-server reads DAGs from the metadata DB and is
# deliberately kept away from the code and the HR data; airflow-init only needs the data folder.
CODE_SERVICES = ("airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker")

TELEMETRY_OFF = {
    "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
    "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "false",
    "SCARF_ANALYTICS": "false",
    "SCARF_NO_ANALYTICS": "true",
    "DO_NOT_TRACK": "1",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "false",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "AIRFLOW__OPENLINEAGE__DISABLED": "true",
}
PROJECT_MOUNTS = {
    "/opt/airflow/dags": "./dags",
    "/opt/airflow/include": "./include",
    "/opt/airflow/dbt_project": "./dbt_project",
    "/opt/airflow/data": "./data",
}
# Secrets the stack refuses to start without (`${VAR:?message}`).
REQUIRED_SECRETS = ("READINESS_PSEUDONYM_KEY", "AIRFLOW__API_AUTH__JWT_SECRET")
# The BI tool's own: its cookie-signing key and the first admin's password.
SUPERSET_SECRETS = ("SUPERSET_SECRET_KEY", "SUPERSET_ADMIN_PASSWORD")
# Config sections that Airflow core does not define: provider or plugin settings, checked elsewhere.
NON_CORE_SECTIONS = {
    "celery",  # the Celery provider, preinstalled in the official image
    "cosmos",  # astronomer-cosmos
    "openlineage",  # the OpenLineage provider, preinstalled in the official image
    "usage_data_collection",  # removed from Airflow 3.3; set so an older base image can't enable it
}
# The only literal credential allowed: the well-known local default of Airflow's own compose file
# for the Postgres user `airflow`, overridable through AIRFLOW_DB_PASSWORD.
ALLOWED_LITERAL_PASSWORD = "airflow"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def _env_file(service: dict[str, Any]) -> dict[str, str]:
    """The variables of a service's env_file(s), in order (the shared deploy/airflow.env)."""
    files = service.get("env_file") or []
    merged: dict[str, str] = {}
    for name in [files] if isinstance(files, str) else files:
        for line in (ROOT / name).read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                key, _, value = line.strip().partition("=")
                merged[key] = value
    return merged


def _env(service: dict[str, Any]) -> dict[str, str]:
    """What a container of the service gets: its env_file, overridden by `environment:` (as compose does)."""
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- KEY=value` form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {**_env_file(service), **{str(key): "" if value is None else str(value) for key, value in env.items()}}


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> source of every volume of a service (short syntax)."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        mounts[target] = source
    return mounts


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            instructions.append((keyword.upper(), args.strip()))
    return instructions


def _dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in _dockerfile_instructions():
        if keyword in ("ENV", "ARG"):
            for pair in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\S*)", args):
                env[pair[0]] = pair[1].strip('"')
    return env


# --- services and wiring ---------------------------------------------------------------------------


def test_all_services_exist(services: dict[str, Any]) -> None:
    missing = (set(AIRFLOW_SERVICES) | {"postgres", "redis"}) - set(services)
    assert not missing, f"missing services: {sorted(missing)}"


def test_airflow_services_run_the_expected_components(services: dict[str, Any]) -> None:
    commands = {name: services[name].get("command") for name in AIRFLOW_SERVICES}
    assert commands["airflow-apiserver"] == "api-server"
    assert commands["airflow-scheduler"] == "scheduler"
    assert commands["airflow-dag-processor"] == "dag-processor"
    assert commands["airflow-triggerer"] == "triggerer"
    assert commands["airflow-worker"] == "celery worker"
    assert any("8080" in str(port) for port in services["airflow-apiserver"]["ports"])


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_service_uses_celery_and_postgres(services: dict[str, Any], name: str) -> None:
    env = _env(services[name])
    assert env.get("AIRFLOW__CORE__EXECUTOR") == "CeleryExecutor"
    assert re.match(r"postgresql(\+psycopg2)?://[^@]+@postgres/", env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert env["READINESS_DATA_DIR"] == "/opt/airflow/data"
    assert env["READINESS_DBT_PROJECT_DIR"] == "/opt/airflow/dbt_project"
    assert services[name].get("build") is not None, "Airflow services run the project's image"


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_telemetry_is_off(services: dict[str, Any], name: str) -> None:
    env = _env(services[name])
    wrong = {key: env.get(key) for key, off in TELEMETRY_OFF.items() if str(env.get(key)).lower() != off}
    assert not wrong, f"{name}: telemetry not off: {wrong}"


def test_every_switch_of_the_package_is_off_in_compose(services: dict[str, Any]) -> None:
    """readiness.config.TELEMETRY_OFF is the package's list; the deployment must cover all of it."""
    config = pytest.importorskip("readiness.config")
    for name in AIRFLOW_SERVICES:
        env = _env(services[name])
        wrong = {
            key: env.get(key) for key, off in config.TELEMETRY_OFF.items() if str(env.get(key)).lower() != off.lower()
        }
        assert not wrong, f"{name}: not set as readiness.config.TELEMETRY_OFF says: {wrong}"


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_services_share_the_native_deployments_config(services: dict[str, Any], name: str) -> None:
    """`make serve` and the deployment test read deploy/airflow.env: compose must load that very file."""
    service = readiness_service()
    assert (ROOT / "deploy" / "airflow.env").resolve() == service.SHARED_CONFIG
    assert services[name]["env_file"] == ["./deploy/airflow.env"]
    overridden = set(service.read_env_file(service.SHARED_CONFIG)) & set(services[name].get("environment") or {})
    assert not overridden, f"{name} overrides the shared settings: {sorted(overridden)}"


def test_the_image_agrees_with_the_shared_config() -> None:
    shared = readiness_service().read_env_file(ROOT / "deploy" / "airflow.env")
    image = _dockerfile_env()
    differ = {
        key: (image[key], shared[key]) for key in set(image) & set(shared) if image[key].lower() != shared[key].lower()
    }
    assert not differ, f"Dockerfile ENV vs deploy/airflow.env: {differ}"


def readiness_service() -> Any:
    return pytest.importorskip("readiness.service")


def test_telemetry_is_off_in_the_image_too() -> None:
    env = _dockerfile_env()
    wrong = {key: env.get(key) for key, off in TELEMETRY_OFF.items() if str(env.get(key)).lower() != off}
    assert not wrong, f"Dockerfile: telemetry not off: {wrong}"


@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_airflow_service_waits_for_init_and_healthy_backends(services: dict[str, Any], name: str) -> None:
    depends_on = services[name]["depends_on"]
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    if name != "airflow-init":
        assert depends_on["airflow-init"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("name", ["postgres", "redis", *AIRFLOW_SERVICES[1:]])
def test_long_running_services_have_healthchecks(services: dict[str, Any], name: str) -> None:
    assert services[name]["healthcheck"]["test"]


def test_metadata_db_is_postgres_16(services: dict[str, Any]) -> None:
    assert services["postgres"]["image"].startswith("postgres:16")


@pytest.mark.parametrize("name", CODE_SERVICES)
def test_project_folders_are_mounted(services: dict[str, Any], name: str) -> None:
    mounts = _mounts(services[name])
    wrong = {target: mounts.get(target) for target, source in PROJECT_MOUNTS.items() if mounts.get(target) != source}
    assert not wrong, f"{name}: project folders not mounted as expected: {wrong}"


def test_init_migrates_the_db_and_creates_the_duckdb_pool(services: dict[str, Any]) -> None:
    init = services["airflow-init"]
    command = " ".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    script_in_container = "/opt/airflow/docker/airflow-init.sh"
    assert script_in_container in command
    assert _mounts(init)[script_in_container] == "./docker/airflow-init.sh"
    assert _mounts(init)["/opt/airflow/data"] == "./data"

    steps = [line.strip() for line in INIT_SCRIPT.read_text().splitlines() if not line.strip().startswith("#")]
    assert any(re.search(r"\bairflow db migrate\b", step) for step in steps)
    assert any(
        re.search(r'\bairflow pools set readiness_duckdb 1 "single writer of the DuckDB warehouse"', step)
        for step in steps
    ), "airflow-init must create the single-slot pool readiness_duckdb"
    assert "set -euo pipefail" in steps, "a failed step must fail airflow-init, so nothing else starts"


def test_airflow_config_variables_exist() -> None:
    """A misspelt AIRFLOW__SECTION__KEY is silently ignored by Airflow; catch it here."""
    spec = importlib.util.find_spec("airflow")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("apache-airflow is not installed")
    config_yml = Path(next(iter(spec.submodule_search_locations))) / "config_templates" / "config.yml"
    sections = yaml.safe_load(config_yml.read_text())
    names = {key for service in yaml.safe_load(COMPOSE_FILE.read_text())["services"].values() for key in _env(service)}
    names |= set(_dockerfile_env())
    unknown = []
    for name in sorted(names):
        match = re.fullmatch(r"AIRFLOW__([A-Z0-9_]+?)__([A-Z0-9_]+)", name)
        if not match:
            continue
        section, option = match.group(1).lower(), match.group(2).lower()
        if section in NON_CORE_SECTIONS:
            continue
        if option not in sections.get(section, {}).get("options", {}):
            unknown.append(name)
    assert not unknown, f"not Airflow config options: {unknown}"


# --- secrets ---------------------------------------------------------------------------------------

SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|(^|_)KEY$|FERNET|CREDENTIAL|PRIVATE", re.IGNORECASE)
NOT_A_SECRET_NAME = re.compile(r"_(FILE|PATH|DIR)$", re.IGNORECASE)
INTERPOLATION = re.compile(r"^\$\{(?P<var>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}$")
URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.\-]*://[^:/@\s]+:(?P<password>[^@\s]*)@", re.IGNORECASE)
HIGH_ENTROPY = re.compile(r"[A-Za-z0-9+/_\-]{32,}={0,2}")
PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")


def _password_is_allowed(value: str) -> bool:
    """Empty, the documented local default, or taken from the environment (default: the same)."""
    if value in ("", ALLOWED_LITERAL_PASSWORD):
        return True
    match = INTERPOLATION.match(value)
    if not match:
        return False
    if match.group("op") in (None, ":?", "?"):
        return True
    return match.group("arg") in ("", ALLOWED_LITERAL_PASSWORD)


def _strings(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for child_key, child in node.items():
            yield from _strings(child, str(child_key))
    elif isinstance(node, list):
        for child in node:
            yield from _strings(child, key)
    elif isinstance(node, str):
        yield key, node


def _secret_findings(pairs: list[tuple[str, str]]) -> list[str]:
    findings = []
    for key, value in pairs:
        if SECRET_NAME.search(key) and not NOT_A_SECRET_NAME.search(key) and not _password_is_allowed(value):
            findings.append(f"{key} has a literal value")
        for match in URL_CREDENTIALS.finditer(value):
            if not _password_is_allowed(match.group("password")):
                findings.append(f"{key}: credentials in a URL")
        for token in HIGH_ENTROPY.findall(value):
            if re.search(r"[a-z]", token) and re.search(r"[A-Z]", token) and re.search(r"[0-9]", token):
                findings.append(f"{key}: key-like string {token[:6]}...")
        if PEM.search(value):
            findings.append(f"{key}: private key")
    return findings


@pytest.mark.parametrize(
    ("pairs", "leaks"),
    [
        ([("AIRFLOW__CORE__FERNET_KEY", "d6Vefz3G9U_ynXB3cr7y_Ak35tAHkEGAVxuz_B-jzWw=")], True),
        ([("AIRFLOW__API_AUTH__JWT_SECRET", "${AIRFLOW__API_AUTH__JWT_SECRET:-airflow_jwt_secret}")], True),
        ([("POSTGRES_PASSWORD", "hunter2")], True),
        ([("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql://airflow:s3cret@postgres/airflow")], True),
        ([("command", "echo ghp_9aZ3kQ7mP2xW8vL4nR6tY1uB5cD0eF3gH7jK")], True),
        ([("READINESS_PSEUDONYM_KEY", "${READINESS_PSEUDONYM_KEY:?set it}")], False),
        ([("AIRFLOW__CORE__FERNET_KEY", "${AIRFLOW__CORE__FERNET_KEY:-}")], False),
        ([("POSTGRES_PASSWORD", "${AIRFLOW_DB_PASSWORD:-airflow}")], False),
        (
            [
                (
                    "AIRFLOW__CELERY__RESULT_BACKEND",
                    "db+postgresql://airflow:${AIRFLOW_DB_PASSWORD:-airflow}@postgres/airflow",
                )
            ],
            False,
        ),
        ([("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", "/opt/airflow/auth/passwords.json")], False),
    ],
)
def test_secret_detector(pairs: list[tuple[str, str]], leaks: bool) -> None:
    assert bool(_secret_findings(pairs)) is leaks


def test_no_literal_secrets(compose: dict[str, Any]) -> None:
    pairs = list(_strings(compose))
    pairs += list(_dockerfile_env().items())
    pairs += [("Dockerfile", args) for _, args in _dockerfile_instructions()]
    pairs += [
        ("docker/" + path.name, path.read_text()) for path in sorted((ROOT / "docker").rglob("*")) if path.is_file()
    ]
    findings = _secret_findings(pairs)
    assert not findings, f"hard-coded secrets: {findings}"


@pytest.mark.parametrize("name", REQUIRED_SECRETS)
def test_required_secrets_come_from_the_environment(services: dict[str, Any], name: str) -> None:
    for service in AIRFLOW_SERVICES:
        match = INTERPOLATION.match(_env(services[service])[name])
        assert match and match.group("var") == name and match.group("op") == ":?", (
            f"{service}: {name} must be ${{{name}:?message}}, so a missing secret stops the stack"
        )


def test_fernet_key_comes_from_the_environment(services: dict[str, Any]) -> None:
    for service in AIRFLOW_SERVICES:
        assert _env(services[service])["AIRFLOW__CORE__FERNET_KEY"] == "${AIRFLOW__CORE__FERNET_KEY:-}"


# --- docker-compose itself -------------------------------------------------------------------------


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.fixture(scope="module")
def compose_command() -> list[str]:
    command = _compose_command()
    if command is None:
        pytest.skip(
            "no docker-compose binary: install it to validate docker-compose.yml "
            "(Debian/Ubuntu: `apt-get install docker-compose`; or the Docker compose plugin)"
        )
    return command


def _run_compose_config(
    compose_command: list[str], tmp_path: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    # An empty env file, so a developer's .env (real secrets) never takes part in the test.
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    return subprocess.run(
        [*compose_command, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_config_is_valid(compose_command: list[str], tmp_path: Path) -> None:
    env = {**os.environ, **dict.fromkeys(REQUIRED_SECRETS + SUPERSET_SECRETS, "test-only-not-a-secret")}
    result = _run_compose_config(compose_command, tmp_path, env)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_the_pseudonym_key(compose_command: list[str], tmp_path: Path) -> None:
    env = {
        **os.environ,
        **dict.fromkeys(("AIRFLOW__API_AUTH__JWT_SECRET", *SUPERSET_SECRETS), "test-only-not-a-secret"),
    }
    env.pop("READINESS_PSEUDONYM_KEY", None)
    result = _run_compose_config(compose_command, tmp_path, env)
    assert result.returncode != 0
    assert "READINESS_PSEUDONYM_KEY" in result.stderr


# --- the image -------------------------------------------------------------------------------------


def test_dockerfile_builds_on_the_locked_airflow_version() -> None:
    instructions = _dockerfile_instructions()
    keyword, base = instructions[0]
    assert keyword == "FROM"
    assert base.startswith("apache/airflow:3.3.2"), base
    locked = re.search(r"^apache-airflow==(\S+)$", LOCK_FILE.read_text(), re.MULTILINE)
    assert locked, "requirements.lock pins apache-airflow"
    assert base.startswith(f"apache/airflow:{locked.group(1)}-"), "the base image must match the lock"


def test_dockerfile_installs_the_lock_and_the_project() -> None:
    instructions = _dockerfile_instructions()
    copies = [args for keyword, args in instructions if keyword == "COPY"]
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    assert any("requirements.lock" in args for args in copies)
    assert any(re.search(r"pip install --no-cache-dir .*-r requirements\.lock", run) for run in runs)
    assert any("pyproject.toml" in args for args in copies)
    assert any(re.search(r"\binclude/", args) for args in copies)
    assert any(re.search(r"pip install --no-cache-dir --no-deps \.(\s|$)", run) for run in runs)
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1] == "airflow", "pip installs, and the image runs, as the airflow user"


def test_dockerignore_keeps_data_and_local_state_out_of_the_image() -> None:
    patterns = {
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    }
    expected = {".venv", "data/", ".git", "airflow_home/", "dbt_project/target", "dbt_project/logs", ".env"}
    assert expected <= patterns, f"missing: {sorted(expected - patterns)}"
    assert any("__pycache__" in pattern for pattern in patterns)


# --- BI: Superset on the published marts ------------------------------------------------------------

SUPERSET_DIR = ROOT / "docker" / "superset"
SERVED_IN_SUPERSET = "/srv/readiness"


def _volume_options(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> mount options (``ro``) of every volume of a service (short syntax)."""
    options = {}
    for volume in service.get("volumes", []):
        parts = volume.split(":")
        options[parts[1]] = parts[2] if len(parts) > 2 else ""
    return options


def test_superset_serves_the_published_marts(services: dict[str, Any]) -> None:
    superset, init = services["superset"], services["superset-init"]
    assert superset["build"] == init["build"] == "./docker/superset"
    assert superset["depends_on"]["superset-init"]["condition"] == "service_completed_successfully"
    assert superset["healthcheck"]["test"]
    assert superset["ports"] == ["127.0.0.1:8088:8088"], "loopback only: the marts describe the workforce"
    assert not set(superset.get("depends_on", {})) & set(AIRFLOW_SERVICES), "BI runs without the pipeline"


@pytest.mark.parametrize("name", ["superset", "superset-init"])
def test_superset_mounts_the_served_folder_only_read_only(services: dict[str, Any], name: str) -> None:
    mounts, options = _mounts(services[name]), _volume_options(services[name])
    # The folder, never the file itself: a bind-mounted file keeps the inode it had at start, and
    # every publish renames a new file over readiness.duckdb. Nothing of ./data but the served folder.
    assert mounts[SERVED_IN_SUPERSET] == "./data/served"
    assert options[SERVED_IN_SUPERSET] == "ro"
    assert [source for source in mounts.values() if source.startswith("./data")] == ["./data/served"]
    assert services[name]["group_add"] == ["0"], "served files are readable by the pipeline's group"


def test_superset_init_provisions_the_locked_reader_connection() -> None:
    script = (SUPERSET_DIR / "superset-init.sh").read_text()
    steps = [line.strip() for line in script.splitlines() if not line.strip().startswith("#")]
    assert "set -euo pipefail" in steps
    assert any(re.search(r"\bsuperset db upgrade\b", step) for step in steps)
    assert any(re.search(r"\bsuperset init\b", step) for step in steps)
    uri = re.search(r'--uri "\$\{READINESS_WAREHOUSE_URI:-([^}"]+)\}"', script)
    assert uri, "superset-init sets the warehouse connection (overridable for the native harness)"
    assert uri.group(1) == reader_uri(f"{SERVED_IN_SUPERSET}/warehouse/readiness.duckdb")
    dockerfile = (SUPERSET_DIR / "Dockerfile").read_text()
    assert "COPY --chown=superset:superset superset-init.sh /app/docker/readiness/superset-init.sh" in dockerfile


@pytest.mark.parametrize("name", ["superset", "superset-init"])
def test_superset_imports_the_dashboards_of_the_repository(services: dict[str, Any], name: str) -> None:
    # superset-init.sh reads the bundle beside itself: the repository's folder, read-only, in compose and
    # in the image alike (tests/test_superset_bundle.py checks the bundle against the marts).
    mounts, options = _mounts(services[name]), _volume_options(services[name])
    assert mounts["/app/docker/readiness/dashboards"] == "./docker/superset/dashboards"
    assert options["/app/docker/readiness/dashboards"] == "ro"
    assert [source for source in mounts.values() if source.startswith("./")] == [
        "./data/served",
        "./docker/superset/dashboards",
    ]
    dockerfile = (SUPERSET_DIR / "Dockerfile").read_text()
    assert "COPY --chown=superset:superset dashboards /app/docker/readiness/dashboards" in dockerfile
    assert '$(dirname "$0")/dashboards' in (SUPERSET_DIR / "superset-init.sh").read_text()


def test_superset_reads_with_the_duckdb_that_wrote_the_file() -> None:
    dockerfile = (SUPERSET_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/superset:\d+\.\d+\.\d+$", dockerfile, re.MULTILINE), "a pinned Superset"
    locked = re.search(r"^duckdb==(\S+)$", LOCK_FILE.read_text(), re.MULTILINE)
    assert locked
    assert f'"duckdb=={locked.group(1)}"' in dockerfile, "the image's DuckDB must match requirements.lock"
    engine = re.search(r'"duckdb-engine==([\d.]+)"', dockerfile)
    assert engine
    # The native Superset of the tests (its own lock) is the image's: same Superset, DuckDB and driver.
    native = (SUPERSET_DIR / "requirements.lock").read_text()
    superset = re.search(r"^FROM apache/superset:(\S+)$", dockerfile, re.MULTILINE)
    assert superset
    pins = (f"apache-superset=={superset.group(1)}", f"duckdb=={locked.group(1)}", f"duckdb-engine=={engine.group(1)}")
    for pin in pins:
        assert re.search(rf"^{re.escape(pin)}$", native, re.MULTILINE), pin


@pytest.mark.parametrize("name", ["superset", "superset-init"])
def test_superset_secrets_come_from_the_environment_and_telemetry_is_off(services: dict[str, Any], name: str) -> None:
    env = _env(services[name])
    needed = SUPERSET_SECRETS if name == "superset-init" else SUPERSET_SECRETS[:1]
    for secret in needed:
        match = INTERPOLATION.match(env[secret])
        assert match and match.group("var") == secret and match.group("op") == ":?", f"{name}: {secret}"
    assert env["SCARF_ANALYTICS"] == "false" and env["DO_NOT_TRACK"] == "1"
    config = (SUPERSET_DIR / "superset_config.py").read_text()
    assert 'SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]' in config
    assert "SCARF_ANALYTICS = False" in config


def test_compose_refuses_to_start_without_the_superset_secret(compose_command: list[str], tmp_path: Path) -> None:
    env = {
        **os.environ,
        **dict.fromkeys((*REQUIRED_SECRETS, "SUPERSET_ADMIN_PASSWORD"), "test-only-not-a-secret"),
    }
    env.pop("SUPERSET_SECRET_KEY", None)
    result = _run_compose_config(compose_command, tmp_path, env)
    assert result.returncode != 0
    assert "SUPERSET_SECRET_KEY" in result.stderr
