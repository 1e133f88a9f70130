"""The floor of the package import on this schema: PostgreSQL alone writing what the import must write.

The import of a package posts one adjustment entry per company, each package line a journal line, and keeps
the balance of every line's key in the same transaction (the books' issue: posted entries, kept balances).
This measures that much with no application code at all, on the same empty books the timed import starts
from: the rows made in SQL beforehand, off the clock, then one journal entry per company inserted and every
line COPYed into `journal_line` (its primary key, two indexes, three foreign keys and two checks) and every
key into `account_balance` (primary key, two foreign keys), in one transaction that is rolled back. No
parsing, no validation, no audit event, no response: any implementation that keeps these tables pays at
least this. The same writes are also measured without the foreign-key checks, and into tables of the same
columns with only their primary keys (CASES): what a schema without those keys and indexes would still pay."""

from __future__ import annotations

import contextlib
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import pg

_STAGE = (
    "CREATE TEMPORARY TABLE floor_package_line (entity_code text, account_code text, debit numeric(24,4), "
    "credit numeric(24,4), counterparty_code text) ON COMMIT DROP"
)
_ENTRIES = (
    "CREATE TEMPORARY TABLE floor_entry ON COMMIT DROP AS "
    "SELECT e.id AS entity_id, gen_random_uuid()::text AS entry_id "
    "FROM (SELECT DISTINCT entity_code FROM floor_package_line) p "
    "JOIN legal_entity e ON e.code = p.entity_code"
)
_INSERT_ENTRIES = (
    "INSERT INTO journal_entry (entity_id, id, fiscal_year, fiscal_month, number, entry_date, description, "
    "source, preparer, posted_at) "
    "SELECT entity_id, entry_id, %(year)s, %(month)s, 1, %(day)s, 'floor', 'import', 'bench', now() "
    "FROM floor_entry"
)
#: Each key's adjustment on empty books: its net, on one side (the entry's lines are one-sided).
_NET = (
    "SELECT f.entity_id, f.entry_id, p.account_code, c.id AS counterparty_id, "
    "greatest(p.debit - p.credit, 0) AS debit, greatest(p.credit - p.debit, 0) AS credit "
    "FROM floor_package_line p JOIN legal_entity e ON e.code = p.entity_code "
    "JOIN floor_entry f ON f.entity_id = e.id LEFT JOIN legal_entity c ON c.code = p.counterparty_code "
    "WHERE p.debit <> p.credit"
)
_LINES = (
    "SELECT entity_id, entry_id, row_number() OVER (PARTITION BY entity_id), account_code, debit, credit, "
    f"counterparty_id, 'CNY', debit + credit, 1 FROM ({_NET}) n"
)
_LINE_COLUMNS = (
    "entity_id, entry_id, line_no, account_code, debit, credit, counterparty_entity_id, currency, "
    "amount_in_currency, rate"
)
_BALANCES = (
    "SELECT entity_id, account_code, coalesce(counterparty_id, ''), %(year)s, %(month)s, debit, credit "
    f"FROM ({_NET}) n ORDER BY 1, 2, 3"
)
_BALANCE_COLUMNS = "entity_id, account_code, counterparty_key, year, month, debit, credit"


def _copy_out(conn: Any, query: str, params: dict[str, Any]) -> bytes:
    import psycopg

    statement = psycopg.ClientCursor(conn).mogrify(query, params)
    with conn.cursor() as cur, cur.copy(f"COPY ({statement}) TO STDOUT") as copy:
        return b"".join(bytes(chunk) for chunk in copy)


#: Rows per COPY statement: the group import's request size, so the foreign-key checks queued per statement
#: stay as many as in the import.
_ROWS_PER_COPY = 100_000


def _chunks(data: bytes) -> list[bytes]:
    rows = data.splitlines(keepends=True)
    return [b"".join(rows[first : first + _ROWS_PER_COPY]) for first in range(0, len(rows), _ROWS_PER_COPY)]


