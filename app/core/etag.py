"""Optimistic concurrency for editable resources: `ETag` out, `If-Match` required on PATCH/DELETE."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from app.core.errors import PreconditionFailedError, PreconditionRequiredError


def etag_for(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> int:
    if value is None or not value.strip():
        raise PreconditionRequiredError("Send If-Match with the ETag you last read")
    token = value.strip()
    if token.startswith("W/"):
        token = token[2:]
    token = token.strip('"')
    if not token.isdigit():
        raise PreconditionFailedError("If-Match does not name a version of this resource", if_match=value)
    return int(token)


def _if_match(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int:
    return parse_if_match(if_match)


def check_version(*, expected: int, current: int) -> None:
    if expected != current:
        raise PreconditionFailedError(
            "The resource changed since you read it; read it again and retry",
            expected_version=expected,
            current_version=current,
        )


IfMatchDep = Annotated[int, Depends(_if_match)]
