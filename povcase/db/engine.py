"""Opening the register: SQLite with WAL and foreign keys, our SQL functions, a session factory."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from povcase.domain.text import fold


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # NORMAL is durable across application crashes in WAL mode; only power loss can drop the last
    # commits, never corrupt the file.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()
    dbapi_conn.create_function("povcase_fold", 1, lambda s: fold(s) if s is not None else None,
                               deterministic=True)


def make_engine(path: Path | str) -> Engine:
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{Path(path)}"
    engine = create_engine(url, future=True)
    event.listen(engine, "connect", _on_connect)
    return engine


class Database:
    """One register file: its engine and short-lived sessions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = make_engine(path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits if the block ends normally, rolls everything back otherwise."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection with our pragmas, for bulk paths that must run at raw speed."""
        conn = sqlite3.connect(self.path, isolation_level=None)
        _on_connect(conn, None)
        return conn

    def close(self) -> None:
        self.engine.dispose()
