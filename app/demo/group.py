"""The demo group: Beijing's auto-parts makers brought together under one holding company.

The founding document (shared/seed.txt) describes Beijing's many small, scattered parts makers being
formed into an enterprise group "by mergers, shareholdings and holdings" so that existing assets can
flow to where they are used best. This module is that group as plain data, with no database: the loader
(`groupledger demo`) turns it into entities, stakes and users through the normal services.

The structure is chosen to exercise the ownership rules, not only to look plausible:
- two intermediate holdings (powertrain; body and interiors, the latter with an outside minority), so NCI
  arises at two levels (DOMAIN.md Part 2 §1.8);
- a second path to the castings maker through the engine maker (interest by several paths, §1.2);
- a cross-holding between the chassis and brakes makers (a cycle, §1.3-1.4);
- a radiator maker held at 45% of the capital but 55% of the votes under its articles (control share
  differs from interest share, §1.5);
- an associate held 35% by the electrical maker (equity method through a partly owned subsidiary, §1.7);
- a European trading arm with EUR as functional currency (translation, §6);
- outside shareholders for the minorities: the state asset company that owns the parent, a district asset
  company, a German partner and the employees' shareholding association (a social organisation, so its
  USCC starts with 51, not 91).

Every investee's stakes start on one date (the group's formation in 1998, the intermediate holdings in 2003,
or the company's founding), so the shares held in it are constant from then on and sum to exactly 1.

USCCs are generated with ``make_uscc`` from organisation codes that carry a correct GB 11714 check, so
they pass every check; they are invented and belong to no real company.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Literal

from app.entities.uscc import make_uscc, organization_code_check_char

EntityKind = Literal["company", "external"]
DemoRole = Literal["admin", "controller", "accountant", "auditor", "viewer"]

DEMO_PARENT_CODE = "BJAP"
DEMO_PRESENTATION_CURRENCY = "CNY"


@dataclass(frozen=True)
class DemoEntity:
    """A legal entity of the demo: a group company or an outside party (``kind="external"``)."""

    code: str
    name: str
    name_en: str
    kind: EntityKind
    segment: str | None
    uscc: str | None
    functional_currency: str
    country: str
    established_on: date


@dataclass(frozen=True)
class DemoStake:
    """A direct holding, open-ended from ``valid_from``; ``capital_amount`` is in the investee's currency."""

    holder_code: str
    investee_code: str
    share: Decimal
    voting_share: Decimal
    valid_from: date
    capital_amount: Decimal


@dataclass(frozen=True)
class DemoUser:
    """A demo login; ``entity_codes`` limits the user to those entities (empty: all)."""

    username: str
    role: DemoRole
    entity_codes: tuple[str, ...] = ()


def _uscc(*, region: str, org_code: str, registration_authority: str = "9", kind: str = "1") -> str:
    """A USCC whose body is ``org_code`` plus its GB 11714 check character."""
    body = org_code + organization_code_check_char(first8=org_code)
    return make_uscc(registration_authority=registration_authority, kind=kind, region=region, body=body)


def _company(
    code: str,
    name: str,
    name_en: str,
    segment: str,
    established_on: date,
    *,
    region: str | None,
    org_code: str | None,
    currency: str = "CNY",
    country: str = "CN",
) -> DemoEntity:
    uscc = _uscc(region=region, org_code=org_code) if region and org_code else None
    return DemoEntity(code, name, name_en, "company", segment, uscc, currency, country, established_on)


def _external(
    code: str,
    name: str,
    name_en: str,
    established_on: date,
    *,
    uscc: str | None,
    currency: str = "CNY",
    country: str = "CN",
) -> DemoEntity:
    return DemoEntity(code, name, name_en, "external", None, uscc, currency, country, established_on)


