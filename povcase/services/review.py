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
from povcase.domain.classification import ClassificationResult
from povcase.domain.standards import Standard, get_standard, standard_for
from povcase.domain.text import nfc
from povcase.errors import N_, FieldProblem, NotFoundError, PovcaseError, ValidationError
from povcase.i18n import format_date
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
    # On an annual list: the monthly decision (number, date) that decided the household while the round
    # was open; the annual decision keeps that result.
    monthly_decision: str | None = None
    monthly_decided_on: date | None = None


@dataclass(frozen=True)
class SurveyPreview:
    """The survey form's live line: what recording the survey would propose."""

    standard: str
    classification: str
    deprivation_count: int
    indicator_count: int
    score_b: int
    previous_status: str | None
    transition: str


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
    status: str | None = None  # the household's status now
    surveyed_on: date | None = None  # the survey since the application was received, if any
    proposed: str | None = None  # that survey's classification
    transition: str | None = None  # against the status the household had when it applied
    decision_number: str | None = None  # the chairman's decision recognising it


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
    ended_by: str | None = None  # the later decision that found the household no longer poor or near-poor
    ended_on: date | None = None


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


def _application_survey(s: Session, a: ReviewApplication) -> Assessment | None:
    """The survey an application is decided on: the household's latest one since the application was
    received (up to the decision, once decided)."""
    q = select(Assessment).where(Assessment.household_id == a.household_id, Assessment.deleted_at.is_(None),
                                 Assessment.assessed_on >= a.received_on)
    if a.decided_on is not None:
        q = q.where(Assessment.assessed_on <= a.decided_on)
    return s.scalar(q.order_by(Assessment.assessed_on.desc(), Assessment.id.desc()).limit(1))


def _application_decision(s: Session, a: ReviewApplication) -> tuple[Decision, ReviewEntry] | None:
    """The decision that recognised an application (the stored link), and the household's entry it decided."""
    if a.decision_id is None:
        return None
    dec = s.get(Decision, a.decision_id)
    if dec is None or dec.deleted_at is not None:
        return None
    e = s.scalar(select(ReviewEntry).where(ReviewEntry.round_id == dec.round_id,
                                           ReviewEntry.household_id == a.household_id,
                                           ReviewEntry.deleted_at.is_(None)))
    return (dec, e) if e is not None else None


def _app_dto(s: Session, a: ReviewApplication, h: Household) -> ApplicationDTO:
    survey = _application_survey(s, a)
    decided = _application_decision(s, a)
    if decided is not None:
        decision, entry = decided
        number, move = decision.number, entry.transition
    else:  # until the decision the household keeps the status it applied with
        number = None
        move = rules.transition(h.status, survey.classification).value if survey else None
    return ApplicationDTO(a.uuid, h.uuid, h.code, a.form, a.received_on, a.applicant, a.reason, a.due_on,
                          a.outcome, a.refusal_reason, a.decided_on, h.head_name, h.status,
                          survey.assessed_on if survey else None, survey.classification if survey else None,
                          move, number)


def _entry_dto(e: ReviewEntry, h: Household, hamlet: Hamlet | None, a: Assessment | None,
               decision: Decision | None = None) -> EntryDTO:
    deprived = tuple(r.code for r in indicators_from_json(a.indicators) if r.deprived) if a else ()
    monthly = decision if decision is not None and decision.round_id != e.round_id else None
    return EntryDTO(e.uuid, h.uuid, h.code, hamlet.uuid if hamlet else "", e.source, e.previous_status, e.proposed,
                    e.transition, e.state, a.uuid if a else None, h.head_name, hamlet.name if hamlet else "",
                    a.assessed_on if a else None, a.income_per_capita if a else None, a.score_a if a else None,
                    deprived, monthly.number if monthly else None, monthly.decided_on if monthly else None)


def _certificate_dto(c: Certificate, h: Household, replaced_by: Certificate | None, replaces: str | None,
                     ended: Decision | None = None) -> CertificateDTO:
    return CertificateDTO(c.uuid, h.uuid, c.year, c.number, c.classification, c.issued_on,
                          replaced_by.uuid if replaced_by else None, h.code, h.head_name, replaces,
                          ended.number if ended else None, ended.decided_on if ended else None)


