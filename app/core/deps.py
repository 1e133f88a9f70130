"""Request-scoped dependencies shared by every feature's router."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from app.core.clock import utcnow
from app.core.config import Settings


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _factory(request: Request, name: str) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = getattr(request.app.state, name)
    return factory


def get_session(request: Request) -> Iterator[Session]:
    session = _factory(request, "session_factory")()
    try:
        yield session
    finally:
        session.close()


def get_read_session(request: Request) -> Iterator[Session]:
    """Reports, trial balances, consolidation reads and exports: the read replica when one is configured."""
    session = _factory(request, "read_session_factory")()
    try:
        yield session
    finally:
        session.close()


def get_now() -> datetime:
    return utcnow()


SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
NowDep = Annotated[datetime, Depends(get_now)]
