"""One settings object for the whole service; nothing else reads the environment."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_FILE = "groupledger.sqlite3"
SECRET_FILE = ".groupledger-secret"  # noqa: S105


class SettingsError(RuntimeError):
    """The configuration cannot start the service (told to the operator in one line)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GROUPLEDGER_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = Field(default_factory=lambda: f"sqlite:///./{DEFAULT_SQLITE_FILE}")
    read_database_url: str | None = None
    secret_key: SecretStr | None = None
    token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    token_audience: str = "groupledger"  # noqa: S105
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = 10 * 1024 * 1024
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    pool_size: int = 10
    pool_max_overflow: int = 10
    pool_timeout_seconds: int = 30
    log_json: bool | None = None
    presentation_currency: str = "CNY"

    @model_validator(mode="after")
    def _production_needs_secret(self) -> Settings:
        if self.env == "production" and self.secret_key is None:
            raise ValueError("GROUPLEDGER_SECRET_KEY is required when GROUPLEDGER_ENV=production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def signing_key(self) -> str:
        """The token signing secret: configured, or generated once and kept beside the embedded database."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.secret_path()
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        value = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value, encoding="utf-8")
        path.chmod(0o600)
        return value

    def secret_path(self) -> Path:
        if self.is_sqlite:
            db_path = self.database_url.split("///", 1)[-1]
            if db_path and db_path != ":memory:":
                return Path(db_path).resolve().parent / SECRET_FILE
        return Path.cwd() / SECRET_FILE


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        reasons = "; ".join(str(err["msg"]).removeprefix("Value error, ") for err in exc.errors())
        raise SettingsError(f"invalid settings: {reasons}") from exc
