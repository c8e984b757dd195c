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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

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
T = TypeVar("T")

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


#: A cast to json that gives null for text that is not JSON (Postgres 15 has no safe cast); the FOCUS Tags
#: macros of the dbt project (postgres__finance_tags_object) read Tags through it.
TRY_JSON_DDL = """
create or replace function public.readiness_try_json(value text) returns json
language plpgsql immutable as $$
begin
    return value::json;
exception when others then
    return null;
end
$$
"""


def initialise(con: psycopg.Connection[Any]) -> None:
    """raw.* and ops.* from the contracts, under a lock: parallel loads must not race on `create ... if not
    exists` (Postgres reports the loser as a duplicate key)."""
    with con.transaction(), con.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(hashtext('readiness.initialise'))")
        cur.execute("set local client_min_messages = warning")
        cur.execute("create extension if not exists pgcrypto")  # hmac() of the pseudonymise macro
        cur.execute(ops.OPS_DDL)
        cur.execute(TRY_JSON_DDL)
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
                broken = typing.sql(
                    QUARANTINE_ROWS_QUERY, params=[m.load_id, m.source, m.extract, m.file_name, m.received_at]
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
                values = replace(m, rows_read=rows.rows_read, rows_loaded=loaded, rows_quarantined=quarantined)
                cur.execute(f"insert into ops.load_manifest values ({_params(14)})", values.values())
                # Fresh statistics: without them Postgres guesses a handful of rows and plans dbt's stacked
                # staging and intermediate views as nested loops (minutes instead of seconds).
                cur.execute(f"analyze raw.{extract.raw_table}")
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


# --- dbt on Postgres ---------------------------------------------------------------------------------

#: dbt builds tonight's warehouse into schemas with this prefix (candidate_staging, candidate_marts, ...):
#: nothing a reader can see until publish renames candidate_marts to marts.
CANDIDATE_PREFIX = "candidate_"
PUBLISHED_SCHEMA = "marts"
CANDIDATE_SCHEMA = CANDIDATE_PREFIX + PUBLISHED_SCHEMA
#: Each publication keeps the version it replaces as ``marts_version_<when replaced>`` (Settings.keep_versions
#: of them, the newest is the previous publication), for `readiness rollback`; a rollback keeps the version
#: it replaces as ``marts_rolled_back_<when>``, never rolled back to. The names sort by time.
VERSION_PREFIX = "marts_version_"
ROLLED_BACK_PREFIX = "marts_rolled_back_"


def dbt_environment(settings: Settings) -> dict[str, str]:
    """What the `postgres` output of dbt_project/profiles.yml reads, plus the key as a start-up option."""
    parts = conninfo(settings)
    env = {
        "READINESS_DBT_TARGET": "postgres",
        "READINESS_PG_HOST": parts["host"],
        "READINESS_PG_PORT": parts["port"],
        "READINESS_PG_USER": parts["user"],
        "READINESS_PG_DBNAME": parts["dbname"],
        **postgres_session_options(settings.pseudonym_key()),
    }
    if "password" in parts:  # libpq reads it from the environment; it never enters the profile or SQL
        env["PGPASSWORD"] = parts["password"]
    return env


def dbt_vars(settings: Settings, schema_prefix: str = CANDIDATE_PREFIX) -> dict[str, Any]:
    """The project's vars (readiness.transform), with the raw tables in this database and the schema prefix
    (the candidate's when building; none to describe the published marts)."""
    from readiness import transform

    return {
        **transform.dbt_vars(settings),
        "raw_database": conninfo(settings)["dbname"],
        "schema_prefix": schema_prefix,
    }


def run_dbt(
    settings: Settings,
    args: list[str],
    *,
    as_of_date: str,
    target_path: str | None = None,
    schema_prefix: str = CANDIDATE_PREFIX,
) -> str:
    """Run dbt against Postgres in a child process (as the DAG's tasks run it); returns its output.

    The environment carries the key (PGOPTIONS) to dbt's connections only, not to this process's.
    """
    import json
    import os
    import subprocess

    from readiness import transform

    command = [
        transform.dbt_executable(),
        *args,
        "--project-dir",
        str(transform.project_dir()),
        "--profiles-dir",
        str(transform.project_dir()),
        "--target",
        "postgres",
        "--vars",
        json.dumps(dbt_vars(settings, schema_prefix)),
    ]
    # dbt's compiled SQL and its log go to the working folder (owner-only), not into the repository.
    target = Path(target_path) if target_path else settings.build_dir / "dbt-postgres" / "target"
    command += ["--target-path", str(target), "--log-path", str(target.parent / "logs")]
    # No colour codes: a failure's text becomes the run's reason in ops, an alert and a chat message.
    env = {
        **os.environ,
        **transform.dbt_env(settings, as_of_date),
        **dbt_environment(settings),
        "DBT_USE_COLORS": "false",
    }
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        # dbt prints each failing node as "Failure in <kind> <name>" followed by the reason.
        lines = output.splitlines()
        failed = [
            "\n".join(lines[i : i + 4]) for i, line in enumerate(lines) if "Failure in " in line or "Error in " in line
        ]
        detail = "\n".join(failed[:20]) or output[-4000:]
        raise transform.DbtFailed(f"dbt {' '.join(args)} on {where(settings)} failed:\n{detail}")
    return output


def prepare_candidate(settings: Settings) -> None:
    """Start tonight's build from empty candidate schemas: a failed earlier attempt leaves nothing behind."""
    with connect(settings) as con, con.transaction(), con.cursor() as cur:
        for schema in _schemas(cur, CANDIDATE_PREFIX):
            cur.execute(f'drop schema "{schema}" cascade')


def build(settings: Settings, as_of_date: str, *, target_path: str | None = None) -> str:
    """`dbt build` of the whole project into the candidate schemas."""
    prepare_candidate(settings)
    return run_dbt(settings, ["build"], as_of_date=as_of_date, target_path=target_path)


def _schemas(cur: psycopg.Cursor[Any], prefix: str) -> list[str]:
    cur.execute(
        "select nspname from pg_namespace where starts_with(nspname, %s) order by nspname",
        [prefix],
    )
    return [row[0] for row in cur.fetchall()]


# --- reading back: COPY out into Arrow ----------------------------------------------------------------

#: Arrow type of each Postgres type OID a raw table or a mart holds; numeric is decimal where its
#: precision is declared (contracts, enforced mart contracts), double where it is not.
_ARROW_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    25: pa.string(),
    114: pa.string(),
    700: pa.float32(),
    701: pa.float64(),
    1042: pa.string(),
    1043: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    3802: pa.string(),
}
_NUMERIC = 1700


