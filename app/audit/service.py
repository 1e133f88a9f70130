"""Writing and checking the audit trail. `record` joins the caller's transaction: no change without one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditChainHead, AuditEvent
from app.core.context import Actor, request_id_var
from app.core.ids import new_id
from app.core.jsonable import canonical_json, to_jsonable

GENESIS_HASH = "0" * 64


def event_hash(
    *,
    seq: int,
    event_id: str,
    at: datetime,
    actor_id: str | None,
    actor_name: str,
    action: str,
    subject_type: str,
    subject_id: str,
    entity_id: str | None,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    content = canonical_json(
        {
            "seq": seq,
            "id": event_id,
            "at": at.isoformat(),
            "actor_id": actor_id,
            "actor_name": actor_name,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "entity_id": entity_id,
            "before": before,
            "after": after,
        }
    )
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def _lock_head(session: Session) -> AuditChainHead:
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(id=1, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str,
    at: datetime,
    entity_id: str | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (the caller commits)."""
    head = _lock_head(session)
    seq = head.last_seq + 1
    before_json, after_json = to_jsonable(before), to_jsonable(after)
    event = AuditEvent(
        seq=seq,
        id=new_id(),
        at=at,
        actor_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        entity_id=entity_id,
        before=before_json,
        after=after_json,
        request_id=request_id_var.get(),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(
        seq=seq,
        event_id=event.id,
        at=at,
        actor_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        entity_id=entity_id,
        before=before_json,
        after=after_json,
        prev_hash=head.last_hash,
    )
    session.add(event)
    head.last_seq = seq
    head.last_hash = event.hash
    session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_bad: int | None = None
    first_bad_id: str | None = None
    reason: str | None = None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainCheck:
    """Recompute every hash from the stored content and follow the links; point at the first broken event."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected_seq:
                return ChainCheck(
                    ok=False,
                    checked=checked,
                    first_bad=expected_seq,
                    reason=f"events {expected_seq}..{ev.seq - 1} are missing",
                )
            reason = None
            if ev.prev_hash != prev_hash:
                reason = "link to the previous event is broken"
            elif ev.hash != event_hash(
                seq=ev.seq,
                event_id=ev.id,
                at=ev.at,
                actor_id=ev.actor_id,
                actor_name=ev.actor_name,
                action=ev.action,
                subject_type=ev.subject_type,
                subject_id=ev.subject_id,
                entity_id=ev.entity_id,
                before=ev.before,
                after=ev.after,
                prev_hash=ev.prev_hash,
            ):
                reason = "content does not match its hash"
            if reason is not None:
                return ChainCheck(
                    ok=False, checked=checked, first_bad=ev.seq, first_bad_id=ev.id, reason=reason
                )
            checked += 1
            prev_hash = ev.hash
            expected_seq += 1
            last_seq = ev.seq
            session.expunge(ev)
    head = session.get(AuditChainHead, 1)
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        return ChainCheck(
            ok=False, checked=checked, first_bad=last_seq + 1, reason="events missing at the end"
        )
    return ChainCheck(ok=True, checked=checked)
