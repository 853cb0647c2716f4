"""An upstream office register is read-only for the communes' records — in the services, not only in the UI.

Two registers: a real office that imported a commune's package (the records are there as an office holds
them), and a commune register full of every kind of record (review rounds, applications, complaints,
certificates…) marked as an office, so that every write service finds what it needs and reaches the write.
Each write must be refused with the office message and leave the database exactly as it was.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from povcase import i18n
from povcase.errors import PovcaseError
from povcase.services.base import OFFICE_READ_ONLY, SYSTEM, Actor
from povcase.services.bulk import BulkHousehold, bulk_load
from povcase.services.dto import AssessmentInput
from povcase.services.plans import PlanInput
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from povcase.services.sponsors import SponsorInput, VisitInput
from povcase.services.support import LoanInput, ProgrammeInput, SupportInput
from tests.conftest import TODAY, db_dump, sample_household
from tests.test_sync_import import add_case_records, introduce, open_commune, open_office

Call = Callable[[Register, Actor, dict[str, Any]], Any]


def _survey() -> AssessmentInput:
    return AssessmentInput(standard="2022-2026", assessed_on=date(2026, 10, 1), income_per_capita=1_200_000)


def _first_household(reg: Register) -> str:
    return reg.search.rows(reg.search.ids(HouseholdFilter()))[0].uuid


def _ids(reg: Register) -> dict[str, Any]:
    """The records the calls below work on, looked up through the services."""
    hh = _first_household(reg)
    h = reg.households.get(hh)
    loans = reg.support.loans(hh)
    rounds = {r.year: r for r in reg.review.rounds()}
    rnd = rounds[2026]
    sponsor = next(s for s in reg.sponsors.list() if s.name == "Hội Nông dân xã")
    certificate = next(c for year in sorted(rounds) for c in reg.review.certificates(year))
    return {"household": h, "loan": loans[0].uuid, "round": rnd.uuid, "sponsor": sponsor,
            "hamlet": reg.communes.hamlets()[0].uuid, "complaint": reg.review.complaints(rnd.uuid)[0].uuid,
            "application": reg.review.applications(TODAY)[0].application.uuid, "certificate": certificate.uuid}


WRITES: dict[str, Call] = {
    "household.create": lambda r, a, x: r.households.create(a, sample_household(x["hamlet"]), today=TODAY),
    "household.update": lambda r, a, x: r.households.update(
        a, x["household"].uuid, replace(x["household"].as_input(), notes="sửa ở tỉnh"), x["household"].revision,
        today=TODAY),
    "household.delete": lambda r, a, x: r.households.delete(a, x["household"].uuid, "chuyển đi"),
    "household.assess": lambda r, a, x: r.households.assess(a, x["household"].uuid, _survey(), today=TODAY),
    "member.update": lambda r, a, x: r.households.update(
        a, x["household"].uuid, replace(x["household"].as_input(), members=(
            replace(x["household"].as_input().members[0], full_name="Tên Mới"),
            *x["household"].as_input().members[1:])), x["household"].revision, today=TODAY),
    "plan.save": lambda r, a, x: r.plans.save(a, x["household"].uuid, PlanInput(date(2026, 3, 1), notes="sửa"),
                                              today=TODAY),
    "sponsor.create": lambda r, a, x: r.sponsors.create(a, SponsorInput("mass_org", "Đoàn Thanh niên")),
    "sponsor.update": lambda r, a, x: r.sponsors.update(a, x["sponsor"].uuid, SponsorInput("mass_org", "Hội ND")),
    "sponsor.delete": lambda r, a, x: r.sponsors.delete(a, x["sponsor"].uuid, "giải thể"),
    "sponsor.end_assignment": lambda r, a, x: r.sponsors.end_assignment(a, x["household"].uuid, TODAY),
    "visit.record": lambda r, a, x: r.sponsors.record_visit(a, x["household"].uuid, VisitInput(TODAY, "Thăm"),
                                                            today=TODAY),
    "programme.add": lambda r, a, x: r.support.add_programme(a, ProgrammeInput("local_rice", "Gạo cứu đói")),
    "support.record": lambda r, a, x: r.support.record_support(
        a, x["household"].uuid, SupportInput("health_insurance", date(2026, 11, 1), 100_000), today=TODAY),
    "loan.record": lambda r, a, x: r.support.record_loan(
        a, x["household"].uuid, LoanInput(10_000_000, 6.6, 24, date(2026, 11, 1)), today=TODAY),
    "loan.repayment": lambda r, a, x: r.support.record_repayment(a, x["loan"], date(2026, 11, 2), 1_000_000,
                                                                 today=TODAY),
    "review.open_round": lambda r, a, x: r.review.open_annual_round(a, 2027),
    "review.survey": lambda r, a, x: r.review.survey(a, x["round"], x["household"].uuid, _survey(), today=TODAY),
    "review.posting": lambda r, a, x: r.review.record_posting(a, x["round"], date(2026, 11, 10), date(2026, 11, 17)),
    "review.complaint": lambda r, a, x: r.review.record_complaint(a, x["round"], x["household"].uuid, TODAY,
                                                                  "Khiếu nại"),
    "review.close_complaint": lambda r, a, x: r.review.close_complaint(a, x["complaint"], "unchanged", TODAY),
    "review.upstream_opinion": lambda r, a, x: r.review.record_upstream_opinion(a, x["round"], TODAY, "12/CV"),
    "review.application": lambda r, a, x: r.review.record_application(
        a, x["household"].uuid, "04", TODAY, "Người làm đơn", today=TODAY),
    "review.decide_application": lambda r, a, x: r.review.decide_application(
        a, x["application"], "refused", TODAY, refusal_reason="Chưa đủ điều kiện", today=TODAY),
    "review.reissue_certificate": lambda r, a, x: r.review.reissue_certificate(a, x["certificate"], TODAY, "mất"),
    "hamlet.add": lambda r, a, x: r.communes.add_hamlet(a, r.communes.local_commune().code, "Ấp Mới", "ap"),  # type: ignore[union-attr]
    "setting.register_kind": lambda r, a, x: r.communes.set_setting(a, "register_kind", "commune"),
    "bulk_load": lambda r, a, x: bulk_load(r.db, a, r.communes.local_commune().code,  # type: ignore[union-attr]
                                           [BulkHousehold(sample_household(x["hamlet"], code="X-1"))], today=TODAY),
}


@pytest.fixture(scope="module")
def full_commune(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A commune register holding every kind of record; copied for each test."""
    home = tmp_path_factory.mktemp("full") / "commune"
    reg = open_commune(home, 12, seed=3)
    officer = Actor("Thạch Thị Lan")
    try:
        hh = _first_household(reg)
        add_case_records(reg, officer, hh)
        rnd = reg.review.open_annual_round(officer, 2026).value
        entry = reg.review.entries(rnd.uuid)[0]
        reg.review.record_complaint(officer, rnd.uuid, entry.household_uuid, date(2026, 11, 5), "Khiếu nại")
        reg.review.record_application(officer, hh, "01", date(2026, 11, 20), "Nguyễn Văn Đức", today=TODAY)
    finally:
        reg.close()
    return home


