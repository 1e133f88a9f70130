"""The records every group event plan is made of, and the rounding rules they share.

A plan is what an event does, computed before anything is written: the holdings before and after, the
method of each entity the event touches before and after, the stake records to end and to record, the entity
status changes, the journal entries in each company's books, the assets that change holder, the figures of
the consolidated view (goodwill, capital reserve, NCI, gains) and every rule the event would break. Preview
answers the plan; commit executes exactly that plan, so a preview and its commit cannot differ.

Money in a plan is `Decimal` at 4 places (ROUND_HALF_UP, the Chinese 四舍五入, applied once when the plan is
made from exact `Fraction` arithmetic); shares are `Decimal` at 12 places (the stake column's scale).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction
from typing import Final

ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)
MONEY_PLACES: Final = 4
SHARE_PLACES: Final = 12
MONEY_QUANTUM: Final = Decimal(1).scaleb(-MONEY_PLACES)
SHARE_QUANTUM: Final = Decimal(1).scaleb(-SHARE_PLACES)
_CONTEXT: Final = Context(prec=80, rounding=ROUND_HALF_UP)

#: A symbolic id for the company a new-establishment merger founds; the commit replaces it by the real id.
NEW_ENTITY: Final = "new-entity"

# Layers of a planned entry: `books` is posted in the company's ledger; `consolidated` is the event's effect
# on the consolidated statements of the group parent (kept with the event, never posted in a company's books).
BOOKS: Final = "books"
CONSOLIDATED: Final = "consolidated"


def frac(value: Decimal | int | Fraction) -> Fraction:
    """Exact rational of a decimal (no binary float ever)."""
    return value if isinstance(value, Fraction) else Fraction(value)


def _quantize(value: Fraction | Decimal | int, quantum: Decimal) -> Decimal:
    exact = frac(value)
    with localcontext(_CONTEXT):
        quotient = Decimal(exact.numerator) / Decimal(exact.denominator)
        return quotient.quantize(quantum, rounding=ROUND_HALF_UP)


def money(value: Fraction | Decimal | int) -> Decimal:
    """Money at 4 places, ROUND_HALF_UP."""
    return _quantize(value, MONEY_QUANTUM)


def share(value: Fraction | Decimal | int) -> Decimal:
    """A share at 12 places, ROUND_HALF_UP (for figures; stake shares go through `allocate_shares`)."""
    return _quantize(value, SHARE_QUANTUM)


def plain(value: Decimal) -> Decimal:
    """`value` without trailing zeros and never in exponent form ("0.700000000000" -> "0.7")."""
    normal = value.normalize()
    return normal.quantize(ONE) if normal == normal.to_integral_value() else normal


def allocate_shares(exact: Sequence[Fraction]) -> list[Decimal]:
    """Shares at 12 places whose sum never exceeds the exact sum (largest remainder rounding).

    Rounding each share half-up on its own could make the holdings of an investee sum to more than 1
    (1/6 + 1/6 + 2/3 -> 1.000000000001), which the stake register refuses; here every share is rounded
    down and the units lost are given back, one each, to the largest remainders, up to the exact total.
    """
    scale = 10**SHARE_PLACES
    floors = [(f.numerator * scale) // f.denominator for f in exact]
    remainders = [f * scale - n for f, n in zip(exact, floors, strict=True)]
    total_units = int((sum(exact, Fraction(0)) * scale).__floor__())
    missing = total_units - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-remainders[i], i))
    for i in order[: max(missing, 0)]:
        floors[i] += 1
    return [Decimal(n).scaleb(-SHARE_PLACES).quantize(SHARE_QUANTUM, rounding=ROUND_DOWN) for n in floors]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: `loc` names the input field (a problem's `errors[].loc`), `type` a stable code."""

    loc: tuple[str | int, ...]
    msg: str
    type: str


@dataclass(frozen=True, slots=True)
class EventAccounts:
    """The chart codes the event rules post to (found by role by the service)."""

    cash: str
    investment_in_subsidiaries: str
    investment_in_associates: str
    investment_in_joint_ventures: str
    other_equity_investment: str
    investment_impairment: str
    share_capital: str
    capital_reserve: str
    surplus_reserve: str
    retained_earnings: str
    investment_income: str
    admin_expense: str
    fixed_asset: str
    accumulated_depreciation: str
    fixed_asset_impairment: str
    fixed_asset_disposal: str
    nci: str

    def investment_accounts(self) -> frozenset[str]:
        """Every account that carries an equity investment (and its allowance)."""
        return frozenset(
            {
                self.investment_in_subsidiaries,
                self.investment_in_associates,
                self.investment_in_joint_ventures,
                self.other_equity_investment,
                self.investment_impairment,
            }
        )

    def investment_account_for(self, method: str | None) -> str:
        """The account an investment is carried in, by the holder's own method for the investee."""
        if method in ("subsidiary", "parent"):
            return self.investment_in_subsidiaries
        if method == "associate":
            return self.investment_in_associates
        if method == "joint_venture":
            return self.investment_in_joint_ventures
        return self.other_equity_investment


