"""Readers: turn one delivered file into rows of text, one column per contract column.

Readers only split a file into records and name the values; typing and row rules are applied
afterwards, in one place, from the contract (``ingest``). A reader rejects the whole file
(``DeliveryRejected``) only when no row can be trusted: not gzip, not UTF-8, not JSON, a missing
required column. A record that cannot be split into values is returned in ``broken`` with the reason,
so that it is quarantined and counted, never lost.

Readers stream: a delivery is read in chunks of ``CHUNK_ROWS`` records (JSON lines: blocks of
``JSON_BLOCK_BYTES``) as the loader types it, so a load holds one chunk as text, never the whole file (a year
of xAPI statements is gigabytes). The first chunk is read
when the reader is called, so a file rejected at its header or its first records is rejected before anything is
written; a rejection further in (a bad byte on line 3,000,000) is kept and raised once the stream has been read
(``DeliveryRows.raise_if_rejected``), and the load's transaction is rolled back.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import itertools
import json
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from readiness import focus
from readiness.contracts import Extract, FileFormat

LINE_COLUMN = "_line_number"
#: The literal the FOCUS exports use for null (see the real FOCUS sample).
NULL_LITERALS = frozenset({"", "NULL"})


class DeliveryRejected(Exception):
    """The whole file is unusable; the message says why and what to do."""


@dataclass
class DeliveryRows:
    """The records of one delivery as text, ready for typing, read while ``batches`` is consumed (once).

    ``rows_read`` and ``broken`` are complete once ``batches`` has been read through.
    """

    batches: pa.RecordBatchReader = field(init=False)
    rows_read: int = 0
    #: (line number, reason, raw text) of records that could not be split into values.
    broken: list[tuple[int, str, str]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    #: A rejection met after the first chunk: the stream stopped there (raise_if_rejected).
    rejected: DeliveryRejected | None = None

    def stream(self, extract: Extract, chunks: Iterator[pa.Table]) -> DeliveryRows:
        """Set ``batches`` to ``chunks``, reading the first one now; a later rejection ends the stream."""
        first = next(chunks)  # every reader yields at least one chunk, or raises DeliveryRejected here

        def rest() -> Iterator[pa.RecordBatch]:
            try:
                for chunk in chunks:
                    yield from chunk.to_batches()
            except DeliveryRejected as exc:  # DuckDB would wrap it in its own error: keep it for the loader
                self.rejected = exc

        self.batches = pa.RecordBatchReader.from_batches(_schema(extract), itertools.chain(first.to_batches(), rest()))
        return self

    def raise_if_rejected(self) -> None:
        """Raise the rejection met while ``batches`` was read, if any (call after reading it through)."""
        if self.rejected is not None:
            raise self.rejected


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DeliveryRejected(
                f"{path.name} is named .gz but is not a valid gzip file ({exc}); deliver it compressed "
                "with gzip or without the .gz suffix"
            ) from exc
    return data


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, data, exc) from exc


def _not_utf8(path: Path, data: bytes, exc: UnicodeDecodeError, first_line: int = 1) -> DeliveryRejected:
    """The rejection of a file with a bad byte, naming its line (``data`` starts at line ``first_line``)."""
    line = data[: exc.start].count(b"\n") + first_line
    return DeliveryRejected(
        f"{path.name} is not UTF-8: byte 0x{data[exc.start]:02x} at line {line} cannot be decoded; "
        "re-export the file as UTF-8"
    )


def _normalise(name: str) -> str:
    return name.strip().lower()


def _match_header(path: Path, extract: Extract, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Map contract columns to positions in the header (case-insensitive, trimmed)."""
    positions: dict[str, int] = {}
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        norm = _normalise(name)
        if norm in seen:
            raise DeliveryRejected(
                f"{path.name}: column {name.strip()!r} appears twice in the header; deliver one column per name"
            )
        seen[norm] = index
    forbidden = [h.strip() for h in header if _normalise(h) in {_normalise(f) for f in extract.forbidden_columns}]
    if forbidden:
        raise DeliveryRejected(
            f"{path.name}: column(s) {', '.join(forbidden)} identify a person, and {extract.qualified_name} is "
            "anonymous: nothing of the file was loaded. Export the form again without them"
        )
    for column in extract.columns:
        if _normalise(column.name) in seen:
            positions[column.name] = seen[_normalise(column.name)]
    missing = [c.name for c in extract.required_columns if c.name not in positions]
    if missing:
        raise DeliveryRejected(
            f"{path.name}: required column(s) {', '.join(missing)} missing from the header "
            f"(found: {', '.join(h.strip() for h in header) or 'nothing'}); the export must carry the columns "
            f"of the {extract.qualified_name} contract"
        )
    known = {_normalise(c.name) for c in extract.columns}
    extra = [h.strip() for h in header if _normalise(h) not in known]
    if extract.format == "focus":
        # Standard FOCUS columns the contract does not load, and x_ extensions, are expected, not unknown.
        extra = [h for h in extra if not focus.is_expected_column(h)]
    return positions, extra


