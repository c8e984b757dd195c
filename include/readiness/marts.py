"""The published marts as dbt defines them, read from the dbt manifest: one source of truth.

The dbt YAML of each mart says its columns and types (an enforced contract), its grain (a
``*_unique_combination`` test), which columns are never null and which values a column may take. The
nightly DAG already needs ``target/manifest.json`` (cosmos renders dbt from it), so everything here is
read from it rather than written down a second time: the Airflow Assets, the audit's GX suite, the
exports and the tests' hand-written warehouse all follow a mart added or changed in dbt.

Only ``json`` is imported: the DAG file reads this at parse time.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The folder of the dbt project whose models are the published interface.
MARTS_FOLDER = "marts"


class ManifestMissing(FileNotFoundError):
    """The dbt manifest is not there: the marts are defined by dbt and cannot be known without it."""


@dataclass(frozen=True)
class MartColumn:
    name: str
    data_type: str
    not_null: bool = False
    accepted_values: tuple[Any, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class Mart:
    name: str
    #: The columns that identify a row: never null, never repeated.
    grain: tuple[str, ...]
    columns: tuple[MartColumn, ...]
    #: Sources whose facts are the mart's rows (dbt ``meta.readiness_sources``): without one of them
    #: (READINESS_SOURCES) the mart is published empty and marked unavailable. HR is always there.
    sources: tuple[str, ...] = ()

    def unavailable_reason(self, enabled_sources: tuple[str, ...]) -> str | None:
        """Why the mart has no rows in an installation with ``enabled_sources``; None when it is available."""
        missing = [s for s in self.sources if s not in enabled_sources]
        if not missing:
            return None
        return f"source {', '.join(missing)} not configured (READINESS_SOURCES)"

    def column(self, name: str) -> MartColumn:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"marts.{self.name} has no column {name!r}")

    def ddl(self, schema: str = MARTS_FOLDER) -> str:
        """``create table`` with the mart's contract columns and types (for tests and fixtures)."""
        columns = ", ".join(f'"{c.name}" {c.data_type}' for c in self.columns)
        return f"create table {schema}.{self.name} ({columns})"


def _manifest_path() -> Path:
    from readiness.transform import manifest_path  # light: transform imports cosmos and dbt only when used

    return manifest_path()


def _tests_by_model(manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata") and node.get("attached_node"):
            tests.setdefault(node["attached_node"], []).append(node)
    return tests


def _mart(node: dict[str, Any], tests: list[dict[str, Any]]) -> Mart:
    grain: tuple[str, ...] = ()
    not_null = {
        name
        for name, column in node["columns"].items()
        if any(c.get("type") == "not_null" for c in column.get("constraints") or [])
    }
    accepted: dict[str, tuple[Any, ...]] = {}
    bounds: dict[str, tuple[float | None, float | None]] = {}
    for test in tests:
        kind, kwargs = test["test_metadata"]["name"], test["test_metadata"]["kwargs"]
        column = kwargs.get("column_name")
        if "combination_of_columns" in kwargs:
            grain = tuple(kwargs["combination_of_columns"])
        elif kind == "unique" and column and not grain:
            grain = (column,)  # one unique column identifies a row as well as a combination does
        elif kind == "not_null" and column:
            not_null.add(column)
        elif kind == "accepted_values" and column:
            accepted[column] = tuple(kwargs["values"])
        elif kind.endswith("value_between") and column:
            bounds[column] = (kwargs.get("min_value"), kwargs.get("max_value"))
    if not grain:
        raise ValueError(
            f"marts.{node['name']} declares no grain: give it a unique_combination test (or `unique` on one "
            "column) over the columns that "
            "identify a row in its dbt YAML (the audit checks the grain of every published mart)"
        )
    columns = []
    for name, column in node["columns"].items():
        if not column.get("data_type"):
            raise ValueError(f"marts.{node['name']}.{name} has no data_type: a mart's contract types every column")
        low, high = bounds.get(name, (None, None))
        columns.append(
            MartColumn(name, column["data_type"], name in not_null or name in grain, accepted.get(name), low, high)
        )
    meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
    return Mart(node["name"], grain, tuple(columns), tuple(meta.get("readiness_sources") or ()))


@functools.cache
def load(manifest: Path | None = None) -> tuple[Mart, ...]:
    """Every model of the dbt project's ``marts`` folder, in the order the manifest lists them by name."""
    path = manifest or _manifest_path()
    if not path.exists():
        raise ManifestMissing(
            f"{path} is missing: the marts are defined by the dbt project. Run `make dbt-parse` (or "
            "`readiness dbt-parse`) to write it."
        )
    document = json.loads(path.read_text(encoding="utf-8"))
    tests = _tests_by_model(document)
    nodes = sorted(
        (n for n in document["nodes"].values() if n["resource_type"] == "model" and MARTS_FOLDER in n["fqn"][1:-1]),
        key=lambda n: n["name"],
    )
    return tuple(_mart(n, tests.get(n["unique_id"], [])) for n in nodes)


def mart_names(manifest: Path | None = None) -> tuple[str, ...]:
    return tuple(m.name for m in load(manifest))


def get(name: str, manifest: Path | None = None) -> Mart:
    for mart in load(manifest):
        if mart.name == name:
            return mart
    raise KeyError(f"no mart {name!r} in the dbt project; marts: {', '.join(mart_names(manifest))}")


def unavailable(enabled_sources: tuple[str, ...], manifest: Path | None = None) -> dict[str, str]:
    """Mart -> why it is empty, for the marts a source not configured feeds (``Mart.sources``)."""
    reasons = {m.name: m.unavailable_reason(enabled_sources) for m in load(manifest)}
    return {name: reason for name, reason in reasons.items() if reason}
