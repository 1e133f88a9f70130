"""The ownership engine's records: direct holdings in, per-entity ownership figures out.

Two percentages per entity (DOMAIN Part 2 §0): `control_share` decides the method, `interest_share` splits
equity and profit between the parent's owners and the NCI. All figures are `Decimal` rounded ROUND_HALF_UP
to ten places at presentation; the maths behind them is exact wherever no cycle is involved (`exact`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from itertools import compress, repeat
from operator import itemgetter
from typing import Final, NamedTuple

from app.ownership.domain.errors import EntityNotInResultError

PARENT: Final = "parent"
SUBSIDIARY: Final = "subsidiary"
ASSOCIATE: Final = "associate"
JOINT_VENTURE: Final = "joint_venture"
INVESTMENT: Final = "investment"
OVERRIDABLE_METHODS: Final = frozenset({SUBSIDIARY, ASSOCIATE, JOINT_VENTURE, INVESTMENT})


class Holding(NamedTuple):
    """A holding in force: `holder` owns `share` of `investee`'s capital and `voting_share` of its votes.

    A named tuple rather than a frozen dataclass: the ownership views build one per stake (30,000 for a
    10,000-entity group) and a tuple is built in a third of the time, with fewer objects for the collector.
    """

    holder: str
    investee: str
    share: Decimal
    voting_share: Decimal


@dataclass(frozen=True, slots=True)
class MethodOverride:
    """A documented manual method for one entity (IFRS 10 control is only presumed at >50% votes)."""

    entity: str
    method: str
    reason: str


class EntityOwnership(NamedTuple):
    """The parent's view of one entity (a named tuple: a result has one per entity, 10,000 in a large group).

    - `control_share`: votes held by the parent and the entities it controls (fixed point, §1.5).
    - `interest_share`: the parent's effective interest over all paths, cycles included, with shares of the
      parent held inside the group treated as treasury shares (§1.4a). 1 for the parent.
    - `nci_share` = 1 - `interest_share` = `nci_direct` + `nci_indirect`.
    - `nci_direct`: shares of the entity held by holders in which the parent has no interest at all.
    - `nci_indirect`: the outside owners of intermediate holders, Σ_h (1 - interest(h)) × share(h, entity)
      over holders h with interest(h) > 0. Never negative (also when an associate holds part of a subsidiary).
    - `group_holding`: the aggregate holdings of the parent and its subsidiaries (IAS 28.27, §1.7).
      Holdings of associates and joint ventures are ignored; a partly owned subsidiary's holding counts in
      full. It is the percentage the equity method applies in the consolidated statements.
    - `group_share`: the part attributable to the parent's owners through the parent and its subsidiaries,
      Σ_{h in {parent} ∪ subsidiaries} interest(h) × share(h, entity) (SAP "group share": 0.8 × 0.75 = 0.60).
      For the parent and its subsidiaries it is `interest_share` (consolidation allocates by interest).
    - `method`: after overrides; `computed_method`: what the control rule gives; `exact`: True when
      `interest_share` came out of exact arithmetic (False inside a cycle and downstream of one).
    - `control_share` of 0 with method "investment" means no group member holds votes in the entity: it is
      reached only through associates or other non-controlled holders.
    """

    entity: str
    control_share: Decimal
    interest_share: Decimal
    nci_share: Decimal
    nci_direct: Decimal
    nci_indirect: Decimal
    group_share: Decimal
    group_holding: Decimal
    method: str
    computed_method: str
    overridden: bool
    exact: bool
    override_reason: str | None = None

    @classmethod
    def from_columns(cls, columns: Sequence[Sequence[object]]) -> list[EntityOwnership]:
        """Many rows at once from one sequence per field (in field order), for 10,000-entity results.

        Callers pass values already of the declared types; each row is made straight from its tuple of
        values by `tuple.__new__` (what `_make` does, without a Python-level call per row).
        """
        if len(columns) != len(cls._fields):
            raise ValueError(f"expected {len(cls._fields)} columns, got {len(columns)}")
        return list(map(tuple.__new__, repeat(cls), zip(*columns, strict=True)))


_ENTITY = itemgetter(EntityOwnership._fields.index("entity"))
_METHOD = itemgetter(EntityOwnership._fields.index("method"))


@dataclass(frozen=True)
class OwnershipResult:
    """Every entity reachable from `parent` through any holding (capital or votes), parent first, then by id.

    `cycles` lists the strongly connected components of the capital graph with more than one entity (each
    sorted); `ignored_overrides` the overrides naming entities that are not reachable from the parent.
    """

    parent: str
    entities: tuple[EntityOwnership, ...]
    ultimate_parent: str
    cycles: tuple[tuple[str, ...], ...] = ()
    ignored_overrides: tuple[MethodOverride, ...] = ()

    @cached_property
    def _by_entity(self) -> dict[str, EntityOwnership]:
        """The rows by entity, made on the first lookup (a view that only lists the rows never needs it)."""
        return dict(zip(map(_ENTITY, self.entities), self.entities, strict=True))

    def subsidiaries(self) -> frozenset[str]:
        """The entities whose method (after overrides) is subsidiary."""
        methods = map(SUBSIDIARY.__eq__, map(_METHOD, self.entities))
        return frozenset(compress(map(_ENTITY, self.entities), methods))

    def get(self, entity: str) -> EntityOwnership:
        """The figures for `entity`; raises `EntityNotInResultError` when it is not reachable."""
        try:
            return self._by_entity[entity]
        except KeyError:
            raise EntityNotInResultError(entity, self.parent) from None

    def __contains__(self, entity: object) -> bool:
        return entity in self._by_entity


class DatedHolding(NamedTuple):
    """A holding valid from `valid_from` (inclusive) to `valid_to` (exclusive; None = still in force).

    A named tuple for the same reason as `Holding`.
    """

    holding: Holding
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class DatedMethodOverride:
    """An override valid from `valid_from` (inclusive) to `valid_to` (exclusive; None = open)."""

    override: MethodOverride
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class MethodPeriod:
    """One stretch of dates over which an entity's method and shares stay the same."""

    valid_from: date
    valid_to: date | None
    method: str
    control_share: Decimal
    interest_share: Decimal


@dataclass(frozen=True, slots=True)
class UltimateOwnership:
    """How one company's capital is ultimately held (§1.4b): `group` + `outside` == 1 exactly.

    `by_owner` gives, for each entity asked for in `detail_for`, the share of this company ultimately held by
    that entity's own unrecorded shareholders (for a person or fund that holds nobody's shares: itself).
    """

    company: str
    group: Decimal
    outside: Decimal
    exact: bool
    by_owner: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class UltimateOwnerView:
    """The ultimate-owner normalised view of every entity named in the holdings."""

    group_owners: tuple[str, ...]
    companies: tuple[UltimateOwnership, ...]
    _by_company: dict[str, UltimateOwnership] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_company", {c.company: c for c in self.companies})

    def get(self, company: str) -> UltimateOwnership:
        try:
            return self._by_company[company]
        except KeyError:
            raise EntityNotInResultError(company, ", ".join(self.group_owners)) from None
