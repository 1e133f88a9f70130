"""Equity stakes (dated direct holdings) and documented method overrides."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime
from app.core.ids import new_id
from app.core.money import Money, Ratio


class EquityStake(Base):
    """A direct holding of `holder` in `investee` from `valid_from` (inclusive) to `valid_to` (exclusive)."""

    __tablename__ = "equity_stake"
    __table_args__ = (
        CheckConstraint("holder_id <> investee_id", name="not_self"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="dates"),
        Index("ix_equity_stake_investee_dates", "investee_id", "valid_from"),
        Index("ix_equity_stake_holder_dates", "holder_id", "valid_from"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    holder_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    investee_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    share: Mapped[Decimal] = mapped_column(Ratio())
    voting_share: Mapped[Decimal] = mapped_column(Ratio())
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    capital_subscribed: Mapped[Decimal | None] = mapped_column(Money())
    capital_paid: Mapped[Decimal | None] = mapped_column(Money())
    source: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MethodOverride(Base):
    """A documented manual consolidation method for one entity under one parent (e.g. joint venture)."""

    __tablename__ = "method_override"
    __table_args__ = (
        CheckConstraint("method IN ('subsidiary','associate','joint_venture','investment')", name="method"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="dates"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    parent_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
