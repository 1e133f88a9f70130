"""Errors of acquisitions, group-level records and consolidation runs; each carries its HTTP status and slug.

The engine's own errors (`domain.errors`) are turned into problems here, so a run that cannot be made says
every reason at once: each engine violation becomes an `errors[]` entry with its stable `type` (the engine's
code) and the record it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.consolidation import domain as cd
from app.core.errors import NotFoundError, ValidationFailedError, violation


class AcquisitionNotFoundError(NotFoundError):
    slug = "acquisition-not-found"
    title = "No such acquisition"


class AcquisitionValidationError(ValidationFailedError):
    """Every broken rule of an acquisition (or of its movements and impairments) at once."""

    slug = "acquisition-invalid"
    title = "The acquisition is not valid"


class AdjustmentNotFoundError(NotFoundError):
    slug = "consolidation-adjustment-not-found"
    title = "No such consolidation adjustment"


class AdjustmentValidationError(ValidationFailedError):
    slug = "consolidation-adjustment-invalid"
    title = "The consolidation adjustment is not valid"


class UnrealizedProfitNotFoundError(NotFoundError):
    slug = "unrealized-profit-not-found"
    title = "No such unrealised profit record"


class UnrealizedProfitValidationError(ValidationFailedError):
    slug = "unrealized-profit-invalid"
    title = "The unrealised profit record is not valid"


class RunNotFoundError(NotFoundError):
    slug = "consolidation-not-found"
    title = "No such consolidation run"


class RunRequestError(ValidationFailedError):
    """The run cannot be asked for: dates out of order, a period longer than a year, ..."""

    slug = "consolidation-request-invalid"
    title = "The consolidation request is not valid"


class RunInputError(ValidationFailedError):
    """The group's data as recorded cannot be consolidated; `errors[]` lists every engine violation (kept
    as `violations` for the service)."""

    slug = "consolidation-invalid-input"
    title = "The recorded data cannot be consolidated"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]],
        violations: Sequence[cd.Violation] = (),
        **extensions: Any,
    ) -> None:
        super().__init__(detail, errors=errors, **extensions)
        self.violations = list(violations)


class RunMissingRateError(RunInputError):
    """Exchange rates needed for the translation are not recorded; `errors[]` names each one."""

    slug = "consolidation-missing-rate"
    title = "Exchange rates are missing for the translation"


class RunMissingAccountError(RunInputError):
    slug = "consolidation-missing-account-role"
    title = "The chart lacks an account the consolidation needs"


def engine_violations(error: cd.ConsolidationInputError) -> list[dict[str, Any]]:
    """The engine's violations as a problem's `errors` list (`loc` names the record concerned)."""
    out = []
    for v in error.violations:
        entry = violation(("data", v.subject or "run"), v.message, v.code)
        out.append(entry)
    return out


def from_engine(error: cd.ConsolidationError) -> RunInputError:
    """The problem for an engine error raised while consolidating recorded data."""
    if isinstance(error, cd.MissingExchangeRateError):
        return RunMissingRateError(error.detail, errors=engine_violations(error), violations=error.violations)
    if isinstance(error, cd.MissingAccountRoleError):
        return RunMissingAccountError(
            error.detail, errors=engine_violations(error), violations=error.violations
        )
    if isinstance(error, cd.ConsolidationInputError):
        return RunInputError(error.detail, errors=engine_violations(error), violations=error.violations)
    return RunInputError(error.detail, errors=[violation(("data", "run"), error.detail, error.slug)])
