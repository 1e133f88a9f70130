"""The journal export of `rows` lines from PostgreSQL: time against COPY of the same rows, and peak memory.

The books come from `bench.generator` (companies, the group chart, twelve months of entries), loaded by COPY
into a fresh database and analyzed. In the same run:

- baseline: `COPY (journal lines joined to their entries, ordered) TO STDOUT` as CSV into a file, best of 2;
- export: the journal export as the service runs it (one job, inline: the package of CSV, manifest and
  SHA256SUMS), best of 2, with the peak growth of this process's resident memory while it runs (the peak is
  reset through /proc/self/clear_refs before each run, so the loading does not count);
- checks: the package's SHA256SUMS hold, the manifest counts every line, and its control totals equal the
  database's sums of debits and credits.

Run by the benchmark runner (`python -m bench --only export`); its row says the ratio, the peak memory
growth against its 200 MB bound, and whether the checks held.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench import pg
from bench.runner import Context, NotAvailable, row

NAME = "export"
TITLE = "journal export"
NEEDS_POSTGRES = True
DEFAULT_SIZES = {"lines": 1_000_000, "months": 12}
QUICK_SIZES = {"lines": 20_000, "months": 2}
BUDGET_SECONDS = 300.0
TARGET_RATIO = 3.0
BASELINE = "COPY (journal lines ⋈ entries) TO STDOUT as CSV"
BOUND = (
    "COPY streams rows as text from the server's C code. The export reads the same rows in a snapshot, "
    "formats them through Python (Decimal, dates, the csv writer), writes the package's files and hashes "
    "them for the manifest and SHA256SUMS; the profile shows the split."
)
TARGET_MEMORY_MB = 200.0
COPY_SQL = (
    "COPY (SELECT e.entity_id, e.fiscal_year, e.number, e.entry_date, e.description, l.line_no, "
    "l.account_code, l.debit, l.credit, l.counterparty_entity_id, l.currency, l.amount_in_currency, l.rate "
    "FROM journal_line l JOIN journal_entry e ON e.entity_id = l.entity_id AND e.id = l.entry_id "
    "ORDER BY e.entity_id, e.fiscal_year, e.number, l.line_no) TO STDOUT (FORMAT csv, HEADER)"
)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _copy_seconds(url: str, out: Path) -> float:
    import psycopg

    from bench import pg

    with psycopg.connect(pg.libpq_url(url)) as conn:
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(COPY_SQL) as copy, out.open("wb") as handle:
            for chunk in copy:
                handle.write(chunk)
        return time.perf_counter() - started


def _load(url: str, rows: int, months: int) -> tuple[int, int]:
    from bench import pg
    from bench.generator import GROUP_LEVEL_ROLES, GroupSpec, build_chart, generate, load_group

    accounts = 300
    per_entry = len(build_chart(size=accounts)) - len(GROUP_LEVEL_ROLES) + 20
    companies = max(2, round(rows / (per_entry * months)))
    group = generate(spec=GroupSpec(companies=companies, accounts=accounts, months=months, seed=1))
    report = load_group(url=url, group=group, parts=("entities", "accounts", "journal"))
    tables = pg.existing_tables(url=url)
    pg.vacuum_analyze(url=url, tables=sorted(set(report.rows) & tables))
    return report.rows.get("journal_line", 0), companies


def _export(url: str, directory: Path) -> tuple[float, float, dict[str, Any], bytes]:
    """(seconds, peak memory growth in MB, the job's figures, the package) of one journal export."""
    from app.core.config import Settings
    from app.core.context import Actor
    from app.core.db import make_engine, make_session_factory
    from app.exports import job_runner, service
    from app.exports.config import ExportSettings
    from app.exports.jobs import ExportRunner
    from app.exports.models import ExportJob
    from bench.pg import BENCH_SECRET

    settings = Settings(env="production", database_url=url, secret_key=BENCH_SECRET)
    engine = make_engine(url, settings=settings)
    factory = make_session_factory(engine)
    runner = ExportRunner(
        write_factory=factory,
        read_factory=factory,
        settings=settings,
        exports=ExportSettings(directory=directory, worker="inline"),
    )
    try:
        with factory() as session:
            job = service.create_job(
                session,
                actor=Actor(user_id=None, username="bench-auditor", role="auditor"),
                request=service.ExportRequest(kind="journal", format="csv"),
                now=_now(),
                presentation_currency=settings.presentation_currency,
            )
        before = _status_kb("VmRSS")
        _reset_peak()
        started = time.perf_counter()
        job_runner.run_job(job_id=job.id, options=runner.options())
        seconds = time.perf_counter() - started
        growth_mb = (_status_kb("VmHWM") - before) / 1024
        with factory() as session:
            done = session.get(ExportJob, job.id)
            assert done is not None
            if done.status != "done":
                raise RuntimeError(f"export failed: {done.error}")
            figures = {"rows": done.progress_rows, "bytes": done.package_bytes, "sha256": done.package_sha256}
            raw = (directory / str(done.package_name)).read_bytes()
        return seconds, growth_mb, figures, raw
    finally:
        runner.shutdown()
        engine.dispose()


def _now() -> Any:
    from app.core.clock import utcnow

    return utcnow()


def _check(url: str, raw: bytes) -> dict[str, Any]:
    """The package against itself (SHA256SUMS) and against the database (rows, debit and credit sums)."""
    from sqlalchemy import create_engine, text

    archive = zipfile.ZipFile(io.BytesIO(raw))
    sums = archive.read("SHA256SUMS").decode("ascii").splitlines()
    bad = [
        name
        for sha, name in (line.split("  ", 1) for line in sums)
        if hashlib.sha256(archive.read(name)).hexdigest() != sha
    ]
    manifest = json.loads(archive.read("manifest.json"))
    entry = next(f for f in manifest["files"] if f["name"] == "journal_lines.csv")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            lines, debit, credit = conn.execute(
                text("SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) FROM journal_line")
            ).one()
    finally:
        engine.dispose()
    return {
        "sha256sums_ok": not bad,
        "manifest_rows_ok": entry["rows"] == lines,
        "control_totals_ok": Decimal(entry["control_totals"]["debit"]) == Decimal(debit)
        and Decimal(entry["control_totals"]["credit"]) == Decimal(credit),
    }


def run(ctx: Context) -> list[dict[str, Any]]:
    url = ctx.database_url
    assert url is not None
    pg.migrate(url=url)
    if "export_job" not in pg.existing_tables(url=url):
        raise NotAvailable("no export_job table yet")
    lines, companies = _load(url, ctx.sizes["lines"], months=ctx.sizes["months"])
    ctx.log(f"loaded {lines} journal lines of {companies} companies")
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = Path(tmp)
        baseline = min(_copy_seconds(url, folder / "copy.csv") for _ in range(2))
        copy_mb = (folder / "copy.csv").stat().st_size / 1e6
        (folder / "copy.csv").unlink()
        runs = [_export(url, folder / f"run{n}") for n in range(2)]
        profile = None
        if ctx.profile:
            _, profile = ctx.profile_call(lambda: _export(url, folder / "profiled"), label="export")
    seconds = min(r[0] for r in runs)
    growth = max(r[1] for r in runs)
    figures, raw = runs[0][2], runs[0][3]
    checks = _check(url, raw)
    checks["deterministic"] = runs[0][3] == runs[1][3]
    if not all(checks.values()):
        raise RuntimeError(f"the export's checks failed: {checks}")
    return [
        row(
            scenario=NAME,
            case="journal export (CSV package, as an auditor)",
            seconds=seconds,
            baseline=BASELINE,
            baseline_seconds=baseline,
            target_ratio=TARGET_RATIO,
            sizes={"lines": lines, "companies": companies, "months": ctx.sizes["months"]},
            details={
                "peak_memory_growth_mb": round(growth, 1),
                "memory_bound_mb": TARGET_MEMORY_MB,
                "package_mb": round((figures["bytes"] or 0) / 1e6, 2),
                "copy_csv_mb": round(copy_mb, 1),
                **checks,
            },
            bound=BOUND,
            profile=profile,
        )
    ]
