"""The journal dataset: every posted line with its entry, streamed in one ordered SELECT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from app.entities.models import LegalEntity
from app.exports.columns import Column, Kind
from app.exports.datasets.base import ExportQuery, SqlSource, Table, in_scope, stream_rows, where_all
from app.ledger.models import JournalEntry, JournalLine

JOURNAL_COLUMNS = (
    Column("journal_id", machine=True),
    Column("entry_number", Kind.INT),
    Column("line_number", Kind.INT),
    Column("entity_code"),
    Column("fiscal_year", Kind.INT),
    Column("period", Kind.INT),
    Column("effective_date", Kind.DATE),
    Column("header_description"),
    Column("account_number", machine=True),
    Column("debit", Kind.MONEY, total=True),
    Column("credit", Kind.MONEY, total=True),
    Column("functional_currency", machine=True),
    Column("transaction_currency", machine=True),
    Column("transaction_amount", Kind.MONEY),
    Column("exchange_rate", Kind.RATIO),
    Column("counterparty_code"),
    Column("line_description"),
    Column("source", machine=True),
    Column("source_ref"),
    Column("entered_by"),
    Column("entered_at", Kind.TIMESTAMP),
    Column("approved_by"),
    Column("approved_at", Kind.TIMESTAMP),
    Column("reversal_of", machine=True),
    Column("reversed_by", machine=True),
)


def _journal_filters(query: ExportQuery) -> list[ColumnElement[bool] | None]:
    return [
        in_scope(JournalEntry.entity_id, query.scope),
        None if query.date_from is None else JournalEntry.entry_date >= query.date_from,
        None if query.date_to is None else JournalEntry.entry_date <= query.date_to,
    ]


LINE_JOIN = and_(JournalEntry.entity_id == JournalLine.entity_id, JournalEntry.id == JournalLine.entry_id)


def journal_table(session: Session, query: ExportQuery) -> Table:
    entity = aliased(LegalEntity, name="ent")
    counterparty = aliased(LegalEntity, name="cp")
    exprs: list[Any] = [
        JournalEntry.id,
        JournalEntry.number,
        JournalLine.line_no,
        entity.code,
        JournalEntry.fiscal_year,
        JournalEntry.fiscal_month,
        JournalEntry.entry_date,
        JournalEntry.description,
        JournalLine.account_code,
        JournalLine.debit,
        JournalLine.credit,
        entity.functional_currency,
        JournalLine.currency,
        JournalLine.amount_in_currency,
        JournalLine.rate,
        counterparty.code,
        JournalLine.memo,
        JournalEntry.source,
        JournalEntry.source_ref,
        JournalEntry.preparer,
        JournalEntry.posted_at,
        JournalEntry.approved_by,
        JournalEntry.approved_at,
        JournalEntry.reverses_id,
        JournalEntry.reversed_by_id,
    ]
    filters = _journal_filters(query)

    def source(statement: Any) -> Any:
        joined = (
            statement.select_from(JournalLine)
            .join(JournalEntry, LINE_JOIN)
            .join(entity, entity.id == JournalEntry.entity_id)
            .outerjoin(counterparty, counterparty.id == JournalLine.counterparty_entity_id)
        )
        return where_all(joined, *filters)

    sql = SqlSource(
        spec=tuple(zip(JOURNAL_COLUMNS, exprs, strict=True)),
        source=source,
        order_by=(JournalEntry.entity_id, JournalEntry.fiscal_year, JournalEntry.number, JournalLine.line_no),
    )

    def count() -> int:
        statement = select(func.count()).select_from(JournalLine).join(JournalEntry, LINE_JOIN)
        return int(session.execute(where_all(statement, *filters)).scalar_one())

    return Table(
        name="journal_lines",
        columns=JOURNAL_COLUMNS,
        rows=lambda: stream_rows(session, sql),
        count=count,
        currency_column="functional_currency",
        sql=sql,
    )
