"""`groupledger backup` / `restore` on SQLite and PostgreSQL: the restored database has the same audit chain
and the same figures (content and trial-balance digests) as the backup, and a damaged file is refused. Last,
migrations on data: upgrading the filled database from every earlier revision keeps every figure.

One database per backend, filled once by the demo (committed data: a backup reads it from outside); each
test takes its own backup first, so the tests do not depend on each other's changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, MetaData, select, update
from typer.testing import CliRunner

from app.audit.models import AuditEvent
from app.backup.check import check_database
from app.backup.service import (
    BackupError,
    backup_database,
    manifest_path,
    restore_database,
)
from app.cli import cli, migrate_to_head
from app.core.config import Settings, get_settings
from app.core.context import SYSTEM_ACTOR
from app.core.db import make_engine, make_session_factory
from app.demo.loader import load_demo
from app.entities import service as entities_service
from app.entities.models import LegalEntity
from tests.conftest import create_database, settings_for

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


@pytest.fixture(scope="module")
def filled(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    url, drop = create_database(backend, tmp_path_factory.mktemp("backup-db"))
    settings = settings_for(url)
    migrate_to_head(settings)
    load_demo(settings=settings, now=NOW)
    yield settings
    drop()


def _add_entity(settings: Settings, code: str) -> None:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            entities_service.create_entity(
                session,
                actor=SYSTEM_ACTOR,
                code=code,
                name=f"后来的公司 {code}",
                name_en=None,
                kind="company",
                uscc=None,
                uscc_override_reason=None,
                functional_currency="CNY",
                country="CN",
                segment=None,
                established_on=None,
                now=NOW,
            )
    finally:
        engine.dispose()


def _entity_codes(settings: Settings) -> set[str]:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(select(LegalEntity.code)).scalars())
    finally:
        engine.dispose()


def test_backup_records_the_figures_of_the_database(filled: Settings, tmp_path: Path) -> None:
    before = check_database(url=filled.database_url)

    manifest = backup_database(settings=filled, target=tmp_path / "gl.backup", now=NOW)

    assert before.audit_ok
    assert before.audit_checked > 0
    assert before.row_counts["legal_entity"] > 0
    assert manifest.check == before
    assert manifest.file_bytes == (tmp_path / "gl.backup").stat().st_size
    assert manifest_path(tmp_path / "gl.backup").exists()


def test_restore_gives_back_exactly_the_backed_up_database(filled: Settings, tmp_path: Path) -> None:
    before = check_database(url=filled.database_url)
    backup_database(settings=filled, target=tmp_path / "gl.backup", now=NOW)
    _add_entity(filled, "LATE1")
    changed = check_database(url=filled.database_url)

    report = restore_database(settings=filled, source=tmp_path / "gl.backup")

    assert changed.content_digest != before.content_digest
    assert report.ok, report.mismatches
    assert report.check.content_digest == before.content_digest
    assert report.check.trial_balance_digest == before.trial_balance_digest
    assert report.check.audit_checked == before.audit_checked
    assert "LATE1" not in _entity_codes(filled)


def test_a_damaged_backup_is_refused_and_nothing_is_touched(filled: Settings, tmp_path: Path) -> None:
    target = tmp_path / "gl.backup"
    backup_database(settings=filled, target=target, now=NOW)
    _add_entity(filled, "LATE2")
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))

    with pytest.raises(BackupError, match="does not match its manifest"):
        restore_database(settings=filled, source=target)

    assert "LATE2" in _entity_codes(filled)


def test_a_restore_that_differs_from_its_manifest_is_reported(filled: Settings, tmp_path: Path) -> None:
    target = tmp_path / "gl.backup"
    backup_database(settings=filled, target=target, now=NOW)
    manifest = manifest_path(target)
    manifest.write_text(manifest.read_text().replace('"audit_checked": ', '"audit_checked": 1'))

    report = restore_database(settings=filled, source=target)

    assert not report.ok
    assert any("audit events" in m for m in report.mismatches)


def test_a_broken_audit_chain_is_not_backed_up_and_a_restore_repairs_it(
    filled: Settings, tmp_path: Path
) -> None:
    good = tmp_path / "good.backup"
    backup_database(settings=filled, target=good, now=NOW)
    engine = make_engine(filled.database_url)
    with engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == 1).values(actor_name="mallory"))
    engine.dispose()

    with pytest.raises(BackupError, match="audit chain"):
        backup_database(settings=filled, target=tmp_path / "bad.backup", now=NOW)
    report = restore_database(settings=filled, source=good)

    assert report.ok
    assert check_database(url=filled.database_url).audit_ok


@pytest.fixture
def cli_settings(filled: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("GROUPLEDGER_DATABASE_URL", filled.database_url)
    monkeypatch.setenv("GROUPLEDGER_SECRET_KEY", "cli-test-secret-0123456789-0123456789")
    get_settings.cache_clear()
    yield filled
    get_settings.cache_clear()


def test_the_commands_back_up_and_restore(cli_settings: Settings, tmp_path: Path) -> None:
    target = tmp_path / "cli.backup"
    before = check_database(url=cli_settings.database_url)

    backed_up = runner.invoke(cli, ["backup", "--to", str(target)])
    _add_entity(cli_settings, "LATE3")
    restored = runner.invoke(cli, ["restore", "--from", str(target)])

    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    assert "audit chain verified" in restored.output
    assert "figures equal the backup's" in restored.output
    assert check_database(url=cli_settings.database_url).content_digest == before.content_digest


def test_restore_of_a_missing_file_is_one_line(cli_settings: Settings, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["restore", "--from", str(tmp_path / "nope.backup")])

    assert result.exit_code == 1
    assert "no backup file" in result.output
    assert "Traceback" not in result.output


# --- migrations on data (last in this module: it takes the schema down and back up) ------------------------


def _reflected_digest(
    url: str, columns: dict[str, list[str]] | None = None
) -> tuple[str, dict[str, list[str]]]:
    """Digest of the stored values of the given tables and columns (default: every table the database has,
    as reflected now), read as stored so an old and a new schema are compared column by column."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            meta = MetaData()
            meta.reflect(conn)
            chosen = columns or {
                name: sorted(c.name for c in table.columns)
                for name, table in meta.tables.items()
                if name != "alembic_version"
            }
            digest = hashlib.sha256()
            for name in sorted(chosen):
                table = meta.tables[name]
                cols = [table.c[c] for c in chosen[name]]
                digest.update(f"{name}:{chosen[name]}\n".encode())
                key = [c for c in table.primary_key.columns if c.name in chosen[name]]
                order = key or [c for c in cols if not isinstance(c.type, JSON)]
                for row in conn.execute(select(*cols).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
            return digest.hexdigest(), chosen
    finally:
        engine.dispose()


def test_upgrading_a_filled_database_keeps_every_figure(filled: Settings) -> None:
    """From every earlier revision, with the demo's data as that revision holds it, `upgrade head` keeps every
    value of every column that revision had, and the audit chain still verifies."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = filled.database_url
    revisions = [r.revision for r in ScriptDirectory.from_config(config).walk_revisions()][1:]
    changed = []

    for revision in revisions:
        command.downgrade(config, revision)
        before, columns = _reflected_digest(filled.database_url)
        command.upgrade(config, "head")
        after, _ = _reflected_digest(filled.database_url, columns)
        if after != before:
            changed.append(revision)

    assert revisions
    assert changed == []
    assert check_database(url=filled.database_url).audit_ok
