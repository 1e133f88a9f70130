"""HTTP: equity stakes, method overrides, ownership figures and the structure chart.

Roles: every role reads (READERS). Stakes are facts from the business registration and are recorded by
admins, controllers and accountants (PREPARERS). A method override is a judgement (de-facto control, joint
venture) and is recorded by controllers and admins only (APPROVERS), the actor becoming `approved_by`.
A user limited to some entities sees the stakes touching its entities, the overrides of its entities and
the ownership lines of its entities; other parents and objects answer 404.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from fastapi import Depends, Query, Response

from app.core.context import Actor
from app.core.deps import NowDep, ReadSessionDep, SessionDep
from app.core.money import MONEY_QUANTUM
from app.core.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor
from app.core.problems import problem_responses
from app.core.routing import feature_router
from app.core.security import APPROVERS, PREPARERS, READERS
from app.ownership import override_service, service
from app.ownership import view_service as ownership_views
from app.ownership.models import EquityStake, MethodOverride
from app.ownership.schemas import (
    EntityHistoryRead,
    EntityOwnershipRead,
    MethodOverrideCreate,
    MethodOverrideCreated,
    MethodOverrideEnd,
    MethodOverrideRead,
    MethodPeriodRead,
    OwnerShareRead,
    OwnershipHistoryRead,
    OwnershipRead,
    StakeCreate,
    StakeCreated,
    StakeEnd,
    StakeRead,
    UltimateOwnershipRead,
    UltimateOwnersRead,
)
from app.users.auth import allow

stakes_router = feature_router(tag="stakes", prefix="/stakes")
overrides_router = feature_router(tag="ownership", prefix="/method-overrides")
ownership_router = feature_router(tag="ownership", prefix="/ownership")

Reader = Annotated[Actor, Depends(allow(*READERS))]
Preparer = Annotated[Actor, Depends(allow(*PREPARERS))]
Approver = Annotated[Actor, Depends(allow(*APPROVERS))]
IdQuery = Annotated[str, Query(min_length=1, max_length=36)]
OptionalIdQuery = Annotated[str | None, Query(min_length=1, max_length=36)]


_TEN_PLACES = Decimal(1).scaleb(-10)


def quantize10(value: Decimal) -> Decimal:
    """An ownership figure as published: ten decimal places, ROUND_HALF_UP (0.564 -> "0.5640000000")."""
    return value.quantize(_TEN_PLACES, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> Decimal:
    """A stored share without the column's trailing zeros ("0.800000000000" -> "0.8")."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _money(value: Decimal | None) -> Decimal | None:
    """Money with its four places, as stored ("8000000" -> "8000000.0000")."""
    return value.quantize(MONEY_QUANTUM) if value is not None else None


def stake_read(stake: EquityStake) -> StakeRead:
    return StakeRead(
        id=stake.id,
        holder_id=stake.holder_id,
        investee_id=stake.investee_id,
        share=_plain(stake.share),
        voting_share=_plain(stake.voting_share),
        valid_from=stake.valid_from,
        valid_to=stake.valid_to,
        capital_subscribed=_money(stake.capital_subscribed),
        capital_paid=_money(stake.capital_paid),
        source=stake.source,
        created_at=stake.created_at,
    )


def override_read(override: MethodOverride) -> MethodOverrideRead:
    return MethodOverrideRead(
        id=override.id,
        parent_id=override.parent_id,
        entity_id=override.entity_id,
        method=override.method,
        reason=override.reason,
        approved_by=override.approved_by,
        valid_from=override.valid_from,
        valid_to=override.valid_to,
        created_at=override.created_at,
    )


def _after(cursor: str | None) -> str | None:
    values = decode_cursor(cursor, arity=1)
    return str(values[0]) if values else None


# ---------------------------------------------------------------------------------------------- stakes


@stakes_router.post("", response_model=StakeCreated, status_code=201, operation_id="create_stake")
def create_stake(
    body: StakeCreate, actor: Preparer, session: SessionDep, now: NowDep, response: Response
) -> StakeCreated:
    """Record a direct holding. A later record of the same pair ends the holder's open one on its
    `valid_from` (a change of holding). Every violated rule is reported at once, each naming its field."""
    change = service.create_stake(
        session,
        actor=actor,
        holder_id=body.holder_id,
        investee_id=body.investee_id,
        share=body.share,
        voting_share=body.voting_share,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        capital_subscribed=body.subscribed,
        capital_paid=body.capital_paid,
        now=now,
    )
    response.headers["Location"] = f"/api/v1/stakes/{change.stake.id}"
    superseded = stake_read(change.superseded) if change.superseded is not None else None
    return StakeCreated(**stake_read(change.stake).model_dump(), superseded=superseded)


