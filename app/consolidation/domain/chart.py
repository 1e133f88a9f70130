"""The group chart as the engine uses it: account types, signs and the accounts behind roles.

Inside the engine every amount is debit-positive (debit minus credit), so any balanced set of lines sums to
zero; `sign` converts between that and the natural sign of the account type used in inputs and results.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.consolidation.domain.errors import MissingAccountRoleError, Violation
from app.consolidation.domain.inputs import AccountInfo, AccountType

BALANCE_SHEET_TYPES: frozenset[str] = frozenset({"asset", "liability", "equity"})
PNL_TYPES: frozenset[str] = frozenset({"income", "expense"})
_DEBIT_NATURAL: frozenset[str] = frozenset({"asset", "expense"})


class Chart:
    """Accounts by code and by role. A role on several accounts resolves to the lowest code."""

    def __init__(self, accounts: Sequence[AccountInfo]) -> None:
        self._by_code = {a.code: a for a in accounts}
        self._by_role: dict[str, str] = {}
        for account in sorted(accounts, key=lambda a: a.code):
            if account.role and account.role not in self._by_role:
                self._by_role[account.role] = account.code

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> AccountInfo:
        return self._by_code[code]

    def type_of(self, code: str) -> AccountType:
        return self._by_code[code].type

    def role_of(self, code: str) -> str | None:
        return self._by_code[code].role

    def sign(self, code: str) -> int:
        """+1 when the account's type is naturally a debit (asset, expense), -1 otherwise."""
        return 1 if self._by_code[code].type in _DEBIT_NATURAL else -1

    def is_pnl(self, code: str) -> bool:
        return self._by_code[code].type in PNL_TYPES

    def has_role(self, role: str) -> bool:
        return role in self._by_role

    def role(self, role: str) -> str:
        """The code of the account carrying `role`; MissingAccountRoleError when the chart has none."""
        try:
            return self._by_role[role]
        except KeyError:
            raise MissingAccountRoleError(
                [Violation("missing-account-role", f"no account carries the role '{role}'", role)]
            ) from None

    def codes_with_roles(self, roles: frozenset[str]) -> frozenset[str]:
        return frozenset(code for code, a in self._by_code.items() if a.role in roles)
