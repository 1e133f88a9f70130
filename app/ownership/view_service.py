"""The ownership views built on the engine (`app.ownership.domain`): the parent's view as of a date with
the date control began, each entity's method history, the ultimate owners, and the structure chart.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import repeat
from typing import NamedTuple

from sqlalchemy.orm import Session

from app.core.context import Actor
from app.core.heap import collection_paused
from app.entities import service as entities_service
from app.entities.domain import (
    Violation,
    exists_on,
)
from app.entities.errors import problem_errors
from app.entities.models import LegalEntity
from app.entities.service import EntityName
from app.ownership import chart, repository
from app.ownership import domain as od
from app.ownership.errors import (
    OwnershipQueryError,
    from_engine,
)
from app.ownership.models import EquityStake


def _holding(stake: EquityStake) -> od.Holding:
    return od.Holding(
        holder=stake.holder_id, investee=stake.investee_id, share=stake.share, voting_share=stake.voting_share
    )


def holdings_on(session: Session, *, as_of: date) -> list[od.Holding]:
    """Every direct holding in force on `as_of`, as engine input (for consolidation and other features)."""
    return [_holding(s) for s in repository.stakes_in_force(session, as_of=as_of)]


_new = tuple.__new__


def dated_holdings(session: Session, *, until: date | None = None) -> list[od.DatedHolding]:
    """Every stake that has started by `until` (None: all) as a dated engine holding."""
    # The named tuples are made by `tuple.__new__` from their fields in order (what their generated
    # constructors do after a Python-level call): a third less time for the 60,000 tuples of a large group.
    return [
        _new(od.DatedHolding, (_new(od.Holding, (holder, investee, share, vote)), valid_from, valid_to))
        for holder, investee, share, vote, valid_from, valid_to in repository.stake_terms_starting_by(
            session, until=until
        )
    ]


def _dated_overrides(session: Session, *, parent_id: str, until: date | None) -> list[od.DatedMethodOverride]:
    return [
        od.DatedMethodOverride(
            override=od.MethodOverride(entity=o.entity_id, method=o.method, reason=o.reason),
            valid_from=o.valid_from,
            valid_to=o.valid_to,
        )
        for o in repository.overrides_of_parent(session, parent_id=parent_id, until=until)
    ]


def _parent(session: Session, *, actor: Actor, parent_id: str, as_of: date | None) -> LegalEntity:
    parent = entities_service.get_entity(session, actor=actor, entity_id=parent_id)
    if as_of is not None and not exists_on(
        established_on=parent.established_on, ended_on=parent.ended_on, day=as_of
    ):
        raise OwnershipQueryError(
            f"entity {parent.code} did not exist on {as_of}",
            errors=problem_errors(
                [
                    Violation(
                        field="as_of", msg=f"{parent.code} did not exist on {as_of}", type="entity_not_active"
                    )
                ],
                prefix=("query",),
            ),
        )
    return parent


class OwnershipLine(NamedTuple):
    """One entity of the view (a named tuple: a view has one per entity the parent reaches)."""

    entity: EntityName
    figures: od.EntityOwnership
    control_since: date | None


@dataclass(frozen=True)
class OwnershipView:
    """The parent's view on `as_of`: one line per entity it reaches (that the actor may see), parent first.

    `holdings` are the holdings in force that day and `entities` every entity they name (for the chart).
    """

    parent: LegalEntity
    as_of: date
    ultimate_parent_id: str
    lines: list[OwnershipLine]
    entities: dict[str, EntityName]
    register: od.RegisterColumns
    in_force: list[int]

    @cached_property
    def holdings(self) -> list[od.Holding]:
        return od.holdings_at(self.register, self.in_force)


def read_register(session: Session, *, until: date) -> od.RegisterColumns:
    """Every stake started by `until` as columns: read as integer units, or as decimals when a value is
    outside what units express (outside 0..1: the rules then report it)."""
    register = od.RegisterColumns.of_unit_rows(repository.stake_units_starting_by(session, until=until))
    if register is None:
        register = od.RegisterColumns.of_rows(repository.stake_terms_starting_by(session, until=until))
    return register


@collection_paused()
def ownership_as_of(session: Session, *, actor: Actor, parent_id: str, as_of: date) -> OwnershipView:
    """Control, interest, method, NCI and the date control began, for every entity the parent reaches.

    Raises:
        EntityNotFoundError: the parent is unknown or not visible to the actor.
        OwnershipQueryError: the parent did not exist on `as_of`.
        OwnershipStateError: the recorded holdings cannot be evaluated (a closed cycle, ...).
    """
    parent = _parent(session, actor=actor, parent_id=parent_id, as_of=as_of)
    register = read_register(session, until=as_of)
    overrides = _dated_overrides(session, parent_id=parent.id, until=as_of)
    try:
        dated = od.ownership_on(parent=parent.id, register=register, overrides=overrides, as_of=as_of)
    except od.OwnershipError as error:
        raise from_engine(error) from error
    entities = entities_service.entity_names(session, entity_ids=dated.named)
    since = dated.control_since
    visible = [f for f in dated.result.entities if actor.can_see(f.entity)] if actor.limited else None
    shown = dated.result.entities if visible is None else visible
    ids = [figures.entity for figures in shown]
    # a line per entity, each made straight from its tuple of values (10,000 of them for a large group)
    values = zip(map(entities.__getitem__, ids), shown, map(since.get, ids), strict=True)
    lines = list(map(_new, repeat(OwnershipLine), values))
    return OwnershipView(
        parent=parent,
        as_of=as_of,
        ultimate_parent_id=dated.result.ultimate_parent,
        lines=lines,
        entities=entities,
        register=register,
        in_force=dated.in_force,
    )


@dataclass(frozen=True)
class EntityHistory:
    entity: EntityName
    periods: list[od.MethodPeriod]


@collection_paused()
def ownership_history(
    session: Session, *, actor: Actor, parent_id: str, entity_id: str | None = None
) -> list[EntityHistory]:
    """Each entity's method, control and interest by period under the parent, over all recorded dates.

    Raises:
        EntityNotFoundError: the parent (or `entity_id`) is unknown or not visible.
        OwnershipStateError: the recorded holdings cannot be evaluated on some date (`on` says which).
    """
    parent = _parent(session, actor=actor, parent_id=parent_id, as_of=None)
    if entity_id is not None:
        entities_service.get_entity(session, actor=actor, entity_id=entity_id)
    dated = dated_holdings(session)
    try:
        history = od.method_history(
            parent=parent.id,
            holdings=od.for_history(parent.id, dated),
            overrides=_dated_overrides(session, parent_id=parent.id, until=None),
        )
    except od.OwnershipError as error:
        raise from_engine(error) from error
    wanted = [entity_id] if entity_id is not None else sorted(history)
    entities = entities_service.entity_names(session, entity_ids=wanted)
    return [
        EntityHistory(entity=entities[e], periods=history.get(e, []))
        for e in wanted
        if e in entities and actor.can_see(e)
    ]


@dataclass(frozen=True)
class UltimateOwnersView:
    group_owner: LegalEntity
    as_of: date
    companies: list[tuple[EntityName, od.UltimateOwnership]]


@collection_paused()
def ultimate_owners(
    session: Session, *, actor: Actor, group_owner_id: str, as_of: date, detail_for: Collection[str] = ()
) -> UltimateOwnersView:
    """The ultimate-owner view (DOMAIN §1.4b): for each company, the share ultimately held by the group
    owner's own shareholders and by outsiders (summing to 1), and by each entity in `detail_for`.

    Raises:
        EntityNotFoundError: the group owner is unknown or not visible.
        OwnershipQueryError: an entity in `detail_for` is unknown or not visible.
        OwnershipStateError: the holdings cannot be evaluated.
    """
    owner = _parent(session, actor=actor, parent_id=group_owner_id, as_of=as_of)
    known = entities_service.entities_by_id(session, entity_ids=detail_for)
    missing = [e for e in detail_for if e not in known or not actor.can_see(e)]
    if missing:
        raise OwnershipQueryError(
            "unknown entities in detail_for",
            errors=problem_errors(
                [Violation(field="detail_for", msg=f"no entity {e}", type="unknown_entity") for e in missing],
                prefix=("query",),
            ),
        )
    holdings = holdings_on(session, as_of=as_of)
    try:
        view = od.ultimate_owner_view(holdings=holdings, group_owner=owner.id, detail_for=list(detail_for))
    except od.OwnershipError as error:
        raise from_engine(error) from error
    entities = entities_service.entity_names(session, entity_ids=[c.company for c in view.companies])
    companies = [
        (entities[c.company], c) for c in view.companies if c.company in entities and actor.can_see(c.company)
    ]
    companies.sort(key=lambda pair: pair[0].code)
    return UltimateOwnersView(group_owner=owner, as_of=as_of, companies=companies)


def structure_chart(session: Session, *, actor: Actor, parent_id: str, as_of: date) -> bytes:
    """The group structure on `as_of` drawn by Graphviz, as SVG.

    Raises what `ownership_as_of` raises, and GraphvizMissingError when `dot` is not installed.
    """
    chart.require_dot()
    view = ownership_as_of(session, actor=actor, parent_id=parent_id, as_of=as_of)
    members = {line.entity.id for line in view.lines}
    nodes = [
        chart.ChartNode(
            id=line.entity.id,
            name=line.entity.name,
            name_en=line.entity.name_en,
            code=line.entity.code,
            role=line.figures.method,
            interest=line.figures.interest_share,
        )
        for line in view.lines
    ]
    edges = [
        chart.ChartEdge(
            holder_id=h.holder, investee_id=h.investee, share=h.share, voting_share=h.voting_share
        )
        for h in view.holdings
        if h.investee in members and (h.holder in members or actor.can_see(h.holder))
    ]
    outside = sorted({e.holder_id for e in edges} - members)
    nodes += [
        chart.ChartNode(
            id=view.entities[e].id,
            name=view.entities[e].name,
            name_en=view.entities[e].name_en,
            code=view.entities[e].code,
            role=chart.OUTSIDE,
            interest=None,
        )
        for e in outside
    ]
    title = f"{view.parent.name} {view.as_of.isoformat()}"
    return chart.render_svg(parent_id=view.parent.id, nodes=nodes, edges=edges, title=title)
