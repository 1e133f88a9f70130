"""What the event rules need to know, read through the other features' services (no writes here).

Facts are read with an unlimited view (the rules must see the whole group: the outside shareholders of a
company, the other holders of an investee); the service checks separately that the actor may see every entity
the event touches.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from app.consolidation import acquisition_service
from app.core.context import Actor
from app.entities import service as entities_service
from app.entities.models import LegalEntity
from app.events import repository
from app.events.domain import EventAccounts, HoldingState, PartyFacts
from app.ledger import period_service, report_service
from app.ledger.domain.calendar import fiscal_period_of
from app.ownership import domain as od
from app.ownership import override_service
from app.ownership import service as ownership_service

Key = tuple[str, str | None]
_PAGE = 1000
#: 其他权益工具投资: where an equity investment without significant influence is carried (it has no role).
OTHER_EQUITY_INVESTMENT_CODE = "1507"
_ZERO = Fraction(0)


class ChartRoleMissingError(Exception):
    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


def unlimited(actor: Actor) -> Actor:
    return replace(actor, entity_ids=None)


def role_codes(session: Session, role: str) -> list[str]:
    return sorted(code for code, r in repository.account_roles(session).items() if r == role)


def event_accounts(session: Session) -> EventAccounts:
    """The chart codes the rules post to, by role.

    Raises:
        ChartRoleMissingError: an account the rules need carries no role in the chart.
    """
    chart = repository.account_roles(session)
    by_role: dict[str, str] = {}
    for code, account_role in sorted(chart.items()):
        if account_role is not None:
            by_role.setdefault(account_role, code)

    def role(name: str) -> str:
        if name not in by_role:
            raise ChartRoleMissingError(name)
        return by_role[name]

    associates = role("investment_in_associates")
    return EventAccounts(
        cash=role("cash"),
        investment_in_subsidiaries=role("investment_in_subsidiaries"),
        investment_in_associates=associates,
        investment_in_joint_ventures=role("investment_in_joint_ventures"),
        other_equity_investment=OTHER_EQUITY_INVESTMENT_CODE
        if OTHER_EQUITY_INVESTMENT_CODE in chart
        else associates,
        investment_impairment=role("investment_impairment"),
        share_capital=role("share_capital"),
        capital_reserve=role("capital_reserve"),
        surplus_reserve=role("surplus_reserve"),
        retained_earnings=role("retained_earnings"),
        investment_income=role("investment_income"),
        admin_expense=role("admin_expense"),
        fixed_asset=role("fixed_asset"),
        accumulated_depreciation=role("accumulated_depreciation"),
        fixed_asset_impairment=role("fixed_asset_impairment"),
        fixed_asset_disposal=role("fixed_asset_disposal"),
        nci=role("nci"),
    )


@dataclass(frozen=True)
class Holdings:
    """Every holding in force on a date, and the stake record behind each (holder, investee)."""

    states: tuple[HoldingState, ...]
    stake_ids: Mapping[tuple[str, str], str]


def holdings_on(session: Session, *, actor: Actor, on: date) -> Holdings:
    everyone = unlimited(actor)
    states: list[HoldingState] = []
    ids: dict[tuple[str, str], str] = {}
    after: str | None = None
    while True:
        page = ownership_service.list_stakes(session, actor=everyone, limit=_PAGE, after_id=after, as_of=on)
        for stake in page:
            states.append(
                HoldingState(
                    holder=stake.holder_id,
                    investee=stake.investee_id,
                    share=stake.share,
                    voting_share=stake.voting_share,
                    capital=stake.capital_subscribed,
                )
            )
            ids[(stake.holder_id, stake.investee_id)] = stake.id
        if len(page) < _PAGE:
            break
        after = page[-1].id
    return Holdings(states=tuple(states), stake_ids=ids)


def parties(session: Session, *, entity_ids: Collection[str], on: date) -> dict[str, PartyFacts]:
    found = entities_service.entities_by_id(session, entity_ids=set(entity_ids))
    return {e.id: party_facts(e, on) for e in found.values()}


def party_facts(entity: LegalEntity, on: date) -> PartyFacts:
    return PartyFacts(
        id=entity.id,
        code=entity.code,
        kind=entity.kind,
        exists=entity.active_on(on),
        functional_currency=entity.functional_currency,
    )


def balances(session: Session, *, entity_id: str, on: date) -> dict[Key, Fraction]:
    """Debit-positive balances per (account, counterparty) on `on` (entries dated `on` included)."""
    return {
        key: Fraction(value)
        for key, value in report_service.current_balances(session, entity_id=entity_id, as_of=on).items()
        if value
    }


def account_types(session: Session) -> dict[str, str]:
    natures, _ = report_service.chart_natures(session)
    return {code: nature.type for code, nature in natures.items()}


def net_assets(book: Mapping[Key, Fraction], types: Mapping[str, str]) -> Fraction:
    """Assets less liabilities (= equity including the year's result), from debit-positive balances."""
    return sum((v for (code, _), v in book.items() if types.get(code) in ("asset", "liability")), _ZERO)


def credit_balance(book: Mapping[Key, Fraction], codes: Iterable[str]) -> Fraction:
    wanted = set(codes)
    return -sum((v for (code, _), v in book.items() if code in wanted), _ZERO)


def investment_in(
    book: Mapping[Key, Fraction], *, investee: str, accounts: EventAccounts
) -> dict[str, Fraction]:
    wanted = accounts.investment_accounts()
    return {code: v for (code, cp), v in book.items() if cp == investee and code in wanted and v}


def closed_entities(session: Session, *, actor: Actor, entity_ids: Iterable[str], on: date) -> frozenset[str]:
    """The companies among `entity_ids` whose books are closed for the month of `on`."""
    year, month = fiscal_period_of(on)
    everyone = unlimited(actor)
    out: set[str] = set()
    for entity_id in sorted(set(entity_ids)):
        months = period_service.list_periods(session, actor=everyone, entity_id=entity_id, year=year)
        if any(m.month == month and m.status == period_service.CLOSED for m in months):
            out.add(entity_id)
    return frozenset(out)


def method_overrides(
    session: Session, *, actor: Actor, parent_id: str, on: date
) -> tuple[od.MethodOverride, ...]:
    rows = override_service.list_method_overrides(
        session, actor=unlimited(actor), limit=_PAGE, parent_id=parent_id, as_of=on
    )
    return tuple(od.MethodOverride(entity=r.entity_id, method=r.method, reason=r.reason) for r in rows)


def ultimate_parent(holdings: Iterable[HoldingState], start: str) -> str:
    """The entity that ultimately controls `start` (itself when nobody does)."""
    engine = [
        od.Holding(holder=h.holder, investee=h.investee, share=h.share, voting_share=h.voting_share)
        for h in holdings
    ]
    try:
        return od.compute_ownership(parent=start, holdings=engine).ultimate_parent
    except od.OwnershipError:
        return start


def recorded_goodwill(session: Session, *, actor: Actor, investee: str, on: date) -> Fraction | None:
    """The goodwill of the latest combination of `investee` by `on`, less impairments by then (None: none)."""
    views = acquisition_service.list_acquisitions(
        session, actor=unlimited(actor), limit=_PAGE, acquiree_id=investee
    )
    dated = [v for v in views if v.row.acquired_on <= on]
    if not dated:
        return None
    latest = max(dated, key=lambda v: (v.row.acquired_on, v.row.id))
    impaired = sum((Fraction(i.amount) for i in latest.impairments if i.on <= on), _ZERO)
    return Fraction(latest.row.goodwill) - impaired


def companies_on(session: Session, *, actor: Actor, on: date) -> list[str]:
    """Every company existing on `on` (merger: whose books may hold balances with the absorbed)."""
    everyone = unlimited(actor)
    out: list[str] = []
    after: str | None = None
    while True:
        page = entities_service.list_entities(
            session, actor=everyone, limit=_PAGE, after_id=after, kind="company", as_of=on
        )
        out += [e.id for e in page]
        if len(page) < _PAGE:
            return out
        after = page[-1].id


def to_fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)
