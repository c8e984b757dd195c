"""The dashboards as code (docker/superset/dashboards/, Superset 6.1's import bundle as YAML) read back, and
checked against what the warehouse publishes: the marts' dbt contracts (``readiness.marts``, from the
manifest), ``marts.publication`` (``readiness.publish.PUBLICATION_SQL``) and the dashboards' dbt exposures.

Used by tests/test_superset_bundle.py (fast, no Superset: a renamed mart column fails ``make test``) and by
the native Superset test (the charts and dashboards it must find after the import).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from readiness import marts
from readiness.publish import PUBLICATION_SQL

BUNDLE_DIR = Path(__file__).resolve().parents[2] / "docker" / "superset" / "dashboards"
#: Tables of the marts schema that are not dbt models: written by the publish step itself.
NOT_DBT = ("publication",)


@dataclass(frozen=True)
class Bundle:
    databases: dict[str, dict[str, Any]]  # by uuid
    datasets: dict[str, dict[str, Any]]
    charts: dict[str, dict[str, Any]]
    dashboards: dict[str, dict[str, Any]]
    metadata: dict[str, Any]


def load(directory: Path = BUNDLE_DIR) -> Bundle:
    def kind(folder: str) -> dict[str, dict[str, Any]]:
        docs = (yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((directory / folder).rglob("*.yaml")))
        return {str(doc["uuid"]): doc for doc in docs}

    metadata = yaml.safe_load((directory / "metadata.yaml").read_text(encoding="utf-8"))
    return Bundle(kind("databases"), kind("datasets"), kind("charts"), kind("dashboards"), metadata)


def _file_name(title: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in title).strip("_") + ".yaml"


def write(exported: dict[str, dict[str, Any]], directory: Path = BUNDLE_DIR) -> None:
    """Replace the bundle with Superset's export (path -> document, as in the export's ZIP), in stable file
    names and without what only the exporting instance knows: its ids in chart form data, and its own
    connection string (the bundle carries compose's; superset-init sets each installation's)."""
    from readiness.serve import reader_uri

    files: dict[Path, dict[str, Any]] = {}
    for path, doc in exported.items():
        kind = path.split("/")[0]
        if kind == "metadata.yaml":
            files[Path(kind)] = doc
        elif kind == "databases":
            doc["sqlalchemy_uri"] = reader_uri(Path("/srv/readiness/warehouse/readiness.duckdb"))
            files[Path(kind, _file_name(doc["database_name"]))] = doc
        elif kind == "datasets":
            files[Path(kind, path.split("/")[1], f"{doc['table_name']}.yaml")] = doc
        elif kind == "charts":
            forms = [doc["params"]]
            if doc.get("query_context"):
                context = json.loads(doc["query_context"])
                forms.append(context["form_data"])
            for form in forms:
                for instance_only in ("slice_id", "dashboards", "dashboardId", "url_params"):
                    form.pop(instance_only, None)
            if doc.get("query_context"):
                doc["query_context"] = json.dumps(context, sort_keys=True)
            files[Path(kind, _file_name(doc["slice_name"]))] = doc
        elif kind == "dashboards":
            files[Path(kind, _file_name(doc["dashboard_title"]))] = doc
    if Path("metadata.yaml") not in files:
        raise ValueError("not a Superset export: it has no metadata.yaml")
    shutil.rmtree(directory, ignore_errors=True)
    for relative, doc in files.items():
        (directory / relative).parent.mkdir(parents=True, exist_ok=True)
        (directory / relative).write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120))


def dashboard_charts(dashboard: dict[str, Any]) -> list[str]:
    """The uuids of the charts a dashboard's layout places (as Superset's importer finds them)."""
    nodes = dashboard["position"].values()
    return [node["meta"]["uuid"] for node in nodes if isinstance(node, dict) and node.get("type") == "CHART"]


def contracts() -> dict[str, dict[str, str]]:
    """Every table of the marts schema and its columns with their types, from the definitions the pipeline uses."""
    tables = {m.name: {c.name: c.data_type for c in m.columns} for m in marts.load()}
    con = duckdb.connect()
    try:  # the publication row's columns, from the very statement publish runs
        con.execute("create schema marts")
        con.execute(PUBLICATION_SQL.format(schema="marts"), ["run", "2026-01-01", "2026-01-01", "2026-01-01", "{}"])
        tables["publication"] = {name: kind for name, kind, *_ in con.execute("describe marts.publication").fetchall()}
    finally:
        con.close()
    return tables


def _names(value: Any) -> Iterator[str]:
    """Column names in a form-data or query field: plain names, adhoc columns, ``["col", asc]`` order pairs."""
    if isinstance(value, str):
        if value.startswith("["):
            yield from _names(json.loads(value)[0])
        else:
            yield value
    elif isinstance(value, list):
        for item in value:
            yield from _names(item)
    elif isinstance(value, dict):
        if value.get("expressionType") == "SIMPLE" and "subject" in value:  # an adhoc filter
            yield value["subject"]
        elif value.get("expressionType") == "SIMPLE" and "column" in value:  # an adhoc metric
            yield value["column"]["column_name"]
        elif "column_name" in value:
            yield value["column_name"]
        elif "col" in value:  # a query's filter
            yield from _names(value["col"])
        elif "column" in value:  # conditional formatting
            yield value["column"]
        elif value.get("isColumnReference"):  # the x axis of a query: a column by name, not SQL
            yield value["sqlExpression"]
        elif value.get("expressionType") == "SQL":
            raise ValueError(f"custom SQL in a chart cannot be checked against the contracts: {value}")


#: Form-data fields that name columns, and those that name the dataset's metrics.
COLUMN_FIELDS = (
    "groupby",
    "groupbyRows",
    "groupbyColumns",
    "all_columns",
    "columns",
    "x_axis",
    "granularity_sqla",
    "adhoc_filters",
    "order_by_cols",
    "conditional_formatting",
)
METRIC_FIELDS = ("metrics", "metric", "timeseries_limit_metric", "percent_metrics", "secondary_metric")


def chart_references(chart: dict[str, Any]) -> tuple[set[str], set[str], set[str]]:
    """(columns, saved metrics, either) a chart names in its form data and its saved query context; a query
    orders by a column or a metric, both by name."""
    columns: set[str] = set()
    metrics: set[str] = set()
    either: set[str] = set()
    forms = [chart["params"]]
    queries: list[dict[str, Any]] = []
    if chart.get("query_context"):
        context = json.loads(chart["query_context"])
        forms.append(context.get("form_data", {}))
        queries = context["queries"]
    for form in forms:
        for field in COLUMN_FIELDS:
            columns.update(_names(form.get(field) or []))
        for field in METRIC_FIELDS:
            value = form.get(field) or []
            for metric in value if isinstance(value, list) else [value]:
                if isinstance(metric, str):
                    metrics.add(metric)
                else:
                    columns.update(_names(metric))
    for query in queries:
        columns.update(_names(query.get("columns") or []))
        columns.update(_names(query.get("filters") or []))
        for metric in query.get("metrics") or []:
            metrics.add(metric) if isinstance(metric, str) else columns.update(_names(metric))
        for target, _ascending in query.get("orderby") or []:
            either.add(target) if isinstance(target, str) else columns.update(_names(target))
    return columns, metrics, either


def problems(bundle: Bundle, tables: dict[str, dict[str, str]]) -> list[str]:
    """What in the bundle does not match the published tables: each a sentence naming the file's object."""
    found: list[str] = []
    con = duckdb.connect()  # empty tables of the contracts' shapes, to bind the saved metrics' SQL
    con.execute("create schema marts")
    for table, cols in tables.items():
        definitions = ", ".join(f'"{column}" {kind}' for column, kind in cols.items())
        con.execute(f"create table marts.{table} ({definitions})")
    for dataset in bundle.datasets.values():
        name = f"dataset {dataset['table_name']}"
        if dataset["schema"] != "marts" or dataset.get("sql"):
            found.append(f"{name}: BI reads the marts schema's tables only (schema {dataset['schema']!r})")
            continue
        contract = tables.get(dataset["table_name"])
        if contract is None:
            found.append(f"{name}: no such table in the marts schema")
            continue
        for column in dataset["columns"]:
            if column.get("expression"):
                found.append(f"{name}.{column['column_name']}: calculated columns are not checked; use a metric")
            elif column["column_name"] not in contract:
                found.append(f"{name}.{column['column_name']}: not a column of marts.{dataset['table_name']}")
        for metric in dataset["metrics"]:
            try:
                con.execute(f"select {metric['expression']} from marts.{dataset['table_name']}")
            except duckdb.Error as error:
                found.append(f"{name}, metric {metric['metric_name']}: {error}")
        if dataset["database_uuid"] not in bundle.databases:
            found.append(f"{name}: its database is not in the bundle")
    con.close()
    for chart in bundle.charts.values():
        name = f"chart {chart['slice_name']!r}"
        dataset = bundle.datasets.get(chart["dataset_uuid"])
        if dataset is None:
            found.append(f"{name}: its dataset is not in the bundle")
            continue
        columns, metrics, either = chart_references(chart)
        known_columns = {c["column_name"] for c in dataset["columns"]}
        known_metrics = {m["metric_name"] for m in dataset["metrics"]}
        table = dataset["table_name"]
        found += [f"{name}: column {c} is not in dataset {table}" for c in sorted(columns - known_columns)]
        found += [f"{name}: metric {m} is not in dataset {table}" for m in sorted(metrics - known_metrics)]
        unknown = either - known_columns - known_metrics
        found += [f"{name}: orders by {x}, not in dataset {table}" for x in sorted(unknown)]
    for dashboard in bundle.dashboards.values():
        name = f"dashboard {dashboard['dashboard_title']!r}"
        placed = dashboard_charts(dashboard)
        for chart_uuid in placed:
            if chart_uuid not in bundle.charts:
                found.append(f"{name}: chart {chart_uuid} is not in the bundle")
        for native in dashboard["metadata"].get("native_filter_configuration", []):
            for target in native["targets"]:
                column = target["column"]["name"]
                dataset = bundle.datasets.get(target["datasetUuid"])
                if dataset is None:
                    found.append(f"{name}, filter {native['name']!r}: its dataset is not in the bundle")
                    continue
                # A filter applies its column to every chart in its scope (the whole dashboard here).
                for chart in (bundle.charts[u] for u in placed if u in bundle.charts):
                    table = bundle.datasets[chart["dataset_uuid"]]
                    if column not in {c["column_name"] for c in table["columns"]}:
                        found.append(f"{name}, filter {native['name']!r}: {column} is not in {table['table_name']}")
    return found