def _endings(s: Session, certificates: list[Certificate]) -> dict[int, Decision]:
    """Which certificates ended: not replaced, and the household's next decision found it no longer poor
    or near-poor (an escape recognised on Mẫu 04, or at the next annual review). Derived from the
    decisions, so nothing is stored twice."""
    live = [c for c in certificates if c.replaced_by_id is None]
    if not live:
        return {}
    later: dict[int, list[tuple[Decision, ReviewEntry]]] = {}
    for dec, e in s.execute(select(Decision, ReviewEntry).join(ReviewEntry, ReviewEntry.decision_id == Decision.id)
                            .where(ReviewEntry.household_id.in_({c.household_id for c in live}),
                                   ReviewEntry.deleted_at.is_(None), ReviewEntry.state == "decided",
                                   Decision.deleted_at.is_(None)).order_by(Decision.id)):
        later.setdefault(e.household_id, []).append((dec, e))
    out = {}
    for c in live:
        following = next(((d, e) for d, e in later.get(c.household_id, []) if d.id > c.decision_id), None)
        if following is not None and following[1].proposed not in POOR_STATUSES:
            out[c.id] = following[0]
    return out


def _status_at_start(h: Household, year: int) -> str | None:
    """The household's status before this year's review: this year's surveys do not count."""
    return h.previous_status if h.status_year == year else h.status


def attach_to_open_round(s: Session, audit: Auditor, h: Household, a: Assessment) -> int | None:
    """A survey recorded elsewhere (the household editor) waits for a decision instead of changing the
    status at once: while the year's annual round is open and the survey falls in its window it becomes
    the household's survey in that round (the household added to the list if the proposal missed it);
    while the household has a monthly application received on or before the survey, it is that
    application's survey. Returns the year it counts for, or None when it is neither."""
    rnd = s.scalar(select(ReviewRound).where(ReviewRound.deleted_at.is_(None), ReviewRound.status == "open",
                                             ReviewRound.kind == rules.RoundKind.ANNUAL.value,
                                             ReviewRound.year == a.assessed_on.year,
                                             ReviewRound.starts_on <= a.assessed_on,
                                             ReviewRound.ends_on >= a.assessed_on))
    if rnd is None:
        waiting = s.scalar(select(ReviewApplication.id).where(
            ReviewApplication.household_id == h.id, ReviewApplication.deleted_at.is_(None),
            ReviewApplication.outcome == rules.Outcome.PENDING.value,
            ReviewApplication.received_on <= a.assessed_on).limit(1))
        return a.assessed_on.year if waiting is not None else None
    e = ReviewService._entry_or_none(s, rnd, h) or ReviewService._add_entry(s, audit, rnd, h, "added")
    if e.state != "decided":  # decided by a monthly decision: that result stands until the next decision
        ReviewService._set_survey(s, audit, e, a)
    return rnd.year


def _check_in_window(rnd: ReviewRound, on: date) -> None:
    """An annual round's survey is made between 1 September and 14 December of its year."""
    if not rnd.starts_on <= on <= rnd.ends_on:
        raise ValidationError([FieldProblem(
            "assessed_on", N_("The survey date {date} is outside the annual review of {year} ({start} – {end})"),
            {"date": format_date(on), "year": rnd.year, "start": format_date(rnd.starts_on),
             "end": format_date(rnd.ends_on)})])


def _check_not_decided(s: Session, e: ReviewEntry, h: Household) -> None:
    """An annual list's household already decided by a monthly decision keeps that result: another survey
    in the round would have the annual decision overwrite it."""
    if e.state != "decided":
        return
    dec = s.get(Decision, e.decision_id) if e.decision_id else None
    raise ValidationError([FieldProblem(
        "household", N_("Household {code} was decided by decision {number} of {date} while this review was open: "
                        "the annual decision keeps that result; a new application starts a new review"),
        {"code": h.code, "number": dec.number if dec else "", "date": format_date(dec.decided_on) if dec else ""})])


