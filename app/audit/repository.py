"""Queries of the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent


def list_events(
    session: Session,
    *,
    after_seq: int | None,
    limit: int,
    subject_type: str | None,
    subject_id: str | None,
    actor_id: str | None,
    action: str | None,
    at_from: datetime | None,
    at_to: datetime | None,
    entity_ids: frozenset[str] | None,
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq).limit(limit)
    if after_seq is not None:
        query = query.where(AuditEvent.seq > after_seq)
    if subject_type is not None:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if at_from is not None:
        query = query.where(AuditEvent.at >= at_from)
    if at_to is not None:
        query = query.where(AuditEvent.at < at_to)
    if entity_ids is not None:
        query = query.where(AuditEvent.entity_id.in_(sorted(entity_ids)))
    return session.execute(query).scalars().all()
