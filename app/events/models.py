"""Committed group events: what was asked, and the plan that was executed (holdings, entries, figures).

The plan is kept as JSON (decimals as strings) exactly as it was executed and answered: it is the record an
auditor reads to see what a merger or a share transfer did. `group_event_entity` lists every entity the
event touched, so a user limited to some entities finds the events of its entities (and only those).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime
from app.core.ids import new_id


class GroupEvent(Base):
    __tablename__ = "group_event"
    __table_args__ = (Index("ix_group_event_kind_effective", "kind", "effective_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    classification: Mapped[str | None] = mapped_column(String(40))
    effective_on: Mapped[date] = mapped_column(Date)
    group_parent_id: Mapped[str | None] = mapped_column(ForeignKey("legal_entity.id"))
    created_entity_id: Mapped[str | None] = mapped_column(ForeignKey("legal_entity.id"))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class GroupEventEntity(Base):
    """An entity touched by an event (a party, an entity whose books or holdings changed)."""

    __tablename__ = "group_event_entity"

    event_id: Mapped[str] = mapped_column(ForeignKey("group_event.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), primary_key=True, index=True)
