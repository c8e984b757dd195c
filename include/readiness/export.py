"""Exports: every mart of the published warehouse as Parquet (and CSV) in ``exports/``.

For tools that cannot open DuckDB, or should not hold the file open. Each file is written beside
its final name and renamed over it, so a reader gets yesterday's file or tonight's, never half of
one. The CSV copies are for spreadsheets, which run a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (CSV injection): such text cells get a leading single quote.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from readiness.config import Settings
from readiness.warehouse import published_marts

log = logging.getLogger(__name__)

#: Leading characters a spreadsheet treats as the start of a formula (OWASP, CSV injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportedMart:
    mart: str
    rows: int
    parquet: Path
    csv: Path


def neutralised(column: str, data_type: str) -> str:
    """The select expression of a column in the CSV copy: text a spreadsheet would run as a formula gets a
    leading single quote; any other type stays as it is (a negative amount is a number, not a formula)."""
    quoted = '"' + column.replace('"', '""') + '"'
    if data_type != "VARCHAR":
        return quoted
    prefixes = ", ".join(f"chr({ord(p)})" for p in FORMULA_PREFIXES)
    return f"case when left({quoted}, 1) in ({prefixes}) then chr(39) || {quoted} else {quoted} end as {quoted}"


def export_marts(settings: Settings) -> list[ExportedMart]:
    """Write every table of the published ``marts`` schema to ``exports/<mart>.parquet`` and ``.csv``."""
    settings.exports_dir.mkdir(parents=True, exist_ok=True)
    exported = []
    # One read-only connection: every file comes from the same published version.
    with published_marts(settings, writable_dir=settings.exports_dir) as con:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        for mart in marts:
            parquet = settings.exports_dir / f"{mart}.parquet"
            tmp = parquet.with_name(f".{parquet.name}.tmp")
            con.execute(f"copy marts.{mart} to '{_sql_path(tmp)}' (format parquet, compression zstd)")
            tmp.replace(parquet)
            rows = _write_csv(con, mart, settings.exports_dir / f"{mart}.csv")
            exported.append(ExportedMart(mart, rows, parquet, settings.exports_dir / f"{mart}.csv"))
    log.info("exported %s to %s", ", ".join(f"{e.mart} ({e.rows})" for e in exported), settings.exports_dir)
    return exported


def _write_csv(con: duckdb.DuckDBPyConnection, mart: str, path: Path) -> int:
    """DuckDB writes the CSV (quoted where needed, a header, null as an empty cell), formula text neutralised."""
    tmp = path.with_name(f".{path.name}.tmp")
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? order by ordinal_position",
        [mart],
    ).fetchall()
    select = ", ".join(neutralised(name, data_type) for name, data_type in columns)
    con.execute(f"copy (select {select} from marts.{mart}) to '{_sql_path(tmp)}' (format csv, header)")
    tmp.replace(path)
    (rows,) = con.execute(f"select count(*) from marts.{mart}").fetchone()  # type: ignore[misc]
    return int(rows)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def refresh_served_copies(settings: Settings) -> tuple[list[ExportedMart], Path]:
    """Write the exports and the report again from the published warehouse.

    Both are copies of what is published: when the published file changes outside a nightly run (a
    rollback, an erasure), they must follow it, or a BI tool and the report would show two versions.
    """
    from readiness.report import write_report

    return export_marts(settings), write_report(settings).path
