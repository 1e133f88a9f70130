"""Every query of the entity register. Returns models; never commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.core.db import bulk_tuples
from app.entities.models import LegalEntity

# Entity rows are locked `FOR NO KEY UPDATE` (SQLAlchemy's `key_share=True`), never plain `FOR UPDATE`: no
# writer changes an entity's id, and `FOR UPDATE` would also block the `KEY SHARE` lock that PostgreSQL's
# foreign-key check takes on every insert referencing the entity. A transaction that had recorded an audit
# event (holding the chain head) and then inserted such a row deadlocked against one that held the entity
# and waited for the chain head. `FOR NO KEY UPDATE` still excludes every other writer of the row.
_ROW_LOCK: dict[str, bool] = {"key_share": True}


def get(session: Session, entity_id: str, *, for_update: bool = False) -> LegalEntity | None:
    return session.get(LegalEntity, entity_id, with_for_update=_ROW_LOCK if for_update else None)


def get_many(session: Session, entity_ids: Collection[str], *, for_update: bool = False) -> list[LegalEntity]:
    """The entities among `entity_ids` in id order (a fixed lock order: no deadlocks between writers);
    `for_update` locks them `FOR NO KEY UPDATE`."""
    if not entity_ids:
        return []
    query = select(LegalEntity).where(LegalEntity.id.in_(sorted(set(entity_ids)))).order_by(LegalEntity.id)
    if for_update:
        query = query.with_for_update(key_share=True)
    return list(session.execute(query).scalars())


# Above this many ids one scan of the register's name columns beats an IN list of bound parameters.
_SCAN_ABOVE = 500


def name_rows(session: Session, entity_ids: Collection[str]) -> list[tuple[str, str, str, str | None, str]]:
    """(id, code, name, name_en, kind) of the entities among `entity_ids`: plain columns, no models.

    Read in bulk (`bulk_tuples`, every column a string): a group's view names 10,000 entities, and a `Row`
    per entity was a third of the read."""
    wanted = entity_ids if isinstance(entity_ids, (set, frozenset)) else set(entity_ids)
    if not wanted:
        return []
    query = select(LegalEntity.id, LegalEntity.code, LegalEntity.name, LegalEntity.name_en, LegalEntity.kind)
    if len(wanted) <= _SCAN_ABOVE:
        query = query.where(LegalEntity.id.in_(sorted(wanted)))
    return [row for row in bulk_tuples(session, query) if row[0] in wanted]


def by_code(session: Session, code: str) -> LegalEntity | None:
    return session.execute(select(LegalEntity).where(LegalEntity.code == code)).scalar_one_or_none()


def uscc_holder(session: Session, uscc: str, *, exclude_id: str | None = None) -> LegalEntity | None:
    query = select(LegalEntity).where(LegalEntity.uscc == uscc)
    if exclude_id is not None:
        query = query.where(LegalEntity.id != exclude_id)
    return session.execute(query.limit(1)).scalar_one_or_none()


def list_entities(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    kind: str | None = None,
    status: str | None = None,
    q: str | None = None,
    code: str | None = None,
    as_of: date | None = None,
    entity_ids: frozenset[str] | None = None,
) -> Sequence[LegalEntity]:
    query = select(LegalEntity).order_by(LegalEntity.id).limit(limit)
    if after_id is not None:
        query = query.where(LegalEntity.id > after_id)
    if kind is not None:
        query = query.where(LegalEntity.kind == kind)
    if status is not None:
        query = query.where(LegalEntity.status == status)
    if code is not None:
        query = query.where(LegalEntity.code == code)
    if q is not None:
        query = query.where(
            or_(
                LegalEntity.name.icontains(q, autoescape=True),
                LegalEntity.name_en.icontains(q, autoescape=True),
                LegalEntity.code.icontains(q, autoescape=True),
            )
        )
    if as_of is not None:
        query = query.where(
            or_(LegalEntity.established_on.is_(None), LegalEntity.established_on <= as_of),
            or_(LegalEntity.ended_on.is_(None), LegalEntity.ended_on > as_of),
        )
    if entity_ids is not None:
        query = query.where(LegalEntity.id.in_(sorted(entity_ids)))
    return session.execute(query).scalars().all()
