"""Review rounds (rà soát, DOMAIN.md §2): the list, surveys, village meetings, posting, complaints,
the upstream opinion, the chairman's decision and the certificates; and monthly applications.

Statuses change only with the decision. `survey` records the assessment without touching the
household's list columns (unlike `HouseholdService.assess`, which updates them at once); `link_survey`
takes an existing assessment by uuid. The decision is refused, with the reasons, while any household on
the list has no survey, no passed village meeting or an open complaint, or while the list has not been
posted or the upstream office's opinion is missing; recording the same decision number again changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from povcase.db.engine import Database
from povcase.db.models import (
    Assessment,
    Certificate,
    Commune,
    Complaint,
    Decision,
    Hamlet,
    Household,
    PublicPosting,
    ReviewApplication,
    ReviewEntry,
    ReviewRound,
    UpstreamOpinion,
    VillageMeeting,
    new_uuid,
)
from povcase.domain import review as rules
from povcase.domain.standards import get_standard, standard_for
from povcase.domain.text import nfc
from povcase.errors import N_, FieldProblem, NotFoundError, PovcaseError, ValidationError
from povcase.services.base import Actor, Auditor, Result
from povcase.services.dto import AssessmentInput
from povcase.services.households import (
    assessment_row,
    check_assessment,
    evaluate,
    housing_facts,
    indicators_from_json,
    overrides_from_json,
    require_writer,
)
from povcase.services.plans import apply_values, load_household

POOR_STATUSES = ("poor", "near_poor")


@dataclass(frozen=True)
class RoundDTO:
    uuid: str
    kind: str
    year: int
    standard: str
    starts_on: date
    ends_on: date
    status: str


@dataclass(frozen=True)
class EntryDTO:
    uuid: str
    household_uuid: str
    household_code: str
    hamlet_uuid: str
    source: str
    previous_status: str | None
    proposed: str | None
    transition: str | None
    state: str
    assessment_uuid: str | None
    head_name: str = ""
    hamlet_name: str = ""
    surveyed_on: date | None = None
    income_per_capita: int | None = None
    score_a: int | None = None
    deprived: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplicationDTO:
    uuid: str
    household_uuid: str
    household_code: str
    form: str
    received_on: date
    applicant: str
    reason: str
    due_on: date
    outcome: str
    refusal_reason: str
    decided_on: date | None
    head_name: str = ""


@dataclass(frozen=True)
class DueApplication:
    application: ApplicationDTO
    household_id: int
    overdue: bool


@dataclass(frozen=True)
class MeetingDTO:
    uuid: str
    hamlet_uuid: str
    held_on: date
    chair: str
    present: int
    agreeing: int
    passed: bool


@dataclass(frozen=True)
class ComplaintDTO:
    uuid: str
    household_uuid: str
    received_on: date
    text: str
    recheck_outcome: str
    closed_on: date | None
    household_code: str = ""
    head_name: str = ""


@dataclass(frozen=True)
class DecisionDTO:
    uuid: str
    number: str
    decided_on: date
    certificates: tuple[str, ...]  # certificate numbers issued by this decision


@dataclass(frozen=True)
class CertificateDTO:
    uuid: str
    household_uuid: str
    year: int
    number: str
    classification: str
    issued_on: date
    replaced_by_uuid: str | None
    household_code: str = ""
    head_name: str = ""
    replaces_number: str | None = None


@dataclass(frozen=True)
class CertificateMember:
    full_name: str
    relation: str
    sex: str | None
    birth_date: date | None
    ethnicity: str
    id_number: str | None


@dataclass(frozen=True)
class CertificateDetail:
    """What the certificate (Giấy chứng nhận) shows: the head, ethnicity, ID number, residence and
    the member table, as the register holds them now."""

    certificate: CertificateDTO
    commune_name: str
    hamlet_name: str
    address: str
    ethnicity_group: str
    head_id_number: str | None
    members: tuple[CertificateMember, ...]
    decision_number: str
    decided_on: date


@dataclass(frozen=True)
class PostingDTO:
    uuid: str
    hamlet_uuid: str | None  # None: at the commune office
    hamlet_name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class OpinionDTO:
    uuid: str
    given_on: date
    reference: str


@dataclass(frozen=True)
class HamletProgress:
    """One hamlet's households in each step of the round, and its latest village meeting."""

    hamlet_uuid: str
    hamlet_name: str
    listed: int  # all households of the hamlet on the list
    waiting: int  # no survey yet
    surveyed: int  # surveyed, waiting for the village meeting
    resurvey: int  # the meeting did not reach 50%: survey again
    agreed: int  # the meeting agreed
    decided: int
    open_complaints: int
    meeting: MeetingDTO | None


def pending_applications(s: Session, until: date) -> list[tuple[ReviewApplication, Household]]:
    """Live applications still waiting for a decision, due on or before `until`."""
    return [(a, h) for a, h in s.execute(
        select(ReviewApplication, Household).join(Household, Household.id == ReviewApplication.household_id)
        .where(ReviewApplication.deleted_at.is_(None), Household.deleted_at.is_(None),
               ReviewApplication.outcome == rules.Outcome.PENDING.value, ReviewApplication.due_on <= until)
        .order_by(ReviewApplication.due_on, ReviewApplication.id))]


def _app_dto(a: ReviewApplication, h: Household) -> ApplicationDTO:
    return ApplicationDTO(a.uuid, h.uuid, h.code, a.form, a.received_on, a.applicant, a.reason, a.due_on,
                          a.outcome, a.refusal_reason, a.decided_on, h.head_name)


