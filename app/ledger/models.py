"""Tables of the books: chart, local charts, periods, journal, kept balances and exchange rates.

Entity-scoped tables carry `entity_id` in every primary and unique key, so they can be distributed by entity
(Citus) later without changing keys. The chart and the exchange rates are group-wide reference tables.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime
from app.core.ids import new_id
from app.core.money import Money, Ratio

#: `AccountBalance.counterparty_key` of lines without counterparty: '' keeps the key unique on both databases
#: (NULLs never collide in a unique index).
NO_COUNTERPARTY = ""


class Account(Base):
    """An account of the group chart, referred to by its code everywhere."""

    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint("type IN ('asset','liability','equity','income','expense')", name="type"),
        CheckConstraint("normal_side IN ('debit','credit')", name="normal_side"),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(10))
    normal_side: Mapped[str] = mapped_column(String(6))
    role: Mapped[str | None] = mapped_column(String(50), index=True)
    statement_line: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)


class LocalAccountMap(Base):
    """One account of a subsidiary's own chart and the group account its balances go to."""

    __tablename__ = "local_account_map"

    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), primary_key=True)
    local_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    local_name: Mapped[str | None] = mapped_column(String(200))
    group_code: Mapped[str] = mapped_column(ForeignKey("account.code"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class FiscalPeriod(Base):
    """A month of one entity's books. No row means open; a row records the last close or reopening."""

    __tablename__ = "fiscal_period"
    __table_args__ = (
        CheckConstraint("status IN ('open','closed')", name="status"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
    )

    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(6))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_by: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)


class EntryCounter(Base):
    """The last entry number used per entity and fiscal year; locked while posting so numbers have no gaps."""

    __tablename__ = "entry_counter"

    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class JournalEntry(Base):
    """A posted entry. Immutable: corrected only by a reversing entry (`reverses_id` / `reversed_by_id`)."""

    __tablename__ = "journal_entry"
    __table_args__ = (
        UniqueConstraint("entity_id", "fiscal_year", "number", name="uq_journal_entry_number"),
        UniqueConstraint("entity_id", "reverses_id", name="uq_journal_entry_reverses"),
        ForeignKeyConstraint(
            ["entity_id", "reverses_id"],
            ["journal_entry.entity_id", "journal_entry.id"],
            name="fk_journal_entry_reverses",
        ),
        CheckConstraint("fiscal_month BETWEEN 1 AND 12", name="fiscal_month"),
        CheckConstraint("number > 0", name="number"),
        Index("ix_journal_entry_entity_date", "entity_id", "entry_date"),
    )

    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id, index=True)
    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    fiscal_month: Mapped[int] = mapped_column(SmallInteger)
    number: Mapped[int] = mapped_column(Integer)
    entry_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(30))
    source_ref: Mapped[str | None] = mapped_column(String(200))
    reverses_id: Mapped[str | None] = mapped_column(String(36))
    reversed_by_id: Mapped[str | None] = mapped_column(String(36))
    preparer_id: Mapped[str | None] = mapped_column(String(36))
    preparer: Mapped[str] = mapped_column(String(100))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JournalLine(Base):
    """One line: a functional-currency debit or credit, with the transaction currency, amount and rate."""

    __tablename__ = "journal_line"
    __table_args__ = (
        ForeignKeyConstraint(
            ["entity_id", "entry_id"],
            ["journal_entry.entity_id", "journal_entry.id"],
            name="fk_journal_line_entry",
        ),
        CheckConstraint("debit >= 0 AND credit >= 0", name="non_negative"),
        CheckConstraint("(debit = 0) <> (credit = 0)", name="one_side"),
        Index("ix_journal_line_entity_account", "entity_id", "account_code"),
        Index("ix_journal_line_counterparty", "counterparty_entity_id"),
    )

    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    line_no: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    account_code: Mapped[str] = mapped_column(ForeignKey("account.code"))
    debit: Mapped[Decimal] = mapped_column(Money())
    credit: Mapped[Decimal] = mapped_column(Money())
    counterparty_entity_id: Mapped[str | None] = mapped_column(ForeignKey("legal_entity.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_in_currency: Mapped[Decimal] = mapped_column(Money())
    rate: Mapped[Decimal] = mapped_column(Ratio())
    memo: Mapped[str | None] = mapped_column(String(200))


class AccountBalance(Base):
    """Debit and credit totals of one month, kept in the posting transaction; trial balances read these."""

    __tablename__ = "account_balance"
    __table_args__ = (CheckConstraint("month BETWEEN 1 AND 12", name="month"),)

    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), primary_key=True)
    account_code: Mapped[str] = mapped_column(ForeignKey("account.code"), primary_key=True)
    counterparty_key: Mapped[str] = mapped_column(String(36), primary_key=True, default=NO_COUNTERPARTY)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    debit: Mapped[Decimal] = mapped_column(Money())
    credit: Mapped[Decimal] = mapped_column(Money())


class FxRate(Base):
    """1 unit of `currency` = `rate` units of `quote_currency`, of one kind, on one date."""

    __tablename__ = "fx_rate"
    __table_args__ = (
        UniqueConstraint("currency", "quote_currency", "kind", "rate_on", name="uq_fx_rate_key"),
        CheckConstraint("kind IN ('closing','average','historical')", name="kind"),
        CheckConstraint("rate > 0", name="positive"),
        CheckConstraint("currency <> quote_currency", name="distinct_currencies"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    currency: Mapped[str] = mapped_column(String(3))
    quote_currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(10))
    on: Mapped[date] = mapped_column("rate_on", Date)
    rate: Mapped[Decimal] = mapped_column(Ratio())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
