"""HTTP: periods of an entity's books (close and reopen a month; list a year's months)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Query

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.errors import ValidationFailedError, violation
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import APPROVERS, READERS
from app.ledger import period_service
from app.ledger.domain.calendar import parse_period
from app.ledger.period_service import PeriodView
from app.ledger.schemas import PeriodAction, PeriodRead
from app.users.auth import allow

router = feature_router(tag="books")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Approver = Annotated[Actor, Depends(allow(*APPROVERS))]


def _period(period: str) -> tuple[int, int]:
    try:
        return parse_period(period)
    except ValueError as exc:
        raise ValidationFailedError(
            "invalid period", errors=[violation(("path", "period"), str(exc), "invalid_period")]
        ) from None


def period_read(view: PeriodView) -> PeriodRead:
    return PeriodRead(
        entity_id=view.entity_id,
        period=view.period,
        year=view.year,
        month=view.month,
        status=view.status,
        closed_at=view.closed_at,
        closed_by=view.closed_by,
        reopened_at=view.reopened_at,
        reopened_by=view.reopened_by,
    )


@router.post(
    "/entities/{entity_id}/periods/{period}/close",
    response_model=PeriodRead,
    operation_id="close_period",
    responses=problem_responses(404, 409),
)
def close_period(
    entity_id: str,
    period: str,
    actor: Approver,
    session: SessionDep,
    now: NowDep,
    body: Annotated[PeriodAction | None, Body()] = None,
) -> PeriodRead:
    """Lock a month (`yyyy-mm`) of one entity: postings dated in it answer 409 `period-closed`."""
    year, month = _period(period)
    return period_read(
        period_service.close_period(
            session,
            actor=actor,
            entity_id=entity_id,
            year=year,
            month=month,
            reason=body.reason if body else None,
            now=now,
        )
    )


@router.post(
    "/entities/{entity_id}/periods/{period}/reopen",
    response_model=PeriodRead,
    operation_id="reopen_period",
    responses=problem_responses(404, 409),
)
def reopen_period(
    entity_id: str,
    period: str,
    actor: Approver,
    session: SessionDep,
    now: NowDep,
    body: Annotated[PeriodAction | None, Body()] = None,
) -> PeriodRead:
    """Unlock a closed month (audited, with the reason given)."""
    year, month = _period(period)
    return period_read(
        period_service.reopen_period(
            session,
            actor=actor,
            entity_id=entity_id,
            year=year,
            month=month,
            reason=body.reason if body else None,
            now=now,
        )
    )


@router.get(
    "/entities/{entity_id}/periods",
    response_model=list[PeriodRead],
    operation_id="list_periods",
    responses=problem_responses(404),
)
def list_periods(
    entity_id: str, actor: Reader, session: ReadSessionDep, year: Annotated[int, Query(ge=1900, le=2999)]
) -> list[PeriodRead]:
    """The twelve months of a fiscal year and whether each is open or closed."""
    return [
        period_read(v)
        for v in period_service.list_periods(session, actor=actor, entity_id=entity_id, year=year)
    ]
