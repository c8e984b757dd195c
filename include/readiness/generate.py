"""Deterministic synthetic organisation: the landing files of every extract of the contracts.

Same arguments, same bytes: every random choice comes from `random.Random` / `Faker` instances seeded
from `seed` (one stream per source, so changing one source's logic does not reshuffle the others), and
nothing reads the clock.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from readiness._generate_finance import finance_files
from readiness._generate_hr import build_organisation, hr_files
from readiness._generate_lms import catalogue_json, course_activity, statements
from readiness._generate_nights import generate_nights
from readiness._generate_survey import survey_files
from readiness.contracts import EXTRACTS

__all__ = ["TIERS", "GenerationSummary", "generate_nights", "generate_organisation"]

#: Scale tiers of `readiness generate --size`: workers in the latest HR snapshot. S is the default sample.
TIERS = {"S": 1_000, "M": 10_000, "L": 100_000}


@dataclass(frozen=True)
class GenerationSummary:
    """What was written: relative posix path -> data rows (CSV/JSONL/Parquet) or catalogue items (JSON)."""

    out_dir: Path
    files: dict[str, int]
    employees: int
    as_of: date


def _cell(value: object) -> str:
    """CSV rendering: empty string for null, ISO dates, true/false booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def _write(path: Path, payload: object) -> int:
    """Write one extract file and return the number of rows/records it holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(payload, pa.Table):
        pq.write_table(payload, path, compression="snappy")  # pyarrow writes no timestamps: same bytes
        return payload.num_rows
    if path.suffix == ".jsonl":
        records = list(payload)  # type: ignore[call-overload]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        return len(records)
    if path.suffix == ".json":
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return sum(len(items) for items in payload.values())  # type: ignore[attr-defined]
    header, rows = payload  # type: ignore[misc]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_cell(v) for v in row] for row in rows)
    return len(rows)


def generate_organisation(
    out_dir: Path, *, employees: int = 1000, seed: int = 42, as_of: date = date(2026, 11, 27), hr_snapshots: int = 3
) -> GenerationSummary:
    """Write the landing files of a synthetic organisation of `employees` workers into `out_dir`.

    Layout `<source>/<extract>/<extract>_<YYYY-MM-DD>.<ext>`: `hr_snapshots` monthly HR snapshots (as_of and
    the preceding month ends), the LMS catalogue and a year of xAPI statements, FY budgets (original and
    Q3 reforecast), GL actuals, FOCUS cloud costs and FX rates for the fiscal year to as_of, and three monthly
    waves of the anonymous pulse survey (one cumulative export).
    `employees` is the number of workers in the latest HR snapshot (terminated ones included).
    """
    if hr_snapshots < 1:
        raise ValueError("hr_snapshots must be at least 1")
    out_dir = Path(out_dir)
    org = build_organisation(seed, employees, as_of, hr_snapshots)
    payloads: dict[str, object] = dict(hr_files(org))
    payloads[f"lms/catalog/catalog_{as_of}.json"] = catalogue_json(as_of)
    records = statements(org, seed, as_of)
    payloads[f"lms/statements/statements_{as_of}.jsonl"] = records
    payloads[f"lms/course_activity/course_activity_{as_of}.csv"] = course_activity(records)
    payloads.update(finance_files(org, seed, as_of))
    payloads.update(survey_files(org, seed, as_of))
    missing = missing_samples(payloads)
    if missing:
        raise ValueError(
            f"the generator writes no sample for {', '.join(missing)}: every extract of the contracts needs one "
            "(write it in readiness/_generate_<source>.py and add it to generate_organisation), or `make run` "
            "stops with NeverDelivered"
        )
    files = {name: _write(out_dir / name, payload) for name, payload in sorted(payloads.items())}
    return GenerationSummary(out_dir, files, len(org.in_snapshot(as_of)), as_of)


def missing_samples(paths: object) -> list[str]:
    """Extracts of the contracts without a file among ``paths`` (``<source>/<extract>/<file>``)."""
    folders = {str(p).rsplit("/", 1)[0] for p in paths}  # type: ignore[attr-defined]
    return [e.qualified_name for e in EXTRACTS if e.qualified_name not in folders]
