"""The e2e tests' own route from delivered xAPI statements to workers, by hand from docs/marts.md (LMS rules).

Deliberately plain Python over the delivered files and never readiness's own actor resolution: the expected
values it feeds must not come from the code they check.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

COMPLETION_VERBS = {"completed", "passed", "satisfied"}


def statement_day(timestamp: str) -> date:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC).date()


def counting_completions(delivered: Path, by: date) -> list[tuple[str | None, dict[str, Any]]]:
    """Each completing statement (completed, passed, satisfied) of ``delivered``'s statements file, made by
    ``by`` and not voided, with the worker its actor is (None for no worker): an account names the worker id,
    an mbox the work e-mail (any case), an mbox_sha1sum the SHA-1 of the mbox; a worker of any delivered HR
    snapshot counts."""
    emails: dict[str, str] = {}
    sha1s: dict[str, str] = {}
    known: set[str] = set()
    for path in (delivered / "hr" / "workers").glob("workers_*.csv"):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for w in csv.DictReader(handle):
                emails[w["work_email"].lower()] = w["worker_id"]
                sha1s[hashlib.sha1(f"mailto:{w['work_email']}".encode()).hexdigest()] = w["worker_id"]
                known.add(w["worker_id"])
    statements = [
        json.loads(line)
        for line in next((delivered / "lms" / "statements").glob("*.jsonl")).read_text().splitlines()
        if line.strip()
    ]
    voided = {s["object"]["id"] for s in statements if s["verb"]["id"].endswith("/voided")}
    completions: list[tuple[str | None, dict[str, Any]]] = []
    for s in statements:
        verb = s["verb"]["id"].rsplit("/", 1)[-1]
        if s["id"] in voided or verb not in COMPLETION_VERBS or statement_day(s["timestamp"]) > by:
            continue
        actor = s["actor"]
        if "account" in actor:
            worker = actor["account"]["name"] if actor["account"]["name"] in known else None
        elif "mbox" in actor:
            worker = emails.get(actor["mbox"].removeprefix("mailto:").lower())
        else:
            worker = sha1s.get(actor.get("mbox_sha1sum", ""))
        completions.append((worker, s))
    return completions
