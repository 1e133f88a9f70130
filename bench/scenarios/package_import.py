"""Reporting-package import of a million lines against PostgreSQL COPY of the same file, and the trial-balance
read of the companies it brought to their packages against the bare SQL of the same balances.

The file holds every company's package (its trial balance at the month end: `entity_code, account_code,
debit, credit, counterparty_code`), as a group receives them at a close. The feature path reads the file and
sends it to the group import `POST /api/v1/trial-balance-imports` (the whole close, in requests of whole
companies under the body-size limit) when the app has it, else each company's package to the contract route
`POST /api/v1/entities/{id}/trial-balance-imports` (the CSV upload when the route takes one, else the JSON
body of the contract), in process; each import posts the adjustment entries that bring the books to the
packages. The baseline COPYs the same file into a bare table with the same columns. The imports run for at
most `seconds` seconds (and stop before the time budget); when they stop before the end of the file, the
time is extrapolated from the lines imported so far (linear: packages are independent), and the results
say so. With the group route, the contract route is measured as well, on other amounts of the same
companies (so each of its imports posts a full adjustment), for at most `route_seconds` seconds.

Then the trial balance of every company (`GET /api/v1/entities/{id}/trial-balance`, 2,000 companies x 300
accounts by default) is read through the API, against one bare SQL aggregate of the same kept balances.
"""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench import pg
from bench.generator import (
    GROUP_LEVEL_ROLES,
    PACKAGE_COLUMNS,
    GroupSpec,
    build_chart,
    generate,
    load_group,
    package_csv_bytes,
    write_packages_csv,
)
from bench.runner import Context, NotAvailable, row
from bench.scenarios import import_floor
from bench.support import (
    RequestSpec,
    call_inline,
    has_operation,
    in_process,
    problem_text,
    request_body_schema,
)

GROUP_BOUND = (
    "COPY parses the file and writes rows in C into a bare table: no index, no foreign key, no rule. The "
    "group import (the whole close, 100,000 lines per request) writes each line as a row of two indexed "
    "tables with foreign keys (journal_line by COPY: three indexes and three foreign-key checks per row; "
    "account_balance, a package line being one kept-balance key, by COPY into a temporary table and one "
    "upsert: primary key and two foreign keys per row); the rest is Python per line (the cyclic collector "
    "paused while it runs), each step already one pass: parsing and validating every cell (Decimal, "
    "account, counterparty, duplicates, balance), checking each adjustment as a journal entry "
    "(check_entry), the hash-chained audit event of every entry with every line, and the rows for COPY. "
    "The floor rows measure PostgreSQL alone writing the same rows, made beforehand and COPYed in, with no "
    "application code: into the books' tables that floor is most of the import's time and many times the "
    "target; without the foreign-key checks it is still several times the target, and so is a COPY into "
    "tables with only their primary keys. No implementation that posts each package line as a journal line "
    "and keeps each key's balance, as the issue asks, can come within 3x of a COPY into a bare table: the "
    "target is below the floor of any schema that keys its lines and balances."
)

