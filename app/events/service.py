"""Use cases of the events that reshape the group: preview (plan only) and commit (execute that plan).

Both run the same steps: load the facts of the event date through the other features' services (`facts`),
ask the pure rules for the plan (`app.events.domain`), and answer it as a document (`serialize`). A preview
stops there and writes nothing. A commit does it inside one `atomic` block, after locking the entities the
event touches, and refuses (422, every violation listed, nothing written) when the plan has any violation;
otherwise it executes exactly the plan: stakes through the ownership service (decreases first, then the new
records, each ending the holder's open record), new and merged companies through the entity service, entries
through the books' service (source `group_event`, referring to the event), the absorbed companies' assets
through the asset register's re-homing (`app.assets.rehoming_service`: identity, figures and history kept, a
record of kind `merger` naming the event), then stores the event with the plan document and writes the audit
event. The register's refusals (an open transfer request, depreciation not posted up to the merger) are
violations of the plan, so a preview lists them too. The answer of a commit is the plan document it
executed, so a preview and its commit answer the same document (the new company of a merger gets its real id).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.assets import rehoming_service
from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.ids import new_id
from app.entities import service as entities_service
from app.entities.errors import EntityNotFoundError
from app.events import facts as ef
from app.events import repository
from app.events.domain import (
    ABSORPTION,
    BOOKS,
    NEW_ENTITY,
    CapitalMovement,
    Consideration,
    ConsolidationTerms,
    EventPlan,
    GroupFacts,
    HoldingState,
    MergerFacts,
    MergerTerms,
    NewEntity,
    NonCashAsset,
    Violation,
    plan_capital_change,
    plan_common_control_combination,
    plan_merger,
    plan_share_transfer,
)
from app.events.errors import EventRuleViolationError, GroupEventNotFoundError, raise_violations
from app.events.models import GroupEvent
from app.events.serialize import plan_document, replace_ids
from app.ledger import service as ledger_service
from app.ledger.domain.entries import LineDraft
from app.ledger.report_service import ChartIncompleteError
from app.ownership import service as ownership_service

SOURCE = "group_event"
_ZERO = Fraction(0)


# ---------------------------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Terms:
    """Figures of the consolidated treatment; None = derived (see `ConsolidationTerms`)."""

    parent_id: str | None = None
    standard: Literal["cas", "ifrs"] = "cas"
    net_assets: Decimal | None = None
    goodwill: Decimal | None = None
    nci_carrying_amount: Decimal | None = None
    nci_measurement: Literal["proportionate", "fair_value"] = "proportionate"
    nci_fair_value: Decimal | None = None
    cta: Decimal | None = None
    combination: Literal["not_under_common_control", "under_common_control"] | None = None
    fair_value_net_assets: Decimal | None = None
    previously_held_fair_value: Decimal | None = None
    retained_interest_fair_value: Decimal | None = None
    seller_carrying_amount: Decimal | None = None
    registered_capital: Decimal | None = None


@dataclass(frozen=True)
class ShareTransferRequest:
    """A transfer (kind share_transfer) or a disposal by a group company (kind disposal)."""

    kind: Literal["share_transfer", "disposal"]
    investee_id: str
    seller_id: str | None
    buyer_id: str | None
    on: date
    share: Decimal | None
    capital_amount: Decimal | None
    consideration: Decimal | None
    terms: Terms = field(default_factory=Terms)


@dataclass(frozen=True)
class CapitalChangeRequest:
    kind: Literal["capital_increase", "capital_reduction"]
    investee_id: str
    on: date
    movements: tuple[tuple[str, Decimal, Decimal], ...]
    terms: Terms = field(default_factory=Terms)


@dataclass(frozen=True)
class FixedAssetGiven:
    cost: Decimal
    accumulated_depreciation: Decimal = Decimal(0)
    impairment: Decimal = Decimal(0)
    fair_value: Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class CommonControlRequest:
    acquirer_id: str
    acquiree_id: str
    seller_id: str | None
    on: date
    share: Decimal | None
    capital_amount: Decimal | None
    cash: Decimal | None = None
    fixed_assets: tuple[FixedAssetGiven, ...] = ()
    shares_par_value: Decimal | None = None
    net_assets_in_controller_statements: Decimal | None = None
    goodwill_in_controller_statements: Decimal | None = None
    direct_costs: Decimal | None = None
    share_issue_costs: Decimal | None = None
    acquirer_registered_capital: Decimal | None = None
    terms: Terms = field(default_factory=Terms)


@dataclass(frozen=True)
class MergerRequest:
    kind: Literal["absorption", "new_establishment"]
    survivor_id: str | None
    absorbed_ids: tuple[str, ...]
    on: date
    exchange_ratios: Mapping[str, Decimal] = field(default_factory=dict)
    registered_capitals: Mapping[str, Decimal] = field(default_factory=dict)
    new_entity: NewEntity | None = None
    parent_id: str | None = None


EventRequest = ShareTransferRequest | CapitalChangeRequest | CommonControlRequest | MergerRequest


@dataclass(frozen=True)
class EventResult:
    """The plan document answered, and the stored event when committed."""

    document: dict[str, Any]
    event: GroupEvent | None = None


# ---------------------------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class _Planned:
    plan: EventPlan
    stake_ids: Mapping[tuple[str, str], str]
    named: frozenset[str]


def _f(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _named(request: EventRequest) -> list[str]:
    if isinstance(request, ShareTransferRequest):
        ids = [request.investee_id, request.seller_id, request.buyer_id, request.terms.parent_id]
    elif isinstance(request, CapitalChangeRequest):
        ids = [request.investee_id, request.terms.parent_id, *[m[0] for m in request.movements]]
    elif isinstance(request, CommonControlRequest):
        ids = [request.acquirer_id, request.acquiree_id, request.seller_id, request.terms.parent_id]
    else:
        ids = [request.survivor_id, request.parent_id, *request.absorbed_ids]
    return [i for i in ids if i is not None]


def _check_visible(session: Session, *, actor: Actor, entity_ids: Sequence[str]) -> None:
    """Raises EntityNotFoundError for an unknown entity or one outside the actor's set."""
    for entity_id in dict.fromkeys(entity_ids):
        entities_service.get_entity(session, actor=actor, entity_id=entity_id)


