"""Trial balance and chart-of-accounts datasets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.context import Actor
from app.entities.models import LegalEntity
from app.exports.columns import Column, Kind, Row, cells
from app.exports.datasets.base import ExportQuery, Table, codes_by_id, companies, in_scope, where_all
from app.ledger import report_service as ledger_reports
from app.ledger.models import Account, LocalAccountMap

TRIAL_BALANCE_COLUMNS = (
    Column("entity_code"),
    Column("entity_id"),
    Column("as_of", Kind.DATE),
    Column("currency"),
    Column("account_code"),
    Column("account_name"),
    Column("account_type"),
    Column("normal_side"),
    Column("counterparty_code"),
    Column("counterparty_id"),
    Column("debit", Kind.MONEY, total=True),
    Column("credit", Kind.MONEY, total=True),
    Column("balance", Kind.MONEY),
)


def as_of_date(query: ExportQuery) -> date:
    if query.date_to is None:
        raise ValueError("this kind needs `to`")  # the service checks this first
    return query.date_to


def trial_balance_rows(
    session: Session, *, actor: Actor, query: ExportQuery, counterparty_only: bool = False
) -> Iterator[Row]:
    as_of = as_of_date(query)
    accounts = {a.code: a for a in session.execute(select(Account)).scalars()}
    codes = codes_by_id(session)
    for company in companies(session, query.scope):
        report = ledger_reports.trial_balance(session, actor=actor, entity_id=company.id, as_of=as_of)
        for line in report.lines:
            if counterparty_only and line.counterparty_entity_id is None:
                continue
            account = accounts[line.account_code]
            cp = line.counterparty_entity_id
            yield cells(
                TRIAL_BALANCE_COLUMNS,
                [
                    company.code,
                    company.id,
                    as_of,
                    report.currency,
                    line.account_code,
                    account.name,
                    account.type,
                    account.normal_side,
                    codes.get(cp) if cp else None,
                    cp,
                    line.debit,
                    line.credit,
                    line.balance,
                ],
            )


def trial_balance_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    return [
        Table(
            name="trial_balance",
            columns=TRIAL_BALANCE_COLUMNS,
            rows=lambda: trial_balance_rows(session, actor=actor, query=query),
            currency_column="currency",
        )
    ]


# ------------------------------------------------------------------------------------------ chart

ACCOUNT_COLUMNS = (
    Column("code"),
    Column("name"),
    Column("name_en"),
    Column("type"),
    Column("normal_side"),
    Column("role"),
    Column("statement_line"),
)
MAPPING_COLUMNS = (
    Column("entity_code"),
    Column("entity_id"),
    Column("local_code"),
    Column("local_name"),
    Column("group_code"),
    Column("group_name"),
)


def chart_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    def accounts() -> Iterator[Row]:
        for a in session.execute(select(Account).order_by(Account.code)).scalars():
            yield cells(
                ACCOUNT_COLUMNS, [a.code, a.name, a.name_en, a.type, a.normal_side, a.role, a.statement_line]
            )

    def mappings() -> Iterator[Row]:
        statement = (
            select(LegalEntity.code, LocalAccountMap, Account.name)
            .join(LegalEntity, LegalEntity.id == LocalAccountMap.entity_id)
            .join(Account, Account.code == LocalAccountMap.group_code)
            .order_by(LegalEntity.code, LocalAccountMap.local_code)
        )
        statement = where_all(statement, in_scope(LocalAccountMap.entity_id, query.scope))
        for code, row, group_name in session.execute(statement):
            yield cells(
                MAPPING_COLUMNS,
                [code, row.entity_id, row.local_code, row.local_name, row.group_code, group_name],
            )

    return [
        Table(name="accounts", columns=ACCOUNT_COLUMNS, rows=accounts),
        Table(name="local_account_map", columns=MAPPING_COLUMNS, rows=mappings),
    ]
