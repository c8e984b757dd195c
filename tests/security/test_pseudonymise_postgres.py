"""The Postgres variant of the pseudonymise macro: the key reaches the session as a start-up option, so
compiled SQL (dbt's target/ and logs) names the setting, never the key; the pseudonyms equal DuckDB's.

Runs the macro's SQL on the PostgreSQL of the machine (127.0.0.1, user postgres) through libpq's psql, in a
database of its own, dropped afterwards. dbt-postgres is not installed here: the macro is rendered by Jinja.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from readiness.config import postgres_session_options
from readiness.dbt_plugin import worker_key

MACRO = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "pseudonymise.sql"
KEY = "a key with spaces and \\ backslash"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qAt"]

pytestmark = pytest.mark.skipif(shutil.which("psql") is None, reason="needs psql and the PostgreSQL on 127.0.0.1")


def compiled(column: str) -> str:
    return jinja2.Environment().from_string(MACRO.read_text()).module.postgres__pseudonymise(column)  # type: ignore[attr-defined]


@pytest.fixture
def database() -> Iterator[str]:
    name = f"readiness_pseudonym_{uuid.uuid4().hex[:12]}"
    subprocess.run([*PSQL, "-c", f"create database {name}"], check=True)
    try:
        subprocess.run([*PSQL, "-d", name, "-c", "create extension pgcrypto"], check=True)
        yield name
    finally:
        subprocess.run([*PSQL, "-c", f"drop database {name}"], check=True)


def _psql(database: str, sql: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PSQL, "-d", database, "-c", sql], env=env, capture_output=True, text=True)


def test_the_key_is_a_session_setting_not_sql(database: str) -> None:
    expression = compiled("worker_id")
    assert "current_setting('readiness.pseudonym_key')" in expression
    assert KEY not in expression and "env_var" not in expression
    sql = f"select {expression} from (values ('W1'), ('W2'), ('W10')) as t (worker_id) order by worker_id"
    env = {k: v for k, v in os.environ.items() if k != "PGOPTIONS"}
    result = _psql(database, sql, {**env, **postgres_session_options(KEY)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [worker_key(w, KEY) for w in ("W1", "W10", "W2")]
    # Without the option the model fails loudly rather than hashing with an empty key.
    missing = _psql(database, sql, env)
    assert missing.returncode != 0 and "readiness.pseudonym_key" in missing.stderr
