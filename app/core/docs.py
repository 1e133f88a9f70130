"""API documentation pages that work with no Internet access.

FastAPI's default ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from a CDN, the favicon from the FastAPI
site and ReDoc's fonts from Google. GroupLedger runs on networks that reach none of them, and a system of
record should not tell third parties who reads its API docs, so the pages here follow FastAPI's recipe
for self-hosting the docs assets: the files are vendored in ``app/static/docs`` (versions, licences and the
outside URLs found inside them are listed in ``VENDORED.md`` there) and served by this application.

The vendored bundles still hold a few outside URLs of their own (Swagger UI's online validator badge, the
Redocly logo in ReDoc's side menu). The validator is switched off by configuration; for everything else the
pages carry a Content-Security-Policy that lets the browser fetch only from this origin, so nothing the
bundles might try reaches another host.
"""

from pathlib import Path
from typing import Final

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC_DIR: Final = Path(__file__).resolve().parent.parent / "static"
"""``app/static``, found next to this package so it works from a checkout and from an installed wheel."""

STATIC_URL_PATH: Final = "/static"
DOCS_ASSETS_URL_PATH: Final = f"{STATIC_URL_PATH}/docs"
SWAGGER_UI_URL_PATH: Final = "/docs"
SWAGGER_UI_OAUTH2_REDIRECT_URL_PATH: Final = "/docs/oauth2-redirect"
REDOC_URL_PATH: Final = "/redoc"

DOCS_CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        # Swagger UI is started by an inline script that FastAPI writes into the page.
        "script-src 'self' 'unsafe-inline'",
        # ReDoc (styled-components) and Swagger UI inject <style> elements at run time.
        "style-src 'self' 'unsafe-inline'",
        # Both UIs draw icons from data: URIs; nothing else may load images (ReDoc's remote logo is refused).
        "img-src 'self' data:",
        "font-src 'self' data:",
        # Fetching the OpenAPI document and "Try it out" calls stay on this origin.
        "connect-src 'self'",
        # ReDoc runs its search index in a worker built from a blob: URL.
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)
"""Sent with every docs page: the browser may fetch from this origin only."""


def mount_docs(app: FastAPI, *, openapi_url: str, title: str) -> None:
    """Serve Swagger UI at ``/docs`` and ReDoc at ``/redoc`` from vendored assets, with no outside fetch.

    The application must be created with ``docs_url=None, redoc_url=None`` so that FastAPI's CDN-backed
    pages are not registered first. ``/static`` is mounted over ``app/static`` unless a mount of that path
    exists already. URLs in the pages are prefixed with the request's ``root_path``, as FastAPI does for its
    own docs, so they keep working behind a proxy that serves the API under a sub-path.
    """
    if not any(isinstance(route, Mount) and route.path == STATIC_URL_PATH for route in app.routes):
        app.mount(STATIC_URL_PATH, StaticFiles(directory=STATIC_DIR), name="static")

    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root = _root_path(request)
        response = get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{root}{DOCS_ASSETS_URL_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS_URL_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS_URL_PATH}/favicon.png",
            oauth2_redirect_url=root + SWAGGER_UI_OAUTH2_REDIRECT_URL_PATH,
            init_oauth=app.swagger_ui_init_oauth,
            # validatorUrl null: else Swagger UI sends the spec's URL to validator.swagger.io for a badge.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        )
        return _with_policy(response)

    async def swagger_ui_oauth2_redirect_html(request: Request) -> HTMLResponse:
        return _with_policy(get_swagger_ui_oauth2_redirect_html())

    async def redoc_html(request: Request) -> HTMLResponse:
        root = _root_path(request)
        response = get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{title} - ReDoc",
            redoc_js_url=f"{root}{DOCS_ASSETS_URL_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_ASSETS_URL_PATH}/favicon.png",
            with_google_fonts=False,
        )
        return _with_policy(response)

    # Plain Starlette routes, as FastAPI registers its own docs pages: they answer HEAD as well as GET.
    app.add_route(SWAGGER_UI_URL_PATH, swagger_ui_html, include_in_schema=False)
    app.add_route(
        SWAGGER_UI_OAUTH2_REDIRECT_URL_PATH, swagger_ui_oauth2_redirect_html, include_in_schema=False
    )
    app.add_route(REDOC_URL_PATH, redoc_html, include_in_schema=False)


def _root_path(request: Request) -> str:
    """The sub-path a proxy serves the app under (``""`` when none), as FastAPI computes it for its docs."""
    root_path: str = request.scope.get("root_path", "")
    return root_path.rstrip("/")


def _with_policy(response: HTMLResponse) -> HTMLResponse:
    """Attach the same-origin-only policy to a docs page."""
    response.headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
