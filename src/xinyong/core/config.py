"""Settings: one class, environment prefix ``XINYONG_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"
DEFAULT_DATA_KEY = "dev-only-data-key-change-me"
DEFAULT_LOOKUP_KEY = "dev-only-lookup-key-change-me"
DEFAULT_REPORT_SIGNING_KEY = "dev-only-report-signing-key-change-me"


class ConfigurationError(RuntimeError):
    """Raised when the platform must not start with the given settings."""


class Settings(BaseSettings):
    """Platform settings, read from ``XINYONG_*`` environment variables or ``.env``."""

    model_config = SettingsConfigDict(env_prefix="XINYONG_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/xinyong.db"
    sql_echo: bool = False
    # Signs sessions and tokens.
    secret_key: str = DEFAULT_SECRET_KEY
    # Encrypts natural persons' ID numbers at rest (AES-256-GCM, key derived from this).
    data_key: str = DEFAULT_DATA_KEY
    # Earlier data keys, still accepted for reading while `xinyong keys rotate` re-seals.
    data_keys_previous: list[str] = []
    # international: AES-256-GCM; national: SM4-GCM (GB/T 32907) for ID numbers at rest.
    crypto_suite: Literal["international", "national"] = "international"
    # Keyed hash (HMAC-SHA256) used to look ID numbers up without decrypting them.
    lookup_key: str = DEFAULT_LOOKUP_KEY
    # Local catalogue supplement layered on top of the shipped catalogue.
    catalog_extra: Path | None = None
    # Legitimately issued codes that fail the GB 32100 checksum (one per line).
    uscc_exceptions: Path | None = None
    # The city's own administrative region (GB/T 2260), used by the demo generator.
    city_region: str = "320500"
    host: str = "127.0.0.1"
    port: int = 8000
    language: Literal["zh", "en"] = "zh"
    # Hash of new audit-log entries (each entry names its own, so the log can switch).
    audit_hash: Literal["sha256", "sm3"] = "sha256"
    # `xinyong audit checkpoint` vouches for every N-th entry of the audit log.
    audit_checkpoint_every: int = 1000
    # Accounts: lock-out after repeated failed logins, session lifetime.
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    session_hours: int = 8
    # Abuse limits: requests per minute for anonymous clients (per address) and per API key;
    # the largest request body accepted.
    rate_anonymous_per_minute: int = 120
    rate_key_per_minute: int = 1200
    # Threads per server process running routes and database work. Few: under load, a
    # request holding a lock (the audit chain's) must not wait for the interpreter behind
    # dozens of others; requests beyond these wait in the event loop instead.
    worker_threads: int = Field(default=8, ge=1, le=200)
    # Requests of one server process inside the app at once (the rest wait their turn); the
    # PostgreSQL pool holds as many connections plus room for background jobs.
    max_concurrent_requests: int = Field(default=16, ge=1, le=1000)
    max_request_bytes: int = 20 * 1024 * 1024
    # Submissions (归集): largest file accepted, and the largest an XLSX may inflate to.
    ingest_max_bytes: int = 512 * 1024 * 1024
    ingest_max_xlsx_uncompressed: int = 1024 * 1024 * 1024
    # Where uploaded files are kept (for the batch report and provenance).
    ingest_dir: Path = Path("var/ingest")
    # Parse workers for large files: None = as many as the machine has cores (up to 4), 0 = inline.
    ingest_workers: int | None = None
    # Batch credit checks (统查): the largest list file accepted, and whether a server builds
    # the matching index over every subject when it starts (else the first name job does).
    check_batch_max_bytes: int = 30 * 1024 * 1024
    match_index_at_start: bool = True
    # A running batch job silent (no committed chunk) this long has lost its worker: the
    # next `xinyong checks run-queued` resumes it after its last committed chunk.
    check_batch_stale_minutes: int = Field(default=10, ge=1)
    # A city's own holidays and make-up workdays (YAML), layered over the shipped calendar.
    holidays_file: Path | None = None
    # A city's own rights deadlines and repair rules (YAML), layered over the shipped file.
    rights_file: Path | None = None
    # A city's own joint reward and punishment measures (YAML), layered over the shipped list.
    measures_file: Path | None = None
    # A city's own list types and escalation rules (YAML), layered over the shipped file.
    lists_file: Path | None = None
    # Credit reports: the seed of the signing key (Ed25519, or SM2 under the national suite),
    # earlier seeds whose reports still verify, the city's report types over the shipped
    # file, and the public address printed in reports' QR codes (…/verify/{number}).
    report_signing_key: str = DEFAULT_REPORT_SIGNING_KEY
    report_signing_keys_previous: list[str] = []
    reports_file: Path | None = None
    # Processes laying out PDFs for batches: None = the machine's cores (up to 4), 0/1 = inline.
    report_workers: int | None = None
    public_url: str = "http://127.0.0.1:8000"
    # A city's own evaluation models (YAML ``models: {code: ...}``), layered over the shipped ones.
    evaluation_file: Path | None = None
    # A city's own sector classifications (分级分类), layered over the shipped file.
    supervision_file: Path | None = None
    # A city's own village points schemes (村民积分制), layered over the shipped file.
    points_file: Path | None = None
    # The time zone people read times in (pages, reports, exports); storage and the API's ISO
    # timestamps stay in UTC.
    timezone: str = "Asia/Shanghai"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)"
            raise ValueError(message) from None
        return value

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.env != "production":
            return self
        defaults = {
            "XINYONG_SECRET_KEY": (self.secret_key, DEFAULT_SECRET_KEY),
            "XINYONG_DATA_KEY": (self.data_key, DEFAULT_DATA_KEY),
            "XINYONG_LOOKUP_KEY": (self.lookup_key, DEFAULT_LOOKUP_KEY),
            "XINYONG_REPORT_SIGNING_KEY": (self.report_signing_key, DEFAULT_REPORT_SIGNING_KEY),
        }
        weak = [name for name, (value, default) in defaults.items() if value == default]
        short = [name for name, (value, _) in defaults.items() if len(value) < 32]
        if weak or short:
            raise ConfigurationError(
                "refusing to start in production: set strong values (>= 32 characters) for "
                + ", ".join(sorted(set(weak + short)))
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; call ``reset_settings`` in tests)."""
    return Settings()


def reset_settings() -> None:
    """Forget cached settings so the next call re-reads the environment."""
    get_settings.cache_clear()
