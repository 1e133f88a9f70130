"""Where a charge to equity goes: capital reserve first, then surplus reserve, then retained earnings.

CAS 20 Art. 6 and CAS 33 Arts. 47/49 share one rule for the difference that is not a gain:
"调整资本公积(资本溢价或股本溢价);资本公积不足冲减的,调整留存收益" (留存收益 = 盈余公积, then 未分配利润).
A credit always goes to the capital reserve; a debit takes what the capital reserve holds, then what the
surplus reserve holds, and the rest from retained earnings (which may go negative). The available balances
are credit balances at the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from app.events.domain.model import EventAccounts, PlannedLine, line

_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class ReserveSplit:
    """Credit-positive changes of each reserve (a debit to equity gives negative numbers)."""

    capital_reserve: Fraction
    surplus_reserve: Fraction
    retained_earnings: Fraction

    @property
    def total(self) -> Fraction:
        return self.capital_reserve + self.surplus_reserve + self.retained_earnings

    def lines(self, accounts: EventAccounts) -> list[PlannedLine]:
        """Debit-positive journal lines of the split (zero parts left out)."""
        pairs = (
            (accounts.capital_reserve, self.capital_reserve),
            (accounts.surplus_reserve, self.surplus_reserve),
            (accounts.retained_earnings, self.retained_earnings),
        )
        return [line(code, -amount) for code, amount in pairs if amount != _ZERO]


def split_equity_change(
    *, change: Fraction, capital_reserve_available: Fraction, surplus_reserve_available: Fraction
) -> ReserveSplit:
    """Split a credit-positive `change` of equity by the cascade of the module docstring.

    Negative available balances count as nothing available.
    """
    if change >= _ZERO:
        return ReserveSplit(capital_reserve=change, surplus_reserve=_ZERO, retained_earnings=_ZERO)
    debit = -change
    from_capital = min(debit, max(capital_reserve_available, _ZERO))
    from_surplus = min(debit - from_capital, max(surplus_reserve_available, _ZERO))
    rest = debit - from_capital - from_surplus
    return ReserveSplit(capital_reserve=-from_capital, surplus_reserve=-from_surplus, retained_earnings=-rest)
