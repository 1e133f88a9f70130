"""The API docs pages load everything from the application itself: nothing is fetched from another host."""

import asyncio
import hashlib
import re
import struct
import zlib
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from app.core.docs import STATIC_DIR, mount_docs

DOCS_DIR = STATIC_DIR / "docs"
VENDORED_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js")
FONT_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com", "use.typekit.net")
ALLOWED_POLICY_SOURCES = {"'self'", "'unsafe-inline'", "'none'", "data:", "blob:"}
CSS_REFERENCE = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""\burl:\s*'([^']*)'""")


class _ReferenceCollector(HTMLParser):
    """Every URL a page makes the browser load or follow: src/href/spec-url attributes, inline-script urls."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        self.references.extend(
            value for name, value in attrs if name in {"src", "href", "spec-url"} and value is not None
        )

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.references.extend(SCRIPT_URL.findall(data))


def _html_references(html: str) -> list[str]:
    collector = _ReferenceCollector()
    collector.feed(html)
    collector.close()
    return collector.references


def _css_references(css: str) -> list[str]:
    return [match.group(2) or match.group(4) for match in CSS_REFERENCE.finditer(css)]


def _is_local(reference: str) -> bool:
    """Relative, root-relative or inline data: a browser fetches it from this origin or not at all."""
    parts = urlsplit(reference.strip())
    if parts.scheme == "data":
        return True
    return parts.scheme == "" and parts.netloc == "" and not reference.strip().startswith("//")


def _fetch(
    app: FastAPI, paths: Iterable[str], *, root_path: str = "", method: str = "GET"
) -> dict[str, httpx.Response]:
    async def fetch_all() -> dict[str, httpx.Response]:
        transport = httpx.ASGITransport(app=app, root_path=root_path)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return {path: await client.request(method, path) for path in paths}

    return asyncio.run(fetch_all())


def _docs_app() -> FastAPI:
    app = FastAPI(title="GroupLedger", docs_url=None, redoc_url=None)
    mount_docs(app, openapi_url="/openapi.json", title="GroupLedger")
    return app


class TestMountDocs:
    def test_serves_swagger_ui_redoc_and_the_oauth2_redirect_page(self) -> None:
        app = _docs_app()

        responses = _fetch(app, ["/docs", "/redoc", "/docs/oauth2-redirect"])

        for path, response in responses.items():
            assert response.status_code == 200, path
            assert response.headers["content-type"].startswith("text/html"), path
        assert "<title>GroupLedger - Swagger UI</title>" in responses["/docs"].text
        assert "<title>GroupLedger - ReDoc</title>" in responses["/redoc"].text
        assert "oauth2" in responses["/docs/oauth2-redirect"].text

    def test_pages_answer_head_like_fastapis_own_docs(self) -> None:
        app = _docs_app()

        responses = _fetch(app, ["/docs", "/redoc", "/docs/oauth2-redirect"], method="HEAD")

        assert {path: response.status_code for path, response in responses.items()} == {
            "/docs": 200,
            "/redoc": 200,
            "/docs/oauth2-redirect": 200,
        }

    @pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
    def test_page_references_only_local_urls(self, page: str) -> None:
        app = _docs_app()

        html = _fetch(app, [page])[page].text

        references = _html_references(html)
        assert [reference for reference in references if not _is_local(reference)] == []
        for outside_host in ("fonts.googleapis.com", "cdn.jsdelivr.net", "fastapi.tiangolo.com", "unpkg.com"):
            assert outside_host not in html

    def test_pages_point_at_the_vendored_assets_and_the_local_favicon(self) -> None:
        app = _docs_app()

        responses = _fetch(app, ["/docs", "/redoc"])

        assert set(_html_references(responses["/docs"].text)) == {
            "/static/docs/swagger-ui.css",
            "/static/docs/favicon.png",
            "/static/docs/swagger-ui-bundle.js",
            "/openapi.json",
        }
        assert set(_html_references(responses["/redoc"].text)) == {
            "/static/docs/favicon.png",
            "/openapi.json",
            "/static/docs/redoc.standalone.js",
        }

    def test_every_asset_a_page_references_is_served(self) -> None:
        app = _docs_app()
        pages = _fetch(app, ["/docs", "/redoc"])
        references = {ref for page in pages.values() for ref in _html_references(page.text)}

        assets = _fetch(app, sorted(references))

        expected_types = {
            "/static/docs/swagger-ui.css": "text/css",
            "/static/docs/swagger-ui-bundle.js": "javascript",
            "/static/docs/redoc.standalone.js": "javascript",
            "/static/docs/favicon.png": "image/png",
            "/openapi.json": "application/json",
        }
        assert set(assets) == set(expected_types)
        for path, response in assets.items():
            assert response.status_code == 200, path
            assert expected_types[path] in response.headers["content-type"], path
            assert len(response.content) > 0, path

    def test_swagger_ui_css_loads_nothing_from_outside(self) -> None:
        app = _docs_app()

        css = _fetch(app, ["/static/docs/swagger-ui.css"])["/static/docs/swagger-ui.css"].text

        references = _css_references(css)
        assert references, "the stylesheet's url(...) references were not found: is the pattern still right?"
        assert [reference for reference in references if not _is_local(reference)] == []

    def test_swagger_ui_online_validator_is_switched_off(self) -> None:
        app = _docs_app()

        html = _fetch(app, ["/docs"])["/docs"].text

        assert '"validatorUrl": null' in html

    @pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
    def test_page_policy_lets_the_browser_fetch_from_this_origin_only(self, page: str) -> None:
        app = _docs_app()

        response = _fetch(app, [page])[page]

        directives = {
            name: sources
            for name, *sources in (
                part.split() for part in response.headers["content-security-policy"].split(";")
            )
        }
        assert directives["default-src"] == ["'self'"]
        assert directives["img-src"] == ["'self'", "data:"]
        assert directives["connect-src"] == ["'self'"]
        for name, sources in directives.items():
            assert set(sources) <= ALLOWED_POLICY_SOURCES, name

    def test_docs_routes_stay_out_of_the_openapi_schema(self) -> None:
        app = _docs_app()

        schema = _fetch(app, ["/openapi.json"])["/openapi.json"].json()

        assert schema["paths"] == {}

    def test_urls_carry_the_proxy_root_path(self) -> None:
        app = _docs_app()

        responses = _fetch(app, ["/docs", "/redoc"], root_path="/ledger")

        assert set(_html_references(responses["/docs"].text)) == {
            "/ledger/static/docs/swagger-ui.css",
            "/ledger/static/docs/favicon.png",
            "/ledger/static/docs/swagger-ui-bundle.js",
            "/ledger/openapi.json",
        }
        assert "window.location.origin + '/ledger/docs/oauth2-redirect'" in responses["/docs"].text
        assert "/ledger/static/docs/redoc.standalone.js" in _html_references(responses["/redoc"].text)

    def test_keeps_an_existing_static_mount(self) -> None:
        app = FastAPI(docs_url=None, redoc_url=None)
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

        mount_docs(app, openapi_url="/openapi.json", title="GroupLedger")

        static_mounts = [
            route for route in app.routes if isinstance(route, Mount) and route.path == "/static"
        ]
        assert len(static_mounts) == 1
        assert _fetch(app, ["/static/docs/favicon.png"])["/static/docs/favicon.png"].status_code == 200


class TestVendoredAssets:
    @pytest.mark.parametrize("name", VENDORED_FILES)
    def test_bundle_loads_no_web_fonts_from_outside(self, name: str) -> None:
        text = (DOCS_DIR / name).read_text(encoding="utf-8")

        found = [
            host for host in ("fonts.googleapis.com", "fonts.gstatic.com", "use.typekit.net") if host in text
        ]

        assert found == []

    @pytest.mark.parametrize("name", VENDORED_FILES)
    def test_vendored_md_records_the_file_checksum(self, name: str) -> None:
        vendored_md = (DOCS_DIR / "VENDORED.md").read_text(encoding="utf-8")

        digest = hashlib.sha256((DOCS_DIR / name).read_bytes()).hexdigest()

        assert re.search(rf"`{re.escape(name)}`.*`{digest}`", vendored_md), f"update VENDORED.md for {name}"

    def test_favicon_is_a_valid_32_pixel_rgba_png(self) -> None:
        data = (DOCS_DIR / "favicon.png").read_bytes()

        chunks: list[tuple[bytes, bytes, int]] = []
        position = 8
        while position < len(data):
            (length,) = struct.unpack(">I", data[position : position + 4])
            kind = data[position + 4 : position + 8]
            body = data[position + 8 : position + 8 + length]
            (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
            chunks.append((kind, body, crc))
            position += 12 + length

        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert [kind for kind, _, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
        assert all(crc == zlib.crc32(kind + body) for kind, body, crc in chunks)
        width, height, bit_depth, colour_type = struct.unpack(">IIBB", chunks[0][1][:10])
        assert (width, height, bit_depth, colour_type) == (32, 32, 8, 6)
        assert len(zlib.decompress(chunks[1][1])) == 32 * (1 + 32 * 4)
