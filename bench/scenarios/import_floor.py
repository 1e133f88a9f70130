"""The floor of the package import on this schema: PostgreSQL alone writing what the import must write.

The import of a package posts one adjustment entry per company, each package line a journal line, and keeps
the balance of every line's key in the same transaction (the books' issue: posted entries, kept balances).
This measures that much with no application code at all: the file COPYed into a temporary table, then in
SQL one journal entry per company, every line into `journal_line` (its primary key, two indexes, three
foreign keys and two checks) and every key into `account_balance` (one upsert: primary key, two foreign
keys), all in one transaction that is rolled back, on the same empty books the timed import starts from.
No validation, no audit event, no response: any implementation that keeps these tables pays at least this.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from bench import pg

CASE = "PostgreSQL alone: the import's rows into the books' tables (floor)"
CASE_WITHOUT_KEYS = "the same floor without the foreign-key checks"

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
_INSERT_LINES = (
    "INSERT INTO journal_line (entity_id, entry_id, line_no, account_code, debit, credit, "
    "counterparty_entity_id, currency, amount_in_currency, rate) "
    "SELECT entity_id, entry_id, row_number() OVER (PARTITION BY entity_id), account_code, debit, credit, "
    f"counterparty_id, 'CNY', debit - credit, 1 FROM ({_NET}) n"
)
_UPSERT_BALANCES = (
    "INSERT INTO account_balance (entity_id, account_code, counterparty_key, year, month, debit, credit) "
    "SELECT entity_id, account_code, coalesce(counterparty_id, ''), %(year)s, %(month)s, debit, credit "
    f"FROM ({_NET}) n ORDER BY 1, 2, 3 "
    "ON CONFLICT (entity_id, account_code, counterparty_key, year, month) DO UPDATE SET "
    "debit = account_balance.debit + excluded.debit, credit = account_balance.credit + excluded.credit"
)


def measure(*, url: str, path: Path, as_of: date, foreign_keys: bool = True) -> tuple[float, int]:
    """Seconds for the whole floor transaction (COPY to the staging table included) and the lines written;
    rolled back, then the books' tables vacuumed so the timed import starts as it would have. Without
    `foreign_keys` the transaction runs with `session_replication_role = replica`, which skips the foreign-key
    triggers (a superuser setting: raises psycopg's InsufficientPrivilege otherwise): what the same writes
    would cost on a schema without those keys."""
    import psycopg

    params = {"year": as_of.year, "month": as_of.month, "day": as_of}
    with psycopg.connect(pg.libpq_url(url)) as conn:
        if not foreign_keys:
            conn.execute("SET LOCAL session_replication_role = replica")
        started = time.perf_counter()
        conn.execute(_STAGE)
        with (
            conn.cursor() as cur,
            cur.copy("COPY floor_package_line FROM STDIN (FORMAT csv, HEADER)") as copy,
            path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        conn.execute(_ENTRIES)
        conn.execute(_INSERT_ENTRIES, params)
        lines = conn.execute(_INSERT_LINES).rowcount
        conn.execute(_UPSERT_BALANCES, params)
        seconds = time.perf_counter() - started
        conn.rollback()
    pg.vacuum_analyze(url=url, tables=["journal_entry", "journal_line", "account_balance"])
    return seconds, lines
