"""The trial balance of one entity for a date, derived from movements (never stored).

- Balance-sheet accounts (asset, liability, equity) are cumulative: every movement up to the date.
- Income and expense accounts show the fiscal year to date: movements of earlier years are not theirs.
- The profit of earlier years (their income and expense movements) is carried in the retained-earnings
  account (role `retained_earnings`, 4104 利润分配), without counterparty: the books need no closing entry for
  a trial balance to be right on any date of a new year.

The caller passes the movements up to the date, summed per (account, counterparty, fiscal year); the kept
monthly balances give them without reading journal lines. Every line keeps its counterparty, so intercompany
balances stay visible. A trial balance of balanced books balances: moving a year's profit into retained
earnings moves the same net amount from one account to another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from app.core.money import MONEY_QUANTUM, ZERO

BALANCE_SHEET_TYPES = frozenset({"asset", "liability", "equity"})
PROFIT_AND_LOSS_TYPES = frozenset({"income", "expense"})

Key = tuple[str, str | None]
ZERO_MONEY = ZERO.quantize(MONEY_QUANTUM)


@dataclass(frozen=True)
class AccountNature:
    type: str
    normal_side: str


class Movement(NamedTuple):
    """Totals of the lines of one (account, counterparty) in one fiscal year, up to the trial balance date.

    A named tuple (immutable, built positionally in a third of a frozen dataclass's time): trial balances
    read one per kept-balance key, and the intercompany matching one per key of every company.
    """

    account_code: str
    counterparty_entity_id: str | None
    year: int
    debit: Decimal
    credit: Decimal


class TrialBalanceLine(NamedTuple):
    """One line of a trial balance (a named tuple, as `Movement`)."""

    account_code: str
    counterparty_entity_id: str | None
    debit: Decimal
    credit: Decimal
    balance: Decimal

    @property
    def net(self) -> Decimal:
        return self.debit - self.credit


def net_balances(
    *,
    as_of_year: int,
    movements: Iterable[Movement],
    accounts: Mapping[str, AccountNature],
    retained_earnings_code: str,
) -> dict[Key, Decimal]:
    """Debit-positive balance per (account, counterparty) for a date in `as_of_year`.

    Raises:
        ValueError: a movement of a later year or of an unknown account (the caller filtered wrong).
    """
    nets: dict[Key, Decimal] = {}
    for movement in movements:
        nature = accounts.get(movement.account_code)
        if nature is None:
            raise ValueError(f"account {movement.account_code} is not in the chart")
        if movement.year > as_of_year:
            raise ValueError(f"a movement of {movement.year} is after the trial balance year {as_of_year}")
        key: Key = (movement.account_code, movement.counterparty_entity_id)
        if nature.type in PROFIT_AND_LOSS_TYPES and movement.year < as_of_year:
            key = (retained_earnings_code, None)
        nets[key] = nets.get(key, ZERO) + movement.debit - movement.credit
    return nets


def balance_lines(
    *, nets: Mapping[Key, Decimal], accounts: Mapping[str, AccountNature]
) -> list[TrialBalanceLine]:
    """Trial-balance lines (zero balances left out), by account code then counterparty.

    Amounts are at the money scale (4 places). `debit`/`credit` put the balance on its side; `balance` is
    signed on the account's normal side (positive when the account carries its usual balance, negative for
    an overdrawn asset or a debit-balance liability).
    """
    lines: list[TrialBalanceLine] = []
    for (code, counterparty), net in sorted(nets.items(), key=_line_order):
        if net == ZERO:
            continue
        net = net.quantize(MONEY_QUANTUM)
        balance = net if accounts[code].normal_side == "debit" else -net
        if net > ZERO:
            lines.append(TrialBalanceLine(code, counterparty, net, ZERO_MONEY, balance))
        else:
            lines.append(TrialBalanceLine(code, counterparty, ZERO_MONEY, -net, balance))
    return lines


def _line_order(item: tuple[Key, Decimal]) -> tuple[str, str]:
    (code, counterparty), _ = item
    return code, counterparty or ""


def trial_balance(
    *,
    as_of_year: int,
    movements: Iterable[Movement],
    accounts: Mapping[str, AccountNature],
    retained_earnings_code: str,
) -> list[TrialBalanceLine]:
    """The trial balance for a date in `as_of_year` from the movements up to that date (see module doc)."""
    nets = net_balances(
        as_of_year=as_of_year,
        movements=movements,
        accounts=accounts,
        retained_earnings_code=retained_earnings_code,
    )
    return balance_lines(nets=nets, accounts=accounts)
