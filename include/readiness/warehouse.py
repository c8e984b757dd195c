"""Which warehouse a process talks to: the one place that chooses the DuckDB files or the Postgres database.

``READINESS_WAREHOUSE`` (``Settings.warehouse``) decides where ``raw.*``, ``ops.*`` and the published marts
live. Every module that reads or writes them (loads, validation, the run record, alerts, the unchanged-night
test, exports, the report, the summary) opens them here, so the two warehouses can never be half-chosen:

- ``connect``: ``raw.*`` and ``ops.*`` through a connection taking DuckDB's ``?`` parameters, whichever
  engine holds them (the statements are plain SQL both run);
- ``published_marts``: the published marts as a DuckDB connection (``marts.*``), read-only. On Postgres it
  is an in-memory copy read in one transaction (one version, whole): the marts are aggregates, small
  enough to copy, and the export and report code is then written once, against DuckDB;
- ``publication``: which run published the current version, and when.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readiness.config import Settings, make_private

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

POSTGRES = "postgres"


def is_postgres(settings: Settings) -> bool:
    return settings.warehouse == POSTGRES


@dataclass
class Connection:
    """An open connection to ``raw.*`` and ``ops.*``: ``native`` is a DuckDB or a psycopg connection."""

    kind: str
    native: Any

    @property
    def postgres(self) -> bool:
        return self.kind == POSTGRES

    def execute(self, query: str, params: Sequence[Any] | None = None) -> Any:
        """Run ``query`` (``?`` parameters); the result has ``fetchone`` and ``fetchall`` on both engines."""
        if self.postgres:
            from readiness import pg

            return pg.QmarkConnection(self.native).execute(query, list(params) if params is not None else None)
        return self.native.execute(query, params)

    def frame(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """``query`` as a pandas frame with DuckDB's dtypes on both engines (GX sees a delivery alike)."""
        if self.postgres:
            from readiness import pg

            return pg.read_frame(self.native, query, list(params) if params is not None else None)
        return self.native.execute(query, params).df()

    def frames(self, query: str, params: Sequence[Any] | None, rows: int) -> Iterator[pd.DataFrame]:
        """``query`` as frames of at most ``rows`` rows each (as ``frame``), in the order of ``_line_number``
        (a raw table's): memory follows ``rows``, not the result.

        DuckDB streams the result. It keeps a table's insertion order without an ORDER BY, which would make
        it sort (hold) the whole result first (``preserve_insertion_order``, on by default). Postgres: a page
        of ``rows`` at a time, each a bounded COPY.
        """
        if not self.postgres:
            result = self.native.execute(query, params)
            while not (chunk := result.fetch_df_chunk(max(1, rows // 2048))).empty:  # 2,048-row vectors
                yield chunk
            return
        offset = 0
        while True:
            page = self.frame(f"{query} order by _line_number limit {rows} offset {offset}", params)
            if not page.empty:
                yield page
            if len(page) < rows:
                return
            offset += rows


@contextmanager
def connect(settings: Settings, *, read_only: bool = False) -> Iterator[Connection]:
    """``raw.*`` and ``ops.*`` of the configured warehouse, created on first use (DuckDB: unless read-only)."""
    if is_postgres(settings):
        from readiness import pg

        # Postgres has no read-only open; the tables are created under a lock if missing (readiness.pg).
        with pg.connect(settings) as pg_con:
            yield Connection(POSTGRES, pg_con)
        return
    from readiness import ops

    with ops.connect(settings.ingest_db, read_only=read_only) as con:
        if not read_only:
            make_private(settings.ingest_db)
        yield Connection("duckdb", con)


def has_published(settings: Settings) -> bool:
    """True once a version has been published."""
    if is_postgres(settings):
        from readiness import pg

        with pg.connect(settings) as con:
            return pg.schema_exists(con, pg.PUBLISHED_SCHEMA)
    return settings.published_db.exists()


@contextmanager
def published_marts(settings: Settings, *, writable_dir: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The published version's ``marts.*`` as a read-only DuckDB connection.

    ``writable_dir``: the one folder the connection may write files to (the exports). On Postgres the marts
    are copied, in one repeatable-read transaction, into an in-memory DuckDB: a publication running meanwhile
    waits for the copy (it locks the published tables), so the copy is one version, whole.
    """
    if not is_postgres(settings):
        from readiness.serve import open_reader

        con = open_reader(settings.published_db, writable_dir=writable_dir)
        try:
            yield con
        finally:
            con.close()
        return
    from readiness import pg

    with pg.connect(settings) as pg_con:
        if not pg.schema_exists(pg_con, pg.PUBLISHED_SCHEMA):
            raise FileNotFoundError(f"{pg.where(settings)} has no schema {pg.PUBLISHED_SCHEMA}: nothing published yet")
        with pg_con.transaction():
            pg_con.execute("set transaction isolation level repeatable read")
            mirror = pg.mirror_schema(pg_con, pg.PUBLISHED_SCHEMA)
    try:
        if writable_dir is not None:
            folder = f"{writable_dir.resolve()}/".replace("'", "''")
            mirror.execute(f"set allowed_directories = ['{folder}']")
            mirror.execute("set enable_external_access = false")
        yield mirror
    finally:
        mirror.close()


def publication(settings: Settings) -> tuple[str, datetime] | None:
    """(run id, published at) of the published version, None before the first publication."""
    if not has_published(settings):
        return None
    if is_postgres(settings):
        from readiness import pg

        with pg.connect(settings) as con:
            row = con.execute(f"select run_id, published_at from {pg.PUBLISHED_SCHEMA}.publication").fetchone()
    else:
        from readiness.serve import open_reader

        with open_reader(settings.published_db) as con:
            row = con.execute("select run_id, published_at from marts.publication").fetchone()
    return (row[0], row[1]) if row else None


def where(settings: Settings) -> str:
    """The warehouse in words (for the summary and errors), without any password."""
    if is_postgres(settings):
        from readiness import pg

        return pg.where(settings)
    return str(settings.published_db)
