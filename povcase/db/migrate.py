"""Schema migrations with Alembic, run at start-up — after a backup copy of the database file.

A commune office may have one PC and no IT support: if an upgrade goes wrong, the copy in
`backups/` is the way back. Copies are taken with SQLite's online backup API, so the copy is
consistent even with a WAL file beside the database.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from povcase.db.engine import Database
from povcase.db.models import SEARCH_TABLE

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
KEEP_BACKUPS = 10
# The newest migration. Start-up compares it with the database's stamp using plain sqlite3 and only
# loads Alembic (a third of a second) when there is something to do; tests check it matches the scripts.
SCHEMA_HEAD = "0007"


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", str(db.engine.url))
    cfg.attributes["engine"] = db.engine
    return cfg


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    """The database's Alembic stamp, read with plain sqlite3 (None: never migrated)."""
    if not db.path.exists():
        return None
    conn = sqlite3.connect(db.path)
    try:
        has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone()
        if not has_table:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def _has_tables(db: Database) -> bool:
    """Whether the file holds any schema at all (a brand-new file has none, but is not 0 bytes in WAL)."""
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar_one() > 0


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate filter: the FTS5 search table and its shadow tables have no model, on purpose."""
    if type_ == "table" and name is not None:
        return not (name == SEARCH_TABLE or name.startswith(f"{SEARCH_TABLE}_"))
    return True


def backup(db_path: Path, backups: Path, reason: str) -> Path | None:
    """Copy the database (online-consistent) to backups/; keep the newest KEEP_BACKUPS copies."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = backups / f"{db_path.stem}-{stamp}-{reason}.sqlite3"
    src = sqlite3.connect(db_path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    old = sorted(backups.glob(f"{db_path.stem}-*.sqlite3"))
    for stale in old[:-KEEP_BACKUPS]:
        stale.unlink(missing_ok=True)
    return target


def upgrade(db: Database, backups: Path) -> str | None:
    """Bring the schema to head. Returns the backup path when one was taken (i.e. a real upgrade)."""
    current = current_revision(db)
    if current == SCHEMA_HEAD:
        return None
    from alembic import command

    head = head_revision()
    copy = None
    # Any existing schema (even at base, e.g. after a downgrade) is someone's data: copy it first.
    if current is not None or _has_tables(db):
        copy = backup(db.path, backups, f"before-{head}")
        log.info("backed up %s to %s before migrating %s -> %s", db.path, copy, current, head)
    command.upgrade(alembic_config(db), "head")
    return str(copy) if copy else None
