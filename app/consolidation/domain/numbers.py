"""Exact arithmetic inside the engine, `Decimal` outside.

Inputs arrive as `Decimal` (money, rates) or `Decimal`/`Fraction` (shares). The engine turns them into
`fractions.Fraction` so that every product, time-apportionment (9/12) and cross rate (1/0.71) is exact: the
balance sheet then balances and the elimination journal nets to zero exactly, not to within a rounding
error. Results go back to `Decimal` once, in `to_decimal`: exactly when the fraction terminates in base ten,
otherwise rounded ROUND_HALF_UP to 18 places (far below any currency's minor unit). Presentation rounding
(`present`) is the service's choice of quantum, also ROUND_HALF_UP.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import gcd

Number = Decimal | Fraction | int
ZERO = Fraction(0)
ONE = Fraction(1)
INTERNAL_PLACES = 18
#: Python 3.12+ builds a Fraction from coprime integers with this; 3.11 with `_normalize=False`.
_FROM_COPRIME = getattr(Fraction, "_from_coprime_ints", None)


def _coprime(numerator: int, denominator: int) -> Fraction:
    if _FROM_COPRIME is not None:
        return _FROM_COPRIME(numerator, denominator)  # type: ignore[no-any-return]
    value: Fraction = Fraction(numerator, denominator, _normalize=False)  # type: ignore[call-overload]
    return value


def exact(value: Number) -> Fraction:
    """The exact rational value of a Decimal, Fraction or int (Decimal('0.1') is exactly 1/10).

    A finite Decimal takes the fast path: `as_integer_ratio` is already in lowest terms with a positive
    denominator, so the Fraction is built without normalising again (a run converts every balance).
    """
    if type(value) is Decimal and value.is_finite():
        return _coprime(*value.as_integer_ratio())
    return Fraction(value)


def total(values: Iterable[Fraction]) -> Fraction:
    """The exact sum of fractions, over a running common denominator (amounts of a few decimal places
    share one, so this is integer arithmetic instead of a gcd per addition)."""
    numerator, denominator = 0, 1
    for value in values:
        d = value.denominator
        if denominator % d:
            step = d // gcd(denominator, d)
            numerator *= step
            denominator *= step
        numerator += value.numerator * (denominator // d)
    return Fraction(numerator, denominator)


@functools.lru_cache(maxsize=4096)
def _terminating_power(denominator: int) -> int | None:
    """k such that denominator divides 10**k, or None when the fraction does not terminate."""
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None


def to_decimal(value: Fraction) -> Decimal:
    """The Decimal of an exact amount: exact when it terminates, else ROUND_HALF_UP to 18 places."""
    if value.denominator == 1:
        return Decimal(value.numerator)
    power = _terminating_power(value.denominator)
    if power is not None:
        return Decimal(value.numerator * (10**power // value.denominator)).scaleb(-power)
    scaled = abs(value) * 10**INTERNAL_PLACES
    rounded = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(rounded if value > 0 else -rounded).scaleb(-INTERNAL_PLACES)


def present(amount: Decimal, quantum: Decimal = Decimal("0.01")) -> Decimal:
    """The presentation value of an amount: quantised to `quantum`, ROUND_HALF_UP (Chinese practice)."""
    return amount.quantize(quantum, rounding=ROUND_HALF_UP)
