"""The only place that reads the wall clock. Business code receives `at`/`as_of` instead."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
