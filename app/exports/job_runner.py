"""Running an export job: claim it, read everything in one snapshot, write the package, record the end.

`run_job` (called by the in-process worker, or inline) reads the data in one consistent snapshot of the
read database, writes the files, the manifest and `SHA256SUMS`, zips them deterministically and records
`export.completed` with the manifest's and the package's SHA-256 in the audit trail (or `export.failed`).
On PostgreSQL a CSV table of plain columns is written by the database itself (`COPY ... TO STDOUT`).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import structlog
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import DomainError, ValidationFailedError, violation
from app.exports import copy_csv, datasets, saft, service
from app.exports.datasets import ExportQuery, Extras, Table
from app.exports.models import ExportJob
from app.exports.package import PackageWriter, file_entry, manifest_bytes
from app.exports.writers import Tally, WrittenFile, write_csv, write_jsonl, write_xlsx

log = structlog.get_logger(__name__)

EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl", "xml": "xml"}
PROGRESS_SECONDS = 1.0
ERROR_CHARS = 2000


def query_of(job: ExportJob) -> ExportQuery:
    params = job.params

    def day(key: str) -> date | None:
        value = params.get(key)
        return None if value is None else date.fromisoformat(value)

    return ExportQuery(
        kind=job.kind,
        scope=None if job.entity_scope is None else frozenset(job.entity_scope),
        date_from=day("from"),
        date_to=day("to"),
        tolerance=Decimal(params.get("tolerance") or 0),
        after_seq=params.get("after_seq"),
        run_id=params.get("run_id"),
        presentation_currency=params.get("presentation_currency") or "CNY",
    )


def tables_for(session: Session, *, actor: Actor, query: ExportQuery, extras: Extras) -> list[Table]:
    builders: dict[str, Callable[..., list[Table]]] = {
        "trial_balance": datasets.trial_balance_tables,
        "chart": datasets.chart_tables,
        "assets": datasets.asset_tables,
        "equity": datasets.equity_tables,
        "entities": datasets.entity_tables,
        "intercompany": datasets.intercompany_tables,
        "consolidation": datasets.consolidation_tables,
        "users": datasets.user_tables,
    }
    if query.kind == "journal":
        return [datasets.journal_table(session, query)]
    if query.kind == "audit_trail":
        return datasets.audit_tables(session, actor=actor, query=query, extras=extras)
    return builders[query.kind](session, actor=actor, query=query)


@dataclass
class RunOptions:
    """How `run_job` reaches the database, the disk and the clock."""

    directory: Path
    read_factory: sessionmaker[Session]
    write_factory: sessionmaker[Session]
    clock: Callable[[], datetime]
    saft_schema: Path | None = None
    report_progress: bool = True
    snapshot: Callable[[Session], None] | None = None
    worker: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    )
    on_progress: Callable[[int, int | None], None] | None = None


class _Progress:
    """Rows written so far; stored on the job at most once a second (the worker's heartbeat too)."""

    def __init__(self, job_id: str, options: RunOptions) -> None:
        self.job_id, self.options = job_id, options
        self.rows = 0
        self.total: int | None = None
        self._stored_at = 0.0

    def add(self, rows: int) -> None:
        self.rows += rows
        if self.options.on_progress is not None:
            self.options.on_progress(self.rows, self.total)
        if self.options.report_progress and time.monotonic() - self._stored_at >= PROGRESS_SECONDS:
            self.store()

    def store(self) -> None:
        self._stored_at = time.monotonic()
        with self.options.write_factory() as session, atomic(session):
            session.execute(
                update(ExportJob)
                .where(ExportJob.id == self.job_id)
                .values(progress_rows=self.rows, total_rows=self.total, heartbeat_at=self.options.clock())
            )


def _claim(job_id: str, options: RunOptions) -> bool:
    with options.write_factory() as session, atomic(session):
        now = options.clock()
        claimed = session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.status == "queued")
            .values(status="running", started_at=now, heartbeat_at=now, worker=options.worker[:100])
        )
        return bool(getattr(claimed, "rowcount", 0) == 1)


def run_job(*, job_id: str, options: RunOptions) -> None:
    """Run a queued job to its end (done or failed). A job another worker claimed first is left alone."""
    if not _claim(job_id, options):
        return
    work = options.directory / f".work-{job_id}"
    try:
        with options.write_factory() as session:
            job = session.get(ExportJob, job_id)
            assert job is not None
            session.expunge(job)
        options.directory.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        progress = _Progress(job_id, options)
        target = options.directory / f"{job_id}.zip"
        with PackageWriter(target) as writer:
            files, extras = _write_files(job, options, work, progress, writer)
            manifest = manifest_bytes(
                export_id=job.export_id,
                kind=job.kind,
                format=job.format,
                parameters=job.params,
                files=[file_entry(f, format=job.format) for f in files],
                extra=extras.values,
            )
            package = writer.finish(files=files, manifest=manifest)
        rows = sum(f.rows for f in files)
        with options.write_factory() as session, atomic(session):
            stored = session.get(ExportJob, job_id, with_for_update=True)
            assert stored is not None
            now = options.clock()
            stored.status = "done"
            stored.progress_rows = rows
            stored.total_rows = rows
            stored.manifest_sha256 = package.manifest_sha256
            stored.package_sha256 = package.sha256
            stored.package_bytes = package.size
            stored.package_name = target.name
            stored.finished_at = now
            stored.heartbeat_at = now
            audit.record(
                session,
                actor=service.job_actor(job),
                action="export.completed",
                subject_type="export",
                subject_id=job_id,
                at=now,
                before={"status": "running"},
                after={
                    **service.job_snapshot(stored),
                    "rows": rows,
                    "files": [{"name": f.name, "rows": f.rows, "sha256": f.sha256} for f in files],
                    "manifest_sha256": package.manifest_sha256,
                    "package_sha256": package.sha256,
                    "package_bytes": package.size,
                },
            )
    except Exception as exc:
        log.exception("export.failed", job_id=job_id)
        _fail(job_id, options, exc)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        errors = exc.extensions.get("errors")
        text = exc.detail + (f": {errors}" if errors else "")
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:ERROR_CHARS]


