"""Every query of the group events, and the chart lookups the event rules need."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.events.models import GroupEvent, GroupEventEntity
from app.ledger import repository as ledger_repository

MERGER_KINDS = ("merger_absorption", "merger_new_establishment")


def account_roles(session: Session) -> dict[str, str | None]:
    """Every account of the chart with its role (the books offer no service for this lookup yet)."""
    return {a.code: a.role for a in ledger_repository.all_accounts(session)}


def add_event(session: Session, *, event: GroupEvent, entity_ids: Collection[str]) -> None:
    session.add(event)
    session.flush()
    session.add_all(GroupEventEntity(event_id=event.id, entity_id=e) for e in sorted(set(entity_ids)))
    session.flush()


def get_event(session: Session, event_id: str) -> GroupEvent | None:
    return session.get(GroupEvent, event_id)


def entity_ids_of(session: Session, event_id: str) -> set[str]:
    rows = session.scalars(select(GroupEventEntity.entity_id).where(GroupEventEntity.event_id == event_id))
    return set(rows)


def list_events(
    session: Session,
    *,
    limit: int,
    after_id: str | None,
    kind: str | None,
    entity_id: str | None,
    entity_ids: frozenset[str] | None,
) -> Sequence[GroupEvent]:
    query = select(GroupEvent).order_by(GroupEvent.id).limit(limit)
    if after_id is not None:
        query = query.where(GroupEvent.id > after_id)
    if kind is not None:
        query = query.where(GroupEvent.kind == kind)
    if entity_id is not None:
        query = query.where(
            exists().where(
                GroupEventEntity.event_id == GroupEvent.id, GroupEventEntity.entity_id == entity_id
            )
        )
    if entity_ids is not None:  # a limited user sees the events that touch only its entities
        query = query.where(
            ~exists().where(
                GroupEventEntity.event_id == GroupEvent.id,
                GroupEventEntity.entity_id.not_in(sorted(entity_ids)),
            )
        )
    return list(session.scalars(query))


def mergers_until(session: Session, *, until: date) -> Sequence[GroupEvent]:
    """The committed mergers (absorption, new establishment) dated on or before `until`, oldest first."""
    query = (
        select(GroupEvent)
        .where(GroupEvent.kind.in_(MERGER_KINDS), GroupEvent.effective_on <= until)
        .order_by(GroupEvent.effective_on, GroupEvent.created_at, GroupEvent.id)
    )
    return list(session.scalars(query))