def _group_facts(
    session: Session,
    *,
    actor: Actor,
    on: date,
    investee: str,
    named: Sequence[str],
    parent_id: str | None,
    start: str,
) -> tuple[GroupFacts, ef.Holdings, dict[tuple[str, str | None], Fraction], dict[str, str]]:
    holdings = ef.holdings_on(session, actor=actor, on=on)
    accounts = ef.event_accounts(session)
    types = ef.account_types(session)
    parent = parent_id or ef.ultimate_parent(holdings.states, start)
    everyone = (
        {h.holder for h in holdings.states} | {h.investee for h in holdings.states} | set(named) | {parent}
    )
    parties = ef.parties(session, entity_ids=everyone, on=on)
    companies = [p for p in parties.values() if p.keeps_books]
    books = {
        p.id: ef.balances(session, entity_id=p.id, on=on) for p in companies if p.id in set(named) | {parent}
    }
    holders = {h.holder for h in holdings.states if h.investee == investee} | set(named)
    investment_balances = {}
    for holder in holders:
        if holder in parties and parties[holder].keeps_books:
            book = books.get(holder) or ef.balances(session, entity_id=holder, on=on)
            books[holder] = book
            investment_balances[holder] = ef.investment_in(book, investee=investee, accounts=accounts)
    reserves = {
        entity: (
            ef.credit_balance(book, [accounts.capital_reserve]),
            ef.credit_balance(book, [accounts.surplus_reserve]),
        )
        for entity, book in books.items()
    }
    closed = ef.closed_entities(
        session, actor=actor, entity_ids=[p.id for p in companies if p.id in set(named) | holders], on=on
    )
    overrides = (
        ef.method_overrides(session, actor=actor, parent_id=parent, on=on) if parent in parties else ()
    )
    facts = GroupFacts(
        parent=parent,
        holdings=holdings.states,
        parties=parties,
        accounts=accounts,
        overrides=overrides,
        closed=closed,
        investment_balances=investment_balances,
        reserves=reserves,
    )
    investee_book = books.get(investee) or (
        ef.balances(session, entity_id=investee, on=on)
        if investee in parties and parties[investee].keeps_books
        else {}
    )
    return facts, holdings, investee_book, types


