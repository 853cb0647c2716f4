"""The support ledger: records, totals per household, programme and hamlet; loans and repayments."""

from __future__ import annotations

from datetime import date

import pytest

from povcase.domain.plans import add_months, loan_schedule, next_instalment
from povcase.errors import PovcaseError, ValidationError
from povcase.services.base import Actor, Role
from povcase.services.register import Register
from povcase.services.support import LoanInput, ProgrammeInput, SupportInput
from tests.conftest import TODAY
from tests.test_households_service import audit_rows, dump
from tests.test_plans import new_household


def test_records_and_household_totals(register: Register, officer: Actor) -> None:
    hh = new_household(register, officer)
    head = register.households.get(hh).members[0]
    r1 = register.support.record_support(officer, hh, SupportInput(
        "housing_repair", date(2026, 3, 1), 14_000_000, source_of_funds="NSTW", evidence_ref="BK-12/2026"),
        today=TODAY)
    assert r1.changes.touched("support_record")
    assert [r.new for r in audit_rows(register, record_uuid=r1.value.uuid, field="evidence_ref")] == ["BK-12/2026"]
    register.support.record_support(officer, hh, SupportInput("housing_repair", date(2026, 6, 1), 6_000_000),
                                    today=TODAY)
    register.support.record_support(officer, hh, SupportInput("health_insurance", date(2026, 7, 1), 1_263_600,
                                                              member_uuid=head.uuid), today=TODAY)
    register.support.record_support(officer, hh, SupportInput("livelihood", date(2026, 8, 1), item="bò giống",
                                                              quantity=1), today=TODAY)
    ledger = register.support.household_support(hh)
    assert [r.given_on for r in ledger.records] == [date(2026, 8, 1), date(2026, 7, 1), date(2026, 6, 1),
                                                    date(2026, 3, 1)]
    assert ledger.records[1].member_name == head.full_name
    assert ledger.total_amount == 21_263_600
    assert ledger.by_programme == {"housing_repair": 20_000_000, "health_insurance": 1_263_600, "livelihood": 0}


@pytest.mark.parametrize(("support", "field"), [
    (SupportInput("housing_repair", date(2026, 3, 1), -1), "amount"),
    (SupportInput("housing_repair", date(2026, 3, 1), 0), "amount"),
    (SupportInput("housing_repair", date(2026, 3, 1)), "amount"),
    (SupportInput("housing_repair", date(2026, 12, 1), 1_000), "given_on"),
    (SupportInput("nope", date(2026, 3, 1), 1_000), "programme_code"),
    (SupportInput("livelihood", date(2026, 3, 1), item="gà"), "quantity"),
    (SupportInput("livelihood", date(2026, 3, 1), item="gà", quantity=0), "quantity"),
    (SupportInput("other", date(2026, 3, 1), 1_000, member_uuid="0" * 32), "member_uuid"),
    (SupportInput("housing_repair", date(2026, 3, 1), 20_000_001), "amount"),  # above the 20 M ceiling
])
def test_invalid_support_is_rejected_with_nothing_saved(register: Register, officer: Actor, support: SupportInput,
                                                        field: str) -> None:
    hh = new_household(register, officer)
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.support.record_support(officer, hh, support, today=TODAY)
    assert field in [p.field for p in e.value.problems]
    assert dump(register) == before


def test_the_housing_ceiling_counts_instalments_already_given(register: Register, officer: Actor) -> None:
    hh = new_household(register, officer)
    register.support.record_support(officer, hh, SupportInput("housing_new", date(2026, 3, 1), 28_000_000),
                                    today=TODAY)
    before = dump(register)
    with pytest.raises(ValidationError):
        register.support.record_support(officer, hh, SupportInput("housing_new", date(2026, 6, 1), 12_000_001),
                                        today=TODAY)
    assert dump(register) == before
    register.support.record_support(officer, hh, SupportInput("housing_new", date(2026, 6, 1), 12_000_000),
                                    today=TODAY)


def test_totals_per_programme_and_hamlet_for_a_period(register: Register, officer: Actor) -> None:
    h1, h2 = register.communes.hamlets()[:2]
    a = new_household(register, officer)
    b = new_household(register, officer, hamlet=h2.uuid)
    for hh, programme, day, amount in ((a, "health_insurance", date(2026, 1, 10), 1_000_000),
                                       (a, "local_campaign", date(2026, 2, 1), 500_000),
                                       (b, "health_insurance", date(2026, 2, 15), 1_000_000),
                                       (b, "health_insurance", date(2025, 12, 31), 9_000_000)):  # outside
        register.support.record_support(officer, hh, SupportInput(programme, day, amount), today=TODAY)
    by_programme = {r.key: (r.records, r.households, r.amount)
                    for r in register.support.totals(date(2026, 1, 1), date(2026, 12, 31))}
    assert by_programme == {"health_insurance": (2, 2, 2_000_000), "local_campaign": (1, 1, 500_000)}
    by_hamlet = {r.label: (r.records, r.households, r.amount)
                 for r in register.support.totals(date(2026, 1, 1), date(2026, 12, 31), by="hamlet")}
    assert by_hamlet == {h1.name: (2, 1, 1_500_000), h2.name: (1, 1, 1_000_000)}
    with pytest.raises(ValidationError):
        register.support.totals(date(2026, 2, 1), date(2026, 1, 1))


