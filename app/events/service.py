"""Use cases of the events that reshape the group: preview (plan only) and commit (execute that plan).

Both run the same steps (`planning.plan`): load the facts of the event date through the other features'
services (`facts`), ask the pure rules for the plan (`app.events.domain`), and answer it as a document
(`serialize`). A preview
stops there and writes nothing. A commit does it inside one `atomic` block, after locking the entities the
event touches, and refuses (422, every violation listed, nothing written) when the plan has any violation;
otherwise it executes exactly the plan: stakes through the ownership service (decreases first, then the new
records, each ending the holder's open record), new and merged companies through the entity service, entries
through the books' service (source `group_event`, referring to the event), the absorbed companies' assets
through the asset register's re-homing (`app.assets.rehoming_service`: identity, figures and history kept, a
record of kind `merger` naming the event), then stores the event with the plan document and writes the audit
event. The register's refusals (an open transfer request, depreciation not posted up to the merger) are
violations of the plan, so a preview lists them too. The answer of a commit is the plan document it
executed, so a preview and its commit answer the same document (the new company of a merger gets its real id).

The requests (`event_requests`) are exported from here too: callers of the feature need only this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.assets import rehoming_service
from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.ids import new_id
from app.entities import service as entities_service
from app.entities.errors import EntityNotFoundError
from app.events import planning, repository
from app.events.domain import (
    ABSORPTION,
    BOOKS,
    NEW_ENTITY,
    HoldingState,
)
from app.events.errors import EventRuleViolationError, GroupEventNotFoundError, raise_violations
from app.events.event_requests import (
    CapitalChangeRequest,
    CommonControlRequest,
    EventRequest,
    EventResult,
    FixedAssetGiven,
    MergerRequest,
    ShareTransferRequest,
    Terms,
)
from app.events.models import GroupEvent
from app.events.serialize import plan_document, replace_ids
from app.ledger import service as ledger_service
from app.ledger.domain.entries import LineDraft
from app.ownership import service as ownership_service

SOURCE = "group_event"


def preview_event(session: Session, *, actor: Actor, request: EventRequest) -> EventResult:
    """The full effect of the event, violations included, without writing anything.

    Raises:
        EntityNotFoundError: an entity named in the request is unknown or not visible to the actor.
        ChartIncompleteError: the chart lacks an account the rules need.
    """
    planned = planning.plan(session, actor=actor, request=request)
    planning.check_visible(session, actor=actor, entity_ids=sorted(planning.touched(planned)))
    return EventResult(document=plan_document(planned.plan))


# ---------------------------------------------------------------------------------------------- commit


def commit_event(
    session: Session, *, actor: Actor, request: EventRequest, request_document: dict[str, Any], now: datetime
) -> EventResult:
    """Execute the event's plan (module docstring) and store it.

    Raises:
        EntityNotFoundError: an entity named or touched is unknown or not visible to the actor.
        EventRuleViolationError: the plan breaks rules (every one listed); nothing is written.
        ChartIncompleteError: the chart lacks an account the rules need.
        and, should the state change between planning and execution inside the transaction (it cannot:
        the touched entities are locked first), what the ownership, entity and books services raise.
    """
    with atomic(session):
        # lock the named entities first: events on the same companies run one after the other, and the
        # plan is made on what the lock holder sees (the stake writes lock holder and investee again)
        entities_service.lock_entities(session, entity_ids=set(planning.named_in(request)))
        planned = planning.plan(session, actor=actor, request=request)
        touched = planning.touched(planned)
        planning.check_visible(session, actor=actor, entity_ids=sorted(touched))
        plan = planned.plan
        raise_violations("the event cannot be committed", plan.violations)
        event_id = new_id()
        ids = _execute(session, actor=actor, planned=planned, event_id=event_id, now=now)
        document = replace_ids(plan_document(plan), ids)
        created = ids.get(NEW_ENTITY)
        event = GroupEvent(
            id=event_id,
            kind=plan.kind,
            classification=plan.classification,
            effective_on=plan.effective_on,
            group_parent_id=plan.group_parent_id if plan.group_parent_id != NEW_ENTITY else created,
            created_entity_id=created,
            request=request_document,
            plan=document,
            created_at=now,
            created_by=actor.username,
        )
        repository.add_event(session, event=event, entity_ids=touched | ({created} if created else set()))
        audit.record(
            session,
            actor=actor,
            action=f"group_event.{plan.kind}.committed",
            subject_type="group_event",
            subject_id=event_id,
            at=now,
            entity_id=plan.group_parent_id if plan.group_parent_id != NEW_ENTITY else created,
            after={"request": request_document, "plan": document},
        )
        return EventResult(document=document, event=event)


def _execute(
    session: Session, *, actor: Actor, planned: planning.Planned, event_id: str, now: datetime
) -> dict[str, str]:
    """Carry out the plan; returns the real id of each symbolic one (`NEW_ENTITY`: the company a
    new-establishment merger founds)."""
    plan = planned.plan
    ids: dict[str, str] = {}
    on = plan.effective_on
    for change in plan.entity_changes:
        if change.kind == "created" and change.new_entity is not None:
            spec = change.new_entity
            entity = entities_service.create_entity(
                session,
                actor=actor,
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en,
                kind="company",
                functional_currency=spec.functional_currency,
                uscc=spec.uscc,
                country=spec.country,
                segment=spec.segment,
                established_on=on,
                now=now,
            )
            ids[change.entity_id] = entity.id

    def real(entity_id: str) -> str:
        return ids.get(entity_id, entity_id)

    for planned_entry in plan.entries:
        if planned_entry.layer != BOOKS:
            continue
        ledger_service.post_entry(
            session,
            actor=actor,
            entity_id=real(planned_entry.entity_id),
            entry_date=planned_entry.entry_date,
            description=planned_entry.description[:500],
            lines=[
                LineDraft(
                    account_code=ln.account_code,
                    debit=ln.debit if ln.debit else None,
                    credit=ln.credit if ln.credit else None,
                    counterparty_entity_id=real(ln.counterparty_entity_id)
                    if ln.counterparty_entity_id
                    else None,
                )
                for ln in planned_entry.lines
            ],
            now=now,
            source=SOURCE,
            source_ref=event_id,
        )
    merged = {c.entity_id: c for c in plan.entity_changes if c.kind == "merged"}
    for entity_id, change in merged.items():
        # the entries above moved the balances; the register moves the assets (the plan's asset_rehomings)
        rehoming_service.rehome_for_merger(
            session,
            actor=actor,
            from_entity_id=entity_id,
            to_entity_id=real(change.into_id or ""),
            on=on,
            event_id=event_id,
            now=now,
        )
    for entity_id, change in merged.items():
        entities_service.mark_merged(
            session, actor=actor, entity_id=entity_id, into_id=real(change.into_id or ""), on=on, now=now
        )
    ended_by_merger = {
        (c.holder, c.investee) for c in plan.stake_changes if c.holder in merged or c.investee in merged
    }
    changes = [c for c in plan.stake_changes if (c.holder, c.investee) not in ended_by_merger]
    for stake_change in sorted(changes, key=lambda c: not c.decreases):
        holder, investee = real(stake_change.holder), real(stake_change.investee)
        if stake_change.after is None:
            stake_id = planned.stake_ids.get((holder, investee))
            if stake_id is not None:
                ownership_service.end_stake(session, actor=actor, stake_id=stake_id, valid_to=on, now=now)
            continue
        after: HoldingState = stake_change.after
        ownership_service.create_stake(
            session,
            actor=actor,
            holder_id=holder,
            investee_id=investee,
            share=after.share,
            voting_share=after.voting_share,
            valid_from=on,
            capital_subscribed=after.capital,
            source=SOURCE,
            now=now,
        )
    return ids


# ---------------------------------------------------------------------------------------------- reads


def get_event(session: Session, *, actor: Actor, event_id: str) -> GroupEvent:
    """Raises GroupEventNotFoundError: unknown, or touching an entity outside the actor's set."""
    event = repository.get_event(session, event_id)
    if event is None or (
        actor.limited and not repository.entity_ids_of(session, event.id) <= (actor.entity_ids or frozenset())
    ):
        raise GroupEventNotFoundError(f"no group event {event_id}")
    return event