def _consolidation_terms(
    session: Session,
    *,
    actor: Actor,
    terms: Terms,
    investee: str,
    on: date,
    book: Mapping[tuple[str, str | None], Fraction],
    types: Mapping[str, str],
    accounts_retained: Sequence[str],
    surplus_code: str,
) -> ConsolidationTerms:
    goodwill = _f(terms.goodwill)
    if goodwill is None:
        goodwill = ef.recorded_goodwill(session, actor=actor, investee=investee, on=on) or _ZERO
    net_assets = _f(terms.net_assets)
    if net_assets is None:
        net_assets = ef.net_assets(book, types)
    pnl = [code for code, kind in types.items() if kind in ("income", "expense")]
    return ConsolidationTerms(
        standard=terms.standard,
        net_assets=net_assets,
        goodwill=goodwill,
        nci_carrying_amount=_f(terms.nci_carrying_amount),
        nci_measurement=terms.nci_measurement,
        nci_fair_value=_f(terms.nci_fair_value),
        cta=_f(terms.cta) or _ZERO,
        combination=terms.combination,
        fair_value_net_assets=_f(terms.fair_value_net_assets),
        previously_held_fair_value=_f(terms.previously_held_fair_value),
        retained_interest_fair_value=_f(terms.retained_interest_fair_value),
        seller_carrying_amount=_f(terms.seller_carrying_amount),
        investee_surplus_reserve=ef.credit_balance(book, [surplus_code]),
        investee_retained_earnings=ef.credit_balance(book, [*accounts_retained, *pnl]),
    )


def _plan(session: Session, *, actor: Actor, request: EventRequest) -> _Planned:
    """The plan of `request` on the current state (raises EntityNotFoundError for invisible entities)."""
    named = _named(request)
    _check_visible(session, actor=actor, entity_ids=named)
    try:
        if isinstance(request, MergerRequest):
            return _plan_merger(session, actor=actor, request=request, named=named)
        return _plan_holding(session, actor=actor, request=request, named=named)
    except ef.ChartRoleMissingError as missing:
        raise ChartIncompleteError(
            f"no account of the group chart has the role {missing.role}", role=missing.role
        ) from missing


def _plan_holding(
    session: Session,
    *,
    actor: Actor,
    request: ShareTransferRequest | CapitalChangeRequest | CommonControlRequest,
    named: Sequence[str],
) -> _Planned:
    if isinstance(request, CommonControlRequest):
        investee, start = request.acquiree_id, request.acquirer_id
    elif isinstance(request, ShareTransferRequest):
        investee = request.investee_id
        start = request.buyer_id or request.seller_id or investee
    else:
        investee = request.investee_id
        start = request.movements[0][0] if request.movements else investee
    facts, holdings, book, types = _group_facts(
        session,
        actor=actor,
        on=request.on,
        investee=investee,
        named=named,
        parent_id=request.terms.parent_id,
        start=start,
    )
    accounts = facts.accounts
    terms = _consolidation_terms(
        session,
        actor=actor,
        terms=request.terms,
        investee=investee,
        on=request.on,
        book=book,
        types=types,
        accounts_retained=[accounts.retained_earnings, *ef.role_codes(session, "current_year_profit")],
        surplus_code=accounts.surplus_reserve,
    )
    registered = request.terms.registered_capital
    if isinstance(request, ShareTransferRequest):
        plan = plan_share_transfer(
            kind=request.kind,
            investee=investee,
            seller=request.seller_id,
            buyer=request.buyer_id,
            on=request.on,
            share_amount=request.share,
            capital_amount=request.capital_amount,
            consideration=request.consideration,
            registered_capital=registered,
            facts=facts,
            terms=terms,
        )
    elif isinstance(request, CapitalChangeRequest):
        plan = plan_capital_change(
            kind=request.kind,
            investee=investee,
            on=request.on,
            movements=[CapitalMovement(h, c, m) for h, c, m in request.movements],
            registered_capital=registered,
            facts=facts,
            terms=terms,
        )
    else:
        consideration = Consideration(
            cash=_f(request.cash) or _ZERO,
            assets=tuple(
                NonCashAsset(
                    cost=Fraction(a.cost),
                    accumulated_depreciation=Fraction(a.accumulated_depreciation),
                    impairment=Fraction(a.impairment),
                    fair_value=_f(a.fair_value),
                    description=a.description,
                )
                for a in request.fixed_assets
            ),
            shares_par_value=_f(request.shares_par_value) or _ZERO,
        )
        controller_net_assets = _f(request.net_assets_in_controller_statements)
        plan = plan_common_control_combination(
            acquirer=request.acquirer_id,
            acquiree=investee,
            seller=request.seller_id,
            on=request.on,
            share_amount=request.share,
            capital_amount=request.capital_amount,
            consideration=None if consideration.empty else consideration,
            registered_capital=registered,
            acquirer_registered_capital=request.acquirer_registered_capital,
            facts=facts,
            terms=replace(
                terms,
                net_assets_in_controller_statements=controller_net_assets,
                goodwill_in_controller_statements=Fraction(request.goodwill_in_controller_statements)
                if request.goodwill_in_controller_statements is not None
                else terms.goodwill,
                direct_costs=_f(request.direct_costs) or _ZERO,
                share_issue_costs=_f(request.share_issue_costs) or _ZERO,
            ),
        )
    return _Planned(plan=plan, stake_ids=holdings.stake_ids, named=frozenset(named))


