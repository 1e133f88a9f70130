"""What a plan of a holding change is given: the change itself, the facts of the group on its date (the
parties, the books' investment balances, the accounts), the consolidated terms, and the payments between
the parties; with the ownership views before and after that every step of the plan reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from app.events.domain import classification as cls
from app.events.domain.common_control import (
    Consideration,
)
from app.events.domain.interest_changes import (
    NciMeasurement,
    Standard,
)
from app.events.domain.model import (
    ZERO,
    EventAccounts,
    HoldingState,
    MethodChange,
    PlannedLine,
    StakeChange,
    Violation,
    frac,
    share,
)
from app.ownership import domain as od

_ZERO = Fraction(0)

Combination = Literal["not_under_common_control", "under_common_control"]

#: CAS 33 / CAS 20 consolidation rules by kind of change (C-16e).
UCC_TREATMENT = (
    ("combination", "under_common_control"),
    ("restate_opening_balance_sheet", "true"),
    ("pnl_from", "period_start"),
    ("restore_retained_earnings_from_capital_reserve", "true"),
    ("new_goodwill", "false"),
)
NCUC_TREATMENT = (
    ("combination", "not_under_common_control"),
    ("restate_opening_balance_sheet", "false"),
    ("pnl_from", "acquisition_date"),
)
DISPOSAL_TREATMENT = (("restate_opening_balance_sheet", "false"), ("pnl_to", "disposal_date"))


@dataclass(frozen=True, slots=True)
class PartyFacts:
    """An entity named by the event: whether it keeps books here and whether it exists on the date."""

    id: str
    code: str
    kind: str
    exists: bool
    functional_currency: str = "CNY"

    @property
    def keeps_books(self) -> bool:
        return self.kind == "company"


@dataclass(frozen=True, slots=True)
class Payment:
    """Cash that changes hands: `payer` or `payee` None = unrecorded outsiders."""

    payer: str | None
    payee: str | None
    amount: Fraction


@dataclass(frozen=True)
class GroupFacts:
    """The group as the service found it on the event date, before the event."""

    parent: str
    holdings: tuple[HoldingState, ...]
    parties: Mapping[str, PartyFacts]
    accounts: EventAccounts
    overrides: tuple[od.MethodOverride, ...] = ()
    closed: frozenset[str] = frozenset()
    #: holder -> account -> debit-positive balance of the investment in the investee (lines tagged with it)
    investment_balances: Mapping[str, Mapping[str, Fraction]] = field(default_factory=dict)
    #: entity -> (capital reserve, surplus reserve) credit balances on the date
    reserves: Mapping[str, tuple[Fraction, Fraction]] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsolidationTerms:
    """Figures the consolidated treatment needs; None = the default the service derived (see each field)."""

    standard: Standard = "cas"
    #: the investee's net assets continuously measured from acquisition, before the event (default: books)
    net_assets: Fraction = _ZERO
    #: goodwill carried for the investee in the group parent's consolidated statements
    goodwill: Fraction = _ZERO
    nci_carrying_amount: Fraction | None = None
    nci_measurement: NciMeasurement = "proportionate"
    nci_fair_value: Fraction | None = None
    cta: Fraction = _ZERO
    combination: Combination | None = None
    fair_value_net_assets: Fraction | None = None
    previously_held_fair_value: Fraction | None = None
    retained_interest_fair_value: Fraction | None = None
    #: common control: the investee's net assets and goodwill in the ultimate controller's statements
    net_assets_in_controller_statements: Fraction | None = None
    goodwill_in_controller_statements: Fraction = _ZERO
    #: the investee's surplus reserve and retained earnings before the combination (restoration, CAS 20)
    investee_surplus_reserve: Fraction = _ZERO
    investee_retained_earnings: Fraction = _ZERO
    direct_costs: Fraction = _ZERO
    share_issue_costs: Fraction = _ZERO
    #: carrying amount of the seller's investment when its books carry none tagged with the investee
    seller_carrying_amount: Fraction | None = None


@dataclass(frozen=True)
class HoldingChange:
    """One event's changes of the investee's holders and the money that moves with them."""

    kind: str
    investee: str
    on: date
    stake_changes: tuple[StakeChange, ...]
    payments: tuple[Payment, ...]
    #: a non-cash consideration given by a buyer (common control: fixed assets, shares at par)
    consideration: Mapping[str, Consideration] = field(default_factory=dict)
    #: holders that give up shares or capital (a transfer's seller, a withdrawing holder)
    sellers: frozenset[str] = frozenset()
    #: what a seller receives besides cash: (account, counterparty, value); value None = the carrying
    #: amount it gives up (shares of the buyer received in exchange under common control: no gain)
    received_in_kind: Mapping[str, tuple[tuple[str, str | None, Fraction | None], ...]] = field(
        default_factory=dict
    )
    #: the investee's own entry (capital increase or reduction)
    investee_lines: tuple[PlannedLine, ...] = ()
    #: net assets of the investee change by this much (new capital paid in, capital repaid)
    net_assets_change: Fraction = _ZERO
    violations: tuple[Violation, ...] = ()


def apply_changes(holdings: Sequence[HoldingState], changes: Sequence[StakeChange]) -> list[HoldingState]:
    """The holdings after the changes (order kept; new holdings last)."""
    touched = {(c.holder, c.investee): c for c in changes}
    out = [h for h in holdings if (h.holder, h.investee) not in touched]
    out += [c.after for c in changes if c.after is not None]
    return out


def _engine_holdings(holdings: Sequence[HoldingState]) -> list[od.Holding]:
    return [
        od.Holding(holder=h.holder, investee=h.investee, share=h.share, voting_share=h.voting_share)
        for h in holdings
        if h.share > 0 or h.voting_share > 0
    ]


def ownership(
    *, parent: str, holdings: Sequence[HoldingState], overrides: Sequence[od.MethodOverride] = ()
) -> od.OwnershipResult:
    """The ownership engine's view from `parent` (raises od.OwnershipError on unusable holdings).

    A plan asks the same views several times (the group parent's, each party's own); they are computed once.
    """
    return _ownership(parent, tuple(holdings), tuple(overrides))


@lru_cache(maxsize=64)
def _ownership(
    parent: str, holdings: tuple[HoldingState, ...], overrides: tuple[od.MethodOverride, ...]
) -> od.OwnershipResult:
    return od.compute_ownership(parent=parent, holdings=_engine_holdings(holdings), overrides=list(overrides))


def view_of(result: od.OwnershipResult | None, entity: str) -> od.EntityOwnership | None:
    if result is None or entity not in result:
        return None
    return result.get(entity)


def method_changes(
    *, before: od.OwnershipResult | None, after: od.OwnershipResult | None, focus: str
) -> list[MethodChange]:
    """The investee first, then every other entity whose method, control or interest moved (by id)."""
    names = {e.entity for e in (before.entities if before else ())} | {
        e.entity for e in (after.entities if after else ())
    }
    out: list[MethodChange] = []
    for name in [focus, *sorted(names - {focus})]:
        old, new = view_of(before, name), view_of(after, name)
        m_old = old.method if old else None
        m_new = new.method if new else None
        i_old = old.interest_share if old else ZERO
        i_new = new.interest_share if new else ZERO
        c_old = old.control_share if old else ZERO
        c_new = new.control_share if new else ZERO
        changed = (m_old, i_old, c_old) != (m_new, i_new, c_new)
        if name != focus and not changed:
            continue
        out.append(
            MethodChange(
                entity_id=name,
                method_before=m_old,
                method_after=m_new,
                control_before=c_old,
                control_after=c_new,
                interest_before=i_old,
                interest_after=i_new,
                classification=cls.classify(method_before=m_old, method_after=m_new, changed=changed),
            )
        )
    return out


def net_paid(payments: Sequence[Payment], entity: str) -> Fraction:
    paid = sum((p.amount for p in payments if p.payer == entity), _ZERO)
    received = sum((p.amount for p in payments if p.payee == entity), _ZERO)
    return paid - received


def group_members(result: od.OwnershipResult | None) -> dict[str, Fraction]:
    """The parent and its subsidiaries, each with the parent's interest in it."""
    if result is None:
        return {}
    return {e.entity: frac(e.interest_share) for e in result.entities if cls.is_control(e.method)}


