"""Keyset pagination: `{items, next_cursor}`, `?limit=` (1..1000) and an opaque `cursor`."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from app.core.errors import ValidationFailedError, violation

T = TypeVar("T")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size, at most 1000")]
CursorQuery = Annotated[str | None, Query(max_length=512, description="opaque cursor from next_cursor")]


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, *, arity: int) -> list[Any] | None:
    """The key values of the last row of the previous page, or None for the first page."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise ValidationFailedError(
            "The cursor is not one this service issued",
            errors=[violation(("query", "cursor"), "invalid cursor", "invalid_cursor")],
        ) from exc
    if not isinstance(values, list) or len(values) != arity:
        raise ValidationFailedError(
            "The cursor is not one this service issued",
            errors=[violation(("query", "cursor"), "invalid cursor", "invalid_cursor")],
        )
    return values


def decode_int_cursor(cursor: str | None) -> int | None:
    values = decode_cursor(cursor, arity=1)
    if values is None:
        return None
    if not isinstance(values[0], int) or isinstance(values[0], bool):
        raise ValidationFailedError(
            "The cursor is not one this service issued",
            errors=[violation(("query", "cursor"), "invalid cursor", "invalid_cursor")],
        )
    return values[0]
