"""Settings of the audit exports, with environment overrides (prefix `GROUPLEDGER_EXPORTS_`).

- `GROUPLEDGER_EXPORTS_DIRECTORY`: where finished packages are kept (one `<job id>.zip` each). Default: an
  `exports` folder next to the SQLite database file; on PostgreSQL `./exports` under the working directory;
  in the test environment (`GROUPLEDGER_ENV=test`) a folder in the system temporary directory, so test runs
  never write into a checkout.
- `GROUPLEDGER_EXPORTS_WORKER`: how jobs run. `thread` (a background thread pool in the app process),
  `inline` (inside the request that creates the job, which then answers with the finished job), or `auto`
  (default): `thread` when the app owns its database engine, `inline` when its sessions are bound to one
  connection (the tests' rolled-back transaction, which must not be shared between threads). On PostgreSQL
  the durable path is procrastinate (a queue inside PostgreSQL): `job_runner.run_job` is the task body it
  would call; the in-process pool is what runs today.
- `GROUPLEDGER_EXPORTS_WORKERS` (default 2): threads of the pool (exports running at once per process).
- `GROUPLEDGER_EXPORTS_SAFT_SCHEMA`: an XSD the operator supplies; SAF-T XML exports are validated against
  it with lxml (no network, no entity expansion) before the package is made. Unset: not validated.
- `GROUPLEDGER_EXPORTS_STALE_AFTER_SECONDS` (default 900): a running job whose worker has not reported
  progress for this long is marked failed when a worker starts (its process died).
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.config import Settings


class ExportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GROUPLEDGER_EXPORTS_", extra="ignore")

    directory: Path | None = None
    worker: Literal["auto", "thread", "inline"] = "auto"
    workers: int = Field(default=2, ge=1, le=16)
    saft_schema: Path | None = None
    stale_after_seconds: int = Field(default=900, ge=30)

    def package_directory(self, settings: Settings) -> Path:
        """The folder packages are kept in (see the module doc for the default)."""
        if self.directory is not None:
            return self.directory
        if settings.env == "test":
            return Path(tempfile.gettempdir()) / "groupledger-test-exports"
        if settings.is_sqlite:
            db_path = settings.database_url.split("///", 1)[-1]
            if db_path and db_path != ":memory:":
                return Path(db_path).resolve().parent / "exports"
        return Path.cwd() / "exports"


@lru_cache(maxsize=1)
def export_settings() -> ExportSettings:
    return ExportSettings()
