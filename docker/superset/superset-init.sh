#!/usr/bin/env bash
# One-shot setup run by the superset-init service of docker-compose.yml: Superset's metadata DB, the
# admin user and the connection to the published warehouse. Every step is idempotent.
set -euo pipefail

superset db upgrade
# Fails harmlessly when the user exists already (a re-run).
superset fab create-admin --username admin --firstname Readiness --lastname Admin \
  --email admin@localhost --password "${SUPERSET_ADMIN_PASSWORD}" || true
superset init

# Read-only, and through the directory mount: each new query opens the file that is published now,
# and a refresh renames a new file over it without ever waiting for Superset (README, Serving).
superset set-database-uri --database_name "Readiness warehouse" \
  --uri "duckdb:////srv/readiness/warehouse/readiness.duckdb?access_mode=READ_ONLY"

echo "superset-init done"
