"""Errors of the books, each with its HTTP status and stable slug (problem type)."""

from __future__ import annotations

from app.core.errors import ConflictError, DomainError, NotFoundError, ValidationFailedError


class UnbalancedEntryError(ValidationFailedError):
    """Debits and credits differ; `imbalances` names each currency with its totals and difference."""

    slug = "unbalanced-entry"
    title = "The entry does not balance"


class PeriodClosedError(ConflictError):
    slug = "period-closed"
    title = "The period is closed"


class PeriodStateError(ConflictError):
    slug = "period-state"
    title = "The period is not in the state this action needs"


class EntryAlreadyReversedError(ConflictError):
    slug = "entry-already-reversed"
    title = "The entry has already been reversed"


class EntryAlreadyApprovedError(ConflictError):
    slug = "entry-already-approved"
    title = "The entry has already been approved"


class SelfApprovalError(ConflictError):
    slug = "self-approval"
    title = "The preparer cannot approve their own entry"


class AccountInUseError(ConflictError):
    slug = "account-in-use"
    title = "The account is in use"


class AccountExistsError(ConflictError):
    slug = "account-exists"
    title = "An account with this code exists"


class RoleTakenError(ConflictError):
    slug = "role-taken"
    title = "Another account already carries this role"


class LocalAccountExistsError(ConflictError):
    slug = "local-account-exists"
    title = "The local code is already mapped"


class FxRateExistsError(ConflictError):
    slug = "fx-rate-exists"
    title = "A rate of this kind for these currencies and date exists"


class FxRateMissingError(DomainError):
    """No usable rate: the request is well formed, but the rates it needs have not been entered."""

    status = 422
    slug = "fx-rate-missing"
    title = "Exchange rate missing"


class EntityNotFoundError(NotFoundError):
    slug = "entity-not-found"
    title = "Entity not found"


class EntryNotFoundError(NotFoundError):
    slug = "journal-entry-not-found"
    title = "Journal entry not found"


class AccountNotFoundError(NotFoundError):
    slug = "account-not-found"
    title = "Account not found"


class EntityNotPostableError(DomainError):
    """External parties keep no books here; a merged or dissolved company takes no entries after its end."""

    status = 422
    slug = "entity-not-postable"
    title = "The entity cannot take entries on this date"


class PackageRejectedError(ValidationFailedError):
    """A reporting package with problems: every one is listed (row, column, reason); nothing was written."""

    slug = "package-rejected"
    title = "The reporting package was refused"


class PackageFileError(DomainError):
    """The upload is not a file we can read at all (format, size, encoding)."""

    status = 422
    slug = "package-unreadable"
    title = "The reporting package cannot be read"
