"""Export of a million journal lines against PostgreSQL `COPY ... TO` of the same lines.

The books: companies with twelve months of posted entries (lines on every account, intercompany pairs),
loaded by COPY, sized so the journal holds `lines` lines. The feature: `POST /api/v1/exports` for the
journal (the kind is read from the OpenAPI enum: the one naming the journal) in process, followed to the end
when it answers with a job to poll. The baseline: `COPY (SELECT lines joined to their entries) TO STDOUT`
as CSV into a file, best of two.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench import pg
from bench.generator import GROUP_LEVEL_ROLES, GroupSpec, build_chart, generate, load_group
from bench.runner import Context, NotAvailable, row
from bench.support import check_failure, has_operation, in_process, problem_text, request_body_schema

NAME = "export"
TITLE = "journal export"
NEEDS_POSTGRES = True
DEFAULT_SIZES = {"lines": 1_000_000, "accounts": 300, "months": 12}
QUICK_SIZES = {"lines": 20_000, "accounts": 300, "months": 2}
BUDGET_SECONDS = 200.0
TARGET_RATIO = 3.0
ROUTE = "/api/v1/exports"
BASELINE = "COPY (journal lines ⋈ entries) TO STDOUT as CSV"
COPY_SQL = (
    "COPY (SELECT e.entity_id, e.fiscal_year, e.number, e.entry_date, e.description, l.line_no, "
    "l.account_code, l.debit, l.credit, l.counterparty_entity_id, l.currency, l.amount_in_currency, l.rate "
    "FROM journal_line l JOIN journal_entry e ON e.entity_id = l.entity_id AND e.id = l.entry_id "
    "ORDER BY e.entity_id, e.fiscal_year, e.number, l.line_no) TO STDOUT (FORMAT csv, HEADER)"
)
BOUND = (
    "COPY streams rows as text from the server's C code. The export reads the same rows, formats them "
    "through Python objects (Decimal, dates), writes the package files and hashes them for the manifest."
)
_FINAL = {"done", "completed", "complete", "succeeded", "success", "finished", "ready", "failed", "error"}


def _baseline(*, url: str, out: Path) -> float:
    import psycopg

    best = float("inf")
    with psycopg.connect(pg.libpq_url(url)) as conn:
        for _ in range(2):
            started = time.perf_counter()
            with conn.cursor() as cur, cur.copy(COPY_SQL) as copy, out.open("wb") as handle:
                for chunk in copy:
                    handle.write(chunk)
            best = min(best, time.perf_counter() - started)
    return best


def _options(app_ctx: Any, prop: dict[str, Any]) -> list[str]:
    """The allowed values of an enum property, inline or by reference."""
    if "enum" in prop:
        return [str(v) for v in prop["enum"]]
    if "$ref" in prop:
        target = app_ctx.app.openapi()["components"]["schemas"][prop["$ref"].rsplit("/", 1)[-1]]
        return [str(v) for v in target.get("enum", [])]
    for variant in prop.get("anyOf", []):
        found = _options(app_ctx, variant)
        if found:
            return found
    return []


def _export_body(app_ctx: Any) -> dict[str, str]:
    """{kind, format} for a CSV export of the journal, from the route's schema."""
    schema = request_body_schema(app_ctx.app, "POST", ROUTE).get("application/json", {})
    properties = schema.get("properties", {})
    kinds = _options(app_ctx, properties.get("kind", {}))
    formats = _options(app_ctx, properties.get("format", {}))
    kind = next((k for k in kinds if "journal" in k), None)
    if kind is None:
        raise NotAvailable(f"POST {ROUTE} has no journal kind yet (kinds: {kinds})")
    fmt = "csv" if "csv" in formats or not formats else formats[0]
    return {"kind": kind, "format": fmt}


def _export(app_ctx: Any, *, url: str, body: dict[str, Any], deadline: float) -> tuple[Any, int]:
    """POST the export and, when it answers with a job, poll it until it ends; returns the last response and
    the size of what came back."""
    response = app_ctx.client.post(ROUTE, json=body, headers=app_ctx.headers)
    check_failure(response, url=url, what=f"POST {ROUTE}")
    if not response.headers.get("content-type", "").startswith("application/json"):
        return response, len(response.content)
    job = response.json()
    status = str(job.get("status", "")).lower()
    while job.get("id") and status and status not in _FINAL and time.time() < deadline:
        time.sleep(0.2)
        polled = app_ctx.client.get(f"{ROUTE}/{job['id']}", headers=app_ctx.headers)
        if polled.status_code >= 300:
            raise RuntimeError(f"export status failed: {problem_text(polled)}")
        job = polled.json()
        status = str(job.get("status", "")).lower()
    if status in {"failed", "error"}:
        raise RuntimeError(f"export job failed: {job}")
    return response, len(response.content)


def run(ctx: Context) -> list[dict[str, Any]]:
    url = ctx.database_url
    assert url is not None
    pg.migrate(url=url)
    with in_process(url=url) as app_ctx:
        if not has_operation(app_ctx.app, "POST", ROUTE):
            raise NotAvailable(f"no POST {ROUTE} route yet")
        body = _export_body(app_ctx)
        tables = pg.existing_tables(url=url)
        if "journal_line" not in tables:
            raise NotAvailable("no journal_line table yet")
        accounts, months = ctx.sizes["accounts"], ctx.sizes["months"]
        per_entry = len(build_chart(size=accounts)) - len(GROUP_LEVEL_ROLES) + 20
        companies = max(2, round(ctx.sizes["lines"] / (per_entry * months)))
        group = generate(spec=GroupSpec(companies=companies, accounts=accounts, months=months, seed=1))
        report = load_group(url=url, group=group)
        pg.vacuum_analyze(url=url, tables=sorted(set(report.rows) & tables))
        lines = report.rows.get("journal_line", 0)
        ctx.log(f"loaded {report.rows} in {report.seconds:.0f} s")
        with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
            out = Path(tmp) / "journal.csv"
            baseline = _baseline(url=url, out=out)
            copy_mb = round(out.stat().st_size / 1e6, 1)
        started = time.perf_counter()
        response, size = _export(app_ctx, url=url, body=body, deadline=ctx.deadline - 30)
        seconds = time.perf_counter() - started
        profile = None
        if ctx.profile:
            _, profile = ctx.profile_call(
                lambda: _export(app_ctx, url=url, body=body, deadline=ctx.deadline - 10), label="export"
            )
    return [
        row(
            scenario=NAME,
            case=f"POST /exports kind={body['kind']} format={body['format']}",
            seconds=seconds,
            baseline=BASELINE,
            baseline_seconds=baseline,
            target_ratio=TARGET_RATIO,
            sizes={"lines": lines, "companies": companies, "months": months},
            details={"status_code": response.status_code, "response_bytes": size, "copy_csv_mb": copy_mb},
            bound=BOUND,
            profile=profile,
        )
    ]
