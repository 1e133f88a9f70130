"""HTTP: the register of legal entities.

Roles: every role reads (READERS); admins, controllers and accountants register and edit entities
(PREPARERS). Only an admin may accept a USCC that fails the GB 32100 check (`uscc_override_reason`), which
the service enforces. A user limited to some entities sees only those (404 for the others) and cannot
register new entities (403).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Response

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.etag import IfMatchDep, etag_for
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import PREPARERS, READERS
from app.entities import service
from app.entities.models import LegalEntity
from app.entities.schemas import (
    EntityCreate,
    EntityDissolve,
    EntityKind,
    EntityRead,
    EntityStatus,
    EntityUpdate,
)
from app.users.auth import allow

router = feature_router(tag="entities", prefix="/entities")
Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]


def entity_read(entity: LegalEntity) -> EntityRead:
    merged_on, dissolved_on = service.status_dates(entity)
    return EntityRead(
        id=entity.id,
        code=entity.code,
        name=entity.name,
        name_en=entity.name_en,
        kind=entity.kind,
        uscc=entity.uscc,
        uscc_override_reason=entity.uscc_override_reason,
        functional_currency=entity.functional_currency,
        country=entity.country,
        segment=entity.segment,
        established_on=entity.established_on,
        status=entity.status,
        ended_on=entity.ended_on,
        merged_on=merged_on,
        merged_into_id=entity.merged_into_id,
        dissolved_on=dissolved_on,
        created_at=entity.created_at,
        version=entity.version,
    )


@router.post(
    "",
    response_model=EntityRead,
    status_code=201,
    operation_id="create_entity",
    responses=problem_responses(403, 409),
)
def create_entity(
    body: EntityCreate, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> EntityRead:
    """Register a company or an outside party. The USCC is checked (GB 32100); an admin may override."""
    entity = service.create_entity(
        session,
        actor=actor,
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        kind=body.kind,
        uscc=body.uscc,
        uscc_override_reason=body.uscc_override_reason,
        functional_currency=body.functional_currency,
        country=body.country,
        segment=body.segment,
        established_on=body.established_on,
        now=now,
    )
    response.headers["ETag"] = etag_for(entity.version)
    response.headers["Location"] = f"/api/v1/entities/{entity.id}"
    return entity_read(entity)


@router.get("", response_model=Page[EntityRead], operation_id="list_entities")
def list_entities(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    kind: EntityKind | None = None,
    status: EntityStatus | None = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="in name, name_en or code")
    ] = None,
    code: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    as_of: Annotated[date | None, Query(description="only entities existing on that date")] = None,
) -> Page[EntityRead]:
    """Entities in creation order; a user limited to some entities sees only those."""
    after = decode_cursor(cursor, arity=1)
    rows = service.list_entities(
        session,
        actor=actor,
        limit=limit + 1,
        after_id=str(after[0]) if after else None,
        kind=kind,
        status=status,
        q=q,
        code=code,
        as_of=as_of,
    )
    items = [entity_read(e) for e in rows[:limit]]
    next_cursor = encode_cursor([items[-1].id]) if len(rows) > limit else None
    return Page[EntityRead](items=items, next_cursor=next_cursor)


@router.get(
    "/{entity_id}", response_model=EntityRead, operation_id="read_entity", responses=problem_responses(404)
)
def read_entity(entity_id: str, actor: Reader, session: ReadSessionDep, response: Response) -> EntityRead:
    entity = service.get_entity(session, actor=actor, entity_id=entity_id)
    response.headers["ETag"] = etag_for(entity.version)
    return entity_read(entity)


@router.patch(
    "/{entity_id}",
    response_model=EntityRead,
    operation_id="update_entity",
    responses=problem_responses(404, 409, 412, 428),
)
def update_entity(
    entity_id: str,
    body: EntityUpdate,
    actor: Preparer,
    session: SessionDep,
    now: NowDep,
    version: IfMatchDep,
    response: Response,
) -> EntityRead:
    """Names, segment, country and USCC; code, kind, currency and history are never edited."""
    entity = service.update_entity(
        session,
        actor=actor,
        entity_id=entity_id,
        expected_version=version,
        changes=body.model_dump(exclude_unset=True),
        now=now,
    )
    response.headers["ETag"] = etag_for(entity.version)
    return entity_read(entity)


@router.post(
    "/{entity_id}/dissolve",
    response_model=EntityRead,
    operation_id="dissolve_entity",
    responses=problem_responses(404, 409),
)
def dissolve_entity(
    entity_id: str,
    body: EntityDissolve,
    actor: Preparer,
    session: SessionDep,
    now: NowDep,
    response: Response,
) -> EntityRead:
    """Close the entity from `on`; its running stakes end that day. Its history stays queryable."""
    entity = service.dissolve_entity(session, actor=actor, entity_id=entity_id, on=body.on, now=now)
    response.headers["ETag"] = etag_for(entity.version)
    return entity_read(entity)
