"""RFC 9457 problem+json for every error the service returns."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import PROBLEM_BASE, DomainError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger(__name__)

_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed for your role"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflicts with the current state"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "The request is not valid"),
    429: ("too-many-requests", "Too many requests"),
}


_BODY_PARSE_DETAIL = "There was an error parsing the body"


class ProblemError(BaseModel):
    model_config = ConfigDict(extra="allow")
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """The error body (RFC 9457). Extension members name the offending fields or amounts."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemError] | None = None


def problem_response(
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None,
    instance: str | None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    body.update({k: v for k, v in extensions.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _jsonable_errors(errors: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for err in errors:
        loc = [part if isinstance(part, int) else str(part) for part in err.get("loc", ())]
        out.append({"loc": loc, "msg": str(err.get("msg", "")), "type": str(err.get("type", "invalid"))})
    return out


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = exc.extensions.pop("headers", None) if isinstance(exc.extensions.get("headers"), dict) else None
    return problem_response(
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        instance=request.url.path,
        headers=headers,
        **exc.extensions,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _jsonable_errors(exc.errors())
    malformed = any(e["type"] == "json_invalid" for e in errors)
    detail = "The request body is not valid JSON" if malformed else "The request has invalid fields"
    return problem_response(
        status=422,
        slug="malformed-json" if malformed else "validation-error",
        title="The request is not valid",
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _BODY_PARSE_DETAIL:
        # FastAPI's answer to a body it cannot decode (bytes that are not UTF-8, a broken form): the same
        # 422 as JSON that does not parse, the status every route documents for bad input.
        return problem_response(
            status=422,
            slug="malformed-json" if "json" in request.headers.get("content-type", "") else "malformed-body",
            title="The request is not valid",
            detail="The request body cannot be decoded",
            instance=request.url.path,
        )
    slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem_response(
        status=exc.status_code,
        slug=slug,
        title=title,
        detail=detail,
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    """A value the database refuses to store or compare (PostgreSQL: a NUL character in text, a number out
    of range): bad input, so a 422, not a 500. The database's message is not echoed back."""
    assert isinstance(exc, DataError)
    log.info("data_error", path=request.url.path, error=str(exc.orig).splitlines()[0] if exc.orig else "")
    return problem_response(
        status=422,
        slug="unstorable-value",
        title="The request is not valid",
        detail="A value in the request cannot be stored (for example a NUL character in text)",
        instance=request.url.path,
    )


async def _unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    trace_id = uuid.uuid4().hex
    log.error("unhandled_error", trace_id=trace_id, path=request.url.path, exc_info=exc)
    return problem_response(
        status=500,
        slug="internal-error",
        title="Internal error",
        detail="An unexpected error occurred; quote the trace id to the operators.",
        instance=request.url.path,
        trace_id=trace_id,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(Exception, _unhandled_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: every error it may return, documented as problem+json."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        out[status] = {
            "model": Problem,
            "description": _HTTP_SLUGS.get(status, ("", "Error"))[1],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return out
