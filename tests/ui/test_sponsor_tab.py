"""The Sponsor tab: assign and reassign (history kept), a new sponsor, visits, refusals, viewers."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from povcase.i18n import format_date
from povcase.services.base import Actor, Changes, Role
from povcase.services.register import Register
from povcase.services.sponsors import SponsorInput
from povcase.ui.sponsor_tab import SponsorTab
from tests.conftest import TODAY, db_dump, sample_household


def saved_household(register: Register, officer: Actor) -> str:
    hamlet = register.communes.hamlets()[0].uuid
    return register.households.create(officer, sample_household(hamlet), TODAY).value.uuid


def make_tab(qtbot: QtBot, register: Register, actor: Actor, household: str | None) -> SponsorTab:
    tab = SponsorTab(register, actor, TODAY)
    qtbot.addWidget(tab)
    tab.load(household)
    return tab


def test_assign_then_reassign_keeps_history(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    first = register.sponsors.create(officer, SponsorInput("mass_org", "Chi hội Phụ nữ ấp Chợ",
                                                           "Hội Liên hiệp Phụ nữ")).value
    tab = make_tab(qtbot, register, officer, hh)
    second = tab.create_sponsor("party_member", "Lê Văn Hùng", phone="0987654321")
    assert second is not None
    assert tab.selected_sponsor() == second  # the new sponsor is picked in the list
    emitted: list[Changes] = []
    tab.saved.connect(emitted.append)

    assert tab.assign(first.uuid, date(2026, 1, 5))
    assert "Chi hội Phụ nữ ấp Chợ" in tab.current_label.text()
    assert tab.assign(second, date(2026, 6, 1))
    assert all(c.touched("sponsor_assignment") for c in emitted) and len(emitted) == 2

    history = register.sponsors.history(hh)
    assert [(a.sponsor_name, a.start_on, a.end_on) for a in history] == [
        ("Chi hội Phụ nữ ấp Chợ", date(2026, 1, 5), date(2026, 6, 1)), ("Lê Văn Hùng", date(2026, 6, 1), None)]
    assert tab.history_rows() == [
        ["Lê Văn Hùng", "01/06/2026", "", ""],
        ["Chi hội Phụ nữ ấp Chợ", "05/01/2026", "01/06/2026", ""]]
    current = tab.current_label.text()
    assert "Lê Văn Hùng" in current and "0987654321" in current and "01/06/2026" in current


def test_assign_through_the_widgets(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    tab = make_tab(qtbot, register, officer, hh)
    tab.new_sponsor_button.setChecked(True)
    assert not tab.new_box.isHidden()
    tab.new_kind.setValue("business")
    tab.new_name.setText("Công ty TNHH Trà Cú")
    tab.create_button.click()
    assert tab.new_box.isHidden()
    tab.assign_start.setText("10/02/2026")
    tab.assign_button.click()
    current = register.sponsors.current(hh, TODAY)
    assert current is not None and current.sponsor_name == "Công ty TNHH Trà Cú"
    assert current.start_on == date(2026, 2, 10)


def test_refused_assignment_shows_why_and_saves_nothing(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    tab = make_tab(qtbot, register, officer, hh)
    sponsor = tab.create_sponsor("party_cell", "Chi bộ ấp Chợ")
    assert sponsor and tab.assign(sponsor, date(2026, 3, 1))
    before = db_dump(register)
    assert not tab.assign(sponsor, date(2026, 2, 1))  # before the current sponsor's start
    assert tab.assign_boxes["start_on"].problem()
    assert not tab.assign(None, date(2026, 4, 1))
    assert tab.assign_boxes["sponsor"].problem()
    assert tab.create_sponsor("party_member", "  ") is None
    assert tab.new_boxes["name"].problem()
    assert db_dump(register) == before


def test_record_a_visit_is_listed(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    tab = make_tab(qtbot, register, officer, hh)
    sponsor = tab.create_sponsor("party_member", "Lê Văn Hùng")
    assert sponsor and tab.assign(sponsor, date(2026, 1, 5))
    assert tab.record_visit(date(2026, 11, 2), "Nhà dột mái", "Đề nghị hỗ trợ sửa nhà", date(2026, 12, 2))
    visits = register.sponsors.visits(hh)
    assert len(visits) == 1 and visits[0].sponsor_name == "Lê Văn Hùng"
    assert tab.visit_rows() == [["02/11/2026", "Lê Văn Hùng", "Nhà dột mái", "Đề nghị hỗ trợ sửa nhà",
                                 "02/12/2026"]]
    # Through the form; a visit in the future is refused, with the message under the date.
    before = db_dump(register)
    tab.visit_date.setText(format_date(date(2026, 12, 1)))
    tab.visit_button.click()
    assert tab.visit_boxes["visited_on"].problem()
    assert db_dump(register) == before
    tab.visit_date.setText("20/11/2026")
    tab.visit_notes.setText("Đã sửa xong mái")
    tab.visit_button.click()
    assert tab.visit_boxes["visited_on"].problem() is None
    assert [r[0] for r in tab.visit_rows()] == ["20/11/2026", "02/11/2026"]


def test_new_household_shows_nothing_to_change(qtbot: QtBot, register: Register, officer: Actor) -> None:
    tab = make_tab(qtbot, register, officer, None)
    assert not tab.assign_box.isEnabled() and not tab.visit_box.isEnabled()
    assert not tab.record_visit(TODAY)


def test_viewer_is_read_only(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    sponsor = register.sponsors.create(officer, SponsorInput("donor", "Nhà hảo tâm Sơn Thị Sa")).value
    register.sponsors.assign(officer, sponsor.uuid, hh, date(2026, 1, 5))
    viewer = Actor("Cán bộ xem", Role.VIEWER)
    tab = make_tab(qtbot, register, viewer, hh)
    assert tab.read_only
    assert tab.assign_box.isHidden() and tab.visit_box.isHidden() and tab.new_box.isHidden()
    assert "Nhà hảo tâm Sơn Thị Sa" in tab.current_label.text()
    assert len(tab.history_rows()) == 1
    before = db_dump(register)
    assert tab.create_sponsor("donor", "Someone") is None
    assert not tab.assign(sponsor.uuid, date(2026, 6, 1))
    assert not tab.record_visit(date(2026, 11, 1))
    assert db_dump(register) == before
