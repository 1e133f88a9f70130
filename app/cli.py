"""The `groupledger` command: serve, migrate, demo, users, api-keys.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from app.core.config import Settings, SettingsError, get_settings
from app.core.errors import DomainError

cli = typer.Typer(
    name="groupledger",
    help="GroupLedger: the system of record of an enterprise group.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
users_cli = typer.Typer(help="Users and their roles.", no_args_is_help=True)
keys_cli = typer.Typer(help="API keys for automated clients.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")
cli.add_typer(keys_cli, name="api-keys")


def _register_feature_commands() -> None:
    from app.ledger.cli import ledger_cli

    cli.add_typer(ledger_cli, name="ledger")


_register_feature_commands()
out = Console()
err = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def clean_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn every failure into one line and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except SettingsError as exc:
            raise fail(str(exc), 2) from None
        except DomainError as exc:
            extra = f" ({exc.extensions['errors']})" if exc.extensions.get("errors") else ""
            raise fail(f"{exc.detail}{extra}") from None
        except Exception as exc:
            raise fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None

    return wrapper


def migrate_to_head(settings: Settings) -> None:
    from alembic import command
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.attributes["database_url"] = settings.database_url
    command.upgrade(config, "head")


@cli.command()
@clean_errors
def migrate() -> None:
    """Apply every database migration (alembic upgrade head)."""
    settings = get_settings()
    migrate_to_head(settings)
    out.print("database is at the latest schema")


@cli.command()
@clean_errors
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Serve the API (on the embedded SQLite default, migrations are applied first)."""
    import uvicorn

    from app.core.serving import use_tcp_protocol_for_bound_sockets

    settings = get_settings()
    if settings.is_sqlite:
        migrate_to_head(settings)
    settings.signing_key()
    use_tcp_protocol_for_bound_sockets()  # Nagle off under --workers N (see app.core.serving)
    uvicorn.run("app.asgi:app", host=host, port=port, workers=workers, log_level="info", proxy_headers=True)


@cli.command()
@clean_errors
def demo() -> None:
    """Load the demo Beijing auto-parts group (idempotent: running it again changes nothing)."""
    from app.demo.loader import load_demo

    settings = get_settings()
    migrate_to_head(settings)
    report = load_demo(settings=settings)
    if report.created_users:
        out.print("Demo users (passwords are shown once):")
        for username, role, password in report.created_users:
            out.print(f"  {username:<22} {role:<11} {password}")
    out.print(report.summary, soft_wrap=True)


