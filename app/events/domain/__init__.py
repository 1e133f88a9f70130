"""Pure rules of the events that reshape the group (DOMAIN Part 1 "Events that change the group"; Part 2
§3.2-§3.3, §4): no database, no web.

Each event is planned before anything is written: `plan_share_transfer`, `plan_capital_change`,
`plan_common_control_combination` (through `holding_change.plan_holding_change`) and `plan_merger` return an
`EventPlan` with the holdings before and after, the methods the group parent applies before and after, the
stake records to end and to record, the entity status changes, the entries in each company's books and in the
consolidated view, the assets that change holder, the figures (goodwill, capital reserve, NCI, gains) and
every violated rule. The service executes exactly that plan; a preview returns it without writing.

Modules: `model` (plan records, rounding), `classification` (§4.4), `capital` (stakes from capital amounts),
`reserves` (capital reserve -> surplus reserve -> retained earnings), `common_control` (CAS 20),
`interest_changes` (equity transactions, loss of control, step acquisitions), `holding_change` (the common
plan of holding changes, over `holding_facts` and `holding_books`), `events` (share transfers, capital
changes, common-control combinations), `merger` (absorption and new establishment).
"""

from app.events.domain.capital import CapitalTable, capital_table, change_capital, transfer
from app.events.domain.classification import CLASSIFICATIONS, classify
from app.events.domain.common_control import Consideration, NonCashAsset, common_control_combination
from app.events.domain.events import (
    CapitalMovement,
    plan_capital_change,
    plan_common_control_combination,
    plan_share_transfer,
)
from app.events.domain.holding_change import plan_holding_change
from app.events.domain.holding_facts import (
    ConsolidationTerms,
    GroupFacts,
    HoldingChange,
    PartyFacts,
    Payment,
    apply_changes,
)
from app.events.domain.interest_changes import (
    control_gained,
    equity_transaction,
    loss_of_control,
    nci_at_date,
)
from app.events.domain.merger import ABSORPTION, NEW_ESTABLISHMENT, MergerFacts, MergerTerms, plan_merger
from app.events.domain.model import (
    BOOKS,
    CONSOLIDATED,
    NEW_ENTITY,
    AssetRehoming,
    EntityChange,
    EventAccounts,
    EventPlan,
    HoldingState,
    MethodChange,
    NewEntity,
    PlannedEntry,
    PlannedLine,
    StakeChange,
    Violation,
    allocate_shares,
    money,
)
from app.events.domain.reserves import ReserveSplit, split_equity_change

__all__ = [
    "ABSORPTION",
    "BOOKS",
    "CLASSIFICATIONS",
    "CONSOLIDATED",
    "NEW_ENTITY",
    "NEW_ESTABLISHMENT",
    "AssetRehoming",
    "CapitalMovement",
    "CapitalTable",
    "Consideration",
    "ConsolidationTerms",
    "EntityChange",
    "EventAccounts",
    "EventPlan",
    "GroupFacts",
    "HoldingChange",
    "HoldingState",
    "MergerFacts",
    "MergerTerms",
    "MethodChange",
    "NewEntity",
    "NonCashAsset",
    "PartyFacts",
    "Payment",
    "PlannedEntry",
    "PlannedLine",
    "ReserveSplit",
    "StakeChange",
    "Violation",
    "allocate_shares",
    "apply_changes",
    "capital_table",
    "change_capital",
    "classify",
    "common_control_combination",
    "control_gained",
    "equity_transaction",
    "loss_of_control",
    "money",
    "nci_at_date",
    "plan_capital_change",
    "plan_common_control_combination",
    "plan_holding_change",
    "plan_merger",
    "plan_share_transfer",
    "split_equity_change",
    "transfer",
]
