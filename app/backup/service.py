"""Backup and restore of the whole database, each followed by a check (`check`) that nothing was lost.

SQLite: the sqlite3 online backup API (a consistent copy while the service keeps running). PostgreSQL:
`pg_dump -Fc` / `pg_restore --clean --if-exists` into the configured database. Every backup writes a manifest
beside the file (`FILE.manifest.json`) with the file's SHA-256, the audit chain's state and two digests: one
of every table's content and one of the trial balances (when the ledger exists). A restore refuses a file
that does not match its manifest, and afterwards recomputes the audit chain and both digests and compares
them: a restore that does not give back the same figures is reported as failed, never as done.

The figures in the manifest are taken from exactly the data that was copied: from the copy itself on
SQLite, and inside the same exported snapshot that pg_dump reads on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url

from app.backup.check import DatabaseCheck, check_connection, check_database
from app.core.config import Settings
from app.core.db import make_engine
from app.core.errors import DomainError

MANIFEST_FORMAT = "groupledger-backup/1"
MANIFEST_SUFFIX = ".manifest.json"
_CHUNK = 1 << 20


class BackupError(DomainError):
    """A backup or restore that could not be done, or whose check failed."""

    status = 500
    slug = "backup-failed"
    title = "Backup or restore failed"


@dataclass(frozen=True)
class BackupManifest:
    format: str
    backend: str
    created_at: str
    file_sha256: str
    file_bytes: int
    schema_revision: str | None
    check: DatabaseCheck

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> BackupManifest:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise BackupError("the manifest is not a GroupLedger backup manifest")
        check = DatabaseCheck(**data["check"])
        return cls(**{**data, "check": check})


@dataclass(frozen=True)
class RestoreReport:
    """The state after a restore and every way it differs from the backup's manifest (empty: identical)."""

    backend: str
    manifest: BackupManifest | None
    check: DatabaseCheck
    mismatches: list[str]

    @property
    def ok(self) -> bool:
        return self.check.audit_ok and not self.mismatches


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def _schema_revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except Exception:  # a database never migrated has no such table
        return None


# --- files -----------------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_manifest(target: Path, manifest: BackupManifest) -> None:
    path = manifest_path(target)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    tmp.replace(path)


def read_manifest(source: Path) -> BackupManifest | None:
    path = manifest_path(source)
    if not path.exists():
        return None
    return BackupManifest.from_json(path.read_text(encoding="utf-8"))


# --- SQLite ----------------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    database = url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with the online backup API (page by page, consistent)."""
    src = sqlite3.connect(str(source), timeout=30)
    try:
        dst = sqlite3.connect(str(target), timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _backup_sqlite(url: URL, target: Path) -> tuple[DatabaseCheck, str | None]:
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"no database file at {source}")
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    _sqlite_copy(source, tmp)
    # The figures are those of the copy itself: whatever the service wrote meanwhile is not claimed.
    copy_url = URL.create("sqlite", database=str(tmp))
    engine = make_engine(copy_url.render_as_string())
    try:
        with engine.connect() as conn:
            check = check_connection(conn)
            revision = _schema_revision(conn)
    finally:
        engine.dispose()
    # A self-contained file: no -wal/-shm companions, and reading it later changes no byte of it.
    raw = sqlite3.connect(str(tmp))
    try:
        raw.execute("PRAGMA journal_mode=DELETE")
    finally:
        raw.close()
    tmp.replace(target)
    return check, revision


def _restore_sqlite(url: URL, source: Path) -> None:
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(source, target)


# --- PostgreSQL ------------------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return path


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _run(args: list[str], env: dict[str, str]) -> None:
    # The arguments are a tool found on PATH and our own options; nothing goes through a shell.
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: {message[-1] if message else done.returncode}")


def _backup_postgresql(url: URL, target: Path) -> tuple[DatabaseCheck, str | None]:
    dsn, env = _libpq(url)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            # pg_dump reads the very snapshot the check below reads: the manifest describes the dump.
            _run(
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(tmp),
                    "--dbname",
                    dsn,
                ],
                env,
            )
            check = check_connection(conn)
            revision = _schema_revision(conn)
            conn.rollback()
    finally:
        engine.dispose()
    tmp.replace(target)
    return check, revision


def _restore_postgresql(url: URL, source: Path) -> None:
    dsn, env = _libpq(url)
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            dsn,
            str(source),
        ],
        env,
    )


# --- the use cases ---------------------------------------------------------------------------------------


def backup_database(*, settings: Settings, target: Path, now: datetime) -> BackupManifest:
    """Copy the configured database to `target` (and its manifest beside it); the service may keep running."""
    url = make_url(settings.database_url)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if settings.is_sqlite:
        check, revision = _backup_sqlite(url, target)
        backend = "sqlite"
    else:
        check, revision = _backup_postgresql(url, target)
        backend = "postgresql"
    if not check.audit_ok:
        raise BackupError(f"the audit chain does not verify in the copy: {check.audit_reason}")
    manifest = BackupManifest(
        format=MANIFEST_FORMAT,
        backend=backend,
        created_at=now.isoformat(),
        file_sha256=file_sha256(target),
        file_bytes=target.stat().st_size,
        schema_revision=revision,
        check=check,
    )
    _write_manifest(target, manifest)
    return manifest


def compare(*, manifest: BackupManifest, check: DatabaseCheck) -> list[str]:
    """Every way the restored database differs from what the backup recorded."""
    expected = manifest.check
    out = []
    if check.content_digest != expected.content_digest:
        changed = sorted(
            name
            for name in set(expected.row_counts) | set(check.row_counts)
            if expected.row_counts.get(name) != check.row_counts.get(name)
        )
        detail = f" (row counts differ in {', '.join(changed)})" if changed else ""
        out.append(f"table contents differ from the backup{detail}")
    if check.trial_balance_digest != expected.trial_balance_digest:
        out.append("trial balances differ from the backup")
    if check.audit_checked != expected.audit_checked:
        out.append(f"audit events: {check.audit_checked} restored, {expected.audit_checked} in the backup")
    return out


def restore_database(*, settings: Settings, source: Path) -> RestoreReport:
    """Replace the configured database's content with the backup at `source`, then check it.

    Stop the service first: a restore replaces every table. A file whose checksum does not match its
    manifest is refused before anything is touched.
    """
    url = make_url(settings.database_url)
    source = source.resolve()
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    manifest = read_manifest(source)
    backend = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest is not None:
        if manifest.backend != backend:
            raise BackupError(
                f"the backup is of a {manifest.backend} database; the configured one is {backend}"
            )
        if file_sha256(source) != manifest.file_sha256:
            raise BackupError(
                "the backup file does not match its manifest (damaged or replaced); nothing restored"
            )
    if settings.is_sqlite:
        _restore_sqlite(url, source)
    else:
        _restore_postgresql(url, source)
    check = check_database(url=settings.database_url)
    mismatches = compare(manifest=manifest, check=check) if manifest is not None else []
    return RestoreReport(backend=backend, manifest=manifest, check=check, mismatches=mismatches)
