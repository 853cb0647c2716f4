"""Sync between a commune and its upstream office: keys, export, import (verify, preview, apply), acks.

Both directions work on raw sqlite3 in batches: a 10,000-household commune exports in seconds and an
office loads 300,000 households at close to SQLite's own speed. An import stages each package's rows in
temporary tables, checks them there in SQL (types, required fields, allowed values, parents, codes)
plus the ID numbers in Python, and only then writes them in one transaction — so a refused package, a dry
run or a crash leaves the office register exactly as it was. The package format is povcase.sync.package.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Text
from sqlalchemy.sql.schema import Table

from povcase import __version__
from povcase.db import migrate
from povcase.db.engine import Database
from povcase.db.models import (
    SEARCH_TABLE,
    Assessment,
    Base,
    EscapePlan,
    Hamlet,
    Household,
    Loan,
    LoanRepayment,
    Member,
    PlanAction,
    PlanGoal,
    Sponsor,
    SponsorAssignment,
    SupportRecord,
    Visit,
    new_uuid,
    utcnow,
)
from povcase.domain import admin_units
from povcase.domain.facts import Employment, HousingQuality, Qualification, Sex
from povcase.domain.plans import ActionStatus, GoalStatus, SponsorKind
from povcase.domain.standards import STANDARDS, Area, Classification
from povcase.domain.text import nfc
from povcase.domain.validation import check_id_number
from povcase.errors import N_, FieldProblem, PovcaseError, ValidationError
from povcase.paths import backups_dir
from povcase.services.base import Actor, Changes, Result
from povcase.services.households import HAMLET_KINDS, RELATIONS, require_writer
from povcase.services.search import search_document
from povcase.sync.keys import KeyPair, PublicKey, load_or_create
from povcase.sync.package import (
    SUFFIX,
    OpenedPackage,
    PackageError,
    RecordFile,
    check_manifest,
    open_package,
    read_ack,
    write_ack,
    write_package,
)

log = logging.getLogger(__name__)

KIND_COMMUNE = "commune"
KIND_OFFICE = "office"
CRASH_ENV = "POVCASE_SYNC_CRASH_AT"  # tests: SIGKILL the import at a named stage


@dataclass(frozen=True)
class RecordSpec:
    """One synced table: its parents (foreign key column → parent type) and whether it names its commune."""

    record_type: str
    table: Table
    refs: tuple[tuple[str, str], ...] = ()
    communal: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        skip = {"id", "commune_id", *(c for c, _ in self.refs)}
        return tuple(c.name for c in self.table.columns if c.name not in skip)

    @property
    def fields(self) -> tuple[str, ...]:
        """What a package carries: the columns, then each parent's UUID as `<parent column>_uuid`."""
        return self.columns + tuple(ref_field(c) for c, _ in self.refs)


def ref_field(column: str) -> str:
    return column.removesuffix("_id") + "_uuid"


def _spec(model: type[Base], refs: tuple[tuple[str, str], ...] = (), communal: bool = False) -> RecordSpec:
    table = model.__table__
    assert isinstance(table, Table)
    return RecordSpec(table.name, table, refs, communal)


# Parents before children: the order of staging, checking and applying.
SPECS: tuple[RecordSpec, ...] = (
    _spec(Hamlet, communal=True),
    _spec(Household, (("hamlet_id", "hamlet"),), communal=True),
    _spec(Member, (("household_id", "household"),)),
    _spec(Assessment, (("household_id", "household"),)),
    _spec(EscapePlan, (("household_id", "household"),)),
    _spec(PlanGoal, (("plan_id", "escape_plan"),)),
    _spec(PlanAction, (("goal_id", "plan_goal"),)),
    _spec(Sponsor, communal=True),
    _spec(SponsorAssignment, (("sponsor_id", "sponsor"), ("household_id", "household"))),
    _spec(Visit, (("household_id", "household"), ("sponsor_id", "sponsor"), ("assignment_id", "sponsor_assignment"))),
    _spec(SupportRecord, (("household_id", "household"), ("member_id", "member"))),
    _spec(Loan, (("household_id", "household"), ("support_record_id", "support_record"))),
    _spec(LoanRepayment, (("loan_id", "loan"),)),
)
RECORD_TYPES = tuple(s.record_type for s in SPECS)
SPEC_BY_TYPE = {s.record_type: s for s in SPECS}

# Values a record may hold, beyond its column's type (unknown values are refused per record).
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("hamlet", "kind"): HAMLET_KINDS,
    ("household", "area"): tuple(a.value for a in Area),
    ("household", "house_quality"): tuple(q.value for q in HousingQuality),
    ("household", "status"): tuple(c.value for c in Classification),
    ("household", "previous_status"): tuple(c.value for c in Classification),
    ("household", "status_standard"): tuple(STANDARDS),
    ("member", "sex"): tuple(s.value for s in Sex),
    ("member", "relation"): RELATIONS,
    ("member", "qualification"): tuple(q.value for q in Qualification),
    ("member", "employment"): tuple(e.value for e in Employment),
    ("assessment", "standard"): tuple(STANDARDS),
    ("assessment", "area"): tuple(a.value for a in Area),
    ("assessment", "classification"): tuple(c.value for c in Classification),
    ("plan_goal", "status"): tuple(s.value for s in GoalStatus),
    ("plan_action", "status"): tuple(s.value for s in ActionStatus),
    ("sponsor", "kind"): tuple(k.value for k in SponsorKind),
}

# How the command line and the screens name the tokens of the format, in the officer's language.
RECORD_LABELS: dict[str, str] = {
    "hamlet": N_("Hamlets"), "household": N_("Households"), "member": N_("Members"),
    "assessment": N_("Assessments"), "escape_plan": N_("Escape plans"), "plan_goal": N_("Plan goals"),
    "plan_action": N_("Plan actions"), "sponsor": N_("Sponsors"), "sponsor_assignment": N_("Sponsor assignments"),
    "visit": N_("Visits"), "support_record": N_("Support records"), "loan": N_("Loans"),
    "loan_repayment": N_("Loan repayments"),
}
KIND_LABELS: dict[str, str] = {"full": N_("Full"), "incremental": N_("Incremental")}
REGISTER_LABELS: dict[str, str] = {"commune": N_("commune"), "office": N_("upstream office")}
COUNT_LABELS: dict[str, str] = {"new": N_("New"), "changed": N_("Changed"), "unchanged": N_("Unchanged"),
                                "rejected": N_("Rejected")}
STATS_LABELS: dict[str, str] = {"households": N_("Households"), "members": N_("Members"),
                                "assessments": N_("Assessments"), "plans": N_("Plans"), "sponsors": N_("Sponsors"),
                                "support_records": N_("Support records")}
# What the commune is told about an acknowledgement that refuses or holds a whole package, and about
# an export with nothing new (a heartbeat: see docs/sync-format.md).
ACK_REFUSED = N_("The office refused package {sequence} as a whole, no record was accepted: {reason}")
ACK_HELD = N_("The office has not applied package {sequence} yet: {reason}")
ACK_OTHER_FILE = N_("The office received another file than the one exported here (damaged or changed on the way)")
SEND_FULL = N_("Send a full package to replace it.")
HEARTBEAT = N_("Nothing changed since the office's last acknowledgement: package {sequence} carries no records and "
               "tells the office this register is up to date")