def _survey_result(h: Household, a: AssessmentInput, standard: Standard) -> ClassificationResult:
    """The household's facts as the register holds them, scored with the survey's income or score A:
    the one evaluation the live preview and the recorded survey share."""
    members = [m for m in h.members if m.deleted_at is None]
    overrides = {c: o for c, o in overrides_from_json(h.overrides).items() if c in standard.indicator_codes}
    return evaluate(standard, h.area, members, housing_facts(h), overrides, a.assessed_on, a.income_per_capita,
                    a.score_a, a.indicators)


def _record_assessment(s: Session, audit: Auditor, h: Household, a: AssessmentInput,
                       standard: Standard) -> Assessment:
    """A survey kept in the household's history without touching its status."""
    result = _survey_result(h, a, standard)
    values = assessment_row(result, a, h.id, sum(1 for m in h.members if m.deleted_at is None))
    row = Assessment(uuid=new_uuid(), **values)
    s.add(row)
    s.flush()
    audit.created("assessment", row.uuid, {k: values[k] for k in ("assessed_on", "standard", "income_per_capita",
                                                                  "score_a", "score_b", "classification")})
    return row


def _older_statuses(s: Session, household_id: int, year: int) -> list[str]:
    """The household's survey results of the years before last year, for re-poor (tái nghèo)."""
    return list(s.scalars(select(Assessment.classification).where(
        Assessment.household_id == household_id, Assessment.deleted_at.is_(None),
        Assessment.assessed_on < date(year - 1, 1, 1))))


def _current_certificates(s: Session, household_id: int) -> list[Certificate]:
    """The certificates a household holds now: live, not replaced, of its latest certificate year."""
    rows = list(s.scalars(select(Certificate).where(Certificate.household_id == household_id,
                                                    Certificate.deleted_at.is_(None),
                                                    Certificate.replaced_by_id.is_(None))))
    latest = max((c.year for c in rows), default=None)
    return [c for c in rows if c.year == latest]


