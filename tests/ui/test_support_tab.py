"""The Support tab: three supports and their totals, loans and repayments (never above what remains),
refusals that save nothing, viewers."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from povcase.errors import FieldProblem
from povcase.i18n import format_vnd
from povcase.services.base import Actor, Changes, Role
from povcase.services.register import Register
from povcase.services.support import LoanInput, SupportInput
from povcase.ui.support_tab import ProgrammeDialog, SupportTab, money_problem_text
from tests.conftest import TODAY, db_dump, sample_household


def saved_household(register: Register, officer: Actor) -> str:
    hamlet = register.communes.hamlets()[0].uuid
    return register.households.create(officer, sample_household(hamlet), TODAY).value.uuid


def make_tab(qtbot: QtBot, register: Register, actor: Actor, household: str | None) -> SupportTab:
    tab = SupportTab(register, actor, TODAY)
    qtbot.addWidget(tab)
    tab.load(household)
    return tab


def test_three_supports_and_their_totals(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    head = register.households.get(hh).members[0]
    tab = make_tab(qtbot, register, officer, hh)
    assert tab.member.count() == 5  # the whole household, then the four members
    emitted: list[Changes] = []
    tab.saved.connect(emitted.append)

    assert tab.record_support("housing_repair", date(2026, 3, 1), 14_000_000, source_of_funds="NSTW",
                              evidence_ref="BK-12/2026")
    assert tab.record_support("health_insurance", date(2026, 7, 1), 1_263_600, member_uuid=head.uuid)
    assert tab.record_support("livelihood", date(2026, 8, 1), item="bò giống", quantity=1)
    assert len(emitted) == 3 and all(c.touched("support_record") for c in emitted)

    ledger = register.support.household_support(hh)
    assert len(ledger.records) == 3
    assert format_vnd(ledger.total_amount) in tab.total_label.text()
    assert ledger.total_amount == 15_263_600
    shown = {row[0]: row[1] for row in tab.total_rows()}
    assert shown == {tab.programme_label(code): format_vnd(amount) for code, amount in ledger.by_programme.items()}
    rows = tab.record_rows()
    assert [r[0] for r in rows] == ["01/08/2026", "01/07/2026", "01/03/2026"]
    assert rows[0][3] == "bò giống × 1"
    assert rows[1][2] == head.full_name and rows[1][3] == format_vnd(1_263_600)
    assert rows[2][4:6] == ["NSTW", "BK-12/2026"]


def test_record_support_through_the_form(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    tab = make_tab(qtbot, register, officer, hh)
    tab.programme.setCurrentIndex(tab.programme.findData("housing_repair"))
    tab.given_on.setText("05/04/2026")
    tab.amount.setText("2.500.000")
    tab.evidence.setText("BK-07")
    tab.support_button.click()
    records = register.support.household_support(hh).records
    assert [(r.programme_code, r.given_on, r.amount, r.evidence_ref) for r in records] == [
        ("housing_repair", date(2026, 4, 5), 2_500_000, "BK-07")]
    assert tab.amount.text() == ""


def test_refused_support_shows_why_and_saves_nothing(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    tab = make_tab(qtbot, register, officer, hh)
    before = db_dump(register)
    assert not tab.record_support("housing_repair", date(2026, 3, 1))  # neither amount nor item
    assert tab.support_boxes["amount"].problem()
    assert not tab.record_support("housing_repair", date(2026, 12, 1), 1_000)  # in the future
    assert tab.support_boxes["given_on"].problem()
    assert not tab.record_support("housing_repair", date(2026, 3, 1), 20_000_001)  # above the ceiling
    assert "20.000.000" in (tab.support_boxes["amount"].problem() or "")
    assert db_dump(register) == before
    assert tab.record_rows() == []


def test_repayment_above_what_remains_is_refused(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    loan = register.support.record_loan(officer, hh, LoanInput(30_000_000, 6.6, 36, date(2025, 1, 10)),
                                        today=TODAY).value
    tab = make_tab(qtbot, register, officer, hh)
    assert tab.loan_rows()[0][0] == format_vnd(30_000_000)
    assert tab.loan_rows()[0][-1] == format_vnd(30_000_000)
    assert not tab.repay_box.isHidden() and tab.loan.currentData() == loan.uuid

    assert tab.record_repayment(loan.uuid, date(2025, 7, 10), 10_000_000)
    assert register.support.remaining(loan.uuid) == 20_000_000
    assert tab.loan_rows()[0][-1] == format_vnd(20_000_000)

    before = db_dump(register)
    assert not tab.record_repayment(loan.uuid, date(2026, 1, 10), 25_000_000)
    expected = money_problem_text(FieldProblem("amount", "Only {remaining} VND remains to be repaid",
                                               {"remaining": 20_000_000}))
    assert tab.repay_boxes["amount"].problem() == expected
    assert "20.000.000" in expected
    assert not tab.repay_boxes["amount"].message.isHidden()
    assert db_dump(register) == before
    assert register.support.remaining(loan.uuid) == 20_000_000

    # Through the form: the remaining 20 M closes the loan.
    tab.paid_on.setText("10/01/2026")
    tab.repay_amount.setText("20000000")
    tab.repay_button.click()
    assert tab.repay_boxes["amount"].problem() is None
    assert register.support.remaining(loan.uuid) == 0
    assert not tab.repay_box.isEnabled()


def test_viewer_is_read_only(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    register.support.record_support(officer, hh, SupportInput("housing_repair", date(2026, 3, 1), 5_000_000),
                                    today=TODAY)
    loan = register.support.record_loan(officer, hh, LoanInput(10_000_000, 6.6, 24, date(2025, 1, 10)),
                                        today=TODAY).value
    tab = make_tab(qtbot, register, Actor("Cán bộ xem", Role.VIEWER), hh)
    assert tab.read_only
    assert tab.support_box.isHidden() and tab.repay_box.isHidden() and tab.loan_box.isHidden()
    assert tab.new_programme_button.isHidden()
    assert len(tab.record_rows()) == 2 and len(tab.loan_rows()) == 1  # the loan is in the ledger too
    before = db_dump(register)
    assert not tab.record_support("housing_repair", date(2026, 4, 1), 1_000_000)
    assert not tab.record_repayment(loan.uuid, date(2026, 1, 10), 1_000_000)
    assert not tab.record_loan(1_000_000, 6.6, 12, date(2026, 1, 10))
    assert not tab.add_programme("xa_giong", "Hỗ trợ giống của xã")
    assert db_dump(register) == before


def test_unsaved_household_shows_nothing(qtbot: QtBot, register: Register, officer: Actor) -> None:
    tab = make_tab(qtbot, register, officer, None)
    assert not tab.support_box.isEnabled() and not tab.loan_box.isEnabled()
    assert tab.record_rows() == [] and tab.loan_rows() == []
    assert not tab.record_support("housing_repair", TODAY, 1_000)
    assert not tab.record_loan(1_000_000, 6.6, 12, TODAY)


def test_record_a_loan_then_a_repayment(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    tab = make_tab(qtbot, register, officer, hh)
    assert not tab.loan_box.isHidden() and tab.loan_box.isEnabled()
    emitted: list[Changes] = []
    tab.saved.connect(emitted.append)

    assert tab.record_loan(40_000_000, 6.6, 60, date(2026, 2, 15), "nuôi lợn", "HĐ-15/2026")
    assert len(emitted) == 1
    loans = register.support.loans(hh)
    assert [(x.amount, x.annual_rate, x.term_months, x.disbursed_on, x.purpose) for x in loans] == [
        (40_000_000, 6.6, 60, date(2026, 2, 15), "nuôi lợn")]
    row = tab.loan_rows()[0]
    assert row[0] == format_vnd(40_000_000) and row[-1] == format_vnd(40_000_000)
    assert tab.loan.currentData() == loans[0].uuid and tab.repay_box.isEnabled()

    assert tab.record_repayment(loans[0].uuid, date(2026, 8, 15), 5_000_000)
    assert register.support.remaining(loans[0].uuid) == 35_000_000
    assert tab.loan_rows()[0][-1] == format_vnd(35_000_000)

    # Through the form.
    tab.loan_amount.setText("12.000.000")
    tab.loan_rate.setText("6,6")
    tab.loan_term.setValue(24)
    tab.disbursed_on.setText("01/10/2026")
    tab.loan_purpose.setText("mua bò")
    tab.loan_button.click()
    assert tab.loan_boxes["amount"].problem() is None and tab.loan_amount.text() == ""
    assert sorted(x.amount for x in register.support.loans(hh)) == [12_000_000, 40_000_000]
    assert len(tab.loan_rows()) == 2


def test_refused_loan_shows_why_and_saves_nothing(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    tab = make_tab(qtbot, register, officer, hh)
    before = db_dump(register)
    assert not tab.record_loan(0, 6.6, 36, date(2026, 3, 1))
    assert tab.loan_boxes["amount"].problem()
    assert not tab.record_loan(10_000_000, 6.6, 36, date(2026, 12, 1))  # in the future
    assert tab.loan_boxes["disbursed_on"].problem()
    assert tab.loan_boxes["amount"].problem() is None
    assert not tab.record_loan(None, 6.6, 36, date(2026, 3, 1))
    assert tab.loan_boxes["amount"].problem()
    assert db_dump(register) == before
    assert tab.loan_rows() == [] and register.support.loans(hh) == []


def test_add_a_programme_then_record_support_under_it(qtbot: QtBot, register: Register,
                                                      officer: Actor) -> None:
    hh = saved_household(register, officer)
    tab = make_tab(qtbot, register, officer, hh)
    assert not tab.new_programme_button.isHidden()
    assert tab.add_programme("xa_giong", "Hỗ trợ giống của xã", "Commune seed support", 3_000_000)
    assert tab.programme.currentData() == "xa_giong"
    assert any(p.code == "xa_giong" and p.max_amount == 3_000_000 for p in register.support.programmes())
    assert tab.record_support("xa_giong", date(2026, 5, 1), 2_000_000)
    assert [r.programme_code for r in register.support.household_support(hh).records] == ["xa_giong"]
    assert not tab.record_support("xa_giong", date(2026, 5, 2), 3_000_001)  # above its ceiling
    assert tab.support_boxes["amount"].problem()


def test_duplicate_programme_code_is_refused(qtbot: QtBot, register: Register, officer: Actor) -> None:
    hh = saved_household(register, officer)
    tab = make_tab(qtbot, register, officer, hh)
    assert tab.add_programme("xa_giong", "Hỗ trợ giống của xã")
    count = tab.programme.count()
    before = db_dump(register)
    assert not tab.add_programme("xa_giong", "Lần nữa")
    assert not tab.add_programme("housing_repair", "Trùng chương trình có sẵn")
    assert "housing_repair" in tab.support_problem.text()
    assert db_dump(register) == before and tab.programme.count() == count

    # In the dialog, the problem shows under the code and the dialog stays open.
    dialog = ProgrammeDialog(tab)
    tab.programme_dialog = dialog
    dialog.code.setText("xa_giong")
    dialog.name_vi.setText("Lần nữa")
    dialog.accept()
    assert "xa_giong" in (dialog.boxes["code"].problem() or "")
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.code.setText("xa_giong_2")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert tab.programme.currentData() == "xa_giong_2"
    assert db_dump(register) != before