@dataclass(frozen=True, slots=True)
class PlannedLine:
    """A debit or a credit (one of them zero), 4 places, optionally tagged with a counterparty."""

    account_code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    counterparty_entity_id: str | None = None
    memo: str | None = None

    @property
    def net(self) -> Decimal:
        return self.debit - self.credit


def line(
    account_code: str,
    amount: Fraction | Decimal | int,
    *,
    counterparty: str | None = None,
    memo: str | None = None,
) -> PlannedLine:
    """A line from a debit-positive amount (negative = credit), rounded to money."""
    value = money(amount)
    if value >= ZERO:
        return PlannedLine(account_code, debit=value, counterparty_entity_id=counterparty, memo=memo)
    return PlannedLine(account_code, credit=-value, counterparty_entity_id=counterparty, memo=memo)


@dataclass(frozen=True)
class PlannedEntry:
    """A journal entry the event makes: in `entity_id`'s books (`layer` books) or in the consolidated view."""

    entity_id: str
    entry_date: date
    description: str
    lines: tuple[PlannedLine, ...]
    layer: str = BOOKS

    @property
    def balanced(self) -> bool:
        return sum((ln.net for ln in self.lines), ZERO) == ZERO


def entry(
    *, entity_id: str, entry_date: date, description: str, lines: Iterable[PlannedLine], layer: str = BOOKS
) -> PlannedEntry | None:
    """An entry of the non-zero lines (None when nothing is left), same-account same-tag lines merged."""
    merged: dict[tuple[str, str | None, str | None], Decimal] = {}
    for ln in lines:
        key = (ln.account_code, ln.counterparty_entity_id, ln.memo)
        merged[key] = merged.get(key, ZERO) + ln.net
    kept = tuple(
        line(code, amount, counterparty=cp, memo=memo)
        for (code, cp, memo), amount in merged.items()
        if amount != ZERO
    )
    if not kept:
        return None
    return PlannedEntry(
        entity_id=entity_id, entry_date=entry_date, description=description, lines=kept, layer=layer
    )


@dataclass(frozen=True, slots=True)
class HoldingState:
    """A holding of `holder` in `investee` on a date; `capital` is the subscribed registered capital."""

    holder: str
    investee: str
    share: Decimal
    voting_share: Decimal
    capital: Decimal | None = None


@dataclass(frozen=True, slots=True)
class StakeChange:
    """A holding that changes: `before` None = a new holding; `after` None = the holding ends."""

    holder: str
    investee: str
    before: HoldingState | None
    after: HoldingState | None
    stake_id: str | None = None

    @property
    def decreases(self) -> bool:
        before = self.before.share if self.before is not None else ZERO
        after = self.after.share if self.after is not None else ZERO
        return after < before or (after == before and self.after is None)


@dataclass(frozen=True, slots=True)
class MethodChange:
    """How the group parent sees one entity before and after the event."""

    entity_id: str
    method_before: str | None
    method_after: str | None
    control_before: Decimal
    control_after: Decimal
    interest_before: Decimal
    interest_after: Decimal
    classification: str


@dataclass(frozen=True, slots=True)
class NewEntity:
    """The company a new-establishment merger founds."""

    code: str
    name: str
    functional_currency: str
    name_en: str | None = None
    uscc: str | None = None
    country: str | None = None
    segment: str | None = None


@dataclass(frozen=True, slots=True)
class EntityChange:
    """`merged` (entity_id merged into `into_id`, ceasing on `on`) or `created` (the new company)."""

    kind: str
    entity_id: str
    on: date
    into_id: str | None = None
    new_entity: NewEntity | None = None


@dataclass(frozen=True, slots=True)
class AssetRehoming:
    """An asset passing, with its identity and history, from `from_entity_id` to `to_entity_id` on `on`."""

    asset_id: str
    tag: str
    from_entity_id: str
    to_entity_id: str
    on: date


@dataclass(frozen=True)
class EventPlan:
    """The full effect of one event (see the module docstring). `ok` when there is no violation."""

    kind: str
    effective_on: date
    group_parent_id: str | None
    classification: str | None
    holdings_before: tuple[HoldingState, ...] = ()
    holdings_after: tuple[HoldingState, ...] = ()
    methods: tuple[MethodChange, ...] = ()
    stake_changes: tuple[StakeChange, ...] = ()
    entity_changes: tuple[EntityChange, ...] = ()
    entries: tuple[PlannedEntry, ...] = ()
    asset_rehomings: tuple[AssetRehoming, ...] = ()
    figures: tuple[tuple[str, Decimal], ...] = ()
    notes: tuple[str, ...] = ()
    #: how the consolidated statements treat the event (C-16e): restatement, from when results count...
    treatment: tuple[tuple[str, str], ...] = ()
    violations: tuple[Violation, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.violations

    def figure(self, name: str) -> Decimal:
        return dict(self.figures)[name]

    def entries_of(self, entity_id: str, *, layer: str = BOOKS) -> list[PlannedEntry]:
        return [e for e in self.entries if e.entity_id == entity_id and e.layer == layer]


def figures(values: Mapping[str, Fraction | Decimal | int | None]) -> tuple[tuple[str, Decimal], ...]:
    """Named money figures, rounded, in the given order (None values left out)."""
    return tuple((name, money(value)) for name, value in values.items() if value is not None)
