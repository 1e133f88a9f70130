"""The change feed: the audit trail read by its gapless sequence number.

Each event's `seq` is assigned while the writer holds the lock on the chain head, which it keeps until it
commits, so transactions commit in `seq` order and a reader never sees event N+1 without N. A client that
stores the last `seq` it read and asks for what follows gets every change once, in commit order.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.core.context import Actor


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
