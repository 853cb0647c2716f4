"""Review rounds: a full annual round on a small commune, transitions, the monthly deadline."""

from __future__ import annotations

from datetime import date

import pytest

from povcase.domain import review as rules
from povcase.domain.review import Transition, transition
from povcase.errors import PovcaseError, ValidationError
from povcase.i18n import translate
from povcase.services.base import Actor
from povcase.services.dto import AssessmentInput
from povcase.services.register import Register
from tests.conftest import TODAY, db_dump, sample_household, table_counts

LAST_YEAR = date(2025, 10, 1)
FOUR = ("employment", "health_insurance", "housing_area", "latrine")  # the sample household's deprivations
NEAR = {"employment": False, "health_insurance": False}  # two fewer: near-poor at a low income


def _household(reg: Register, actor: Actor, hamlet: str, last_year: str | None = None) -> str:
    uuid = reg.households.create(actor, sample_household(hamlet), today=TODAY).value.uuid
    if last_year is not None:
        income = 1_000_000 if last_year in ("poor", "near_poor") else 5_000_000
        indicators = NEAR if last_year == "near_poor" else {}
        a = reg.households.assess(actor, uuid, AssessmentInput(LAST_YEAR, income_per_capita=income,
                                                               indicators=indicators), today=TODAY).value
        assert a.classification == last_year
    return uuid


def _survey(reg: Register, actor: Actor, rnd: str, hh: str, income: int, indicators: dict[str, bool] | None = None,
            on: date = date(2026, 10, 10)):
    return reg.review.survey(actor, rnd, hh, AssessmentInput(on, income_per_capita=income,
                                                             indicators=indicators or {}), today=TODAY).value


def _statuses(reg: Register, uuids: dict[str, str]) -> dict[str, tuple[str | None, int | None]]:
    return {k: (reg.households.get(u).status, reg.households.get(u).status_year) for k, u in uuids.items()}


def _refused(reg: Register, call, contains: str) -> None:
    before = db_dump(reg)
    with pytest.raises(ValidationError) as err:
        call()
    assert any(contains in p.msgid for p in err.value.problems), err.value.problems
    assert db_dump(reg) == before


