"""Use cases of equity stakes and method overrides, and the ownership views built on the engine.

Stakes and overrides are dated records that are never edited: a change of holding is a new record, and
the holder's open record for the same investee is ended on the new record's first day, in the same
transaction. Every stake write locks the holder and investee rows (`SELECT ... FOR UPDATE`, id order)
before it checks the rules, so two concurrent requests cannot together allocate more than 100% of an
investee. The figures (interest, control, method, NCI) come from the pure engine `app.ownership.domain`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.heap import collection_paused
from app.core.money import MONEY_SCALE, RATIO_SCALE
from app.entities import service as entities_service
from app.entities.domain import (
    EntityFacts,
    NewStake,
    OverrideFacts,
    StakeFacts,
    Violation,
    exists_on,
    plan_method_override,
    plan_stake,
)
from app.entities.errors import problem_errors
from app.entities.models import LegalEntity
from app.entities.service import EntityName
from app.ownership import chart, repository
from app.ownership import domain as od
from app.ownership.errors import (
    MethodOverrideAlreadyEndedError,
    MethodOverrideNotFoundError,
    MethodOverrideValidationError,
    OwnershipQueryError,
    StakeAlreadyEndedError,
    StakeNotFoundError,
    StakesBeginAfterEndError,
    StakeValidationError,
    from_engine,
)
from app.ownership.models import EquityStake, MethodOverride

# ---------------------------------------------------------------------------------------------- helpers


def stake_snapshot(stake: EquityStake) -> dict[str, Any]:
    """The audited state of a stake."""
    return {
        "holder_id": stake.holder_id,
        "investee_id": stake.investee_id,
        "share": stake.share,
        "voting_share": stake.voting_share,
        "valid_from": stake.valid_from,
        "valid_to": stake.valid_to,
        "capital_subscribed": stake.capital_subscribed,
        "capital_paid": stake.capital_paid,
        "source": stake.source,
    }


def override_snapshot(override: MethodOverride) -> dict[str, Any]:
    """The audited state of a method override."""
    return {
        "parent_id": override.parent_id,
        "entity_id": override.entity_id,
        "method": override.method,
        "reason": override.reason,
        "approved_by": override.approved_by,
        "valid_from": override.valid_from,
        "valid_to": override.valid_to,
    }


def _stake_facts(stake: EquityStake) -> StakeFacts:
    return StakeFacts(
        id=stake.id,
        holder_id=stake.holder_id,
        investee_id=stake.investee_id,
        share=stake.share,
        voting_share=stake.voting_share,
        valid_from=stake.valid_from,
        valid_to=stake.valid_to,
    )


def _visible_facts(entity: LegalEntity | None, actor: Actor) -> EntityFacts | None:
    """The entity's facts, or None when it does not exist for this actor (unknown or outside its set)."""
    if entity is None or not actor.can_see(entity.id):
        return None
    return entities_service.entity_facts(entity)


def _scale_violations(values: Iterable[tuple[str, Decimal | None, int]]) -> list[Violation]:
    """Values with more decimals than their column keeps (refused, never rounded silently)."""
    out: list[Violation] = []
    for name, value, places in values:
        if value is not None and value.is_finite() and value != value.quantize(Decimal(1).scaleb(-places)):
            out.append(
                Violation(field=name, msg=f"at most {places} decimal places", type="too_many_decimals")
            )
    return out


def _stake_visible(stake: EquityStake, actor: Actor) -> bool:
    return actor.can_see(stake.holder_id) or actor.can_see(stake.investee_id)


# ---------------------------------------------------------------------------------------------- stakes


@dataclass(frozen=True)
class StakeChange:
    """A recorded stake and, for a change of holding, the same holder's record it ended."""

    stake: EquityStake
    superseded: EquityStake | None = None