def _schema(extract: Extract) -> pa.Schema:
    """Every contract column as text, and the record's line (or position) in the file."""
    return pa.schema([*((name, pa.string()) for name in extract.column_names), (LINE_COLUMN, pa.int64())])


def _table(extract: Extract, lines: list[int], values: dict[str, list[str | None]]) -> pa.Table:
    for column in extract.columns:
        if column.json_object and column.name in values:
            values[column.name] = [focus.normalise_tags(v) for v in values[column.name]]
    arrays = {name: pa.array(values.get(name, [None] * len(lines)), pa.string()) for name in extract.column_names}
    arrays[LINE_COLUMN] = pa.array(lines, pa.int64())
    return pa.table(arrays, schema=_schema(extract))


#: Rows held as Python strings before they become Arrow columns: a 1M-row FOCUS file as Python lists
#: needs several GB, as Arrow chunks a fraction of that.
CHUNK_ROWS = 50_000


@contextmanager
def _byte_stream(path: Path) -> Iterator[BinaryIO]:
    """The delivery's bytes, decompressed while they are read; a bad gzip becomes a rejection."""
    opener: Any = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as raw:
        try:
            yield raw
        except (OSError, EOFError, zlib.error):
            read_bytes(path)  # raises the rejection that names the broken gzip
            raise


@contextmanager
def _text_stream(path: Path) -> Iterator[io.TextIOWrapper]:
    """The delivery as text, decoded while it is read; a bad byte or a bad gzip becomes a rejection."""
    with _byte_stream(path) as raw:
        try:
            yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        except UnicodeDecodeError:
            _decode(path, read_bytes(path))  # read again, whole, only to say where the bad byte is
            raise


def read_csv(path: Path, extract: Extract) -> DeliveryRows:
    rows = DeliveryRows()
    return rows.stream(extract, _csv_chunks(path, extract, rows))


def _csv_chunks(path: Path, extract: Extract, rows: DeliveryRows) -> Iterator[pa.Table]:
    with _text_stream(path) as stream:
        reader = csv.reader(stream, strict=True)
        try:
            header = next((r for r in reader if any(v.strip() for v in r)), None)
        except csv.Error as exc:
            raise DeliveryRejected(f"{path.name}: the header row cannot be read as CSV ({exc})") from exc
        if header is None:
            raise DeliveryRejected(f"{path.name} is empty: expected a header row and data rows")
        if len(header) == 1 and (";" in header[0] or "\t" in header[0] or "|" in header[0]):
            raise DeliveryRejected(
                f"{path.name}: the header is one column {header[0][:60]!r}; the file is not comma-separated. "
                "Export it with ',' as the delimiter"
            )
        positions, rows.extra_columns = _match_header(path, extract, header)
        width = len(header)
        null_literals = NULL_LITERALS if extract.format == "focus" else frozenset({""})
        lines: list[int] = []
        values: dict[str, list[str | None]] = {name: [] for name in positions}
        broken = rows.broken
        rows_read = 0
        while True:
            line_number = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rows_read += 1
                broken.append((line_number, f"malformed CSV record: {exc}", ""))
                continue
            if not record:  # a blank line is not a row
                continue
            rows_read += 1
            if len(record) != width:
                reason = f"expected {width} fields as in the header, found {len(record)}"
                broken.append((line_number, reason, ",".join(record)))
                continue
            lines.append(line_number)
            for name, index in positions.items():
                value = record[index]
                values[name].append(None if value.strip() in null_literals else value)
            if len(lines) == CHUNK_ROWS:
                rows.rows_read = rows_read
                yield _table(extract, lines, values)
                lines, values = [], {name: [] for name in positions}
    rows.rows_read = rows_read
    yield _table(extract, lines, values)


