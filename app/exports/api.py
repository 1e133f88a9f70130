"""HTTP: audit exports as jobs (POST answers 202 with the job; GET follows it; the package downloads when
done) and the change feed for automated clients. Auditors and controllers only."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.responses import FileResponse

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep, SettingsDep
from app.core.pagination import (
    DEFAULT_LIMIT,
    CursorQuery,
    LimitQuery,
    Page,
    decode_cursor,
    decode_int_cursor,
    encode_cursor,
)
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.exports import feed, service
from app.exports.jobs import runner_for
from app.exports.models import ExportJob
from app.exports.schemas import ExportCreate, ExportJobRead, ExportLinks, FeedItem, FeedRead, progress_of
from app.users.auth import allow

API_PREFIX = "/api/v1"
router = feature_router(tag="exports", prefix="/exports")
feed_router = feature_router(tag="exports")
Exporter = Annotated[Actor, Depends(allow(*service.EXPORTERS))]


def job_read(job: ExportJob) -> ExportJobRead:
    url = f"{API_PREFIX}/exports/{job.id}"
    return ExportJobRead(
        id=job.id,
        kind=job.kind,
        format=job.format,
        status=job.status,
        export_id=job.export_id,
        params=job.params,
        entity_ids=job.entity_scope,
        progress_rows=job.progress_rows,
        total_rows=job.total_rows,
        progress=progress_of(job.progress_rows, job.total_rows, job.status),
        manifest_sha256=job.manifest_sha256,
        package_sha256=job.package_sha256,
        package_bytes=job.package_bytes,
        error=job.error,
        created_by=job.created_by,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        links=ExportLinks(self=url, package=f"{url}/package" if job.status == "done" else None),
    )


@router.post(
    "",
    response_model=ExportJobRead,
    status_code=202,
    operation_id="create_export",
    responses=problem_responses(403, 404),
)
def create_export(
    body: ExportCreate,
    actor: Exporter,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    request: Request,
    response: Response,
) -> ExportJobRead:
    """Ask for an export. The answer is the job (202, `Location` names it): follow it with GET until
    `status` is `done` (or `failed`), then download the package: the data files, `manifest.json` (rows,
    bytes, SHA-256 and control totals per file) and `SHA256SUMS` (`sha256sum -c SHA256SUMS`)."""
    job = service.create_job(
        session,
        actor=actor,
        request=service.ExportRequest(
            kind=body.kind,
            format=body.format,
            entity_ids=body.entity_ids,
            date_from=body.from_,
            date_to=body.to,
            bom=body.bom,
            tolerance=body.tolerance,
            after_seq=body.after_seq,
            run_id=body.run_id,
        ),
        now=now,
        presentation_currency=settings.presentation_currency,
    )
    runner_for(request.app).submit(job.id)
    job = service.get_job(session, actor=actor, job_id=job.id)
    response.headers["Location"] = f"{API_PREFIX}/exports/{job.id}"
    return job_read(job)


@router.get("", response_model=Page[ExportJobRead], operation_id="list_exports")
def list_exports(
    actor: Exporter, session: SessionDep, limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None
) -> Page[ExportJobRead]:
    """Export jobs, oldest first (an entity-limited user sees its own)."""
    after = decode_cursor(cursor, arity=1)
    rows = service.list_jobs(
        session, actor=actor, limit=limit + 1, after_id=None if after is None else str(after[0])
    )
    items = [job_read(j) for j in rows[:limit]]
    return Page[ExportJobRead](
        items=items, next_cursor=encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    )


@router.get(
    "/{export_id}", response_model=ExportJobRead, operation_id="read_export", responses=problem_responses(404)
)
def read_export(export_id: str, actor: Exporter, session: SessionDep) -> ExportJobRead:
    """The job: status, rows written so far and the total, the hashes once done."""
    return job_read(service.get_job(session, actor=actor, job_id=export_id))


@router.get(
    "/{export_id}/package",
    operation_id="download_export",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
        **problem_responses(404, 409),
    },
)
def download_export(export_id: str, actor: Exporter, session: SessionDep, request: Request) -> FileResponse:
    """The finished package (409 while it is being made). `ETag` and `Repr-Digest` carry its SHA-256."""
    job = service.get_job(session, actor=actor, job_id=export_id)
    path = service.package_path(job, directory=runner_for(request.app).directory)
    assert job.package_sha256 is not None
    digest = base64.b64encode(bytes.fromhex(job.package_sha256)).decode("ascii")
    return FileResponse(
        path,
        media_type="application/zip",
        filename=service.download_name(job),
        headers={"ETag": f'"{job.package_sha256}"', "Repr-Digest": f"sha-256=:{digest}:"},
    )


@feed_router.get("/feed", response_model=FeedRead, operation_id="read_feed")
def read_feed(
    actor: Exporter, session: ReadSessionDep, limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None
) -> FeedRead:
    """Every change after the cursor, in commit order, each once: the audit trail by its gapless sequence.
    Start without a cursor; keep `next_cursor` and ask with it (nightly, or in a loop while `has_more`)."""
    after = decode_int_cursor(cursor) or 0
    page = feed.feed(session, actor=actor, after_seq=after, limit=limit)
    return FeedRead(
        items=[
            FeedItem(
                seq=e.seq,
                id=e.id,
                at=e.at,
                action=e.action,
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                entity_id=e.entity_id,
                actor_name=e.actor_name,
                after=e.after,
            )
            for e in page.items
        ],
        next_cursor=encode_cursor([page.cursor]),
        has_more=page.has_more,
    )
