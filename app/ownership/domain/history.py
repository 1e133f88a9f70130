"""Ownership through time: methods by period and the date control began (DOMAIN Part 1, §1.8, §4.4).

Holdings are dated (`valid_from` inclusive, `valid_to` exclusive). Between two consecutive dates on which some
holding or override starts or ends nothing changes, so the engine is evaluated once per such date and the
results are strung into periods. A sub-subsidiary's control therefore starts on the later of "P gains
control of S" and "S gains control of SS" without a special rule (Kaplan F2 Example 13.4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from app.ownership.domain.dated_index import DatedIndex, dated_index
from app.ownership.domain.engine import (
    compute_ownership,
    ownership_in,
    subsidiaries_of,
    subsidiary_numbers,
)
from app.ownership.domain.errors import OwnershipCycleError, OwnershipValidationError, Violation
from app.ownership.domain.graph import sorted_unique
from app.ownership.domain.model import (
    SUBSIDIARY,
    DatedHolding,
    DatedMethodOverride,
    MethodOverride,
    MethodPeriod,
    OwnershipResult,
)
from app.ownership.domain.validation import check_overrides


def in_force_on(valid_from: date, valid_to: date | None, on: date) -> bool:
    """A dated fact is in force from `valid_from` (inclusive) to `valid_to` (exclusive; None = open)."""
    return valid_from <= on and (valid_to is None or on < valid_to)


def _check_dates(
    holdings: Sequence[DatedHolding], overrides: Sequence[MethodOverride | DatedMethodOverride]
) -> None:
    violations = [
        Violation(
            "empty_validity",
            f"{d.holding.holder} -> {d.holding.investee}: valid_to {d.valid_to} is not "
            f"after valid_from {d.valid_from}",
            holder=d.holding.holder,
            investee=d.holding.investee,
        )
        for d in holdings
        if d.valid_to is not None and d.valid_to <= d.valid_from
    ]
    violations += [
        Violation(
            "empty_validity",
            f"override of {o.override.entity}: valid_to {o.valid_to} is not after valid_from {o.valid_from}",
            entity=o.override.entity,
        )
        for o in overrides
        if isinstance(o, DatedMethodOverride) and o.valid_to is not None and o.valid_to <= o.valid_from
    ]
    if violations:
        raise OwnershipValidationError(violations)


def _evaluate(
    *,
    parent: str,
    holdings: Sequence[DatedHolding],
    numbered: DatedIndex | None,
    overrides: Sequence[MethodOverride | DatedMethodOverride],
    on: date,
) -> OwnershipResult:
    """The engine on `on`: over the register numbered once when given, else on that day's list."""
    overrides_now = [
        o.override if isinstance(o, DatedMethodOverride) else o
        for o in overrides
        if not isinstance(o, DatedMethodOverride) or in_force_on(o.valid_from, o.valid_to, on)
    ]
    try:
        if numbered is not None:
            check_overrides(parent=parent, overrides=overrides_now)
            return ownership_in(numbered.on(on), overrides=overrides_now)
        in_force = [d.holding for d in holdings if in_force_on(d.valid_from, d.valid_to, on)]
        return compute_ownership(parent=parent, holdings=in_force, overrides=overrides_now)
    except OwnershipValidationError as error:
        raise OwnershipValidationError(error.violations, on=on) from error
    except OwnershipCycleError as error:
        raise OwnershipCycleError(entities=error.entities, cycle=error.cycle, on=on) from error


