"""Export building blocks: the query, tables and extras, and the SQL helpers every dataset uses."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, case, cast, func, literal, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

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
    date_text,
    money_text,
    ratio_text,
    timestamp_text,
)

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


def in_scope(expr: Any, scope: frozenset[str] | None) -> ColumnElement[bool] | None:
    return None if scope is None else expr.in_(sorted(scope))


def where_all(statement: Any, *conditions: ColumnElement[bool] | None) -> Any:
    kept = [c for c in conditions if c is not None]
    return statement.where(*kept) if kept else statement


def codes_by_id(session: Session) -> dict[str, str]:
    return dict(session.execute(select(LegalEntity.id, LegalEntity.code)).all())


def companies(session: Session, scope: frozenset[str] | None) -> list[LegalEntity]:
    statement = where_all(
        select(LegalEntity).where(LegalEntity.kind == "company"), in_scope(LegalEntity.id, scope)
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
