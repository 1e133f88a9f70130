"""Use cases of the asset register: adding assets, reading and listing them, status changes. Depreciation
runs are in `depreciation_service`, disposal and impairment in `disposal_service`, transfers between group
companies in `transfer_service`, reports in `report_service`.

Each public write is one unit of work (`atomic`): it locks what it decides on, applies the pure rules of
`app.assets.domain`, posts through the books' service (never into the journal tables) and records its audit
events, all in one transaction.

Lock order, the same everywhere: asset rows (in id order), then the transfer row, then what the books and the
audit trail lock while posting. Two approvals racing for one asset, or approvals of two transfers of it,
therefore run one after the other, and the second finds the asset moved or the transfer decided.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.common import SOURCE_ACQUISITION, ZERO, held_asset, load_facts, load_one, visible_asset
from app.assets.config import asset_settings
from app.assets.domain import accounting as acc
from app.assets.domain.depreciation import (
    Method,
    schedule_violations,
)
from app.assets.domain.periods import (
    MonthConvention,
    Period,
    start_date,
)
from app.assets.domain.workflow import (
    AssetStatus,
    Violation,
    status_violations,
)
from app.assets.errors import (
    AssetTagTakenError,
    AssetValidationError,
    problem_errors,
    raise_violations,
)
from app.assets.models import (
    CATEGORIES,
    AssetBook,
    AssetStatusChange,
    FixedAsset,
)
from app.assets.posting import asset_accounts, post_lines, posted_after, role_code
from app.assets.views import AssetView, asset_snapshot, asset_view
from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.etag import check_version
from app.entities import service as entities_service

# -------------------------------------------------------------------------------------------- register


def _expense_account(session: Session, code: str | None) -> tuple[str, list[Violation]]:
    if code is None:
        return role_code(session, asset_settings().default_expense_role), []
    kind = repository.account_type(session, code)
    if kind is None:
        return code, [Violation("expense_account_code", f"no account {code}", "unknown_account")]
    if kind != "expense" and not code.startswith("5"):
        return code, [
            Violation(
                "expense_account_code",
                "depreciation goes to an expense or cost account",
                "not_an_expense_account",
            )
        ]
    return code, []


def create_asset(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    entity_id: str,
    tag: str,
    name: str,
    category: str,
    acquired_on: date,
    cost: Decimal,
    residual_value: Decimal,
    useful_life_months: int,
    method: Method,
    convention: MonthConvention = MonthConvention.NEXT_MONTH,
    units_total: Decimal | None = None,
    location: str | None = None,
    expense_account_code: str | None = None,
    status: AssetStatus = AssetStatus.IN_USE,
    accumulated_depreciation: Decimal | None = None,
    opening_balance_on: date | None = None,
    units_used: Decimal | None = None,
    credit_account_code: str | None = None,
    counterparty_entity_id: str | None = None,
) -> AssetView:
    """Add an asset to a company's register.

    Without `opening_balance_on` the asset is an acquisition: Dr fixed assets / Cr the bank (or
    `credit_account_code`, e.g. 2202 with the supplier as counterparty), dated `acquired_on`. With it, an
    asset
    the books already hold is registered with its accumulated depreciation (and units used) as of that date;
    nothing is posted and depreciation runs from the next month.

    Raises:
        EntityNotFoundError: unknown or invisible company.
        AssetValidationError: every broken rule at once (terms, dates, accounts, an outside party).
        AssetTagTakenError: the tag is in use.
        PeriodClosedError: the acquisition month is closed.
    """
    with atomic(session):
        entity = entities_service.get_entity(session, actor=actor, entity_id=entity_id)
        violations = [
            Violation(field, msg, type_)
            for field, msg, type_ in schedule_violations(
                method=method,
                cost=cost,
                residual_value=residual_value,
                life_months=useful_life_months,
                units_total=units_total,
            )
        ]
        expense, problems = _expense_account(session, expense_account_code)
        violations += problems
        if entity.kind != "company":
            violations.append(
                Violation("entity_id", "an outside party keeps no register here", "not_a_company")
            )
        registering = opening_balance_on is not None
        opening = accumulated_depreciation or ZERO
        if status not in (AssetStatus.IN_USE, AssetStatus.IDLE):
            violations.append(Violation("status", "a new asset is in use or idle", "asset-status-invalid"))
        if registering:
            assert opening_balance_on is not None
            if opening_balance_on < acquired_on:
                violations.append(
                    Violation("opening_balance_on", "cannot be before the acquisition", "before_acquisition")
                )
            if opening < 0 or opening > cost - residual_value:
                violations.append(
                    Violation(
                        "accumulated_depreciation",
                        "must be between 0 and cost - residual value",
                        "accumulated_out_of_range",
                    )
                )
            if credit_account_code is not None:
                violations.append(
                    Violation("credit_account_code", "a registered asset posts nothing", "not_posted")
                )
        else:
            if accumulated_depreciation is not None:
                violations.append(
                    Violation(
                        "opening_balance_on",
                        "the date of the accumulated depreciation is required",
                        "opening_date_required",
                    )
                )
            if units_used is not None:
                violations.append(
                    Violation("units_used", "only a registered asset has used units", "not_registered")
                )
        if units_used is not None and method is not Method.UNITS_OF_PRODUCTION:
            violations.append(
                Violation("units_used", "only units of production uses units", "units_not_used")
            )
        if category not in CATEGORIES:
            violations.append(Violation("category", f"unknown category {category!r}", "unknown_category"))
        credit = credit_account_code
        if not registering and credit is None:
            credit = role_code(session, "cash")
        if credit is not None and repository.account_type(session, credit) is None:
            violations.append(Violation("credit_account_code", f"no account {credit}", "unknown_account"))
        if violations:
            raise AssetValidationError(f"the asset {tag} cannot be added", errors=problem_errors(violations))
        if repository.asset_by_tag(session, tag) is not None:
            raise AssetTagTakenError(f"asset tag {tag!r} is taken", field="tag")
        asset = FixedAsset(
            tag=tag,
            name=name,
            category=category,
            location=location,
            holder_entity_id=entity.id,
            acquired_on=acquired_on,
            cost=cost,
            residual_value=residual_value,
            useful_life_months=useful_life_months,
            method=method.value,
            convention=convention.value,
            units_total=units_total,
            status=status.value,
            expense_account=expense,
            created_at=now,
            created_by=actor.username,
            version=1,
        )
        try:
            with session.begin_nested():
                session.add(asset)
                session.flush()
        except IntegrityError as exc:
            raise AssetTagTakenError(f"asset tag {tag!r} is taken", field="tag") from exc
        entry_id = None
        if not registering:
            assert credit is not None
            entry_id = post_lines(
                session,
                actor=actor,
                entity_id=entity.id,
                entry_date=acquired_on,
                description=f"Acquisition of {tag} {name}",
                lines=acc.acquisition_lines(
                    accounts=asset_accounts(session),
                    cost=cost,
                    credit_account=credit,
                    counterparty_entity_id=counterparty_entity_id,
                ),
                source=SOURCE_ACQUISITION,
                source_ref=asset.id,
                now=now,
            )
        service_start_on = start_date(convention, acquired_on)
        depreciation_from = service_start_on
        if registering:
            assert opening_balance_on is not None
            depreciation_from = max(service_start_on, Period.of(opening_balance_on).plus(1).first_day)
        book = AssetBook(
            asset_id=asset.id,
            entity_id=entity.id,
            valid_from=opening_balance_on or acquired_on,
            origin="registration" if registering else "acquisition",
            cost_basis=cost,
            residual_value=residual_value,
            useful_life_months=useful_life_months,
            method=method.value,
            convention=convention.value,
            units_total=units_total,
            schedule_start_on=service_start_on,
            depreciation_from=depreciation_from,
            opening_accumulated=opening,
            opening_impairment=ZERO,
            units_before=units_used or ZERO,
            expense_account=expense,
            entry_id=entry_id,
            created_at=now,
        )
        session.add(book)
        session.add(
            AssetStatusChange(
                asset_id=asset.id,
                status=status.value,
                effective_on=acquired_on,
                changed_at=now,
                changed_by=actor.username,
            )
        )
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="asset.registered" if registering else "asset.acquired",
            subject_type="asset",
            subject_id=asset.id,
            at=now,
            entity_id=entity.id,
            after={**asset_snapshot(asset), "accumulated_depreciation": opening, "entry_id": entry_id},
        )
        as_of = max(acquired_on, opening_balance_on or acquired_on)
        return asset_view(load_one(session, asset.id), as_of=as_of, actor=actor)


def get_asset(session: Session, *, actor: Actor, asset_id: str, as_of: date) -> AssetView:
    """The asset with its holder, status and figures as of a date, and its books (history across companies).

    Raises:
        AssetNotFoundError: unknown, or never held by a company the actor may see.
    """
    asset = visible_asset(session, actor=actor, asset_id=asset_id)
    return asset_view(load_one(session, asset.id), as_of=as_of, actor=actor)


def list_assets(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    as_of: date,
    after_id: str | None = None,
    entity_id: str | None = None,
    status: str | None = None,
    category: str | None = None,
    holder_as_of: bool = False,
) -> list[AssetView]:
    """Assets in id order with figures as of `as_of`; with `holder_as_of`, filters apply to that date."""
    rows = repository.list_assets(
        session,
        after_id=after_id,
        limit=limit,
        entity_id=entity_id,
        status=status,
        category=category,
        as_of=as_of if holder_as_of else None,
        visible=actor.entity_ids,
    )
    facts = load_facts(session, [r.id for r in rows])
    return [asset_view(facts[r.id], as_of=as_of, actor=actor) for r in rows]


def update_asset(
    session: Session,
    *,
    actor: Actor,
    asset_id: str,
    expected_version: int,
    now: datetime,
    status: AssetStatus | None = None,
    effective_on: date | None = None,
    reason: str | None = None,
    name: str | None = None,
    location: str | None = None,
) -> AssetView:
    """Change the status (in use, idle, held for sale; dated) or the description of an asset.

    Held for sale stops depreciation from the next month (IFRS 5 / CAS 42); returning to use catches up.

    Raises:
        AssetNotFoundError, PreconditionFailedError (stale version), AssetDisposedError,
        AssetStatusInvalidError, AssetDepreciatedAfterDateError, AssetValidationError (a date before the
        last change).
    """
    with atomic(session):
        asset = held_asset(session, actor=actor, asset_id=asset_id)
        check_version(expected=expected_version, current=asset.version)
        before = asset_snapshot(asset)
        facts = load_one(session, asset.id)
        day = effective_on or now.date()
        if status is not None:
            violations = status_violations(current=AssetStatus(asset.status), new=status)
            last = facts.status_changes[-1].effective_on if facts.status_changes else asset.acquired_on
            if not violations and day < last:
                violations.append(
                    Violation("effective_on", f"the last status change was on {last}", "before_last_change")
                )
            book = facts.open_book()
            if not violations and book is not None and day < book.valid_from:
                violations.append(
                    Violation("effective_on", f"held here from {book.valid_from}", "before_holding")
                )
            entering = status is AssetStatus.HELD_FOR_SALE and asset.status != AssetStatus.HELD_FOR_SALE
            if not violations and book is not None and entering:
                late = posted_after(session, book=book, convention=facts.convention, day=day)
                if late is not None:
                    violations.append(
                        Violation(
                            "effective_on",
                            f"depreciation is already booked for {late}",
                            "asset-depreciated-after-date",
                            {"period": late},
                        )
                    )
            raise_violations(violations, detail=f"asset {asset.tag} cannot become {status.value}")
            session.add(
                AssetStatusChange(
                    asset_id=asset.id,
                    status=status.value,
                    effective_on=day,
                    reason=reason,
                    changed_at=now,
                    changed_by=actor.username,
                )
            )
            asset.status = status.value
        if name is not None:
            asset.name = name
        if location is not None:
            asset.location = location
        asset.version += 1
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="asset.updated",
            subject_type="asset",
            subject_id=asset.id,
            at=now,
            entity_id=asset.holder_entity_id,
            before=before,
            after={**asset_snapshot(asset), "effective_on": day if status else None, "reason": reason},
        )
        return asset_view(load_one(session, asset.id), as_of=max(day, now.date()), actor=actor)
