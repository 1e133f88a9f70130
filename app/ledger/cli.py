"""`groupledger ledger ...`: checks of the books run by operators (register `ledger_cli` in app/cli.py)."""

from __future__ import annotations

import typer
from rich.console import Console

from app.core.config import get_settings
from app.core.db import make_engine, make_session_factory
from app.ledger.report_service import BalanceCheck, check_balances

ledger_cli = typer.Typer(help="The books: consistency checks.", no_args_is_help=True)
_out = Console()


def run_balance_check(*, database_url: str) -> BalanceCheck:
    """Check the kept balances of the database at `database_url` against its journal lines (read only)."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            try:
                return check_balances(session)
            finally:
                session.rollback()
    finally:
        engine.dispose()


@ledger_cli.command("check-balances")
def check_balances_command() -> None:
    """Prove the kept monthly balances equal the sums of the journal lines; exit 1 when they differ."""
    check = run_balance_check(database_url=get_settings().database_url)
    for m in check.mismatches:
        _out.print(
            f"{m.entity_id} {m.account_code} {m.counterparty_entity_id or '-'} {m.year}-{m.month:02d}: "
            f"kept {m.kept_debit}/{m.kept_credit}, lines {m.line_debit}/{m.line_credit}",
            highlight=False,
        )
    _out.print(
        f"{'ok' if check.ok else 'MISMATCH'}: {check.entities_checked} entities, {check.months_checked} "
        "kept months checked",
        highlight=False,
    )
    if not check.ok:
        raise typer.Exit(1)
