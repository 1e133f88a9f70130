"""What each export kind contains: its files, their columns, and the rows, read lazily in a fixed order.

Big tables (journal lines, the audit trail) are read with one streaming SELECT (a server-side cursor on
PostgreSQL, `yield_per` batches), ordered by a unique key. On PostgreSQL the database formats the values as
the canonical text itself (`CAST(numeric AS text)` keeps the column's scale, `to_char` gives dates and UTC
timestamps), so a million lines pass through Python as plain strings; elsewhere Python formats them the same
way (`columns.py`). Derived reports come from their features' services (trial balance, intercompany
matching, asset register and roll-forward), called with an actor limited to the export's scope, so each
feature's own visibility rules apply.

The journal's columns follow the AICPA Audit Data Standard's GL_Detail table (snake_case names):
Journal_ID -> journal_id (and the entry's number), JE_Line_Number -> line_number, Business_Unit_Code ->
entity_code, Fiscal_Year, Period, Effective_Date, JE_Header_Description, GL_Account_Number ->
account_number, Amount as debit/credit (functional currency), Amount_Currency -> functional_currency, the
transaction currency, amount and rate, the counterparty's code, JE_Line_Description -> line_description,
Source (and its reference), Entered_By/Entered_Date -> entered_by/entered_at, Approved_By/Approved_Date,
Reversal_Journal_ID -> reversal_of / reversed_by. As in the standard, names live in their own tables
(accounts in the chart export, entities by code in the entities export), which keeps a million-line file
lean.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, and_, case, cast, func, literal, select, text
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from app.assets import report_service as asset_reports
from app.audit.models import AuditEvent
from app.core.context import Actor
from app.core.jsonable import canonical_json
from app.entities.models import LegalEntity
from app.exports.columns import (
    FORMULA_STARTS,
    TEXT_KINDS,
    Column,
    Kind,
    Row,
    bool_text,
    cells,
    date_text,
    money_text,
    ratio_text,
    timestamp_text,
)
from app.ledger import report_service as ledger_reports
from app.ledger.models import Account, JournalEntry, JournalLine, LocalAccountMap
from app.ownership.models import EquityStake, MethodOverride
from app.users.models import ApiKey, User, UserEntity

YIELD_PER = 5000
Formatter = Callable[[Any], Any]


@dataclass(frozen=True)
class ExportQuery:
    """An export's question, resolved: the scope is what the requester may see of what it asked for."""

    kind: str
    scope: frozenset[str] | None
    date_from: date | None = None
    date_to: date | None = None
    tolerance: Decimal = Decimal(0)
    after_seq: int | None = None
    run_id: str | None = None
    presentation_currency: str = "CNY"


