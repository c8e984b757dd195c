"""Superset settings for the readiness marts (loaded from /app/pythonpath by the official image)."""

import os

# Signs session cookies; from the environment (.env), never from the repository.
SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
# Superset's own metadata (users, charts, dashboards) in its volume; the marts are only read.
SQLALCHEMY_DATABASE_URI = "sqlite:////app/superset_home/superset.db"
# The pipeline carries HR data: no telemetry pixel in the UI, no example data.
SCARF_ANALYTICS = False
# Nobody can write to the warehouse through SQL Lab (the file is mounted read-only as well).
PREVENT_UNSAFE_DB_CONNECTIONS = True
