"""Tables of the consolidation: business combinations and their later events, group-level adjustments,
unrealised profit in inventory, and the sealed consolidation runs.

Every record here is a fact of a date and is never edited: a correction is a new record (a reversing
adjustment, a movement, an impairment). A run stores its canonical inputs and its result as the JSON that
their SHA-256 hashes were taken of, so an auditor can recompute both.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime
from app.core.ids import new_id
from app.core.money import Money, Ratio


class Acquisition(Base):
    """`acquirer` obtained a holding of `share` (after the deal) in `acquiree` on `acquired_on`.

    Amounts are in the acquiree's functional currency and in the natural sign of their accounts. The figures
    (`net_assets` ... `acquirer_interest`) are the combination as computed when it was recorded; a run
    recomputes them from the record with the scope of its own date.
    """

    __tablename__ = "acquisition"
    __table_args__ = (
        CheckConstraint("acquirer_id <> acquiree_id", name="not_self"),
        CheckConstraint(
            "combination IN ('not_under_common_control','under_common_control')", name="combination"
        ),
        CheckConstraint("nci_measurement IN ('proportionate','fair_value')", name="nci_measurement"),
        CheckConstraint("equity_source IN ('given','books')", name="equity_source"),
        Index("ix_acquisition_acquiree_date", "acquiree_id", "acquired_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    acquirer_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    acquiree_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    acquired_on: Mapped[date] = mapped_column(Date)
    share: Mapped[Decimal] = mapped_column(Ratio())
    voting_share: Mapped[Decimal] = mapped_column(Ratio())
    consideration: Mapped[Decimal] = mapped_column(Money())
    combination: Mapped[str] = mapped_column(String(30))
    nci_measurement: Mapped[str] = mapped_column(String(15))
    nci_fair_value: Mapped[Decimal | None] = mapped_column(Money())
    previously_held_fair_value: Mapped[Decimal] = mapped_column(Money())
    previously_held_carrying_amount: Mapped[Decimal | None] = mapped_column(Money())
    deferred_tax_rate: Mapped[Decimal] = mapped_column(Ratio())
    equity_source: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))
    net_assets: Mapped[Decimal] = mapped_column(Money())
    goodwill: Mapped[Decimal] = mapped_column(Money())
    bargain_purchase_gain: Mapped[Decimal] = mapped_column(Money())
    capital_reserve_adjustment: Mapped[Decimal] = mapped_column(Money())
    nci_at_acquisition: Mapped[Decimal] = mapped_column(Money())
    goodwill_attributable_to_nci: Mapped[Decimal] = mapped_column(Money())
    acquirer_interest: Mapped[Decimal] = mapped_column(Ratio())
    stake_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class AcquisitionEquity(Base):
    """One account of the acquiree's equity at the acquisition date (income and expense: year to date)."""

    __tablename__ = "acquisition_equity"

    acquisition_id: Mapped[str] = mapped_column(ForeignKey("acquisition.id"), primary_key=True)
    account_code: Mapped[str] = mapped_column(ForeignKey("account.code"), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money())


class FairValueAdjustment(Base):
    """An identifiable asset or liability remeasured at acquisition; a useful life makes it depreciate."""

    __tablename__ = "fair_value_adjustment"
    __table_args__ = (CheckConstraint("useful_life_months IS NULL OR useful_life_months > 0", name="life"),)

    acquisition_id: Mapped[str] = mapped_column(ForeignKey("acquisition.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    account_code: Mapped[str] = mapped_column(ForeignKey("account.code"))
    amount: Mapped[Decimal] = mapped_column(Money())
    useful_life_months: Mapped[int | None] = mapped_column(Integer)
    contra_account_code: Mapped[str | None] = mapped_column(ForeignKey("account.code"))
    expense_account_code: Mapped[str | None] = mapped_column(ForeignKey("account.code"))


class FairValueMovement(Base):
    """Part of a fair-value adjustment realised otherwise than by depreciation (inventory sold, ...)."""

    __tablename__ = "fair_value_movement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    acquisition_id: Mapped[str] = mapped_column(ForeignKey("acquisition.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    account_code: Mapped[str] = mapped_column(ForeignKey("account.code"))
    amount: Mapped[Decimal] = mapped_column(Money())
    pnl_account_code: Mapped[str | None] = mapped_column(ForeignKey("account.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class GoodwillImpairment(Base):
    """An impairment loss on the goodwill of a combination (or on an equity-accounted investment)."""

    __tablename__ = "goodwill_impairment"
    __table_args__ = (CheckConstraint("amount > 0", name="positive"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    acquisition_id: Mapped[str] = mapped_column(ForeignKey("acquisition.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class ConsolidationAdjustment(Base):
    """A group-level journal booked in one company for the run of `as_of` (items in transit, policies)."""

    __tablename__ = "consolidation_adjustment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    carry_forward: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class ConsolidationAdjustmentLine(Base):
    __tablename__ = "consolidation_adjustment_line"
    __table_args__ = (CheckConstraint("(debit = 0) <> (credit = 0)", name="one_side"),)

    adjustment_id: Mapped[str] = mapped_column(ForeignKey("consolidation_adjustment.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    account_code: Mapped[str] = mapped_column(ForeignKey("account.code"))
    debit: Mapped[Decimal] = mapped_column(Money())
    credit: Mapped[Decimal] = mapped_column(Money())
    counterparty_entity_id: Mapped[str | None] = mapped_column(ForeignKey("legal_entity.id"))


class UnrealizedInventoryProfit(Base):
    """Intra-group goods still held by `buyer` on `as_of`, and the profit inside them (`amount`)."""

    __tablename__ = "unrealized_inventory_profit"
    __table_args__ = (
        CheckConstraint("seller_id <> buyer_id", name="two_parties"),
        Index("ix_unrealized_inventory_profit_date", "as_of"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    as_of: Mapped[date] = mapped_column(Date)
    seller_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    inventory_at_transfer_price: Mapped[Decimal] = mapped_column(Money())
    markup_on_cost: Mapped[Decimal | None] = mapped_column(Ratio())
    margin_on_sales: Mapped[Decimal | None] = mapped_column(Ratio())
    unrealized_profit: Mapped[Decimal | None] = mapped_column(Money())
    deferred_tax_rate: Mapped[Decimal] = mapped_column(Ratio())
    amount: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class ConsolidationRun(Base):
    """A sealed run: what went in and what came out, as canonical JSON with their SHA-256 hashes."""

    __tablename__ = "consolidation_run"
    __table_args__ = (
        CheckConstraint("status IN ('consolidated','unreconciled')", name="status"),
        Index("ix_consolidation_run_parent_date", "parent_id", "as_of"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    parent_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    as_of: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(15))
    input_hash: Mapped[str] = mapped_column(String(64))
    result_hash: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
