"""Consolidation of a large group against the bare SQL aggregate of the same balances.

The group: `companies` companies in the layered structure, a chart of `accounts` accounts, `months` months of
posted books with intercompany pairs (journal entries, lines and the kept monthly balances), loaded by COPY.
The feature: `POST /api/v1/consolidations {parent_id, as_of}` in process (the whole run: scope, methods,
translation, eliminations, statements). The baseline: one SQL statement summing every company's kept
balances per account up to `as_of` (what any consolidation must at least read), best of three.
"""

from __future__ import annotations

import time
from typing import Any

from bench import pg
from bench.generator import GroupSpec, generate, load_group
from bench.runner import Context, NotAvailable, row
from bench.support import check_failure, has_operation, in_process

NAME = "consolidation"
TITLE = "group consolidation"
NEEDS_POSTGRES = True
DEFAULT_SIZES = {"companies": 2_000, "accounts": 300, "months": 1}
QUICK_SIZES = {"companies": 50, "accounts": 300, "months": 1}
BUDGET_SECONDS = 200.0
TARGET_RATIO = 5.0
ROUTE = "/api/v1/consolidations"
BASELINE = "SQL SUM of kept balances per account over all companies"
AGGREGATE = (
    "SELECT account_code, SUM(debit) - SUM(credit) FROM account_balance "
    "WHERE entity_id = ANY(%s) AND year = %s AND month <= %s GROUP BY account_code"
)
BOUND = (
    "The aggregate only sums rows. The consolidation also decides the scope and method of every company "
    "from the ownership engine, reads each company's balances, eliminates intercompany pairs and "
    "investments against equity, splits NCI and builds the statements, in Python per company and account."
)


def _baseline(*, url: str, entity_ids: list[str], year: int, month: int) -> tuple[float, int]:
    import psycopg

    best, count = float("inf"), 0
    with psycopg.connect(pg.libpq_url(url)) as conn:
        for _ in range(3):
            started = time.perf_counter()
            rows = conn.execute(AGGREGATE, (entity_ids, year, month)).fetchall()
            best = min(best, time.perf_counter() - started)
            count = len(rows)
    return best, count


def run(ctx: Context) -> list[dict[str, Any]]:
    url = ctx.database_url
    assert url is not None
    pg.migrate(url=url)
    with in_process(url=url) as app_ctx:
        if not has_operation(app_ctx.app, "POST", ROUTE):
            raise NotAvailable(f"no POST {ROUTE} route yet")
        tables = pg.existing_tables(url=url)
        if "account_balance" not in tables:
            raise NotAvailable("no account_balance table yet")
        spec = GroupSpec(
            companies=ctx.sizes["companies"],
            accounts=ctx.sizes["accounts"],
            months=ctx.sizes["months"],
            seed=1,
        )
        group = generate(spec=spec)
        report = load_group(url=url, group=group)
        pg.vacuum_analyze(url=url, tables=sorted(set(report.rows) & tables))
        ctx.log(f"loaded {report.rows} in {report.seconds:.0f} s")
        company_ids = [c.id for c in group.companies]
        baseline, accounts = _baseline(url=url, entity_ids=company_ids, year=spec.year, month=spec.months)
        body = {"parent_id": group.parent.id, "as_of": group.as_of().isoformat()}
        started = time.perf_counter()
        response = app_ctx.client.post(ROUTE, json=body, headers=app_ctx.headers)
        seconds = time.perf_counter() - started
        check_failure(response, url=url, what=f"POST {ROUTE}")
        profile = None
        if ctx.profile:
            _, profile = ctx.profile_call(
                lambda: app_ctx.client.post(ROUTE, json=body, headers=app_ctx.headers), label="consolidation"
            )
    return [
        row(
            scenario=NAME,
            case="POST /consolidations",
            seconds=seconds,
            baseline=BASELINE,
            baseline_seconds=baseline,
            target_ratio=TARGET_RATIO,
            sizes={"companies": spec.companies, "accounts": spec.accounts, "months": spec.months},
            details={"balance_rows": report.rows.get("account_balance"), "accounts_in_aggregate": accounts},
            bound=BOUND,
            profile=profile,
        )
    ]
