"""Demo data of the consolidation: the demo group's combinations and a run for each quarter of the demo year.

The group was formed by the state asset company out of companies it already controlled (DOMAIN Part 1), so
each subsidiary's combination is recorded under common control at book values: its main group holder paid
its share of the registered capital (`DemoStake.capital_amount`) for that share of the capital, and the
acquisition date is the day the holding began. The associate is recorded as an ordinary acquisition of a
holding. A subsidiary held by two group companies (castings; the chassis and brakes makers' cross-holding)
is recorded with its main holder only: the engine eliminates one acquirer's investment per subsidiary, so
the other holder's small investment stays in the statements (reported in the run's figures as it is).

The runs read whatever books the ledger holds (the ledger's demo posts a year of them; with none the runs
consolidate empty books). The European arm needs EUR rates: those the ledger's demo records are used, and
the few the runs need beyond them (the quarter ends, the capitalisation date, the eve of the demo year) are
recorded with the ledger demo's own figures when absent. Idempotent: what exists is skipped.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.consolidation import acquisition_service, service
from app.consolidation.acquisition_rules import AcquisitionInput
from app.consolidation.models import Acquisition, ConsolidationRun
from app.core.context import SYSTEM_ACTOR
from app.demo.books import DEMO_YEAR, EUR_CNY, EUR_CNY_HISTORICAL
from app.demo.group import DEMO_ENTITIES, DEMO_PARENT_CODE, DEMO_REGISTERED_CAPITAL, DEMO_STAKES, DemoStake
from app.demo.report import DemoReport
from app.entities.models import LegalEntity
from app.ledger import fx_service
from app.ledger.errors import FxRateMissingError

_COMPANIES = frozenset(e.code for e in DEMO_ENTITIES if e.kind == "company")
_ASSOCIATES = frozenset({"BKEL"})
_SHARE_CAPITAL = "4001"


def demo_combinations() -> list[DemoStake]:
    """Per investee held by a group company: the stake of its main group holder, oldest first."""
    main: dict[str, DemoStake] = {}
    for stake in DEMO_STAKES:
        if stake.holder_code not in _COMPANIES or stake.investee_code == DEMO_PARENT_CODE:
            continue
        held = main.get(stake.investee_code)
        if held is None or stake.share > held.share:
            main[stake.investee_code] = stake
    return sorted(main.values(), key=lambda s: (s.valid_from, s.investee_code))


def quarter_ends(year: int) -> list[date]:
    return [date(year, m, calendar.monthrange(year, m)[1]) for m in (3, 6, 9, 12)]


def _ensure_rate(session: Session, *, kind: str, on: date, rate: Decimal, now: datetime) -> bool:
    try:
        found = fx_service.lookup_rate(session, currency="EUR", quote_currency="CNY", kind=kind, on=on)
        if found.rate_on == on or kind == "closing":
            return False
    except FxRateMissingError:
        pass
    fx_service.create_rate(
        session,
        actor=SYSTEM_ACTOR,
        currency="EUR",
        quote_currency="CNY",
        kind=kind,
        on=on,
        rate=rate,
        now=now,
    )
    return True


def load_consolidations(session: Session, report: DemoReport, now: datetime) -> None:
    """Record the demo group's combinations, the EUR rates its runs need, and one run per quarter."""
    ids = {code: eid for code, eid in session.execute(select(LegalEntity.code, LegalEntity.id))}
    parent = ids.get(DEMO_PARENT_CODE)
    if parent is None:
        return
    recorded = set(session.execute(select(Acquisition.acquiree_id)).scalars())
    done = set(
        session.execute(select(ConsolidationRun.as_of).where(ConsolidationRun.parent_id == parent)).scalars()
    )
    session.rollback()
    for stake in demo_combinations():
        if ids[stake.investee_code] in recorded:
            continue
        acquisition_service.record_acquisition(
            session,
            actor=SYSTEM_ACTOR,
            request=AcquisitionInput(
                acquirer_id=ids[stake.holder_code],
                acquiree_id=ids[stake.investee_code],
                acquired_on=stake.valid_from,
                share=stake.share,
                voting_share=stake.voting_share,
                consideration=stake.capital_amount,
                combination="not_under_common_control"
                if stake.investee_code in _ASSOCIATES
                else "under_common_control",
                nci_measurement="proportionate",
                nci_fair_value=None,
                previously_held_fair_value=None,
                previously_held_carrying_amount=None,
                equity_at_acquisition=[(_SHARE_CAPITAL, DEMO_REGISTERED_CAPITAL[stake.investee_code])],
                fair_value_adjustments=[],
                deferred_tax_rate=None,
            ),
            now=now,
        )
        report.add("acquisitions")
    needed = [("historical", EUR_CNY_HISTORICAL[0], EUR_CNY_HISTORICAL[1])]
    needed.append(("closing", date(DEMO_YEAR, 1, 1) - timedelta(days=1), EUR_CNY["closing"]))
    needed += [
        (kind, day, EUR_CNY[kind]) for day in quarter_ends(DEMO_YEAR) for kind in ("closing", "average")
    ]
    for kind, day, rate in needed:
        if _ensure_rate(session, kind=kind, on=day, rate=rate, now=now):
            report.add("fx rates")
    for as_of in quarter_ends(DEMO_YEAR):
        if as_of in done:
            continue
        service.run_consolidation(session, actor=SYSTEM_ACTOR, parent_id=parent, as_of=as_of, now=now)
        report.add("consolidation runs")
