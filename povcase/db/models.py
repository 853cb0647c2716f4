"""The register's tables, as SQLAlchemy 2 typed models.

Every record has a local integer key (fast joins, lazy lists of ids) and a UUID that is its identity
everywhere else: in sync packages, in the audit log, across installations that cannot share a counter.
Records are never deleted: `deleted_at` marks a tombstone. `revision` counts saves, so an editor that
read revision 3 cannot silently overwrite revision 4.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

UUID_LEN = 32  # uuid4().hex


def new_uuid() -> str:
    """A random (version 4) UUID as 32 hex digits, made without the uuid module's object overhead."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    return b.hex()


def utcnow() -> datetime:
    # Naive UTC: SQLite has no time zones and every writer here uses the same convention.
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class RecordMixin:
    """Identity, timestamps, revision and tombstone shared by every synced record."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(UUID_LEN), unique=True, default=new_uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class Setting(Base):
    """Key/value facts about this installation: register kind, installation id, officer."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Commune(RecordMixin, Base):
    __tablename__ = "commune"
    code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    province_code: Mapped[str] = mapped_column(String(2))
    province_name: Mapped[str] = mapped_column(String(120))
    upstream_office: Mapped[str] = mapped_column(String(200), default="")
    hamlets: Mapped[list[Hamlet]] = relationship(back_populates="commune")


class Hamlet(RecordMixin, Base):
    """Thôn, ấp, bản, buôn, khóm, tổ dân phố: the villages and residential groups of a commune."""

    __tablename__ = "hamlet"
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default="thon")
    sort_key: Mapped[str] = mapped_column(String(400))
    position: Mapped[int] = mapped_column(Integer, default=0)
    commune: Mapped[Commune] = relationship(back_populates="hamlets")
    __table_args__ = (Index("ix_hamlet_commune", "commune_id"),)


class Household(RecordMixin, Base):
    __tablename__ = "household"
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"))
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("hamlet.id"))
    code: Mapped[str] = mapped_column(String(32))
    # The head's name is kept here as well as on the member row: the register list sorts and shows
    # it for 300,000 households without a join.
    head_name: Mapped[str] = mapped_column(String(120))
    head_sort: Mapped[str] = mapped_column(String(800))
    address: Mapped[str] = mapped_column(String(300), default="")
    area: Mapped[str] = mapped_column(String(8), default="rural")
    ethnicity_group: Mapped[str] = mapped_column(String(40), default="Kinh")
    phone: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Housing facts (DOMAIN.md §1.4, indicators 7–12 and waste).
    house_area_m2: Mapped[float | None] = mapped_column(Float)
    house_quality: Mapped[str | None] = mapped_column(String(16))
    safe_water: Mapped[bool | None] = mapped_column(Boolean)
    hygienic_latrine: Mapped[bool | None] = mapped_column(Boolean)
    uses_telecom: Mapped[bool | None] = mapped_column(Boolean)
    has_information_device: Mapped[bool | None] = mapped_column(Boolean)
    hears_loudspeaker: Mapped[bool | None] = mapped_column(Boolean)
    waste_treated: Mapped[bool | None] = mapped_column(Boolean)
    # Officer overrides of derived indicators: JSON {code: {"deprived": bool, "reason": str}}.
    overrides: Mapped[str] = mapped_column(Text, default="{}")
    # Denormalised from the latest assessment, for the list and its filters.
    members_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str | None] = mapped_column(String(16))
    # The status before the current year's first assessment: "escaped this year" is poor or near-poor
    # here and middle / not poor in `status`.
    previous_status: Mapped[str | None] = mapped_column(String(16))
    status_standard: Mapped[str | None] = mapped_column(String(9))
    status_year: Mapped[int | None] = mapped_column(Integer)
    score_b: Mapped[int | None] = mapped_column(Integer)
    deprived: Mapped[str] = mapped_column(String(300), default="")
    last_assessed_on: Mapped[date | None] = mapped_column(Date)

    members: Mapped[list[Member]] = relationship(back_populates="household", order_by="Member.position")
    hamlet: Mapped[Hamlet] = relationship()
    __table_args__ = (
        UniqueConstraint("commune_id", "code", name="uq_household_code"),
        # Partial indexes over live households: the list's default order, its status counts and the
        # ethnic-group filter read them without touching the table (household.id is the rowid).
        Index("ix_household_live_head", "head_sort", "status", sqlite_where=text("deleted_at IS NULL")),
        Index("ix_household_live_status", "status", sqlite_where=text("deleted_at IS NULL")),
        Index("ix_household_live_ethnicity", "ethnicity_group", sqlite_where=text("deleted_at IS NULL")),
        Index("ix_household_hamlet", "hamlet_id"),
        Index("ix_household_status", "status_year", "status"),
    )


