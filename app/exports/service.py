"""Audit exports as jobs: asking for one, reading it back, and recovering jobs whose worker died.

Who: auditors and controllers (`EXPORTERS`: API.md "auditors and controllers only"; an admin manages
users and settings, and gets an auditor account to export). An entity-limited requester's export holds only
its entities (asked-for entities outside its set are answered as missing, 404), and it sees only its own
jobs; an unlimited exporter sees every job. The users-and-roles export needs an unlimited requester.

How: `create_job` validates the question, fixes its scope and records it (`export.requested`);
`job_runner.run_job` runs it into a package; `reap_stale` marks failed the jobs whose worker stopped.
The change feed is `feed.feed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import ValidationFailedError, violation
from app.core.jsonable import to_jsonable
from app.core.security import Role
from app.entities.models import LegalEntity
from app.exports import datasets
from app.exports.datasets import ExportQuery
from app.exports.errors import (
    ExportEntityNotFoundError,
    ExportNeedsFullAccessError,
    ExportNotFoundError,
    ExportNotReadyError,
    ExportPackageMissingError,
)
from app.exports.models import ExportJob
from app.exports.package import export_id_for

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


def job_actor(job: ExportJob) -> Actor:
    """The requester as it was when it asked (its role and entity scope)."""
    scope = None if job.entity_scope is None else frozenset(job.entity_scope)
    return Actor(user_id=job.created_by_id, username=job.created_by, role=job.created_role, entity_ids=scope)


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