def _arrow_type(column: Any) -> pa.DataType:
    if column.type_code == _NUMERIC:
        if column.precision is not None and column.scale is not None:
            return pa.decimal128(column.precision, column.scale)
        return pa.float64()
    return _ARROW_TYPES.get(column.type_code, pa.string())


def read_arrow(con: psycopg.Connection[Any], query: str, params: list[Any] | None = None) -> pa.Table:
    """The result of ``query`` as an Arrow table, moved with COPY (CSV) in chunks rather than row objects."""
    with con.cursor() as cur:
        cur.execute(f"select * from ({query}) as result limit 0", params)
        columns = list(cur.description or [])
        names = [c.name for c in columns]
        buffer = io.BytesIO()
        with cur.copy(f"copy ({query}) to stdout (format csv)", params) as copy:
            for chunk in copy:
                buffer.write(chunk)
    types = {c.name: _arrow_type(c) for c in columns}
    if buffer.tell() == 0:
        return pa.table({name: pa.array([], types[name]) for name in names})
    buffer.seek(0)
    return pa_csv.read_csv(
        buffer,
        read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
        convert_options=pa_csv.ConvertOptions(
            column_types=types,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,  # COPY writes NULL unquoted and '' quoted
            true_values=["t"],
            false_values=["f"],
        ),
    )


def read_frame(con: psycopg.Connection[Any], query: str, params: list[Any] | None = None) -> Any:
    """``query`` as the pandas frame DuckDB's ``.df()`` would give (decimals as doubles, the same dtypes),
    so GX sees a delivery alike from either warehouse."""
    table = read_arrow(con, _qmark(query) if params else query, params)
    frames = duckdb.connect()
    try:
        return frames.from_arrow(table).df()
    finally:
        frames.close()


