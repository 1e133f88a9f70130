"""Input checks of a consolidation run: every violation at once (beancount-style small validators)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, Inexact, InvalidOperation, localcontext
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.errors import ConsolidationInputError, Violation
from app.consolidation.domain.events import (
    Acquisition,
    AssetTransferProfit,
    Associate,
    GroupAdjustment,
    UnrealizedProfit,
)
from app.consolidation.domain.inputs import ConsolidationPolicy, EntityBooks, ScopeEntry
from app.consolidation.domain.numbers import exact, to_decimal, total
from app.consolidation.domain.pooling import check_pooled, pooled_debit

_MEMBER_METHODS = frozenset({"parent", "subsidiary"})
_EQUITY_METHODS = frozenset({"associate", "joint_venture"})


@dataclass(frozen=True)
class RunInputs:
    """Everything `consolidate` was given, for the checks."""

    parent: str
    as_of: date
    period_start: date
    presentation: str
    chart: Chart
    books: Sequence[EntityBooks]
    scope: Sequence[ScopeEntry]
    acquisitions: Sequence[Acquisition]
    associates: Sequence[Associate]
    adjustments: Sequence[GroupAdjustment]
    unrealized_profits: Sequence[UnrealizedProfit]
    asset_transfers: Sequence[AssetTransferProfit]
    policy: ConsolidationPolicy
    pooled_balances: Mapping[str, Decimal] = field(default_factory=dict)


def _unknown(chart: Chart, accounts: Sequence[str], subject: str, out: list[Violation]) -> None:
    for account in accounts:
        if account not in chart:
            out.append(
                Violation("unknown-account", f"{subject}: account {account} is not in the chart", subject)
            )


def _balanced(chart: Chart, books: EntityBooks) -> bool:
    """Whether the debit-positive books sum to zero, in exact Decimal arithmetic (a context wide enough that
    no sum of money rounds, Inexact trapped); other numbers (a Fraction) go through `exact`."""
    items = [(chart.sign(a), v) for (a, _), v in books.balances.items()]
    if not books.pooled and all(type(v) is Decimal and v.is_finite() for _, v in items):
        with localcontext(Context(prec=200, traps=[Inexact, InvalidOperation])):
            return sum((v if sign > 0 else -v for sign, v in items), Decimal(0)) == 0
    return _imbalance(chart, books) == 0


def _imbalance(chart: Chart, books: EntityBooks) -> Fraction:
    """Debit-positive sum of the books, pooled totals included."""
    own = total(exact(v) if chart.sign(a) > 0 else -exact(v) for (a, _), v in books.balances.items())
    return own + pooled_debit(books)


def _check_books(run: RunInputs, members: set[str], out: list[Violation]) -> None:
    chart = run.chart
    counts = Counter(b.entity for b in run.books)
    for entity in sorted(members):
        if counts[entity] != 1:
            out.append(
                Violation("books", f"{entity}: expected one set of books, got {counts[entity]}", entity)
            )
    for books in run.books:
        accounts = [a for a, _ in books.balances]
        _unknown(chart, accounts, books.entity, out)
        if any(a not in chart for a in accounts):
            continue
        if not _balanced(chart, books):
            imbalance = to_decimal(_imbalance(chart, books))
            out.append(
                Violation(
                    "books-unbalanced", f"{books.entity}: trial balance is off by {imbalance}", books.entity
                )
            )
        if books.currency == run.presentation:
            continue
        if books.equity_at_historical is None:
            out.append(
                Violation(
                    "historical-equity",
                    f"{books.entity}: foreign books need equity at historical rates",
                    books.entity,
                )
            )
            continue
        _unknown(chart, list(books.equity_at_historical), books.entity, out)
        needed = {
            a
            for (a, _), v in books.balances.items()
            if v and chart.type_of(a) == "equity" and chart.role_of(a) != "cta"
        }
        for account in sorted(needed - set(books.equity_at_historical)):
            out.append(
                Violation(
                    "historical-equity",
                    f"{books.entity}: no historical amount for equity account {account}",
                    books.entity,
                )
            )


def _check_acquisition(
    run: RunInputs,
    acq: Acquisition,
    subsidiaries: set[str],
    members: set[str],
    currency: Mapping[str, str],
    out: list[Violation],
) -> None:
    """`currency`: each company's books' currency."""
    chart = run.chart
    if acq.acquiree not in subsidiaries:
        out.append(
            Violation(
                "acquiree-not-subsidiary",
                f"{acq.id}: {acq.acquiree} is not a subsidiary on {run.as_of}",
                acq.id,
            )
        )
    if acq.acquirer not in members:
        out.append(
            Violation("acquirer-not-member", f"{acq.id}: acquirer {acq.acquirer} is not consolidated", acq.id)
        )
    if acq.acquired_on > run.as_of:
        out.append(
            Violation("acquisition-after-date", f"{acq.id}: acquired after the reporting date", acq.id)
        )
    if acq.nci_measurement == "fair_value" and acq.nci_fair_value is None:
        out.append(
            Violation(
                "nci-fair-value-missing", f"{acq.id}: the fair-value NCI method needs nci_fair_value", acq.id
            )
        )
    if not 0 < exact(acq.share) <= 1:
        out.append(Violation("share-out-of-range", f"{acq.id}: share must be in (0, 1]", acq.id))
    _unknown(
        chart, [*acq.equity_at_acquisition, *(a.account for a in acq.fair_value_adjustments)], acq.id, out
    )
    _unknown(chart, [m.account for m in acq.fair_value_movements], acq.id, out)
    for account in acq.equity_at_acquisition:
        if account in chart and chart.type_of(account) in ("asset", "liability"):
            out.append(
                Violation(
                    "equity-at-acquisition",
                    f"{acq.id}: {account} is not an equity, income or expense account",
                    acq.id,
                )
            )
    for adj in acq.fair_value_adjustments:
        if adj.account in chart and chart.type_of(adj.account) not in ("asset", "liability"):
            out.append(
                Violation(
                    "fair-value-account", f"{acq.id}: {adj.account} is not an asset or liability", acq.id
                )
            )
        if adj.useful_life_months is not None and adj.useful_life_months <= 0:
            out.append(Violation("useful-life", f"{acq.id}: useful life must be positive", acq.id))
    mine, theirs = currency.get(acq.acquirer), currency.get(acq.acquiree)
    if mine is not None and theirs is not None and mine not in (run.presentation, theirs):
        out.append(
            Violation(
                "acquirer-currency",
                f"{acq.id}: an acquirer in {mine} of a company in {theirs} is not supported",
                acq.id,
            )
        )


def _check_events(
    run: RunInputs, members: set[str], equity_accounted: set[str], out: list[Violation]
) -> None:
    for a in run.associates:
        if a.investee not in equity_accounted:
            out.append(
                Violation(
                    "not-an-associate", f"{a.id}: {a.investee} is not an associate or joint venture", a.id
                )
            )
        if a.investor not in members:
            out.append(
                Violation("investor-not-member", f"{a.id}: investor {a.investor} is not consolidated", a.id)
            )
        if not 0 < exact(a.share) <= 1:
            out.append(Violation("share-out-of-range", f"{a.id}: share must be in (0, 1]", a.id))
        if a.acquired_on > run.as_of:
            out.append(Violation("associate-after-date", f"{a.id}: acquired after the reporting date", a.id))
    held = {a.investee for a in run.associates}
    parties = members | equity_accounted
    for u in run.unrealized_profits:
        for party in sorted({u.seller, u.buyer} & (equity_accounted - held)):
            out.append(
                Violation("urp-associate-missing", f"{u.id}: no equity-method record for {party}", u.id)
            )
        given = [x for x in (u.markup_on_cost, u.margin_on_sales, u.unrealized_profit) if x is not None]
        if len(given) != 1:
            out.append(Violation("urp-basis", f"{u.id}: give exactly one of markup, margin or amount", u.id))
        if not {u.seller, u.buyer} <= parties or not {u.seller, u.buyer} & members:
            out.append(
                Violation(
                    "urp-parties", f"{u.id}: seller and buyer must be group companies or associates", u.id
                )
            )
    for t in run.asset_transfers:
        if not {t.seller, t.buyer} <= members:
            out.append(Violation("transfer-parties", f"{t.id}: seller and buyer must be consolidated", t.id))
        if t.remaining_life_months <= 0:
            out.append(Violation("useful-life", f"{t.id}: remaining life must be positive", t.id))
    for adj in run.adjustments:
        if adj.entity not in members:
            out.append(Violation("adjustment-entity", f"{adj.id}: {adj.entity} is not consolidated", adj.id))
        _unknown(run.chart, [line.account for line in adj.lines], adj.id, out)
        debit = sum((line.debit for line in adj.lines), Decimal(0))
        if debit != sum((line.credit for line in adj.lines), Decimal(0)):
            out.append(Violation("adjustment-unbalanced", f"{adj.id}: debits and credits differ", adj.id))


def validate(run: RunInputs) -> None:
    """Raise ConsolidationInputError with every violation found; return when the inputs are usable."""
    out: list[Violation] = []
    if run.period_start > run.as_of:
        out.append(Violation("period", "period_start is after as_of"))
    parents = [s for s in run.scope if s.method == "parent"]
    if [s.entity for s in parents] != [run.parent]:
        out.append(
            Violation("scope-parent", f"the scope must name {run.parent} as its only parent", run.parent)
        )
    members = {s.entity for s in run.scope if s.method in _MEMBER_METHODS}
    subsidiaries = {s.entity for s in run.scope if s.method == "subsidiary"}
    equity_accounted = {s.entity for s in run.scope if s.method in _EQUITY_METHODS}
    _check_books(run, members, out)
    check_pooled(
        chart=run.chart,
        presentation=run.presentation,
        period_start=run.period_start,
        books=run.books,
        members=members,
        acquisitions=run.acquisitions,
        pooled_balances=run.pooled_balances,
        out=out,
    )
    currency = {b.entity: b.currency for b in run.books}
    for acq in run.acquisitions:
        _check_acquisition(run, acq, subsidiaries, members, currency, out)
    counts = Counter(a.acquiree for a in run.acquisitions)
    for entity in sorted(subsidiaries):
        if counts[entity] != 1:
            out.append(
                Violation(
                    "acquisition-count", f"{entity}: expected one acquisition, got {counts[entity]}", entity
                )
            )
    _check_events(run, members, equity_accounted, out)
    account = run.policy.difference_account
    if account is not None and account not in run.chart:
        out.append(Violation("unknown-account", f"policy: difference account {account} is not in the chart"))
    if out:
        raise ConsolidationInputError(out)
