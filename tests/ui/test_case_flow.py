"""Issue 5's walk-through in the real editor: for a demo household, build a plan from the suggestions,
assign a sponsor, record a visit and three supports, and see the totals and the due list change."""

from __future__ import annotations

from datetime import timedelta

from povcase.services.demo import build_demo
from povcase.services.search import HouseholdFilter
from povcase.ui.main_window import MainWindow
from tests.conftest import TODAY


def test_plan_sponsor_visit_supports_totals_and_due_list(qtbot, empty_register, officer):
    build_demo(empty_register, officer, 120, seed=4, today=TODAY)
    poor = empty_register.search.search(HouseholdFilter(statuses=("poor",)), limit=1).rows[0]
    window = MainWindow(empty_register, officer, today=TODAY)
    qtbot.addWidget(window)
    due = window.open_screen("due")
    due_before = len(due.items)

    editor = window.open_editor(poor.uuid)
    qtbot.addWidget(editor)
    # 1. A plan from the suggestions (written only when saved).
    suggestions = editor.plan_tab.suggestions()
    assert suggestions
    editor.plan_tab.add_suggestions(list(range(len(suggestions))))
    assert editor.plan_tab.is_dirty()
    assert empty_register.plans.get(poor.uuid) is None
    assert editor.save()  # the editor's Save also saves the plan
    plan = empty_register.plans.get(poor.uuid)
    assert plan is not None and len(plan.goals) == len(suggestions)

    # 2. A sponsor, and a visit.
    sponsor = editor.sponsor_tab.create_sponsor("mass_org", "Hội Liên hiệp Phụ nữ xã", "Hội LHPN xã Trà Cú")
    assert sponsor and editor.sponsor_tab.assign(sponsor, TODAY - timedelta(days=40))
    assert editor.sponsor_tab.record_visit(TODAY - timedelta(days=35), "Thăm hộ, hướng dẫn làm thẻ BHYT",
                                           next_visit_due=TODAY - timedelta(days=5))
    assert empty_register.sponsors.current(poor.uuid, TODAY).sponsor_name == "Hội Liên hiệp Phụ nữ xã"

    # 3. Three supports: the totals follow.
    for code, amount in (("health_insurance", 1_105_000), ("livelihood", 3_000_000), ("local_campaign", 500_000)):
        assert editor.support_tab.record_support(code, TODAY - timedelta(days=10), amount=amount)
    support = empty_register.support.household_support(poor.uuid)
    assert support.total_amount == 4_605_000
    assert any("4.605.000" in " ".join(row) for row in editor.support_tab.total_rows()) or \
        "4.605.000" in editor.support_tab.total_label.text()

    # The list shows the sponsor; the due list now has the overdue visit (and plan actions due).
    window._after_save()
    row = next(r for r in range(window.model.rowCount()) if window.model.uuid_at(r) == poor.uuid)
    assert window.model.row_of(row).sponsor == "Hội Liên hiệp Phụ nữ xã"
    due.refresh()
    mine = [i for i in due.items if i.household_uuid == poor.uuid]
    assert len(due.items) > due_before
    assert any(i.kind == "visit" and i.overdue for i in mine)
