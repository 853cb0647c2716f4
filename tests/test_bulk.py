"""bulk_load: many households in one transaction, all or nothing, with the one-at-a-time rules."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date

import pytest

from povcase.domain.facts import HousingFacts
from povcase.errors import PovcaseError, ValidationError
from povcase.services import bulk
from povcase.services.base import Actor, Role
from povcase.services.bulk import BulkHousehold, bulk_load
from povcase.services.dto import AssessmentInput, HouseholdInput, MemberInput
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from tests.conftest import COMMUNE_CODE, TODAY, db_dump, sample_household, table_counts

N = 300
CODE_BASE = 1000  # loaded codes 29461-0h-1000.., clear of 29461-01-0001 the services hand out
GIVEN = ("An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hoa", "Khánh", "Lan", "Minh", "Ngọc", "Phúc")
FAMILY = ("Nguyễn", "Trần", "Lê", "Thạch", "Sơn", "Kim", "Danh", "Lâm")


dump = db_dump
counts = table_counts


def make_household(i: int, hamlet_uuid: str) -> HouseholdInput:
    """Household i: 1 to 4 members; every third one poor-looking, the rest comfortable."""
    poor = i % 3 == 0
    head_sex = "male" if i % 2 == 0 else "female"
    year = 1960 + i % 40
    gene = ("0" if head_sex == "male" else "1") if year < 2000 else ("2" if head_sex == "male" else "3")
    head = MemberInput(f"{FAMILY[i % len(FAMILY)]} Văn {GIVEN[i % len(GIVEN)]}", "head", head_sex,
                       date(year, 1 + i % 12, 1 + i % 28), f"084{gene}{year % 100:02d}{i:06d}",
                       employment="unemployed" if poor else "wage_with_contract",
                       has_health_insurance=not poor, qualification="upper_secondary", in_school=False)
    others = tuple(MemberInput(f"{FAMILY[i % len(FAMILY)]} Thị {GIVEN[(i + k) % len(GIVEN)]}", "child", "female",
                               date(2012 + k, 5, 5), None, in_school=True, has_health_insurance=True,
                               stunted_or_underweight=False)
                   for k in range(i % 4))
    return HouseholdInput(
        hamlet_uuid=hamlet_uuid, members=(head, *others), address=f"Số {i}, ấp {i % 3 + 1}",
        ethnicity_group="Khmer" if i % 5 == 0 else "Kinh", code=f"{COMMUNE_CODE}-{i % 3 + 1:02d}-{CODE_BASE + i:04d}",
        housing=HousingFacts(area_m2=8.0 if poor else 80.0, safe_water=True, hygienic_latrine=not poor,
                             uses_telecom=True, has_information_device=True, hears_loudspeaker=True,
                             waste_treated=True))


def make_items(reg: Register, n: int = N) -> list[BulkHousehold]:
    hamlets = [h.uuid for h in reg.communes.hamlets()]
    items = []
    for i in range(n):
        h = make_household(i, hamlets[i % 3])
        if i % 4 == 0:
            assessments: tuple[AssessmentInput, ...] = ()
        elif i % 4 == 1:
            assessments = (AssessmentInput(date(2026, 10, 1), income_per_capita=1_000_000),)
        else:
            # Given newest first on purpose: the latest assessment by date sets the status.
            assessments = (AssessmentInput(date(2026, 10, 15), income_per_capita=1_200_000, assessor="Lan"),
                           AssessmentInput(date(2025, 10, 15), income_per_capita=9_000_000))
        items.append(BulkHousehold(h, assessments))
    return items


def test_bulk_load_inserts_everything(register: Register, officer: Actor) -> None:
    items = make_items(register)
    before = counts(register)
    result = bulk_load(register.db, officer, COMMUNE_CODE, items, today=TODAY)
    members = sum(len(it.household.members) for it in items)
    assessments = sum(len(it.assessments) for it in items)
    assert (result.households, result.members, result.assessments) == (N, members, assessments)
    after = counts(register)
    assert after["household"] - before["household"] == N
    assert after["member"] - before["member"] == members
    assert after["assessment"] - before["assessment"] == assessments
    assert after["household_search_content"] - before["household_search_content"] == N
    # One audit row per household and one for the load itself.
    assert after["audit_log"] - before["audit_log"] == N + 1
    assert register.counts() == {"households": N, "members": members, "assessments": assessments}
    assert register.search.count(HouseholdFilter()) == N
    conn = sqlite3.connect(register.db.path)
    try:
        notes = {r[0] for r in conn.execute("SELECT note FROM audit_log WHERE note LIKE 'bulk load %'")}
        assert notes == {f"bulk load {result.load_id}"}
        assert conn.execute("SELECT actor, new FROM audit_log WHERE action = 'bulk_load'").fetchall() == [
            (officer.name, f"{N} households, {members} members")]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_bulk_statuses_match_one_at_a_time(register: Register, officer: Actor) -> None:
    items = make_items(register)
    bulk_load(register.db, officer, COMMUNE_CODE, items, today=TODAY)
    seen = set()
    for index in (0, 1, 2, 3, 6, 9, 10, 13, 57, 298, 299):
        item = items[index]
        got = register.households.get_by_code(item.household.code or "")
        assert got.head_name == item.household.members[0].full_name
        assert len(got.members) == len(item.household.members)
        assert got.members[0].id_number == item.household.members[0].id_number
        history = register.households.assessments(got.uuid)
        assert len(history) == len(item.assessments)
        if not item.assessments:
            assert (got.status, got.status_year, got.last_assessed_on, got.score_b) == (None, None, None, None)
            continue
        latest = max(item.assessments, key=lambda a: a.assessed_on)
        shown = register.households.preview(item.household, latest.assessed_on,
                                            income_per_capita=latest.income_per_capita)
        assert shown is not None
        assert got.status == shown.classification.value
        assert got.status_year == latest.assessed_on.year
        assert got.last_assessed_on == latest.assessed_on
        assert got.score_b == shown.score_b
        assert set(got.deprived) == set(shown.deprived)
        assert history[0].assessed_on == latest.assessed_on
        assert history[0].indicators == shown.indicators
        seen.add(got.status)
    # The inputs really produce different outcomes, so the comparison above means something.
    assert {"poor", "near_poor"} <= seen
    # A quarter were never assessed; the 2025 assessments never win over the 2026 ones.
    assert register.search.count(HouseholdFilter(statuses=("none",))) == N // 4
    assert register.search.count(HouseholdFilter(year=2025)) == 0
    assert register.search.count(HouseholdFilter(statuses=("poor",))) > 0
    assert register.search.count(HouseholdFilter(statuses=("near_poor",))) > 0


def test_loaded_households_behave_like_saved_ones(register: Register, officer: Actor) -> None:
    bulk_load(register.db, officer, COMMUNE_CODE, make_items(register, 10), today=TODAY)
    h = register.households.get_by_code(f"{COMMUNE_CODE}-02-{CODE_BASE + 1}")
    assert h.revision == 1 and not h.deleted
    edited = register.households.update(officer, h.uuid, replace(h.as_input(), phone="0912345678"), 1,
                                        today=TODAY).value
    assert edited.revision == 2 and edited.phone == "0912345678"
    # Codes continue after the loaded ones.
    new = register.households.create(officer, sample_household(register.communes.hamlets()[0].uuid), today=TODAY)
    assert new.value.code == f"{COMMUNE_CODE}-01-{CODE_BASE + 10}"  # after 1000, 1003, .., 1009


def test_one_bad_household_rolls_back_everything(register: Register, officer: Actor,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Small batches, so households before #57 have already been written when it fails.
    monkeypatch.setattr(bulk, "BATCH", 20)
    register.households.create(officer, sample_household(register.communes.hamlets()[0].uuid), today=TODAY)
    items = make_items(register)
    bad = items[57].household
    items[57] = replace(items[57], household=replace(bad, members=(
        replace(bad.members[0], id_number="08412345678"), *bad.members[1:])))
    before, before_counts = dump(register), counts(register)
    with pytest.raises(ValidationError) as e:
        bulk_load(register.db, officer, COMMUNE_CODE, items, today=TODAY)
    assert e.value.field.startswith("households[57].")
    assert e.value.field == "households[57].members[0].id_number"
    assert counts(register) == before_counts
    assert dump(register) == before


@pytest.mark.parametrize(("index", "make_bad", "field"), [
    (0, lambda h: replace(h, phone="abc"), "households[0].phone"),
    (41, lambda h: replace(h, hamlet_uuid="0" * 32), "households[41].hamlet"),
    (42, lambda h: replace(h, code=None), "households[42].code"),
    (43, lambda h: replace(h, code=f"{COMMUNE_CODE}-01-{CODE_BASE}"), "households[43].code"),  # = households[0]
    (299, lambda h: replace(h, members=()), "households[299].members"),
])
def test_bad_input_anywhere_names_the_household(register: Register, officer: Actor,
                                                monkeypatch: pytest.MonkeyPatch, index: int,
                                                make_bad: object, field: str) -> None:
    monkeypatch.setattr(bulk, "BATCH", 20)
    items = make_items(register)
    items[index] = replace(items[index], household=make_bad(items[index].household))  # type: ignore[operator]
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        bulk_load(register.db, officer, COMMUNE_CODE, items, today=TODAY)
    assert e.value.field == field
    assert dump(register) == before


def test_code_already_in_the_register(register: Register, officer: Actor) -> None:
    existing = register.households.create(officer, sample_household(register.communes.hamlets()[0].uuid),
                                          today=TODAY).value
    register.households.delete(officer, existing.uuid, "Hộ tách ra")  # deleted codes stay taken
    items = make_items(register, 5)
    items[3] = replace(items[3], household=replace(items[3].household, code=existing.code))
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        bulk_load(register.db, officer, COMMUNE_CODE, items, today=TODAY)
    assert e.value.field == "households[3].code"
    assert dump(register) == before


@pytest.mark.parametrize(("assessment", "field"), [
    (AssessmentInput(date(2026, 11, 23), income_per_capita=1), "assessed_on"),
    (AssessmentInput(date(2026, 1, 1)), "income_per_capita"),
    (AssessmentInput(date(2026, 1, 1), income_per_capita=1, indicators={"waste": True}), "indicators.waste"),
])
def test_bad_assessment_names_the_household(register: Register, officer: Actor, assessment: AssessmentInput,
                                            field: str) -> None:
    items = make_items(register, 20)
    good = AssessmentInput(date(2026, 2, 1), income_per_capita=1_000_000)
    items[12] = replace(items[12], assessments=(good, assessment))
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        bulk_load(register.db, officer, COMMUNE_CODE, items, today=TODAY)
    assert e.value.field == f"households[12].assessments[1].{field}"
    assert dump(register) == before


def test_cancel_saves_nothing(register: Register, officer: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "BATCH", 50)
    before = dump(register)
    calls: list[int] = []

    def progress(done: int) -> bool:
        calls.append(done)
        return done < 150  # cancel after the third batch

    with pytest.raises(PovcaseError) as e:
        bulk_load(register.db, officer, COMMUNE_CODE, make_items(register), today=TODAY, progress=progress)
    assert not isinstance(e.value, ValidationError)
    assert "nothing was saved" in e.value.msgid
    assert calls == [50, 100, 150]
    assert dump(register) == before
    # The register is still usable and a load that is not cancelled goes through.
    calls.clear()
    result = bulk_load(register.db, officer, COMMUNE_CODE, make_items(register), today=TODAY,
                       progress=lambda done: calls.append(done) is None)
    assert result.households == N
    assert calls == [50, 100, 150, 200, 250, 300]


def test_unknown_commune(register: Register, officer: Actor) -> None:
    before = dump(register)
    with pytest.raises(PovcaseError) as e:
        bulk_load(register.db, officer, "99999", make_items(register, 3), today=TODAY)
    assert not isinstance(e.value, ValidationError)
    assert e.value.params == {"code": "99999"}
    assert dump(register) == before


def test_viewer_cannot_bulk_load(register: Register) -> None:
    before = dump(register)
    with pytest.raises(PovcaseError):
        bulk_load(register.db, Actor("Khách", Role.VIEWER), COMMUNE_CODE, make_items(register, 3), today=TODAY)
    assert dump(register) == before


def test_same_uuid_factory_same_uuids(officer: Actor, register: Register) -> None:
    """The demo generator relies on it: a seeded uuid_factory gives the same records."""
    import itertools

    counter = itertools.count(1)
    result = bulk_load(register.db, officer, COMMUNE_CODE, make_items(register, 3), today=TODAY,
                       uuid_factory=lambda: f"{next(counter):032x}")
    assert result.load_id == f"{1:032x}"
    h = register.households.get_by_code(f"{COMMUNE_CODE}-01-{CODE_BASE}")
    assert h.uuid == f"{2:032x}"


def test_big_load_rebuilds_the_indexes_it_dropped(register, officer, monkeypatch):
    """A load big enough to drop the secondary indexes leaves every one of them in place afterwards."""
    import sqlite3 as _sqlite3

    from povcase.services import bulk as bulk_module

    def index_sql() -> set[str]:
        conn = _sqlite3.connect(register.db.path)
        try:
            return {r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")}
        finally:
            conn.close()

    before = index_sql()
    monkeypatch.setattr(bulk_module, "REBUILD_INDEXES_FROM", 10)
    hamlet = register.communes.hamlets()[0]
    items = [bulk_module.BulkHousehold(sample_household(hamlet.uuid, code=f"29461-01-{i:04d}")) for i in range(1, 31)]
    dropped: list[list[str]] = []
    real_drop = bulk_module._drop_secondary_indexes
    monkeypatch.setattr(bulk_module, "_drop_secondary_indexes", lambda c: dropped.append(real_drop(c)) or dropped[-1])
    bulk_module.bulk_load(register.db, officer, "29461", items, today=TODAY)
    assert dropped and len(dropped[0]) >= 5
    assert index_sql() == before
    from povcase.services.search import HouseholdFilter
    assert register.search.count(HouseholdFilter(text="nguyen van duc")) == 30
