"""Who is acting, and the request being served (bound into every log line)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


@dataclass(frozen=True)
class Actor:
    """The authenticated principal. `entity_ids` None: unlimited; otherwise only those are visible."""

    user_id: str | None
    username: str
    role: str
    entity_ids: frozenset[str] | None = None
    via_api_key: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def can_see(self, entity_id: str | None) -> bool:
        return self.entity_ids is None or entity_id is None or entity_id in self.entity_ids

    @property
    def limited(self) -> bool:
        return self.entity_ids is not None


SYSTEM_ACTOR = Actor(user_id=None, username="system", role="admin")
