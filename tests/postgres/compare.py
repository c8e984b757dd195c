"""Comparing the marts two warehouses published: table by table, amounts (decimals) to the cent, fractions
(doubles) to 1e-9, everything else exactly. DuckDB's published file is the reference, Postgres's ``marts``
schema the other side; rows are matched by sorting on the mart's grain first."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import psycopg

from readiness import marts


def duckdb_rows(published_db: Path, query: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(published_db), read_only=True) as con:
        return con.execute(query).fetchall()


def postgres_rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as con:
        return con.execute(query).fetchall()


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((value is None, str(value)) for value in row)


def difference(left: Any, right: Any) -> float:
    """How far apart two values are: 0 when equal, infinite when they are not comparable as numbers."""
    if left is None or right is None:
        return 0.0 if left is right else math.inf
    if isinstance(left, Decimal | float) or isinstance(right, Decimal | float):
        return abs(float(Decimal(str(left)) - Decimal(str(right))))
    return 0.0 if left == right else math.inf


def tolerance(data_type: str) -> float:
    """Amounts (decimals) to the cent, fractions (doubles) to 1e-9, everything else exactly."""
    kind = data_type.lower()
    if kind.startswith(("decimal", "numeric")):
        return 0.005
    if kind.startswith(("double", "float", "real")):
        return 1e-9
    return 0.0


def compare_marts(published_db: Path, postgres_url: str, skip: Mapping[str, set[str]]) -> tuple[list[str], list[str]]:
    """(a line per mart: rows, columns and the largest numeric difference; every value that differs).

    ``skip``: per mart, the columns that are facts of the run rather than results (its id, its times).
    Fails at once where a mart's row count differs or it is empty (an empty comparison proves nothing).
    """
    report, mismatches = [], []
    for mart in marts.load():
        columns = [c for c in mart.columns if c.name not in skip.get(mart.name, set())]
        grain = [c.name for c in columns if c.name in mart.grain]
        ordered = grain + [c.name for c in columns if c.name not in mart.grain]
        quoted = ", ".join(f'"{name}"' for name in ordered)
        query = f"select {quoted} from marts.{mart.name}"
        duck_rows = sorted(duckdb_rows(published_db, query), key=_sort_key)
        pg_rows = sorted(postgres_rows(postgres_url, query), key=_sort_key)
        assert len(pg_rows) == len(duck_rows), (
            f"marts.{mart.name}: {len(pg_rows)} rows on Postgres, {len(duck_rows)} on DuckDB"
        )
        assert duck_rows, f"marts.{mart.name} is empty: the comparison would prove nothing"
        types = {c.name: c.data_type for c in columns}
        largest = dict.fromkeys(ordered, 0.0)
        for duck_row, pg_row in zip(duck_rows, pg_rows, strict=True):
            assert duck_row[: len(grain)] == pg_row[: len(grain)], f"marts.{mart.name}: grain {duck_row} vs {pg_row}"
            for name, left, right in zip(ordered, duck_row, pg_row, strict=True):
                apart = difference(left, right)
                if apart > tolerance(types[name]):
                    mismatches.append(
                        f"marts.{mart.name}.{name} at {duck_row[: len(grain)]}: DuckDB {left!r}, Postgres {right!r}"
                    )
                largest[name] = max(largest[name], apart)
        numeric = {k: v for k, v in largest.items() if tolerance(types[k]) > 0}
        report.append(
            f"{mart.name}: {len(duck_rows)} rows, {len(ordered)} columns compared, largest numeric difference "
            f"{max(numeric.values(), default=0):.3g}"
        )
    return report, mismatches
