"""The ingest database: raw tables derived from the contracts, and the ops tables of row accounting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from readiness.contracts import EXTRACTS, LOAD_METADATA_COLUMNS, Extract

OPS_DDL = """
create schema if not exists raw;
create schema if not exists ops;
create table if not exists ops.load_manifest (
    load_id varchar primary key,       -- the SHA-256 of the delivered bytes
    source varchar not null,
    extract varchar not null,
    file_name varchar not null,
    as_of_date date,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    status varchar not null,           -- pending_validation, loaded, rejected
    message varchar,
    received_at timestamp not null,
    validated_at timestamp,
    archive_path varchar,
    run_id varchar                     -- the pipeline run that received it (null from the CLI)
);
create table if not exists ops.duplicate_deliveries (
    file_name varchar not null,
    source varchar not null,
    extract varchar not null,
    load_id varchar not null,          -- the delivery whose bytes it repeats
    as_of_date date,                   -- a source re-sending unchanged data is still a fresh delivery
    received_at timestamp not null,
    run_id varchar
);
create table if not exists ops.pipeline_runs (
    run_id varchar primary key,
    as_of_date date,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,           -- running, published, failed
    published boolean not null default false,
    failed_task varchar,
    reason varchar,                    -- why it failed, in the words the failing step used
    row_counts json
);
create table if not exists ops.quarantine (
    load_id varchar not null,
    source varchar not null,
    extract varchar not null,
    file_name varchar not null,
    line_number bigint,                -- null where the whole file was rejected
    column_name varchar,
    reason varchar not null,
    record varchar,
    quarantined_at timestamp not null
);
"""


def raw_table_ddl(extract: Extract) -> str:
    columns = [f'"{c.name}" {c.duckdb_type}' for c in extract.columns]
    columns += [f"{name} {type_}" for name, type_, _ in LOAD_METADATA_COLUMNS]
    return f"create table if not exists raw.{extract.raw_table} (\n    " + ",\n    ".join(columns) + "\n)"


def initialise(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("set TimeZone = 'UTC'")
    con.execute(OPS_DDL)
    for extract in EXTRACTS:
        con.execute(raw_table_ddl(extract))


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the ingest database; created with its schemas on first use."""
    if read_only and not path.exists():
        raise FileNotFoundError(f"{path} does not exist yet: no extract has been loaded")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        if read_only:
            con.execute("set TimeZone = 'UTC'")
        else:
            initialise(con)
        yield con
    finally:
        con.close()