def method_history(
    *,
    parent: str,
    holdings: Sequence[DatedHolding],
    overrides: Sequence[MethodOverride | DatedMethodOverride] = (),
    until: date | None = None,
    latest: OwnershipResult | None = None,
) -> dict[str, list[MethodPeriod]]:
    """Per entity the parent reaches at some date: its periods, in date order, adjacent equal ones merged.

    Evaluated on every date on which a holding or a dated override starts or ends (before `until`, when
    given; periods running past it end at `until`). A period ends (`valid_to`, exclusive) where the method,
    control share or interest share changes, or where the entity stops being reachable; the last one is
    open (None) when nothing ends it and `until` is None. Plain `MethodOverride`s apply on every date.
    Raises what `compute_ownership` raises, with `on` set to the date evaluated. The register is numbered
    once (`dated_index`) and each date takes its holdings from it, unless a rule that holds on every date is
    broken somewhere: then each date's list goes to `compute_ownership`, which reports it where it applies.

    `latest`, with `until`: the caller's `compute_ownership` result for the holdings and overrides in force
    on the day before `until`. Nothing starts or ends between the last date evaluated and that day, so it is
    that date's result too and is used instead of computing it again (the as-of view already has it).
    """
    _check_dates(holdings, overrides)
    dates: set[date] = set()
    spans: list[DatedHolding | DatedMethodOverride] = [*holdings]
    spans += [o for o in overrides if isinstance(o, DatedMethodOverride)]
    for item in spans:
        dates.add(item.valid_from)
        if item.valid_to is not None:
            dates.add(item.valid_to)
    breakpoints = sorted(d for d in dates if until is None or d < until)
    numbered = dated_index(holdings, parent=parent) if len(breakpoints) > 1 else None
    history: dict[str, list[MethodPeriod]] = {}
    for position, start in enumerate(breakpoints):
        end = breakpoints[position + 1] if position + 1 < len(breakpoints) else until
        if latest is not None and until is not None and position == len(breakpoints) - 1:
            result = latest
        else:
            result = _evaluate(
                parent=parent, holdings=holdings, numbered=numbered, overrides=overrides, on=start
            )
        for entity in result.entities:
            period = MethodPeriod(
                valid_from=start,
                valid_to=end,
                method=entity.method,
                control_share=entity.control_share,
                interest_share=entity.interest_share,
            )
            periods = history.setdefault(entity.entity, [])
            last = periods[-1] if periods else None
            if (
                last is not None
                and last.valid_to == start
                and (last.method, last.control_share, last.interest_share)
                == (period.method, period.control_share, period.interest_share)
            ):
                periods[-1] = replace(last, valid_to=end)
            else:
                periods.append(period)
    return history


def control_since(
    *,
    parent: str,
    entity: str,
    holdings: Sequence[DatedHolding],
    as_of: date,
    overrides: Sequence[MethodOverride | DatedMethodOverride] = (),
) -> date | None:
    """The first day of the unbroken stretch up to `as_of` in which `entity` is a subsidiary of `parent`.

    None when it is not a subsidiary on `as_of`. Changes of percentage inside the stretch do not break it;
    a day without control does. Raises what `method_history` raises.
    """
    periods = method_history(
        parent=parent, holdings=holdings, overrides=overrides, until=as_of + timedelta(days=1)
    ).get(entity, [])
    current = next((i for i, p in enumerate(periods) if in_force_on(p.valid_from, p.valid_to, as_of)), None)
    if current is None or periods[current].method != SUBSIDIARY:
        return None
    while (
        current > 0
        and periods[current - 1].method == SUBSIDIARY
        and periods[current - 1].valid_to == periods[current].valid_from
    ):
        current -= 1
    return periods[current].valid_from


def _subsidiaries_on(
    *,
    parent: str,
    holdings: Sequence[DatedHolding],
    numbered: DatedIndex | None,
    overrides: Sequence[MethodOverride | DatedMethodOverride],
    on: date,
) -> AbstractSet[str | int]:
    """The subsidiaries on `on`: their numbers in `numbered` when given, else their names."""
    overrides_now = [
        o.override if isinstance(o, DatedMethodOverride) else o
        for o in overrides
        if not isinstance(o, DatedMethodOverride) or in_force_on(o.valid_from, o.valid_to, on)
    ]
    try:
        if numbered is not None:
            check_overrides(parent=parent, overrides=overrides_now)
            return set(subsidiary_numbers(numbered.on(on), overrides=overrides_now).tolist())
        in_force = [d.holding for d in holdings if in_force_on(d.valid_from, d.valid_to, on)]
        return subsidiaries_of(parent=parent, holdings=in_force, overrides=overrides_now)
    except OwnershipValidationError as error:
        raise OwnershipValidationError(error.violations, on=on) from error


