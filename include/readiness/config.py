"""Configuration: one data root and a few documented settings, read from the environment.

Every setting has a safe default so `make run` works on a fresh clone; secrets are never defaults
in the repository (the pseudonymisation key is generated per installation when not configured).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

#: Environment variables that switch off the telemetry of every component. The pipeline carries
#: HR data: nothing is ever sent anywhere.
TELEMETRY_OFF: dict[str, str] = {
    "DO_NOT_TRACK": "1",
    "SCARF_ANALYTICS": "false",
    "SCARF_NO_ANALYTICS": "true",
    "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "GX_ANALYTICS_ENABLED": "False",
}

DEFAULT_COST_CENTER_TAG_KEYS = ("cost_center", "CostCenter", "x_CostCenter")
#: Alerts (readiness.alerts): the largest age, in days, of a source's latest delivery before it is late.
DEFAULT_FRESHNESS_DAYS: dict[str, int] = {"hr": 1, "lms": 1, "finance": 31}


def disable_telemetry() -> None:
    """Set the telemetry switches in this process (and so in every subprocess it starts)."""
    for name, value in TELEMETRY_OFF.items():
        os.environ[name] = value


@dataclass(frozen=True)
class Settings:
    """Where the data lives and the rules that are configuration rather than code."""

    data_dir: Path
    reporting_currency: str = "USD"
    small_cell_threshold: int = 5
    fiscal_year_start_month: int = 1
    cost_center_tag_keys: tuple[str, ...] = DEFAULT_COST_CENTER_TAG_KEYS
    #: Published versions kept beside the current one, for `readiness rollback`.
    keep_versions: int = 5
    # Alerts (readiness.alerts): per-source freshness deadlines, the Airflow SMTP connection and recipients.
    freshness_days: tuple[tuple[str, int], ...] = tuple(DEFAULT_FRESHNESS_DAYS.items())
    alert_smtp_conn_id: str = "readiness_smtp"
    alert_to: tuple[str, ...] = ()
    alert_from: str = "readiness@localhost"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        tag_keys = env.get("READINESS_COST_CENTER_TAG_KEYS")
        return cls(
            data_dir=Path(env.get("READINESS_DATA_DIR", "data")).resolve(),
            reporting_currency=env.get("READINESS_REPORTING_CURRENCY", "USD").strip().upper(),
            small_cell_threshold=int(env.get("READINESS_SMALL_CELL_THRESHOLD", "5")),
            fiscal_year_start_month=int(env.get("READINESS_FISCAL_YEAR_START_MONTH", "1")),
            cost_center_tag_keys=tuple(k.strip() for k in tag_keys.split(","))
            if tag_keys
            else DEFAULT_COST_CENTER_TAG_KEYS,
            keep_versions=int(env.get("READINESS_KEEP_VERSIONS", "5")),
            freshness_days=_freshness_days(env.get("READINESS_FRESHNESS_DAYS", "")),
            alert_smtp_conn_id=env.get("READINESS_ALERT_SMTP_CONN_ID", "readiness_smtp"),
            alert_to=tuple(a.strip() for a in env.get("READINESS_ALERT_TO", "").split(",") if a.strip()),
            alert_from=env.get("READINESS_ALERT_FROM", "readiness@localhost"),
        )

    def freshness_deadline(self, source: str) -> int:
        return dict(self.freshness_days)[source]

    # Folders under the one data root (ARCHITECTURE.md, Configuration).
    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def ingest_db(self) -> Path:
        """Raw and ops tables: written by loads, read (attached read-only) by dbt."""
        return self.warehouse_dir / "ingest.duckdb"

    @property
    def candidate_db(self) -> Path:
        """The warehouse being built tonight; published only after it passes the audit."""
        return self.warehouse_dir / "candidate.duckdb"

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "readiness.duckdb"

    @property
    def versions_dir(self) -> Path:
        return self.warehouse_dir / "versions"

    def pseudonym_key(self) -> str:
        """The secret key of worker pseudonyms: READINESS_PSEUDONYM_KEY, else one per installation.

        A generated key is kept beside the data (mode 0600) so pseudonyms stay stable from night to
        night; it never leaves the machine and is never committed (data/ is ignored by git).
        """
        configured = os.environ.get("READINESS_PSEUDONYM_KEY")
        if configured:
            return configured
        key_file = self.data_dir / ".secrets" / "pseudonym_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    def ensure_dirs(self) -> None:
        for folder in (
            self.landing_dir,
            self.archive_dir,
            self.quarantine_dir,
            self.warehouse_dir,
            self.exports_dir,
            self.reports_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)


def _freshness_days(text: str) -> tuple[tuple[str, int], ...]:
    """``hr=1,finance=31``: the defaults, with the sources named overridden."""
    days = dict(DEFAULT_FRESHNESS_DAYS)
    for item in filter(None, (part.strip() for part in text.split(","))):
        source, _, value = item.partition("=")
        if source.strip() not in days or not value.strip().isdigit():
            raise ValueError(
                f"READINESS_FRESHNESS_DAYS: {item!r} is not <source>=<days> with a source of {', '.join(days)}"
            )
        days[source.strip()] = int(value)
    return tuple(days.items())
