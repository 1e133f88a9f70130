"""The group chart (admins edit it) and the entities' local charts mapped onto it.

An account's nature (type and normal side) is what every posted amount means: once an account has entries it
keeps its nature, and it is never deleted. A six-digit code is a sub-account of the code without its last two
digits and has that account's type. A role other than the generic ones is on one account only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.context import Actor
from app.core.db import atomic
from app.core.errors import ValidationFailedError, violation
from app.core.etag import check_version
from app.ledger import repository
from app.ledger.chart_data import (
    GENERIC_ROLES,
    NATURAL_SIDE,
    ROLES,
    AccountType,
    load_small_enterprise_map,
    load_statement_lines,
)
from app.ledger.errors import AccountExistsError, AccountInUseError, AccountNotFoundError, RoleTakenError
from app.ledger.models import Account

ACCOUNT_FIELDS = ("name", "name_en", "type", "normal_side", "role", "statement_line")
TEMPLATES = {"small_enterprise": load_small_enterprise_map}


def account_snapshot(account: Account) -> dict[str, Any]:
    return {field: getattr(account, field) for field in ("code", *ACCOUNT_FIELDS)}


def _natural_side(type_: str) -> str:
    return NATURAL_SIDE[cast(AccountType, type_)]


def _parent_code(code: str) -> str | None:
    return code[:-2] if len(code) > 4 else None


def _check_account(session: Session, *, account: Account, errors: list[dict[str, Any]]) -> None:
    """Every rule an account must satisfy on its own (the chart's other accounts only as parent / role)."""
    sections = {line.key: line.section for line in load_statement_lines()}
    parent_code = _parent_code(account.code)
    parent = repository.get_account(session, code=parent_code) if parent_code else None
    if parent_code is not None and parent is None:
        errors.append(
            violation(("body", "code"), f"parent account {parent_code} does not exist", "missing_parent")
        )
    if parent is not None and parent.type != account.type:
        errors.append(
            violation(
                ("body", "type"),
                f"a sub-account of {parent.code} must be of type {parent.type}",
                "type_differs_from_parent",
            )
        )
    if account.role is not None:
        wanted = ROLES.get(account.role)
        if wanted is None:
            errors.append(violation(("body", "role"), f"unknown role {account.role!r}", "unknown_role"))
        elif wanted != account.type:
            errors.append(
                violation(("body", "role"), f"role {account.role} needs a {wanted} account", "role_type")
            )
    if account.statement_line is None and parent is not None and parent.type == account.type:
        account.statement_line = parent.statement_line
    if account.statement_line is None:
        errors.append(
            violation(("body", "statement_line"), "required (no parent account to take it from)", "missing")
        )
    elif sections.get(account.statement_line) != account.type:
        errors.append(
            violation(
                ("body", "statement_line"),
                f"{account.statement_line!r} is not a statement line for {account.type} accounts",
                "invalid_statement_line",
            )
        )


def _check_role_free(session: Session, *, role: str | None, code: str) -> None:
    if role is None or role in GENERIC_ROLES or role not in ROLES:
        return
    holders = [a.code for a in repository.accounts_with_role(session, role=role) if a.code != code]
    if holders:
        raise RoleTakenError(f"role {role} is on account {holders[0]}", role=role, account_code=holders[0])


def get_account(session: Session, *, code: str) -> Account:
    """Raises: AccountNotFoundError."""
    account = repository.get_account(session, code=code)
    if account is None:
        raise AccountNotFoundError(f"no account {code}", account_code=code)
    return account


def create_account(
    session: Session,
    *,
    actor: Actor,
    code: str,
    name: str,
    name_en: str | None,
    type_: str,
    normal_side: str | None,
    role: str | None,
    statement_line: str | None,
    now: datetime,
) -> Account:
    """Add an account to the group chart.

    Raises:
        AccountExistsError: the code is taken.
        RoleTakenError: another account carries the (non-generic) role.
        ValidationFailedError: every other problem (parent, type, role, statement line).
    """
    with atomic(session):
        if repository.get_account(session, code=code) is not None:
            raise AccountExistsError(f"account {code} exists", account_code=code)
        account = Account(
            code=code,
            name=name,
            name_en=name_en,
            type=type_,
            normal_side=normal_side or _natural_side(type_),
            role=role,
            statement_line=statement_line,
            version=1,
        )
        errors: list[dict[str, Any]] = []
        _check_account(session, account=account, errors=errors)
        if errors:
            raise ValidationFailedError(f"The account has {len(errors)} problem(s)", errors=errors)
        _check_role_free(session, role=role, code=code)
        session.add(account)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="ledger.account.created",
            subject_type="account",
            subject_id=code,
            at=now,
            after=account_snapshot(account),
        )
        return account


