"""Configuration: one data root and a few documented settings, read from the environment.

Every setting has a safe default so `make run` works on a fresh clone; secrets are never defaults
in the repository (the pseudonymisation key is generated per installation when not configured).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from readiness.contracts import FRESHNESS_DEADLINE_DAYS, REQUIRED_SOURCES, SOURCES, freshness_deadline_days

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

#: File modes. Working files hold personal data (HR extracts, raw tables, quarantine, the key): owner
#: only. Served files hold none and are group-readable, so a BI service in the owner's group reads them.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SERVED_DIR_MODE = 0o750
SERVED_FILE_MODE = 0o640
#: Every pipeline process creates files with this umask: nothing is ever readable by other users, and
#: what the pipeline writes without an explicit mode (exports, reports, docs) is group-readable at most.
PIPELINE_UMASK = 0o027


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
    freshness_days: tuple[tuple[str, int], ...] = tuple(FRESHNESS_DEADLINE_DAYS.items())
    alert_smtp_conn_id: str = "readiness_smtp"
    alert_to: tuple[str, ...] = ()
    alert_from: str = "readiness@localhost"
    #: An Airflow connection to a Slack-compatible incoming webhook; alerts go there too when it exists.
    alert_webhook_conn_id: str = "readiness_webhook"
    #: Where raw, ops and the marts live: ``duckdb`` (files under data_dir) or ``postgres`` (one database,
    #: READINESS_POSTGRES_URL, a libpq connection string or URI; see readiness.pg).
    warehouse: str = "duckdb"
    postgres_url: str = ""
    #: The BI role granted USAGE on schema marts and SELECT on its tables at each publication (none: no grant).
    postgres_reader_role: str = ""
    #: The sources this installation has (READINESS_SOURCES): only their extracts are expected, loaded and
    #: validated, and only the marts they feed are published with rows; the others are marked unavailable.
    enabled_sources: tuple[str, ...] = SOURCES

    @classmethod
    def from_env(cls) -> Settings:
        """The settings of this process; every pipeline process (Airflow task on any executor, CLI, dbt's
        plugin) starts here, so this is also where its umask is set, whatever started the process."""
        os.umask(PIPELINE_UMASK)
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
            alert_webhook_conn_id=env.get("READINESS_ALERT_WEBHOOK_CONN_ID", "readiness_webhook"),
            warehouse=_warehouse(env.get("READINESS_WAREHOUSE", "duckdb"), env.get("READINESS_POSTGRES_URL", "")),
            postgres_url=env.get("READINESS_POSTGRES_URL", "").strip(),
            postgres_reader_role=env.get("READINESS_POSTGRES_READER_ROLE", "").strip(),
            enabled_sources=_enabled_sources(env.get("READINESS_SOURCES", "")),
        )

    @property
    def disabled_sources(self) -> tuple[str, ...]:
        """The sources of the contracts this installation does not have (nothing of them is expected)."""
        return tuple(s for s in SOURCES if s not in self.enabled_sources)

    def source_enabled(self, source: str) -> bool:
        return source in self.enabled_sources

    def freshness_deadline(self, source: str) -> int:
        return dict(self.freshness_days).get(source) or freshness_deadline_days(source)

    # Two trees under the one data root. `served/` holds only what readers may see (no personal data)
    # and is the only folder a BI tool ever mounts or opens; `work/` holds everything else, owner-only.
    # Both sit on one filesystem: publishing renames the candidate from work/ into served/.
    @property
    def served_dir(self) -> Path:
        return self.data_dir / "served"

    @property
    def work_dir(self) -> Path:
        return self.data_dir / "work"

    @property
    def warehouse_dir(self) -> Path:
        """Served: the published warehouse, alone (BI tools mount this folder)."""
        return self.served_dir / "warehouse"

    @property
    def exports_dir(self) -> Path:
        return self.served_dir / "exports"

    @property
    def reports_dir(self) -> Path:
        return self.served_dir / "reports"

    @property
    def docs_dir(self) -> Path:
        return self.served_dir / "docs"

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "readiness.duckdb"

    @property
    def landing_dir(self) -> Path:
        return self.work_dir / "landing"

    @property
    def archive_dir(self) -> Path:
        return self.work_dir / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.work_dir / "quarantine"

    @property
    def build_dir(self) -> Path:
        """Working databases: ingest, tonight's candidate, kept versions."""
        return self.work_dir / "warehouse"

    @property
    def ingest_db(self) -> Path:
        """Raw and ops tables: written by loads, read (attached read-only) by dbt."""
        return self.build_dir / "ingest.duckdb"

    @property
    def candidate_db(self) -> Path:
        """The warehouse being built tonight; published only after it passes the audit."""
        return self.build_dir / "candidate.duckdb"

    @property
    def state_db(self) -> Path:
        """dbt's staging and intermediate models, kept between nights for the incremental ones (never served)."""
        return self.build_dir / "state.duckdb"

    @property
    def versions_dir(self) -> Path:
        return self.build_dir / "versions"

    @property
    def secrets_dir(self) -> Path:
        return self.work_dir / ".secrets"

    @property
    def served_dirs(self) -> tuple[Path, ...]:
        return (self.served_dir, self.warehouse_dir, self.exports_dir, self.reports_dir, self.docs_dir)

    @property
    def work_dirs(self) -> tuple[Path, ...]:
        return (
            self.work_dir,
            self.landing_dir,
            self.archive_dir,
            self.quarantine_dir,
            self.build_dir,
            self.versions_dir,
            self.secrets_dir,
        )

    def pseudonym_key(self) -> str:
        """The secret key of worker pseudonyms: READINESS_PSEUDONYM_KEY, else one per installation.

        A generated key is kept in work/.secrets (owner-only) so pseudonyms stay stable from night to
        night; it never leaves the machine and is never committed (data/ is ignored by git).
        """
        configured = os.environ.get("READINESS_PSEUDONYM_KEY")
        if configured:
            return configured
        key_file = self.secrets_dir / "pseudonym_key"
        if not key_file.exists():
            private_dir(self.secrets_dir)
            # Written whole under a name of this process, then linked into place: two tasks starting at
            # once agree on one key, and nobody ever reads a half-written one.
            draft = key_file.with_name(f".{key_file.name}.{os.getpid()}")
            write_private_file(draft, secrets.token_hex(32))
            try:
                os.link(draft, key_file)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return key_file.read_text().strip()

    def ensure_dirs(self) -> None:
        """Create both trees with their modes, and tighten them if an older layout or umask loosened them."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for folder in self.served_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(SERVED_DIR_MODE)
        for folder in self.work_dirs:
            private_dir(folder)
        # Deliveries arrive with the modes of whoever dropped them: owner-only from tonight on.
        private_tree(self.work_dir)


def private_dir(path: Path) -> Path:
    """``path`` and any missing parent created owner-only (0700); an existing ``path`` is tightened too."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    path.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask; chmod is not
    return path


