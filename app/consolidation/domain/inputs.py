"""What the engine is given about the group: the chart, each company's books, the scope and the rates.

Amounts are `Decimal` in the **natural sign of the account's type**: assets and expenses positive when they
are debit balances, liabilities, equity and income positive when they are credit balances. A contra account
(accumulated depreciation, impairment allowances, treasury shares) therefore carries a negative amount, and
summing a statement section's accounts gives the section total. `books_from_trial_balance` converts
debit/credit trial-balance lines into this form.

Balance-sheet accounts are balances at the reporting date; income and expense accounts are year to date
(from `period_start`), prior years' results being inside retained earnings, as the ledger's trial balance
gives them (DOMAIN Part 1 "Books").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal

AccountType = Literal["asset", "liability", "equity", "income", "expense"]
NormalSide = Literal["debit", "credit"]
Method = Literal["parent", "subsidiary", "associate", "joint_venture", "investment"]
RateKind = Literal["closing", "average", "historical"]
Share = Decimal | Fraction

#: (account code, counterparty entity or None): the key of a balance; the counterparty tag is what
#: intercompany matching works on.
BalanceKey = tuple[str, str | None]

_DEBIT_TYPES: frozenset[str] = frozenset({"asset", "expense"})


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """One account of the group chart. `role` marks the accounts the rules post to (`goodwill`, `nci`...)."""

    code: str
    type: AccountType
    normal_side: NormalSide
    role: str | None = None


@dataclass(frozen=True)
class EntityBooks:
    """One company's trial balance at the reporting date, in its functional `currency`.

    - `balances`: natural-sign amounts by (account, counterparty); see the module docstring.
    - `oci_for_period`: movements of the period in other-comprehensive-income equity accounts (revaluation
      surplus...), natural sign; they are already inside `balances` and are only reported as OCI.
    - `equity_at_historical`: for a company whose currency is not the presentation currency, every equity
      account's balance (excluding the current period's profit and the translation reserve) translated at
      historical rates, in the presentation currency: capital and pre-acquisition reserves at the rate of
      acquisition, later profits at the average rates of their years, less dividends at their rates
      (IAS 21.39-41; Allen White 6.5). The translation reserve is what makes the translated books balance.
    - `opening_cta`: that company's translation reserve at `period_start` (presentation currency), so the
      period's exchange difference (OCI) is the closing reserve less this one; 0 when acquired in the period.
    - `pooled`: the company's balances that are not in `balances` but summed with the other companies'
      into the run's `pooled_balances` (by account), as totals by account type, natural sign. Only the
      group's statements need those balances account by account; what the rules ask of one company (its
      books balance, its profit for the NCI) needs only these totals. Only a company in the presentation
      currency that was not acquired during the period can pool (there is nothing to translate or to
      apportion), and only balances without a counterparty on asset, liability, income and expense
      accounts (equity and intercompany balances are the rules' own inputs).
    """

    entity: str
    currency: str
    balances: Mapping[BalanceKey, Decimal]
    oci_for_period: Mapping[str, Decimal] = field(default_factory=dict)
    equity_at_historical: Mapping[str, Decimal] | None = None
    opening_cta: Decimal = Decimal(0)
    pooled: Mapping[str, Decimal] = field(default_factory=dict)


#: Account types whose balances without a counterparty a company may pool (`EntityBooks.pooled`).
POOLABLE_TYPES: frozenset[str] = frozenset({"asset", "liability", "income", "expense"})


@dataclass(frozen=True, slots=True)
class TrialBalanceLine:
    """A debit/credit trial-balance line, as the ledger and reporting packages give them."""

    account: str
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    counterparty: str | None = None


def natural_amount(*, account_type: str, debit: Decimal, credit: Decimal) -> Decimal:
    """Debit and credit as one amount in the natural sign of the account type."""
    return debit - credit if account_type in _DEBIT_TYPES else credit - debit


def books_from_trial_balance(
    *,
    entity: str,
    currency: str,
    lines: Iterable[TrialBalanceLine],
    accounts: Sequence[AccountInfo],
    oci_for_period: Mapping[str, Decimal] | None = None,
    equity_at_historical: Mapping[str, Decimal] | None = None,
    opening_cta: Decimal = Decimal(0),
) -> EntityBooks:
    """`EntityBooks` from debit/credit lines; lines for the same (account, counterparty) are added up.

    Raises KeyError for an account that is not in `accounts` (the engine's input check reports unknown
    accounts in `EntityBooks` with every other violation; here there is no type to sign the amount with).
    """
    types = {a.code: a.type for a in accounts}
    balances: dict[BalanceKey, Decimal] = {}
    for line in lines:
        key = (line.account, line.counterparty)
        amount = natural_amount(account_type=types[line.account], debit=line.debit, credit=line.credit)
        balances[key] = balances.get(key, Decimal(0)) + amount
    return EntityBooks(
        entity=entity,
        currency=currency,
        balances=balances,
        oci_for_period=dict(oci_for_period or {}),
        equity_at_historical=equity_at_historical,
        opening_cta=opening_cta,
    )


@dataclass(frozen=True, slots=True)
class ScopeEntry:
    """One entity as the ownership engine sees it from the parent on the reporting date (DOMAIN §1).

    `interest_share` splits equity and profit (NCI share = 1 - interest share, direct and indirect together);
    `control_share` decided `method`; `control_since` is the date control began (subsidiaries).
    """

    entity: str
    method: Method
    interest_share: Share
    control_share: Share
    control_since: date | None = None


@dataclass(frozen=True, slots=True)
class FxRate:
    """Units of the presentation currency for one unit of `currency` (multiply to translate).

    `closing`: the spot rate at the end of day `on`; `average`: the average over the fiscal period that ends
    on `on`; `historical`: the spot rate of a transaction on `on` (the closing rate of that day is used when
    no historical rate is given).
    """

    currency: str
    kind: RateKind
    on: date
    rate: Decimal


@dataclass(frozen=True, slots=True)
class ConsolidationPolicy:
    """Choices of the group.

    - `intercompany_tolerance`: an intercompany pair whose two sides differ by at most this (presentation
      currency) is eliminated; the residue goes to `difference_account`. A larger difference is not
      eliminated: it is listed, and the run is not called consolidated.
    - `difference_account`: where residues within tolerance go; None means only exactly matching pairs are
      eliminated (every other pair is listed).
    """

    intercompany_tolerance: Decimal = Decimal(0)
    difference_account: str | None = None
