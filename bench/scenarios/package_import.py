"""Reporting-package import of a million lines against PostgreSQL COPY of the same file.

The file holds every company's package (its trial balance at the month end: `entity_code, account_code,
debit, credit, counterparty_code`), as a group receives them at a close. The feature path reads the file,
splits it by company and sends each company's package to `POST /api/v1/entities/{id}/trial-balance-imports`
(the CSV upload when the route takes one, else the JSON body of the contract), in process; each import posts
the adjustment entry that brings the books to the package. The baseline COPYs the same file into a bare
table with the same columns. The imports run for at most `seconds` seconds (and stop before the time budget);
when they stop before the end of the file, the time is extrapolated from the lines imported so far (linear:
packages are independent), and the results say so.
"""

from __future__ import annotations

import csv
import itertools
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench import pg
from bench.generator import (
    GROUP_LEVEL_ROLES,
    GroupSpec,
    build_chart,
    generate,
    load_group,
    package_csv_bytes,
    write_packages_csv,
)
from bench.runner import Context, NotAvailable, row
from bench.support import (
    RequestSpec,
    call_inline,
    has_operation,
    in_process,
    problem_text,
    request_body_schema,
)

NAME = "import"
TITLE = "reporting-package import"
NEEDS_POSTGRES = True
DEFAULT_SIZES = {"lines": 1_000_000, "companies": 2_000, "accounts": 300, "seconds": 150}
QUICK_SIZES = {"lines": 20_000, "companies": 40, "accounts": 300, "seconds": 60}
BUDGET_SECONDS = 280.0
TARGET_RATIO = 3.0
ROUTE = "/api/v1/entities/{}/trial-balance-imports"
BASELINE = "COPY FROM of the same CSV into a bare table"
BOUND = (
    "COPY parses the file and writes rows in C inside the server, with no rule checked. The import validates "
    "every line (account known, amounts exact, package balanced, counterparty known), reads the company's "
    "current balances, computes the adjustment and posts it as a journal entry with its lines, kept "
    "balances and audit event, all in Python objects per line. The profile shows the share of each step."
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
            with (
                conn.cursor() as cur,
                cur.copy("COPY bench_package_line FROM STDIN (FORMAT csv, HEADER)") as copy,
                path.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
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


def run(ctx: Context) -> list[dict[str, Any]]:
    url = ctx.database_url
    assert url is not None
    pg.migrate(url=url)
    companies = ctx.sizes["companies"]
    with in_process(url=url) as app_ctx:
        if not has_operation(app_ctx.app, "POST", ROUTE):
            raise NotAvailable(f"no POST {ROUTE.replace('{}', '{id}')} route yet")
        group = generate(spec=_spec(ctx, seed=1))
        load_group(url=url, group=group, parts=("entities", "stakes", "accounts"))
        pg.vacuum_analyze(url=url, tables=["legal_entity", "account"])
        id_of = {e.code: e.id for e in group.entities}
        as_of = group.as_of().isoformat()
        with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
            path = Path(tmp) / "packages.csv"
            total_lines = write_packages_csv(group=group, path=path)
            file_mb = round(path.stat().st_size / 1e6, 1)
            ctx.log(f"{total_lines:,} package lines in {path.stat().st_size / 1e6:.0f} MB; COPY baseline")
            baseline = _copy_baseline(url=url, path=path)
            make_request, mode = _request_maker(app_ctx.app, as_of=as_of)
            ctx.log(f"importing by {mode}")
            imported_lines = imported_packages = 0
            reserve = 75.0 if ctx.profile else 15.0
            started = time.perf_counter()
            stopped_early = False
            for code, rows in _packages(path):
                method, url, options = make_request(id_of[code], rows)
                response = app_ctx.client.request(method, url, headers=app_ctx.headers, **options)
                if response.status_code >= 300:
                    raise RuntimeError(f"import of {code} failed: {problem_text(response)}")
                imported_lines += len(rows)
                imported_packages += 1
                out_of_time = (
                    ctx.remaining() < reserve or time.perf_counter() - started > ctx.sizes["seconds"]
                )
                if out_of_time and imported_lines < total_lines:
                    stopped_early = True
                    break
            elapsed = time.perf_counter() - started
            seconds = elapsed * total_lines / imported_lines
            profile = None
            if ctx.profile:
                _, profile = ctx.profile_call(
                    lambda: _profile_run(app_ctx, id_of=id_of, as_of=as_of, ctx=ctx), label="import"
                )
    details: dict[str, Any] = {
        "mode": mode,
        "packages": imported_packages,
        "lines_imported": imported_lines,
        "lines_per_second": round(imported_lines / elapsed),
        "file_mb": file_mb,
    }
    if stopped_early:
        details["extrapolated"] = (
            f"stopped after {imported_lines:,} of {total_lines:,} lines ({elapsed:.0f} s) to stay in the "
            "time budget; seconds are extrapolated linearly"
        )
    return [
        row(
            scenario=NAME,
            case="import packages",
            seconds=seconds,
            baseline=BASELINE,
            baseline_seconds=baseline,
            target_ratio=TARGET_RATIO,
            sizes={"lines": total_lines, "companies": companies},
            details=details,
            bound=BOUND,
            profile=profile,
        )
    ]


def _profile_run(app_ctx: Any, *, id_of: dict[str, str], as_of: str, ctx: Context) -> None:
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
        requests = [make_request(id_of[code], rows) for code, rows in itertools.islice(_packages(path), 20)]
    call_inline(app_ctx.app, requests, headers=app_ctx.headers)
