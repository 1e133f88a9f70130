"""Use cases of the entity register. Each public write is one unit of work and writes its audit events.

Entities are never deleted. Their history is `established_on` .. `ended_on`: dissolving or merging an
entity closes it (and ends its running stakes the same day, through the ownership service), so a merged
company still answers every question asked as of an earlier date.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from itertools import repeat
from typing import Any, NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.etag import check_version
from app.core.security import Role
from app.entities import repository
from app.entities.domain import (
    ACTIVE,
    DISSOLVED,
    MERGED,
    EntityFacts,
    Violation,
    exists_on,
    uscc_violations,
)
from app.entities.errors import (
    EntityCodeTakenError,
    EntityLimitedUserError,
    EntityNotActiveError,
    EntityNotFoundError,
    EntityValidationError,
    UsccTakenError,
    problem_errors,
)
from app.entities.models import LegalEntity

EDITABLE_FIELDS = frozenset({"name", "name_en", "segment", "country", "uscc", "uscc_override_reason"})
_REQUIRED_FIELDS = frozenset({"name"})


def entity_snapshot(entity: LegalEntity) -> dict[str, Any]:
    """The audited state of an entity."""
    return {
        "code": entity.code,
        "name": entity.name,
        "name_en": entity.name_en,
        "kind": entity.kind,
        "uscc": entity.uscc,
        "uscc_override_reason": entity.uscc_override_reason,
        "functional_currency": entity.functional_currency,
        "country": entity.country,
        "segment": entity.segment,
        "established_on": entity.established_on,
        "status": entity.status,
        "ended_on": entity.ended_on,
        "merged_into_id": entity.merged_into_id,
    }


def entity_facts(entity: LegalEntity) -> EntityFacts:
    """What the stake rules need to know of an entity."""
    return EntityFacts(
        id=entity.id, code=entity.code, established_on=entity.established_on, ended_on=entity.ended_on
    )


def _may_override(actor: Actor) -> bool:
    return actor.role == Role.ADMIN


def _raise_invalid(detail: str, violations: Sequence[Violation]) -> None:
    if violations:
        raise EntityValidationError(detail, errors=problem_errors(violations))


def _check_unique(session: Session, *, code: str | None, uscc: str | None, exclude_id: str | None) -> None:
    if code is not None and repository.by_code(session, code) is not None:
        raise EntityCodeTakenError(f"entity code '{code}' is taken", field="code")
    if uscc is not None:
        other = repository.uscc_holder(session, uscc, exclude_id=exclude_id)
        if other is not None:
            raise UsccTakenError(
                f"entity {other.code} already has the unified social credit code {uscc}",
                field="uscc",
                entity_id=other.id,
            )


def _audit_override(session: Session, *, actor: Actor, entity: LegalEntity, now: datetime) -> None:
    audit.record(
        session,
        actor=actor,
        action="entity.uscc.overridden",
        subject_type="entity",
        subject_id=entity.id,
        at=now,
        entity_id=entity.id,
        after={"uscc": entity.uscc, "reason": entity.uscc_override_reason},
    )


def create_entity(
    session: Session,
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    functional_currency: str,
    now: datetime,
    name_en: str | None = None,
    uscc: str | None = None,
    uscc_override_reason: str | None = None,
    country: str | None = None,
    segment: str | None = None,
    established_on: date | None = None,
) -> LegalEntity:
    """Register an entity (status active).

    Raises:
        EntityLimitedUserError: the actor is limited to some entities (it could not see the new one).
        EntityValidationError: the USCC fails the GB 32100 check without an admin's override, or an override
            reason was given where none is allowed or needed.
        EntityCodeTakenError, UsccTakenError: another entity has the code or the USCC.
    """
    with atomic(session):
        if actor.limited:
            raise EntityLimitedUserError("a user limited to some entities cannot register new entities")
        reason = uscc_override_reason or None
        violations = uscc_violations(uscc=uscc, override_reason=reason, may_override=_may_override(actor))
        _raise_invalid("the entity cannot be registered", violations)
        _check_unique(session, code=code, uscc=uscc, exclude_id=None)
        overridden = uscc is not None and reason is not None
        entity = LegalEntity(
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            uscc=uscc,
            uscc_override_reason=reason if overridden else None,
            functional_currency=functional_currency,
            country=country,
            segment=segment,
            established_on=established_on,
            status=ACTIVE,
            created_at=now,
            version=1,
        )
        try:
            with session.begin_nested():
                session.add(entity)
                session.flush()
        except IntegrityError as exc:  # a concurrent writer took the code between our check and the insert
            raise EntityCodeTakenError(f"entity code '{code}' is taken", field="code") from exc
        audit.record(
            session,
            actor=actor,
            action="entity.created",
            subject_type="entity",
            subject_id=entity.id,
            at=now,
            entity_id=entity.id,
            after=entity_snapshot(entity),
        )
        if overridden:
            _audit_override(session, actor=actor, entity=entity, now=now)
        return entity


def get_entity(session: Session, *, actor: Actor, entity_id: str) -> LegalEntity:
    """The entity, if the actor may see it.

    Raises:
        EntityNotFoundError: no such entity, or the actor is limited to other entities.
    """
    entity = repository.get(session, entity_id)
    if entity is None or not actor.can_see(entity.id):
        raise EntityNotFoundError(f"no entity {entity_id}")
    return entity


def list_entities(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    q: str | None = None,
    code: str | None = None,
    as_of: date | None = None,
) -> Sequence[LegalEntity]:
    """Entities in id order; `as_of` keeps those existing on that date; limited actors see theirs."""
    return repository.list_entities(
        session,
        after_id=after_id,
        limit=limit,
        kind=kind,
        status=status,
        q=q,
        code=code,
        as_of=as_of,
        entity_ids=actor.entity_ids,
    )


def entities_by_id(session: Session, *, entity_ids: Collection[str]) -> dict[str, LegalEntity]:
    """The entities among `entity_ids` (no visibility filter: for services that filter themselves)."""
    return {e.id: e for e in repository.get_many(session, entity_ids)}


class EntityName(NamedTuple):
    """How a report names an entity: its id, code, names and kind (a read of columns, not a model; a named
    tuple, made from the row as read: a group's view names 10,000 entities)."""

    id: str
    code: str
    name: str
    name_en: str | None
    kind: str


def entity_names(session: Session, *, entity_ids: Collection[str]) -> dict[str, EntityName]:
    """The names of the entities among `entity_ids` (no visibility filter: for services that filter
    themselves). Views of whole groups name 10,000 entities: building a model for each was most of their
    time."""
    # each name straight from its row (`tuple.__new__`, what `_make` does without a Python call per row)
    names = map(tuple.__new__, repeat(EntityName), repository.name_rows(session, entity_ids))
    return {name.id: name for name in names}


def lock_entities(session: Session, *, entity_ids: Collection[str]) -> dict[str, LegalEntity]:
    """Load and lock (`SELECT ... FOR NO KEY UPDATE`, in id order) the entities among `entity_ids`.

    Every write that depends on an entity's holdings or lifetime locks the entity rows first, so two
    concurrent stake writes on one investee (or a stake and a dissolution) are serialised. The lock leaves
    foreign-key checks (`KEY SHARE`) alone: inserting a row that references a locked entity never waits.
    """
    return {e.id: e for e in repository.get_many(session, entity_ids, for_update=True)}


def update_entity(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    expected_version: int,
    changes: Mapping[str, Any],
    now: datetime,
) -> LegalEntity:
    """Change descriptive fields (names, segment, country, USCC); code, kind and history are never edited.

    Raises:
        EntityNotFoundError: unknown or not visible to the actor.
        PreconditionFailedError: `expected_version` is stale.
        EntityValidationError: a required field cleared, an unknown field, or the USCC rules (see create).
        UsccTakenError: another entity has the new USCC.
    """
    with atomic(session):
        entity = repository.get(session, entity_id, for_update=True)
        if entity is None or not actor.can_see(entity.id):
            raise EntityNotFoundError(f"no entity {entity_id}")
        check_version(expected=expected_version, current=entity.version)
        violations = [
            Violation(field=key, msg="cannot be changed", type="not_editable")
            for key in sorted(set(changes) - EDITABLE_FIELDS)
        ]
        violations += [
            Violation(field=key, msg="cannot be removed", type="required")
            for key in sorted(_REQUIRED_FIELDS & set(changes))
            if changes[key] is None
        ]
        uscc_changed = "uscc" in changes and changes["uscc"] != entity.uscc
        reason_given = "uscc_override_reason" in changes
        new_uscc = changes.get("uscc", entity.uscc)
        new_reason = entity.uscc_override_reason
        if uscc_changed or reason_given:
            new_reason = changes.get("uscc_override_reason") or None
            violations += uscc_violations(
                uscc=new_uscc, override_reason=new_reason, may_override=_may_override(actor)
            )
        _raise_invalid("the entity cannot be changed", violations)
        if uscc_changed:
            _check_unique(session, code=None, uscc=new_uscc, exclude_id=entity.id)
        before = entity_snapshot(entity)
        for key in ("name", "name_en", "segment", "country"):
            if key in changes:
                setattr(entity, key, changes[key])
        entity.uscc = new_uscc
        entity.uscc_override_reason = new_reason if new_uscc is not None and new_reason is not None else None
        override_recorded = entity.uscc_override_reason is not None and (
            uscc_changed or entity.uscc_override_reason != before["uscc_override_reason"]
        )
        entity.version += 1
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="entity.updated",
            subject_type="entity",
            subject_id=entity.id,
            at=now,
            entity_id=entity.id,
            before=before,
            after=entity_snapshot(entity),
        )
        if override_recorded:
            _audit_override(session, actor=actor, entity=entity, now=now)
        return entity