NAME = "import"
TITLE = "reporting-package import"
NEEDS_POSTGRES = True
DEFAULT_SIZES = {
    "lines": 1_000_000,
    "companies": 2_000,
    "accounts": 300,
    "seconds": 150,
    "route_seconds": 30,
    "read_seconds": 40,
}
QUICK_SIZES = {
    "lines": 20_000,
    "companies": 40,
    "accounts": 300,
    "seconds": 60,
    "route_seconds": 20,
    "read_seconds": 20,
}
BUDGET_SECONDS = 420.0
TARGET_RATIO = 3.0
ROUTE = "/api/v1/entities/{}/trial-balance-imports"
GROUP_ROUTE = "/api/v1/trial-balance-imports"
TRIAL_BALANCE_ROUTE = "/api/v1/entities/{}/trial-balance"
#: lines per group-import request: whole companies, well under the default 10 MB body limit
GROUP_REQUEST_LINES = 100_000
BASELINE = "COPY FROM of the same CSV into a bare table"
READ_BASELINE = "one bare SQL aggregate of the same kept balances (psycopg, all rows fetched)"
READ_BOUND = (
    "Per company the API authenticates, opens a session, reads the chart and the company's kept months, "
    "nets them into trial-balance lines as Python objects and validates and serialises the response model; "
    "the baseline is one aggregate over the same rows with no per-company request. The trial-balance read "
    "itself is app/ledger/report_service.py (see its profile in the http scenario)."
)
BOUND = (
    "COPY parses the file and writes rows in C inside the server, with no rule checked. Each company's "
    "import is one HTTP request (token, user, session, audit-chain lock, chart and entity reads, and a "
    "response with every line of the entry, validated and serialised) around the same work as the group "
    "import: every line validated, the current balances read, the adjustment checked as a journal entry and "
    "audited with every line, lines written by COPY and kept balances by one upsert per key. The profile "
    "shows the share of each step."
)