def _qmark(query: str) -> str:
    """DuckDB's ``?`` parameters in psycopg's spelling (the validation queries hold no literal ``?`` or ``%``)."""
    return query.replace("%", "%%").replace("?", "%s")


class QmarkConnection:
    """A psycopg connection that runs the validation's SQL as written for DuckDB (``?`` parameters, explicit
    ``begin``/``commit``): the statements are plain SQL both run, only the parameter spelling differs."""

    def __init__(self, con: psycopg.Connection[Any]) -> None:
        self.con = con

    def execute(self, query: str, params: list[Any] | None = None) -> psycopg.Cursor[Any]:
        cur = self.con.cursor()
        cur.execute(_qmark(query) if params else query, params)
        return cur


def mirror_schema(con: psycopg.Connection[Any], schema: str) -> duckdb.DuckDBPyConnection:
    """The tables of ``schema`` copied into an in-memory DuckDB as ``marts.*``, for the audit's checks.

    The audit (readiness.audit) is written once, against the marts as DuckDB holds them; the marts are
    aggregates, small enough to copy, so the Postgres candidate gets exactly the same checks.
    """
    mirror = duckdb.connect()
    mirror.execute("set TimeZone = 'UTC'")
    mirror.execute("create schema marts")
    with con.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE'",
            [schema],
        )
        tables = [row[0] for row in cur.fetchall()]
    for table in tables:
        frame = read_arrow(con, f'select * from "{schema}"."{table}"')
        mirror.register("incoming", frame)
        mirror.execute(f'create table marts."{table}" as select * from incoming')
        mirror.unregister("incoming")
    return mirror


# --- write, audit, publish ---------------------------------------------------------------------------

#: How long one attempt of the swap waits for readers to let go of the published marts. Below Postgres's
#: deadlock_timeout (1 s by default): where a reader and the swap each hold a table the other needs, the
#: swap gives up and retries, and the reader never gets a deadlock error.
SWAP_LOCK_TIMEOUT_MS = 200
#: How long the swap keeps retrying before it reports the readers that hold the marts.
SWAP_PATIENCE_SECONDS = 300.0


def reader_role(settings: Settings) -> str | None:
    """The BI role (READINESS_POSTGRES_READER_ROLE): USAGE on schema marts and SELECT on its tables, no more."""
    return settings.postgres_reader_role or None


def publish(settings: Settings, run_id: str, as_of_date: str, bounds: Any = None) -> Any:
    """Audit the candidate schema and, only if it passes, swap it in as ``marts`` in one transaction.

    The swap renames ``marts`` to ``marts_version_<time>`` and ``candidate_marts`` to ``marts`` and grants the
    reader role, all or nothing. It first locks every published mart: a reader that started before keeps
    reading the old tables to its end; one that starts during the swap waits for it and then resolves
    ``marts.<mart>`` to the new tables. So a reader sees the old marts or the new, never a mix, never an error.
    The build schemas (staging, intermediate: names and e-mails) are dropped in the same transaction.
    """
    import time

    from readiness.audit import AuditFailed, audit, measures_of
    from readiness.publish import Publication

    started = time.perf_counter()
    now = _now()
    with connect(settings) as con:
        if not schema_exists(con, CANDIDATE_SCHEMA):
            published = _publication(con, PUBLISHED_SCHEMA)
            if published and published[0] == run_id:
                return Publication(run_id, _path(settings), published[1], published[2])  # a retried publish
            raise AuditFailed(f"{where(settings)} has no schema {CANDIDATE_SCHEMA}: dbt did not build a candidate")
        candidate = mirror_schema(con, CANDIDATE_SCHEMA)
        published_mirror = mirror_schema(con, PUBLISHED_SCHEMA) if schema_exists(con, PUBLISHED_SCHEMA) else None
        try:
            before = measures_of(published_mirror) if published_mirror is not None else (None, {})
            counts = audit(candidate, None, bounds, before=before).row_counts
        finally:
            candidate.close()
            if published_mirror is not None:
                published_mirror.close()
        audited = time.perf_counter()
        swap_in(con, settings, run_id, as_of_date, counts, now)
    swapped = time.perf_counter()
    log.info(
        "published %s.marts (%s): audit %.2f s, swap %.4f s",
        where(settings),
        counts,
        audited - started,
        swapped - audited,
    )
    return Publication(run_id, _path(settings), counts, now, audited - started, swapped - audited)