def _fail(job_id: str, options: RunOptions, exc: Exception) -> None:
    with options.write_factory() as session, atomic(session):
        job = session.get(ExportJob, job_id, with_for_update=True)
        if job is None:
            return
        now = options.clock()
        job.status, job.error, job.finished_at, job.heartbeat_at = "failed", _error_text(exc), now, now
        audit.record(
            session,
            actor=service.job_actor(job),
            action="export.failed",
            subject_type="export",
            subject_id=job_id,
            at=now,
            before={"status": "running"},
            after={**service.job_snapshot(job), "error": job.error},
        )


def _write_files(
    job: ExportJob, options: RunOptions, work: Path, progress: _Progress, writer: PackageWriter
) -> tuple[list[WrittenFile], Extras]:
    """Read everything in one snapshot of the read database and write the data files."""
    actor = datasets.scoped_actor(
        service.job_actor(job), None if job.entity_scope is None else frozenset(job.entity_scope)
    )
    query = query_of(job)
    extras = Extras()
    with options.read_factory() as session:
        if options.snapshot is not None:
            options.snapshot(session)
        if job.kind == "saft":
            saft_files = _write_saft(
                session,
                actor=actor,
                query=query,
                work=work,
                options=options,
                progress=progress,
                writer=writer,
            )
            return saft_files, extras
        tables = tables_for(session, actor=actor, query=query, extras=extras)
        counted = [copy_csv.database_totals(session, file_format=job.format, table=t) for t in tables]
        if all(c is not None or t.count is not None for t, c in zip(tables, counted, strict=True)):
            progress.total = sum(
                c[0] if c is not None else _count(t) for t, c in zip(tables, counted, strict=True)
            )
            if options.report_progress:
                progress.store()
        files = [
            _write_table(session, job, table, work, progress, c, writer)
            for table, c in zip(tables, counted, strict=True)
        ]
    return files, extras


def _count(table: Table) -> int:
    assert table.count is not None
    return table.count()


def _write_table(
    session: Session,
    job: ExportJob,
    table: Table,
    work: Path,
    progress: _Progress,
    counted: copy_csv.DatabaseTotals | None,
    writer: PackageWriter,
) -> WrittenFile:
    name = f"{table.name}.{EXTENSIONS[job.format]}"
    bom = bool(job.params.get("bom"))
    if counted is not None and table.sql is not None:
        with writer.data_file(name) as out:
            return copy_csv.copy_csv(
                session,
                table=table,
                sql=table.sql,
                name=name,
                out=out,
                bom=bom,
                on_rows=progress.add,
                counted=counted,
            )
    tally = Tally(columns=table.columns, currency_column=table.currency_column, on_progress=progress.add)
    rows = table.rows()
    if job.format == "csv":
        with writer.data_file(name) as out:
            return write_csv(name=name, out=out, columns=table.columns, rows=rows, tally=tally, bom=bom)
    if job.format == "jsonl":
        with writer.data_file(name) as out:
            return write_jsonl(name=name, out=out, columns=table.columns, rows=rows, tally=tally)
    path = work / name
    written = write_xlsx(
        name=name, path=path, columns=table.columns, rows=rows, tally=tally, sheet=table.name, tmpdir=work
    )
    writer.add_path(name, path)
    path.unlink()
    return written


def _write_saft(
    session: Session,
    *,
    actor: Actor,
    query: ExportQuery,
    work: Path,
    options: RunOptions,
    progress: _Progress,
    writer: PackageWriter,
) -> list[WrittenFile]:
    schema = None if options.saft_schema is None else saft.load_schema(options.saft_schema)
    out: list[WrittenFile] = []
    for company in datasets.companies(session, query.scope):
        name = f"saft_{_safe_name(company.code)}.xml"
        path = work / name
        written = saft.write_company(
            session, actor=actor, entity=company, query=query, path=path, on_progress=progress.add
        )
        if schema is not None:
            problems = saft.validate(path, schema)
            if problems:
                raise ValidationFailedError(
                    f"{name} does not validate against the SAF-T schema",
                    errors=[violation(("file", name), message, "schema") for message in problems],
                )
        writer.add_path(name, path)
        path.unlink()
        out.append(
            WrittenFile(
                name=name,
                size=written.size,
                sha256=written.sha256,
                columns=(),
                rows=written.lines,
                totals={"debit": written.debit, "credit": written.credit},
                by_currency={company.functional_currency: {"debit": written.debit, "credit": written.credit}},
            )
        )
    return out


def _safe_name(code: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in code)
