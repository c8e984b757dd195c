"""A hostile reader: everything a BI user could type into SQL Lab to reach personal data or change the
warehouse, through the exact connections readers get (``serve.open_reader`` and the connection string
BI tools are given, ``serve.reader_uri``, opened by duckdb-engine as Superset opens it). Each attempt
must fail with the error that says why, and the marts must still read afterwards.

The attempts and the errors they got are written to test-artifacts/hostile-reader.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from readiness.serve import open_reader, reader_uri
from tests.marts_data import expected_rows
from tests.security.installation import EMAILS, Installation

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "hostile-reader.md"

FILES_CLOSED = "file system operations are disabled by configuration"
LOCKED = "the configuration has been locked"
READ_ONLY = "attached in read-only mode"


@dataclass(frozen=True)
class Attempt:
    what: str
    sql: str
    refusal: str  # a fragment of the error DuckDB must answer with


def attempts(installation: Installation) -> list[Attempt]:
    s = installation.settings
    leak = s.data_dir / "leak"
    return [
        Attempt("ATTACH the ingest database (raw HR data)", f"attach '{s.ingest_db}' as ing (read_only)", FILES_CLOSED),
        Attempt("ATTACH the candidate", f"attach '{s.candidate_db}' as cand (read_only)", FILES_CLOSED),
        Attempt("ATTACH in-memory scratch space", "attach ':memory:' as scratch", "in read-only mode"),
        Attempt(
            "read_csv of an archived HR extract", f"select * from read_csv('{installation.archived_csv}')", FILES_CLOSED
        ),
        Attempt("a file path as a table", f"select * from '{installation.archived_csv}'", FILES_CLOSED),
        Attempt(
            "read_text of the pseudonym key", f"select content from read_text('{installation.key_file}')", FILES_CLOSED
        ),
        Attempt("read_blob of the ingest database", f"select content from read_blob('{s.ingest_db}')", FILES_CLOSED),
        Attempt(
            "read_parquet of a delivery", f"select * from read_parquet('{installation.waiting_parquet}')", FILES_CLOSED
        ),
        Attempt(
            "read_parquet of the exports", f"select * from read_parquet('{s.exports_dir}/*.parquet')", FILES_CLOSED
        ),
        Attempt("glob of the data folder", f"select * from glob('{s.data_dir}/**')", FILES_CLOSED),
        Attempt("COPY a mart TO a file", f"copy marts.skill_gaps to '{leak}.csv'", FILES_CLOSED),
        Attempt("COPY TO the exports folder", f"copy (select 1) to '{s.exports_dir}/x.parquet'", FILES_CLOSED),
        Attempt("EXPORT DATABASE", f"export database '{leak}'", FILES_CLOSED),
        Attempt("INSTALL an extension", "install httpfs", FILES_CLOSED),
        Attempt("LOAD an extension", "load httpfs", "Loading external extensions is disabled"),
        Attempt("LOAD an extension file", f"load '{leak}.duckdb_extension'", "Loading external extensions is disabled"),
        Attempt(
            "CREATE SECRET (written to disk)",
            "create persistent secret s (type s3, key_id 'a', secret 'b')",
            FILES_CLOSED,
        ),
        Attempt("SET enable_external_access", "set enable_external_access = true", LOCKED),
        Attempt("RESET enable_external_access", "reset enable_external_access", LOCKED),
        Attempt("SET lock_configuration", "set lock_configuration = false", LOCKED),
        Attempt("SET allowed_directories", f"set allowed_directories = ['{s.data_dir}/']", LOCKED),
        Attempt("SET access_mode", "set access_mode = 'read_write'", "Cannot change"),
        Attempt("SET profiling_output (a file write)", f"set profiling_output = '{leak}.json'", LOCKED),
        Attempt("PRAGMA enable_profiling", "pragma enable_profiling", LOCKED),
        Attempt("PRAGMA threads", "pragma threads = 1", LOCKED),
        Attempt("CREATE TABLE", "create table marts.leak (a integer)", READ_ONLY),
        Attempt("CREATE TABLE AS", "create table marts.leak as select 1 as a", READ_ONLY),
        Attempt("CREATE VIEW", "create view marts.leak as select 1 as a", READ_ONLY),
        Attempt("CREATE SCHEMA", "create schema leak", READ_ONLY),
        Attempt("CREATE MACRO", "create macro leak() as 1", READ_ONLY),
        Attempt("CREATE SEQUENCE", "create sequence leak", READ_ONLY),
        Attempt("INSERT", "insert into marts.skill_gaps select * from marts.skill_gaps limit 1", READ_ONLY),
        Attempt("UPDATE", "update marts.skills_coverage set headcount = 0", READ_ONLY),
        Attempt("DELETE", "delete from marts.skills_coverage", READ_ONLY),
        Attempt("TRUNCATE", "truncate marts.skills_coverage", READ_ONLY),
        Attempt("DROP TABLE", "drop table marts.skills_coverage", READ_ONLY),
        Attempt("ALTER TABLE", "alter table marts.skills_coverage add column leak integer", READ_ONLY),
        Attempt("COMMENT ON", "comment on table marts.skills_coverage is 'x'", READ_ONLY),
        Attempt("UPDATE the publication record", "update marts.publication set run_id = 'forged'", READ_ONLY),
    ]


@contextmanager
def locked_reader(installation: Installation) -> Iterator[Callable[[str], list[tuple]]]:
    with open_reader(installation.settings.published_db) as con:
        yield lambda sql: con.execute(sql).fetchall()


@contextmanager
def bi_connection(installation: Installation) -> Iterator[Callable[[str], list[tuple]]]:
    """What Superset does with the documented connection string: duckdb-engine, one pooled engine."""
    engine = sa.create_engine(reader_uri(installation.settings.published_db))

    def run(sql: str) -> list[tuple]:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(sql).fetchall()]

    try:
        yield run
    finally:
        engine.dispose()


CONNECTIONS = {"serve.open_reader": locked_reader, "BI connection string (duckdb-engine)": bi_connection}
RECORDED: dict[str, list[tuple[str, str, str]]] = {}


@pytest.mark.parametrize("kind", list(CONNECTIONS))
def test_every_hostile_attempt_fails_and_the_marts_still_read(installation: Installation, kind: str) -> None:
    wrong, recorded = [], []
    with CONNECTIONS[kind](installation) as run:
        settings = run(
            "select current_setting('access_mode'), current_setting('enable_external_access'), "
            "current_setting('lock_configuration'), current_setting('autoload_known_extensions')"
        )
        assert settings == [("read_only", False, True, False)]
        for attempt in attempts(installation):
            try:
                result = run(attempt.sql)
            except Exception as exc:  # every refusal is recorded; the wrong refusal is a finding too
                message = str(getattr(exc, "orig", exc)).splitlines()[0]
                recorded.append((attempt.what, attempt.sql, message))
                if attempt.refusal not in message:
                    wrong.append(f"{attempt.what}: refused, but not because {attempt.refusal!r}: {message}")
            else:
                recorded.append((attempt.what, attempt.sql, f"SUCCEEDED: {result[:3]}"))
                wrong.append(f"{attempt.what}: succeeded ({attempt.sql}) -> {result[:3]}")
        counts = {mart: run(f"select count(*) from marts.{mart}")[0][0] for mart in expected_rows()}
    RECORDED[kind] = recorded
    _write_artifact()
    assert wrong == []
    assert counts == expected_rows(scale=2), "the marts of the second night still read, unchanged"
    assert not list(installation.settings.data_dir.glob("leak*"))
    assert all(e not in str(recorded) for e in EMAILS), "no refusal quoted the personal data"


def _write_artifact() -> None:
    lines = ["# Hostile reader: each attempt and the error it got", ""]
    for kind, rows in RECORDED.items():
        lines += [f"## {kind}", "", "| attempt | SQL | answer |", "|---|---|---|"]
        lines += [f"| {what} | `{sql}` | {answer.replace('|', '/')} |" for what, sql, answer in rows]
        lines.append("")
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text("\n".join(lines))