def _dig(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        # An integer id written as a JSON number by a tool that has only floats (1470.0): its one reading is
        # the integer, as text, so it matches HR's "1470". A fraction stays as written and matches nothing.
        return str(int(value))
    return str(value)


def read_jsonl(path: Path, extract: Extract) -> DeliveryRows:
    rows = DeliveryRows()
    return rows.stream(extract, _jsonl_chunks(path, extract, rows))


#: Bytes of JSON lines parsed at once (about 25,000 xAPI statements).
JSON_BLOCK_BYTES = 16 * 2**20
_BOM = "\ufeff".encode()
#: A carriage return that ends no line here: Python's universal newlines split at it, Arrow's JSON reader does not.
_LONE_CR = re.compile(rb"\r(?!\n)")
#: A line that starts an object, and one that ends an object. When every line does both, a line can only
#: break between two whole objects (inside one, the token after a closing brace is never an opening one),
#: so Arrow's row count equals the line count only when every line holds exactly one object.
_OPENS = re.compile(rb"^[ \t]*\{", re.MULTILINE)
_CLOSES = re.compile(rb"\}[ \t\r]*(?:\n|\Z)")


def _jsonl_chunks(path: Path, extract: Extract, rows: DeliveryRows) -> Iterator[pa.Table]:
    """Blocks of whole lines, each parsed by Arrow's JSON reader when it reads every line the way the
    line-by-line reader would (a valid UTF-8 block of one object per line, each value of its column's JSON
    type), and line by line otherwise: a broken line then costs its block the slow path, never a row."""
    next_line, yielded = 1, False
    with _byte_stream(path) as stream:
        for block in _line_blocks(stream):
            parsed = _arrow_block(block, extract, next_line)
            if parsed is not None:
                chunks, lines = [parsed], parsed.num_rows
                rows.rows_read += lines
            else:
                chunks, lines = _python_block(path, block, extract, next_line, rows)
            next_line += lines
            for chunk in chunks:
                if chunk.num_rows:
                    yielded = True
                    yield chunk
    if rows.rows_read == 0:
        raise DeliveryRejected(f"{path.name} is empty: expected one JSON object per line")
    if not yielded:  # every line broken: the loader still gets the (empty) typed stream
        yield _table(extract, [], {})


def _line_blocks(stream: BinaryIO) -> Iterator[bytes]:
    """The file in blocks of about ``JSON_BLOCK_BYTES`` that end at a line's end; a BOM at the start dropped."""
    rest = b""
    first = True
    while data := stream.read(JSON_BLOCK_BYTES):
        if first:
            data, first = data.removeprefix(_BOM), False
        data = rest + data
        cut = data.rfind(b"\n") + 1
        block, rest = data[:cut], data[cut:]
        if block:
            yield block
    if rest:
        yield rest


@functools.cache
def _json_schema(extract: Extract) -> pa.Schema | None:
    """The nested Arrow schema of the extract's JSON paths, each leaf the JSON type its contract type is
    written as; None when Arrow cannot read it as the line-by-line reader does (a column holding JSON)."""
    leaf = {"boolean": pa.bool_(), "integer": pa.int64(), "double": pa.float64()}
    tree: dict[str, Any] = {}
    for column in extract.columns:
        *parents, name = (column.path or column.name).split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                return None
        if column.json_object or name in node:
            return None
        node[name] = leaf.get(column.type, pa.string())

    def fields(node: dict[str, Any]) -> list[pa.Field]:
        return [pa.field(k, pa.struct(fields(v)) if isinstance(v, dict) else v) for k, v in node.items()]

    return pa.schema(fields(tree))


def _arrow_block(block: bytes, extract: Extract, first_line: int) -> pa.Table | None:
    """The block's records through Arrow's JSON reader, or None where the line-by-line reader must decide."""
    schema = _json_schema(extract)
    if schema is None or _LONE_CR.search(block):
        return None
    try:
        block.decode("utf-8")  # Arrow does not check: a bad byte is the line-by-line reader's rejection
        parsed = pa_json.read_json(
            io.BytesIO(block),
            parse_options=pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
        )
    except (UnicodeDecodeError, pa.ArrowInvalid):
        return None
    lines = block.count(b"\n") + (not block.endswith(b"\n"))
    if not parsed.num_rows == lines == len(_OPENS.findall(block)) == len(_CLOSES.findall(block)):
        return None  # a blank line, two objects on one line, an object over two lines: line by line
    arrays: dict[str, Any] = {}
    for column in extract.columns:
        top, *nested = (column.path or column.name).split(".")
        values: Any = parsed.column(top)
        for part in nested:
            values = pc.struct_field(values, part)
        if column.type == "double":  # the text Python gives the number (1.0 is "1"), as on the slow path
            arrays[column.name] = pa.array([_as_text(v) for v in values.to_pylist()], pa.string())
        else:
            arrays[column.name] = values.cast(pa.string())
    arrays[LINE_COLUMN] = pa.array(range(first_line, first_line + lines), pa.int64())
    return pa.table(arrays, schema=_schema(extract))


def _python_block(
    path: Path, block: bytes, extract: Extract, first_line: int, rows: DeliveryRows
) -> tuple[list[pa.Table], int]:
    """The block line by line with Python's json: a broken line is quarantined with its reason."""
    try:
        text = block.decode("utf-8")  # not utf-8-sig: the file's BOM is gone, a later one is part of its line
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, block, exc, first_line) from exc
    chunks: list[pa.Table] = []
    lines: list[int] = []
    values: dict[str, list[str | None]] = {c.name: [] for c in extract.columns}
    line_number = first_line - 1
    for line_number, raw in enumerate(io.StringIO(text, newline=""), start=first_line):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        rows.rows_read += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.broken.append((line_number, f"malformed JSON: {exc.msg} at column {exc.colno}", line[:500]))
            continue
        if not isinstance(record, dict):
            rows.broken.append((line_number, "a JSON line must hold one object", line[:500]))
            continue
        lines.append(line_number)
        for column in extract.columns:
            values[column.name].append(_as_text(_dig(record, column.path or column.name)))
        if len(lines) == CHUNK_ROWS:
            chunks.append(_table(extract, lines, values))
            lines, values = [], {c.name: [] for c in extract.columns}
    chunks.append(_table(extract, lines, values))
    return chunks, line_number - first_line + 1


