"""The same deliveries through both warehouses: DuckDB (the default) and Postgres (READINESS_WAREHOUSE=postgres)
publish the same marts, table by table: amounts to the cent, fractions to 1e-9, everything else equal.

DuckDB is the reference: another engine, other SQL dialect paths (the adapter-dispatched macros), another
loader sink, another publish. Both run the package functions the DAG wires: start the run, load every
extract, build with dbt, publish (audit included). GX validation is left out here (it does not change a row
that passes it; test_validate_on_postgres runs it on Postgres): the loads are marked validated instead.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from readiness import marts, pg, publish, runs, transform
from readiness.config import Settings
from readiness.contracts import EXTRACTS
from readiness.generate import generate_organisation
from readiness.ingest import load_extract
from readiness.ops import STATUS_LOADED

from .conftest import SERVER, create_database, drop_database

EMPLOYEES = 200
AS_OF = "2026-11-27"
RUN_ID = "compare-run"
#: A key no SQL, log or file of the build may contain (a space and a backslash: escaped for PGOPTIONS).
KEY = "compare\\key with-spaces 5f3c9e"
#: `dbt build` of the models and seeds only.
REFERENCE_BUILD = ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
#: Per-run facts, not results: when each run started and ended.
RUN_TIMES = {"pipeline_run_history": {"started_at", "finished_at", "duration_seconds"}}


@dataclasses.dataclass
class Built:
    duck: Settings
    postgres: Settings
    dbt_output: str
    postgres_target: Path


def _deliver(deliveries: Path, settings: Settings) -> None:
    settings.ensure_dirs()
    for path in deliveries.rglob("*"):
        if path.is_file():
            target = settings.landing_dir / path.relative_to(deliveries)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())


def _load(settings: Settings, mark_validated: Any) -> None:
    runs.start_run(settings, RUN_ID, date.fromisoformat(AS_OF))
    for extract in EXTRACTS:
        report = load_extract(settings, extract, RUN_ID)
        assert report.rows_quarantined == 0, (extract.qualified_name, report.files)
    mark_validated()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("warehouses")
    deliveries = root / "deliveries"
    generate_organisation(deliveries, employees=EMPLOYEES)
    database = create_database("readiness_compare")
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("READINESS_PSEUDONYM_KEY", KEY)
            duck = Settings(data_dir=root / "duckdb")
            postgres = Settings(data_dir=root / "postgres", warehouse="postgres", postgres_url=f"{SERVER}/{database}")

            _deliver(deliveries, duck)
            _load(duck, lambda: _mark_validated_duckdb(duck))
            publish.prepare_candidate(duck)
            # The reference build only: DuckDB's dbt tests and unit tests run in the rest of `make test`.
            transform.run_dbt_subprocess(
                duck,
                [*REFERENCE_BUILD, "--target-path", str(root / "duckdb-target")],
                as_of_date=AS_OF,
            )
            publish.publish(duck, RUN_ID, AS_OF)

            _deliver(deliveries, postgres)
            _load(postgres, lambda: _mark_validated_postgres(postgres))
            target = root / "postgres-dbt" / "target"
            output = pg.build(postgres, AS_OF, target_path=str(target))  # with every test and unit test
            pg.publish(postgres, RUN_ID, AS_OF)
            yield Built(duck, postgres, output, target)
    finally:
        drop_database(database)


def _mark_validated_duckdb(settings: Settings) -> None:
    with duckdb.connect(str(settings.ingest_db)) as con:
        con.execute("update ops.load_manifest set status = ?, validated_at = received_at", [STATUS_LOADED])


def _mark_validated_postgres(settings: Settings) -> None:
    with psycopg.connect(settings.postgres_url, autocommit=True) as con:
        con.execute("update ops.load_manifest set status = %s, validated_at = received_at", [STATUS_LOADED])


def _duckdb_rows(settings: Settings, query: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        return con.execute(query).fetchall()


def _postgres_rows(settings: Settings, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(settings.postgres_url) as con:
        return con.execute(query).fetchall()


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((value is None, str(value)) for value in row)


def _difference(left: Any, right: Any) -> float:
    """How far apart two values are: 0 when equal, None when they are not comparable as numbers."""
    if left is None or right is None:
        return 0.0 if left is right else math.inf
    if isinstance(left, Decimal | float) or isinstance(right, Decimal | float):
        return abs(float(Decimal(str(left)) - Decimal(str(right))))
    return 0.0 if left == right else math.inf


def _tolerance(data_type: str) -> float:
    """Amounts (decimals) to the cent, fractions (doubles) to 1e-9, everything else exactly."""
    kind = data_type.lower()
    if kind.startswith(("decimal", "numeric")):
        return 0.005
    if kind.startswith(("double", "float", "real")):
        return 1e-9
    return 0.0


def test_every_mart_is_the_same_on_both_warehouses(built: Built) -> None:
    report, mismatches = [], []
    for mart in marts.load():
        columns = [c for c in mart.columns if c.name not in RUN_TIMES.get(mart.name, set())]
        grain = [c.name for c in columns if c.name in mart.grain]
        ordered = grain + [c.name for c in columns if c.name not in mart.grain]
        quoted = ", ".join(f'"{name}"' for name in ordered)
        query = f"select {quoted} from marts.{mart.name}"
        duck_rows = sorted(_duckdb_rows(built.duck, query), key=_sort_key)
        pg_rows = sorted(_postgres_rows(built.postgres, query), key=_sort_key)
        assert len(pg_rows) == len(duck_rows), (
            f"marts.{mart.name}: {len(pg_rows)} rows on Postgres, {len(duck_rows)} on DuckDB"
        )
        assert duck_rows, f"marts.{mart.name} is empty: the comparison would prove nothing"
        types = {c.name: c.data_type for c in columns}
        largest = dict.fromkeys(ordered, 0.0)
        for duck_row, pg_row in zip(duck_rows, pg_rows, strict=True):
            assert duck_row[: len(grain)] == pg_row[: len(grain)], f"marts.{mart.name}: grain {duck_row} vs {pg_row}"
            for name, left, right in zip(ordered, duck_row, pg_row, strict=True):
                difference = _difference(left, right)
                if difference > _tolerance(types[name]):
                    mismatches.append(
                        f"marts.{mart.name}.{name} at {duck_row[: len(grain)]}: DuckDB {left!r}, Postgres {right!r}"
                    )
                largest[name] = max(largest[name], difference)
        numeric = {k: v for k, v in largest.items() if _tolerance(types[k]) > 0}
        report.append(
            f"{mart.name}: {len(duck_rows)} rows, {len(ordered)} columns compared, largest numeric difference "
            f"{max(numeric.values(), default=0):.3g}"
        )
    print("\n" + "\n".join(report))
    assert mismatches == [], f"{len(mismatches)} values differ:\n" + "\n".join(mismatches[:40])


def test_publication_is_the_same_on_both_warehouses(built: Built) -> None:
    query = "select run_id, as_of_date, data_as_of_date, cast(row_counts as varchar) from marts.publication"
    ((duck_run, duck_as_of, duck_data, duck_counts),) = _duckdb_rows(built.duck, query)
    ((pg_run, pg_as_of, pg_data, pg_counts),) = _postgres_rows(built.postgres, query)
    assert (pg_run, pg_as_of) == (duck_run, duck_as_of) == (RUN_ID, date.fromisoformat(AS_OF))
    # The generator's newest HR snapshot (org_units_2026-11-27.csv, its default as-of date).
    assert pg_data == duck_data == date(2026, 11, 27)
    assert json.loads(pg_counts) == json.loads(duck_counts)


def test_the_pseudonym_key_is_in_no_compiled_sql_nor_log(built: Built) -> None:
    compiled = list(built.postgres_target.rglob("*.sql"))
    files = [p for p in built.postgres_target.parent.rglob("*") if p.is_file()]
    assert compiled and any(p.suffix == ".log" for p in files), "no compiled SQL or dbt log to look into"
    # The compiled models do pseudonymise, by naming the session setting.
    assert any("current_setting('readiness.pseudonym_key')" in p.read_text() for p in compiled)
    for text in (KEY, KEY.replace("\\", "\\\\"), KEY.replace(" ", "\\ ")):
        assert text not in built.dbt_output
        leaking = [str(p) for p in files if text.encode() in p.read_bytes()]
        assert leaking == [], f"the pseudonym key is written in {leaking}"
