"""Sponsors: CRUD, reassignment that keeps history, visits, caseload and households without a sponsor."""

from __future__ import annotations

from datetime import date

import pytest

from povcase.errors import NotFoundError, PovcaseError, ValidationError
from povcase.services.base import Actor, Role
from povcase.services.register import Register
from povcase.services.sponsors import SponsorInput, VisitInput
from tests.conftest import TODAY
from tests.test_households_service import audit_rows, dump
from tests.test_plans import new_household

WOMEN = SponsorInput("mass_org", "Hội Liên hiệp Phụ nữ xã", "Hội LHPN xã Trà Cú", "0912 345 678")
CELL = SponsorInput("party_cell", "Chi bộ ấp Chợ")


def test_sponsor_crud_is_validated_and_audited(register: Register, officer: Actor) -> None:
    created = register.sponsors.create(officer, WOMEN)
    sp = created.value
    assert sp.phone == "0912 345 678" and created.changes.touched("sponsor")
    assert register.sponsors.list() == [sp]
    updated = register.sponsors.update(officer, sp.uuid, SponsorInput("mass_org", sp.name, "Hội LHPN", "")).value
    assert updated.organisation == "Hội LHPN" and updated.revision == 2
    assert [(r.old, r.new) for r in audit_rows(register, record_uuid=sp.uuid, field="organisation")][-1] == \
        ("Hội LHPN xã Trà Cú", "Hội LHPN")
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.sponsors.create(officer, SponsorInput("friend", "", phone="12"))
    assert {p.field for p in e.value.problems} == {"kind", "name", "phone"}
    with pytest.raises(PovcaseError):
        register.sponsors.create(Actor("xem", Role.VIEWER), CELL)
    assert dump(register) == before
    register.sponsors.delete(officer, sp.uuid, "Giải thể")
    assert register.sponsors.list() == []
    with pytest.raises(NotFoundError):
        register.sponsors.get(sp.uuid)


def test_reassignment_ends_the_old_assignment_and_keeps_history(register: Register, officer: Actor) -> None:
    hh = new_household(register, officer)
    women = register.sponsors.create(officer, WOMEN).value
    cell = register.sponsors.create(officer, CELL).value
    register.sponsors.assign(officer, women.uuid, hh, date(2026, 3, 1))
    result = register.sponsors.assign(officer, cell.uuid, hh, date(2026, 9, 1))
    assert result.changes.touched("sponsor_assignment") and len(result.changes) == 2
    history = register.sponsors.history(hh)
    assert [(a.sponsor_name, a.start_on, a.end_on) for a in history] == [
        (women.name, date(2026, 3, 1), date(2026, 9, 1)), (cell.name, date(2026, 9, 1), None)]
    current = register.sponsors.current(hh, TODAY)
    assert current is not None and current.sponsor_uuid == cell.uuid
    earlier = register.sponsors.current(hh, date(2026, 5, 1))
    assert earlier is not None and earlier.sponsor_uuid == women.uuid
    # A start before the current one's, or the same sponsor again, is refused with nothing saved.
    before = dump(register)
    with pytest.raises(ValidationError):
        register.sponsors.assign(officer, women.uuid, hh, date(2026, 8, 1))
    with pytest.raises(ValidationError):
        register.sponsors.assign(officer, cell.uuid, hh, date(2026, 10, 1))
    assert dump(register) == before
    register.sponsors.end_assignment(officer, hh, date(2026, 11, 1))
    assert register.sponsors.current(hh, TODAY) is None
    assert len(register.sponsors.history(hh)) == 2


def test_visits_are_recorded_for_the_current_sponsor_and_validated(register: Register, officer: Actor) -> None:
    hh = new_household(register, officer)
    sp = register.sponsors.create(officer, WOMEN).value
    register.sponsors.assign(officer, sp.uuid, hh, date(2026, 9, 1))
    v = register.sponsors.record_visit(officer, hh, VisitInput(date(2026, 10, 5), "Thăm hỏi", "Hỏi thẻ BHYT",
                                                               date(2026, 11, 5)), today=TODAY).value
    assert v.sponsor_uuid == sp.uuid and v.follow_up == "Hỏi thẻ BHYT"
    assert register.sponsors.visits(hh) == [v]
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.sponsors.record_visit(officer, hh, VisitInput(date(2026, 12, 1), next_visit_due=date(2026, 11, 1)),
                                       today=TODAY)
    assert {p.field for p in e.value.problems} == {"visited_on", "next_visit_due"}
    assert dump(register) == before


def test_caseload_counts_households_last_visit_and_overdue(register: Register, officer: Actor) -> None:
    a, b, c = (new_household(register, officer) for _ in range(3))
    women = register.sponsors.create(officer, WOMEN).value
    cell = register.sponsors.create(officer, CELL).value
    idle = register.sponsors.create(officer, SponsorInput("business", "Công ty TNHH Minh Phát")).value
    register.sponsors.assign(officer, women.uuid, a, date(2026, 9, 1))
    register.sponsors.assign(officer, women.uuid, b, date(2026, 9, 1))
    register.sponsors.assign(officer, cell.uuid, c, date(2026, 11, 10))
    # a: visited, next visit due 1 Dec (not overdue); b: never visited since 1 Sept (overdue).
    register.sponsors.record_visit(officer, a, VisitInput(date(2026, 11, 1), next_visit_due=date(2026, 12, 1)),
                                   today=TODAY)
    rows = {r.sponsor_uuid: r for r in register.sponsors.caseload(TODAY)}
    assert (rows[women.uuid].households, rows[women.uuid].last_visit, rows[women.uuid].overdue_visits) == \
        (2, date(2026, 11, 1), 1)
    assert (rows[cell.uuid].households, rows[cell.uuid].last_visit, rows[cell.uuid].overdue_visits) == (1, None, 0)
    assert (rows[idle.uuid].households, rows[idle.uuid].overdue_visits) == (0, 0)
    # Reassigning b moves it to the cell's caseload.
    register.sponsors.assign(officer, cell.uuid, b, date(2026, 11, 20))
    rows = {r.sponsor_uuid: r for r in register.sponsors.caseload(TODAY)}
    assert (rows[women.uuid].households, rows[cell.uuid].households) == (1, 2)
    assert rows[women.uuid].overdue_visits == 0


def test_households_without_a_sponsor(register: Register, officer: Actor) -> None:
    a, b = new_household(register, officer), new_household(register, officer)
    unassessed = new_household(register, officer, assess=False)
    sp = register.sponsors.create(officer, CELL).value
    register.sponsors.assign(officer, sp.uuid, a, date(2026, 10, 1))
    assert [h.uuid for h in register.sponsors.households_without_sponsor(TODAY)] == [b]
    assert {h.uuid for h in register.sponsors.households_without_sponsor(TODAY, statuses=None)} == {b, unassessed}
    # Before the assignment started, a had no sponsor either.
    assert {h.uuid for h in register.sponsors.households_without_sponsor(date(2026, 9, 1))} == {a, b}
