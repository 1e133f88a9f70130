"""Exchange rates: entering them and looking them up (rules in `domain/fx.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import ValidationFailedError, violation
from app.core.money import RATIO_QUANTUM, ZERO
from app.ledger import repository
from app.ledger.domain.entries import MAX_RATE
from app.ledger.domain.fx import EXACT_DATE_KINDS, ResolvedRate, StoredRate, resolve_rate
from app.ledger.errors import FxRateExistsError, FxRateMissingError
from app.ledger.models import FxRate


def create_rate(
    session: Session,
    *,
    actor: Actor,
    currency: str,
    quote_currency: str,
    kind: str,
    on: date,
    rate: Decimal,
    now: datetime,
) -> FxRate:
    """Record one rate; rates are facts of a date and are not edited (enter the other kind or date instead).

    Raises:
        FxRateExistsError: the same currencies, kind and date already have a rate.
        ValidationFailedError: the rate is not positive, too large or too precise.
    """
    if not (rate.is_finite() and ZERO < rate < MAX_RATE and rate == rate.quantize(RATIO_QUANTUM)):
        raise ValidationFailedError(
            "invalid rate",
            errors=[
                violation(
                    ("body", "rate"), "must be in (0, 1,000,000) with at most 12 decimals", "invalid_rate"
                )
            ],
        )
    with atomic(session):
        existing = repository.get_fx_rate(
            session, currency=currency, quote_currency=quote_currency, kind=kind, on=on
        )
        if existing is not None:
            raise FxRateExistsError(
                f"a {kind} rate {currency}/{quote_currency} on {on.isoformat()} exists ({existing.rate})",
                fx_rate_id=existing.id,
            )
        row = FxRate(
            currency=currency,
            quote_currency=quote_currency,
            kind=kind,
            on=on,
            rate=rate.quantize(RATIO_QUANTUM),
            created_at=now,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="fx.rate.created",
            subject_type="fx_rate",
            subject_id=row.id,
            at=now,
            after={
                "currency": currency,
                "quote_currency": quote_currency,
                "kind": kind,
                "on": on,
                "rate": rate,
            },
        )
        return row


def lookup_rate(session: Session, *, currency: str, quote_currency: str, kind: str, on: date) -> ResolvedRate:
    """The rate of `kind` for 1 `currency` in `quote_currency` on `on` (closing and historical: latest on or
    before `on`; average: for the period ending exactly on `on`; the inverse pair answers too).

    Raises:
        FxRateMissingError: no rate answers (the problem names currencies, kind and date).
    """
    candidates: Sequence[FxRate] = []
    if currency != quote_currency:
        candidates = repository.fx_candidates(
            session,
            currency=currency,
            quote_currency=quote_currency,
            kind=kind,
            on=on,
            exact=kind in EXACT_DATE_KINDS,
        )
    resolved = resolve_rate(
        currency=currency,
        quote_currency=quote_currency,
        kind=kind,
        on=on,
        candidates=[StoredRate(r.currency, r.quote_currency, r.kind, r.on, r.rate) for r in candidates],
    )
    if resolved is None:
        rule = "on" if kind in EXACT_DATE_KINDS else "on or before"
        raise FxRateMissingError(
            f"no {kind} rate {currency}/{quote_currency} {rule} {on.isoformat()}",
            currency=currency,
            quote_currency=quote_currency,
            kind=kind,
            on=on.isoformat(),
        )
    return resolved


def list_rates(
    session: Session,
    *,
    after_id: str | None,
    limit: int,
    currency: str | None,
    quote_currency: str | None,
    kind: str | None,
    on_from: date | None,
    on_to: date | None,
) -> tuple[list[FxRate], str | None]:
    rows = repository.list_fx_rates(
        session,
        after_id=after_id,
        limit=limit + 1,
        currency=currency,
        quote_currency=quote_currency,
        kind=kind,
        on_from=on_from,
        on_to=on_to,
    )
    page = list(rows[:limit])
    return page, (page[-1].id if len(rows) > limit else None)
