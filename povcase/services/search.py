"""Finding households: diacritic-insensitive full-text search in SQL, filters, Vietnamese sort.

The index is an FTS5 table with one row per household (rowid = household.id) holding the *folded*
text of its code, head and member names, ID numbers, hamlet and address. Queries are folded the same
way, so "nguyen van duc", "Nguyễn Văn Đức" and "NGUYEN VAN DUC" find the same households. Each word
of the query is a prefix ("ngu" finds Nguyễn), and all words must match.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, case, func, or_, select, text
from sqlalchemy.orm import Session

from povcase.db.engine import Database
from povcase.db.models import (
    SEARCH_TABLE,
    EscapePlan,
    Hamlet,
    Household,
    Member,
    PlanAction,
    PlanGoal,
    Sponsor,
    SponsorAssignment,
)
from povcase.domain.text import fold, search_tokens
from povcase.services.dto import HouseholdRow, Page


def search_document(code: str, head: str, names: Iterable[str], id_numbers: Iterable[str],
                    hamlet: str, address: str) -> str:
    """The folded text a household is found by."""
    parts = [code, head, *names, *id_numbers, hamlet, address]
    return fold(" ".join(p for p in parts if p))


def match_expression(query: str) -> str | None:
    """FTS5 query: every folded word as a quoted prefix term, all required."""
    tokens = search_tokens(query)
    if not tokens:
        return None
    return " ".join(f'"{t}"*' for t in tokens)


def reindex(s: Session, household_ids: Sequence[int]) -> None:
    """Rewrite the search rows of some households from the register (deleted ones drop out)."""
    if not household_ids:
        return
    conn = s.connection()
    ids = list(household_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        conn.execute(text(f"DELETE FROM {SEARCH_TABLE} WHERE rowid IN ({','.join(map(str, chunk))})"))
        households = s.execute(
            select(Household.id, Household.code, Household.head_name, Household.address, Hamlet.name)
            .join(Hamlet, Hamlet.id == Household.hamlet_id)
            .where(Household.id.in_(chunk), Household.deleted_at.is_(None))).all()
        names: dict[int, list[str]] = {}
        for hid, name, idn in s.execute(select(Member.household_id, Member.full_name, Member.id_number)
                                        .where(Member.household_id.in_(chunk), Member.deleted_at.is_(None))):
            names.setdefault(hid, []).extend([name, idn or ""])
        rows = [{"rowid": hid, "text": search_document(code, head, names.get(hid, []), (), hamlet, addr)}
                for hid, code, head, addr, hamlet in households]
        if rows:
            conn.execute(text(f"INSERT INTO {SEARCH_TABLE}(rowid, text) VALUES (:rowid, :text)"), rows)


POOR_STATUSES = ("poor", "near_poor")


class SortKey(StrEnum):
    CODE = "code"
    HEAD = "head"
    HAMLET = "hamlet"
    MEMBERS = "members"
    STATUS = "status"
    SCORE_B = "score_b"
    LAST_ASSESSED = "last_assessed"


_SORT_COLUMNS: dict[SortKey, Any] = {
    SortKey.CODE: Household.code,
    SortKey.HEAD: Household.head_sort,
    SortKey.HAMLET: Hamlet.sort_key,
    SortKey.MEMBERS: Household.members_count,
    # Worst first: poor, near-poor, middle, not poor, never assessed.
    SortKey.STATUS: case({"poor": 0, "near_poor": 1, "middle": 2, "not_poor": 3}, value=Household.status, else_=4),
    SortKey.SCORE_B: Household.score_b,
    SortKey.LAST_ASSESSED: Household.last_assessed_on,
}


@dataclass(frozen=True)
class HouseholdFilter:
    text: str = ""
    hamlet_uuids: tuple[str, ...] = ()
    # poor, near_poor, middle, not_poor, none (never assessed), escaped (out of poverty this year)
    statuses: tuple[str, ...] = ()
    year: int | None = None
    standard: str | None = None
    ethnicity_group: str | None = None
    no_sponsor: bool = False  # nobody follows the household on `today` (giảm nghèo theo địa chỉ)
    overdue: bool = False  # an escape-plan action still open past its due date on `today`
    today: date | None = None  # for the two above; None means the real today
    include_deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class SearchService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _query(self, f: HouseholdFilter, columns: Sequence[Any], join_hamlet: bool = True) -> Select[Any]:
        q = select(*columns).select_from(Household)
        if join_hamlet or f.hamlet_uuids:
            q = q.join(Hamlet, Hamlet.id == Household.hamlet_id)
        if not f.include_deleted:
            q = q.where(Household.deleted_at.is_(None))
        match = match_expression(f.text)
        if match is not None:
            q = q.where(Household.id.in_(
                text(f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :match")
                .bindparams(match=match)))
        if f.hamlet_uuids:
            q = q.where(Hamlet.uuid.in_(f.hamlet_uuids))
        if f.statuses:
            known = [s for s in f.statuses if s not in ("none", "escaped")]
            cond = Household.status.in_(known)
            if "none" in f.statuses:
                cond = cond | Household.status.is_(None)
            if "escaped" in f.statuses:
                # Escaped this year: poor or near-poor before this year's assessment, above the line now.
                cond = cond | (Household.previous_status.in_(POOR_STATUSES)
                               & Household.status.in_(("middle", "not_poor")))
            q = q.where(cond)
        if f.year is not None:
            q = q.where(Household.status_year == f.year)
        if f.standard:
            q = q.where(Household.status_standard == f.standard)
        if f.ethnicity_group:
            q = q.where(Household.ethnicity_group == f.ethnicity_group)
        today = f.today or date.today()
        if f.no_sponsor:
            q = q.where(Household.id.not_in(_followed(today)))
        if f.overdue:
            q = q.where(Household.id.in_(
                select(EscapePlan.household_id).join(PlanGoal, PlanGoal.plan_id == EscapePlan.id)
                .join(PlanAction, PlanAction.goal_id == PlanGoal.id)
                .where(EscapePlan.deleted_at.is_(None), PlanGoal.deleted_at.is_(None),
                       PlanAction.deleted_at.is_(None), PlanAction.status.in_(("planned", "in_progress")),
                       PlanAction.due_on < today)))
        return q

    def status_counts(self, f: HouseholdFilter) -> dict[str | None, int]:
        """How many matching households have each status (None = never assessed): the status bar."""
        with self.db.reading() as s:
            q = self._query(f, [Household.status, func.count()], join_hamlet=False).group_by(Household.status)
            return dict(s.execute(q).all())  # type: ignore[arg-type]

    def ethnicity_groups(self) -> list[str]:
        """The ethnic groups present in the register, for the filter."""
        with self.db.reading() as s:
            return list(s.scalars(select(Household.ethnicity_group).where(Household.deleted_at.is_(None))
                                  .distinct().order_by(Household.ethnicity_group)))

    def count(self, f: HouseholdFilter) -> int:
        with self.db.reading() as s:
            return self._count(s, f)

    def _count(self, s: Session, f: HouseholdFilter) -> int:
        match = match_expression(f.text)
        if match is not None and replace(f, today=None) == HouseholdFilter(text=f.text):
            # Text alone: the index holds exactly the live households, so it can count by itself.
            return s.execute(text(f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :m"),
                             {"m": match}).scalar_one()
        return s.scalar(self._query(f, [func.count()], join_hamlet=False)) or 0

    def ids(self, f: HouseholdFilter, sort: SortKey = SortKey.HEAD, descending: bool = False) -> list[int]:
        """Every matching household id in display order: what a lazy list model holds."""
        return self.ids_and_counts(f, sort, descending)[0]

    def ids_and_counts(self, f: HouseholdFilter, sort: SortKey = SortKey.HEAD, descending: bool = False
                       ) -> tuple[list[int], dict[str | None, int]]:
        """The ids in display order and how many have each status, from one pass over the matches
        (a second query for the status bar would double the time of a broad search)."""
        order = _order(sort, descending)
        # Only a hamlet filter or the hamlet order needs the join; without it SQLite reads the order
        # straight from a live-household index.
        stmt = self._query(f, [Household.id, Household.status], join_hamlet=sort is SortKey.HAMLET).order_by(*order)
        # 300,000 ids through the ORM cost ~0.3 s; compiled once and read from the DB-API cursor, ~0.05 s.
        compiled = stmt.compile(dialect=self.db.engine.dialect, compile_kwargs={"render_postcompile": True})
        params = compiled.construct_params()
        # Dates as SQLAlchemy stores them in SQLite (ISO text): these bypass its bind processors.
        args = [_sql_param(params[name]) for name in compiled.positiontup or ()]
        with self.db.reading() as s:
            rows = s.connection().connection.driver_connection.execute(str(compiled), args).fetchall()
        ids = [row[0] for row in rows]
        counts = Counter(row[1] for row in rows)
        return ids, dict(counts)

    def rows(self, ids: Sequence[int]) -> list[HouseholdRow]:
        """The list rows for some ids, in the order asked."""
        if not ids:
            return []
        with self.db.reading() as s:
            found = {r.id: r for r in s.execute(
                select(Household.id, Household.uuid, Household.code, Household.head_name, Hamlet.name,
                       Household.members_count, Household.status, Household.status_year, Household.score_b,
                       Household.deprived, Household.last_assessed_on, Household.ethnicity_group)
                .join(Hamlet, Hamlet.id == Household.hamlet_id).where(Household.id.in_(list(ids))))}
            sponsors = _sponsor_names(s, ids, date.today())
        return [_row(found[i], sponsors.get(i, "")) for i in ids if i in found]

    def search(self, f: HouseholdFilter, sort: SortKey = SortKey.HEAD, descending: bool = False,
               offset: int = 0, limit: int = 100) -> Page:
        """One page of results and the total: what the command line and a first screen need."""
        order = _order(sort, descending)
        cols = [Household.id, Household.uuid, Household.code, Household.head_name, Hamlet.name,
                Household.members_count, Household.status, Household.status_year, Household.score_b,
                Household.deprived, Household.last_assessed_on, Household.ethnicity_group]
        with self.db.reading() as s:
            total = self._count(s, f)
            rows = s.execute(self._query(f, cols).order_by(*order).offset(offset).limit(limit)).all()
            sponsors = _sponsor_names(s, [r[0] for r in rows], f.today or date.today())
        return Page(total=total, rows=tuple(_row(r, sponsors.get(r[0], "")) for r in rows))


def _order(sort: SortKey, descending: bool) -> list[Any]:
    """ORDER BY for a sort key, with tie-breakers in the same direction. By head: head, status, id —
    exactly the live-head index, so 300,000 rows come out of it without a sort step."""
    keys = [_SORT_COLUMNS[sort]]
    if sort is SortKey.HEAD:
        keys.append(Household.status)
    keys.append(Household.id)
    return [k.desc() if descending else k.asc() for k in keys]


def _sql_param(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _followed(today: date) -> Select[Any]:
    """Ids of households a live sponsor follows on `today`."""
    return (select(SponsorAssignment.household_id).join(Sponsor, Sponsor.id == SponsorAssignment.sponsor_id)
            .where(SponsorAssignment.deleted_at.is_(None), Sponsor.deleted_at.is_(None),
                   SponsorAssignment.start_on <= today,
                   or_(SponsorAssignment.end_on.is_(None), SponsorAssignment.end_on > today)))


def _sponsor_names(s: Session, ids: Sequence[int], today: date) -> dict[int, str]:
    rows = s.execute(select(SponsorAssignment.household_id, Sponsor.name)
                     .join(Sponsor, Sponsor.id == SponsorAssignment.sponsor_id)
                     .where(SponsorAssignment.household_id.in_(list(ids)), SponsorAssignment.deleted_at.is_(None),
                            Sponsor.deleted_at.is_(None), SponsorAssignment.start_on <= today,
                            or_(SponsorAssignment.end_on.is_(None), SponsorAssignment.end_on > today))
                     .order_by(SponsorAssignment.start_on))
    return dict(rows.all())  # type: ignore[arg-type]


def _row(r: Any, sponsor: str = "") -> HouseholdRow:
    return HouseholdRow(id=r[0], uuid=r[1], code=r[2], head_name=r[3], hamlet_name=r[4], members_count=r[5],
                        status=r[6], status_year=r[7], score_b=r[8],
                        deprived=tuple(c for c in (r[9] or "").split(",") if c), last_assessed_on=r[10],
                        ethnicity_group=r[11], sponsor=sponsor)
