"""Demo data for the analytics: the small, scattered makers the founding document describes.

The demo group (app/demo/group.py) has one maker per product segment, so concentration and the merger screen
would have nothing to measure. This step adds five small works the group took over in 2010, each in the
segment of a larger group maker and held outright by the holding that owns that maker: two foundries next
to the castings maker, a stampings works, a brake-parts works and a rubber-products works. They are what
the document calls "small in scale, low profits, low profit retention, and poor self-financing": old plant
(part of it idle), thin or negative margins, sales falling through the year while the group's makers grow,
and dividends paid to their holders whatever they earn.

Each gets, through the normal services: the entity, the holding (with the holder's investment, financed by
a loan, in the holder's books) and its combination under common control (so the group still consolidates),
opening balances on the last day of the year before the demo year, its plant in the asset register (an idle
line among it) with a year of depreciation, monthly trading, a small machine bought in September and
dividends declared in June (booked as income by the holder). Idempotent: what exists is skipped.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import depreciation_service
from app.assets import service as assets_service
from app.assets.domain.depreciation import Method
from app.assets.domain.periods import Period as AssetPeriod
from app.assets.domain.workflow import AssetStatus
from app.assets.models import FixedAsset
from app.consolidation import acquisition_service
from app.consolidation.acquisition_rules import AcquisitionInput
from app.consolidation.models import Acquisition
from app.core.context import SYSTEM_ACTOR
from app.demo.books import DEMO_YEAR
from app.demo.report import DemoReport
from app.entities import service as entities_service
from app.entities.models import LegalEntity
from app.entities.uscc import make_uscc, organization_code_check_char
from app.ledger import service as ledger_service
from app.ledger.domain.entries import LineDraft
from app.ledger.models import JournalEntry
from app.ownership import service as ownership_service
from app.ownership.models import EquityStake

SOURCE = "demo"
REF = "analytics-demo"
OPENING_ON = date(DEMO_YEAR - 1, 12, 31)
TAKEN_OVER_ON = date(2010, 6, 1)
_CENT = Decimal("0.01")
#: monthly sales seasonality, as the group's own demo books
_SEASON = ("0.86", "0.80", "1.02", "1.05", "1.04", "1.00", "0.94", "0.92", "1.03", "1.08", "1.10", "1.16")


@dataclass(frozen=True)
class SmallMaker:
    """One small works: its segment, its holder in the demo group, its registered capital and how it trades.

    `cost_ratio`: cost of sales over sales; `decline`: how much of January's volume is lost each month;
    `idle`: share of its plant standing idle; `dividend`: dividends declared in June, as a share of capital.
    """

    code: str
    name: str
    name_en: str
    segment: str
    holder: str
    region: str
    org_code: str
    established_on: date
    capital: Decimal
    cost_ratio: Decimal
    decline: Decimal
    idle: Decimal
    dividend: Decimal


# fmt: off
SMALL_MAKERS: tuple[SmallMaker, ...] = (
    # thin profit, most of it paid out
    SmallMaker("FSC2", "北京房山第二铸造厂", "Beijing Fangshan No. 2 Foundry", "castings", "BJPT", "110111",
               "10220603", date(1979, 5, 4), Decimal("8000000"), Decimal("0.77"), Decimal("0.020"),
               Decimal("0.40"), Decimal("0.02")),
    # a loss, and still a dividend
    SmallMaker("YQCA", "北京延庆铸件厂", "Beijing Yanqing Castings Works", "castings", "BJPT", "110119",
               "10230517", date(1981, 9, 1), Decimal("5000000"), Decimal("0.93"), Decimal("0.030"),
               Decimal("0.25"), Decimal("0.015")),
    # pays out more than it earns
    SmallMaker("TZSP", "北京通州冲压件厂", "Beijing Tongzhou Stampings Works", "body_and_stampings", "BJBI",
               "110112", "10251938", date(1984, 3, 20), Decimal("6000000"), Decimal("0.84"), Decimal("0.015"),
               Decimal("0.30"), Decimal("0.02")),
    # a loss, no idle plant
    SmallMaker("DXBP", "北京大兴制动配件厂", "Beijing Daxing Brake Parts Works", "brakes", "BJAP", "110115",
               "10289451", date(1986, 7, 15), Decimal("4000000"), Decimal("0.95"), Decimal("0.025"),
               Decimal("0"), Decimal("0.01")),
    # a modest profit, most of it kept
    SmallMaker("MTGR", "北京门头沟橡胶制品厂", "Beijing Mentougou Rubber Products Works", "rubber_and_seals",
               "BJBI", "110109", "10210836", date(1982, 11, 8), Decimal("3000000"), Decimal("0.80"),
               Decimal("0.010"), Decimal("0.20"), Decimal("0.005")),
)
# fmt: on


def _q(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _dr(code: str, amount: Decimal, counterparty: str | None = None) -> LineDraft:
    return LineDraft(account_code=code, debit=_q(amount), counterparty_entity_id=counterparty)


def _cr(code: str, amount: Decimal, counterparty: str | None = None) -> LineDraft:
    return LineDraft(account_code=code, credit=_q(amount), counterparty_entity_id=counterparty)


def _month_end(month: int) -> date:
    return date(DEMO_YEAR, month, calendar.monthrange(DEMO_YEAR, month)[1])


@dataclass(frozen=True)
class _Entry:
    entity: str
    ref: str
    on: date
    description: str
    lines: tuple[LineDraft, ...]


def _entries(maker: SmallMaker, ids: dict[str, str]) -> list[_Entry]:
    """The works' year (and its holder's side of the holding and the dividend): module docstring."""
    c = maker.capital
    me, holder = ids[maker.code], ids[maker.holder]
    out = [
        _Entry(
            me,
            "opening",
            OPENING_ON,
            "期初余额 opening balances",
            (
                _dr("1002", c * Decimal("0.15")),
                _dr("1601", c),
                _dr("1405", c * Decimal("0.15")),
                _dr("4104", c * Decimal("0.25")),
                _cr("1602", c * Decimal("0.35")),
                _cr("2001", c * Decimal("0.2")),
                _cr("4001", c),
            ),
        ),
        _Entry(
            holder,
            f"investment:{maker.code}",
            OPENING_ON,
            f"对{maker.name}的投资 investment in {maker.code}",
            (_dr("151101", c, me), _cr("2001", c)),
        ),
    ]
    for month in range(1, 13):
        volume = Decimal(1) - maker.decline * (month - 1)
        revenue = c * Decimal("0.05") * Decimal(_SEASON[month - 1]) * volume
        cost, admin, finance = revenue * maker.cost_ratio, revenue * Decimal("0.06"), c * Decimal("0.0015")
        out.append(
            _Entry(
                me,
                f"trading:{month:02d}",
                _month_end(month),
                f"{DEMO_YEAR}-{month:02d} 经营 trading",
                (
                    _dr("1122", revenue),
                    _cr("6001", revenue),
                    _dr("6401", cost),
                    _cr("1405", cost),
                    _dr("1405", cost),
                    _cr("2202", cost),
                    _dr("6602", admin),
                    _dr("6603", finance),
                    _cr("1002", _q(admin) + _q(finance)),
                    _dr("1002", revenue * Decimal("0.9")),
                    _cr("1122", revenue * Decimal("0.9")),
                    _dr("2202", cost * Decimal("0.9")),
                    _cr("1002", cost * Decimal("0.9")),
                ),
            )
        )
    dividend = c * maker.dividend
    out.append(
        _Entry(
            me,
            "dividend",
            _month_end(6),
            "宣告分配股利 dividends declared",
            (_dr("4104", dividend, holder), _cr("2232", dividend, holder)),
        )
    )
    out.append(
        _Entry(
            holder,
            f"dividend-income:{maker.code}",
            _month_end(6),
            f"应收股利 dividend from {maker.code}",
            (_dr("1131", dividend, me), _cr("6111", dividend, me)),
        )
    )
    return out


def asset_tags(maker: SmallMaker) -> list[str]:
    """The tags of every asset the demo registers for `maker`: its plant, then the machine of the year."""
    return [tag for tag, *_ in _assets(maker)] + [_machine_tag(maker)]


def _machine_tag(maker: SmallMaker) -> str:
    return f"{maker.code}-MACH-03"


def _assets(maker: SmallMaker) -> list[tuple[str, str, Decimal, Decimal, AssetStatus]]:
    """(tag, name, cost, accumulated depreciation, status): the plant of the opening balances."""
    idle_cost = _q(maker.capital * maker.idle)
    used_cost = maker.capital - idle_cost
    worn = Decimal("0.35")
    out = [
        (
            f"{maker.code}-PLANT-01",
            "老厂房及设备 old plant",
            used_cost,
            _q(used_cost * worn),
            AssetStatus.IN_USE,
        )
    ]
    if idle_cost:
        out.append(
            (
                f"{maker.code}-LINE-02",
                "闲置生产线 idle line",
                idle_cost,
                _q(idle_cost * worn),
                AssetStatus.IDLE,
            )
        )
    return out


def load_small_makers(session: Session, report: DemoReport, now: datetime) -> None:
    """The demo step (module docstring)."""
    ids = {code: eid for code, eid in session.execute(select(LegalEntity.code, LegalEntity.id))}
    if any(m.holder not in ids for m in SMALL_MAKERS):
        session.rollback()
        return
    staked = set(session.execute(select(EquityStake.investee_id)).scalars())
    acquired = set(session.execute(select(Acquisition.acquiree_id)).scalars())
    posted = set(
        session.execute(select(JournalEntry.source_ref).where(JournalEntry.source == SOURCE)).scalars()
    )
    tags = set(session.execute(select(FixedAsset.tag)).scalars())
    ended = {code: on for code, on in session.execute(select(LegalEntity.code, LegalEntity.ended_on)) if on}
    session.rollback()
    for maker in SMALL_MAKERS:
        if maker.code not in ids:
            body = maker.org_code + organization_code_check_char(first8=maker.org_code)
            entity = entities_service.create_entity(
                session,
                actor=SYSTEM_ACTOR,
                code=maker.code,
                name=maker.name,
                name_en=maker.name_en,
                kind="company",
                functional_currency="CNY",
                uscc=make_uscc(region=maker.region, body=body),
                country="CN",
                segment=maker.segment,
                established_on=maker.established_on,
                now=now,
            )
            ids[maker.code] = entity.id
            report.add("entities")
        me = ids[maker.code]
        if me not in staked:
            ownership_service.create_stake(
                session,
                actor=SYSTEM_ACTOR,
                holder_id=ids[maker.holder],
                investee_id=me,
                share=Decimal(1),
                valid_from=TAKEN_OVER_ON,
                capital_subscribed=maker.capital,
                capital_paid=maker.capital,
                source=SOURCE,
                now=now,
            )
            report.add("stakes")
        if me not in acquired:
            acquisition_service.record_acquisition(
                session,
                actor=SYSTEM_ACTOR,
                request=AcquisitionInput(
                    acquirer_id=ids[maker.holder],
                    acquiree_id=me,
                    acquired_on=TAKEN_OVER_ON,
                    share=Decimal(1),
                    voting_share=Decimal(1),
                    consideration=maker.capital,
                    combination="under_common_control",
                    nci_measurement="proportionate",
                    nci_fair_value=None,
                    previously_held_fair_value=None,
                    previously_held_carrying_amount=None,
                    equity_at_acquisition=[("4001", maker.capital)],
                    fair_value_adjustments=[],
                    deferred_tax_rate=None,
                ),
                now=now,
            )
            report.add("acquisitions")
        for entry in _entries(maker, ids):
            ref = f"{REF}:{maker.code}:{entry.ref}"
            if ref in posted:
                continue
            ledger_service.post_entry(
                session,
                actor=SYSTEM_ACTOR,
                entity_id=entry.entity,
                entry_date=entry.on,
                description=entry.description,
                lines=list(entry.lines),
                now=now,
                source=SOURCE,
                source_ref=ref,
            )
            report.add("journal entries")
        for tag, name, cost, accumulated, status in _assets(maker):
            if tag in tags:
                continue
            assets_service.create_asset(
                session,
                actor=SYSTEM_ACTOR,
                now=now,
                entity_id=me,
                tag=tag,
                name=name,
                category="production_line",
                acquired_on=TAKEN_OVER_ON,
                cost=cost,
                residual_value=Decimal(0),
                useful_life_months=360,
                method=Method.STRAIGHT_LINE,
                expense_account_code="6401",
                status=status,
                accumulated_depreciation=accumulated,
                opening_balance_on=OPENING_ON,
            )
            report.add("assets")
        machine = _machine_tag(maker)
        if machine not in tags:
            assets_service.create_asset(
                session,
                actor=SYSTEM_ACTOR,
                now=now,
                entity_id=me,
                tag=machine,
                name="数控机床 CNC machine",
                category="machinery",
                acquired_on=date(DEMO_YEAR, 9, 15),
                cost=_q(maker.capital * Decimal("0.03")),
                residual_value=Decimal(0),
                useful_life_months=120,
                method=Method.STRAIGHT_LINE,
                expense_account_code="6401",
            )
            report.add("assets")
        for month in range(1, 13):
            if maker.code in ended and _month_end(month) >= ended[maker.code]:
                break  # merged by a demo event (app/demo/events.py): its books end there
            result = depreciation_service.run_depreciation(
                session, actor=SYSTEM_ACTOR, period=AssetPeriod(DEMO_YEAR, month), now=now, entity_id=me
            )
            created = sum(1 for run in result.runs if run.created)
            if created:
                report.add("depreciation runs", created)
