"""File modes: personal data readable by its owner only, served files group-readable, whatever umask the
process was started with; the key is never readable by anyone else, not even for a moment."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from readiness import runs
from readiness.config import PIPELINE_UMASK, Settings
from tests.security.installation import Installation, mode, mode_problems


def test_every_file_and_folder_has_its_mode_after_two_nights(installation: Installation) -> None:
    settings = installation.settings
    # What the nights left is there to be checked, one of each kind.
    for path in (
        installation.archived_csv,
        installation.quarantined,
        installation.key_file,
        settings.ingest_db,
        settings.candidate_db,
        settings.published_db,
        settings.exports_dir / "skills_coverage.parquet",
        settings.exports_dir / "skills_coverage.csv",
    ):
        assert path.is_file(), path
    problems = mode_problems(settings)
    assert problems == [], "\n".join(problems)
    assert sorted(p.name for p in settings.warehouse_dir.iterdir()) == ["readiness.duckdb"]
    # The kept version is the previous published file (one inode, once group-readable): now owner-only.
    (kept,) = settings.versions_dir.iterdir()
    assert mode(kept) == 0o600 and mode(settings.published_db) == 0o640


def test_a_delivery_with_loose_modes_is_tightened_when_the_next_run_starts(installation: Installation) -> None:
    installation.waiting_parquet.chmod(0o666)
    installation.waiting_parquet.parent.chmod(0o777)
    assert mode_problems(installation.settings) != []
    runs.start_run(installation.settings, "night-3", date(2026, 11, 29))
    assert mode_problems(installation.settings) == []


def test_pipeline_processes_run_with_the_pipeline_umask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path))
    previous = os.umask(0o000)
    try:
        Settings.from_env()
        assert os.umask(previous) == PIPELINE_UMASK == 0o027
    finally:
        os.umask(previous)


def test_the_key_is_created_owner_only_from_its_first_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.open with 0600: an open() with the umask's mode and a chmod afterwards would leave a window."""
    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("READINESS_PSEUDONYM_KEY", raising=False)
    settings = Settings.from_env()
    opened: list[tuple[str, int]] = []
    real_open = os.open

    def watching_open(path, flags, mode=0o777, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "pseudonym_key" in str(path) and flags & os.O_CREAT:
            opened.append((str(path), mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching_open)
    os.umask(0o000)
    try:
        key = settings.pseudonym_key()
    finally:
        os.umask(0o022)
    assert opened and all(created_mode == 0o600 for _, created_mode in opened), opened
    key_file = settings.secrets_dir / "pseudonym_key"
    assert mode(key_file) == 0o600 and mode(settings.secrets_dir) == 0o700
    assert key_file.read_text() == key and len(key) == 64
    assert [p.name for p in settings.secrets_dir.iterdir()] == ["pseudonym_key"], "no draft left behind"
    assert Settings.from_env().pseudonym_key() == key, "the key is stable from night to night"