def private_tree(root: Path) -> None:
    """Every folder under ``root`` 0700 and every file 0600; symbolic links are not followed."""
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            if not (Path(folder) / name).is_symlink():
                (Path(folder) / name).chmod(PRIVATE_DIR_MODE)
        for name in files:
            make_private(Path(folder) / name)


def write_private_file(path: Path, text: str) -> None:
    """Create ``path`` owner-only from its first byte: no moment in which another user could open it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def make_private(path: Path) -> Path:
    """Tighten a working file that a library created (DuckDB, a copy) to owner-only.

    A symbolic link is left alone: chmod would follow it to whatever it points at.
    """
    if not path.is_symlink():
        path.chmod(PRIVATE_FILE_MODE)
    return path


#: The Postgres session setting the ``postgres__pseudonymise`` macro reads the key from.
POSTGRES_KEY_SETTING = "readiness.pseudonym_key"


def postgres_session_options(key: str) -> dict[str, str]:
    """Environment that makes every libpq connection (dbt-postgres, psycopg) start with the key set.

    The key travels as a connection start-up option, never as SQL: it appears neither in compiled
    models nor in dbt's logs, and a session setting is visible to its own session only.
    """
    escaped = key.replace("\\", "\\\\").replace(" ", "\\ ")
    return {"PGOPTIONS": f"-c {POSTGRES_KEY_SETTING}={escaped}"}


WAREHOUSES = ("duckdb", "postgres")


def _warehouse(name: str, postgres_url: str) -> str:
    """READINESS_WAREHOUSE, checked: a typo must not silently fall back to the DuckDB files."""
    warehouse = name.strip().lower() or "duckdb"
    if warehouse not in WAREHOUSES:
        raise ValueError(f"READINESS_WAREHOUSE={name!r}: expected one of {', '.join(WAREHOUSES)}")
    if warehouse == "postgres" and not postgres_url.strip():
        raise ValueError(
            "READINESS_WAREHOUSE=postgres needs READINESS_POSTGRES_URL, the warehouse database as a libpq "
            "connection string, e.g. postgresql://readiness@db.example.org:5432/readiness (the password in "
            "~/.pgpass or PGPASSWORD, not in the URL)"
        )
    return warehouse


def _freshness_days(text: str) -> tuple[tuple[str, int], ...]:
    """``hr=1,finance=31``: the defaults, with the sources named overridden."""
    days = dict(FRESHNESS_DEADLINE_DAYS)
    for item in filter(None, (part.strip() for part in text.split(","))):
        source, _, value = item.partition("=")
        if source.strip() not in days or not value.strip().isdigit():
            raise ValueError(
                f"READINESS_FRESHNESS_DAYS: {item!r} is not <source>=<days> with a source of {', '.join(days)}"
            )
        days[source.strip()] = int(value)
    return tuple(days.items())


def _enabled_sources(text: str) -> tuple[str, ...]:
    """READINESS_SOURCES=``hr,lms``: the sources this installation has, in the contracts' order; every source
    of the contracts when unset. A typo must not silently disable a source, and HR cannot be left out: every
    mart describes the workforce."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        return SOURCES
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise ValueError(
            f"READINESS_SOURCES={text!r}: {', '.join(unknown)} is not a source; the sources are {', '.join(SOURCES)}"
        )
    missing = [s for s in REQUIRED_SOURCES if s not in names]
    if missing:
        raise ValueError(
            f"READINESS_SOURCES={text!r} leaves out {', '.join(missing)}, which every installation needs (the "
            f"workforce is what every mart describes); add it, e.g. READINESS_SOURCES={','.join([*missing, *names])}"
        )
    return tuple(s for s in SOURCES if s in names)
