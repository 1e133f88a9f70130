"""A year of books for the demo group, as plain data: opening balances, monthly trading, intra-group trade
between the parts makers (castings to engines, stampings to chassis, seals to seating), dividends to the
holders in June, and one small intercompany mismatch for the matching report to find (December's castings
invoice booked short by the engine maker: goods in transit).

Amounts follow the founding document's picture: thin margins (cost of sales 86% of revenue), most profit
paid out. Everything is derived from the registered capital, so the data is deterministic.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.demo.group import DEMO_ENTITIES, DEMO_REGISTERED_CAPITAL, DEMO_STAKES

DEMO_YEAR = 2025
_SEASON = (
    "0.86",
    "0.80",
    "1.02",
    "1.05",
    "1.04",
    "1.00",
    "0.94",
    "0.92",
    "1.03",
    "1.08",
    "1.10",
    "1.16",
)
_CENT = Decimal("0.01")
HOLDINGS = ("BJAP", "BJPT", "BJBI")
#: (seller, buyer, monthly amount): intra-group supply chains of the group's makers.
INTERCOMPANY_TRADE = (
    ("FSCA", "YSEN", Decimal("600000")),
    ("SYST", "TZCH", Decimal("450000")),
    ("PGRS", "YZSI", Decimal("180000")),
)
MISMATCH = ("YSEN", 12, Decimal("1200"))  # buyer, month, amount booked short
EUR_CNY = {"closing": Decimal("7.8200"), "average": Decimal("7.7600")}
#: The rate when the European arm was capitalised (its equity translates at this historical rate).
EUR_CNY_HISTORICAL = (date(2019, 4, 1), Decimal("7.5000"))
_CURRENCY = {e.code: e.functional_currency for e in DEMO_ENTITIES}


def _in_holder_currency(amount: Decimal, *, investee: str) -> Decimal:
    """A holding's cost in the holder's books (CNY): a EUR capital contribution at the historical rate."""
    return amount * EUR_CNY_HISTORICAL[1] if _CURRENCY[investee] == "EUR" else amount


@dataclass(frozen=True)
class DemoLine:
    account_code: str
    debit: Decimal | None = None
    credit: Decimal | None = None
    counterparty_code: str | None = None


@dataclass(frozen=True)
class DemoEntry:
    entity_code: str
    ref: str
    entry_date: date
    description: str
    lines: tuple[DemoLine, ...]


def _q(value: Decimal) -> Decimal:
    return value.quantize(_CENT)


def _dr(code: str, amount: Decimal, cp: str | None = None) -> DemoLine:
    return DemoLine(code, debit=_q(amount), counterparty_code=cp)


def _cr(code: str, amount: Decimal, cp: str | None = None) -> DemoLine:
    return DemoLine(code, credit=_q(amount), counterparty_code=cp)


def _companies() -> list[str]:
    return [e.code for e in DEMO_ENTITIES if e.kind == "company"]


def _opening(code: str) -> DemoEntry:
    capital = DEMO_REGISTERED_CAPITAL[code]
    opened = date(DEMO_YEAR, 1, 1)
    if code in HOLDINGS:
        lines = [_cr("4001", capital)]
        invested = Decimal(0)
        for stake in DEMO_STAKES:
            if stake.holder_code == code:
                account = "151102" if stake.investee_code == "BKEL" else "151101"
                cost = _in_holder_currency(stake.capital_amount, investee=stake.investee_code)
                lines.append(_dr(account, cost, stake.investee_code))
                invested += cost
        bank = capital * Decimal("0.1")
        lines.append(_dr("1002", bank))
        gap = invested + bank - capital
        lines.append(_cr("2001", gap) if gap > 0 else _dr("1002", -gap))
        return DemoEntry(code, "opening", opened, "期初余额 opening balances", tuple(lines))
    lines = [
        _dr("1002", capital * Decimal("0.3")),
        _dr("1601", capital * Decimal("0.9")),
        _dr("1405", capital * Decimal("0.2")),
        _cr("4001", capital),
        _cr("2001", capital * Decimal("0.2")),
        _cr("4104", capital * Decimal("0.2")),
    ]
    for stake in DEMO_STAKES:  # makers holding other makers (the castings, brakes and associate holdings)
        if stake.holder_code == code:
            account = "151102" if stake.investee_code == "BKEL" else "151101"
            lines += [
                _dr(account, stake.capital_amount, stake.investee_code),
                _cr("2001", stake.capital_amount),
            ]
    return DemoEntry(code, "opening", opened, "期初余额 opening balances", tuple(lines))


def _trading(code: str, month: int) -> DemoEntry:
    capital = DEMO_REGISTERED_CAPITAL[code]
    revenue = capital * Decimal("0.09") * Decimal(_SEASON[month - 1])
    cost, admin, finance = revenue * Decimal("0.86"), revenue * Decimal("0.07"), capital * Decimal("0.0012")
    lines = [
        _dr("1122", revenue),
        _cr("6001", revenue),
        _dr("6401", cost),
        _cr("1405", cost),
        _dr("1405", cost),
        _cr("2202", cost),
        _dr("6602", admin),
        _dr("6603", finance),
        _cr("1002", admin + finance),
        _dr("1002", revenue * Decimal("0.95")),
        _cr("1122", revenue * Decimal("0.95")),
        _dr("2202", cost * Decimal("0.95")),
        _cr("1002", cost * Decimal("0.95")),
    ]
    last = date(DEMO_YEAR, month, calendar.monthrange(DEMO_YEAR, month)[1])
    return DemoEntry(
        code, f"trading:{month:02d}", last, f"{DEMO_YEAR}-{month:02d} 经营 trading", tuple(lines)
    )


def _intercompany(month: int) -> list[DemoEntry]:
    last = date(DEMO_YEAR, month, calendar.monthrange(DEMO_YEAR, month)[1])
    out = []
    for seller, buyer, amount in INTERCOMPANY_TRADE:
        booked = amount - MISMATCH[2] if (buyer, month) == MISMATCH[:2] else amount
        cost = amount * Decimal("0.86")
        out.append(
            DemoEntry(
                seller,
                f"ic-sale:{buyer}:{month:02d}",
                last,
                f"销售给 sale to {buyer}",
                (
                    _dr("1122", amount, buyer),
                    _cr("6001", amount, buyer),
                    _dr("6401", cost),
                    _cr("1405", cost),
                ),
            )
        )
        out.append(
            DemoEntry(
                buyer,
                f"ic-purchase:{seller}:{month:02d}",
                last,
                f"采购自 purchase from {seller}",
                (_dr("1405", booked, seller), _cr("2202", booked, seller)),
            )
        )
    return out


def _dividends() -> list[DemoEntry]:
    """In June each maker pays 60% of last year's retained earnings to its holders (holders book income)."""
    day = date(DEMO_YEAR, 6, 30)
    companies = set(_companies())
    out = []
    for code in _companies():
        if code in HOLDINGS or _CURRENCY[code] != "CNY":  # the European arm keeps its profit
            continue
        total = DEMO_REGISTERED_CAPITAL[code] * Decimal("0.2") * Decimal("0.6")
        lines: list[DemoLine] = []
        for stake in (s for s in DEMO_STAKES if s.investee_code == code):
            part = _q(total * stake.share)
            holder = stake.holder_code if stake.holder_code in companies else None
            lines += [_dr("4104", part, holder), _cr("2232", part, holder)]
            if holder is not None:
                income = (_dr("1131", part, code), _cr("6111", part, code))
                out.append(
                    DemoEntry(
                        holder, f"dividend-income:{code}", day, f"应收股利 dividend from {code}", income
                    )
                )
        out.append(DemoEntry(code, "dividend", day, "宣告分配股利 dividends declared", tuple(lines)))
    return out


def demo_entries() -> list[DemoEntry]:
    """Every entry of the demo year, in posting order."""
    entries = [_opening(code) for code in _companies()]
    for month in range(1, 13):
        entries += [_trading(code, month) for code in _companies() if code not in HOLDINGS]
        entries += _intercompany(month)
        if month == 6:
            entries += _dividends()
    return entries
