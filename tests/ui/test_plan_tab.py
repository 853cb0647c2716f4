"""The escape-plan tab: suggestions ticked and saved, problems shown with nothing saved, dropped actions
need a reason, viewers only read — driven through the widget, offscreen."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from povcase.i18n import tr
from povcase.services.base import Actor, Changes, Role
from povcase.services.plans import ActionInput, GoalInput, PlanInput
from povcase.services.register import Register
from povcase.ui.plan_tab import ActionDialog, PlanTab, problem_location
from tests.conftest import TODAY, db_dump, sample_household


def saved_household(register: Register, officer: Actor) -> str:
    hamlet = register.communes.hamlets()[0].uuid
    return register.households.create(officer, sample_household(hamlet), TODAY).value.uuid


def open_tab(qtbot: Any, register: Register, actor: Actor, uuid: str | None) -> PlanTab:
    tab = PlanTab(register, actor, TODAY)
    qtbot.addWidget(tab)
    tab.load(uuid)
    tab.show()
    return tab


def test_unsaved_household_shows_a_message_and_nothing_to_edit(qtbot: Any, register: Register,
                                                                 officer: Actor) -> None:
    tab = open_tab(qtbot, register, officer, None)
    assert tab.empty_label.isVisible()
    assert not tab.body.isEnabled()
    assert tab.goals_count() == 0
    assert tab.save() is False


def test_suggestions_ticked_are_added_and_saved_only_on_save(qtbot: Any, register: Register,
                                                             officer: Actor) -> None:
    uuid = saved_household(register, officer)
    tab = open_tab(qtbot, register, officer, uuid)
    suggestions = tab.suggestions()
    indicators = [s.indicator for s in suggestions]
    assert "health_insurance" in indicators and "employment" in indicators

    dialog = tab.suggestions_dialog()
    assert dialog.list.count() == len(suggestions)
    wanted = [indicators.index("health_insurance"), indicators.index("employment")]
    dialog.set_checked(wanted)
    assert dialog.checked() == sorted(wanted)
    tab.add_suggestions(dialog.checked())
    assert tab.goals_count() == 2
    assert tab.is_dirty()
    assert register.plans.get(uuid) is None  # a suggestion is never written on its own

    # Added suggestions are editable like any goal.
    goal = tab.goals()[0]
    tab.set_goal(0, GoalInput(goal.indicator, goal.text + " (2027)", date(2027, 12, 31)))
    tab.agreed_on.setText("01/11/2026")

    changes: list[Changes] = []
    tab.saved.connect(changes.append)
    assert tab.save() is True
    assert changes and changes[0].items
    assert not tab.is_dirty()
    plan = register.plans.get(uuid)
    assert plan is not None and plan.agreed_on == date(2026, 11, 1)
    assert {g.indicator for g in plan.goals} == {"health_insurance", "employment"}
    hi = next(g for g in plan.goals if g.indicator == "health_insurance")
    assert hi.text.endswith("(2027)") and hi.target_on == date(2027, 12, 31)
    assert hi.actions and hi.actions[0].programme_code == "health_insurance"
    employment = next(g for g in plan.goals if g.indicator == "employment")
    assert {a.programme_code for a in employment.actions} == {"vocational_training", "job_placement"}
    assert "Nguyễn Văn Đức" in employment.text

    # Saving again keeps the same goals (matched by uuid), and a reload shows them.
    assert tab.save() is True
    assert len(register.plans.get(uuid).goals) == 2  # type: ignore[union-attr]
    again = open_tab(qtbot, register, officer, uuid)
    assert again.goals_count() == 2
    assert again.goals_table.item(0, 0).text() == plan.goals[0].text


def test_due_before_start_shows_the_problem_and_saves_nothing(qtbot: Any, register: Register,
                                                              officer: Actor) -> None:
    uuid = saved_household(register, officer)
    tab = open_tab(qtbot, register, officer, uuid)
    g = tab.add_goal(GoalInput("income", "Thu nhập trên chuẩn nghèo"))
    tab.add_action(g, ActionInput("Vay vốn", programme_code="vbsp_loan", amount=50_000_000))
    tab.add_action(g, ActionInput("Mua bò giống", item="bò", quantity=1, start_on=date(2026, 12, 1),
                                  due_on=date(2026, 11, 1)))
    before = db_dump(register)
    assert tab.save() is False
    assert db_dump(register) == before
    assert register.plans.get(uuid) is None
    problems = tab.problems()
    expected = tr("Cannot be before the start date")
    assert any(expected in p and tr("Goal {goal}, action {action}, {field}", goal=1, action=2,
                                    field=tr("Due")) in p for p in problems), problems
    assert tab.problem_label.isVisible()
    # The edits are kept, so the officer can fix them and save.
    assert tab.goals_count() == 1 and len(tab.goals()[0].actions) == 2
    assert tab.is_dirty()
    tab.set_action(0, 1, ActionInput("Mua bò giống", item="bò", quantity=1, start_on=date(2026, 11, 1),
                                     due_on=date(2026, 12, 1)))
    assert tab.save() is True
    assert not tab.problem_label.isVisible()
    assert len(register.plans.get(uuid).goals[0].actions) == 2  # type: ignore[union-attr]


def test_problem_paths_are_read() -> None:
    assert problem_location("goals[0].actions[1].due_on") == (0, 1, "due_on")
    assert problem_location("goals[2].text") == (2, None, "text")
    assert problem_location("agreed_on") == (None, None, "agreed_on")


def test_dropped_action_needs_a_reason(qtbot: Any, register: Register, officer: Actor) -> None:
    uuid = saved_household(register, officer)
    tab = open_tab(qtbot, register, officer, uuid)
    g = tab.add_goal(GoalInput("income", "Thu nhập trên chuẩn nghèo"))

    # The dialog refuses to close without a reason.
    dialog = tab.action_dialog(g)
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ActionDialog)
    dialog.text.setText("Học nghề may")
    dialog.status.setValue("dropped")
    assert dialog.reason.isEnabled()
    dialog.accept()
    assert dialog.result() != ActionDialog.DialogCode.Accepted
    assert dialog.reason_box.problem() == tr("Say why the action is dropped")
    dialog.reason.setText("Chuyển đi làm ăn xa")
    dialog.accept()
    assert dialog.result() == ActionDialog.DialogCode.Accepted
    assert dialog.action().drop_reason == "Chuyển đi làm ăn xa"

    # And the service refuses a dropped action without one, saving nothing.
    tab.add_action(g, ActionInput("Học nghề may", status="dropped"))
    assert tab.save() is False
    assert any(tr("Say why the action is dropped") in p for p in tab.problems())
    assert register.plans.get(uuid) is None
    tab.set_action(g, 0, ActionInput("Học nghề may", status="dropped", drop_reason="Chuyển đi làm ăn xa"))
    assert tab.save() is True
    assert register.plans.get(uuid).goals[0].actions[0].status == "dropped"  # type: ignore[union-attr]


def test_remove_asks_first(qtbot: Any, register: Register, officer: Actor,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    uuid = saved_household(register, officer)
    tab = open_tab(qtbot, register, officer, uuid)
    g = tab.add_goal(GoalInput("income", "Thu nhập"))
    tab.add_action(g, ActionInput("Vay vốn"))
    tab.select_goal(g)
    tab.actions_table.selectRow(0)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: answers.pop(0)))
    assert tab.remove_selected_action() is False
    assert len(tab.goals()[0].actions) == 1
    assert tab.remove_selected_action() is True
    assert tab.goals()[0].actions == ()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    tab.select_goal(0)
    assert tab.remove_selected_goal() is True
    assert tab.goals_count() == 0


def test_viewer_reads_only(qtbot: Any, register: Register, officer: Actor) -> None:
    uuid = saved_household(register, officer)
    register.plans.save(officer, uuid, PlanInput(agreed_on=TODAY, goals=(GoalInput("income", "Thu nhập"),)), TODAY)
    viewer = Actor("Cán bộ xem", Role.VIEWER)
    tab = open_tab(qtbot, register, viewer, uuid)
    assert tab.goals_count() == 1
    assert tab.agreed_on.isReadOnly() and tab.notes.isReadOnly()
    for button in (tab.suggest_button, tab.add_goal_button, tab.edit_goal_button, tab.remove_goal_button,
                   tab.add_action_button, tab.save_button):
        assert not button.isEnabled()
    assert tab.read_only_label.isVisible()
    tab.select_goal(0)
    assert tab.remove_selected_goal() is False
    assert tab.save() is False
