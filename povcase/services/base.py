"""What every service shares: who is acting, what changed, and the audit trail."""

from __future__ import annotations

import json
import sqlite3
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from povcase.db.models import AuditEntry, Setting, utcnow
from povcase.errors import N_, PovcaseError


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"  # commune poverty officer: reads and writes the register
    VIEWER = "viewer"  # reads; cannot change anything
    SYSTEM = "system"  # migrations, demo data, imports


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role = Role.OFFICER

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.OFFICER, Role.SYSTEM)


SYSTEM = Actor("povcase", Role.SYSTEM)


@dataclass(frozen=True)
class Change:
    record_type: str
    uuid: str
    action: str  # create | update | delete | restore
    fields: tuple[str, ...] = ()


@dataclass
class Changes:
    """What a unit of work did, so screens refresh exactly what they show (cf. Anki's OpChanges)."""

    items: list[Change] = field(default_factory=list)

    def add(self, record_type: str, uuid: str, action: str, fields: tuple[str, ...] = ()) -> None:
        self.items.append(Change(record_type, uuid, action, fields))

    def touched(self, record_type: str) -> bool:
        return any(c.record_type == record_type for c in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Result[T]:
    value: T
    changes: Changes


def audit_text(value: Any) -> str | None:
    """Values as the audit log stores them: readable text, JSON for structures."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class Auditor:
    """Collects audit rows for one unit of work and the matching Changes."""

    def __init__(self, session: Session, actor: Actor, note: str = "") -> None:
        self.session = session
        self.actor = actor
        self.note = note
        self.changes = Changes()
        self.at = utcnow()

    def _row(self, action: str, record_type: str, uuid: str | None, field_name: str | None = None,
             old: Any = None, new: Any = None) -> None:
        self.session.add(AuditEntry(at=self.at, actor=self.actor.name, role=self.actor.role.value,
                                    action=action, record_type=record_type, record_uuid=uuid,
                                    field=field_name, old=audit_text(old), new=audit_text(new),
                                    note=self.note))

    def created(self, record_type: str, uuid: str, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if value not in (None, "", False):
                self._row("create", record_type, uuid, name, None, value)
        if not values:
            self._row("create", record_type, uuid)
        self.changes.add(record_type, uuid, "create", tuple(values))

    def updated(self, record_type: str, uuid: str, diffs: dict[str, tuple[Any, Any]]) -> None:
        for name, (old, new) in diffs.items():
            self._row("update", record_type, uuid, name, old, new)
        if diffs:
            self.changes.add(record_type, uuid, "update", tuple(diffs))

    def deleted(self, record_type: str, uuid: str, reason: str = "") -> None:
        self._row("delete", record_type, uuid, None, None, reason or None)
        self.changes.add(record_type, uuid, "delete")

    def restored(self, record_type: str, uuid: str) -> None:
        self._row("restore", record_type, uuid)
        self.changes.add(record_type, uuid, "restore")

    def event(self, action: str, record_type: str, uuid: str | None = None, detail: str = "") -> None:
        """Non-changing events the law asks us to log too: views, prints, exports, bulk loads."""
        self._row(action, record_type, uuid, None, None, detail or None)


# --- an office register is read-only ---------------------------------------------------------------
# At an upstream office the communes own their records: they arrive only through sync imports (raw
# sqlite3, which this guard does not see). Every unit of work through a Session is checked here, at
# flush, so no service — present or future — can change a commune's records at an office. What an office
# may write of its own: its settings (but not what makes it an office), its accounts, the audit trail
# (logins, prints and exports are recorded as everywhere), and its sync bookkeeping.
OFFICE_READ_ONLY = N_("An upstream office register is read-only: a commune's records are changed by the "
                      "commune and sent up in its packages")
_OFFICE_OWN_TABLES = frozenset({"setting", "account", "audit_log", "sync_peer", "sync_package", "sync_state"})
_IDENTITY_SETTINGS = frozenset({"register_kind", "commune_code", "province_code", "office_name", "installation_id"})
_offices: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _touches_commune_records(objects: Any) -> bool:
    for obj in objects:
        table = getattr(obj, "__tablename__", "")
        if table not in _OFFICE_OWN_TABLES or (isinstance(obj, Setting) and obj.key in _IDENTITY_SETTINGS):
            return True
    return False


def refuse_at_office(kind: str | None) -> None:
    """The one rule: nothing of a commune is written at an office, except by a sync import."""
    if kind == "office":
        raise PovcaseError(OFFICE_READ_ONLY)


def guard_raw_connection(conn: sqlite3.Connection) -> None:
    """The same guard for the bulk loads that write through raw sqlite3 (at raw speed)."""
    row = conn.execute("SELECT value FROM setting WHERE key = 'register_kind'").fetchone()
    refuse_at_office(row[0] if row else None)


@event.listens_for(Session, "before_flush")
def _guard_office(session: Session, _context: Any, _instances: Any) -> None:
    # `dirty` also lists objects whose attributes were set to the values they had: those write nothing.
    changed = (o for o in session.dirty if session.is_modified(o))
    if not _touches_commune_records((*session.new, *changed, *session.deleted)):
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if _offices.get(engine):  # an office stays an office (setup-office cannot be undone): cache it
        refuse_at_office("office")
    kind = session.connection().exec_driver_sql(
        "SELECT value FROM setting WHERE key = 'register_kind'").scalar()
    if kind == "office":
        _offices[engine] = True
    refuse_at_office(kind)
