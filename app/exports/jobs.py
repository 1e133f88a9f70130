"""The in-process export worker: a thread pool in the app process (or inline, see `config.py`).

Jobs are rows in `export_job`; a worker claims one with a conditional UPDATE (`queued` -> `running`), so a
job runs once even with several app processes. Each job reads in one consistent snapshot: on PostgreSQL a
REPEATABLE READ, READ ONLY transaction of the read database; on SQLite a deferred transaction of a separate
read-only engine (in WAL mode a reader then neither blocks nor waits for writers, whereas the app's own
connections take the write lock when they begin). Progress and the worker's heartbeat go to the job row
through short transactions of the primary.

On PostgreSQL the durable choice is procrastinate (its queue lives in PostgreSQL, so jobs survive a
restart): its task would call `job_runner.run_job(job_id=..., options=...)` exactly as this pool does. Until
then, a job whose process died is marked failed when the next worker starts (`service.reap_stale`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.db import make_session_factory
from app.exports import job_runner, service
from app.exports.config import ExportSettings, export_settings

log = structlog.get_logger(__name__)
_LOCK = threading.Lock()


def _engine_of(factory: sessionmaker[Session]) -> Engine | None:
    bind = factory.kw.get("bind")
    return bind if isinstance(bind, Engine) else None


def _sqlite_reader(engine: Engine) -> Engine:
    """A read-only engine on the same SQLite file whose transactions begin deferred (a WAL snapshot)."""
    reader = create_engine(engine.url, connect_args={"check_same_thread": False, "timeout": 30})

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    def on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    event.listen(reader, "connect", on_connect)
    event.listen(reader, "begin", on_begin)
    return reader


def _postgres_snapshot(session: Session) -> None:
    session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})


class ExportRunner:
    """Runs export jobs for one app: submitted ids go to the pool (or run at once in inline mode)."""

    def __init__(
        self,
        *,
        write_factory: sessionmaker[Session],
        read_factory: sessionmaker[Session],
        settings: Settings,
        exports: ExportSettings,
    ) -> None:
        self.settings, self.exports = settings, exports
        self.write_factory = write_factory
        self.read_factory = read_factory
        self.directory = exports.package_directory(settings)
        engine = _engine_of(read_factory)
        in_memory = (
            engine is not None
            and engine.dialect.name == "sqlite"
            and engine.url.database in (None, "", ":memory:")
        )
        mode = exports.worker
        if mode == "auto":
            mode = (
                "thread"
                if engine is not None and _engine_of(write_factory) is not None and not in_memory
                else "inline"
            )
        self.mode = mode
        self._snapshot: Callable[[Session], None] | None = None
        self._reader_engine: Engine | None = None
        #: Sessions of their own (not the one connection of a test): progress can be stored while reading.
        self.independent = engine is not None and not in_memory
        if self.independent and engine is not None:
            if engine.dialect.name == "sqlite":
                self._reader_engine = _sqlite_reader(engine)
                self.read_factory = make_session_factory(self._reader_engine)
            elif engine.dialect.name == "postgresql":
                self._snapshot = _postgres_snapshot
        self._executor: ThreadPoolExecutor | None = None
        if self.mode == "thread":
            self._executor = ThreadPoolExecutor(
                max_workers=exports.workers, thread_name_prefix="groupledger-export"
            )
            self._executor.submit(self._reap)

    def options(
        self, *, on_progress: Callable[[int, int | None], None] | None = None
    ) -> job_runner.RunOptions:
        return job_runner.RunOptions(
            directory=self.directory,
            read_factory=self.read_factory,
            write_factory=self.write_factory,
            clock=utcnow,
            saft_schema=self.exports.saft_schema,
            report_progress=self.independent,
            snapshot=self._snapshot,
            on_progress=on_progress,
        )

    def _reap(self) -> None:
        try:
            reaped = service.reap_stale(
                self.write_factory, now=utcnow(), stale_after_seconds=self.exports.stale_after_seconds
            )
            if reaped:
                log.warning("export.reaped", jobs=reaped)
        except Exception:
            log.exception("export.reap_failed")

    def submit(self, job_id: str) -> None:
        """Run the job now (inline) or in the pool (thread)."""
        if self._executor is None:
            job_runner.run_job(job_id=job_id, options=self.options())
        else:
            self._executor.submit(self._run, job_id)

    def _run(self, job_id: str) -> None:
        # `run_job` records its own failures on the job; this catches what it could not record (the
        # database gone), which a pool thread would otherwise drop silently.
        try:
            job_runner.run_job(job_id=job_id, options=self.options())
        except Exception:
            log.exception("export.worker_failed", job_id=job_id)

    def shutdown(self, *, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait)
        if self._reader_engine is not None:
            self._reader_engine.dispose()


def settings_of(app: FastAPI) -> ExportSettings:
    """The app's export settings: set on `app.state.export_settings` (tests, embedding) or from the
    environment."""
    configured = getattr(app.state, "export_settings", None)
    return configured if isinstance(configured, ExportSettings) else export_settings()


def runner_for(app: FastAPI) -> ExportRunner:
    """The app's runner, made on first use."""
    runner = getattr(app.state, "export_runner", None)
    if isinstance(runner, ExportRunner):
        return runner
    with _LOCK:
        runner = getattr(app.state, "export_runner", None)
        if not isinstance(runner, ExportRunner):
            runner = ExportRunner(
                write_factory=app.state.session_factory,
                read_factory=app.state.read_session_factory,
                settings=app.state.settings,
                exports=settings_of(app),
            )
            app.state.export_runner = runner
        return runner
