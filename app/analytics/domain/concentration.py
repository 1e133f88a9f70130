"""Concentration of output in a product segment across the group's makers.

Output is measured by operating revenue of the period. A maker's share is its revenue over the segment's
total; a negative revenue (returns exceeding sales) counts as zero output. The Herfindahl-Hirschman index is
the sum of the squared shares in percent (0 to 10,000: 10,000 is one maker making everything, 10,000 / n for
n equal makers); CR4 is the sum of the four largest shares; the equivalent number of makers is 10,000 / HHI
(how many equal makers would give the same HHI). Computed exactly, then rounded half-up: shares and CR4 to 6
places, HHI and the equivalent number to 2. A segment without output has no shares (None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SHARE_QUANTUM = Decimal("0.000001")
INDEX_QUANTUM = Decimal("0.01")
HHI_MAX = Decimal(10000)


def _round(value: Fraction, quantum: Decimal) -> Decimal:
    quotient = Decimal(value.numerator) / Decimal(value.denominator)
    return quotient.quantize(quantum, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Concentration:
    """One segment's concentration; `shares` in the order of the outputs given, None without output."""

    total_output: Decimal
    makers: int
    shares: Mapping[str, Decimal | None]
    hhi: Decimal | None
    cr4: Decimal | None
    equivalent_makers: Decimal | None


def _exact_shares(outputs: Mapping[str, Decimal]) -> dict[str, Fraction] | None:
    positive = {k: Fraction(max(v, Decimal(0))) for k, v in outputs.items()}
    total = sum(positive.values(), Fraction(0))
    if total == 0:
        return None
    return {k: v / total for k, v in positive.items()}


def hhi_of(outputs: Mapping[str, Decimal]) -> Decimal | None:
    """The HHI of `outputs` alone (see `concentration`)."""
    shares = _exact_shares(outputs)
    if shares is None:
        return None
    return _round(sum(((s * 100) ** 2 for s in shares.values()), Fraction(0)), INDEX_QUANTUM)


def concentration(outputs: Mapping[str, Decimal]) -> Concentration:
    """Shares, HHI, CR4 and the equivalent number of makers of the outputs (maker -> revenue)."""
    total = sum((max(v, Decimal(0)) for v in outputs.values()), Decimal(0))
    makers = sum(1 for v in outputs.values() if v > 0)
    shares = _exact_shares(outputs)
    if shares is None:
        return Concentration(total, makers, {k: None for k in outputs}, None, None, None)
    hhi = sum(((s * 100) ** 2 for s in shares.values()), Fraction(0))
    top4 = sum(sorted(shares.values(), reverse=True)[:4], Fraction(0))
    return Concentration(
        total_output=total,
        makers=makers,
        shares={k: _round(s, SHARE_QUANTUM) for k, s in shares.items()},
        hhi=_round(hhi, INDEX_QUANTUM),
        cr4=_round(top4, SHARE_QUANTUM),
        equivalent_makers=_round(Fraction(10000) / hhi, INDEX_QUANTUM),
    )


def merged_outputs(
    outputs: Mapping[str, Decimal], *, absorbed: Sequence[str], into: str
) -> dict[str, Decimal]:
    """The outputs as if the `absorbed` makers' output were made by `into` (a merger in the segment)."""
    out = {k: v for k, v in outputs.items() if k not in absorbed}
    out[into] = out.get(into, Decimal(0)) + sum((outputs.get(a, Decimal(0)) for a in absorbed), Decimal(0))
    return out
