"""The feature's stored records as the engine's events (`domain.events`), read in a few queries."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.consolidation import domain as cd
from app.consolidation import repository
from app.consolidation.models import Acquisition, ConsolidationAdjustment, UnrealizedInventoryProfit

ZERO = Decimal(0)


@dataclass(frozen=True)
class AcquisitionRecord:
    """An acquisition with everything recorded about it up to a date, as engine events."""

    row: Acquisition
    event: cd.Acquisition
    #: income less expenses inside the equity at acquisition (year-to-date results); None when none given
    pre_acquisition_profit: Decimal | None = None


def _folded_profit(equity: Mapping[str, Decimal], types: Mapping[str, str]) -> Decimal | None:
    amounts = [(types[a], v) for a, v in equity.items() if types[a] in ("income", "expense")]
    if not amounts:
        return None
    return sum((v if kind == "income" else -v for kind, v in amounts), ZERO)


def acquisition_records(
    session: Session, *, acquiree_ids: Collection[str], until: date, types: Mapping[str, str]
) -> list[AcquisitionRecord]:
    """Every acquisition of the entities on or before `until`, with its movements and impairments to then."""
    rows = repository.acquisitions_of(session, acquiree_ids=acquiree_ids, until=until)
    ids = [r.id for r in rows]
    equity = repository.equity_lines(session, acquisition_ids=ids)
    adjustments = repository.fair_value_adjustments(session, acquisition_ids=ids)
    movements = repository.fair_value_movements(session, acquisition_ids=ids, until=until)
    impairments = repository.impairments(session, acquisition_ids=ids, until=until)
    out = []
    for row in rows:
        at_acquisition = {line.account_code: line.amount for line in equity[row.id]}
        event = cd.Acquisition(
            id=row.id,
            acquirer=row.acquirer_id,
            acquiree=row.acquiree_id,
            acquired_on=row.acquired_on,
            share=row.share,
            consideration=row.consideration,
            equity_at_acquisition=at_acquisition,
            nci_measurement=row.nci_measurement,  # type: ignore[arg-type]
            nci_fair_value=row.nci_fair_value,
            previously_held_fair_value=row.previously_held_fair_value,
            previously_held_carrying_amount=row.previously_held_carrying_amount,
            fair_value_adjustments=tuple(
                cd.FairValueAdjustment(
                    account=a.account_code,
                    amount=a.amount,
                    useful_life_months=a.useful_life_months,
                    contra_account=a.contra_account_code,
                    expense_account=a.expense_account_code,
                )
                for a in adjustments[row.id]
            ),
            deferred_tax_rate=row.deferred_tax_rate,
            fair_value_movements=tuple(
                cd.FairValueMovement(
                    on=m.on, account=m.account_code, amount=m.amount, pnl_account=m.pnl_account_code
                )
                for m in movements[row.id]
            ),
            goodwill_impairments=tuple(cd.Impairment(on=i.on, amount=i.amount) for i in impairments[row.id]),
            combination=row.combination,  # type: ignore[arg-type]
        )
        out.append(AcquisitionRecord(row, event, _folded_profit(at_acquisition, types)))
    return out


def adjustment_events(
    session: Session, *, entity_ids: Collection[str], as_of: date
) -> list[cd.GroupAdjustment]:
    """Group adjustments of the entities for `as_of` and earlier ones carried forward."""
    rows: Sequence[ConsolidationAdjustment] = repository.adjustments_for_run(
        session, entity_ids=entity_ids, as_of=as_of
    )
    lines = repository.adjustment_lines(session, adjustment_ids=[r.id for r in rows])
    return [
        cd.GroupAdjustment(
            id=row.id,
            as_of=row.as_of,
            entity=row.entity_id,
            description=row.description,
            lines=tuple(
                cd.AdjustmentLine(
                    account=line.account_code,
                    debit=line.debit,
                    credit=line.credit,
                    counterparty=line.counterparty_entity_id,
                )
                for line in lines[row.id]
            ),
            carry_forward=row.carry_forward,
        )
        for row in rows
    ]


def unrealized_event(row: UnrealizedInventoryProfit) -> cd.UnrealizedProfit:
    return cd.UnrealizedProfit(
        id=row.id,
        as_of=row.as_of,
        seller=row.seller_id,
        buyer=row.buyer_id,
        inventory_at_transfer_price=row.inventory_at_transfer_price,
        markup_on_cost=row.markup_on_cost,
        margin_on_sales=row.margin_on_sales,
        unrealized_profit=row.unrealized_profit,
        deferred_tax_rate=row.deferred_tax_rate,
    )


def unrealized_events(
    session: Session, *, dates: Collection[date], parties: frozenset[str], members: frozenset[str]
) -> list[cd.UnrealizedProfit]:
    """Records of the dates between the run's companies and associates (at least one side consolidated)."""
    return [
        unrealized_event(row)
        for row in repository.unrealized_on(session, dates=dates)
        if {row.seller_id, row.buyer_id} <= parties and {row.seller_id, row.buyer_id} & members
    ]
