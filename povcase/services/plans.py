"""Escape plans (kế hoạch thoát nghèo): goals, actions, and goals suggested from deprivations.

A plan is saved whole, as its editor submits it: the service validates every goal and action first,
then writes in one transaction, auditing each field that changed. Suggestions are computed, never
written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from povcase.db.engine import Database
from povcase.db.models import EscapePlan, Household, Member, PlanAction, PlanGoal, Programme, new_uuid, utcnow
from povcase.domain.deprivation import derive_indicators
from povcase.domain.plans import (
    INCOME,
    PROGRAMME_CODES,
    ActionStatus,
    GoalStatus,
    GoalSuggestion,
    suggest_goals,
)
from povcase.domain.standards import STANDARDS, standard_for
from povcase.domain.text import nfc
from povcase.domain.validation import check_amount
from povcase.errors import N_, FieldProblem, NotFoundError, ValidationError
from povcase.services.base import Actor, Auditor, Result
from povcase.services.households import housing_facts, member_facts, overrides_from_json, require_writer

INDICATOR_CODES = frozenset({INCOME, *(c for s in STANDARDS.values() for c in s.indicator_codes)})
_ACTION_STATUSES = frozenset(s.value for s in ActionStatus)
_GOAL_STATUSES = frozenset(s.value for s in GoalStatus)


# --- helpers the other issue-5 services share ---------------------------------------------------
def load_household(s: Session, uuid: str) -> Household:
    h = s.scalar(select(Household).where(Household.uuid == uuid))
    if h is None or h.deleted_at is not None:
        raise NotFoundError(N_("No household with id {uuid}"), uuid=uuid)
    return h


def known_programmes(s: Session) -> frozenset[str]:
    office = s.scalars(select(Programme.code).where(Programme.deleted_at.is_(None))).all()
    return PROGRAMME_CODES | frozenset(office)


def apply_values(obj: Any, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the values that differ; return {field: (old, new)} for the audit."""
    diffs: dict[str, tuple[Any, Any]] = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            diffs[name] = (old, value)
            setattr(obj, name, value)
    if diffs:
        obj.revision += 1
        obj.updated_at = utcnow()
    return diffs


def check_quantity(field: str, value: float | None) -> FieldProblem | None:
    if value is None:
        return None
    if value != value or value <= 0:
        return FieldProblem(field, N_("Must be more than zero"))
    return None


# --- DTOs ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ActionInput:
    text: str
    responsible: str = ""
    programme_code: str | None = None
    amount: int | None = None  # planned VND
    item: str = ""
    quantity: float | None = None
    start_on: date | None = None
    due_on: date | None = None
    status: str = "planned"
    drop_reason: str = ""
    uuid: str | None = None


@dataclass(frozen=True)
class GoalInput:
    indicator: str
    text: str
    target_on: date | None = None
    status: str = "open"
    actions: tuple[ActionInput, ...] = ()
    uuid: str | None = None


@dataclass(frozen=True)
class PlanInput:
    agreed_on: date | None = None
    registered_escape_on: date | None = None  # Mẫu số 04
    notes: str = ""
    goals: tuple[GoalInput, ...] = ()


@dataclass(frozen=True)
class ActionDTO:
    uuid: str
    text: str
    responsible: str
    programme_code: str | None
    amount: int | None
    item: str
    quantity: float | None
    start_on: date | None
    due_on: date | None
    status: str
    drop_reason: str


@dataclass(frozen=True)
class GoalDTO:
    uuid: str
    indicator: str
    text: str
    target_on: date | None
    status: str
    actions: tuple[ActionDTO, ...]


@dataclass(frozen=True)
class PlanDTO:
    uuid: str
    household_uuid: str
    agreed_on: date | None
    registered_escape_on: date | None
    notes: str
    goals: tuple[GoalDTO, ...]
    revision: int


_ACTION_FIELDS = ("text", "responsible", "programme_code", "amount", "item", "quantity", "start_on", "due_on",
                  "status", "drop_reason")


