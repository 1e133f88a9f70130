"""Pure ownership mathematics of an enterprise group (DOMAIN Part 2 §1): no database, no web.

Given the direct holdings in force (capital share and voting share of holder in investee), the engine answers
for a parent:
- interest share: the parent's effective economic interest over all paths, cycles included, with the parent's
  own shares held inside the group treated as treasury shares (matrix formula, exact outside cycles);
- control share: votes held by the parent and the entities it controls (fixed point), which decides the
  method (subsidiary > 50%, associate 20-50%, investment below), with documented overrides;
- NCI (direct and indirect), the group's share in associates (IAS 28.27), the ultimate parent;
- the ultimate-owner view (group + outside = 1 for every company) and the method history over dated holdings.

Modules: `validation` (input rules), `graph` (components, levels), `matrix` (the solve), `control`,
`methods`, `nci`, `engine` (compute_ownership), `ultimate`, `history` (with the dates control began, over
`dated_index`), `as_of` (the view on one date from the dated register), `decimals` (exact arithmetic).
"""

from app.ownership.domain.as_of import DatedOwnership, for_history, holdings_at, ownership_on
from app.ownership.domain.dated_index import RegisterColumns
from app.ownership.domain.engine import compute_ownership, interest_matrix_row, subsidiaries_of
from app.ownership.domain.errors import (
    EntityNotInResultError,
    OwnershipCycleError,
    OwnershipError,
    OwnershipNumericalError,
    OwnershipValidationError,
    Violation,
)
from app.ownership.domain.history import control_since, controls_since, method_history
from app.ownership.domain.methods import method_for_control
from app.ownership.domain.model import (
    ASSOCIATE,
    INVESTMENT,
    JOINT_VENTURE,
    OVERRIDABLE_METHODS,
    PARENT,
    SUBSIDIARY,
    DatedHolding,
    DatedMethodOverride,
    EntityOwnership,
    Holding,
    MethodOverride,
    MethodPeriod,
    OwnershipResult,
    UltimateOwnership,
    UltimateOwnerView,
)
from app.ownership.domain.ultimate import ultimate_owner_view

__all__ = [
    "ASSOCIATE",
    "INVESTMENT",
    "JOINT_VENTURE",
    "OVERRIDABLE_METHODS",
    "PARENT",
    "SUBSIDIARY",
    "DatedHolding",
    "DatedMethodOverride",
    "DatedOwnership",
    "EntityNotInResultError",
    "EntityOwnership",
    "Holding",
    "MethodOverride",
    "MethodPeriod",
    "OwnershipCycleError",
    "OwnershipError",
    "OwnershipNumericalError",
    "OwnershipResult",
    "OwnershipValidationError",
    "RegisterColumns",
    "UltimateOwnerView",
    "UltimateOwnership",
    "Violation",
    "compute_ownership",
    "control_since",
    "controls_since",
    "for_history",
    "holdings_at",
    "interest_matrix_row",
    "method_for_control",
    "method_history",
    "ownership_on",
    "subsidiaries_of",
    "ultimate_owner_view",
]