class Member(RecordMixin, Base):
    __tablename__ = "member"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    full_name: Mapped[str] = mapped_column(String(120))
    name_sort: Mapped[str] = mapped_column(String(800))
    sex: Mapped[str | None] = mapped_column(String(6))
    birth_date: Mapped[date | None] = mapped_column(Date)
    relation: Mapped[str] = mapped_column(String(16), default="other")
    id_number: Mapped[str | None] = mapped_column(String(12))
    ethnicity: Mapped[str] = mapped_column(String(40), default="Kinh")
    in_school: Mapped[bool | None] = mapped_column(Boolean)
    qualification: Mapped[str | None] = mapped_column(String(16))
    employment: Mapped[str | None] = mapped_column(String(24))
    able_to_work: Mapped[bool] = mapped_column(Boolean, default=True)
    has_health_insurance: Mapped[bool | None] = mapped_column(Boolean)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    social_allowance: Mapped[bool] = mapped_column(Boolean, default=False)
    stunted_or_underweight: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="")
    household: Mapped[Household] = relationship(back_populates="members")
    __table_args__ = (
        Index("ix_member_household", "household_id"),
        Index("ix_member_id_number", "id_number"),
    )


class Assessment(RecordMixin, Base):
    """One survey result: append-only history of a household's deprivation profile."""

    __tablename__ = "assessment"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    assessed_on: Mapped[date] = mapped_column(Date)
    standard: Mapped[str] = mapped_column(String(9))
    area: Mapped[str] = mapped_column(String(8))
    income_per_capita: Mapped[int | None] = mapped_column(Integer)
    score_a: Mapped[int | None] = mapped_column(Integer)
    score_b: Mapped[int] = mapped_column(Integer)
    deprivation_count: Mapped[int] = mapped_column(Integer)
    classification: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str] = mapped_column(String(8))
    # JSON list: [{"code", "deprived", "source", "reason": {"msgid", "params"}, "override_reason"}]
    indicators: Mapped[str] = mapped_column(Text)
    members_count: Mapped[int] = mapped_column(Integer)
    assessor: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_assessment_household", "household_id", "assessed_on"),)


class Account(RecordMixin, Base):
    """A person who may open this register, and what their role lets them do."""

    __tablename__ = "account"
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    # scrypt$<salt hex>$<hash hex>; None = no password (the demo register, a single-user PC by choice)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who changed what, when, from which value to which. Never updated, never deleted."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(30))
    record_uuid: Mapped[str | None] = mapped_column(String(UUID_LEN))
    field: Mapped[str | None] = mapped_column(String(60))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_audit_record", "record_uuid"),)


# --- escape plans, sponsors, support (issue 5) --------------------------------------------------
class EscapePlan(RecordMixin, Base):
    """Kế hoạch thoát nghèo: the household's agreed plan, its goals and their actions."""

    __tablename__ = "escape_plan"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    agreed_on: Mapped[date | None] = mapped_column(Date)
    # The household's registration to escape poverty (Mẫu số 04).
    registered_escape_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_escape_plan_household", "household_id"),)