# --- validation ------------------------------------------------------------------------------------
def clean_action(a: ActionInput, path: str, programmes: frozenset[str], problems: list[FieldProblem]) -> ActionInput:
    text = nfc(a.text)
    if not text:
        problems.append(FieldProblem(path + "text", N_("Required")))
    if a.programme_code is not None and a.programme_code not in programmes:
        problems.append(FieldProblem(path + "programme_code", N_("Unknown programme '{code}'"),
                                     {"code": a.programme_code}))
    if (bad := check_amount(path + "amount", a.amount)):
        problems.append(bad)
    if (bad := check_quantity(path + "quantity", a.quantity)):
        problems.append(bad)
    if a.start_on and a.due_on and a.due_on < a.start_on:
        problems.append(FieldProblem(path + "due_on", N_("Cannot be before the start date")))
    if a.status not in _ACTION_STATUSES:
        problems.append(FieldProblem(path + "status", N_("Must be one of: {choices}"),
                                     {"choices": ", ".join(sorted(_ACTION_STATUSES))}))
    reason = nfc(a.drop_reason)
    if a.status == ActionStatus.DROPPED and len(reason) < 3:
        problems.append(FieldProblem(path + "drop_reason", N_("Say why the action is dropped")))
    return ActionInput(text=text, responsible=nfc(a.responsible), programme_code=a.programme_code or None,
                       amount=a.amount, item=nfc(a.item), quantity=a.quantity, start_on=a.start_on,
                       due_on=a.due_on, status=a.status, drop_reason=reason, uuid=a.uuid)


def clean_plan(p: PlanInput, today: date, programmes: frozenset[str]) -> PlanInput:
    problems: list[FieldProblem] = []
    if p.agreed_on and p.agreed_on > today:
        problems.append(FieldProblem("agreed_on", N_("Cannot be in the future")))
    if p.registered_escape_on and p.registered_escape_on > today:
        problems.append(FieldProblem("registered_escape_on", N_("Cannot be in the future")))
    if p.agreed_on and p.registered_escape_on and p.registered_escape_on < p.agreed_on:
        problems.append(FieldProblem("registered_escape_on", N_("Cannot be before the plan was agreed")))
    goals = []
    for i, g in enumerate(p.goals):
        path = f"goals[{i}]."
        text = nfc(g.text)
        if not text:
            problems.append(FieldProblem(path + "text", N_("Required")))
        if g.indicator not in INDICATOR_CODES:
            problems.append(FieldProblem(path + "indicator", N_("Unknown indicator '{code}'"), {"code": g.indicator}))
        if g.status not in _GOAL_STATUSES:
            problems.append(FieldProblem(path + "status", N_("Must be one of: {choices}"),
                                         {"choices": ", ".join(sorted(_GOAL_STATUSES))}))
        if g.target_on and p.agreed_on and g.target_on < p.agreed_on:
            problems.append(FieldProblem(path + "target_on", N_("Cannot be before the plan was agreed")))
        actions = tuple(clean_action(a, f"{path}actions[{j}].", programmes, problems)
                        for j, a in enumerate(g.actions))
        goals.append(GoalInput(g.indicator, text, g.target_on, g.status, actions, g.uuid))
    if problems:
        raise ValidationError(problems)
    return PlanInput(p.agreed_on, p.registered_escape_on, p.notes.strip(), tuple(goals))


