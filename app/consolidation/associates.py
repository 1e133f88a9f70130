"""Associates and joint ventures of a run (equity method, DOMAIN §5), from the records and the ledger.

For each equity-accounted entity of the scope:
- the investor is the acquirer of its latest recorded acquisition by a consolidated company, else the
  consolidated company holding most of it; the share is the group's holding (IAS 28.27: the parent's and
  its subsidiaries' holdings, associates' ignored), from the ownership engine;
- cost, fair-value adjustments (with deferred tax), their realisations and impairments of the investment
  come from that acquisition; without one the cost is what the consolidated companies' investment accounts
  hold for it (books at cost) and there is no fair-value effect;
- the investee's profit and OCI of the period and its change in net assets from the acquisition to the
  period start come from its own books in the ledger (an investee without books contributes nothing);
  pre-acquisition profit is what the acquisition's equity at acquisition holds in income and expense
  accounts, else the engine time-apportions by months;
- dividends are the investment income the investor booked against the investee in the period.
An investee whose currency differs from its investor's is not translated here: the run refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, localcontext

from sqlalchemy.orm import Session

from app.consolidation import domain as cd
from app.consolidation.books import Books, GroupChart, as_decimal
from app.consolidation.records import AcquisitionRecord
from app.entities.models import LegalEntity
from app.ownership import domain as od
from app.ownership import view_service as ownership_views

ONE_DAY = timedelta(days=1)
ZERO = Decimal(0)
_EQUITY_METHOD = frozenset({"associate", "joint_venture"})
_INVESTMENT_ROLES = frozenset({"investment_in_associates", "investment_in_joint_ventures"})


def _in_force(d: od.DatedHolding, as_of: date) -> bool:
    return d.valid_from <= as_of and (d.valid_to is None or as_of < d.valid_to)


def _start(holdings: Sequence[od.DatedHolding], members: frozenset[str], as_of: date) -> date | None:
    """The first day of the consolidated companies' holdings in force on `as_of` (`holdings`: the
    investee's)."""
    starts = [d.valid_from for d in holdings if d.holding.holder in members and _in_force(d, as_of)]
    return min(starts) if starts else None


def _investor(holdings: Sequence[od.DatedHolding], members: frozenset[str], as_of: date) -> str | None:
    """The consolidated company holding most of the investee on `as_of` (`holdings`: the investee's)."""
    best: tuple[Decimal, str] | None = None
    for d in holdings:
        h = d.holding
        if h.holder in members and _in_force(d, as_of):
            candidate = (h.share, h.holder)
            best = candidate if best is None or candidate > best else best
    return best[1] if best else None


def _total(equity: Mapping[str, Decimal]) -> Decimal:
    return sum(equity.values(), ZERO)


def _prefetch(
    books: Books,
    placed: Sequence[tuple[cd.ScopeEntry, AcquisitionRecord | None, str, date]],
    *,
    as_of: date,
    period_start: date,
) -> None:
    """Every book `associate_events` reads, in one read per date: the investees' at the period's opening
    and at `as_of`, the investors' for the period, and the investees' on their acquisition date when no
    acquisition record gives their equity then."""
    investees = sorted({entry.entity for entry, *_ in placed})
    for day in (period_start - ONE_DAY, as_of):
        books.prefetch(investees, day)
    books.prefetch_period(
        sorted({investor for *_, investor, _ in placed}), as_of=as_of, period_start=period_start
    )
    unrecorded: dict[date, set[str]] = {}
    for entry, record, _, acquired_on in placed:
        if record is None:
            unrecorded.setdefault(acquired_on, set()).add(entry.entity)
    for day, entity_ids in sorted(unrecorded.items()):
        books.prefetch(sorted(entity_ids), day)


