"""Great Expectations suites derived from the contracts, run on each new delivery."""

from __future__ import annotations

import pytest

from readiness import ops
from readiness.config import Settings
from readiness.contracts import EXTRACTS, WORKERS
from readiness.ingest import load_extract
from readiness.validate import ValidationFailed, build_suite, validate_extract
from tests.conftest import deliver
from tests.test_ingest import GOOD, HEADER


def test_every_contract_rule_becomes_an_expectation() -> None:
    for extract in EXTRACTS:
        types = [e.expectation_type for e in build_suite(extract).expectations]
        assert types.count("expect_column_to_exist") == len(extract.columns)
        assert types.count("expect_column_values_to_not_be_null") == len(extract.required_columns)
        assert types.count("expect_column_values_to_be_in_set") == sum(bool(c.allowed) for c in extract.columns)
        assert types.count("expect_column_values_to_match_regex") == sum(bool(c.pattern) for c in extract.columns)
        if extract.key:
            assert {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"} & set(types)


def test_a_clean_delivery_is_validated(settings: Settings) -> None:
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD]) + "\n")
    load_extract(settings, WORKERS)
    report = validate_extract(settings, WORKERS)
    assert report.success and report.summary() == "1/1 deliveries passed"
    with ops.connect(settings.ingest_db, read_only=True) as con:
        assert con.execute("select status from ops.load_manifest").fetchall() == [("loaded",)]


def test_a_row_the_loader_admitted_passes_validation_under_the_same_pattern(settings: Settings) -> None:
    # RE2 (the loader) reads \\s as ASCII whitespace, Python's re (GX) as Unicode: with \\s in the e-mail pattern a
    # no-break space was no whitespace to the loader but one to GX, and one row failed the whole delivery.
    odd = GOOD[1].replace("bob.ray@", "bob\u00a0ray@")
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, GOOD[0], odd]) + "\n")
    assert load_extract(settings, WORKERS).rows_loaded == 2
    assert validate_extract(settings, WORKERS).success


def test_duplicate_keys_fail_the_delivery_with_the_expectation_and_a_sample(settings: Settings) -> None:
    duplicate = GOOD[0].replace("ann.lee@", "ann.lee2@")
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD, duplicate]) + "\n")
    load_extract(settings, WORKERS)

    with pytest.raises(ValidationFailed) as error:
        validate_extract(settings, WORKERS)

    message = str(error.value)
    assert "hr/workers: delivery workers_2026-11-27.csv failed 1 of" in message
    assert "expect_column_values_to_be_unique on worker_id: 2 unexpected value(s), e.g. ['W1', 'W1']" in message
    assert "published warehouse is unchanged" in message
    with ops.connect(settings.ingest_db, read_only=True) as con:
        assert con.execute("select count(*) from raw.hr__workers").fetchone() == (0,), "rejected rows stay out"
        assert con.execute(
            "select status, rows_read, rows_loaded, rows_quarantined from ops.load_manifest"
        ).fetchall() == [("rejected", 3, 0, 3)]


def test_a_mostly_broken_file_fails_even_though_each_bad_row_was_quarantined(settings: Settings) -> None:
    bad = [f"W{i},A,B,a{i}@x.example,JP1,OU1,CC1,,US,not-a-date,,Active,1" for i in range(10, 13)]
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *GOOD, *bad]) + "\n")
    load_extract(settings, WORKERS)
    with pytest.raises(ValidationFailed, match=r"3 of 5 rows quarantined"):
        validate_extract(settings, WORKERS)


def test_a_delivery_larger_than_a_batch_gets_the_result_gx_gives_on_the_whole_of_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches bound validation's memory; they must not change its verdict. 5,000 workers in batches of
    2,048 rows, two keys repeated in other batches (the loader has already quarantined bad values row by
    row, so the key is what GX alone can judge)."""
    from readiness import gx, validate

    rows = [f"W{i},A,B,w{i}@contoso.example,JP1,OU1,CC1,,US,2020-01-01,,Active,1.0" for i in range(5000)]
    rows[4500] = rows[10].replace("w10@", "w10b@")  # W10 (first batch) again in the third
    rows[3000] = rows[2100].replace("w2100@", "w2100b@")  # W2100 (second batch) again in the second
    deliver(settings, "hr", "workers", "workers_2026-11-27.csv", "\n".join([HEADER, *rows]) + "\n")
    load_extract(settings, WORKERS)
    with ops.connect(settings.ingest_db, read_only=True) as con:
        columns = ", ".join(c.name for c in WORKERS.columns)
        whole = con.execute(f"select {columns} from raw.hr__workers order by _line_number").df()
    _, expected = gx.run_suite("whole_delivery", build_suite(WORKERS), whole)  # GX on every row at once

    frames: list[int] = []
    run_suite = gx.run_suite

    def counted(name: str, suite: object, frame: object) -> object:
        frames.append(len(frame))  # type: ignore[arg-type]
        return run_suite(name, suite, frame)  # type: ignore[arg-type]

    monkeypatch.setattr(validate, "BATCH_ROWS", 2048)
    monkeypatch.setattr(gx, "run_suite", counted)
    with pytest.raises(ValidationFailed) as error:
        validate_extract(settings, WORKERS)

    assert frames == [2048, 2048, 904, 4], "three batches of rows, then only the rows whose key repeats"
    failures = [line.removeprefix("  - ") for line in str(error.value).splitlines() if line.startswith("  - ")]
    assert failures == [f.describe() for f in expected]
    # By hand: W10 and W2100 twice each, in delivery order.
    assert failures == [
        "expect_column_values_to_be_unique on worker_id: 4 unexpected value(s), e.g. ['W10', 'W2100', 'W2100', 'W10']"
    ]


def test_failures_of_several_batches_are_added_up() -> None:
    from readiness.gx import Failure, added_up

    first = (9, [Failure("expect_column_values_to_be_in_set", "status", 2, ["X", "Y"])])
    second = (9, [Failure("expect_column_values_to_be_in_set", "status", 3, ["Y", "Z", "Q", "R", "S"])])
    third = (9, [Failure("expect_column_values_to_not_be_null", "worker_id", 1, [])])
    count, failures = added_up([first, second, third])
    assert count == 9
    assert failures == [
        Failure("expect_column_values_to_be_in_set", "status", 5, ["X", "Y", "Z", "Q", "R"]),
        Failure("expect_column_values_to_not_be_null", "worker_id", 1, []),
    ]