def swap_in(
    con: psycopg.Connection[Any],
    settings: Settings,
    run_id: str,
    as_of_date: str,
    counts: dict[str, int],
    now: datetime | None = None,
) -> None:
    """Swap the audited candidate_marts in as marts, in one transaction, retrying while readers hold the marts."""

    def swap(cur: psycopg.Cursor[Any]) -> None:
        _swap(cur, run_id, as_of_date, now or _now(), counts, reader_role(settings), settings.keep_versions)

    _in_swap_transaction(con, settings, swap)


def _in_swap_transaction(
    con: psycopg.Connection[Any], settings: Settings, step: Callable[[psycopg.Cursor[Any]], T]
) -> T:
    """Run ``step`` in one transaction that may lock the published marts, retrying while readers hold them."""
    import time

    from psycopg import errors

    from readiness.audit import AuditFailed

    deadline = time.monotonic() + SWAP_PATIENCE_SECONDS
    while True:
        try:
            with con.transaction(), con.cursor() as cur:
                cur.execute(f"set local lock_timeout = {SWAP_LOCK_TIMEOUT_MS}")
                return step(cur)
        except errors.LockNotAvailable as exc:
            if time.monotonic() > deadline:
                raise AuditFailed(
                    f"readers held marts.* for {SWAP_PATIENCE_SECONDS:.0f} s in {where(settings)}; nothing was "
                    f"swapped (a built candidate is left in {CANDIDATE_SCHEMA}): end the long reader "
                    "(pg_stat_activity) and try again"
                ) from exc
            time.sleep(0.05)


def _swap(
    cur: psycopg.Cursor[Any],
    run_id: str,
    as_of_date: str,
    now: datetime,
    counts: dict[str, int],
    role: str | None,
    keep_versions: int,
) -> None:
    import json

    from readiness.audit import configured_unavailable
    from readiness.publish import DATA_AS_OF_SQL, PUBLICATION_SQL

    cur.execute("select to_regclass(%s) is not null", [f"{CANDIDATE_SCHEMA}.org_units"])
    has_org_units = cur.fetchone()[0]  # type: ignore[index]
    data_as_of = None
    if has_org_units:
        cur.execute(DATA_AS_OF_SQL.format(schema=CANDIDATE_SCHEMA))
        data_as_of = cur.fetchone()[0]  # type: ignore[index]
    cur.execute(
        PUBLICATION_SQL.format(schema=CANDIDATE_SCHEMA).replace("?", "%s"),
        [
            run_id,
            as_of_date,
            data_as_of,
            now,
            json.dumps(counts, sort_keys=True),
            json.dumps(configured_unavailable(), sort_keys=True),
        ],
    )
    kept = _set_aside_published(cur, VERSION_PREFIX)
    cur.execute(f"alter schema {CANDIDATE_SCHEMA} rename to {PUBLISHED_SCHEMA}")
    for schema in _schemas(cur, CANDIDATE_PREFIX):  # staging, intermediate, reference: build steps only
        cur.execute(f'drop schema "{schema}" cascade')
    _prune_versions(cur, keep_versions)
    _grant_published(cur, role, kept)


def _set_aside_published(cur: psycopg.Cursor[Any], prefix: str) -> str | None:
    """Lock every published mart, then rename ``marts`` to ``<prefix><now>``; its new name (None: none yet).

    The lock first: a reader that started before keeps reading the old tables to its end; one that starts
    later waits for the transaction and then resolves ``marts.<mart>`` to what it renamed in.
    """
    published = _tables(cur, PUBLISHED_SCHEMA)
    if published is None:
        return None
    if published:
        cur.execute(
            "lock table " + ", ".join(f'{PUBLISHED_SCHEMA}."{t}"' for t in published) + " in access exclusive mode"
        )
    kept = f"{prefix}{_now():%Y%m%dt%H%M%S%f}"
    cur.execute(f'alter schema {PUBLISHED_SCHEMA} rename to "{kept}"')
    return kept


