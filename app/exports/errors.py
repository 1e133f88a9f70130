"""Errors of the exports feature (problem+json slugs)."""

from __future__ import annotations

from app.core.errors import ConflictError, ForbiddenError, NotFoundError


class ExportNotFoundError(NotFoundError):
    slug = "export-not-found"
    title = "No such export"


class ExportEntityNotFoundError(NotFoundError):
    slug = "entity-not-found"
    title = "Entity not found"


class ExportNotReadyError(ConflictError):
    slug = "export-not-ready"
    title = "The export has not finished"


class ExportPackageMissingError(NotFoundError):
    slug = "export-package-missing"
    title = "The package file is no longer where it was written"


class ExportNeedsFullAccessError(ForbiddenError):
    slug = "export-needs-full-access"
    title = "This export needs access to every entity"
