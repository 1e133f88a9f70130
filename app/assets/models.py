"""Tables of the fixed-asset register and of the flow of assets between group companies.

An asset (`FixedAsset`) has one identity for life. Each company that holds it keeps a book of it
(`AssetBook`, dated `valid_from` inclusive, `valid_to` exclusive): the schedule it depreciates on and what it
opened with. The card keeps the group's original terms (cost, residual value, life, method), which are the
group's view for consolidation. Journal entries are referred to by (entity_id, entry id), the key of the
books' journal.
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
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime
from app.core.ids import new_id
from app.core.money import Money

CATEGORIES = (
    "land_use_right",
    "building",
    "machinery",
    "production_line",
    "tooling",
    "vehicle",
    "it_equipment",
    "office_equipment",
    "other",
)
METHODS = ("straight_line", "double_declining_balance", "sum_of_years_digits", "units_of_production")
CONVENTIONS = ("next_month", "full_month_first", "available_date")
STATUSES = ("in_use", "idle", "held_for_sale", "disposed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ",".join(f"'{v}'" for v in values) + ")"


def _journal_fk(entity_column: str, entry_column: str, name: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        [entity_column, entry_column], ["journal_entry.entity_id", "journal_entry.id"], name=name
    )


class FixedAsset(Base):
    """The asset card: identity, description, current holder and status, and the group's original terms."""

    __tablename__ = "fixed_asset"
    __table_args__ = (
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("method", METHODS), name="method"),
        CheckConstraint(_in("convention", CONVENTIONS), name="convention"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("cost > 0 AND residual_value >= 0 AND residual_value <= cost", name="amounts"),
        CheckConstraint("useful_life_months BETWEEN 1 AND 1200", name="life"),
        Index("ix_fixed_asset_holder_status", "holder_entity_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    tag: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    location: Mapped[str | None] = mapped_column(String(200))
    holder_entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    acquired_on: Mapped[date] = mapped_column(Date)
    cost: Mapped[Decimal] = mapped_column(Money())
    residual_value: Mapped[Decimal] = mapped_column(Money())
    useful_life_months: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(30))
    convention: Mapped[str] = mapped_column(String(20))
    units_total: Mapped[Decimal | None] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(15))
    expense_account: Mapped[str] = mapped_column(ForeignKey("account.code"))
    disposed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)


class AssetBook(Base):
    """One holder's record of an asset: the asset's history across companies is the list of its books.

    `schedule_start_on` is where the schedule's life begins on the month clock and `depreciation_from` where
    this book starts charging (both are clock dates: the first of a month under the month conventions);
    `depreciation_until` is where it stops (None while held). A continuing book (free transfer, capital
    contribution) keeps the sender's schedule; a sale starts a new one at the price over the remaining life.
    """

    __tablename__ = "asset_book"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="dates"),
        CheckConstraint(_in("origin", ("acquisition", "registration", "transfer")), name="origin"),
        CheckConstraint("ending IS NULL OR " + _in("ending", ("transfer", "disposal")), name="ending"),
        CheckConstraint(_in("method", METHODS), name="method"),
        CheckConstraint(_in("convention", CONVENTIONS), name="convention"),
        Index("ix_asset_book_asset_from", "asset_id", "valid_from"),
        Index("ix_asset_book_entity_from", "entity_id", "valid_from"),
        Index(
            "uq_asset_book_open",
            "asset_id",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
            sqlite_where=text("valid_to IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(ForeignKey("fixed_asset.id"))
    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(15))
    ending: Mapped[str | None] = mapped_column(String(10))
    transfer_id: Mapped[str | None] = mapped_column(String(36))
    cost_basis: Mapped[Decimal] = mapped_column(Money())
    residual_value: Mapped[Decimal] = mapped_column(Money())
    useful_life_months: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(30))
    convention: Mapped[str] = mapped_column(String(20))
    units_total: Mapped[Decimal | None] = mapped_column(Money())
    schedule_start_on: Mapped[date] = mapped_column(Date)
    depreciation_from: Mapped[date] = mapped_column(Date)
    depreciation_until: Mapped[date | None] = mapped_column(Date)
    opening_accumulated: Mapped[Decimal] = mapped_column(Money())
    opening_impairment: Mapped[Decimal] = mapped_column(Money())
    units_before: Mapped[Decimal] = mapped_column(Money())
    expense_account: Mapped[str] = mapped_column(ForeignKey("account.code"))
    entry_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssetStatusChange(Base):
    """A dated change of status; the status on a date is the last change effective by then."""

    __tablename__ = "asset_status_change"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index("ix_asset_status_change_asset_on", "asset_id", "effective_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(ForeignKey("fixed_asset.id"))
    status: Mapped[str] = mapped_column(String(15))
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str] = mapped_column(String(100))