def create_stake(
    session: Session,
    *,
    actor: Actor,
    holder_id: str,
    investee_id: str,
    share: Decimal,
    valid_from: date,
    now: datetime,
    voting_share: Decimal | None = None,
    valid_to: date | None = None,
    capital_subscribed: Decimal | None = None,
    capital_paid: Decimal | None = None,
    source: str | None = None,
) -> StakeChange:
    """Record a direct holding; a later record of the pair ends the holder's open one (change of holding).

    `voting_share` defaults to `share`. Checks, all reported at once: shares and votes in (0, 1]; holder is
    not the investee; both entities exist (and are visible to the actor) and are active over the whole
    period; no other record of the pair shares a day with it; capital and votes held in the investee sum
    to at most 1 on every date of the period; paid-in capital not above subscribed.

    Raises:
        StakeValidationError: every violation, each naming its field (`errors[].loc`).
    """
    with atomic(session):
        locked = entities_service.lock_entities(session, entity_ids={holder_id, investee_id})
        holder = _visible_facts(locked.get(holder_id), actor)
        investee = _visible_facts(locked.get(investee_id), actor)
        new = NewStake(
            holder_id=holder_id,
            investee_id=investee_id,
            share=share,
            voting_share=voting_share if voting_share is not None else share,
            valid_from=valid_from,
            valid_to=valid_to,
            capital_subscribed=capital_subscribed,
            capital_paid=capital_paid,
        )
        existing = (
            repository.stakes_of_investee_overlapping(
                session, investee_id=investee_id, valid_from=valid_from, valid_to=valid_to
            )
            if investee is not None and (valid_to is None or valid_to > valid_from)
            else []
        )
        plan = plan_stake(
            new=new, holder=holder, investee=investee, investee_stakes=[_stake_facts(s) for s in existing]
        )
        violations = list(plan.violations) + _scale_violations(
            [
                ("share", new.share, RATIO_SCALE),
                ("voting_share", new.voting_share, RATIO_SCALE),
                ("capital_subscribed", capital_subscribed, MONEY_SCALE),
                ("capital_paid", capital_paid, MONEY_SCALE),
            ]
        )
        if violations:
            raise StakeValidationError(
                f"the stake cannot be recorded: {violations[0].msg}"
                + (f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""),
                errors=problem_errors(violations),
            )
        superseded: EquityStake | None = None
        if plan.supersedes is not None:
            superseded = next(s for s in existing if s.id == plan.supersedes.id)
            _end(
                session,
                actor=actor,
                stake=superseded,
                valid_to=valid_from,
                now=now,
                reason="change of holding",
            )
        stake = EquityStake(
            holder_id=holder_id,
            investee_id=investee_id,
            share=new.share,
            voting_share=new.voting_share,
            valid_from=valid_from,
            valid_to=valid_to,
            capital_subscribed=capital_subscribed,
            capital_paid=capital_paid,
            source=source,
            created_at=now,
        )
        session.add(stake)
        session.flush()
        after = stake_snapshot(stake)
        if superseded is not None:
            after["supersedes"] = superseded.id
        audit.record(
            session,
            actor=actor,
            action="stake.created",
            subject_type="stake",
            subject_id=stake.id,
            at=now,
            entity_id=investee_id,
            after=after,
        )
        return StakeChange(stake=stake, superseded=superseded)


def _end(
    session: Session, *, actor: Actor, stake: EquityStake, valid_to: date, now: datetime, reason: str
) -> None:
    before = stake_snapshot(stake)
    stake.valid_to = valid_to
    session.flush()
    after = stake_snapshot(stake)
    after["reason"] = reason
    audit.record(
        session,
        actor=actor,
        action="stake.ended",
        subject_type="stake",
        subject_id=stake.id,
        at=now,
        entity_id=stake.investee_id,
        before=before,
        after=after,
    )