@dataclass(frozen=True)
class Table:
    """One data file: its name (without extension), columns and a function giving its rows in order."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[Row]]
    count: Callable[[], int] | None = None
    currency_column: str | None = None
    #: For tables read with one SELECT: lets PostgreSQL write the CSV itself (COPY).
    sql: SqlSource | None = None


@dataclass
class Extras:
    """Facts a kind adds to the manifest once its rows are read (e.g. the audit trail's last sequence)."""

    values: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ SQL helpers


def _text_expr(dialect: str, column: Column, expr: Any) -> tuple[Any, Formatter | None]:
    """The select expression and the Python formatter that give the column's canonical cells."""
    kind = column.kind
    if kind is Kind.JSON:
        return cast(expr, Text), _json_cell
    if dialect == "postgresql":
        if kind in (Kind.MONEY, Kind.RATIO):
            return cast(expr, Text), None
        if kind is Kind.DATE:
            return cast(expr, Text), None  # ISO: `plan_for_all_rows` sets DateStyle
        if kind is Kind.TIMESTAMP:
            return func.to_char(func.timezone("UTC", expr), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), None
        if kind is Kind.BOOL:
            return expr, bool_text
        return expr, None
    formatters: dict[Kind, Formatter] = {
        Kind.MONEY: money_text,
        Kind.RATIO: ratio_text,
        Kind.DATE: date_text,
        Kind.TIMESTAMP: timestamp_text,
        Kind.BOOL: bool_text,
    }
    return expr, formatters.get(kind)


def _json_cell(text: str | None) -> str | None:
    if text is None:
        return None
    value = json.loads(text)
    return None if value is None else canonical_json(value)


@dataclass(frozen=True)
class SqlSource:
    """One streaming SELECT: the columns' expressions, the FROM/WHERE (`source` adds them to a select) and
    a unique ORDER BY."""

    spec: tuple[tuple[Column, Any], ...]
    source: Callable[[Any], Any]
    order_by: tuple[Any, ...]

    def statement(self, dialect: str) -> tuple[Any, list[tuple[int, Formatter]]]:
        """The ordered SELECT of canonical cells for `dialect`, and the formatters Python still applies."""
        exprs: list[Any] = []
        formatters: list[tuple[int, Formatter]] = []
        for i, (column, expr) in enumerate(self.spec):
            selected, formatter = _text_expr(dialect, column, expr)
            exprs.append(selected.label(column.name))
            if formatter is not None:
                formatters.append((i, formatter))
        return self.source(select(*exprs)).order_by(*self.order_by), formatters

    def copyable(self) -> bool:
        """Whether PostgreSQL alone can write every cell (no JSON to put in canonical form)."""
        return all(_text_expr("postgresql", c, e)[1] is None for c, e in self.spec)

    def copy_statement(self) -> Any:
        """The PostgreSQL SELECT whose rows COPY writes as the CSV file: canonical text, text cells
        neutralized (see `columns.py`), empty text as null (so it is written unquoted, as Python does)."""
        exprs: list[Any] = []
        for column, expr in self.spec:
            selected, formatter = _text_expr("postgresql", column, expr)
            if formatter is not None:
                raise ValueError(f"column {column.name} needs Python formatting")
            if column.kind in TEXT_KINDS and not column.machine:
                value = func.nullif(cast(selected, Text), "")
                selected = case(
                    (
                        func.ascii(value).in_(sorted(ord(ch) for ch in FORMULA_STARTS)),
                        literal("'", Text) + value,
                    ),
                    else_=value,
                )
            exprs.append(selected.label(column.name))
        return self.source(select(*exprs)).order_by(*self.order_by)

    def totals(self, session: Session, *, currency: Any | None) -> tuple[int, dict[str, dict[str, Decimal]]]:
        """(rows, {currency or "": {column: sum}}) of the control-total columns, read in the session's
        snapshot."""
        summed = [(c.name, e) for c, e in self.spec if c.total]
        group = [] if currency is None else [currency]
        statement = self.source(
            select(*group, func.count(), *(func.coalesce(func.sum(e), 0) for _, e in summed))
        )
        if group:
            statement = statement.group_by(*group)
        rows = 0
        out: dict[str, dict[str, Decimal]] = {}
        for row in session.execute(statement).all():
            values = list(row)
            key = str(values.pop(0) or "") if group else ""
            rows += int(values[0])
            out[key] = {name: Decimal(v) for (name, _), v in zip(summed, values[1:], strict=True)}
        return rows, out


def stream_rows(session: Session, sql: SqlSource) -> Iterator[Row]:
    """Rows of a streaming SELECT, as canonical cells."""
    dialect = session.get_bind().dialect.name
    statement, formatters = sql.statement(dialect)
    statement = statement.execution_options(stream_results=True, yield_per=YIELD_PER)
    if dialect == "postgresql":
        plan_for_all_rows(session)
    result = session.execute(statement)
    for partition in result.partitions():
        if not formatters:
            yield from partition
            continue
        for row in partition:
            values = list(row)
            for i, formatter in formatters:
                value = values[i]
                if value is not None:
                    values[i] = formatter(value)
            yield values


def plan_for_all_rows(session: Session) -> None:
    """Plan for reading every row, in this transaction: PostgreSQL plans a cursor for its first rows
    (cursor_tuple_fraction 0.1), which can choose nested loops over millions of lines, and its JIT spends
    about a second compiling the formatting expressions of a big export, more than it saves. Dates are
    written in ISO form whatever the server's default."""
    session.execute(text("SET LOCAL cursor_tuple_fraction = 1"))
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("SET LOCAL DateStyle = 'ISO, YMD'"))


