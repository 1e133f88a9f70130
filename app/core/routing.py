"""Router factory: every feature router uses the idempotent route class and documents its problems."""

from __future__ import annotations

from fastapi import APIRouter

from app.core.idempotency import IdempotentRoute
from app.core.problems import problem_responses


def feature_router(*, tag: str, prefix: str = "") -> APIRouter:
    return APIRouter(
        prefix=prefix,
        tags=[tag],
        route_class=IdempotentRoute,
        responses=problem_responses(401, 403, 422),
    )
