"""Opening a register runs the migrations: schema at head, backups before real upgrades, pragmas,
and models that never drift from the migrations."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import exc, text

from povcase.db import migrate
from povcase.db.engine import Database
from povcase.db.models import SEARCH_TABLE, Base, Member
from povcase.paths import DB_FILENAME
from povcase.services.base import Actor
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from tests.conftest import COMMUNE_CODE, TODAY, sample_household

MODEL_TABLES = {"setting", "commune", "hamlet", "household", "member", "assessment", "audit_log", "account",
                "escape_plan", "plan_goal", "plan_action", "sponsor", "sponsor_assignment", "visit",
                "programme", "support_record", "loan", "loan_repayment", "review_round", "review_application",
                "review_entry", "village_meeting", "public_posting", "complaint", "upstream_opinion", "decision",
                "certificate", "sync_peer", "sync_package", "sync_state"}


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def _version(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    finally:
        conn.close()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _backups(home: Path) -> list[Path]:
    folder = home / "backups"
    return sorted(folder.glob("*.sqlite3")) if folder.exists() else []


def _fill(reg: Register, officer: Actor) -> str:
    reg.communes.setup_commune(officer, COMMUNE_CODE, [("Ấp Chợ", "ap")], "Thạch Thị Lan", "UBND tỉnh")
    hamlet = reg.communes.hamlets()[0]
    return reg.households.create(officer, sample_household(hamlet.uuid), today=TODAY).value.uuid


def test_open_empty_folder_creates_every_table_at_head(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    home.mkdir()
    reg = Register.open(home)
    try:
        db_file = home / DB_FILENAME
        tables = _tables(db_file)
        assert tables >= MODEL_TABLES | {SEARCH_TABLE, "alembic_version"}
        assert set(Base.metadata.tables) == MODEL_TABLES  # no table of the models is forgotten above
        with sqlite3.connect(db_file) as conn:
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (SEARCH_TABLE,)).fetchone()[0]
        assert "VIRTUAL TABLE" in sql.upper() and "fts5" in sql.lower()
        assert _version(db_file) == [migrate.head_revision()]
        assert migrate.current_revision(reg.db) == migrate.head_revision()
        # A brand-new register has nothing worth copying.
        assert reg.backup_taken is None
        assert _backups(home) == []
        # The search table works: a MATCH query runs.
        with reg.db.reading() as s:
            assert s.execute(text(f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH 'x*'")
                             ).scalar_one() == 0
    finally:
        reg.close()


def test_opening_again_is_a_no_op(tmp_path: Path, officer: Actor) -> None:
    home = tmp_path / "again"
    home.mkdir()
    reg = Register.open(home)
    uuid = _fill(reg, officer)
    reg.close()
    before_schema = _schema(home / DB_FILENAME)

    again = Register.open(home)
    try:
        assert again.backup_taken is None
        assert _backups(home) == []
        assert _version(home / DB_FILENAME) == [migrate.head_revision()]
        assert _schema(home / DB_FILENAME) == before_schema
        assert again.households.get(uuid).head_name == "Nguyễn Văn Đức"
    finally:
        again.close()


def _schema(path: Path) -> list[tuple[str, str, str | None]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master"))
    finally:
        conn.close()


def test_database_at_base_is_backed_up_before_upgrading(tmp_path: Path, officer: Actor) -> None:
    home = tmp_path / "downgraded"
    home.mkdir()
    reg = Register.open(home)
    command.downgrade(migrate.alembic_config(reg.db), "base")
    assert migrate.current_revision(reg.db) is None
    reg.close()
    assert SEARCH_TABLE not in _tables(home / DB_FILENAME)

    again = Register.open(home)
    try:
        copies = _backups(home)
        assert len(copies) == 1
        assert again.backup_taken == str(copies[0])
        assert f"before-{migrate.head_revision()}" in copies[0].name
        assert _integrity(copies[0]) == "ok"
        # The copy is the database as it was: at base, without the tables the upgrade adds back.
        assert "alembic_version" in _tables(copies[0])
        assert "household" not in _tables(copies[0])
        assert _version(copies[0]) == []
        # ... and the register itself is at head again.
        assert _tables(home / DB_FILENAME) >= MODEL_TABLES | {SEARCH_TABLE}
        assert _version(home / DB_FILENAME) == [migrate.head_revision()]
    finally:
        again.close()


_PROBE_REVISION = '''"""Test-only revision on top of the real head."""

import sqlalchemy as sa
from alembic import op

revision = "9999_probe"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("probe_upgrade", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("probe_upgrade")
'''


def test_older_revision_gets_a_consistent_backup_then_upgrades(
        tmp_path: Path, officer: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "older"
    home.mkdir()
    reg = Register.open(home)
    uuid = _fill(reg, officer)
    old_head = migrate.head_revision()
    # Keep the register open (WAL file beside it) while the newer program version starts.
    migrations = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "9999_probe.py").write_text(_PROBE_REVISION.format(down=old_head),
                                                           encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations)
    monkeypatch.setattr(migrate, "SCHEMA_HEAD", "9999_probe")
    assert migrate.head_revision() == "9999_probe"

    newer = Register.open(home)
    try:
        copies = _backups(home)
        assert len(copies) == 1
        assert newer.backup_taken == str(copies[0])
        assert "before-9999_probe" in copies[0].name
        assert _integrity(copies[0]) == "ok"
        # The copy is the database before the upgrade, data included.
        assert _version(copies[0]) == [old_head]
        assert "probe_upgrade" not in _tables(copies[0])
        with sqlite3.connect(copies[0]) as conn:
            assert conn.execute("SELECT head_name FROM household WHERE uuid = ?", (uuid,)).fetchone() == (
                "Nguyễn Văn Đức",)
        # The register itself moved on and kept its data.
        assert _version(home / DB_FILENAME) == ["9999_probe"]
        assert "probe_upgrade" in _tables(home / DB_FILENAME)
        assert newer.households.get(uuid).head_name == "Nguyễn Văn Đức"
    finally:
        newer.close()
        reg.close()


def test_backups_keep_only_the_newest(tmp_path: Path) -> None:
    home = tmp_path / "many"
    home.mkdir()
    reg = Register.open(home)
    try:
        folder = home / "backups"
        made = [migrate.backup(home / DB_FILENAME, folder, f"test{i}") for i in range(migrate.KEEP_BACKUPS + 3)]
        kept = _backups(home)
        assert len(kept) == migrate.KEEP_BACKUPS
        assert kept == sorted(p for p in made if p is not None)[-migrate.KEEP_BACKUPS:]
        assert all(_integrity(p) == "ok" for p in kept)
    finally:
        reg.close()


def test_wal_and_foreign_keys_on_every_connection(empty_register: Register) -> None:
    db = empty_register.db
    # Several pooled connections at once, so each one is a fresh DBAPI connection.
    conns = [db.engine.connect() for _ in range(3)]
    try:
        for conn in conns:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one().lower() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        for conn in conns:
            conn.close()
    with db.session() as s:
        assert s.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert s.execute(text("PRAGMA journal_mode")).scalar_one().lower() == "wal"
    raw = db.raw_connection()
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        raw.close()
    # A second Database on the same file (another process, the CLI) gets them too.
    other = Database(db.path)
    try:
        with other.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one().lower() == "wal"
    finally:
        other.close()


def test_foreign_keys_are_enforced(empty_register: Register) -> None:
    with pytest.raises(exc.IntegrityError), empty_register.db.session() as s:
        s.add(Member(uuid="f" * 32, household_id=4242, full_name="Ai Đó", name_sort="x"))
        s.flush()
    with empty_register.db.reading() as s:
        assert s.execute(text("SELECT count(*) FROM member")).scalar_one() == 0


def test_models_match_the_migrated_schema(empty_register: Register) -> None:
    """Nobody changes a model without writing the migration (and vice versa)."""
    with empty_register.db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": migrate.include_name,
                                                     "compare_type": True,
                                                     "compare_server_default": True})
        diffs = compare_metadata(ctx, Base.metadata)
    assert diffs == []


def test_compare_would_notice_a_model_change(empty_register: Register) -> None:
    """The check above can fail: a column only the models have shows up as a difference."""
    from sqlalchemy import Column, Integer, MetaData, Table

    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("household", metadata, Column("not_migrated", Integer), extend_existing=True)
    with empty_register.db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": migrate.include_name})
        diffs = compare_metadata(ctx, metadata)
    assert [(d[0], d[3].name) for d in diffs if d[0] == "add_column"] == [("add_column", "not_migrated")]


def test_autogenerate_filter_leaves_the_search_table_alone() -> None:
    for name in (SEARCH_TABLE, f"{SEARCH_TABLE}_data", f"{SEARCH_TABLE}_idx", f"{SEARCH_TABLE}_content"):
        assert migrate.include_name(name, "table", {}) is False
    for name in MODEL_TABLES:
        assert migrate.include_name(name, "table", {}) is True


def test_a_0001_register_with_data_upgrades_to_head_keeping_everything(tmp_path: Path, officer: Actor) -> None:
    """A commune that installed the first release: its households survive the 0002 upgrade, a backup is
    taken first, and the new column claims nothing about the past (previous_status NULL)."""
    home = tmp_path / "old"
    home.mkdir()
    db = Database(home / DB_FILENAME)
    command.upgrade(migrate.alembic_config(db), "0001")
    db.close()
    # Fill it with the 0001 schema through plain SQL, as the first release would have.
    conn = sqlite3.connect(home / DB_FILENAME)
    conn.executescript("""
        INSERT INTO commune (id, uuid, code, name, province_code, province_name, upstream_office, created_at,
                             updated_at, revision) VALUES (1, 'c1', '29461', 'Xã Trà Cú', '86', 'Tỉnh Vĩnh Long', '',
                             '2026-01-01', '2026-01-01', 1);
        INSERT INTO hamlet (id, uuid, commune_id, name, kind, sort_key, position, created_at, updated_at, revision)
               VALUES (1, 'h1', 1, 'Ấp Chợ', 'ap', 'x', 1, '2026-01-01', '2026-01-01', 1);
        INSERT INTO household (id, uuid, commune_id, hamlet_id, code, head_name, head_sort, address, area,
               ethnicity_group, phone, notes, overrides, members_count, status, status_year, deprived, created_at,
               updated_at, revision) VALUES (1, 'hh1', 1, 1, '29461-01-0001', 'Thạch Văn Sang', 'k', '', 'rural',
               'Khmer', '', '', '{}', 1, 'poor', 2025, 'water', '2026-01-01', '2026-01-01', 1);
        INSERT INTO household_search(rowid, text) VALUES (1, '29461 01 0001 thach van sang');
    """)
    conn.commit()
    conn.close()
    reg = Register.open(home)
    try:
        assert reg.backup_taken is not None
        assert _version(Path(reg.backup_taken)) == ["0001"]
        assert _version(home / DB_FILENAME) == [migrate.head_revision()]
        h = reg.households.get("hh1")
        assert h.head_name == "Thạch Văn Sang" and h.status == "poor" and h.status_year == 2025
        with reg.db.reading() as s:
            assert s.execute(text("SELECT previous_status FROM household WHERE uuid='hh1'")).scalar() is None
        assert reg.search.count(HouseholdFilter(text="thach sang")) == 1
    finally:
        reg.close()


def test_schema_head_constant_names_the_newest_migration() -> None:
    """Start-up skips Alembic when the stamp equals SCHEMA_HEAD: it must be the real head."""
    assert migrate.head_revision() == migrate.SCHEMA_HEAD


def test_a_0006_register_gets_its_decision_links_on_upgrade(tmp_path: Path, officer: Actor) -> None:
    """0007 stores which decision decided an application and a list entry; registers decided before it
    get the links filled once from the decision dates."""
    from datetime import date

    from povcase.services.dto import AssessmentInput

    home = tmp_path / "decided"
    home.mkdir()
    reg = Register.open(home)
    uuid = _fill(reg, officer)
    reg.households.assess(officer, uuid, AssessmentInput(date(2025, 10, 1), income_per_capita=5_000_000), today=TODAY)
    app = reg.review.record_application(officer, uuid, "01", date(2026, 11, 3), "Nguyễn Văn Đức", today=TODAY).value
    reg.review.survey_application(officer, app.uuid, AssessmentInput(date(2026, 11, 10), income_per_capita=1_000_000),
                                  today=TODAY)
    reg.review.decide_application(officer, app.uuid, "recognised", TODAY, number="12/QĐ-UBND", today=TODAY)
    command.downgrade(migrate.alembic_config(reg.db), "0006")
    reg.close()
    assert _version(home / DB_FILENAME) == ["0006"]

    upgraded = Register.open(home)
    try:
        assert _version(home / DB_FILENAME) == ["0007"]
        with upgraded.db.reading() as s:
            linked = s.execute(text("SELECT d.number FROM review_application a JOIN decision d "
                                    "ON d.id = a.decision_id")).scalars().all()
            entries = s.execute(text("SELECT state, decision_id IS NOT NULL FROM review_entry")).all()
        assert linked == ["12/QĐ-UBND"] and entries == [("decided", 1)]
        assert upgraded.review.applications(TODAY)[0].application.decision_number == "12/QĐ-UBND"
    finally:
        upgraded.close()
