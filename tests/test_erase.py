"""Erasure: after `readiness erase --worker-id`, no file or table under the data root holds the worker, and the
next publication does not hold their pseudonym. The worker is picked from the generated files, and their
identifiers and pseudonym computed here (csv, json, hmac), never by the code under test.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import hmac
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from readiness import ops
from readiness.backfill import run_night
from readiness.cli import app
from readiness.config import Settings
from readiness.contracts import get_extract
from readiness.generate import generate_organisation
from readiness.ingest import load_extract
from readiness.publish import publish

NIGHT = date(2026, 11, 27)
KEY = "erase-test-key"


@dataclass(frozen=True)
class Person:
    worker_id: str
    email: str
    first_name: str
    last_name: str

    @property
    def pseudonym(self) -> str:
        return hmac.new(KEY.encode(), self.worker_id.encode(), hashlib.sha256).hexdigest()

    @property
    def needles(self) -> list[str]:
        mbox = f"mailto:{self.email}"
        return [self.email, hashlib.sha1(mbox.encode()).hexdigest(), f"{self.first_name},{self.last_name}"]

    def found_in(self, text: str) -> list[str]:
        lower = text.lower()
        found = [n for n in self.needles if n.lower() in lower]
        if re.search(rf"(?<![\w-]){self.worker_id.lower()}(?![\w-])", lower):
            found.append(self.worker_id)
        return found


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _pick(generated: Path) -> Person:
    """An active manager who learns under their LMS account and has course activity."""
    workers = _read_csv(next((generated / "hr" / "workers").glob("*.csv")))
    managers = {w["manager_worker_id"] for w in workers if w["manager_worker_id"]}
    activity = {r["learnerUserId"] for r in _read_csv(next((generated / "lms" / "course_activity").glob("*.csv")))}
    accounts = {
        (json.loads(line)["actor"].get("account") or {}).get("name")
        for line in next((generated / "lms" / "statements").glob("*.jsonl")).read_text().splitlines()
    }
    for w in workers:
        if w["worker_status"] == "Active" and w["worker_id"] in managers & activity & accounts:
            return Person(w["worker_id"], w["work_email"], w["first_name"], w["last_name"])
    raise AssertionError("the generated organisation has no worker in every layer; change the seed")


def _also_by_email(statements: Path, person: Person) -> None:
    """Two more statements of the person: one by mbox, one by mbox_sha1sum (the other xAPI actor forms)."""
    template = json.loads(statements.read_text().splitlines()[0])
    mbox = f"mailto:{person.email}"
    lines = []
    for n, actor in enumerate([{"mbox": mbox}, {"mbox_sha1sum": hashlib.sha1(mbox.encode()).hexdigest()}]):
        lines.append(json.dumps({**template, "id": f"00000000-0000-4000-8000-00000000000{n}", "actor": actor}))
    with statements.open("a") as handle:
        handle.write("\n".join(lines) + "\n")


def _file_text(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def _database_text(path: Path) -> str:
    """Every value of every table, as text."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("select table_catalog, table_schema, table_name from information_schema.tables").fetchall()
        return "\n".join(
            " ".join(str(v) for v in row)
            for catalog, schema, table in tables
            for row in con.execute(f'select * from "{catalog}"."{schema}"."{table}"').fetchall()
        )


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Person, Path, object]]:
    root = tmp_path_factory.mktemp("erase")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("READINESS_DATA_DIR", str(root / "data"))
        patch.setenv("READINESS_PSEUDONYM_KEY", KEY)
        settings = Settings.from_env()
        settings.ensure_dirs()
        generated = root / "generated"
        generate_organisation(generated, employees=60, seed=5, as_of=NIGHT, hr_snapshots=1)
        person = _pick(generated)
        shutil.copytree(generated, settings.landing_dir, dirs_exist_ok=True)
        _also_by_email(next((settings.landing_dir / "lms" / "statements").glob("*.jsonl")), person)
        # Their rows also lie in quarantine: a skills row out of range, and a whole workers file rejected.
        skills = settings.landing_dir / "hr" / "worker_skills" / f"worker_skills_{NIGHT}.csv"
        skills.write_text(skills.read_text() + f"{person.worker_id},genai_fundamentals,7,self_assessed,2026-11-01,\n")
        assert run_night(settings, NIGHT, "night-1").status == "published"
        rejected = settings.landing_dir / "hr" / "workers" / "workers_2026-11-28.csv"
        rejected.write_text("worker_id;work_email\n" + f"{person.worker_id};{person.email}\n")
        with pytest.raises(Exception, match=r"rejected|header|missing"):
            load_extract(settings, get_extract("hr/workers"), "night-2")
        # A second publication of the same night keeps night 1 as a version (what a rollback would restore).
        shutil.copyfile(settings.published_db, settings.candidate_db)
        publish(settings, "night-1-again", str(NIGHT))
        # A re-delivery of the night's skills waiting in landing, not loaded yet.
        original_skills = next((generated / "hr" / "worker_skills").glob("*.csv"))
        shutil.copyfile(original_skills, skills)
        before = _state(settings, person)
        result = CliRunner().invoke(app, ["erase", "--worker-id", person.worker_id])
        assert result.exit_code == 0, result.output
        yield settings, person, generated, before