#: Catalog API arrays and the item type each holds.
CATALOG_ARRAYS = {"learningPaths": "learningPath", "modules": "module", "courses": "course"}


def read_catalog(path: Path, extract: Extract) -> DeliveryRows:
    text = _decode(path, read_bytes(path))
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeliveryRejected(
            f"{path.name} is not valid JSON ({exc.msg} at line {exc.lineno}); deliver the Catalog API response "
            "unchanged"
        ) from exc
    if not isinstance(document, dict) or not any(k in document for k in CATALOG_ARRAYS):
        raise DeliveryRejected(
            f"{path.name}: expected a JSON object with arrays {', '.join(CATALOG_ARRAYS)} (Catalog API shape)"
        )
    lines: list[int] = []
    values: dict[str, list[str | None]] = {c.name: [] for c in extract.columns}
    broken: list[tuple[int, str, str]] = []
    position = 0
    for array, item_type in CATALOG_ARRAYS.items():
        for item in document.get(array) or []:
            position += 1
            if not isinstance(item, dict):
                broken.append((position, f"{array} holds a non-object item", _as_text(item) or ""))
                continue
            lines.append(position)
            for column in extract.columns:
                raw = item_type if column.name == "item_type" else item.get(column.path or column.name)
                values[column.name].append(_as_text(raw))
    rows = DeliveryRows(rows_read=position, broken=broken)
    return rows.stream(extract, iter([_table(extract, lines, values)]))  # one document: read whole