class PlanGoal(RecordMixin, Base):
    __tablename__ = "plan_goal"
    plan_id: Mapped[int] = mapped_column(ForeignKey("escape_plan.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    indicator: Mapped[str] = mapped_column(String(32))  # an indicator code or "income"
    text: Mapped[str] = mapped_column(Text)
    target_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    __table_args__ = (Index("ix_plan_goal_plan", "plan_id"),)


class PlanAction(RecordMixin, Base):
    __tablename__ = "plan_action"
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(200), default="")
    programme_code: Mapped[str | None] = mapped_column(String(40))
    amount: Mapped[int | None] = mapped_column(Integer)  # planned VND
    item: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[float | None] = mapped_column(Float)
    start_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    drop_reason: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_plan_action_goal", "goal_id"), Index("ix_plan_action_due", "due_on"))


class Sponsor(RecordMixin, Base):
    """A party member, party cell, unit, mass organisation, business or donor helping households."""

    __tablename__ = "sponsor"
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    name_sort: Mapped[str] = mapped_column(String(800), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Only at an upstream office, which holds the sponsors of many communes (NULL: this commune's own).
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("commune.id"))
    __table_args__ = (Index("ix_sponsor_commune", "commune_id"),)


class SponsorAssignment(RecordMixin, Base):
    """A sponsor following a household from start to end; reassignment ends one row and adds another."""

    __tablename__ = "sponsor_assignment"
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsor.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_sponsor_assignment_household", "household_id"),
                      Index("ix_sponsor_assignment_sponsor", "sponsor_id"))


class Visit(RecordMixin, Base):
    __tablename__ = "visit"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("sponsor.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("sponsor_assignment.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    next_visit_due: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (Index("ix_visit_household", "household_id", "visited_on"),
                      Index("ix_visit_sponsor", "sponsor_id"))


class Programme(RecordMixin, Base):
    """Support programmes the office adds beside the built-in catalogue (povcase.domain.plans)."""

    __tablename__ = "programme"
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    group: Mapped[str] = mapped_column(String(20), default="local")
    max_amount: Mapped[int | None] = mapped_column(Integer)


class SupportRecord(RecordMixin, Base):
    """One support a household (or one member) received: append-only history, evidenced by a bảng kê."""

    __tablename__ = "support_record"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    programme_code: Mapped[str] = mapped_column(String(40))
    given_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(Integer)  # VND
    item: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[float | None] = mapped_column(Float)
    source_of_funds: Mapped[str] = mapped_column(String(200), default="")
    evidence_ref: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_support_record_household", "household_id", "given_on"),
                      Index("ix_support_record_programme", "programme_code", "given_on"))


class Loan(RecordMixin, Base):
    __tablename__ = "loan"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    support_record_id: Mapped[int | None] = mapped_column(ForeignKey("support_record.id"))
    amount: Mapped[int] = mapped_column(Integer)
    annual_rate: Mapped[float] = mapped_column(Float)  # percent a year
    term_months: Mapped[int] = mapped_column(Integer)
    interval_months: Mapped[int] = mapped_column(Integer, default=6)  # months between instalments
    disbursed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(300), default="")
    __table_args__ = (Index("ix_loan_household", "household_id"),)


class LoanRepayment(RecordMixin, Base):
    __tablename__ = "loan_repayment"
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"))
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_loan_repayment_loan", "loan_id"),)


# --- review rounds (issue 4) -----------------------------------------------------------------------
class ReviewRound(RecordMixin, Base):
    """Rà soát: the annual review of a year (1 Sept – 14 Dec) or a monthly regular review."""

    __tablename__ = "review_round"
    kind: Mapped[str] = mapped_column(String(8))  # annual | monthly
    year: Mapped[int] = mapped_column(Integer)
    standard: Mapped[str] = mapped_column(String(9))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | decided
    __table_args__ = (Index("ix_review_round_year", "year", "kind"),)


class ReviewApplication(RecordMixin, Base):
    """A household's application: Mẫu số 01 (to be reviewed) or 04 (to be recognised as escaped)."""

    __tablename__ = "review_application"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    form: Mapped[str] = mapped_column(String(2))
    received_on: Mapped[date] = mapped_column(Date)
    applicant: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")  # pending | recognised | refused
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    # The chairman's decision that recognised it (monthly, or the annual one that took it up).
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    __table_args__ = (Index("ix_review_application_household", "household_id"),
                      Index("ix_review_application_due", "outcome", "due_on"))


class ReviewEntry(RecordMixin, Base):
    """One household on a round's list: its survey, proposed classification and where it stands."""

    __tablename__ = "review_entry"
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    source: Mapped[str] = mapped_column(String(16), default="status")  # status | application | added
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    previous_status: Mapped[str | None] = mapped_column(String(16))
    proposed: Mapped[str | None] = mapped_column(String(16))
    transition: Mapped[str | None] = mapped_column(String(24))
    # listed → surveyed → agreed → decided; a failed meeting sends it to resurvey.
    state: Mapped[str] = mapped_column(String(16), default="listed")
    # The decision that decided it: the round's own, or, on an annual list, a monthly decision taken
    # while the round was open (the annual decision then keeps that result).
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    __table_args__ = (UniqueConstraint("round_id", "household_id", name="uq_review_entry_household"),
                      Index("ix_review_entry_household", "household_id"))