def _close(
    session: Session,
    *,
    actor: Actor,
    entity: LegalEntity,
    status: str,
    on: date,
    merged_into_id: str | None,
    now: datetime,
    violations: list[Violation],
) -> LegalEntity:
    import app.ownership.service as ownership_service  # ownership builds on entities: import late

    if entity.status != ACTIVE:
        raise EntityNotActiveError(
            f"entity {entity.code} is already {entity.status} (on {entity.ended_on})",
            entity_status=entity.status,
        )
    if entity.established_on is not None and on <= entity.established_on:
        violations.append(
            Violation(
                field="on",
                msg=f"must be after the entity was established ({entity.established_on})",
                type="before_established",
            )
        )
    _raise_invalid(f"entity {entity.code} cannot end on {on}", violations)
    before = entity_snapshot(entity)
    ownership_service.end_stakes_of_entity(session, actor=actor, entity_id=entity.id, on=on, now=now)
    entity.status = status
    entity.ended_on = on
    entity.merged_into_id = merged_into_id
    entity.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"entity.{status}",
        subject_type="entity",
        subject_id=entity.id,
        at=now,
        entity_id=entity.id,
        before=before,
        after=entity_snapshot(entity),
    )
    return entity


def dissolve_entity(
    session: Session, *, actor: Actor, entity_id: str, on: date, now: datetime
) -> LegalEntity:
    """Dissolve an entity from `on` (its first day of not existing); its running stakes end that day.

    Raises:
        EntityNotFoundError: unknown or not visible to the actor.
        EntityNotActiveError: already merged or dissolved.
        EntityValidationError: `on` is not after `established_on`.
        StakesBeginAfterEndError: stakes of the entity begin on or after `on`.
    """
    with atomic(session):
        entity = repository.get(session, entity_id, for_update=True)
        if entity is None or not actor.can_see(entity.id):
            raise EntityNotFoundError(f"no entity {entity_id}")
        return _close(
            session,
            actor=actor,
            entity=entity,
            status=DISSOLVED,
            on=on,
            merged_into_id=None,
            now=now,
            violations=[],
        )


