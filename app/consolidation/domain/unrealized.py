"""Unrealised intragroup profit (IFRS 10 B86(c); DOMAIN §2.4, §2.5).

Inventory: URP = goods still held x gross profit ratio (markup m on cost: m / (1 + m); margin g: g). Cost of
sales rises and inventory falls by the whole URP; the seller bears it, so a partly owned selling subsidiary's
NCI shares in it (upstream, sub to sub) and the parent's owners bear all of it when the parent sells
(downstream). Last period's URP (a record dated the day before the period start) is realised this period:
Dr retained earnings, Cr cost of sales.

Fixed assets (Allen White 8.3, case C-09): the seller's gain is eliminated against the asset and released as
the buyer's extra depreciation runs; what is left when the asset leaves the group goes back to the seller's
gain, the buyer's gain being restated for the depreciation written back. Earlier years' parts are restated in
retained earnings. Every line shares with the seller's NCI; the depreciation write-back is booked in the
buyer, as in the source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.consolidation.domain.chart import Chart
from app.consolidation.domain.errors import ConsolidationInputError, Violation
from app.consolidation.domain.events import AssetTransferProfit, UnrealizedProfit
from app.consolidation.domain.journal import AVERAGE, CLOSING, Draft, Journal, journal, year_average
from app.consolidation.domain.numbers import ZERO, exact, to_decimal
from app.consolidation.domain.periods import ONE_DAY, fiscal_year_end, straight_line


def urp_exact(record: UnrealizedProfit) -> Fraction:
    """The unrealised profit of one record; exactly one basis must be given (checked by the engine)."""
    if record.unrealized_profit is not None:
        return exact(record.unrealized_profit)
    held = exact(record.inventory_at_transfer_price)
    if record.markup_on_cost is not None:
        markup = exact(record.markup_on_cost)
        return held * markup / (1 + markup)
    if record.margin_on_sales is not None:
        return held * exact(record.margin_on_sales)
    raise ConsolidationInputError([Violation("urp-basis-missing", "no markup, margin or amount", record.id)])


def unrealized_profit_amount(
    *,
    inventory_at_transfer_price: Decimal,
    markup_on_cost: Decimal | None = None,
    margin_on_sales: Decimal | None = None,
    unrealized_profit: Decimal | None = None,
) -> Decimal:
    """URP of goods held at transfer price: Kaplan F1 "$12,000 / 120 x 20 = $2,000" (markup 20%),
    "$12,000 x 20% = $2,400" (margin 20%). Raises ConsolidationInputError unless exactly one basis is set."""
    given = [x for x in (markup_on_cost, margin_on_sales, unrealized_profit) if x is not None]
    if len(given) != 1:
        raise ConsolidationInputError(
            [Violation("urp-basis", "give exactly one of markup_on_cost, margin_on_sales, unrealized_profit")]
        )
    record = UnrealizedProfit(
        "urp",
        date.min,
        "",
        "",
        inventory_at_transfer_price,
        markup_on_cost,
        margin_on_sales,
        unrealized_profit,
    )
    return to_decimal(urp_exact(record))


def inventory_journals(
    *,
    chart: Chart,
    records: Sequence[UnrealizedProfit],
    members: frozenset[str],
    currencies: Mapping[str, str],
    as_of: date,
    period_start: date,
) -> list[Journal]:
    """Closing URP (records dated `as_of`) and last period's, realised now (dated the day before)."""
    opening_date = period_start - ONE_DAY
    journals: list[Journal] = []
    for r in records:
        if r.seller not in members or r.buyer not in members or r.as_of not in (as_of, opening_date):
            continue
        urp, tax, s = urp_exact(r), exact(r.deferred_tax_rate), r.seller
        cost = chart.role("cost_of_sales")
        if r.as_of == as_of:
            inventory = r.inventory_account or chart.role("inventory")
            lines = [Draft(cost, urp, s, s, AVERAGE), Draft(inventory, -urp, r.buyer, s, CLOSING)]
            if tax:
                lines += [
                    Draft(chart.role("deferred_tax_asset"), tax * urp, r.buyer, s, CLOSING),
                    Draft(chart.role("income_tax"), -tax * urp, s, s, AVERAGE),
                ]
        else:
            lines = [
                Draft(
                    chart.role("retained_earnings"),
                    urp * (1 - tax),
                    s,
                    s,
                    year_average(opening_date),
                    carried_forward=True,
                ),
                Draft(cost, -urp, s, s, AVERAGE),
            ]
            if tax:
                lines.append(Draft(chart.role("income_tax"), tax * urp, s, s, AVERAGE))
        entry = journal(
            reason="unrealized_profit_inventory",
            source=r.id,
            layer="ELIM",
            currency=currencies[r.buyer],
            lines=lines,
            cta_entity=s,
            cta_nci_entity=s,
        )
        if entry is not None:
            journals.append(entry)
    return journals


