"""The `groupledger` command: users, keys, and one-line errors instead of tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import get_settings

runner = CliRunner()


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("GROUPLEDGER_DATABASE_URL", url)
    monkeypatch.setenv("GROUPLEDGER_SECRET_KEY", "cli-test-secret-0123456789-0123456789")
    get_settings.cache_clear()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    yield url
    get_settings.cache_clear()


class TestUsersCommand:
    def test_creates_and_lists_a_user(self, cli_database: str) -> None:
        created = runner.invoke(
            cli,
            ["users", "create", "--username", "gina", "--role", "controller", "--password-stdin"],
            input="long enough pw\n",
        )
        listed = runner.invoke(cli, ["users", "list"])

        assert created.exit_code == 0, created.output
        assert "gina" in listed.output
        assert "controller" in listed.output

    def test_unknown_role_is_one_line_and_non_zero(self, cli_database: str) -> None:
        result = runner.invoke(
            cli,
            ["users", "create", "--username", "hal", "--role", "emperor", "--password-stdin"],
            input="long enough pw\n",
        )

        assert result.exit_code == 1
        assert "unknown role" in result.output
        assert "Traceback" not in result.output

    def test_unknown_entity_code_is_refused(self, cli_database: str) -> None:
        result = runner.invoke(
            cli,
            [
                "users",
                "create",
                "--username",
                "ivy",
                "--role",
                "viewer",
                "--entity",
                "NOPE",
                "--password-stdin",
            ],
            input="long enough pw\n",
        )

        assert result.exit_code == 1
        assert "no entity with code 'NOPE'" in result.output

    def test_duplicate_user_is_refused(self, cli_database: str) -> None:
        args = ["users", "create", "--username", "jo", "--role", "viewer", "--password-stdin"]
        runner.invoke(cli, args, input="long enough pw\n")

        again = runner.invoke(cli, args, input="long enough pw\n")

        assert again.exit_code == 1
        assert "taken" in again.output


class TestApiKeysCommand:
    def test_prints_a_key_once_for_an_existing_user(self, cli_database: str) -> None:
        runner.invoke(
            cli,
            ["users", "create", "--username", "bot", "--role", "auditor", "--password-stdin"],
            input="long enough pw\n",
        )

        result = runner.invoke(cli, ["api-keys", "create", "--user", "bot"])

        assert result.exit_code == 0
        assert result.output.strip().startswith("glk_")

    def test_unknown_user_is_refused(self, cli_database: str) -> None:
        result = runner.invoke(cli, ["api-keys", "create", "--user", "ghost"])

        assert result.exit_code == 1
        assert "no user 'ghost'" in result.output


class TestBrokenConfiguration:
    def test_production_without_secret_is_one_line(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GROUPLEDGER_ENV", "production")
        monkeypatch.delenv("GROUPLEDGER_SECRET_KEY", raising=False)
        get_settings.cache_clear()

        result = runner.invoke(cli, ["migrate"])
        get_settings.cache_clear()

        assert result.exit_code == 2
        assert "GROUPLEDGER_SECRET_KEY is required" in result.output
        assert "Traceback" not in result.output