def _prune_versions(cur: psycopg.Cursor[Any], keep_versions: int) -> None:
    """Drop the oldest kept versions beyond ``keep_versions`` of each kind (as readiness.publish does files)."""
    for prefix in (VERSION_PREFIX, ROLLED_BACK_PREFIX):
        versions = _schemas(cur, prefix)
        for old in versions[: max(0, len(versions) - keep_versions)]:
            cur.execute(f'drop schema "{old}" cascade')


def _grant_published(cur: psycopg.Cursor[Any], role: str | None, kept: str | None) -> None:
    """The reader role reads ``marts`` and nothing else: a version set aside is for rollback, not for readers."""
    from psycopg import sql

    if not role:
        return
    statements = [
        ("grant usage on schema {} to {}", PUBLISHED_SCHEMA),
        ("grant select on all tables in schema {} to {}", PUBLISHED_SCHEMA),
    ]
    if kept is not None:
        statements += [
            ("revoke all on schema {} from {}", kept),
            ("revoke all on all tables in schema {} from {}", kept),
        ]
    for statement, schema in statements:
        cur.execute(sql.SQL(statement).format(sql.Identifier(schema), sql.Identifier(role)))


def kept_versions(settings: Settings) -> list[str]:
    """The versions kept for rollback, oldest first (the last is the previous publication)."""
    with connect(settings) as con, con.cursor() as cur:
        return _schemas(cur, VERSION_PREFIX)


def rollback(settings: Settings) -> Any:
    """Put the previous published version back as ``marts``, in one transaction (readers: old or new, whole).

    The version rolled back from is kept as ``marts_rolled_back_*`` (never rolled back to), so a second
    rollback goes one more version back, as on DuckDB (readiness.publish.rollback).
    """
    import json

    from readiness.publish import Publication

    def roll_back(cur: psycopg.Cursor[Any]) -> Publication:
        versions = _schemas(cur, VERSION_PREFIX)
        if not versions:
            raise FileNotFoundError(
                f"no earlier version in {where(settings)} (schemas {VERSION_PREFIX}*): nothing to roll back to "
                "(a version is kept each time a new one is published)"
            )
        previous = versions[-1]
        rolled_back = _set_aside_published(cur, ROLLED_BACK_PREFIX)
        cur.execute(f'alter schema "{previous}" rename to {PUBLISHED_SCHEMA}')
        _prune_versions(cur, settings.keep_versions)
        _grant_published(cur, reader_role(settings), rolled_back)
        cur.execute(f"select run_id, published_at, row_counts::text from {PUBLISHED_SCHEMA}.publication")
        run_id, published_at, counts = cur.fetchone()  # type: ignore[misc]
        return Publication(run_id, _path(settings), json.loads(counts), published_at)

    with connect(settings) as con:
        publication = _in_swap_transaction(con, settings, roll_back)
    log.info("rolled back %s.marts to run %s", where(settings), publication.run_id)
    return publication


def _tables(cur: psycopg.Cursor[Any], schema: str) -> list[str] | None:
    """The tables of ``schema`` in name order (a fixed lock order), or None where the schema does not exist."""
    cur.execute("select 1 from pg_namespace where nspname = %s", [schema])
    if cur.fetchone() is None:
        return None
    cur.execute(
        "select tablename from pg_tables where schemaname = %s order by tablename",
        [schema],
    )
    return [row[0] for row in cur.fetchall()]


def schema_exists(con: psycopg.Connection[Any], schema: str) -> bool:
    with con.cursor() as cur:
        cur.execute("select 1 from pg_namespace where nspname = %s", [schema])
        return cur.fetchone() is not None


def _publication(con: psycopg.Connection[Any], schema: str) -> tuple[str, dict[str, int], datetime] | None:
    if not schema_exists(con, schema):
        return None
    with con.cursor() as cur:
        cur.execute(f"select run_id, row_counts::text, published_at from {schema}.publication")
        row = cur.fetchone()
    import json

    return (row[0], json.loads(row[1]), row[2]) if row else None


def _path(settings: Settings) -> Any:
    """What Publication.path means on Postgres: no file; the data root, for the record."""
    return settings.data_dir
