"""The Superset dashboards as code (docker/superset/dashboards/) match what the warehouse publishes, without a
Superset: every dataset is a table of the marts schema, every column a dataset or a chart names is in the
mart's dbt contract, every saved metric binds on tables of the contracts' shapes, and every dashboard is
the BI dashboard a dbt exposure declares. A renamed mart column fails here, in `make test`, before any
dashboard breaks. The native Superset test (tests/superset, `make test-superset`) imports and renders it.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from readiness.serve import reader_uri
from readiness.transform import manifest_path
from tests.superset import bundle

ROOT = Path(__file__).resolve().parents[1]
INIT_SCRIPT = ROOT / "docker" / "superset" / "superset-init.sh"
#: Mart tables whose rows describe people: their small populations are suppressed (is_suppressed).
SUPPRESSED = "is_suppressed"


@pytest.fixture(scope="module")
def dashboards() -> bundle.Bundle:
    return bundle.load()


@pytest.fixture(scope="module")
def tables() -> dict[str, dict[str, str]]:
    return bundle.contracts()


def test_every_dataset_and_column_of_the_bundle_is_in_the_marts_contracts(
    dashboards: bundle.Bundle, tables: dict[str, dict[str, str]]
) -> None:
    assert bundle.problems(dashboards, tables) == []
    # Not vacuous: the bundle has the dashboards the issue asks for, on the marts they describe.
    titles = {d["dashboard_title"] for d in dashboards.dashboards.values()}
    assert {"Skills readiness", "Training progress", "AI adoption budget vs spend", "Pipeline health"} <= titles
    used = {d["table_name"] for d in dashboards.datasets.values()}
    assert {"skills_coverage", "skill_gaps", "org_units", "training_progress", "budget_vs_spend"} <= used
    assert {"pipeline_run_history", "pipeline_run_volumes", "publication"} <= used


def _renamed(tables: dict[str, dict[str, str]], table: str, column: str) -> dict[str, dict[str, str]]:
    changed = copy.deepcopy(tables)
    changed[table] = {(f"{name}_renamed" if name == column else name): kind for name, kind in changed[table].items()}
    return changed


def test_a_renamed_mart_column_is_reported_with_the_dataset_and_the_metric(
    dashboards: bundle.Bundle, tables: dict[str, dict[str, str]]
) -> None:
    # meeting_count: a column of the skills_coverage dataset, inside its saved metric "coverage".
    found = bundle.problems(dashboards, _renamed(tables, "skills_coverage", "meeting_count"))
    assert "dataset skills_coverage.meeting_count: not a column of marts.skills_coverage" in found
    assert any(p.startswith("dataset skills_coverage, metric coverage:") and "meeting_count" in p for p in found)
    # data_as_of_date: the freshness figure reads publish's own publication row.
    found = bundle.problems(dashboards, _renamed(tables, "publication", "data_as_of_date"))
    assert "dataset publication.data_as_of_date: not a column of marts.publication" in found


def test_a_chart_naming_a_column_its_dataset_lacks_is_reported(
    dashboards: bundle.Bundle, tables: dict[str, dict[str, str]]
) -> None:
    broken = copy.deepcopy(dashboards)
    chart = next(c for c in broken.charts.values() if c["slice_name"] == "Runs")
    chart["params"]["all_columns"].append("run_owner")
    context = json.loads(chart["query_context"])
    context["queries"][0]["filters"].append({"col": "night", "op": "==", "val": "x"})
    chart["query_context"] = json.dumps(context)
    found = bundle.problems(broken, tables)
    assert found == [
        "chart 'Runs': column night is not in dataset pipeline_run_history",
        "chart 'Runs': column run_owner is not in dataset pipeline_run_history",
    ]


def _exposures() -> dict[str, dict[str, Any]]:
    manifest = json.loads(manifest_path().read_text(encoding="utf-8"))
    return {e["label"]: e for e in manifest["exposures"].values() if e["type"] == "dashboard"}


def test_every_dashboard_is_a_dbt_exposure_and_reads_only_what_it_declares(dashboards: bundle.Bundle) -> None:
    """The exposure (dbt docs' lineage) is the definition of a dashboard: same title, same marts."""
    exposures = _exposures()
    for dashboard in dashboards.dashboards.values():
        title = dashboard["dashboard_title"]
        assert title in exposures, f"{title!r} is no dbt exposure of type dashboard: declare it in the marts' YAML"
        declared = {node.split(".")[-1] for node in exposures[title]["depends_on"]["nodes"]}
        charts = [dashboards.charts[uuid] for uuid in bundle.dashboard_charts(dashboard)]
        read = {dashboards.datasets[c["dataset_uuid"]]["table_name"] for c in charts}
        assert read - set(bundle.NOT_DBT) <= declared, f"{title}: reads {sorted(read)}, declares {sorted(declared)}"


def test_every_chart_is_placed_on_a_dashboard_and_none_lists_workers(dashboards: bundle.Bundle) -> None:
    # Superset imports only the charts a dashboard's layout places.
    placed = [uuid for d in dashboards.dashboards.values() for uuid in bundle.dashboard_charts(d)]
    assert sorted(placed) == sorted(dashboards.charts)
    for chart in dashboards.charts.values():
        columns, _metrics, _either = bundle.chart_references(chart)
        assert "worker_key" not in columns, f"{chart['slice_name']}: a per-worker key on a dashboard"


def test_charts_on_people_marts_leave_suppressed_populations_out(
    dashboards: bundle.Bundle, tables: dict[str, dict[str, str]]
) -> None:
    checked = 0
    for chart in dashboards.charts.values():
        table = dashboards.datasets[chart["dataset_uuid"]]["table_name"]
        if SUPPRESSED not in tables[table]:
            continue
        filters = chart["params"]["adhoc_filters"]
        assert any(f["subject"] == SUPPRESSED and f["operator"] == "IS FALSE" for f in filters), chart["slice_name"]
        context = json.loads(chart["query_context"])["queries"][0]["filters"]
        assert {"col": SUPPRESSED, "op": "IS FALSE", "val": None} in context, chart["slice_name"]
        checked += 1
    assert checked >= 10


def test_the_saved_query_context_is_the_charts_form_data(dashboards: bundle.Bundle) -> None:
    """The API serves a chart's data from its saved query context, the dashboard from its form data: they
    must say the same (edit a chart in Superset and export it again rather than one of the two by hand)."""
    for chart in dashboards.charts.values():
        form = json.loads(chart["query_context"])["form_data"]
        differing = {k for k, v in chart["params"].items() if k != "datasource" and form.get(k) != v}
        assert differing == set(), f"{chart['slice_name']}: {sorted(differing)}"


def test_the_bundle_connection_is_the_locked_reader_superset_init_sets(dashboards: bundle.Bundle) -> None:
    (database,) = dashboards.databases.values()
    assert database["database_name"] == "Readiness warehouse"
    assert database["sqlalchemy_uri"] == reader_uri(Path("/srv/readiness/warehouse/readiness.duckdb"))
    assert not database["allow_dml"] and not database["allow_file_upload"] and not database["allow_ctas"]
    script = INIT_SCRIPT.read_text()
    default = re.search(r'--uri "\$\{READINESS_WAREHOUSE_URI:-([^}"]+)\}"', script)
    assert default and default.group(1) == database["sqlalchemy_uri"]
    # Imported first, then the connection string of this installation set on the imported database.
    assert script.index("superset import-dashboards") < script.index("superset set-database-uri")
    assert dashboards.metadata["type"] == "Dashboard"


def test_an_export_from_superset_is_written_back_in_stable_names_with_the_compose_connection(
    dashboards: bundle.Bundle, tmp_path: Path
) -> None:
    """`python -m tests.superset.harness --export` (edit in the UI, write back): as Superset names an export's
    files (ids in the names) and with the exporting instance's own connection string and chart ids."""
    exported: dict[str, dict[str, Any]] = {"metadata.yaml": dict(dashboards.metadata)}
    for n, (kind, docs) in enumerate(
        (("databases", dashboards.databases), ("datasets", dashboards.datasets), ("charts", dashboards.charts)), 1
    ):
        for i, doc in enumerate(copy.deepcopy(list(docs.values()))):
            exported[f"{kind}/{'Readiness_warehouse/' if kind == 'datasets' else ''}x_{n}{i}.yaml"] = doc
    for i, doc in enumerate(copy.deepcopy(list(dashboards.dashboards.values()))):
        exported[f"dashboards/d_{i}.yaml"] = doc
    (database,) = (d for path, d in exported.items() if path.startswith("databases/"))
    database["sqlalchemy_uri"] = reader_uri(tmp_path / "elsewhere.duckdb")
    runs = next(d for path, d in exported.items() if path.startswith("charts/") and d["slice_name"] == "Runs")
    runs["params"]["slice_id"] = 42
    bundle.write(exported, tmp_path / "bundle")
    assert bundle.load(tmp_path / "bundle") == dashboards
    assert (tmp_path / "bundle" / "charts" / "Runs.yaml").exists()
    assert (tmp_path / "bundle" / "datasets" / "Readiness_warehouse" / "skills_coverage.yaml").exists()