def _in_scope(expr: Any, scope: frozenset[str] | None) -> ColumnElement[bool] | None:
    return None if scope is None else expr.in_(sorted(scope))


def _where(statement: Any, *conditions: ColumnElement[bool] | None) -> Any:
    kept = [c for c in conditions if c is not None]
    return statement.where(*kept) if kept else statement


def _codes(session: Session) -> dict[str, str]:
    return dict(session.execute(select(LegalEntity.id, LegalEntity.code)).all())


def companies(session: Session, scope: frozenset[str] | None) -> list[LegalEntity]:
    statement = _where(
        select(LegalEntity).where(LegalEntity.kind == "company"), _in_scope(LegalEntity.id, scope)
    ).order_by(LegalEntity.code)
    return list(session.execute(statement).scalars())


def scoped_actor(actor: Actor, scope: frozenset[str] | None) -> Actor:
    """The requester limited to the export's scope: the features' services then show exactly that."""
    return Actor(
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role,
        entity_ids=scope,
        via_api_key=actor.via_api_key,
    )


# ------------------------------------------------------------------------------------------- journal

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
        _in_scope(JournalEntry.entity_id, query.scope),
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
        return _where(joined, *filters)

    sql = SqlSource(
        spec=tuple(zip(JOURNAL_COLUMNS, exprs, strict=True)),
        source=source,
        order_by=(JournalEntry.entity_id, JournalEntry.fiscal_year, JournalEntry.number, JournalLine.line_no),
    )

    def count() -> int:
        statement = select(func.count()).select_from(JournalLine).join(JournalEntry, LINE_JOIN)
        return int(session.execute(_where(statement, *filters)).scalar_one())

    return Table(
        name="journal_lines",
        columns=JOURNAL_COLUMNS,
        rows=lambda: stream_rows(session, sql),
        count=count,
        currency_column="functional_currency",
        sql=sql,
    )


# -------------------------------------------------------------------------------------- trial balance

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
    codes = _codes(session)
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
        statement = _where(statement, _in_scope(LocalAccountMap.entity_id, query.scope))
        for code, row, group_name in session.execute(statement):
            yield cells(
                MAPPING_COLUMNS,
                [code, row.entity_id, row.local_code, row.local_name, row.group_code, group_name],
            )

    return [
        Table(name="accounts", columns=ACCOUNT_COLUMNS, rows=accounts),
        Table(name="local_account_map", columns=MAPPING_COLUMNS, rows=mappings),
    ]


# ------------------------------------------------------------------------------------------ assets

REGISTER_COLUMNS = (
    Column("entity_code"),
    Column("entity_id"),
    Column("as_of", Kind.DATE),
    Column("currency"),
    Column("tag"),
    Column("asset_id"),
    Column("name"),
    Column("category"),
    Column("location"),
    Column("acquired_on", Kind.DATE),
    Column("status"),
    Column("method"),
    Column("useful_life_months", Kind.INT),
    Column("residual_value", Kind.MONEY),
    Column("cost", Kind.MONEY, total=True),
    Column("accumulated_depreciation", Kind.MONEY, total=True),
    Column("impairment", Kind.MONEY, total=True),
    Column("carrying_amount", Kind.MONEY, total=True),
)
ROLL_FORWARD_AMOUNTS = (
    "opening",
    "additions",
    "transfers_in",
    "transfers_out",
    "disposals",
    "depreciation",
    "impairment",
    "closing",
)
ROLL_FORWARD_COLUMNS = (
    Column("entity_code"),
    Column("entity_id"),
    Column("currency"),
    Column("period_start", Kind.DATE),
    Column("period_end", Kind.DATE),
    *(Column(name, Kind.MONEY, total=True) for name in ROLL_FORWARD_AMOUNTS),
)
GROUP_ROLL_FORWARD_COLUMNS = (
    Column("view"),
    Column("period_start", Kind.DATE),
    Column("period_end", Kind.DATE),
    *(Column(name, Kind.MONEY, total=True) for name in ROLL_FORWARD_AMOUNTS),
)


