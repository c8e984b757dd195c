"""The pulse survey source: one definition of its questions, and an organisation without a survey still publishes.

The question lists are read as text from each place that names them (the contract, the seed, the unpivoting
model), so the check does not go through the code that uses them.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import duckdb
import pytest

from readiness.audit import AuditFailed
from readiness.config import Settings
from readiness.contracts import PULSE_RESPONSES
from readiness.publish import publish
from tests.marts_data import build_candidate, expected_rows

ROOT = Path(__file__).resolve().parents[1]


def test_the_likert_questions_are_the_same_everywhere() -> None:
    likert = [c.name for c in PULSE_RESPONSES.columns if c.type == "integer" and (c.min_value, c.max_value) == (1, 5)]
    with (ROOT / "dbt_project/seeds/reference/survey_questions.csv").open(encoding="utf-8") as handle:
        seeded = [row["question_id"] for row in csv.DictReader(handle)]
    model = (ROOT / "dbt_project/models/intermediate/survey/int_survey_answers_unpivoted.sql").read_text()
    unpivoted = re.findall(r"'(\w+)'", re.search(r"set questions = \[(.*?)\]", model).group(1))  # type: ignore[union-attr]
    assert likert == seeded == unpivoted == ["confidence", "job_impact_concern", "training_interest", "output_trust"]


def test_the_survey_names_no_one() -> None:
    assert not any(c.personal for c in PULSE_RESPONSES.columns)
    assert {"worker_id", "email", "name"} <= set(PULSE_RESPONSES.forbidden_columns)
    assert not set(PULSE_RESPONSES.column_names) & set(PULSE_RESPONSES.forbidden_columns)


def test_an_organisation_without_a_survey_publishes_an_empty_sentiment_mart(settings: Settings) -> None:
    settings = dataclasses.replace(settings, enabled_sources=("hr", "lms", "finance"))  # no survey configured
    build_candidate(settings.candidate_db)
    with duckdb.connect(str(settings.candidate_db)) as con:
        con.execute("delete from marts.sentiment_by_team")
    publication = publish(settings, "run-1", "2026-11-28")
    assert publication.row_counts == {**expected_rows(), "sentiment_by_team": 0}
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        unavailable = con.execute("select unavailable_marts from marts.publication").fetchone()[0]
    assert set(json.loads(unavailable)) == {"sentiment_by_team"}


def test_a_survey_that_disappears_after_publication_stops_the_night(settings: Settings) -> None:
    build_candidate(settings.candidate_db)
    publish(settings, "run-1", "2026-11-28")
    build_candidate(settings.candidate_db)
    with duckdb.connect(str(settings.candidate_db)) as con:
        con.execute("delete from marts.sentiment_by_team")
    # Configured but empty: an empty mart is never published (the survey is optional through
    # READINESS_SOURCES, not by arriving or not).
    with pytest.raises(AuditFailed, match=r"marts\.sentiment_by_team came out empty"):
        publish(settings, "run-2", "2026-11-29")
