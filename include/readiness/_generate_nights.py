"""Further nights of deliveries on top of a generated organisation (`readiness generate --nights K`).

Night k (date as_of + k) delivers what a source system sends every night, derived from the files already
in the landing folder (the base organisation or the previous night), so nights chain and stay consistent:

- lms/statements: the day's new xAPI statements (the activity of the same day a year earlier, new ids);
- hr/workers and hr/worker_skills: a new snapshot (a night's share of a 6% yearly attrition, at least one
  leaver; about 1% of skills re-assessed);
- finance/cloud_costs: the billing period to date restated with the day's lines (FOCUS deliveries replace
  a billing account's period), and every 7th night a correction of the previous period too;
- finance/gl_actuals: the day's journal lines (business days); finance/fx_rates: the day's rates.

Org units, job profiles, the catalogue and budgets do not change overnight and are not re-sent.
Each night's volume follows the base's (the day's statements and hourly or daily cost lines, a business
day's share of a month's GL lines). Files are streamed (statements line by line, Parquet filtered by
period) so memory follows one night.
"""

from __future__ import annotations

import csv
import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

RESTATE_EVERY = 7  # nights: a billing correction of the previous period
SKILL_REASSESSED_SHARE = 0.01
ATTRITION_PER_NIGHT = 0.06 / 365


def latest(out_dir: Path, extract: str, pattern: str) -> Path:
    """The delivery of `extract` with the latest date in its name (`<extract>_<YYYY-MM-DD>.<ext>`)."""
    files = sorted(out_dir.glob(pattern), key=lambda p: p.name.split("_")[-1])
    if not files:
        raise FileNotFoundError(f"no {extract} delivery matching {pattern} in {out_dir}: generate the base first")
    return files[-1]


