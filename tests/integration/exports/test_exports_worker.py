"""The in-process worker on committed databases: jobs run in the background and are followed by GET; a
read snapshot keeps a package consistent while others post; memory stays flat for big journals; jobs whose
worker died are failed; the CLI exports with the same result as the API."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli import cli
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.context import Actor
from app.core.db import atomic, make_engine, make_session_factory
from app.exports import job_runner, service
from app.exports.config import ExportSettings
from app.exports.jobs import ExportRunner
from app.exports.models import ExportJob
from app.ledger.domain.entries import LineDraft
from app.ledger.service import post_entry
from app.main import create_app
from tests.conftest import NOW, Users, settings_for
from tests.integration.exports.conftest import Committed

API = "/api/v1"


def _post(factory: sessionmaker[Session], *, entity_id: str, day: date, amount: str, lines: int = 2) -> None:
    actor = Actor(user_id=None, username="clerk", role="accountant")
    drafts = [LineDraft(account_code="1002", debit=Decimal(amount)) for _ in range(lines - 1)]
    drafts.append(LineDraft(account_code="4001", credit=Decimal(amount) * (lines - 1)))
    with factory() as session, atomic(session):
        post_entry(
            session,
            actor=actor,
            entity_id=entity_id,
            entry_date=day,
            description="worker test",
            lines=drafts,
            now=utcnow(),
        )


def bulk_journal(factory: sessionmaker[Session], *, entity_id: str, entries: int, lines: int) -> None:
    """Journal rows made by the database itself (no audit events or kept balances: the journal export reads
    only the journal), `entries` x `lines`, balanced; entry ids increase as the server's UUIDv7 ids do."""
    with factory() as session, atomic(session):
        session.execute(
            text(
                "INSERT INTO journal_entry (entity_id, id, fiscal_year, fiscal_month, number, entry_date, "
                "description, source, preparer, posted_at) "
                "SELECT :e, '01900000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'), 2025, 1 + (g % 12), g, "
                "DATE '2025-01-01' + (g % 365), "
                "'bulk entry ' || g, 'bulk', 'clerk', TIMESTAMPTZ '2025-06-01 00:00+00' "
                "FROM generate_series(1, :n) g"
            ),
            {"e": entity_id, "n": entries},
        )
        session.execute(
            text(
                "INSERT INTO journal_line (entity_id, entry_id, line_no, account_code, debit, credit, "
                "currency, amount_in_currency, rate, memo) "
                "SELECT e.entity_id, e.id, l, CASE WHEN l = 1 THEN '4001' ELSE '1002' END, "
                "CASE WHEN l = 1 THEN 0 ELSE 12.3456 END, "
                "CASE WHEN l = 1 THEN 12.3456 * (:k - 1) ELSE 0 END, "
                "'CNY', CASE WHEN l = 1 THEN -12.3456 * (:k - 1) ELSE 12.3456 END, 1, 'line ' || l "
                "FROM journal_entry e, generate_series(1, :k) l WHERE e.entity_id = :e"
            ),
            {"e": entity_id, "k": lines},
        )


def _follow(
    client: TestClient, headers: dict[str, str], job: dict[str, Any], *, seconds: float = 120
) -> tuple[dict[str, Any], list[str]]:
    statuses = [job["status"]]
    deadline = time.monotonic() + seconds
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(f"{API}/exports/{job['id']}", headers=headers).json()
        statuses.append(job["status"])
    return job, statuses