def _recognition_problems(app: ReviewApplication, h: Household, survey: Assessment | None) -> list[FieldProblem]:
    """Why an application cannot be recognised on its survey: none yet, or one that says otherwise."""
    if survey is None:
        return [FieldProblem("survey", N_("Household {code} has not been surveyed since its application of "
                                          "{date}: survey it first, or refuse the application in writing"),
                             {"code": h.code, "date": format_date(app.received_on)})]
    found = {"code": h.code, "date": format_date(survey.assessed_on)}
    if app.form == rules.ApplicationForm.REVIEW.value:
        if survey.classification not in POOR_STATUSES:
            return [FieldProblem("survey", N_("The survey of {date} finds household {code} neither poor nor "
                                              "near-poor: the application cannot be recognised; refuse it in "
                                              "writing"), found)]
        if survey.classification == h.status:
            return [FieldProblem("survey", N_("The survey of {date} finds household {code} as it already is: "
                                              "there is no new status to recognise"), found)]
        return []
    if h.status not in POOR_STATUSES:
        return [FieldProblem("survey", N_("Household {code} is neither poor nor near-poor: there is no escape "
                                          "to recognise"), found)]
    # Mẫu 04 asks to leave the status held now: a poor household may become near-poor, a near-poor one
    # must be above the line.
    if survey.classification == rules.POOR or (h.status == rules.NEAR_POOR and survey.classification in POOR_STATUSES):
        return [FieldProblem("survey", N_("The survey of {date} finds household {code} still poor or near-poor: "
                                          "the escape cannot be recognised; refuse it in writing"), found)]
    return []


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
                # Now poor or near-poor: by last year's status, or by a monthly decision this year.
                if h.status in POOR_STATUSES or _status_at_start(h, year) in POOR_STATUSES:
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
            rows = s.execute(select(ReviewEntry, Household, Hamlet, Assessment, Decision)
                             .join(Household, Household.id == ReviewEntry.household_id)
                             .join(Hamlet, Hamlet.id == Household.hamlet_id)
                             .outerjoin(Assessment, Assessment.id == ReviewEntry.assessment_id)
                             .outerjoin(Decision, Decision.id == ReviewEntry.decision_id)
                             .where(ReviewEntry.round_id == rnd.id, ReviewEntry.deleted_at.is_(None))
                             .order_by(Household.code)).all()
            return [_entry_dto(e, h, hamlet, a, d) for e, h, hamlet, a, d in rows]

    def entry(self, round_uuid: str, household_uuid: str) -> EntryDTO | None:
        """One household's row on the round's list; None when it is not on it."""
        with self.db.reading() as s:
            rnd = self._round(s, round_uuid)
            e = self._entry_or_none(s, rnd, load_household(s, household_uuid))
            return self._entry_dto(s, e) if e is not None else None

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
        the household's status — only the decision does. It must be dated within the round's window."""
        require_writer(actor)
        today = today or date.today()
        standard = check_assessment(a, today)
        with self.db.session() as s:
            rnd = self._open_round(s, round_uuid)
            _check_in_window(rnd, a.assessed_on)
            h = load_household(s, household_uuid)
            e = self._entry(s, rnd, h)
            _check_not_decided(s, e, h)
            audit = Auditor(s, actor)
            row = _record_assessment(s, audit, h, a, standard)
            self._set_survey(s, audit, e, row)
            dto = self._entry_dto(s, e)
        return Result(dto, audit.changes)

    def preview_survey(self, household_uuid: str, a: AssessmentInput, round_uuid: str | None = None,
                       ) -> SurveyPreview | None:
        """What a survey would record, without recording it: the survey form's live line. Against the
        round's status last year with `round_uuid`, else against the household's status now (a monthly
        application). None when neither income nor score A is given."""
        if a.income_per_capita is None and a.score_a is None:
            return None
        std = get_standard(a.standard) if a.standard else standard_for(a.assessed_on)
        with self.db.reading() as s:
            h = load_household(s, household_uuid)
            result = _survey_result(h, a, std)
            if round_uuid is not None:
                rnd = self._round(s, round_uuid)
                e = self._entry_or_none(s, rnd, h)
                previous, year = (e.previous_status if e else _status_at_start(h, rnd.year)), rnd.year
            else:
                previous, year = h.status, a.assessed_on.year
            move = rules.transition(previous, result.classification.value, _older_statuses(s, h.id, year))
            return SurveyPreview(result.standard, result.classification.value, result.deprivation_count,
                                 len(result.indicators), result.score_b, previous, move.value)

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
            _check_in_window(rnd, row.assessed_on)
            _check_not_decided(s, e, h)
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
                                             Assessment.deleted_at.is_(None), Assessment.assessed_on >= rnd.starts_on,
                                             Assessment.assessed_on <= rnd.ends_on)
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
            # A pending application is answered by this decision when its result is what it asked for (judged
            # against the status held before the decision); otherwise it waits for the written refusal.
            undecided = {e.household_id: e for e in listed if e.state != "decided"}
            answered = []
            for app, h in pending_applications(s, date.max):
                e = undecided.get(app.household_id)
                survey = s.get(Assessment, e.assessment_id) if e is not None and e.assessment_id else None
                if survey is not None and not _recognition_problems(app, h, survey):
                    answered.append(app)
            for i, e in enumerate(listed):
                if progress is not None and i % 50 == 0 and progress(i) is False:
                    raise PovcaseError(N_("Cancelled; nothing was saved"))
                if e.state == "decided":  # by a monthly decision while the round was open: that result stands
                    continue
                self._decide_household(s, audit, e, rnd.year, dec)
            for app in answered:
                audit.updated("review_application", app.uuid, apply_values(
                    app, {"outcome": rules.Outcome.RECOGNISED.value, "decided_on": decided_on, "decision_id": dec.id}))
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
            # A certificate of another year may replace one of this year (a monthly decision in January).
            missing = {c.replaced_by_id for c, _h in rows if c.replaced_by_id and c.replaced_by_id not in by_id}
            if missing:
                by_id.update({c.id: c for c in s.scalars(select(Certificate).where(Certificate.id.in_(missing)))})
            ended = _endings(s, [c for c, _h in rows])
            return [_certificate_dto(c, h, by_id.get(c.replaced_by_id) if c.replaced_by_id else None,
                                     replaces.get(c.id), ended.get(c.id)) for c, h in rows]

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
            return CertificateDetail(_certificate_dto(c, h, repl, replaces, _endings(s, [c]).get(c.id)),
                                     commune.name if commune else "",
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
        with self.db.session() as s:
            h = load_household(s, household_uuid)
            if form == rules.ApplicationForm.ESCAPE.value and h.status not in POOR_STATUSES:
                problems.append(FieldProblem("form", N_("Household {code} is neither poor nor near-poor: there is no "
                                                        "escape to register on Mẫu 04"), {"code": h.code}))
            waiting = s.scalar(select(ReviewApplication).where(
                ReviewApplication.household_id == h.id, ReviewApplication.form == form,
                ReviewApplication.deleted_at.is_(None), ReviewApplication.outcome == rules.Outcome.PENDING.value)
                .order_by(ReviewApplication.id).limit(1))
            if waiting is not None:
                problems.append(FieldProblem("form", N_("Household {code} already has a Mẫu {form} application of "
                                                        "{date} waiting for a decision: decide it first"),
                                             {"code": h.code, "form": form, "date": format_date(waiting.received_on)}))
            if problems:
                raise ValidationError(problems)
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
            dto = _app_dto(s, row, h)
        return Result(dto, audit.changes)

    def survey_application(self, actor: Actor, application_uuid: str, a: AssessmentInput,
                           today: date | None = None) -> Result[ApplicationDTO]:
        """Survey a household that applied (Phiếu A/B, the same form as the annual list): recorded in its
        history, the status unchanged until the chairman decides on the application."""
        require_writer(actor)
        today = today or date.today()
        standard = check_assessment(a, today)
        with self.db.session() as s:
            app = self._application(s, application_uuid)
            problems = []
            if app.outcome != rules.Outcome.PENDING.value:
                problems.append(FieldProblem("outcome", N_("The application was already decided")))
            if a.assessed_on < app.received_on:
                problems.append(FieldProblem("assessed_on", N_("The survey cannot be before the application was "
                                                               "received ({date})"),
                                             {"date": format_date(app.received_on)}))
            if problems:
                raise ValidationError(problems)
            h = s.get(Household, app.household_id)
            assert h is not None
            audit = Auditor(s, actor)
            _record_assessment(s, audit, h, a, standard)
            dto = _app_dto(s, app, h)
        return Result(dto, audit.changes)

    def decide_application(self, actor: Actor, application_uuid: str, outcome: str, decided_on: date,
                           refusal_reason: str = "", number: str = "",
                           today: date | None = None) -> Result[ApplicationDTO]:
        """The chairman's answer to an application. A refusal gives its written reason and changes no
        status. A recognition (decision `number`) needs a survey since the application that agrees with
        it — Mẫu 01: poor or near-poor, other than now; Mẫu 04: no longer poor, or for a near-poor
        household above the line — and applies it like the annual decision does for one household: the
        status for the year, a certificate when poor or near-poor, the one held now replaced or ended."""
        require_writer(actor)
        today = today or date.today()
        number = nfc(number)
        problems = []
        if outcome not in (rules.Outcome.RECOGNISED.value, rules.Outcome.REFUSED.value):
            problems.append(FieldProblem("outcome", N_("Must be one of: {choices}"),
                                         {"choices": "recognised, refused"}))
        if outcome == rules.Outcome.REFUSED.value and not nfc(refusal_reason):
            problems.append(FieldProblem("refusal_reason", N_("A refusal must give its reason")))
        if outcome == rules.Outcome.RECOGNISED.value and not number:
            problems.append(FieldProblem("number", N_("Required")))
        if decided_on > today:
            problems.append(FieldProblem("decided_on", N_("Cannot be in the future")))
        with self.db.session() as s:
            row = self._application(s, application_uuid)
            h = s.get(Household, row.household_id)
            assert h is not None
            if row.outcome != rules.Outcome.PENDING.value:
                problems.append(FieldProblem("outcome", N_("The application was already decided")))
            if decided_on < row.received_on:
                problems.append(FieldProblem("decided_on", N_("Cannot be before the application was received")))
            survey = None
            if outcome == rules.Outcome.RECOGNISED.value and row.outcome == rules.Outcome.PENDING.value:
                survey = _application_survey(s, row)
                if survey is not None and survey.assessed_on > decided_on:
                    survey = None
                problems.extend(_recognition_problems(row, h, survey))
            if problems:
                raise ValidationError(problems)
            audit = Auditor(s, actor)
            audit.updated("review_application", row.uuid, apply_values(row, {
                "outcome": outcome, "decided_on": decided_on,
                "refusal_reason": nfc(refusal_reason) if outcome == rules.Outcome.REFUSED.value else ""}))
            if survey is not None:
                self._recognise(s, audit, row, h, survey, number, decided_on)
            dto = _app_dto(s, row, h)
        return Result(dto, audit.changes)

    def _recognise(self, s: Session, audit: Auditor, app: ReviewApplication, h: Household, survey: Assessment,
                   number: str, decided_on: date) -> None:
        """The monthly review of one application, kept like a round: its entry (status before, survey,
        transition) and the chairman's decision, so the history, the certificates and the results read
        it the way they read the annual round."""
        rnd = ReviewRound(uuid=new_uuid(), kind=rules.RoundKind.MONTHLY.value, year=decided_on.year,
                          standard=survey.standard, starts_on=rules.monthly_review_start(app.received_on),
                          ends_on=app.due_on, status="decided")
        s.add(rnd)
        s.flush()
        audit.created("review_round", rnd.uuid, {"kind": rnd.kind, "year": rnd.year, "standard": rnd.standard,
                                                 "starts_on": rnd.starts_on, "ends_on": rnd.ends_on,
                                                 "application": app.uuid})
        e = self._add_entry(s, audit, rnd, h, "application")
        self._set_survey(s, audit, e, survey)
        dec = Decision(uuid=new_uuid(), round_id=rnd.id, number=number, decided_on=decided_on)
        s.add(dec)
        s.flush()
        audit.created("decision", dec.uuid, {"number": number, "decided_on": decided_on, "application": app.uuid})
        audit.updated("review_application", app.uuid, apply_values(app, {"decision_id": dec.id}))
        self._decide_household(s, audit, e, rnd.year, dec, replace_current=True)
        annual = s.scalar(select(ReviewRound).where(ReviewRound.deleted_at.is_(None), ReviewRound.status == "open",
                                                    ReviewRound.kind == rules.RoundKind.ANNUAL.value,
                                                    ReviewRound.year == rnd.year))
        if annual is not None:
            # The year's annual review is still open: this survey becomes the household's entry there, decided
            # by this decision, so the annual decision keeps it instead of overwriting it with an older survey.
            entry = self._entry_or_none(s, annual, h) or self._add_entry(s, audit, annual, h, "application")
            self._set_survey(s, audit, entry, survey)
            audit.updated("review_entry", entry.uuid, apply_values(entry, {"state": "decided", "decision_id": dec.id}))

    @staticmethod
    def _application(s: Session, uuid: str) -> ReviewApplication:
        row = s.scalar(select(ReviewApplication).where(ReviewApplication.uuid == uuid,
                                                       ReviewApplication.deleted_at.is_(None)))
        if row is None:
            raise NotFoundError(N_("No application with id {uuid}"), uuid=uuid)
        return row

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
            return [DueApplication(_app_dto(s, a, h), h.id,
                                   a.outcome == rules.Outcome.PENDING.value and a.due_on < today)
                    for a, h in (*pending, *decided)]

    def waiting_application(self, household_uuid: str, on: date) -> ApplicationDTO | None:
        """The household's application still waiting for a decision, received on or before `on`: a survey
        of that day is its survey (see `attach_to_open_round`)."""
        with self.db.reading() as s:
            h = load_household(s, household_uuid)
            a = s.scalar(select(ReviewApplication).where(
                ReviewApplication.household_id == h.id, ReviewApplication.deleted_at.is_(None),
                ReviewApplication.outcome == rules.Outcome.PENDING.value, ReviewApplication.received_on <= on)
                .order_by(ReviewApplication.received_on.desc(), ReviewApplication.id.desc()).limit(1))
            return _app_dto(s, a, h) if a is not None else None

    def due_applications(self, today: date, horizon_days: int = 0) -> list[DueApplication]:
        """Pending applications due by today + horizon_days, the overdue ones included."""
        with self.db.reading() as s:
            return [DueApplication(_app_dto(s, a, h), h.id, a.due_on < today)
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
        # A monthly decision moves the household from the status it holds now.
        previous = h.status if rnd.kind == rules.RoundKind.MONTHLY.value else _status_at_start(h, rnd.year)
        e = ReviewEntry(uuid=new_uuid(), round_id=rnd.id, household_id=h.id, source=source,
                        previous_status=previous, state="listed")
        s.add(e)
        s.flush()
        audit.created("review_entry", e.uuid, {"household": h.code, "source": source,
                                               "previous_status": e.previous_status})
        return e

    @staticmethod
    def _set_survey(s: Session, audit: Auditor, e: ReviewEntry, a: Assessment) -> None:
        rnd = s.get(ReviewRound, e.round_id)
        assert rnd is not None
        move = rules.transition(e.previous_status, a.classification, _older_statuses(s, e.household_id, rnd.year))
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
    def _decide_household(s: Session, audit: Auditor, e: ReviewEntry, year: int, dec: Decision,
                          replace_current: bool = False) -> None:
        """The decision for one household: its surveyed classification becomes its status for `year` (the
        status before this year's first decision kept as `previous_status`), the entry is decided, and a
        poor or near-poor household gets a certificate. `replace_current` (a decision during the year):
        the certificate the household holds now is replaced by the new one, or ends with its escape."""
        h = s.get(Household, e.household_id)
        a = s.get(Assessment, e.assessment_id) if e.assessment_id else None
        assert h is not None and a is not None
        previous = h.previous_status if h.status_year == year else h.status
        audit.updated("household", h.uuid, apply_values(h, {
            "status": e.proposed, "previous_status": previous, "status_standard": a.standard, "status_year": year,
            "score_b": a.score_b, "last_assessed_on": a.assessed_on,
            "deprived": ",".join(r.code for r in indicators_from_json(a.indicators) if r.deprived)}))
        audit.updated("review_entry", e.uuid, apply_values(e, {"state": "decided", "decision_id": dec.id}))
        current = _current_certificates(s, h.id) if replace_current else []
        new = None
        if e.proposed in POOR_STATUSES:
            new = ReviewService._issue_certificate(s, audit, h, year, e.proposed or "", dec.decided_on, dec)
        for old in current:
            if old.replaced_by_id is not None:  # the new one of the same year replaced it already
                continue
            if new is not None:
                audit.updated("certificate", old.uuid, apply_values(old, {"replaced_by_id": new.id}))
            else:
                audit.event("end", "certificate", old.uuid, dec.number)

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
        return _entry_dto(e, h, s.get(Hamlet, h.hamlet_id), s.get(Assessment, e.assessment_id) if e.assessment_id else None,
                          s.get(Decision, e.decision_id) if e.decision_id else None)

    @staticmethod
    def _decision_dto(s: Session, d: Decision) -> DecisionDTO:
        numbers = s.scalars(select(Certificate.number).where(Certificate.decision_id == d.id)
                            .order_by(Certificate.id)).all()
        return DecisionDTO(d.uuid, d.number, d.decided_on, tuple(numbers))