def get_stake(session: Session, *, actor: Actor, stake_id: str) -> EquityStake:
    """The stake, if the actor may see its holder or its investee.

    Raises:
        StakeNotFoundError: unknown, or neither party is visible to the actor.
    """
    stake = repository.get_stake(session, stake_id)
    if stake is None or not _stake_visible(stake, actor):
        raise StakeNotFoundError(f"no stake {stake_id}")
    return stake


def list_stakes(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    holder_id: str | None = None,
    investee_id: str | None = None,
    as_of: date | None = None,
) -> Sequence[EquityStake]:
    """Stakes in id order; `as_of` keeps those in force that day; limited actors see those touching theirs."""
    return repository.list_stakes(
        session,
        after_id=after_id,
        limit=limit,
        holder_id=holder_id,
        investee_id=investee_id,
        as_of=as_of,
        entity_ids=actor.entity_ids,
    )


def end_stake(session: Session, *, actor: Actor, stake_id: str, valid_to: date, now: datetime) -> EquityStake:
    """End an open stake on `valid_to` (its first day without the holding).

    Raises:
        StakeNotFoundError: unknown or not visible.
        StakeAlreadyEndedError: the stake already has an end (history is not edited).
        StakeValidationError: `valid_to` is not after `valid_from`.
    """
    with atomic(session):
        found = get_stake(session, actor=actor, stake_id=stake_id)
        entities_service.lock_entities(session, entity_ids={found.holder_id, found.investee_id})
        stake = repository.get_stake(session, stake_id, for_update=True)
        if stake is None:
            raise StakeNotFoundError(f"no stake {stake_id}")
        if stake.valid_to is not None:
            raise StakeAlreadyEndedError(
                f"stake {stake.id} already ended on {stake.valid_to}", valid_to=stake.valid_to.isoformat()
            )
        if valid_to <= stake.valid_from:
            violation = Violation(
                field="valid_to", msg=f"must be after valid_from ({stake.valid_from})", type="period_empty"
            )
            raise StakeValidationError("the stake cannot end then", errors=problem_errors([violation]))
        _end(session, actor=actor, stake=stake, valid_to=valid_to, now=now, reason="ended")
        return stake


def end_stakes_of_entity(
    session: Session, *, actor: Actor, entity_id: str, on: date, now: datetime
) -> list[EquityStake]:
    """End, on `on`, every stake held by or in an entity that ceases to exist that day (merger, dissolution).

    Joins the caller's transaction (the caller has locked the entity row).

    Raises:
        StakesBeginAfterEndError: some stakes of the entity begin on or after `on`.
    """
    with atomic(session):
        stakes = list(repository.stakes_running_past(session, entity_id=entity_id, on=on))
        later = [s for s in stakes if s.valid_from >= on]
        if later:
            raise StakesBeginAfterEndError(
                f"{len(later)} stake(s) of the entity begin on or after {on}; end or correct them first",
                stake_ids=[s.id for s in later],
            )
        for stake in stakes:
            _end(session, actor=actor, stake=stake, valid_to=on, now=now, reason="entity ceased")
        return stakes


# ---------------------------------------------------------------------------------------------- overrides


@dataclass(frozen=True)
class OverrideChange:
    override: MethodOverride
    superseded: MethodOverride | None = None


