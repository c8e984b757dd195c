"""The audit knows the marts from dbt's definition of them, and refuses to be blind to a mart."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from readiness import audit, marts
from readiness.audit import AuditFailed
from readiness.config import Settings
from readiness.publish import publish
from tests.marts_data import build_candidate

ROOT = Path(__file__).resolve().parents[1]


def _yaml_marts() -> dict[str, dict]:
    """The marts as the dbt YAML files say, read with plain YAML (not through dbt or readiness.marts)."""
    found = {}
    for path in sorted((ROOT / "dbt_project" / "models" / "marts").rglob("*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models") or []:
            found[model["name"]] = model
    return found


def test_grain_and_rules_come_from_the_dbt_definition() -> None:
    declared = _yaml_marts()
    assert set(marts.mart_names()) == set(declared)
    for mart in marts.load():
        model = declared[mart.name]
        combinations = [
            test[name]["arguments"]["combination_of_columns"]
            for test in model.get("data_tests") or []
            if isinstance(test, dict)
            for name in test
            if name.endswith("unique_combination")
        ]
        # No combination test: the one column declared `unique` is the grain.
        unique = [[c["name"]] for c in model["columns"] if "unique" in (c.get("data_tests") or [])]
        assert [list(mart.grain)] == (combinations or unique)
        assert [c.name for c in mart.columns] == [c["name"] for c in model["columns"]]
        types = [c.data_type.replace(" ", "") for c in mart.columns]
        assert types == [str(c["data_type"]).replace(" ", "") for c in model["columns"]]
        suite = audit.build_suite(mart).expectations
        expectations = {(e.expectation_type, getattr(e, "column", None)) for e in suite}
        for column in model["columns"]:
            tests = column.get("data_tests") or []
            if "not_null" in tests:
                assert ("expect_column_values_to_not_be_null", column["name"]) in expectations
            if any(isinstance(t, dict) and "accepted_values" in t for t in tests):
                assert ("expect_column_values_to_be_in_set", column["name"]) in expectations


def test_a_table_dbt_does_not_define_stops_the_publication(settings: Settings) -> None:
    build_candidate(settings.candidate_db)
    with duckdb.connect(str(settings.candidate_db)) as con:
        con.execute("create table marts.headcount_by_name as select 'Ada' as first_name")
    with pytest.raises(AuditFailed, match=r"marts\.headcount_by_name is in the candidate but no model"):
        publish(settings, "run-1", "2026-11-28")
    assert not settings.published_db.exists()


def test_a_mart_without_night_over_night_bounds_stops_the_publication(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(audit.TOTALS, "skill_gaps")
    build_candidate(settings.candidate_db)
    with pytest.raises(AuditFailed, match=r"marts\.skill_gaps has no night-over-night bounds"):
        publish(settings, "run-1", "2026-11-28")
    assert not settings.published_db.exists()
