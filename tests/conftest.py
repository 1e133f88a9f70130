"""Test databases: every database test runs on SQLite and on PostgreSQL.

Each test session builds its own databases with `alembic upgrade head` (PostgreSQL: a fresh database created
beside `test`, dropped at the end, so parallel runs never collide). Each test runs inside a transaction that
is rolled back (sessions join it with savepoints). With CI=true an unreachable PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.cli import migrate_to_head
from app.core.config import Settings
from app.core.db import make_engine
from app.core.security import Role, create_token, hash_password
from app.main import create_app
from app.users.models import User, UserEntity

POSTGRES_URL = os.environ.get(
    "GROUPLEDGER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SECRET = "test-secret-key-that-is-long-enough-for-hs256"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
BACKENDS = ["sqlite", "postgresql"]


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return str(exc).splitlines()[0]


def create_postgres_database(prefix: str = "gl_test") -> tuple[str, Callable[[], None]]:
    """A fresh, empty PostgreSQL database; returns its URL and a function that drops it."""
    problem = _postgres_reachable(POSTGRES_URL)
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_URL} is unreachable: {problem}"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL is required)", pytrace=False)
        pytest.skip(message)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def create_database(backend: str, tmp_dir: Path) -> tuple[str, Callable[[], None]]:
    if backend == "sqlite":
        path = tmp_dir / f"gl_{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite:///{path}", lambda: None
    return create_postgres_database()


def settings_for(url: str) -> Settings:
    return Settings(env="test", database_url=url, secret_key=SECRET)  # type: ignore[arg-type]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, drop = create_database(backend, tmp_path_factory.mktemp("db"))
    migrate_to_head(settings_for(url))
    yield url
    drop()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password("correct horse battery")


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions joined to one outer transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield factory
    if outer.is_active:
        outer.rollback()
    connection.close()


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    return create_app(settings=settings, session_factory=session_factory)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class Users:
    """One user per role, created directly (fast) with a known password; tokens minted directly."""

    def __init__(
        self, session_factory: sessionmaker[Session], settings: Settings, password_hash: str
    ) -> None:
        self._factory = session_factory
        self._settings = settings
        self._hash = password_hash
        self.ids: dict[str, str] = {}

    def create(self, username: str, role: Role | str, *, entity_ids: list[str] | None = None) -> str:
        with self._factory() as s:
            user = User(
                username=username, password_hash=self._hash, role=str(role), is_active=True, created_at=NOW
            )
            user.entity_limits = [UserEntity(entity_id=e) for e in entity_ids or []]
            s.add(user)
            s.commit()
            self.ids[username] = user.id
            return user.id

    def token(self, username: str) -> str:
        if username not in self.ids:
            self.create(username, username if username in set(Role) else Role.VIEWER)
        token, _ = create_token(
            subject=self.ids[username],
            key=SECRET,
            audience=self._settings.token_audience,
            now=datetime.now(UTC),
            minutes=30,
        )
        return token

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}


@pytest.fixture
def users(session_factory: sessionmaker[Session], settings: Settings, password_hash: str) -> Users:
    return Users(session_factory, settings, password_hash)


@pytest.fixture
def as_admin(users: Users) -> dict[str, str]:
    return users.headers("admin")
