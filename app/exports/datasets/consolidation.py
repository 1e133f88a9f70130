"""Consolidation workpapers: scope, statements, eliminations, differences, NCI, translation, goodwill."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.core.context import Actor
from app.exports.columns import Column, Kind, Row, cells
from app.exports.datasets.base import ExportQuery, Table, codes_by_id

SCOPE_COLUMNS = (
    Column("entity_code"),
    Column("entity_id"),
    Column("name"),
    Column("method"),
    Column("interest_share", Kind.RATIO),
    Column("control_share", Kind.RATIO),
    Column("nci_share", Kind.RATIO),
    Column("control_since", Kind.DATE),
)
STATEMENT_COLUMNS = (
    Column("account_code"),
    Column("name"),
    Column("type"),
    Column("amount", Kind.MONEY, total=True),
)
FIGURE_COLUMNS = (Column("figure"), Column("amount", Kind.MONEY))
ELIMINATION_COLUMNS = (
    Column("journal"),
    Column("layer"),
    Column("entity_code"),
    Column("entity_id"),
    Column("account_code"),
    Column("debit", Kind.MONEY, total=True),
    Column("credit", Kind.MONEY, total=True),
    Column("counterparty_entity_id"),
    Column("nci_bearing", Kind.BOOL),
    Column("nci_entity_id"),
    Column("carried_forward", Kind.BOOL),
    Column("reason"),
    Column("source"),
)
DIFFERENCE_COLUMNS = (
    Column("kind"),
    Column("entity_code"),
    Column("entity_id"),
    Column("counterparty_code"),
    Column("counterparty_entity_id"),
    Column("entity_amount", Kind.MONEY),
    Column("counterparty_amount", Kind.MONEY),
    Column("difference", Kind.MONEY, total=True),
)
SUBSIDIARY_COLUMNS = (
    Column("entity_code"),
    Column("entity_id"),
    Column("acquisition_id"),
    Column("interest_share", Kind.RATIO),
    Column("nci_share", Kind.RATIO),
    *(
        Column(name, Kind.MONEY, total=True)
        for name in (
            "net_assets_at_acquisition",
            "net_assets_at_reporting_date",
            "post_acquisition",
            "parent_share_of_post_acquisition",
            "nci_at_acquisition",
            "indirect_holding_adjustment",
            "non_controlling_interest",
            "profit_for_period",
            "profit_attributable_to_nci",
        )
    ),
)
TRANSLATION_COLUMNS = (
    Column("entity_code"),
    Column("entity_id"),
    Column("currency"),
    Column("closing_rate", Kind.RATIO),
    Column("average_rate", Kind.RATIO),
    *(
        Column(name, Kind.MONEY)
        for name in (
            "closing_net_assets",
            "opening_net_assets",
            "comprehensive_income_at_average",
            "exchange_difference",
            "translation_reserve",
        )
    ),
)
GOODWILL_COLUMNS = (
    Column("acquisition_id"),
    Column("acquiree_code"),
    Column("acquiree_id"),
    Column("currency"),
    *(
        Column(name, Kind.MONEY)
        for name in (
            "goodwill",
            "bargain_purchase_gain",
            "nci_at_acquisition",
            "net_assets",
            "group_consideration",
            "at_acquisition",
            "impairment_to_date",
            "opening_carrying_amount",
            "carrying_amount",
            "exchange_difference_for_period",
        )
    ),
)


def _typed(column: Column, value: Any) -> Any:
    """A value of the stored run document (decimals and dates as strings) as the column's Python type."""
    if value is None:
        return None
    if column.kind in (Kind.MONEY, Kind.RATIO):
        return Decimal(str(value))
    if column.kind is Kind.DATE:
        return date.fromisoformat(str(value))
    if column.kind is Kind.BOOL:
        return bool(value)
    return value


def _record_row(columns: tuple[Column, ...], record: dict[str, Any], **extra: Any) -> Row:
    values = {**record, **extra}
    return cells(columns, [_typed(c, values.get(c.name)) for c in columns])


