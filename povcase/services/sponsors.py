"""Sponsors ("giảm nghèo theo địa chỉ"): who helps which household, since when, and their visits.

Reassigning a household ends the current assignment on the new one's start date; the old row stays,
so the history of who followed the household is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from povcase.db.engine import Database
from povcase.db.models import Hamlet, Household, Sponsor, SponsorAssignment, Visit, new_uuid, utcnow
from povcase.domain.plans import SponsorKind, visit_due_on
from povcase.domain.text import nfc, person_sort_key
from povcase.domain.validation import check_phone
from povcase.errors import N_, FieldProblem, NotFoundError, ValidationError
from povcase.services.base import Actor, Auditor, Result
from povcase.services.households import require_writer
from povcase.services.plans import apply_values, load_household

_KINDS = frozenset(k.value for k in SponsorKind)
_SPONSOR_FIELDS = ("kind", "name", "organisation", "phone", "notes")


@dataclass(frozen=True)
class SponsorInput:
    kind: str
    name: str
    organisation: str = ""
    phone: str = ""
    notes: str = ""


@dataclass(frozen=True)
class SponsorDTO:
    uuid: str
    kind: str
    name: str
    organisation: str
    phone: str
    notes: str
    revision: int


@dataclass(frozen=True)
class AssignmentDTO:
    uuid: str
    sponsor_uuid: str
    sponsor_name: str
    household_uuid: str
    start_on: date
    end_on: date | None
    notes: str


@dataclass(frozen=True)
class VisitInput:
    visited_on: date
    notes: str = ""
    follow_up: str = ""
    next_visit_due: date | None = None
    sponsor_uuid: str | None = None  # None: the household's current sponsor


@dataclass(frozen=True)
class VisitDTO:
    uuid: str
    household_uuid: str
    sponsor_uuid: str | None
    sponsor_name: str
    visited_on: date
    notes: str
    follow_up: str
    next_visit_due: date | None


@dataclass(frozen=True)
class CaseloadRow:
    sponsor_uuid: str
    name: str
    kind: str
    organisation: str
    households: int
    last_visit: date | None
    overdue_visits: int


@dataclass(frozen=True)
class HouseholdRef:
    uuid: str
    code: str
    head_name: str
    hamlet_name: str
    status: str | None


def clean_sponsor(x: SponsorInput) -> SponsorInput:
    problems: list[FieldProblem] = []
    name = nfc(x.name)
    if not name:
        problems.append(FieldProblem("name", N_("Required")))
    elif len(name) > 200:
        problems.append(FieldProblem("name", N_("At most {n} characters"), {"n": 200}))
    if x.kind not in _KINDS:
        problems.append(FieldProblem("kind", N_("Must be one of: {choices}"),
                                     {"choices": ", ".join(k.value for k in SponsorKind)}))
    if (bad := check_phone("phone", x.phone)):
        problems.append(bad)
    if problems:
        raise ValidationError(problems)
    return SponsorInput(x.kind, name, nfc(x.organisation), nfc(x.phone), x.notes.strip())


def current_assignments(s: Session, today: date) -> Select[tuple[SponsorAssignment]]:
    """Assignments in force on `today` (started, not ended), of live sponsors and households."""
    return (select(SponsorAssignment)
            .join(Sponsor, Sponsor.id == SponsorAssignment.sponsor_id)
            .join(Household, Household.id == SponsorAssignment.household_id)
            .where(SponsorAssignment.deleted_at.is_(None), Sponsor.deleted_at.is_(None),
                   Household.deleted_at.is_(None), SponsorAssignment.start_on <= today,
                   or_(SponsorAssignment.end_on.is_(None), SponsorAssignment.end_on > today)))


def household_visit_due(s: Session, a: SponsorAssignment) -> tuple[date | None, date]:
    """(last visit, next visit due) for the household of an assignment."""
    last = s.execute(select(Visit.visited_on, Visit.next_visit_due)
                     .where(Visit.household_id == a.household_id, Visit.deleted_at.is_(None))
                     .order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(1)).first()
    last_on, next_due = (last[0], last[1]) if last else (None, None)
    if last_on is not None and last_on < a.start_on:
        # A visit by an earlier sponsor: the new one starts its own clock.
        return last_on, visit_due_on(a.start_on, None, None)
    return last_on, visit_due_on(a.start_on, last_on, next_due)


class SponsorService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # sponsors
    def list(self, include_deleted: bool = False) -> list[SponsorDTO]:
        with self.db.reading() as s:
            q = select(Sponsor).order_by(Sponsor.name_sort, Sponsor.id)
            if not include_deleted:
                q = q.where(Sponsor.deleted_at.is_(None))
            return [self._dto(x) for x in s.scalars(q)]

    def get(self, uuid: str) -> SponsorDTO:
        with self.db.reading() as s:
            return self._dto(self._load(s, uuid))

    def create(self, actor: Actor, x: SponsorInput) -> Result[SponsorDTO]:
        require_writer(actor)
        clean = clean_sponsor(x)
        with self.db.session() as s:
            audit = Auditor(s, actor)
            values = {f: getattr(clean, f) for f in _SPONSOR_FIELDS}
            row = Sponsor(uuid=new_uuid(), name_sort=person_sort_key(clean.name), **values)
            s.add(row)
            s.flush()
            audit.created("sponsor", row.uuid, values)
            dto = self._dto(row)
        return Result(dto, audit.changes)

    def update(self, actor: Actor, uuid: str, x: SponsorInput) -> Result[SponsorDTO]:
        require_writer(actor)
        clean = clean_sponsor(x)
        with self.db.session() as s:
            row = self._load(s, uuid)
            audit = Auditor(s, actor)
            audit.updated("sponsor", row.uuid, apply_values(row, {f: getattr(clean, f) for f in _SPONSOR_FIELDS}))
            row.name_sort = person_sort_key(row.name)
            dto = self._dto(row)
        return Result(dto, audit.changes)

    def delete(self, actor: Actor, uuid: str, reason: str) -> Result[SponsorDTO]:
        require_writer(actor)
        if len(nfc(reason)) < 3:
            raise ValidationError([FieldProblem("reason", N_("Say why the sponsor is removed"))])
        with self.db.session() as s:
            row = self._load(s, uuid)
            audit = Auditor(s, actor)
            row.deleted_at = utcnow()
            row.updated_at = row.deleted_at
            row.revision += 1
            audit.deleted("sponsor", row.uuid, nfc(reason))
            dto = self._dto(row)
        return Result(dto, audit.changes)

    # assignments
    def assign(self, actor: Actor, sponsor_uuid: str, household_uuid: str, start_on: date,
               notes: str = "") -> Result[AssignmentDTO]:
        """Assign a sponsor from `start_on`, ending the household's current assignment that day."""
        require_writer(actor)
        with self.db.session() as s:
            sponsor = self._load(s, sponsor_uuid)
            h = load_household(s, household_uuid)
            open_rows = s.scalars(select(SponsorAssignment).where(
                SponsorAssignment.household_id == h.id, SponsorAssignment.deleted_at.is_(None),
                or_(SponsorAssignment.end_on.is_(None), SponsorAssignment.end_on > start_on))).all()
            problems = []
            for old in open_rows:
                if old.start_on >= start_on:
                    problems.append(FieldProblem("start_on", N_("Must be after the current sponsor's start, {date}"),
                                                 {"date": old.start_on.isoformat()}))
                elif old.sponsor_id == sponsor.id and old.end_on is None:
                    problems.append(FieldProblem("sponsor", N_("This sponsor already follows the household")))
            if problems:
                raise ValidationError(problems)
            audit = Auditor(s, actor)
            for old in open_rows:
                audit.updated("sponsor_assignment", old.uuid, apply_values(old, {"end_on": start_on}))
            row = SponsorAssignment(uuid=new_uuid(), sponsor_id=sponsor.id, household_id=h.id, start_on=start_on,
                                    notes=nfc(notes))
            s.add(row)
            s.flush()
            audit.created("sponsor_assignment", row.uuid, {"sponsor": sponsor.name, "household": h.code,
                                                            "start_on": start_on, "notes": row.notes})
            dto = AssignmentDTO(row.uuid, sponsor.uuid, sponsor.name, h.uuid, start_on, None, row.notes)
        return Result(dto, audit.changes)

    def end_assignment(self, actor: Actor, household_uuid: str, end_on: date) -> Result[AssignmentDTO | None]:
        """The household no longer has a sponsor from `end_on` (e.g. it escaped poverty)."""
        require_writer(actor)
        with self.db.session() as s:
            h = load_household(s, household_uuid)
            audit = Auditor(s, actor)
            row = s.scalar(select(SponsorAssignment).where(SponsorAssignment.household_id == h.id,
                                                          SponsorAssignment.deleted_at.is_(None),
                                                          SponsorAssignment.end_on.is_(None)))
            if row is None:
                return Result(None, audit.changes)
            if end_on < row.start_on:
                raise ValidationError([FieldProblem("end_on", N_("Cannot be before the start date"))])
            audit.updated("sponsor_assignment", row.uuid, apply_values(row, {"end_on": end_on}))
            dto = self._assignment_dto(s, row, h.uuid)
        return Result(dto, audit.changes)

    def history(self, household_uuid: str) -> list[AssignmentDTO]:
        """Every sponsor the household has had, oldest first."""
        with self.db.reading() as s:
            h = load_household(s, household_uuid)
            rows = s.scalars(select(SponsorAssignment).where(SponsorAssignment.household_id == h.id,
                                                            SponsorAssignment.deleted_at.is_(None))
                             .order_by(SponsorAssignment.start_on, SponsorAssignment.id)).all()
            return [self._assignment_dto(s, r, h.uuid) for r in rows]

    def current(self, household_uuid: str, today: date) -> AssignmentDTO | None:
        with self.db.reading() as s:
            h = load_household(s, household_uuid)
            row = s.scalar(current_assignments(s, today).where(SponsorAssignment.household_id == h.id))
            return self._assignment_dto(s, row, h.uuid) if row else None

    # visits
    def record_visit(self, actor: Actor, household_uuid: str, v: VisitInput,
                     today: date | None = None) -> Result[VisitDTO]:
        require_writer(actor)
        today = today or date.today()
        with self.db.session() as s:
            h = load_household(s, household_uuid)
            problems = []
            if v.visited_on > today:
                problems.append(FieldProblem("visited_on", N_("Cannot be in the future")))
            if v.next_visit_due is not None and v.next_visit_due <= v.visited_on:
                problems.append(FieldProblem("next_visit_due", N_("Must be after the visit date")))
            sponsor = self._load(s, v.sponsor_uuid) if v.sponsor_uuid else None
            assignment = s.scalar(current_assignments(s, v.visited_on)
                                  .where(SponsorAssignment.household_id == h.id))
            if sponsor is None and assignment is not None:
                sponsor = s.get(Sponsor, assignment.sponsor_id)
            if assignment is not None and sponsor is not None and assignment.sponsor_id != sponsor.id:
                assignment = None
            if problems:
                raise ValidationError(problems)
            audit = Auditor(s, actor)
            row = Visit(uuid=new_uuid(), household_id=h.id, sponsor_id=sponsor.id if sponsor else None,
                        assignment_id=assignment.id if assignment else None, visited_on=v.visited_on,
                        notes=v.notes.strip(), follow_up=v.follow_up.strip(), next_visit_due=v.next_visit_due)
            s.add(row)
            s.flush()
            audit.created("visit", row.uuid, {"household": h.code, "sponsor": sponsor.name if sponsor else None,
                                              "visited_on": row.visited_on, "notes": row.notes,
                                              "follow_up": row.follow_up, "next_visit_due": row.next_visit_due})
            dto = self._visit_dto(row, h.uuid, sponsor)
        return Result(dto, audit.changes)

    def visits(self, household_uuid: str) -> list[VisitDTO]:
        """The household's visits, newest first."""
        with self.db.reading() as s:
            h = load_household(s, household_uuid)
            rows = s.scalars(select(Visit).where(Visit.household_id == h.id, Visit.deleted_at.is_(None))
                             .order_by(Visit.visited_on.desc(), Visit.id.desc())).all()
            return [self._visit_dto(r, h.uuid, s.get(Sponsor, r.sponsor_id) if r.sponsor_id else None) for r in rows]

    # views
    def caseload(self, today: date | None = None) -> list[CaseloadRow]:
        """Per live sponsor: households followed today, the last visit, and how many visits are overdue."""
        today = today or date.today()
        with self.db.reading() as s:
            per: dict[int, list[SponsorAssignment]] = {}
            for a in s.scalars(current_assignments(s, today)):
                per.setdefault(a.sponsor_id, []).append(a)
            out = []
            for sp in s.scalars(select(Sponsor).where(Sponsor.deleted_at.is_(None))
                                .order_by(Sponsor.name_sort, Sponsor.id)):
                last = s.scalar(select(Visit.visited_on).where(Visit.sponsor_id == sp.id, Visit.deleted_at.is_(None))
                                .order_by(Visit.visited_on.desc()).limit(1))
                overdue = sum(1 for a in per.get(sp.id, []) if household_visit_due(s, a)[1] < today)
                out.append(CaseloadRow(sp.uuid, sp.name, sp.kind, sp.organisation, len(per.get(sp.id, [])), last,
                                       overdue))
            return out

    def households_without_sponsor(self, today: date | None = None,
                                   statuses: tuple[str, ...] | None = ("poor", "near_poor")) -> list[HouseholdRef]:
        """Live households (poor and near-poor by default; None: all) nobody follows today."""
        today = today or date.today()
        with self.db.reading() as s:
            followed = select(SponsorAssignment.household_id).where(
                SponsorAssignment.id.in_(current_assignments(s, today).with_only_columns(SponsorAssignment.id)))
            q = (select(Household.uuid, Household.code, Household.head_name, Hamlet.name, Household.status)
                 .join(Hamlet, Hamlet.id == Household.hamlet_id)
                 .where(Household.deleted_at.is_(None), Household.id.not_in(followed))
                 .order_by(Household.code))
            if statuses is not None:
                q = q.where(Household.status.in_(statuses))
            return [HouseholdRef(*r) for r in s.execute(q)]

    # internals
    def _load(self, s: Session, uuid: str) -> Sponsor:
        row = s.scalar(select(Sponsor).where(Sponsor.uuid == uuid))
        if row is None or row.deleted_at is not None:
            raise NotFoundError(N_("No sponsor with id {uuid}"), uuid=uuid)
        return row

    @staticmethod
    def _dto(x: Sponsor) -> SponsorDTO:
        return SponsorDTO(x.uuid, x.kind, x.name, x.organisation, x.phone, x.notes, x.revision)

    @staticmethod
    def _assignment_dto(s: Session, a: SponsorAssignment, household_uuid: str) -> AssignmentDTO:
        sp = s.get(Sponsor, a.sponsor_id)
        assert sp is not None
        return AssignmentDTO(a.uuid, sp.uuid, sp.name, household_uuid, a.start_on, a.end_on, a.notes)

    @staticmethod
    def _visit_dto(v: Visit, household_uuid: str, sponsor: Sponsor | None) -> VisitDTO:
        return VisitDTO(v.uuid, household_uuid, sponsor.uuid if sponsor else None, sponsor.name if sponsor else "",
                        v.visited_on, v.notes, v.follow_up, v.next_visit_due)
