"""File modes: personal data readable by its owner only, served files group-readable, whatever umask the
process was started with; the key is never readable by anyone else, not even for a moment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readiness.config import PIPELINE_UMASK, Settings
from tests.installation import build_installation, mode, mode_problems


def test_every_file_and_folder_has_its_mode_after_two_nights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.umask(0o000)  # the loosest start: every mode below comes from the pipeline itself
    try:
        installation = build_installation(tmp_path / "data", monkeypatch)
        assert os.umask(PIPELINE_UMASK) == PIPELINE_UMASK, "reading the settings set the pipeline's umask"
    finally:
        os.umask(0o022)
    settings = installation.settings
    # What the run left is there to be checked, one of each kind.
    for path in (
        installation.archived_csv,
        installation.quarantined,
        installation.key_file,
        settings.ingest_db,
        settings.candidate_db,
        settings.published_db,
        settings.exports_dir / "skills_coverage.csv",
        settings.reports_dir / "latest.html",
    ):
        assert path.is_file(), path
    assert len(list(settings.versions_dir.iterdir())) == 1
    # A delivery that arrived with loose modes is tightened by the next run's start.
    installation.waiting_parquet.chmod(0o666)
    installation.waiting_parquet.parent.chmod(0o777)
    settings.ensure_dirs()
    assert mode_problems(settings) == []
    assert sorted(p.name for p in settings.warehouse_dir.iterdir()) == ["readiness.duckdb"]
    # The kept version is the previous published file (same bytes, once group-readable): now owner-only.
    (kept,) = settings.versions_dir.iterdir()
    assert mode(kept) == 0o600 and mode(settings.published_db) == 0o640


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
