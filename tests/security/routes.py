"""The route table and the OpenAPI document, as the security tests read them.

Everything here is derived from the application itself, so a route a feature adds is covered by every
generated security test without editing them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import schemathesis
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from app.core.config import Settings
from app.core.security import Role
from app.main import create_app
from app.users.auth import Authorize

PUBLIC = {("POST", "/api/v1/auth/token")}
STATIC_APP = create_app(settings=Settings(env="test", database_url="sqlite://", secret_key="x" * 40))  # type: ignore[arg-type]
DOCUMENT: dict[str, Any] = STATIC_APP.openapi()
PARAM = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    roles: frozenset[Role]

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def operation(self) -> dict[str, Any]:
        return DOCUMENT["paths"][self.path][self.method.lower()]

    @property
    def query_params(self) -> list[dict[str, Any]]:
        return [p for p in self.operation.get("parameters", []) if p["in"] == "query"]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _authorize_of(route: APIRoute) -> Authorize | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Authorize):
            return dep.call
        stack.extend(dep.dependencies)
    return None


def api_routes() -> list[Route]:
    """Every authenticated (method, path) under /api/v1 with the roles allowed to call it."""
    out = []
    for context in iter_route_contexts(STATIC_APP.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not context.path.startswith("/api/v1"):
            continue
        authorize = _authorize_of(route)
        for method in sorted(context.methods or ()):
            if (method, context.path) not in PUBLIC:
                roles = authorize.roles if authorize is not None else frozenset()
                out.append(Route(method, context.path, roles))
    return sorted(out, key=lambda r: (r.path, r.method))


ROUTES = api_routes()


def resolve_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow a `$ref` (and a single-member allOf/anyOf wrapper) to the component it names."""
    while True:
        if "$ref" in schema:
            schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        elif len(schema.get("allOf", [])) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def json_body_schema(route: Route) -> dict[str, Any] | None:
    content = route.operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return resolve_schema(content["application/json"]["schema"])


@functools.cache
def _schema() -> Any:
    return schemathesis.openapi.from_dict(DOCUMENT)


@functools.cache
def valid_request(method: str, path: str) -> tuple[dict[str, Any], Any]:
    """(query, JSON body) of one valid request for the route, generated from the document (cached, so both
    backends use the same one). Path parameters are the caller's to fill."""
    operation = _schema()[path][method]
    placeholders = {name: "placeholder" for name in PARAM.findall(path)}
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=placeholders)
    found: list[Any] = []

    @settings(
        max_examples=1,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def grab(case: Any) -> None:
        found.append(case)

    grab()
    case = found[0]
    query = dict(case.query or {})
    body = None if type(case.body).__name__ == "NotSet" else case.body
    return query, body