def associate_events(
    session: Session,
    *,
    books: Books,
    chart: GroupChart,
    scope: Sequence[cd.ScopeEntry],
    members: frozenset[str],
    records: Sequence[AcquisitionRecord],
    entities: Mapping[str, LegalEntity],
    group_holding: Mapping[str, Decimal],
    as_of: date,
    period_start: date,
) -> tuple[list[cd.Associate], list[cd.Violation]]:
    """One `Associate` per equity-accounted entity that a consolidated company holds (module docstring),
    and the investees that cannot be equity-accounted here (another currency than their investor's)."""
    equity_accounted = [entry for entry in scope if entry.method in _EQUITY_METHOD]
    if not equity_accounted:
        return [], []
    wanted = {entry.entity for entry in equity_accounted}
    held: dict[str, list[od.DatedHolding]] = {}
    for dated in ownership_views.dated_holdings(session, until=as_of):
        if dated.holding.investee in wanted:
            held.setdefault(dated.holding.investee, []).append(dated)
    latest: dict[str, AcquisitionRecord] = {}
    for r in records:  # in record order: the last one of each investee wins
        if r.row.acquiree_id in wanted and r.row.acquirer_id in members:
            latest[r.row.acquiree_id] = r
    roles = {a.code: a.role for a in chart.accounts}
    opening = period_start - ONE_DAY
    placed: list[tuple[cd.ScopeEntry, AcquisitionRecord | None, str, date]] = []
    for entry in equity_accounted:
        z = entry.entity
        record = latest.get(z)
        investor = record.row.acquirer_id if record else _investor(held.get(z, []), members, as_of)
        acquired_on = record.row.acquired_on if record else _start(held.get(z, []), members, as_of)
        if investor is not None and acquired_on is not None:
            placed.append((entry, record, investor, acquired_on))
    _prefetch(books, placed, as_of=as_of, period_start=period_start)
    out: list[cd.Associate] = []
    problems: list[cd.Violation] = []
    for entry, record, investor, acquired_on in placed:
        z = entry.entity
        if entities[z].functional_currency != entities[investor].functional_currency:
            problems.append(
                cd.Violation(
                    "associate-currency",
                    f"{entities[z].code} keeps {entities[z].functional_currency} books, its investor "
                    f"{entities[investor].code} {entities[investor].functional_currency}",
                    z,
                )
            )
            continue
        investor_books = books.for_period(investor, as_of=as_of, period_start=period_start)
        share = group_holding.get(z) or as_decimal(entry.interest_share)
        if record is not None:
            cost = record.row.consideration + record.row.previously_held_fair_value
            at_acquisition = _total(
                {
                    a: (-v if chart.types[a] == "expense" else v)
                    for a, v in record.event.equity_at_acquisition.items()
                }
            )
        else:
            cost = sum(
                (
                    v
                    for (a, cp), v in books.on(investor, as_of).items()
                    if cp == z and roles[a] in _INVESTMENT_ROLES
                ),
                ZERO,
            )
            at_acquisition = _total(books.equity(z, acquired_on))
        own = books.for_period(z, as_of=as_of, period_start=period_start)
        before, after = books.equity(z, opening), books.equity(z, as_of)
        change = _total(before) - at_acquisition if acquired_on <= opening and before else ZERO
        oci = sum((after.get(a, ZERO) - before.get(a, ZERO) for a in chart.oci), ZERO)
        received = -sum(
            (v for (a, cp), v in investor_books.items() if cp == z and roles[a] == "investment_income"), ZERO
        )
        with localcontext() as ctx:
            ctx.prec = 40
            dividends = (received / share).quantize(Decimal(1).scaleb(-18)) if received and share else ZERO
        event = record.event if record is not None else None
        out.append(
            cd.Associate(
                id=record.row.id if record else f"holding:{z}",
                investor=investor,
                investee=z,
                share=share,
                acquired_on=acquired_on,
                cost=cost,
                profit_for_period=books.profit(own),
                profit_before_acquisition=record.pre_acquisition_profit if record else None,
                post_acquisition_change_before_period=change,
                oci_for_period=oci,
                dividends_for_period=dividends,
                net_assets_at_acquisition=record.row.net_assets if record else None,
                fair_value_adjustments=event.fair_value_adjustments if event else (),
                fair_value_movements=event.fair_value_movements if event else (),
                deferred_tax_rate=event.deferred_tax_rate if event else Decimal(0),
                impairments=event.goodwill_impairments if event else (),
            )
        )
    return out, problems
