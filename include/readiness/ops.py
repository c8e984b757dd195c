"""The ingest database: raw tables derived from the contracts, and the ops tables of row accounting.

The load statuses live here, with the manifest that records them: ingest writes them, validate and
the run summary read them, and none of those stages needs another to know what a status means.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from readiness.contracts import EXTRACTS, LOAD_METADATA_COLUMNS, Extract

log = logging.getLogger(__name__)

#: Status of a load in ``ops.load_manifest``: typed into raw, waiting for its GX suite.
STATUS_PENDING = "pending_validation"
#: Validated: the rows are in force for dbt.
STATUS_LOADED = "loaded"
#: Unusable as a whole (at load or at validation): nothing of it is in raw.
STATUS_REJECTED = "rejected"

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
-- Every task that failed in a run (pipeline_runs keeps the first): two loads can fail in one night.
create table if not exists ops.task_failures (
    run_id varchar not null,
    task_id varchar not null,
    try_number integer,
    failed_at timestamp not null,
    reason varchar not null
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


class RawTableMismatch(Exception):
    """A raw table's existing column has another type than its contract says; only a person can decide."""


def raw_columns(extract: Extract) -> list[tuple[str, str]]:
    """(name, DuckDB type) of every column of the extract's raw table: the contract's, then load metadata."""
    return [(c.name, c.duckdb_type) for c in extract.columns] + [(n, t) for n, t, _ in LOAD_METADATA_COLUMNS]


def raw_table_ddl(extract: Extract) -> str:
    columns = [f'"{name}" {type_}' for name, type_ in raw_columns(extract)]
    return f"create table if not exists raw.{extract.raw_table} (\n    " + ",\n    ".join(columns) + "\n)"


def migrate_raw_table(con: duckdb.DuckDBPyConnection, extract: Extract) -> list[str]:
    """Bring an existing raw table up to its contract: a column the contract gained is added, nullable.

    Earlier deliveries did not carry the new column, so null is the truth for their rows. A column the
    contract no longer has is kept (its history stays readable) and simply not loaded any more. A
    changed type is not migrated: converting delivered history is a decision, so the error says what to do.
    """
    existing = {
        name.lower(): (name, type_)
        for name, type_ in con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [extract.raw_table],
        ).fetchall()
    }
    added = []
    for name, type_ in raw_columns(extract):
        if name.lower() not in existing:
            con.execute(f'alter table raw.{extract.raw_table} add column "{name}" {type_}')
            added.append(name)
        elif _same_type(existing[name.lower()][1]) != _same_type(type_):
            raise RawTableMismatch(
                f"raw.{extract.raw_table}.{name} is {existing[name.lower()][1]} in the ingest database but "
                f"{type_} in the {extract.qualified_name} contract. Changing the type of delivered history is not "
                "automatic: convert the column by hand (alter table ... alter column ... type ...) or give the "
                "new meaning a new column name."
            )
    if added:
        log.warning("raw.%s: added column(s) %s from its contract", extract.raw_table, ", ".join(added))
    return added


def _same_type(type_: str) -> str:
    """information_schema writes ``DECIMAL(18,6)`` where the contract says ``DECIMAL(18, 6)``."""
    return type_.replace(" ", "").upper()


def initialise(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("set TimeZone = 'UTC'")
    con.execute(OPS_DDL)
    for extract in EXTRACTS:
        con.execute(raw_table_ddl(extract))
        migrate_raw_table(con, extract)


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
