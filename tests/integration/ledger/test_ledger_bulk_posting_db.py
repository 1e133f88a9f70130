"""`post_entries`: many entries (and large ones) at once, set-based, with every rule `post_entry` keeps:
checked before anything is written, gapless numbers, one audit event each, kept balances equal the lines."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.audit.service import verify_chain
from app.core.context import Actor
from app.entities.models import LegalEntity
from app.ledger import balance_repository, service
from app.ledger.domain.entries import LineDraft
from app.ledger.errors import PeriodClosedError, UnbalancedEntryError
from app.ledger.models import FiscalPeriod, JournalEntry, JournalLine
from app.ledger.report_service import check_balances

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ACTOR = Actor(user_id=None, username="bulk", role="accountant")
ON = date(2026, 3, 31)


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


def _sale(amount: str) -> list[LineDraft]:
    return [LineDraft("1122", debit=Decimal(amount)), LineDraft("6001", credit=Decimal(amount))]


def _large(lines: int, counterparty: str) -> list[LineDraft]:
    """`lines` lines: pairs of a receivable from `counterparty` and revenue, the same keys repeated."""
    out: list[LineDraft] = []
    for index in range(lines // 2):
        amount = Decimal(100 + index) / 100
        out.append(LineDraft("1122", debit=amount, counterparty_entity_id=counterparty))
        out.append(LineDraft("6001", credit=amount))
    return out


def _entries(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(JournalEntry)).scalar_one())


class TestPostEntries:
    def test_numbers_several_entries_of_one_entity_gaplessly_after_its_earlier_ones(
        self, session: Session
    ) -> None:
        first, second = _entity(session, "BULK-A"), _entity(session, "BULK-B")
        earlier = service.post_entry(
            session, actor=ACTOR, entity_id=first, entry_date=ON, description="x", lines=_sale("5"), now=NOW
        )

        booked = service.post_entries(
            session,
            actor=ACTOR,
            entries=[
                service.EntryToPost(entity_id=first, entry_date=ON, description="a", lines=_sale("1")),
                service.EntryToPost(entity_id=second, entry_date=ON, description="b", lines=_sale("2")),
                service.EntryToPost(entity_id=first, entry_date=ON, description="c", lines=_sale("3")),
            ],
            now=NOW,
        )

        assert earlier.entry.number == 1
        assert [(b.entry.entity_id, b.entry.number) for b in booked] == [(first, 2), (second, 1), (first, 3)]
        assert check_balances(session).ok
        events = session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "journal.entry.posted")
        ).scalar_one()
        assert events == 4
        assert verify_chain(session).ok

    @pytest.mark.parametrize("copy_from_keys", [1, 1_000_000], ids=["copied", "bound"])
    def test_a_large_entry_keeps_balances_equal_to_its_lines(
        self, session: Session, copy_from_keys: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(balance_repository, "_COPY_FROM_KEYS", copy_from_keys)
        entity, counterparty = _entity(session, "BULK-L"), _entity(session, "BULK-CP")
        earlier = service.post_entry(
            session, actor=ACTOR, entity_id=entity, entry_date=ON, description="x", lines=_sale("5"), now=NOW
        )

        (booked,) = service.post_entries(
            session,
            actor=ACTOR,
            entries=[
                service.EntryToPost(
                    entity_id=entity, entry_date=ON, description="large", lines=_large(3_000, counterparty)
                )
            ],
            now=NOW,
        )

        stored = session.execute(
            select(func.count(), func.sum(JournalLine.debit)).where(JournalLine.entry_id == booked.entry.id)
        ).one()
        assert stored[0] == 3_000
        assert stored[1] == sum((ln.debit for ln in booked.lines), Decimal(0))
        check = check_balances(session)
        assert check.ok, check.mismatches[:3]
        assert verify_chain(session).ok
        assert booked.entry.number == earlier.entry.number + 1

    def test_two_large_entries_of_one_call_add_up_in_the_kept_balances(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(balance_repository, "_COPY_FROM_KEYS", 1)
        entity, counterparty = _entity(session, "BULK-M"), _entity(session, "BULK-CP2")

        service.post_entries(
            session,
            actor=ACTOR,
            entries=[
                service.EntryToPost(
                    entity_id=entity, entry_date=ON, description="one", lines=_large(400, counterparty)
                ),
                service.EntryToPost(
                    entity_id=counterparty, entry_date=ON, description="two", lines=_sale("7")
                ),
            ],
            now=NOW,
        )
        service.post_entries(
            session,
            actor=ACTOR,
            entries=[
                service.EntryToPost(
                    entity_id=entity, entry_date=ON, description="again", lines=_large(400, counterparty)
                )
            ],
            now=NOW,
        )

        check = check_balances(session)
        assert check.ok, check.mismatches[:3]

    def test_one_bad_entry_refuses_them_all_and_writes_nothing(self, session: Session) -> None:
        first, second = _entity(session, "BULK-C"), _entity(session, "BULK-D")
        before = _entries(session)

        with pytest.raises(UnbalancedEntryError):
            service.post_entries(
                session,
                actor=ACTOR,
                entries=[
                    service.EntryToPost(entity_id=first, entry_date=ON, description="ok", lines=_sale("1")),
                    service.EntryToPost(
                        entity_id=second,
                        entry_date=ON,
                        description="bad",
                        lines=[LineDraft("1122", debit=Decimal(1)), LineDraft("6001", credit=Decimal(2))],
                    ),
                ],
                now=NOW,
            )

        assert _entries(session) == before

    def test_a_closed_month_of_any_entity_refuses_them_all(self, session: Session) -> None:
        first, second = _entity(session, "BULK-E"), _entity(session, "BULK-F")
        session.add(FiscalPeriod(entity_id=second, year=2026, month=3, status="closed", version=1))
        session.commit()
        before = _entries(session)

        with pytest.raises(PeriodClosedError):
            service.post_entries(
                session,
                actor=ACTOR,
                entries=[
                    service.EntryToPost(entity_id=first, entry_date=ON, description="ok", lines=_sale("1")),
                    service.EntryToPost(entity_id=second, entry_date=ON, description="no", lines=_sale("1")),
                ],
                now=NOW,
            )

        assert _entries(session) == before
