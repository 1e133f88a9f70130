"""Posting for the asset use cases: the chart accounts the rules post to, posting through the books'
service, and the catch-up of depreciation when an asset leaves.

Posting goes through `app.ledger.service.post_entry` only; the chart is read by role (the books offer no
service for that lookup yet, so their repository is read here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.common import EQUITY_INVESTMENT_CODE, SOURCE_DEPRECIATION, AssetFacts
from app.assets.domain import accounting as acc
from app.assets.domain.depreciation import (
    BookPosition,
    MonthCharge,
    position_on,
    unposted_charges,
)
from app.assets.domain.periods import (
    MonthConvention,
    Period,
    stop_position,
)
from app.assets.errors import (
    ChartRoleMissingError,
)
from app.assets.models import (
    AssetBook,
    DepreciationPosting,
)
from app.core.context import Actor
from app.ledger import period_service
from app.ledger import service as ledger_service
from app.ledger.domain.entries import LineDraft


def role_code(session: Session, role: str) -> str:
    codes = repository.account_codes_with_role(session, role)
    if not codes:
        raise ChartRoleMissingError(f"no account of the group chart has the role {role}", role=role)
    return codes[0]


def asset_accounts(session: Session) -> acc.AssetAccounts:
    """The chart codes the asset rules post to, found by role (1511 by code: it has none)."""
    return acc.AssetAccounts(
        fixed_asset=role_code(session, "fixed_asset"),
        accumulated_depreciation=role_code(session, "accumulated_depreciation"),
        impairment_allowance=role_code(session, "fixed_asset_impairment"),
        disposal_clearing=role_code(session, "fixed_asset_disposal"),
        gain_on_disposal=role_code(session, "gain_on_disposal"),
        non_operating_income=role_code(session, "non_operating_income"),
        non_operating_expense=role_code(session, "non_operating_expense"),
        intercompany_receivable=role_code(session, "other_receivable"),
        intercompany_payable=role_code(session, "other_payable"),
        capital_reserve=role_code(session, "capital_reserve"),
        paid_in_capital=role_code(session, "share_capital"),
        investment_in_subsidiary=role_code(session, "investment_in_subsidiaries"),
        equity_investment=EQUITY_INVESTMENT_CODE,
        impairment_loss=role_code(session, "asset_impairment_loss"),
        cash=role_code(session, "cash"),
    )


def post_lines(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    entry_date: date,
    description: str,
    lines: Sequence[acc.Line],
    source: str,
    source_ref: str,
    now: datetime,
) -> str:
    drafts = [
        LineDraft(
            account_code=line.account_code,
            debit=line.debit if line.debit else None,
            credit=line.credit if line.credit else None,
            counterparty_entity_id=line.counterparty_entity_id,
        )
        for line in lines
    ]
    posted = ledger_service.post_entry(
        session,
        actor=actor,
        entity_id=entity_id,
        entry_date=entry_date,
        description=description[:500],
        lines=drafts,
        now=now,
        source=source,
        source_ref=source_ref,
    )
    return posted.entry.id


def month_closed(session: Session, *, actor: Actor, entity_id: str, day: date) -> bool:
    months = period_service.list_periods(session, actor=actor, entity_id=entity_id, year=day.year)
    return any(m.month == day.month and m.status == period_service.CLOSED for m in months)


@dataclass(frozen=True)
class Due:
    book: AssetBook
    charge: MonthCharge


def post_due(
    session: Session,
    *,
    actor: Actor,
    entity_id: str,
    entry_date: date,
    description: str,
    due: Sequence[Due],
    accounts: acc.AssetAccounts,
    source_ref: str,
    run_id: str | None,
    now: datetime,
) -> str | None:
    """Post the charges in one entry of the company and record them; None when there is nothing to post."""
    items = [d for d in due if d.charge.amount != 0]
    if not items:
        return None
    lines = acc.depreciation_lines(
        accounts=accounts, charges=[(d.book.expense_account, d.charge.amount) for d in items]
    )
    entry_id = post_lines(
        session,
        actor=actor,
        entity_id=entity_id,
        entry_date=entry_date,
        description=description,
        lines=lines,
        source=SOURCE_DEPRECIATION,
        source_ref=source_ref,
        now=now,
    )
    for item in items:
        session.add(
            DepreciationPosting(
                asset_id=item.book.asset_id,
                book_id=item.book.id,
                entity_id=entity_id,
                period=str(item.charge.period),
                amount=item.charge.amount,
                entry_id=entry_id,
                run_id=run_id,
            )
        )
    session.flush()
    return entry_id


def catch_up_leaving(
    session: Session,
    *,
    actor: Actor,
    facts: AssetFacts,
    book: AssetBook,
    leaving_on: date,
    accounts: acc.AssetAccounts,
    source_ref: str,
    now: datetime,
) -> BookPosition:
    """Post the months due up to the stop (dated the day the asset leaves) and return the figures then."""
    domain = facts.domain_book(book, leaving_on=leaving_on)
    units = facts.units_of(book)
    posted = repository.posted_periods(session, [book.id])[book.id]
    due = unposted_charges(
        domain, through=Period.of(leaving_on), posted=[Period.parse(p) for p in posted], units=units
    )
    post_due(
        session,
        actor=actor,
        entity_id=book.entity_id,
        entry_date=leaving_on,
        description=f"Depreciation of {facts.asset.tag} up to its departure on {leaving_on.isoformat()}",
        due=[Due(book, c) for c in due],
        accounts=accounts,
        source_ref=source_ref,
        run_id=None,
        now=now,
    )
    return position_on(domain, day=leaving_on, units=units)


def posted_after(session: Session, *, book: AssetBook, convention: MonthConvention, day: date) -> str | None:
    """The first month already posted for the book that would no longer be due if it stopped on `day`."""
    stop = stop_position(convention, day)
    first_not_due = Period.from_index(-(-stop.numerator // stop.denominator))
    late = sorted(
        p for p in repository.posted_periods(session, [book.id])[book.id] if Period.parse(p) >= first_not_due
    )
    return late[0] if late else None