@stakes_router.get("", response_model=Page[StakeRead], operation_id="list_stakes")
def list_stakes(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    holder_id: OptionalIdQuery = None,
    investee_id: OptionalIdQuery = None,
    as_of: Annotated[date | None, Query(description="only stakes in force on that date")] = None,
) -> Page[StakeRead]:
    rows = service.list_stakes(
        session,
        actor=actor,
        limit=limit + 1,
        after_id=_after(cursor),
        holder_id=holder_id,
        investee_id=investee_id,
        as_of=as_of,
    )
    items = [stake_read(s) for s in rows[:limit]]
    return Page[StakeRead](
        items=items, next_cursor=encode_cursor([items[-1].id]) if len(rows) > limit else None
    )


@stakes_router.get(
    "/{stake_id}", response_model=StakeRead, operation_id="read_stake", responses=problem_responses(404)
)
def read_stake(stake_id: str, actor: Reader, session: ReadSessionDep) -> StakeRead:
    return stake_read(service.get_stake(session, actor=actor, stake_id=stake_id))


@stakes_router.post(
    "/{stake_id}/end",
    response_model=StakeRead,
    operation_id="end_stake",
    responses=problem_responses(404, 409),
)
def end_stake(stake_id: str, body: StakeEnd, actor: Preparer, session: SessionDep, now: NowDep) -> StakeRead:
    """End an open stake on `valid_to` (exclusive: its first day without the holding)."""
    return stake_read(
        service.end_stake(session, actor=actor, stake_id=stake_id, valid_to=body.valid_to, now=now)
    )


# ---------------------------------------------------------------------------------------------- overrides


@overrides_router.post(
    "", response_model=MethodOverrideCreated, status_code=201, operation_id="create_method_override"
)
def create_method_override(
    body: MethodOverrideCreate, actor: Approver, session: SessionDep, now: NowDep, response: Response
) -> MethodOverrideCreated:
    """A documented manual method (joint venture, de-facto control, ...); the actor is the approver."""
    change = override_service.create_method_override(
        session,
        actor=actor,
        parent_id=body.parent_id,
        entity_id=body.entity_id,
        method=body.method,
        reason=body.reason,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        now=now,
    )
    response.headers["Location"] = f"/api/v1/method-overrides/{change.override.id}"
    superseded = override_read(change.superseded) if change.superseded is not None else None
    return MethodOverrideCreated(**override_read(change.override).model_dump(), superseded=superseded)


@overrides_router.get("", response_model=Page[MethodOverrideRead], operation_id="list_method_overrides")
def list_method_overrides(
    actor: Reader,
    session: ReadSessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    parent_id: OptionalIdQuery = None,
    entity_id: OptionalIdQuery = None,
    as_of: date | None = None,
) -> Page[MethodOverrideRead]:
    rows = override_service.list_method_overrides(
        session,
        actor=actor,
        limit=limit + 1,
        after_id=_after(cursor),
        parent_id=parent_id,
        entity_id=entity_id,
        as_of=as_of,
    )
    items = [override_read(o) for o in rows[:limit]]
    next_cursor = encode_cursor([items[-1].id]) if len(rows) > limit else None
    return Page[MethodOverrideRead](items=items, next_cursor=next_cursor)


@overrides_router.get(
    "/{override_id}",
    response_model=MethodOverrideRead,
    operation_id="read_method_override",
    responses=problem_responses(404),
)
def read_method_override(override_id: str, actor: Reader, session: ReadSessionDep) -> MethodOverrideRead:
    return override_read(override_service.get_method_override(session, actor=actor, override_id=override_id))


@overrides_router.post(
    "/{override_id}/end",
    response_model=MethodOverrideRead,
    operation_id="end_method_override",
    responses=problem_responses(404, 409),
)
def end_method_override(
    override_id: str, body: MethodOverrideEnd, actor: Approver, session: SessionDep, now: NowDep
) -> MethodOverrideRead:
    override = override_service.end_method_override(
        session, actor=actor, override_id=override_id, valid_to=body.valid_to, now=now
    )
    return override_read(override)


# ---------------------------------------------------------------------------------------------- ownership


