"""HTTP: events that reshape the group, each with a preview that answers its full effect without writing.

Roles: preparers (admin, controller, accountant) preview; approvers (admin, controller) commit. A commit
answers the plan it executed (the same document the preview answered); a commit whose plan breaks rules is a
422 `group-event-invalid` listing every violation, and nothing is written. Every reader may read committed
events; a user limited to some entities sees the events touching only its entities.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Response

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import APPROVERS, PREPARERS, READERS
from app.events import service
from app.events.domain import NewEntity
from app.events.models import GroupEvent
from app.events.schemas import (
    CapitalIncreaseCreate,
    CapitalReductionCreate,
    CommonControlCombinationCreate,
    DisposalCreate,
    EventPlanRead,
    MergerCreate,
    ShareTransferCreate,
    TermsIn,
    plan_read,
)
from app.users.auth import allow

router = feature_router(tag="group events")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]
Approver = Annotated[Actor, Depends(allow(*APPROVERS))]
_ERRORS = problem_responses(404, 409, 422)


def _terms(body: TermsIn) -> service.Terms:
    return service.Terms(
        parent_id=body.parent_id,
        standard=body.standard,
        net_assets=body.net_assets,
        goodwill=body.goodwill,
        nci_carrying_amount=body.nci_carrying_amount,
        nci_measurement=body.nci_measurement,
        nci_fair_value=body.nci_fair_value,
        cta=body.cta,
        combination=body.combination,
        fair_value_net_assets=body.fair_value_net_assets,
        previously_held_fair_value=body.previously_held_fair_value,
        retained_interest_fair_value=body.retained_interest_fair_value,
        seller_carrying_amount=body.seller_carrying_amount,
        registered_capital=body.registered_capital,
    )


def share_transfer_request(body: ShareTransferCreate) -> service.ShareTransferRequest:
    return service.ShareTransferRequest(
        kind="share_transfer",
        investee_id=body.investee_id,
        seller_id=body.seller_id,
        buyer_id=body.buyer_id,
        on=body.transfer_on,
        share=body.share,
        capital_amount=body.capital_amount,
        consideration=body.consideration,
        terms=_terms(body),
    )


def disposal_request(body: DisposalCreate) -> service.ShareTransferRequest:
    return service.ShareTransferRequest(
        kind="disposal",
        investee_id=body.investee_id,
        seller_id=body.holder_id,
        buyer_id=body.buyer_id,
        on=body.disposed_on,
        share=body.share,
        capital_amount=body.capital_amount,
        consideration=body.consideration,
        terms=_terms(body),
    )


def capital_increase_request(body: CapitalIncreaseCreate) -> service.CapitalChangeRequest:
    return service.CapitalChangeRequest(
        kind="capital_increase",
        investee_id=body.investee_id,
        on=body.increased_on,
        movements=tuple((s.holder_id, s.capital_amount, s.contribution) for s in body.subscriptions),
        terms=_terms(body),
    )


def capital_reduction_request(body: CapitalReductionCreate) -> service.CapitalChangeRequest:
    return service.CapitalChangeRequest(
        kind="capital_reduction",
        investee_id=body.investee_id,
        on=body.reduced_on,
        movements=tuple((w.holder_id, w.capital_amount, w.refund) for w in body.withdrawals),
        terms=_terms(body),
    )


def common_control_request(body: CommonControlCombinationCreate) -> service.CommonControlRequest:
    consideration = body.consideration
    return service.CommonControlRequest(
        acquirer_id=body.acquirer_id,
        acquiree_id=body.acquiree_id,
        seller_id=body.seller_id,
        on=body.combined_on,
        share=body.share,
        capital_amount=body.capital_amount,
        cash=consideration.cash if consideration else None,
        fixed_assets=tuple(
            service.FixedAssetGiven(
                cost=a.cost,
                accumulated_depreciation=a.accumulated_depreciation,
                impairment=a.impairment,
                fair_value=a.fair_value,
                description=a.description,
            )
            for a in (consideration.fixed_assets if consideration else [])
        ),
        shares_par_value=consideration.shares_par_value if consideration else None,
        net_assets_in_controller_statements=body.net_assets_in_controller_statements,
        goodwill_in_controller_statements=body.goodwill_in_controller_statements,
        direct_costs=body.direct_costs,
        share_issue_costs=body.share_issue_costs,
        acquirer_registered_capital=body.acquirer_registered_capital,
        terms=_terms(body),
    )


def merger_request(body: MergerCreate) -> service.MergerRequest:
    spec = body.new_entity
    return service.MergerRequest(
        kind=body.kind,
        survivor_id=body.survivor_id,
        absorbed_ids=tuple(body.absorbed_ids),
        on=body.merged_on,
        exchange_ratios={r.entity_id: r.value for r in body.exchange_ratios},
        registered_capitals={r.entity_id: r.value for r in body.registered_capitals},
        new_entity=None
        if spec is None
        else NewEntity(
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            functional_currency=spec.functional_currency,
            uscc=spec.uscc,
            country=spec.country,
            segment=spec.segment,
        ),
        parent_id=body.parent_id,
    )


def _preview(session: Any, actor: Actor, request: service.EventRequest) -> EventPlanRead:
    result = service.preview_event(session, actor=actor, request=request)
    return plan_read(result.document, status="preview")


def _commit(
    session: Any, actor: Actor, request: service.EventRequest, body: Any, now: Any, response: Response
) -> EventPlanRead:
    result = service.commit_event(
        session, actor=actor, request=request, request_document=body.model_dump(mode="json"), now=now
    )
    event = result.event
    assert event is not None
    response.headers["Location"] = f"/api/v1/group-events/{event.id}"
    return event_read(event)


def event_read(event: GroupEvent) -> EventPlanRead:
    return plan_read(
        event.plan,
        status="committed",
        event_id=event.id,
        created_entity_id=event.created_entity_id,
        created_at=event.created_at,
        created_by=event.created_by,
    )


# ---------------------------------------------------------------------------------------------- routes


@router.post(
    "/share-transfers/preview",
    response_model=EventPlanRead,
    operation_id="preview_share_transfer",
    responses=_ERRORS,
)
def preview_share_transfer(body: ShareTransferCreate, actor: Preparer, session: SessionDep) -> EventPlanRead:
    """The full effect of a share transfer (classified by control before and after), without writing."""
    return _preview(session, actor, share_transfer_request(body))


@router.post(
    "/share-transfers",
    response_model=EventPlanRead,
    status_code=201,
    operation_id="commit_share_transfer",
    responses=_ERRORS,
)
def commit_share_transfer(
    body: ShareTransferCreate, actor: Approver, session: SessionDep, now: NowDep, response: Response
) -> EventPlanRead:
    """Transfer shares between holders: stakes recomputed, both sides booked, the group effect recorded."""
    return _commit(session, actor, share_transfer_request(body), body, now, response)


@router.post(
    "/disposals/preview", response_model=EventPlanRead, operation_id="preview_disposal", responses=_ERRORS
)
def preview_disposal(body: DisposalCreate, actor: Preparer, session: SessionDep) -> EventPlanRead:
    """The full effect of a disposal (equity transaction, loss of control...), without writing."""
    return _preview(session, actor, disposal_request(body))


@router.post(
    "/disposals",
    response_model=EventPlanRead,
    status_code=201,
    operation_id="commit_disposal",
    responses=_ERRORS,
)
def commit_disposal(
    body: DisposalCreate, actor: Approver, session: SessionDep, now: NowDep, response: Response
) -> EventPlanRead:
    """A group company sells shares of a company it holds."""
    return _commit(session, actor, disposal_request(body), body, now, response)


@router.post(
    "/capital-increases/preview",
    response_model=EventPlanRead,
    operation_id="preview_capital_increase",
    responses=_ERRORS,
)
def preview_capital_increase(
    body: CapitalIncreaseCreate, actor: Preparer, session: SessionDep
) -> EventPlanRead:
    """The full effect of a capital increase (stakes from capital amounts, dilution), without writing."""
    return _preview(session, actor, capital_increase_request(body))


@router.post(
    "/capital-increases",
    response_model=EventPlanRead,
    status_code=201,
    operation_id="commit_capital_increase",
    responses=_ERRORS,
)
def commit_capital_increase(
    body: CapitalIncreaseCreate, actor: Approver, session: SessionDep, now: NowDep, response: Response
) -> EventPlanRead:
    """Holders subscribe new capital; every holding is recomputed from the capital amounts."""
    return _commit(session, actor, capital_increase_request(body), body, now, response)


@router.post(
    "/capital-reductions/preview",
    response_model=EventPlanRead,
    operation_id="preview_capital_reduction",
    responses=_ERRORS,
)
def preview_capital_reduction(
    body: CapitalReductionCreate, actor: Preparer, session: SessionDep
) -> EventPlanRead:
    """The full effect of a capital reduction, without writing."""
    return _preview(session, actor, capital_reduction_request(body))


@router.post(
    "/capital-reductions",
    response_model=EventPlanRead,
    status_code=201,
    operation_id="commit_capital_reduction",
    responses=_ERRORS,
)
def commit_capital_reduction(
    body: CapitalReductionCreate, actor: Approver, session: SessionDep, now: NowDep, response: Response
) -> EventPlanRead:
    """Holders withdraw capital and are repaid; every holding is recomputed from the capital amounts."""
    return _commit(session, actor, capital_reduction_request(body), body, now, response)


@router.post(
    "/common-control-combinations/preview",
    response_model=EventPlanRead,
    operation_id="preview_common_control_combination",
    responses=_ERRORS,
)
def preview_common_control_combination(
    body: CommonControlCombinationCreate, actor: Preparer, session: SessionDep
) -> EventPlanRead:
    """The full effect of a combination under common control (CAS 20), without writing."""
    return _preview(session, actor, common_control_request(body))


@router.post(
    "/common-control-combinations",
    response_model=EventPlanRead,
    status_code=201,
    operation_id="commit_common_control_combination",
    responses=_ERRORS,
)
def commit_common_control_combination(
    body: CommonControlCombinationCreate,
    actor: Approver,
    session: SessionDep,
    now: NowDep,
    response: Response,
) -> EventPlanRead:
    """A combination under common control: carrying amounts in the controller's statements, no goodwill,
    the difference to capital reserve (then surplus reserve and retained earnings)."""
    return _commit(session, actor, common_control_request(body), body, now, response)


@router.post(
    "/mergers/preview", response_model=EventPlanRead, operation_id="preview_merger", responses=_ERRORS
)
def preview_merger(body: MergerCreate, actor: Preparer, session: SessionDep) -> EventPlanRead:
    """The full effect of an absorption or new-establishment merger, without writing."""
    return _preview(session, actor, merger_request(body))


@router.post(
    "/mergers", response_model=EventPlanRead, status_code=201, operation_id="commit_merger", responses=_ERRORS
)
def commit_merger(
    body: MergerCreate, actor: Approver, session: SessionDep, now: NowDep, response: Response
) -> EventPlanRead:
    """Merge companies (absorption or new establishment) under common control at carrying amounts."""
    return _commit(session, actor, merger_request(body), body, now, response)


@router.get("/group-events", response_model=Page[EventPlanRead], operation_id="list_group_events")
def list_group_events(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(min_length=1, max_length=36)] = None,
) -> Page[EventPlanRead]:
    """Committed events in the order they were committed; filter by kind or by an entity they touched."""
    values = decode_cursor(cursor, arity=1)
    rows = service.list_events(
        session,
        actor=actor,
        limit=limit,
        after_id=str(values[0]) if values else None,
        kind=kind,
        entity_id=entity_id,
    )
    items = [event_read(r) for r in rows]
    next_cursor = encode_cursor([rows[-1].id]) if len(rows) == limit else None
    return Page[EventPlanRead](items=items, next_cursor=next_cursor)


@router.get(
    "/group-events/{event_id}",
    response_model=EventPlanRead,
    operation_id="get_group_event",
    responses=problem_responses(404),
)
def get_group_event(event_id: str, actor: Reader, session: ReadSessionDep) -> EventPlanRead:
    """A committed event: what was executed."""
    return event_read(service.get_event(session, actor=actor, event_id=event_id))