def test_full_annual_round(register: Register, officer: Actor) -> None:
    h1, h2, h3 = (h.uuid for h in register.communes.hamlets())
    hh = {"A": _household(register, officer, h1, "poor"), "B": _household(register, officer, h1, "near_poor"),
          "C": _household(register, officer, h2, "poor"), "D": _household(register, officer, h2),
          "E": _household(register, officer, h3, "not_poor"), "F": _household(register, officer, h3, "not_poor")}
    app = register.review.record_application(officer, hh["D"], "01", date(2026, 9, 5), "Nguyễn Văn Đức",
                                             "Mất việc làm", today=TODAY).value
    assert app.due_on == date(2026, 9, 30)
    due = [d for d in register.due.due_list(TODAY) if d.kind == "application"]
    assert [(d.record_uuid, d.overdue) for d in due] == [(app.uuid, True)]
    before = _statuses(register, hh)

    rnd = register.review.open_annual_round(officer, 2026).value
    assert (rnd.starts_on, rnd.ends_on) == (date(2026, 9, 1), date(2026, 12, 14))
    listed = {e.household_uuid: e.source for e in register.review.entries(rnd.uuid)}
    assert listed == {hh["A"]: "status", hh["B"]: "status", hh["C"]: "status", hh["D"]: "application"}
    register.review.add_household(officer, rnd.uuid, hh["E"])
    with pytest.raises(ValidationError):
        register.review.add_household(officer, rnd.uuid, hh["E"])
    with pytest.raises(ValidationError):
        register.review.open_annual_round(officer, 2026)

    # Nothing surveyed: the decision is refused and nothing is written.
    _refused(register, lambda: register.review.record_decision(officer, rnd.uuid, "45/QĐ-UBND", date(2026, 12, 10)),
             "has no survey")

    _survey(register, officer, rnd.uuid, hh["A"], 5_000_000)
    _survey(register, officer, rnd.uuid, hh["B"], 1_000_000)
    _survey(register, officer, rnd.uuid, hh["C"], 1_000_000)
    _survey(register, officer, rnd.uuid, hh["D"], 1_000_000)
    _survey(register, officer, rnd.uuid, hh["E"], 1_000_000, NEAR)
    moves = {e.household_uuid: (e.proposed, e.transition, e.state) for e in register.review.entries(rnd.uuid)}
    assert moves == {hh["A"]: ("not_poor", "escaped_poverty", "surveyed"),
                     hh["B"]: ("poor", "near_poor_to_poor", "surveyed"),
                     hh["C"]: ("poor", "no_change", "surveyed"),
                     hh["D"]: ("poor", "newly_poor", "surveyed"),
                     hh["E"]: ("near_poor", "newly_near_poor", "surveyed")}
    assert _statuses(register, hh) == before  # surveys do not change statuses

    # Meetings: exactly 50% passes; 4 of 10 fails and sends hamlet 2 back to re-survey.
    assert register.review.record_meeting(officer, rnd.uuid, h1, date(2026, 10, 20), "Trưởng ấp", 10, 5).value.passed
    failed = register.review.record_meeting(officer, rnd.uuid, h2, date(2026, 10, 20), "Trưởng ấp", 10, 4).value
    assert not failed.passed
    assert register.review.record_meeting(officer, rnd.uuid, h3, date(2026, 10, 21), "Trưởng ấp", 8, 8).value.passed
    states = {e.household_uuid: e.state for e in register.review.entries(rnd.uuid)}
    assert states[hh["C"]] == states[hh["D"]] == "resurvey" and states[hh["A"]] == "agreed"
    _refused(register, lambda: register.review.record_decision(officer, rnd.uuid, "45/QĐ-UBND", date(2026, 12, 10)),
             "did not reach 50%")
    # The meeting cannot be repeated before the re-survey.
    _refused(register, lambda: register.review.record_meeting(officer, rnd.uuid, h2, date(2026, 10, 25), "Trưởng ấp",
                                                              10, 9), "have no survey yet")
    _survey(register, officer, rnd.uuid, hh["C"], 1_000_000, on=date(2026, 10, 24))
    _survey(register, officer, rnd.uuid, hh["D"], 1_000_000, on=date(2026, 10, 24))
    assert register.review.record_meeting(officer, rnd.uuid, h2, date(2026, 10, 27), "Trưởng ấp", 12, 9).value.passed

    # Posting and a complaint: an open complaint blocks the decision until its re-check closes it.
    register.review.record_posting(officer, rnd.uuid, date(2026, 11, 1), date(2026, 11, 7))
    register.review.record_posting(officer, rnd.uuid, date(2026, 11, 1), date(2026, 11, 7), hamlet_uuid=h1)
    complaint = register.review.record_complaint(officer, rnd.uuid, hh["E"], date(2026, 11, 5),
                                                 "Hộ này có xe máy mới").value
    _refused(register, lambda: register.review.record_decision(officer, rnd.uuid, "45/QĐ-UBND", date(2026, 12, 10)),
             "still open")
    closed = register.review.close_complaint(officer, complaint.uuid, "Kiểm tra lại: xe đi mượn, giữ kết quả",
                                             date(2026, 11, 12)).value
    assert closed.closed_on == date(2026, 11, 12)
    register.review.record_upstream_opinion(officer, rnd.uuid, date(2026, 11, 25), "123/UBND-VP")
    assert register.review.blockers(rnd.uuid) == []
    assert _statuses(register, hh) == before  # still nothing changed before the decision

    decision = register.review.record_decision(officer, rnd.uuid, "45/QĐ-UBND", date(2026, 12, 10)).value
    assert decision.certificates == ("1/GCN-HN.HCN", "2/GCN-HN.HCN", "3/GCN-HN.HCN", "4/GCN-HN.HCN")
    after = {k: (register.households.get(u).status, register.households.get(u).previous_status)
             for k, u in hh.items()}
    assert after == {"A": ("not_poor", "poor"), "B": ("poor", "near_poor"), "C": ("poor", "poor"),
                     "D": ("poor", None), "E": ("near_poor", "not_poor"), "F": ("not_poor", None)}
    assert register.households.get(hh["A"]).status_year == 2026
    assert register.households.get(hh["F"]).status_year == 2025  # not reviewed: untouched
    certs = register.review.certificates(2026)
    assert {c.household_uuid for c in certs} == {hh["B"], hh["C"], hh["D"], hh["E"]}
    assert register.review.due_applications(TODAY) == []  # D's application was recognised

    # The same decision again changes nothing; another number for a decided round is refused.
    counts, dump = table_counts(register), db_dump(register)
    again = register.review.record_decision(officer, rnd.uuid, "45/QĐ-UBND", date(2026, 12, 10))
    assert again.value == decision and not again.changes
    assert table_counts(register) == counts and db_dump(register) == dump
    _refused(register, lambda: register.review.record_decision(officer, rnd.uuid, "46/QĐ-UBND", date(2026, 12, 11)),
             "already decided")
    with pytest.raises(PovcaseError):
        register.review.record_meeting(officer, rnd.uuid, h1, date(2026, 12, 12), "Trưởng ấp", 10, 10)