def consolidation_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    """The workpapers of one sealed run (`run_id`): scope, statements, headline figures, the elimination
    journal, the intercompany differences and the W2/W4, W3 and translation workings, read from the run's
    stored result, so they are exactly what the run answered. Rows of single companies are limited to the
    export's entities; the group statements come with the run, which the consolidation service shows only
    to those who see its parent."""
    from app.consolidation import service as consolidation

    if query.run_id is None:
        raise ValueError("the consolidation export needs `run_id`")  # the service checks this first
    body = consolidation.run_body(consolidation.get_run(session, actor=actor, run_id=query.run_id))
    codes = codes_by_id(session)

    def mine(entity_id: str | None) -> bool:
        return entity_id is None or actor.can_see(entity_id)

    def code(entity_id: str | None) -> str | None:
        return None if entity_id is None else codes.get(entity_id)

    def scope() -> Iterator[Row]:
        for s in sorted(body.get("scope", []), key=lambda s: (str(s.get("code")), str(s.get("entity_id")))):
            if mine(s.get("entity_id")):
                yield _record_row(SCOPE_COLUMNS, s, entity_code=s.get("code"))

    def statement(key: str) -> Callable[[], Iterator[Row]]:
        def rows() -> Iterator[Row]:
            for line in body.get(key, []):
                yield _record_row(STATEMENT_COLUMNS, line)

        return rows

    def figures() -> Iterator[Row]:
        for section in ("figures", "comprehensive_income"):
            for name, amount in sorted((body.get(section) or {}).items()):
                yield cells(FIGURE_COLUMNS, [f"{section}.{name}", _typed(FIGURE_COLUMNS[1], amount)])

    def listed(
        key: str, columns: tuple[Column, ...], entity_key: str = "entity_id"
    ) -> Callable[[], Iterator[Row]]:
        def rows() -> Iterator[Row]:
            for record in body.get(key, []):
                if not mine(record.get(entity_key)):
                    continue
                yield _record_row(
                    columns,
                    record,
                    entity_code=code(record.get("entity_id")),
                    counterparty_code=code(record.get("counterparty_entity_id")),
                )

        return rows

    def goodwill() -> Iterator[Row]:
        for record in body.get("goodwill", []):
            if not mine(record.get("acquiree_id")):
                continue
            flat = {
                **(record.get("computation") or {}),
                **{k: v for k, v in record.items() if k != "computation"},
            }
            yield _record_row(GOODWILL_COLUMNS, flat, acquiree_code=code(record.get("acquiree_id")))

    return [
        Table(name="consolidation_scope", columns=SCOPE_COLUMNS, rows=scope),
        Table(name="consolidation_balance_sheet", columns=STATEMENT_COLUMNS, rows=statement("balance_sheet")),
        Table(
            name="consolidation_income_statement",
            columns=STATEMENT_COLUMNS,
            rows=statement("income_statement"),
        ),
        Table(name="consolidation_figures", columns=FIGURE_COLUMNS, rows=figures),
        Table(
            name="consolidation_eliminations",
            columns=ELIMINATION_COLUMNS,
            rows=listed("eliminations", ELIMINATION_COLUMNS),
        ),
        Table(
            name="consolidation_intercompany_differences",
            columns=DIFFERENCE_COLUMNS,
            rows=listed("intercompany_differences", DIFFERENCE_COLUMNS),
        ),
        Table(
            name="consolidation_subsidiaries",
            columns=SUBSIDIARY_COLUMNS,
            rows=listed("subsidiaries", SUBSIDIARY_COLUMNS),
        ),
        Table(name="consolidation_goodwill", columns=GOODWILL_COLUMNS, rows=goodwill),
        Table(
            name="consolidation_translations",
            columns=TRANSLATION_COLUMNS,
            rows=listed("translations", TRANSLATION_COLUMNS),
        ),
    ]
