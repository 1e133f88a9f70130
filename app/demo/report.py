"""What a demo load did, and the shape of a demo step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session


@dataclass
class DemoReport:
    created_users: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    @property
    def summary(self) -> str:
        if not any(self.counts.values()):
            return "demo group already loaded: nothing to do"
        parts = ", ".join(f"{n} {what}" for what, n in self.counts.items() if n)
        return f"demo group loaded: {parts}"


DemoStep = Callable[[Session, DemoReport, datetime], None]
