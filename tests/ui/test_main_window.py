"""The register list: lazy model, search as you type, filters, SQL sorting, counts, language switch."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from povcase import i18n
from povcase.services.base import Actor, Role
from povcase.services.demo import build_demo
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from povcase.ui.application import switch_language
from povcase.ui.household_model import COLUMN_IDS, HouseholdTableModel
from povcase.ui.main_window import MainWindow

TODAY = date(2026, 11, 22)


@pytest.fixture
def demo_register(empty_register: Register, officer: Actor) -> Register:
    build_demo(empty_register, officer, 400, seed=11, today=TODAY)
    return empty_register


@pytest.fixture
def window(qtbot, demo_register: Register, officer: Actor) -> MainWindow:
    w = MainWindow(demo_register, officer, today=TODAY)
    qtbot.addWidget(w)
    w.show()
    return w


def column(model: HouseholdTableModel, name: str) -> list[str]:
    c = COLUMN_IDS.index(name)
    return [model.data(model.index(r, c)) for r in range(model.rowCount())]


def test_model_passes_the_qt_model_tester(qtmodeltester, demo_register):
    model = HouseholdTableModel(demo_register.search)
    model.reload()
    qtmodeltester.check(model, force_py=True)
    model.set_filter(HouseholdFilter(text="nguyen"))
    model.sort(1, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=True)


def test_list_shows_every_household_lazily(window, demo_register):
    assert window.model.rowCount() == 400
    # Only the blocks the view asked for were fetched, not 400 rows one by one.
    assert len(window.model._blocks) <= 2
    window.table.scrollToBottom()
    last = window.model.data(window.model.index(399, COLUMN_IDS.index("code")))
    assert last.startswith("29461-")
    assert "400" in window.count_label.text()


def test_typing_a_name_without_diacritics_finds_it(qtbot, window):
    qtbot.keyClicks(window.search_box, "nguyen van duc")
    qtbot.waitUntil(lambda: window.model.rowCount() < 400, timeout=3000)
    assert "Nguyễn Văn Đức" in column(window.model, "head")
    assert all("nguyen" in h.lower().replace("ễ", "e") for h in column(window.model, "head")
               if h.startswith("Nguy"))


def test_filters_combine_in_sql(window, demo_register):
    window.status_filter.setCurrentIndex(window.status_filter.findData("poor"))
    statuses = column(window.model, "status")
    assert statuses and all(s.startswith(("Hộ nghèo", "Poor")) for s in statuses)
    poor_total = window.model.rowCount()
    hamlet = demo_register.communes.hamlets()[0]
    window.hamlet_filter.setCurrentIndex(window.hamlet_filter.findData(hamlet.uuid))
    assert 0 < window.model.rowCount() <= poor_total
    assert set(column(window.model, "hamlet")) == {hamlet.name}
    window.clear_filters()
    assert window.model.rowCount() == 400


def test_sorting_by_header_runs_in_sql_with_vietnamese_order(window):
    window.table.sortByColumn(COLUMN_IDS.index("code"), Qt.SortOrder.DescendingOrder)
    codes = column(window.model, "code")
    assert codes == sorted(codes, reverse=True)
    window.table.sortByColumn(COLUMN_IDS.index("head"), Qt.SortOrder.AscendingOrder)
    heads = column(window.model, "head")
    from povcase.domain.text import person_sort_key
    assert heads == sorted(heads, key=person_sort_key)


def test_status_bar_counts_follow_the_filter(window):
    window.status_filter.setCurrentIndex(window.status_filter.findData("near_poor"))
    n = window.model.rowCount()
    assert str(n) in window.count_label.text()


def test_language_switch_changes_visible_labels(qtbot, window, demo_register, officer):
    vi_action = window.act_new.text()
    vi_header = window.model.headerData(1, Qt.Orientation.Horizontal)
    switch_language(demo_register, officer, "en")
    try:
        qtbot.waitUntil(lambda: window.act_new.text() == "New household", timeout=2000)
        assert window.model.headerData(1, Qt.Orientation.Horizontal) == "Head of household"
        assert vi_action != "New household" and vi_header != "Head of household"
        assert demo_register.communes.setting("language") == "en"
    finally:
        switch_language(demo_register, officer, "vi")
    qtbot.waitUntil(lambda: window.act_new.text() == vi_action, timeout=2000)


def test_viewer_cannot_add_or_remove(qtbot, demo_register):
    w = MainWindow(demo_register, Actor("Người xem", Role.VIEWER), today=TODAY)
    qtbot.addWidget(w)
    assert not w.act_new.isEnabled()
    assert not w.act_delete.isEnabled()


def test_remove_household_asks_why_and_hides_it(window, demo_register, monkeypatch):
    uuid = window.selected_uuid()
    assert uuid
    monkeypatch.setattr("povcase.ui.main_window.QInputDialog.getText",
                        lambda *a, **k: ("Chuyển đi nơi khác", True))
    window.delete_selected()
    assert window.model.rowCount() == 399
    assert demo_register.households.get(uuid).deleted


def test_empty_register_hint(qtbot, register, officer):
    w = MainWindow(register, officer, today=TODAY)
    qtbot.addWidget(w)
    w.show()
    assert w.model.rowCount() == 0
    assert w.empty_hint.isVisible()


def test_vietnamese_is_the_default(window):
    assert i18n.current_language() == "vi"


def test_saving_in_the_editor_refreshes_the_list(qtbot, window, demo_register):
    """Open the selected household the way Enter / double-click does, rename the head, save: the list
    shows the new name (found by search without diacritics) and counts stay right."""
    from dataclasses import replace

    uuid = window.selected_uuid()
    editor = window.open_editor(uuid)
    qtbot.addWidget(editor)
    members = editor.members
    head = next(i for i, m in enumerate(members) if m.relation == "head")
    editor.set_member(head, replace(members[head], full_name="Trầm Thị Đẹp"))
    editor.refresh_now()
    assert editor.save()
    window.search_box.setText("tram thi dep")
    window.apply_filters()
    assert column(window.model, "head") == ["Trầm Thị Đẹp"]
    assert window.model.uuid_at(0) == uuid


def test_sponsor_column_and_the_sponsor_and_overdue_filters(window, demo_register, officer):
    """Giảm nghèo theo địa chỉ in the list: who follows each household, who has nobody, whose plan is late."""
    from datetime import timedelta

    from povcase.services.plans import ActionInput, GoalInput, PlanInput
    from povcase.services.sponsors import SponsorInput

    first, second = window.model.uuid_at(0), window.model.uuid_at(1)
    sponsor = demo_register.sponsors.create(officer, SponsorInput("party_member", "Đảng viên Lê Văn Tám")).value
    demo_register.sponsors.assign(officer, sponsor.uuid, first, TODAY - timedelta(days=30))
    demo_register.plans.save(officer, second, PlanInput(agreed_on=TODAY - timedelta(days=60), goals=(
        GoalInput("health_insurance", "BHYT cho cả hộ", actions=(
            ActionInput("Làm thẻ BHYT", start_on=TODAY - timedelta(days=50), due_on=TODAY - timedelta(days=5)),)),)))
    window.apply_filters()
    assert window.model.data(window.model.index(0, COLUMN_IDS.index("sponsor"))) == "Đảng viên Lê Văn Tám"
    window.no_sponsor.setChecked(True)
    assert window.model.rowCount() == 399
    assert first not in {window.model.uuid_at(r) for r in range(window.model.rowCount())}
    window.no_sponsor.setChecked(False)
    window.overdue.setChecked(True)
    assert [window.model.uuid_at(r) for r in range(window.model.rowCount())] == [second]
    window.clear_filters()
    assert window.model.rowCount() == 400 and not window.overdue.isChecked()


def test_side_screens_reopen_in_the_new_language(qtbot, window, demo_register, officer):
    due = window.open_screen("due")
    vi_title = due.windowTitle()
    switch_language(demo_register, officer, "en")
    try:
        qtbot.waitUntil(lambda: not window._screens, timeout=2000)
        assert window.open_screen("due").windowTitle() != vi_title
    finally:
        switch_language(demo_register, officer, "vi")