@pytest.fixture
def marked_office(full_commune: Path, tmp_path: Path) -> Iterator[Register]:
    """The full commune register, marked as an office (as if its records had come in packages)."""
    home = tmp_path / "office"
    shutil.copytree(full_commune, home)
    conn = sqlite3.connect(home / "povcase.sqlite3")
    with conn:
        conn.execute("UPDATE setting SET value = 'office' WHERE key = 'register_kind'")
        conn.executemany("INSERT INTO setting (key, value) VALUES (?, ?)",
                         [("province_code", "86"), ("office_name", "UBND tỉnh Vĩnh Long")])
    conn.close()
    reg = Register.open(home)
    yield reg
    reg.close()


def test_the_full_commune_register_has_every_record_the_writes_need(full_commune: Path, tmp_path: Path) -> None:
    """Guards the test below: at a commune the same calls find their records (and most succeed)."""
    shutil.copytree(full_commune, tmp_path / "c")
    reg = Register.open(tmp_path / "c")
    try:
        x = _ids(reg)
        WRITES["household.update"](reg, Actor("Lan"), x)
        WRITES["loan.repayment"](reg, Actor("Lan"), x)
    finally:
        reg.close()


@pytest.mark.parametrize("name", list(WRITES))
def test_every_write_service_refuses_at_an_office_and_changes_nothing(marked_office: Register, name: str) -> None:
    reg = marked_office
    x = _ids(reg)
    before = db_dump(reg)
    with pytest.raises(PovcaseError) as err:
        WRITES[name](reg, Actor("Cán bộ tỉnh"), x)
    assert err.value.msgid == OFFICE_READ_ONLY, (err.value.msgid, err.value.params)
    assert db_dump(reg) == before
    assert i18n.both(err.value.msgid).startswith("Sổ của cơ quan cấp trên chỉ để xem")


def test_a_real_office_refuses_edits_of_imported_records_but_keeps_importing_and_printing(
        tmp_path: Path, officer: Actor) -> None:
    commune = open_commune(tmp_path / "commune", 8, seed=5)
    office = open_office(tmp_path / "office")
    try:
        introduce(commune, office)
        package = commune.sync.export(SYSTEM, tmp_path / "out").value.path
        assert office.sync.import_packages(SYSTEM, [package], ack_dir=tmp_path / "acks")[0].status == "applied"
        h = office.households.get(_first_household(office))
        before = db_dump(office)
        for actor in (officer, SYSTEM):  # not even the system actor: only a sync import writes
            with pytest.raises(PovcaseError) as err:
                office.households.update(actor, h.uuid, replace(h.as_input(), notes="sửa"), h.revision, today=TODAY)
            assert err.value.msgid == OFFICE_READ_ONLY
        assert db_dump(office) == before

        # The office's own writes still work and are audited: its settings (and the audit rows of prints
        # and exports, which go through the same Auditor).
        office.communes.set_setting(officer, "language", "en")
        assert office.communes.setting("language") == "en"
        assert len(db_dump(office)) > len(before)
        # And the next package of the commune still imports.
        hc = commune.households.get(_first_household(commune))
        commune.households.update(officer, hc.uuid, replace(hc.as_input(), notes="mới"), hc.revision, today=TODAY)
        package = commune.sync.export(SYSTEM, tmp_path / "out").value.path
        report = office.sync.import_packages(SYSTEM, [package], ack_dir=tmp_path / "acks")[0]
        assert report.status == "applied" and report.counts["household"]["changed"] == 1
        assert office.households.get(hc.uuid).notes == "mới"
    finally:
        commune.close()
        office.close()
