"""The warehouse on PostgreSQL (READINESS_WAREHOUSE=postgres): one database holds raw, ops and the marts.

Only where rows go differs from the DuckDB warehouse. Deliveries are read, typed and quarantined by the
same code (readiness.ingest types them in an in-memory DuckDB), and the typed Arrow batches are written
with COPY, never row by row. The table shapes are the contracts' (readiness.ops); this module only
spells their types in Postgres.

The pseudonym key reaches every connection as a start-up option (PGOPTIONS, see
``readiness.config.postgres_session_options``), never as SQL text.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from readiness import ops
from readiness.config import Settings, postgres_session_options
from readiness.contracts import EXTRACTS, LOAD_METADATA_COLUMNS, Extract
from readiness.ingest import QUARANTINE_ROWS_QUERY, ManifestRow, good_rows_query, type_rows, whole_file_quarantine
from readiness.ops import STATUS_REJECTED
from readiness.readers import DeliveryRows

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: Rows per Arrow batch written with COPY or read back: bounded memory whatever the delivery's size.
BATCH_ROWS = 50_000

#: Postgres spelling of the DuckDB types the contracts use (readiness.contracts.DUCKDB_TYPES); the rest
#: (VARCHAR, BIGINT, DECIMAL(p, s), DATE, TIMESTAMP, BOOLEAN, JSON) are spelt alike.
_POSTGRES_TYPES = {"DOUBLE": "double precision"}


class WarehouseUnreachable(Exception):
    """The Postgres warehouse cannot be reached; nothing was written."""


def postgres_type(duckdb_type: str) -> str:
    return _POSTGRES_TYPES.get(duckdb_type.upper(), duckdb_type)


def raw_table_ddl(extract: Extract) -> str:
    columns = [f'"{name}" {postgres_type(type_)}' for name, type_ in ops.raw_columns(extract)]
    return f"create table if not exists raw.{extract.raw_table} (\n    " + ",\n    ".join(columns) + "\n)"


def conninfo(settings: Settings) -> dict[str, str]:
    """The parts of READINESS_POSTGRES_URL (host, port, dbname, user, ...), libpq's defaults filled in."""
    from psycopg.conninfo import conninfo_to_dict

    parts = {k: str(v) for k, v in conninfo_to_dict(settings.postgres_url).items() if v is not None}
    parts.setdefault("host", "localhost")
    parts.setdefault("port", "5432")
    parts.setdefault("user", "postgres")
    parts.setdefault("dbname", parts["user"])
    return parts


def where(settings: Settings) -> str:
    """Where the warehouse is expected, in words, without any password."""
    parts = conninfo(settings)
    return f"PostgreSQL at {parts['host']}:{parts['port']}, database {parts['dbname']}, user {parts['user']}"


@contextmanager
def connect(settings: Settings, *, initialise_schema: bool = True) -> Iterator[psycopg.Connection[Any]]:
    """A connection to the warehouse with the pseudonym key in its session; raw and ops created on first use.

    An unreachable server is one clear sentence (what was expected where, what to do), raised before
    anything is read or moved.
    """
    import psycopg

    options = postgres_session_options(settings.pseudonym_key())["PGOPTIONS"]
    try:
        con = psycopg.connect(settings.postgres_url, options=options, connect_timeout=10, autocommit=True)
    except psycopg.OperationalError as exc:
        raise WarehouseUnreachable(
            f"The warehouse is unreachable: expected {where(settings)} (READINESS_POSTGRES_URL), but the "
            f"connection failed: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc}. Start the server "
            "or correct READINESS_POSTGRES_URL, then run the night again: nothing was loaded, the deliveries "
            "are still in landing/."
        ) from exc
    try:
        if initialise_schema:
            initialise(con)
        yield con
    finally:
        con.close()


def initialise(con: psycopg.Connection[Any]) -> None:
    """raw.* and ops.* from the contracts, under a lock: parallel loads must not race on `create ... if not
    exists` (Postgres reports the loser as a duplicate key)."""
    with con.transaction(), con.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(hashtext('readiness.initialise'))")
        cur.execute("set local client_min_messages = warning")
        cur.execute("create extension if not exists pgcrypto")  # hmac() of the pseudonymise macro
        cur.execute(ops.OPS_DDL)
        for extract in EXTRACTS:
            cur.execute(raw_table_ddl(extract))
            _add_missing_columns(cur, extract)


def _add_missing_columns(cur: psycopg.Cursor[Any], extract: Extract) -> None:
    """A column a contract gained is added, nullable, as on DuckDB (readiness.ops.migrate_raw_table)."""
    cur.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = %s",
        [extract.raw_table],
    )
    existing = {row[0].lower() for row in cur.fetchall()}
    for name, type_ in ops.raw_columns(extract):
        if name.lower() not in existing:
            cur.execute(f'alter table raw.{extract.raw_table} add column "{name}" {postgres_type(type_)}')
            log.warning("raw.%s: added column %s from its contract", extract.raw_table, name)


