"""The facts and terms of a merger, shared by its steps (the rules: merger.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.events.domain.holding_facts import PartyFacts
from app.events.domain.model import EventAccounts, HoldingState, NewEntity
from app.ownership import domain as od

Key = tuple[str, str | None]
ZERO = Fraction(0)
ABSORPTION = "absorption"
NEW_ESTABLISHMENT = "new_establishment"


@dataclass(frozen=True)
class MergerFacts:
    """The group on the merger date, before the merger (loaded by the service)."""

    parent: str
    holdings: tuple[HoldingState, ...]
    parties: Mapping[str, PartyFacts]
    accounts: EventAccounts
    #: account code -> type (asset, liability, equity, income, expense)
    account_types: Mapping[str, str]
    #: debit-positive balances per (account, counterparty) on the merger date, for the survivor, every
    #: absorbed company and every other company whose books hold balances tagged with an absorbed company
    balances: Mapping[str, Mapping[Key, Fraction]]
    #: (asset id, tag) of the assets each absorbed company holds on the date
    assets: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    closed: frozenset[str] = frozenset()
    overrides: tuple[od.MethodOverride, ...] = ()
    new_code_taken: bool = False


@dataclass(frozen=True)
class MergerTerms:
    kind: str
    survivor: str | None
    absorbed: tuple[str, ...]
    on: date
    exchange_ratios: Mapping[str, Decimal]
    registered_capitals: Mapping[str, Decimal] = field(default_factory=dict)
    new_entity: NewEntity | None = None


def is_pnl(facts: MergerFacts, code: str) -> bool:
    return facts.account_types.get(code) in ("income", "expense")


def by_key(item: tuple[Key, Fraction]) -> tuple[str, str]:
    """Balances in (account, counterparty) order, untagged first."""
    (code, cp), _ = item
    return code, cp or ""
