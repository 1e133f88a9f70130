"""The run's scope from the ownership engine's answer (DOMAIN §1): one `ScopeEntry` per entity reached."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.consolidation.domain.inputs import Method, ScopeEntry
from app.ownership.domain import OwnershipResult

_METHODS: dict[str, Method] = {
    "parent": "parent",
    "subsidiary": "subsidiary",
    "associate": "associate",
    "joint_venture": "joint_venture",
    "investment": "investment",
}


def scope_from_ownership(
    *, ownership: OwnershipResult, control_since: Mapping[str, date] | None = None
) -> tuple[ScopeEntry, ...]:
    """Scope entries in the ownership result's order; `control_since` dates subsidiaries when known."""
    since = control_since or {}
    return tuple(
        ScopeEntry(
            entity=e.entity,
            method=_METHODS[e.method],
            interest_share=e.interest_share,
            control_share=e.control_share,
            control_since=since.get(e.entity),
        )
        for e in ownership.entities
    )
