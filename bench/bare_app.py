"""The bare endpoint of the HTTP scenario: FastAPI returning a constant, served exactly like the app.

It is what the framework and server cost with no database, no auth and no middleware; the app's reads are
measured against it in the same run.
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/constant")
def constant() -> dict[str, str]:
    """A plain (threadpool) route like the app's, so both pay the same dispatch."""
    return {"status": "ok"}