def _plan_merger(session: Session, *, actor: Actor, request: MergerRequest, named: Sequence[str]) -> _Planned:
    on = request.on
    holdings = ef.holdings_on(session, actor=actor, on=on)
    accounts = ef.event_accounts(session)
    types = ef.account_types(session)
    start = request.survivor_id or (request.absorbed_ids[0] if request.absorbed_ids else "")
    parent = request.parent_id or ef.ultimate_parent(holdings.states, start)
    absorbed = set(request.absorbed_ids)
    companies = ef.companies_on(session, actor=actor, on=on)
    books: dict[str, dict[tuple[str, str | None], Fraction]] = {}
    for company in companies:
        book = ef.balances(session, entity_id=company, on=on)
        if company in absorbed or company == request.survivor_id or any(cp in absorbed for _, cp in book):
            books[company] = book
    everyone = (
        {h.holder for h in holdings.states} | {h.investee for h in holdings.states} | set(named) | set(books)
    )
    parties = ef.parties(session, entity_ids=everyone | {parent}, on=on)
    new_code_taken = False
    if request.new_entity is not None:
        taken = entities_service.list_entities(
            session, actor=ef.unlimited(actor), limit=1, code=request.new_entity.code
        )
        new_code_taken = bool(taken)
    touched = [e for e in books if e in parties and parties[e].keeps_books]
    rehoming = rehoming_service.rehoming_check(session, entity_ids=sorted(absorbed & set(parties)), on=on)
    facts = MergerFacts(
        parent=parent,
        holdings=holdings.states,
        parties=parties,
        accounts=accounts,
        account_types=types,
        balances=books,
        assets={a: tuple((c.asset_id, c.tag) for c in rehoming.of(a)) for a in absorbed if a in parties},
        closed=ef.closed_entities(session, actor=actor, entity_ids=touched, on=on),
        overrides=ef.method_overrides(session, actor=actor, parent_id=parent, on=on)
        if parent in parties
        else (),
        new_code_taken=new_code_taken,
    )
    plan = plan_merger(
        terms=MergerTerms(
            kind=request.kind,
            survivor=request.survivor_id,
            absorbed=request.absorbed_ids,
            on=on,
            exchange_ratios=request.exchange_ratios,
            registered_capitals=request.registered_capitals,
            new_entity=request.new_entity,
        ),
        facts=facts,
    )
    for refusal in rehoming.refusals:
        where = ("body", "absorbed_ids", refusal.entity_id)
        plan = _with(plan, Violation(where, refusal.message, refusal.type))
    return _Planned(plan=plan, stake_ids=holdings.stake_ids, named=frozenset(named))


def _with(plan: EventPlan, violation: Violation) -> EventPlan:
    return replace(plan, violations=(*plan.violations, violation))