def _releases(t: AssetTransferProfit, as_of: date, period_start: date) -> list[tuple[bool, date, Fraction]]:
    """(current?, fiscal year end, amount) of the gain released by the buyer's depreciation up to `as_of`."""
    if t.released_before_period is not None or t.released_in_period is not None:
        return [
            (False, period_start - ONE_DAY, exact(t.released_before_period or Decimal(0))),
            (True, as_of, exact(t.released_in_period or Decimal(0))),
        ]
    stop = min(t.disposed_on or as_of + ONE_DAY, as_of + ONE_DAY)
    schedule = straight_line(
        amount=exact(t.gain),
        life_months=t.remaining_life_months,
        start=t.transfer_on,
        stop=stop,
        period_start=period_start,
        as_of=as_of,
    )
    return [(s.current, s.year_end, amount) for s, amount in schedule]


def transfer_journals(
    *,
    chart: Chart,
    transfers: Sequence[AssetTransferProfit],
    currencies: Mapping[str, str],
    as_of: date,
    period_start: date,
) -> list[Journal]:
    """One journal per transfer still relevant to the period (module docstring)."""
    journals: list[Journal] = []
    retained = chart.role("retained_earnings")
    for t in transfers:
        disposed = t.disposed_on is not None and t.disposed_on <= as_of
        if t.transfer_on > as_of or (disposed and t.disposed_on is not None and t.disposed_on < period_start):
            continue
        seller, buyer, gain = t.seller, t.buyer, exact(t.gain)
        gain_account = t.gain_account or chart.role("gain_on_disposal")
        if t.transfer_on >= period_start:
            lines = [Draft(gain_account, gain, seller, seller, AVERAGE)]
        else:
            year_end = fiscal_year_end(day=t.transfer_on, period_start=period_start, as_of=as_of)
            lines = [Draft(retained, gain, seller, seller, year_average(year_end), carried_forward=True)]
        released = ZERO
        expense = t.expense_account or chart.role("admin_expense")
        for current, year_end, amount in _releases(t, as_of, period_start):
            released += amount
            if current:
                lines.append(Draft(expense, -amount, buyer, seller, AVERAGE))
            else:
                lines.append(
                    Draft(retained, -amount, buyer, seller, year_average(year_end), carried_forward=True)
                )
        if disposed:
            lines += [
                Draft(gain_account, -gain, seller, seller, AVERAGE),
                Draft(gain_account, released, buyer, seller, AVERAGE),
            ]
        else:
            lines += [
                Draft(t.asset_account or chart.role("fixed_asset"), -gain, buyer, seller, CLOSING),
                Draft(
                    t.depreciation_account or chart.role("accumulated_depreciation"),
                    released,
                    buyer,
                    seller,
                    CLOSING,
                ),
            ]
        entry = journal(
            reason="unrealized_profit_asset",
            source=t.id,
            layer="ELIM",
            currency=currencies[buyer],
            lines=lines,
            cta_entity=seller,
            cta_nci_entity=seller,
        )
        if entry is not None:
            journals.append(entry)
    return journals
