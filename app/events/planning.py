"""Planning an event: the facts of the event date, read through the other features' services, given to the
pure rules (`app.events.domain`), which answer the plan; nothing is written here.

`plan` is what a preview answers and what a commit executes after locking the entities it names; `touched`
is every entity the plan changes, which the actor must be able to see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from app.assets import rehoming_service
from app.core.context import Actor
from app.entities import service as entities_service
from app.events import facts as ef
from app.events.domain import (
    BOOKS,
    NEW_ENTITY,
    CapitalMovement,
    Consideration,
    ConsolidationTerms,
    EventPlan,
    GroupFacts,
    MergerFacts,
    MergerTerms,
    NonCashAsset,
    Violation,
    plan_capital_change,
    plan_common_control_combination,
    plan_merger,
    plan_share_transfer,
)
from app.events.event_requests import (
    CapitalChangeRequest,
    CommonControlRequest,
    EventRequest,
    MergerRequest,
    ShareTransferRequest,
    Terms,
)
from app.ledger.report_service import ChartIncompleteError

_ZERO = Fraction(0)


@dataclass(frozen=True)
class Planned:
    plan: EventPlan
    stake_ids: Mapping[tuple[str, str], str]
    named: frozenset[str]


def _f(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def named_in(request: EventRequest) -> list[str]:
    if isinstance(request, ShareTransferRequest):
        ids = [request.investee_id, request.seller_id, request.buyer_id, request.terms.parent_id]
    elif isinstance(request, CapitalChangeRequest):
        ids = [request.investee_id, request.terms.parent_id, *[m[0] for m in request.movements]]
    elif isinstance(request, CommonControlRequest):
        ids = [request.acquirer_id, request.acquiree_id, request.seller_id, request.terms.parent_id]
    else:
        ids = [request.survivor_id, request.parent_id, *request.absorbed_ids]
    return [i for i in ids if i is not None]


def check_visible(session: Session, *, actor: Actor, entity_ids: Sequence[str]) -> None:
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


def plan(session: Session, *, actor: Actor, request: EventRequest) -> Planned:
    """The plan of `request` on the current state (raises EntityNotFoundError for invisible entities)."""
    named = named_in(request)
    check_visible(session, actor=actor, entity_ids=named)
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
) -> Planned:
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
    return Planned(plan=plan, stake_ids=holdings.stake_ids, named=frozenset(named))


def _plan_merger(session: Session, *, actor: Actor, request: MergerRequest, named: Sequence[str]) -> Planned:
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
    return Planned(plan=plan, stake_ids=holdings.stake_ids, named=frozenset(named))


def _with(plan: EventPlan, violation: Violation) -> EventPlan:
    return replace(plan, violations=(*plan.violations, violation))


def touched(planned: Planned) -> set[str]:
    plan = planned.plan
    out = set(planned.named)
    out |= {e.entity_id for e in plan.entries if e.layer == BOOKS}
    out |= {c.holder for c in plan.stake_changes} | {c.investee for c in plan.stake_changes}
    out |= {c.entity_id for c in plan.entity_changes} | {c.into_id for c in plan.entity_changes if c.into_id}
    out.discard(NEW_ENTITY)
    return out
