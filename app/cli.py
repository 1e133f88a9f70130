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

    settings = get_settings()
    if settings.is_sqlite:
        migrate_to_head(settings)
    settings.signing_key()
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
