"""The due list on a fixed date: plan actions, overdue visits and loan repayments, filtered."""

from __future__ import annotations

from datetime import date

from povcase.services.base import Actor
from povcase.services.plans import ActionInput, GoalInput, PlanInput
from povcase.services.register import Register
from povcase.services.sponsors import SponsorInput, VisitInput
from povcase.services.support import LoanInput
from tests.conftest import TODAY  # Sunday 22 Nov 2026
from tests.test_households_service import dump
from tests.test_plans import new_household


def _setup(register: Register, officer: Actor) -> dict[str, str]:
    h1, h2 = register.communes.hamlets()[:2]
    a = new_household(register, officer, hamlet=h1.uuid)
    b = new_household(register, officer, hamlet=h2.uuid)
    register.plans.save(officer, a, PlanInput(date(2026, 10, 1), goals=(GoalInput("health_insurance", "BHYT", actions=(
        ActionInput("Làm thẻ BHYT", due_on=date(2026, 11, 20)),  # overdue
        ActionInput("Khám sức khỏe", due_on=date(2026, 11, 29)),  # due within the week (inclusive)
        ActionInput("Tập huấn", due_on=date(2026, 11, 30)),  # beyond the week
        ActionInput("Đã xong", due_on=date(2026, 11, 1), status="done"),
        ActionInput("Bỏ", due_on=date(2026, 11, 1), status="dropped", drop_reason="Không cần nữa"),
        ActionInput("Không hạn"))),)), today=TODAY)
    women = register.sponsors.create(officer, SponsorInput("mass_org", "Hội Phụ nữ")).value
    cell = register.sponsors.create(officer, SponsorInput("party_cell", "Chi bộ ấp Đại Mong")).value
    register.sponsors.assign(officer, women.uuid, a, date(2026, 9, 1))
    register.sponsors.record_visit(officer, a, VisitInput(date(2026, 10, 1), next_visit_due=date(2026, 11, 15)),
                                   today=TODAY)  # visit overdue since 15 Nov
    register.sponsors.assign(officer, cell.uuid, b, date(2026, 11, 1))  # first visit due 1 Dec: not this week
    loan = register.support.record_loan(officer, b, LoanInput(12_000_000, 6.0, 12, date(2026, 5, 25), "Nuôi heo",
                                                              interval_months=6), today=TODAY).value
    return {"a": a, "b": b, "h1": h1.uuid, "h2": h2.uuid, "women": women.uuid, "cell": cell.uuid, "loan": loan.uuid}


def test_due_list_on_a_fixed_date(register: Register, officer: Actor) -> None:
    ids = _setup(register, officer)
    before = dump(register)
    items = register.due.due_list(TODAY)
    assert dump(register) == before
    got = [(i.kind, i.due_on, i.overdue, i.household_uuid, i.text) for i in items]
    assert got == [
        ("visit", date(2026, 11, 15), True, ids["a"], "Hội Phụ nữ"),
        ("action", date(2026, 11, 20), True, ids["a"], "Làm thẻ BHYT"),
        ("loan_repayment", date(2026, 11, 25), False, ids["b"], "Nuôi heo"),
        ("action", date(2026, 11, 29), False, ids["a"], "Khám sức khỏe"),
    ]
    loan_item = items[2]
    assert loan_item.amount == 6_000_000 + 360_000  # half the principal and six months' interest at 6%
    assert loan_item.sponsor_name == "Chi bộ ấp Đại Mong" and items[0].sponsor_name == "Hội Phụ nữ"


def test_due_list_changes_with_visits_and_repayments(register: Register, officer: Actor) -> None:
    ids = _setup(register, officer)
    register.sponsors.record_visit(officer, ids["a"], VisitInput(TODAY, next_visit_due=date(2026, 12, 22)),
                                   today=TODAY)
    register.support.record_repayment(officer, ids["loan"], TODAY, 6_000_000, today=TODAY)
    kinds = [(i.kind, i.text) for i in register.due.due_list(TODAY)]
    assert kinds == [("action", "Làm thẻ BHYT"), ("action", "Khám sức khỏe")]
    # A week later the cell's first visit (1 Dec) is due too.
    later = [(i.kind, i.due_on) for i in register.due.due_list(date(2026, 11, 26))]
    assert ("visit", date(2026, 12, 1)) in later


def test_due_list_filters_by_hamlet_and_sponsor(register: Register, officer: Actor) -> None:
    ids = _setup(register, officer)
    assert {i.household_uuid for i in register.due.due_list(TODAY, hamlet=ids["h1"])} == {ids["a"]}
    assert [i.kind for i in register.due.due_list(TODAY, hamlet=ids["h2"])] == ["loan_repayment"]
    assert [i.kind for i in register.due.due_list(TODAY, sponsor=ids["cell"])] == ["loan_repayment"]
    assert {i.household_uuid for i in register.due.due_list(TODAY, sponsor=ids["women"])} == {ids["a"]}
    assert register.due.due_list(TODAY, hamlet=ids["h2"], sponsor=ids["women"]) == []