@dataclass(frozen=True)
class MergedCompany:
    """A company absorbed by a committed merger: into which company, on which date, by which event."""

    absorbed_id: str
    survivor_id: str
    merged_on: date
    event_id: str


def merged_companies(session: Session, *, until: date) -> list[MergedCompany]:
    """Every company absorbed by a merger committed with a date on or before `until`, oldest merger first.

    Read whoever asks: the consolidation needs the whole group's history (it checks its caller itself).
    """
    out: list[MergedCompany] = []
    for event in repository.mergers_until(session, until=until):
        for change in event.plan.get("entity_changes", []):
            if change.get("kind") == "merged" and change.get("into_id"):
                out.append(
                    MergedCompany(
                        absorbed_id=change["entity_id"],
                        survivor_id=change["into_id"],
                        merged_on=event.effective_on,
                        event_id=event.id,
                    )
                )
    return out


def list_events(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    kind: str | None = None,
    entity_id: str | None = None,
) -> Sequence[GroupEvent]:
    return repository.list_events(
        session, limit=limit, after_id=after_id, kind=kind, entity_id=entity_id, entity_ids=actor.entity_ids
    )


__all__ = [
    "ABSORPTION",
    "CapitalChangeRequest",
    "CommonControlRequest",
    "EntityNotFoundError",
    "EventRequest",
    "EventResult",
    "EventRuleViolationError",
    "FixedAssetGiven",
    "MergedCompany",
    "MergerRequest",
    "ShareTransferRequest",
    "Terms",
    "commit_event",
    "get_event",
    "list_events",
    "merged_companies",
    "preview_event",
]
