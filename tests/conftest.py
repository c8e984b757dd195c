"""Shared fixtures. Telemetry is switched off before anything imports dbt, GX or cosmos."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# Airflow reads its home at import: keep it inside the project, never ~/airflow.
os.environ.setdefault("AIRFLOW_HOME", str(REPO_ROOT / "airflow_home"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

from readiness.config import Settings, disable_telemetry  # noqa: E402

disable_telemetry()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings on an empty data root of the test's own."""
    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READINESS_PSEUDONYM_KEY", "test-pseudonym-key")
    result = Settings.from_env()
    result.ensure_dirs()
    return result


def deliver(settings: Settings, source: str, extract: str, file_name: str, content: str | bytes) -> Path:
    """Drop a file into landing/<source>/<extract>/ as a source system would."""
    folder = settings.landing_dir / source / extract
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


#: The longest modules (minutes each, from `make test`'s --durations), started first: with two workers the
#: suite ends when its longest module does, so a long one left for last would run alone at the end.
LONGEST_FIRST = (
    "tests/test_week.py",
    "tests/e2e/test_pipeline.py",
    "tests/postgres/test_nightly_dag.py",
    "tests/deploy/test_service.py",
    "tests/test_erase.py",
    "tests/test_marts_privacy.py",
    "tests/test_marts_small_org.py",
    "tests/test_alerts.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within a module and among the rest is pytest's
