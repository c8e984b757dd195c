#!/usr/bin/env bash
# One-shot setup of Superset: its metadata DB, the admin user and the connection to the published
# warehouse. Run by the superset-init service of docker-compose.yml, and by the native test harness
# (tests/superset/harness.py) with READINESS_WAREHOUSE_URI pointing at a local file. Every step is idempotent.
set -euo pipefail

superset db upgrade
# Fails harmlessly when the user exists already (a re-run).
superset fab create-admin --username admin --firstname Readiness --lastname Admin \
  --email admin@localhost --password "${SUPERSET_ADMIN_PASSWORD}" || true
superset init

# The locked reader's connection string (readiness.serve.reader_uri): read-only, no external access, no
# extensions, configuration locked, so SQL Lab reads the marts and nothing else. Through the mounted
# served folder: each new query opens the file published now, and a refresh renames a new file over it
# without ever waiting for Superset (README, Serving).
superset set-database-uri --database_name "Readiness warehouse" \
  --uri "${READINESS_WAREHOUSE_URI:-duckdb:////srv/readiness/warehouse/readiness.duckdb?access_mode=READ_ONLY&enable_external_access=false&autoload_known_extensions=false&autoinstall_known_extensions=false&allow_community_extensions=false&lock_configuration=true}"

echo "superset-init done"
