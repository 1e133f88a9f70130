"""OpenAPI for generated clients, CORS for the internal frontends, and the offline docs of the real app."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app


class TestOpenApi:
    def test_every_api_operation_has_a_tag_an_id_and_documented_problems(self, client: TestClient) -> None:
        schema = client.get("/api/v1/openapi.json").json()
        missing = []

        for path, item in schema["paths"].items():
            for method, op in item.items():
                if not path.startswith("/api/v1"):
                    continue
                if not op.get("tags") or not op.get("operationId"):
                    missing.append(f"{method} {path}: tag/id")
                if path != "/api/v1/auth/token" and not {"401", "403", "422"} <= set(op["responses"]):
                    missing.append(f"{method} {path}: problems")

        assert missing == []
        assert "Problem" in schema["components"]["schemas"]

    def test_decimal_fields_are_documented_as_strings(self, client: TestClient) -> None:
        schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
        numbers = []

        for name, schema in schemas.items():
            for field, prop in schema.get("properties", {}).items():
                if prop.get("type") == "number" or any(
                    p.get("type") == "number" for p in prop.get("anyOf", [])
                ):
                    numbers.append(f"{name}.{field}")

        assert numbers == []


class TestDocsOffline:
    def test_docs_pages_name_no_outside_url(self, client: TestClient) -> None:
        for page in ("/docs", "/redoc"):
            html = client.get(page).text
            refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
            refs += re.findall(r"""(?:url|openapi_url|spec-url)\s*[:=]\s*["']([^"']+)["']""", html)

            assert refs, page
            assert [r for r in refs if re.match(r"^(https?:)?//", r)] == [], page


class TestCors:
    def test_configured_origins_get_cors_headers_and_others_do_not(self) -> None:
        settings = Settings(
            env="test",
            database_url="sqlite://",
            secret_key="x" * 40,  # type: ignore[arg-type]
            cors_origins=["https://finance.example.cn"],
        )
        with TestClient(create_app(settings=settings)) as client:
            allowed = client.options(
                "/api/v1/users/me",
                headers={"Origin": "https://finance.example.cn", "Access-Control-Request-Method": "GET"},
            )
            other = client.options(
                "/api/v1/users/me",
                headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "GET"},
            )

        assert allowed.headers["access-control-allow-origin"] == "https://finance.example.cn"
        assert "access-control-allow-origin" not in other.headers
