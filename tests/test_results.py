"""The year's results: counts and rates by hamlet, ethnic group and overall change only with the decision."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from povcase.errors import ValidationError
from povcase.services.base import Actor
from povcase.services.dto import AssessmentInput
from povcase.services.register import Register
from tests.conftest import TODAY, sample_household

LAST_YEAR = date(2025, 10, 1)
NEAR = {"employment": False, "health_insurance": False}


def _household(reg: Register, actor: Actor, hamlet: str, status: str, ethnicity: str = "Kinh") -> str:
    uuid = reg.households.create(actor, sample_household(hamlet, ethnicity_group=ethnicity), today=TODAY).value.uuid
    income = 1_000_000 if status in ("poor", "near_poor") else 5_000_000
    a = reg.households.assess(actor, uuid, AssessmentInput(LAST_YEAR, income_per_capita=income,
                                                           indicators=NEAR if status == "near_poor" else {}),
                              today=TODAY).value
    assert a.classification == status
    return uuid


def _decide_2026(reg: Register, actor: Actor, surveys: dict[str, tuple[int, dict[str, bool]]]) -> None:
    rnd = reg.review.open_annual_round(actor, 2026).value
    for e in reg.review.entries(rnd.uuid):
        income, indicators = surveys[e.household_uuid]
        reg.review.survey(actor, rnd.uuid, e.household_uuid,
                          AssessmentInput(date(2026, 10, 10), income_per_capita=income, indicators=indicators),
                          today=TODAY)
    for h in reg.communes.hamlets():
        reg.review.record_meeting(actor, rnd.uuid, h.uuid, date(2026, 10, 20), "Trưởng ấp", 10, 8)
    reg.review.record_posting(actor, rnd.uuid, date(2026, 11, 1), date(2026, 11, 7))
    reg.review.record_upstream_opinion(actor, rnd.uuid, date(2026, 11, 15), "12/UBND")
    reg.review.record_decision(actor, rnd.uuid, "45/QĐ-UBND", date(2026, 11, 20))


@pytest.fixture
def commune(register: Register, officer: Actor) -> dict[str, str]:
    h1, h2, _h3 = (h.uuid for h in register.communes.hamlets())
    return {"A": _household(register, officer, h1, "poor", "Khmer"),
            "B": _household(register, officer, h1, "near_poor", "Khmer"),
            "C": _household(register, officer, h1, "not_poor"),
            "D": _household(register, officer, h2, "poor"),
            "E": _household(register, officer, h2, "not_poor"),
            "F": _household(register, officer, h2, "not_poor", "Khmer"),
            "G": _household(register, officer, h2, "not_poor"),
            "H": _household(register, officer, h2, "not_poor")}


def test_results_change_only_with_the_decision(register: Register, officer: Actor, commune: dict[str, str]) -> None:
    before = register.results.year(2026)
    assert not before.decided and before.decision_number is None
    assert before.overall.name == "Xã Trà Cú"
    o = before.overall
    assert (o.this_year.households, o.this_year.poor, o.this_year.near_poor) == (8, 2, 1)
    assert o.this_year == o.last_year and o.poor_change == 0.0
    assert o.this_year.poor_rate == 25.0 and o.this_year.near_poor_rate == 12.5

    # A escapes, B falls to poor, D stays poor, F (applied on Mẫu 01) becomes near-poor.
    register.review.record_application(officer, commune["F"], "01", date(2026, 9, 5), "Thạch Sô Phia", "Ốm đau",
                                       today=TODAY)
    _decide_2026(register, officer, {commune["A"]: (5_000_000, {}), commune["B"]: (1_000_000, {}),
                                     commune["D"]: (1_000_000, {}), commune["F"]: (1_000_000, NEAR)})
    # Surveys alone did not move anything; the decision did.
    after = register.results.year(2026)
    assert after.decided and after.decision_number == "45/QĐ-UBND" and after.decided_on == date(2026, 11, 20)
    o = after.overall
    assert (o.this_year.poor, o.this_year.near_poor, o.last_year.poor, o.last_year.near_poor) == (2, 1, 2, 1)
    assert (o.escaped, o.newly_poor, o.newly_near_poor) == (1, 1, 1)

    h1, h2 = after.hamlets[0], after.hamlets[1]
    assert (h1.this_year.households, h1.this_year.poor, h1.this_year.near_poor) == (3, 1, 0)
    assert (h1.last_year.poor, h1.last_year.near_poor) == (1, 1)
    assert h1.near_poor_change == pytest.approx(-33.33)
    assert (h2.this_year.poor, h2.this_year.near_poor, h2.escaped) == (1, 1, 0)
    assert after.hamlets[2].this_year.households == 0 and after.hamlets[2].this_year.poor_rate == 0.0

    khmer = next(g for g in after.ethnic_groups if g.key == "Khmer")
    assert (khmer.this_year.households, khmer.this_year.poor, khmer.this_year.near_poor) == (3, 1, 1)
    assert (khmer.last_year.poor, khmer.last_year.near_poor) == (1, 1)
    assert [g.key for g in after.ethnic_groups] == ["Kinh", "Khmer"]  # largest first

    assert register.results.households(2026, "escaped") == [commune["A"]]
    assert register.results.households(2026, "newly_near_poor") == [commune["F"]]
    assert set(register.results.households(2026, "poor")) == {commune["B"], commune["D"]}
    assert register.results.households(2026, "poor", hamlet_uuid=h2.key) == [commune["D"]]
    assert set(register.results.households(2025, "poor")) == {commune["A"], commune["D"]}

    trend = register.results.trend(2026)
    assert [(p.year, p.poor, p.near_poor, p.decided) for p in trend] == [(2025, 2, 1, False), (2026, 2, 1, True)]


def test_older_years_come_from_the_decided_round(register: Register, officer: Actor,
                                                 commune: dict[str, str]) -> None:
    _decide_2026(register, officer, {commune["A"]: (5_000_000, {}), commune["B"]: (1_000_000, {}),
                                     commune["D"]: (1_000_000, {})})
    # Two years on, the list columns no longer say what 2026 was: the decided 2026 round does.
    conn = sqlite3.connect(register.db.path)
    with conn:
        conn.execute("UPDATE household SET status_year = 2028, status = 'not_poor', previous_status = 'not_poor'")
    conn.close()
    assert set(register.results.households(2026, "poor")) == {commune["B"], commune["D"]}
    assert register.results.year(2026).overall.this_year.poor == 2
    assert register.results.year(2026).overall.this_year.near_poor == 0


def test_bad_year_and_list(register: Register) -> None:
    with pytest.raises(ValidationError):
        register.results.year(1990)
    with pytest.raises(ValidationError):
        register.results.households(2026, "rich")
    empty = register.results.year(2026)
    assert empty.overall.this_year.households == 0 and empty.overall.this_year.poor_rate == 0.0
    assert register.results.trend(2026) == []
