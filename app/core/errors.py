"""The error base every feature's errors derive from. Each carries its HTTP status and a stable slug."""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_BASE = "https://groupledger.dev/problems/"


class DomainError(Exception):
    """A request that is well formed but breaks a rule (or conflicts with the current state)."""

    status: ClassVar[int] = 422
    slug: ClassVar[str] = "rule-violation"
    title: ClassVar[str] = "The request breaks a business rule"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    @classmethod
    def type_uri(cls) -> str:
        return PROBLEM_BASE + cls.slug


class NotFoundError(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class ConflictError(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflicts with the current state"


class ForbiddenError(DomainError):
    status = 403
    slug = "forbidden"
    title = "Not allowed for your role"


class AuthenticationError(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class ValidationFailedError(DomainError):
    """Every violation found at once, each naming its field: `errors=[{loc, msg, type}]`."""

    status = 422
    slug = "validation-error"
    title = "The request is not valid"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]], **extensions: Any) -> None:
        super().__init__(detail, errors=errors, **extensions)
        self.errors = errors


class PreconditionRequiredError(DomainError):
    status = 428
    slug = "precondition-required"
    title = "If-Match header required"


class PreconditionFailedError(DomainError):
    status = 412
    slug = "precondition-failed"
    title = "The resource changed since you read it"


class TooManyRequestsError(DomainError):
    status = 429
    slug = "too-many-requests"
    title = "Too many attempts"


def violation(loc: list[str | int] | tuple[str | int, ...], msg: str, type_: str) -> dict[str, Any]:
    """One entry of a problem's `errors` list."""
    return {"loc": list(loc), "msg": msg, "type": type_}