def register_violations(
    *, change: HoldingChange, after: Sequence[HoldingState], facts: GroupFacts
) -> list[Violation]:
    out: list[Violation] = []
    for name in sorted({change.investee} | {sc.holder for sc in change.stake_changes}):
        party = facts.parties.get(name)
        if party is None:
            out.append(Violation(("body",), f"no entity {name}", "unknown_entity"))
        elif not party.exists:
            out.append(
                Violation(
                    ("body",), f"{party.code} does not exist on {change.on.isoformat()}", "entity_not_active"
                )
            )
    for investee in sorted({sc.investee for sc in change.stake_changes} | {change.investee}):
        held = [h for h in after if h.investee == investee]
        code = facts.parties[investee].code if investee in facts.parties else investee
        for kind, total in (
            ("stakes", sum((frac(h.share) for h in held), _ZERO)),
            ("votes", sum((frac(h.voting_share) for h in held), _ZERO)),
        ):
            if total > 1:
                out.append(
                    Violation(
                        ("body",),
                        f"the {kind} held in {code} would sum to {share(total)}, more than 1",
                        f"{kind}_over_one",
                    )
                )
    return out


def closed_violations(*, entity_ids: set[str], facts: GroupFacts) -> list[Violation]:
    """The companies among `entity_ids` whose month of the event is closed."""
    seen: list[Violation] = []
    for entity_id in sorted(entity_ids):
        party = facts.parties.get(entity_id)
        if entity_id in facts.closed and party is not None and party.keeps_books:
            seen.append(
                Violation(
                    ("body", "effective_on"),
                    f"the month of the event is closed in the books of {party.code}",
                    "period_closed",
                )
            )
    return seen
