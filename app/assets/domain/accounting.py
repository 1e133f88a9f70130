"""The entries an asset's life produces: acquisition, depreciation, transfers inside the group, disposal to an
outside party and impairment (DOMAIN Part 1 "Fixed assets and stock flows"; CAS 4, CAS 8, CAS 20).

Transfers between group companies (one asset, one identity, a new book in the receiving company):

- `sale` at a price. The seller takes the asset out through 固定资产清理 (1606) at its carrying amount, books
  the price as a receivable from the buyer and the difference as gain or loss on disposal (资产处置收益); the
  buyer books the asset at the price against a payable to the seller. Lines with the other company are
  tagged with it, so consolidation can match and eliminate them; the seller's gain is unrealised for the
  group (Part 2 §2.5, see `unrealized`).
- `free_transfer` (无偿划转) at carrying amount, no gain: the receiver takes over cost, accumulated
  depreciation and impairment and continues the depreciation schedule. The seller debits and the receiver
  credits capital reserve, except between a company and its direct parent, where the parent's long-term
  equity investment moves instead (a parent giving an asset invests more; a subsidiary giving one to its
  parent returns capital).
- `capital_contribution` (以资产出资) under common control, at carrying amount: the contributor's investment
  in the receiver rises by the carrying amount; the receiver credits paid-in capital with the registered
  capital subscribed (`price`, default the carrying amount) and capital reserve with the difference.

Disposal to an outside party goes through 1606 too: carrying amount and costs in, proceeds out; the result
is a gain on disposal (资产处置收益) for a sale, a non-operating item (营业外收支) for scrapping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class TransferKind(StrEnum):
    SALE = "sale"
    FREE_TRANSFER = "free_transfer"
    CAPITAL_CONTRIBUTION = "capital_contribution"


class Relation(StrEnum):
    """How the two companies of a transfer are linked by a direct holding on the transfer date."""

    SENDER_HOLDS_RECEIVER = "sender_holds_receiver"
    RECEIVER_HOLDS_SENDER = "receiver_holds_sender"
    OTHER = "other"


class DisposalKind(StrEnum):
    SALE = "sale"
    SCRAP = "scrap"


@dataclass(frozen=True, slots=True)
class AssetAccounts:
    """The group-chart codes the asset rules post to (looked up by role by the service)."""

    fixed_asset: str
    accumulated_depreciation: str
    impairment_allowance: str
    disposal_clearing: str
    gain_on_disposal: str
    non_operating_income: str
    non_operating_expense: str
    intercompany_receivable: str
    intercompany_payable: str
    capital_reserve: str
    paid_in_capital: str
    investment_in_subsidiary: str
    equity_investment: str
    impairment_loss: str
    cash: str


@dataclass(frozen=True, slots=True)
class Line:
    """One journal line: exactly one of debit and credit is positive."""

    account_code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    counterparty_entity_id: str | None = None


def _dr(account: str, amount: Decimal, counterparty: str | None = None) -> list[Line]:
    if amount > 0:
        return [Line(account, debit=amount, counterparty_entity_id=counterparty)]
    if amount < 0:
        return [Line(account, credit=-amount, counterparty_entity_id=counterparty)]
    return []


def _cr(account: str, amount: Decimal, counterparty: str | None = None) -> list[Line]:
    return _dr(account, -amount, counterparty)


def balanced(lines: Iterable[Line]) -> bool:
    items = list(lines)
    return sum((x.debit for x in items), ZERO) == sum((x.credit for x in items), ZERO)


@dataclass(frozen=True, slots=True)
class Holding:
    """What a book carries when the asset leaves it."""

    cost: Decimal
    accumulated_depreciation: Decimal
    impairment: Decimal

    @property
    def carrying_amount(self) -> Decimal:
        return self.cost - self.accumulated_depreciation - self.impairment


def _derecognise(accounts: AssetAccounts, holding: Holding) -> list[Line]:
    """Take the asset out of the books: everything but the carrying amount, which the caller places."""
    return [
        *_dr(accounts.accumulated_depreciation, holding.accumulated_depreciation),
        *_dr(accounts.impairment_allowance, holding.impairment),
        *_cr(accounts.fixed_asset, holding.cost),
    ]


def _take_over(accounts: AssetAccounts, holding: Holding) -> list[Line]:
    return [
        *_dr(accounts.fixed_asset, holding.cost),
        *_cr(accounts.accumulated_depreciation, holding.accumulated_depreciation),
        *_cr(accounts.impairment_allowance, holding.impairment),
    ]


def acquisition_lines(
    *, accounts: AssetAccounts, cost: Decimal, credit_account: str, counterparty_entity_id: str | None
) -> list[Line]:
    """Dr fixed assets, Cr what paid for it (bank by default, or a payable to the supplier)."""
    return [*_dr(accounts.fixed_asset, cost), *_cr(credit_account, cost, counterparty_entity_id)]


def depreciation_lines(*, accounts: AssetAccounts, charges: Sequence[tuple[str, Decimal]]) -> list[Line]:
    """One month's charges of one company: expense accounts debited (summed per account), 1602 credited."""
    per_account: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for expense_account, amount in charges:
        per_account[expense_account] += amount
    lines: list[Line] = []
    for account in sorted(per_account):
        lines += _dr(account, per_account[account])
    total = sum(per_account.values(), ZERO)
    return [*lines, *_cr(accounts.accumulated_depreciation, total)]


