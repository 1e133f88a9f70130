"""Use cases of equity stakes; the method overrides are in `override_service`, the ownership views built
on the engine in `view_service`.

Stakes and overrides are dated records that are never edited: a change of holding is a new record, and
the holder's open record for the same investee is ended on the new record's first day, in the same
transaction. Every stake write locks the holder and investee rows (`SELECT ... FOR UPDATE`, id order)
before it checks the rules, so two concurrent requests cannot together allocate more than 100% of an
investee. The figures (interest, control, method, NCI) come from the pure engine `app.ownership.domain`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.money import MONEY_SCALE, RATIO_SCALE
from app.entities import service as entities_service
from app.entities.domain import (
    EntityFacts,
    NewStake,
    StakeFacts,
    Violation,
    plan_stake,
)
from app.entities.errors import problem_errors
from app.entities.models import LegalEntity
from app.ownership import repository
from app.ownership.errors import (
    StakeAlreadyEndedError,
    StakeNotFoundError,
    StakesBeginAfterEndError,
    StakeValidationError,
)
from app.ownership.models import EquityStake

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


def visible_facts(entity: LegalEntity | None, actor: Actor) -> EntityFacts | None:
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
        holder = visible_facts(locked.get(holder_id), actor)
        investee = visible_facts(locked.get(investee_id), actor)
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
