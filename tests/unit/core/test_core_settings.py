"""Settings: environment prefix, secret handling, production refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.config import Settings, SettingsError, get_settings


class TestSettings:
    def test_reads_the_groupledger_prefix(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GROUPLEDGER_DATABASE_URL", "postgresql+psycopg://u@h/db")
        monkeypatch.setenv("GROUPLEDGER_TOKEN_MINUTES", "5")

        settings = Settings()

        assert settings.database_url == "postgresql+psycopg://u@h/db"
        assert settings.token_minutes == 5
        assert not settings.is_sqlite

    def test_defaults_to_a_sqlite_file_in_the_working_directory(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("GROUPLEDGER_DATABASE_URL", raising=False)

        assert Settings().database_url == "sqlite:///./groupledger.sqlite3"

    def test_production_without_a_secret_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GROUPLEDGER_ENV", "production")
        monkeypatch.delenv("GROUPLEDGER_SECRET_KEY", raising=False)
        get_settings.cache_clear()

        with pytest.raises(SettingsError, match="GROUPLEDGER_SECRET_KEY is required"):
            get_settings()
        get_settings.cache_clear()

    def test_embedded_default_generates_and_keeps_a_secret(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/gl.sqlite3")

        first = settings.signing_key()
        second = Settings(database_url=f"sqlite:///{tmp_path}/gl.sqlite3").signing_key()

        assert first == second
        assert len(first) >= 40
        assert (tmp_path / ".groupledger-secret").stat().st_mode & 0o077 == 0

    def test_secret_is_not_shown_in_the_settings_repr(self) -> None:
        settings = Settings(secret_key="super-secret-value-1234567890")  # type: ignore[arg-type]

        assert "super-secret-value" not in repr(settings)
        assert "super-secret-value" not in str(settings.model_dump())
