"""The group register's record rules: when an entity exists, and when a new equity stake may be recorded.

A legal entity exists from `established_on` (inclusive; unknown = always) until `ended_on` (exclusive; the
day it was merged away or dissolved). Nothing is deleted, so every rule here is a rule about dates.

An equity stake is a dated direct holding. The register must never hold a state that cannot have been true:

- nobody holds itself (a company's own shares are treasury shares, not a stake);
- on every date, the capital shares held in one investee sum to at most 1, and so do the votes;
- one holder has at most one record per investee on any date (a change of holding is a new record, the old
  one is ended the day before, i.e. its exclusive `valid_to` is the new record's `valid_from`);
- both parties exist and are active on every date of the holding.

`plan_stake` checks a proposed stake against the investee's other records and returns every violation at
once, together with the open record that the new one supersedes. It reads no database: the service loads
the facts, locks the rows and applies the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from app.entities.uscc import validate_uscc

ACTIVE: Final = "active"
MERGED: Final = "merged"
DISSOLVED: Final = "dissolved"
COMPANY: Final = "company"
EXTERNAL: Final = "external"
ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: `field` names the input field, `type` is a stable code, `extra` gives the figures."""

    field: str
    msg: str
    type: str
    extra: dict[str, Any] = dataclass_field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "msg": self.msg, "type": self.type}
        out.update(self.extra)
        return out


def plain(value: Decimal) -> Decimal:
    """`value` without trailing zeros and never in exponent form (1.100000000000 -> 1.1, 1.000 -> 1)."""
    normal = value.normalize()
    return normal.quantize(ONE) if normal == normal.to_integral_value() else normal


def _violation(field_name: str, msg: str, type_: str, **extra: Any) -> Violation:
    return Violation(field=field_name, msg=msg, type=type_, extra=dict(extra))


# ---------------------------------------------------------------------------------------------- entities


@dataclass(frozen=True, slots=True)
class EntityFacts:
    """What the stake rules need to know about one legal entity."""

    id: str
    code: str
    established_on: date | None
    ended_on: date | None


def exists_on(*, established_on: date | None, ended_on: date | None, day: date) -> bool:
    """True when the entity exists on `day` (established_on inclusive, ended_on exclusive)."""
    if established_on is not None and day < established_on:
        return False
    return ended_on is None or day < ended_on


def active_throughout(
    *, established_on: date | None, ended_on: date | None, valid_from: date, valid_to: date | None
) -> bool:
    """True when the entity exists on every day of [valid_from, valid_to) (valid_to None: open-ended)."""
    if established_on is not None and valid_from < established_on:
        return False
    if ended_on is None:
        return True
    return valid_to is not None and valid_to <= ended_on


def uscc_violations(*, uscc: str | None, override_reason: str | None, may_override: bool) -> list[Violation]:
    """Every problem with a unified social credit code and its override.

    A code failing the GB 32100 check is accepted only with an override reason given by someone allowed to
    override (an admin): some pilot-era codes are registered although they fail. A reason for a code that
    passes, or without a code, is refused rather than stored: an override must mean something.
    """
    problems = validate_uscc(uscc) if uscc is not None else []
    out: list[Violation] = []
    has_reason = override_reason is not None and override_reason.strip() != ""
    if problems and not (has_reason and may_override):
        hint = "" if may_override else "; only an admin may record an override"
        out.append(_violation("uscc", "; ".join(problems) + hint, "uscc_invalid", problems=problems))
    if has_reason and not may_override:
        out.append(
            _violation(
                "uscc_override_reason", "only an admin may override the USCC check", "override_forbidden"
            )
        )
    elif has_reason and not problems:
        what = "there is no code" if uscc is None else "the code passes the check"
        out.append(
            _violation("uscc_override_reason", f"{what}: no override is needed", "override_not_needed")
        )
    return out


# ---------------------------------------------------------------------------------------------- stakes


@dataclass(frozen=True, slots=True)
class StakeFacts:
    """One recorded stake, as the rules see it."""

    id: str
    holder_id: str
    investee_id: str
    share: Decimal
    voting_share: Decimal
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class NewStake:
    """A proposed stake (voting_share already defaulted to share by the caller)."""

    holder_id: str
    investee_id: str
    share: Decimal
    voting_share: Decimal
    valid_from: date
    valid_to: date | None = None
    capital_subscribed: Decimal | None = None
    capital_paid: Decimal | None = None