def _entry_dto(e: ReviewEntry, h: Household, hamlet: Hamlet | None, a: Assessment | None) -> EntryDTO:
    deprived = tuple(r.code for r in indicators_from_json(a.indicators) if r.deprived) if a else ()
    return EntryDTO(e.uuid, h.uuid, h.code, hamlet.uuid if hamlet else "", e.source, e.previous_status, e.proposed,
                    e.transition, e.state, a.uuid if a else None, h.head_name, hamlet.name if hamlet else "",
                    a.assessed_on if a else None, a.income_per_capita if a else None, a.score_a if a else None,
                    deprived)


def _certificate_dto(c: Certificate, h: Household, replaced_by: Certificate | None,
                     replaces: str | None) -> CertificateDTO:
    return CertificateDTO(c.uuid, h.uuid, c.year, c.number, c.classification, c.issued_on,
                          replaced_by.uuid if replaced_by else None, h.code, h.head_name, replaces)


def _status_at_start(h: Household, year: int) -> str | None:
    """The household's status before this year's review: this year's surveys do not count."""
    return h.previous_status if h.status_year == year else h.status


def attach_to_open_round(s: Session, audit: Auditor, h: Household, a: Assessment) -> int | None:
    """A survey recorded elsewhere (the household editor) while the year's annual round is open becomes
    the household's survey in that round, the household added to the list if the proposal missed it.
    Returns the round's year, or None when no round of the survey's year is open."""
    rnd = s.scalar(select(ReviewRound).where(ReviewRound.deleted_at.is_(None), ReviewRound.status == "open",
                                             ReviewRound.kind == rules.RoundKind.ANNUAL.value,
                                             ReviewRound.year == a.assessed_on.year,
                                             ReviewRound.starts_on <= a.assessed_on))
    if rnd is None:
        return None
    e = ReviewService._entry_or_none(s, rnd, h) or ReviewService._add_entry(s, audit, rnd, h, "added")
    ReviewService._set_survey(s, audit, e, a)
    return rnd.year


