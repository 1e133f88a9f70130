"""HTTP: the audit trail and its verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from app.audit import repository
from app.audit import service as audit_service
from app.audit.schemas import AuditEventRead, ChainCheckRead
from app.core.context import Actor
from app.core.deps import ReadSessionDep
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_int_cursor, encode_cursor
from app.core.routing import feature_router
from app.core.security import AUDIT_READERS
from app.users.auth import allow

router = feature_router(tag="audit", prefix="/audit-events")
AuditReader = Annotated[Actor, Depends(allow(*AUDIT_READERS))]


@router.get("", response_model=Page[AuditEventRead], operation_id="list_audit_events")
def list_audit_events(
    actor: AuditReader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    subject_type: Annotated[str | None, Query(max_length=50)] = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: Annotated[str | None, Query(max_length=36)] = None,
    action: Annotated[str | None, Query(max_length=100, description="prefix, e.g. 'asset.transfer'")] = None,
    at_from: Annotated[datetime | None, Query(alias="from")] = None,
    at_to: Annotated[datetime | None, Query(alias="to")] = None,
) -> Page[AuditEventRead]:
    """Who did what and when, with the state before and after; oldest first."""
    rows = repository.list_events(
        session,
        after_seq=decode_int_cursor(cursor),
        limit=limit + 1,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor_id,
        action=action,
        at_from=at_from,
        at_to=at_to,
        entity_ids=actor.entity_ids,
    )
    items = [AuditEventRead.model_validate(r) for r in rows[:limit]]
    next_cursor = encode_cursor([items[-1].seq]) if len(rows) > limit else None
    return Page[AuditEventRead](items=items, next_cursor=next_cursor)


@router.get("/verify", response_model=ChainCheckRead, operation_id="verify_audit_chain")
def verify_audit_chain(actor: AuditReader, session: ReadSessionDep) -> ChainCheckRead:
    """Recompute the hash chain end to end and point at the first broken link."""
    check = audit_service.verify_chain(session)
    return ChainCheckRead(
        ok=check.ok,
        checked=check.checked,
        first_bad=check.first_bad,
        first_bad_id=check.first_bad_id,
        reason=check.reason,
    )
