"""`groupledger export`: the same exports as the API, run in this process with a progress bar.

The job is recorded like one asked for through the API (so it is listed by `GET /exports` and its manifest
hash is in the audit trail), run at once, and the package is copied to `--out`. It acts as `--user` (whose
role must be auditor or controller, and whose entity limits apply) or, by default, as the operator `cli`
with an auditor's rights on every entity (whoever runs the command already holds the database's keys).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.context import Actor
from app.core.db import make_engine, make_session_factory
from app.core.errors import ForbiddenError, NotFoundError
from app.entities.models import LegalEntity
from app.exports import job_runner, service
from app.exports.config import ExportSettings, export_settings
from app.exports.jobs import ExportRunner
from app.users.auth import actor_for_user
from app.users.models import User

CLI_ACTOR = Actor(user_id=None, username="cli", role="auditor")


@dataclass(frozen=True)
class CliExport:
    job_id: str
    status: str
    error: str | None
    out: Path | None
    rows: int
    package_sha256: str | None
    manifest_sha256: str | None


def run_export_cli(
    *,
    settings: Settings,
    kind: str,
    format: str,
    entity_codes: Sequence[str],
    date_from: date | None,
    date_to: date | None,
    bom: bool,
    tolerance: Decimal | None,
    after_seq: int | None,
    username: str | None,
    run_id: str | None = None,
    out: Path | None,
    schema: Path | None,
    on_progress: Callable[[int, int | None], None] | None = None,
    exports: ExportSettings | None = None,
) -> CliExport:
    """Record and run one export; copy the package to `out` (default: its download name in the current
    folder).

    Raises:
        NotFoundError: an unknown user or entity code.
        ForbiddenError: the user's role may not export.
        ValidationFailedError, ExportNeedsFullAccessError: as the API.
    """
    engine = make_engine(settings.database_url, settings=settings)
    factory = make_session_factory(engine)
    config = (exports or export_settings()).model_copy(update={"worker": "inline"})
    if schema is not None:
        config = config.model_copy(update={"saft_schema": schema})
    runner = ExportRunner(write_factory=factory, read_factory=factory, settings=settings, exports=config)
    try:
        with factory() as session:
            actor = _actor(session, username)
            entity_ids = _entity_ids(session, entity_codes) if entity_codes else None
            job = service.create_job(
                session,
                actor=actor,
                request=service.ExportRequest(
                    kind=kind,
                    format=format,
                    entity_ids=entity_ids,
                    date_from=date_from,
                    date_to=date_to,
                    bom=bom,
                    tolerance=tolerance,
                    after_seq=after_seq,
                    run_id=run_id,
                ),
                now=utcnow(),
                presentation_currency=settings.presentation_currency,
            )
            job_id = job.id
        job_runner.run_job(job_id=job_id, options=runner.options(on_progress=on_progress))
        with factory() as session:
            job = service.get_job(session, actor=actor, job_id=job_id)
            target: Path | None = None
            if job.status == "done":
                source = service.package_path(job, directory=runner.directory)
                target = out or Path.cwd() / service.download_name(job)
                if target.is_dir():
                    target = target / service.download_name(job)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            return CliExport(
                job_id=job.id,
                status=job.status,
                error=job.error,
                out=target,
                rows=job.progress_rows,
                package_sha256=job.package_sha256,
                manifest_sha256=job.manifest_sha256,
            )
    finally:
        runner.shutdown()
        engine.dispose()


def _actor(session: Session, username: str | None) -> Actor:
    if username is None:
        return CLI_ACTOR
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.is_active:
        raise NotFoundError(f"no active user {username}")
    actor = actor_for_user(user)
    if actor.role not in service.EXPORTERS:
        raise ForbiddenError(f"role '{actor.role}' may not export (auditor or controller)")
    return actor


def _entity_ids(session: Session, codes: Sequence[str]) -> list[str]:
    found = dict(
        session.execute(select(LegalEntity.code, LegalEntity.id).where(LegalEntity.code.in_(codes))).all()
    )
    missing = [c for c in codes if c not in found]
    if missing:
        raise NotFoundError(f"no entity with code {', '.join(missing)}")
    return [found[c] for c in codes]