def _state(settings: Settings, person: Person) -> dict[str, list[str]]:
    """Where the person is found, per file and database under the data root."""
    found = {}
    for path in sorted(p for p in settings.data_dir.rglob("*") if p.is_file()):
        if path.suffix == ".wal" or path.name == "pseudonym_key":
            continue
        text = _database_text(path) if path.suffix == ".duckdb" else _file_text(path)
        hits = person.found_in(text) + ([person.pseudonym] if person.pseudonym in text else [])
        if hits:
            found[str(path.relative_to(settings.data_dir))] = hits
    return found


def test_the_worker_was_everywhere_before(erased) -> None:
    settings, person, _, before = erased

    def where(path: Path) -> str:
        return str(path.relative_to(settings.data_dir))

    for folder in (settings.landing_dir, settings.archive_dir, settings.quarantine_dir, settings.exports_dir):
        assert any(name.startswith(where(folder) + "/") for name in before), (where(folder), before)
    assert where(settings.ingest_db) in before, before
    assert any(name.startswith(where(settings.versions_dir) + "/") for name in before), before
    published = where(settings.published_db)
    assert published in before and person.pseudonym in before[published], before


def test_no_file_or_table_holds_the_worker_after_erasure(erased) -> None:
    settings, person, _, _ = erased
    assert _state(settings, person) == {}


def test_the_erasure_log_says_what_was_removed_without_personal_data(erased) -> None:
    settings, person, _, _ = erased
    with ops.connect(settings.ingest_db, read_only=True) as con:
        log = con.execute(
            "select location_kind, location, rows_removed, rows_changed from ops.erasure_log order by 1, 2"
        ).fetchall()
        text = " ".join(str(v) for row in con.execute("from ops.erasure_log").fetchall() for v in row)
    assert person.found_in(text) == [] and person.pseudonym not in text
    kinds = {row[0] for row in log}
    assert {"landing", "archive", "quarantine", "raw", "ops", "version", "published"} <= kinds
    raw = {row[1]: row[2:] for row in log if row[0] == "raw"}
    # One workers row (one snapshot); their reports keep their rows with the manager blanked.
    assert raw["raw.hr__workers"][0] == 1 and raw["raw.hr__workers"][1] >= 1
    assert raw["raw.hr__worker_skills"][0] >= 1 and raw["raw.lms__statements"][0] >= 1


def test_the_next_publication_does_not_hold_the_pseudonym_and_others_are_intact(erased) -> None:
    settings, person, generated, _ = erased
    assert run_night(settings, NIGHT, "night-after-erasure").status == "published"
    assert _state(settings, person) == {}
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        gaps = {r[0] for r in con.execute("select distinct worker_key from marts.skill_gaps").fetchall()}
    others = {
        hmac.new(KEY.encode(), w["worker_id"].encode(), hashlib.sha256).hexdigest()
        for w in _read_csv(next((generated / "hr" / "workers").glob("*.csv")))
    } - {person.pseudonym}
    assert gaps and gaps <= others


def test_a_resent_original_file_is_a_duplicate_and_does_not_bring_the_worker_back(erased) -> None:
    settings, person, generated, _ = erased
    original = next((generated / "hr" / "workers").glob("*.csv"))
    shutil.copyfile(original, settings.landing_dir / "hr" / "workers" / original.name)
    report = load_extract(settings, get_extract("hr/workers"), "resent")
    assert [f.status for f in report.files] == ["duplicate"]
    with ops.connect(settings.ingest_db, read_only=True) as con:
        assert (
            con.execute("select count(*) from raw.hr__workers where worker_id = ?", [person.worker_id]).fetchone()[0]
            == 0
        )
