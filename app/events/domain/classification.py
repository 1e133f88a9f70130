"""Which accounting an ownership change calls for: the holder's relationship before and after (§4.4).

| before -> after                         | treatment                                          |
| --------------------------------------- | -------------------------------------------------- |
| none / investment / SI -> control       | business combination (§3), step acquisition if held |
| control -> control                      | equity transaction (§4.1-4.2), no goodwill change   |
| control -> SI / investment / none       | loss of control (§4.3)                              |
| SI -> SI                                | change within significant influence (IAS 28.25)     |
| none / investment -> SI                 | significant influence gained (equity method starts) |
| SI -> investment / none                 | significant influence lost (IAS 28.22)              |
| none / investment -> none / investment  | a financial asset only                              |

SI (significant influence) covers associates and joint ventures. "Control" is the method `subsidiary` (or
`parent`) of the ownership engine, after documented overrides.
"""

from __future__ import annotations

from typing import Final

GAIN_OF_CONTROL: Final = "gain_of_control"
EQUITY_TRANSACTION: Final = "equity_transaction"
LOSS_OF_CONTROL: Final = "loss_of_control"
WITHIN_SIGNIFICANT_INFLUENCE: Final = "within_significant_influence"
SIGNIFICANT_INFLUENCE_GAINED: Final = "significant_influence_gained"
SIGNIFICANT_INFLUENCE_LOST: Final = "significant_influence_lost"
FINANCIAL_ASSET: Final = "financial_asset"
UNCHANGED: Final = "unchanged"

CLASSIFICATIONS: Final = (
    GAIN_OF_CONTROL,
    EQUITY_TRANSACTION,
    LOSS_OF_CONTROL,
    WITHIN_SIGNIFICANT_INFLUENCE,
    SIGNIFICANT_INFLUENCE_GAINED,
    SIGNIFICANT_INFLUENCE_LOST,
    FINANCIAL_ASSET,
    UNCHANGED,
)

_CONTROL: Final = frozenset({"subsidiary", "parent"})
_INFLUENCE: Final = frozenset({"associate", "joint_venture"})


def is_control(method: str | None) -> bool:
    return method in _CONTROL


def is_influence(method: str | None) -> bool:
    return method in _INFLUENCE


def classify(*, method_before: str | None, method_after: str | None, changed: bool = True) -> str:
    """The treatment of a change of holding seen from one holder (None = no relationship at all).

    `changed` False (the holder's interest did not move) answers `unchanged` whatever the methods.
    """
    if not changed:
        return UNCHANGED
    before_control, after_control = is_control(method_before), is_control(method_after)
    if after_control and not before_control:
        return GAIN_OF_CONTROL
    if before_control and after_control:
        return EQUITY_TRANSACTION
    if before_control:
        return LOSS_OF_CONTROL
    before_influence, after_influence = is_influence(method_before), is_influence(method_after)
    if before_influence and after_influence:
        return WITHIN_SIGNIFICANT_INFLUENCE
    if after_influence:
        return SIGNIFICANT_INFLUENCE_GAINED
    if before_influence:
        return SIGNIFICANT_INFLUENCE_LOST
    return FINANCIAL_ASSET
