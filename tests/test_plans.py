"""Escape plans: goals suggested from deprivations, saved whole, validated, audited."""

from __future__ import annotations

from datetime import date

import pytest

from povcase.domain.deprivation import IndicatorResult, Reason, Source
from povcase.domain.facts import MemberFacts
from povcase.domain.plans import (
    INCOME,
    PROGRAMME_CODES,
    PROGRAMMES,
    get_programme,
    instalment_amounts,
    suggest_goals,
)
from povcase.errors import PovcaseError, ValidationError
from povcase.services.base import Actor, Role
from povcase.services.dto import AssessmentInput
from povcase.services.plans import ActionInput, GoalInput, PlanInput
from povcase.services.register import Register
from tests.conftest import TODAY, sample_household
from tests.test_households_service import audit_rows, dump


def new_household(reg: Register, actor: Actor, assess: bool = True, hamlet: str | None = None,
                  **changes: object) -> str:
    hamlet = hamlet or reg.communes.hamlets()[0].uuid
    uuid = reg.households.create(actor, sample_household(hamlet, **changes), today=TODAY).value.uuid
    if assess:
        reg.households.assess(actor, uuid, AssessmentInput(TODAY, income_per_capita=1_000_000), today=TODAY)
    return uuid


def _r(code: str, deprived: bool = True) -> IndicatorResult:
    return IndicatorResult(code, deprived, Source.DERIVED, Reason("x"))


# --- the catalogue and the pure rule -------------------------------------------------------------
def test_catalogue_has_the_seven_projects_and_housing_instalments() -> None:
    assert {f"ntp2125_p{i}" for i in range(1, 8)} <= PROGRAMME_CODES
    assert {"ntp2635", "vbsp_loan", "health_insurance", "housing_new", "housing_repair", "vocational_training",
            "job_placement", "livelihood", "local_campaign", "other"} <= PROGRAMME_CODES
    assert len(PROGRAMME_CODES) == len(PROGRAMMES)
    new, repair = get_programme("housing_new"), get_programme("housing_repair")
    assert new and repair and new.max_amount == 40_000_000 and repair.max_amount == 20_000_000
    assert new.instalments == (70, 30)
    assert instalment_amounts(40_000_000, (70, 30)) == (28_000_000, 12_000_000)
    assert instalment_amounts(10_000_001, (70, 30)) == (7_000_000, 3_000_001)
    assert all(p.name_vi and p.name_en for p in PROGRAMMES)


def test_suggestions_name_the_members_concerned() -> None:
    members = [MemberFacts(name="An", age=40, has_health_insurance=False),
               MemberFacts(name="Bé", age=4, has_health_insurance=False),  # under 6: not counted
               MemberFacts(name="Cúc", age=10, in_school=False, has_health_insurance=True)]
    got = suggest_goals([_r("health_insurance"), _r("child_schooling"), _r("water"), _r("latrine"),
                         _r("telecom", False)], "near_poor", members, TODAY)
    by = {g.indicator: g for g in got}
    assert set(by) == {"health_insurance", "child_schooling", "water", "latrine", INCOME}
    assert by["health_insurance"].members == ("An",)
    assert by["health_insurance"].actions[0].programme_code == "health_insurance"
    assert "An" in by["health_insurance"].actions[0].english()
    assert by["child_schooling"].members == ("Cúc",)
    assert by["child_schooling"].actions[0].programme_code == "education"
    assert by["water"].actions[0].programme_code == "water_sanitation"
    assert {a.programme_code for a in by[INCOME].actions} == {"livelihood", "vbsp_loan"}
    # Nothing deprived and not poor: nothing to suggest.
    assert suggest_goals([_r("water", False)], "not_poor", members, TODAY) == []


def test_every_suggested_programme_is_in_the_catalogue() -> None:
    codes = ["employment", "health_insurance", "housing_quality", "housing_area", "child_schooling", "adult_education",
             "water", "latrine", "nutrition", "telecom", "information_devices"]
    got = suggest_goals([_r(c) for c in codes], "poor", [], TODAY)
    assert {a.programme_code for g in got for a in g.actions} <= PROGRAMME_CODES


# --- the service ---------------------------------------------------------------------------------
def test_suggestions_for_a_household_come_from_its_deprivations_and_write_nothing(register: Register,
                                                                                   officer: Actor) -> None:
    uuid = new_household(register, officer)
    before = dump(register)
    got = register.plans.suggestions(uuid, TODAY)
    assert dump(register) == before
    by = {g.indicator: g for g in got}
    # Sample household: head unemployed without a card, 24 m² for four people, no hygienic latrine, poor.
    assert by["health_insurance"].members == ("Nguyễn Văn Đức",)
    assert by["housing_area"].actions[0].programme_code == "housing_repair"
    assert {a.programme_code for a in by["employment"].actions} == {"vocational_training", "job_placement"}
    assert by["employment"].members == ("Nguyễn Văn Đức",)
    assert by["latrine"].actions[0].programme_code == "water_sanitation"
    assert INCOME in by
    assert register.plans.get(uuid) is None