class AssetUsage(Base):
    """Units produced by a units-of-production asset in one month of one book (the run's input)."""

    __tablename__ = "asset_usage"
    __table_args__ = (
        UniqueConstraint("book_id", "period", name="uq_asset_usage_book_period"),
        CheckConstraint("units >= 0", name="units"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    book_id: Mapped[str] = mapped_column(ForeignKey("asset_book.id"))
    asset_id: Mapped[str] = mapped_column(ForeignKey("fixed_asset.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    units: Mapped[Decimal] = mapped_column(Money())


class DepreciationRun(Base):
    """A month's run for one company: posted once (the unique key makes a second run post nothing)."""

    __tablename__ = "depreciation_run"
    __table_args__ = (
        UniqueConstraint("entity_id", "period", name="uq_depreciation_run_entity_period"),
        _journal_fk("entity_id", "entry_id", "fk_depreciation_run_entry"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    period: Mapped[str] = mapped_column(String(7))
    entry_id: Mapped[str | None] = mapped_column(String(36))
    total: Mapped[Decimal] = mapped_column(Money())
    asset_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class DepreciationPosting(Base):
    """One month's charge of one book, posted by a run or by the catch-up of a transfer or disposal.

    Unique per (book, month): under the month conventions an asset has one book per month, so this is one
    charge per (asset, month); under `available_date` the sender and the receiver share the transfer month.
    """

    __tablename__ = "depreciation_posting"
    __table_args__ = (
        UniqueConstraint("book_id", "period", name="uq_depreciation_posting_book_period"),
        Index("ix_depreciation_posting_asset_period", "asset_id", "period"),
        Index("ix_depreciation_posting_entity_period", "entity_id", "period"),
        _journal_fk("entity_id", "entry_id", "fk_depreciation_posting_entry"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(ForeignKey("fixed_asset.id"))
    book_id: Mapped[str] = mapped_column(ForeignKey("asset_book.id"))
    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    period: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(Money())
    entry_id: Mapped[str] = mapped_column(String(36))
    run_id: Mapped[str | None] = mapped_column(ForeignKey("depreciation_run.id"))


class AssetTransfer(Base):
    """A requested move of an asset to another group company, its decision and, once executed, its figures."""

    __tablename__ = "asset_transfer"
    __table_args__ = (
        CheckConstraint(_in("kind", ("sale", "free_transfer", "capital_contribution")), name="kind"),
        CheckConstraint(_in("status", ("submitted", "executed", "rejected")), name="status"),
        CheckConstraint("from_entity_id <> to_entity_id", name="distinct_entities"),
        Index(
            "uq_asset_transfer_open",
            "asset_id",
            unique=True,
            postgresql_where=text("status = 'submitted'"),
            sqlite_where=text("status = 'submitted'"),
        ),
        Index("ix_asset_transfer_asset", "asset_id"),
        _journal_fk("from_entity_id", "seller_entry_id", "fk_asset_transfer_seller_entry"),
        _journal_fk("to_entity_id", "buyer_entry_id", "fk_asset_transfer_buyer_entry"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(ForeignKey("fixed_asset.id"))
    from_entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    to_entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"), index=True)
    kind: Mapped[str] = mapped_column(String(25))
    price: Mapped[Decimal | None] = mapped_column(Money())
    transfer_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    receiver_useful_life_months: Mapped[int | None] = mapped_column(Integer)
    receiver_residual_value: Mapped[Decimal | None] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(10))
    approvals_required: Mapped[int] = mapped_column(Integer)
    requested_by_id: Mapped[str | None] = mapped_column(String(36))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_by: Mapped[str | None] = mapped_column(String(100))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    carrying_amount: Mapped[Decimal | None] = mapped_column(Money())
    gain: Mapped[Decimal | None] = mapped_column(Money())
    group_cost: Mapped[Decimal | None] = mapped_column(Money())
    group_accumulated_depreciation: Mapped[Decimal | None] = mapped_column(Money())
    seller_entry_id: Mapped[str | None] = mapped_column(String(36))
    buyer_entry_id: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1)


class TransferApproval(Base):
    """One controller's approval of a transfer (two different ones above the threshold)."""

    __tablename__ = "transfer_approval"
    __table_args__ = (UniqueConstraint("transfer_id", "approver_id", name="uq_transfer_approval_approver"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("asset_transfer.id"), index=True)
    approver_id: Mapped[str] = mapped_column(String(36))
    approver: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(String(500))


class UnrealizedAssetProfit(Base):
    """For consolidation: the profit inside the holder's carrying amount that the group has not realised.

    `unrealized_at_transfer` = price - the group's carrying amount (the seller's gain plus any URP carried in
    from an earlier internal sale); it is released as the buyer depreciates, and the rest when the asset
    leaves the buyer (`ended_on`, `end_reason`).
    """

    __tablename__ = "unrealized_asset_profit"
    __table_args__ = (
        CheckConstraint(
            "end_reason IS NULL OR " + _in("end_reason", ("sold_outside", "transferred")), name="end_reason"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("asset_transfer.id"), unique=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("fixed_asset.id"), index=True)
    book_id: Mapped[str] = mapped_column(ForeignKey("asset_book.id"))
    seller_entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    buyer_entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    transfer_on: Mapped[date] = mapped_column(Date)
    gain: Mapped[Decimal] = mapped_column(Money())
    unrealized_at_transfer: Mapped[Decimal] = mapped_column(Money())
    group_cost: Mapped[Decimal] = mapped_column(Money())
    group_accumulated_depreciation: Mapped[Decimal] = mapped_column(Money())
    group_impairment: Mapped[Decimal] = mapped_column(Money())
    remaining_life_months: Mapped[int] = mapped_column(Integer)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(15))


class AssetDisposal(Base):
    """A sale or scrapping to outside the group: the asset leaves the books and the group."""

    __tablename__ = "asset_disposal"
    __table_args__ = (
        CheckConstraint(_in("kind", ("sale", "scrap")), name="kind"),
        _journal_fk("entity_id", "entry_id", "fk_asset_disposal_entry"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(ForeignKey("fixed_asset.id"), unique=True)
    book_id: Mapped[str] = mapped_column(ForeignKey("asset_book.id"))
    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    disposed_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(5))
    proceeds: Mapped[Decimal] = mapped_column(Money())
    costs: Mapped[Decimal] = mapped_column(Money())
    counterparty_entity_id: Mapped[str | None] = mapped_column(ForeignKey("legal_entity.id"))
    carrying_amount: Mapped[Decimal] = mapped_column(Money())
    gain: Mapped[Decimal] = mapped_column(Money())
    group_carrying_amount: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[str | None] = mapped_column(Text)
    entry_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class AssetImpairment(Base):
    """An impairment loss (CAS 8: never reversed); depreciation is rebased from the next month."""

    __tablename__ = "asset_impairment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        _journal_fk("entity_id", "entry_id", "fk_asset_impairment_entry"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(ForeignKey("fixed_asset.id"), index=True)
    book_id: Mapped[str] = mapped_column(ForeignKey("asset_book.id"))
    entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    impaired_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    reason: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class AssetRehoming(Base):
    """An asset passing to another company by a group event (kind `merger`): no transfer request, no entry.

    The event's own entries move the balances (cost, accumulated depreciation, impairment) between the
    books; this record ties the two asset books together (`from_book_id` ends on `rehomed_on`, `to_book_id`
    continues the same schedule from there) and names the event (`group_event_id`, the stored group event).
    The figures are the holder's at the move, which the receiving book opens with.
    """

    __tablename__ = "asset_rehoming"
    __table_args__ = (
        CheckConstraint(_in("kind", ("merger",)), name="kind"),
        CheckConstraint("from_entity_id <> to_entity_id", name="distinct_entities"),
        Index("ix_asset_rehoming_asset", "asset_id"),
        Index("ix_asset_rehoming_event", "group_event_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(ForeignKey("fixed_asset.id"))
    kind: Mapped[str] = mapped_column(String(10))
    group_event_id: Mapped[str] = mapped_column(String(36))
    from_entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    to_entity_id: Mapped[str] = mapped_column(ForeignKey("legal_entity.id"))
    rehomed_on: Mapped[date] = mapped_column(Date)
    from_book_id: Mapped[str] = mapped_column(ForeignKey("asset_book.id"))
    to_book_id: Mapped[str] = mapped_column(ForeignKey("asset_book.id"))
    cost: Mapped[Decimal] = mapped_column(Money())
    accumulated_depreciation: Mapped[Decimal] = mapped_column(Money())
    impairment: Mapped[Decimal] = mapped_column(Money())
    carrying_amount: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
