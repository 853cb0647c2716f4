"""The household editor: create, edit, inline validation, live result, overrides, unsaved changes,
conflicts and the review history — driven through its widgets, offscreen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from povcase.db.models import AuditEntry
from povcase.domain.deprivation import Override, Source
from povcase.domain.facts import HousingFacts
from povcase.errors import FieldProblem
from povcase.i18n import ngettext, tr
from povcase.services.base import Actor, Changes, Role
from povcase.services.dto import HouseholdDTO, MemberInput
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from povcase.ui import household_editor as editor_module
from povcase.ui.household_editor import TAB_HISTORY, HouseholdEditor, MemberTableModel
from povcase.ui.member_dialog import MemberDialog
from povcase.ui.messages import problem_text
from tests.conftest import TODAY, sample_household

POOR = "Hộ nghèo"
NEAR_POOR = "Hộ cận nghèo"


# --- helpers -------------------------------------------------------------------------------------
def saved_household(register: Register, officer: Actor, **changes: object) -> HouseholdDTO:
    hamlet = register.communes.hamlets()[0].uuid
    return register.households.create(officer, sample_household(hamlet, **changes), TODAY).value


def open_editor(qtbot, register: Register, officer: Actor, uuid: str | None = None) -> HouseholdEditor:
    editor = HouseholdEditor(register, officer, uuid, today=TODAY)
    # At teardown pytest-qt closes the editor: drop what a test left unsaved instead of asking.
    qtbot.addWidget(editor, before_close_func=_discard_on_close)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def _discard_on_close(editor: HouseholdEditor) -> None:
    editor.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]


def fill_member(dialog: MemberDialog, name: str, relation: str, sex: str, birth: str, id_number: str = "",
                insurance: bool | None = True) -> None:
    dialog.full_name.setText(name)
    dialog.relation.setValue(relation)
    dialog.sex.setValue(sex)
    dialog.birth_date.setText(birth)
    dialog.id_number.setText(id_number)
    dialog.has_health_insurance.setValue(insurance)


def audit_rows(register: Register, **where: object) -> list[Any]:
    with register.db.reading() as s:
        q = select(*AuditEntry.__table__.c).order_by(AuditEntry.id)
        for name, value in where.items():
            q = q.where(getattr(AuditEntry, name) == value)
        return list(s.execute(q))


class Answers:
    """Stands in for QMessageBox.exec: answers in turn and counts the questions."""

    def __init__(self, *answers: QMessageBox.StandardButton) -> None:
        self.answers = list(answers)
        self.asked = 0

    def __call__(self, *_args: object) -> QMessageBox.StandardButton:
        self.asked += 1
        return self.answers.pop(0)


# --- creating and editing ------------------------------------------------------------------------
def test_new_household_is_created_through_the_editor(qtbot, register, officer):
    editor = open_editor(qtbot, register, officer)
    assert editor.household is None
    assert not editor.save_button.isEnabled()  # no hamlet, no members yet
    assert "Ấp Chợ" not in editor.hamlet.currentText()

    editor.hamlet.setCurrentIndex(1)  # Ấp Đại Mong
    dialog = editor.open_member_dialog()
    assert isinstance(dialog, MemberDialog) and dialog.isVisible()
    assert dialog.relation.value() == "head"  # the first member is the head unless said otherwise
    fill_member(dialog, "Kim Văn Sơn", "head", "male", "2/3/1975", "084 075.001 234")
    dialog.employment.setValue("wage_without_contract")
    assert dialog.ok_button.isEnabled(), dialog.problems()
    dialog.ok_button.click()
    assert [m.full_name for m in editor.members] == ["Kim Văn Sơn"]
    assert editor.members[0].id_number == "084075001234"
    assert editor.members[0].birth_date == date(1975, 3, 2)

    dialog = editor.open_member_dialog()
    assert dialog is not None and dialog.relation.value() == "child"
    fill_member(dialog, "Kim Thị Ngọc", "spouse", "female", "12/08/1978")
    dialog.ok_button.click()
    assert len(editor.members) == 2
    assert editor.member_model.rowCount() == 2

    editor.house_area.setText("14,5")
    editor.house_quality.setValue("non_durable")
    editor.safe_water.setValue(True)
    editor.latrine.setValue(False)
    editor.refresh_now()
    assert editor.is_dirty() and editor.isWindowModified()
    assert editor.problems() == []
    assert editor.save_button.isEnabled()

    with qtbot.waitSignal(editor.saved) as signal:
        editor.save_button.click()
    changes = signal.args[0]
    assert isinstance(changes, Changes) and changes.touched("household") and changes.touched("member")
    saved = editor.household
    assert saved is not None
    assert saved.code.startswith("29461-02-")  # code given on save, from the hamlet
    assert editor.code.text() == saved.code
    assert saved.hamlet_name == "Ấp Đại Mong"
    assert saved.housing.area_m2 == 14.5 and saved.housing.safe_water is True
    assert not editor.is_dirty() and not editor.isWindowModified()
    assert saved.code in editor.windowTitle()

    page = register.search.search(HouseholdFilter(text="kim van son"))
    assert [r.uuid for r in page.rows] == [saved.uuid]
    assert page.rows[0].members_count == 2


def test_editing_a_member_name_saves_it_with_an_audit_row(qtbot, register, officer):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    assert not editor.is_dirty()
    assert editor.summary.text() == tr("Saved (revision {revision})", revision=1)
    assert editor.save_button.isEnabled() is False  # nothing to save

    dialog = editor.open_member_dialog(1)
    assert dialog is not None and dialog.full_name.text() == "Trần Thị Mai"
    dialog.full_name.setText("Trần Thị Mai Anh")
    dialog.ok_button.click()
    assert editor.is_dirty() and editor.isWindowModified()

    with qtbot.waitSignal(editor.saved) as signal:
        assert editor.save()
    changes: Changes = signal.args[0]
    spouse_uuid = h.members[1].uuid
    assert any(c.record_type == "member" and c.uuid == spouse_uuid and "full_name" in c.fields
               for c in changes.items)
    stored = register.households.get(h.uuid)
    assert stored.members[1].full_name == "Trần Thị Mai Anh"
    assert stored.members[1].uuid == spouse_uuid  # edited, not replaced
    assert stored.revision == 2 and editor.household is not None and editor.household.revision == 2
    rows = audit_rows(register, record_uuid=spouse_uuid, action="update", field="full_name")
    assert [(r.old, r.new, r.actor) for r in rows] == [("Trần Thị Mai", "Trần Thị Mai Anh", officer.name)]
    assert not editor.is_dirty()
    assert editor.isVisible()  # a plain save keeps the editor open


def test_removing_a_member_asks_first(qtbot, register, officer, monkeypatch):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    answers: list[bool] = [False, True]
    questions: list[str] = []

    def fake_confirm(parent: object, question: str, title: str | None = None) -> bool:
        questions.append(question)
        return answers.pop(0)

    monkeypatch.setattr(editor_module, "confirm", fake_confirm)
    editor.tabs.setCurrentIndex(1)
    editor.member_table.setFocus()
    QTest.keyClick(editor.member_table, Qt.Key.Key_Insert)  # Insert adds a member
    dialog = editor.findChild(MemberDialog)
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == tr("Add member")
    dialog.reject()
    editor.member_table.selectRow(1)
    QTest.keyClick(editor.member_table, Qt.Key.Key_Return)  # Enter edits the selected one
    dialog = next(d for d in editor.findChildren(MemberDialog) if d.isVisible())
    assert dialog.full_name.text() == "Trần Thị Mai"
    dialog.reject()
    editor.member_table.selectRow(3)
    QTest.keyClick(editor.member_table, Qt.Key.Key_Delete)
    assert len(editor.members) == 4 and not editor.is_dirty()
    QTest.keyClick(editor.member_table, Qt.Key.Key_Delete)
    assert [m.full_name for m in editor.members] == ["Nguyễn Văn Đức", "Trần Thị Mai", "Nguyễn Thị Hoa"]
    assert len(questions) == 2 and "Nguyễn Văn Tâm" in questions[0]
    assert editor.is_dirty()
    assert register.households.get(h.uuid).members[3].full_name == "Nguyễn Văn Tâm"  # nothing saved yet
    assert editor.save()
    assert len(register.households.get(h.uuid).members) == 3


# --- live result ---------------------------------------------------------------------------------
def test_result_line_follows_income_and_member_facts(qtbot, register, officer):
    insured_head = replace(sample_household("x").members[0], has_health_insurance=True)
    members = (insured_head, *sample_household("x").members[1:])
    housing = HousingFacts(area_m2=24.0, quality="semi_durable", safe_water=True, hygienic_latrine=True,
                           uses_telecom=True, has_information_device=True, waste_treated=True)
    h = saved_household(register, officer, members=members, housing=housing)
    editor = open_editor(qtbot, register, officer, h.uuid)

    # Without income or score A: the deprivation count, and what is still needed.
    line = editor.result_line.text()
    assert "2/12" in line and "20" in line  # unemployed head, 6 m² a person
    assert POOR not in line and NEAR_POOR not in line

    QTest.keyClicks(editor.income, "1200000")
    assert editor.income.text() == "1.200.000"  # Vietnamese grouping while typing
    qtbot.waitUntil(lambda: NEAR_POOR in editor.result_line.text(), timeout=2000)
    assert "2/12" in editor.result_line.text() and "B = 20" in editor.result_line.text()

    # Untick the head's health insurance: 3 deprivations make the household poor.
    dialog = editor.open_member_dialog(0)
    assert dialog is not None
    dialog.has_health_insurance.buttons[False].click()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: editor.result_line.text().startswith(POOR + " "), timeout=2000)
    assert "3/12" in editor.result_line.text() and "B = 30" in editor.result_line.text()
    row = editor.indicator_row("health_insurance")
    assert editor.indicator_table.item(row, 0).checkState() == Qt.CheckState.Checked
    assert "Nguyễn Văn Đức" in editor.indicator_table.item(row, 3).text()

    # A fact left unrecorded is counted as lacking information.
    editor.safe_water.setValue(None)
    one_unknown = ngettext("{n} indicator lacks information", "{n} indicators lack information", 1).format(n=1)
    qtbot.waitUntil(lambda: one_unknown in editor.result_line.text(), timeout=2000)

    # Income above the line: neither poor nor near-poor, whatever the deprivations.
    editor.income.setText("2500000")
    qtbot.waitUntil(lambda: "Không thuộc diện" in editor.result_line.text(), timeout=2000)

    # The 2027–2030 standard has its own line and indicators (waste treatment, no devices).
    editor.income.setText("2000000")
    editor.standard.setCurrentIndex(editor.standard.findData("2027-2030"))
    assert editor.result_line.text().startswith(POOR + " ")
    codes = [r.code for r in editor.indicator_results]
    assert "waste" in codes and "information_devices" not in codes


def test_score_a_without_a_cut_off_says_so(qtbot, register, officer):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    editor.score_a.setText("120")
    editor.refresh_now()
    assert editor.result_line.text().startswith(POOR)
    editor.standard.setCurrentIndex(editor.standard.findData("2027-2030"))
    expected = tr("Standard {standard} has no score-A cut-off yet; give income_per_capita", standard="2027-2030")
    assert expected in editor.result_line.text()


# --- validation ----------------------------------------------------------------------------------
def test_an_eleven_digit_id_number_blocks_saving(qtbot, register, officer):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    message = problem_text(FieldProblem("x", "An ID number (CCCD) has exactly 12 digits"))

    # In the member dialog: the message under the field, and OK refused.
    dialog = editor.open_member_dialog(0)
    assert dialog is not None
    dialog.id_number.clear()
    QTest.keyClicks(dialog.id_number, "08408000123")
    box = dialog.boxes["id_number"]
    assert box.message.isVisible() and box.message.text() == message
    assert dialog.id_number.property("problem") is True
    assert not dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.isVisible()  # still open: nothing taken over
    QTest.keyClicks(dialog.id_number, "4")  # the twelfth digit
    assert not box.message.isVisible() and dialog.ok_button.isEnabled()
    assert dialog.member().id_number == "084080001234"
    dialog.reject()  # back to what it was: closes without asking
    assert not dialog.isVisible()

    # Taken into the household (e.g. from an import): the editor shows it and will not save.
    editor.set_member(0, replace(editor.members[0], id_number="08408000123"))
    editor.refresh_now()
    assert message in editor.members_problem.text() and not editor.members_problem.isHidden()
    assert "Nguyễn Văn Đức" in editor.members_problem.text()
    assert not editor.save_button.isEnabled()
    assert message in editor.member_model.data(editor.member_model.index(0, 5), Qt.ItemDataRole.ToolTipRole)
    expected_summary = ngettext("{n} problem to fix before saving", "{n} problems to fix before saving",
                                1).format(n=1)
    assert editor.summary.text().startswith(expected_summary)
    assert not editor.save()
    assert editor.tabs.currentIndex() == 1  # taken to the problem
    assert editor.members_problem.isVisible()
    assert register.households.get(h.uuid).revision == 1  # nothing written
    assert editor.is_dirty()


def test_bad_household_fields_show_under_the_field(qtbot, register, officer):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    editor.phone.setText("12")
    editor.house_area.setText("12,")
    editor.refresh_now()
    assert editor.boxes["phone"].message.isVisible()  # on the tab in view
    assert not editor.housing_boxes["housing.area_m2"].message.isHidden()
    assert editor.tabs.tabBar().tabTextColor(2).name() == "#b3261e"  # the housing tab says it has a problem
    assert editor.phone.property("problem") is True
    assert not editor.save_button.isEnabled()
    editor.phone.setText("0912 345 679")
    editor.house_area.setText("12,5")
    editor.refresh_now()
    assert editor.problems() == []
    assert editor.save()
    stored = register.households.get(h.uuid)
    assert stored.phone == "0912 345 679" and stored.housing.area_m2 == 12.5


# --- unsaved changes -----------------------------------------------------------------------------
def test_closing_a_dirty_editor_asks_save_discard_cancel(qtbot, register, officer, monkeypatch):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)

    never = Answers()
    monkeypatch.setattr(QMessageBox, "exec", never)
    editor.close_button.click()  # unchanged: closes without asking
    assert not editor.isVisible() and never.asked == 0

    editor = open_editor(qtbot, register, officer, h.uuid)
    editor.address.setText("Ấp Chợ, xã Trà Cú, gần chợ")
    answers = Answers(QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
                      QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QMessageBox, "exec", answers)
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert answers.asked == 1 and editor.isVisible()
    editor.close()  # the window's close button
    assert answers.asked == 2 and editor.isVisible()
    assert editor.address.text() == "Ấp Chợ, xã Trà Cú, gần chợ"  # cancel keeps the edit
    editor.close_button.click()
    assert answers.asked == 3 and not editor.isVisible()
    assert register.households.get(h.uuid).address == "Ấp Chợ, xã Trà Cú"  # discarded: nothing saved
    assert register.households.get(h.uuid).revision == 1


def test_save_in_the_close_prompt_saves_and_closes(qtbot, register, officer, monkeypatch):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    editor.notes.setPlainText("Đã thăm hộ ngày 20/11")
    monkeypatch.setattr(QMessageBox, "exec", Answers(QMessageBox.StandardButton.Save))
    with qtbot.waitSignal(editor.saved):
        editor.reject()
    assert not editor.isVisible() and editor.result() == HouseholdEditor.DialogCode.Accepted
    assert register.households.get(h.uuid).notes == "Đã thăm hộ ngày 20/11"


def test_a_conflict_keeps_the_officers_edits(qtbot, register, officer, monkeypatch):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    other = Actor("Kim Văn Sơn", Role.OFFICER)
    register.households.update(other, h.uuid, replace(h.as_input(), phone="0987654321"), 1, TODAY)
    shown: list[BaseException] = []
    monkeypatch.setattr(editor_module, "show_error", lambda parent, error, title=None: shown.append(error))

    editor.address.setText("Tổ 3, ấp Chợ")
    assert not editor.save()
    assert len(shown) == 1 and type(shown[0]).__name__ == "ConflictError"
    assert editor.banner.isVisible() and editor.banner.text()
    assert editor.address.text() == "Tổ 3, ấp Chợ" and editor.is_dirty()
    stored = register.households.get(h.uuid)
    assert stored.phone == "0987654321" and stored.address == "Ấp Chợ, xã Trà Cú"


def test_ctrl_s_saves_and_ctrl_m_adds_a_member(qtbot, register, officer):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)  # window shortcuts need the active window
    editor.address.setFocus()
    QTest.keyClick(editor.address, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = editor.findChild(MemberDialog)
    assert dialog is not None and dialog.isVisible()
    fill_member(dialog, "Nguyễn Văn Bình", "grandchild", "male", "01/06/2024")
    dialog.ok_button.click()
    assert len(editor.members) == 5
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)  # window shortcuts need the active window
    with qtbot.waitSignal(editor.saved):
        QTest.keyClick(editor.address, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert [m.full_name for m in register.households.get(h.uuid).members][-1] == "Nguyễn Văn Bình"


# --- overrides -----------------------------------------------------------------------------------
def test_an_override_needs_a_reason_and_persists(qtbot, register, officer, monkeypatch):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    row = editor.indicator_row("latrine")
    item = editor.indicator_table.item(row, 0)
    assert item.checkState() == Qt.CheckState.Checked  # no hygienic latrine recorded

    # Cancelling the reason puts the tick back.
    monkeypatch.setattr(editor_module, "ask_override_reason", lambda *a, **k: None)
    item.setCheckState(Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: editor.indicator_table.item(row, 0).checkState() == Qt.CheckState.Checked,
                    timeout=2000)
    assert not editor.is_dirty()

    reason = "Đã xây nhà tiêu tự hoại tháng 10"
    monkeypatch.setattr(editor_module, "ask_override_reason", lambda *a, **k: reason)
    editor.indicator_table.item(row, 0).setCheckState(Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: "latrine" in editor.current_input().overrides, timeout=2000)
    result = next(r for r in editor.indicator_results if r.code == "latrine")
    assert result.source is Source.OVERRIDE and not result.deprived
    assert reason in editor.indicator_table.item(row, 3).text()
    assert editor.indicator_table.item(row, 2).text() == tr("Set by the officer")
    assert not editor.indicator_table.cellWidget(row, 4).isHidden()
    assert editor.is_dirty()
    assert editor.save()

    assert register.households.get(h.uuid).overrides == {"latrine": Override(False, reason)}
    again = open_editor(qtbot, register, officer, h.uuid)
    row = again.indicator_row("latrine")
    assert again.indicator_table.item(row, 0).checkState() == Qt.CheckState.Unchecked
    assert again.indicator_table.item(row, 2).text() == tr("Set by the officer")
    assert reason in again.indicator_table.item(row, 3).text()

    # "Use the facts" drops the decision.
    again.indicator_table.cellWidget(row, 4).click()
    qtbot.waitUntil(lambda: again.indicator_table.item(row, 0).checkState() == Qt.CheckState.Checked,
                    timeout=2000)
    assert again.indicator_table.cellWidget(row, 4) is None
    assert again.current_input().overrides == {} and again.is_dirty()


def test_an_override_for_the_next_standard_can_be_saved(qtbot, register, officer, monkeypatch):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    editor.standard.setCurrentIndex(editor.standard.findData("2027-2030"))
    editor.set_override("waste", False, "Xã thu gom rác từ tháng 12")
    assert editor.problems() == []
    assert editor.save()
    assert register.households.get(h.uuid).overrides == {"waste": Override(False, "Xã thu gom rác từ tháng 12")}


# --- review history ------------------------------------------------------------------------------
def test_recording_a_review_adds_it_to_the_timeline(qtbot, register, officer):
    h = saved_household(register, officer)
    register.households.assess(officer, h.uuid, editor_module.AssessmentInput(
        assessed_on=date(2025, 10, 1), income_per_capita=1_800_000), TODAY)
    editor = open_editor(qtbot, register, officer, h.uuid)
    assert editor.timeline.topLevelItemCount() == 1
    editor.income.setText("1200000")
    editor.tabs.setCurrentIndex(TAB_HISTORY)
    assert editor.record_income.value() == 1_200_000  # taken from the preview
    assert editor.record_date.value() == TODAY
    assert editor.record_standard.currentData() == "2022-2026"

    with qtbot.waitSignal(editor.saved):
        editor.record_button.click()
    assert editor.timeline.topLevelItemCount() == 2
    newest = editor.timeline.topLevelItem(0)
    assert newest.text(0) == "22/11/2026"
    assert POOR in newest.text(2)
    assert newest.text(3) == "40" and newest.text(4) == "4/12"
    assert editor.timeline.currentItem() is newest
    assert editor.detail_table.rowCount() == 12
    assert "Nguyễn Văn Đức" in " ".join(editor.detail_table.item(r, 2).text() for r in range(12))
    assert register.households.assessments(h.uuid)[0].classification == "poor"

    # The review moved the household's revision on; the editor follows, so the next save is no conflict.
    assert editor.household is not None and editor.household.revision == register.households.get(h.uuid).revision
    editor.phone.setText("0911222333")
    assert editor.save()


def test_a_new_household_has_no_review_form_until_saved(qtbot, register, officer):
    editor = open_editor(qtbot, register, officer)
    assert not editor.record_box.isEnabled()
    assert not editor.record_assessment()


def test_a_reader_cannot_change_anything(qtbot, register, officer):
    h = saved_household(register, officer)
    viewer = Actor("Lâm Văn Tú", Role.VIEWER)
    editor = open_editor(qtbot, register, viewer, h.uuid)
    assert editor.banner.isVisible()
    editor.address.setText("changed")
    editor.refresh_now()
    assert not editor.save_button.isEnabled() and not editor.add_member_button.isEnabled()
    assert editor.open_member_dialog() is None
    assert not editor.save()


# --- the member table model ----------------------------------------------------------------------
def test_member_model_passes_the_qt_model_tester(qtmodeltester):
    model = MemberTableModel(TODAY)
    model.set_members(list(sample_household("x").members))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 4
    head = model.index(0, 0)
    assert model.data(head, Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(1, 0), Qt.ItemDataRole.FontRole) is None
    assert model.data(model.index(0, 3)) == "02/03/1980"
    assert model.data(model.index(0, 4)) == "46"
    model.set_problems({2: ["x"]})
    assert model.data(model.index(2, 1), Qt.ItemDataRole.ToolTipRole) == "x"
    model.set_members([MemberInput("Lê Văn A")])
    qtmodeltester.check(model, force_py=True)


@pytest.mark.parametrize("relation", ["head", "child"])
def test_member_dialog_cancel_asks_only_when_changed(qtbot, register, officer, monkeypatch, relation):
    h = saved_household(register, officer)
    editor = open_editor(qtbot, register, officer, h.uuid)
    asked: list[str] = []
    monkeypatch.setattr("povcase.ui.member_dialog.confirm", lambda parent, q, title=None: asked.append(q) or False)
    index = 0 if relation == "head" else 2
    dialog = editor.open_member_dialog(index)
    assert dialog is not None
    dialog.reject()
    assert not dialog.isVisible() and asked == []
    dialog = editor.open_member_dialog(index)
    assert dialog is not None
    dialog.notes.setText("ghi chú")
    dialog.reject()
    assert dialog.isVisible() and len(asked) == 1  # refused to drop the change
    assert editor.members[index].notes == ""


def test_an_assessed_household_opens_showing_its_classification(qtbot, register, officer):
    """The live result starts from the last review's income, so the officer sees the status at once,
    and that prefill is not an unsaved change."""
    from povcase.services.dto import AssessmentInput

    h = saved_household(register, officer)
    register.households.assess(officer, h.uuid, AssessmentInput(TODAY, income_per_capita=1_200_000), today=TODAY)
    editor = open_editor(qtbot, register, officer, h.uuid)
    editor.refresh_now()
    assert editor.income.value() == 1_200_000
    assert "Hộ nghèo" in editor.result_line.text()
    assert not editor.is_dirty()
