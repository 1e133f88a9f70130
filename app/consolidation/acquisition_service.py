"""Use cases of business combinations: record one (with its stake), its fair-value movements and impairments.

Recording an acquisition computes the combination as the group sees it on that date (IFRS 3.32; DOMAIN §3):
the identifiable net assets at fair value (book equity plus the adjustments net of deferred tax, engine
`fair_value_net_assets`), goodwill or a bargain purchase gain and the NCI at acquisition (engine
`compute_goodwill`), with the NCI share and the acquirer's own interest from the ownership engine on that
date once the acquirer's holding is in force. The holding is created through the ownership service when it
is not already in force with the same shares (a change of holding ends the old record). Everything is one
transaction with its audit events.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.consolidation import domain as cd
from app.consolidation import repository
from app.consolidation.acquisition_rules import AcquisitionInput, acquisition_violations
from app.consolidation.books import Books, load_chart
from app.consolidation.errors import AcquisitionNotFoundError, AcquisitionValidationError, engine_violations
from app.consolidation.models import (
    Acquisition,
    AcquisitionEquity,
    FairValueAdjustment,
    FairValueMovement,
    GoodwillImpairment,
)
from app.core.context import Actor
from app.core.db import atomic
from app.core.money import MONEY_QUANTUM, RATIO_QUANTUM
from app.entities import service as entities_service
from app.ownership import service as ownership_service
from app.ownership import view_service as ownership_views

ZERO = Decimal(0)


@dataclass(frozen=True)
class AcquisitionView:
    """An acquisition with everything recorded about it."""

    row: Acquisition
    equity: list[AcquisitionEquity]
    adjustments: list[FairValueAdjustment]
    movements: list[FairValueMovement]
    impairments: list[GoodwillImpairment]


def _m(value: Decimal) -> Decimal:
    return value.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP)


def acquisition_snapshot(row: Acquisition) -> dict[str, Any]:
    fields = (
        "acquirer_id",
        "acquiree_id",
        "acquired_on",
        "share",
        "voting_share",
        "consideration",
        "combination",
        "nci_measurement",
        "nci_fair_value",
        "previously_held_fair_value",
        "deferred_tax_rate",
        "equity_source",
        "net_assets",
        "goodwill",
        "bargain_purchase_gain",
        "capital_reserve_adjustment",
        "nci_at_acquisition",
        "acquirer_interest",
        "stake_id",
    )
    return {name: getattr(row, name) for name in fields}


def _group_view(
    session: Session, *, actor: Actor, acquirer_id: str, acquiree_id: str, on: date
) -> tuple[Decimal, Decimal | None]:
    """(the acquirer's interest, the acquiree's NCI share when it is a subsidiary) in the group on `on`."""
    own = ownership_views.ownership_as_of(session, actor=actor, parent_id=acquirer_id, as_of=on)
    view = ownership_views.ownership_as_of(session, actor=actor, parent_id=own.ultimate_parent_id, as_of=on)
    lines = {line.entity.id: line.figures for line in view.lines}
    interest = lines[acquirer_id].interest_share if acquirer_id in lines else Decimal(1)
    acquiree = lines.get(acquiree_id)
    if acquiree is not None and acquiree.method == "subsidiary":
        return interest, acquiree.nci_share
    return interest, None


def _ensure_stake(session: Session, *, actor: Actor, request: AcquisitionInput, now: datetime) -> str | None:
    """Record the acquirer's holding from the acquisition date unless it is already in force as such."""
    current = ownership_service.list_stakes(
        session,
        actor=actor,
        limit=10,
        holder_id=request.acquirer_id,
        investee_id=request.acquiree_id,
        as_of=request.acquired_on,
    )
    if any(s.share == request.share and s.voting_share == request.voting_share for s in current):
        return None
    change = ownership_service.create_stake(
        session,
        actor=actor,
        holder_id=request.acquirer_id,
        investee_id=request.acquiree_id,
        share=request.share,
        voting_share=request.voting_share,
        valid_from=request.acquired_on,
        source="acquisition",
        now=now,
    )
    return change.stake.id


