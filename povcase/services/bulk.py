"""Loading many households at once (demo communes, Excel imports, sync packages at the office).

The same validation and row builders as one-at-a-time saves, but written with `executemany` on one
connection in batches, so 300,000 households load at close to SQLite's own speed. Audit: one row per
household ("created with N members, bulk load <id>") rather than one per field, which would triple
the write volume for no reader's benefit; the load itself is logged as one event.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from datetime import date
from itertools import islice
from operator import itemgetter

from sqlalchemy import select

from povcase.db.engine import Database
from povcase.db.models import SEARCH_TABLE, Commune, Hamlet, new_uuid, utcnow
from povcase.errors import N_, FieldProblem, PovcaseError, ValidationError
from povcase.services.base import Actor, guard_raw_connection
from povcase.services.dto import AssessmentInput, HouseholdInput
from povcase.services.households import (
    assessment_row,
    check_assessment,
    clean_household,
    evaluate,
    head_of,
    household_row,
    member_row,
    require_writer,
    status_columns,
)
from povcase.services.search import search_document

BATCH = 5000


@dataclass(frozen=True)
class BulkHousehold:
    household: HouseholdInput
    assessments: tuple[AssessmentInput, ...] = ()


@dataclass(frozen=True)
class BulkResult:
    households: int
    members: int
    assessments: int
    load_id: str


def _chunks[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


_H_COLS = ("id", "uuid", "commune_id", "hamlet_id", "code", "head_name", "head_sort", "address", "area",
           "ethnicity_group", "phone", "notes", "house_area_m2", "house_quality", "safe_water",
           "hygienic_latrine", "uses_telecom", "has_information_device", "hears_loudspeaker", "waste_treated",
           "overrides", "members_count", "status", "previous_status", "status_standard", "status_year", "score_b", "deprived",
           "last_assessed_on", "created_at", "updated_at", "revision")
_M_COLS = ("uuid", "household_id", "position", "full_name", "name_sort", "sex", "birth_date", "relation",
           "id_number", "ethnicity", "in_school", "qualification", "employment", "able_to_work",
           "has_health_insurance", "disabled", "social_allowance", "stunted_or_underweight", "notes",
           "created_at", "updated_at", "revision")
_A_COLS = ("uuid", "household_id", "assessed_on", "standard", "area", "income_per_capita", "score_a", "score_b",
           "deprivation_count", "classification", "basis", "indicators", "members_count", "assessor", "notes",
           "created_at", "updated_at", "revision")


# Rows become tuples in column order with one C call each; dates are turned into ISO text (what
# SQLAlchemy stores) just before, on the few date columns, rather than testing every value.
_H_GET = itemgetter(*_H_COLS)
_M_GET = itemgetter(*_M_COLS)
_A_GET = itemgetter(*_A_COLS)


# A load at least this big (and at least as big as the register) drops the secondary indexes and builds
# them again at the end, inside the same transaction: SQLite inserting random keys into five indexes
# costs more than sorting them once. A small load into a big register keeps them.
REBUILD_INDEXES_FROM = 20_000
_LOADED_TABLES = ("household", "member", "assessment", "audit_log")


def _drop_secondary_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the non-unique indexes of the loaded tables; returns the statements that rebuild them."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
        f"({','.join('?' * len(_LOADED_TABLES))}) AND sql NOT LIKE 'CREATE UNIQUE%'", _LOADED_TABLES).fetchall()
    for name, _sql in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


def _insert_sql(table: str, cols: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"


def bulk_load(db: Database, actor: Actor, commune_code: str, items: Iterable[BulkHousehold],
              today: date | None = None, progress: Callable[[int], bool] | None = None,
              uuid_factory: Callable[[], str] = new_uuid, count_hint: int | None = None) -> BulkResult:
    """Validate and insert households (with members and assessments) in one transaction.

    All or nothing: a bad household anywhere rolls the whole load back and the ValidationError
    names it (``households[1234].members[0].id_number``). `progress(done)` may return False to cancel,
    which also rolls back. `count_hint` says how many a generator will yield (a list says it itself),
    so a big load can build its indexes once at the end. `uuid_factory` lets the demo generator make the same UUIDs from the same seed.
    """
    require_writer(actor)
    today = today or date.today()
    with db.reading() as s:
        commune = s.scalar(select(Commune).where(Commune.code == commune_code))
        if commune is None:
            raise PovcaseError(N_("No commune with code {code} in the official list"), code=commune_code)
        hamlets = {h.uuid: (h.id, h.name) for h in s.scalars(select(Hamlet).where(Hamlet.commune_id == commune.id))}
        commune_id = commune.id
    load_id = uuid_factory()
    now = utcnow().isoformat(sep=" ")  # as SQLAlchemy stores DateTime in SQLite
    conn = db.raw_connection()
    counts = [0, 0, 0]
    try:
        conn.execute("BEGIN IMMEDIATE")
        guard_raw_connection(conn)  # an office's households come only from the communes' packages
        next_id = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM household").fetchone()[0]) + 1
        # Codes are unique per commune, deleted households included: clashes are the caller's input
        # errors (named by index), not an IntegrityError halfway through.
        codes = {r[0] for r in conn.execute("SELECT code FROM household WHERE commune_id = ?", (commune_id,))}
        existing = conn.execute("SELECT count(*) FROM household").fetchone()[0]
        expected = len(items) if isinstance(items, Sized) else count_hint
        rebuild = _drop_secondary_indexes(conn) if (
            expected is not None and expected >= max(REBUILD_INDEXES_FROM, existing)) else []
        h_sql, m_sql, a_sql = (_insert_sql("household", _H_COLS), _insert_sql("member", _M_COLS),
                               _insert_sql("assessment", _A_COLS))
        s_sql = f"INSERT INTO {SEARCH_TABLE}(rowid, text) VALUES (?, ?)"
        audit_sql = ("INSERT INTO audit_log (at, actor, role, action, record_type, record_uuid, field, old, new, note)"
                     " VALUES (?, ?, ?, 'create', 'household', ?, NULL, NULL, ?, ?)")
        for chunk in _chunks(enumerate(items), BATCH):
            h_rows, m_rows, a_rows, s_rows, audit_rows = [], [], [], [], []
            for index, item in chunk:
                try:
                    h = clean_household(item.household, today)
                except ValidationError as e:
                    raise ValidationError([FieldProblem(f"households[{index}].{p.field}", p.msgid, p.params)
                                           for p in e.problems]) from None
                if h.hamlet_uuid not in hamlets:
                    raise ValidationError([FieldProblem(f"households[{index}].hamlet",
                                                        N_("Choose a hamlet of this commune"))])
                if h.code is None:
                    raise ValidationError([FieldProblem(f"households[{index}].code", N_("Required"))])
                if h.code in codes:
                    raise ValidationError([FieldProblem(f"households[{index}].code",
                                                        N_("Household code {code} is already used"),
                                                        {"code": h.code})])
                codes.add(h.code)
                hid = next_id
                next_id += 1
                hamlet_id, hamlet_name = hamlets[h.hamlet_uuid]
                head = head_of(h.members)
                row = household_row(h, head)
                row.update(id=hid, uuid=uuid_factory(), commune_id=commune_id, hamlet_id=hamlet_id, code=h.code,
                           status=None, previous_status=None, status_standard=None, status_year=None, score_b=None, deprived="",
                           last_assessed_on=None, created_at=now, updated_at=now, revision=1)
                for k, a in sorted(enumerate(item.assessments), key=lambda ka: ka[1].assessed_on):
                    try:
                        std = check_assessment(a, today)
                        result = evaluate(std, h.area, h.members, h.housing,
                                          {c: o for c, o in h.overrides.items() if c in std.indicator_codes},
                                          a.assessed_on, a.income_per_capita, a.score_a, a.indicators)
                    except ValidationError as e:
                        raise ValidationError([FieldProblem(f"households[{index}].assessments[{k}].{p.field}",
                                                            p.msgid, p.params) for p in e.problems]) from None
                    arow = assessment_row(result, a, hid, len(h.members))
                    arow.update(uuid=uuid_factory(), created_at=now, updated_at=now, revision=1)
                    arow["assessed_on"] = arow["assessed_on"].isoformat()
                    a_rows.append(_A_GET(arow))
                    row.update(status_columns(result, a.assessed_on, row))
                if row["last_assessed_on"] is not None:
                    row["last_assessed_on"] = row["last_assessed_on"].isoformat()
                h_rows.append(_H_GET(row))
                names: list[str] = []
                for position, m in enumerate(h.members):
                    mrow = member_row(m, hid, position)
                    mrow.update(uuid=uuid_factory(), created_at=now, updated_at=now, revision=1)
                    if mrow["birth_date"] is not None:
                        mrow["birth_date"] = mrow["birth_date"].isoformat()
                    m_rows.append(_M_GET(mrow))
                    names.append(m.full_name)
                    if m.id_number:
                        names.append(m.id_number)
                s_rows.append((hid, search_document(h.code, head, names, (), hamlet_name, h.address)))
                audit_rows.append((now, actor.name, actor.role.value, row["uuid"],
                                   f"{len(h.members)} members", f"bulk load {load_id}"))
            conn.executemany(h_sql, h_rows)
            conn.executemany(m_sql, m_rows)
            if a_rows:
                conn.executemany(a_sql, a_rows)
            conn.executemany(s_sql, s_rows)
            conn.executemany(audit_sql, audit_rows)
            counts[0] += len(h_rows)
            counts[1] += len(m_rows)
            counts[2] += len(a_rows)
            if progress is not None and progress(counts[0]) is False:
                raise PovcaseError(N_("Cancelled; nothing was saved"))
        for create_index in rebuild:
            conn.execute(create_index)
        conn.execute(
            "INSERT INTO audit_log (at, actor, role, action, record_type, record_uuid, field, old, new, note)"
            " VALUES (?, ?, ?, 'bulk_load', 'commune', ?, NULL, NULL, ?, ?)",
            (now, actor.name, actor.role.value, None, f"{counts[0]} households, {counts[1]} members",
             f"bulk load {load_id}"))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return BulkResult(counts[0], counts[1], counts[2], load_id)