def copy_batches(
    cur: psycopg.Cursor[Any], table: str, columns: Iterable[str], batches: Iterable[pa.RecordBatch]
) -> int:
    """COPY Arrow batches into ``table`` as CSV (Arrow writes null unquoted and '' quoted, as COPY reads them)."""
    names = ", ".join(f'"{c}"' for c in columns)
    written = 0
    options = pa_csv.WriteOptions(include_header=False)
    with cur.copy(f"copy {table} ({names}) from stdin (format csv)") as copy:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            buffer = io.BytesIO()
            pa_csv.write_csv(batch, buffer, options)
            copy.write(buffer.getvalue())
            written += batch.num_rows
    return written


class PostgresSink:
    """Loads into ``raw.*`` and ``ops.*`` of the Postgres warehouse; one delivery is one transaction."""

    def __init__(self, con: psycopg.Connection[Any]) -> None:
        self.con = con

    def delivered(self, load_id: str) -> tuple[str, str] | None:
        with self.con.transaction(), self.con.cursor() as cur:
            cur.execute("select file_name, status from ops.load_manifest where load_id = %s", [load_id])
            row = cur.fetchone()
        return (row[0], row[1]) if row else None

    def record_duplicate(
        self, extract: Extract, file_name: str, load_id: str, as_of: date | None, run_id: str | None
    ) -> None:
        with self.con.transaction(), self.con.cursor() as cur:
            cur.execute(
                "insert into ops.duplicate_deliveries values (%s, %s, %s, %s, %s, %s, %s)",
                [file_name, extract.source, extract.name, load_id, as_of, _now(), run_id],
            )

    def record_rejection(self, extract: Extract, manifest: ManifestRow, reason: str) -> None:
        with self.con.transaction(), self.con.cursor() as cur:
            cur.execute("delete from ops.load_manifest where load_id = %s", [manifest.load_id])
            cur.execute(f"insert into ops.load_manifest values ({_params(14)})", manifest.values())
            cur.execute(f"insert into ops.quarantine values ({_params(9)})", whole_file_quarantine(manifest, reason))

    def commit_rows(self, extract: Extract, rows: DeliveryRows, manifest: ManifestRow) -> tuple[int, int]:
        m = manifest
        typing = duckdb.connect()  # the contract's typing and rules, exactly as the DuckDB loader runs them
        try:
            typing.execute("set TimeZone = 'UTC'")
            loaded, quarantined = type_rows(typing, extract, rows)
            good = typing.sql(good_rows_query(extract), params=[m.load_id, m.file_name, m.as_of_date, m.received_at])
            columns = [*(c.name for c in extract.columns), *(name for name, _, _ in LOAD_METADATA_COLUMNS)]
            with self.con.transaction(), self.con.cursor() as cur:
                copy_batches(cur, f"raw.{extract.raw_table}", columns, good.to_arrow_reader(BATCH_ROWS))
                broken = typing.execute(
                    QUARANTINE_ROWS_QUERY, [m.load_id, m.source, m.extract, m.file_name, m.received_at]
                )
                copy_batches(cur, "ops.quarantine", QUARANTINE_COLUMNS, broken.to_arrow_reader(BATCH_ROWS))
                if rows.broken:
                    unreadable = pa.table(
                        {
                            "load_id": [m.load_id] * len(rows.broken),
                            "source": [m.source] * len(rows.broken),
                            "extract": [m.extract] * len(rows.broken),
                            "file_name": [m.file_name] * len(rows.broken),
                            "line_number": [line for line, _, _ in rows.broken],
                            "column_name": pa.nulls(len(rows.broken), pa.string()),
                            "reason": [reason for _, reason, _ in rows.broken],
                            "record": [text for _, _, text in rows.broken],
                            "quarantined_at": [m.received_at] * len(rows.broken),
                        }
                    )
                    copy_batches(cur, "ops.quarantine", QUARANTINE_COLUMNS, unreadable.to_batches(BATCH_ROWS))
                values = replace(m, rows_loaded=loaded, rows_quarantined=quarantined)
                cur.execute(f"insert into ops.load_manifest values ({_params(14)})", values.values())
        finally:
            typing.close()
        return loaded, quarantined

    def latest_as_of(self, extract: Extract) -> date | None:
        with self.con.transaction(), self.con.cursor() as cur:
            cur.execute(
                "select max(as_of_date) from ops.load_manifest where source = %s and extract = %s and status <> %s",
                [extract.source, extract.name, STATUS_REJECTED],
            )
            row = cur.fetchone()
        return row[0] if row else None


#: The columns of ``ops.quarantine``, in order (readiness.ops.OPS_DDL).
QUARANTINE_COLUMNS = (
    "load_id",
    "source",
    "extract",
    "file_name",
    "line_number",
    "column_name",
    "reason",
    "record",
    "quarantined_at",
)


def _params(n: int) -> str:
    return ", ".join(["%s"] * n)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