# A child whose parent is missing or rejected: one sentence per parent type, so each translates whole.
_PARENT_MISSING: dict[str, str] = {
    "hamlet": N_("Its hamlet is not in the register or was rejected"),
    "household": N_("Its household is not in the register or was rejected"),
    "member": N_("Its member is not in the register or was rejected"),
    "escape_plan": N_("Its escape plan is not in the register or was rejected"),
    "plan_goal": N_("Its plan goal is not in the register or was rejected"),
    "sponsor": N_("Its sponsor is not in the register or was rejected"),
    "sponsor_assignment": N_("Its sponsor assignment is not in the register or was rejected"),
    "support_record": N_("Its support record is not in the register or was rejected"),
    "loan": N_("Its loan is not in the register or was rejected"),
}

# What `stats` counts, per commune: live records (a deleted household takes its members along).
STATS_KEYS = ("households", "members", "assessments", "plans", "sponsors", "support_records")


def _q(name: str) -> str:
    return f'"{name}"'


def _sql_list(values: Sequence[str]) -> str:
    return ",".join("'" + v.replace("'", "''") + "'" for v in values)


@dataclass(frozen=True)
class _Check:
    sql: str
    field: str
    msgid: str
    params: dict[str, Any]


_HEX32 = "[0-9a-f]" * 32


def _checks(spec: RecordSpec) -> list[_Check]:
    """SQL conditions that are true for a bad value, in the order a person would fix them.

    Each is one cheap test: this runs for every value of a 300,000-household load. SQLite does not
    enforce VARCHAR lengths, and neither does the commune's register, so lengths are not checked."""
    out: list[_Check] = []
    cols = {c.name: c for c in spec.table.columns}
    invalid = N_("Not a valid value")
    for name in spec.columns:
        col = cols[name]
        c = _q(name)
        if not col.nullable:
            out.append(_Check(f"{c} IS NULL", name, N_("Required"), {}))
        choices = _CHOICES.get((spec.record_type, name))
        if choices:  # NULL NOT IN (…) is NULL, not true: a missing optional value passes
            out.append(_Check(f"{c} NOT IN ({_sql_list(choices)})", name, N_("Must be one of: {choices}"),
                              {"choices": ", ".join(choices)}))
            continue
        if name == "uuid":
            bad = f"{c} NOT GLOB '{_HEX32}'"
        elif name == "revision":
            bad = f"typeof({c}) != 'integer' OR {c} < 1"
        elif isinstance(col.type, Boolean):
            bad = f"{c} NOT IN (0, 1)"
        elif isinstance(col.type, Integer):
            bad = f"typeof({c}) NOT IN ('integer', 'null')"
        elif isinstance(col.type, Float):
            bad = f"typeof({c}) NOT IN ('integer', 'real', 'null')"
        elif isinstance(col.type, DateTime):
            bad = f"{c} IS NOT NULL AND (typeof({c}) != 'text' OR datetime({c}) IS NULL)"
        elif isinstance(col.type, Date):
            bad = f"date({c}) IS NOT {c}"  # also refuses 2026-02-30 and numbers (read as Julian days)
        elif isinstance(col.type, String | Text):
            bad = f"typeof({c}) NOT IN ('text', 'null')"
        else:  # pragma: no cover - every synced column has one of the types above
            raise AssertionError(name)
        out.append(_Check(bad, name, invalid, {}))
    for column, _parent in spec.refs:
        f = ref_field(column)
        if not cols[column].nullable:
            out.append(_Check(f"{_q(f)} IS NULL", f, N_("Required"), {}))
        out.append(_Check(f"typeof({_q(f)}) NOT IN ('text', 'null')", f, invalid, {}))
    return out


_CHECKS = {s.record_type: _checks(s) for s in SPECS}


# --- results ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportResult:
    path: Path
    sequence: int
    kind: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Rejection:
    record_type: str
    uuid: str
    revision: int | None
    field: str
    msgid: str
    params: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.record_type, "uuid": self.uuid, "revision": self.revision, "field": self.field,
                "msgid": self.msgid, "params": self.params}


@dataclass
class ImportReport:
    """What happened to one package file (the preview, and whether it was applied)."""

    path: Path
    status: str  # applied | preview | nothing | held | rejected
    commune_code: str = ""
    commune_name: str = ""
    sequence: int = 0
    kind: str = ""
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # type → new/changed/unchanged/rejected
    rejected: list[Rejection] = field(default_factory=list)
    ack_path: Path | None = None
    msgid: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    sender_verified: bool = False  # signed by a registered commune: a refusal or hold is acknowledged to it

    @property
    def ok(self) -> bool:
        return self.status in ("applied", "preview", "nothing")

    @property
    def to_apply(self) -> bool:
        """Worth importing for real after a preview: to apply it, or to hold it and tell its commune why."""
        return self.status == "preview" or (self.status in ("held", "rejected") and self.sender_verified)


@dataclass(frozen=True)
class AckResult:
    sequence: int
    accepted: int
    rejected: list[Rejection]
    status: str = "applied"  # applied | refused (the whole package) | held (until a missing one arrives)
    reason: FieldProblem | None = None  # why refused or held
    same_file: bool = True  # False: the office received another file than the one exported (damaged?)


@dataclass(frozen=True)
class CommuneOverview:
    code: str
    name: str
    counts: dict[str, int]
    poor: int
    near_poor: int
    last_sequence: int | None
    last_kind: str
    last_applied: datetime | None
    held: int

    @property
    def poor_rate(self) -> float:
        return self.poor / self.counts["households"] if self.counts["households"] else 0.0

    @property
    def near_poor_rate(self) -> float:
        return self.near_poor / self.counts["households"] if self.counts["households"] else 0.0


@dataclass(frozen=True)
class SharedPerson:
    """One ID number found in households of two or more communes."""

    id_number: str
    names: tuple[str, ...]
    households: tuple[tuple[str, str], ...]  # (commune code, household code)


SYNC_STATES = ("not_sent", "sent", "accepted", "rejected")


@dataclass(frozen=True)
class RecordState:
    record_type: str
    uuid: str
    label: str  # household code (or the record's UUID)
    state: str
    reason: FieldProblem | None


def _refusal_key(sequence: int) -> str:
    """The setting row keeping why the office refused or holds an exported package (no table for it)."""
    return f"sync_refused_{sequence:05d}"


def _crash_point(stage: str) -> None:
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def _now_text() -> str:
    return utcnow().isoformat(sep=" ")


