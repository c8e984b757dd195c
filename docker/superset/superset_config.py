"""Superset settings for the readiness marts: the official image loads them from /app/pythonpath; the
native test harness (tests/superset/harness.py) points SUPERSET_CONFIG_PATH at this same file."""

import os

# Signs session cookies; from the environment (.env), never from the repository.
SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
# Superset's own metadata (users, charts, dashboards) in its home (a volume in compose); the marts are
# only read, through the connection superset-init provisions.
SQLALCHEMY_DATABASE_URI = f"sqlite:///{os.environ.get('SUPERSET_HOME', '/app/superset_home')}/superset.db"
# The pipeline carries HR data: no example data, no telemetry.
SCARF_ANALYTICS = False
# Nobody can write to the warehouse through SQL Lab (the file is mounted read-only as well).
PREVENT_UNSAFE_DB_CONNECTIONS = True

# The browser may load nothing from outside this Superset. SCARF_ANALYTICS does not stop Superset 6.1's
# front end from rendering its usage pixel (an <img> from a Scarf host), so the content security policy
# names no outside host at all: the pixel, map tiles and web fonts are refused by the browser.
_SELF = "'self'"
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": [_SELF],
        "default-src": [_SELF],
        "img-src": [_SELF, "blob:", "data:"],
        "worker-src": [_SELF, "blob:"],
        "connect-src": [_SELF],
        "object-src": "'none'",
        "style-src": [_SELF, "'unsafe-inline'"],
        "font-src": [_SELF, "data:"],
        "script-src": [_SELF, "'strict-dynamic'"],
        "form-action": [_SELF],
        "frame-ancestors": [_SELF],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
TALISMAN_DEV_CONFIG = TALISMAN_CONFIG