def read_parquet(path: Path, extract: Extract) -> DeliveryRows:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DeliveryRejected(f"{path.name} is not a readable Parquet file ({exc})") from exc
    names = parquet.schema_arrow.names
    _, extra = _match_header(path, extract, names)
    rows = DeliveryRows(extra_columns=extra)
    return rows.stream(extract, _parquet_chunks(path, parquet, extract, rows))


def _parquet_chunks(path: Path, parquet: pq.ParquetFile, extract: Extract, rows: DeliveryRows) -> Iterator[pa.Table]:
    by_name = {_normalise(n): n for n in parquet.schema_arrow.names}
    wanted = {column.name: by_name.get(_normalise(column.name)) for column in extract.columns}
    batches = parquet.iter_batches(batch_size=CHUNK_ROWS, columns=sorted({a for a in wanted.values() if a}))
    first_row = 1
    try:
        for batch in itertools.chain(batches, [None] if parquet.metadata.num_rows == 0 else []):
            size = 0 if batch is None else batch.num_rows
            arrays: dict[str, Any] = {}
            for column in extract.columns:
                actual = wanted[column.name]
                if batch is None or actual is None:
                    arrays[column.name] = pa.nulls(size, pa.string())
                    continue
                texts = batch.column(actual).cast(pa.string())
                is_null_literal = pc.is_in(pc.utf8_trim_whitespace(texts), value_set=pa.array(sorted(NULL_LITERALS)))
                arrays[column.name] = pc.if_else(is_null_literal, pa.scalar(None, pa.string()), texts)
                if column.json_object:
                    arrays[column.name] = pa.array(
                        [focus.normalise_tags(v) for v in arrays[column.name].to_pylist()], pa.string()
                    )
            arrays[LINE_COLUMN] = pa.array(range(first_row, first_row + size), pa.int64())
            first_row += size
            rows.rows_read = first_row - 1
            yield pa.table(arrays, schema=_schema(extract))
    except (pa.ArrowInvalid, OSError) as exc:
        raise DeliveryRejected(f"{path.name} is not a readable Parquet file ({exc})") from exc


Reader = Callable[[Path, Extract], DeliveryRows]

#: The reader of each (contract format, file extension) an extract may be delivered in. A new format
#: is a reader function and a row here; ``tests/test_add_an_extract.py`` checks every extension of
#: every extract has one.
READERS: dict[tuple[FileFormat, str], Reader] = {
    ("csv", "csv"): read_csv,
    ("jsonl", "jsonl"): read_jsonl,
    # A JSON lines export saved as .json by the LRS is still one statement per line.
    ("jsonl", "json"): read_jsonl,
    ("catalog_json", "json"): read_catalog,
    ("focus", "csv"): read_csv,
    ("focus", "parquet"): read_parquet,
}


def reader_for(extract: Extract, extension: str) -> Reader:
    try:
        return READERS[(extract.format, extension)]
    except KeyError:
        raise KeyError(
            f"{extract.qualified_name}: no reader for format {extract.format!r} with extension .{extension}; "
            "add one to readiness.readers.READERS"
        ) from None


def read_delivery(path: Path, extract: Extract) -> DeliveryRows:
    """Read a delivery of ``extract`` with the reader of its format and extension (``.gz`` aside)."""
    extension = path.name.removesuffix(".gz").rsplit(".", 1)[-1]
    return reader_for(extract, extension)(path, extract)
