"""Deployment settings from the environment (and a ``.env`` file), checked at start.

Only this composition layer reads the environment: the core gets plain values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import BotConfig
from scheduler.leader import TAKEOVER_SECONDS
from storage.roster import normal_email


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default="sqlite+aiosqlite:///plgbot.db",
        description="SQLAlchemy URL; postgresql://… uses asyncpg, sqlite:///… aiosqlite",
    )
    db_pool_size: int = Field(default=5, ge=1, le=100)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    host: str = Field(default="127.0.0.1", alias="PLGBOT_HOST")
    port: int = Field(default=8000, ge=1, le=65535, alias="PLGBOT_PORT")
    language: Literal["nl", "en"] = Field(default="nl", alias="PLGBOT_LANGUAGE")
    window_weeks: int = Field(default=12, ge=1, le=104, alias="PLGBOT_WINDOW_WEEKS")
    # The first coordinator of a new school, by e-mail (several: comma-separated): they
    # become coordinator when they first talk to plgbot, while the school has none.
    coordinator_email: str = Field(default="", alias="PLGBOT_COORDINATOR_EMAIL")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="PLGBOT_LOG_LEVEL"
    )
    # Production (README "Production"): JSON log lines, uvicorn worker processes, and
    # whether this process takes part in running the scheduler (one leader at a time).
    log_format: Literal["text", "json"] = Field(default="text", alias="PLGBOT_LOG_FORMAT")
    workers: int = Field(default=1, ge=1, le=64, alias="PLGBOT_WORKERS")
    scheduler: bool = Field(default=True, alias="PLGBOT_SCHEDULER")
    # How often a waiting scheduler tries to take over, and how often the leader re-reads
    # the schedules (and checks it still holds the lock).
    scheduler_takeover_seconds: float = Field(
        default=TAKEOVER_SECONDS, gt=0, le=60, alias="PLGBOT_SCHEDULER_TAKEOVER_SECONDS"
    )
    scheduler_resync_seconds: float = Field(
        default=60.0, gt=0, le=3600, alias="PLGBOT_SCHEDULER_RESYNC_SECONDS"
    )
    # How long a process holds an inbox delivery it works on before another process
    # may take it over (adapters/inbox.py): after a crash, the wait before recovery.
    inbox_lease_seconds: float = Field(
        default=30.0, gt=0, le=600, alias="PLGBOT_INBOX_LEASE_SECONDS"
    )
    # How people's browsers reach this server: dashboard sign-in links start with it.
    public_url: str = Field(default="http://127.0.0.1:8000", alias="PLGBOT_PUBLIC_URL")

    # Slack (adapters/slack): the HTTP endpoint needs the bot token and signing secret;
    # an app-level token (xapp-…) switches to Socket Mode.
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    # Microsoft Teams (adapters/teams): without an app id the bot runs in local mode.
    microsoft_app_id: str = ""
    microsoft_app_password: SecretStr | None = None
    microsoft_app_tenant_id: str = ""
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = "MultiTenant"
    # Teams waits about 15 seconds for the answer to an activity; handling that takes
    # longer (a slow Bot Connector) is answered 200 after this many seconds and goes on,
    # safe in the inbox should the process die meanwhile.
    teams_answer_within_seconds: float = Field(
        default=10.0, gt=0, le=14, alias="PLGBOT_TEAMS_ANSWER_WITHIN_SECONDS"
    )
    # Mount /api/messages without an app id, unauthenticated, for the Bot Framework Emulator.
    teams_local_mode: bool = Field(default=False, alias="PLGBOT_TEAMS_LOCAL")

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None and (
            self.slack_signing_secret is not None or self.slack_app_token is not None
        )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError as error:
            raise ValueError(f"not a database URL: {error}") from None
        if backend not in {"sqlite", "postgresql"}:
            raise ValueError("plgbot runs on sqlite (default) or postgresql")
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        scheme, _, rest = value.partition("://")
        if scheme not in {"http", "https"} or not rest.strip("/"):
            raise ValueError("an http(s) address, e.g. https://plgbot.school.nl")
        return value.rstrip("/")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


class SettingsError(Exception):
    """The environment holds values plgbot cannot run with; ``str()`` lists them."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "?"
            name = _env_name(field)
            problems.append(f"  {name}={item.get('input')!r}: {item['msg']}")
        message = "plgbot cannot start; fix these settings:\n" + "\n".join(problems)
        raise SettingsError(message) from None


def _env_name(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = info.alias if info is not None else None
    return alias or field.upper()


def bot_config(settings: Settings) -> BotConfig:
    """What the core needs of the settings."""
    return BotConfig(
        window_weeks=settings.window_weeks,
        default_language=settings.language,
        public_url=settings.public_url,
        coordinator_emails=frozenset(
            email
            for part in settings.coordinator_email.split(",")
            if (email := normal_email(part)) is not None
        ),
    )