def _copy_in(conn: Any, table: str, columns: str, chunks: list[bytes]) -> None:
    for chunk in chunks:
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write(chunk)


#: The variants measured: the books' own tables; the same with the foreign-key triggers skipped
#: (`session_replication_role = replica`, a superuser setting: psycopg's InsufficientPrivilege otherwise);
#: and tables of the same columns with only their primary keys (made in the transaction, rolled back),
#: the least any schema that keys its lines and balances could pay.
BOOKS, WITHOUT_KEY_CHECKS, PRIMARY_KEYS_ONLY = "books", "without_key_checks", "primary_keys_only"
CASES = {
    BOOKS: "PostgreSQL alone: the import's rows into the books' tables (floor)",
    WITHOUT_KEY_CHECKS: "the same floor without the foreign-key checks",
    PRIMARY_KEYS_ONLY: "the same rows into tables with only their primary keys",
}
_KEYS_ONLY = (
    "CREATE TABLE floor_journal_line (LIKE journal_line INCLUDING DEFAULTS)",
    "ALTER TABLE floor_journal_line ADD PRIMARY KEY (entity_id, entry_id, line_no)",
    "CREATE TABLE floor_account_balance (LIKE account_balance INCLUDING DEFAULTS)",
    "ALTER TABLE floor_account_balance "
    "ADD PRIMARY KEY (entity_id, account_code, counterparty_key, year, month)",
)


def measure(*, url: str, path: Path, as_of: date, variant: str = BOOKS) -> tuple[float, int]:
    """Seconds for writing the rows and the lines written. The rows are made first, off the clock: the file
    COPYed into a temporary table, each line's row and each key's balance computed in SQL and copied out.
    The clock then runs over the writes alone: the entries inserted, the lines and the balances COPYed in
    (COPY being PostgreSQL's cheapest way to take rows, and a plain COPY of the balances cheaper than the
    upsert the import needs in general), into the tables of `variant` (CASES). The transaction is rolled
    back, then the books' tables restored (`_restore`) so the timed import starts as it would have."""
    import psycopg

    params = {"year": as_of.year, "month": as_of.month, "day": as_of}
    line_table, balance_table = "journal_line", "account_balance"
    with psycopg.connect(pg.libpq_url(url)) as conn:
        if variant == WITHOUT_KEY_CHECKS:
            conn.execute("SET LOCAL session_replication_role = replica")
        elif variant == PRIMARY_KEYS_ONLY:
            for statement in _KEYS_ONLY:
                conn.execute(statement)
            line_table, balance_table = "floor_journal_line", "floor_account_balance"
        conn.execute(_STAGE)
        pg.copy_csv_file(conn, table="floor_package_line", path=path)
        conn.execute(_ENTRIES)
        lines = _copy_out(conn, _LINES, {})
        count = lines.count(b"\n")
        line_chunks, balance_chunks = _chunks(lines), _chunks(_copy_out(conn, _BALANCES, params))
        started = time.perf_counter()
        conn.execute(_INSERT_ENTRIES, params)
        _copy_in(conn, line_table, _LINE_COLUMNS, line_chunks)
        _copy_in(conn, balance_table, _BALANCE_COLUMNS, balance_chunks)
        seconds = time.perf_counter() - started
        conn.rollback()
    _restore(url=url)
    return seconds, count


def _restore(*, url: str) -> None:
    """The books' tables as before the floor: vacuumed, their indexes rebuilt (a rollback leaves them
    grown with empty pages) and a checkpoint, so the floor's WAL does not checkpoint during the import."""
    import psycopg

    tables = ["journal_entry", "journal_line", "account_balance"]
    pg.vacuum_analyze(url=url, tables=tables)
    with psycopg.connect(pg.libpq_url(url), autocommit=True) as conn:
        for table in tables:
            conn.execute(f"REINDEX TABLE {table}")
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            conn.execute("CHECKPOINT")