def _touched(planned: _Planned) -> set[str]:
    plan = planned.plan
    out = set(planned.named)
    out |= {e.entity_id for e in plan.entries if e.layer == BOOKS}
    out |= {c.holder for c in plan.stake_changes} | {c.investee for c in plan.stake_changes}
    out |= {c.entity_id for c in plan.entity_changes} | {c.into_id for c in plan.entity_changes if c.into_id}
    out.discard(NEW_ENTITY)
    return out


def preview_event(session: Session, *, actor: Actor, request: EventRequest) -> EventResult:
    """The full effect of the event, violations included, without writing anything.

    Raises:
        EntityNotFoundError: an entity named in the request is unknown or not visible to the actor.
        ChartIncompleteError: the chart lacks an account the rules need.
    """
    planned = _plan(session, actor=actor, request=request)
    _check_visible(session, actor=actor, entity_ids=sorted(_touched(planned)))
    return EventResult(document=plan_document(planned.plan))


# ---------------------------------------------------------------------------------------------- commit


def commit_event(
    session: Session, *, actor: Actor, request: EventRequest, request_document: dict[str, Any], now: datetime
) -> EventResult:
    """Execute the event's plan (module docstring) and store it.

    Raises:
        EntityNotFoundError: an entity named or touched is unknown or not visible to the actor.
        EventRuleViolationError: the plan breaks rules (every one listed); nothing is written.
        ChartIncompleteError: the chart lacks an account the rules need.
        and, should the state change between planning and execution inside the transaction (it cannot:
        the touched entities are locked first), what the ownership, entity and books services raise.
    """
    with atomic(session):
        # lock the named entities first: events on the same companies run one after the other, and the
        # plan is made on what the lock holder sees (the stake writes lock holder and investee again)
        entities_service.lock_entities(session, entity_ids=set(_named(request)))
        planned = _plan(session, actor=actor, request=request)
        touched = _touched(planned)
        _check_visible(session, actor=actor, entity_ids=sorted(touched))
        plan = planned.plan
        raise_violations("the event cannot be committed", plan.violations)
        event_id = new_id()
        ids = _execute(session, actor=actor, planned=planned, event_id=event_id, now=now)
        document = replace_ids(plan_document(plan), ids)
        created = ids.get(NEW_ENTITY)
        event = GroupEvent(
            id=event_id,
            kind=plan.kind,
            classification=plan.classification,
            effective_on=plan.effective_on,
            group_parent_id=plan.group_parent_id if plan.group_parent_id != NEW_ENTITY else created,
            created_entity_id=created,
            request=request_document,
            plan=document,
            created_at=now,
            created_by=actor.username,
        )
        repository.add_event(session, event=event, entity_ids=touched | ({created} if created else set()))
        audit.record(
            session,
            actor=actor,
            action=f"group_event.{plan.kind}.committed",
            subject_type="group_event",
            subject_id=event_id,
            at=now,
            entity_id=plan.group_parent_id if plan.group_parent_id != NEW_ENTITY else created,
            after={"request": request_document, "plan": document},
        )
        return EventResult(document=document, event=event)