@dataclass(frozen=True)
class StakePlan:
    """The outcome of checking a new stake: its violations, and the open record it supersedes (if any)."""

    violations: tuple[Violation, ...]
    supersedes: StakeFacts | None = None

    @property
    def ok(self) -> bool:
        return not self.violations


def overlaps(*, a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """True when [a_from, a_to) and [b_from, b_to) share at least one day (None = open-ended)."""
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)


@dataclass(frozen=True, slots=True)
class OverAllocation:
    """The first date on which the holdings of an investee would sum above 1, and the sum that day."""

    on: date
    total: Decimal


def first_over_allocation(
    *,
    others: Iterable[tuple[Decimal, date, date | None]],
    amount: Decimal,
    valid_from: date,
    valid_to: date | None,
    limit: Decimal = ONE,
) -> OverAllocation | None:
    """The first day in [valid_from, valid_to) on which `amount` plus the others in force exceeds `limit`.

    `others` are (amount, valid_from, valid_to) of the other records. The sum is a step function that only
    changes where a record starts, so checking the period's first day and every start inside it is enough
    (ends only lower the sum).
    """
    dated = [o for o in others if overlaps(a_from=o[1], a_to=o[2], b_from=valid_from, b_to=valid_to)]
    starts = sorted({valid_from} | {start for _, start, _ in dated if start > valid_from})
    for day in starts:
        total = amount + sum(
            (value for value, start, end in dated if start <= day and (end is None or day < end)), ZERO
        )
        if total > limit:
            return OverAllocation(on=day, total=total)
    return None


def _share_violations(new: NewStake) -> list[Violation]:
    out: list[Violation] = []
    for name, value in (("share", new.share), ("voting_share", new.voting_share)):
        if not ZERO < value <= ONE:
            out.append(
                _violation(name, f"must be more than 0 and at most 1, got {value}", "share_out_of_range")
            )
    for name, amount in (("capital_subscribed", new.capital_subscribed), ("capital_paid", new.capital_paid)):
        if amount is not None and amount < ZERO:
            out.append(_violation(name, f"must not be negative, got {amount}", "negative_amount"))
    if (
        new.capital_subscribed is not None
        and new.capital_paid is not None
        and new.capital_paid > new.capital_subscribed >= ZERO
    ):
        out.append(
            _violation(
                "capital_paid",
                f"paid-in capital {new.capital_paid} exceeds the subscribed {new.capital_subscribed}",
                "paid_exceeds_subscribed",
            )
        )
    if new.valid_to is not None and new.valid_to <= new.valid_from:
        out.append(_violation("valid_to", "must be after valid_from", "period_empty"))
    if new.holder_id == new.investee_id:
        out.append(_violation("investee_id", "an entity cannot hold its own shares", "self_holding"))
    return out


def _party_violations(
    new: NewStake, *, holder: EntityFacts | None, investee: EntityFacts | None
) -> list[Violation]:
    out: list[Violation] = []
    for name, party, party_id in (
        ("holder_id", holder, new.holder_id),
        ("investee_id", investee, new.investee_id),
    ):
        if party is None:
            out.append(_violation(name, f"no entity {party_id}", "unknown_entity"))
        elif not active_throughout(
            established_on=party.established_on,
            ended_on=party.ended_on,
            valid_from=new.valid_from,
            valid_to=new.valid_to,
        ):
            span = f"from {party.established_on or 'the start'} to {party.ended_on or 'open'}"
            out.append(
                _violation(
                    name,
                    f"{party.code} is not active over the whole period (it exists {span})",
                    "entity_not_active",
                    established_on=party.established_on,
                    ended_on=party.ended_on,
                )
            )
    return out


