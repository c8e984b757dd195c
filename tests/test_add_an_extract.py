"""Adding an extract is one ``Extract``, one staging model (with its YAML) and a generator sample.

Everything else an extract needs must follow from its definition or fail here, naming what is missing:
a reader for each of its formats, a freshness entry, its declared checks, its raw table (migrated when
the contract gains a column). The README's "Adding an extract" lists the same steps.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from readiness import dbt_sources, ops, validate
from readiness.config import Settings
from readiness.contracts import EXTRACTS, JOB_PROFILES, SOURCES, Column, Extract
from readiness.generate import generate_organisation, missing_samples
from readiness.ingest import load_extract
from readiness.readers import reader_for
from readiness.transform import manifest_path
from tests.conftest import deliver

#: A throw-away extract of a source the project does not have: nothing may assume the known sources.
NEW_SOURCE_EXTRACT = Extract(
    source="crm",
    name="accounts",
    format="csv",
    extensions=("csv",),
    description="Accounts.",
    key=("account_id",),
    semantics="upsert",
    columns=(Column("account_id", "string", "Account", required=True),),
)


@pytest.fixture(scope="module")
def manifest() -> dict:
    path = manifest_path()
    assert path.exists(), f"{path} is missing: run `make dbt-parse` first (make test does)"
    return json.loads(path.read_text())


@pytest.mark.parametrize("extract", EXTRACTS, ids=lambda e: e.qualified_name)
def test_every_extract_has_a_documented_staging_model(extract: Extract, manifest: dict) -> None:
    source_node = f"source.readiness.{extract.source}.{extract.raw_table}"
    assert source_node in manifest["sources"], f"run `readiness dbt-sources`: dbt has no source {source_node}"
    staging = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and source_node in node["depends_on"]["nodes"]
        and node["fqn"][1:3] == ["staging", extract.source]
    ]
    assert staging, (
        f"{extract.qualified_name}: no model in dbt_project/models/staging/{extract.source}/ reads "
        f"{{{{ source('{extract.source}', '{extract.raw_table}') }}}}"
    )
    for node in staging:
        assert node["patch_path"], f"{node['name']} has no entry in a staging YAML file"
        assert node["description"].strip(), f"{node['name']} has no description in its YAML"


def test_every_extract_has_a_generator_sample(tmp_path: Path) -> None:
    summary = generate_organisation(tmp_path, employees=60, as_of=date(2026, 11, 27), hr_snapshots=1)
    assert missing_samples(summary.files) == []
    sampled = {name.rsplit("/", 1)[0] for name in summary.files}
    assert sampled == {e.qualified_name for e in EXTRACTS}
    only_workers = missing_samples(["hr/workers/workers_2026-11-27.csv"])
    assert "hr/workers" not in only_workers and len(only_workers) == len(EXTRACTS) - 1


@pytest.mark.parametrize("extract", [*EXTRACTS, NEW_SOURCE_EXTRACT], ids=lambda e: e.qualified_name)
def test_every_extension_of_every_extract_has_a_reader(extract: Extract) -> None:
    for extension in extract.extensions:
        assert callable(reader_for(extract, extension))


def test_a_format_without_a_reader_is_named() -> None:
    odd = dataclasses.replace(NEW_SOURCE_EXTRACT, extensions=("xlsx",))
    with pytest.raises(KeyError, match=r"crm/accounts: no reader for format 'csv' with extension \.xlsx"):
        reader_for(odd, "xlsx")


def test_every_source_has_freshness_even_a_new_one(monkeypatch: pytest.MonkeyPatch) -> None:
    for source in SOURCES:
        freshness = dbt_sources.source_document(source)["sources"][0]["config"]["freshness"]
        assert freshness["warn_after"]["count"] < freshness["error_after"]["count"]
    monkeypatch.setattr("readiness.contracts.EXTRACTS", (*EXTRACTS, NEW_SOURCE_EXTRACT))
    freshness = dbt_sources.source_document("crm")["sources"][0]["config"]["freshness"]
    # Not listed in FRESHNESS_DEADLINE_DAYS: expected nightly (deadline 1 day); dbt measures from the load
    # time, a day after the as-of date, so it warns after 2 days and errors at twice that.
    assert (freshness["warn_after"]["count"], freshness["error_after"]["count"]) == (2, 4)
    assert Settings.from_env().freshness_deadline("crm") == 1


def test_declared_checks_are_implemented() -> None:
    assert validate.unknown_checks() == []
    declared = {(e.qualified_name, name) for e in EXTRACTS for name in (*e.checks, *e.warnings)}
    # The two checks validate.py used to hard-code per extract are now declared on their extracts, and one
    # work e-mail per worker (e-mail identifies LMS learners) is declared on workers.
    assert declared == {
        ("hr/org_units", "org_tree"),
        ("hr/workers", "workers_in_unknown_org_units"),
        ("hr/workers", "unique_work_emails"),
        ("survey/pulse_responses", "survey_groups_under_threshold"),
    }


def test_a_declared_check_runs_on_the_extract_that_declares_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check named on an extract runs on its deliveries, with no branch in validate.py for it."""
    checked = dataclasses.replace(JOB_PROFILES, checks=("no_profile_called_x",))

    def no_profile_called_x(con, load_id, frame):
        bad = sorted(frame.loc[frame["job_profile_id"] == "X", "job_profile_id"])
        return validate.Failure("no profile called X", "job_profile_id", len(bad), bad) if bad else None

    monkeypatch.setitem(validate.CHECKS, "no_profile_called_x", no_profile_called_x)
    header = "job_profile_id,job_title,job_family,management_level"
    deliver(settings, "hr", "job_profiles", "job_profiles_2026-11-27.csv", f"{header}\nX,T,F,Manager\n")
    load_extract(settings, checked)
    with pytest.raises(validate.ValidationFailed, match="no profile called X on job_profile_id: 1 unexpected"):
        validate.validate_extract(settings, checked)