def test_re_poor_uses_older_history(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    hh = _household(register, officer, h1)
    register.households.assess(officer, hh, AssessmentInput(date(2024, 10, 1), income_per_capita=1_000_000),
                               today=TODAY)
    register.households.assess(officer, hh, AssessmentInput(LAST_YEAR, income_per_capita=5_000_000), today=TODAY)
    rnd = register.review.open_annual_round(officer, 2026).value
    assert register.review.entries(rnd.uuid) == []  # not poor now, no application
    register.review.add_household(officer, rnd.uuid, hh)
    assert _survey(register, officer, rnd.uuid, hh, 1_000_000).transition == "re_poor"


def test_link_existing_assessment(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    hh = _household(register, officer, h1, "poor")
    rnd = register.review.open_annual_round(officer, 2026).value
    other = _household(register, officer, h1, "poor")
    a = register.households.assess(officer, hh, AssessmentInput(date(2026, 10, 1), income_per_capita=5_000_000),
                                   today=TODAY).value
    entry = register.review.link_survey(officer, rnd.uuid, hh, a.uuid).value
    assert (entry.assessment_uuid, entry.transition) == (a.uuid, "escaped_poverty")
    with pytest.raises(PovcaseError):
        register.review.link_survey(officer, rnd.uuid, other, a.uuid)  # another household's survey


@pytest.mark.parametrize(("before", "after", "history", "expected"), [
    (None, "poor", (), Transition.NEWLY_POOR),
    ("not_poor", "poor", (), Transition.NEWLY_POOR),
    ("middle", "poor", ("poor",), Transition.RE_POOR),
    ("middle", "near_poor", (), Transition.NEWLY_NEAR_POOR),
    ("poor", "middle", (), Transition.ESCAPED_POVERTY),
    ("poor", None, (), Transition.ESCAPED_POVERTY),
    ("near_poor", "not_poor", (), Transition.ESCAPED_NEAR_POVERTY),
    ("poor", "near_poor", (), Transition.POOR_TO_NEAR_POOR),
    ("near_poor", "poor", ("poor",), Transition.NEAR_POOR_TO_POOR),
    ("poor", "poor", (), Transition.NO_CHANGE),
    ("near_poor", "near_poor", (), Transition.NO_CHANGE),
    ("not_poor", "middle", ("poor",), Transition.NO_CHANGE),
])
def test_transitions(before: str | None, after: str | None, history: tuple[str, ...], expected: Transition) -> None:
    assert transition(before, after, history) is expected


def test_rules() -> None:
    assert rules.annual_window(2026) == (date(2026, 9, 1), date(2026, 12, 14))
    assert rules.in_annual_window(date(2026, 12, 14)) and not rules.in_annual_window(date(2026, 12, 15))
    assert not rules.in_annual_window(date(2026, 8, 31))
    assert rules.meeting_passes(10, 5) and not rules.meeting_passes(10, 4)
    assert not rules.meeting_passes(0, 0) and not rules.meeting_passes(5, 6)
    assert rules.certificate_number(12) == "12/GCN-HN.HCN"
    with pytest.raises(ValueError):
        rules.certificate_number(0)


@pytest.mark.parametrize(("received", "start", "due"), [
    (date(2026, 11, 3), date(2026, 11, 15), date(2026, 11, 30)),
    (date(2026, 11, 15), date(2026, 11, 15), date(2026, 11, 30)),
    (date(2026, 11, 16), date(2026, 12, 15), date(2026, 12, 30)),
    (date(2026, 12, 20), date(2027, 1, 15), date(2027, 1, 30)),
    (date(2026, 1, 31), date(2026, 2, 15), date(2026, 3, 2)),
])
def test_monthly_deadline(received: date, start: date, due: date) -> None:
    assert rules.monthly_review_start(received) == start
    assert rules.application_due_on(received) == due


def test_monthly_applications(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    hh = _household(register, officer, h1, "poor")
    late = register.review.record_application(officer, hh, "04", date(2026, 10, 1), "Nguyễn Văn Đức",
                                              "Đăng ký thoát nghèo", today=TODAY).value
    soon = register.review.record_application(officer, hh, "01", date(2026, 11, 20), "Nguyễn Văn Đức",
                                              today=TODAY).value
    assert (late.due_on, soon.due_on) == (date(2026, 10, 30), date(2026, 12, 30))
    due = register.review.due_applications(TODAY)
    assert [(d.application.uuid, d.overdue) for d in due] == [(late.uuid, True)]
    assert [d.application.uuid for d in register.review.due_applications(TODAY, horizon_days=40)] == [
        late.uuid, soon.uuid]
    _refused(register, lambda: register.review.record_application(officer, hh, "02", TODAY, "X", today=TODAY),
             "Must be one of")
    _refused(register, lambda: register.review.decide_application(officer, late.uuid, "refused", TODAY),
             "must give its reason")
    refused = register.review.decide_application(officer, late.uuid, "refused", TODAY,
                                                 "Chưa đủ điều kiện thoát nghèo").value
    assert (refused.outcome, refused.refusal_reason) == ("refused", "Chưa đủ điều kiện thoát nghèo")
    assert register.review.due_applications(TODAY) == []
    assert [d for d in register.due.due_list(TODAY) if d.kind == "application"] == []
    _refused(register, lambda: register.review.decide_application(officer, late.uuid, "recognised", TODAY),
             "already decided")


def _post_and_ask(reg: Register, actor: Actor, rnd: str) -> None:
    reg.review.record_posting(actor, rnd, date(2026, 11, 1), date(2026, 11, 7))
    reg.review.record_upstream_opinion(actor, rnd, date(2026, 11, 12), "123/UBND-VP")


def _decided_round(reg: Register, actor: Actor) -> tuple[str, dict[str, str], list[str]]:
    """A small round decided: A and C poor last year, B near-poor; hamlet 1 holds A and B, hamlet 2 C."""
    h1, h2, _h3 = (h.uuid for h in reg.communes.hamlets())
    hh = {"A": _household(reg, actor, h1, "poor"), "B": _household(reg, actor, h1, "near_poor"),
          "C": _household(reg, actor, h2, "poor")}
    rnd = reg.review.open_annual_round(actor, 2026).value.uuid
    for k, income in (("A", 1_000_000), ("B", 1_000_000), ("C", 5_000_000)):
        _survey(reg, actor, rnd, hh[k], income)
    for h in (h1, h2):
        reg.review.record_meeting(actor, rnd, h, date(2026, 10, 20), "Trưởng ấp", 10, 8)
    _post_and_ask(reg, actor, rnd)
    reg.review.record_decision(actor, rnd, "45/QĐ-UBND", date(2026, 11, 20))
    return rnd, hh, [h1, h2]


def test_dashboard_counts_each_step_per_hamlet(register: Register, officer: Actor) -> None:
    h1, h2, h3 = (h.uuid for h in register.communes.hamlets())
    a, b = _household(register, officer, h1, "poor"), _household(register, officer, h1, "near_poor")
    c = _household(register, officer, h2, "poor")
    rnd = register.review.open_annual_round(officer, 2026).value.uuid
    _survey(register, officer, rnd, a, 1_000_000)
    _survey(register, officer, rnd, b, 1_000_000)
    register.review.record_meeting(officer, rnd, h1, date(2026, 10, 20), "Trưởng ấp", 10, 3)  # fails
    register.review.record_complaint(officer, rnd, c, date(2026, 10, 22), "Khiếu nại")
    steps = {p.hamlet_uuid: (p.listed, p.waiting, p.surveyed, p.resurvey, p.agreed, p.decided, p.open_complaints,
                             p.meeting.passed if p.meeting else None) for p in register.review.progress(rnd)}
    assert steps == {h1: (2, 0, 0, 2, 0, 0, 0, False), h2: (1, 1, 0, 0, 0, 0, 1, None)}  # h3: nobody listed
    assert [p.hamlet_uuid for p in register.review.progress(rnd)] == [h1, h2]  # the commune's hamlet order
    assert h3 not in steps
    rows = {e.household_uuid: e for e in register.review.entries(rnd)}
    assert rows[a].hamlet_name == "Ấp Chợ" and rows[a].head_name == "Nguyễn Văn Đức"
    assert rows[a].income_per_capita == 1_000_000 and rows[a].surveyed_on == date(2026, 10, 10)
    assert set(rows[a].deprived) == set(FOUR) and rows[c].deprived == ()


def test_recorded_surveys_are_taken_over(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    early = _household(register, officer, h1, "poor")
    register.households.assess(officer, early, AssessmentInput(date(2026, 9, 10), income_per_capita=5_000_000),
                               today=TODAY)  # before the round was opened: it set the status then
    waiting = _household(register, officer, h1, "poor")
    rnd = register.review.open_annual_round(officer, 2026).value.uuid
    result = register.review.take_recorded_surveys(officer, rnd)
    assert result.value == 1
    rows = {e.household_uuid: (e.state, e.transition) for e in register.review.entries(rnd)}
    assert rows == {early: ("surveyed", "escaped_poverty"), waiting: ("listed", None)}
    assert register.review.take_recorded_surveys(officer, rnd).value == 0  # nothing new


def test_editor_survey_during_the_round_waits_for_the_decision(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    poor = _household(register, officer, h1, "poor")
    rnd = register.review.open_annual_round(officer, 2026).value.uuid
    new = register.households.create(officer, sample_household(h1), today=TODAY).value.uuid
    # A first registration still sets the status, even while the round is open.
    register.households.assess(officer, new, AssessmentInput(date(2026, 10, 2), income_per_capita=1_000_000),
                               today=TODAY)
    assert register.households.get(new).status == "poor"
    other = _household(register, officer, h1, "not_poor")
    result = register.households.assess(officer, other, AssessmentInput(date(2026, 10, 3), income_per_capita=900_000),
                                        today=TODAY)
    assert result.changes.touched("review_entry") and not result.changes.touched("household")
    register.households.assess(officer, poor, AssessmentInput(date(2026, 10, 3), income_per_capita=5_000_000),
                               today=TODAY)
    assert (register.households.get(poor).status, register.households.get(other).status) == ("poor", "not_poor")
    rows = {e.household_uuid: (e.source, e.proposed, e.transition) for e in register.review.entries(rnd)}
    assert rows[poor] == ("status", "not_poor", "escaped_poverty")
    assert rows[other] == ("added", "poor", "newly_poor")  # added to the list by its survey
    assert new not in rows


def test_certificate_reissue_keeps_the_history(register: Register, officer: Actor) -> None:
    _rnd, hh, _hamlets = _decided_round(register, officer)
    certs = register.review.certificates(2026)
    assert [(c.number, c.household_uuid) for c in certs] == [("1/GCN-HN.HCN", hh["A"]), ("2/GCN-HN.HCN", hh["B"])]
    _refused(register, lambda: register.review.reissue_certificate(officer, certs[0].uuid, date(2026, 12, 1), ""),
             "Say why")
    _refused(register, lambda: register.review.reissue_certificate(officer, certs[0].uuid, date(2026, 11, 1),
                                                                   "Mất giấy"), "Cannot be before")
    new = register.review.reissue_certificate(officer, certs[0].uuid, date(2026, 12, 1), "Mất giấy do lũ").value
    assert (new.number, new.replaces_number, new.household_uuid) == ("3/GCN-HN.HCN", "1/GCN-HN.HCN", hh["A"])
    after = {c.number: c for c in register.review.certificates(2026)}
    assert after["1/GCN-HN.HCN"].replaced_by_uuid == new.uuid and after["3/GCN-HN.HCN"].replaced_by_uuid is None
    _refused(register, lambda: register.review.reissue_certificate(officer, certs[0].uuid, date(2026, 12, 2),
                                                                   "Lần nữa"), "already replaced")
    detail = register.review.certificate(new.uuid)
    assert (detail.decision_number, detail.commune_name, detail.hamlet_name) == ("45/QĐ-UBND", "Xã Trà Cú", "Ấp Chợ")
    assert detail.head_id_number == "084080001234" and detail.ethnicity_group == "Kinh"
    assert [m.full_name for m in detail.members][:2] == ["Nguyễn Văn Đức", "Trần Thị Mai"] and len(detail.members) == 4


def test_decision_can_be_cancelled_and_reports_progress(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    hh = [_household(register, officer, h1, "poor") for _ in range(3)]
    rnd = register.review.open_annual_round(officer, 2026).value.uuid
    for u in hh:
        _survey(register, officer, rnd, u, 1_000_000)
    register.review.record_meeting(officer, rnd, h1, date(2026, 10, 20), "Trưởng ấp", 10, 8)
    _refused(register, lambda: register.review.record_decision(officer, rnd, "45/QĐ-UBND", date(2026, 11, 20)),
             "not been posted")
    register.review.record_posting(officer, rnd, date(2026, 11, 1), date(2026, 11, 7))
    assert [p.field for p in register.review.blockers(rnd)] == ["upstream_opinion"]
    register.review.record_upstream_opinion(officer, rnd, date(2026, 11, 12), "123/UBND-VP")
    before = db_dump(register)
    with pytest.raises(PovcaseError, match="Cancelled"):
        register.review.record_decision(officer, rnd, "45/QĐ-UBND", date(2026, 11, 20), progress=lambda done: False)
    assert db_dump(register) == before
    seen: list[int] = []
    register.review.record_decision(officer, rnd, "45/QĐ-UBND", date(2026, 11, 20),
                                    progress=lambda done: seen.append(done) or True)
    assert seen == [0]
    assert register.review.decision(rnd).number == "45/QĐ-UBND"
    assert register.review.annual_round(2026).status == "decided" and register.review.annual_round(2025) is None


def test_round_records_read_back(register: Register, officer: Actor) -> None:
    rnd, hh, (h1, h2) = _decided_round(register, officer)
    assert [(m.hamlet_uuid, m.passed) for m in register.review.meetings(rnd)] == [(h1, True), (h2, True)]
    assert [(p.hamlet_uuid, p.starts_on) for p in register.review.postings(rnd)] == [(None, date(2026, 11, 1))]
    assert [o.reference for o in register.review.opinions(rnd)] == ["123/UBND-VP"]
    assert [r.year for r in register.review.rounds()] == [2026]


def _apply(reg: Register, actor: Actor, hh: str, form: str, received: date):
    return reg.review.record_application(actor, hh, form, received, "Nguyễn Văn Đức", today=TODAY).value


def _survey_app(reg: Register, actor: Actor, app: str, income: int, on: date,
                indicators: dict[str, bool] | None = None):
    return reg.review.survey_application(actor, app, AssessmentInput(on, income_per_capita=income,
                                                                     indicators=indicators or {}), today=TODAY).value


def _recognise(reg: Register, actor: Actor, app: str, number: str = "12/QĐ-UBND", on: date = TODAY):
    return reg.review.decide_application(actor, app, "recognised", on, number=number, today=TODAY)


def test_monthly_01_recognition_applies_the_survey(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    hh = _household(register, officer, h1, "not_poor")
    app = _apply(register, officer, hh, "01", date(2026, 11, 3))
    results_before = register.results.year(2026)

    # No survey since the application: refused, in Vietnamese, and nothing written.
    _refused(register, lambda: _recognise(register, officer, app.uuid), "has not been surveyed")
    with pytest.raises(ValidationError) as err:
        _recognise(register, officer, app.uuid)
    assert "chưa được điều tra" in translate(err.value.problems[0].msgid, "vi", **err.value.problems[0].params)
    _refused(register, lambda: _survey_app(register, officer, app.uuid, 1_000_000, date(2026, 11, 1)),
             "cannot be before the application")
    # A survey above the line contradicts the application.
    _survey_app(register, officer, app.uuid, 5_000_000, date(2026, 11, 10))
    _refused(register, lambda: _recognise(register, officer, app.uuid), "neither poor nor near-poor")

    surveyed = _survey_app(register, officer, app.uuid, 1_000_000, date(2026, 11, 12))
    assert (surveyed.surveyed_on, surveyed.proposed, surveyed.transition) == (date(2026, 11, 12), "poor", "newly_poor")
    assert register.households.get(hh).status == "not_poor"  # the survey alone changes nothing
    assert register.results.year(2026) == results_before
    _refused(register, lambda: _recognise(register, officer, app.uuid, number=""), "Required")

    result = _recognise(register, officer, app.uuid)
    decided = result.value
    assert (decided.outcome, decided.decision_number, decided.decided_on) == ("recognised", "12/QĐ-UBND", TODAY)
    h = register.households.get(hh)
    assert (h.status, h.previous_status, h.status_year) == ("poor", "not_poor", 2026)
    assert [(c.number, c.household_uuid, c.classification) for c in register.review.certificates(2026)] == [
        ("1/GCN-HN.HCN", hh, "poor")]
    assert register.review.certificate(register.review.certificates(2026)[0].uuid).decision_number == "12/QĐ-UBND"
    after = register.results.year(2026)
    assert after.overall.this_year.poor == results_before.overall.this_year.poor + 1
    assert after.overall.newly_poor == 1
    for kind in ("household", "review_application", "decision", "certificate", "review_entry"):
        assert result.changes.touched(kind), kind
    assert register.review.due_applications(TODAY, horizon_days=60) == []
    _refused(register, lambda: _recognise(register, officer, app.uuid), "already decided")

    # Poor now by that decision: the annual round proposes it, against last year's status.
    rnd = register.review.open_annual_round(officer, 2026).value
    assert [(e.household_uuid, e.source, e.previous_status) for e in register.review.entries(rnd.uuid)] == [
        (hh, "status", "not_poor")]


def test_monthly_04_escape_replaces_or_ends_the_certificate(register: Register, officer: Actor) -> None:
    """C, above the line since the round, can no longer file Mẫu 04 at all: the test used to file it and
    have the recognition refused; filing is now refused at once (see test_filing_checks_the_application),
    so C's part is the refusal of a Mẫu 01 application in writing."""
    _rnd, hh, _hamlets = _decided_round(register, officer)  # A and B poor (certificates 1, 2), C escaped
    a = _apply(register, officer, hh["A"], "04", date(2026, 11, 21))
    b = _apply(register, officer, hh["B"], "04", date(2026, 11, 21))
    c = _apply(register, officer, hh["C"], "01", date(2026, 11, 21))
    results_before = register.results.year(2026).overall.this_year

    # Still poor: refused, nothing changes.
    _survey_app(register, officer, a.uuid, 1_000_000, TODAY)
    _refused(register, lambda: _recognise(register, officer, a.uuid), "still poor or near-poor")
    assert register.results.year(2026).overall.this_year == results_before

    # Poor → near-poor: the new near-poor certificate replaces the poor one.
    _survey_app(register, officer, a.uuid, 1_000_000, TODAY, NEAR)
    assert _recognise(register, officer, a.uuid, "13/QĐ-UBND").value.transition == "poor_to_near_poor"
    # Poor → above the line: its certificate ends with the decision.
    _survey_app(register, officer, b.uuid, 5_000_000, TODAY)
    assert _recognise(register, officer, b.uuid, "14/QĐ-UBND").value.transition == "escaped_poverty"
    # previous_status stays the status of the year before (B was near-poor in 2025), for the year's results.
    assert {k: (register.households.get(u).status, register.households.get(u).previous_status)
            for k, u in hh.items() if k != "C"} == {"A": ("near_poor", "poor"), "B": ("not_poor", "near_poor")}
    certs = {c.number: c for c in register.review.certificates(2026)}
    assert set(certs) == {"1/GCN-HN.HCN", "2/GCN-HN.HCN", "3/GCN-HN.HCN"}
    assert (certs["3/GCN-HN.HCN"].household_uuid, certs["3/GCN-HN.HCN"].classification) == (hh["A"], "near_poor")
    assert certs["1/GCN-HN.HCN"].replaced_by_uuid == certs["3/GCN-HN.HCN"].uuid
    assert (certs["2/GCN-HN.HCN"].ended_by, certs["2/GCN-HN.HCN"].ended_on) == ("14/QĐ-UBND", TODAY)
    assert register.review.certificate(certs["2/GCN-HN.HCN"].uuid).certificate.ended_by == "14/QĐ-UBND"
    assert certs["2/GCN-HN.HCN"].replaced_by_uuid is None and certs["3/GCN-HN.HCN"].ended_by is None
    after = register.results.year(2026).overall.this_year
    assert (after.poor, after.near_poor) == (results_before.poor - 2, results_before.near_poor + 1)

    # Near-poor now: Mẫu 04 needs a survey above the line.
    again = _apply(register, officer, hh["A"], "04", TODAY)
    _survey_app(register, officer, again.uuid, 1_000_000, TODAY, NEAR)
    _refused(register, lambda: _recognise(register, officer, again.uuid), "still poor or near-poor")

    # A refusal needs its written reason and changes no status.
    before = register.households.get(hh["C"])
    refused = register.review.decide_application(officer, c.uuid, "refused", TODAY, "Hộ không thuộc diện nghèo",
                                                 today=TODAY)
    assert refused.value.outcome == "refused" and not refused.changes.touched("household")
    assert register.households.get(hh["C"]) == before


def test_editor_survey_of_an_applicant_waits_for_the_decision(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    hh = _household(register, officer, h1, "not_poor")
    app = _apply(register, officer, hh, "01", date(2026, 8, 3))  # no annual round open
    register.households.assess(officer, hh, AssessmentInput(date(2026, 8, 10), income_per_capita=1_000_000),
                               today=TODAY)
    assert register.households.get(hh).status == "not_poor"
    shown = register.review.applications(TODAY)[0].application
    assert (shown.uuid, shown.proposed, shown.status) == (app.uuid, "poor", "not_poor")


def test_annual_survey_must_fall_within_the_round(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    hh = _household(register, officer, h1, "poor")
    rnd = register.review.open_annual_round(officer, 2026).value.uuid
    late = date(2026, 12, 20)
    for on, today in ((date(2026, 8, 31), TODAY), (date(2026, 12, 15), late)):
        before = db_dump(register)
        with pytest.raises(ValidationError) as err:
            register.review.survey(officer, rnd, hh, AssessmentInput(on, income_per_capita=1_000_000), today=today)
        problem = err.value.problems[0]
        assert problem.field == "assessed_on" and "01/09/2026 – 14/12/2026" in translate(problem.msgid, "vi", **problem.params)
        assert "ngoài" in translate(problem.msgid, "vi", **problem.params)
        assert db_dump(register) == before
    last_day = AssessmentInput(date(2026, 12, 14), income_per_capita=1_000_000)
    assert register.review.survey(officer, rnd, hh, last_day, today=late).value.state == "surveyed"
    # A survey recorded elsewhere after the round's end is not taken as its survey.
    other = register.households.assess(officer, hh, AssessmentInput(late, income_per_capita=900_000),
                                       today=late).value
    with pytest.raises(ValidationError):
        register.review.link_survey(officer, rnd, hh, other.uuid)


def test_survey_preview_is_what_the_survey_records(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    hh = _household(register, officer, h1, "poor")
    rnd = register.review.open_annual_round(officer, 2026).value.uuid
    before = db_dump(register)
    a = AssessmentInput(date(2026, 10, 10), income_per_capita=1_000_000, indicators=NEAR)
    assert register.review.preview_survey(hh, AssessmentInput(date(2026, 10, 10))) is None  # nothing to classify
    shown = register.review.preview_survey(hh, a, rnd)
    assert db_dump(register) == before  # a preview writes nothing
    assert (shown.classification, shown.deprivation_count, shown.score_b, shown.standard) == (
        "near_poor", 2, 20, "2022-2026")
    assert (shown.previous_status, shown.transition) == ("poor", "poor_to_near_poor")
    entry = register.review.survey(officer, rnd, hh, a, today=TODAY).value
    assert (entry.proposed, entry.transition) == (shown.classification, shown.transition)
    # Without a round (an application): against the status the household holds now.
    assert register.review.preview_survey(hh, AssessmentInput(TODAY, score_a=200)).transition == "escaped_poverty"


def test_filing_checks_the_application(register: Register, officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    above = _household(register, officer, h1, "not_poor")
    poor = _household(register, officer, h1, "poor")
    code = register.households.get(above).code

    # Mẫu 04 asks to leave poverty or near-poverty: a household in neither is refused on filing.
    before = db_dump(register)
    with pytest.raises(ValidationError) as err:
        _apply(register, officer, above, "04", date(2026, 11, 3))
    problem = err.value.problems[0]
    assert problem.field == "form" and "neither poor nor near-poor" in problem.msgid
    assert code in translate(problem.msgid, "vi", **problem.params)
    assert "Mẫu 04" in translate(problem.msgid, "vi", **problem.params)
    assert db_dump(register) == before

    # One pending application per form: the second Mẫu 04 is refused, a Mẫu 01 beside it is not.
    first = _apply(register, officer, poor, "04", date(2026, 11, 3))
    _refused(register, lambda: _apply(register, officer, poor, "04", date(2026, 11, 10)), "already has a Mẫu")
    with pytest.raises(ValidationError) as err:
        _apply(register, officer, poor, "04", date(2026, 11, 10))
    assert "03/11/2026" in translate(err.value.problems[0].msgid, "vi", **err.value.problems[0].params)
    _apply(register, officer, poor, "01", date(2026, 11, 10))
    # Once the first is decided, the household may apply again.
    register.review.decide_application(officer, first.uuid, "refused", TODAY, "Chưa đủ điều kiện", today=TODAY)
    assert _apply(register, officer, poor, "04", TODAY).outcome == "pending"


def test_a_monthly_decision_during_the_annual_round_stands(register: Register, officer: Actor) -> None:
    """A household decided by a monthly decision while the year's annual round is open keeps that result:
    its entry on the annual list takes the monthly survey, shows the decision, cannot be surveyed for the
    round again, and the annual decision leaves it (no second status change, no second certificate)."""
    h1 = register.communes.hamlets()[0].uuid
    hh = {"A": _household(register, officer, h1, "poor"), "B": _household(register, officer, h1, "not_poor"),
          "C": _household(register, officer, h1, "poor")}
    rnd = register.review.open_annual_round(officer, 2026).value.uuid
    _survey(register, officer, rnd, hh["A"], 1_000_000)  # the round finds A still poor in October
    _survey(register, officer, rnd, hh["C"], 1_000_000)

    # A registers to escape (Mẫu 04), B asks to be reviewed (Mẫu 01); both recognised on 20 Nov.
    escape = _apply(register, officer, hh["A"], "04", date(2026, 11, 3))
    review = _apply(register, officer, hh["B"], "01", date(2026, 11, 3))
    _survey_app(register, officer, escape.uuid, 5_000_000, date(2026, 11, 10))
    _survey_app(register, officer, review.uuid, 1_000_000, date(2026, 11, 10))
    monthly = _recognise(register, officer, escape.uuid, "12/QĐ-UBND", date(2026, 11, 20))
    assert monthly.changes.touched("review_entry")
    _recognise(register, officer, review.uuid, "13/QĐ-UBND", date(2026, 11, 20))

    rows = {e.household_uuid: e for e in register.review.entries(rnd)}
    assert (rows[hh["A"]].state, rows[hh["A"]].proposed, rows[hh["A"]].transition) == (
        "decided", "not_poor", "escaped_poverty")
    assert (rows[hh["A"]].monthly_decision, rows[hh["A"]].monthly_decided_on) == ("12/QĐ-UBND", date(2026, 11, 20))
    assert rows[hh["A"]].surveyed_on == date(2026, 11, 10)  # the monthly survey, not the October one
    assert (rows[hh["B"]].source, rows[hh["B"]].state, rows[hh["B"]].transition,
            rows[hh["B"]].monthly_decision) == ("application", "decided", "newly_poor", "13/QĐ-UBND")
    assert rows[hh["C"]].monthly_decision is None and rows[hh["C"]].state == "surveyed"

    # The round cannot survey A again: the annual decision would overwrite the monthly one.
    with pytest.raises(ValidationError) as err:
        _survey(register, officer, rnd, hh["A"], 1_000_000, on=date(2026, 11, 21))
    assert "12/QĐ-UBND" in translate(err.value.problems[0].msgid, "vi", **err.value.problems[0].params)
    older = register.households.assess(officer, hh["A"], AssessmentInput(date(2026, 10, 1), income_per_capita=900_000),
                                       today=TODAY).value
    _refused(register, lambda: register.review.link_survey(officer, rnd, hh["A"], older.uuid), "while this review")
    # A survey from the editor is kept in the history but does not reopen the entry or change the status.
    assert register.households.get(hh["A"]).status == "not_poor"
    assert {e.household_uuid: e.state for e in register.review.entries(rnd)}[hh["A"]] == "decided"

    register.review.record_meeting(officer, rnd, h1, date(2026, 11, 12), "Trưởng ấp", 10, 8)
    _post_and_ask(register, officer, rnd)
    assert register.review.blockers(rnd) == []
    # The annual decision on the same day as the monthly ones: only C is decided by it.
    decision = register.review.record_decision(officer, rnd, "45/QĐ-UBND", date(2026, 11, 20))
    assert decision.value.certificates == ("2/GCN-HN.HCN",)  # C's; B holds 1/GCN-HN.HCN from decision 13
    touched = {c.uuid for c in decision.changes.items if c.record_type == "household"}
    assert touched == {hh["C"]}
    statuses = {k: (register.households.get(u).status, register.households.get(u).previous_status,
                    register.households.get(u).status_year) for k, u in hh.items()}
    assert statuses == {"A": ("not_poor", "poor", 2026), "B": ("poor", "not_poor", 2026), "C": ("poor", "poor", 2026)}
    certs = register.review.certificates(2026)
    assert [(c.number, c.household_uuid) for c in certs] == [("1/GCN-HN.HCN", hh["B"]), ("2/GCN-HN.HCN", hh["C"])]
    assert register.review.certificate(certs[0].uuid).decision_number == "13/QĐ-UBND"

    # The annual list and the year's results agree with the monthly decisions.
    results = register.results.year(2026)
    assert results.decision_number == "45/QĐ-UBND"
    assert (results.overall.escaped, results.overall.newly_poor) == (1, 1)
    assert register.results.households(2026, "escaped") == [hh["A"]]
    # Each application names the decision that recognised it, although the annual one is of the same day.
    shown = {d.application.uuid: d.application for d in register.review.applications(TODAY)}
    assert (shown[escape.uuid].decision_number, shown[escape.uuid].transition) == ("12/QĐ-UBND", "escaped_poverty")
    assert (shown[review.uuid].decision_number, shown[review.uuid].transition) == ("13/QĐ-UBND", "newly_poor")


def test_the_annual_decision_answers_only_the_applications_it_agrees_with(register: Register,
                                                                         officer: Actor) -> None:
    h1 = register.communes.hamlets()[0].uuid
    stays, leaves = _household(register, officer, h1, "poor"), _household(register, officer, h1, "poor")
    kept = _apply(register, officer, stays, "04", date(2026, 9, 10))  # asks to escape, the round finds it poor
    granted = _apply(register, officer, leaves, "04", date(2026, 9, 10))
    rnd = register.review.open_annual_round(officer, 2026).value.uuid
    _survey(register, officer, rnd, stays, 1_000_000)
    _survey(register, officer, rnd, leaves, 5_000_000)
    register.review.record_meeting(officer, rnd, h1, date(2026, 10, 20), "Trưởng ấp", 10, 8)
    _post_and_ask(register, officer, rnd)
    register.review.record_decision(officer, rnd, "45/QĐ-UBND", date(2026, 11, 20))
    shown = {d.application.uuid: d.application for d in register.review.applications(TODAY)}
    assert (shown[granted.uuid].outcome, shown[granted.uuid].decision_number) == ("recognised", "45/QĐ-UBND")
    assert shown[granted.uuid].transition == "escaped_poverty"
    # The escape the decision did not grant waits for the chairman's written answer.
    assert (shown[kept.uuid].outcome, shown[kept.uuid].decision_number) == ("pending", None)
    assert [d.application.uuid for d in register.review.due_applications(TODAY)] == [kept.uuid]
