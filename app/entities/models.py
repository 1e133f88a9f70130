"""Legal entities. Nothing is deleted: a merged or dissolved company keeps answering as-of queries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime
from app.core.ids import new_id


class LegalEntity(Base):
    __tablename__ = "legal_entity"
    __table_args__ = (
        CheckConstraint("kind IN ('company','external')", name="kind"),
        CheckConstraint("status IN ('active','merged','dissolved')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    uscc_override_reason: Mapped[str | None] = mapped_column(Text)
    functional_currency: Mapped[str] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(2))
    segment: Mapped[str | None] = mapped_column(String(50))
    established_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    ended_on: Mapped[date | None] = mapped_column(Date)
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("legal_entity.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    def active_on(self, day: date) -> bool:
        """Exists and has not ended on `day` (established_on inclusive, ended_on exclusive)."""
        if self.established_on is not None and day < self.established_on:
            return False
        return self.ended_on is None or day < self.ended_on
