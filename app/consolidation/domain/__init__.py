"""The consolidation engine: pure functions from the companies' books to the group's statements.

No database, no web. The service layer loads the inputs (the chart, each company's trial balance, the scope
from the ownership engine, the recorded acquisitions, associates, adjustments, unrealised profits, asset
transfers and exchange rates) and calls `consolidate`, which returns a `ConsolidationResult`: the balance
sheet and income statement by account, the API figures, comprehensive income, the elimination journal, the
intercompany differences and the workings (W2 net assets and W4 NCI per subsidiary, W3 goodwill, W6
associates, the translation of each foreign company). `compute_goodwill` serves the acquisitions API.

Shape of a run (IFRS 10 B86; DOMAIN Part 2):
- inputs: `AccountInfo`, `EntityBooks` (natural-sign balances by account and counterparty tag; balance sheet
  at the date, P&L year to date), `ScopeEntry`, `FxRate`, `ConsolidationPolicy` (`inputs`); `Acquisition`
  with `FairValueAdjustment`/`FairValueMovement`/`Impairment`, `Associate`, `GroupAdjustment`,
  `UnrealizedProfit`, `AssetTransferProfit` (`events`);
- inside: money as exact `Fraction`s, debit-positive (`numbers`, `chart`); every company translated
  (`translation`) and aggregated (`aggregation`); each consolidation entry a balanced `Journal` in the
  currency its amounts are known in, each line naming its translation rate and whose NCI shares in it
  (`journal`); generators in `fair_value`, `goodwill`, `eliminations`, `intercompany`, `unrealized`,
  `equity_method`, `nci`; statements and workings in `statements` and `reporting`; `engine` orders them;
- `scope_from_ownership` turns the ownership engine's answer into the scope; `validation` checks inputs;
- results (`results`): `Decimal`, unrounded (18 places at most); `numbers.present` rounds ROUND_HALF_UP.

Invariants (tested with hypothesis): the balance sheet balances; the elimination journal nets to zero;
equity attributable to the parent + NCI = total equity; a wholly owned group with no intercompany items
consolidates to the plain sum of its companies.
"""

from app.consolidation.domain.engine import consolidate
from app.consolidation.domain.errors import (
    ConsolidationError,
    ConsolidationInputError,
    MissingAccountRoleError,
    MissingExchangeRateError,
    Violation,
)
from app.consolidation.domain.events import (
    Acquisition,
    AdjustmentLine,
    AssetTransferProfit,
    Associate,
    FairValueAdjustment,
    FairValueMovement,
    GroupAdjustment,
    Impairment,
    UnrealizedProfit,
)
from app.consolidation.domain.fair_value import fair_value_net_assets
from app.consolidation.domain.goodwill import compute_goodwill
from app.consolidation.domain.inputs import (
    AccountInfo,
    ConsolidationPolicy,
    EntityBooks,
    FxRate,
    ScopeEntry,
    TrialBalanceLine,
    books_from_trial_balance,
)
from app.consolidation.domain.numbers import present
from app.consolidation.domain.results import (
    AssociateWorking,
    ComprehensiveIncome,
    ConsolidatedFigures,
    ConsolidationResult,
    GoodwillComputation,
    GoodwillWorking,
    IntercompanyDifference,
    JournalLine,
    StatementLine,
    SubsidiaryWorking,
    TranslationWorking,
)
from app.consolidation.domain.scope import scope_from_ownership
from app.consolidation.domain.translation import historical_adjustment, translate_at_historical
from app.consolidation.domain.unrealized import unrealized_profit_amount

__all__ = [
    "AccountInfo",
    "Acquisition",
    "AdjustmentLine",
    "AssetTransferProfit",
    "Associate",
    "AssociateWorking",
    "ComprehensiveIncome",
    "ConsolidatedFigures",
    "ConsolidationError",
    "ConsolidationInputError",
    "ConsolidationPolicy",
    "ConsolidationResult",
    "EntityBooks",
    "FairValueAdjustment",
    "FairValueMovement",
    "FxRate",
    "GoodwillComputation",
    "GoodwillWorking",
    "GroupAdjustment",
    "Impairment",
    "IntercompanyDifference",
    "JournalLine",
    "MissingAccountRoleError",
    "MissingExchangeRateError",
    "ScopeEntry",
    "StatementLine",
    "SubsidiaryWorking",
    "TranslationWorking",
    "TrialBalanceLine",
    "UnrealizedProfit",
    "Violation",
    "books_from_trial_balance",
    "compute_goodwill",
    "consolidate",
    "fair_value_net_assets",
    "historical_adjustment",
    "present",
    "scope_from_ownership",
    "translate_at_historical",
    "unrealized_profit_amount",
]
