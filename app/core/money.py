"""Exact money and ratio columns on both databases, and the rounding rules.

PostgreSQL stores money as NUMERIC(24,4). SQLite has no decimal type (its NUMERIC silently becomes a float),
so there money is a scaled integer (value x 10^4 in a BIGINT): exact, and SUM stays exact. Python always sees
`Decimal`. Ratios (shares, rates) use NUMERIC(20,12) on PostgreSQL and a scaled integer (x 10^12) on SQLite.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

MONEY_SCALE = 4
RATIO_SCALE = 12
MONEY_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)
RATIO_QUANTUM = Decimal(1).scaleb(-RATIO_SCALE)
CENT = Decimal("0.01")
ZERO = Decimal(0)


class NotExactError(ValueError):
    """A value has more decimals than its column keeps; we refuse rather than round silently."""


def round_half_up(value: Decimal, quantum: Decimal = CENT) -> Decimal:
    """四舍五入: the Chinese rounding rule, applied only where the rules say to round."""
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("floats are never accepted as money")
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc


class _ScaledDecimal(TypeDecorator[Decimal]):
    impl = Numeric
    cache_ok = True
    scale: int = MONEY_SCALE
    precision: int = 24
    quantum: Decimal = MONEY_QUANTUM

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = to_decimal(value)
        quantized = amount.quantize(self.quantum)
        if quantized != amount:
            raise NotExactError(f"{amount} has more than {self.scale} decimal places")
        if dialect.name == "sqlite":
            return int(quantized.scaleb(self.scale))
        return quantized

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale)
        # The quantum is a class constant: building it per value cost most of the reads of large groups.
        return (value if type(value) is Decimal else Decimal(value)).quantize(self.quantum)


class Money(_ScaledDecimal):
    """Money: 4 decimal places, exact on PostgreSQL and SQLite."""

    cache_ok = True
    scale = MONEY_SCALE
    precision = 24
    quantum = MONEY_QUANTUM


class Ratio(_ScaledDecimal):
    """A share, a rate or a percentage as a fraction: 12 decimal places, exact on both databases."""

    cache_ok = True
    scale = RATIO_SCALE
    precision = 20
    quantum = RATIO_QUANTUM


class ratio_units(FunctionElement[int]):  # noqa: N801 - a SQL function, named like SQLAlchemy's `func`s
    """A `Ratio` column as exact integer units of 10^-12 (BIGINT), NULL where the value lies outside 0..1.

    For bulk reads of shares: an integer is several times cheaper for the driver to build than a `Decimal`,
    and integer units let numpy sum and compare shares exactly. PostgreSQL multiplies its NUMERIC(20,12)
    (always a whole number of units); SQLite already stores the units. Outside 0..1 (which the rules refuse,
    and which far enough out would not fit a BIGINT on PostgreSQL) the result is NULL, so that one bad row
    cannot fail the read: the reader falls back to decimals, and the rules report it where it is in force.
    """

    type = BigInteger()
    name = "ratio_units"
    inherit_cache = True


@compiles(ratio_units)
def _ratio_units_scaled(element: ratio_units, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"CASE WHEN {value} BETWEEN 0 AND 1 THEN CAST({value} * {10**RATIO_SCALE} AS BIGINT) END"


@compiles(ratio_units, "sqlite")
def _ratio_units_stored(element: ratio_units, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"CASE WHEN {value} BETWEEN 0 AND {10**RATIO_SCALE} THEN {value} END"
