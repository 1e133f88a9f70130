"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker

import app.models  # noqa: F401  (complete metadata before the first query)
from app import __version__
from app.core.config import Settings, get_settings
from app.core.db import make_engine, make_session_factory
from app.core.docs import mount_docs
from app.core.logging import configure_logging
from app.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from app.core.problems import Problem, install_problem_handlers
from app.health import router as health_router
from app.routers import API_ROUTERS

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(
    *,
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    read_session_factory: sessionmaker[Session] | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    engines = []
    if session_factory is None:
        engine = make_engine(settings.database_url, settings=settings)
        engines.append(engine)
        session_factory = make_session_factory(engine)
    if read_session_factory is None:
        if settings.read_database_url:
            read_engine = make_engine(settings.read_database_url, settings=settings)
            engines.append(read_engine)
            read_session_factory = make_session_factory(read_engine)
        else:
            read_session_factory = session_factory

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        for eng in engines:
            eng.dispose()

    app = FastAPI(
        title="GroupLedger",
        version=__version__,
        description="The system of record of an enterprise group: structure, books, assets, consolidation.",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.state.read_session_factory = read_session_factory
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"],
            expose_headers=["ETag", "X-Request-ID", "Idempotent-Replayed", "Location"],
        )
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health_router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    mount_docs(app, openapi_url=OPENAPI_URL, title="GroupLedger API")
    _register_problem_schema(app)
    return app


def _register_problem_schema(app: FastAPI) -> None:
    """Make sure the Problem schema is in the OpenAPI components even if no route lists it."""
    original = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.setdefault(
                "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