# fmt: off
DEMO_ENTITIES: tuple[DemoEntity, ...] = (
    # -- the parent and its two intermediate holdings
    _company("BJAP", "北京汽车零部件集团有限公司", "Beijing Auto Parts Group Co., Ltd.", "holding",
             date(1997, 12, 18), region="110000", org_code="10112873"),
    _company("BJPT", "北京汽车动力总成投资有限公司", "Beijing Auto Powertrain Investment Co., Ltd.",
             "holding", date(2003, 3, 1), region="110108", org_code="74613529"),
    _company("BJBI", "北京汽车车身内饰投资有限公司", "Beijing Auto Body and Interior Investment Co., Ltd.",
             "holding", date(2003, 3, 1), region="110105", org_code="74613537"),
    # -- the parts makers
    _company("YSEN", "北京燕山发动机零部件有限公司", "Beijing Yanshan Engine Components Co., Ltd.", "engines",
             date(1985, 6, 1), region="110111", org_code="10220416"),
    _company("FSCA", "北京房山精密铸造有限公司", "Beijing Fangshan Precision Castings Co., Ltd.", "castings",
             date(1978, 9, 15), region="110111", org_code="10220581"),
    _company("CPGR", "北京昌平齿轮变速器有限公司", "Beijing Changping Gears and Transmissions Co., Ltd.",
             "transmissions", date(1982, 4, 20), region="110114", org_code="10265537"),
    _company("TZCH", "北京通州底盘系统有限公司", "Beijing Tongzhou Chassis Systems Co., Ltd.", "chassis",
             date(1980, 11, 3), region="110112", org_code="10251904"),
    _company("DXBR", "北京大兴制动器有限公司", "Beijing Daxing Brakes Co., Ltd.", "brakes",
             date(1984, 2, 28), region="110115", org_code="10289362"),
    _company("ZGEL", "北京中关村汽车电器有限公司", "Beijing Zhongguancun Auto Electrical Co., Ltd.",
             "electrical", date(1988, 7, 7), region="110108", org_code="10193348"),
    _company("SYST", "北京顺义车身冲压件有限公司", "Beijing Shunyi Body Stampings Co., Ltd.",
             "body_and_stampings", date(1983, 5, 16), region="110113", org_code="10273115"),
    _company("YZSI", "北京亦庄汽车座椅内饰有限公司", "Beijing Yizhuang Seating and Interiors Co., Ltd.",
             "seats_and_interiors", date(1996, 10, 8), region="110302", org_code="63372618"),
    _company("PGRS", "北京平谷橡胶密封件有限公司", "Beijing Pinggu Rubber Seals Co., Ltd.",
             "rubber_and_seals", date(1986, 3, 12), region="110117", org_code="10298770"),
    _company("CYLA", "北京朝阳汽车灯具有限公司", "Beijing Chaoyang Auto Lamps Co., Ltd.", "lighting",
             date(1981, 8, 25), region="110105", org_code="10117256"),
    _company("HRWH", "北京怀柔车轮有限公司", "Beijing Huairou Wheels Co., Ltd.", "wheels",
             date(1987, 12, 1), region="110116", org_code="10286049"),
    _company("MYRA", "北京密云汽车散热器有限公司", "Beijing Miyun Auto Radiators Co., Ltd.", "thermal",
             date(1990, 5, 30), region="110118", org_code="10299715"),
    # -- the associate and the foreign trading arm
    _company("BKEL", "北京博控汽车电子有限公司", "Beijing Bokong Automotive Electronics Co., Ltd.",
             "electronics", date(2016, 9, 12), region="110108", org_code="MA008K3T"),
    _company("BJEU", "北京汽车零部件（欧洲）有限公司", "BJAP Europe GmbH", "trading",
             date(2019, 4, 1), region=None, org_code=None, currency="EUR", country="DE"),
    # -- outside shareholders
    _external("BSAI", "北京市汽车工业国有资产投资有限公司",
              "Beijing Auto Industry State Assets Investment Co., Ltd.", date(1995, 1, 10),
              uscc=_uscc(region="110000", org_code="10001263")),
    _external("SYIA", "北京市顺义区工业资产经营有限公司",
              "Beijing Shunyi District Industrial Assets Co., Ltd.", date(1998, 6, 6),
              uscc=_uscc(region="110113", org_code="70022484")),
    _external("BJES", "北京汽车零部件集团职工持股会", "BJAP Employees' Shareholding Association",
              date(1998, 3, 1),
              uscc=_uscc(region="110000", org_code="50001426", registration_authority="5", kind="1")),
    _external("RHAC", "莱茵汽车零部件有限公司", "Rheinland Automotive Components GmbH",
              date(1962, 3, 1), uscc=None, currency="EUR", country="DE"),
)
# fmt: on

#: Registered capital (注册资本) of each investee, in its functional currency; stakes hold their part of it.
DEMO_REGISTERED_CAPITAL: Mapping[str, Decimal] = MappingProxyType(
    {
        "BJAP": Decimal("800000000"),
        "BJPT": Decimal("300000000"),
        "BJBI": Decimal("200000000"),
        "YSEN": Decimal("120000000"),
        "FSCA": Decimal("60000000"),
        "CPGR": Decimal("90000000"),
        "TZCH": Decimal("100000000"),
        "DXBR": Decimal("50000000"),
        "ZGEL": Decimal("80000000"),
        "SYST": Decimal("70000000"),
        "YZSI": Decimal("40000000"),
        "PGRS": Decimal("25000000"),
        "CYLA": Decimal("30000000"),
        "HRWH": Decimal("45000000"),
        "MYRA": Decimal("20000000"),
        "BKEL": Decimal("50000000"),
        "BJEU": Decimal("5000000"),
    }
)