class ReviewService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # rounds and the list
    def open_annual_round(self, actor: Actor, year: int, standard: str | None = None) -> Result[RoundDTO]:
        """Open the year's round and propose its list: every household now poor or near-poor, plus
        those with a pending Mẫu 01 application."""
        require_writer(actor)
        starts_on, ends_on = rules.annual_window(year)
        try:
            std = get_standard(standard) if standard else standard_for(starts_on)
        except PovcaseError as e:
            raise ValidationError([FieldProblem("standard", e.msgid, e.params)]) from e
        with self.db.session() as s:
            exists = s.scalar(select(ReviewRound.uuid).where(ReviewRound.deleted_at.is_(None),
                                                             ReviewRound.kind == rules.RoundKind.ANNUAL.value,
                                                             ReviewRound.year == year))
            if exists:
                raise ValidationError([FieldProblem("year", N_("The annual review of {year} is already open"),
                                                    {"year": year})])
            audit = Auditor(s, actor)
            row = ReviewRound(uuid=new_uuid(), kind=rules.RoundKind.ANNUAL.value, year=year, standard=std.code,
                              starts_on=starts_on, ends_on=ends_on, status="open")
            s.add(row)
            s.flush()
            audit.created("review_round", row.uuid, {"kind": row.kind, "year": year, "standard": std.code,
                                                     "starts_on": starts_on, "ends_on": ends_on})
            listed: set[int] = set()
            for h in s.scalars(select(Household).where(Household.deleted_at.is_(None)).order_by(Household.code)):
                if _status_at_start(h, year) in POOR_STATUSES:
                    self._add_entry(s, audit, row, h, "status")
                    listed.add(h.id)
            for _a, h in pending_applications(s, date.max):
                if _a.form == rules.ApplicationForm.REVIEW.value and h.id not in listed:
                    self._add_entry(s, audit, row, h, "application")
                    listed.add(h.id)
            dto = self._round_dto(row)
        return Result(dto, audit.changes)

    def add_household(self, actor: Actor, round_uuid: str, household_uuid: str) -> Result[EntryDTO]:
        """The officer adds a household the proposal missed."""
        require_writer(actor)
        with self.db.session() as s:
            rnd = self._open_round(s, round_uuid)
            h = load_household(s, household_uuid)
            if self._entry_or_none(s, rnd, h) is not None:
                raise ValidationError([FieldProblem("household", N_("The household is already on the list"))])
            audit = Auditor(s, actor)
            e = self._add_entry(s, audit, rnd, h, "added")
            dto = self._entry_dto(s, e)
        return Result(dto, audit.changes)

    def entries(self, round_uuid: str) -> list[EntryDTO]:
        """The round's list in household-code order (hamlet by hamlet), with each survey's result."""
        with self.db.reading() as s:
            rnd = self._round(s, round_uuid)
            rows = s.execute(select(ReviewEntry, Household, Hamlet, Assessment)
                             .join(Household, Household.id == ReviewEntry.household_id)
                             .join(Hamlet, Hamlet.id == Household.hamlet_id)
                             .outerjoin(Assessment, Assessment.id == ReviewEntry.assessment_id)
                             .where(ReviewEntry.round_id == rnd.id, ReviewEntry.deleted_at.is_(None))
                             .order_by(Household.code)).all()
            return [_entry_dto(e, h, hamlet, a) for e, h, hamlet, a in rows]

    def annual_round(self, year: int) -> RoundDTO | None:
        """The year's annual round, open or decided; None before it is opened."""
        with self.db.reading() as s:
            row = s.scalar(select(ReviewRound).where(ReviewRound.deleted_at.is_(None), ReviewRound.year == year,
                                                     ReviewRound.kind == rules.RoundKind.ANNUAL.value))
            return self._round_dto(row) if row else None

    def rounds(self) -> list[RoundDTO]:
        """Every round, newest year first."""
        with self.db.reading() as s:
            return [self._round_dto(r) for r in s.scalars(select(ReviewRound).where(ReviewRound.deleted_at.is_(None))
                                                          .order_by(ReviewRound.year.desc(), ReviewRound.id))]

    # surveys
    def survey(self, actor: Actor, round_uuid: str, household_uuid: str, a: AssessmentInput,
               today: date | None = None) -> Result[EntryDTO]:
        """Record the round's survey of a household (Phiếu A/B): an assessment that does not change
        the household's status — only the decision does."""
        require_writer(actor)
        today = today or date.today()
        standard = check_assessment(a, today)
        with self.db.session() as s:
            rnd = self._open_round(s, round_uuid)
            h = load_household(s, household_uuid)
            e = self._entry(s, rnd, h)
            members = [m for m in h.members if m.deleted_at is None]
            overrides = {c: o for c, o in overrides_from_json(h.overrides).items() if c in standard.indicator_codes}
            result = evaluate(standard, h.area, members, housing_facts(h), overrides, a.assessed_on,
                              a.income_per_capita, a.score_a, a.indicators)
            audit = Auditor(s, actor)
            values = assessment_row(result, a, h.id, len(members))
            row = Assessment(uuid=new_uuid(), **values)
            s.add(row)
            s.flush()
            audit.created("assessment", row.uuid, {k: values[k] for k in ("assessed_on", "standard", "income_per_capita",
                                                                          "score_a", "score_b", "classification")})
            self._set_survey(s, audit, e, row)
            dto = self._entry_dto(s, e)
        return Result(dto, audit.changes)

    def link_survey(self, actor: Actor, round_uuid: str, household_uuid: str,
                    assessment_uuid: str) -> Result[EntryDTO]:
        """Use a survey already recorded (e.g. by `register.households.assess`) for this household."""
        require_writer(actor)
        with self.db.session() as s:
            rnd = self._open_round(s, round_uuid)
            h = load_household(s, household_uuid)
            e = self._entry(s, rnd, h)
            row = s.scalar(select(Assessment).where(Assessment.uuid == assessment_uuid,
                                                    Assessment.deleted_at.is_(None)))
            if row is None or row.household_id != h.id:
                raise NotFoundError(N_("No survey with id {uuid} for this household"), uuid=assessment_uuid)
            audit = Auditor(s, actor)
            self._set_survey(s, audit, e, row)
            dto = self._entry_dto(s, e)
        return Result(dto, audit.changes)

    # reading the round's records
    def meetings(self, round_uuid: str) -> list[MeetingDTO]:
        with self.db.reading() as s:
            rnd = self._round(s, round_uuid)
            return [MeetingDTO(m.uuid, hamlet_uuid, m.held_on, m.chair, m.present, m.agreeing, m.passed)
                    for m, hamlet_uuid in s.execute(
                        select(VillageMeeting, Hamlet.uuid).join(Hamlet, Hamlet.id == VillageMeeting.hamlet_id)
                        .where(VillageMeeting.round_id == rnd.id, VillageMeeting.deleted_at.is_(None))
                        .order_by(VillageMeeting.held_on, VillageMeeting.id))]

    def postings(self, round_uuid: str) -> list[PostingDTO]:
        with self.db.reading() as s:
            rnd = self._round(s, round_uuid)
            return [PostingDTO(p.uuid, hamlet.uuid if hamlet else None, hamlet.name if hamlet else "",
                               p.starts_on, p.ends_on)
                    for p, hamlet in s.execute(
                        select(PublicPosting, Hamlet).outerjoin(Hamlet, Hamlet.id == PublicPosting.hamlet_id)
                        .where(PublicPosting.round_id == rnd.id, PublicPosting.deleted_at.is_(None))
                        .order_by(PublicPosting.starts_on, PublicPosting.id))]

    def complaints(self, round_uuid: str) -> list[ComplaintDTO]:
        with self.db.reading() as s:
            rnd = self._round(s, round_uuid)
            return [ComplaintDTO(c.uuid, h.uuid, c.received_on, c.text, c.recheck_outcome, c.closed_on, h.code,
                                 h.head_name)
                    for c, h in s.execute(
                        select(Complaint, Household).join(Household, Household.id == Complaint.household_id)
                        .where(Complaint.round_id == rnd.id, Complaint.deleted_at.is_(None))
                        .order_by(Complaint.received_on, Complaint.id))]

    def opinions(self, round_uuid: str) -> list[OpinionDTO]:
        with self.db.reading() as s:
            rnd = self._round(s, round_uuid)
            return [OpinionDTO(o.uuid, o.given_on, o.reference) for o in s.scalars(
                select(UpstreamOpinion).where(UpstreamOpinion.round_id == rnd.id, UpstreamOpinion.deleted_at.is_(None))
                .order_by(UpstreamOpinion.given_on, UpstreamOpinion.id))]

    def decision(self, round_uuid: str) -> DecisionDTO | None:
        with self.db.reading() as s:
            rnd = self._round(s, round_uuid)
            d = s.scalar(select(Decision).where(Decision.round_id == rnd.id, Decision.deleted_at.is_(None)))
            return self._decision_dto(s, d) if d else None

    def progress(self, round_uuid: str) -> list[HamletProgress]:
        """The dashboard: per hamlet (in the commune's order), how many households are in each step,
        its latest village meeting and its open complaints. Hamlets with nobody on the list are left out."""
        with self.db.reading() as s:
            rnd = self._round(s, round_uuid)
            counts: dict[int, dict[str, int]] = {}
            for hamlet_id, state, n in s.execute(
                    select(Household.hamlet_id, ReviewEntry.state, func.count()).select_from(ReviewEntry)
                    .join(Household, Household.id == ReviewEntry.household_id)
                    .where(ReviewEntry.round_id == rnd.id, ReviewEntry.deleted_at.is_(None))
                    .group_by(Household.hamlet_id, ReviewEntry.state)):
                counts.setdefault(hamlet_id, {})[state] = n
            complaints: dict[int, int] = {row[0]: row[1] for row in s.execute(
                select(Household.hamlet_id, func.count()).select_from(Complaint)
                .join(Household, Household.id == Complaint.household_id)
                .where(Complaint.round_id == rnd.id, Complaint.deleted_at.is_(None), Complaint.closed_on.is_(None))
                .group_by(Household.hamlet_id))}
            latest: dict[int, VillageMeeting] = {}
            for m in s.scalars(select(VillageMeeting).where(VillageMeeting.round_id == rnd.id,
                                                            VillageMeeting.deleted_at.is_(None))
                               .order_by(VillageMeeting.held_on, VillageMeeting.id)):
                latest[m.hamlet_id] = m
            out = []
            for hamlet in s.scalars(select(Hamlet).where(Hamlet.deleted_at.is_(None))
                                    .order_by(Hamlet.position, Hamlet.sort_key)):
                c = counts.get(hamlet.id, {})
                if not c and hamlet.id not in latest:
                    continue
                m = latest.get(hamlet.id)
                out.append(HamletProgress(
                    hamlet.uuid, hamlet.name, sum(c.values()), c.get("listed", 0), c.get("surveyed", 0),
                    c.get("resurvey", 0), c.get("agreed", 0), c.get("decided", 0), complaints.get(hamlet.id, 0),
                    MeetingDTO(m.uuid, hamlet.uuid, m.held_on, m.chair, m.present, m.agreeing, m.passed) if m else None))
            return out

    def take_recorded_surveys(self, actor: Actor, round_uuid: str) -> Result[int]:
        """Use the surveys already recorded in the register (e.g. in the household editor before the round
        was opened) for the households still waiting for one: the latest survey since the round began, and
        for a re-survey one newer than the survey the meeting turned down. Returns how many were taken."""
        require_writer(actor)
        with self.db.session() as s:
            rnd = self._open_round(s, round_uuid)
            audit = Auditor(s, actor)
            taken = 0
            for e in self._live_entries(s, rnd):
                if e.state not in ("listed", "resurvey"):
                    continue
                q = select(Assessment).where(Assessment.household_id == e.household_id,
                                             Assessment.deleted_at.is_(None), Assessment.assessed_on >= rnd.starts_on)
                if e.assessment_id is not None:
                    q = q.where(Assessment.id > e.assessment_id)
                a = s.scalar(q.order_by(Assessment.assessed_on.desc(), Assessment.id.desc()).limit(1))
                if a is not None:
                    self._set_survey(s, audit, e, a)
                    taken += 1
        return Result(taken, audit.changes)

    # meetings, posting, complaints, upstream opinion
    def record_meeting(self, actor: Actor, round_uuid: str, hamlet_uuid: str, held_on: date, chair: str,
                       present: int, agreeing: int) -> Result[MeetingDTO]:
        """Họp dân for a hamlet's list. Below 50% agreement its households go back to re-survey."""
        require_writer(actor)
        problems = []
        if not nfc(chair):
            problems.append(FieldProblem("chair", N_("Required")))
        if present < 1:
            problems.append(FieldProblem("present", N_("At least one person must be present")))
        if not 0 <= agreeing <= max(present, 0):
            problems.append(FieldProblem("agreeing", N_("Must be between {low} and {high}"),
                                         {"low": 0, "high": max(present, 0)}))
        with self.db.session() as s:
            rnd = self._open_round(s, round_uuid)
            hamlet = s.scalar(select(Hamlet).where(Hamlet.uuid == hamlet_uuid, Hamlet.deleted_at.is_(None)))
            if hamlet is None:
                raise NotFoundError(N_("No hamlet with id {uuid}"), uuid=hamlet_uuid)
            entries = self._hamlet_entries(s, rnd, hamlet.id)
            waiting = [e for e in entries if e.state in ("listed", "resurvey")]
            if waiting:
                problems.append(FieldProblem("hamlet", N_("{n} households of this hamlet have no survey yet"),
                                             {"n": len(waiting)}))
            if problems:
                raise ValidationError(problems)
            passed = rules.meeting_passes(present, agreeing)
            audit = Auditor(s, actor)
            row = VillageMeeting(uuid=new_uuid(), round_id=rnd.id, hamlet_id=hamlet.id, held_on=held_on,
                                 chair=nfc(chair), present=present, agreeing=agreeing, passed=passed)
            s.add(row)
            s.flush()
            audit.created("village_meeting", row.uuid, {"hamlet": hamlet.name, "held_on": held_on, "chair": row.chair,
                                                        "present": present, "agreeing": agreeing, "passed": passed})
            for e in entries:
                if e.state == "surveyed":
                    audit.updated("review_entry", e.uuid,
                                  apply_values(e, {"state": "agreed" if passed else "resurvey"}))
            dto = MeetingDTO(row.uuid, hamlet.uuid, held_on, row.chair, present, agreeing, passed)
        return Result(dto, audit.changes)

    def record_posting(self, actor: Actor, round_uuid: str, starts_on: date, ends_on: date,
                       hamlet_uuid: str | None = None) -> Result[str]:
        """Niêm yết công khai at the commune office (no hamlet) or in a hamlet."""
        require_writer(actor)
        if ends_on < starts_on:
            raise ValidationError([FieldProblem("ends_on", N_("Cannot be before the start date"))])
        with self.db.session() as s:
            rnd = self._open_round(s, round_uuid)
            hamlet = None
            if hamlet_uuid is not None:
                hamlet = s.scalar(select(Hamlet).where(Hamlet.uuid == hamlet_uuid, Hamlet.deleted_at.is_(None)))
                if hamlet is None:
                    raise NotFoundError(N_("No hamlet with id {uuid}"), uuid=hamlet_uuid)
            audit = Auditor(s, actor)
            row = PublicPosting(uuid=new_uuid(), round_id=rnd.id, hamlet_id=hamlet.id if hamlet else None,
                                starts_on=starts_on, ends_on=ends_on)
            s.add(row)
            s.flush()
            audit.created("public_posting", row.uuid, {"hamlet": hamlet.name if hamlet else None,
                                                       "starts_on": starts_on, "ends_on": ends_on})
        return Result(row.uuid, audit.changes)

    def record_complaint(self, actor: Actor, round_uuid: str, household_uuid: str, received_on: date,
                         text: str) -> Result[ComplaintDTO]:
        require_writer(actor)
        if not nfc(text):
            raise ValidationError([FieldProblem("text", N_("Required"))])
        with self.db.session() as s:
            rnd = self._open_round(s, round_uuid)
            h = load_household(s, household_uuid)
            audit = Auditor(s, actor)
            row = Complaint(uuid=new_uuid(), round_id=rnd.id, household_id=h.id, received_on=received_on,
                            text=nfc(text), recheck_outcome="")
            s.add(row)
            s.flush()
            audit.created("complaint", row.uuid, {"household": h.code, "received_on": received_on, "text": row.text})
            dto = ComplaintDTO(row.uuid, h.uuid, received_on, row.text, "", None)
        return Result(dto, audit.changes)

    def close_complaint(self, actor: Actor, complaint_uuid: str, recheck_outcome: str,
                        closed_on: date) -> Result[ComplaintDTO]:
        """Record the re-check of a complaint and close it."""
        require_writer(actor)
        problems = []
        if not nfc(recheck_outcome):
            problems.append(FieldProblem("recheck_outcome", N_("Required")))
        with self.db.session() as s:
            row = s.scalar(select(Complaint).where(Complaint.uuid == complaint_uuid, Complaint.deleted_at.is_(None)))
            if row is None:
                raise NotFoundError(N_("No complaint with id {uuid}"), uuid=complaint_uuid)
            if closed_on < row.received_on:
                problems.append(FieldProblem("closed_on", N_("Cannot be before the complaint was received")))
            if problems:
                raise ValidationError(problems)
            audit = Auditor(s, actor)
            audit.updated("complaint", row.uuid, apply_values(row, {"recheck_outcome": nfc(recheck_outcome),
                                                                    "closed_on": closed_on}))
            h = s.get(Household, row.household_id)
            assert h is not None
            dto = ComplaintDTO(row.uuid, h.uuid, row.received_on, row.text, row.recheck_outcome, row.closed_on)
        return Result(dto, audit.changes)

    def record_upstream_opinion(self, actor: Actor, round_uuid: str, given_on: date,
                                reference: str) -> Result[str]:
        require_writer(actor)
        if not nfc(reference):
            raise ValidationError([FieldProblem("reference", N_("Required"))])
        with self.db.session() as s:
            rnd = self._open_round(s, round_uuid)
            audit = Auditor(s, actor)
            row = UpstreamOpinion(uuid=new_uuid(), round_id=rnd.id, given_on=given_on, reference=nfc(reference))
            s.add(row)
            s.flush()
            audit.created("upstream_opinion", row.uuid, {"given_on": given_on, "reference": row.reference})
        return Result(row.uuid, audit.changes)

    # the decision
    def blockers(self, round_uuid: str) -> list[FieldProblem]:
        """Why the decision cannot be recorded yet (empty: it can)."""
        with self.db.reading() as s:
            return self._blockers(s, self._round(s, round_uuid))

    def record_decision(self, actor: Actor, round_uuid: str, number: str, decided_on: date,
                        progress: Callable[[int], bool] | None = None) -> Result[DecisionDTO]:
        """The commune chairman's decision: the new statuses take effect for the year and certificates
        are numbered. The same decision recorded again changes nothing. `progress(done)` may return
        False to cancel (nothing saved)."""
        require_writer(actor)
        number = nfc(number)
        if not number:
            raise ValidationError([FieldProblem("number", N_("Required"))])
        with self.db.session() as s:
            rnd = self._round(s, round_uuid)
            done = s.scalar(select(Decision).where(Decision.round_id == rnd.id, Decision.deleted_at.is_(None)))
            if done is not None:
                if done.number == number and done.decided_on == decided_on:
                    return Result(self._decision_dto(s, done), Auditor(s, actor).changes)
                raise ValidationError([FieldProblem("number", N_("This round was already decided by decision {number}"),
                                                    {"number": done.number})])
            problems = self._blockers(s, rnd)
            if problems:
                raise ValidationError(problems)
            audit = Auditor(s, actor)
            dec = Decision(uuid=new_uuid(), round_id=rnd.id, number=number, decided_on=decided_on)
            s.add(dec)
            s.flush()
            audit.created("decision", dec.uuid, {"number": number, "decided_on": decided_on})
            listed = self._live_entries(s, rnd)
            for i, e in enumerate(listed):
                if progress is not None and i % 50 == 0 and progress(i) is False:
                    raise PovcaseError(N_("Cancelled; nothing was saved"))
                h = s.get(Household, e.household_id)
                a = s.get(Assessment, e.assessment_id) if e.assessment_id else None
                assert h is not None and a is not None
                previous = h.previous_status if h.status_year == rnd.year else h.status
                diffs = apply_values(h, {"status": e.proposed, "previous_status": previous,
                                         "status_standard": a.standard, "status_year": rnd.year,
                                         "score_b": a.score_b, "last_assessed_on": a.assessed_on,
                                         "deprived": ",".join(r.code for r in indicators_from_json(a.indicators)
                                                              if r.deprived)})
                audit.updated("household", h.uuid, diffs)
                audit.updated("review_entry", e.uuid, apply_values(e, {"state": "decided"}))
                if e.proposed in POOR_STATUSES:
                    self._issue_certificate(s, audit, h, rnd.year, e.proposed or "", decided_on, dec)
            for app, _h in pending_applications(s, date.max):
                if app.household_id in {e.household_id for e in listed}:
                    audit.updated("review_application", app.uuid, apply_values(
                        app, {"outcome": rules.Outcome.RECOGNISED.value, "decided_on": decided_on}))
            audit.updated("review_round", rnd.uuid, apply_values(rnd, {"status": "decided"}))
            s.flush()
            dto = self._decision_dto(s, dec)
        return Result(dto, audit.changes)

    def certificates(self, year: int) -> list[CertificateDTO]:
        """The year's certificates in number order, replaced ones included (they keep their history)."""
        with self.db.reading() as s:
            rows = s.execute(select(Certificate, Household).join(Household, Household.id == Certificate.household_id)
                             .where(Certificate.year == year, Certificate.deleted_at.is_(None))
                             .order_by(Certificate.id)).all()
            by_id = {c.id: c for c, _h in rows}
            replaces = {c.replaced_by_id: c.number for c, _h in rows if c.replaced_by_id}
            return [_certificate_dto(c, h, by_id.get(c.replaced_by_id) if c.replaced_by_id else None,
                                     replaces.get(c.id)) for c, h in rows]

    def reissue_certificate(self, actor: Actor, certificate_uuid: str, issued_on: date,
                            reason: str) -> Result[CertificateDTO]:
        """A new certificate (the next number of its year) replacing a lost or damaged one; the old one
        stays, marked as replaced."""
        require_writer(actor)
        problems = []
        if len(nfc(reason)) < 3:
            problems.append(FieldProblem("reason", N_("Say why the certificate is issued again")))
        with self.db.session() as s:
            old = s.scalar(select(Certificate).where(Certificate.uuid == certificate_uuid,
                                                     Certificate.deleted_at.is_(None)))
            if old is None:
                raise NotFoundError(N_("No certificate with id {uuid}"), uuid=certificate_uuid)
            if old.replaced_by_id is not None:
                problems.append(FieldProblem("certificate", N_("Certificate {number} was already replaced"),
                                             {"number": old.number}))
            if issued_on < old.issued_on:
                problems.append(FieldProblem("issued_on", N_("Cannot be before the certificate it replaces")))
            if problems:
                raise ValidationError(problems)
            h = s.get(Household, old.household_id)
            dec = s.get(Decision, old.decision_id)
            assert h is not None and dec is not None
            audit = Auditor(s, actor, note=nfc(reason))
            row = self._issue_certificate(s, audit, h, old.year, old.classification, issued_on, dec)
            dto = _certificate_dto(row, h, None, old.number)
        return Result(dto, audit.changes)

    def certificate(self, certificate_uuid: str) -> CertificateDetail:
        """One certificate with the household facts it prints: head, ethnicity, ID number, residence, members."""
        with self.db.reading() as s:
            c = s.scalar(select(Certificate).where(Certificate.uuid == certificate_uuid,
                                                   Certificate.deleted_at.is_(None)))
            if c is None:
                raise NotFoundError(N_("No certificate with id {uuid}"), uuid=certificate_uuid)
            h = s.get(Household, c.household_id)
            dec = s.get(Decision, c.decision_id)
            assert h is not None and dec is not None
            repl = s.get(Certificate, c.replaced_by_id) if c.replaced_by_id else None
            replaces = s.scalar(select(Certificate.number).where(Certificate.replaced_by_id == c.id))
            commune = s.get(Commune, h.commune_id)
            members = tuple(CertificateMember(m.full_name, m.relation, m.sex, m.birth_date, m.ethnicity, m.id_number)
                            for m in h.members if m.deleted_at is None)
            head_id = next((m.id_number for m in members if m.relation == "head"), None)
            return CertificateDetail(_certificate_dto(c, h, repl, replaces), commune.name if commune else "",
                                     h.hamlet.name, h.address, h.ethnicity_group, head_id, members, dec.number,
                                     dec.decided_on)

    # monthly applications
    def record_application(self, actor: Actor, household_uuid: str, form: str, received_on: date,
                           applicant: str, reason: str = "", today: date | None = None) -> Result[ApplicationDTO]:
        """Mẫu số 01 (to be reviewed) or 04 (to be recognised as escaped); due 15 days after the review start."""
        require_writer(actor)
        today = today or date.today()
        problems = []
        if form not in {f.value for f in rules.ApplicationForm}:
            problems.append(FieldProblem("form", N_("Must be one of: {choices}"), {"choices": "01, 04"}))
        if received_on > today:
            problems.append(FieldProblem("received_on", N_("Cannot be in the future")))
        if not nfc(applicant):
            problems.append(FieldProblem("applicant", N_("Required")))
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            h = load_household(s, household_uuid)
            audit = Auditor(s, actor)
            row = ReviewApplication(uuid=new_uuid(), household_id=h.id, form=form, received_on=received_on,
                                    applicant=nfc(applicant), reason=nfc(reason),
                                    due_on=rules.application_due_on(received_on),
                                    outcome=rules.Outcome.PENDING.value, refusal_reason="")
            s.add(row)
            s.flush()
            audit.created("review_application", row.uuid, {"household": h.code, "form": form,
                                                           "received_on": received_on, "applicant": row.applicant,
                                                           "reason": row.reason, "due_on": row.due_on})
            dto = _app_dto(row, h)
        return Result(dto, audit.changes)

    def decide_application(self, actor: Actor, application_uuid: str, outcome: str, decided_on: date,
                           refusal_reason: str = "") -> Result[ApplicationDTO]:
        """Record the decision on an application, or the written refusal with its reason."""
        require_writer(actor)
        problems = []
        if outcome not in (rules.Outcome.RECOGNISED.value, rules.Outcome.REFUSED.value):
            problems.append(FieldProblem("outcome", N_("Must be one of: {choices}"),
                                         {"choices": "recognised, refused"}))
        if outcome == rules.Outcome.REFUSED.value and not nfc(refusal_reason):
            problems.append(FieldProblem("refusal_reason", N_("A refusal must give its reason")))
        with self.db.session() as s:
            row = s.scalar(select(ReviewApplication).where(ReviewApplication.uuid == application_uuid,
                                                           ReviewApplication.deleted_at.is_(None)))
            if row is None:
                raise NotFoundError(N_("No application with id {uuid}"), uuid=application_uuid)
            if row.outcome != rules.Outcome.PENDING.value:
                problems.append(FieldProblem("outcome", N_("The application was already decided")))
            if decided_on < row.received_on:
                problems.append(FieldProblem("decided_on", N_("Cannot be before the application was received")))
            if problems:
                raise ValidationError(problems)
            audit = Auditor(s, actor)
            audit.updated("review_application", row.uuid, apply_values(row, {
                "outcome": outcome, "decided_on": decided_on,
                "refusal_reason": nfc(refusal_reason) if outcome == rules.Outcome.REFUSED.value else ""}))
            h = s.get(Household, row.household_id)
            assert h is not None
            dto = _app_dto(row, h)
        return Result(dto, audit.changes)

    def applications(self, today: date) -> list[DueApplication]:
        """Every application: the pending ones first by due date (overdue flagged), then the decided ones,
        latest decision first."""
        with self.db.reading() as s:
            rows = s.execute(select(ReviewApplication, Household)
                             .join(Household, Household.id == ReviewApplication.household_id)
                             .where(ReviewApplication.deleted_at.is_(None), Household.deleted_at.is_(None))).all()
            pending = sorted((r for r in rows if r[0].outcome == rules.Outcome.PENDING.value),
                             key=lambda r: (r[0].due_on, r[0].id))
            decided = sorted((r for r in rows if r[0].outcome != rules.Outcome.PENDING.value),
                             key=lambda r: (r[0].decided_on or date.min, r[0].id), reverse=True)
            return [DueApplication(_app_dto(a, h), h.id,
                                   a.outcome == rules.Outcome.PENDING.value and a.due_on < today)
                    for a, h in (*pending, *decided)]

    def due_applications(self, today: date, horizon_days: int = 0) -> list[DueApplication]:
        """Pending applications due by today + horizon_days, the overdue ones included."""
        with self.db.reading() as s:
            return [DueApplication(_app_dto(a, h), h.id, a.due_on < today)
                    for a, h in pending_applications(s, today + timedelta(days=horizon_days))]

    # internals
    def _round(self, s: Session, uuid: str) -> ReviewRound:
        row = s.scalar(select(ReviewRound).where(ReviewRound.uuid == uuid))
        if row is None or row.deleted_at is not None:
            raise NotFoundError(N_("No review round with id {uuid}"), uuid=uuid)
        return row

    def _open_round(self, s: Session, uuid: str) -> ReviewRound:
        row = self._round(s, uuid)
        if row.status != "open":
            raise PovcaseError(N_("The review round of {year} is already decided"), year=row.year)
        return row

    @staticmethod
    def _entry_or_none(s: Session, rnd: ReviewRound, h: Household) -> ReviewEntry | None:
        return s.scalar(select(ReviewEntry).where(ReviewEntry.round_id == rnd.id, ReviewEntry.household_id == h.id,
                                                  ReviewEntry.deleted_at.is_(None)))

    def _entry(self, s: Session, rnd: ReviewRound, h: Household) -> ReviewEntry:
        e = self._entry_or_none(s, rnd, h)
        if e is None:
            raise ValidationError([FieldProblem("household", N_("The household is not on this round's list"))])
        return e

    @staticmethod
    def _live_entries(s: Session, rnd: ReviewRound) -> list[ReviewEntry]:
        return list(s.scalars(select(ReviewEntry).where(ReviewEntry.round_id == rnd.id,
                                                        ReviewEntry.deleted_at.is_(None)).order_by(ReviewEntry.id)))

    @staticmethod
    def _hamlet_entries(s: Session, rnd: ReviewRound, hamlet_id: int) -> list[ReviewEntry]:
        return list(s.scalars(select(ReviewEntry).join(Household, Household.id == ReviewEntry.household_id)
                              .where(ReviewEntry.round_id == rnd.id, ReviewEntry.deleted_at.is_(None),
                                     Household.hamlet_id == hamlet_id)))

    @staticmethod
    def _add_entry(s: Session, audit: Auditor, rnd: ReviewRound, h: Household, source: str) -> ReviewEntry:
        e = ReviewEntry(uuid=new_uuid(), round_id=rnd.id, household_id=h.id, source=source,
                        previous_status=_status_at_start(h, rnd.year), state="listed")
        s.add(e)
        s.flush()
        audit.created("review_entry", e.uuid, {"household": h.code, "source": source,
                                               "previous_status": e.previous_status})
        return e

    @staticmethod
    def _set_survey(s: Session, audit: Auditor, e: ReviewEntry, a: Assessment) -> None:
        rnd = s.get(ReviewRound, e.round_id)
        assert rnd is not None
        # Older statuses: the household's surveys of earlier years, for re-poor.
        history = s.scalars(select(Assessment.classification).where(
            Assessment.household_id == e.household_id, Assessment.deleted_at.is_(None),
            Assessment.assessed_on < date(rnd.year - 1, 1, 1))).all()
        move = rules.transition(e.previous_status, a.classification, history)
        audit.updated("review_entry", e.uuid, apply_values(e, {
            "assessment_id": a.id, "proposed": a.classification, "transition": move.value, "state": "surveyed"}))

    def _blockers(self, s: Session, rnd: ReviewRound) -> list[FieldProblem]:
        problems: list[FieldProblem] = []
        for e in self._live_entries(s, rnd):
            h = s.get(Household, e.household_id)
            assert h is not None
            where = f"households.{h.code}"
            if e.state == "listed":
                problems.append(FieldProblem(where, N_("Household {code} has no survey"), {"code": h.code}))
            elif e.state == "resurvey":
                problems.append(FieldProblem(where, N_("The village meeting for household {code} did not reach 50%: "
                                                       "re-survey and hold the meeting again"), {"code": h.code}))
            elif e.state == "surveyed":
                problems.append(FieldProblem(where, N_("Household {code} has no passed village meeting"),
                                             {"code": h.code}))
        for c, code in s.execute(select(Complaint, Household.code).join(Household, Household.id == Complaint.household_id)
                                 .where(Complaint.round_id == rnd.id, Complaint.deleted_at.is_(None),
                                        Complaint.closed_on.is_(None))):
            problems.append(FieldProblem(f"complaints.{c.uuid}",
                                         N_("The complaint about household {code} is still open"), {"code": code}))
        # Steps 4 and 5 of the procedure come before the decision: the list posted, the level above asked.
        if s.scalar(select(PublicPosting.id).where(PublicPosting.round_id == rnd.id,
                                                   PublicPosting.deleted_at.is_(None)).limit(1)) is None:
            problems.append(FieldProblem("posting", N_("The list has not been posted publicly yet")))
        if s.scalar(select(UpstreamOpinion.id).where(UpstreamOpinion.round_id == rnd.id,
                                                     UpstreamOpinion.deleted_at.is_(None)).limit(1)) is None:
            problems.append(FieldProblem("upstream_opinion", N_("The opinion of the upstream office is not recorded yet")))
        return problems

    @staticmethod
    def _issue_certificate(s: Session, audit: Auditor, h: Household, year: int, classification: str,
                           issued_on: date, dec: Decision) -> Certificate:
        count = s.scalar(select(func.count()).select_from(Certificate).where(Certificate.year == year)) or 0
        row = Certificate(uuid=new_uuid(), household_id=h.id, year=year, number=rules.certificate_number(count + 1),
                          classification=classification, issued_on=issued_on, decision_id=dec.id)
        s.add(row)
        s.flush()
        audit.created("certificate", row.uuid, {"household": h.code, "year": year, "number": row.number,
                                                "classification": classification, "issued_on": issued_on})
        for old in s.scalars(select(Certificate).where(Certificate.household_id == h.id, Certificate.year == year,
                                                       Certificate.id != row.id, Certificate.deleted_at.is_(None),
                                                       Certificate.replaced_by_id.is_(None))):
            audit.updated("certificate", old.uuid, apply_values(old, {"replaced_by_id": row.id}))
        return row

    @staticmethod
    def _round_dto(r: ReviewRound) -> RoundDTO:
        return RoundDTO(r.uuid, r.kind, r.year, r.standard, r.starts_on, r.ends_on, r.status)

    @staticmethod
    def _entry_dto(s: Session, e: ReviewEntry) -> EntryDTO:
        h = s.get(Household, e.household_id)
        assert h is not None
        return _entry_dto(e, h, s.get(Hamlet, h.hamlet_id), s.get(Assessment, e.assessment_id) if e.assessment_id else None)

    @staticmethod
    def _decision_dto(s: Session, d: Decision) -> DecisionDTO:
        numbers = s.scalars(select(Certificate.number).where(Certificate.decision_id == d.id)
                            .order_by(Certificate.id)).all()
        return DecisionDTO(d.uuid, d.number, d.decided_on, tuple(numbers))

