"""structlog set-up: JSON in production, readable in development; request id bound via contextvars."""

from __future__ import annotations

import logging
import sys

import structlog

from app.core.config import Settings

_SECRET_KEYS = ("password", "secret", "token", "authorization", "api_key", "key_hash", "password_hash")


def _drop_secrets(
    _logger: object, _name: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    for key in list(event_dict):
        if any(word in key.lower() for word in _SECRET_KEYS):
            event_dict[key] = "***"
    return event_dict


def configure_logging(settings: Settings) -> None:
    as_json = settings.log_json if settings.log_json is not None else settings.env == "production"
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
