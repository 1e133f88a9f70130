"""Demo step: three events of the demo year that reshape the group, committed through the events service.

- 30 September: the German partner of the transmissions joint venture (RHAC, outside the group) subscribes
  22.5 million of new registered capital of CPGR for 27 million in cash (4.5 million share premium). The
  powertrain holding keeps its 63 million, so its share falls from 70% to 56%: the group is diluted but
  keeps control, an equity transaction (the difference goes to the group's capital reserve, no gain).
- 31 October: the electrical maker (ZGEL) sells a tenth of the associate BKEL (5 million of its 50 million
  capital, carried at cost) to the same partner for 6.5 million. ZGEL keeps 25%, so BKEL stays an associate
  (significant influence kept) and the sale gives a gain in ZGEL's books.
- 31 December: the two small works of the body and interiors holding (BJBI), the Tongzhou stampings works
  (TZSP) and the Mentougou rubber products works (MTGR), are merged by absorption into TZSP, one unit of
  TZSP's capital per unit of MTGR's (BJBI holds both outright, so the ratio only sets TZSP's new capital):
  one works, one management, the idle plant of both in one register. Under common control at carrying
  amounts: MTGR's balances and assets pass to TZSP, and balances between the two would cancel. The date is
  the last day of the year, when both have their depreciation posted up to and including December.

Each event is committed only when no committed event of its kind touches its investee (or absorbed company)
yet, so running the demo again changes nothing. The consolidated view is the demo parent's (BJAP), not that
of the state asset company above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.context import SYSTEM_ACTOR
from app.demo.books import DEMO_YEAR
from app.demo.group import DEMO_PARENT_CODE
from app.demo.report import DemoReport
from app.entities.models import LegalEntity
from app.events import service as events_service
from app.events.schemas import (
    CapitalIncreaseCreate,
    DisposalCreate,
    EntityAmountIn,
    MergerCreate,
    SubscriptionIn,
)

MERGER_ON = date(DEMO_YEAR, 12, 31)
CAPITAL_INCREASE_ON = date(DEMO_YEAR, 9, 30)
SALE_ON = date(DEMO_YEAR, 10, 31)

MERGER_SURVIVOR, MERGER_ABSORBED, MERGER_RATIO = "TZSP", "MTGR", Decimal(1)
DILUTED, INVESTOR = "CPGR", "RHAC"
NEW_CAPITAL, CONTRIBUTION = Decimal("22500000"), Decimal("27000000")
ASSOCIATE, ASSOCIATE_SELLER, ASSOCIATE_BUYER = "BKEL", "ZGEL", "RHAC"
SHARE_SOLD, SALE_PRICE = Decimal("0.1"), Decimal("6500000")


@dataclass(frozen=True)
class DemoEvent:
    """One event: the kind it is stored under, the entity that identifies it, and how to build it."""

    kind: str
    subject_code: str
    codes: tuple[str, ...]
    build: Callable[[dict[str, str]], tuple[events_service.EventRequest, BaseModel]]


def _capital_increase(ids: dict[str, str]) -> tuple[events_service.EventRequest, BaseModel]:
    body = CapitalIncreaseCreate(
        parent_id=ids[DEMO_PARENT_CODE],
        investee_id=ids[DILUTED],
        increased_on=CAPITAL_INCREASE_ON,
        subscriptions=[
            SubscriptionIn(holder_id=ids[INVESTOR], capital_amount=NEW_CAPITAL, contribution=CONTRIBUTION)
        ],
    )
    request = events_service.CapitalChangeRequest(
        kind="capital_increase",
        investee_id=body.investee_id,
        on=body.increased_on,
        movements=tuple((s.holder_id, s.capital_amount, s.contribution) for s in body.subscriptions),
        terms=events_service.Terms(parent_id=body.parent_id),
    )
    return request, body


def _associate_sale(ids: dict[str, str]) -> tuple[events_service.EventRequest, BaseModel]:
    body = DisposalCreate(
        parent_id=ids[DEMO_PARENT_CODE],
        holder_id=ids[ASSOCIATE_SELLER],
        investee_id=ids[ASSOCIATE],
        buyer_id=ids[ASSOCIATE_BUYER],
        disposed_on=SALE_ON,
        share=SHARE_SOLD,
        consideration=SALE_PRICE,
    )
    request = events_service.ShareTransferRequest(
        kind="disposal",
        investee_id=body.investee_id,
        seller_id=body.holder_id,
        buyer_id=body.buyer_id,
        on=body.disposed_on,
        share=body.share,
        capital_amount=None,
        consideration=body.consideration,
        terms=events_service.Terms(parent_id=body.parent_id),
    )
    return request, body


def _merger(ids: dict[str, str]) -> tuple[events_service.EventRequest, BaseModel]:
    body = MergerCreate(
        kind="absorption",
        survivor_id=ids[MERGER_SURVIVOR],
        absorbed_ids=[ids[MERGER_ABSORBED]],
        merged_on=MERGER_ON,
        exchange_ratios=[EntityAmountIn(entity_id=ids[MERGER_ABSORBED], value=MERGER_RATIO)],
        parent_id=ids[DEMO_PARENT_CODE],
    )
    request = events_service.MergerRequest(
        kind=body.kind,
        survivor_id=body.survivor_id,
        absorbed_ids=tuple(body.absorbed_ids),
        on=body.merged_on,
        exchange_ratios={r.entity_id: r.value for r in body.exchange_ratios},
        parent_id=body.parent_id,
    )
    return request, body


#: in date order, so each event is planned on the state the earlier ones left
DEMO_EVENTS: tuple[DemoEvent, ...] = (
    DemoEvent(
        "capital_increase",
        DILUTED,
        (DEMO_PARENT_CODE, DILUTED, INVESTOR),
        _capital_increase,
    ),
    DemoEvent(
        "disposal",
        ASSOCIATE,
        (DEMO_PARENT_CODE, ASSOCIATE, ASSOCIATE_SELLER, ASSOCIATE_BUYER),
        _associate_sale,
    ),
    DemoEvent(
        "merger_absorption",
        MERGER_ABSORBED,
        (DEMO_PARENT_CODE, MERGER_SURVIVOR, MERGER_ABSORBED),
        _merger,
    ),
)


def _committed(session: Session, *, kind: str, entity_id: str) -> bool:
    found = events_service.list_events(session, actor=SYSTEM_ACTOR, limit=1, kind=kind, entity_id=entity_id)
    return bool(found)


def load_group_events(session: Session, report: DemoReport, now: datetime) -> None:
    """The demo step (module docstring)."""
    ids = {code: eid for code, eid in session.execute(select(LegalEntity.code, LegalEntity.id))}
    session.rollback()
    for demo in DEMO_EVENTS:
        if any(code not in ids for code in demo.codes):
            continue
        if _committed(session, kind=demo.kind, entity_id=ids[demo.subject_code]):
            session.rollback()
            continue
        session.rollback()
        request, body = demo.build(ids)
        document: dict[str, Any] = body.model_dump(mode="json")
        events_service.commit_event(
            session, actor=SYSTEM_ACTOR, request=request, request_document=document, now=now
        )
        report.add("group events")
