"""Audit exports as jobs: asking for one, running it into a package, reading it back; and the change feed.

Who: auditors and controllers (`EXPORTERS`: API.md "auditors and controllers only"; an admin manages
users and settings, and gets an auditor account to export). An entity-limited requester's export holds only
its entities (asked-for entities outside its set are answered as missing, 404), and it sees only its own
jobs; an unlimited exporter sees every job. The users-and-roles export needs an unlimited requester.

How: `create_job` validates the question, fixes its scope and records it (`export.requested`);
`run_job` (called by the in-process worker, or inline) reads the data in one consistent snapshot, writes
the files, the manifest and `SHA256SUMS`, zips them deterministically and records `export.completed` with
the manifest's and the package's SHA-256 in the audit trail (or `export.failed`).

The feed (`feed`) is the audit trail read by its gapless sequence number: each event's `seq` is assigned
while the writer holds the lock on the chain head, which it keeps until it commits, so transactions commit
in `seq` order and a reader never sees event N+1 without N. A client that stores the last `seq` it read and
asks for what follows gets every change once, in commit order.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import psycopg
import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.audit import service as audit
from app.audit.models import AuditEvent
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import DomainError, ValidationFailedError, violation
from app.core.jsonable import to_jsonable
from app.core.security import Role
from app.entities.models import LegalEntity
from app.exports import datasets, saft
from app.exports.datasets import ExportQuery, Extras, SqlSource, Table, plan_for_all_rows
from app.exports.errors import (
    ExportEntityNotFoundError,
    ExportNeedsFullAccessError,
    ExportNotFoundError,
    ExportNotReadyError,
    ExportPackageMissingError,
)
from app.exports.models import ExportJob
from app.exports.package import PackageWriter, export_id_for, file_entry, manifest_bytes
from app.exports.writers import HashingWriter, Tally, WrittenFile, write_csv, write_jsonl, write_xlsx

log = structlog.get_logger(__name__)

EXPORTERS: frozenset[Role] = frozenset({Role.AUDITOR, Role.CONTROLLER})
KINDS = (
    "journal",
    "trial_balance",
    "chart",
    "assets",
    "equity",
    "entities",
    "intercompany",
    "consolidation",
    "audit_trail",
    "users",
    "saft",
)
TABULAR_FORMATS = ("csv", "xlsx", "jsonl")
FORMATS = (*TABULAR_FORMATS, "xml")
#: Kinds answering "as of" a date: `to` is that date.
NEEDS_TO = frozenset({"trial_balance", "assets", "intercompany", "saft"})
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl", "xml": "xml"}
PROGRESS_SECONDS = 1.0
PROGRESS_ROWS = 5000
ERROR_CHARS = 2000


@dataclass(frozen=True)
class ExportRequest:
    """What a client asks for (API body or CLI options)."""

    kind: str
    format: str = "csv"
    entity_ids: Sequence[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    bom: bool = False
    tolerance: Decimal | None = None
    after_seq: int | None = None
    run_id: str | None = None


def _check(request: ExportRequest) -> None:
    """Every rule the question breaks, at once."""
    errors: list[dict[str, Any]] = []
    if request.kind not in KINDS:
        errors.append(violation(("body", "kind"), f"one of {', '.join(KINDS)}", "unknown_kind"))
    if request.format not in FORMATS:
        errors.append(violation(("body", "format"), f"one of {', '.join(FORMATS)}", "unknown_format"))
    elif request.kind == "saft" and request.format != "xml":
        errors.append(violation(("body", "format"), "the saft kind is written as xml", "format_for_kind"))
    elif request.kind != "saft" and request.format == "xml":
        errors.append(violation(("body", "format"), "xml is the saft kind's format", "format_for_kind"))
    if request.kind in NEEDS_TO and request.date_to is None:
        errors.append(violation(("body", "to"), f"the {request.kind} export needs `to`", "missing"))
    if request.date_from is not None and request.date_to is not None and request.date_from > request.date_to:
        errors.append(violation(("body", "from"), "must not be after `to`", "period_reversed"))
    if request.bom and request.format != "csv":
        errors.append(violation(("body", "bom"), "a byte order mark is a CSV option", "not_for_format"))
    if request.tolerance is not None and request.kind != "intercompany":
        errors.append(
            violation(("body", "tolerance"), "only the intercompany export uses it", "not_for_kind")
        )
    if request.kind == "consolidation" and request.run_id is None:
        errors.append(violation(("body", "run_id"), "the consolidation export needs a run", "missing"))
    if request.run_id is not None and request.kind != "consolidation":
        errors.append(violation(("body", "run_id"), "only the consolidation export uses it", "not_for_kind"))
    if request.after_seq is not None and request.kind != "audit_trail":
        errors.append(violation(("body", "after_seq"), "only the audit_trail export uses it", "not_for_kind"))
    if errors:
        raise ValidationFailedError("The export request is not valid", errors=errors)


def _scope(session: Session, *, actor: Actor, entity_ids: Sequence[str] | None) -> frozenset[str] | None:
    """The entities the export may contain: those asked for (each must exist and be visible), else all the
    actor sees (None: every entity)."""
    if entity_ids is None:
        return actor.entity_ids
    asked = frozenset(entity_ids)
    found = set(session.execute(select(LegalEntity.id).where(LegalEntity.id.in_(sorted(asked)))).scalars())
    missing = sorted(e for e in asked if e not in found or not actor.can_see(e))
    if missing:
        raise ExportEntityNotFoundError(f"no entity {missing[0]}", entity_ids=missing)
    return asked


def parameters_of(
    request: ExportRequest, scope: frozenset[str] | None, *, presentation_currency: str
) -> dict[str, Any]:
    """The normalized question (stored with the job and written in the manifest)."""
    params: dict[str, Any] = {
        "entity_ids": None if scope is None else sorted(scope),
        "from": request.date_from,
        "to": request.date_to,
    }
    if request.format == "csv":
        params["bom"] = request.bom
    if request.kind == "intercompany":
        params["tolerance"] = request.tolerance if request.tolerance is not None else Decimal(0)
        params["presentation_currency"] = presentation_currency
    if request.kind == "audit_trail":
        params["after_seq"] = request.after_seq
    if request.kind == "consolidation":
        params["run_id"] = request.run_id
    if request.kind in ("assets", "saft"):
        params["from"] = datasets.period_start(
            ExportQuery(kind=request.kind, scope=scope, date_from=request.date_from, date_to=request.date_to)
        )
    return params


def job_snapshot(job: ExportJob) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "format": job.format,
        "params": job.params,
        "export_id": job.export_id,
        "status": job.status,
    }


def create_job(
    session: Session, *, actor: Actor, request: ExportRequest, now: datetime, presentation_currency: str
) -> ExportJob:
    """Record an export to be run (status `queued`).

    Raises:
        ValidationFailedError: the question breaks a rule (all of them listed).
        ExportEntityNotFoundError: an entity asked for does not exist or is outside the actor's set.
        RunNotFoundError: the consolidation run is unknown or its parent is outside the export's scope.
        ExportNeedsFullAccessError: the users-and-roles export by an entity-limited actor.
    """
    _check(request)
    with atomic(session):
        if request.kind == "users" and actor.limited:
            raise ExportNeedsFullAccessError("the users and roles export needs access to every entity")
        scope = _scope(session, actor=actor, entity_ids=request.entity_ids)
        if request.run_id is not None:
            from app.consolidation import service as consolidation

            consolidation.get_run(session, actor=datasets.scoped_actor(actor, scope), run_id=request.run_id)
        params = parameters_of(request, scope, presentation_currency=presentation_currency)
        stored = to_jsonable(params)
        job = ExportJob(
            kind=request.kind,
            format=request.format,
            params=stored,
            entity_scope=None if scope is None else sorted(scope),
            export_id=export_id_for(kind=request.kind, format=request.format, parameters=stored),
            status="queued",
            progress_rows=0,
            created_by_id=actor.user_id,
            created_by=actor.username,
            created_role=actor.role,
            created_at=now,
        )
        session.add(job)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="export.requested",
            subject_type="export",
            subject_id=job.id,
            at=now,
            after=job_snapshot(job),
        )
        return job


def _visible(job: ExportJob, actor: Actor) -> bool:
    return not actor.limited or (job.created_by_id is not None and job.created_by_id == actor.user_id)


def get_job(session: Session, *, actor: Actor, job_id: str) -> ExportJob:
    """Raises: ExportNotFoundError (unknown, or another user's job for an entity-limited actor)."""
    job = session.get(ExportJob, job_id, populate_existing=True)
    if job is None or not _visible(job, actor):
        raise ExportNotFoundError(f"no export {job_id}", export_id=job_id)
    return job


def list_jobs(session: Session, *, actor: Actor, limit: int, after_id: str | None) -> list[ExportJob]:
    """Jobs in creation (id) order; an entity-limited actor sees its own."""
    statement = select(ExportJob).order_by(ExportJob.id).limit(limit)
    if after_id is not None:
        statement = statement.where(ExportJob.id > after_id)
    if actor.limited:
        statement = statement.where(ExportJob.created_by_id == actor.user_id)
    return list(session.execute(statement).scalars())


def package_path(job: ExportJob, *, directory: Path) -> Path:
    """Raises: ExportNotReadyError (not done), ExportPackageMissingError (file gone)."""
    if job.status != "done" or job.package_name is None:
        raise ExportNotReadyError(f"export {job.id} is {job.status}", job_status=job.status)
    path = directory / job.package_name
    if not path.is_file():
        raise ExportPackageMissingError(f"the package of export {job.id} is missing", export_id=job.id)
    return path


def download_name(job: ExportJob) -> str:
    return f"groupledger-{job.kind}-{job.export_id[:12]}.zip"


# ---------------------------------------------------------------------------------------------- running


def job_actor(job: ExportJob) -> Actor:
    """The requester as it was when it asked (its role and entity scope)."""
    scope = None if job.entity_scope is None else frozenset(job.entity_scope)
    return Actor(user_id=job.created_by_id, username=job.created_by, role=job.created_role, entity_ids=scope)


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
                actor=job_actor(job),
                action="export.completed",
                subject_type="export",
                subject_id=job_id,
                at=now,
                before={"status": "running"},
                after={
                    **job_snapshot(stored),
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
            actor=job_actor(job),
            action="export.failed",
            subject_type="export",
            subject_id=job_id,
            at=now,
            before={"status": "running"},
            after={**job_snapshot(job), "error": job.error},
        )


def _write_files(
    job: ExportJob, options: RunOptions, work: Path, progress: _Progress, writer: PackageWriter
) -> tuple[list[WrittenFile], Extras]:
    """Read everything in one snapshot of the read database and write the data files."""
    actor = datasets.scoped_actor(
        job_actor(job), None if job.entity_scope is None else frozenset(job.entity_scope)
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
        counted = [_database_totals(session, job, t) for t in tables]
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


#: (rows, {currency or "": {column: sum}}) as the database counts them.
DatabaseTotals = tuple[int, dict[str, dict[str, Decimal]]]


def _count(table: Table) -> int:
    assert table.count is not None
    return table.count()


def _database_totals(session: Session, job: ExportJob, table: Table) -> DatabaseTotals | None:
    """For a table PostgreSQL writes itself (COPY): its rows and control totals, counted by the database in
    the export's snapshot before the file is written. None for the tables Python writes."""
    if not (
        job.format == "csv"
        and table.sql is not None
        and session.get_bind().dialect.name == "postgresql"
        and table.sql.copyable()
    ):
        return None
    plan_for_all_rows(session)
    currency = next((e for c, e in table.sql.spec if c.name == table.currency_column), None)
    return table.sql.totals(session, currency=currency)


def _write_table(
    session: Session,
    job: ExportJob,
    table: Table,
    work: Path,
    progress: _Progress,
    counted: DatabaseTotals | None,
    writer: PackageWriter,
) -> WrittenFile:
    name = f"{table.name}.{EXTENSIONS[job.format]}"
    bom = bool(job.params.get("bom"))
    if counted is not None and table.sql is not None:
        with writer.data_file(name) as out:
            return _copy_csv(
                session,
                table=table,
                sql=table.sql,
                name=name,
                out=out,
                bom=bom,
                progress=progress,
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


def _copy_csv(
    session: Session,
    *,
    table: Table,
    sql: SqlSource,
    name: str,
    out: HashingWriter,
    bom: bool,
    progress: _Progress,
    counted: DatabaseTotals,
) -> WrittenFile:
    """The CSV written by PostgreSQL itself (`COPY (SELECT ...) TO STDOUT`): the same cells and quoting as
    `writers.write_csv`, at the speed of COPY. The rows and control totals were counted by the database in
    the same snapshot (`_database_totals`), and COPY's own count must agree."""
    compiled = sql.copy_statement().compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    dbapi = cast(psycopg.Connection[Any], session.connection().connection.dbapi_connection)
    rows, by_currency = counted
    if bom:
        out.write("\ufeff".encode())
    with dbapi.cursor() as cursor:
        with cursor.copy(f"COPY ({compiled}) TO STDOUT (FORMAT csv, HEADER)", compiled.params) as copy:
            batch: list[Any] = []
            reported = -1  # the header line
            for chunk in copy:  # one row per chunk: joined, compressed and hashed in batches
                batch.append(chunk)
                if len(batch) >= PROGRESS_ROWS:
                    out.write(b"".join(batch))
                    progress.add(len(batch) + min(reported, 0))
                    reported, batch = 0, []
            out.write(b"".join(batch))
            if len(batch) + min(reported, 0) > 0:
                progress.add(len(batch) + min(reported, 0))
        copied = cursor.rowcount
    if copied != rows:
        raise RuntimeError(f"{name}: COPY wrote {copied} rows, the count in the same snapshot is {rows}")
    totals: dict[str, Decimal] = {c.name: Decimal(0) for c in table.columns if c.total}
    for bucket in by_currency.values():
        for column, amount in bucket.items():
            totals[column] += amount
    return WrittenFile(
        name=name,
        size=out.size,
        sha256=out.sha256,
        columns=table.columns,
        rows=copied,
        totals=totals,
        by_currency=dict(sorted(by_currency.items())) if table.currency_column is not None and totals else {},
    )


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


# -------------------------------------------------------------------------------------------- recovery


def reap_stale(
    session_factory: sessionmaker[Session], *, now: datetime, stale_after_seconds: int
) -> list[str]:
    """Jobs queued or running whose worker stopped reporting (its process ended) are marked failed."""
    cutoff = now - timedelta(seconds=stale_after_seconds)
    reaped: list[str] = []
    with session_factory() as session, atomic(session):
        stale = session.execute(
            select(ExportJob)
            .where(ExportJob.status.in_(("queued", "running")))
            .where(
                ((ExportJob.heartbeat_at.is_not(None)) & (ExportJob.heartbeat_at < cutoff))
                | ((ExportJob.heartbeat_at.is_(None)) & (ExportJob.created_at < cutoff))
            )
            .with_for_update()
        ).scalars()
        for job in stale:
            before = job.status
            job.status, job.finished_at = "failed", now
            job.error = "the worker running this export stopped; ask for the export again"
            audit.record(
                session,
                actor=job_actor(job),
                action="export.failed",
                subject_type="export",
                subject_id=job.id,
                at=now,
                before={"status": before},
                after={**job_snapshot(job), "error": job.error},
            )
            reaped.append(job.id)
    return reaped


# ------------------------------------------------------------------------------------------------ feed


@dataclass(frozen=True)
class FeedPage:
    items: list[AuditEvent]
    cursor: int
    has_more: bool


def feed(session: Session, *, actor: Actor, after_seq: int, limit: int) -> FeedPage:
    """Changes after `after_seq` in commit order (the events of the actor's entities when it is limited);
    `cursor` is the sequence to ask after next time (unchanged when nothing new was committed)."""
    statement = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq).limit(limit + 1)
    if actor.entity_ids is not None:
        statement = statement.where(AuditEvent.entity_id.in_(sorted(actor.entity_ids)))
    rows = list(session.execute(statement).scalars())
    items = rows[:limit]
    return FeedPage(items=items, cursor=items[-1].seq if items else after_seq, has_more=len(rows) > limit)