def _plan_from_suggestions(register: Register, uuid: str) -> PlanInput:
    goals = []
    for i, g in enumerate(register.plans.suggestions(uuid, TODAY)):
        actions = tuple(ActionInput(a.english(), "UBND xã", a.programme_code, start_on=date(2026, 12, 1),
                                    due_on=date(2027, 3, 1 + i)) for a in g.actions)
        goals.append(GoalInput(g.indicator, g.english(), date(2027, 12, 31), actions=actions))
    return PlanInput(agreed_on=date(2026, 11, 20), goals=tuple(goals))


def test_a_plan_is_built_from_suggestions_and_edited(register: Register, officer: Actor) -> None:
    uuid = new_household(register, officer)
    result = register.plans.save(officer, uuid, _plan_from_suggestions(register, uuid), today=TODAY)
    plan = result.value
    assert result.changes.touched("escape_plan") and result.changes.touched("plan_action")
    assert register.plans.get(uuid) == plan
    assert plan.agreed_on == date(2026, 11, 20) and len(plan.goals) >= 4
    first = plan.goals[0]
    assert first.indicator == "health_insurance" and first.actions[0].status == "planned"

    # Edit: drop the first action with a reason, remove the last goal, add a goal.
    goals = [GoalInput(g.indicator, g.text, g.target_on, g.status, tuple(
        ActionInput(a.text, a.responsible, a.programme_code, a.amount, a.item, a.quantity, a.start_on, a.due_on,
                    a.status, a.drop_reason, a.uuid) for a in g.actions), g.uuid) for g in plan.goals]
    a0 = goals[0].actions[0]
    goals[0] = GoalInput(goals[0].indicator, goals[0].text, goals[0].target_on, goals[0].status,
                         (ActionInput(a0.text, a0.responsible, a0.programme_code, start_on=a0.start_on,
                                      due_on=a0.due_on, status="dropped", drop_reason="Đã có thẻ từ huyện",
                                      uuid=a0.uuid),), goals[0].uuid)
    removed = goals.pop()
    goals.append(GoalInput(INCOME, "Nuôi bò sinh sản", actions=(ActionInput("Bò giống", item="bò", quantity=1,
                                                                             programme_code="livelihood"),)))
    edited = register.plans.save(officer, uuid, PlanInput(plan.agreed_on, None, "ghi chú", tuple(goals)),
                                 today=TODAY).value
    assert edited.uuid == plan.uuid and edited.revision == plan.revision + 1
    assert edited.goals[0].actions[0].status == "dropped"
    assert edited.goals[0].actions[0].uuid == a0.uuid
    assert removed.uuid not in {g.uuid for g in edited.goals}
    assert edited.goals[-1].actions[0].item == "bò"
    deletes = audit_rows(register, action="delete", record_type="plan_goal")
    assert [r.record_uuid for r in deletes] == [removed.uuid]
    status_rows = audit_rows(register, record_uuid=a0.uuid, field="status")
    assert [(r.old, r.new) for r in status_rows] == [(None, "planned"), ("planned", "dropped")]


@pytest.mark.parametrize(("action", "field"), [
    (ActionInput("x", start_on=date(2027, 2, 1), due_on=date(2027, 1, 1)), "goals[0].actions[0].due_on"),
    (ActionInput("x", amount=-5), "goals[0].actions[0].amount"),
    (ActionInput("x", amount=0), "goals[0].actions[0].amount"),
    (ActionInput("x", status="dropped"), "goals[0].actions[0].drop_reason"),
    (ActionInput("x", programme_code="nope"), "goals[0].actions[0].programme_code"),
    (ActionInput("x", item="gà", quantity=-1), "goals[0].actions[0].quantity"),
    (ActionInput(""), "goals[0].actions[0].text"),
    (ActionInput("x", status="finished"), "goals[0].actions[0].status"),
])
def test_invalid_actions_are_rejected_with_nothing_saved(register: Register, officer: Actor, action: ActionInput,
                                                         field: str) -> None:
    uuid = new_household(register, officer)
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.plans.save(officer, uuid, PlanInput(TODAY, goals=(GoalInput("water", "Nước sạch",
                                                                             actions=(action,)),)), today=TODAY)
    assert field in [p.field for p in e.value.problems]
    assert dump(register) == before


def test_invalid_plan_dates_are_rejected_with_nothing_saved(register: Register, officer: Actor) -> None:
    uuid = new_household(register, officer)
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.plans.save(officer, uuid, PlanInput(agreed_on=date(2026, 11, 1),
                                                     registered_escape_on=date(2026, 10, 1),
                                                     goals=(GoalInput("nope", "x", target_on=date(2026, 1, 1)),)),
                             today=TODAY)
    assert {p.field for p in e.value.problems} == {"registered_escape_on", "goals[0].indicator", "goals[0].target_on"}
    with pytest.raises(ValidationError):
        register.plans.save(officer, uuid, PlanInput(agreed_on=date(2027, 1, 1)), today=TODAY)
    assert dump(register) == before


def test_viewers_cannot_write_a_plan(register: Register, officer: Actor) -> None:
    uuid = new_household(register, officer)
    before = dump(register)
    with pytest.raises(PovcaseError):
        register.plans.save(Actor("xem", Role.VIEWER), uuid, PlanInput(TODAY), today=TODAY)
    assert dump(register) == before
