"""The support ledger: what each household received, from which programme, with which evidence;
Social Policy Bank loans and their repayments; totals per household, programme and hamlet.

Support records and repayments are append-only history. A repayment above what remains of a loan is
refused, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from povcase.db.engine import Database
from povcase.db.models import (
    Hamlet,
    Household,
    Loan,
    LoanRepayment,
    Member,
    Programme,
    SupportRecord,
    new_uuid,
)
from povcase.domain.plans import (
    PROGRAMMES,
    Instalment,
    add_months,
    get_programme,
    loan_schedule,
    next_instalment,
)
from povcase.domain.text import nfc
from povcase.domain.validation import check_amount
from povcase.errors import N_, FieldProblem, NotFoundError, ValidationError
from povcase.services.base import Actor, Auditor, Result
from povcase.services.households import require_writer
from povcase.services.plans import check_quantity, known_programmes, load_household

_SUPPORT_FIELDS = ("programme_code", "given_on", "amount", "item", "quantity", "source_of_funds", "evidence_ref",
                   "notes")
MAX_RATE_PERCENT = 30.0
MAX_TERM_MONTHS = 240


@dataclass(frozen=True)
class ProgrammeInput:
    code: str
    name_vi: str
    name_en: str = ""
    group: str = "local"
    max_amount: int | None = None


@dataclass(frozen=True)
class ProgrammeDTO:
    code: str
    name_vi: str
    name_en: str
    group: str
    max_amount: int | None
    builtin: bool


@dataclass(frozen=True)
class SupportInput:
    programme_code: str
    given_on: date
    amount: int | None = None  # VND
    item: str = ""  # in kind
    quantity: float | None = None
    member_uuid: str | None = None
    source_of_funds: str = ""
    evidence_ref: str = ""  # bảng kê number
    notes: str = ""


@dataclass(frozen=True)
class SupportDTO:
    uuid: str
    household_uuid: str
    member_uuid: str | None
    member_name: str
    programme_code: str
    given_on: date
    amount: int | None
    item: str
    quantity: float | None
    source_of_funds: str
    evidence_ref: str
    notes: str


@dataclass(frozen=True)
class HouseholdSupport:
    records: tuple[SupportDTO, ...]  # newest first
    total_amount: int
    by_programme: dict[str, int]  # VND per programme code


@dataclass(frozen=True)
class TotalRow:
    key: str  # programme code or hamlet uuid
    label: str
    records: int
    households: int
    amount: int


@dataclass(frozen=True)
class LoanInput:
    amount: int
    annual_rate: float  # percent a year
    term_months: int
    disbursed_on: date
    purpose: str = ""
    interval_months: int = 6
    due_on: date | None = None  # None: disbursed_on + term
    evidence_ref: str = ""
    source_of_funds: str = "Ngân hàng Chính sách xã hội"


@dataclass(frozen=True)
class LoanDTO:
    uuid: str
    household_uuid: str
    support_uuid: str | None
    amount: int
    annual_rate: float
    term_months: int
    interval_months: int
    disbursed_on: date
    due_on: date
    purpose: str
    repaid: int
    remaining: int


@dataclass(frozen=True)
class RepaymentDTO:
    uuid: str
    loan_uuid: str
    paid_on: date
    amount: int
    notes: str


@dataclass(frozen=True)
class LoanSchedule:
    loan: LoanDTO
    instalments: tuple[Instalment, ...]
    repayments: tuple[RepaymentDTO, ...]
    next_due: Instalment | None


def repaid_amount(s: Session, loan_id: int) -> int:
    return s.scalar(select(func.coalesce(func.sum(LoanRepayment.amount), 0))
                    .where(LoanRepayment.loan_id == loan_id, LoanRepayment.deleted_at.is_(None))) or 0


def loan_dto(s: Session, loan: Loan, household_uuid: str | None = None) -> LoanDTO:
    if household_uuid is None:
        household_uuid = s.scalar(select(Household.uuid).where(Household.id == loan.household_id)) or ""
    support_uuid = (s.scalar(select(SupportRecord.uuid).where(SupportRecord.id == loan.support_record_id))
                    if loan.support_record_id else None)
    repaid = repaid_amount(s, loan.id)
    return LoanDTO(loan.uuid, household_uuid, support_uuid, loan.amount, loan.annual_rate, loan.term_months,
                   loan.interval_months, loan.disbursed_on, loan.due_on, loan.purpose, repaid, loan.amount - repaid)


def schedule_of(loan: Loan | LoanDTO) -> tuple[Instalment, ...]:
    return loan_schedule(loan.amount, loan.annual_rate, loan.disbursed_on, loan.term_months, loan.interval_months)


class SupportService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # programmes
    def programmes(self) -> list[ProgrammeDTO]:
        """The built-in catalogue, then the office's own programmes."""
        out = [ProgrammeDTO(p.code, p.name_vi, p.name_en, p.group, p.max_amount, True) for p in PROGRAMMES]
        with self.db.reading() as s:
            out += [ProgrammeDTO(p.code, p.name_vi, p.name_en, p.group, p.max_amount, False)
                    for p in s.scalars(select(Programme).where(Programme.deleted_at.is_(None)).order_by(Programme.id))]
        return out

    def add_programme(self, actor: Actor, p: ProgrammeInput) -> Result[ProgrammeDTO]:
        require_writer(actor)
        code = nfc(p.code).strip().lower()
        name = nfc(p.name_vi)
        with self.db.session() as s:
            problems = []
            if not code or len(code) > 40 or not all(c.isascii() and (c.isalnum() or c == "_") for c in code):
                problems.append(FieldProblem("code", N_("A code has 1 to 40 letters, digits or underscores")))
            elif code in known_programmes(s) or s.scalar(select(Programme.id).where(Programme.code == code)):
                problems.append(FieldProblem("code", N_("Programme code {code} is already used"), {"code": code}))
            if not name:
                problems.append(FieldProblem("name_vi", N_("Required")))
            if (bad := check_amount("max_amount", p.max_amount)):
                problems.append(bad)
            if problems:
                raise ValidationError(problems)
            audit = Auditor(s, actor)
            values = {"code": code, "name_vi": name, "name_en": nfc(p.name_en), "group": p.group or "local",
                      "max_amount": p.max_amount}
            row = Programme(uuid=new_uuid(), **values)
            s.add(row)
            s.flush()
            audit.created("programme", row.uuid, values)
            dto = ProgrammeDTO(code, name, row.name_en, row.group, row.max_amount, False)
        return Result(dto, audit.changes)

    # support records
    def record_support(self, actor: Actor, household_uuid: str, x: SupportInput,
                       today: date | None = None) -> Result[SupportDTO]:
        require_writer(actor)
        today = today or date.today()
        with self.db.session() as s:
            h = load_household(s, household_uuid)
            member = self._check_support(s, h, x, today)
            audit = Auditor(s, actor)
            row = self._add_support(s, audit, h, member, x)
            dto = self._support_dto(row, h.uuid, member)
        return Result(dto, audit.changes)

    def household_support(self, household_uuid: str) -> HouseholdSupport:
        """All support the household received, newest first, with totals in VND."""
        with self.db.reading() as s:
            h = load_household(s, household_uuid)
            rows = s.scalars(select(SupportRecord).where(SupportRecord.household_id == h.id,
                                                        SupportRecord.deleted_at.is_(None))
                             .order_by(SupportRecord.given_on.desc(), SupportRecord.id.desc())).all()
            members = {m.id: m for m in s.scalars(select(Member).where(Member.household_id == h.id))}
            records = tuple(self._support_dto(r, h.uuid, members.get(r.member_id) if r.member_id else None)
                            for r in rows)
        by: dict[str, int] = {}
        for r in records:
            by[r.programme_code] = by.get(r.programme_code, 0) + (r.amount or 0)
        return HouseholdSupport(records, sum(by.values()), by)

    def totals(self, period_from: date, period_to: date,
               by: Literal["programme", "hamlet"] = "programme") -> list[TotalRow]:
        """Support given in [period_from, period_to] (both included), per programme or per hamlet."""
        if period_to < period_from:
            raise ValidationError([FieldProblem("period_to", N_("Cannot be before the start date"))])
        with self.db.reading() as s:
            key = SupportRecord.programme_code if by == "programme" else Hamlet.uuid
            q = (select(key, func.count(SupportRecord.id), func.count(func.distinct(SupportRecord.household_id)),
                        func.coalesce(func.sum(SupportRecord.amount), 0))
                 .join(Household, Household.id == SupportRecord.household_id)
                 .join(Hamlet, Hamlet.id == Household.hamlet_id)
                 .where(SupportRecord.deleted_at.is_(None), Household.deleted_at.is_(None),
                        SupportRecord.given_on >= period_from, SupportRecord.given_on <= period_to)
                 .group_by(key).order_by(key))
            rows = list(s.execute(q))
            if by == "programme":
                office = {p.code: p.name_vi for p in s.scalars(select(Programme))}
                labels = {k: (p.name_vi if (p := get_programme(k)) else office.get(k, k)) for k, *_ in rows}
            else:
                labels = dict(s.execute(select(Hamlet.uuid, Hamlet.name)).all())
        return [TotalRow(k, labels.get(k, k), n, hh, amount) for k, n, hh, amount in rows]

    # loans
    def record_loan(self, actor: Actor, household_uuid: str, x: LoanInput,
                    today: date | None = None) -> Result[LoanDTO]:
        """A Social Policy Bank loan: a support record in the ledger and the loan with its terms."""
        require_writer(actor)
        today = today or date.today()
        problems = []
        if (bad := check_amount("amount", x.amount)):
            problems.append(bad)
        if not 0 <= x.annual_rate <= MAX_RATE_PERCENT:
            problems.append(FieldProblem("annual_rate", N_("Must be between {low} and {high}"),
                                         {"low": 0, "high": MAX_RATE_PERCENT}))
        if not 1 <= x.term_months <= MAX_TERM_MONTHS:
            problems.append(FieldProblem("term_months", N_("Must be between {low} and {high}"),
                                         {"low": 1, "high": MAX_TERM_MONTHS}))
        if not 1 <= x.interval_months <= max(1, x.term_months):
            problems.append(FieldProblem("interval_months", N_("Must be between {low} and {high}"),
                                         {"low": 1, "high": x.term_months}))
        if x.disbursed_on > today:
            problems.append(FieldProblem("disbursed_on", N_("Cannot be in the future")))
        due_on = x.due_on or add_months(x.disbursed_on, max(1, x.term_months))
        if due_on <= x.disbursed_on:
            problems.append(FieldProblem("due_on", N_("Must be after the disbursement date")))
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            h = load_household(s, household_uuid)
            audit = Auditor(s, actor)
            support = self._add_support(s, audit, h, None, SupportInput(
                "vbsp_loan", x.disbursed_on, x.amount, source_of_funds=nfc(x.source_of_funds),
                evidence_ref=nfc(x.evidence_ref), notes=nfc(x.purpose)))
            values = {"amount": x.amount, "annual_rate": x.annual_rate, "term_months": x.term_months,
                      "interval_months": x.interval_months, "disbursed_on": x.disbursed_on, "due_on": due_on,
                      "purpose": nfc(x.purpose)}
            loan = Loan(uuid=new_uuid(), household_id=h.id, support_record_id=support.id, **values)
            s.add(loan)
            s.flush()
            audit.created("loan", loan.uuid, values)
            dto = loan_dto(s, loan, h.uuid)
        return Result(dto, audit.changes)

    def record_repayment(self, actor: Actor, loan_uuid: str, paid_on: date, amount: int, notes: str = "",
                         today: date | None = None) -> Result[LoanDTO]:
        """Record a repayment; never above what remains of the loan."""
        require_writer(actor)
        today = today or date.today()
        with self.db.session() as s:
            loan = self._load_loan(s, loan_uuid)
            remaining = loan.amount - repaid_amount(s, loan.id)
            problems = []
            if (bad := check_amount("amount", amount)):
                problems.append(bad)
            elif amount > remaining:
                problems.append(FieldProblem("amount", N_("Only {remaining} VND remains to be repaid"),
                                             {"remaining": remaining}))
            if paid_on > today:
                problems.append(FieldProblem("paid_on", N_("Cannot be in the future")))
            if paid_on < loan.disbursed_on:
                problems.append(FieldProblem("paid_on", N_("Cannot be before the disbursement date")))
            if problems:
                raise ValidationError(problems)
            audit = Auditor(s, actor)
            row = LoanRepayment(uuid=new_uuid(), loan_id=loan.id, paid_on=paid_on, amount=amount, notes=nfc(notes))
            s.add(row)
            s.flush()
            audit.created("loan_repayment", row.uuid, {"loan": loan.uuid, "paid_on": paid_on, "amount": amount,
                                                       "notes": row.notes})
            dto = loan_dto(s, loan)
        return Result(dto, audit.changes)

    def loans(self, household_uuid: str) -> list[LoanDTO]:
        with self.db.reading() as s:
            h = load_household(s, household_uuid)
            rows = s.scalars(select(Loan).where(Loan.household_id == h.id, Loan.deleted_at.is_(None))
                             .order_by(Loan.disbursed_on, Loan.id)).all()
            return [loan_dto(s, r, h.uuid) for r in rows]

    def loan_schedule(self, loan_uuid: str) -> LoanSchedule:
        with self.db.reading() as s:
            loan = self._load_loan(s, loan_uuid)
            dto = loan_dto(s, loan)
            reps = tuple(RepaymentDTO(r.uuid, loan.uuid, r.paid_on, r.amount, r.notes) for r in s.scalars(
                select(LoanRepayment).where(LoanRepayment.loan_id == loan.id, LoanRepayment.deleted_at.is_(None))
                .order_by(LoanRepayment.paid_on, LoanRepayment.id)))
        schedule = schedule_of(dto)
        return LoanSchedule(dto, schedule, reps, next_instalment(schedule, dto.repaid))

    def remaining(self, loan_uuid: str) -> int:
        with self.db.reading() as s:
            loan = self._load_loan(s, loan_uuid)
            return loan.amount - repaid_amount(s, loan.id)

    # internals
    def _check_support(self, s: Session, h: Household, x: SupportInput, today: date) -> Member | None:
        problems = []
        programme = x.programme_code
        if programme not in known_programmes(s):
            problems.append(FieldProblem("programme_code", N_("Unknown programme '{code}'"), {"code": programme}))
        if x.given_on > today:
            problems.append(FieldProblem("given_on", N_("Cannot be in the future")))
        if x.amount is None and not nfc(x.item):
            problems.append(FieldProblem("amount", N_("Give an amount or an item")))
        if (bad := check_amount("amount", x.amount)):
            problems.append(bad)
        if (bad := check_quantity("quantity", x.quantity)):
            problems.append(bad)
        if nfc(x.item) and x.quantity is None:
            problems.append(FieldProblem("quantity", N_("Give the quantity of the item")))
        member = None
        if x.member_uuid:
            member = s.scalar(select(Member).where(Member.uuid == x.member_uuid, Member.household_id == h.id,
                                                   Member.deleted_at.is_(None)))
            if member is None:
                problems.append(FieldProblem("member_uuid", N_("Choose a member of this household")))
        ceiling = (p.max_amount if (p := get_programme(programme)) else
                   s.scalar(select(Programme.max_amount).where(Programme.code == programme)))
        if ceiling and x.amount and not problems:
            given = s.scalar(select(func.coalesce(func.sum(SupportRecord.amount), 0)).where(
                SupportRecord.household_id == h.id, SupportRecord.programme_code == programme,
                SupportRecord.deleted_at.is_(None))) or 0
            if given + x.amount > ceiling:
                problems.append(FieldProblem("amount", N_("The programme gives at most {ceiling} VND a household; "
                                                          "{given} VND already recorded"),
                                             {"ceiling": ceiling, "given": given}))
        if problems:
            raise ValidationError(problems)
        return member

    def _add_support(self, s: Session, audit: Auditor, h: Household, member: Member | None,
                     x: SupportInput) -> SupportRecord:
        values = {"programme_code": x.programme_code, "given_on": x.given_on, "amount": x.amount,
                  "item": nfc(x.item), "quantity": x.quantity, "source_of_funds": nfc(x.source_of_funds),
                  "evidence_ref": nfc(x.evidence_ref), "notes": x.notes.strip()}
        row = SupportRecord(uuid=new_uuid(), household_id=h.id, member_id=member.id if member else None, **values)
        s.add(row)
        s.flush()
        audit.created("support_record", row.uuid, {"household": h.code,
                                                   "member": member.full_name if member else None, **values})
        return row

    def _load_loan(self, s: Session, uuid: str) -> Loan:
        loan = s.scalar(select(Loan).where(Loan.uuid == uuid))
        if loan is None or loan.deleted_at is not None:
            raise NotFoundError(N_("No loan with id {uuid}"), uuid=uuid)
        return loan

    @staticmethod
    def _support_dto(r: SupportRecord, household_uuid: str, member: Member | None) -> SupportDTO:
        return SupportDTO(r.uuid, household_uuid, member.uuid if member else None,
                          member.full_name if member else "", **{f: getattr(r, f) for f in _SUPPORT_FIELDS})
