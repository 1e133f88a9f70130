"""Queries of the chart, local charts, periods, exchange rates and the entities the books belong to."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.audit.models import AuditChainHead
from app.entities.models import LegalEntity
from app.ledger.models import (
    Account,
    AccountBalance,
    FiscalPeriod,
    FxRate,
    JournalLine,
    LocalAccountMap,
)


def insert_for(session: Session, table: Table) -> Any:
    """INSERT with the dialect's ON CONFLICT support (PostgreSQL and SQLite both have it)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


# --- entities -------------------------------------------------------------------------------------------


def get_entity(session: Session, *, entity_id: str) -> LegalEntity | None:
    return session.get(LegalEntity, entity_id)


def existing_entity_ids(session: Session, *, entity_ids: Collection[str]) -> set[str]:
    if not entity_ids:
        return set()
    rows = session.execute(select(LegalEntity.id).where(LegalEntity.id.in_(sorted(entity_ids)))).scalars()
    return set(rows)


def entity_ids_by_code(session: Session, *, codes: Collection[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = session.execute(
        select(LegalEntity.code, LegalEntity.id).where(LegalEntity.code.in_(sorted(codes)))
    )
    return {code: entity_id for code, entity_id in rows}


def entities_by_id(session: Session, *, entity_ids: Collection[str]) -> dict[str, LegalEntity]:
    if not entity_ids:
        return {}
    rows = session.execute(select(LegalEntity).where(LegalEntity.id.in_(sorted(entity_ids)))).scalars()
    return {entity.id: entity for entity in rows}


def company_ids(session: Session) -> set[str]:
    return set(session.execute(select(LegalEntity.id).where(LegalEntity.kind == "company")).scalars())


# --- chart ----------------------------------------------------------------------------------------------


def all_accounts(session: Session) -> list[Account]:
    return list(session.execute(select(Account).order_by(Account.code)).scalars())


def chart_rows(session: Session) -> list[tuple[str, str, str, str, str | None]]:
    """(code, name, type, normal_side, role) of every account, as plain tuples."""
    query = select(Account.code, Account.name, Account.type, Account.normal_side, Account.role)
    return [tuple(row) for row in session.execute(query.order_by(Account.code))]  # type: ignore[misc]


def change_stamp(session: Session) -> tuple[int, str] | None:
    """The audit chain head: every change of the chart writes an audit event, so a chart read under one
    stamp is the chart for as long as the stamp stays (the hash covers a fresh event id: a rolled-back
    change never leaves a stamp that a later, different change repeats)."""
    row = session.execute(select(AuditChainHead.last_seq, AuditChainHead.last_hash)).first()
    return None if row is None else (int(row[0]), str(row[1]))


def existing_account_codes(session: Session, *, codes: Collection[str]) -> set[str]:
    if not codes:
        return set()
    return set(session.execute(select(Account.code).where(Account.code.in_(sorted(codes)))).scalars())


def list_accounts(
    session: Session,
    *,
    after_code: str | None,
    limit: int,
    type_: str | None,
    role: str | None,
    q: str | None,
) -> Sequence[Account]:
    query = select(Account).order_by(Account.code).limit(limit)
    if after_code is not None:
        query = query.where(Account.code > after_code)
    if type_ is not None:
        query = query.where(Account.type == type_)
    if role is not None:
        query = query.where(Account.role == role)
    if q:
        # autoescape: `%` and `_` in `q` are literal characters, never LIKE wildcards.
        query = query.where(
            or_(
                Account.code.startswith(q, autoescape=True),
                Account.name.contains(q, autoescape=True),
                func.lower(Account.name_en).contains(q.lower(), autoescape=True),
            )
        )
    return session.execute(query).scalars().all()


def get_account(session: Session, *, code: str, for_update: bool = False) -> Account | None:
    return session.get(Account, code, with_for_update=for_update)


def accounts_with_role(session: Session, *, role: str) -> list[Account]:
    return list(session.execute(select(Account).where(Account.role == role).order_by(Account.code)).scalars())


def account_usage(session: Session, *, code: str) -> dict[str, bool]:
    """What refers to an account: posted lines, kept balances, local-chart mappings, sub-accounts."""

    def there(query: Any) -> bool:
        return bool(session.execute(select(exists(query))).scalar())

    return {
        "journal_lines": there(select(JournalLine.entry_id).where(JournalLine.account_code == code)),
        "balances": there(select(AccountBalance.entity_id).where(AccountBalance.account_code == code)),
        "local_mappings": there(select(LocalAccountMap.entity_id).where(LocalAccountMap.group_code == code)),
        "sub_accounts": there(
            select(Account.code).where(Account.code.startswith(code, autoescape=True), Account.code != code)
        ),
    }


# --- local charts ---------------------------------------------------------------------------------------


def local_map(session: Session, *, entity_id: str) -> dict[str, str]:
    rows = session.execute(
        select(LocalAccountMap.local_code, LocalAccountMap.group_code).where(
            LocalAccountMap.entity_id == entity_id
        )
    )
    return {local: group for local, group in rows}


def list_local_accounts(
    session: Session, *, entity_id: str, after_code: str | None, limit: int
) -> Sequence[LocalAccountMap]:
    query = (
        select(LocalAccountMap)
        .where(LocalAccountMap.entity_id == entity_id)
        .order_by(LocalAccountMap.local_code)
        .limit(limit)
    )
    if after_code is not None:
        query = query.where(LocalAccountMap.local_code > after_code)
    return session.execute(query).scalars().all()


def get_local_account(
    session: Session, *, entity_id: str, local_code: str, for_update: bool = False
) -> LocalAccountMap | None:
    return session.get(LocalAccountMap, (entity_id, local_code), with_for_update=for_update)


# --- periods --------------------------------------------------------------------------------------------


def get_period(
    session: Session, *, entity_id: str, year: int, month: int, for_update: bool = False
) -> FiscalPeriod | None:
    query = select(FiscalPeriod).where(
        FiscalPeriod.entity_id == entity_id, FiscalPeriod.year == year, FiscalPeriod.month == month
    )
    if for_update:
        query = query.with_for_update()
    return session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def periods_of_year(session: Session, *, entity_id: str, year: int) -> dict[int, FiscalPeriod]:
    rows = session.execute(
        select(FiscalPeriod).where(FiscalPeriod.entity_id == entity_id, FiscalPeriod.year == year)
    ).scalars()
    return {period.month: period for period in rows}


def closed_months(
    session: Session, *, entity_id: str, months: Collection[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Which of `months` are closed, read fresh (a close committed meanwhile is seen)."""
    if not months:
        return set()
    years = sorted({year for year, _ in months})
    rows = session.execute(
        select(FiscalPeriod.year, FiscalPeriod.month).where(
            FiscalPeriod.entity_id == entity_id, FiscalPeriod.year.in_(years), FiscalPeriod.status == "closed"
        )
    )
    return {(year, month) for year, month in rows} & set(months)


# --- exchange rates -------------------------------------------------------------------------------------


def get_fx_rate(
    session: Session, *, currency: str, quote_currency: str, kind: str, on: date
) -> FxRate | None:
    return session.execute(
        select(FxRate).where(
            FxRate.currency == currency,
            FxRate.quote_currency == quote_currency,
            FxRate.kind == kind,
            FxRate.on == on,
        )
    ).scalar_one_or_none()


def fx_candidates(
    session: Session, *, currency: str, quote_currency: str, kind: str, on: date, exact: bool
) -> list[FxRate]:
    """The latest rate on or before `on` (or on exactly `on`) in each direction of the pair."""
    found: list[FxRate] = []
    for base, quote in ((currency, quote_currency), (quote_currency, currency)):
        query = select(FxRate).where(
            FxRate.currency == base, FxRate.quote_currency == quote, FxRate.kind == kind
        )
        query = query.where(FxRate.on == on) if exact else query.where(FxRate.on <= on)
        row = session.execute(query.order_by(FxRate.on.desc()).limit(1)).scalar_one_or_none()
        if row is not None:
            found.append(row)
    return found


def list_fx_rates(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    currency: str | None,
    quote_currency: str | None,
    kind: str | None,
    on_from: date | None,
    on_to: date | None,
) -> Sequence[FxRate]:
    query = select(FxRate).order_by(FxRate.id).limit(limit)
    if after_id is not None:
        query = query.where(FxRate.id > after_id)
    if currency is not None:
        query = query.where(FxRate.currency == currency)
    if quote_currency is not None:
        query = query.where(FxRate.quote_currency == quote_currency)
    if kind is not None:
        query = query.where(FxRate.kind == kind)
    if on_from is not None:
        query = query.where(FxRate.on >= on_from)
    if on_to is not None:
        query = query.where(FxRate.on < on_to)
    return session.execute(query).scalars().all()
