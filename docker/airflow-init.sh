#!/usr/bin/env bash
# One-shot setup run by the airflow-init service of docker-compose.yml before any other Airflow
# service starts (they wait for it to exit 0). It runs as root only to give the volumes to the
# Airflow user; every step is idempotent, so re-running it is safe.
set -euo pipefail

airflow_uid="${AIRFLOW_UID:-50000}"
if [[ -z "${AIRFLOW_UID:-}" ]]; then
  echo "WARNING: AIRFLOW_UID is not set; files under ./data will belong to uid 50000." >&2
  echo "         On Linux put AIRFLOW_UID=\$(id -u) in the .env file beside docker-compose.yml." >&2
fi

# Logs and the UI password file live in volumes owned by the services. ./data is the host's
# warehouse root: hand over only the top directory, never rewrite ownership of existing HR files.
mkdir -p /opt/airflow/logs /opt/airflow/auth /opt/airflow/data
chown -R "${airflow_uid}:0" /opt/airflow/logs /opt/airflow/auth
chown "${airflow_uid}:0" /opt/airflow/data

# /entrypoint is the image's own: when run as root it puts the airflow user's packages on the path.
/entrypoint airflow version
/entrypoint airflow db migrate

# DuckDB allows one writer per file: every task that writes the candidate warehouse runs in this
# pool, so Celery workers never contend for the lock (see docs/architecture.md, "Publishing").
/entrypoint airflow pools set readiness_duckdb 1 "single writer of the DuckDB warehouse"

echo "airflow-init done"