# --- the service -----------------------------------------------------------------------------------
class PlanService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, household_uuid: str) -> PlanDTO | None:
        """The household's plan, or None when it has none yet."""
        with self.db.reading() as s:
            h = load_household(s, household_uuid)
            plan = self._plan(s, h.id)
            return self._dto(s, plan, h.uuid) if plan else None

    def suggestions(self, household_uuid: str, today: date | None = None) -> list[GoalSuggestion]:
        """Goals suggested from the household's current facts: for the officer to accept or edit."""
        today = today or date.today()
        with self.db.reading() as s:
            h = load_household(s, household_uuid)
            members = s.scalars(select(Member).where(Member.household_id == h.id, Member.deleted_at.is_(None))
                                .order_by(Member.position)).all()
            standard = standard_for(today)
            overrides = {c: o for c, o in overrides_from_json(h.overrides).items() if c in standard.indicator_codes}
            facts = tuple(member_facts(m) for m in members)
            results = derive_indicators(standard, facts, housing_facts(h), today, overrides=overrides)
            return suggest_goals(results, h.status, facts, today)

    def save(self, actor: Actor, household_uuid: str, plan: PlanInput,
             today: date | None = None) -> Result[PlanDTO]:
        """Create the household's plan or replace its content with the editor's: goals and actions
        matched by uuid, new ones added, missing ones tombstoned."""
        require_writer(actor)
        today = today or date.today()
        with self.db.session() as s:
            clean = clean_plan(plan, today, known_programmes(s))
            h = load_household(s, household_uuid)
            audit = Auditor(s, actor)
            row = self._plan(s, h.id)
            values = {"agreed_on": clean.agreed_on, "registered_escape_on": clean.registered_escape_on,
                      "notes": clean.notes}
            if row is None:
                row = EscapePlan(uuid=new_uuid(), household_id=h.id, **values)
                s.add(row)
                s.flush()
                audit.created("escape_plan", row.uuid, {"household": h.code, **values})
            else:
                audit.updated("escape_plan", row.uuid, apply_values(row, values))
            self._sync_goals(s, audit, row, clean.goals)
            s.flush()
            dto = self._dto(s, row, h.uuid)
        return Result(dto, audit.changes)

    # internals
    def _plan(self, s: Session, household_id: int) -> EscapePlan | None:
        return s.scalar(select(EscapePlan).where(EscapePlan.household_id == household_id,
                                                 EscapePlan.deleted_at.is_(None)).order_by(EscapePlan.id.desc()))

    def _sync_goals(self, s: Session, audit: Auditor, plan: EscapePlan, goals: Sequence[GoalInput]) -> None:
        current = {g.uuid: g for g in s.scalars(select(PlanGoal).where(PlanGoal.plan_id == plan.id,
                                                                        PlanGoal.deleted_at.is_(None)))}
        for position, g in enumerate(goals):
            values = {"indicator": g.indicator, "text": g.text, "target_on": g.target_on, "status": g.status,
                      "position": position}
            row = current.pop(g.uuid, None) if g.uuid else None
            if row is None:
                row = PlanGoal(uuid=new_uuid(), plan_id=plan.id, **values)
                s.add(row)
                s.flush()
                audit.created("plan_goal", row.uuid, {k: v for k, v in values.items() if k != "position"})
            else:
                diffs = apply_values(row, values)
                diffs.pop("position", None)
                audit.updated("plan_goal", row.uuid, diffs)
            self._sync_actions(s, audit, row, g.actions)
        for gone in current.values():
            self._tombstone(audit, "plan_goal", gone)
            for a in s.scalars(select(PlanAction).where(PlanAction.goal_id == gone.id, PlanAction.deleted_at.is_(None))):
                self._tombstone(audit, "plan_action", a)

    def _sync_actions(self, s: Session, audit: Auditor, goal: PlanGoal, actions: Sequence[ActionInput]) -> None:
        current = {a.uuid: a for a in s.scalars(select(PlanAction).where(PlanAction.goal_id == goal.id,
                                                                          PlanAction.deleted_at.is_(None)))}
        for position, a in enumerate(actions):
            values = {f: getattr(a, f) for f in _ACTION_FIELDS}
            values["position"] = position
            row = current.pop(a.uuid, None) if a.uuid else None
            if row is None:
                row = PlanAction(uuid=new_uuid(), goal_id=goal.id, **values)
                s.add(row)
                audit.created("plan_action", row.uuid, {f: values[f] for f in _ACTION_FIELDS})
            else:
                diffs = apply_values(row, values)
                diffs.pop("position", None)
                audit.updated("plan_action", row.uuid, diffs)
        for gone in current.values():
            self._tombstone(audit, "plan_action", gone)

    @staticmethod
    def _tombstone(audit: Auditor, record_type: str, row: PlanGoal | PlanAction) -> None:
        row.deleted_at = utcnow()
        row.updated_at = row.deleted_at
        row.revision += 1
        audit.deleted(record_type, row.uuid)

    def _dto(self, s: Session, plan: EscapePlan, household_uuid: str) -> PlanDTO:
        goals = s.scalars(select(PlanGoal).where(PlanGoal.plan_id == plan.id, PlanGoal.deleted_at.is_(None))
                          .order_by(PlanGoal.position, PlanGoal.id)).all()
        out = []
        for g in goals:
            actions = s.scalars(select(PlanAction).where(PlanAction.goal_id == g.id, PlanAction.deleted_at.is_(None))
                                .order_by(PlanAction.position, PlanAction.id)).all()
            out.append(GoalDTO(g.uuid, g.indicator, g.text, g.target_on, g.status,
                               tuple(ActionDTO(a.uuid, **{f: getattr(a, f) for f in _ACTION_FIELDS})
                                     for a in actions)))
        return PlanDTO(plan.uuid, household_uuid, plan.agreed_on, plan.registered_escape_on, plan.notes,
                       tuple(out), plan.revision)
