"""CSV files that PostgreSQL writes itself (`COPY (SELECT ...) TO STDOUT`), with their control totals.

For a table of plain columns on PostgreSQL, the export's CSV is written by the database at the speed of
COPY; its rows and control totals are counted by the database in the same snapshot first, and COPY's own
count must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

import psycopg
from sqlalchemy.orm import Session

from app.exports.datasets import SqlSource, Table, plan_for_all_rows
from app.exports.writers import HashingWriter, WrittenFile

#: Rows written, hashed and reported as progress together.
PROGRESS_ROWS = 5000

#: (rows, {currency or "": {column: sum}}) as the database counts them.
DatabaseTotals = tuple[int, dict[str, dict[str, Decimal]]]


def database_totals(session: Session, *, file_format: str, table: Table) -> DatabaseTotals | None:
    """For a table PostgreSQL writes itself (COPY): its rows and control totals, counted by the database in
    the export's snapshot before the file is written. None for the tables Python writes."""
    if not (
        file_format == "csv"
        and table.sql is not None
        and session.get_bind().dialect.name == "postgresql"
        and table.sql.copyable()
    ):
        return None
    plan_for_all_rows(session)
    currency = next((e for c, e in table.sql.spec if c.name == table.currency_column), None)
    return table.sql.totals(session, currency=currency)


def copy_csv(
    session: Session,
    *,
    table: Table,
    sql: SqlSource,
    name: str,
    out: HashingWriter,
    bom: bool,
    on_rows: Callable[[int], None],
    counted: DatabaseTotals,
) -> WrittenFile:
    """The CSV written by PostgreSQL itself (`COPY (SELECT ...) TO STDOUT`): the same cells and quoting as
    `writers.write_csv`, at the speed of COPY. The rows and control totals were counted by the database in
    the same snapshot (`database_totals`), and COPY's own count must agree."""
    compiled = sql.copy_statement().compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    dbapi = cast(psycopg.Connection[Any], session.connection().connection.dbapi_connection)
    rows, by_currency = counted
    if bom:
        out.write("\ufeff".encode())
    with dbapi.cursor() as cursor:
        with cursor.copy(f"COPY ({compiled}) TO STDOUT (FORMAT csv, HEADER)", compiled.params) as copy:
            batch: list[Any] = []
            reported = -1  # the header line
            for chunk in copy:  # one row per chunk: joined, compressed and hashed in batches
                batch.append(chunk)
                if len(batch) >= PROGRESS_ROWS:
                    out.write(b"".join(batch))
                    on_rows(len(batch) + min(reported, 0))
                    reported, batch = 0, []
            out.write(b"".join(batch))
            if len(batch) + min(reported, 0) > 0:
                on_rows(len(batch) + min(reported, 0))
        copied = cursor.rowcount
    if copied != rows:
        raise RuntimeError(f"{name}: COPY wrote {copied} rows, the count in the same snapshot is {rows}")
    totals: dict[str, Decimal] = {c.name: Decimal(0) for c in table.columns if c.total}
    for bucket in by_currency.values():
        for column, amount in bucket.items():
            totals[column] += amount
    return WrittenFile(
        name=name,
        size=out.size,
        sha256=out.sha256,
        columns=table.columns,
        rows=copied,
        totals=totals,
        by_currency=dict(sorted(by_currency.items())) if table.currency_column is not None and totals else {},
    )
