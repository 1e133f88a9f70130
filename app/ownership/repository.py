"""Every query of stakes and method overrides. Returns models (plain rows for bulk reads); never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, or_, select
from sqlalchemy.orm import Session

from app.core.db import bulk_tuples
from app.core.money import ratio_units
from app.ownership.models import EquityStake, MethodOverride

#: holder_id, investee_id, share, voting_share, valid_from, valid_to
StakeTerms = tuple[str, str, Decimal, Decimal, date, date | None]
#: (holder, investee, share units, vote units, valid_from, valid_to); units of 10^-12, None outside 0..1
StakeUnits = tuple[str, str, int | None, int | None, date, date | None]
_Share = TypeVar("_Share")


def _in_force(model: type[EquityStake] | type[MethodOverride], as_of: date) -> list[ColumnElement[bool]]:
    return [model.valid_from <= as_of, or_(model.valid_to.is_(None), model.valid_to > as_of)]


def get_stake(session: Session, stake_id: str, *, for_update: bool = False) -> EquityStake | None:
    return session.get(EquityStake, stake_id, with_for_update=for_update)


def stakes_of_investee_overlapping(
    session: Session, *, investee_id: str, valid_from: date, valid_to: date | None
) -> Sequence[EquityStake]:
    """The investee's stakes sharing at least one day with [valid_from, valid_to), locked for update."""
    query = (
        select(EquityStake)
        .where(
            EquityStake.investee_id == investee_id,
            or_(EquityStake.valid_to.is_(None), EquityStake.valid_to > valid_from),
        )
        .order_by(EquityStake.valid_from, EquityStake.id)
        .with_for_update()
    )
    if valid_to is not None:
        query = query.where(EquityStake.valid_from < valid_to)
    return session.execute(query).scalars().all()


def stakes_running_past(session: Session, *, entity_id: str, on: date) -> Sequence[EquityStake]:
    """Stakes held by or in the entity that are still in force on `on` or start later, locked for update."""
    query = (
        select(EquityStake)
        .where(
            or_(EquityStake.holder_id == entity_id, EquityStake.investee_id == entity_id),
            or_(EquityStake.valid_to.is_(None), EquityStake.valid_to > on),
        )
        .order_by(EquityStake.valid_from, EquityStake.id)
        .with_for_update()
    )
    return session.execute(query).scalars().all()


def list_stakes(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    holder_id: str | None = None,
    investee_id: str | None = None,
    as_of: date | None = None,
    entity_ids: frozenset[str] | None = None,
) -> Sequence[EquityStake]:
    query = select(EquityStake).order_by(EquityStake.id).limit(limit)
    if after_id is not None:
        query = query.where(EquityStake.id > after_id)
    if holder_id is not None:
        query = query.where(EquityStake.holder_id == holder_id)
    if investee_id is not None:
        query = query.where(EquityStake.investee_id == investee_id)
    if as_of is not None:
        query = query.where(*_in_force(EquityStake, as_of))
    if entity_ids is not None:
        visible = sorted(entity_ids)
        query = query.where(or_(EquityStake.holder_id.in_(visible), EquityStake.investee_id.in_(visible)))
    return session.execute(query).scalars().all()


def stake_terms_starting_by(session: Session, *, until: date | None) -> Sequence[StakeTerms]:
    """The engine's columns of every stake started by `until` (None = all), in id order.

    Plain tuples, not models, read in bulk (`bulk_tuples`): the ownership views read every stake of the group
    (30,000 for a 10,000-entity group), and building a model per row took most of the view's time.
    The order is the primary key's, which is deterministic and read from its index: no consumer depends on
    date order, and sorting by date made PostgreSQL sort every row (past `work_mem`, on disk).
    """
    return bulk_tuples(session, _terms(EquityStake.share, EquityStake.voting_share, until=until))


def stake_units_starting_by(session: Session, *, until: date | None) -> Sequence[StakeUnits]:
    """`stake_terms_starting_by` with the share and the vote as integer units (`ratio_units`).

    What the as-of view reads: the engine sums and compares units exactly in numpy, and an integer is
    cheaper to read than a `Decimal` (`RegisterColumns.of_unit_rows` makes one per distinct value). A share
    or vote outside 0..1 comes back as None.
    """
    share, vote = ratio_units(EquityStake.share), ratio_units(EquityStake.voting_share)
    return bulk_tuples(session, _terms(share, vote, until=until))


def _terms(
    share: SQLColumnExpression[_Share], vote: SQLColumnExpression[_Share], *, until: date | None
) -> Select[str, str, _Share, _Share, date, date | None]:
    """Holder, investee, `share`, `vote` and validity of every stake started by `until`, in id order."""
    query = select(
        EquityStake.holder_id,
        EquityStake.investee_id,
        share,
        vote,
        EquityStake.valid_from,
        EquityStake.valid_to,
    ).order_by(EquityStake.id)
    return query if until is None else query.where(EquityStake.valid_from <= until)


def stakes_in_force(session: Session, *, as_of: date) -> Sequence[EquityStake]:
    query = select(EquityStake).where(*_in_force(EquityStake, as_of)).order_by(EquityStake.id)
    return session.execute(query).scalars().all()


def get_override(session: Session, override_id: str, *, for_update: bool = False) -> MethodOverride | None:
    return session.get(MethodOverride, override_id, with_for_update=for_update)


def overrides_of_parent(
    session: Session, *, parent_id: str, until: date | None = None
) -> Sequence[MethodOverride]:
    """The parent's overrides that have started by `until` (None = all), in date order."""
    query = select(MethodOverride).where(MethodOverride.parent_id == parent_id)
    if until is not None:
        query = query.where(MethodOverride.valid_from <= until)
    return session.execute(query.order_by(MethodOverride.valid_from, MethodOverride.id)).scalars().all()


def overrides_of_pair_overlapping(
    session: Session, *, parent_id: str, entity_id: str, valid_from: date, valid_to: date | None
) -> Sequence[MethodOverride]:
    query = (
        select(MethodOverride)
        .where(
            MethodOverride.parent_id == parent_id,
            MethodOverride.entity_id == entity_id,
            or_(MethodOverride.valid_to.is_(None), MethodOverride.valid_to > valid_from),
        )
        .order_by(MethodOverride.valid_from, MethodOverride.id)
        .with_for_update()
    )
    if valid_to is not None:
        query = query.where(MethodOverride.valid_from < valid_to)
    return session.execute(query).scalars().all()


def list_overrides(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    parent_id: str | None = None,
    entity_id: str | None = None,
    as_of: date | None = None,
    entity_ids: frozenset[str] | None = None,
) -> Sequence[MethodOverride]:
    query = select(MethodOverride).order_by(MethodOverride.id).limit(limit)
    if after_id is not None:
        query = query.where(MethodOverride.id > after_id)
    if parent_id is not None:
        query = query.where(MethodOverride.parent_id == parent_id)
    if entity_id is not None:
        query = query.where(MethodOverride.entity_id == entity_id)
    if as_of is not None:
        query = query.where(*_in_force(MethodOverride, as_of))
    if entity_ids is not None:
        visible = sorted(entity_ids)
        query = query.where(and_(MethodOverride.entity_id.in_(visible)))
    return session.execute(query).scalars().all()