def _packages(path: Path) -> Iterator[tuple[str, list[list[str]]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for code, rows in itertools.groupby(reader, key=lambda r: r[0]):
            yield code, list(rows)


def _copy_baseline(*, url: str, path: Path) -> float:
    import psycopg

    with psycopg.connect(pg.libpq_url(url), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_package_line (entity_code text, account_code text, debit numeric(24,4), "
            "credit numeric(24,4), counterparty_code text)"
        )
        best = float("inf")
        for _ in range(2):
            conn.execute("TRUNCATE bench_package_line")
            started = time.perf_counter()
            pg.copy_csv_file(conn, table="bench_package_line", path=path)
            best = min(best, time.perf_counter() - started)
        conn.execute("DROP TABLE bench_package_line")
    return best


def _request_maker(app: Any, *, as_of: str) -> tuple[Callable[[str, list[list[str]]], RequestSpec], str]:
    """How to send one company's package: a CSV upload when the route takes one, else the JSON body."""
    multipart = request_body_schema(app, "POST", ROUTE).get("multipart/form-data") or {}
    properties = multipart.get("properties", {})
    file_field = next((name for name, prop in properties.items() if prop.get("format") == "binary"), None)

    def csv_upload(entity_id: str, rows: list[list[str]]) -> RequestSpec:
        data = {"as_of": as_of} if "as_of" in properties else {}
        files = {file_field: ("package.csv", package_csv_bytes(rows=rows), "text/csv")}
        url = ROUTE.replace("{}", entity_id) + ("" if data else f"?as_of={as_of}")
        return "POST", url, {"data": data, "files": files}

    def json_body(entity_id: str, rows: list[list[str]]) -> RequestSpec:
        lines = [
            {
                "account_code": r[1],
                "debit": r[2],
                "credit": r[3],
                **({"counterparty_code": r[4]} if r[4] else {}),
            }
            for r in rows
        ]
        return "POST", ROUTE.replace("{}", entity_id), {"json": {"as_of": as_of, "lines": lines}}

    return (csv_upload, "csv upload") if file_field else (json_body, "json body")


def _spec(ctx: Context, *, seed: int) -> GroupSpec:
    """Companies with one month of books whose packages hold `lines` lines in all: every posting account
    and, for the rest, intercompany lines (one per counterparty and account)."""
    companies, accounts = ctx.sizes["companies"], ctx.sizes["accounts"]
    per_company = max(1, ctx.sizes["lines"] // companies)
    posting = len(build_chart(size=accounts)) - len(GROUP_LEVEL_ROLES)
    return GroupSpec(
        companies=companies,
        accounts=accounts,
        months=1,
        intercompany_lines=max(0, per_company - posting),
        seed=seed,
    )


def _group_request(*, as_of: str, rows: list[list[str]]) -> RequestSpec:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PACKAGE_COLUMNS)
    writer.writerows(rows)
    files = {"file": ("close.csv", out.getvalue().encode("utf-8"), "text/csv")}
    return "POST", GROUP_ROUTE, {"data": {"as_of": as_of}, "files": files}


def _group_chunks(path: Path) -> Iterator[list[list[str]]]:
    """Whole companies, about GROUP_REQUEST_LINES lines per request."""
    chunk: list[list[str]] = []
    for _code, rows in _packages(path):
        chunk.extend(rows)
        if len(chunk) >= GROUP_REQUEST_LINES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class _Timed:
    lines: int = 0
    packages: int = 0
    elapsed: float = 0.0
    stopped_early: bool = False


def _send(app_ctx: Any, request: RequestSpec, *, what: str) -> Any:
    method, url, options = request
    response = app_ctx.client.request(method, url, headers=app_ctx.headers, **options)
    if response.status_code >= 300:
        raise RuntimeError(f"{what} failed: {problem_text(response)}")
    return response


def _import_by_group(
    app_ctx: Any, *, path: Path, as_of: str, limit: float, ctx: Context, reserve: float
) -> _Timed:
    timed = _Timed()
    started = time.perf_counter()
    for chunk in _group_chunks(path):
        response = _send(app_ctx, _group_request(as_of=as_of, rows=chunk), what="group import")
        timed.lines += len(chunk)
        timed.packages += int(response.json()["companies"])
        if ctx.remaining() < reserve or time.perf_counter() - started > limit:
            timed.stopped_early = True
            break
    timed.elapsed = time.perf_counter() - started
    return timed


def _import_by_company(
    app_ctx: Any, *, path: Path, id_of: dict[str, str], as_of: str, limit: float, ctx: Context, reserve: float
) -> tuple[_Timed, str]:
    make_request, mode = _request_maker(app_ctx.app, as_of=as_of)
    timed = _Timed()
    started = time.perf_counter()
    for code, rows in _packages(path):
        _send(app_ctx, make_request(id_of[code], rows), what=f"import of {code}")
        timed.lines += len(rows)
        timed.packages += 1
        if ctx.remaining() < reserve or time.perf_counter() - started > limit:
            timed.stopped_early = True
            break
    timed.elapsed = time.perf_counter() - started
    return timed, mode


def _import_row(
    *,
    case: str,
    timed: _Timed,
    total_lines: int,
    baseline: float,
    companies: int,
    mode: str,
    file_mb: float,
    bound: str,
    profile: dict[str, Any] | None,
) -> dict[str, Any]:
    complete = timed.lines >= total_lines
    seconds = timed.elapsed * total_lines / timed.lines
    details: dict[str, Any] = {
        "mode": mode,
        "packages": timed.packages,
        "lines_imported": timed.lines,
        "lines_per_second": round(timed.lines / timed.elapsed),
        "file_mb": file_mb,
    }
    if not complete:
        details["extrapolated"] = (
            f"stopped after {timed.lines:,} of {total_lines:,} lines ({timed.elapsed:.0f} s) to stay in the "
            "time budget; seconds are extrapolated linearly"
        )
    return row(
        scenario=NAME,
        case=case,
        seconds=seconds,
        baseline=BASELINE,
        baseline_seconds=baseline,
        target_ratio=TARGET_RATIO,
        sizes={"lines": total_lines, "companies": companies},
        details=details,
        bound=bound,
        profile=profile,
    )


def _floor_rows(
    *, url: str, path: Path, as_of: date, baseline: float, companies: int
) -> list[dict[str, Any]]:
    """The import's floor on this schema, without the foreign-key checks (skipped when the bench's user may
    not set session_replication_role) and into tables with only their primary keys."""
    import psycopg

    rows = []
    for variant, case in import_floor.CASES.items():
        try:
            seconds, lines = import_floor.measure(url=url, path=path, as_of=as_of, variant=variant)
        except psycopg.errors.InsufficientPrivilege:
            continue
        rows.append(
            row(
                scenario=NAME,
                case=case,
                seconds=seconds,
                baseline=BASELINE,
                baseline_seconds=baseline,
                target_ratio=None,
                sizes={"lines": lines, "companies": companies},
                details={"journal_lines_written": lines, "tables": variant, "rolled_back": True},
                bound=import_floor.__doc__,
            )
        )
    return rows


def _sql_read_baseline(*, url: str, as_of: date) -> tuple[float, int]:
    """The kept balances every trial balance on `as_of` reads, summed per (entity, account, counterparty,
    year) in one statement, every row fetched; the best of two."""
    import psycopg

    query = (
        "SELECT entity_id, account_code, counterparty_key, year, sum(debit), sum(credit) "
        "FROM account_balance WHERE year < %(y)s OR (year = %(y)s AND month <= %(m)s) "
        "GROUP BY entity_id, account_code, counterparty_key, year"
    )
    best, rows = float("inf"), 0
    with psycopg.connect(pg.libpq_url(url)) as conn:
        for _ in range(2):
            started = time.perf_counter()
            rows = len(conn.execute(query, {"y": as_of.year, "m": as_of.month}).fetchall())
            best = min(best, time.perf_counter() - started)
    return best, rows


def _read_trial_balances(
    app_ctx: Any, *, url: str, entity_ids: list[str], as_of: date, ctx: Context
) -> dict[str, Any]:
    baseline, balance_rows = _sql_read_baseline(url=url, as_of=as_of)
    read = lines = 0
    started = time.perf_counter()
    for entity_id in entity_ids:
        response = _send(
            app_ctx,
            ("GET", TRIAL_BALANCE_ROUTE.replace("{}", entity_id), {"params": {"as_of": as_of.isoformat()}}),
            what="trial balance",
        )
        lines += len(response.json()["lines"])
        read += 1
        if ctx.remaining() < 10 or time.perf_counter() - started > ctx.sizes["read_seconds"]:
            break
    elapsed = time.perf_counter() - started
    details: dict[str, Any] = {
        "companies_read": read,
        "trial_balance_lines": lines,
        "kept_balance_rows": balance_rows,
        "reads_per_second": round(read / elapsed, 1),
    }
    if read < len(entity_ids):
        details["extrapolated"] = (
            f"read {read:,} of {len(entity_ids):,} companies ({elapsed:.0f} s) to stay in the time budget; "
            "seconds are extrapolated linearly"
        )
    return row(
        scenario=NAME,
        case="trial balances of every company",
        seconds=elapsed * len(entity_ids) / read,
        baseline=READ_BASELINE,
        baseline_seconds=baseline,
        target_ratio=None,
        sizes={"companies": len(entity_ids), "accounts": ctx.sizes["accounts"]},
        details=details,
        bound=READ_BOUND,
    )


def run(ctx: Context) -> list[dict[str, Any]]:
    url = ctx.database_url
    assert url is not None
    pg.migrate(url=url)
    companies = ctx.sizes["companies"]
    results: list[dict[str, Any]] = []
    with in_process(url=url) as app_ctx:
        if not has_operation(app_ctx.app, "POST", ROUTE):
            raise NotAvailable(f"no POST {ROUTE.replace('{}', '{id}')} route yet")
        group_route = has_operation(app_ctx.app, "POST", GROUP_ROUTE)
        group = generate(spec=_spec(ctx, seed=1))
        load_group(url=url, group=group, parts=("entities", "stakes", "accounts"))
        pg.vacuum_analyze(url=url, tables=["legal_entity", "account"])
        id_of = {e.code: e.id for e in group.entities}
        as_of_day = group.as_of()
        as_of = as_of_day.isoformat()
        reserve = 75.0 if ctx.profile else 15.0
        with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
            path = Path(tmp) / "packages.csv"
            total_lines = write_packages_csv(group=group, path=path)
            file_mb = round(path.stat().st_size / 1e6, 1)
            ctx.log(f"{total_lines:,} package lines in {path.stat().st_size / 1e6:.0f} MB; COPY baseline")
            baseline = _copy_baseline(url=url, path=path)
            ctx.log("the floor: PostgreSQL alone writing the import's rows, rolled back")
            results.extend(
                _floor_rows(url=url, path=path, as_of=as_of_day, baseline=baseline, companies=companies)
            )
            if group_route:
                ctx.log("importing by the group route")
                timed = _import_by_group(
                    app_ctx, path=path, as_of=as_of, limit=ctx.sizes["seconds"], ctx=ctx, reserve=reserve + 60
                )
                mode = f"group file, {GROUP_REQUEST_LINES:,} lines per request"
                bound = GROUP_BOUND
            else:
                ctx.log("importing by the per-company route")
                timed, mode = _import_by_company(
                    app_ctx,
                    path=path,
                    id_of=id_of,
                    as_of=as_of,
                    limit=ctx.sizes["seconds"],
                    ctx=ctx,
                    reserve=reserve,
                )
                bound = BOUND
            profile = None
            if ctx.profile:
                _, profile = ctx.profile_call(
                    lambda: _profile_run(app_ctx, id_of=id_of, as_of=as_of, ctx=ctx, group_route=group_route),
                    label="import",
                )
            results.append(
                _import_row(
                    case="import packages",
                    timed=timed,
                    total_lines=total_lines,
                    baseline=baseline,
                    companies=companies,
                    mode=mode,
                    file_mb=file_mb,
                    bound=bound,
                    profile=profile,
                )
            )
            if group_route and ctx.remaining() > reserve + 30:
                other = generate(spec=_spec(ctx, seed=3))
                other_path = Path(tmp) / "packages-3.csv"
                write_packages_csv(group=other, path=other_path)
                ctx.log("importing other amounts by the per-company route")
                by_company, route_mode = _import_by_company(
                    app_ctx,
                    path=other_path,
                    id_of=id_of,
                    as_of=as_of,
                    limit=ctx.sizes["route_seconds"],
                    ctx=ctx,
                    reserve=reserve,
                )
                results.append(
                    _import_row(
                        case="import packages, one request per company",
                        timed=by_company,
                        total_lines=total_lines,
                        baseline=baseline,
                        companies=companies,
                        mode=f"{route_mode} to the contract route (other amounts: every line posts)",
                        file_mb=file_mb,
                        bound=BOUND,
                        profile=None,
                    )
                )
        if timed.stopped_early:
            ctx.log("the import stopped early: the trial balances are read of what it imported")
        if ctx.remaining() > 20:
            ctx.log("reading every company's trial balance")
            company_ids = [e.id for e in group.entities if e.kind == "company"]
            results.append(
                _read_trial_balances(app_ctx, url=url, entity_ids=company_ids, as_of=as_of_day, ctx=ctx)
            )
    return results


def _profile_run(app_ctx: Any, *, id_of: dict[str, str], as_of: str, ctx: Context, group_route: bool) -> None:
    """Re-import the packages of the first companies with other amounts (seed 2), so every line changes and
    each import posts a full adjustment as in the timed run; in this thread, so the profile sees it all."""
    timed = _spec(ctx, seed=1)
    other = generate(
        spec=GroupSpec(
            companies=min(40, timed.companies),
            accounts=timed.accounts,
            months=1,
            intercompany_lines=timed.intercompany_lines,
            seed=2,
        )
    )
    make_request, _ = _request_maker(app_ctx.app, as_of=as_of)
    with tempfile.TemporaryDirectory(prefix="bench-import-profile-") as tmp:
        path = Path(tmp) / "packages.csv"
        write_packages_csv(group=other, path=path)
        if group_route:
            rows = [r for _code, package in itertools.islice(_packages(path), 40) for r in package]
            requests = [_group_request(as_of=as_of, rows=rows)]
        else:
            requests = [
                make_request(id_of[code], rows) for code, rows in itertools.islice(_packages(path), 20)
            ]
    call_inline(app_ctx.app, requests, headers=app_ctx.headers)
