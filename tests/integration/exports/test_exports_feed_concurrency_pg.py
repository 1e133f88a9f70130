"""The change feed polled while several clients post: nothing missed, nothing repeated (PostgreSQL,
committed database).

Writers post journal entries in their own transactions and hold each transaction open a little after the
audit event is written (the chain-head lock is kept to commit), so commits and the reader's polls interleave.
The reader polls the feed through HTTP with a small page size as fast as it can. Every event it collects must
be exactly the contiguous run of sequence numbers the writers committed, in order, each once.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core.clock import utcnow
from app.core.context import Actor
from app.core.db import atomic
from app.ledger.domain.entries import LineDraft
from app.ledger.service import post_entry
from app.main import create_app
from tests.integration.exports.conftest import Committed

WRITERS = 4
ENTRIES_EACH = 15


def _draft(account: str, *, debit: str | None = None, credit: str | None = None) -> LineDraft:
    return LineDraft(
        account_code=account,
        debit=None if debit is None else Decimal(debit),
        credit=None if credit is None else Decimal(credit),
    )


def _post(committed: Committed, *, actor: Actor, entity_id: str, day: int, pause: float) -> None:
    with committed.factory() as session, atomic(session):
        post_entry(
            session,
            actor=actor,
            entity_id=entity_id,
            entry_date=date(2026, 3, day),
            description=f"{actor.username} on day {day}",
            lines=[_draft("1002", debit="10"), _draft("4001", credit="10")],
            now=utcnow(),
        )
        time.sleep(pause)


def test_the_feed_polled_during_concurrent_posting_misses_and_repeats_nothing(
    committed_pg: Committed,
) -> None:
    companies = [committed_pg.company(f"FEED{n}") for n in range(2)]
    committed_pg.users.create("feed-auditor", "auditor")
    headers = committed_pg.users.headers("feed-auditor")
    app = create_app(settings=committed_pg.settings)
    # The chain head row exists once the first event is written (an empty database creates it).
    _post(committed_pg, actor=Actor(None, "seed", "accountant"), entity_id=companies[0], day=1, pause=0)
    with committed_pg.factory() as session:
        start = session.execute(select(func.coalesce(func.max(AuditEvent.seq), 0))).scalar_one()
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(n: int) -> None:
        rng = random.Random(n)
        actor = Actor(user_id=None, username=f"writer-{n}", role="accountant")
        try:
            for i in range(ENTRIES_EACH):
                _post(
                    committed_pg,
                    actor=actor,
                    entity_id=companies[(n + i) % 2],
                    day=1 + i,
                    pause=rng.uniform(0, 0.01),
                )
        except BaseException as exc:
            errors.append(exc)

    with TestClient(app) as client:
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        watcher = threading.Thread(target=lambda: ([t.join() for t in threads], done.set()))
        watcher.start()
        seen: list[int] = []
        cursor = None
        polls = 0
        while True:
            finished = done.is_set()
            params: dict[str, str | int] = {"limit": 7}
            if cursor is not None:
                params["cursor"] = cursor
            else:
                params["cursor"] = _cursor_after(start)
            page = client.get("/api/v1/feed", params=params, headers=headers).json()
            polls += 1
            seen += [item["seq"] for item in page["items"]]
            cursor = page["next_cursor"]
            if finished and not page["has_more"] and not page["items"]:
                break
        watcher.join()

    assert errors == []
    expected = list(range(start + 1, start + 1 + WRITERS * ENTRIES_EACH))
    assert seen == expected
    assert polls > 10


def _cursor_after(seq: int) -> str:
    from app.core.pagination import encode_cursor

    return encode_cursor([seq])
