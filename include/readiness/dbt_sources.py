"""The dbt source YAML of every extract, and the delivery semantics macro, derived from the contracts.

The files ``dbt_project/models/staging/<source>/_<source>__sources.yml`` and
``dbt_project/macros/_delivery_semantics.sql`` are written by ``readiness dbt-sources``, and
``readiness dbt-sources --check`` (part of lint) fails when a committed file differs from what this module
derives, so the contract and dbt never drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from readiness.contracts import (
    EXTRACTS,
    LOAD_METADATA_COLUMNS,
    SOURCES,
    Extract,
    extracts_of,
    freshness_deadline_days,
)

HEADER = "# Generated from include/readiness/contracts.py by `readiness dbt-sources`: do not edit by hand.\n"


def _column(name: str, description: str, tests: list[Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "description": description}
    if name != name.lower():
        # Mixed case as delivered (FOCUS, Viva Learning): quoted, or Postgres folds it and finds no column.
        entry["quote"] = True
    if tests:
        entry["data_tests"] = tests
    return entry


def _delivery(extract: Extract) -> dict[str, Any]:
    """How the deliveries of an extract combine: what the macro ``deliveries_in_force`` needs."""
    return {"semantics": extract.semantics, "key": list(extract.key), "partition": list(extract.partition)}


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
        f"deliveries combine as `{extract.semantics}` (docs/extracts.md).",
        # For the docs and BI catalogues; the macro `deliveries_in_force` reads the same values from
        # macros/_delivery_semantics.sql (dbt's graph, which holds this meta, is empty in unit tests).
        "config": {"meta": _delivery(extract)},
        "columns": columns,
    }


def source_document(source: str) -> dict[str, Any]:
    # Derived from the source's deadline (contracts.freshness_deadline_days, by as-of date): dbt measures
    # from the load time, up to a day after the as-of date, so it warns a day later and errors at twice that.
    warn = freshness_deadline_days(source) + 1
    error = 2 * warn
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


SEMANTICS_MACRO_HEADER = """\
{#- Generated from include/readiness/contracts.py by `readiness dbt-sources`: do not edit by hand.
    How the deliveries of every raw table combine (docs/extracts.md), by `source.table`: the values the source
    YAML carries in `meta`, and the contract's columns, for the macro deliveries_in_force (dbt's graph, where
    the source YAML is, is empty inside unit tests). -#}
"""


def render_semantics_macro() -> str:
    # the contract's columns too: the macro selects them by name, quoted as delivered
    entries = {f"{e.source}.{e.raw_table}": {**_delivery(e), "columns": list(e.column_names)} for e in EXTRACTS}
    lines = [f"        {json.dumps(name)}: {json.dumps(entry)}," for name, entry in entries.items()]
    body = "\n".join(lines)
    return (
        SEMANTICS_MACRO_HEADER
        + "{% macro readiness_delivery_semantics() -%}\n    {{ return({\n"
        + body
        + "\n    }) }}\n{%- endmacro %}\n"
    )


def semantics_macro_path(project_dir: Path) -> Path:
    return project_dir / "macros" / "_delivery_semantics.sql"


def derived_files(project_dir: Path) -> dict[Path, str]:
    """Every file this module derives, with its content."""
    files = {source_path(project_dir, source): render(source) for source in SOURCES}
    files[semantics_macro_path(project_dir)] = render_semantics_macro()
    return files


def stale_files(project_dir: Path) -> list[Path]:
    return [p for p, text in derived_files(project_dir).items() if not p.exists() or p.read_text() != text]


def source_path(project_dir: Path, source: str) -> Path:
    return project_dir / "models" / "staging" / source / f"_{source}__sources.yml"


def write_all(project_dir: Path) -> list[Path]:
    for path, text in derived_files(project_dir).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(derived_files(project_dir))
