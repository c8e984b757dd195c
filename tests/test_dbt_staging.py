"""Delivery semantics are one definition: the contracts declare them, the macro applies them.

Every staging model selects its rows through ``deliveries_in_force`` (macros/deliveries_in_force.sql), which
reads the semantics, key and partition that ``readiness dbt-sources`` writes into the source YAML's ``meta``.
These checks fail when a semantics is added to the contracts without a rule in the macro, when an extract's
definition lacks what its semantics needs, or when a staging model reads a raw table by itself again.
"""

from __future__ import annotations

import re
from typing import get_args

import pytest

from readiness.contracts import EXTRACTS, SOURCES, Extract, Semantics
from tests.conftest import REPO_ROOT

DBT = REPO_ROOT / "dbt_project"
MACRO = (DBT / "macros" / "deliveries_in_force.sql").read_text()
#: Staging models of the delivered extracts (staging/<source>/); staging/ops reads the pipeline's own ops tables.
STAGING = sorted(p for source in SOURCES for p in (DBT / "models" / "staging" / source).rglob("stg_*.sql"))


def test_the_macro_has_a_rule_for_every_semantics() -> None:
    ruled = set(re.findall(r"semantics (?:==|in) \(?'(\w+)'(?:, '(\w+)')?", MACRO))
    handled = {value for pair in ruled for value in pair if value}
    assert handled == set(get_args(Semantics))


@pytest.mark.parametrize("extract", EXTRACTS, ids=lambda e: e.qualified_name)
def test_an_extract_declares_what_its_semantics_needs(extract: Extract) -> None:
    # the macro partitions events, upserts and versions by the key and restatements by the partition
    if extract.semantics == "restated":
        assert extract.partition, f"{extract.qualified_name}: a restated extract names its partition"
    elif extract.semantics in ("events", "upsert", "versioned"):
        assert extract.key, f"{extract.qualified_name}: {extract.semantics} needs a key"
    assert set(extract.key + extract.partition) <= set(extract.column_names)


def test_every_extract_is_staged_through_the_macro_once() -> None:
    calls: dict[tuple[str, str], list[str]] = {}
    for path in STAGING:
        sql = path.read_text()
        assert "source(" not in sql, f"{path.name} reads a raw table without deliveries_in_force"
        for source, table in re.findall(r"deliveries_in_force\('(\w+)', '(\w+)'", sql):
            calls.setdefault((source, table), []).append(path.name)
    expected = {(e.source, e.raw_table) for e in EXTRACTS}
    assert set(calls) == expected
    assert all(len(models) == 1 for models in calls.values()), calls


def test_staging_models_carry_the_load_metadata_under_one_name() -> None:
    for path in STAGING:
        sql = path.read_text()
        assert "{{ delivery_metadata_columns() }}" in sql, path.name
        assert not re.search(r"\b_(load_id|source_file|line_number|as_of_date|loaded_at)\b", sql), path.name


def test_no_staging_model_ranks_deliveries_itself() -> None:
    for path in STAGING:
        assert not re.search(r"\b(row_number|dense_rank|rank)\s*\(", path.read_text()), path.name
