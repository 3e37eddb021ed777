"""The one Settings object: every environment variable Serendip reads, with its default."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LogLevel(StrEnum):
    """Log levels an operator may choose."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class LogFormat(StrEnum):
    """How log lines are written: key=value text, or one JSON object per line."""

    TEXT = "text"
    JSON = "json"


class SettingError(Exception):
    """A setting a command needs is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    """Environment variables, exactly as PRODUCT.md ("Operating it") lists them."""

    # env_ignore_empty: `SLACK_APP_TOKEN=` in .env means "not set", never an empty secret.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    # OAuth mode (many workspaces installed through /slack/install) instead of SLACK_BOT_TOKEN.
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    database_url: str = Field(default="sqlite:///serendip.db", alias="DATABASE_URL")
    department_field: str = Field(default="Department", alias="SERENDIP_DEPARTMENT_FIELD")
    host: str = Field(default="127.0.0.1", alias="SERENDIP_HOST")
    port: int = Field(default=3000, ge=1, le=65535, alias="SERENDIP_PORT")
    log_level: LogLevel = Field(default=LogLevel.INFO, alias="SERENDIP_LOG_LEVEL")
    log_format: LogFormat = Field(default=LogFormat.TEXT, alias="SERENDIP_LOG_FORMAT")
    # Intros, their outcomes and audit entries older than this are purged by the scheduler.
    retention_days: int = Field(default=730, ge=1, alias="SERENDIP_RETENTION_DAYS")
    # An uninstalled workspace's data is deleted by the worker this many days after the uninstall,
    # unless the app is reinstalled first (0: at the worker's next daily pass).
    uninstall_grace_days: int = Field(default=30, ge=0, alias="SERENDIP_UNINSTALL_GRACE_DAYS")
    # Off: only workspace admins and owners make a channel a program; guests never may.
    allow_member_setup: bool = Field(default=False, alias="SERENDIP_ALLOW_MEMBER_SETUP")

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("allow_member_setup", mode="before")
    @classmethod
    def _empty_is_false(cls, value: object) -> object:
        # An empty value means unset (as for every setting), not a parse error.
        return False if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _database_url_is_supported(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            # psycopg 3 is the driver we ship; accept the common short form.
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @property
    def oauth_mode(self) -> bool:
        """Whether installations come from the OAuth flow (SLACK_CLIENT_ID or SLACK_CLIENT_SECRET set)."""
        return self.slack_client_id is not None or self.slack_client_secret is not None

    def require_slack_mode(self) -> None:
        """Fail with one line unless exactly one way of reaching Slack is configured.

        Token mode needs SLACK_BOT_TOKEN; OAuth mode needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET,
        no bot token (which workspace would it be?) and HTTP mode (the install pages are HTTP).
        """
        if not self.oauth_mode:
            self.require("SLACK_BOT_TOKEN")
            return
        if self.slack_bot_token is not None:
            raise SettingError(
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: keep SLACK_BOT_TOKEN for one workspace, "
                "or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install through OAuth, not both"
            )
        self.require("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
        if self.slack_app_token is not None:
            raise SettingError(
                "OAuth mode (SLACK_CLIENT_ID) needs HTTP mode: unset SLACK_APP_TOKEN (Socket Mode)"
            )

    def require(self, *names: str) -> None:
        """Fail with one line naming the first missing variable among ``names``."""
        for name in names:
            field = next(f for f, info in type(self).model_fields.items() if info.alias == name)
            value = getattr(self, field)
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                raise SettingError(f"{name} is not set; see .env.example")


def load_settings() -> Settings:
    """Read settings from the environment, turning validation errors into one clear line."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "setting"
        # Never echo the input: it may be a secret.
        raise SettingError(f"{name} is invalid: {first['msg']}") from None
