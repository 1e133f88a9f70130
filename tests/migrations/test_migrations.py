"""Migrations: one head, up -> down -> up on both databases, and the models equal the migrated schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import app.models  # noqa: F401
from app.core.db import Base, make_engine
from tests.conftest import create_database

ROOT = Path(__file__).resolve().parents[2]


def _config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    url, drop = create_database(backend, tmp_path)
    yield url
    drop()


def test_there_is_a_single_head() -> None:
    script = ScriptDirectory.from_config(_config("sqlite://"))

    assert len(script.get_heads()) == 1


def test_file_names_are_date_stamped() -> None:
    names = [p.name for p in (ROOT / "migrations" / "versions").glob("*.py")]

    assert names
    assert all(re.fullmatch(r"\d{8}_\w+\.py", n) for n in names), names


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    config = _config(empty_database)

    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(empty_database)
    leftover = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    command.upgrade(config, "head")

    assert leftover == set()


def test_models_match_the_migrated_schema(empty_database: str) -> None:
    command.upgrade(_config(empty_database), "head")
    engine = make_engine(empty_database)

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()

    assert diff == []
