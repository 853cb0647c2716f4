"""The Sponsors, Due list and Support report screens, driven the way an officer uses them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QTableWidget

from povcase.i18n import _
from povcase.services.base import Actor
from povcase.services.dto import AssessmentInput
from povcase.services.plans import ActionInput, GoalInput, PlanInput
from povcase.services.register import Register
from povcase.services.sponsors import SponsorInput, VisitInput
from povcase.services.support import SupportInput
from povcase.ui.case_screens import (
    DueListScreen,
    SponsorForm,
    SponsorsScreen,
    SupportReportScreen,
    sponsor_kind_label,
)
from tests.conftest import TODAY, sample_household


def new_household(reg: Register, actor: Actor, hamlet: str) -> str:
    uuid = reg.households.create(actor, sample_household(hamlet), today=TODAY).value.uuid
    reg.households.assess(actor, uuid, AssessmentInput(TODAY, income_per_capita=1_000_000), today=TODAY)
    return uuid


def column(table: QTableWidget, c: int) -> list[str]:
    return [table.item(r, c).text() for r in range(table.rowCount())]


def row_of(table: QTableWidget, c: int, text: str) -> int:
    return column(table, c).index(text)


@pytest.fixture
def households(register: Register, officer: Actor) -> dict[str, str]:
    h1, h2 = register.communes.hamlets()[:2]
    return {"a": new_household(register, officer, h1.uuid), "b": new_household(register, officer, h1.uuid),
            "c": new_household(register, officer, h2.uuid), "h1": h1.uuid, "h2": h2.uuid}


def code_of(register: Register, uuid: str) -> str:
    return register.households.get(uuid).code


def fill_and_accept(kind: str, name: str, organisation: str, phone: str) -> Any:
    def exec_(self: SponsorForm) -> int:
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.name.setText(name)
        self.organisation.setText(organisation)
        self.phone.setText(phone)
        self.accept()
        return self.result()
    return exec_


# --- sponsors ------------------------------------------------------------------------------------
def test_sponsor_created_on_screen_shows_its_caseload(qtbot, register: Register, officer: Actor,
                                                      households: dict[str, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    screen = SponsorsScreen(register, officer, TODAY)
    qtbot.addWidget(screen)
    assert screen.sponsor_table.rowCount() == 0
    assert screen.household_table.rowCount() == 3

    monkeypatch.setattr(SponsorForm, "exec", fill_and_accept("mass_org", "Hội Phụ nữ xã", "Hội LHPN", "0912345678"))
    screen.add_button.click()
    sponsors = register.sponsors.list()
    assert [(s.kind, s.name, s.organisation, s.phone) for s in sponsors] == [
        ("mass_org", "Hội Phụ nữ xã", "Hội LHPN", "0912345678")]
    assert screen.sponsor_table.rowCount() == 1
    assert screen.selected_sponsor() is not None and screen.selected_sponsor().uuid == sponsors[0].uuid
    assert screen.sponsor_table.item(0, 0).text() == sponsor_kind_label("mass_org") != "mass_org"
    assert screen.sponsor_table.item(0, 4).text() == "0"

    register.sponsors.assign(officer, sponsors[0].uuid, households["a"], TODAY - timedelta(days=10))
    screen.refresh()
    assert column(screen.sponsor_table, 1) == ["Hội Phụ nữ xã"]
    assert column(screen.sponsor_table, 3) == ["0912345678"]
    assert screen.sponsor_table.item(0, 4).text() == "1"
    codes = column(screen.household_table, 0)
    assert sorted(codes) == sorted(code_of(register, households[k]) for k in ("b", "c"))

    with qtbot.waitSignal(screen.open_household, timeout=1000) as blocker:
        screen.household_table.cellDoubleClicked.emit(row_of(screen.household_table, 0,
                                                             code_of(register, households["c"])), 0)
    assert blocker.args == [households["c"]]


def test_sponsor_form_keeps_problems_on_the_form(qtbot, register: Register, officer: Actor) -> None:
    screen = SponsorsScreen(register, officer, TODAY)
    qtbot.addWidget(screen)
    form = screen.sponsor_form()
    form.name.setText("   ")
    form.accept()
    assert form.result() != QDialog.DialogCode.Accepted
    assert not form.problem.isHidden() and form.problem.text()
    assert register.sponsors.list() == []


def test_edit_and_remove_sponsor(qtbot, register: Register, officer: Actor,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    sp = register.sponsors.create(officer, SponsorInput("party_member", "Lâm Văn Sơn")).value
    screen = SponsorsScreen(register, officer, TODAY)
    qtbot.addWidget(screen)
    assert not screen.edit_button.isEnabled()
    assert screen.select_sponsor(sp.uuid)
    assert screen.edit_button.isEnabled() and screen.remove_button.isEnabled()

    monkeypatch.setattr(SponsorForm, "exec", fill_and_accept("party_cell", "Chi bộ ấp Chợ", "", ""))
    screen.edit_button.click()
    assert register.sponsors.get(sp.uuid).name == "Chi bộ ấp Chợ"
    assert column(screen.sponsor_table, 1) == ["Chi bộ ấp Chợ"]

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Chuyển công tác", True)))
    screen.select_sponsor(sp.uuid)
    screen.remove_button.click()
    assert register.sponsors.list() == []
    assert screen.sponsor_table.rowCount() == 0


# --- due list ------------------------------------------------------------------------------------
def test_due_list_shows_actions_and_overdue_visits_and_filters(qtbot, register: Register, officer: Actor,
                                                               households: dict[str, str]) -> None:
    a, c = households["a"], households["c"]
    register.plans.save(officer, a, PlanInput(TODAY - timedelta(days=30), goals=(GoalInput(
        "health_insurance", "BHYT cho cả hộ",
        actions=(ActionInput("Làm thẻ BHYT", due_on=TODAY + timedelta(days=3)),)),)), today=TODAY)
    sponsor = register.sponsors.create(officer, SponsorInput("mass_org", "Hội Nông dân")).value
    register.sponsors.assign(officer, sponsor.uuid, c, date(2026, 9, 1))
    register.sponsors.record_visit(officer, c, VisitInput(date(2026, 10, 1), next_visit_due=date(2026, 11, 15)),
                                   today=TODAY)

    screen = DueListScreen(register, officer, TODAY)
    qtbot.addWidget(screen)
    assert screen.on_date.value() == TODAY
    assert [(i.kind, i.household_uuid) for i in screen.items] == [("visit", c), ("action", a)]
    assert screen.table.rowCount() == 2
    assert column(screen.table, 4) == ["15/11/2026", "25/11/2026"]
    assert column(screen.table, 5) == ["Hội Nông dân", "Làm thẻ BHYT"]
    assert screen.is_overdue_row(0) and not screen.is_overdue_row(1)

    screen.set_hamlet(households["h1"])
    assert [(i.kind, i.household_uuid) for i in screen.items] == [("action", a)]
    assert screen.table.rowCount() == 1
    screen.set_hamlet(households["h2"])
    assert [i.kind for i in screen.items] == ["visit"]
    screen.set_hamlet(None)
    screen.set_sponsor(sponsor.uuid)
    assert [i.kind for i in screen.items] == ["visit"]
    screen.set_sponsor(None)

    # Two weeks earlier nothing is overdue and the action is not due yet.
    screen.on_date.setValue(TODAY - timedelta(days=14))
    screen.refresh()
    assert all(not i.overdue for i in screen.items)
    assert "action" not in [i.kind for i in screen.items]

    screen.on_date.setText("31/02/2026")
    screen.refresh()
    assert not screen.problem.isHidden()

    screen.on_date.setValue(TODAY)
    screen.refresh()
    with qtbot.waitSignal(screen.open_household, timeout=1000) as blocker:
        screen.table.cellDoubleClicked.emit(1, 0)
    assert blocker.args == [a]


# --- support report ------------------------------------------------------------------------------
def test_support_report_totals_match_the_records(qtbot, register: Register, officer: Actor,
                                                 households: dict[str, str]) -> None:
    given = [(households["a"], "health_insurance", date(2026, 3, 1), 1_200_000),
             (households["b"], "health_insurance", date(2026, 4, 1), 1_300_000),
             (households["c"], "vocational_training", date(2026, 5, 2), 2_500_000)]
    for uuid, programme, on, amount in given:
        register.support.record_support(officer, uuid, SupportInput(programme, on, amount=amount), today=TODAY)
    register.support.record_support(officer, households["a"], SupportInput("livelihood", date(2025, 12, 31),
                                                                           amount=9_000_000), today=TODAY)

    screen = SupportReportScreen(register, officer, TODAY)
    qtbot.addWidget(screen)
    assert (screen.period_from.value(), screen.period_to.value()) == (date(2026, 1, 1), TODAY)
    expected = sum(amount for *_, amount in given)
    assert screen.total == expected == 5_000_000
    assert screen.table.rowCount() == 2
    labels = {p.code: p.name_vi for p in register.support.programmes()}
    assert dict(zip(column(screen.table, 0), column(screen.table, 3), strict=True)) == {
        labels["health_insurance"]: "2.500.000 đồng", labels["vocational_training"]: "2.500.000 đồng"}
    assert "5.000.000 đồng" in screen.total_label.text()

    screen.group_by.setCurrentIndex(screen.group_by.findData("hamlet"))
    assert screen.table.horizontalHeaderItem(0).text() == _("Hamlet")
    by_hamlet = {screen.table.item(r, 0).text(): screen.table.item(r, 3).text()
                 for r in range(screen.table.rowCount())}
    hamlets = {h.uuid: h.name for h in register.communes.hamlets()}
    assert by_hamlet == {hamlets[households["h1"]]: "2.500.000 đồng", hamlets[households["h2"]]: "2.500.000 đồng"}
    assert screen.total == expected

    screen.period_from.setValue(date(2025, 1, 1))
    screen.refresh()
    assert screen.total == expected + 9_000_000

    screen.period_from.setValue(TODAY + timedelta(days=1))
    screen.refresh()
    assert not screen.problem.isHidden() and screen.table.rowCount() == 0 and screen.total == 0
    assert screen.windowFlags() & Qt.WindowType.WindowMaximizeButtonHint