def create_method_override(
    session: Session,
    *,
    actor: Actor,
    parent_id: str,
    entity_id: str,
    method: str,
    reason: str,
    valid_from: date,
    now: datetime,
    valid_to: date | None = None,
) -> OverrideChange:
    """Record a documented method for `entity_id` under `parent_id` (e.g. a joint venture, de-facto control).

    The actor is recorded as the approver (routes allow controllers and admins only). An open override of
    the same pair that starts earlier is ended on `valid_from`.

    Raises:
        MethodOverrideValidationError: unknown or inactive entities, the parent itself, an unknown method,
            an empty reason or period, an overlap; all at once.
    """
    with atomic(session):
        locked = entities_service.lock_entities(session, entity_ids={parent_id, entity_id})
        existing = (
            repository.overrides_of_pair_overlapping(
                session, parent_id=parent_id, entity_id=entity_id, valid_from=valid_from, valid_to=valid_to
            )
            if valid_to is None or valid_to > valid_from
            else []
        )
        plan = plan_method_override(
            parent=_visible_facts(locked.get(parent_id), actor),
            entity=_visible_facts(locked.get(entity_id), actor),
            parent_id=parent_id,
            entity_id=entity_id,
            reason=reason,
            valid_from=valid_from,
            valid_to=valid_to,
            pair_overrides=[
                OverrideFacts(id=o.id, method=o.method, valid_from=o.valid_from, valid_to=o.valid_to)
                for o in existing
            ],
        )
        violations = list(plan.violations)
        if method not in od.OVERRIDABLE_METHODS:
            allowed = ", ".join(sorted(od.OVERRIDABLE_METHODS))
            violations.append(
                Violation(field="method", msg=f"must be one of {allowed}", type="unknown_method")
            )
        if violations:
            raise MethodOverrideValidationError(
                f"the override cannot be recorded: {violations[0].msg}", errors=problem_errors(violations)
            )
        superseded: MethodOverride | None = None
        if plan.supersedes is not None:
            superseded = next(o for o in existing if o.id == plan.supersedes.id)
            _end_override(session, actor=actor, override=superseded, valid_to=valid_from, now=now)
        override = MethodOverride(
            parent_id=parent_id,
            entity_id=entity_id,
            method=method,
            reason=reason,
            approved_by=actor.username,
            valid_from=valid_from,
            valid_to=valid_to,
            created_at=now,
        )
        session.add(override)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="method_override.created",
            subject_type="method_override",
            subject_id=override.id,
            at=now,
            entity_id=entity_id,
            after=override_snapshot(override),
        )
        return OverrideChange(override=override, superseded=superseded)


def _end_override(
    session: Session, *, actor: Actor, override: MethodOverride, valid_to: date, now: datetime
) -> None:
    before = override_snapshot(override)
    override.valid_to = valid_to
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="method_override.ended",
        subject_type="method_override",
        subject_id=override.id,
        at=now,
        entity_id=override.entity_id,
        before=before,
        after=override_snapshot(override),
    )


def get_method_override(session: Session, *, actor: Actor, override_id: str) -> MethodOverride:
    """Raises MethodOverrideNotFoundError when unknown or its entity is not visible to the actor."""
    override = repository.get_override(session, override_id)
    if override is None or not actor.can_see(override.entity_id):
        raise MethodOverrideNotFoundError(f"no method override {override_id}")
    return override


def list_method_overrides(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    parent_id: str | None = None,
    entity_id: str | None = None,
    as_of: date | None = None,
) -> Sequence[MethodOverride]:
    return repository.list_overrides(
        session,
        after_id=after_id,
        limit=limit,
        parent_id=parent_id,
        entity_id=entity_id,
        as_of=as_of,
        entity_ids=actor.entity_ids,
    )


def end_method_override(
    session: Session, *, actor: Actor, override_id: str, valid_to: date, now: datetime
) -> MethodOverride:
    """End an open override on `valid_to`.

    Raises:
        MethodOverrideNotFoundError, MethodOverrideAlreadyEndedError, MethodOverrideValidationError.
    """
    with atomic(session):
        override = get_method_override(session, actor=actor, override_id=override_id)
        entities_service.lock_entities(session, entity_ids={override.parent_id, override.entity_id})
        override = repository.get_override(session, override_id, for_update=True) or override
        if override.valid_to is not None:
            raise MethodOverrideAlreadyEndedError(
                f"override {override.id} already ended on {override.valid_to}"
            )
        if valid_to <= override.valid_from:
            violation = Violation(
                field="valid_to", msg=f"must be after {override.valid_from}", type="period_empty"
            )
            raise MethodOverrideValidationError(
                "the override cannot end then", errors=problem_errors([violation])
            )
        _end_override(session, actor=actor, override=override, valid_to=valid_to, now=now)
        return override


