"""What one PostgreSQL holds: the books' size on disk per journal line, and the bare SQL reads over them.

No feature is timed against a baseline here: these are the measurements docs/SCALING.md builds on. A group
sized to `lines` journal lines over twelve months is loaded by COPY (entries, lines, kept balances), then
the scenario reports the bytes per line of each table with its indexes, the load rate, and the time of the
plain SQL behind a trial balance (one company) and a consolidation (all companies), best of three.
"""

from __future__ import annotations

import time
from typing import Any

from bench import pg
from bench.generator import GROUP_LEVEL_ROLES, GroupSpec, build_chart, generate, load_group
from bench.runner import Context, NotAvailable, row

NAME = "storage"
TITLE = "books on one PostgreSQL: size and bare reads"
NEEDS_POSTGRES = True
DEFAULT_SIZES = {"lines": 1_000_000, "accounts": 300, "months": 12}
QUICK_SIZES = {"lines": 20_000, "accounts": 300, "months": 2}
BUDGET_SECONDS = 240.0
TABLES = ("journal_entry", "journal_line", "account_balance")
ONE_COMPANY = (
    "SELECT account_code, counterparty_key, SUM(debit) - SUM(credit) FROM account_balance "
    "WHERE entity_id = %s AND year = %s AND month <= %s GROUP BY account_code, counterparty_key"
)
ALL_COMPANIES = (
    "SELECT account_code, SUM(debit) - SUM(credit) FROM account_balance "
    "WHERE year = %s AND month <= %s GROUP BY account_code"
)


def _best(conn: Any, sql: str, params: tuple[Any, ...]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        conn.execute(sql, params).fetchall()
        best = min(best, time.perf_counter() - started)
    return best


def run(ctx: Context) -> list[dict[str, Any]]:
    import psycopg

    url = ctx.database_url
    assert url is not None
    pg.migrate(url=url)
    if not set(TABLES) <= pg.existing_tables(url=url):
        raise NotAvailable("the ledger tables have not landed yet")
    accounts, months = ctx.sizes["accounts"], ctx.sizes["months"]
    per_entry = len(build_chart(size=accounts)) - len(GROUP_LEVEL_ROLES) + 20
    companies = max(2, round(ctx.sizes["lines"] / (per_entry * months)))
    group = generate(spec=GroupSpec(companies=companies, accounts=accounts, months=months, seed=1))
    report = load_group(url=url, group=group)
    pg.vacuum_analyze(url=url, tables=list(TABLES))
    lines = report.rows["journal_line"]
    with psycopg.connect(pg.libpq_url(url)) as conn:
        sizes = {
            table: int(conn.execute("SELECT pg_total_relation_size(%s::regclass)", (table,)).fetchone()[0])  # type: ignore[index]
            for table in TABLES
        }
        one = _best(conn, ONE_COMPANY, (group.companies[1].id, group.spec.year, months))
        everyone = _best(conn, ALL_COMPANIES, (group.spec.year, months))
    total = sum(sizes.values())
    common = {"lines": lines, "companies": companies, "months": months}
    details = {
        "bytes_per_journal_line_all_tables": round(total / lines),
        **{f"{table}_mb": round(size / 1e6, 1) for table, size in sizes.items()},
        "rows": report.rows,
        "load_seconds": round(report.seconds, 1),
        "lines_loaded_per_second": round(lines / report.seconds),
    }
    out = [
        row(
            scenario=NAME,
            case="bulk load (COPY) of the books",
            seconds=report.seconds,
            baseline="",
            target_ratio=None,
            sizes=common,
            details=details,
        ),
        row(
            scenario=NAME,
            case="SQL: one company's balances",
            seconds=one,
            baseline="",
            target_ratio=None,
            sizes=common,
            details={"kept_balance_rows": report.rows.get("account_balance")},
        ),
        row(
            scenario=NAME,
            case="SQL: sum over all companies",
            seconds=everyone,
            baseline="",
            target_ratio=None,
            sizes=common,
            details={"kept_balance_rows": report.rows.get("account_balance")},
        ),
    ]
    for r in out:
        r["status"] = "measured (no target)"
    return out
