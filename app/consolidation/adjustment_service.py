"""Use cases of group-level adjustments and of unrealised profit in inventory: the records a run applies on
top of the companies' books. Each is a dated fact recorded once (never edited; a correction is another
record), audited in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.consolidation import domain as cd
from app.consolidation import repository
from app.consolidation.books import load_chart
from app.consolidation.errors import (
    AdjustmentNotFoundError,
    AdjustmentValidationError,
    UnrealizedProfitNotFoundError,
    UnrealizedProfitValidationError,
)
from app.consolidation.models import (
    ConsolidationAdjustment,
    ConsolidationAdjustmentLine,
    UnrealizedInventoryProfit,
)
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import violation
from app.core.money import MONEY_QUANTUM
from app.entities import service as entities_service

ZERO = Decimal(0)


@dataclass(frozen=True)
class AdjustmentLineInput:
    account_code: str
    debit: Decimal
    credit: Decimal
    counterparty_entity_id: str | None = None


@dataclass(frozen=True)
class AdjustmentView:
    row: ConsolidationAdjustment
    lines: list[ConsolidationAdjustmentLine]


def _line_problems(
    session: Session, lines: Sequence[AdjustmentLineInput], actor: Actor
) -> list[dict[str, object]]:
    types = load_chart(session).types
    out: list[dict[str, object]] = []
    for i, line in enumerate(lines):
        loc = ("body", "lines", i)
        if line.account_code not in types:
            out.append(
                violation(
                    (*loc, "account_code"),
                    f"account {line.account_code} is not in the chart",
                    "unknown_account",
                )
            )
        if (line.debit == 0) == (line.credit == 0):
            out.append(violation(loc, "give a debit or a credit, not both", "one_side"))
        if line.counterparty_entity_id is not None and not actor.can_see(line.counterparty_entity_id):
            out.append(violation((*loc, "counterparty_entity_id"), "unknown entity", "unknown_entity"))
    cps = {line.counterparty_entity_id for line in lines if line.counterparty_entity_id}
    known = entities_service.entities_by_id(session, entity_ids=cps)
    for i, line in enumerate(lines):
        if line.counterparty_entity_id and line.counterparty_entity_id not in known:
            out.append(
                violation(("body", "lines", i, "counterparty_entity_id"), "unknown entity", "unknown_entity")
            )
    debit = sum((line.debit for line in lines), ZERO)
    if debit != sum((line.credit for line in lines), ZERO):
        out.append(violation(("body", "lines"), "debits and credits differ", "unbalanced"))
    return out


def create_adjustment(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    entity_id: str,
    description: str,
    lines: Sequence[AdjustmentLineInput],
    carry_forward: bool,
    now: datetime,
) -> AdjustmentView:
    """A group-level journal booked in `entity_id` for the runs of `as_of` (and later with carry_forward).

    Raises:
        EntityNotFoundError: the entity is unknown or not visible.
        AdjustmentValidationError: unknown accounts or counterparties, one-sided lines, unbalanced.
    """
    with atomic(session):
        entity = entities_service.get_entity(session, actor=actor, entity_id=entity_id)
        problems = _line_problems(session, lines, actor)
        if entity.kind != "company":
            problems.append(violation(("body", "entity_id"), "must be a company", "not_a_company"))
        if problems:
            raise AdjustmentValidationError("the adjustment cannot be recorded", errors=problems)
        row = ConsolidationAdjustment(
            as_of=as_of,
            entity_id=entity.id,
            description=description,
            carry_forward=carry_forward,
            created_at=now,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        stored = [
            ConsolidationAdjustmentLine(
                adjustment_id=row.id,
                line_no=i + 1,
                account_code=line.account_code,
                debit=line.debit,
                credit=line.credit,
                counterparty_entity_id=line.counterparty_entity_id,
            )
            for i, line in enumerate(lines)
        ]
        session.add_all(stored)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="consolidation.adjustment.recorded",
            subject_type="consolidation_adjustment",
            subject_id=row.id,
            at=now,
            entity_id=entity.id,
            after={
                "as_of": as_of,
                "description": description,
                "carry_forward": carry_forward,
                "lines": [(ln.account_code, ln.debit, ln.credit, ln.counterparty_entity_id) for ln in stored],
            },
        )
        return AdjustmentView(row, stored)


def get_adjustment(session: Session, *, actor: Actor, adjustment_id: str) -> AdjustmentView:
    """Raises: AdjustmentNotFoundError (unknown, or its entity not visible)."""
    row = repository.get_adjustment(session, adjustment_id)
    if row is None or not actor.can_see(row.entity_id):
        raise AdjustmentNotFoundError(f"no consolidation adjustment {adjustment_id}")
    return AdjustmentView(row, repository.adjustment_lines(session, adjustment_ids=[row.id])[row.id])


def list_adjustments(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    as_of: date | None = None,
    entity_id: str | None = None,
) -> list[AdjustmentView]:
    rows = repository.list_adjustments(
        session, after_id=after_id, limit=limit, as_of=as_of, entity_id=entity_id, entity_ids=actor.entity_ids
    )
    lines = repository.adjustment_lines(session, adjustment_ids=[r.id for r in rows])
    return [AdjustmentView(r, lines[r.id]) for r in rows]


def create_unrealized_profit(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    seller_id: str,
    buyer_id: str,
    inventory_at_transfer_price: Decimal,
    markup_on_cost: Decimal | None,
    margin_on_sales: Decimal | None,
    unrealized_profit: Decimal | None,
    deferred_tax_rate: Decimal | None,
    now: datetime,
) -> UnrealizedInventoryProfit:
    """Goods one group company (or associate) bought from another and still holds on `as_of` (§2.4).

    Raises:
        EntityNotFoundError: seller or buyer unknown or not visible.
        UnrealizedProfitValidationError: seller = buyer, or not exactly one of markup, margin or amount.
    """
    with atomic(session):
        seller = entities_service.get_entity(session, actor=actor, entity_id=seller_id)
        buyer = entities_service.get_entity(session, actor=actor, entity_id=buyer_id)
        problems: list[dict[str, object]] = []
        if seller.id == buyer.id:
            problems.append(violation(("body", "buyer_id"), "seller and buyer are the same", "same_party"))
        given = [x for x in (markup_on_cost, margin_on_sales, unrealized_profit) if x is not None]
        if len(given) != 1:
            problems.append(
                violation(
                    ("body",),
                    "give exactly one of markup_on_cost, margin_on_sales, unrealized_profit",
                    "basis",
                )
            )
        if unrealized_profit is not None and unrealized_profit > inventory_at_transfer_price:
            problems.append(
                violation(
                    ("body", "unrealized_profit"), "more than the goods are carried at", "exceeds_inventory"
                )
            )
        if problems:
            raise UnrealizedProfitValidationError("the unrealised profit cannot be recorded", errors=problems)
        amount = cd.unrealized_profit_amount(
            inventory_at_transfer_price=inventory_at_transfer_price,
            markup_on_cost=markup_on_cost,
            margin_on_sales=margin_on_sales,
            unrealized_profit=unrealized_profit,
        )
        row = UnrealizedInventoryProfit(
            as_of=as_of,
            seller_id=seller.id,
            buyer_id=buyer.id,
            inventory_at_transfer_price=inventory_at_transfer_price,
            markup_on_cost=markup_on_cost,
            margin_on_sales=margin_on_sales,
            unrealized_profit=unrealized_profit,
            deferred_tax_rate=deferred_tax_rate or ZERO,
            amount=amount.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP),
            created_at=now,
            created_by=actor.username,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="consolidation.unrealized_profit.recorded",
            subject_type="unrealized_profit",
            subject_id=row.id,
            at=now,
            entity_id=buyer.id,
            after={
                "as_of": as_of,
                "seller_id": seller.id,
                "buyer_id": buyer.id,
                "inventory_at_transfer_price": inventory_at_transfer_price,
                "amount": row.amount,
            },
        )
        return row


def get_unrealized_profit(session: Session, *, actor: Actor, record_id: str) -> UnrealizedInventoryProfit:
    """Raises: UnrealizedProfitNotFoundError (unknown, or neither party visible)."""
    row = repository.get_unrealized(session, record_id)
    if row is None or not (actor.can_see(row.seller_id) or actor.can_see(row.buyer_id)):
        raise UnrealizedProfitNotFoundError(f"no unrealised profit record {record_id}")
    return row


def list_unrealized_profits(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    after_id: str | None = None,
    as_of: date | None = None,
    entity_id: str | None = None,
) -> Sequence[UnrealizedInventoryProfit]:
    return repository.list_unrealized(
        session, after_id=after_id, limit=limit, as_of=as_of, entity_id=entity_id, entity_ids=actor.entity_ids
    )