# ---------------------------------------------------------------------------------------------- ownership


def _holding(stake: EquityStake) -> od.Holding:
    return od.Holding(
        holder=stake.holder_id, investee=stake.investee_id, share=stake.share, voting_share=stake.voting_share
    )


def holdings_on(session: Session, *, as_of: date) -> list[od.Holding]:
    """Every direct holding in force on `as_of`, as engine input (for consolidation and other features)."""
    return [_holding(s) for s in repository.stakes_in_force(session, as_of=as_of)]


def dated_holdings(session: Session, *, until: date | None = None) -> list[od.DatedHolding]:
    """Every stake that has started by `until` (None: all) as a dated engine holding."""
    return [
        od.DatedHolding(od.Holding(holder, investee, share, vote), valid_from, valid_to)
        for holder, investee, share, vote, valid_from, valid_to in repository.stake_terms_starting_by(
            session, until=until
        )
    ]


def _dated_overrides(session: Session, *, parent_id: str, until: date | None) -> list[od.DatedMethodOverride]:
    return [
        od.DatedMethodOverride(
            override=od.MethodOverride(entity=o.entity_id, method=o.method, reason=o.reason),
            valid_from=o.valid_from,
            valid_to=o.valid_to,
        )
        for o in repository.overrides_of_parent(session, parent_id=parent_id, until=until)
    ]


def _in_force(valid_from: date, valid_to: date | None, on: date) -> bool:
    return valid_from <= on and (valid_to is None or on < valid_to)


def _ever_reachable(parent: str, holdings: Iterable[od.DatedHolding]) -> set[str]:
    """Entities the parent reaches through holdings of any date: only their holdings affect its view."""
    out_edges: dict[str, set[str]] = {}
    for dated in holdings:
        out_edges.setdefault(dated.holding.holder, set()).add(dated.holding.investee)
    seen = {parent}
    frontier = [parent]
    while frontier:
        for investee in out_edges.get(frontier.pop(), ()):
            if investee not in seen:
                seen.add(investee)
                frontier.append(investee)
    return seen


def _for_history(
    parent: str, dated: list[od.DatedHolding], *, reached: Collection[str] = ()
) -> list[od.DatedHolding]:
    """The holdings `method_history` needs for the parent's history: those of every entity the parent
    reaches through holdings of any date (the rest of the register cannot change its view).

    `reached` is what the parent is known to reach (on the as-of date: the engine's result). When no
    holding leads out of it, it is closed, so it is exactly that set and one pass suffices; the register
    is walked as a graph only when a holding of another date does lead further.
    """
    seen = {parent, *reached}
    if any(d.holding.holder in seen and d.holding.investee not in seen for d in dated):
        seen = _ever_reachable(parent, dated)
    return [d for d in dated if d.holding.holder in seen]


def _control_since(periods: Sequence[od.MethodPeriod], as_of: date) -> date | None:
    """First day of the unbroken run of subsidiary periods that contains `as_of` (None: not a subsidiary).

    The same reading of `method_history` as the engine's `control_since`, done once for every entity from
    one history instead of one history per entity.
    """
    current = next((i for i, p in enumerate(periods) if _in_force(p.valid_from, p.valid_to, as_of)), None)
    if current is None or periods[current].method != od.SUBSIDIARY:
        return None
    while (
        current > 0
        and periods[current - 1].method == od.SUBSIDIARY
        and periods[current - 1].valid_to == periods[current].valid_from
    ):
        current -= 1
    return periods[current].valid_from