def plan_stake(
    *,
    new: NewStake,
    holder: EntityFacts | None,
    investee: EntityFacts | None,
    investee_stakes: Sequence[StakeFacts],
) -> StakePlan:
    """Check `new` against the investee's recorded stakes; every violation at once.

    An open record of the same holder that starts before the new one is superseded: it will end on the new
    record's `valid_from`, and the sums are checked with it ended. Any other record of the same pair that
    shares a day with the new one is an overlap. `investee_stakes` are all records of the investee.
    """
    violations = _share_violations(new) + _party_violations(new, holder=holder, investee=investee)
    if new.valid_to is not None and new.valid_to <= new.valid_from:
        return StakePlan(violations=tuple(violations))
    supersedes: StakeFacts | None = None
    others: list[StakeFacts] = []
    for stake in investee_stakes:
        if stake.investee_id != new.investee_id:
            continue
        same_pair = stake.holder_id == new.holder_id
        if same_pair and stake.valid_to is None and stake.valid_from < new.valid_from:
            supersedes = stake
            continue
        if same_pair and overlaps(
            a_from=stake.valid_from, a_to=stake.valid_to, b_from=new.valid_from, b_to=new.valid_to
        ):
            violations.append(
                _violation(
                    "valid_from",
                    f"overlaps stake {stake.id} of the same holder "
                    f"({stake.valid_from} to {stake.valid_to or 'open'})",
                    "stake_overlap",
                    stake_id=stake.id,
                )
            )
        others.append(stake)
    for name, amount in (("share", new.share), ("voting_share", new.voting_share)):
        if any(v.field == name for v in violations):
            continue
        held = [(s.share if name == "share" else s.voting_share, s.valid_from, s.valid_to) for s in others]
        over = first_over_allocation(
            others=held, amount=amount, valid_from=new.valid_from, valid_to=new.valid_to
        )
        if over is not None:
            what = "shares" if name == "share" else "votes"
            violations.append(
                _violation(
                    name,
                    f"{what} held in the investee would sum to {plain(over.total)} on {over.on} (at most 1)",
                    "over_allocated",
                    on=over.on,
                    total=plain(over.total),
                )
            )
    return StakePlan(violations=tuple(violations), supersedes=supersedes)


# ---------------------------------------------------------------------------------------------- overrides


@dataclass(frozen=True, slots=True)
class OverrideFacts:
    """One recorded method override of a (parent, entity) pair."""

    id: str
    method: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class OverridePlan:
    violations: tuple[Violation, ...]
    supersedes: OverrideFacts | None = None

    @property
    def ok(self) -> bool:
        return not self.violations


def plan_method_override(
    *,
    parent: EntityFacts | None,
    entity: EntityFacts | None,
    parent_id: str,
    entity_id: str,
    reason: str,
    valid_from: date,
    valid_to: date | None,
    pair_overrides: Sequence[OverrideFacts],
) -> OverridePlan:
    """Check a documented method override for (parent, entity); every violation at once.

    Like stakes, overrides are dated records: an open override of the same pair that starts earlier is
    superseded (ended on the new `valid_from`); any other shared day is an overlap. Both entities must exist
    over the whole period, and a reason is required: the override is what an auditor will ask about.
    """
    violations: list[Violation] = []
    for name, party, party_id in (("parent_id", parent, parent_id), ("entity_id", entity, entity_id)):
        if party is None:
            violations.append(_violation(name, f"no entity {party_id}", "unknown_entity"))
        elif not active_throughout(
            established_on=party.established_on,
            ended_on=party.ended_on,
            valid_from=valid_from,
            valid_to=valid_to,
        ):
            violations.append(
                _violation(name, f"{party.code} is not active over the whole period", "entity_not_active")
            )
    if parent_id == entity_id:
        violations.append(
            _violation("entity_id", "the parent's own method is not overridden", "self_override")
        )
    if not reason.strip():
        violations.append(_violation("reason", "a documented reason is required", "reason_required"))
    if valid_to is not None and valid_to <= valid_from:
        violations.append(_violation("valid_to", "must be after valid_from", "period_empty"))
        return OverridePlan(violations=tuple(violations))
    supersedes: OverrideFacts | None = None
    for record in pair_overrides:
        if record.valid_to is None and record.valid_from < valid_from:
            supersedes = record
        elif overlaps(a_from=record.valid_from, a_to=record.valid_to, b_from=valid_from, b_to=valid_to):
            violations.append(
                _violation(
                    "valid_from",
                    f"overlaps override {record.id} of the same entity "
                    f"({record.valid_from} to {record.valid_to or 'open'})",
                    "override_overlap",
                    override_id=record.id,
                )
            )
    return OverridePlan(violations=tuple(violations), supersedes=supersedes)
