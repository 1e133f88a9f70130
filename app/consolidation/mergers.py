"""Combinations inherited through mergers: the survivor of an absorption steps into the absorbed company's.

A merger under common control leaves the group's figures unchanged (DOMAIN Part 1, "Events"): the absorbed
company's assets, liabilities and equity continue in the survivor's books at the same amounts, and the
holder's investment in the absorbed company is re-tagged to the survivor. The group's elimination of that
investment, its goodwill and its fair-value adjustments therefore continue too, against the survivor: the
combination by which the group obtained the absorbed company is read as a combination of the survivor
(`acquiree` = the survivor), and joined to the survivor's own combination, since the engine eliminates one
combination per subsidiary. Joining adds the considerations, the equity at acquisition (account by
account), earlier-held interests, and concatenates the fair-value adjustments, their movements and the
goodwill impairments; the survivor's own record gives the id, date, share and terms. That is exact when the
acquirer holds the whole of each company (goodwill = consideration - net assets, summed), which is the case
the merger rules support without an exchange with outside shareholders.

A combination whose acquirer is itself a party to the merger (the survivor had bought the absorbed company)
ends with the merger: the merger cancels that investment against the absorbed company's contributed
capital, so there is nothing left to eliminate.

The mergers are read from the committed group events (`app.events.service.merged_companies`), up to the
run's date, following chains (C absorbed by B, later B by A: C's combination lands on A).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.consolidation.records import AcquisitionRecord
from app.events import service as events_service

ZERO = Decimal(0)


def absorbed_into(session: Session, *, members: Collection[str], as_of: date) -> dict[str, str]:
    """Each company merged by `as_of` into (eventually) a consolidated member: absorbed id -> that member."""
    into = {m.absorbed_id: m.survivor_id for m in events_service.merged_companies(session, until=as_of)}
    out: dict[str, str] = {}
    for absorbed in into:
        seen = {absorbed}
        final = into[absorbed]
        while final in into and final not in seen:
            seen.add(final)
            final = into[final]
        if final in members:
            out[absorbed] = final
    return out


def _join(base: AcquisitionRecord, more: Sequence[AcquisitionRecord], survivor: str) -> AcquisitionRecord:
    records = [base, *more]
    equity: dict[str, Decimal] = {}
    for record in records:
        for account, amount in record.event.equity_at_acquisition.items():
            equity[account] = equity.get(account, ZERO) + amount
    held_books = [r.event.previously_held_carrying_amount for r in records]
    profits = [r.pre_acquisition_profit for r in records if r.pre_acquisition_profit is not None]
    event = replace(
        base.event,
        acquiree=survivor,
        consideration=sum((r.event.consideration for r in records), ZERO),
        equity_at_acquisition=equity,
        previously_held_fair_value=sum((r.event.previously_held_fair_value for r in records), ZERO),
        previously_held_carrying_amount=None
        if all(h is None for h in held_books)
        else sum(
            (
                h if h is not None else r.event.previously_held_fair_value
                for h, r in zip(held_books, records, strict=True)
            ),
            ZERO,
        ),
        fair_value_adjustments=tuple(a for r in records for a in r.event.fair_value_adjustments),
        fair_value_movements=tuple(m for r in records for m in r.event.fair_value_movements),
        goodwill_impairments=tuple(i for r in records for i in r.event.goodwill_impairments),
    )
    return AcquisitionRecord(
        row=base.row, event=event, pre_acquisition_profit=sum(profits, ZERO) if profits else None
    )


def with_inherited(
    combinations: Mapping[str, AcquisitionRecord],
    *,
    records: Sequence[AcquisitionRecord],
    absorbed: Mapping[str, str],
    members: Collection[str],
) -> dict[str, AcquisitionRecord]:
    """`combinations` (per subsidiary, the combination that gave control) with each survivor's joined to the
    combinations of the companies it absorbed (module docstring)."""
    inherited: dict[str, list[AcquisitionRecord]] = {}
    for absorbed_id in sorted(absorbed):
        survivor = absorbed[absorbed_id]
        mine = [
            r
            for r in records
            if r.row.acquiree_id == absorbed_id
            and r.row.acquirer_id in members
            and r.row.acquirer_id != survivor
            and r.row.acquirer_id not in absorbed
        ]
        if mine:
            inherited.setdefault(survivor, []).append(mine[-1])
    out = dict(combinations)
    for survivor, found in inherited.items():
        own = out.get(survivor)
        base, more = (own, found) if own is not None else (found[0], found[1:])
        out[survivor] = _join(base, more, survivor)
    return out
