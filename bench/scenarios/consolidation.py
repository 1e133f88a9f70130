"""Consolidation of a large group against the bare SQL aggregate of the same balances.

The group: `companies` companies in the layered structure, a chart of `accounts` accounts, `months` months of
posted books with intercompany pairs (journal entries, lines and the kept monthly balances), loaded by COPY,
and the business combination of every subsidiary the ownership endpoint reports (a run refuses a subsidiary
without one): its member holder with the largest direct stake acquired it the day control began, for its
share of a given paid-in capital plus some goodwill, inserted directly (recording 2,000 of them through the
endpoint would measure the ownership engine 4,000 times, not the consolidation).
The feature: `POST /api/v1/consolidations {parent_id, as_of}` in process (the whole run: scope, methods,
translation, eliminations, statements). The baseline: one SQL statement summing every company's kept
balances per account up to `as_of` (what any consolidation must at least read), best of three.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bench import pg
from bench.generator import GroupSpec, IdMaker, SyntheticGroup, generate, load_group
from bench.runner import Context, NotAvailable, row
from bench.scenarios import consolidation_floor
from bench.support import call_inline, check_failure, has_operation, in_process

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
    "The aggregate only sums 630,000 rows inside PostgreSQL into 295 totals. The run pools the companies' "
    "plain balances (no counterparty, asset, liability, this year's income and expense) in SQL: per account "
    "over the companies and per company by account type (app.consolidation.domain.pooling); the engine gets "
    "each company's equity and intercompany balances only (about a tenth of the rows). The SQL-alone floor "
    "rows of this run bound any implementation on this schema: the least read (the aggregate, per-company "
    "totals by account type and the intercompany balances) and writing the two sealed documents the issue "
    "asks for (the inputs and the result with its elimination journal line by line, about 30 MB) add up to "
    "more than 5x before any Python runs. Above them: the exact engine over 20k intercompany pairs and 1,749 "
    "subsidiaries' NCI in fractions (about half the run), the three reads of the pool, and encoding the "
    "documents. Within 5x needs per-company summaries kept at posting (so a run reads thousands of rows, "
    "not the balances), an engine on scaled integers, and a smaller stored journal."
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


#: Each subsidiary's paid-in capital at acquisition (given) and the goodwill over the acquirer's share of it.
CAPITAL = Decimal("10000000.00")
GOODWILL = Decimal("250000.00")
_ACQUISITION_COLUMNS = (
    "id, acquirer_id, acquiree_id, acquired_on, share, voting_share, consideration, combination, "
    "nci_measurement, previously_held_fair_value, deferred_tax_rate, equity_source, currency, net_assets, "
    "goodwill, bargain_purchase_gain, capital_reserve_adjustment, nci_at_acquisition, "
    "goodwill_attributable_to_nci, acquirer_interest, created_at, created_by"
)


def _record_acquisitions(*, url: str, group: SyntheticGroup, ownership: dict[str, Any]) -> int:
    """One combination per subsidiary of the ownership answer (module docstring); returns how many."""
    import psycopg

    lines = {line["entity_id"]: line for line in ownership["entities"]}
    members = {group.parent.id} | {e for e, line in lines.items() if line["method"] == "subsidiary"}
    holders: dict[str, tuple[Decimal, str]] = {}
    for stake in group.stakes:
        if (
            stake.holder_id in members
            and stake.investee_id in members
            and stake.investee_id != group.parent.id
        ):
            best = holders.get(stake.investee_id)
            if best is None or stake.share > best[0]:
                holders[stake.investee_id] = (stake.share, stake.holder_id)
    ids = IdMaker(seed=group.spec.seed + 1)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows, equity = [], []
    for acquiree in sorted(e for e in members if e != group.parent.id):
        share, acquirer = holders[acquiree]
        line = lines[acquiree]
        acquired_on = line["control_since"] or group.companies[0].established_on.isoformat()
        consideration = (CAPITAL * share).quantize(Decimal("0.01")) + GOODWILL
        nci = Decimal(line["nci_share"])
        acquisition_id = ids()
        rows.append(
            (
                acquisition_id, acquirer, acquiree, acquired_on, share, share, consideration,
                "not_under_common_control", "proportionate", 0, 0, "given", "CNY", CAPITAL, GOODWILL, 0, 0,
                (CAPITAL * nci).quantize(Decimal("0.0001")), 0, Decimal(line["interest_share"]), now, "bench",
            )
        )  # fmt: skip
        equity.append((acquisition_id, "4001", CAPITAL))
    with psycopg.connect(pg.libpq_url(url)) as conn, conn.cursor() as cur:
        marks = ", ".join(["%s"] * len(_ACQUISITION_COLUMNS.split(",")))
        cur.executemany(f"INSERT INTO acquisition ({_ACQUISITION_COLUMNS}) VALUES ({marks})", rows)
        cur.executemany(
            "INSERT INTO acquisition_equity (acquisition_id, account_code, amount) VALUES (%s, %s, %s)",
            equity,
        )
        conn.commit()
    return len(rows)


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
        ownership = app_ctx.client.get(
            "/api/v1/ownership",
            params={"parent_id": group.parent.id, "as_of": group.as_of().isoformat()},
            headers=app_ctx.headers,
        )
        check_failure(ownership, url=url, what="GET /api/v1/ownership")
        acquisitions = _record_acquisitions(url=url, group=group, ownership=ownership.json())
        ctx.log(f"recorded {acquisitions} acquisitions")
        company_ids = [c.id for c in group.companies]
        baseline, accounts = _baseline(url=url, entity_ids=company_ids, year=spec.year, month=spec.months)
        floors = consolidation_floor.measure(
            url=url, aggregate=AGGREGATE, entity_ids=company_ids, year=spec.year, month=spec.months
        )
        body = {"parent_id": group.parent.id, "as_of": group.as_of().isoformat()}
        started = time.perf_counter()
        response = app_ctx.client.post(ROUTE, json=body, headers=app_ctx.headers)
        seconds = time.perf_counter() - started
        check_failure(response, url=url, what=f"POST {ROUTE}")
        written, document_bytes = consolidation_floor.written(url=url, run_id=response.json()["id"])
        profile = None
        if ctx.profile:
            # Inline (no thread pool), so the profile shows the route's own work, not a waiting lock.
            _, profile = ctx.profile_call(
                lambda: call_inline(app_ctx.app, [("POST", ROUTE, {"json": body})], headers=app_ctx.headers),
                label="consolidation",
            )
    sizes = {"companies": spec.companies, "accounts": spec.accounts, "months": spec.months}
    return [
        row(
            scenario=NAME,
            case="POST /consolidations",
            seconds=seconds,
            baseline=BASELINE,
            baseline_seconds=baseline,
            target_ratio=TARGET_RATIO,
            sizes=sizes,
            details={"balance_rows": report.rows.get("account_balance"), "accounts_in_aggregate": accounts},
            bound=BOUND,
            profile=profile,
        ),
        *(
            row(
                scenario=NAME,
                case=case,
                seconds=floor_seconds,
                baseline=BASELINE,
                baseline_seconds=baseline,
                target_ratio=None,
                sizes=sizes,
                details=details,
                bound=consolidation_floor.__doc__,
            )
            for case, floor_seconds, details in [
                *((case, floor_seconds, {}) for case, floor_seconds in floors),
                (consolidation_floor.WRITTEN, written, {"document_bytes": document_bytes}),
            ]
        ),
    ]
