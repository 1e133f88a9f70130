"""Export fixtures: the app keeps its packages in the test's temporary folder; helpers ask for an export,
follow it and open the package."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.exports.config import ExportSettings
from tests.api.ledger.conftest import Group, group, line, make_entity, post_ok

API = "/api/v1"


@pytest.fixture
def app(app: FastAPI, tmp_path: Path) -> FastAPI:
    app.state.export_settings = ExportSettings(directory=tmp_path / "exports")
    return app


@dataclass
class Package:
    job: dict[str, Any]
    raw: bytes

    @property
    def zip(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.raw))

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def text(self, name: str) -> str:
        return self.read(name).decode("utf-8")

    @property
    def manifest(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.read("manifest.json"))
        return result

    def file(self, name: str) -> dict[str, Any]:
        return next(f for f in self.manifest["files"] if f["name"] == name)

    def csv_rows(self, name: str) -> list[list[str]]:
        import csv

        return list(csv.reader(io.StringIO(self.text(name).removeprefix("\ufeff"))))


def ask(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"{API}/exports", json=body, headers=headers)


def export(client: TestClient, headers: dict[str, str], **body: Any) -> Package:
    """Ask, check the job finished, download and check the package against the job's hashes."""
    response = ask(client, headers, **body)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"{API}/exports/{job['id']}"
    assert job["status"] == "done", job
    download = client.get(job["links"]["package"], headers=headers)
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/zip"
    assert hashlib.sha256(download.content).hexdigest() == job["package_sha256"]
    assert (
        hashlib.sha256(zipfile.ZipFile(io.BytesIO(download.content)).read("manifest.json")).hexdigest()
        == (job["manifest_sha256"])
    )
    return Package(job=job, raw=download.content)


__all__ = ["API", "Group", "Package", "ask", "export", "group", "line", "make_entity", "post_ok"]