def period_start(query: ExportQuery) -> date:
    """`from`, or 1 January of the year of `to`."""
    end = as_of_date(query)
    return query.date_from or date(end.year, 1, 1)


def asset_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    as_of = as_of_date(query)
    start = period_start(query)
    entities = {e.id: e for e in session.execute(select(LegalEntity)).scalars()}

    def register() -> Iterator[Row]:
        for line in asset_reports.asset_register(session, actor=actor, as_of=as_of):
            entity = entities[line.entity_id]
            a, p = line.asset, line.position
            yield cells(
                REGISTER_COLUMNS,
                [
                    entity.code,
                    entity.id,
                    as_of,
                    entity.functional_currency,
                    a.tag,
                    a.id,
                    a.name,
                    a.category,
                    a.location,
                    a.acquired_on,
                    line.status,
                    a.method,
                    a.useful_life_months,
                    a.residual_value,
                    p.cost,
                    p.accumulated_depreciation,
                    p.impairment,
                    p.carrying_amount,
                ],
            )

    report_cache: list[asset_reports.RollForwardReport] = []

    def report() -> asset_reports.RollForwardReport:
        if not report_cache:
            report_cache.append(
                asset_reports.asset_roll_forward(session, actor=actor, start=start, end=as_of)
            )
        return report_cache[0]

    def roll_forward() -> Iterator[Row]:
        by_entity = report().by_entity
        for entity_id in sorted(by_entity, key=lambda e: entities[e].code):
            entity, line = entities[entity_id], by_entity[entity_id]
            yield cells(
                ROLL_FORWARD_COLUMNS,
                [entity.code, entity.id, entity.functional_currency, start, as_of]
                + [getattr(line, name) for name in ROLL_FORWARD_AMOUNTS],
            )

    def group() -> Iterator[Row]:
        line = report().group
        yield cells(
            GROUP_ROLL_FORWARD_COLUMNS,
            ["group", start, as_of] + [getattr(line, n) for n in ROLL_FORWARD_AMOUNTS],
        )

    return [
        Table(name="asset_register", columns=REGISTER_COLUMNS, rows=register, currency_column="currency"),
        Table(
            name="asset_roll_forward",
            columns=ROLL_FORWARD_COLUMNS,
            rows=roll_forward,
            currency_column="currency",
        ),
        Table(name="asset_roll_forward_group", columns=GROUP_ROLL_FORWARD_COLUMNS, rows=group),
    ]


# ------------------------------------------------------------------------------- entities and equity

ENTITY_COLUMNS = (
    Column("code"),
    Column("id"),
    Column("name"),
    Column("name_en"),
    Column("kind"),
    Column("uscc"),
    Column("functional_currency"),
    Column("country"),
    Column("segment"),
    Column("established_on", Kind.DATE),
    Column("status"),
    Column("ended_on", Kind.DATE),
    Column("merged_into_code"),
)
STAKE_COLUMNS = (
    Column("holder_code"),
    Column("holder_id"),
    Column("investee_code"),
    Column("investee_id"),
    Column("valid_from", Kind.DATE),
    Column("valid_to", Kind.DATE),
    Column("share", Kind.RATIO),
    Column("voting_share", Kind.RATIO),
    Column("capital_subscribed", Kind.MONEY, total=True),
    Column("capital_paid", Kind.MONEY, total=True),
    Column("source"),
    Column("stake_id"),
    Column("created_at", Kind.TIMESTAMP),
)
OVERRIDE_COLUMNS = (
    Column("parent_code"),
    Column("parent_id"),
    Column("entity_code"),
    Column("entity_id"),
    Column("method"),
    Column("valid_from", Kind.DATE),
    Column("valid_to", Kind.DATE),
    Column("reason"),
    Column("approved_by"),
    Column("override_id"),
    Column("created_at", Kind.TIMESTAMP),
)


