"""Deterministic synthetic organisation: the landing files of every extract of the contracts.

Same arguments, same bytes: every random choice comes from `random.Random` / `Faker` instances seeded
from `seed` (one stream per source, so changing one source's logic does not reshuffle the others), and
nothing reads the clock. `volumes` says how much is recorded per worker: the light SAMPLE (the default:
`make run`, the tests) or ENTERPRISE (the scale tiers). The big files are streamed (skill records snapshot
by snapshot, statements in sorted runs merged into the file, FOCUS rows in Parquet row groups), so memory
follows the workforce, not the volume of the files.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from readiness._generate_finance import finance_files, write_cloud_costs
from readiness._generate_hr import build_organisation, hr_files
from readiness._generate_lms import catalogue_json, write_statements
from readiness._generate_nights import generate_nights
from readiness._generate_survey import survey_files
from readiness._generate_volumes import ENTERPRISE, SAMPLE, Volumes
from readiness.contracts import EXTRACTS

__all__ = [
    "ENTERPRISE",
    "SAMPLE",
    "TIERS",
    "TIER_VOLUMES",
    "GenerationSummary",
    "Volumes",
    "generate_nights",
    "generate_organisation",
]

#: Scale tiers of `readiness generate --size`: workers in the latest HR snapshot, each with TIER_VOLUMES.
TIERS = {"S": 1_000, "M": 10_000, "L": 100_000}
TIER_VOLUMES = ENTERPRISE


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
    """Write one extract file (a JSON catalogue, or CSV header and rows, streamed) and return the number of
    rows/records it holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return sum(len(items) for items in payload.values())  # type: ignore[attr-defined]
    header, rows = payload  # type: ignore[misc]
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
    return count


def generate_organisation(
    out_dir: Path,
    *,
    employees: int = 1000,
    seed: int = 42,
    as_of: date = date(2026, 11, 27),
    hr_snapshots: int = 3,
    volumes: Volumes = SAMPLE,
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
    org = build_organisation(seed, employees, as_of, hr_snapshots, volumes)
    files: dict[str, int] = {}

    def write_all(payloads: Iterable[tuple[str, object]]) -> None:
        for name, payload in payloads:  # in order: a snapshot's skill rows follow from the previous one's
            files[name] = _write(out_dir / name, payload)

    write_all(hr_files(org))
    write_all([(f"lms/catalog/catalog_{as_of}.json", catalogue_json(as_of, volumes))])
    name = f"lms/statements/statements_{as_of}.jsonl"
    files[name], activity = write_statements(out_dir / name, org, seed, as_of, volumes)
    write_all([(f"lms/course_activity/course_activity_{as_of}.csv", activity)])
    name = f"finance/cloud_costs/cloud_costs_{as_of}.parquet"
    files[name], cloud_spend = write_cloud_costs(out_dir / name, org, seed, as_of, volumes)
    write_all(finance_files(org, seed, as_of, cloud_spend).items())
    write_all(survey_files(org, seed, as_of).items())
    missing = missing_samples(files)
    if missing:
        raise ValueError(
            f"the generator writes no sample for {', '.join(missing)}: every extract of the contracts needs one "
            "(write it in readiness/_generate_<source>.py and add it to generate_organisation), or `make run` "
            "stops with NeverDelivered"
        )
    return GenerationSummary(out_dir, dict(sorted(files.items())), len(org.in_snapshot(as_of)), as_of)


def missing_samples(paths: object) -> list[str]:
    """Extracts of the contracts without a file among ``paths`` (``<source>/<extract>/<file>``)."""
    folders = {str(p).rsplit("/", 1)[0] for p in paths}  # type: ignore[attr-defined]
    return [e.qualified_name for e in EXTRACTS if e.qualified_name not in folders]
