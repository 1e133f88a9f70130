"""Property: any sequence of postings and reversals (accepted or refused) keeps the books consistent.

Every entry balances, total debits equal total credits per entity and currency, the kept balances equal the
sums of the lines, and the trial balance balances on every date. Runs through the service on both databases.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.core.context import Actor
from app.core.errors import ValidationFailedError
from app.entities.models import LegalEntity
from app.ledger import service
from app.ledger.domain.entries import LineDraft
from app.ledger.errors import EntryAlreadyReversedError
from app.ledger.models import JournalEntry, JournalLine
from app.ledger.report_service import check_balances, trial_balance

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ACTOR = Actor(user_id=None, username="prop", role="accountant")
ACCOUNTS = ["1002", "1122", "1602", "2202", "6001", "6401"]
DATES = [date(2025, 12, 15), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 20), date(2026, 2, 28)]
USD_RATE = Decimal(7)

line_st = st.tuples(st.sampled_from(ACCOUNTS), st.booleans(), st.integers(1, 10**7), st.booleans())
post_st = st.tuples(
    st.just("post"),
    st.sampled_from(DATES),
    st.sampled_from(["CNY", "USD"]),
    st.lists(line_st, min_size=1, max_size=4),
    st.booleans(),
)
reverse_st = st.tuples(st.just("reverse"), st.integers(0, 20), st.sampled_from(DATES))


def _entity(session: Session, code: str) -> str:
    entity = LegalEntity(
        code=f"{code}-{uuid.uuid4().hex[:8]}",
        name=code,
        kind="company",
        functional_currency="CNY",
        created_at=NOW,
        status="active",
        version=1,
    )
    session.add(entity)
    session.commit()
    return entity.id


def _drafts(
    currency: str, spec: list[tuple[str, bool, int, bool]], balance_it: bool, counterparty: str
) -> list[LineDraft]:
    drafts: list[tuple[str, Decimal, bool]] = [
        (code, Decimal(cents) / 100 if is_debit else -Decimal(cents) / 100, tag)
        for code, is_debit, cents, tag in spec
    ]
    net = sum((amount for _, amount, _ in drafts), Decimal(0))
    if balance_it and net:
        drafts.append(("4104", -net, False))
    out = []
    for code, amount, tag in drafts:
        foreign = abs(amount)
        functional = foreign * USD_RATE if currency == "USD" else foreign
        out.append(
            LineDraft(
                code,
                debit=functional if amount > 0 else None,
                credit=functional if amount < 0 else None,
                counterparty_entity_id=counterparty if tag else None,
                currency=currency,
                amount_in_currency=foreign,
            )
        )
    return out


def _run(factory: sessionmaker[Session], entity_id: str, counterparty: str, ops: list[Any]) -> int:
    accepted: list[tuple[str, date]] = []
    for op in ops:
        with factory() as session:
            try:
                if op[0] == "post":
                    _, on, currency, spec, balance_it = op
                    posted = service.post_entry(
                        session,
                        actor=ACTOR,
                        entity_id=entity_id,
                        entry_date=on,
                        description="property",
                        now=NOW,
                        lines=_drafts(currency, spec, balance_it, counterparty),
                    )
                    accepted.append((posted.entry.id, on))
                elif accepted:
                    _, index, on = op
                    entry_id, _posted_on = accepted[index % len(accepted)]
                    reversal = service.reverse_entry(
                        session, actor=ACTOR, entry_id=entry_id, entry_date=on, now=NOW
                    )
                    accepted.append((reversal.entry.id, on))
            except (ValidationFailedError, EntryAlreadyReversedError):
                pass
    return len(accepted)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(post_st, reverse_st), min_size=1, max_size=8))
def test_postings_and_reversals_keep_the_books_consistent(
    session_factory: sessionmaker[Session], ops: list[Any]
) -> None:
    with session_factory() as session:
        entity_id, counterparty = _entity(session, "PROP"), _entity(session, "CP")

    accepted = _run(session_factory, entity_id, counterparty, ops)

    with session_factory() as session:
        per_entry = session.execute(
            select(JournalLine.entry_id, func.sum(JournalLine.debit), func.sum(JournalLine.credit))
            .where(JournalLine.entity_id == entity_id)
            .group_by(JournalLine.entry_id)
        ).all()
        per_currency = session.execute(
            select(JournalLine.currency, func.sum(JournalLine.debit), func.sum(JournalLine.credit))
            .where(JournalLine.entity_id == entity_id)
            .group_by(JournalLine.currency)
        ).all()
        foreign = session.execute(
            select(JournalLine.currency, JournalLine.debit, JournalLine.amount_in_currency).where(
                JournalLine.entity_id == entity_id
            )
        ).all()
        numbers = sorted(
            session.execute(
                select(JournalEntry.number).where(
                    and_(JournalEntry.entity_id == entity_id, JournalEntry.fiscal_year == 2026)
                )
            ).scalars()
        )
        entries = session.execute(
            select(func.count()).where(JournalEntry.entity_id == entity_id)
        ).scalar_one()
        check = check_balances(session)
        balances = [
            trial_balance(session, actor=ACTOR, entity_id=entity_id, as_of=d)
            for d in (*DATES, date(2026, 1, 10))
        ]

    assert entries == accepted
    assert all(debit == credit for _, debit, credit in per_entry)
    assert all(debit == credit for _, debit, credit in per_currency)
    by_side: dict[tuple[str, bool], Decimal] = {}
    for currency, debit, amount in foreign:
        by_side[(currency, debit > 0)] = by_side.get((currency, debit > 0), Decimal(0)) + amount
    assert all(by_side.get((currency, True)) == by_side.get((currency, False)) for currency, _ in by_side)
    assert numbers == list(range(1, len(numbers) + 1))
    assert check.ok, check.mismatches[:3]
    assert all(tb.total_debit == tb.total_credit for tb in balances)
