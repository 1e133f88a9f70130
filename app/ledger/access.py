"""Which entities an actor may work on: outside its set an entity does not exist for it (404)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.context import Actor
from app.entities.models import LegalEntity
from app.ledger import journal_repository, repository
from app.ledger.errors import EntityNotFoundError, EntryNotFoundError
from app.ledger.models import JournalEntry


def visible_entity(session: Session, *, actor: Actor, entity_id: str) -> LegalEntity:
    """The entity, if it exists and the actor may see it.

    Raises:
        EntityNotFoundError: no such entity, or the actor is limited to other entities.
    """
    entity = repository.get_entity(session, entity_id=entity_id)
    if entity is None or not actor.can_see(entity_id):
        raise EntityNotFoundError(f"no entity {entity_id}", entity_id=entity_id)
    return entity


def visible_entry(session: Session, *, actor: Actor, entry_id: str, for_update: bool = False) -> JournalEntry:
    """The entry, if it exists and belongs to an entity the actor may see (read afresh; locked on request).

    Raises:
        EntryNotFoundError: no such entry, or of an entity outside the actor's set.
    """
    entry = journal_repository.find_entry(session, entry_id=entry_id, for_update=for_update)
    if entry is None or not actor.can_see(entry.entity_id):
        raise EntryNotFoundError(f"no journal entry {entry_id}", entry_id=entry_id)
    return entry
