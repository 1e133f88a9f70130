"""Use cases of the asset register: adding assets, status changes, depreciation runs, disposal, impairment.
Transfers between group companies are in `transfer_service`, reports in `report_service`.

Each public write is one unit of work (`atomic`): it locks what it decides on, applies the pure rules of
`app.assets.domain`, posts through the books' service (never into the journal tables) and records its audit
events, all in one transaction.

Lock order, the same everywhere: asset rows (in id order), then the transfer row, then what the books and the
audit trail lock while posting. Two approvals racing for one asset, or approvals of two transfers of it,
therefore run one after the other, and the second finds the asset moved or the transfer decided.

Depreciation postings: a month's run posts, per company, one entry with every month of every book that is
due up to that month and not yet posted (so a month missed, or a book started late, is caught up). When an
asset leaves a company (transfer, disposal), the months due up to its stop are posted first, dated the day it
leaves, so the asset leaves at its carrying amount on the schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.assets import repository
from app.assets.common import (
    SOURCE_ACQUISITION,
    SOURCE_DISPOSAL,
    SOURCE_IMPAIRMENT,
    ZERO,
    AssetView,
    Due,
    asset_accounts,
    asset_snapshot,
    asset_view,
    catch_up_leaving,
    group_relation,
    held_asset,
    load_facts,
    load_one,
    month_closed,
    post_due,
    post_lines,
    posted_after,
    role_code,
    visible_asset,
)
from app.assets.config import asset_settings
from app.assets.domain import accounting as acc
from app.assets.domain.depreciation import (
    Method,
    book_charges,
    schedule_violations,
    unposted_charges,
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
    DepreciationUnitsMissingError,
    problem_errors,
    raise_violations,
)
from app.assets.models import (
    CATEGORIES,
    AssetBook,
    AssetDisposal,
    AssetImpairment,
    AssetStatusChange,
    AssetUsage,
    DepreciationRun,
    FixedAsset,
)
from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.etag import check_version
from app.entities import service as entities_service
from app.entities.models import LegalEntity
from app.ledger.errors import PeriodClosedError

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


# ---------------------------------------------------------------------------------------- depreciation


@dataclass(frozen=True)
class RunView:
    run: DepreciationRun
    created: bool


@dataclass(frozen=True)
class RunsResult:
    period: str
    runs: list[RunView]
    skipped: list[dict[str, str]]


def _run_entity(
    session: Session,
    *,
    actor: Actor,
    entity: LegalEntity,
    period: Period,
    units: Mapping[str, Decimal],
    used_units: set[str],
    accounts: acc.AssetAccounts,
    now: datetime,
) -> RunView:
    label = str(period)
    existing = repository.get_run(session, entity_id=entity.id, period=label)
    if existing is not None:
        return RunView(run=existing, created=False)
    rows = repository.books_of_entity(session, entity_id=entity.id, until=period.last_day)
    asset_ids = sorted({r.asset_id for r in rows})
    repository.lock_assets(session, asset_ids)
    facts = load_facts(session, asset_ids)
    posted = repository.posted_periods(session, [r.id for r in rows])
    missing: list[Violation] = []
    due: list[Due] = []
    for row in rows:
        item = facts[row.asset_id]
        book = item.domain_book(row)
        months = book_charges(book, through=period)
        in_service = bool(months) and months[-1].period == period
        if row.method == Method.UNITS_OF_PRODUCTION and in_service and label not in posted[row.id]:
            known = Period.parse(label) in item.units_of(row)
            if row.asset_id in units:
                used_units.add(row.asset_id)
                if not known:
                    session.add(
                        AssetUsage(
                            book_id=row.id, asset_id=row.asset_id, period=label, units=units[row.asset_id]
                        )
                    )
                    item.usage.append(
                        AssetUsage(
                            book_id=row.id, asset_id=row.asset_id, period=label, units=units[row.asset_id]
                        )
                    )
            elif not known:
                missing.append(
                    Violation(
                        "units",
                        f"units produced by {item.asset.tag} in {label}",
                        "units_required",
                        {"asset_id": row.asset_id},
                    )
                )
                continue
        for charge in unposted_charges(
            book, through=period, posted=[Period.parse(p) for p in posted[row.id]], units=item.units_of(row)
        ):
            due.append(Due(row, charge))
    if missing:
        raise DepreciationUnitsMissingError(
            f"units of production missing for {len(missing)} asset(s) of {entity.code}",
            errors=problem_errors(missing),
        )
    run = DepreciationRun(
        entity_id=entity.id,
        period=label,
        total=sum((d.charge.amount for d in due), ZERO),
        asset_count=len({d.book.asset_id for d in due}),
        created_at=now,
        created_by=actor.username,
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        concurrent = repository.get_run(session, entity_id=entity.id, period=label)
        assert concurrent is not None
        return RunView(run=concurrent, created=False)
    run.entry_id = post_due(
        session,
        actor=actor,
        entity_id=entity.id,
        entry_date=period.last_day,
        description=f"Depreciation {label}",
        due=due,
        accounts=accounts,
        source_ref=run.id,
        run_id=run.id,
        now=now,
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="asset.depreciation.run",
        subject_type="depreciation_run",
        subject_id=run.id,
        at=now,
        entity_id=entity.id,
        after={"period": label, "total": run.total, "assets": run.asset_count, "entry_id": run.entry_id},
    )
    return RunView(run=run, created=True)


def run_depreciation(
    session: Session,
    *,
    actor: Actor,
    period: Period,
    now: datetime,
    entity_id: str | None = None,
    units: Mapping[str, Decimal] | None = None,
) -> RunsResult:
    """Post a month's depreciation: one entry per company, once (running it again posts nothing).

    Each company's entry holds, per expense account, every month due up to `period` and not yet posted. Units
    of production assets need the month's units (`units`: asset id -> units). Without `entity_id`, every
    company the actor may see that has assets is run; those whose month is closed are skipped and listed.

    Raises:
        EntityNotFoundError: `entity_id` unknown or invisible.
        PeriodClosedError: the month is closed for `entity_id`.
        DepreciationUnitsMissingError: units missing for some units-of-production assets (all listed).
        AssetValidationError: units given for assets that do not take them this month.
    """
    with atomic(session):
        wanted = units or {}
        accounts = asset_accounts(session)
        if entity_id is not None:
            targets = [entities_service.get_entity(session, actor=actor, entity_id=entity_id)]
        else:
            ids = [
                e for e in repository.entities_with_books(session, until=period.last_day) if actor.can_see(e)
            ]
            targets = list(entities_service.entities_by_id(session, entity_ids=ids).values())
            targets.sort(key=lambda e: e.id)
        runs: list[RunView] = []
        skipped: list[dict[str, str]] = []
        used: set[str] = set()
        for entity in targets:
            if entity.kind != "company" or not entity.active_on(period.last_day):
                if entity_id is not None:
                    raise AssetValidationError(
                        f"{entity.code} keeps no books on {period.last_day}",
                        errors=problem_errors(
                            [Violation("entity_id", "not a company on that date", "not_postable")]
                        ),
                    )
                continue
            if repository.get_run(session, entity_id=entity.id, period=str(period)) is None and month_closed(
                session, actor=actor, entity_id=entity.id, day=period.last_day
            ):
                if entity_id is not None:
                    raise PeriodClosedError(
                        f"{period} is closed for {entity.code}", entity_id=entity.id, period=str(period)
                    )
                skipped.append({"entity_id": entity.id, "reason": "period-closed"})
                continue
            runs.append(
                _run_entity(
                    session,
                    actor=actor,
                    entity=entity,
                    period=period,
                    units=wanted,
                    used_units=used,
                    accounts=accounts,
                    now=now,
                )
            )
        created = any(r.created for r in runs)
        unused = sorted(set(wanted) - used)
        if unused and created:
            raise AssetValidationError(
                "units were given for assets that take none this month",
                errors=problem_errors(
                    [
                        Violation(
                            "units",
                            "no units-of-production charge for this asset in this month",
                            "units_not_used",
                            {"asset_id": a},
                        )
                        for a in unused
                    ]
                ),
            )
        return RunsResult(period=str(period), runs=runs, skipped=skipped)


# ----------------------------------------------------------------------------------- disposal, impairment


@dataclass(frozen=True)
class DisposalView:
    disposal: AssetDisposal
    asset: FixedAsset


def dispose_asset(
    session: Session,
    *,
    actor: Actor,
    asset_id: str,
    disposed_on: date,
    kind: acc.DisposalKind,
    proceeds: Decimal,
    now: datetime,
    costs: Decimal = ZERO,
    proceeds_account_code: str | None = None,
    counterparty_entity_id: str | None = None,
    reason: str | None = None,
) -> DisposalView:
    """Sell or scrap an asset outside the group: the months due are posted, then the disposal entry.

    Any unrealised profit from an earlier internal sale is released at once (the group realises it now).

    Raises:
        AssetNotFoundError; AssetDisposedError; TransferAlreadyOpenError (a transfer awaits a decision);
        AssetNotHeldBySenderError (a date before the holding began); PeriodClosedError;
        AssetDepreciatedAfterDateError; AssetValidationError (accounts, counterparty inside the group).
    """
    with atomic(session):
        asset = held_asset(session, actor=actor, asset_id=asset_id)
        facts = load_one(session, asset.id)
        book = facts.open_book()
        violations: list[Violation] = []
        if book is None or asset.disposed_on is not None:
            violations.append(Violation("asset_id", "the asset has been disposed of", "asset-disposed"))
        elif disposed_on <= book.valid_from:
            violations.append(
                Violation(
                    "disposed_on",
                    f"the holder holds the asset from {book.valid_from}",
                    "asset-not-held-by-sender",
                )
            )
        open_transfer = repository.open_transfer(session, asset.id)
        if open_transfer is not None:
            violations.append(
                Violation(
                    "asset_id",
                    "a transfer of this asset awaits a decision",
                    "transfer-already-open",
                    {"open_transfer_id": open_transfer.id},
                )
            )
        if book is not None and month_closed(session, actor=actor, entity_id=book.entity_id, day=disposed_on):
            violations.append(
                Violation(
                    "disposed_on",
                    f"{Period.of(disposed_on)} is closed",
                    "period-closed",
                    {"period": str(Period.of(disposed_on)), "entity_id": book.entity_id},
                )
            )
        if book is not None and disposed_on > book.valid_from:
            late = posted_after(session, book=book, convention=facts.convention, day=disposed_on)
            if late is not None:
                violations.append(
                    Violation(
                        "disposed_on",
                        f"depreciation is already booked for {late}",
                        "asset-depreciated-after-date",
                        {"period": late},
                    )
                )
        account = proceeds_account_code or role_code(session, "cash")
        if repository.account_type(session, account) is None:
            violations.append(Violation("proceeds_account_code", f"no account {account}", "unknown_account"))
        if counterparty_entity_id is not None:
            party = entities_service.entities_by_id(session, entity_ids=[counterparty_entity_id]).get(
                counterparty_entity_id
            )
            if party is None:
                violations.append(Violation("counterparty_entity_id", "no such entity", "unknown_entity"))
            elif book is not None and party.kind == "company":
                inside, _ = group_relation(session, sender_id=book.entity_id, receiver=party, on=disposed_on)
                if inside:
                    violations.append(
                        Violation(
                            "counterparty_entity_id",
                            "a group company: request a transfer instead",
                            "counterparty_in_group",
                        )
                    )
        raise_violations(violations, detail=f"asset {asset.tag} cannot be disposed of")
        assert book is not None
        accounts = asset_accounts(session)
        held = catch_up_leaving(
            session,
            actor=actor,
            facts=facts,
            book=book,
            leaving_on=disposed_on,
            accounts=accounts,
            source_ref=asset.id,
            now=now,
        )
        group = facts.group_position_leaving(disposed_on)
        result = acc.disposal_accounting(
            kind=kind,
            holding=acc.Holding(
                cost=held.cost,
                accumulated_depreciation=held.accumulated_depreciation,
                impairment=held.impairment,
            ),
            proceeds=proceeds,
            costs=costs,
            proceeds_account=account,
            costs_account=role_code(session, "cash"),
            counterparty_entity_id=counterparty_entity_id,
            accounts=accounts,
        )
        before = asset_snapshot(asset)
        entry_id = post_lines(
            session,
            actor=actor,
            entity_id=book.entity_id,
            entry_date=disposed_on,
            description=f"{kind.value.capitalize()} of {asset.tag} {asset.name} outside the group",
            lines=result.lines,
            source=SOURCE_DISPOSAL,
            source_ref=asset.id,
            now=now,
        )
        book.valid_to = disposed_on
        book.ending = "disposal"
        book.depreciation_until = start_date(MonthConvention(book.convention), disposed_on)
        asset.status = AssetStatus.DISPOSED.value
        asset.disposed_on = disposed_on
        asset.version += 1
        session.add(
            AssetStatusChange(
                asset_id=asset.id,
                status=AssetStatus.DISPOSED.value,
                effective_on=disposed_on,
                reason=reason,
                changed_at=now,
                changed_by=actor.username,
            )
        )
        earlier = repository.open_unrealized(session, asset.id)
        if earlier is not None:
            earlier.ended_on = disposed_on
            earlier.end_reason = "sold_outside"
        disposal = AssetDisposal(
            asset_id=asset.id,
            book_id=book.id,
            entity_id=book.entity_id,
            disposed_on=disposed_on,
            kind=kind.value,
            proceeds=proceeds,
            costs=costs,
            counterparty_entity_id=counterparty_entity_id,
            carrying_amount=result.carrying_amount,
            gain=result.gain,
            group_carrying_amount=group.carrying_amount,
            reason=reason,
            entry_id=entry_id,
            created_at=now,
            created_by=actor.username,
        )
        session.add(disposal)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="asset.disposed",
            subject_type="asset",
            subject_id=asset.id,
            at=now,
            entity_id=book.entity_id,
            before=before,
            after={**asset_snapshot(asset), "proceeds": proceeds, "gain": result.gain, "entry_id": entry_id},
        )
        return DisposalView(disposal=disposal, asset=asset)


def impair_asset(
    session: Session,
    *,
    actor: Actor,
    asset_id: str,
    impaired_on: date,
    amount: Decimal,
    reason: str,
    now: datetime,
) -> AssetImpairment:
    """Recognise an impairment loss (Dr 6701 / Cr 1603); depreciation is rebased from the next month.

    Raises:
        AssetNotFoundError; AssetDisposedError; AssetNotHeldBySenderError (a date outside the holding);
        AssetValidationError (more than the carrying amount); AssetDepreciatedAfterDateError;
        PeriodClosedError.
    """
    with atomic(session):
        asset = held_asset(session, actor=actor, asset_id=asset_id)
        facts = load_one(session, asset.id)
        book = facts.open_book()
        violations: list[Violation] = []
        if book is None:
            violations.append(Violation("asset_id", "the asset has been disposed of", "asset-disposed"))
        elif impaired_on < book.valid_from:
            violations.append(
                Violation(
                    "impaired_on",
                    f"the holder holds the asset from {book.valid_from}",
                    "asset-not-held-by-sender",
                )
            )
        else:
            carrying = facts.position_of(book, impaired_on).carrying_amount
            if amount > carrying:
                violations.append(
                    Violation(
                        "amount",
                        f"more than the carrying amount {carrying}",
                        "impairment_above_carrying_amount",
                        {"carrying_amount": carrying},
                    )
                )
            effective = Period.of(impaired_on).plus(1)
            late = sorted(
                p
                for p in repository.posted_periods(session, [book.id])[book.id]
                if Period.parse(p) >= effective
            )
            if late:
                violations.append(
                    Violation(
                        "impaired_on",
                        f"depreciation is already booked for {late[0]}",
                        "asset-depreciated-after-date",
                        {"period": late[0]},
                    )
                )
        raise_violations(violations, detail=f"asset {asset.tag} cannot be impaired")
        assert book is not None
        entry_id = post_lines(
            session,
            actor=actor,
            entity_id=book.entity_id,
            entry_date=impaired_on,
            description=f"Impairment of {asset.tag} {asset.name}",
            lines=acc.impairment_lines(accounts=asset_accounts(session), amount=amount),
            source=SOURCE_IMPAIRMENT,
            source_ref=asset.id,
            now=now,
        )
        row = AssetImpairment(
            asset_id=asset.id,
            book_id=book.id,
            entity_id=book.entity_id,
            impaired_on=impaired_on,
            amount=amount,
            reason=reason,
            entry_id=entry_id,
            created_at=now,
            created_by=actor.username,
        )
        session.add(row)
        asset.version += 1
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="asset.impaired",
            subject_type="asset",
            subject_id=asset.id,
            at=now,
            entity_id=book.entity_id,
            after={"impaired_on": impaired_on, "amount": amount, "reason": reason, "entry_id": entry_id},
        )
        return row
