"""HTTP: exchange rates (record, list, look up the rate that applies on a date)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.errors import ValidationFailedError, violation
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import PREPARERS, READERS
from app.ledger import fx_service
from app.ledger.api import str_cursor
from app.ledger.report_schemas import FxLookupRead, FxRateCreate, FxRateRead, RateKind
from app.users.auth import allow

router = feature_router(tag="books")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]
CurrencyQuery = Annotated[str, Query(pattern=r"^[A-Z]{3}$")]


@router.post(
    "/fx-rates",
    response_model=FxRateRead,
    status_code=201,
    operation_id="create_fx_rate",
    responses=problem_responses(409),
)
def create_fx_rate(body: FxRateCreate, actor: Preparer, session: SessionDep, now: NowDep) -> FxRateRead:
    """Record a rate: 1 `currency` = `rate` `quote_currency`, of a kind (closing, average, historical)."""
    if body.currency == body.quote_currency:
        raise ValidationFailedError(
            "The request is not valid",
            errors=[violation(("body", "quote_currency"), "must differ from currency", "same_currency")],
        )
    row = fx_service.create_rate(
        session,
        actor=actor,
        currency=body.currency,
        quote_currency=body.quote_currency,
        kind=body.kind,
        on=body.on,
        rate=body.rate,
        now=now,
    )
    return FxRateRead.model_validate(row)


@router.get("/fx-rates", response_model=Page[FxRateRead], operation_id="list_fx_rates")
def list_fx_rates(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    quote_currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    kind: RateKind | None = None,
    on_from: Annotated[date | None, Query(alias="from")] = None,
    on_to: Annotated[date | None, Query(alias="to")] = None,
) -> Page[FxRateRead]:
    rows, next_id = fx_service.list_rates(
        session,
        after_id=str_cursor(cursor),
        limit=limit,
        currency=currency,
        quote_currency=quote_currency,
        kind=kind,
        on_from=on_from,
        on_to=on_to,
    )
    return Page[FxRateRead](
        items=[FxRateRead.model_validate(r) for r in rows],
        next_cursor=encode_cursor([next_id]) if next_id else None,
    )


@router.get("/fx-rates/lookup", response_model=FxLookupRead, operation_id="lookup_fx_rate")
def lookup_fx_rate(
    actor: Reader,
    session: ReadSessionDep,
    currency: CurrencyQuery,
    quote_currency: CurrencyQuery,
    kind: RateKind,
    on: date,
) -> FxLookupRead:
    """The rate that applies: closing and historical, the latest on or before `on`; average, the one recorded
    for the period ending on `on`; an inverse pair answers too. None: 422 `fx-rate-missing`."""
    found = fx_service.lookup_rate(
        session, currency=currency, quote_currency=quote_currency, kind=kind, on=on
    )
    return FxLookupRead(
        currency=found.currency,
        quote_currency=found.quote_currency,
        kind=kind,
        on=found.on,
        rate_on=found.rate_on,
        rate=found.rate,
        inverted=found.inverted,
    )