def _parent(session: Session, *, actor: Actor, parent_id: str, as_of: date | None) -> LegalEntity:
    parent = entities_service.get_entity(session, actor=actor, entity_id=parent_id)
    if as_of is not None and not exists_on(
        established_on=parent.established_on, ended_on=parent.ended_on, day=as_of
    ):
        raise OwnershipQueryError(
            f"entity {parent.code} did not exist on {as_of}",
            errors=problem_errors(
                [
                    Violation(
                        field="as_of", msg=f"{parent.code} did not exist on {as_of}", type="entity_not_active"
                    )
                ],
                prefix=("query",),
            ),
        )
    return parent


@dataclass(frozen=True)
class OwnershipLine:
    entity: EntityName
    figures: od.EntityOwnership
    control_since: date | None


@dataclass(frozen=True)
class OwnershipView:
    """The parent's view on `as_of`: one line per entity it reaches (that the actor may see), parent first.

    `holdings` are the holdings in force that day and `entities` every entity they name (for the chart).
    """

    parent: LegalEntity
    as_of: date
    ultimate_parent_id: str
    lines: list[OwnershipLine]
    holdings: list[od.Holding]
    entities: dict[str, EntityName]


@collection_paused()
def ownership_as_of(session: Session, *, actor: Actor, parent_id: str, as_of: date) -> OwnershipView:
    """Control, interest, method, NCI and the date control began, for every entity the parent reaches.

    Raises:
        EntityNotFoundError: the parent is unknown or not visible to the actor.
        OwnershipQueryError: the parent did not exist on `as_of`.
        OwnershipStateError: the recorded holdings cannot be evaluated (a closed cycle, ...).
    """
    parent = _parent(session, actor=actor, parent_id=parent_id, as_of=as_of)
    dated = dated_holdings(session, until=as_of)
    holdings = [d.holding for d in dated if _in_force(d.valid_from, d.valid_to, as_of)]
    overrides = _dated_overrides(session, parent_id=parent.id, until=as_of)
    try:
        result = od.compute_ownership(
            parent=parent.id,
            holdings=holdings,
            overrides=[o.override for o in overrides if _in_force(o.valid_from, o.valid_to, as_of)],
        )
        history: dict[str, list[od.MethodPeriod]] = {}
        if any(e.method == od.SUBSIDIARY for e in result.entities):
            history = od.method_history(
                parent=parent.id,
                holdings=_for_history(parent.id, dated, reached=[e.entity for e in result.entities]),
                overrides=overrides,
                until=as_of + timedelta(days=1),
                latest=result,
            )
    except od.OwnershipError as error:
        raise from_engine(error) from error
    named = (
        {h.holder for h in holdings} | {h.investee for h in holdings} | {parent.id, result.ultimate_parent}
    )
    entities = entities_service.entity_names(session, entity_ids=named)
    lines = [
        OwnershipLine(
            entity=entities[figures.entity],
            figures=figures,
            control_since=_control_since(history.get(figures.entity, []), as_of),
        )
        for figures in result.entities
        if actor.can_see(figures.entity)
    ]
    return OwnershipView(
        parent=parent,
        as_of=as_of,
        ultimate_parent_id=result.ultimate_parent,
        lines=lines,
        holdings=holdings,
        entities=entities,
    )


@dataclass(frozen=True)
class EntityHistory:
    entity: EntityName
    periods: list[od.MethodPeriod]


@collection_paused()
def ownership_history(
    session: Session, *, actor: Actor, parent_id: str, entity_id: str | None = None
) -> list[EntityHistory]:
    """Each entity's method, control and interest by period under the parent, over all recorded dates.

    Raises:
        EntityNotFoundError: the parent (or `entity_id`) is unknown or not visible.
        OwnershipStateError: the recorded holdings cannot be evaluated on some date (`on` says which).
    """
    parent = _parent(session, actor=actor, parent_id=parent_id, as_of=None)
    if entity_id is not None:
        entities_service.get_entity(session, actor=actor, entity_id=entity_id)
    dated = dated_holdings(session)
    try:
        history = od.method_history(
            parent=parent.id,
            holdings=_for_history(parent.id, dated),
            overrides=_dated_overrides(session, parent_id=parent.id, until=None),
        )
    except od.OwnershipError as error:
        raise from_engine(error) from error
    wanted = [entity_id] if entity_id is not None else sorted(history)
    entities = entities_service.entity_names(session, entity_ids=wanted)
    return [
        EntityHistory(entity=entities[e], periods=history.get(e, []))
        for e in wanted
        if e in entities and actor.can_see(e)
    ]