@users_cli.command("create")
@clean_errors
def users_create(
    username: Annotated[str, typer.Option(help="login name")],
    role: Annotated[str, typer.Option(help="admin | controller | accountant | auditor | viewer")],
    entity: Annotated[list[str] | None, typer.Option(help="entity code the user may see (repeat)")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
) -> None:
    """Create a user."""
    from app.users.admin import create_user_cli

    if not password_stdin:
        raise fail("pass the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\n")
    user_id = create_user_cli(
        settings=get_settings(), username=username, role=role, entity_codes=entity or [], password=password
    )
    out.print(f"created user {username} ({role}) id={user_id}")


@users_cli.command("list")
@clean_errors
def users_list() -> None:
    """List users."""
    from app.users.admin import list_users_cli

    for row in list_users_cli(settings=get_settings()):
        out.print(row, highlight=False)


@keys_cli.command("create")
@clean_errors
def api_keys_create(
    user: Annotated[str, typer.Option(help="user name the key acts as")],
    name: Annotated[str, typer.Option(help="what the key is for")] = "cli",
) -> None:
    """Create an API key (printed once; only its hash is kept)."""
    from app.users.admin import create_api_key_cli

    key = create_api_key_cli(settings=get_settings(), username=user, name=name)
    out.print(key, highlight=False)


def main() -> None:
    cli()


@cli.command()
@clean_errors
def backup(
    to: Annotated[Path, typer.Option("--to", help="file to write (a manifest is written beside it)")],
) -> None:
    """Back up the database (SQLite online backup, or pg_dump), with a manifest of its figures."""
    from app.backup.service import backup_database, manifest_path
    from app.core.clock import utcnow

    manifest = backup_database(settings=get_settings(), target=to, now=utcnow())
    out.print(
        f"backed up {manifest.backend} database to {to} ({manifest.file_bytes} bytes, "
        f"{manifest.check.audit_checked} audit events verified); manifest {manifest_path(to)}",
        highlight=False,
        soft_wrap=True,
    )


@cli.command()
@clean_errors
def restore(
    from_: Annotated[Path, typer.Option("--from", help="backup file written by `groupledger backup`")],
) -> None:
    """Replace the database with a backup (stop the service first), then check the audit chain and figures."""
    from app.backup.service import restore_database

    report = restore_database(settings=get_settings(), source=from_)
    if not report.check.audit_ok:
        raise fail(f"restored, but the audit chain does not verify: {report.check.audit_reason}")
    if report.mismatches:
        raise fail("restored, but it differs from the backup: " + "; ".join(report.mismatches))
    compared = "figures equal the backup's" if report.manifest is not None else "no manifest to compare with"
    out.print(
        f"restored {report.backend} database from {from_}: audit chain verified "
        f"({report.check.audit_checked} events), {compared}",
        highlight=False,
        soft_wrap=True,
    )


@cli.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Run the benchmarks (a clone only: bench/ is not installed); options as `python -m bench --help`."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "bench" / "runner.py").exists():
        raise fail("the benchmarks live in the source tree (bench/); run this from a clone")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from bench.runner import main as bench_main

    raise typer.Exit(bench_main(list(ctx.args)))


@cli.command("export")
@clean_errors
def export(
    kind: Annotated[
        str,
        typer.Argument(
            help="journal | trial_balance | chart | assets | equity | entities | intercompany | "
            "consolidation | audit_trail | users | saft"
        ),
    ],
    fmt: Annotated[str, typer.Option("--format", help="csv | xlsx | jsonl (xml for saft)")] = "csv",
    entity: Annotated[
        list[str] | None, typer.Option(help="entity code to include (repeat); default all")
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help="first date, YYYY-MM-DD")] = None,
    to: Annotated[str | None, typer.Option("--to", help="last date / as-of date, YYYY-MM-DD")] = None,
    bom: Annotated[bool, typer.Option("--bom", help="CSV: start files with a UTF-8 byte order mark")] = False,
    tolerance: Annotated[str | None, typer.Option(help="intercompany: matched within this amount")] = None,
    after_seq: Annotated[
        int | None, typer.Option("--after-seq", help="audit_trail: events after this")
    ] = None,
    run_id: Annotated[str | None, typer.Option("--run-id", help="consolidation: the run's id")] = None,
    user: Annotated[str | None, typer.Option(help="act as this auditor or controller (default: cli)")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="file or folder for the package")] = None,
    schema: Annotated[Path | None, typer.Option("--schema", help="saft: validate against this XSD")] = None,
) -> None:
    """Export a deterministic audit package (data files, manifest.json, SHA256SUMS), with a progress bar."""
    from datetime import date
    from decimal import Decimal

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from app.exports.cli import run_export_cli

    with Progress(
        TextColumn("[bold]export[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(kind, total=None)

        def advance(rows: int, total: int | None) -> None:
            progress.update(task, completed=rows, total=total)

        result = run_export_cli(
            settings=get_settings(),
            kind=kind,
            format=fmt,
            entity_codes=entity or [],
            date_from=date.fromisoformat(from_) if from_ else None,
            date_to=date.fromisoformat(to) if to else None,
            bom=bom,
            tolerance=Decimal(tolerance) if tolerance is not None else None,
            after_seq=after_seq,
            run_id=run_id,
            username=user,
            out=out_path,
            schema=schema,
            on_progress=advance,
        )
    if result.status != "done":
        raise fail(f"export {result.job_id} failed: {result.error}")
    out.print(
        f"{result.out} ({result.rows} rows) sha256 {result.package_sha256} manifest {result.manifest_sha256}",
        highlight=False,
        soft_wrap=True,
    )