def _read_csv(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    handle = path.open(encoding="utf-8", newline="")
    reader = csv.reader(handle)
    return next(reader), reader


def _write_csv(path: Path, header: list[str], rows: Iterator[list[object]] | list[list[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _shift(stamp: str, days: int) -> str:
    """An xAPI timestamp moved by `days`, written in the form it came in (UTC 'Z' or with its offset)."""
    moved = datetime.fromisoformat(stamp.replace("Z", "+00:00")) + timedelta(days=days)
    return moved.strftime("%Y-%m-%dT%H:%M:%SZ") if stamp.endswith("Z") else moved.isoformat()


def night_statements(out_dir: Path, rng: random.Random, night: date) -> int:
    """The night's statements: last year's activity of the same day, with new ids, moved a year on."""
    source_day = (night - timedelta(days=365)).isoformat()
    target = out_dir / "lms" / "statements" / f"statements_{night}.jsonl"
    sources = sorted((out_dir / "lms" / "statements").glob("statements_*.jsonl"))
    marker = f'"stored": "{source_day}'
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for path in sources:
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if marker not in line:
                        continue
                    record = json.loads(line)
                    if not str(record.get("stored", "")).startswith(source_day):
                        continue
                    if str(record["verb"]["id"]).endswith("/voided"):
                        continue  # a void names a statement id of last year
                    record["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    record["timestamp"] = _shift(str(record["timestamp"]), 365)
                    record["stored"] = _shift(str(record["stored"]), 365)
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1
    return count


def night_hr(out_dir: Path, rng: random.Random, night: date) -> dict[str, int]:
    """A new HR snapshot: the previous one with a night's leavers and about 1% of skills re-assessed."""
    header, rows = _read_csv(latest(out_dir, "workers", "hr/workers/workers_*.csv"))
    workers = list(rows)
    col = {name: i for i, name in enumerate(header)}
    managers = {w[col["manager_worker_id"]] for w in workers}
    candidates = [w for w in workers if w[col["worker_status"]] == "Active" and w[col["worker_id"]] not in managers]
    if candidates:
        count = max(1, round(len(candidates) * ATTRITION_PER_NIGHT))
        # One leaver is drawn with choice, as before the attrition rate: the sample's nights keep their bytes.
        for leaver in [rng.choice(candidates)] if count == 1 else rng.sample(candidates, count):
            leaver[col["worker_status"]], leaver[col["termination_date"]] = "Terminated", night.isoformat()
    files = {"workers": _write_csv(out_dir / "hr" / "workers" / f"workers_{night}.csv", header, workers)}
    del workers

    header, rows = _read_csv(latest(out_dir, "worker_skills", "hr/worker_skills/worker_skills_*.csv"))
    col = {name: i for i, name in enumerate(header)}

    def reassessed() -> Iterator[list[object]]:
        for row in rows:
            if rng.random() < SKILL_REASSESSED_SHARE and int(row[col["proficiency"]]) < 5:
                row[col["proficiency"]] = str(int(row[col["proficiency"]]) + 1)
                row[col["evidence"]], row[col["assessed_date"]] = "assessment", night.isoformat()
            yield row

    path = out_dir / "hr" / "worker_skills" / f"worker_skills_{night}.csv"
    files["worker_skills"] = _write_csv(path, header, reassessed())
    return files


def _period_start(day: date) -> datetime:
    return datetime(day.year, day.month, 1, tzinfo=UTC)


def _next_period(start: datetime) -> datetime:
    return (start + timedelta(days=32)).replace(day=1)


def _delivered_period(out_dir: Path, period: datetime) -> pa.Table | None:
    """The rows of billing period `period` as last delivered (latest file holding that period)."""
    for path in sorted((out_dir / "finance" / "cloud_costs").glob("cloud_costs_*.parquet"), reverse=True):
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
        wanted = pa.scalar(period, type=schema.field("BillingPeriodStart").type)
        # Batch by batch: a year of hourly lines does not fit in memory as a table, one period does.
        batches = [
            batch.filter(pc.equal(batch.column("BillingPeriodStart"), wanted))
            for batch in parquet.iter_batches(batch_size=65_536)
        ]
        table = pa.Table.from_batches(batches, schema=schema)
        if table.num_rows:
            return table
    return None


def night_cloud_costs(out_dir: Path, rng: random.Random, night: date) -> int:
    """The period to date restated with the night's lines: each resource's last usage day, moved to `night`."""
    yesterday = night - timedelta(days=1)
    period, before = _period_start(night), _period_start(yesterday)
    last = _delivered_period(out_dir, before)
    if last is None:
        raise FileNotFoundError(f"no cloud cost lines for the billing period of {yesterday} in {out_dir}")
    day_start = datetime.combine(yesterday, datetime.min.time(), tzinfo=UTC)
    usage = last.filter(
        pc.and_(pc.equal(last["ChargeCategory"], "Usage"), pc.greater_equal(last["ChargePeriodStart"], day_start))
    ).to_pylist()
    for row in usage:
        factor = rng.uniform(0.9, 1.1)
        for cost in ("BilledCost", "EffectiveCost", "ListCost"):
            row[cost] = round(row[cost] * factor, 6) if row.get(cost) is not None else None
        row["ChargePeriodStart"] += timedelta(days=1)  # daily or hourly, as the base's lines
        row["ChargePeriodEnd"] += timedelta(days=1)
        row["BillingPeriodStart"], row["BillingPeriodEnd"] = period, _next_period(period)
    parts = [last] if period == before else []
    parts.append(pa.Table.from_pylist(usage, schema=last.schema))
    if night.toordinal() % RESTATE_EVERY == 0:
        earlier = _delivered_period(out_dir, (period - timedelta(days=1)).replace(day=1))
        if earlier is not None:  # a billing correction: the previous period restated, 2% lower
            corrected = earlier.set_column(
                earlier.schema.get_field_index("EffectiveCost"),
                "EffectiveCost",
                pc.round(pc.multiply(earlier["EffectiveCost"], 0.98), 6),
            )
            parts.insert(0, corrected)
    table = pa.concat_tables(parts)
    path = out_dir / "finance" / "cloud_costs" / f"cloud_costs_{night}.parquet"
    pq.write_table(table, path, compression="snappy")
    return table.num_rows


def night_fx_and_gl(out_dir: Path, rng: random.Random, night: date) -> dict[str, int]:
    """The day's FX rates (a small move from the last ones) and, on business days, the day's GL lines."""
    header, rows = _read_csv(latest(out_dir, "fx_rates", "finance/fx_rates/fx_rates_*.csv"))
    last: dict[tuple[str, str], float] = {}
    for _rate_date, src, dst, rate in sorted(rows):
        last[(src, dst)] = float(rate)
    fx_rows = [[night, s, d, f"{r * rng.uniform(0.995, 1.005):.6f}"] for (s, d), r in sorted(last.items())]
    files = {"fx_rates": _write_csv(out_dir / "finance" / "fx_rates" / f"fx_rates_{night}.csv", header, fx_rows)}
    if night.weekday() >= 5:
        return files
    # A month's lines spread over its ~21 business days, sampled (reservoir) from every GL delivery so far:
    # the reservoir holds at least a day's share of the month, counted first.
    deliveries = sorted((out_dir / "finance" / "gl_actuals").glob("gl_actuals_*.csv"))
    month = f"{(night - timedelta(days=31)):%Y-%m}"
    in_month = 0
    for path in deliveries:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            in_month += sum(row["posting_date"].startswith(month) for row in reader)
    capacity = max(64, round(in_month / 21))
    gl_header: list[str] = []
    pool: list[list[str]] = []
    seen = 0
    for path in deliveries:
        gl_header, gl_rows = _read_csv(path)
        col = {name: i for i, name in enumerate(gl_header)}
        for row in gl_rows:
            if not row[col["posting_date"]].startswith(month):
                continue
            seen += 1
            if len(pool) < capacity:
                pool.append(row)
            elif (j := rng.randrange(seen)) < capacity:
                pool[j] = row
    if not gl_header:
        raise FileNotFoundError(f"no gl_actuals delivery in {out_dir}: generate the base first")
    lines = rng.sample(pool, min(len(pool), max(1, round(seen / 21))))
    new = []
    for n, row in enumerate(lines, start=1):
        row = list(row)
        row[col["journal_id"]], row[col["line_number"]] = f"JE-{night:%Y%m%d}-{n:04d}", "1"
        row[col["posting_date"]] = night.isoformat()
        row[col["amount"]] = f"{float(row[col['amount']]) * rng.uniform(0.8, 1.2):.2f}"
        new.append(row)
    files["gl_actuals"] = _write_csv(out_dir / "finance" / "gl_actuals" / f"gl_actuals_{night}.csv", gl_header, new)
    return files


def generate_nights(out_dir: Path, *, nights: int, seed: int, as_of: date) -> dict[str, int]:
    """Write `nights` further nights of deliveries after `as_of` into `out_dir`; relative path -> rows."""
    written: dict[str, int] = {}
    for k in range(1, nights + 1):
        night = as_of + timedelta(days=k)
        rng = random.Random(f"{seed}:night:{night}")
        written[f"lms/statements/statements_{night}.jsonl"] = night_statements(out_dir, rng, night)
        for extract, rows in night_hr(out_dir, rng, night).items():
            written[f"hr/{extract}/{extract}_{night}.csv"] = rows
        written[f"finance/cloud_costs/cloud_costs_{night}.parquet"] = night_cloud_costs(out_dir, rng, night)
        for extract, rows in night_fx_and_gl(out_dir, rng, night).items():
            written[f"finance/{extract}/{extract}_{night}.csv"] = rows
    return written
