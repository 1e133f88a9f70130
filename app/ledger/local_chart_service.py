"""Local charts: a subsidiary's own account codes and the group accounts they go to.

Reporting packages written in local codes are translated through this map. Several local accounts may map to
one group account (their balances add up); a local code maps to exactly one group account. The packaged
small-enterprise chart (小企业会计准则) is a ready template: applying it adds the mappings an entity does not
have yet and never overwrites one it has (differences are reported as conflicts).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import NotFoundError, ValidationFailedError, violation
from app.core.etag import check_version
from app.ledger import repository
from app.ledger.access import visible_entity
from app.ledger.chart_service import TemplateResult, template_mappings
from app.ledger.errors import LocalAccountExistsError
from app.ledger.models import LocalAccountMap


def _snapshot(row: LocalAccountMap) -> dict[str, Any]:
    return {"local_code": row.local_code, "local_name": row.local_name, "group_code": row.group_code}


def _require_group_account(session: Session, group_code: str) -> None:
    if repository.get_account(session, code=group_code) is None:
        raise ValidationFailedError(
            "Unknown group account",
            errors=[violation(("body", "group_code"), f"no group account {group_code}", "unknown_account")],
        )


def _get(session: Session, *, entity_id: str, local_code: str, for_update: bool = False) -> LocalAccountMap:
    row = repository.get_local_account(
        session, entity_id=entity_id, local_code=local_code, for_update=for_update
    )
    if row is None:
        raise NotFoundError(f"local code {local_code} is not mapped", local_code=local_code)
    return row


def list_local_accounts(
    session: Session, *, actor: Actor, entity_id: str, after_code: str | None, limit: int
) -> tuple[list[LocalAccountMap], str | None]:
    """Raises: EntityNotFoundError."""
    visible_entity(session, actor=actor, entity_id=entity_id)
    rows = repository.list_local_accounts(
        session, entity_id=entity_id, after_code=after_code, limit=limit + 1
    )
    page = list(rows[:limit])
    return page, (page[-1].local_code if len(rows) > limit else None)


def get_local_account(session: Session, *, actor: Actor, entity_id: str, local_code: str) -> LocalAccountMap:
    """Raises: EntityNotFoundError, NotFoundError."""
    visible_entity(session, actor=actor, entity_id=entity_id)
    return _get(session, entity_id=entity_id, local_code=local_code)


def create_local_account(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    local_code: str,
    local_name: str | None,
    group_code: str,
    now: datetime,
) -> LocalAccountMap:
    """Map one local code.

    Raises:
        EntityNotFoundError, LocalAccountExistsError, ValidationFailedError (unknown group account).
    """
    with atomic(session):
        entity = visible_entity(session, actor=actor, entity_id=entity_id)
        if repository.get_local_account(session, entity_id=entity.id, local_code=local_code) is not None:
            raise LocalAccountExistsError(f"local code {local_code} is already mapped", local_code=local_code)
        _require_group_account(session, group_code)
        row = LocalAccountMap(
            entity_id=entity.id,
            local_code=local_code,
            local_name=local_name,
            group_code=group_code,
            version=1,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="ledger.local_account.created",
            subject_type="local_account",
            subject_id=f"{entity.id}:{local_code}",
            at=now,
            entity_id=entity.id,
            after=_snapshot(row),
        )
        return row


def update_local_account(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    local_code: str,
    expected_version: int,
    changes: Mapping[str, Any],
    now: datetime,
) -> LocalAccountMap:
    """Rename a local code or point it at another group account.

    Raises:
        EntityNotFoundError, NotFoundError, PreconditionFailedError, ValidationFailedError.
    """
    with atomic(session):
        entity = visible_entity(session, actor=actor, entity_id=entity_id)
        row = _get(session, entity_id=entity.id, local_code=local_code, for_update=True)
        check_version(expected=expected_version, current=row.version)
        before = _snapshot(row)
        if "group_code" in changes:
            _require_group_account(session, changes["group_code"])
            row.group_code = changes["group_code"]
        if "local_name" in changes:
            row.local_name = changes["local_name"]
        row.version += 1
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="ledger.local_account.updated",
            subject_type="local_account",
            subject_id=f"{entity.id}:{local_code}",
            at=now,
            entity_id=entity.id,
            before=before,
            after=_snapshot(row),
        )
        return row


def delete_local_account(
    session: Session, *, actor: Actor, entity_id: str, local_code: str, expected_version: int, now: datetime
) -> None:
    """Raises: EntityNotFoundError, NotFoundError, PreconditionFailedError."""
    with atomic(session):
        entity = visible_entity(session, actor=actor, entity_id=entity_id)
        row = _get(session, entity_id=entity.id, local_code=local_code, for_update=True)
        check_version(expected=expected_version, current=row.version)
        before = _snapshot(row)
        session.delete(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="ledger.local_account.deleted",
            subject_type="local_account",
            subject_id=f"{entity.id}:{local_code}",
            at=now,
            entity_id=entity.id,
            before=before,
        )


def apply_template(
    session: Session, *, actor: Actor, entity_id: str, template: str, now: datetime
) -> TemplateResult:
    """Add the template's mappings the entity lacks; keep (and report) those it maps differently.

    Raises:
        EntityNotFoundError; ValidationFailedError for an unknown template.
    """
    with atomic(session):
        entity = visible_entity(session, actor=actor, entity_id=entity_id)
        try:
            mappings = template_mappings(template)
        except KeyError:
            raise ValidationFailedError(
                "Unknown template",
                errors=[violation(("body", "template"), f"no template {template!r}", "unknown_template")],
            ) from None
        existing = repository.local_map(session, entity_id=entity.id)
        created, unchanged = 0, 0
        conflicts: list[tuple[str, str, str]] = []
        for local_code, local_name, group_code in mappings:
            mapped = existing.get(local_code)
            if mapped is None:
                session.add(
                    LocalAccountMap(
                        entity_id=entity.id,
                        local_code=local_code,
                        local_name=local_name,
                        group_code=group_code,
                        version=1,
                    )
                )
                created += 1
            elif mapped == group_code:
                unchanged += 1
            else:
                conflicts.append((local_code, mapped, group_code))
        session.flush()
        result = TemplateResult(template=template, created=created, unchanged=unchanged, conflicts=conflicts)
        audit.record(
            session,
            actor=actor,
            action="ledger.local_chart.template_applied",
            subject_type="entity",
            subject_id=entity.id,
            at=now,
            entity_id=entity.id,
            after={
                "template": template,
                "created": created,
                "unchanged": unchanged,
                "conflicts": [list(c) for c in conflicts],
            },
        )
        return result
