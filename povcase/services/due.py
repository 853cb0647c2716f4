"""What needs doing this week: plan actions due or overdue, sponsor visits overdue, loan repayments due,
review applications (Mẫu 01/04) due for a decision within 15 days of the monthly review start.

One list, sorted by date, filterable by hamlet and sponsor (the household's sponsor on that day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from povcase.db.engine import Database
from povcase.db.models import (
    EscapePlan,
    Hamlet,
    Household,
    Loan,
    PlanAction,
    PlanGoal,
    Sponsor,
    SponsorAssignment,
)
from povcase.domain.plans import DUE_HORIZON_DAYS, next_instalment
from povcase.services.review import pending_applications
from povcase.services.sponsors import current_assignments, household_visit_due
from povcase.services.support import repaid_amount, schedule_of


@dataclass(frozen=True)
class DueItem:
    kind: str  # action | visit | loan_repayment | application
    due_on: date
    overdue: bool
    household_uuid: str
    household_code: str
    head_name: str
    hamlet_name: str
    sponsor_name: str
    text: str  # the action's text, the sponsor visiting, the loan's purpose, the application's form
    record_uuid: str  # the action, assignment, loan or application
    amount: int | None = None  # VND due on a loan instalment (principal + interest)


@dataclass(frozen=True)
class _Hh:
    uuid: str
    code: str
    head_name: str
    hamlet_uuid: str
    hamlet_name: str


class DueService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def due_list(self, today: date, hamlet: str | None = None, sponsor: str | None = None,
                 horizon_days: int = DUE_HORIZON_DAYS) -> list[DueItem]:
        """Everything due by today + horizon_days (and everything overdue); `hamlet` and `sponsor` are uuids."""
        until = today + timedelta(days=horizon_days)
        with self.db.reading() as s:
            households = self._households(s, hamlet)
            sponsors: dict[int, tuple[str, str, SponsorAssignment]] = {}  # household id -> (uuid, name, row)
            for a, sp_uuid, sp_name in s.execute(
                    current_assignments(s, today).add_columns(Sponsor.uuid, Sponsor.name)):
                sponsors[a.household_id] = (sp_uuid, sp_name, a)
            if sponsor is not None:
                households = {k: v for k, v in households.items() if k in sponsors and sponsors[k][0] == sponsor}

            def item(kind: str, hid: int, due: date, text: str, uuid: str, amount: int | None = None) -> DueItem:
                h = households[hid]
                return DueItem(kind, due, due < today, h.uuid, h.code, h.head_name, h.hamlet_name,
                               sponsors[hid][1] if hid in sponsors else "", text, uuid, amount)

            out: list[DueItem] = []
            for a, hid in s.execute(
                    select(PlanAction, EscapePlan.household_id)
                    .join(PlanGoal, PlanGoal.id == PlanAction.goal_id)
                    .join(EscapePlan, EscapePlan.id == PlanGoal.plan_id)
                    .where(PlanAction.deleted_at.is_(None), PlanGoal.deleted_at.is_(None),
                           EscapePlan.deleted_at.is_(None), PlanAction.status.in_(("planned", "in_progress")),
                           PlanAction.due_on.is_not(None), PlanAction.due_on <= until)):
                if hid in households and a.due_on is not None:
                    out.append(item("action", hid, a.due_on, a.text, a.uuid, a.amount))
            for hid, (_uuid, name, a) in sponsors.items():
                if hid in households:
                    _last, due = household_visit_due(s, a)
                    if due <= until:
                        out.append(item("visit", hid, due, name, a.uuid))
            for loan in s.scalars(select(Loan).where(Loan.deleted_at.is_(None))):
                if loan.household_id not in households:
                    continue
                paid = repaid_amount(s, loan.id)
                schedule = schedule_of(loan)
                nxt = next_instalment(schedule, paid)
                if nxt is not None and nxt.due_on <= until:
                    covered_before = sum(i.principal for i in schedule if i.number < nxt.number)
                    owed = nxt.principal - max(0, paid - covered_before) + nxt.interest
                    out.append(item("loan_repayment", loan.household_id, nxt.due_on, loan.purpose, loan.uuid, owed))
            for app, h in pending_applications(s, until):
                if h.id in households:
                    out.append(item("application", h.id, app.due_on, app.form, app.uuid))
        out.sort(key=lambda d: (d.due_on, d.household_code, d.kind))
        return out

    @staticmethod
    def _households(s: Session, hamlet: str | None) -> dict[int, _Hh]:
        q = (select(Household.id, Household.uuid, Household.code, Household.head_name, Hamlet.uuid, Hamlet.name)
             .join(Hamlet, Hamlet.id == Household.hamlet_id).where(Household.deleted_at.is_(None)))
        if hamlet is not None:
            q = q.where(Hamlet.uuid == hamlet)
        return {r[0]: _Hh(*r[1:]) for r in s.execute(q)}