def controls_since(
    *,
    parent: str,
    holdings: Sequence[DatedHolding],
    latest: OwnershipResult,
    as_of: date,
    overrides: Sequence[MethodOverride | DatedMethodOverride] = (),
) -> dict[str, date]:
    """For each subsidiary of `latest` (the `compute_ownership` result on `as_of`): the first day of its
    unbroken stretch as a subsidiary up to `as_of`, as `control_since` reads `method_history`.

    Cheaper than the full history on a register with many dates: only the methods are decided on each date
    (`subsidiaries_in`, no interest shares or NCI), over one numbering of the register (`dated_index`),
    walking back from `as_of` and stopping once every subsidiary's stretch has begun. Dates before that are
    not evaluated, and interest shares are not computed, so a closed cycle on an earlier date does not
    matter here; invalid holdings on a date evaluated raise, with `on` set.
    """
    _check_dates(holdings, overrides)
    pending = latest.subsidiaries()
    if not pending:
        return {}
    spans: list[DatedHolding | DatedMethodOverride] = [*holdings]
    spans += [o for o in overrides if isinstance(o, DatedMethodOverride)]
    dates = {item.valid_from for item in spans} | {i.valid_to for i in spans if i.valid_to is not None}
    breakpoints = sorted(d for d in dates if d <= as_of)
    numbered = dated_index(holdings, parent=parent) if len(breakpoints) > 1 else None
    names: dict[str | int, str] = (
        {e: e for e in pending} if numbered is None else {numbered.index.index[e]: e for e in pending}
    )

    def decided_on(on: date) -> AbstractSet[str | int]:
        return _subsidiaries_on(
            parent=parent, holdings=holdings, numbered=numbered, overrides=overrides, on=on
        )

    return _since(names, breakpoints, decided_on)


def controls_since_in(
    register: DatedIndex,
    *,
    latest: OwnershipResult,
    as_of: date,
    overrides: Sequence[MethodOverride | DatedMethodOverride] = (),
) -> dict[str, date]:
    """`controls_since` over a register already numbered (`index_register`, the parent as entity 0)."""
    _check_dates((), overrides)
    pending = latest.subsidiaries()
    if not pending:
        return {}
    days = np.concatenate((register.valid_from, register.valid_to))
    dates = set(map(date.fromordinal, sorted_unique(days[days <= as_of.toordinal()]).tolist()))
    for o in overrides:
        if isinstance(o, DatedMethodOverride):
            dates |= {o.valid_from} if o.valid_to is None else {o.valid_from, o.valid_to}
    breakpoints = sorted(d for d in dates if d <= as_of)
    if len(breakpoints) <= 1:  # one state since the register began: every subsidiary since then
        return dict.fromkeys(pending, breakpoints[0]) if breakpoints else {}
    numbered = register.with_units()
    parent = numbered.index.names[0]
    names: dict[str | int, str] = {numbered.index.index[e]: e for e in pending}

    def decided_on(on: date) -> AbstractSet[str | int]:
        return _subsidiaries_on(parent=parent, holdings=(), numbered=numbered, overrides=overrides, on=on)

    return _since(names, breakpoints, decided_on)


def _since(
    names: Mapping[str | int, str],
    breakpoints: list[date],
    subsidiaries_on: Callable[[date], AbstractSet[object]],
) -> dict[str, date]:
    """Walk back over `breakpoints` (the last one's state is `as_of`'s, which `latest` decided) until every
    key in `names` has stopped being a subsidiary; each gets the first date of its stretch."""
    if not breakpoints:
        return {}
    since: dict[str, date] = {}
    waiting = set(names)
    for position in range(len(breakpoints) - 2, -1, -1):
        ended = waiting - subsidiaries_on(breakpoints[position])
        for key in ended:
            since[names[key]] = breakpoints[position + 1]
        waiting -= ended
        if not waiting:
            break
    since.update(dict.fromkeys((names[key] for key in waiting), breakpoints[0]))
    return since
