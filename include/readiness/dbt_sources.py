"""The dbt source YAML of every extract, derived from the contracts.

The files ``dbt_project/models/staging/<source>/_<source>__sources.yml`` are written by
``readiness dbt-sources`` and a test checks that the committed files equal what this module derives,
so the contract and dbt never drift apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from readiness.contracts import LOAD_METADATA_COLUMNS, SOURCES, Extract, extracts_of

HEADER = "# Generated from include/readiness/contracts.py by `readiness dbt-sources`: do not edit by hand.\n"


def _column(name: str, description: str, tests: list[Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "description": description}
    if tests:
        entry["data_tests"] = tests
    return entry


def _table(extract: Extract) -> dict[str, Any]:
    columns = []
    for column in extract.columns:
        tests: list[Any] = []
        if column.required:
            tests.append("not_null")
        if column.allowed:
            tests.append({"accepted_values": {"arguments": {"values": list(column.allowed)}}})
        description = column.description + (
            " (personal data)" if column.personal and "personal" not in column.description else ""
        )
        columns.append(_column(column.name, description, tests))
    columns += [_column(name, description, ["not_null"]) for name, _, description in LOAD_METADATA_COLUMNS]
    return {
        "name": extract.raw_table,
        "description": f"{extract.description} Key: {', '.join(extract.key or extract.partition)}; "
        f"deliveries combine as `{extract.semantics}`.",
        "columns": columns,
    }


def source_document(source: str) -> dict[str, Any]:
    # Freshness is declared per extract (Extract.freshness_days); a source is as lenient as its most lenient one.
    warn, error = max(e.freshness_days for e in extracts_of(source))
    return {
        "version": 2,
        "sources": [
            {
                "name": source,
                "description": f"Deliveries of the {source.upper()} system, loaded by the ingest step.",
                "database": "{{ var('raw_database') }}",
                "schema": "raw",
                "loaded_at_field": "_loaded_at",
                "config": {
                    "freshness": {
                        "warn_after": {"count": warn, "period": "day"},
                        "error_after": {"count": error, "period": "day"},
                    },
                },
                "tables": [_table(e) for e in extracts_of(source)],
            }
        ],
    }


def render(source: str) -> str:
    return HEADER + yaml.safe_dump(source_document(source), sort_keys=False, width=110, allow_unicode=True)


def source_path(project_dir: Path, source: str) -> Path:
    return project_dir / "models" / "staging" / source / f"_{source}__sources.yml"


def write_all(project_dir: Path) -> list[Path]:
    written = []
    for source in SOURCES:
        path = source_path(project_dir, source)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(source))
        written.append(path)
    return written
