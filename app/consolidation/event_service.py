"""Use cases of an acquisition's later events: fair-value adjustments realised otherwise than by depreciation
and impairments of its goodwill. Each is a dated fact recorded once (never edited; a correction is another
record), checked against what is left of the acquisition's figures and audited in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.consolidation import repository
from app.consolidation.acquisition_rules import impairment_violations, movement_violations
from app.consolidation.acquisition_service import get_acquisition
from app.consolidation.books import load_chart
from app.consolidation.errors import AcquisitionValidationError
from app.consolidation.models import FairValueMovement, GoodwillImpairment
from app.core.context import Actor
from app.core.db import atomic

ZERO = Decimal(0)


def record_fair_value_movement(
    session: Session,
    *,
    actor: Actor,
    acquisition_id: str,
    on: date,
    account_code: str,
    amount: Decimal,
    pnl_account_code: str | None,
    now: datetime,
) -> FairValueMovement:
    """Part of an adjustment realised otherwise than by depreciation (inventory sold, liability settled).

    Raises:
        AcquisitionNotFoundError: unknown or invisible acquisition.
        AcquisitionValidationError: before the acquisition, an account it did not adjust, more than is left.
    """
    with atomic(session):
        acquisition = get_acquisition(session, actor=actor, acquisition_id=acquisition_id, for_update=True)
        adjustments = repository.fair_value_adjustments(session, acquisition_ids=[acquisition.id])[
            acquisition.id
        ]
        earlier = sum(
            (
                m.amount
                for m in repository.fair_value_movements(session, acquisition_ids=[acquisition.id])[
                    acquisition.id
                ]
                if m.account_code == account_code
            ),
            ZERO,
        )
        problems = movement_violations(
            acquisition=acquisition,
            adjustments=adjustments,
            earlier=earlier,
            on=on,
            account_code=account_code,
            amount=amount,
            pnl_account_code=pnl_account_code,
            chart=load_chart(session),
        )
        if problems:
            raise AcquisitionValidationError("the movement cannot be recorded", errors=problems)
        row = FairValueMovement(
            acquisition_id=acquisition.id,
            on=on,
            account_code=account_code,
            amount=amount,
            pnl_account_code=pnl_account_code,
            created_at=now,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="consolidation.acquisition.fair_value_realised",
            subject_type="acquisition",
            subject_id=acquisition.id,
            at=now,
            entity_id=acquisition.acquiree_id,
            after={"movement_id": row.id, "on": on, "account_code": account_code, "amount": amount},
        )
        return row


def record_goodwill_impairment(
    session: Session, *, actor: Actor, acquisition_id: str, on: date, amount: Decimal, now: datetime
) -> GoodwillImpairment:
    """An impairment loss on the goodwill of a combination (on the whole investment for an associate).

    Raises:
        AcquisitionNotFoundError: unknown or invisible acquisition.
        AcquisitionValidationError: before the acquisition, or more than the combination's goodwill left.
    """
    with atomic(session):
        acquisition = get_acquisition(session, actor=actor, acquisition_id=acquisition_id, for_update=True)
        earlier = sum(
            (
                i.amount
                for i in repository.impairments(session, acquisition_ids=[acquisition.id])[acquisition.id]
            ),
            ZERO,
        )
        problems = impairment_violations(acquisition=acquisition, earlier=earlier, on=on, amount=amount)
        if problems:
            raise AcquisitionValidationError("the impairment cannot be recorded", errors=problems)
        row = GoodwillImpairment(
            acquisition_id=acquisition.id, on=on, amount=amount, created_at=now, created_by=actor.username
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="consolidation.acquisition.impaired",
            subject_type="acquisition",
            subject_id=acquisition.id,
            at=now,
            entity_id=acquisition.acquiree_id,
            after={"impairment_id": row.id, "on": on, "amount": amount},
        )
        return row
