"""The run history marts, built by the real dbt from ops rows written here; expected rows by hand."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb

from readiness import ops
from readiness.config import Settings
from readiness.transform import run_dbt_subprocess

MODELS = ["stg_ops__pipeline_runs", "stg_ops__deliveries", "pipeline_run_history", "pipeline_run_volumes"]


def _ops_rows(settings: Settings) -> None:
    """Night 1 published (two workers files, one rejected budget file), night 2 failed, night 3 running."""
    with ops.connect(settings.ingest_db) as con:
        con.executemany(
            "insert into ops.pipeline_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    "n1",
                    date(2026, 11, 26),
                    datetime(2026, 11, 27, 2),
                    datetime(2026, 11, 27, 2, 4, 5),
                    "published",
                    True,
                    None,
                    None,
                    json.dumps({"skill_gaps": 300, "budget_vs_spend": 40}),
                ],
                [
                    "n2",
                    date(2026, 11, 27),
                    datetime(2026, 11, 28, 2),
                    datetime(2026, 11, 28, 2, 0, 30),
                    "failed",
                    False,
                    "hr.validate_workers",
                    "hr/workers: worker_id W9 ann@example.org duplicated",
                    None,
                ],
                ["n3", date(2026, 11, 28), datetime(2026, 11, 29, 2), None, "running", False, None, None, None],
            ],
        )
        manifest = [
            # load_id, source, extract, file, as-of, read, loaded, quarantined, status, run
            ["a1", "hr", "workers", "workers_2026-11-26.csv", date(2026, 11, 26), 100, 98, 2, "loaded", "n1"],
            ["a2", "hr", "workers", "workers_2026-11-25.csv", date(2026, 11, 25), 50, 50, 0, "loaded", "n1"],
            ["a3", "finance", "budget", "budget_2026-11-26.csv", date(2026, 11, 26), 7, 0, 7, "rejected", "n1"],
            [
                "a4",
                "hr",
                "workers",
                "workers_2026-11-27.csv",
                date(2026, 11, 27),
                101,
                101,
                0,
                "pending_validation",
                "n2",
            ],
            ["a5", "lms", "catalog", "catalog_2026-11-28.json", date(2026, 11, 28), 30, 29, 1, "loaded", "n3"],
            ["a6", "lms", "catalog", "catalog_2026-11-20.json", date(2026, 11, 20), 5, 5, 0, "loaded", None],
        ]
        con.executemany(
            "insert into ops.load_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, null, null, ?)",
            [[*row[:9], datetime(2026, 11, 27, 2), row[9]] for row in manifest],
        )
        con.execute(
            "insert into ops.duplicate_deliveries values ('workers_2026-11-26b.csv', 'hr', 'workers', 'a1', "
            "'2026-11-26', '2026-11-28 02:00:00', 'n2')"
        )


def test_run_history_and_volumes_per_run(settings: Settings, tmp_path: Path) -> None:
    _ops_rows(settings)
    run_dbt_subprocess(
        settings, ["build", "--select", *MODELS, "--target-path", str(tmp_path / "target")], as_of_date="2026-11-28"
    )
    with duckdb.connect(str(settings.candidate_db), read_only=True) as con:
        history = con.execute(
            "select run_id, status, failed_task, duration_seconds, files_received, files_rejected, rows_read, "
            "rows_loaded, rows_quarantined, rows_published from marts.pipeline_run_history order by run_id"
        ).fetchall()
        volumes = con.execute(
            "select run_id, object_type, object_name, files_received, files_rejected, rows_read, rows_loaded, "
            "rows_quarantined, rows_published from marts.pipeline_run_volumes order by all"
        ).fetchall()
        columns = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts'"
            ).fetchall()
        }
        values = " ".join(str(v) for row in con.execute("from marts.pipeline_run_history").fetchall() for v in row)
    assert history == [
        # 4 min 5 s; 3 files (150 + 7 rows read, 148 loaded, 2 + 7 quarantined); 300 + 40 rows published
        ("n1", "published", None, 245, 3, 1, 157, 148, 9, 340),
        # 30 s; one new file and one re-sent unchanged (no rows); nothing published
        ("n2", "failed", "hr.validate_workers", 30, 2, 0, 101, 101, 0, None),
        ("n3", "running", None, None, 1, 0, 30, 29, 1, None),
    ]
    assert volumes == [
        ("n1", "extract", "finance/budget", 1, 1, 7, 0, 7, None),
        ("n1", "extract", "hr/workers", 2, 0, 150, 148, 2, None),
        ("n1", "mart", "budget_vs_spend", None, None, None, None, None, 40),
        ("n1", "mart", "skill_gaps", None, None, None, None, None, 300),
        ("n2", "extract", "hr/workers", 2, 0, 101, 101, 0, None),
        ("n3", "extract", "lms/catalog", 1, 0, 30, 29, 1, None),
    ]
    assert "reason" not in columns and "file_name" not in columns
    assert "ann@example.org" not in values, "a failure reason quoting delivered values never reaches the marts"