_GROUP_FORMED = date(1998, 1, 1)
_HOLDINGS_FORMED = date(2003, 7, 1)


def _stake(
    holder: str, investee: str, share: str, valid_from: date, *, votes: str | None = None
) -> DemoStake:
    capital = (DEMO_REGISTERED_CAPITAL[investee] * Decimal(share)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return DemoStake(holder, investee, Decimal(share), Decimal(votes or share), valid_from, capital)


DEMO_STAKES: tuple[DemoStake, ...] = (
    # the state asset company owns the parent outright (国有独资)
    _stake("BSAI", "BJAP", "1", _GROUP_FORMED),
    # intermediate holdings; the district asset company keeps a fifth of body and interiors
    _stake("BJAP", "BJPT", "1", _HOLDINGS_FORMED),
    _stake("BJAP", "BJBI", "0.8", _HOLDINGS_FORMED),
    _stake("SYIA", "BJBI", "0.2", _HOLDINGS_FORMED),
    # powertrain: engines, castings (also held by the engine maker), transmissions (sino-foreign JV)
    _stake("BJPT", "YSEN", "0.9", _HOLDINGS_FORMED),
    _stake("BJES", "YSEN", "0.1", _HOLDINGS_FORMED),
    _stake("BJPT", "FSCA", "0.65", _HOLDINGS_FORMED),
    _stake("YSEN", "FSCA", "0.2", _HOLDINGS_FORMED),
    _stake("BJES", "FSCA", "0.15", _HOLDINGS_FORMED),
    _stake("BJPT", "CPGR", "0.7", _HOLDINGS_FORMED),
    _stake("RHAC", "CPGR", "0.3", _HOLDINGS_FORMED),
    # body and interiors
    _stake("BJBI", "SYST", "0.85", _HOLDINGS_FORMED),
    _stake("SYIA", "SYST", "0.15", _HOLDINGS_FORMED),
    _stake("BJBI", "YZSI", "0.7", _HOLDINGS_FORMED),
    _stake("BJES", "YZSI", "0.3", _HOLDINGS_FORMED),
    _stake("BJBI", "PGRS", "1", _HOLDINGS_FORMED),
    _stake("BJBI", "CYLA", "0.51", _HOLDINGS_FORMED),
    _stake("BSAI", "CYLA", "0.49", _HOLDINGS_FORMED),
    # held directly by the parent since the group was formed; chassis and brakes swapped shares when they
    # joined, so they hold each other (a cycle)
    _stake("BJAP", "TZCH", "0.8", _GROUP_FORMED),
    _stake("BSAI", "TZCH", "0.15", _GROUP_FORMED),
    _stake("DXBR", "TZCH", "0.05", _GROUP_FORMED),
    _stake("BJAP", "DXBR", "0.6", _GROUP_FORMED),
    _stake("TZCH", "DXBR", "0.1", _GROUP_FORMED),
    _stake("BSAI", "DXBR", "0.3", _GROUP_FORMED),
    _stake("BJAP", "ZGEL", "0.6", _GROUP_FORMED),
    _stake("RHAC", "ZGEL", "0.4", _GROUP_FORMED),
    _stake("BJAP", "HRWH", "1", _GROUP_FORMED),
    # votes differ from capital under the radiator maker's articles of association
    _stake("BJAP", "MYRA", "0.45", _GROUP_FORMED, votes="0.55"),
    _stake("BSAI", "MYRA", "0.55", _GROUP_FORMED, votes="0.45"),
    # the associate, held through the partly owned electrical maker
    _stake("ZGEL", "BKEL", "0.35", date(2016, 9, 12)),
    _stake("RHAC", "BKEL", "0.5", date(2016, 9, 12)),
    _stake("BJES", "BKEL", "0.15", date(2016, 9, 12)),
    # the European trading arm
    _stake("BJAP", "BJEU", "1", date(2019, 4, 1)),
)

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "admin"),
    DemoUser("controller", "controller"),
    DemoUser("controller2", "controller"),
    DemoUser("accountant", "accountant"),
    DemoUser("accountant.powertrain", "accountant", ("YSEN", "FSCA")),
    DemoUser("auditor", "auditor"),
    DemoUser("viewer", "viewer"),
)


def demo_entity(*, code: str) -> DemoEntity:
    """The demo entity with ``code``.

    Raises:
        KeyError: no demo entity has that code.
    """
    for entity in DEMO_ENTITIES:
        if entity.code == code:
            return entity
    raise KeyError(code)