def _usage(session: Session, code: str) -> list[str]:
    return [what for what, used in repository.account_usage(session, code=code).items() if used]


def update_account(
    session: Session,
    *,
    actor: Actor,
    code: str,
    expected_version: int,
    changes: Mapping[str, Any],
    now: datetime,
) -> Account:
    """Change names, role, statement line; type and normal side only while the account has no entries.

    Raises:
        AccountNotFoundError, PreconditionFailedError (stale version), AccountInUseError (nature of an account
        with entries or sub-accounts), RoleTakenError, ValidationFailedError.
    """
    with atomic(session):
        account = repository.get_account(session, code=code, for_update=True)
        if account is None:
            raise AccountNotFoundError(f"no account {code}", account_code=code)
        check_version(expected=expected_version, current=account.version)
        before = account_snapshot(account)
        nature_changes = [f for f in ("type", "normal_side") if f in changes and changes[f] != before[f]]
        if nature_changes:
            used = [u for u in _usage(session, code) if u != "local_mappings"]
            if used:
                raise AccountInUseError(
                    f"account {code} has {', '.join(used)}: its {nature_changes[0]} cannot change",
                    account_code=code,
                    used_by=used,
                )
        for field, value in changes.items():
            if field in ACCOUNT_FIELDS:
                setattr(account, field, value)
        if "type" in changes and "normal_side" not in changes:
            account.normal_side = _natural_side(account.type)
        errors: list[dict[str, Any]] = []
        _check_account(session, account=account, errors=errors)
        if errors:
            raise ValidationFailedError(f"The account has {len(errors)} problem(s)", errors=errors)
        if "role" in changes:
            _check_role_free(session, role=account.role, code=code)
        account.version += 1
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="ledger.account.updated",
            subject_type="account",
            subject_id=code,
            at=now,
            before=before,
            after=account_snapshot(account),
        )
        return account


def delete_account(
    session: Session, *, actor: Actor, code: str, expected_version: int, now: datetime
) -> None:
    """Remove an account nothing refers to.

    Raises:
        AccountNotFoundError, PreconditionFailedError, AccountInUseError (entries, balances, local mappings or
        sub-accounts refer to it).
    """
    with atomic(session):
        account = repository.get_account(session, code=code, for_update=True)
        if account is None:
            raise AccountNotFoundError(f"no account {code}", account_code=code)
        check_version(expected=expected_version, current=account.version)
        used = _usage(session, code)
        if used:
            raise AccountInUseError(
                f"account {code} is used by {', '.join(used)}", account_code=code, used_by=used
            )
        before = account_snapshot(account)
        session.delete(account)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="ledger.account.deleted",
            subject_type="account",
            subject_id=code,
            at=now,
            before=before,
        )


@dataclass(frozen=True)
class TemplateResult:
    template: str
    created: int
    unchanged: int
    conflicts: list[tuple[str, str, str]]


def template_mappings(template: str) -> list[tuple[str, str, str]]:
    """(local code, local name, group code) of a packaged local chart.

    Raises:
        KeyError: unknown template.
    """
    return [(m.local_code, m.local_name, m.group_code) for m in TEMPLATES[template]()]
