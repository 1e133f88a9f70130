"""HTTP: the restructuring planner's preview (preparers only; nothing is written)."""

from __future__ import annotations

from app.analytics import plan_effects, planner
from app.analytics.api import period_read, state_read
from app.analytics.api_common import Preparer, bounded
from app.analytics.schemas import (
    AssetTransferPreviewRead,
    PlanIn,
    PlannedAssetTransfer,
    PlannedCapitalIncrease,
    PlannedCapitalReduction,
    PlannedCommonControlCombination,
    PlannedDisposal,
    PlannedEventRead,
    PlannedMerger,
    PlannedShareTransfer,
    PlanPreviewRead,
)
from app.core.context import Actor
from app.core.deps import SessionDep
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.events import api as events_api
from app.events.schemas import ViolationRead, plan_read

plans_router = feature_router(tag="analytics", prefix="/analytics")


def _planned_events(body: PlanIn) -> list[plan_effects.PlannedEvent]:
    out: list[plan_effects.PlannedEvent] = []
    for event in body.events:
        if isinstance(event, PlannedMerger):
            out.append(events_api.merger_request(event))
        elif isinstance(event, PlannedCapitalIncrease):
            out.append(events_api.capital_increase_request(event))
        elif isinstance(event, PlannedCapitalReduction):
            out.append(events_api.capital_reduction_request(event))
        elif isinstance(event, PlannedShareTransfer):
            out.append(events_api.share_transfer_request(event))
        elif isinstance(event, PlannedDisposal):
            out.append(events_api.disposal_request(event))
        elif isinstance(event, PlannedCommonControlCombination):
            out.append(events_api.common_control_request(event))
        elif isinstance(event, PlannedAssetTransfer):
            out.append(
                plan_effects.AssetTransferPlan(
                    asset_id=event.asset_id,
                    to_entity_id=event.to_entity_id,
                    kind=event.kind,
                    transfer_on=event.transfer_on,
                    price=event.price,
                )
            )
    return out


def preview_plan(session: SessionDep, actor: Actor, body: PlanIn) -> planner.PlanPreview:
    return planner.preview_plan(
        session,
        actor=actor,
        period_from=bounded(body.from_, ("body", "from")),
        period_to=bounded(body.to, ("body", "to")),
        events=_planned_events(body),
        parent_id=body.parent_id,
        currency=body.currency,
    )


def _effect_read(effect: plan_effects.EventEffect) -> PlannedEventRead:
    transfer = effect.transfer
    return PlannedEventRead(
        index=effect.index,
        type=effect.kind,
        ok=effect.ok,
        plan=plan_read(dict(effect.document), status="preview") if effect.document is not None else None,
        asset_transfer=None
        if transfer is None
        else AssetTransferPreviewRead(
            asset_id=transfer.asset_id,
            tag=transfer.tag,
            name=transfer.name,
            from_entity_id=transfer.from_entity_id,
            to_entity_id=transfer.to_entity_id,
            kind=transfer.kind,
            transfer_on=transfer.transfer_on,
            price=transfer.price,
            carrying_amount=transfer.carrying_amount,
            gain=transfer.gain,
            catch_up_depreciation=transfer.catch_up_depreciation,
            idle=transfer.idle,
        ),
        violations=[ViolationRead.model_validate(v) for v in effect.violations],
        notes=list(effect.notes),
    )


@plans_router.post(
    "/plans/preview",
    response_model=PlanPreviewRead,
    operation_id="preview_restructuring_plan",
    responses=problem_responses(404, 409, 422),
)
def preview_restructuring_plan(body: PlanIn, actor: Preparer, session: SessionDep) -> PlanPreviewRead:
    """The figures of the period before and after a planned restructuring; nothing is written.

    Each group event is planned by the events feature's own preview (the plan a commit would execute), each
    asset transfer by the asset register's rules; the figures after add every planned entry to its company's
    books, drop the merged companies and add a founded one, and move transferred assets between registers.
    Events are previewed on the recorded books, so two group events may not name the same company (422
    `analytics-plan-invalid`). Rule violations of an event are listed with it (`ok` false), and the figures
    are still shown."""
    preview = preview_plan(session, actor, body)
    return PlanPreviewRead(
        period=period_read(preview.period),
        currency=preview.currency,
        parent_id=preview.parent_id,
        ok=preview.ok,
        events=[_effect_read(e) for e in preview.effects],
        before=state_read(preview.before),
        after=state_read(preview.after),
    )