@ownership_router.get(
    "", response_model=OwnershipRead, operation_id="read_ownership", responses=problem_responses(404, 409)
)
def read_ownership(parent_id: IdQuery, as_of: date, actor: Reader, session: ReadSessionDep) -> OwnershipRead:
    """Control share (decides the method), interest share (every path, cycles included), NCI direct and
    indirect, group share, method and the date control began, for every entity the parent reaches.
    Shares are decimal strings with ten places."""
    view = ownership_views.ownership_as_of(session, actor=actor, parent_id=parent_id, as_of=as_of)
    return OwnershipRead(
        parent_id=view.parent.id,
        as_of=view.as_of,
        ultimate_parent_id=view.ultimate_parent_id,
        entities=[
            EntityOwnershipRead(
                entity_id=line.entity.id,
                code=line.entity.code,
                name=line.entity.name,
                control_share=quantize10(line.figures.control_share),
                interest_share=quantize10(line.figures.interest_share),
                nci_share=quantize10(line.figures.nci_share),
                nci_direct=quantize10(line.figures.nci_direct),
                nci_indirect=quantize10(line.figures.nci_indirect),
                group_share=quantize10(line.figures.group_share),
                group_holding=quantize10(line.figures.group_holding),
                method=line.figures.method,
                computed_method=line.figures.computed_method,
                overridden=line.figures.overridden,
                override_reason=line.figures.override_reason,
                exact=line.figures.exact,
                control_since=line.control_since,
            )
            for line in view.lines
        ],
    )


@ownership_router.get(
    "/history",
    response_model=OwnershipHistoryRead,
    operation_id="read_ownership_history",
    responses=problem_responses(404, 409),
)
def read_ownership_history(
    parent_id: IdQuery, actor: Reader, session: ReadSessionDep, entity_id: OptionalIdQuery = None
) -> OwnershipHistoryRead:
    """Each entity's method, control and interest share by period (valid_to exclusive, null = still so)."""
    histories = ownership_views.ownership_history(
        session, actor=actor, parent_id=parent_id, entity_id=entity_id
    )
    return OwnershipHistoryRead(
        parent_id=parent_id,
        entities=[
            EntityHistoryRead(
                entity_id=h.entity.id,
                code=h.entity.code,
                name=h.entity.name,
                periods=[
                    MethodPeriodRead(
                        valid_from=p.valid_from,
                        valid_to=p.valid_to,
                        method=p.method,
                        control_share=quantize10(p.control_share),
                        interest_share=quantize10(p.interest_share),
                    )
                    for p in h.periods
                ],
            )
            for h in histories
        ],
    )


@ownership_router.get(
    "/ultimate-owners",
    response_model=UltimateOwnersRead,
    operation_id="read_ultimate_owners",
    responses=problem_responses(404, 409),
)
def read_ultimate_owners(
    group_owner_id: IdQuery,
    as_of: date,
    actor: Reader,
    session: ReadSessionDep,
    detail_for: Annotated[list[str], Query(max_length=100, description="entities to show separately")] = [],  # noqa: B006
) -> UltimateOwnersRead:
    """For every company: the share ultimately held by the group owner's own shareholders and by outsiders
    (they add up to 1, cycles included), and by each `detail_for` entity's own shareholders."""
    view = ownership_views.ultimate_owners(
        session, actor=actor, group_owner_id=group_owner_id, as_of=as_of, detail_for=detail_for
    )
    return UltimateOwnersRead(
        as_of=view.as_of,
        group_owner_id=view.group_owner.id,
        companies=[
            UltimateOwnershipRead(
                entity_id=entity.id,
                code=entity.code,
                name=entity.name,
                group_share=quantize10(figures.group),
                outside_share=quantize10(figures.outside),
                exact=figures.exact,
                by_owner=[OwnerShareRead(owner_id=o, share=quantize10(s)) for o, s in figures.by_owner],
            )
            for entity, figures in view.companies
        ],
    )


@ownership_router.get(
    "/chart.svg",
    response_class=Response,
    operation_id="read_ownership_chart",
    responses={
        200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "the chart"},
        **problem_responses(404, 409, 503),
    },
)
def read_ownership_chart(parent_id: IdQuery, as_of: date, actor: Reader, session: ReadSessionDep) -> Response:
    """The structure on `as_of` drawn by Graphviz: parent on top, holdings labelled in percent, nodes styled
    by method, outside holders dashed. 503 `graphviz-missing` when the server lacks Graphviz."""
    svg = ownership_views.structure_chart(session, actor=actor, parent_id=parent_id, as_of=as_of)
    return Response(content=svg, media_type="image/svg+xml")
