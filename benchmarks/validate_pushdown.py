"""Validation of a delivery by GX in batches (the product) against the same expectations as SQL aggregates in DuckDB.

Not a test: run it by hand (``.venv/bin/python benchmarks/validate_pushdown.py --cache benchmarks/.cache/L/base``)
and read the table. For each extract it copies the delivery into a data root of its own, loads it with the
product's loader, then measures two paths on the loaded rows, each in a process of its own so that each
peak resident memory (VmHWM) is its own:

- ``gx``: ``validate.validate_delivery`` as ``validate_extract`` runs it (pandas batches of ``BATCH_ROWS``, the
  key's uniqueness on the rows whose key repeats);
- ``sql``: one DuckDB query over the delivery, a ``count(*) filter (where <not expected>)`` per expectation of
  the rows suite and the key's uniqueness as a grouped subquery. The SQL is derived from the expectation
  objects of ``build_suite`` (type and kwargs), so it cannot drift from the suite unnoticed: an expectation
  type it does not know stops the run.

Then it breaks a few rows in ``raw`` (a null in each required column, a value outside each set, a bad shape for
each pattern, a value out of each range, a pair in the wrong order, a repeated key) and measures both again.
The rows are broken in the table, not in the file: the loader would quarantine them, and the suite is the
second line of defence behind it. Both paths must then count exactly what was broken, on top of the clean run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from focus_load import _peak_rss_mb

#: The two heavy extracts, and workers: the one large extract with a value set, a column pair and a key.
EXTRACTS = {
    "finance/cloud_costs": "cloud_costs_2026-11-27.parquet",
    "lms/statements": "statements_2026-11-27.jsonl",
    "hr/workers": "workers_2026-11-27.csv",
}

#: Values that break a value set and a pattern (ranges and pairs are broken from their kwargs).
NOT_IN_SET = "not-in-the-set"
BAD_SHAPE = "bad shape !"


def _settings(data: Path) -> Any:
    os.environ["READINESS_DATA_DIR"] = str(data)
    from readiness.config import Settings

    return Settings.from_env()


def _extract(name: str) -> Any:
    from readiness.contracts import EXTRACTS as ALL

    return next(e for e in ALL if e.qualified_name == name)


def _suite(extract: Any) -> list[Any]:
    """The expectations the product runs on a delivery: the rows suite, then the key suite."""
    from readiness.validate import build_suite

    rows = list(build_suite(extract, "rows").expectations)
    return rows + (list(build_suite(extract, "keys").expectations) if extract.key else [])


def label(kind: str, kwargs: dict[str, Any]) -> str:
    """An expectation as ``gx.Failure`` names it: type and column (the key both paths are compared on)."""
    column = (
        kwargs.get("column")
        or ", ".join(kwargs.get("column_list") or [])
        or (f"{kwargs.get('column_A')} >= {kwargs.get('column_B')}" if "column_A" in kwargs else "")
    )
    return f"{kind} {column}".strip()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool) or value is None:
        raise ValueError(f"no SQL literal for {value!r} here")
    return repr(value)


def unexpected_sql(expectation: Any, table: str) -> str:
    """The SQL expression counting the rows of ``delivery`` that break ``expectation`` (GX's unexpected_count).

    Column map expectations skip nulls in GX (not_null aside), so the filters do too. Uniqueness counts every
    row of a repeated key, as pandas' ``duplicated(keep=False)`` in GX does.
    """
    kind, kw = expectation.expectation_type, expectation.configuration.kwargs
    col = _q(kw["column"]) if "column" in kw else None
    if kind == "expect_table_row_count_to_be_between":
        bounds = [f"count(*) < {kw['min_value']}"] if kw.get("min_value") is not None else []
        bounds += [f"count(*) > {kw['max_value']}"] if kw.get("max_value") is not None else []
        return f"cast({' or '.join(bounds)} as integer)"  # 1 when the table fails, as GX has no count here
    if kind == "expect_column_values_to_not_be_null":
        return f"count(*) filter (where {col} is null)"
    if kind == "expect_column_values_to_be_in_set":
        values = ", ".join(_lit(v) for v in kw["value_set"])
        return f"count(*) filter (where {col} is not null and {col} not in ({values}))"
    if kind == "expect_column_values_to_be_between":
        inside = []
        if kw.get("min_value") is not None:
            inside.append(f"{col} {'>' if expectation.strict_min else '>='} {_lit(kw['min_value'])}")
        if kw.get("max_value") is not None:
            inside.append(f"{col} {'<' if expectation.strict_max else '<='} {_lit(kw['max_value'])}")
        return f"count(*) filter (where {col} is not null and not ({' and '.join(inside)}))"
    if kind == "expect_column_values_to_match_regex":
        # GX's pandas engine: str.contains, a search; regexp_matches searches too (RE2 for Python's re).
        return f"count(*) filter (where {col} is not null and not regexp_matches({col}, {_lit(kw['regex'])}))"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        if expectation.ignore_row_if != "either_value_is_missing":
            raise ValueError(f"{kind}: ignore_row_if={expectation.ignore_row_if!r} not translated")
        a, b, op = _q(kw["column_A"]), _q(kw["column_B"]), ">=" if expectation.or_equal else ">"
        return f"count(*) filter (where {a} is not null and {b} is not null and not ({a} {op} {b}))"
    if kind in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        columns = [kw["column"]] if "column" in kw else list(kw["column_list"])
        key = ", ".join(_q(c) for c in columns)
        ignore = getattr(expectation, "ignore_row_if", "all_values_are_missing")
        missing = {
            "all_values_are_missing": " and ".join(f"{_q(c)} is null" for c in columns),
            "any_value_is_missing": " or ".join(f"{_q(c)} is null" for c in columns),
        }
        skip = f" and not ({missing[ignore]})" if ignore in missing else ""
        if kind == "expect_column_values_to_be_unique":
            skip = f" and {col} is not null"
        return (
            f"(select coalesce(sum(n), 0) from (select count(*) as n from {table} where _load_id = $load_id{skip} "
            f"group by {key} having count(*) > 1))"
        )
    raise ValueError(f"{kind}: no SQL translation; add one before comparing")


def _gx(extract: Any, settings: Any, load_id: str) -> dict[str, Any]:
    from readiness.validate import _warehouse, validate_delivery

    started = time.perf_counter()
    _suite(extract)  # GX's import and context, which both paths pay: timed apart from the work on the rows
    built = time.perf_counter()
    with _warehouse(settings) as (_, read_batches):
        rows, _count, failures = validate_delivery(extract, load_id, read_batches)
    done = time.perf_counter()
    # A table-level expectation (the row count) has no unexpected count: a failure counts as 1, as in the SQL.
    counts = {
        f"{f.expectation} {f.column}".strip(): f.unexpected_count or int(f.unexpected_count is None) for f in failures
    }
    return {"rows": rows, "seconds": done - started, "work_seconds": done - built, "counts": counts}


def _sql(extract: Any, settings: Any, load_id: str) -> dict[str, Any]:
    from readiness import warehouse

    started = time.perf_counter()
    suite = _suite(extract)  # GX is imported for the suite: the pushdown would still report in GX's format
    built = time.perf_counter()
    table = f"raw.{extract.raw_table}"
    with warehouse.connect(settings, read_only=True) as con:
        present = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?",
                [extract.raw_table],
            ).fetchall()
        }
        exists = [e for e in suite if e.expectation_type == "expect_column_to_exist"]
        aggregated = [e for e in suite if e.expectation_type != "expect_column_to_exist"]
        counts = {label(e.expectation_type, e.configuration.kwargs): int(e.column not in present) for e in exists}
        select = ",\n  ".join(unexpected_sql(e, table) for e in aggregated)
        query = f"select count(*),\n  {select}\nfrom {table} where _load_id = $load_id"
        row = con.native.execute(query, {"load_id": load_id}).fetchone()
    counts.update(
        {label(e.expectation_type, e.configuration.kwargs): int(n) for e, n in zip(aggregated, row[1:], strict=True)}
    )
    done = time.perf_counter()
    return {"rows": row[0], "seconds": done - started, "work_seconds": done - built, "counts": counts}


def _load(extract: Any, settings: Any, delivered: Path) -> dict[str, Any]:
    from readiness.ingest import load_extract

    settings.ensure_dirs()
    landing = settings.landing_dir / extract.source / extract.name
    landing.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(delivered, landing / delivered.name)
    started = time.perf_counter()
    outcome = load_extract(settings, extract).files[0]
    return {"load_id": outcome.load_id, "rows": outcome.rows_loaded, "seconds": time.perf_counter() - started}


def _inject(extract: Any, settings: Any, load_id: str) -> dict[str, Any]:
    """Break one row per expectation (two rows share a key), each in a row of its own; returns what was broken."""
    import duckdb

    table = f"raw.{extract.raw_table}"
    con = duckdb.connect(str(settings.ingest_db))
    used = [0]

    def next_row(*non_null: str) -> int:
        where = "".join(f" and {_q(c)} is not null" for c in non_null)
        (line,) = con.execute(
            f"select min(_line_number) from {table} where _load_id = ? and _line_number > ?{where}",
            [load_id, used[0]],
        ).fetchone()
        used[0] = line
        return line

    def update(assignment: str, line: int) -> None:
        con.execute(f"update {table} set {assignment} where _load_id = ? and _line_number = ?", [load_id, line])

    broken: dict[str, int] = {}
    for e in _suite(extract):
        kind, kw = e.expectation_type, e.configuration.kwargs
        col = _q(kw["column"]) if "column" in kw else None
        if kind == "expect_column_values_to_not_be_null":
            update(f"{col} = null", next_row(kw["column"]))
        elif kind == "expect_column_values_to_be_in_set":
            update(f"{col} = {_lit(NOT_IN_SET)}", next_row())
        elif kind == "expect_column_values_to_match_regex":
            update(f"{col} = {_lit(BAD_SHAPE)}", next_row())
        elif kind == "expect_column_values_to_be_between":
            value = kw["max_value"] + 1 if kw.get("max_value") is not None else kw["min_value"] - 1
            update(f"{col} = {_lit(value)}", next_row())
        elif kind == "expect_column_pair_values_a_to_be_greater_than_b":
            a, b = kw["column_A"], kw["column_B"]
            update(f"{_q(a)} = {_q(b)} - interval 1 day", next_row(b))
        elif kind in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
            columns = [kw["column"]] if "column" in kw else list(kw["column_list"])
            first, second = next_row(*columns), next_row(*columns)
            assignments = ", ".join(
                f"{_q(c)} = (select {_q(c)} from {table} where _load_id = '{load_id}' and _line_number = {first})"
                for c in columns
            )
            update(assignments, second)
            broken[label(kind, kw)] = 2
            continue
        else:
            continue
        broken[label(kind, kw)] = 1
    con.close()
    return {"broken": broken}


def _inject_edges(extract: Any, settings: Any, load_id: str) -> dict[str, Any]:
    """Values GX's pandas engine accepts and the SQL does not (each in a fresh row): where the two paths part.

    - a value of a pattern column with a newline after it: Python's ``$`` matches before a final newline,
      RE2's (DuckDB) only at the end;
    - NaN in a double column with a range: pandas treats NaN as missing (skipped), DuckDB as a number above
      every other (out of range).
    """
    import duckdb

    table = f"raw.{extract.raw_table}"
    con = duckdb.connect(str(settings.ingest_db))
    (line,) = con.execute(f"select max(_line_number) from {table} where _load_id = ?", [load_id]).fetchone()
    doubles = {c.name for c in extract.columns if c.type == "double"}
    edges: dict[str, str] = {}
    for e in _suite(extract):
        kind, kw = e.expectation_type, e.configuration.kwargs
        if kind == "expect_column_values_to_match_regex":
            col, valid = _q(kw["column"]), f"regexp_full_match({_q(kw['column'])}, {_lit(kw['regex'])})"
            value = f"(select max({col}) from {table} where _load_id = $load_id and {valid}) || chr(10)"
            edges[label(kind, kw)] = "valid value + newline: GX passes it (Python $), DuckDB flags it (RE2 $)"
        elif kind == "expect_column_values_to_be_between" and kw["column"] in doubles:
            value = "'NaN'::double"
            edges[label(kind, kw)] = "NaN: GX skips it as missing, DuckDB flags it (NaN above every number)"
        else:
            continue
        con.execute(
            f"update {table} set {_q(kw['column'])} = {value} where _load_id = $load_id and _line_number = $line",
            {"load_id": load_id, "line": line},
        )
        line -= 1
    con.close()
    return {"edges": edges}


def _child(kind: str, name: str, data: Path, arg: str) -> None:
    extract, settings = _extract(name), _settings(data)
    if kind == "load":
        result = _load(extract, settings, Path(arg))
    else:
        result = {"gx": _gx, "sql": _sql, "inject": _inject, "edges": _inject_edges}[kind](extract, settings, arg)
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def _run(kind: str, name: str, data: Path, arg: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, name, str(data), arg], capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{kind} {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _compare(name: str, gx: dict[str, Any], sql: dict[str, Any], expected: dict[str, int]) -> list[str]:
    """Lines saying where the paths disagree with each other or with what was broken (nothing: they agree)."""
    problems = []
    for key in sorted(set(sql["counts"]) | set(gx["counts"])):
        got_gx, got_sql = gx["counts"].get(key, 0), sql["counts"].get(key, 0)
        if got_gx != got_sql or got_sql != expected.get(key, 0):
            problems.append(f"{name}: {key}: gx {got_gx}, sql {got_sql}, broken {expected.get(key, 0)}")
    if gx["rows"] != sql["rows"]:
        problems.append(f"{name}: rows gx {gx['rows']}, sql {sql['rows']}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, help="a generated tier's base deliveries (required)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "readiness-pushdown")
    parser.add_argument("--only", action="append", help="an extract (source/name); all three by default")
    parser.add_argument("--edges", action="store_true", help="then values on which GX and the SQL part (a 3rd run)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], Path(args.child[2]), args.child[3])
        return
    if args.cache is None:
        parser.error("--cache is required")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}")
    print(f"load average before: {os.getloadavg()}")
    print(
        "| extract | rows | run | GX batches s (on the rows) | GX peak MB | DuckDB SQL s (on the rows) | SQL peak MB "
        "| time ratio (on the rows) | memory ratio | unexpected counts |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    problems: list[str] = []
    for name in args.only or EXTRACTS:
        data = args.work / name.replace("/", "__")
        shutil.rmtree(data, ignore_errors=True)
        source, extract = name.split("/")
        loaded = _run("load", name, data, str(args.cache / source / extract / EXTRACTS[name]))
        load_id = loaded["load_id"]
        clean: dict[str, int] = {}
        for run in ("clean", "broken", "edges")[: 3 if args.edges else 2]:
            if run == "broken":
                broken = _run("inject", name, data, load_id)["broken"]
                expected = {k: clean.get(k, 0) + broken.get(k, 0) for k in set(clean) | set(broken)}
            if run == "edges":  # GX's semantics: the edge values are valid, so GX must count as before
                edges = _run("edges", name, data, load_id)["edges"]
                problems += [f"{name}: {key}: {why}" for key, why in edges.items()]
            gx, sql = _run("gx", name, data, load_id), _run("sql", name, data, load_id)
            if run == "clean":
                clean = dict(sql["counts"])
                expected = clean  # the clean run is the baseline; only gx against sql is checked here
            found = _compare(name, gx, sql, expected)
            problems += found
            total = sum(sql["counts"].values())
            failing = sum(1 for v in sql["counts"].values() if v)
            print(
                f"| {name} | {sql['rows']:,} | {run} | {gx['seconds']:.1f} ({gx['work_seconds']:.1f}) | "
                f"{gx['peak_rss_mb']:,.0f} | {sql['seconds']:.1f} ({sql['work_seconds']:.2f}) | "
                f"{sql['peak_rss_mb']:,.0f} | {gx['work_seconds'] / sql['work_seconds']:.0f}x | "
                f"{gx['peak_rss_mb'] / sql['peak_rss_mb']:.1f}x | "
                f"{'same' if not found else 'DIFFER'} ({total} unexpected in {failing}"
                f" of {len(sql['counts'])} expectations) |",
                flush=True,
            )
    print(f"load average after: {os.getloadavg()}")
    print(
        "\n".join(problems)
        or "both paths found the same unexpected count for every expectation, and on the "
        "broken runs exactly the rows broken on top of the clean run"
    )


if __name__ == "__main__":
    main()
