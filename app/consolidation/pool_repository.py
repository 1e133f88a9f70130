"""The pooled read of a run's books (`app.consolidation.domain.pooling`): three set-based aggregates.

For companies that pool, on a month end, with income and expenses for the calendar year to date (what
`repository.net_movements` reads for them, split in two):
- `kept_movements`: what stays per company, as `net_movements` gives it: equity, every balance tagged
  with a counterparty, and income and expenses of earlier years (they are retained earnings);
- `pooled_by_type`: the rest, per company and account type;
- `pooled_by_account`: the same rest, per account over all the companies.
Each is one statement per chunk of companies, returned as plain tuples (`bulk_rows`).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, or_, select, type_coerce
from sqlalchemy.orm import Session

from app.consolidation.repository import NetMovement, chunks
from app.core.db import bulk_rows
from app.core.money import Money
from app.ledger.models import Account, AccountBalance

_PNL = ("income", "expense")


def _pooled(year: int) -> ColumnElement[bool]:
    """A kept balance that pools: no counterparty, an asset or liability, or this year's income or expense."""
    balance = AccountBalance
    return and_(
        balance.counterparty_key == "",
        or_(
            Account.type.in_(("asset", "liability")),
            and_(Account.type.in_(_PNL), balance.year == year),
        ),
    )


def _until(year: int, month: int) -> ColumnElement[bool]:
    """The kept months up to and including (`year`, `month`)."""
    balance = AccountBalance
    return or_(balance.year < year, and_(balance.year == year, balance.month <= month))


def _net() -> Any:
    return type_coerce(func.sum(AccountBalance.debit - AccountBalance.credit), Money())


def kept_movements(
    session: Session, *, entity_ids: Collection[str], year: int, month: int
) -> list[NetMovement]:
    balance = AccountBalance
    out: list[NetMovement] = []
    for ids in chunks(entity_ids):
        query = (
            select(balance.entity_id, balance.account_code, balance.counterparty_key, balance.year, _net())
            .join(Account, Account.code == balance.account_code)
            .where(balance.entity_id.in_(ids), _until(year, month), not_(_pooled(year)))
            .group_by(balance.entity_id, balance.account_code, balance.counterparty_key, balance.year)
        )
        out.extend(
            (entity, code, cp or None, int(moved_in), net or Decimal(0))
            for entity, code, cp, moved_in, net in bulk_rows(session, query)
        )
    return out


def pooled_by_type(
    session: Session, *, entity_ids: Collection[str], year: int, month: int
) -> list[tuple[str, str, Decimal]]:
    """(entity, account type, debit less credit) of the pooled balances."""
    balance = AccountBalance
    out: list[tuple[str, str, Decimal]] = []
    for ids in chunks(entity_ids):
        query = (
            select(balance.entity_id, Account.type, _net())
            .join(Account, Account.code == balance.account_code)
            .where(balance.entity_id.in_(ids), _until(year, month), _pooled(year))
            .group_by(balance.entity_id, Account.type)
        )
        out.extend((entity, kind, net or Decimal(0)) for entity, kind, net in bulk_rows(session, query))
    return out


def pooled_by_account(
    session: Session, *, entity_ids: Collection[str], year: int, month: int
) -> dict[str, Decimal]:
    """Debit less credit of the pooled balances per account, over all `entity_ids`."""
    balance = AccountBalance
    out: dict[str, Decimal] = {}
    for ids in chunks(entity_ids):
        query = (
            select(balance.account_code, _net())
            .join(Account, Account.code == balance.account_code)
            .where(balance.entity_id.in_(ids), _until(year, month), _pooled(year))
            .group_by(balance.account_code)
        )
        for code, net in bulk_rows(session, query):
            out[code] = out.get(code, Decimal(0)) + (net or Decimal(0))
    return out