def test_a_column_added_to_a_contract_migrates_the_raw_table(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = "job_profile_id,job_title,job_family,management_level"
    deliver(settings, "hr", "job_profiles", "job_profiles_2026-11-26.csv", f"{header}\nJP1,Analyst,Data,Manager\n")
    load_extract(settings, JOB_PROFILES)

    grown = dataclasses.replace(
        JOB_PROFILES, columns=(*JOB_PROFILES.columns, Column("job_grade", "integer", "Grade", min_value=1))
    )
    monkeypatch.setattr(ops, "EXTRACTS", tuple(grown if e == JOB_PROFILES else e for e in EXTRACTS))
    deliver(
        settings,
        "hr",
        "job_profiles",
        "job_profiles_2026-11-27.csv",
        f"{header},job_grade\nJP1,Analyst,Data,Manager,3\n",
    )
    report = load_extract(settings, grown)
    assert [f.rows_loaded for f in report.files] == [1]
    with ops.connect(settings.ingest_db, read_only=True) as con:
        rows = con.execute(
            "select _as_of_date::varchar, job_grade from raw.hr__job_profiles order by _as_of_date"
        ).fetchall()
    assert rows == [("2026-11-26", None), ("2026-11-27", 3)]


def test_a_changed_column_type_is_not_migrated_silently(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    with ops.connect(settings.ingest_db):
        pass
    retyped = dataclasses.replace(
        JOB_PROFILES,
        columns=tuple(
            dataclasses.replace(c, type="integer") if c.name == "job_title" else c for c in JOB_PROFILES.columns
        ),
    )
    monkeypatch.setattr(ops, "EXTRACTS", tuple(retyped if e == JOB_PROFILES else e for e in EXTRACTS))
    with (
        pytest.raises(ops.RawTableMismatch, match=r"raw\.hr__job_profiles\.job_title is VARCHAR .* but BIGINT"),
        ops.connect(settings.ingest_db),
    ):
        pass