def record_acquisition(
    session: Session, *, actor: Actor, request: AcquisitionInput, now: datetime
) -> AcquisitionView:
    """Record a business combination (module docstring).

    Raises:
        EntityNotFoundError: acquirer or acquiree unknown or not visible to the actor.
        AcquisitionValidationError: every broken rule (shares, NCI method, accounts, common control...).
        StakeValidationError: the holding cannot be recorded (over-allocated, overlapping, inactive entity).
        OwnershipStateError: the holdings on the date cannot be evaluated.
    """
    with atomic(session):
        acquirer = entities_service.get_entity(session, actor=actor, entity_id=request.acquirer_id)
        acquiree = entities_service.get_entity(session, actor=actor, entity_id=request.acquiree_id)
        chart = load_chart(session)
        problems = acquisition_violations(request, chart)
        for name, entity in (("acquirer_id", acquirer), ("acquiree_id", acquiree)):
            if entity.kind != "company":
                problems.append({"loc": ["body", name], "msg": "must be a company", "type": "not_a_company"})
        if problems:
            raise AcquisitionValidationError("the acquisition cannot be recorded", errors=problems)
        source = "given" if request.equity_at_acquisition is not None else "books"
        equity = (
            list(request.equity_at_acquisition)
            if request.equity_at_acquisition is not None
            else Books(session, chart).equity_and_results(acquiree.id, request.acquired_on)
        )
        stake_id = _ensure_stake(session, actor=actor, request=request, now=now)
        everyone = replace(actor, entity_ids=None)
        interest, nci_share = _group_view(
            session, actor=everyone, acquirer_id=acquirer.id, acquiree_id=acquiree.id, on=request.acquired_on
        )
        tax = request.deferred_tax_rate or ZERO
        adjustments = [
            cd.FairValueAdjustment(a.account_code, a.amount, a.useful_life_months)
            for a in request.fair_value_adjustments
        ]
        try:
            net_assets = cd.fair_value_net_assets(
                equity_at_acquisition=dict(equity),
                fair_value_adjustments=adjustments,
                deferred_tax_rate=tax,
                accounts=chart.accounts,
            )
            gw = cd.compute_goodwill(
                consideration=request.consideration,
                net_assets=net_assets,
                share=request.share,
                nci_measurement=request.nci_measurement,  # type: ignore[arg-type]
                nci_fair_value=request.nci_fair_value,
                previously_held_fair_value=request.previously_held_fair_value or ZERO,
                acquirer_interest=interest,
                nci_share=nci_share,
                combination=request.combination,  # type: ignore[arg-type]
            )
        except cd.ConsolidationInputError as error:
            raise AcquisitionValidationError(error.detail, errors=engine_violations(error)) from error
        row = Acquisition(
            acquirer_id=acquirer.id,
            acquiree_id=acquiree.id,
            acquired_on=request.acquired_on,
            share=request.share,
            voting_share=request.voting_share,
            consideration=request.consideration,
            combination=request.combination,
            nci_measurement=request.nci_measurement,
            nci_fair_value=request.nci_fair_value,
            previously_held_fair_value=request.previously_held_fair_value or ZERO,
            previously_held_carrying_amount=request.previously_held_carrying_amount,
            deferred_tax_rate=tax,
            equity_source=source,
            currency=acquiree.functional_currency,
            net_assets=_m(net_assets),
            goodwill=_m(gw.goodwill),
            bargain_purchase_gain=_m(gw.bargain_purchase_gain),
            capital_reserve_adjustment=_m(gw.capital_reserve_adjustment),
            nci_at_acquisition=_m(gw.nci_at_acquisition),
            goodwill_attributable_to_nci=_m(gw.goodwill_attributable_to_nci),
            acquirer_interest=interest.quantize(RATIO_QUANTUM, rounding=ROUND_HALF_UP),
            stake_id=stake_id,
            created_at=now,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        lines = [AcquisitionEquity(acquisition_id=row.id, account_code=c, amount=a) for c, a in equity]
        fair_values = [
            FairValueAdjustment(
                acquisition_id=row.id,
                line_no=i + 1,
                account_code=a.account_code,
                amount=a.amount,
                useful_life_months=a.useful_life_months,
                contra_account_code=a.contra_account_code,
                expense_account_code=a.expense_account_code,
            )
            for i, a in enumerate(request.fair_value_adjustments)
        ]
        session.add_all([*lines, *fair_values])
        session.flush()
        after = acquisition_snapshot(row)
        after["equity_at_acquisition"] = dict(equity)
        after["fair_value_adjustments"] = [
            (a.account_code, a.amount, a.useful_life_months) for a in fair_values
        ]
        audit.record(
            session,
            actor=actor,
            action="consolidation.acquisition.recorded",
            subject_type="acquisition",
            subject_id=row.id,
            at=now,
            entity_id=acquiree.id,
            after=after,
        )
        return AcquisitionView(row, lines, fair_values, [], [])


def _visible(row: Acquisition | None, actor: Actor) -> bool:
    return row is not None and (actor.can_see(row.acquiree_id) or actor.can_see(row.acquirer_id))


def get_acquisition(
    session: Session, *, actor: Actor, acquisition_id: str, for_update: bool = False
) -> Acquisition:
    """Raises: AcquisitionNotFoundError (unknown, or neither party visible to the actor)."""
    row = repository.get_acquisition(session, acquisition_id, for_update=for_update)
    if row is None or not _visible(row, actor):
        raise AcquisitionNotFoundError(f"no acquisition {acquisition_id}")
    return row


def views(session: Session, rows: list[Acquisition]) -> list[AcquisitionView]:
    """The acquisitions with their lines, movements and impairments, in five queries."""
    ids = [r.id for r in rows]
    equity = repository.equity_lines(session, acquisition_ids=ids)
    adjustments = repository.fair_value_adjustments(session, acquisition_ids=ids)
    movements = repository.fair_value_movements(session, acquisition_ids=ids)
    impairments = repository.impairments(session, acquisition_ids=ids)
    return [
        AcquisitionView(r, equity[r.id], adjustments[r.id], movements[r.id], impairments[r.id]) for r in rows
    ]


def read_acquisition(session: Session, *, actor: Actor, acquisition_id: str) -> AcquisitionView:
    """Raises: AcquisitionNotFoundError."""
    return views(session, [get_acquisition(session, actor=actor, acquisition_id=acquisition_id)])[0]


def list_acquisitions(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    acquirer_id: str | None = None,
    acquiree_id: str | None = None,
) -> list[AcquisitionView]:
    rows = repository.list_acquisitions(
        session,
        after_id=after_id,
        limit=limit,
        acquirer_id=acquirer_id,
        acquiree_id=acquiree_id,
        entity_ids=actor.entity_ids,
    )
    return views(session, list(rows))
