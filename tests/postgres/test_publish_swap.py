"""Publishing on Postgres: readers querying in a loop while versions are swapped in see one version whole,
old or new, and never an error; the BI role reads the marts schema and nothing else.

The marts here are two small hand-made tables whose every row carries its version, so a reader can tell a
mix: the swap (readiness.pg.swap_in) is what is under test, not dbt (test_nightly_dag builds for real).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors

from readiness import pg
from readiness.config import Settings

VERSIONS = 8
ROWS = 2000


def _candidate(con: psycopg.Connection[Any], version: int) -> None:
    """candidate_marts with tables a and b, every row of them tagged ``version``."""
    with con.transaction():
        con.execute("create schema candidate_marts")
        for table in ("a", "b"):
            con.execute(
                f"create table candidate_marts.{table} as select %s::int as version, n from generate_series(1, %s) n",
                [version, ROWS],
            )


def _settings(tmp_path: Path, url: str, role: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("READINESS_PSEUDONYM_KEY", "swap-test-key")
    return Settings(data_dir=tmp_path / "data", warehouse="postgres", postgres_url=url, postgres_reader_role=role)


class Reader(threading.Thread):
    """Queries as the BI role until stopped: one statement over three tables, and a two-statement transaction."""

    def __init__(self, url: str, role: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.role, self.stop = url, role, stop
        self.queries = 0
        self.errors: list[str] = []
        self.mixed: list[tuple[Any, ...]] = []
        self.versions: set[int] = set()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute(f'set role "{self.role}"')
            while not self.stop.is_set():
                try:
                    row = con.execute(
                        "select (select run_id from marts.publication), (select min(version) from marts.a), "
                        "(select max(version) from marts.a), (select min(version) from marts.b), "
                        "(select max(version) from marts.b), (select count(*) from marts.b)"
                    ).fetchone()
                    assert row is not None
                    with con.transaction():
                        first = con.execute("select run_id from marts.publication").fetchone()
                        time.sleep(0.002)
                        second = con.execute("select min(version), max(version) from marts.a").fetchone()
                    self.queries += 2
                except psycopg.Error as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                version = int(row[0].removeprefix("v"))
                if {row[1], row[2], row[3], row[4]} != {version} or row[5] != ROWS:
                    self.mixed.append(row)
                if first is None or second is None or {second[0], second[1]} != {int(first[0].removeprefix("v"))}:
                    self.mixed.append((first, second))
                self.versions.add(version)


def test_readers_see_one_version_whole_and_no_error(
    reader_role: str, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, pg_database, reader_role, monkeypatch)
    with pg.connect(settings) as con:
        _candidate(con, 0)
        pg.swap_in(con, settings, "v0", "2026-11-27", {"a": ROWS, "b": ROWS})
        stop = threading.Event()
        readers = [Reader(pg_database, reader_role, stop) for _ in range(2)]
        for reader in readers:
            reader.start()
        time.sleep(0.3)
        started = time.perf_counter()
        for version in range(1, VERSIONS + 1):
            _candidate(con, version)
            pg.swap_in(con, settings, f"v{version}", "2026-11-27", {"a": ROWS, "b": ROWS})
            time.sleep(0.05)
        swapping = time.perf_counter() - started
        time.sleep(0.3)
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    queries = sum(r.queries for r in readers)
    seen = set().union(*(r.versions for r in readers))
    print(f"{VERSIONS} swaps in {swapping:.2f} s; {queries} reader queries; versions seen {sorted(seen)}")
    assert [e for r in readers for e in r.errors] == []
    assert [m for r in readers for m in r.mixed] == []
    assert queries > 50, "the readers hardly ran: the test proves nothing"
    assert len(seen) >= 3, f"readers saw versions {sorted(seen)} only: the swaps did not happen while they read"


def test_the_reader_role_reads_the_marts_only(
    reader_role: str, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, pg_database, reader_role, monkeypatch)
    with pg.connect(settings) as con:  # creates raw.* and ops.*
        for version in (1, 2):
            _candidate(con, version)
            con.execute("create schema candidate_staging")
            con.execute("create table candidate_staging.names as select 'a name' as first_name")
            pg.swap_in(con, settings, f"v{version}", "2026-11-27", {"a": ROWS, "b": ROWS})
        schemas = {r[0] for r in con.execute("select nspname from pg_namespace where nspname !~ '^(pg_|information)'")}
    # The build schemas (names, e-mails) went with the swap; the previous version is kept for rollback.
    kept = [s for s in schemas if s.startswith(pg.VERSION_PREFIX)]
    assert len(kept) == 1 and schemas == {"public", "raw", "ops", "marts", *kept}
    with psycopg.connect(pg_database, autocommit=True) as con:
        con.execute(f'set role "{reader_role}"')
        assert con.execute("select run_id from marts.publication").fetchone() == ("v2",)
        assert con.execute("select count(*) from marts.a").fetchone() == (ROWS,)
        for forbidden in ("raw.hr__workers", "ops.load_manifest", f'"{kept[0]}".a'):
            with pytest.raises(errors.InsufficientPrivilege):
                con.execute(f"select * from {forbidden} limit 1")


def test_rollback_swaps_the_previous_version_back_and_keeps_n(
    reader_role: str, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four publications with two versions kept: rollback goes back one version at a time, in one transaction,
    the version rolled back from set aside (never rolled back to) and the reader role on ``marts`` only."""
    settings = dataclasses.replace(_settings(tmp_path, pg_database, reader_role, monkeypatch), keep_versions=2)
    with pg.connect(settings) as con:
        for version in (1, 2, 3, 4):
            _candidate(con, version)
            pg.swap_in(con, settings, f"v{version}", "2026-11-27", {"a": ROWS, "b": ROWS})
    kept = pg.kept_versions(settings)
    assert len(kept) == 2  # v2 and v3; v1 was pruned

    def published() -> tuple[Any, ...]:
        with psycopg.connect(pg_database, autocommit=True) as con:
            con.execute(f'set role "{reader_role}"')
            row = con.execute(
                "select (select run_id from marts.publication), min(version), max(version), count(*) from marts.b"
            ).fetchone()
            assert row is not None
            return tuple(row)

    assert published() == ("v4", 4, 4, ROWS)
    assert pg.rollback(settings).run_id == "v3"
    assert published() == ("v3", 3, 3, ROWS)
    assert pg.rollback(settings).run_id == "v2"
    assert published() == ("v2", 2, 2, ROWS)
    with pytest.raises(FileNotFoundError, match="nothing to roll back to"):
        pg.rollback(settings)
    assert published() == ("v2", 2, 2, ROWS)
    with psycopg.connect(pg_database, autocommit=True) as con:
        rolled_back = [
            r[0] for r in con.execute("select nspname from pg_namespace where nspname like 'marts_rolled_back_%'")
        ]
        assert len(rolled_back) == 2  # v4 and v3, set aside
        con.execute(f'set role "{reader_role}"')
        for schema in rolled_back:
            with pytest.raises(errors.InsufficientPrivilege):
                con.execute(f'select * from "{schema}".a limit 1')
