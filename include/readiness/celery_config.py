"""Celery settings of the deployment's workers (``AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS`` in deploy/airflow.env).

Airflow's own defaults plus one thing: the worker imports the libraries the tasks use when it starts.
On Linux a Celery worker forks a process for every task, and a forked process has whatever its parent
imported; without this every task paid the imports again (Great Expectations alone is about 7 s of CPU,
in each of the 11 validations and the publish task), all of it in the single DuckDB slot, so on the
run's critical path. Measured numbers: README, "Running as a service".

Only the worker imports ``imports``; the scheduler reads this dict too but does not import them.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

#: What the DAG's tasks import when they run (readiness.tasks keeps them out of the DAG file's parse).
PRELOADED_MODULES = (
    "great_expectations",
    "pandas",
    "pyarrow",
    "duckdb",
    "cosmos.operators.local",
    "readiness.ingest",
    "readiness.validate",
    "readiness.publish",
    "readiness.audit",
    "readiness.tasks",
)

CELERY_CONFIG: dict[str, Any] = {**DEFAULT_CELERY_CONFIG, "imports": PRELOADED_MODULES}
