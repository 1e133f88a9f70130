"""Twenty simultaneous transfer requests and approvals of one asset on PostgreSQL: exactly one executes.

The test commits, so it runs in a database of its own (created, migrated to head and dropped here), with a
real engine and one session per thread. Every thread asks to move the asset out of its original holder A
(to B or C, alternately), then approves whatever transfer of the asset is open, all released at once by a
barrier. Approval locks the asset row (then the transfer row), so the approvals run one after the other:
the price is above the second-approval threshold, so the first records its approval, the second (another
controller) executes, and every other request or approval finds the asset moved or the transfer decided.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.assets import service as assets
from app.assets import transfer_service as transfers
from app.assets.domain.accounting import TransferKind
from app.assets.domain.depreciation import Method
from app.assets.models import AssetBook, AssetTransfer, FixedAsset, TransferApproval
from app.cli import migrate_to_head
from app.core.context import Actor
from app.core.db import make_engine, make_session_factory
from app.core.errors import DomainError
from app.entities import service as entities
from app.ledger import report_service
from app.ledger.models import JournalLine
from app.ownership import service as ownership
from tests.conftest import NOW, create_postgres_database, settings_for

THREADS = 20
ADMIN = Actor(user_id="setup-admin", username="setup-admin", role="admin")


@pytest.fixture
def committed_factory() -> Iterator[sessionmaker[Session]]:
    url, drop = create_postgres_database("gl_assets_race")
    settings = settings_for(url)
    migrate_to_head(settings)
    engine = make_engine(url, settings=settings.model_copy(update={"pool_size": THREADS + 5}))
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        drop()


def _setup(factory: sessionmaker[Session]) -> tuple[str, str, list[str]]:
    with factory() as s:
        ids = [
            entities.create_entity(
                s,
                actor=ADMIN,
                code=code,
                name=code,
                kind="company",
                functional_currency="CNY",
                now=NOW,
                established_on=date(2000, 1, 1),
            ).id
            for code in ("RACE-P", "RACE-A", "RACE-B", "RACE-C")
        ]
        for sub in ids[1:]:
            ownership.create_stake(
                s,
                actor=ADMIN,
                holder_id=ids[0],
                investee_id=sub,
                share=Decimal(1),
                valid_from=date(2000, 1, 1),
                now=NOW,
            )
        asset = assets.create_asset(
            s,
            actor=ADMIN,
            now=NOW,
            entity_id=ids[1],
            tag="RACE-LINE-1",
            name="冲压线",
            category="production_line",
            acquired_on=date(2024, 1, 10),
            cost=Decimal("1200000.00"),
            residual_value=Decimal(0),
            useful_life_months=120,
            method=Method.STRAIGHT_LINE,
        )
        return asset.asset.id, ids[1], ids[2:]


def test_twenty_racing_requests_and_approvals_execute_exactly_one_transfer(
    committed_factory: sessionmaker[Session],
) -> None:
    asset_id, sender, receivers = _setup(committed_factory)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        maker = Actor(user_id=f"maker-{index}", username=f"maker-{index}", role="accountant")
        checker = Actor(user_id=f"checker-{index}", username=f"checker-{index}", role="controller")
        results: list[str] = []
        barrier.wait()
        try:
            with committed_factory() as s:
                transfers.request_transfer(
                    s,
                    actor=maker,
                    now=NOW,
                    asset_id=asset_id,
                    to_entity_id=receivers[index % 2],
                    from_entity_id=sender,
                    kind=TransferKind.SALE,
                    price=Decimal("1300000.00"),
                    transfer_on=date(2024, 6, 15),
                    reason="race",
                )
            results.append("requested")
        except DomainError as error:
            results.append(f"request:{error.slug}")
        try:
            with committed_factory() as s:
                found = transfers.list_transfers(s, actor=checker, limit=100, asset_id=asset_id)
                open_ = [v.transfer.id for v in found if v.transfer.status == "submitted"]
                target = open_[0] if open_ else found[0].transfer.id
                transfers.approve_transfer(s, actor=checker, transfer_id=target, now=NOW)
            results.append("approved")
        except DomainError as error:
            results.append(f"approve:{error.slug}")
        with lock:
            outcomes.extend(results)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(t.is_alive() for t in threads)
    assert len(outcomes) == 2 * THREADS, outcomes
    counts = Counter(outcomes)
    assert set(counts) <= {
        "requested",
        "approved",
        "request:transfer-already-open",
        "request:asset-not-held-by-sender",
        "approve:transfer-not-submitted",
        "approve:asset-not-held-by-sender",
    }, counts
    assert counts["requested"] == 1
    with committed_factory() as s:
        statuses = Counter(
            s.execute(select(AssetTransfer.status).where(AssetTransfer.asset_id == asset_id)).scalars()
        )
        open_books = (
            s.execute(
                select(AssetBook.entity_id).where(
                    AssetBook.asset_id == asset_id, AssetBook.valid_to.is_(None)
                )
            )
            .scalars()
            .all()
        )
        holder = s.get(FixedAsset, asset_id)
        approvers = (
            s.execute(
                select(TransferApproval.approver_id)
                .join(AssetTransfer, AssetTransfer.id == TransferApproval.transfer_id)
                .where(AssetTransfer.asset_id == asset_id)
            )
            .scalars()
            .all()
        )
        sums = s.execute(
            select(JournalLine.entity_id, func.sum(JournalLine.debit), func.sum(JournalLine.credit)).group_by(
                JournalLine.entity_id
            )
        ).all()
        kept = report_service.check_balances(s)
    assert statuses == Counter({"executed": 1})
    # 1,300,000 is above the default 1,000,000 threshold: two controllers approve, the second executes.
    assert counts["approved"] == 2
    assert len(set(approvers)) == 2
    assert len(open_books) == 1
    assert holder is not None
    assert holder.holder_entity_id == open_books[0]
    assert open_books[0] in receivers
    assert all(debit == credit for _, debit, credit in sums)
    assert kept.ok
