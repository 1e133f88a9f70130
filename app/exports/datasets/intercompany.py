"""The intercompany matching dataset."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from app.core.context import Actor
from app.exports.columns import Column, Kind, Row, cells
from app.exports.datasets.base import ExportQuery, Table, codes_by_id
from app.exports.datasets.books import TRIAL_BALANCE_COLUMNS, as_of_date, trial_balance_rows
from app.ledger import report_service as ledger_reports

MATCHING_COLUMNS = (
    Column("as_of", Kind.DATE),
    Column("rule"),
    Column("entity_code"),
    Column("entity_id"),
    Column("counterparty_code"),
    Column("counterparty_id"),
    Column("currency"),
    Column("entity_amount", Kind.MONEY, total=True),
    Column("counterparty_amount", Kind.MONEY, total=True),
    Column("difference", Kind.MONEY, total=True),
    Column("tolerance", Kind.MONEY),
    Column("within_tolerance", Kind.BOOL),
)


def intercompany_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    """The tagged balances of each company (its trial-balance lines naming a counterparty) and the matching
    of each pair of companies in the presentation currency."""
    as_of = as_of_date(query)

    def matching() -> Iterator[Row]:
        codes = codes_by_id(session)
        report = ledger_reports.intercompany_matching(
            session,
            actor=actor,
            as_of=as_of,
            tolerance=query.tolerance,
            presentation_currency=query.presentation_currency,
        )
        pairs = sorted(
            report.pairs, key=lambda p: (p.rule, codes[p.entity_id], codes[p.counterparty_entity_id])
        )
        for p in pairs:
            yield cells(
                MATCHING_COLUMNS,
                [
                    as_of,
                    p.rule,
                    codes[p.entity_id],
                    p.entity_id,
                    codes[p.counterparty_entity_id],
                    p.counterparty_entity_id,
                    report.currency,
                    p.entity_amount,
                    p.counterparty_amount,
                    p.difference,
                    p.tolerance,
                    p.within_tolerance,
                ],
            )

    return [
        Table(
            name="intercompany_balances",
            columns=TRIAL_BALANCE_COLUMNS,
            rows=lambda: trial_balance_rows(session, actor=actor, query=query, counterparty_only=True),
            currency_column="currency",
        ),
        Table(name="intercompany_matching", columns=MATCHING_COLUMNS, rows=matching),
    ]