@dataclass(frozen=True, slots=True)
class TransferAccounting:
    """Both sides of a transfer inside the group and what the receiving book opens with."""

    kind: TransferKind
    carrying_amount: Decimal
    gain: Decimal
    sender_lines: tuple[Line, ...]
    receiver_lines: tuple[Line, ...]
    receiver_cost: Decimal
    receiver_opening_accumulated: Decimal
    receiver_opening_impairment: Decimal
    continues_schedule: bool


def transfer_accounting(
    *,
    kind: TransferKind,
    relation: Relation,
    holding: Holding,
    price: Decimal | None,
    sender_id: str,
    receiver_id: str,
    accounts: AssetAccounts,
) -> TransferAccounting:
    """The sender's and the receiver's entries for a transfer of `holding` (figures at the transfer date)."""
    carrying = holding.carrying_amount
    out = _derecognise(accounts, holding)
    if kind is TransferKind.SALE:
        if price is None:
            raise ValueError("a sale needs a price")
        gain = price - carrying
        sender = [
            *_dr(accounts.disposal_clearing, carrying),
            *out,
            *_dr(accounts.intercompany_receivable, price, receiver_id),
            *_cr(accounts.disposal_clearing, price),
            *_dr(accounts.disposal_clearing, gain),
            *_cr(accounts.gain_on_disposal, gain, receiver_id),
        ]
        receiver = [
            *_dr(accounts.fixed_asset, price),
            *_cr(accounts.intercompany_payable, price, sender_id),
        ]
        return TransferAccounting(
            kind=kind,
            carrying_amount=carrying,
            gain=gain,
            sender_lines=tuple(sender),
            receiver_lines=tuple(receiver),
            receiver_cost=price,
            receiver_opening_accumulated=ZERO,
            receiver_opening_impairment=ZERO,
            continues_schedule=False,
        )
    if kind is TransferKind.FREE_TRANSFER:
        sender_account = (
            accounts.investment_in_subsidiary
            if relation is Relation.SENDER_HOLDS_RECEIVER
            else accounts.capital_reserve
        )
        receiver_account = (
            accounts.investment_in_subsidiary
            if relation is Relation.RECEIVER_HOLDS_SENDER
            else accounts.capital_reserve
        )
        sender = [*out, *_dr(sender_account, carrying, receiver_id)]
        receiver = [*_take_over(accounts, holding), *_cr(receiver_account, carrying, sender_id)]
    else:
        registered = carrying if price is None else price
        investment_account = (
            accounts.investment_in_subsidiary
            if relation is Relation.SENDER_HOLDS_RECEIVER
            else accounts.equity_investment
        )
        sender = [*out, *_dr(investment_account, carrying, receiver_id)]
        receiver = [
            *_take_over(accounts, holding),
            *_cr(accounts.paid_in_capital, registered, sender_id),
            *_cr(accounts.capital_reserve, carrying - registered, sender_id),
        ]
    return TransferAccounting(
        kind=kind,
        carrying_amount=carrying,
        gain=ZERO,
        sender_lines=tuple(sender),
        receiver_lines=tuple(receiver),
        receiver_cost=holding.cost,
        receiver_opening_accumulated=holding.accumulated_depreciation,
        receiver_opening_impairment=holding.impairment,
        continues_schedule=True,
    )


@dataclass(frozen=True, slots=True)
class DisposalAccounting:
    carrying_amount: Decimal
    gain: Decimal
    lines: tuple[Line, ...]


def disposal_accounting(
    *,
    kind: DisposalKind,
    holding: Holding,
    proceeds: Decimal,
    costs: Decimal,
    proceeds_account: str,
    costs_account: str,
    counterparty_entity_id: str | None,
    accounts: AssetAccounts,
) -> DisposalAccounting:
    """Sale or scrapping outside the group: result = proceeds - carrying amount - costs of disposal."""
    carrying = holding.carrying_amount
    gain = proceeds - carrying - costs
    if kind is DisposalKind.SALE:
        result = _cr(accounts.gain_on_disposal, gain)
    elif gain >= 0:
        result = _cr(accounts.non_operating_income, gain)
    else:
        result = _cr(accounts.non_operating_expense, gain)
    lines = [
        *_dr(accounts.disposal_clearing, carrying),
        *_derecognise(accounts, holding),
        *_dr(accounts.disposal_clearing, costs),
        *_cr(costs_account, costs),
        *_dr(proceeds_account, proceeds, counterparty_entity_id),
        *_cr(accounts.disposal_clearing, proceeds),
        *_dr(accounts.disposal_clearing, gain),
        *result,
    ]
    return DisposalAccounting(carrying_amount=carrying, gain=gain, lines=tuple(lines))


def impairment_lines(*, accounts: AssetAccounts, amount: Decimal) -> list[Line]:
    """Dr asset impairment loss, Cr impairment allowance (CAS 8: never reversed)."""
    return [*_dr(accounts.impairment_loss, amount), *_cr(accounts.impairment_allowance, amount)]