@dataclass(frozen=True)
class UltimateOwnersView:
    group_owner: LegalEntity
    as_of: date
    companies: list[tuple[EntityName, od.UltimateOwnership]]


@collection_paused()
def ultimate_owners(
    session: Session, *, actor: Actor, group_owner_id: str, as_of: date, detail_for: Collection[str] = ()
) -> UltimateOwnersView:
    """The ultimate-owner view (DOMAIN §1.4b): for each company, the share ultimately held by the group
    owner's own shareholders and by outsiders (summing to 1), and by each entity in `detail_for`.

    Raises:
        EntityNotFoundError: the group owner is unknown or not visible.
        OwnershipQueryError: an entity in `detail_for` is unknown or not visible.
        OwnershipStateError: the holdings cannot be evaluated.
    """
    owner = _parent(session, actor=actor, parent_id=group_owner_id, as_of=as_of)
    known = entities_service.entities_by_id(session, entity_ids=detail_for)
    missing = [e for e in detail_for if e not in known or not actor.can_see(e)]
    if missing:
        raise OwnershipQueryError(
            "unknown entities in detail_for",
            errors=problem_errors(
                [Violation(field="detail_for", msg=f"no entity {e}", type="unknown_entity") for e in missing],
                prefix=("query",),
            ),
        )
    holdings = holdings_on(session, as_of=as_of)
    try:
        view = od.ultimate_owner_view(holdings=holdings, group_owner=owner.id, detail_for=list(detail_for))
    except od.OwnershipError as error:
        raise from_engine(error) from error
    entities = entities_service.entity_names(session, entity_ids=[c.company for c in view.companies])
    companies = [
        (entities[c.company], c) for c in view.companies if c.company in entities and actor.can_see(c.company)
    ]
    companies.sort(key=lambda pair: pair[0].code)
    return UltimateOwnersView(group_owner=owner, as_of=as_of, companies=companies)


def structure_chart(session: Session, *, actor: Actor, parent_id: str, as_of: date) -> bytes:
    """The group structure on `as_of` drawn by Graphviz, as SVG.

    Raises what `ownership_as_of` raises, and GraphvizMissingError when `dot` is not installed.
    """
    chart.require_dot()
    view = ownership_as_of(session, actor=actor, parent_id=parent_id, as_of=as_of)
    members = {line.entity.id for line in view.lines}
    nodes = [
        chart.ChartNode(
            id=line.entity.id,
            name=line.entity.name,
            name_en=line.entity.name_en,
            code=line.entity.code,
            role=line.figures.method,
            interest=line.figures.interest_share,
        )
        for line in view.lines
    ]
    edges = [
        chart.ChartEdge(
            holder_id=h.holder, investee_id=h.investee, share=h.share, voting_share=h.voting_share
        )
        for h in view.holdings
        if h.investee in members and (h.holder in members or actor.can_see(h.holder))
    ]
    outside = sorted({e.holder_id for e in edges} - members)
    nodes += [
        chart.ChartNode(
            id=view.entities[e].id,
            name=view.entities[e].name,
            name_en=view.entities[e].name_en,
            code=view.entities[e].code,
            role=chart.OUTSIDE,
            interest=None,
        )
        for e in outside
    ]
    title = f"{view.parent.name} {view.as_of.isoformat()}"
    return chart.render_svg(parent_id=view.parent.id, nodes=nodes, edges=edges, title=title)