def _execute(
    session: Session, *, actor: Actor, planned: _Planned, event_id: str, now: datetime
) -> dict[str, str]:
    """Carry out the plan; returns the real id of each symbolic one (`NEW_ENTITY`: the company a
    new-establishment merger founds)."""
    plan = planned.plan
    ids: dict[str, str] = {}
    on = plan.effective_on
    for change in plan.entity_changes:
        if change.kind == "created" and change.new_entity is not None:
            spec = change.new_entity
            entity = entities_service.create_entity(
                session,
                actor=actor,
                code=spec.code,
                name=spec.name,
                name_en=spec.name_en,
                kind="company",
                functional_currency=spec.functional_currency,
                uscc=spec.uscc,
                country=spec.country,
                segment=spec.segment,
                established_on=on,
                now=now,
            )
            ids[change.entity_id] = entity.id

    def real(entity_id: str) -> str:
        return ids.get(entity_id, entity_id)

    for planned_entry in plan.entries:
        if planned_entry.layer != BOOKS:
            continue
        ledger_service.post_entry(
            session,
            actor=actor,
            entity_id=real(planned_entry.entity_id),
            entry_date=planned_entry.entry_date,
            description=planned_entry.description[:500],
            lines=[
                LineDraft(
                    account_code=ln.account_code,
                    debit=ln.debit if ln.debit else None,
                    credit=ln.credit if ln.credit else None,
                    counterparty_entity_id=real(ln.counterparty_entity_id)
                    if ln.counterparty_entity_id
                    else None,
                )
                for ln in planned_entry.lines
            ],
            now=now,
            source=SOURCE,
            source_ref=event_id,
        )
    merged = {c.entity_id: c for c in plan.entity_changes if c.kind == "merged"}
    for entity_id, change in merged.items():
        # the entries above moved the balances; the register moves the assets (the plan's asset_rehomings)
        rehoming_service.rehome_for_merger(
            session,
            actor=actor,
            from_entity_id=entity_id,
            to_entity_id=real(change.into_id or ""),
            on=on,
            event_id=event_id,
            now=now,
        )
    for entity_id, change in merged.items():
        entities_service.mark_merged(
            session, actor=actor, entity_id=entity_id, into_id=real(change.into_id or ""), on=on, now=now
        )
    ended_by_merger = {
        (c.holder, c.investee) for c in plan.stake_changes if c.holder in merged or c.investee in merged
    }
    changes = [c for c in plan.stake_changes if (c.holder, c.investee) not in ended_by_merger]
    for stake_change in sorted(changes, key=lambda c: not c.decreases):
        holder, investee = real(stake_change.holder), real(stake_change.investee)
        if stake_change.after is None:
            stake_id = planned.stake_ids.get((holder, investee))
            if stake_id is not None:
                ownership_service.end_stake(session, actor=actor, stake_id=stake_id, valid_to=on, now=now)
            continue
        after: HoldingState = stake_change.after
        ownership_service.create_stake(
            session,
            actor=actor,
            holder_id=holder,
            investee_id=investee,
            share=after.share,
            voting_share=after.voting_share,
            valid_from=on,
            capital_subscribed=after.capital,
            source=SOURCE,
            now=now,
        )
    return ids


# ---------------------------------------------------------------------------------------------- reads


def get_event(session: Session, *, actor: Actor, event_id: str) -> GroupEvent:
    """Raises GroupEventNotFoundError: unknown, or touching an entity outside the actor's set."""
    event = repository.get_event(session, event_id)
    if event is None or (
        actor.limited and not repository.entity_ids_of(session, event.id) <= (actor.entity_ids or frozenset())
    ):
        raise GroupEventNotFoundError(f"no group event {event_id}")
    return event


@dataclass(frozen=True)
class MergedCompany:
    """A company absorbed by a committed merger: into which company, on which date, by which event."""

    absorbed_id: str
    survivor_id: str
    merged_on: date
    event_id: str


def merged_companies(session: Session, *, until: date) -> list[MergedCompany]:
    """Every company absorbed by a merger committed with a date on or before `until`, oldest merger first.

    Read whoever asks: the consolidation needs the whole group's history (it checks its caller itself).
    """
    out: list[MergedCompany] = []
    for event in repository.mergers_until(session, until=until):
        for change in event.plan.get("entity_changes", []):
            if change.get("kind") == "merged" and change.get("into_id"):
                out.append(
                    MergedCompany(
                        absorbed_id=change["entity_id"],
                        survivor_id=change["into_id"],
                        merged_on=event.effective_on,
                        event_id=event.id,
                    )
                )
    return out


def list_events(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    kind: str | None = None,
    entity_id: str | None = None,
) -> Sequence[GroupEvent]:
    return repository.list_events(
        session, limit=limit, after_id=after_id, kind=kind, entity_id=entity_id, entity_ids=actor.entity_ids
    )


__all__ = [
    "ABSORPTION",
    "CapitalChangeRequest",
    "CommonControlRequest",
    "EntityNotFoundError",
    "EventResult",
    "EventRuleViolationError",
    "FixedAssetGiven",
    "MergedCompany",
    "MergerRequest",
    "ShareTransferRequest",
    "Terms",
    "commit_event",
    "get_event",
    "list_events",
    "merged_companies",
    "preview_event",
]
