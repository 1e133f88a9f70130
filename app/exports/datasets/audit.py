"""The audit-trail dataset, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.audit.models import AuditEvent
from app.core.context import Actor
from app.exports.columns import Column, Kind, Row
from app.exports.datasets.base import ExportQuery, Extras, SqlSource, Table, in_scope, stream_rows, where_all

AUDIT_COLUMNS = (
    Column("seq", Kind.INT),
    Column("event_id"),
    Column("at", Kind.TIMESTAMP),
    Column("actor_id"),
    Column("actor_name"),
    Column("action"),
    Column("subject_type"),
    Column("subject_id"),
    Column("entity_id"),
    Column("request_id"),
    Column("before", Kind.JSON),
    Column("after", Kind.JSON),
    Column("prev_hash"),
    Column("hash"),
)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def audit_filters(query: ExportQuery) -> list[ColumnElement[bool] | None]:
    return [
        in_scope(AuditEvent.entity_id, query.scope),
        None if query.after_seq is None else AuditEvent.seq > query.after_seq,
        None if query.date_from is None else AuditEvent.at >= _day_start(query.date_from),
        None if query.date_to is None else AuditEvent.at < _day_start(query.date_to + timedelta(days=1)),
    ]


def audit_tables(session: Session, *, actor: Actor, query: ExportQuery, extras: Extras) -> list[Table]:
    """Events in sequence order; the manifest says the last sequence number read (the next `after_seq`)."""
    exprs: list[Any] = [
        AuditEvent.seq,
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor_id,
        AuditEvent.actor_name,
        AuditEvent.action,
        AuditEvent.subject_type,
        AuditEvent.subject_id,
        AuditEvent.entity_id,
        AuditEvent.request_id,
        AuditEvent.before,
        AuditEvent.after,
        AuditEvent.prev_hash,
        AuditEvent.hash,
    ]
    filters = audit_filters(query)
    extras.values["audit_trail"] = {"after_seq": query.after_seq, "last_seq": query.after_seq}

    sql = SqlSource(
        spec=tuple(zip(AUDIT_COLUMNS, exprs, strict=True)),
        source=lambda statement: where_all(statement.select_from(AuditEvent), *filters),
        order_by=(AuditEvent.seq,),
    )

    def rows() -> Iterator[Row]:
        for row in stream_rows(session, sql):
            extras.values["audit_trail"]["last_seq"] = row[0]
            yield row

    def count() -> int:
        return int(
            session.execute(where_all(select(func.count()).select_from(AuditEvent), *filters)).scalar_one()
        )

    return [Table(name="audit_trail", columns=AUDIT_COLUMNS, rows=rows, count=count)]