def test_office_programmes_extend_the_catalogue(register: Register, officer: Actor) -> None:
    added = register.support.add_programme(officer, ProgrammeInput("tet_2027", "Quà Tết 2027", "Tet gifts 2027")).value
    assert added.code in [p.code for p in register.support.programmes()]
    hh = new_household(register, officer)
    register.support.record_support(officer, hh, SupportInput("tet_2027", date(2026, 11, 1), 300_000), today=TODAY)
    rows = register.support.totals(date(2026, 1, 1), date(2026, 12, 31))
    assert [(r.key, r.label) for r in rows] == [("tet_2027", "Quà Tết 2027")]
    before = dump(register)
    with pytest.raises(ValidationError):
        register.support.add_programme(officer, ProgrammeInput("housing_new", "Trùng mã"))
    with pytest.raises(PovcaseError):
        register.support.add_programme(Actor("xem", Role.VIEWER), ProgrammeInput("x1", "X"))
    assert dump(register) == before


# --- loans ---------------------------------------------------------------------------------------
def test_loan_schedule_pure() -> None:
    s = loan_schedule(50_000_000, 6.6, date(2026, 1, 31), 36, 6)
    assert len(s) == 6 and sum(i.principal for i in s) == 50_000_000
    assert s[0].due_on == date(2026, 7, 31) and s[-1].due_on == date(2029, 1, 31) and s[-1].balance_after == 0
    assert s[0].interest == round(50_000_000 * 0.066 / 2)
    assert next_instalment(s, 0) == s[0]
    assert next_instalment(s, s[0].principal) == s[1]
    assert next_instalment(s, 50_000_000) is None
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    # A term that is not a multiple of the interval: the last instalment is short.
    t = loan_schedule(10_000_000, 0, date(2026, 1, 1), 10, 4)
    assert [i.due_on for i in t] == [date(2026, 5, 1), date(2026, 9, 1), date(2026, 11, 1)]


def test_loans_repayments_and_remaining_balance(register: Register, officer: Actor) -> None:
    hh = new_household(register, officer)
    loan = register.support.record_loan(officer, hh, LoanInput(50_000_000, 6.6, 36, date(2026, 1, 15),
                                                               "Nuôi bò sinh sản", evidence_ref="HĐ 123"),
                                        today=TODAY).value
    assert loan.due_on == date(2029, 1, 15) and loan.remaining == 50_000_000 and loan.support_uuid
    assert register.support.household_support(hh).by_programme == {"vbsp_loan": 50_000_000}
    after = register.support.record_repayment(officer, loan.uuid, date(2026, 7, 15), 8_000_000, today=TODAY)
    assert after.value.repaid == 8_000_000 and after.value.remaining == 42_000_000
    assert after.changes.touched("loan_repayment")
    register.support.record_repayment(officer, loan.uuid, date(2026, 10, 1), 2_000_000, today=TODAY)
    assert register.support.remaining(loan.uuid) == 40_000_000
    sched = register.support.loan_schedule(loan.uuid)
    assert [r.amount for r in sched.repayments] == [8_000_000, 2_000_000]
    assert sched.next_due == sched.instalments[1]  # 10 M repaid: the first instalment (8,333,333) is covered
    # An instalment above what remains is rejected, nothing saved.
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.support.record_repayment(officer, loan.uuid, TODAY, 40_000_001, today=TODAY)
    assert e.value.problems[0].params == {"remaining": 40_000_000}
    for day, amount in ((TODAY, 0), (TODAY, -1), (date(2027, 1, 1), 1), (date(2025, 1, 1), 1)):
        with pytest.raises(ValidationError):
            register.support.record_repayment(officer, loan.uuid, day, amount, today=TODAY)
    with pytest.raises(PovcaseError):
        register.support.record_repayment(Actor("xem", Role.VIEWER), loan.uuid, TODAY, 1, today=TODAY)
    assert dump(register) == before
    final = register.support.record_repayment(officer, loan.uuid, TODAY, 40_000_000, today=TODAY).value
    assert final.remaining == 0 and register.support.loan_schedule(loan.uuid).next_due is None
    assert [x.uuid for x in register.support.loans(hh)] == [loan.uuid]


def test_invalid_loans_are_rejected_with_nothing_saved(register: Register, officer: Actor) -> None:
    hh = new_household(register, officer)
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.support.record_loan(officer, hh, LoanInput(-1, 99, 0, date(2027, 1, 1), interval_months=0),
                                    today=TODAY)
    assert {"amount", "annual_rate", "term_months", "disbursed_on"} <= {p.field for p in e.value.problems}
    with pytest.raises(ValidationError) as e:
        register.support.record_loan(officer, hh, LoanInput(1_000_000, 6.6, 12, date(2026, 1, 1),
                                                            due_on=date(2025, 12, 1)), today=TODAY)
    assert [p.field for p in e.value.problems] == ["due_on"]
    assert dump(register) == before