def mark_merged(
    session: Session, *, actor: Actor, entity_id: str, into_id: str, on: date, now: datetime
) -> LegalEntity:
    """Record that `entity_id` was merged into `into_id` and ceased on `on`; its running stakes end that day.

    Called by the merger use cases inside their own transaction, before they record the surviving
    entity's new holdings (the merged entity's holdings end on `on`, so new ones may start that day).

    Raises:
        EntityNotFoundError: `entity_id` unknown or not visible to the actor.
        EntityNotActiveError: already merged or dissolved.
        EntityValidationError: `into_id` unknown, not visible, the same entity or not existing on `on`;
            `on` not after `established_on`.
        StakesBeginAfterEndError: stakes of the entity begin on or after `on`.
    """
    with atomic(session):
        locked = lock_entities(session, entity_ids={entity_id, into_id})
        entity = locked.get(entity_id)
        if entity is None or not actor.can_see(entity.id):
            raise EntityNotFoundError(f"no entity {entity_id}")
        into = locked.get(into_id)
        violations: list[Violation] = []
        if into_id == entity_id:
            violations.append(
                Violation(field="into_id", msg="an entity cannot merge into itself", type="self_merge")
            )
        elif into is None or not actor.can_see(into.id):
            violations.append(Violation(field="into_id", msg=f"no entity {into_id}", type="unknown_entity"))
        elif not exists_on(established_on=into.established_on, ended_on=into.ended_on, day=on):
            violations.append(
                Violation(
                    field="into_id", msg=f"{into.code} does not exist on {on}", type="entity_not_active"
                )
            )
        return _close(
            session,
            actor=actor,
            entity=entity,
            status=MERGED,
            on=on,
            merged_into_id=into_id,
            now=now,
            violations=violations,
        )


def status_dates(entity: LegalEntity) -> tuple[date | None, date | None]:
    """(merged_on, dissolved_on) for display."""
    merged_on = entity.ended_on if entity.status == MERGED else None
    dissolved_on = entity.ended_on if entity.status == DISSOLVED else None
    return merged_on, dissolved_on
