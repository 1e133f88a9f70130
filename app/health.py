"""Liveness with a database check, and Prometheus metrics. No authentication."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.core.deps import SessionDep
from app.core.problems import problem_response, problem_responses

router = APIRouter(tags=["service"])


class HealthRead(BaseModel):
    status: str
    database: str


@router.get("/health", response_model=HealthRead, operation_id="health", responses=problem_responses(503))
def health(session: SessionDep) -> HealthRead | Response:
    try:
        session.execute(text("SELECT 1"))
        session.rollback()
    except SQLAlchemyError:
        return problem_response(
            status=503,
            slug="database-unavailable",
            title="Database unavailable",
            detail="The database did not answer",
            instance="/health",
        )
    return HealthRead(status="ok", database="ok")


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus metrics"}},
)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