class VillageMeeting(RecordMixin, Base):
    """Họp dân: the hamlet's meeting on the list; passed when at least 50% of those present agree."""

    __tablename__ = "village_meeting"
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"))
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("hamlet.id"))
    held_on: Mapped[date] = mapped_column(Date)
    chair: Mapped[str] = mapped_column(String(120))
    present: Mapped[int] = mapped_column(Integer)
    agreeing: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (Index("ix_village_meeting_round", "round_id", "hamlet_id"),)


class PublicPosting(RecordMixin, Base):
    """Niêm yết công khai: at the commune office (no hamlet) or in a hamlet."""

    __tablename__ = "public_posting"
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"))
    hamlet_id: Mapped[int | None] = mapped_column(ForeignKey("hamlet.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    __table_args__ = (Index("ix_public_posting_round", "round_id"),)


class Complaint(RecordMixin, Base):
    __tablename__ = "complaint"
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    received_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    recheck_outcome: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (Index("ix_complaint_round", "round_id"),)


class UpstreamOpinion(RecordMixin, Base):
    """The opinion of the level above (province chairman since 1/7/2025): date and reference."""

    __tablename__ = "upstream_opinion"
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"))
    given_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120))
    __table_args__ = (Index("ix_upstream_opinion_round", "round_id"),)


class Decision(RecordMixin, Base):
    """The commune chairman's decision recognising the round's results."""

    __tablename__ = "decision"
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"))
    number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date] = mapped_column(Date)
    __table_args__ = (Index("ix_decision_round", "round_id"),)


class Certificate(RecordMixin, Base):
    """Giấy chứng nhận hộ nghèo/hộ cận nghèo, numbered "n/GCN-HN.HCN" per year; re-issue keeps the old row."""

    __tablename__ = "certificate"
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40))
    classification: Mapped[str] = mapped_column(String(16))
    issued_on: Mapped[date] = mapped_column(Date)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    __table_args__ = (UniqueConstraint("year", "number", name="uq_certificate_number"),
                      Index("ix_certificate_household", "household_id", "year"))


# --- sync packages (issue 7) ------------------------------------------------------------------------
class SyncPeer(Base):
    """A trusted key of the other side: the upstream office (at a commune) or a commune (at an office)."""

    __tablename__ = "sync_peer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(8))  # commune | office
    code: Mapped[str] = mapped_column(String(5))  # the commune's code, or the office's province code
    name: Mapped[str] = mapped_column(String(200), default="")
    sign_key: Mapped[str] = mapped_column(String(64))  # Ed25519 public key, hex
    box_key: Mapped[str] = mapped_column(String(64))  # X25519 public key, hex
    fingerprint: Mapped[str] = mapped_column(String(40))
    trusted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("role", "code", name="uq_sync_peer_code"),)


class SyncPackage(Base):
    """A package this register wrote (out, at a commune) or applied (in, at an office)."""

    __tablename__ = "sync_package"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    commune_code: Mapped[str] = mapped_column(String(5))
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))  # full | incremental
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)  # as the manifest says
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    acked_at: Mapped[datetime | None] = mapped_column(DateTime)
    file_name: Mapped[str] = mapped_column(String(260), default="")
    summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON counts per record type
    __table_args__ = (UniqueConstraint("direction", "commune_code", "sequence", name="uq_sync_package_sequence"),
                      Index("ix_sync_package_sha256", "sha256"))


class SyncState(Base):
    """At a commune: which revision of a record was last sent, accepted or rejected upstream."""

    __tablename__ = "sync_state"
    uuid: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(30))
    sent_revision: Mapped[int | None] = mapped_column(Integer)
    sent_sequence: Mapped[int | None] = mapped_column(Integer)
    accepted_revision: Mapped[int | None] = mapped_column(Integer)
    rejected_revision: Mapped[int | None] = mapped_column(Integer)
    rejected_reason: Mapped[str] = mapped_column(Text, default="")


# The search index is an FTS5 table the migration creates (no ORM class): one row per household,
# rowid = household.id, holding the folded code, names, ID numbers, hamlet and address.
SEARCH_TABLE = "household_search"