class SyncService:
    def __init__(self, db: Database, home: Path) -> None:
        self.db = db
        self.home = home

    # --- settings, keys, trust -------------------------------------------------------------------
    def _settings(self, conn: sqlite3.Connection) -> dict[str, str]:
        return dict(conn.execute("SELECT key, value FROM setting").fetchall())

    def settings(self) -> dict[str, str]:
        conn = self.db.raw_connection()
        try:
            return self._settings(conn)
        finally:
            conn.close()

    def kind(self) -> str | None:
        return self.settings().get("register_kind")

    def is_office(self) -> bool:
        return self.kind() == KIND_OFFICE

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    def keys(self) -> KeyPair:
        return load_or_create(self.keys_dir)

    def ensure_keys(self) -> None:
        """Registers set up before sync existed get their keys the first time they open."""
        if self.kind() is not None:
            self.keys()

    def own_public_key(self) -> PublicKey:
        s = self.settings()
        kind = s.get("register_kind")
        if kind == KIND_OFFICE:
            return self.keys().public(KIND_OFFICE, s["province_code"], s.get("office_name", ""))
        if kind == KIND_COMMUNE:
            conn = self.db.raw_connection()
            try:
                row = conn.execute("SELECT name FROM commune WHERE code = ?", (s["commune_code"],)).fetchone()
            finally:
                conn.close()
            return self.keys().public(KIND_COMMUNE, s["commune_code"], row[0] if row else "")
        raise PovcaseError(N_("This register is not set up yet"))

    def setup_office(self, actor: Actor, province_code: str, name: str) -> Result[PublicKey]:
        """Make an empty register the register of an upstream office (district or province)."""
        require_writer(actor)
        name = nfc(name)
        problems = []
        try:
            province = admin_units.province(province_code)
        except PovcaseError as e:
            problems.append(FieldProblem("province", e.msgid, e.params))
            province = None
        if not name:
            problems.append(FieldProblem("name", N_("Required")))
        if problems:
            raise ValidationError(problems)
        assert province is not None
        conn = self.db.raw_connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("SELECT 1 FROM setting WHERE key = 'register_kind'").fetchone():
                raise PovcaseError(N_("This register is already set up"))
            now = _now_text()
            for key, value in (("register_kind", KIND_OFFICE), ("province_code", province.code),
                               ("office_name", name), ("installation_id", new_uuid())):
                conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (key, value))
            self._audit(conn, actor, "create", "office", None, f"{name} ({province.code})", "setup-office", now)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
        key = self.own_public_key()
        changes = Changes()
        changes.add("setting", "register_kind", "create")
        return Result(key, changes)

    def peers(self, role: str) -> list[PublicKey]:
        conn = self.db.raw_connection()
        try:
            rows = conn.execute("SELECT role, code, name, sign_key, box_key FROM sync_peer WHERE role = ? ORDER BY code",
                                (role,)).fetchall()
        finally:
            conn.close()
        return [PublicKey(r[0], r[1], r[2], bytes.fromhex(r[3]), bytes.fromhex(r[4])) for r in rows]

    def _peer(self, conn: sqlite3.Connection, role: str, code: str) -> PublicKey | None:
        r = conn.execute("SELECT role, code, name, sign_key, box_key FROM sync_peer WHERE role = ? AND code = ?",
                         (role, code)).fetchone()
        return PublicKey(r[0], r[1], r[2], bytes.fromhex(r[3]), bytes.fromhex(r[4])) if r else None

    def trust(self, actor: Actor, key: PublicKey) -> Result[str]:
        """Register the other side's public key: the office's at a commune, a commune's at an office."""
        require_writer(actor)
        s = self.settings()
        kind = s.get("register_kind")
        if kind == KIND_COMMUNE:
            if key.role != KIND_OFFICE:
                raise PovcaseError(N_("This is a commune's key; a commune register needs its upstream office's key"))
            own_province = admin_units.commune(s["commune_code"]).province_code
            if key.code != own_province:
                raise PovcaseError(N_("The office key is for province {found}; this commune belongs to province "
                                      "{expected}"), found=key.code, expected=own_province)
        elif kind == KIND_OFFICE:
            if key.role != KIND_COMMUNE:
                raise PovcaseError(N_("This is an office's key; an office register needs the communes' keys"))
            self._check_commune_of_office(key.code, s)
        else:
            raise PovcaseError(N_("This register is not set up yet"))
        conn = self.db.raw_connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM sync_peer WHERE role = ? AND code = ?", (key.role, key.code))
            conn.execute("INSERT INTO sync_peer (role, code, name, sign_key, box_key, fingerprint, trusted_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", (key.role, key.code, nfc(key.name), key.sign.hex(),
                                                          key.box.hex(), key.fingerprint, _now_text()))
            self._audit(conn, actor, "trust", key.role, None, key.fingerprint, f"{key.code} {key.name}", _now_text())
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
        changes = Changes()
        changes.add("sync_peer", key.code, "create")
        return Result(key.fingerprint, changes)

    def _check_commune_of_office(self, code: str, s: dict[str, str]) -> admin_units.CommuneUnit:
        try:
            unit = admin_units.commune(code)
        except PovcaseError:
            raise PackageError(N_("No commune with code {code} in the official list"), code=code) from None
        if unit.province_code != s.get("province_code"):
            raise PackageError(N_("Commune {code} ({name}) belongs to province {found}, not to this office's "
                                  "province {expected}"), code=code, name=unit.name, found=unit.province_code,
                               expected=s.get("province_code", "?"))
        return unit

    @staticmethod
    def _audit(conn: sqlite3.Connection, actor: Actor, action: str, record_type: str, uuid: str | None,
               new: str | None, note: str, at: str) -> None:
        conn.execute("INSERT INTO audit_log (at, actor, role, action, record_type, record_uuid, field, old, new, note)"
                     " VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)",
                     (at, actor.name, actor.role.value, action, record_type, uuid, new, note))

    # --- export (commune) ------------------------------------------------------------------------
    def export(self, actor: Actor, out_dir: Path, full: bool = False,
               progress: Callable[[int, int], bool] | None = None) -> Result[ExportResult]:
        """Write a package of every record not yet accepted by the office (or of every record: `full`)."""
        require_writer(actor)
        s = self.settings()
        if s.get("register_kind") != KIND_COMMUNE:
            raise PovcaseError(N_("Only a commune register exports packages"))
        code = s["commune_code"]
        unit = admin_units.commune(code)
        conn = self.db.raw_connection()
        try:
            office = self._peer(conn, KIND_OFFICE, unit.province_code)
            if office is None:
                raise PovcaseError(N_("Register the upstream office's key first (povcase trust-office FILE)"))
            out_dir.mkdir(parents=True, exist_ok=True)
            conn.execute("BEGIN")  # one snapshot of every table
            commune_row = conn.execute("SELECT id, name FROM commune WHERE code = ?", (code,)).fetchone()
            seq = (conn.execute("SELECT COALESCE(MAX(sequence), 0) FROM sync_package WHERE direction = 'out'"
                                ).fetchone()[0]) + 1
            files: list[RecordFile] = []
            sent: list[tuple[str, str, int, int]] = []
            for step, spec in enumerate(SPECS):
                rows = conn.execute(self._export_sql(spec, full)).fetchall()
                files.append(RecordFile(spec.record_type, spec.fields, rows))
                uuid_at, rev_at = spec.fields.index("uuid"), spec.fields.index("revision")
                sent.extend((r[uuid_at], spec.record_type, r[rev_at], seq) for r in rows)
                if progress is not None and progress(step + 1, len(SPECS) + 1) is False:
                    raise PovcaseError(N_("Cancelled; nothing was saved"))
            conn.execute("COMMIT")
            kind = "full" if full else "incremental"
            created = utcnow()
            manifest = {"schema_version": migrate.SCHEMA_HEAD, "standards": sorted(STANDARDS),
                        "commune": {"code": code, "name": commune_row[1], "province_code": unit.province_code},
                        "installation": s.get("installation_id", ""), "sequence": seq, "kind": kind,
                        "created_at": created.isoformat(timespec="seconds") + "Z", "app_version": __version__}
            path = out_dir / f"{code}-{seq:05d}-{kind}-{created:%Y%m%d-%H%M%S}{SUFFIX}"
            full_manifest, sha = write_package(path, manifest, files, self.keys(), office)
            try:
                now = _now_text()
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO sync_package (direction, commune_code, sequence, kind, sha256, created_at, "
                             "recorded_at, acked_at, file_name, summary) VALUES ('out', ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                             (code, seq, kind, sha, now, now, path.name, json.dumps(full_manifest["counts"])))
                conn.executemany(
                    "INSERT INTO sync_state (uuid, record_type, sent_revision, sent_sequence, rejected_reason) "
                    "VALUES (?, ?, ?, ?, '') ON CONFLICT(uuid) DO UPDATE SET sent_revision = excluded.sent_revision, "
                    "sent_sequence = excluded.sent_sequence", sent)
                self._audit(conn, actor, "export", "sync_package", None, path.name,
                            f"{kind} package {seq}: {len(sent)} records", now)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                path.unlink(missing_ok=True)
                raise
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
        if progress is not None:
            progress(len(SPECS) + 1, len(SPECS) + 1)
        changes = Changes()
        changes.add("sync_package", str(seq), "create")
        return Result(ExportResult(path, seq, kind, dict(full_manifest["counts"])), changes)

    @staticmethod
    def _export_sql(spec: RecordSpec, full: bool) -> str:
        t = spec.record_type
        cols = [f"t.{_q(c)}" for c in spec.columns]
        joins = []
        for i, (column, parent) in enumerate(spec.refs):
            cols.append(f"p{i}.uuid")
            joins.append(f"LEFT JOIN {_q(parent)} p{i} ON p{i}.id = t.{_q(column)}")
        sql = f"SELECT {', '.join(cols)} FROM {_q(t)} t {' '.join(joins)}"
        if not full:
            sql += (" LEFT JOIN sync_state ss ON ss.uuid = t.uuid"
                    " WHERE ss.accepted_revision IS NULL OR ss.accepted_revision != t.revision")
        return sql + " ORDER BY t.id"

    # --- acknowledgements (commune) ----------------------------------------------------------------
    def import_ack(self, actor: Actor, path: Path) -> Result[AckResult]:
        require_writer(actor)
        s = self.settings()
        if s.get("register_kind") != KIND_COMMUNE:
            raise PovcaseError(N_("Only a commune register imports acknowledgements"))
        code = s["commune_code"]
        province = admin_units.commune(code).province_code
        conn = self.db.raw_connection()
        try:
            office = self._peer(conn, KIND_OFFICE, province)
            if office is None:
                raise PovcaseError(N_("Register the upstream office's key first (povcase trust-office FILE)"))
            ack = read_ack(path, office)
            try:
                if ack["commune_code"] != code:
                    raise PackageError(N_("The acknowledgement is for commune {found}, not for this commune {expected}"),
                                       found=ack["commune_code"], expected=code)
                seq, sha = int(ack["sequence"]), str(ack["package_sha256"])
                status = str(ack.get("status", "applied"))
                rejected = [Rejection(str(r["type"]), str(r["uuid"]), r.get("revision"), str(r["field"]),
                                      str(r["msgid"]), dict(r["params"])) for r in ack["rejected"]]
                reason = (FieldProblem("", str(ack["reason"]["msgid"]), dict(ack["reason"]["params"]))
                          if status != "applied" else None)
            except (KeyError, TypeError, ValueError, AttributeError):
                raise PackageError(N_("Not a povcase acknowledgement file")) from None
            if reason is not None:
                return self._import_refusal(conn, actor, path, seq, sha, status, reason)
            pkg = conn.execute("SELECT id FROM sync_package WHERE direction = 'out' AND sequence = ? AND sha256 = ?",
                               (seq, sha)).fetchone()
            if pkg is None:
                raise PackageError(N_("The acknowledgement is for package {sequence}, which this register did not "
                                      "send"), sequence=seq)
            now = _now_text()
            conn.execute("BEGIN IMMEDIATE")
            # Every record this package carried is accepted, except those the ack lists as rejected; a
            # record sent again in a later package waits for that package's ack.
            accepted = conn.execute(
                "UPDATE sync_state SET accepted_revision = sent_revision, rejected_revision = NULL, "
                "rejected_reason = '' WHERE sent_sequence = ? AND uuid NOT IN (SELECT value FROM json_each(?))",
                (seq, json.dumps([r.uuid for r in rejected]))).rowcount
            conn.executemany("UPDATE sync_state SET rejected_revision = ?, rejected_reason = ? WHERE uuid = ?",
                             [(r.revision, json.dumps({"field": r.field, "msgid": r.msgid, "params": r.params},
                                                      ensure_ascii=False), r.uuid) for r in rejected])
            conn.execute("UPDATE sync_package SET acked_at = ? WHERE id = ?", (now, pkg[0]))
            conn.execute("DELETE FROM setting WHERE key = ?", (_refusal_key(seq),))  # held, then applied
            self._audit(conn, actor, "import_ack", "sync_package", None, path.name,
                        f"package {seq}: {accepted} accepted, {len(rejected)} rejected", now)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()
        changes = Changes()
        changes.add("sync_package", str(seq), "update")
        return Result(AckResult(seq, accepted, rejected), changes)

    def _import_refusal(self, conn: sqlite3.Connection, actor: Actor, path: Path, seq: int, sha: str, status: str,
                        reason: FieldProblem) -> Result[AckResult]:
        """The office refused (or holds) a whole package: keep why, beside the package; no record changes state.

        Matched by sequence alone: the office may have received a damaged copy (another SHA-256) — the
        manifest it authenticated was signed here, and this register wrote one package per sequence."""
        row = conn.execute("SELECT sha256 FROM sync_package WHERE direction = 'out' AND sequence = ?", (seq,)).fetchone()
        if row is None:
            raise PackageError(N_("The acknowledgement is for package {sequence}, which this register did not "
                                  "send"), sequence=seq)
        same_file = row[0] == sha
        now = _now_text()
        value = json.dumps({"status": status, "msgid": reason.msgid, "params": reason.params, "at": now,
                            "same_file": same_file}, ensure_ascii=False)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                         "value = excluded.value", (_refusal_key(seq), value))
            self._audit(conn, actor, "import_ack", "sync_package", None, path.name,
                        f"package {seq}: {status} — {reason.msgid.format(**reason.params)}", now)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        changes = Changes()
        changes.add("sync_package", str(seq), "update")
        return Result(AckResult(seq, 0, [], status, reason, same_file), changes)

    def record_states(self, record_type: str = "household", limit: int | None = None) -> list[RecordState]:
        """Each record's sync state at the commune: not sent, sent, accepted, or rejected (with why)."""
        spec = SPEC_BY_TYPE[record_type]
        label = "t.code" if record_type == "household" else "t.uuid"
        sql = (f"SELECT t.uuid, {label}, t.revision, ss.sent_revision, ss.accepted_revision, ss.rejected_revision, "
               f"ss.rejected_reason FROM {_q(spec.record_type)} t LEFT JOIN sync_state ss ON ss.uuid = t.uuid "
               f"ORDER BY {label}")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        conn = self.db.raw_connection()
        try:
            rows = conn.execute(sql).fetchall()
        finally:
            conn.close()
        out = []
        for uuid, lab, rev, sent, accepted, rejected, reason in rows:
            problem = None
            if accepted == rev:
                state = "accepted"
            elif rejected == rev:
                state = "rejected"
                try:
                    r = json.loads(reason)
                    problem = FieldProblem(r["field"], r["msgid"], r["params"])
                except (ValueError, KeyError, TypeError):
                    problem = FieldProblem("", N_("Not a valid value"))
            elif sent == rev:
                state = "sent"
            else:
                state = "not_sent"
            out.append(RecordState(record_type, uuid, lab, state, problem))
        return out

    def state_counts(self) -> dict[str, dict[str, int]]:
        """Per record type, how many records are in each sync state."""
        conn = self.db.raw_connection()
        try:
            out = {}
            for spec in SPECS:
                row = conn.execute(
                    "SELECT sum(ss.accepted_revision IS t.revision), "
                    "sum(ss.accepted_revision IS NOT t.revision AND ss.rejected_revision IS t.revision), "
                    "sum(ss.accepted_revision IS NOT t.revision AND ss.rejected_revision IS NOT t.revision "
                    "    AND ss.sent_revision IS t.revision), count(*) "
                    f"FROM {_q(spec.record_type)} t LEFT JOIN sync_state ss ON ss.uuid = t.uuid").fetchone()
                accepted, rejected, sent, total = (v or 0 for v in row)
                out[spec.record_type] = {"not_sent": total - accepted - rejected - sent, "sent": sent,
                                         "accepted": accepted, "rejected": rejected}
            return out
        finally:
            conn.close()

    def packages(self) -> list[dict[str, Any]]:
        """The packages written (commune) or applied (office); at a commune with the office's refusal, if any."""
        conn = self.db.raw_connection()
        try:
            rows = conn.execute("SELECT direction, commune_code, sequence, kind, recorded_at, acked_at, file_name, "
                                "summary FROM sync_package ORDER BY recorded_at DESC, id DESC").fetchall()
            refusals = dict(conn.execute("SELECT key, value FROM setting WHERE key GLOB 'sync_refused_*'"))
        finally:
            conn.close()
        out = []
        for r in rows:
            refusal = refusals.get(_refusal_key(r[2])) if r[0] == "out" and r[5] is None else None
            try:
                refused = json.loads(refusal) if refusal else None
            except ValueError:
                refused = None
            out.append({"direction": r[0], "commune_code": r[1], "sequence": r[2], "kind": r[3], "recorded_at": r[4],
                        "acked_at": r[5], "file_name": r[6], "summary": json.loads(r[7]), "refusal": refused})
        return out

    # --- import (office) -------------------------------------------------------------------------
    @property
    def held_dir(self) -> Path:
        return self.home / "sync" / "held"

    @property
    def default_ack_dir(self) -> Path:
        return self.home / "sync" / "acks"

    def import_packages(self, actor: Actor, paths: Sequence[Path], dry_run: bool = False,
                        ack_dir: Path | None = None,
                        progress: Callable[[int, int], bool] | None = None) -> list[ImportReport]:
        """Verify, preview and (unless `dry_run`) apply each package in its own transaction.

        The register is backed up once, before the first package that will be applied. A package whose
        predecessor is missing is kept in `sync/held/` and applied when the missing one arrives."""
        require_writer(actor)
        s = self.settings()
        if s.get("register_kind") != KIND_OFFICE:
            raise PovcaseError(N_("Only an upstream office register imports packages"))
        keys = self.keys()
        reports: list[ImportReport] = []
        state = {"backed_up": dry_run}
        for i, path in enumerate(paths):
            reports.extend(self._import_chain(actor, Path(path), s, keys, dry_run, ack_dir or self.default_ack_dir,
                                              state))
            if progress is not None and progress(i + 1, len(paths)) is False:
                break
        return reports

    def _import_chain(self, actor: Actor, path: Path, s: dict[str, str], keys: KeyPair, dry_run: bool,
                      ack_dir: Path, state: dict[str, bool]) -> list[ImportReport]:
        report = self._import_one(actor, path, s, keys, dry_run, ack_dir, state)
        reports = [report]
        # A package that fills a gap releases the held ones after it, in order.
        while report.status == "applied" and not dry_run:
            nxt = self.held_dir / f"{report.commune_code}-{report.sequence + 1:05d}{SUFFIX}"
            for stale in self.held_dir.glob(f"{report.commune_code}-*{SUFFIX}"):
                seq = stale.stem.split("-")[-1]
                if seq.isdigit() and int(seq) <= report.sequence:
                    stale.unlink(missing_ok=True)
            if not nxt.exists():
                break
            report = self._import_one(actor, nxt, s, keys, dry_run, ack_dir, state)
            reports.append(report)
            if report.status in ("applied", "nothing", "rejected"):
                nxt.unlink(missing_ok=True)
        return reports

    def _import_one(self, actor: Actor, path: Path, s: dict[str, str], keys: KeyPair, dry_run: bool,
                    ack_dir: Path, state: dict[str, bool]) -> ImportReport:
        report = ImportReport(path, "rejected")
        sender: tuple[str, int] | None = None
        pkg: OpenedPackage | None = None
        try:
            pkg = open_package(path, check=False)
            sender = self._registered_sender(pkg)
            if sender is not None:
                report.commune_code, report.sequence = sender
                report.sender_verified = True
            self._verify_and_apply(actor, pkg, s, keys, dry_run, ack_dir, state, report)
        except PovcaseError as e:
            if report.status != "held":
                report.status = "rejected"
            report.msgid, report.params = e.msgid, e.params
            log.info("package %s refused: %s", path, e)
            if sender is not None and pkg is not None and not dry_run:
                report.ack_path = self._write_refusal_ack(pkg, sender, report, keys, ack_dir, s)
        return report

    def _registered_sender(self, pkg: OpenedPackage) -> tuple[str, int] | None:
        """The commune and sequence of a package whose manifest a registered commune's key signed, else None.

        Only such a package gets an acknowledgement when it is refused whole: junk, a bad signature or
        an unknown sender gets none (see docs/sync-format.md)."""
        m = pkg.manifest
        commune = m.get("commune")
        code = commune.get("code") if isinstance(commune, dict) else None
        seq = m.get("sequence")
        if not isinstance(code, str) or len(code) != 5 or not code.isdigit() or type(seq) is not int or seq < 1:
            return None
        conn = self.db.raw_connection()
        try:
            peer = self._peer(conn, KIND_COMMUNE, code)
        finally:
            conn.close()
        if peer is None or not peer.verify(pkg.signature, pkg.manifest_bytes):
            return None
        return code, seq

    def _verify_and_apply(self, actor: Actor, pkg: OpenedPackage, s: dict[str, str], keys: KeyPair, dry_run: bool,
                          ack_dir: Path, state: dict[str, bool], report: ImportReport) -> None:
        check_manifest(pkg.manifest)
        path = pkg.path
        m = pkg.manifest
        report.commune_code, report.sequence, report.kind = pkg.commune_code, pkg.sequence, pkg.kind
        report.commune_name = str(m["commune"]["name"])
        if not m["schema_version"].isdigit() or int(m["schema_version"]) > int(migrate.SCHEMA_HEAD):
            raise PackageError(N_("The package comes from a newer register (schema {found}, this one has {ours}); "
                                  "update povcase first"), found=m["schema_version"][:10], ours=migrate.SCHEMA_HEAD)
        unit = self._check_commune_of_office(pkg.commune_code, s)
        conn = self.db.raw_connection()
        try:
            if conn.execute("SELECT 1 FROM sync_package WHERE direction = 'in' AND sha256 = ?", (pkg.sha256,)).fetchone():
                self._nothing(report)
                return
            peer = self._peer(conn, KIND_COMMUNE, pkg.commune_code)
            if peer is None:
                raise PackageError(N_("Commune {code} ({name}) is not registered at this office; register its key "
                                      "first (povcase trust-commune FILE)"), code=pkg.commune_code, name=unit.name)
            pkg.verify(peer, RECORD_TYPES)
            last = conn.execute("SELECT COALESCE(MAX(sequence), 0) FROM sync_package WHERE direction = 'in' "
                                "AND commune_code = ?", (pkg.commune_code,)).fetchone()[0]
            if pkg.sequence <= last:
                self._nothing(report)
                return
            if pkg.kind != "full" and pkg.sequence > last + 1:
                if not dry_run:
                    self.held_dir.mkdir(parents=True, exist_ok=True)
                    target = self.held_dir / f"{pkg.commune_code}-{pkg.sequence:05d}{SUFFIX}"
                    if path.resolve() != target.resolve():
                        shutil.copyfile(path, target)
                report.status = "held"
                raise PackageError(N_("Package {sequence} of commune {code} is held until package {missing} arrives "
                                      "(or a full package replaces them)"),
                                   sequence=pkg.sequence, code=pkg.commune_code, missing=last + 1)
            files = pkg.decrypt(keys.box_private, keys.fingerprint)
            for spec in SPECS:
                if files[spec.record_type].fields != spec.fields:
                    raise PackageError(N_("The file {name} in the package has other fields than this version "
                                          "knows"), name=f"{spec.record_type}.jsonl")
            _crash_point("verified")
            if not dry_run and not state["backed_up"]:
                migrate.backup(self.db.path, backups_dir(self.home), "before-import")
                state["backed_up"] = True
            # The staging tables live in a private in-memory database, dropped whole when it is detached.
            conn.execute("ATTACH DATABASE ':memory:' AS stage")
            conn.execute("BEGIN IMMEDIATE")
            try:
                commune_id = self._ensure_commune(conn, unit, s, dry_run)
                self._stage(conn, files)
                _crash_point("staged")
                # A commune's first package (nothing of it here yet) can only bring new records: no record
                # needs comparing, and a UUID the office already holds (a copied register) refuses it whole.
                fresh = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM hamlet WHERE commune_id = ?) AND NOT EXISTS "
                                     "(SELECT 1 FROM sponsor WHERE commune_id = ?)", (commune_id, commune_id)).fetchone()[0]
                self._check(conn, commune_id, report, bool(fresh))
                if dry_run:
                    report.status = "preview"
                    conn.execute("ROLLBACK")
                    return  # (the stage is detached on the way out)
                try:
                    self._apply(conn, commune_id, bool(fresh))
                except sqlite3.Error as e:  # a constraint the checks above did not foresee: refuse, write nothing
                    raise PackageError(N_("The package could not be applied: {error}"), error=str(e)) from None
                now = _now_text()
                conn.execute("INSERT INTO sync_package (direction, commune_code, sequence, kind, sha256, created_at, "
                             "recorded_at, acked_at, file_name, summary) VALUES ('in', ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                             (pkg.commune_code, pkg.sequence, pkg.kind, pkg.sha256,
                              str(m["created_at"]).rstrip("Z").replace("T", " "), now, path.name,
                              json.dumps(report.counts)))
                self._audit(conn, actor, "import", "sync_package", None, path.name,
                            f"commune {pkg.commune_code} package {pkg.sequence}: "
                            f"{sum(c['new'] + c['changed'] for c in report.counts.values())} records written, "
                            f"{len(report.rejected)} rejected", now)
                _crash_point("applied")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                conn.execute("DETACH DATABASE stage")
            _crash_point("committed")
            report.status = "applied"
            report.ack_path = self._write_ack(pkg, report, keys, ack_dir, s)
        finally:
            conn.close()

    def _write_refusal_ack(self, pkg: OpenedPackage, sender: tuple[str, int], report: ImportReport, keys: KeyPair,
                           ack_dir: Path, s: dict[str, str]) -> Path | None:
        """Tell the commune why its package was refused whole (or is held): signed like any acknowledgement."""
        code, seq = sender
        params = {k: v if isinstance(v, str | int | float) else str(v) for k, v in report.params.items()}
        try:
            ack_dir.mkdir(parents=True, exist_ok=True)
            path = ack_dir / f"{code}-{seq:05d}.povack"
            write_ack(path, {"status": "held" if report.status == "held" else "refused", "commune_code": code,
                             "sequence": seq, "package_sha256": pkg.sha256,
                             "office": {"province_code": s.get("province_code"), "name": s.get("office_name", "")},
                             "checked_at": utcnow().isoformat(timespec="seconds") + "Z",
                             "reason": {"msgid": report.msgid, "params": params}, "counts": {}, "rejected": []}, keys)
        except OSError as e:  # the refusal itself stands; only its acknowledgement is missing
            log.warning("could not write the acknowledgement of a refused package %s: %s", pkg.path, e)
            return None
        return path

    @staticmethod
    def _nothing(report: ImportReport) -> None:
        report.status = "nothing"
        report.msgid = N_("Package {sequence} of commune {code} was already imported; nothing to do")
        report.params = {"sequence": report.sequence, "code": report.commune_code}

    @staticmethod
    def _ensure_commune(conn: sqlite3.Connection, unit: admin_units.CommuneUnit, s: dict[str, str],
                        dry_run: bool) -> int:
        row = conn.execute("SELECT id FROM commune WHERE code = ?", (unit.code,)).fetchone()
        if row:
            return int(row[0])
        province = admin_units.province(unit.province_code)
        now = _now_text()
        cur = conn.execute("INSERT INTO commune (code, name, province_code, province_name, upstream_office, uuid, "
                           "created_at, updated_at, revision, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, NULL)",
                           (unit.code, unit.name, province.code, province.name, s.get("office_name", ""),
                            new_uuid(), now, now))
        assert cur.lastrowid is not None
        return cur.lastrowid

    @staticmethod
    def _stage(conn: sqlite3.Connection, files: dict[str, RecordFile]) -> None:
        for spec in SPECS:
            t = f"s_{spec.record_type}"
            cols = ", ".join(_q(f) for f in spec.fields)
            conn.execute(f"CREATE TABLE stage.{t} ({cols}, _reason INTEGER, _kind TEXT DEFAULT 'new')")
            sql = f"INSERT INTO stage.{t} ({cols}) VALUES ({','.join('?' * len(spec.fields))})"
            try:
                conn.executemany(sql, files[spec.record_type].rows)
            except (sqlite3.Error, OverflowError, TypeError, ValueError):
                raise PackageError(N_("The file {name} in the package holds values of the wrong kind"),
                                   name=f"{spec.record_type}.jsonl") from None
            conn.execute(f"CREATE INDEX stage.ix_{t}_uuid ON {t} (uuid)")
            if spec.record_type == "household":
                conn.execute(f"CREATE INDEX stage.ix_{t}_code ON {t} (code)")
            dup = conn.execute(f"SELECT uuid FROM stage.{t} GROUP BY uuid HAVING count(*) > 1 LIMIT 1").fetchone()
            if dup:
                raise PackageError(N_("The file {name} in the package holds the record {uuid} twice"),
                                   name=f"{spec.record_type}.jsonl", uuid=str(dup[0])[:40])

    def _check(self, conn: sqlite3.Connection, commune_id: int, report: ImportReport, fresh: bool) -> None:
        """Mark each staged record rejected (with the first reason) or new / changed / unchanged."""
        reasons: list[tuple[str, str, dict[str, Any]]] = []  # index → (field, msgid, params)

        def reject(t: str, rowids: Sequence[tuple[int, str, dict[str, Any]]]) -> None:
            items = []
            for rowid, fld, msg_params in rowids:
                reasons.append((fld, msg_params["msgid"], msg_params["params"]))
                items.append((len(reasons), rowid))
            conn.executemany(f"UPDATE stage.{t} SET _reason = ? WHERE rowid = ? AND _reason IS NULL", items)

        for spec in SPECS:
            t = f"s_{spec.record_type}"
            checks = _CHECKS[spec.record_type]
            case = " ".join(f"WHEN {c.sql} THEN {i}" for i, c in enumerate(checks))
            bad = conn.execute(f"SELECT rowid, CASE {case} END AS bad FROM stage.{t} WHERE bad IS NOT NULL").fetchall()
            reject(t, [(rowid, checks[i].field, {"msgid": checks[i].msgid, "params": checks[i].params})
                       for rowid, i in bad])
            if spec.record_type == "member":
                found = []
                for rowid, idn, sex, birth in conn.execute(
                        f"SELECT rowid, id_number, sex, birth_date FROM stage.{t} WHERE id_number IS NOT NULL "
                        "AND _reason IS NULL"):
                    p = check_id_number("id_number", idn, sex, date.fromisoformat(birth) if birth else None)
                    if p is not None:
                        found.append((rowid, p.field, {"msgid": p.msgid, "params": p.params}))
                reject(t, found)
            if spec.record_type == "household":
                rows = conn.execute(
                    f"SELECT s.rowid, s.code FROM stage.{t} s WHERE s._reason IS NULL AND ("
                    "EXISTS (SELECT 1 FROM household h WHERE h.commune_id = ? AND h.code = s.code AND h.uuid != s.uuid)"
                    f" OR (SELECT count(*) FROM stage.{t} o WHERE o.code = s.code) > 1)", (commune_id,)).fetchall()
                reject(t, [(r[0], "code", {"msgid": N_("Household code {code} is already used"),
                                           "params": {"code": r[1]}}) for r in rows])
            for column, parent in spec.refs:
                f = _q(ref_field(column))
                own = " AND e.commune_id = ?" if SPEC_BY_TYPE[parent].communal else ""
                args = (commune_id,) if own else ()
                rows = conn.execute(
                    f"SELECT s.rowid FROM stage.{t} s WHERE s._reason IS NULL AND s.{f} IS NOT NULL "
                    f"AND NOT EXISTS (SELECT 1 FROM stage.s_{parent} p WHERE p.uuid = s.{f} AND p._reason IS NULL) "
                    f"AND NOT EXISTS (SELECT 1 FROM {_q(parent)} e WHERE e.uuid = s.{f}{own})", args).fetchall()
                reject(t, [(r[0], ref_field(column), {"msgid": _PARENT_MISSING[parent], "params": {}})
                           for r in rows])
            if not fresh:
                self._mark_existing(conn, spec, commune_id, reject)
            total, rejected, changed, unchanged = conn.execute(
                f"SELECT count(*), count(_reason), sum(_reason IS NULL AND _kind = 'changed'), "
                f"sum(_reason IS NULL AND _kind = 'unchanged') FROM stage.{t}").fetchone()
            changed, unchanged = changed or 0, unchanged or 0
            report.counts[spec.record_type] = {"new": total - rejected - changed - unchanged, "changed": changed,
                                               "unchanged": unchanged, "rejected": rejected}
            for uuid, revision, index in conn.execute(f"SELECT uuid, revision, _reason FROM stage.{t} "
                                                      "WHERE _reason IS NOT NULL ORDER BY rowid"):
                fld, msgid, params = reasons[index - 1]
                report.rejected.append(Rejection(spec.record_type, str(uuid), revision if isinstance(revision, int)
                                                 else None, fld, msgid, params))

    @staticmethod
    def _mark_existing(conn: sqlite3.Connection, spec: RecordSpec, commune_id: int,
                       reject: Callable[[str, Sequence[tuple[int, str, dict[str, Any]]]], None]) -> None:
        """Staged rows start as 'new'; those the office already holds become changed or unchanged. A UUID
        the office holds for another commune (or under another parent, which by the checks before would
        be another commune's) is not this commune's to change."""
        t = f"s_{spec.record_type}"
        args: tuple[Any, ...] = ()
        if spec.communal:
            foreign, args = "e.commune_id IS NOT ?", (commune_id,)
        else:
            column, parent = next((c, p) for c, p in spec.refs if not spec.table.columns[c].nullable)
            foreign = f"e.{_q(column)} IS NOT (SELECT p.id FROM {_q(parent)} p WHERE p.uuid = s.{_q(ref_field(column))})"
        conn.execute(f"UPDATE stage.{t} AS s SET _kind = CASE WHEN {foreign} THEN 'foreign' "
                     f"WHEN s.revision > e.revision THEN 'changed' ELSE 'unchanged' END "
                     f"FROM {_q(spec.record_type)} e WHERE e.uuid = s.uuid AND s._reason IS NULL", args)
        rows = conn.execute(f"SELECT rowid FROM stage.{t} WHERE _kind = 'foreign'").fetchall()
        reject(t, [(r[0], "uuid", {"msgid": N_("The record belongs to another commune"), "params": {}})
                   for r in rows])

    @staticmethod
    def _apply(conn: sqlite3.Connection, commune_id: int, fresh: bool) -> None:
        for spec in SPECS:
            t = f"s_{spec.record_type}"
            targets = [_q(c) for c in spec.columns]
            values = [f"s.{_q(c)}" for c in spec.columns]
            for column, parent in spec.refs:
                targets.append(_q(column))
                values.append(f"(SELECT p.id FROM {_q(parent)} p WHERE p.uuid = s.{_q(ref_field(column))})")
            if spec.communal:
                targets.append("commune_id")
                values.append(str(int(commune_id)))
            updates = ", ".join(f"{c} = excluded.{c}" for c in targets if c != '"uuid"')
            upsert = "" if fresh else f" ON CONFLICT(uuid) DO UPDATE SET {updates}"
            conn.execute(f"INSERT INTO {_q(spec.record_type)} ({', '.join(targets)}) SELECT {', '.join(values)} "
                         f"FROM stage.{t} s WHERE s._reason IS NULL AND s._kind != 'unchanged' ORDER BY s.rowid"
                         + upsert)
        # The search index: every household this package touched, or whose members it touched.
        ids = [r[0] for r in conn.execute(
            "SELECT h.id FROM household h JOIN stage.s_household s ON s.uuid = h.uuid "
            "WHERE s._reason IS NULL AND s._kind != 'unchanged' UNION "
            "SELECT h.id FROM household h JOIN stage.s_member s ON s.household_uuid = h.uuid "
            "WHERE s._reason IS NULL AND s._kind != 'unchanged'")]
        _reindex(conn, ids)

    def _write_ack(self, pkg: OpenedPackage, report: ImportReport, keys: KeyPair, ack_dir: Path,
                   s: dict[str, str]) -> Path:
        ack_dir.mkdir(parents=True, exist_ok=True)
        path = ack_dir / f"{pkg.commune_code}-{pkg.sequence:05d}.povack"
        write_ack(path, {"status": "applied", "commune_code": pkg.commune_code, "sequence": pkg.sequence, "package_sha256": pkg.sha256,
                         "office": {"province_code": s.get("province_code"), "name": s.get("office_name", "")},
                         "applied_at": utcnow().isoformat(timespec="seconds") + "Z", "counts": report.counts,
                         "rejected": [r.to_json() for r in report.rejected]}, keys)
        return path

    # --- what the register holds -----------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """The kind of register, its province and communes, and live record counts per commune."""
        s = self.settings()
        kind = s.get("register_kind")
        conn = self.db.raw_connection()
        try:
            communes = conn.execute("SELECT id, code FROM commune ORDER BY code").fetchall()
            local = s.get("commune_code")
            province = s.get("province_code") or (admin_units.commune(local).province_code if local else None)
            counts = {code: dict.fromkeys(STATS_KEYS, 0) for _, code in communes}
            by_id = dict(communes)
            hh = "JOIN household h ON h.id = t.household_id AND h.deleted_at IS NULL"
            queries = {
                "households": "SELECT commune_id, count(*) FROM household WHERE deleted_at IS NULL GROUP BY 1",
                "members": f"SELECT h.commune_id, count(*) FROM member t {hh} WHERE t.deleted_at IS NULL GROUP BY 1",
                "assessments": f"SELECT h.commune_id, count(*) FROM assessment t {hh} WHERE t.deleted_at IS NULL "
                               "GROUP BY 1",
                "plans": f"SELECT h.commune_id, count(*) FROM escape_plan t {hh} WHERE t.deleted_at IS NULL GROUP BY 1",
                "support_records": f"SELECT h.commune_id, count(*) FROM support_record t {hh} "
                                   "WHERE t.deleted_at IS NULL GROUP BY 1",
                # At a commune the sponsors are its own (no commune column); at an office each names its commune.
                "sponsors": "SELECT COALESCE(commune_id, (SELECT id FROM commune WHERE code = ?)), count(*) "
                            "FROM sponsor WHERE deleted_at IS NULL GROUP BY 1",
            }
            for key, sql in queries.items():
                for cid, n in conn.execute(sql, (local,) if key == "sponsors" else ()):
                    if cid in by_id:
                        counts[by_id[cid]][key] = n
        finally:
            conn.close()
        return {"kind": kind, "province_code": province, "communes": [code for _, code in communes],
                "counts": counts}

    def overview(self) -> list[CommuneOverview]:
        """The office's communes side by side: counts, poor and near-poor rates, the last package."""
        stats = self.stats()["counts"]
        conn = self.db.raw_connection()
        try:
            names = dict(conn.execute("SELECT code, name FROM commune").fetchall())
            status = {(code, st): n for code, st, n in conn.execute(
                "SELECT c.code, h.status, count(*) FROM household h JOIN commune c ON c.id = h.commune_id "
                "WHERE h.deleted_at IS NULL AND h.status IN ('poor', 'near_poor') GROUP BY 1, 2")}
            last = {r[0]: r[1:] for r in conn.execute(
                "SELECT commune_code, sequence, kind, recorded_at FROM sync_package p WHERE direction = 'in' AND "
                "sequence = (SELECT MAX(sequence) FROM sync_package q WHERE q.direction = 'in' AND "
                "q.commune_code = p.commune_code)")}
        finally:
            conn.close()
        held: dict[str, int] = {}
        if self.held_dir.exists():
            for f in self.held_dir.glob(f"*{SUFFIX}"):
                held[f.name[:5]] = held.get(f.name[:5], 0) + 1
        out = []
        for code in sorted(set(stats) | set(held)):
            seq, kind, at = last.get(code, (None, "", None))
            out.append(CommuneOverview(code, names.get(code, ""), stats.get(code, dict.fromkeys(STATS_KEYS, 0)),
                                       status.get((code, "poor"), 0), status.get((code, "near_poor"), 0), seq, kind,
                                       datetime.fromisoformat(at) if at else None, held.get(code, 0)))
        return out

    def shared_people(self, limit: int = 1000) -> list[SharedPerson]:
        """ID numbers found in live households of two or more communes (moved, or registered twice)."""
        conn = self.db.raw_connection()
        try:
            rows = conn.execute(
                "SELECT m.id_number, group_concat(m.full_name, '|'), group_concat(c.code || ' ' || h.code, '|') "
                "FROM member m JOIN household h ON h.id = m.household_id JOIN commune c ON c.id = h.commune_id "
                "WHERE m.id_number IN (SELECT m2.id_number FROM member m2 JOIN household h2 ON h2.id = m2.household_id "
                "  WHERE m2.id_number IS NOT NULL AND m2.deleted_at IS NULL AND h2.deleted_at IS NULL "
                "  GROUP BY m2.id_number HAVING count(DISTINCT h2.commune_id) > 1) "
                "AND m.deleted_at IS NULL AND h.deleted_at IS NULL GROUP BY m.id_number ORDER BY m.id_number LIMIT ?",
                (limit,)).fetchall()
        finally:
            conn.close()
        return [SharedPerson(idn, tuple(dict.fromkeys(names.split("|"))),
                             tuple(tuple(x.split(" ", 1)) for x in dict.fromkeys(hh.split("|"))))  # type: ignore[misc]
                for idn, names, hh in rows]


def _reindex(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """The search rows of these households, rebuilt from the register as search.reindex does."""
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        marks = ",".join(map(str, chunk))
        conn.execute(f"DELETE FROM {SEARCH_TABLE} WHERE rowid IN ({marks})")
        names: dict[int, list[str]] = {}
        for hid, name, idn in conn.execute(f"SELECT household_id, full_name, id_number FROM member WHERE household_id "
                                           f"IN ({marks}) AND deleted_at IS NULL ORDER BY household_id, position"):
            names.setdefault(hid, []).extend((name, idn or ""))
        rows = [(hid, search_document(code, head, names.get(hid, []), (), hamlet, addr))
                for hid, code, head, addr, hamlet in conn.execute(
                    "SELECT h.id, h.code, h.head_name, h.address, ha.name FROM household h JOIN hamlet ha ON "
                    f"ha.id = h.hamlet_id WHERE h.id IN ({marks}) AND h.deleted_at IS NULL")]
        conn.executemany(f"INSERT INTO {SEARCH_TABLE}(rowid, text) VALUES (?, ?)", rows)

