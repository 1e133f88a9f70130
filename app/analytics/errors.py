"""Errors of the analytics; each carries its HTTP status and a stable problem slug."""

from __future__ import annotations

from app.core.errors import ValidationFailedError


class AnalyticsQueryError(ValidationFailedError):
    """A well-formed query the analytics cannot answer (a reversed period, an unknown indicator...)."""

    slug = "analytics-query-invalid"
    title = "The analytics query is not valid"


class PlanInvalidError(ValidationFailedError):
    """A restructuring plan that cannot be previewed as a whole (every problem listed in `errors`)."""

    slug = "analytics-plan-invalid"
    title = "The restructuring plan cannot be previewed"
