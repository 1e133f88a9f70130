"""Use cases of method overrides: a manual method for an entity under a parent, with reason and approver,
dated and never edited (an override is ended, and a new one recorded), audited like the stakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.entities import service as entities_service
from app.entities.domain import (
    OverrideFacts,
    Violation,
    plan_method_override,
)
from app.entities.errors import problem_errors
from app.ownership import domain as od
from app.ownership import repository
from app.ownership.errors import (
    MethodOverrideAlreadyEndedError,
    MethodOverrideNotFoundError,
    MethodOverrideValidationError,
)
from app.ownership.models import MethodOverride
from app.ownership.service import visible_facts


def override_snapshot(override: MethodOverride) -> dict[str, Any]:
    """The audited state of a method override."""
    return {
        "parent_id": override.parent_id,
        "entity_id": override.entity_id,
        "method": override.method,
        "reason": override.reason,
        "approved_by": override.approved_by,
        "valid_from": override.valid_from,
        "valid_to": override.valid_to,
    }


@dataclass(frozen=True)
class OverrideChange:
    override: MethodOverride
    superseded: MethodOverride | None = None


def create_method_override(
    session: Session,
    *,
    actor: Actor,
    parent_id: str,
    entity_id: str,
    method: str,
    reason: str,
    valid_from: date,
    now: datetime,
    valid_to: date | None = None,
) -> OverrideChange:
    """Record a documented method for `entity_id` under `parent_id` (e.g. a joint venture, de-facto control).

    The actor is recorded as the approver (routes allow controllers and admins only). An open override of
    the same pair that starts earlier is ended on `valid_from`.

    Raises:
        MethodOverrideValidationError: unknown or inactive entities, the parent itself, an unknown method,
            an empty reason or period, an overlap; all at once.
    """
    with atomic(session):
        locked = entities_service.lock_entities(session, entity_ids={parent_id, entity_id})
        existing = (
            repository.overrides_of_pair_overlapping(
                session, parent_id=parent_id, entity_id=entity_id, valid_from=valid_from, valid_to=valid_to
            )
            if valid_to is None or valid_to > valid_from
            else []
        )
        plan = plan_method_override(
            parent=visible_facts(locked.get(parent_id), actor),
            entity=visible_facts(locked.get(entity_id), actor),
            parent_id=parent_id,
            entity_id=entity_id,
            reason=reason,
            valid_from=valid_from,
            valid_to=valid_to,
            pair_overrides=[
                OverrideFacts(id=o.id, method=o.method, valid_from=o.valid_from, valid_to=o.valid_to)
                for o in existing
            ],
        )
        violations = list(plan.violations)
        if method not in od.OVERRIDABLE_METHODS:
            allowed = ", ".join(sorted(od.OVERRIDABLE_METHODS))
            violations.append(
                Violation(field="method", msg=f"must be one of {allowed}", type="unknown_method")
            )
        if violations:
            raise MethodOverrideValidationError(
                f"the override cannot be recorded: {violations[0].msg}", errors=problem_errors(violations)
            )
        superseded: MethodOverride | None = None
        if plan.supersedes is not None:
            superseded = next(o for o in existing if o.id == plan.supersedes.id)
            _end_override(session, actor=actor, override=superseded, valid_to=valid_from, now=now)
        override = MethodOverride(
            parent_id=parent_id,
            entity_id=entity_id,
            method=method,
            reason=reason,
            approved_by=actor.username,
            valid_from=valid_from,
            valid_to=valid_to,
            created_at=now,
        )
        session.add(override)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="method_override.created",
            subject_type="method_override",
            subject_id=override.id,
            at=now,
            entity_id=entity_id,
            after=override_snapshot(override),
        )
        return OverrideChange(override=override, superseded=superseded)


def _end_override(
    session: Session, *, actor: Actor, override: MethodOverride, valid_to: date, now: datetime
) -> None:
    before = override_snapshot(override)
    override.valid_to = valid_to
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="method_override.ended",
        subject_type="method_override",
        subject_id=override.id,
        at=now,
        entity_id=override.entity_id,
        before=before,
        after=override_snapshot(override),
    )


def get_method_override(session: Session, *, actor: Actor, override_id: str) -> MethodOverride:
    """Raises MethodOverrideNotFoundError when unknown or its entity is not visible to the actor."""
    override = repository.get_override(session, override_id)
    if override is None or not actor.can_see(override.entity_id):
        raise MethodOverrideNotFoundError(f"no method override {override_id}")
    return override


def list_method_overrides(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    parent_id: str | None = None,
    entity_id: str | None = None,
    as_of: date | None = None,
) -> Sequence[MethodOverride]:
    return repository.list_overrides(
        session,
        after_id=after_id,
        limit=limit,
        parent_id=parent_id,
        entity_id=entity_id,
        as_of=as_of,
        entity_ids=actor.entity_ids,
    )


def end_method_override(
    session: Session, *, actor: Actor, override_id: str, valid_to: date, now: datetime
) -> MethodOverride:
    """End an open override on `valid_to`.

    Raises:
        MethodOverrideNotFoundError, MethodOverrideAlreadyEndedError, MethodOverrideValidationError.
    """
    with atomic(session):
        override = get_method_override(session, actor=actor, override_id=override_id)
        entities_service.lock_entities(session, entity_ids={override.parent_id, override.entity_id})
        override = repository.get_override(session, override_id, for_update=True) or override
        if override.valid_to is not None:
            raise MethodOverrideAlreadyEndedError(
                f"override {override.id} already ended on {override.valid_to}"
            )
        if valid_to <= override.valid_from:
            violation = Violation(
                field="valid_to", msg=f"must be after {override.valid_from}", type="period_empty"
            )
            raise MethodOverrideValidationError(
                "the override cannot end then", errors=problem_errors([violation])
            )
        _end_override(session, actor=actor, override=override, valid_to=valid_to, now=now)
        return override
