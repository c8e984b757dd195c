"""JSON lines: blocks read by Arrow's JSON reader where they can be, line by line where they cannot, the same rows.

The expected rows are written out by hand from the lines below; the last test holds the two paths of the
reader against each other on a generated year of statements.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from readiness import readers
from readiness._generate_volumes import ENTERPRISE
from readiness.contracts import get_extract
from readiness.generate import generate_organisation

STATEMENTS = get_extract("lms/statements")
BLOCK = 400  # bytes per block in these tests: a few lines each, so one file has several blocks


def _statement(number: int, **changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": f"s{number}",
        "actor": {"account": {"homePage": "https://lms.example", "name": f"W{number}"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "https://lms.example/c1", "objectType": "Activity"},
        "timestamp": "2026-11-01T10:00:00Z",
    }
    record.update(changes)
    return record


def _read(path: Path) -> tuple[list[dict[str, object]], list[tuple[int, str]], int]:
    rows = readers.read_jsonl(path, STATEMENTS)
    table = rows.batches.read_all()
    rows.raise_if_rejected()
    return table.to_pylist(), [(line, reason) for line, reason, _ in rows.broken], rows.rows_read


def test_every_line_keeps_its_number_and_text_whichever_path_reads_its_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "JSON_BLOCK_BYTES", BLOCK)
    lines = [
        json.dumps(_statement(1, result={"completion": True, "score": {"scaled": 1.0}}, extra={"x": [1]})),
        json.dumps(_statement(2, result={"success": False, "score": {"scaled": 0.25}, "duration": "PT1H"})),
        json.dumps(_statement(3)),
        json.dumps(_statement(4, actor={"account": {"name": 1470.0}})),  # a number where text is expected
        "",  # line 5: blank, not a row
        '{"id": "s6", "verb": ',  # line 6: broken
        json.dumps(_statement(7)),
        "[1, 2]",  # line 8: not an object
        json.dumps(_statement(9, result={"completion": False})),
        json.dumps(_statement(10)),
        json.dumps(_statement(11)),
        json.dumps(_statement(12)),
    ]
    path = tmp_path / "statements.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")

    records, broken, rows_read = _read(path)

    assert rows_read == 11  # every line but the blank one
    assert broken == [(6, "malformed JSON: Expecting value at column 22"), (8, "a JSON line must hold one object")]
    assert [(r["_line_number"], r["id"], r["actor_account_name"]) for r in records] == [
        (1, "s1", "W1"),
        (2, "s2", "W2"),
        (3, "s3", "W3"),
        (4, "s4", "1470"),
        (7, "s7", "W7"),
        (9, "s9", "W9"),
        (10, "s10", "W10"),
        (11, "s11", "W11"),
        (12, "s12", "W12"),
    ]
    first, second, ninth = records[0], records[1], records[5]
    assert (first["result_completion"], first["result_success"], first["result_score_scaled"]) == ("true", None, "1")
    assert (second["result_success"], second["result_score_scaled"], second["result_duration"]) == (
        "false",
        "0.25",
        "PT1H",
    )
    assert (ninth["result_completion"], ninth["actor_mbox"], ninth["verb_id"]) == (
        "false",
        None,
        "http://adlnet.gov/expapi/verbs/completed",
    )


def test_a_clean_file_is_read_by_arrow_with_the_texts_python_gives_its_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def line_by_line(*args: object) -> None:
        raise AssertionError("a clean file is read by Arrow")

    monkeypatch.setattr(readers, "_python_block", line_by_line)
    lines = [
        json.dumps(_statement(1, result={"score": {"scaled": 1e-07}, "completion": True}, context={"a": 1})),
        json.dumps(_statement(2, result={"score": {"scaled": -1.0}, "success": False}), ensure_ascii=False),
        json.dumps(_statement(3, actor={"mbox": "mailto:zoë@contoso.example"}), ensure_ascii=False),
    ]
    path = tmp_path / "statements.jsonl"
    path.write_bytes("\r\n".join(lines).encode())  # Windows line ends, none after the last line

    records, broken, rows_read = _read(path)

    assert (rows_read, broken) == (3, [])
    assert [
        (r["_line_number"], r["result_score_scaled"], r["result_completion"], r["result_success"]) for r in records
    ] == [(1, "1e-07", "true", None), (2, "-1", None, "false"), (3, None, None, None)]
    assert [r["actor_mbox"] for r in records] == [None, None, "mailto:zoë@contoso.example"]


def test_lines_arrow_would_count_wrongly_are_read_line_by_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(_statement(1)),
        json.dumps(_statement(2)) + json.dumps(_statement(3)),  # two objects: one malformed line, not two rows
        "  ",  # blank: no row, and the next line is still line 4
        json.dumps(_statement(4)),
    ]
    path = tmp_path / "statements.jsonl"
    path.write_text("\n".join(lines) + "\n")

    records, broken, rows_read = _read(path)

    assert rows_read == 3
    assert [line for line, _ in broken] == [2] and broken[0][1].startswith("malformed JSON: Extra data")
    assert [(r["_line_number"], r["id"]) for r in records] == [(1, "s1"), (4, "s4")]


def test_a_bad_byte_in_a_later_block_rejects_the_file_and_names_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "JSON_BLOCK_BYTES", BLOCK)
    lines = [json.dumps(_statement(n)).encode() for n in range(1, 21)]
    lines[16] = lines[16].replace(b'"s17"', b'"s\xff17"')
    path = tmp_path / "statements.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    rows = readers.read_jsonl(path, STATEMENTS)
    rows.batches.read_all()
    with pytest.raises(readers.DeliveryRejected, match=r"is not UTF-8: byte 0xff at line 17 cannot be decoded"):
        rows.raise_if_rejected()


def test_arrow_reads_a_generated_year_of_statements_as_python_reads_it_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "JSON_BLOCK_BYTES", 2**20)
    generate_organisation(tmp_path / "landing", employees=200, volumes=ENTERPRISE)
    path = next((tmp_path / "landing" / "lms" / "statements").glob("*.jsonl"))
    with path.open("rb") as stream:
        blocks = list(readers._line_blocks(stream))
    assert len(blocks) > 3  # a year of statements of 200 workers: about 6 MB
    first_line, by_arrow = 1, 0
    for block in blocks:
        parsed = readers._arrow_block(block, STATEMENTS, first_line)
        line_by_line, lines = readers._python_block(path, block, STATEMENTS, first_line, readers.DeliveryRows())
        expected = pa.concat_tables(line_by_line)
        if parsed is not None:
            by_arrow += 1
            assert parsed.equals(expected), f"block from line {first_line}"
        first_line += lines
    assert by_arrow == len(blocks), "a clean generated file is read by Arrow throughout"