def entity_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    def rows() -> Iterator[Row]:
        codes = _codes(session)
        statement = _where(select(LegalEntity), _in_scope(LegalEntity.id, query.scope)).order_by(
            LegalEntity.code
        )
        for e in session.execute(statement).scalars():
            yield cells(
                ENTITY_COLUMNS,
                [
                    e.code,
                    e.id,
                    e.name,
                    e.name_en,
                    e.kind,
                    e.uscc,
                    e.functional_currency,
                    e.country,
                    e.segment,
                    e.established_on,
                    e.status,
                    e.ended_on,
                    codes.get(e.merged_into_id) if e.merged_into_id else None,
                ],
            )

    return [Table(name="entities", columns=ENTITY_COLUMNS, rows=rows)]


def _overlaps(valid_from: Any, valid_to: Any, query: ExportQuery) -> list[ColumnElement[bool] | None]:
    return [
        None if query.date_to is None else valid_from <= query.date_to,
        None if query.date_from is None else (valid_to.is_(None) | (valid_to > query.date_from)),
    ]


def equity_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    """Every stake record (the history: a change is a new dated record) touching the scope on either side,
    with subscribed and paid-in capital, and the documented method overrides."""

    def stakes() -> Iterator[Row]:
        codes = _codes(session)
        scope = query.scope
        visible = (
            None
            if scope is None
            else (EquityStake.holder_id.in_(sorted(scope)) | EquityStake.investee_id.in_(sorted(scope)))
        )
        statement = _where(
            select(EquityStake), visible, *_overlaps(EquityStake.valid_from, EquityStake.valid_to, query)
        )
        ordered = statement.order_by(
            EquityStake.investee_id, EquityStake.holder_id, EquityStake.valid_from, EquityStake.id
        )
        items = sorted(
            session.execute(ordered).scalars(),
            key=lambda s: (codes[s.investee_id], codes[s.holder_id], s.valid_from, s.id),
        )
        for s in items:
            yield cells(
                STAKE_COLUMNS,
                [
                    codes[s.holder_id],
                    s.holder_id,
                    codes[s.investee_id],
                    s.investee_id,
                    s.valid_from,
                    s.valid_to,
                    s.share,
                    s.voting_share,
                    s.capital_subscribed,
                    s.capital_paid,
                    s.source,
                    s.id,
                    s.created_at,
                ],
            )

    def overrides() -> Iterator[Row]:
        codes = _codes(session)
        scope = query.scope
        visible = (
            None
            if scope is None
            else (MethodOverride.parent_id.in_(sorted(scope)) & MethodOverride.entity_id.in_(sorted(scope)))
        )
        statement = _where(
            select(MethodOverride),
            visible,
            *_overlaps(MethodOverride.valid_from, MethodOverride.valid_to, query),
        )
        items = sorted(
            session.execute(statement).scalars(),
            key=lambda o: (codes[o.parent_id], codes[o.entity_id], o.valid_from, o.id),
        )
        for o in items:
            yield cells(
                OVERRIDE_COLUMNS,
                [
                    codes[o.parent_id],
                    o.parent_id,
                    codes[o.entity_id],
                    o.entity_id,
                    o.method,
                    o.valid_from,
                    o.valid_to,
                    o.reason,
                    o.approved_by,
                    o.id,
                    o.created_at,
                ],
            )

    return [
        *entity_tables(session, actor=actor, query=query),
        Table(name="equity_stakes", columns=STAKE_COLUMNS, rows=stakes),
        Table(name="method_overrides", columns=OVERRIDE_COLUMNS, rows=overrides),
    ]


# ------------------------------------------------------------------------------------- intercompany

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
        codes = _codes(session)
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


# -------------------------------------------------------------------------------------- audit trail

