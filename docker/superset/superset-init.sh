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

# The dashboards as code (README, "Superset"): Superset's own import bundle, kept as YAML in dashboards/ beside
# this script and zipped here. Imported before the connection is set: the bundle's database entry (the
# compose path) is matched by name and given the bundle's uuid, then set-database-uri below puts the locked
# reader's string of this installation on it. Dashboards are overwritten on every run; Superset 6.1 keeps
# charts and datasets that exist already (same uuid) as they are.
bundle_dir="${READINESS_SUPERSET_BUNDLE:-$(dirname "$0")/dashboards}"
bundle="$(mktemp -d)/readiness-dashboards.zip"
python - "${bundle_dir}" "${bundle}" <<'PY'
import sys, zipfile
from pathlib import Path

source, target = Path(sys.argv[1]), sys.argv[2]
files = sorted(source.rglob("*.yaml"))
if not (source / "metadata.yaml").is_file():
    sys.exit(f"{source} holds no Superset bundle (metadata.yaml is missing)")
with zipfile.ZipFile(target, "w") as bundle:
    for path in files:  # under one root folder, as Superset's export writes it
        bundle.write(path, f"readiness_dashboards/{path.relative_to(source)}")
PY
superset import-dashboards --path "${bundle}" --username admin
rm -rf "$(dirname "${bundle}")"

# The locked reader's connection string (readiness.serve.reader_uri): read-only, no external access, no
# extensions, configuration locked, so SQL Lab reads the marts and nothing else. Through the mounted
# served folder: each new query opens the file published now, and a refresh renames a new file over it
# without ever waiting for Superset (README, Serving).
superset set-database-uri --database_name "Readiness warehouse" \
  --uri "${READINESS_WAREHOUSE_URI:-duckdb:////srv/readiness/warehouse/readiness.duckdb?access_mode=READ_ONLY&enable_external_access=false&autoload_known_extensions=false&autoinstall_known_extensions=false&allow_community_extensions=false&lock_configuration=true}"

echo "superset-init done"
