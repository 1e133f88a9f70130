"""Queries of package imports: the chart as plain rows, entities by code, local charts and kept movements of
many entities at once (a group close reads each of these once, never once per company or per line)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.core.money import ZERO
from app.entities.models import LegalEntity
from app.ledger.domain.trial_balance import Movement
from app.ledger.models import (
    NO_COUNTERPARTY,
    Account,
    AccountBalance,
    JournalEntry,
    JournalLine,
    LocalAccountMap,
)

_KEYS_PER_QUERY = 500


@dataclass(frozen=True)
class ChartRow:
    code: str
    type: str
    normal_side: str
    role: str | None


def chart_rows(session: Session) -> list[ChartRow]:
    """Every account of the group chart as plain rows (no mapped objects), in code order."""
    query = select(Account.code, Account.type, Account.normal_side, Account.role).order_by(Account.code)
    return [ChartRow(code, type_, side, role) for code, type_, side, role in session.execute(query)]


def entities_by_code(session: Session, *, codes: Collection[str]) -> dict[str, LegalEntity]:
    out: dict[str, LegalEntity] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), _KEYS_PER_QUERY):
        query = select(LegalEntity).where(LegalEntity.code.in_(ordered[start : start + _KEYS_PER_QUERY]))
        out.update({entity.code: entity for entity in session.execute(query).scalars()})
    return out


def local_maps(session: Session, *, entity_ids: Collection[str]) -> dict[str, dict[str, str]]:
    """Each entity's local chart: local code -> group code (an entity without one maps nothing)."""
    out: dict[str, dict[str, str]] = {entity_id: {} for entity_id in entity_ids}
    ordered = sorted(entity_ids)
    for start in range(0, len(ordered), _KEYS_PER_QUERY):
        query = select(
            LocalAccountMap.entity_id, LocalAccountMap.local_code, LocalAccountMap.group_code
        ).where(LocalAccountMap.entity_id.in_(ordered[start : start + _KEYS_PER_QUERY]))
        for entity_id, local, group in session.execute(query):
            out[entity_id][local] = group
    return out


def _counterparty(key: str) -> str | None:
    return None if key == NO_COUNTERPARTY else key


def kept_movements_of(
    session: Session, *, entity_ids: Collection[str], before_year: int, before_month: int
) -> dict[str, list[Movement]]:
    """Kept totals per (account, counterparty, year) of every month before (`before_year`, `before_month`), of
    each entity (the many-entity form of `balance_repository.kept_movements`)."""
    out: dict[str, list[Movement]] = {entity_id: [] for entity_id in entity_ids}
    ordered = sorted(entity_ids)
    before = or_(
        AccountBalance.year < before_year,
        and_(AccountBalance.year == before_year, AccountBalance.month < before_month),
    )
    for start in range(0, len(ordered), _KEYS_PER_QUERY):
        query = (
            select(
                AccountBalance.entity_id,
                AccountBalance.account_code,
                AccountBalance.counterparty_key,
                AccountBalance.year,
                func.sum(AccountBalance.debit),
                func.sum(AccountBalance.credit),
            )
            .where(AccountBalance.entity_id.in_(ordered[start : start + _KEYS_PER_QUERY]), before)
            .group_by(
                AccountBalance.entity_id,
                AccountBalance.account_code,
                AccountBalance.counterparty_key,
                AccountBalance.year,
            )
        )
        for entity_id, code, cp, year, debit, credit in session.execute(query):
            out[entity_id].append(Movement(code, _counterparty(cp), int(year), debit or ZERO, credit or ZERO))
    return out


def line_movements_of(
    session: Session, *, entity_ids: Collection[str], date_from: date, date_to: date
) -> dict[str, list[Movement]]:
    """Line totals per (account, counterparty, year), entry dates from `date_from` to `date_to` inclusive, of
    each entity (the many-entity form of `balance_repository.line_movements`)."""
    out: dict[str, list[Movement]] = {entity_id: [] for entity_id in entity_ids}
    ordered = sorted(entity_ids)
    for start in range(0, len(ordered), _KEYS_PER_QUERY):
        query = (
            select(
                JournalEntry.entity_id,
                JournalLine.account_code,
                JournalLine.counterparty_entity_id,
                JournalEntry.fiscal_year,
                func.sum(JournalLine.debit),
                func.sum(JournalLine.credit),
            )
            .join(
                JournalEntry,
                and_(
                    JournalEntry.entity_id == JournalLine.entity_id, JournalEntry.id == JournalLine.entry_id
                ),
            )
            .where(
                JournalEntry.entity_id.in_(ordered[start : start + _KEYS_PER_QUERY]),
                JournalEntry.entry_date >= date_from,
                JournalEntry.entry_date <= date_to,
            )
            .group_by(
                JournalEntry.entity_id,
                JournalLine.account_code,
                JournalLine.counterparty_entity_id,
                JournalEntry.fiscal_year,
            )
        )
        for entity_id, code, cp, year, debit, credit in session.execute(query):
            out[entity_id].append(Movement(code, cp, int(year), debit or ZERO, credit or ZERO))
    return out
