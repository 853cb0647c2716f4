"""The review screen: a whole 2026 round on the demo commune, from the proposed list to the decision,
with a failed village meeting and a complaint; certificates; the monthly applications."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from PySide6.QtCore import Qt

from povcase.services.base import Actor
from povcase.services.demo import build_demo
from povcase.services.dto import AssessmentInput
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter, SortKey
from povcase.ui.household_model import COLUMN_IDS, status_label
from povcase.ui.main_window import MainWindow
from povcase.ui.review_dialogs import DecideApplicationForm
from povcase.ui.review_screens import RESURVEY_FOREGROUND, ReviewScreen
from povcase.ui.tasks import TaskRunner
from tests.conftest import table_counts

TODAY = date(2026, 11, 22)
POOR = ("poor", "near_poor")


@pytest.fixture
def demo(empty_register: Register, officer: Actor) -> Register:
    build_demo(empty_register, officer, 160, seed=5, today=TODAY)
    return empty_register


@pytest.fixture
def window(qtbot, demo: Register, officer: Actor) -> MainWindow:
    w = MainWindow(demo, officer, today=TODAY, run_task=TaskRunner(inline=True).run)
    qtbot.addWidget(w)
    return w


def _statuses(reg: Register) -> dict[str, tuple[str | None, int | None]]:
    page = reg.search.search(HouseholdFilter(), sort=SortKey.CODE, limit=10_000)
    return {r.uuid: (reg.households.get(r.uuid).status, reg.households.get(r.uuid).status_year) for r in page.rows}


def _main_list_status(window: MainWindow, uuid: str) -> str:
    """The Status cell of a household's row in the main window's list, as the officer sees it."""
    model = window.model
    row = next(r for r in range(model.rowCount()) if model.uuid_at(r) == uuid)
    return model.index(row, COLUMN_IDS.index("status")).data()


def _survey_all(screen: ReviewScreen, actor: Actor, states: tuple[str, ...] = ("listed", "resurvey"),
                on: date = date(2026, 10, 5)) -> None:
    """Survey the waiting households: every third one comes out above the line."""
    reg = screen.register
    for i, e in enumerate(reg.review.entries(screen.round.uuid)):
        if e.state in states:
            income = 4_000_000 if i % 3 == 0 else 1_000_000
            reg.review.survey(actor, screen.round.uuid, e.household_uuid,
                              AssessmentInput(on, income_per_capita=income), today=TODAY)
    screen.refresh()


def test_a_whole_2026_round_on_the_demo_commune(qtbot, window: MainWindow, demo: Register, officer: Actor) -> None:
    before = _statuses(demo)
    assert {year for _s, year in before.values()} == {2025}  # the demo stands before the 2026 decision
    results_before = demo.results.year(2026)
    assert not results_before.decided and demo.results.year(2025).decided

    screen = window.open_screen("review")
    assert isinstance(screen, ReviewScreen) and screen.year.value() == 2026
    assert not screen.decide_button.isEnabled() and screen.open_button.isEnabled()
    assert screen.open_round()
    proposed = {e.household_uuid for e in screen._entries}
    assert proposed == {u for u, (s, _y) in before.items() if s in POOR}
    assert screen.list_table.rowCount() == len(proposed)

    # The officer adds a household the proposal missed, by its code.
    other = next(u for u, (s, _y) in before.items() if s not in POOR)
    form = screen.add_household_form()
    form.code.setText(demo.households.get(other).code)
    form.accept()
    assert form.result() == form.DialogCode.Accepted
    screen.refresh()
    assert screen.list_table.rowCount() == len(proposed) + 1

    # One survey through the form; the decision says why it is blocked.
    screen.select_row(screen.list_table, other)
    survey = screen.survey_form(screen.selected_entry())
    survey.income.setText("1.100.000")
    survey.accept()
    assert survey.saved.state == "surveyed" and survey.saved.transition in ("newly_poor", "newly_near_poor", "re_poor")
    screen.refresh()
    assert not screen.decide_button.isEnabled()
    assert screen.blocker_list.count() >= len(proposed)
    assert "chưa được điều tra" in screen.decide_button.toolTip()  # why: no survey yet

    _survey_all(screen, officer)
    assert demo.review.blockers(screen.round.uuid)  # meetings missing
    assert _statuses(demo) == before  # surveys leave the statuses alone

    # Village meetings: the first hamlet's fails (4 of 10), its households go back to re-survey.
    hamlets = [p.hamlet_uuid for p in screen._progress]
    meeting = screen.meeting_form(hamlets[0])
    meeting.held_on.setText("20/10/2026")
    meeting.chair.setText("Thạch Sa Rươl")
    meeting.present.setValue(10)
    meeting.agreeing.setValue(4)
    assert "50" in meeting.share.text()
    meeting.accept()
    assert meeting.saved is not None and not meeting.saved.passed
    screen.refresh()
    row = [p.hamlet_uuid for p in screen._progress].index(hamlets[0])
    assert screen.meeting_table.item(row, 0).foreground().color() == RESURVEY_FOREGROUND
    resurvey = [e for e in screen._entries if e.state == "resurvey"]
    assert resurvey and all(e.hamlet_uuid == hamlets[0] for e in resurvey)
    assert any(screen.list_table.item(r, 0).foreground().color() == RESURVEY_FOREGROUND
               for r in range(screen.list_table.rowCount()))
    assert any("50%" in screen.blocker_list.item(i).text() for i in range(screen.blocker_list.count()))
    early = screen.meeting_form(hamlets[0])  # the meeting cannot be held again before the re-survey
    early.chair.setText("Thạch Sa Rươl")
    early.present.setValue(12)
    early.agreeing.setValue(9)
    early.accept()
    assert early.saved is None and early.boxes["hamlet"].problem()
    _survey_all(screen, officer, ("resurvey",), on=date(2026, 10, 24))
    again = screen.meeting_form(hamlets[0])
    again.held_on.setText("27/10/2026")
    again.chair.setText("Thạch Sa Rươl")
    again.present.setValue(12)
    again.agreeing.setValue(9)
    again.accept()
    assert again.saved.passed
    for i, hamlet in enumerate(hamlets[1:]):
        demo.review.record_meeting(officer, screen.round.uuid, hamlet, date(2026, 10, 27), "Trưởng ấp", 20, 15 + i % 3)
    screen.refresh()
    assert screen.meeting_table.item(row, 0).foreground().color() != RESURVEY_FOREGROUND
    assert {e.state for e in screen._entries} == {"agreed"}

    # Posting, a complaint (blocks until its re-check closes it), the upstream opinion.
    posting = screen.posting_form()
    posting.starts_on.setText("01/11/2026")
    posting.ends_on.setText("07/11/2026")
    posting.accept()
    assert posting.saved
    complaint = screen.complaint_form(next(iter(proposed)))
    complaint.received_on.setText("05/11/2026")
    complaint.text.setPlainText("Hộ này mới mua xe máy")
    complaint.accept()
    assert complaint.saved
    screen.refresh()
    assert screen.complaint_table.rowCount() == 1 and not screen.decide_button.isEnabled()
    assert "1 khiếu nại chưa giải quyết" in screen.blocker_summary.text()  # the dashboard says what blocks
    assert screen._progress and sum(p.open_complaints for p in screen._progress) == 1
    close = screen.close_complaint_form(screen._complaints[0])
    close.outcome.setPlainText("Xe đi mượn; giữ kết quả khảo sát")
    close.closed_on.setText("12/11/2026")
    close.accept()
    assert close.saved.closed_on == date(2026, 11, 12)
    opinion = screen.opinion_form()
    opinion.reference.setText("123/UBND-VP")
    opinion.accept()
    screen.refresh()
    assert screen.blocker_list.count() == 0 and screen.decide_button.isEnabled()
    assert demo.results.year(2026) == results_before and _statuses(demo) == before

    # The decision, through the task runner: statuses and results change, certificates are numbered.
    entries = {e.household_uuid: e.proposed for e in screen._entries}
    changed = next(u for u, p in entries.items() if p != before[u][0])
    assert _main_list_status(window, changed) == f"{status_label(before[changed][0])} (2025)"
    screen.decision_number.setText("301/QĐ-UBND")
    screen.decision_date.setText("14/12/2026")
    with qtbot.waitSignal(screen.register_changed, timeout=5000):
        qtbot.mouseClick(screen.decide_button, Qt.MouseButton.LeftButton)
    after = _statuses(demo)
    assert all(after[u] == (p, 2026) for u, p in entries.items())
    assert all(after[u] == before[u] for u in before if u not in entries)  # not reviewed: untouched
    results = demo.results.year(2026)
    assert results.decided and results.decision_number == "301/QĐ-UBND"
    assert results.overall.this_year.poor == sum(1 for s, _y in after.values() if s == "poor")
    assert results.overall.last_year.poor == results_before.overall.this_year.poor
    assert "301/QĐ-UBND" in screen.decision_state.text() and not screen.decide_button.isEnabled()
    assert screen.results_table.rowCount() == len(results.hamlets) + 1
    certificates = Counter(p for p in entries.values() if p in POOR)
    assert screen.certificate_table.rowCount() == sum(certificates.values())
    assert window.model.status_counts.get("poor", 0) == results.overall.this_year.poor
    # At once, without reopening anything: the main list shows the new status, the dashboard the results.
    assert _main_list_status(window, changed) == f"{status_label(entries[changed])} (2026)"
    assert screen.cell_texts(screen.results_table)[-1][2] == str(results.overall.this_year.poor)

    # Recorded twice: nothing doubles.
    counts = table_counts(demo)
    again = demo.review.record_decision(officer, screen.round.uuid, "301/QĐ-UBND", date(2026, 12, 14))
    assert not again.changes and table_counts(demo) == counts
    assert demo.results.year(2026) == results

    # A certificate issued again: the next number, the old one kept as replaced.
    first = screen._certificates[0]
    screen.select_row(screen.certificate_table, first.uuid)
    assert first.household_code in screen.certificate_heading.text() or screen.member_table.rowCount() >= 1
    reissue = screen.reissue_form()
    reissue.reason.setText("Mất do lũ")
    reissue.accept()
    assert reissue.saved.number == f"{sum(certificates.values()) + 1}/GCN-HN.HCN"
    assert reissue.saved.replaces_number == first.number
    screen.refresh()
    old = next(c for c in screen._certificates if c.uuid == first.uuid)
    assert old.replaced_by_uuid == reissue.saved.uuid


def test_monthly_applications_due_overdue_and_refusal(qtbot, demo: Register, officer: Actor) -> None:
    screen = ReviewScreen(demo, officer, TODAY, run_task=TaskRunner(inline=True).run)
    qtbot.addWidget(screen)
    code = demo.search.search(HouseholdFilter(statuses=("poor",)), limit=1).rows[0].code
    late = screen.application_form()
    late.code.setText(code)
    late.kind.setCurrentIndex(late.kind.findData("04"))
    late.received_on.setText("01/10/2026")
    late.applicant.setText("Thạch Thị Sa Ry")
    late.accept()
    assert late.saved.due_on == date(2026, 10, 30)
    soon = screen.application_form()
    soon.code.setText(code)
    soon.received_on.setText("10/11/2026")
    soon._fill_applicant()  # leaving the code field fills the head's name
    assert soon.applicant.text()
    soon.accept()
    assert soon.saved.due_on == date(2026, 11, 30)
    bad = screen.application_form()
    bad.code.setText("29461-99-9999")
    bad.applicant.setText("X")
    bad.accept()
    assert bad.saved is None and bad.boxes["household"].problem()
    screen.refresh()
    rows = screen.cell_texts(screen.application_table)
    assert [r[5] for r in rows] == ["30/10/2026", "30/11/2026"]
    assert screen.application_table.item(0, 0).background().color().name() == "#f8d7da"  # overdue
    assert screen.application_table.item(1, 0).background().color().name() != "#f8d7da"

    screen.select_row(screen.application_table, late.saved.uuid)
    refuse = screen.decide_form("refused")
    refuse.accept()
    assert refuse.saved is None and refuse.boxes["refusal_reason"].problem()  # a refusal needs its reason
    refuse.reason.setPlainText("Thu nhập chưa vượt chuẩn nghèo")
    refuse.accept()
    assert refuse.saved.outcome == "refused"
    screen.refresh()
    assert [d.application.uuid for d in demo.review.due_applications(TODAY)] == []
    assert "Thu nhập chưa vượt chuẩn nghèo" in screen.cell_texts(screen.application_table)[1][7]


def test_viewer_cannot_change_the_round(qtbot, demo: Register) -> None:
    from povcase.services.base import Role

    screen = ReviewScreen(demo, Actor("Khách", Role.VIEWER), TODAY, run_task=TaskRunner(inline=True).run)
    qtbot.addWidget(screen)
    assert not screen.open_button.isEnabled() and not screen.application_button.isEnabled()


def test_the_editor_records_a_survey_for_the_open_round(qtbot, demo: Register, officer: Actor) -> None:
    from povcase.ui.household_editor import HouseholdEditor

    row = demo.search.search(HouseholdFilter(statuses=("poor",)), limit=1).rows[0]
    before = demo.households.get(row.uuid)
    rnd = demo.review.open_annual_round(officer, 2026).value
    editor = HouseholdEditor(demo, officer, row.uuid, today=TODAY)
    qtbot.addWidget(editor)
    editor.record_date.setText("10/10/2026")
    assert "2026" in editor.round_hint.text() and not editor.round_hint.isHidden()
    editor.record_income.setText("5.000.000")
    assert editor.record_assessment()
    after = demo.households.get(row.uuid)
    assert (after.status, after.status_year, after.revision) == (before.status, before.status_year, before.revision)
    assert "2026" in editor.history_hint.text()
    entry = next(e for e in demo.review.entries(rnd.uuid) if e.household_uuid == row.uuid)
    assert (entry.state, entry.proposed, entry.transition) == ("surveyed", "not_poor", "escaped_poverty")
    # Before the review's window the hint stays away: such a result is not the round's survey.
    editor.record_date.setText("10/08/2026")
    assert editor.round_hint.isHidden()


def test_survey_form_previews_the_classification_as_the_officer_types(qtbot, demo: Register,
                                                                      officer: Actor) -> None:
    screen = ReviewScreen(demo, officer, TODAY, run_task=TaskRunner(inline=True).run)
    qtbot.addWidget(screen)
    assert screen.open_round()
    entry = next(e for e in screen._entries if e.previous_status == "poor")
    form = screen.survey_form(entry)
    assert "điểm A" in form.preview.text()  # nothing to classify yet
    form.income.setText("1.000.000")
    poor = form.preview.text()
    assert poor.startswith("Đề xuất: Hộ nghèo") or poor.startswith("Đề xuất: Hộ cận nghèo")
    assert "điểm B = " in poor and "2022–2026" in poor and "Hộ nghèo)" in poor  # from last year's status
    form.income.setText("4.000.000")
    assert form.preview.text().startswith("Đề xuất: Không thuộc diện") and "Thoát nghèo" in form.preview.text()
    form.income.setText("")
    form.score_a.setText("120")  # score A at most 140 in a rural hamlet: poor or near-poor again
    assert form.preview.text().startswith("Đề xuất: Hộ")
    form.score_a.setText("")
    form.income.setText("4.000.000")
    previewed = form.preview.text()

    # After the round's end (14 Dec) the survey is refused, with the reason under its date.
    screen.today = date(2026, 12, 20)
    late = screen.survey_form(entry)
    late.assessed_on.setText("15/12/2026")
    late.income.setText("4.000.000")
    late.accept()
    assert late.saved is None and "14/12/2026" in late.boxes["assessed_on"].problem()
    screen.today = TODAY
    form.accept()
    assert form.saved.proposed == "not_poor" and form.saved.transition == "escaped_poverty"
    assert "Không thuộc diện" in previewed


def test_dashboard_shows_the_results_by_ethnic_group(qtbot, demo: Register, officer: Actor) -> None:
    screen = ReviewScreen(demo, officer, TODAY, run_task=TaskRunner(inline=True).run)
    qtbot.addWidget(screen)
    screen.year.setValue(2025)
    results = demo.results.year(2025)
    rows = screen.cell_texts(screen.ethnic_table)
    assert [r[0] for r in rows[:-1]] == [g.name for g in results.ethnic_groups]
    khmer = next(g for g in results.ethnic_groups if g.name == "Khmer")
    row = next(r for r in rows if r[0] == "Khmer")
    assert row[1] == f"{khmer.this_year.households:,}".replace(",", ".") and row[2] == str(khmer.this_year.poor)
    assert screen.cell_texts(screen.results_table)[-1] == rows[-1]  # the same commune total under both tables


def test_monthly_application_surveyed_then_recognised(qtbot, monkeypatch: pytest.MonkeyPatch, demo: Register,
                                                      officer: Actor) -> None:
    screen = ReviewScreen(demo, officer, TODAY, run_task=TaskRunner(inline=True).run)
    qtbot.addWidget(screen)
    row = demo.search.search(HouseholdFilter(statuses=("not_poor",)), limit=1).rows[0]
    results_before = demo.results.year(2026)
    form = screen.application_form()
    form.code.setText(row.code)
    form.received_on.setText("03/11/2026")
    form.applicant.setText("Thạch Thị Sa Ry")
    form.accept()
    app = form.saved
    screen.refresh()
    screen.select_row(screen.application_table, app.uuid)

    # Recognising before the survey is refused: the form says why and stays open.
    early = screen.decide_form("recognised")
    early.number.setText("12/QĐ-UBND")
    early.accept()
    assert early.saved is None and "chưa được điều tra" in early.problem.text() + "".join(
        b.problem() or "" for b in early.boxes.values())

    survey = screen.application_survey_form()
    survey.assessed_on.setText("10/11/2026")
    survey.income.setText("900.000")
    assert survey.preview.text().startswith("Đề xuất: Hộ")  # poor or near-poor, as typed
    survey.accept()
    assert survey.saved.proposed in POOR and demo.households.get(row.uuid).status == "not_poor"
    assert demo.results.year(2026) == results_before
    screen.refresh()
    shown = screen.cell_texts(screen.application_table)[0]
    assert shown[9] == "10/11/2026" and shown[10].startswith("Hộ")

    forms: list[DecideApplicationForm] = []

    def sign(form: DecideApplicationForm) -> int:  # the officer types the number and presses Save
        forms.append(form)
        form.number.setText("12/QĐ-UBND")
        form.accept()
        return form.result()

    monkeypatch.setattr(DecideApplicationForm, "exec", sign)
    screen.select_row(screen.application_table, app.uuid)
    with qtbot.waitSignal(screen.register_changed, timeout=2000):  # the main list reloads
        assert screen.decide_application("recognised")
    recognise = forms[0]
    assert recognise.saved.outcome == "recognised" and recognise.saved.decision_number == "12/QĐ-UBND"
    household = demo.households.get(row.uuid)
    assert (household.status, household.status_year) == (survey.saved.proposed, 2026)
    after = demo.results.year(2026).overall.this_year
    assert (after.poor + after.near_poor) == (results_before.overall.this_year.poor
                                              + results_before.overall.this_year.near_poor + 1)
    screen.refresh()
    assert screen.cell_texts(screen.application_table)[0][12] == "12/QĐ-UBND"
    assert any(c.household_uuid == row.uuid for c in screen._certificates)


def test_the_editor_records_an_applicants_survey_without_changing_the_status(qtbot, demo: Register,
                                                                             officer: Actor) -> None:
    from povcase.ui.household_editor import HouseholdEditor

    row = demo.search.search(HouseholdFilter(statuses=("not_poor",)), limit=1).rows[0]
    before = demo.households.get(row.uuid)
    app = demo.review.record_application(officer, row.uuid, "01", date(2026, 11, 3), "Thạch Thị Sa Ry",
                                         today=TODAY).value
    editor = HouseholdEditor(demo, officer, row.uuid, today=TODAY)
    qtbot.addWidget(editor)
    editor.record_date.setText("01/11/2026")  # before the application: an ordinary survey
    assert editor.round_hint.isHidden()
    editor.record_date.setText("10/11/2026")
    assert "Mẫu 01" in editor.round_hint.text() and not editor.round_hint.isHidden()
    editor.record_income.setText("900.000")
    assert editor.record_assessment()
    after = demo.households.get(row.uuid)
    assert (after.status, after.status_year) == (before.status, before.status_year)
    assert "Mẫu 01" in editor.history_hint.text()
    shown = demo.review.applications(TODAY)[0].application
    assert (shown.uuid, shown.surveyed_on) == (app.uuid, date(2026, 11, 10))


def test_the_list_shows_a_monthly_decision_the_annual_decision_keeps(qtbot, demo: Register, officer: Actor) -> None:
    screen = ReviewScreen(demo, officer, TODAY, run_task=TaskRunner(inline=True).run)
    qtbot.addWidget(screen)
    assert screen.open_round()
    entry = next(e for e in screen._entries if e.previous_status == "poor")
    app = demo.review.record_application(officer, entry.household_uuid, "04", date(2026, 11, 3), "Thạch Thị Sa Ry",
                                         today=TODAY).value
    demo.review.survey_application(officer, app.uuid, AssessmentInput(date(2026, 11, 10), income_per_capita=5_000_000),
                                   today=TODAY)
    demo.review.decide_application(officer, app.uuid, "recognised", date(2026, 11, 20), number="12/QĐ-UBND",
                                   today=TODAY)
    screen.refresh()
    step = screen.cell_texts(screen.list_table)[[e.household_uuid for e in screen._entries].index(entry.household_uuid)]
    assert "12/QĐ-UBND" in step[9] and "20/11/2026" in step[9] and "tháng" in step[9]
    assert step[7] == status_label("not_poor") and step[5] == "10/11/2026"

    # Surveying it for the round is refused with the reason: the annual decision would overwrite it.
    screen.select_row(screen.list_table, entry.household_uuid)
    form = screen.survey_form(screen.selected_entry())
    form.income.setText("1.000.000")
    form.accept()
    assert form.saved is None and "12/QĐ-UBND" in form.problem.text() + "".join(
        b.problem() or "" for b in form.boxes.values())

    # Filing Mẫu 04 again for the household, now above the line, is refused on filing.
    again = screen.application_form()
    again.code.setText(entry.household_code)
    again.kind.setCurrentIndex(again.kind.findData("04"))
    again.applicant.setText("Thạch Thị Sa Ry")
    again.accept()
    assert again.saved is None and "Mẫu 04" in again.boxes["form"].problem()

    # The household editor says so, and its result neither reopens the row nor changes the status.
    from povcase.ui.household_editor import HouseholdEditor

    editor = HouseholdEditor(demo, officer, entry.household_uuid, today=TODAY)
    qtbot.addWidget(editor)
    editor.record_date.setText("21/11/2026")
    assert "12/QĐ-UBND" in editor.round_hint.text() and not editor.round_hint.isHidden()
    editor.record_income.setText("900.000")
    assert editor.record_assessment()
    assert demo.households.get(entry.household_uuid).status == "not_poor"
    assert demo.review.entry(screen.round.uuid, entry.household_uuid).monthly_decision == "12/QĐ-UBND"
    assert "12/QĐ-UBND" in editor.history_hint.text()
