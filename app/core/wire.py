"""Decimal numbers on the wire: JSON strings in and out, documented as such in OpenAPI.

A JSON number would pass through a binary float in many clients; money, rates and shares therefore travel
as strings (`"1234.5600"`, `"0.8"`). Inputs take a string (or an exact integer); a JSON float is refused.

The bounds of each type (`Field`) come before its parser (`BeforeValidator`) on purpose: pydantic then checks
them inside its own decimal validation (in Rust), after the parser has turned the string into a `Decimal`; a
bound placed after the parser is checked by a Python function per value, which made validating a large
response (a consolidation run) several times slower. The errors are the same either way.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

_PATTERN = r"^-?\d{1,20}(\.\d{1,12})?$"


def _parse(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError('send decimal numbers as JSON strings, e.g. "1234.56"')
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 40:
            raise ValueError("decimal string too long")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
    else:
        raise ValueError("send decimal numbers as JSON strings")
    if not result.is_finite():
        raise ValueError("decimal numbers must be finite")
    return result


def _to_str(value: Decimal) -> str:
    return format(value, "f")


def _schema(description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "format": "decimal",
        "pattern": _PATTERN,
        "description": description,
        "examples": ["1234.56"],
    }


DecimalStr = Annotated[
    Decimal,
    BeforeValidator(_parse),
    PlainSerializer(_to_str, return_type=str, when_used="json"),
    WithJsonSchema(_schema("a decimal number as a string")),
]
MoneyStr = Annotated[
    Decimal,
    Field(max_digits=24, decimal_places=4),
    BeforeValidator(_parse),
    PlainSerializer(_to_str, return_type=str, when_used="json"),
    WithJsonSchema(_schema("an amount of money as a decimal string, at most 4 decimal places")),
]
ShareStr = Annotated[
    Decimal,
    Field(ge=0, le=1, decimal_places=12),
    BeforeValidator(_parse),
    PlainSerializer(_to_str, return_type=str, when_used="json"),
    WithJsonSchema(_schema('a fraction from 0 to 1 as a decimal string ("0.8" = 80%)')),
]
RateStr = Annotated[
    Decimal,
    Field(gt=0, decimal_places=12),
    BeforeValidator(_parse),
    PlainSerializer(_to_str, return_type=str, when_used="json"),
    WithJsonSchema(_schema("a positive rate as a decimal string")),
]
