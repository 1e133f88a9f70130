"""Entity, stake and method-override datasets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.core.context import Actor
from app.entities.models import LegalEntity
from app.exports.columns import Column, Kind, Row, cells
from app.exports.datasets.base import ExportQuery, Table, codes_by_id, in_scope, where_all
from app.ownership.models import EquityStake, MethodOverride

ENTITY_COLUMNS = (
    Column("code"),
    Column("id"),
    Column("name"),
    Column("name_en"),
    Column("kind"),
    Column("uscc"),
    Column("functional_currency"),
    Column("country"),
    Column("segment"),
    Column("established_on", Kind.DATE),
    Column("status"),
    Column("ended_on", Kind.DATE),
    Column("merged_into_code"),
)
STAKE_COLUMNS = (
    Column("holder_code"),
    Column("holder_id"),
    Column("investee_code"),
    Column("investee_id"),
    Column("valid_from", Kind.DATE),
    Column("valid_to", Kind.DATE),
    Column("share", Kind.RATIO),
    Column("voting_share", Kind.RATIO),
    Column("capital_subscribed", Kind.MONEY, total=True),
    Column("capital_paid", Kind.MONEY, total=True),
    Column("source"),
    Column("stake_id"),
    Column("created_at", Kind.TIMESTAMP),
)
OVERRIDE_COLUMNS = (
    Column("parent_code"),
    Column("parent_id"),
    Column("entity_code"),
    Column("entity_id"),
    Column("method"),
    Column("valid_from", Kind.DATE),
    Column("valid_to", Kind.DATE),
    Column("reason"),
    Column("approved_by"),
    Column("override_id"),
    Column("created_at", Kind.TIMESTAMP),
)


def entity_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    def rows() -> Iterator[Row]:
        codes = codes_by_id(session)
        statement = where_all(select(LegalEntity), in_scope(LegalEntity.id, query.scope)).order_by(
            LegalEntity.code
        )
        for e in session.execute(statement).scalars():
            yield cells(
                ENTITY_COLUMNS,
                [
                    e.code,
                    e.id,
                    e.name,
                    e.name_en,
                    e.kind,
                    e.uscc,
                    e.functional_currency,
                    e.country,
                    e.segment,
                    e.established_on,
                    e.status,
                    e.ended_on,
                    codes.get(e.merged_into_id) if e.merged_into_id else None,
                ],
            )

    return [Table(name="entities", columns=ENTITY_COLUMNS, rows=rows)]


def _overlaps(valid_from: Any, valid_to: Any, query: ExportQuery) -> list[ColumnElement[bool] | None]:
    return [
        None if query.date_to is None else valid_from <= query.date_to,
        None if query.date_from is None else (valid_to.is_(None) | (valid_to > query.date_from)),
    ]


def equity_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    """Every stake record (the history: a change is a new dated record) touching the scope on either side,
    with subscribed and paid-in capital, and the documented method overrides."""

    def stakes() -> Iterator[Row]:
        codes = codes_by_id(session)
        scope = query.scope
        visible = (
            None
            if scope is None
            else (EquityStake.holder_id.in_(sorted(scope)) | EquityStake.investee_id.in_(sorted(scope)))
        )
        statement = where_all(
            select(EquityStake), visible, *_overlaps(EquityStake.valid_from, EquityStake.valid_to, query)
        )
        ordered = statement.order_by(
            EquityStake.investee_id, EquityStake.holder_id, EquityStake.valid_from, EquityStake.id
        )
        items = sorted(
            session.execute(ordered).scalars(),
            key=lambda s: (codes[s.investee_id], codes[s.holder_id], s.valid_from, s.id),
        )
        for s in items:
            yield cells(
                STAKE_COLUMNS,
                [
                    codes[s.holder_id],
                    s.holder_id,
                    codes[s.investee_id],
                    s.investee_id,
                    s.valid_from,
                    s.valid_to,
                    s.share,
                    s.voting_share,
                    s.capital_subscribed,
                    s.capital_paid,
                    s.source,
                    s.id,
                    s.created_at,
                ],
            )

    def overrides() -> Iterator[Row]:
        codes = codes_by_id(session)
        scope = query.scope
        visible = (
            None
            if scope is None
            else (MethodOverride.parent_id.in_(sorted(scope)) & MethodOverride.entity_id.in_(sorted(scope)))
        )
        statement = where_all(
            select(MethodOverride),
            visible,
            *_overlaps(MethodOverride.valid_from, MethodOverride.valid_to, query),
        )
        items = sorted(
            session.execute(statement).scalars(),
            key=lambda o: (codes[o.parent_id], codes[o.entity_id], o.valid_from, o.id),
        )
        for o in items:
            yield cells(
                OVERRIDE_COLUMNS,
                [
                    codes[o.parent_id],
                    o.parent_id,
                    codes[o.entity_id],
                    o.entity_id,
                    o.method,
                    o.valid_from,
                    o.valid_to,
                    o.reason,
                    o.approved_by,
                    o.id,
                    o.created_at,
                ],
            )

    return [
        *entity_tables(session, actor=actor, query=query),
        Table(name="equity_stakes", columns=STAKE_COLUMNS, rows=stakes),
        Table(name="method_overrides", columns=OVERRIDE_COLUMNS, rows=overrides),
    ]