AUDIT_COLUMNS = (
    Column("seq", Kind.INT),
    Column("event_id"),
    Column("at", Kind.TIMESTAMP),
    Column("actor_id"),
    Column("actor_name"),
    Column("action"),
    Column("subject_type"),
    Column("subject_id"),
    Column("entity_id"),
    Column("request_id"),
    Column("before", Kind.JSON),
    Column("after", Kind.JSON),
    Column("prev_hash"),
    Column("hash"),
)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def audit_filters(query: ExportQuery) -> list[ColumnElement[bool] | None]:
    return [
        _in_scope(AuditEvent.entity_id, query.scope),
        None if query.after_seq is None else AuditEvent.seq > query.after_seq,
        None if query.date_from is None else AuditEvent.at >= _day_start(query.date_from),
        None if query.date_to is None else AuditEvent.at < _day_start(query.date_to + timedelta(days=1)),
    ]


def audit_tables(session: Session, *, actor: Actor, query: ExportQuery, extras: Extras) -> list[Table]:
    """Events in sequence order; the manifest says the last sequence number read (the next `after_seq`)."""
    exprs: list[Any] = [
        AuditEvent.seq,
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor_id,
        AuditEvent.actor_name,
        AuditEvent.action,
        AuditEvent.subject_type,
        AuditEvent.subject_id,
        AuditEvent.entity_id,
        AuditEvent.request_id,
        AuditEvent.before,
        AuditEvent.after,
        AuditEvent.prev_hash,
        AuditEvent.hash,
    ]
    filters = audit_filters(query)
    extras.values["audit_trail"] = {"after_seq": query.after_seq, "last_seq": query.after_seq}

    sql = SqlSource(
        spec=tuple(zip(AUDIT_COLUMNS, exprs, strict=True)),
        source=lambda statement: _where(statement.select_from(AuditEvent), *filters),
        order_by=(AuditEvent.seq,),
    )

    def rows() -> Iterator[Row]:
        for row in stream_rows(session, sql):
            extras.values["audit_trail"]["last_seq"] = row[0]
            yield row

    def count() -> int:
        return int(
            session.execute(_where(select(func.count()).select_from(AuditEvent), *filters)).scalar_one()
        )

    return [Table(name="audit_trail", columns=AUDIT_COLUMNS, rows=rows, count=count)]


# ---------------------------------------------------------------------------------- users and roles

USER_COLUMNS = (
    Column("username"),
    Column("user_id"),
    Column("role"),
    Column("is_active", Kind.BOOL),
    Column("created_at", Kind.TIMESTAMP),
    Column("entity_codes"),
    Column("entity_ids"),
)
KEY_COLUMNS = (
    Column("username"),
    Column("user_id"),
    Column("key_id"),
    Column("prefix"),
    Column("name"),
    Column("created_at", Kind.TIMESTAMP),
    Column("revoked_at", Kind.TIMESTAMP),
)


def user_tables(session: Session, *, actor: Actor, query: ExportQuery) -> list[Table]:
    """Every user with its role and entity limits (empty: every entity), and the API keys (never secrets)."""

    def users() -> Iterator[Row]:
        codes = _codes(session)
        limits: dict[str, list[str]] = {}
        for user_id, entity_id in session.execute(select(UserEntity.user_id, UserEntity.entity_id)):
            limits.setdefault(user_id, []).append(entity_id)
        for u in session.execute(select(User).order_by(User.username)).scalars():
            ids = sorted(limits.get(u.id, []), key=lambda e: codes.get(e, e))
            yield cells(
                USER_COLUMNS,
                [
                    u.username,
                    u.id,
                    u.role,
                    u.is_active,
                    u.created_at,
                    ";".join(codes.get(e, e) for e in ids) or None,
                    ";".join(ids) or None,
                ],
            )

    def keys() -> Iterator[Row]:
        statement = (
            select(User.username, ApiKey)
            .join(User, User.id == ApiKey.user_id)
            .order_by(User.username, ApiKey.id)
        )
        for username, k in session.execute(statement):
            yield cells(
                KEY_COLUMNS, [username, k.user_id, k.id, k.prefix, k.name, k.created_at, k.revoked_at]
            )

    return [
        Table(name="users", columns=USER_COLUMNS, rows=users),
        Table(name="api_keys", columns=KEY_COLUMNS, rows=keys),
    ]


# ------------------------------------------------------------------------------ consolidation workpapers

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
    codes = _codes(session)

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
