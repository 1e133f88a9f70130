"""A real read replica: reads of lists and reports go to it, writes stay on the primary and are refused on it.

The test makes a second PostgreSQL cluster, a streaming standby of the test server, with pg_basebackup (as the
`postgres` OS user: the server refuses to run as root) in a fresh temporary directory on a free port, and
starts it with pg_ctl. The app gets `database_url` = a fresh database on the primary and
`read_database_url` = the same database on the standby. It writes through the API (an entity, a journal
entry), waits for the standby to replay them, reads them back through the API, and shows from the
statements each engine ran that the reads were served by the standby, and from `pg_is_in_recovery()` that
the read engine is connected to a standby; a write through the read engine fails with "read-only
transaction". The standby is stopped and removed at the end.

PostgreSQL only. Without root, runuser or replication access the test is skipped, except with CI=true, where
failing to build the standby fails the test (.ci/ensure-system allows replication from 127.0.0.1).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.cli import migrate_to_head
from app.core.config import Settings
from app.core.security import create_token, hash_password
from app.main import create_app
from app.users.models import User
from tests.conftest import IN_CI, POSTGRES_URL, SECRET, create_postgres_database

#: Settings a hot standby must have at least as high as its primary's.
STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
WAIT_SECONDS = 30


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine that cannot build a standby; in CI, fail."""
    if IN_CI:
        pytest.fail(f"cannot build the read replica: {reason}", pytrace=False)
    pytest.skip(f"cannot build the read replica: {reason}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class Standby:
    port: int
    data: Path
    root: Path
    bin_dir: Path

    def url_for(self, primary_url: str) -> str:
        return make_url(primary_url).set(port=self.port).render_as_string(hide_password=False)

    def stop(self) -> None:
        _as_postgres(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=30
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _primary_facts(admin: Engine) -> tuple[Path, dict[str, str]]:
    with admin.connect() as conn:
        major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
        minimums = {name: str(conn.execute(text(f"SHOW {name}")).scalar_one()) for name in STANDBY_MINIMUMS}
    return Path(f"/usr/lib/postgresql/{major}/bin"), minimums


def build_standby(primary_admin_url: str) -> Standby:
    """A running hot standby of the server at `primary_admin_url`, or skip/fail saying why not."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        _unavailable("needs root and runuser to run PostgreSQL as the postgres user")
    admin = create_engine(primary_admin_url)
    try:
        bin_dir, minimums = _primary_facts(admin)
    finally:
        admin.dispose()
    if not (bin_dir / "pg_basebackup").exists():
        _unavailable(f"no {bin_dir}/pg_basebackup")
    primary = make_url(primary_admin_url)
    root = Path(tempfile.mkdtemp(prefix="gl-replica-"))
    shutil.chown(root, user="postgres", group="postgres")
    data = root / "data"
    port = _free_port()
    backup = _as_postgres(
        str(bin_dir / "pg_basebackup"),
        "-h",
        primary.host or "127.0.0.1",
        "-p",
        str(primary.port or 5432),
        "-U",
        primary.username or "postgres",
        "-D",
        str(data),
        "-R",
        "-X",
        "stream",
        "-c",
        "fast",
    )
    if backup.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"pg_basebackup failed: {backup.stderr.strip()[-500:]}")
    # Debian keeps the configuration outside the data directory, so the copy has none: give it its own.
    config = [
        f"port = {port}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{root}'",
        "hot_standby = on",
        "shared_buffers = 32MB",
        "fsync = off",
        *(f"{name} = {value}" for name, value in minimums.items()),
    ]
    for name, content in (
        ("postgresql.conf", "\n".join(config) + "\n"),
        ("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n"),
        ("pg_ident.conf", ""),
    ):
        (data / name).write_text(content, encoding="utf-8")
        shutil.chown(data / name, user="postgres", group="postgres")
    started = _as_postgres(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(root / "server.log"),
        "-w",
        "-t",
        str(WAIT_SECONDS),
        "start",
    )
    standby = Standby(port=port, data=data, root=root, bin_dir=bin_dir)
    if started.returncode != 0:
        log = (
            (root / "server.log").read_text(errors="replace")[-800:] if (root / "server.log").exists() else ""
        )
        standby.stop()
        _unavailable(f"the standby did not start: {started.stdout.strip()} {log}")
    return standby


@pytest.fixture
def replica_urls(backend: str) -> Iterator[tuple[str, str]]:
    """(primary URL, standby URL) of one fresh, migrated database, replicated."""
    if backend != "postgresql":
        pytest.skip("read replicas are a PostgreSQL setup")
    primary_url, drop = create_postgres_database(prefix="gl_replica")
    try:
        migrate_to_head(Settings(env="test", database_url=primary_url, secret_key=SECRET))
        standby = build_standby(POSTGRES_URL)
        try:
            yield primary_url, standby.url_for(primary_url)
        finally:
            standby.stop()
    finally:
        drop()


def _wait_until_replayed(primary: Engine, replica: Engine) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    with primary.connect() as conn:
        target = conn.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with replica.connect() as conn:
            behind = conn.execute(
                text("SELECT pg_wal_lsn_diff(:target, pg_last_wal_replay_lsn()) > 0"), {"target": target}
            ).scalar_one()
        if not behind:
            return
        time.sleep(0.1)
    pytest.fail(f"the standby did not replay up to {target} in {WAIT_SECONDS} s")


class Statements:
    """The statements an engine ran while recording."""

    def __init__(self, engine: Engine) -> None:
        self.seen: list[str] = []
        self.recording = False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.recording:
            self.seen.append(" ".join(statement.split()).lower())

    def touching(self, table: str) -> list[str]:
        return [s for s in self.seen if f"from {table}" in s or f"join {table}" in s or f"into {table}" in s]


def _admin_headers(primary_url: str) -> dict[str, str]:
    engine = create_engine(primary_url)
    try:
        with engine.begin() as conn:
            user_id = conn.execute(
                insert(User).returning(User.id),
                {
                    "id": "replica-admin",
                    "username": "replica-admin",
                    "password_hash": hash_password("x" * 12),
                    "role": "admin",
                    "is_active": True,
                    "created_at": datetime.now(UTC),
                    "version": 1,
                },
            ).scalar_one()
    finally:
        engine.dispose()
    token, _ = create_token(
        subject=user_id, key=SECRET, audience="groupledger", now=datetime.now(UTC), minutes=10
    )
    return {"Authorization": f"Bearer {token}"}


class TestReadReplica:
    def test_reads_are_served_by_the_replica_and_writes_stay_on_the_primary(
        self, replica_urls: tuple[str, str]
    ) -> None:
        primary_url, replica_url = replica_urls
        settings = Settings(
            env="test",
            database_url=primary_url,
            read_database_url=replica_url,
            secret_key=SECRET,
        )
        app = create_app(settings=settings)
        write_engine: Engine = app.state.session_factory.kw["bind"]
        read_engine: Engine = app.state.read_session_factory.kw["bind"]
        on_primary, on_replica = Statements(write_engine), Statements(read_engine)
        headers = _admin_headers(primary_url)

        with TestClient(app, raise_server_exceptions=False) as client:
            on_primary.recording = on_replica.recording = True
            created = client.post(
                "/api/v1/entities",
                headers=headers,
                json={"code": "RPL1", "name": "只读副本测试公司", "kind": "company"},
            )
            entity_id = created.json()["id"]
            posted = client.post(
                "/api/v1/journal-entries",
                headers=headers,
                json={
                    "entity_id": entity_id,
                    "entry_date": "2026-03-15",
                    "description": "replicated",
                    "lines": [
                        {"account_code": "6602", "debit": "125.50"},
                        {"account_code": "1002", "credit": "125.50"},
                    ],
                },
            )
            writes_on_replica = list(on_replica.seen)
            writes_on_primary = list(on_primary.seen)
            _wait_until_replayed(write_engine, read_engine)
            on_primary.seen.clear()
            on_replica.seen.clear()
            listed = client.get("/api/v1/entities", headers=headers, params={"code": "RPL1"})
            balance = client.get(
                f"/api/v1/entities/{entity_id}/trial-balance", headers=headers, params={"as_of": "2026-03-31"}
            )

        with read_engine.connect() as conn:
            read_side_in_recovery = conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
        with write_engine.connect() as conn:
            write_side_in_recovery = conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
        with pytest.raises(DBAPIError) as refused, read_engine.begin() as conn:
            conn.execute(
                text("UPDATE legal_entity SET name = 'changed on the replica' WHERE id = :id"),
                {"id": entity_id},
            )
        app.state.session_factory.kw["bind"].dispose()
        read_engine.dispose()

        assert created.status_code == 201, created.text
        assert posted.status_code == 201, posted.text
        assert any(s.startswith("insert into legal_entity") for s in writes_on_primary)
        assert any(s.startswith("insert into journal_line") for s in writes_on_primary)
        assert writes_on_replica == [], f"nothing is written through the read engine: {writes_on_replica}"
        assert listed.status_code == 200
        assert [item["code"] for item in listed.json()["items"]] == ["RPL1"]
        assert on_replica.touching("legal_entity"), "the entity list was read from the replica"
        assert not on_primary.touching("legal_entity"), f"the list touched the primary: {on_primary.seen}"
        assert balance.status_code == 200, balance.text
        assert {(line["account_code"], line["balance"]) for line in balance.json()["lines"]} == {
            ("6602", "125.5000"),
            ("1002", "-125.5000"),
        }
        assert on_replica.touching("account_balance") or on_replica.touching("journal_line"), on_replica.seen
        assert not on_primary.touching("account_balance")
        assert not on_primary.touching("journal_line")
        assert read_side_in_recovery is True
        assert write_side_in_recovery is False
        assert "read-only transaction" in str(refused.value)