def _vm(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(name)


class TestThreadWorkerOnPostgres:
    def test_a_job_runs_in_the_background_with_progress_and_one_snapshot(
        self, committed_pg: Committed, tmp_path: Path
    ) -> None:
        company = committed_pg.company("WORKER")
        bulk_journal(committed_pg.factory, entity_id=company, entries=6000, lines=5)
        committed_pg.users.create("worker-auditor", "auditor")
        headers = committed_pg.users.headers("worker-auditor")
        app = create_app(settings=committed_pg.settings)
        app.state.export_settings = ExportSettings(directory=tmp_path, worker="auto")

        with TestClient(app) as client:
            response = client.post(
                f"{API}/exports", json={"kind": "journal", "entity_ids": [company]}, headers=headers
            )
            for day in range(1, 6):
                _post(committed_pg.factory, entity_id=company, day=date(2026, 1, day), amount="1")
            job, statuses = _follow(client, headers, response.json())
            package = client.get(f"{API}/exports/{job['id']}/package", headers=headers)
            runner = app.state.export_runner
            runner.shutdown()

        assert response.status_code == 202
        assert runner.mode == "thread"
        assert statuses[0] in ("queued", "running")
        assert statuses[-1] == "done"
        # The snapshot is taken when the job starts: some of the five entries posted meanwhile may be in it,
        # whole (two lines each), and the file, the count and the totals agree on it.
        assert job["total_rows"] == job["progress_rows"]
        assert job["progress_rows"] in range(30000, 30011, 2)
        archive = zipfile.ZipFile(io.BytesIO(package.content))
        rows = archive.read("journal_lines.csv").decode().count("\n") - 1
        totals = json.loads(archive.read("manifest.json"))["files"][0]["control_totals"]
        assert rows == job["progress_rows"]
        assert totals["debit"] == totals["credit"]
        assert hashlib.sha256(package.content).hexdigest() == job["package_sha256"]

    def test_memory_stays_flat_while_a_big_journal_is_written(
        self, committed_pg: Committed, tmp_path: Path
    ) -> None:
        company = committed_pg.company("MEMORY")
        bulk_journal(committed_pg.factory, entity_id=company, entries=12_500, lines=8)
        actor = Actor(user_id=None, username="memory-auditor", role="auditor")
        with committed_pg.factory() as session:
            job = service.create_job(
                session,
                actor=actor,
                request=service.ExportRequest(kind="journal", entity_ids=[company]),
                now=NOW,
                presentation_currency="CNY",
            )
        runner = ExportRunner(
            write_factory=committed_pg.factory,
            read_factory=committed_pg.factory,
            settings=committed_pg.settings,
            exports=ExportSettings(directory=tmp_path, worker="inline"),
        )
        Path("/proc/self/clear_refs").write_text("5")
        before = _vm("VmRSS")

        job_runner.run_job(job_id=job.id, options=runner.options())

        growth = _vm("VmHWM") - before
        with committed_pg.factory() as session:
            done = session.get(ExportJob, job.id)
            assert done is not None
        assert done.status == "done", done.error
        assert done.progress_rows == 100_000
        assert growth < 60 * 1024 * 1024, f"peak memory grew by {growth / 1e6:.1f} MB"


class TestThreadWorkerOnSqlite:
    def test_a_background_export_does_not_hold_the_write_lock(
        self, tmp_path: Path, password_hash: str
    ) -> None:
        url = f"sqlite:///{tmp_path}/worker.sqlite3"
        settings = settings_for(url)
        from app.cli import migrate_to_head

        migrate_to_head(settings)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        users = Users(factory, settings, password_hash)
        users.create("lite-auditor", "auditor")
        from app.entities.models import LegalEntity

        with factory() as session:
            entity = LegalEntity(
                code="LITE",
                name="lite",
                kind="company",
                functional_currency="CNY",
                created_at=NOW,
                status="active",
                version=1,
            )
            session.add(entity)
            session.commit()
            company = entity.id
        for day in range(1, 29):
            _post(factory, entity_id=company, day=date(2026, 2, day), amount="3", lines=40)
        app = create_app(settings=settings)
        app.state.export_settings = ExportSettings(directory=tmp_path / "exports")
        headers = users.headers("lite-auditor")

        with TestClient(app) as client:
            first = client.post(
                f"{API}/exports", json={"kind": "journal", "format": "xlsx"}, headers=headers
            ).json()
            started = time.monotonic()
            _post(factory, entity_id=company, day=date(2026, 3, 1), amount="5")
            posting_seconds = time.monotonic() - started
            job, _ = _follow(client, headers, first)
            app.state.export_runner.shutdown()
        engine.dispose()

        assert job["status"] == "done", job["error"]
        assert job["progress_rows"] in (28 * 40, 28 * 40 + 2)
        assert posting_seconds < 10


def test_a_job_whose_worker_stopped_is_failed(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        job = ExportJob(
            kind="journal",
            format="csv",
            params={},
            entity_scope=None,
            export_id="1" * 32,
            status="running",
            progress_rows=10,
            created_by_id=None,
            created_by="gone",
            created_role="auditor",
            created_at=NOW,
            heartbeat_at=NOW,
        )
        fresh = ExportJob(
            kind="journal",
            format="csv",
            params={},
            entity_scope=None,
            export_id="2" * 32,
            status="running",
            progress_rows=10,
            created_by_id=None,
            created_by="alive",
            created_role="auditor",
            created_at=NOW,
            heartbeat_at=NOW + timedelta(minutes=14),
        )
        session.add_all([job, fresh])
        session.commit()
        stale_id, fresh_id = job.id, fresh.id

    reaped = service.reap_stale(session_factory, now=NOW + timedelta(minutes=20), stale_after_seconds=900)

    with session_factory() as session:
        stale = session.get(ExportJob, stale_id)
        alive = session.get(ExportJob, fresh_id)
        assert stale is not None
        assert alive is not None
        assert reaped == [stale_id]
        assert stale.status == "failed"
        assert "stopped" in (stale.error or "")
        assert alive.status == "running"


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("GROUPLEDGER_DATABASE_URL", url)
    monkeypatch.setenv("GROUPLEDGER_SECRET_KEY", "cli-test-secret-0123456789-0123456789")
    monkeypatch.setenv("GROUPLEDGER_EXPORTS_DIRECTORY", str(tmp_path / "kept"))
    get_settings.cache_clear()
    from app.exports.config import export_settings

    export_settings.cache_clear()
    assert CliRunner().invoke(cli, ["migrate"]).exit_code == 0
    yield url
    get_settings.cache_clear()
    export_settings.cache_clear()


def test_the_cli_exports_the_same_package_as_before(cli_database: str, tmp_path: Path) -> None:
    factory = make_session_factory(make_engine(cli_database))
    from app.entities.models import LegalEntity

    with factory() as session:
        session.add(
            LegalEntity(
                code="CLI1",
                name="cli",
                kind="company",
                functional_currency="CNY",
                created_at=NOW,
                status="active",
                version=1,
            )
        )
        session.commit()
        company = session.query(LegalEntity).filter_by(code="CLI1").one().id
    _post(factory, entity_id=company, day=date(2026, 4, 1), amount="9.99")
    runner = CliRunner()

    first = runner.invoke(cli, ["export", "journal", "--entity", "CLI1", "--out", str(tmp_path / "a.zip")])
    runner.invoke(cli, ["export", "journal", "--entity", "CLI1", "--out", str(tmp_path / "b.zip")])
    refused = runner.invoke(cli, ["export", "trial_balance"])
    unknown = runner.invoke(cli, ["export", "journal", "--entity", "NOPE"])

    assert first.exit_code == 0, first.output
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    names = zipfile.ZipFile(tmp_path / "a.zip").namelist()
    assert names == ["SHA256SUMS", "journal_lines.csv", "manifest.json"]
    assert "2 rows" in first.output
    assert refused.exit_code == 1
    assert "needs `to`" in refused.output
    assert unknown.exit_code == 1
    assert "NOPE" in unknown.output
