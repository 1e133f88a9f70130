"""PostgreSQL for the benchmarks: a fresh database per scenario, migrated the way production is.

Scenarios never share a database, so one scenario's rows and caches never flatter another's numbers, and a
killed scenario leaves nothing behind (the runner drops its database). The server is the one the tests use
(`GROUPLEDGER_BENCH_POSTGRES_URL`, else `GROUPLEDGER_TEST_POSTGRES_URL`, else the local default).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_SECRET = "bench-secret-key-that-is-long-enough-for-hs256-tokens"


def admin_url() -> str:
    """The SQLAlchemy URL of a database on the benchmark server from which others are created."""
    return os.environ.get(
        "GROUPLEDGER_BENCH_POSTGRES_URL",
        os.environ.get("GROUPLEDGER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
    )


def libpq_url(url: str) -> str:
    """The same database as a libpq URI (psycopg.connect, COPY), from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def reachable(*, url: str | None = None) -> str | None:
    """None when the server answers, else the first line of the reason."""
    try:
        with psycopg.connect(libpq_url(url or admin_url()), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def server_version(*, url: str | None = None) -> str | None:
    try:
        with psycopg.connect(libpq_url(url or admin_url()), connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else None
    except Exception:
        return None


@dataclass(frozen=True)
class ScratchDatabase:
    """A database created for one scenario; `drop()` removes it even while connections are open."""

    name: str
    url: str

    def drop(self) -> None:
        engine = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        finally:
            engine.dispose()


def create_database(*, prefix: str = "gl_bench") -> ScratchDatabase:
    """A fresh, empty database beside the admin one (as tests/conftest.py does for tests)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    url = make_url(admin_url()).set(database=name).render_as_string(hide_password=False)
    return ScratchDatabase(name=name, url=url)


def migrate(*, url: str) -> None:
    """`alembic upgrade head`, exactly as `groupledger migrate` does."""
    from app.cli import migrate_to_head
    from app.core.config import Settings

    migrate_to_head(Settings(env="test", database_url=url, secret_key=BENCH_SECRET))


def existing_tables(*, url: str) -> set[str]:
    """Tables the migrations have created so far: features that have not landed have none."""
    from sqlalchemy import inspect

    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def unmigrated_tables(*, url: str) -> list[str]:
    """Tables the application's models define that the migrations have not created: a feature whose code has
    landed before its migration (its routes would fail with 500)."""
    import app.models  # noqa: F401  (every table in the metadata)
    from app.core.db import Base

    return sorted(set(Base.metadata.tables) - existing_tables(url=url))


def vacuum_analyze(*, url: str, tables: list[str]) -> None:
    """Fresh statistics after a bulk load (autovacuum is off on the CI server), as an operator would run."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        for table in tables:
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))


def copy_csv_file(conn: psycopg.Connection[Any], *, table: str, path: Path) -> None:
    """COPY a CSV file with a header row into `table`, in 1 MiB writes."""
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER)") as copy,
        path.open("rb") as handle,
    ):
        while chunk := handle.read(1 << 20):
            copy.write(chunk)
