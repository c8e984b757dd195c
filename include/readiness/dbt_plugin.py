"""dbt-duckdb plugin: the SQL function ``pseudonymise(worker_id)`` used by the marts.

A worker's key is HMAC-SHA256(worker_id) under the installation's secret key (``Settings.pseudonym_key``),
so BI users can count and join workers without seeing who they are, and nobody without the key can
recompute a key from a known worker id (a plain hash could be reversed by trying every id).
"""

from __future__ import annotations

import hashlib
import hmac

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from readiness.config import Settings


def worker_key(worker_id: str, key: str) -> str:
    """The pseudonym of ``worker_id`` under ``key``."""
    return hmac.new(key.encode(), worker_id.encode(), hashlib.sha256).hexdigest()


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        key = Settings.from_env().pseudonym_key()

        def pseudonymise(worker_id: str | None) -> str | None:
            return None if worker_id is None else worker_key(worker_id, key)

        conn.create_function(
            "pseudonymise", pseudonymise, ["VARCHAR"], "VARCHAR", null_handling="special", side_effects=False
        )
