"""The loader: typed rows, row accounting, quarantine reasons, duplicates, rejections, crash safety."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from readiness import ops, readers
from readiness.config import Settings
from readiness.contracts import EXTRACTS, GL_ACTUALS, WORKERS
from readiness.ingest import DeliveriesRejected, NeverDelivered, load_extract
from tests.conftest import deliver

HEADER = (
    "worker_id,first_name,last_name,work_email,job_profile_id,org_unit_id,cost_center_id,"
    "manager_worker_id,country_code,hire_date,termination_date,worker_status,fte"
)
GOOD = [
    "W1,Ann,Lee,ann.lee@contoso.example,JP1,OU1,CC1,,US,2020-01-01,,Active,1.0",
    "W2,Bob,Ray,bob.ray@contoso.example,JP1,OU1,CC1,W1,GB,01/31/2021,,Leave,0.5",
]


def _manifest(settings: Settings) -> list[tuple]:
    with ops.connect(settings.ingest_db, read_only=True) as con:
        return con.execute(
            "select file_name, rows_read, rows_loaded, rows_quarantined, status from ops.load_manifest order by 1"
        ).fetchall()


def test_good_rows_load_typed_and_bad_rows_are_quarantined_with_line_column_and_reason(settings: Settings) -> None:
    bad = [
        "W3,Cy,Ng,not-an-email,JP1,OU1,CC1,W1,US,2020-13-01,,Gone,7",
        "W4,Di,Oz,di@contoso.example,JP1,OU1,CC1",  # truncated record
        "W5,Ed,Po,ed@contoso.example,JP1,OU1,CC1,W1,US,2022-05-01,2021-01-01,Terminated,1",
    ]
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD, *bad]) + "\n")

    report = load_extract(settings, WORKERS)

    assert [(f.rows_read, f.rows_loaded, f.rows_quarantined) for f in report.files] == [(5, 2, 3)]
    with ops.connect(settings.ingest_db, read_only=True) as con:
        rows = con.execute("select worker_id, hire_date::varchar, fte::double, _line_number from raw.hr__workers")
        assert sorted(rows.fetchall()) == [("W1", "2020-01-01", 1.0, 2), ("W2", "2021-01-31", 0.5, 3)]
        reasons = con.execute("select line_number, column_name, reason from ops.quarantine order by 1, 2").fetchall()
    assert reasons == [
        (4, "fte", "fte: 7.000000 must be at most 1"),
        (4, "hire_date", "hire_date: cannot read 2020-13-01 as date"),
        (4, "work_email", "work_email: not-an-email does not have the expected shape"),
        (4, "worker_status", "worker_status: Gone is not one of Active, Leave, Terminated"),
        (5, None, "expected 13 fields as in the header, found 7"),
        (6, "termination_date", "termination_date: 2021-01-01 is before hire_date 2022-05-01"),
    ]
    archived = list((settings.archive_dir / "hr" / "workers").iterdir())
    assert len(archived) == 1 and not any((settings.landing_dir / "hr" / "workers").iterdir())


def test_the_same_bytes_delivered_twice_count_once(settings: Settings) -> None:
    content = "\n".join([HEADER, *GOOD]) + "\n"
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", content)
    load_extract(settings, WORKERS)
    deliver(settings, "hr", "workers", "workers_2026-11-27_resent.csv", content)

    report = load_extract(settings, WORKERS)

    assert [f.status for f in report.files] == ["duplicate"]
    assert "same bytes as workers_2026-11-27.csv" in report.files[0].message
    with ops.connect(settings.ingest_db, read_only=True) as con:
        assert con.execute("select count(*) from raw.hr__workers").fetchone() == (2,)
        assert con.execute("select count(*) from ops.duplicate_deliveries").fetchone() == (1,)


def test_missing_required_column_rejects_the_file_and_names_the_column(settings: Settings) -> None:
    header = HEADER.replace("work_email,", "")
    rows = [",".join(r.split(",")[:3] + r.split(",")[4:]) for r in GOOD]
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([header, *rows]) + "\n")

    with pytest.raises(DeliveriesRejected, match=r"required column\(s\) work_email missing"):
        load_extract(settings, WORKERS)

    assert _manifest(settings) == [("workers_2026-11-27.csv", 0, 0, 0, "rejected")]
    assert (settings.quarantine_dir / "hr" / "workers" / "workers_2026-11-27.csv").exists()


def _many_workers(count: int) -> list[str]:
    return [f"W{n},Ann,Lee,w{n}@contoso.example,JP1,OU1,CC1,,US,2020-01-01,,Active,1.0" for n in range(1, count + 1)]


def test_a_delivery_streams_in_chunks_and_every_row_keeps_its_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "CHUNK_ROWS", 3)  # 10 rows: four chunks, the last one short
    rows = _many_workers(10)
    rows[6] = rows[6].replace("Active", "Gone")  # line 8, in the third chunk
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *rows]) + "\n")

    load_extract(settings, WORKERS)

    assert _manifest(settings) == [("workers_2026-11-27.csv", 10, 9, 1, "pending_validation")]
    with ops.connect(settings.ingest_db, read_only=True) as con:
        lines = con.execute("select worker_id, _line_number from raw.hr__workers order by 2").fetchall()
        quarantined = con.execute("select line_number, column_name from ops.quarantine").fetchall()
    assert lines == [(f"W{n}", n + 1) for n in range(1, 11) if n != 7]
    assert quarantined == [(8, "worker_status")]


def test_a_bad_byte_after_the_first_chunk_rejects_the_whole_file_and_loads_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "CHUNK_ROWS", 3)  # the first chunk is typed before the bad byte is read
    content = ("\n".join([HEADER, *_many_workers(10)]) + "\n").encode()
    content = content.replace(b"w9@contoso", b"w9\xff@contoso")  # line 10, in the fourth chunk
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", content)

    with pytest.raises(DeliveriesRejected, match=r"is not UTF-8: byte 0xff at line 10"):
        load_extract(settings, WORKERS)

    assert _manifest(settings) == [("workers_2026-11-27.csv", 0, 0, 0, "rejected")]
    with ops.connect(settings.ingest_db, read_only=True) as con:
        assert con.execute("select count(*) from raw.hr__workers").fetchone() == (0,)
    assert (settings.quarantine_dir / "hr" / "workers" / "workers_2026-11-27.csv").exists()


def test_gzip_that_is_not_gzip_is_rejected_with_a_sentence(settings: Settings) -> None:
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv.gz", b"not gzip at all")
    with pytest.raises(DeliveriesRejected, match=r"is named \.gz but is not a valid gzip file"):
        load_extract(settings, WORKERS)


def test_gzip_delivery_loads(settings: Settings) -> None:
    content = ("\n".join([HEADER, *GOOD]) + "\n").encode()
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv.gz", gzip.compress(content, mtime=0))
    assert load_extract(settings, WORKERS).rows_loaded == 2


def test_never_delivered_extract_names_what_was_expected_where(settings: Settings) -> None:
    with pytest.raises(NeverDelivered) as error:
        load_extract(settings, GL_ACTUALS)
    message = str(error.value)
    assert "finance/gl_actuals has never been delivered" in message
    assert "gl_actuals_<YYYY-MM-DD>.csv" in message
    assert str(settings.landing_dir / "finance" / "gl_actuals") in message


def test_a_night_without_new_files_goes_ahead_with_what_is_loaded(settings: Settings) -> None:
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD]) + "\n")
    load_extract(settings, WORKERS)
    report = load_extract(settings, WORKERS)
    assert report.files == []
    assert str(report.latest_as_of) == "2026-11-27"


def _state(settings: Settings) -> dict[str, list[tuple]]:
    """Every raw table and the manifest in full, without load timestamps and with archive paths relative."""
    with ops.connect(settings.ingest_db, read_only=True) as con:
        state = {
            e.raw_table: con.execute(f"select * exclude (_loaded_at) from raw.{e.raw_table} order by all").fetchall()
            for e in EXTRACTS
        }
        state["load_manifest"] = con.execute(
            "select * exclude (received_at, validated_at) replace (replace(archive_path, ?, '') as archive_path) "
            "from ops.load_manifest order by all",
            [str(settings.archive_dir)],
        ).fetchall()
        state["quarantine"] = con.execute(
            "select * exclude (quarantined_at) from ops.quarantine order by all"
        ).fetchall()
    return state


def test_a_load_killed_midway_leaves_nothing_and_the_rerun_equals_a_clean_load(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = "W3,Cy,Ng,cy@contoso.example,JP1,OU1,CC1,W1,US,2020-13-01,,Active,1"
    content = "\n".join([HEADER, *GOOD, bad]) + "\n"
    path = deliver(settings, "hr", "workers", "workers_2026-11-27.csv", content)
    original_execute = duckdb.DuckDBPyConnection.execute

    def execute(self, query, *args, **kwargs):
        # Killed inside the transaction, after the good rows went into raw and before the quarantine.
        if isinstance(query, str) and query.startswith("insert into ops.quarantine select"):
            raise RuntimeError("killed midway")
        return original_execute(self, query, *args, **kwargs)

    monkeypatch.setattr(duckdb.DuckDBPyConnection, "execute", execute)
    with pytest.raises(RuntimeError, match="killed midway"):
        load_extract(settings, WORKERS)
    monkeypatch.undo()
    assert path.exists(), "the delivery stays in landing until its load commits"
    empty = _state(settings)
    assert all(rows == [] for rows in empty.values()), "nothing of the killed load is visible"

    load_extract(settings, WORKERS)

    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path / "clean"))
    clean = Settings.from_env()
    clean.ensure_dirs()
    deliver(clean, "hr", "workers", "workers_2026-11-27.csv", content)
    load_extract(clean, WORKERS)
    rerun_state, clean_state = _state(settings), _state(clean)
    assert rerun_state == clean_state
    assert len(rerun_state["hr__workers"]) == 2 and len(rerun_state["quarantine"]) == 1
    assert rerun_state["load_manifest"][0][5:8] == (3, 2, 1)
