"""HouseholdService: create, edit, delete, restore, assess — validated, transactional, audited."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Row, select

from povcase.db.models import Assessment, AuditEntry, Household, Member
from povcase.domain.deprivation import Override, Source
from povcase.domain.facts import HousingFacts, HousingQuality
from povcase.errors import ConflictError, NotFoundError, PovcaseError, ValidationError
from povcase.services.base import Actor, Role
from povcase.services.dto import AssessmentInput, HouseholdDTO, HouseholdInput, MemberInput
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from tests.conftest import TODAY, db_dump, sample_household, table_counts

# --- helpers -------------------------------------------------------------------------------------


dump = db_dump
counts = table_counts


def audit_rows(reg: Register, **where: object) -> list[Row[Any]]:
    """Audit log rows (plain rows with the columns as attributes), oldest first."""
    with reg.db.reading() as s:
        q = select(*AuditEntry.__table__.c).order_by(AuditEntry.id)
        for name, value in where.items():
            q = q.where(getattr(AuditEntry, name) == value)
        return list(s.execute(q))


def hamlets(reg: Register) -> list[str]:
    return [h.uuid for h in reg.communes.hamlets()]


def create(reg: Register, actor: Actor, **changes: object) -> HouseholdDTO:
    return reg.households.create(actor, sample_household(hamlets(reg)[0], **changes), today=TODAY).value


def with_member(h: HouseholdInput, index: int, **changes: object) -> HouseholdInput:
    members = list(h.members)
    members[index] = replace(members[index], **changes)
    return replace(h, members=tuple(members))


# --- create --------------------------------------------------------------------------------------


def test_create_returns_the_household(register: Register, officer: Actor) -> None:
    result = register.households.create(officer, sample_household(hamlets(register)[0]), today=TODAY)
    h = result.value
    assert h.code == "29461-01-0001"
    assert h.commune_code == "29461"
    assert h.hamlet_name == "Ấp Chợ"
    assert h.head_name == "Nguyễn Văn Đức"
    assert len(h.members) == 4
    assert [m.full_name for m in h.members] == ["Nguyễn Văn Đức", "Trần Thị Mai", "Nguyễn Thị Hoa",
                                                "Nguyễn Văn Tâm"]
    assert h.members[0].id_number == "084080001234"
    assert h.housing.area_m2 == 24.0
    assert h.phone == "0912345678"
    assert h.revision == 1
    assert h.deleted is False
    assert h.status is None and h.last_assessed_on is None
    assert register.households.get(h.uuid) == h
    with register.db.reading() as s:
        row = s.scalar(select(Household).where(Household.uuid == h.uuid))
        assert row.members_count == 4
        assert row.head_name == "Nguyễn Văn Đức"
    # Changes lists the household and each member created.
    assert [(c.record_type, c.action) for c in result.changes.items] == [("household", "create")] + [
        ("member", "create")] * 4
    assert result.changes.touched("member")


def test_codes_run_per_hamlet(register: Register, officer: Actor) -> None:
    first, _, third = hamlets(register)
    codes = [register.households.create(officer, sample_household(hamlet), today=TODAY).value.code
             for hamlet in (first, first, third, first)]
    assert codes == ["29461-01-0001", "29461-01-0002", "29461-03-0001", "29461-01-0003"]


def test_create_audits_every_value(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    rows = audit_rows(register, record_uuid=h.uuid)
    assert {r.action for r in rows} == {"create"}
    assert {r.actor for r in rows} == {"Thạch Thị Lan"} and {r.role for r in rows} == {"officer"}
    by_field = {r.field: (r.old, r.new) for r in rows}
    assert by_field["code"] == (None, "29461-01-0001")
    assert by_field["address"] == (None, "Ấp Chợ, xã Trà Cú")
    assert by_field["house_area_m2"] == (None, "24.0")
    head = h.members[0]
    head_rows = {r.field: r.new for r in audit_rows(register, record_uuid=head.uuid)}
    assert head_rows["full_name"] == "Nguyễn Văn Đức"
    assert head_rows["birth_date"] == "1980-03-02"
    assert head_rows["id_number"] == "084080001234"


def test_names_are_nfc_normalised(register: Register, officer: Actor) -> None:
    decomposed = unicodedata.normalize("NFD", "  Nguyễn   Văn Đức ")
    assert decomposed.strip() != "Nguyễn Văn Đức"
    h = register.households.create(
        officer, with_member(sample_household(hamlets(register)[0],
                                              address=unicodedata.normalize("NFD", "Ấp Chợ")), 0,
                             full_name=decomposed), today=TODAY).value
    assert h.head_name == "Nguyễn Văn Đức"
    assert h.members[0].full_name == "Nguyễn Văn Đức"
    assert h.address == "Ấp Chợ"
    with register.db.reading() as s:
        assert s.scalar(select(Household.head_name).where(Household.uuid == h.uuid)) == "Nguyễn Văn Đức"
        assert s.scalar(select(Member.full_name).where(Member.uuid == h.members[0].uuid)) == "Nguyễn Văn Đức"
    # The composed spelling finds it.
    assert register.search.count(HouseholdFilter(text="Nguyễn Văn Đức")) == 1


def test_id_numbers_typed_with_spaces_are_normalised(register: Register, officer: Actor) -> None:
    h = register.households.create(
        officer, with_member(sample_household(hamlets(register)[0]), 0, id_number="084 080.001-234"),
        today=TODAY).value
    assert h.members[0].id_number == "084080001234"


def test_duplicate_code_rejected(register: Register, officer: Actor) -> None:
    first = create(register, officer)
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        create(register, officer, code=first.code)
    assert e.value.field == "code"
    assert dump(register) == before
    # A deleted household keeps its code: it can come back.
    register.households.delete(officer, first.uuid, "Chuyển đi nơi khác")
    with pytest.raises(ValidationError):
        create(register, officer, code=first.code)
    # Renaming another household to a used code is rejected too.
    second = create(register, officer)
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.households.update(officer, second.uuid, replace(second.as_input(), code=first.code),
                                   second.revision, today=TODAY)
    assert e.value.field == "code"
    assert dump(register) == before


# --- update --------------------------------------------------------------------------------------


def test_update_changes_fields_members_and_audits(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    head, spouse, daughter, son = h.members
    members = (
        replace(head.as_input(), employment="wage_with_contract"),
        spouse.as_input(),
        daughter.as_input(),
        # the son moved out; a grandmother moved in
        MemberInput("Lê Thị Bé", "parent", "female", date(1950, 1, 1), None, has_health_insurance=True),
    )
    editor = Actor("Kim Văn Sơn", Role.OFFICER)
    result = register.households.update(
        editor, h.uuid, replace(h.as_input(), address="Ấp Sóc Chà, xã Trà Cú", members=members),
        expected_revision=1, today=TODAY)
    new = result.value
    assert new.revision == 2
    assert new.address == "Ấp Sóc Chà, xã Trà Cú"
    assert [m.full_name for m in new.members] == ["Nguyễn Văn Đức", "Trần Thị Mai", "Nguyễn Thị Hoa",
                                                  "Lê Thị Bé"]
    assert new.members[0].employment == "wage_with_contract"
    assert new.members[0].revision == 2
    assert new.members[1].revision == 1  # untouched member: untouched revision
    assert register.households.get(h.uuid) == new

    # The removed member is a tombstone, not gone.
    with register.db.reading() as s:
        gone = s.scalar(select(Member).where(Member.uuid == son.uuid))
        assert gone is not None and gone.deleted_at is not None and gone.revision == 2
        assert gone.full_name == "Nguyễn Văn Tâm"
        row = s.scalar(select(Household).where(Household.uuid == h.uuid))
        assert row.members_count == 4
        assert s.query(Member).where(Member.household_id == row.id).count() == 5

    # Audit: who, what, old and new, for each changed field only.
    rows = audit_rows(register, actor="Kim Văn Sơn")
    assert {r.role for r in rows} == {"officer"}
    hh = [(r.action, r.field, r.old, r.new) for r in rows if r.record_uuid == h.uuid]
    assert hh == [("update", "address", "Ấp Chợ, xã Trà Cú", "Ấp Sóc Chà, xã Trà Cú")]
    assert [(r.action, r.field, r.old, r.new) for r in rows if r.record_uuid == head.uuid] == [
        ("update", "employment", "unemployed", "wage_with_contract")]
    assert [(r.action, r.field) for r in rows if r.record_uuid == son.uuid] == [("delete", None)]
    assert not [r for r in rows if r.record_uuid in (spouse.uuid, daughter.uuid)]
    added = new.members[3]
    created = {r.field: r.new for r in rows if r.record_uuid == added.uuid}
    assert {r.action for r in rows if r.record_uuid == added.uuid} == {"create"}
    assert created["full_name"] == "Lê Thị Bé" and created["relation"] == "parent"

    # Changes says exactly that.
    changes = {(c.record_type, c.uuid, c.action): c.fields for c in result.changes.items}
    assert changes == {
        ("household", h.uuid, "update"): ("address",),
        ("member", head.uuid, "update"): ("employment",),
        ("member", added.uuid, "create"): changes[("member", added.uuid, "create")],
        ("member", son.uuid, "delete"): (),
    }
    assert "full_name" in changes[("member", added.uuid, "create")]


def test_update_members_only_still_bumps_household(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    result = register.households.update(officer, h.uuid, with_member(h.as_input(), 1, full_name="Trần Thị Mơ"),
                                        expected_revision=1, today=TODAY)
    assert result.value.revision == 2
    assert result.value.members[1].full_name == "Trần Thị Mơ"
    assert ("household", h.uuid, "update") in {(c.record_type, c.uuid, c.action) for c in result.changes.items}
    rows = audit_rows(register, record_uuid=h.members[1].uuid, action="update")
    assert [(r.field, r.old, r.new) for r in rows] == [("full_name", "Trần Thị Mai", "Trần Thị Mơ")]


def test_update_housing_and_head_name(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    new_input = with_member(replace(h.as_input(), housing=replace(h.housing, area_m2=40.0, hygienic_latrine=True)),
                            0, full_name="Nguyễn Văn Đực")
    new = register.households.update(officer, h.uuid, new_input, 1, today=TODAY).value
    assert new.head_name == "Nguyễn Văn Đực"
    assert new.housing.area_m2 == 40.0 and new.housing.hygienic_latrine is True
    by_field = {r.field: (r.old, r.new) for r in audit_rows(register, record_uuid=h.uuid, action="update")}
    assert by_field == {"head_name": ("Nguyễn Văn Đức", "Nguyễn Văn Đực"), "house_area_m2": ("24.0", "40.0"),
                        "hygienic_latrine": ("false", "true")}


def test_move_to_another_hamlet(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    other = register.communes.hamlets()[1]
    new = register.households.update(officer, h.uuid, replace(h.as_input(), hamlet_uuid=other.uuid), 1,
                                     today=TODAY).value
    assert (new.hamlet_uuid, new.hamlet_name) == (other.uuid, "Ấp Đại Mong")
    assert register.households.get(h.uuid).hamlet_name == "Ấp Đại Mong"
    assert [(r.field, r.old, r.new) for r in audit_rows(register, record_uuid=h.uuid, action="update")] == [
        ("hamlet", "Ấp Chợ", "Ấp Đại Mong")]


def test_unchanged_save_writes_nothing(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    before = dump(register)
    result = register.households.update(officer, h.uuid, h.as_input(), 1, today=TODAY)
    assert not result.changes
    assert result.value.revision == 1
    assert dump(register) == before


def test_stale_revision_is_a_conflict(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    register.households.update(officer, h.uuid, replace(h.as_input(), phone="0987654321"), 1, today=TODAY)
    before = dump(register)
    with pytest.raises(ConflictError):
        register.households.update(officer, h.uuid, replace(h.as_input(), address="Somewhere else"), 1,
                                   today=TODAY)
    assert dump(register) == before
    current = register.households.get(h.uuid)
    assert current.revision == 2 and current.phone == "0987654321" and current.address == h.address
    # With the current revision the same save goes through.
    assert register.households.update(officer, h.uuid, replace(current.as_input(), address="Somewhere else"), 2,
                                      today=TODAY).value.revision == 3


# --- validation: bad input changes nothing --------------------------------------------------------

FUTURE = TODAY + timedelta(days=1)
BAD_INPUTS: dict[str, tuple[Callable[[HouseholdInput], HouseholdInput], str]] = {
    "id_11_digits": (lambda h: with_member(h, 0, id_number="08408000123"), "members[0].id_number"),
    "id_wrong_place": (lambda h: with_member(h, 0, id_number="000080001234"), "members[0].id_number"),
    "id_sex_mismatch": (lambda h: with_member(h, 0, id_number="084180001234"), "members[0].id_number"),
    "id_year_mismatch": (lambda h: with_member(h, 1, id_number="084181004321"), "members[1].id_number"),
    "id_letters": (lambda h: with_member(h, 1, id_number="08418200432X"), "members[1].id_number"),
    "duplicate_id": (lambda h: with_member(h, 1, id_number="084080001234", sex="male",
                                           birth_date=date(1980, 1, 1)), "members[1].id_number"),
    "birth_in_future": (lambda h: with_member(h, 2, birth_date=FUTURE), "members[2].birth_date"),
    "no_head": (lambda h: with_member(h, 0, relation="other"), "members"),
    "two_heads": (lambda h: with_member(h, 1, relation="head"), "members"),
    "no_members": (lambda h: replace(h, members=()), "members"),
    "empty_name": (lambda h: with_member(h, 3, full_name="   "), "members[3].full_name"),
    "bad_relation": (lambda h: with_member(h, 3, relation="cousin"), "members[3].relation"),
    "negative_area": (lambda h: replace(h, housing=replace(h.housing, area_m2=-5.0)), "housing.area_m2"),
    "unknown_hamlet": (lambda h: replace(h, hamlet_uuid="0" * 32), "hamlet"),
    "bad_phone": (lambda h: replace(h, phone="09-12ab"), "phone"),
    "bad_area_kind": (lambda h: replace(h, area="suburban"), "area"),
    "override_without_reason": (lambda h: replace(h, overrides={"water": Override(True, "  ")}),
                                "overrides.water"),
    "override_unknown_indicator": (lambda h: replace(h, overrides={"flying": Override(True, "because")}),
                                   "overrides.flying"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_create_changes_nothing(register: Register, officer: Actor, case: str) -> None:
    create(register, officer)  # something in every table, so "unchanged" means something
    make_bad, field = BAD_INPUTS[case]
    before, before_counts = dump(register), counts(register)
    with pytest.raises(ValidationError) as e:
        register.households.create(officer, make_bad(sample_household(hamlets(register)[1])), today=TODAY)
    assert e.value.field == field
    assert counts(register) == before_counts
    assert dump(register) == before


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_update_changes_nothing(register: Register, officer: Actor, case: str) -> None:
    h = create(register, officer)
    make_bad, field = BAD_INPUTS[case]
    before, before_counts = dump(register), counts(register)
    with pytest.raises(ValidationError) as e:
        register.households.update(officer, h.uuid, make_bad(h.as_input()), h.revision, today=TODAY)
    assert e.value.field == field
    assert counts(register) == before_counts
    assert dump(register) == before
    assert register.households.get(h.uuid) == h


def test_every_problem_is_reported(register: Register, officer: Actor) -> None:
    bad = with_member(replace(sample_household(hamlets(register)[0]), phone="x"), 0, id_number="1")
    bad = with_member(bad, 2, birth_date=FUTURE)
    with pytest.raises(ValidationError) as e:
        register.households.create(officer, bad, today=TODAY)
    assert {p.field for p in e.value.problems} == {"members[0].id_number", "members[2].birth_date", "phone"}


def test_viewer_cannot_write(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    viewer = Actor("Khách", Role.VIEWER)
    assert not viewer.can_write
    before = dump(register)
    attempts = [
        lambda: register.households.create(viewer, sample_household(hamlets(register)[0]), today=TODAY),
        lambda: register.households.update(viewer, h.uuid, replace(h.as_input(), phone="0987654321"), 1,
                                           today=TODAY),
        lambda: register.households.delete(viewer, h.uuid, "Không còn ở đây"),
        lambda: register.households.restore(viewer, h.uuid),
        lambda: register.households.assess(viewer, h.uuid, AssessmentInput(TODAY, income_per_capita=1_000_000),
                                           today=TODAY),
    ]
    for attempt in attempts:
        with pytest.raises(PovcaseError) as e:
            attempt()
        assert not isinstance(e.value, ValidationError)
        assert e.value.params == {"name": "Khách"}
    assert dump(register) == before
    # Reading is fine.
    assert register.households.get(h.uuid) == h


# --- delete and restore --------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  ", "ab"])
def test_delete_needs_a_reason(register: Register, officer: Actor, reason: str) -> None:
    h = create(register, officer)
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.households.delete(officer, h.uuid, reason)
    assert e.value.field == "reason"
    assert dump(register) == before


def test_soft_delete_and_restore(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    keep = create(register, officer)
    result = register.households.delete(officer, h.uuid, "Cả hộ chuyển vào Bình Dương")
    assert result.value.deleted is True
    assert [(c.record_type, c.uuid, c.action) for c in result.changes.items] == [("household", h.uuid, "delete")]

    got = register.households.get(h.uuid)
    assert got.deleted is True and got.revision == 2
    assert len(got.members) == 4  # the household and its members are all still there
    assert register.search.ids(HouseholdFilter()) == [keep.id]
    assert register.search.count(HouseholdFilter(text=h.code)) == 0
    assert register.search.count(HouseholdFilter(include_deleted=True)) == 2
    assert register.counts()["households"] == 1
    with register.db.reading() as s:
        row = s.scalar(select(Household).where(Household.uuid == h.uuid))
        assert row is not None and row.deleted_at is not None
    deleted = audit_rows(register, record_uuid=h.uuid, action="delete")
    assert [(r.actor, r.new) for r in deleted] == [("Thạch Thị Lan", "Cả hộ chuyển vào Bình Dương")]
    # A deleted household cannot be edited, assessed or deleted again.
    with pytest.raises(NotFoundError):
        register.households.update(officer, h.uuid, h.as_input(), 2, today=TODAY)
    with pytest.raises(NotFoundError):
        register.households.assess(officer, h.uuid, AssessmentInput(TODAY, income_per_capita=1), today=TODAY)
    with pytest.raises(NotFoundError):
        register.households.delete(officer, h.uuid, "again and again")

    restored = register.households.restore(officer, h.uuid)
    assert restored.value.deleted is False and restored.value.revision == 3
    assert [(c.record_type, c.action) for c in restored.changes.items] == [("household", "restore")]
    assert register.households.get(h.uuid).deleted is False
    assert register.search.count(HouseholdFilter(text="nguyen van duc")) == 2
    assert register.search.ids(HouseholdFilter(text=h.code)) == [h.id]
    assert [r.action for r in audit_rows(register, record_uuid=h.uuid) if r.action in ("delete", "restore")] == [
        "delete", "restore"]
    # Restoring a live household does nothing.
    before = dump(register)
    assert not register.households.restore(officer, h.uuid).changes
    assert dump(register) == before


def test_unknown_household(register: Register, officer: Actor) -> None:
    with pytest.raises(NotFoundError):
        register.households.get("0" * 32)
    with pytest.raises(NotFoundError):
        register.households.delete(officer, "0" * 32, "no such household")


# --- assessments ---------------------------------------------------------------------------------


def test_assess_derives_from_stored_facts(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    result = register.households.assess(officer, h.uuid,
                                        AssessmentInput(TODAY, income_per_capita=1_200_000, assessor="Lan"),
                                        today=TODAY)
    a = result.value
    assert a.standard == "2022-2026" and a.area == "rural" and a.basis == "income"
    by_code = {r.code: r for r in a.indicators}
    assert {c for c, r in by_code.items() if r.deprived} == {"employment", "health_insurance", "housing_area",
                                                              "latrine"}
    assert a.deprivation_count == 4 and a.score_b == 40
    assert a.classification == "poor"
    assert by_code["employment"].source is Source.DERIVED
    assert by_code["employment"].reason.params["name"] == "Nguyễn Văn Đức"
    assert "unemployed" in by_code["employment"].reason.msgid
    assert by_code["housing_area"].reason.params["members"] == 4

    # The snapshot is stored with its reasons.
    [stored] = register.households.assessments(h.uuid)
    assert stored == a
    with register.db.reading() as s:
        row = s.scalar(select(Assessment).where(Assessment.uuid == a.uuid))
        snapshot = {d["code"]: d for d in json.loads(row.indicators)}
        assert row.income_per_capita == 1_200_000 and row.members_count == 4 and row.assessor == "Lan"
    assert snapshot["latrine"]["deprived"] is True and snapshot["latrine"]["source"] == "derived"
    assert snapshot["latrine"]["reason"]["msgid"] == "No hygienic latrine"

    # ... and the household shows the result.
    got = register.households.get(h.uuid)
    assert (got.status, got.score_b, got.status_year, got.status_standard) == ("poor", 40, 2026, "2022-2026")
    assert set(got.deprived) == {"employment", "health_insurance", "housing_area", "latrine"}
    assert got.last_assessed_on == TODAY
    assert got.revision == 2
    assert {(c.record_type, c.action) for c in result.changes.items} == {("assessment", "create"),
                                                                         ("household", "update")}
    status_audit = {r.field: (r.old, r.new) for r in audit_rows(register, record_uuid=h.uuid, action="update")}
    assert status_audit["status"] == (None, "poor")
    assert status_audit["score_b"] == (None, "40")


def test_assess_uses_the_facts_as_they_stand_now(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    register.households.assess(officer, h.uuid, AssessmentInput(date(2026, 9, 1), income_per_capita=1_200_000),
                               today=TODAY)
    h = register.households.get(h.uuid)
    better = with_member(replace(h.as_input(), housing=replace(h.housing, hygienic_latrine=True, area_m2=40.0)),
                         0, employment="wage_with_contract", has_health_insurance=True)
    register.households.update(officer, h.uuid, better, h.revision, today=TODAY)
    a = register.households.assess(officer, h.uuid, AssessmentInput(TODAY, income_per_capita=1_200_000),
                                   today=TODAY).value
    assert a.deprivation_count == 0 and a.classification == "near_poor"
    got = register.households.get(h.uuid)
    assert got.status == "near_poor" and got.deprived == () and got.score_b == 0
    assert [x.classification for x in register.households.assessments(h.uuid)] == ["near_poor", "poor"]


def test_older_assessment_recorded_later_keeps_the_newer_status(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    register.households.assess(officer, h.uuid, AssessmentInput(TODAY, income_per_capita=1_200_000), today=TODAY)
    after_new = register.households.get(h.uuid)
    late = register.households.assess(officer, h.uuid,
                                      AssessmentInput(date(2025, 10, 1), income_per_capita=9_000_000),
                                      today=TODAY)
    assert late.value.classification == "not_poor"
    assert not late.changes.touched("household")
    got = register.households.get(h.uuid)
    assert (got.status, got.status_year, got.last_assessed_on, got.revision) == (
        "poor", 2026, TODAY, after_new.revision)
    history = register.households.assessments(h.uuid)
    assert [(x.assessed_on, x.classification) for x in history] == [(TODAY, "poor"),
                                                                    (date(2025, 10, 1), "not_poor")]


@pytest.mark.parametrize(("a", "field"), [
    (AssessmentInput(TODAY + timedelta(days=1), income_per_capita=1_000_000), "assessed_on"),
    (AssessmentInput(TODAY), "income_per_capita"),
    (AssessmentInput(TODAY, income_per_capita=-1), "income_per_capita"),
    (AssessmentInput(TODAY, score_a=5000), "score_a"),
    (AssessmentInput(TODAY, income_per_capita=1, standard="1999"), "standard"),
    (AssessmentInput(TODAY, income_per_capita=1, indicators={"waste": True}), "indicators.waste"),
])
def test_bad_assessment_changes_nothing(register: Register, officer: Actor, a: AssessmentInput,
                                        field: str) -> None:
    h = create(register, officer)
    before = dump(register)
    with pytest.raises(ValidationError) as e:
        register.households.assess(officer, h.uuid, a, today=TODAY)
    assert e.value.field == field
    assert dump(register) == before


def test_explicit_survey_indicators_win(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    a = register.households.assess(officer, h.uuid, AssessmentInput(
        TODAY, income_per_capita=1_200_000, indicators={"latrine": False, "water": True}), today=TODAY).value
    by_code = {r.code: r for r in a.indicators}
    assert (by_code["latrine"].deprived, by_code["latrine"].source) == (False, Source.EXPLICIT)
    assert (by_code["water"].deprived, by_code["water"].source) == (True, Source.EXPLICIT)
    assert by_code["employment"].source is Source.DERIVED
    assert set(register.households.get(h.uuid).deprived) == {"employment", "health_insurance", "housing_area",
                                                             "water"}


def test_overrides_on_the_household_apply(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    overrides = {"latrine": Override(False, "Đã xây nhà tiêu hợp vệ sinh tháng 10"),
                 "telecom": Override(True, "Điện thoại hỏng, không dùng được")}
    updated = register.households.update(officer, h.uuid, replace(h.as_input(), overrides=overrides), 1,
                                         today=TODAY).value
    assert updated.overrides == overrides
    override_audit = audit_rows(register, record_uuid=h.uuid, action="update", field="overrides")
    assert len(override_audit) == 1 and override_audit[0].old == "{}"
    assert "Đã xây nhà tiêu" in override_audit[0].new

    a = register.households.assess(officer, h.uuid, AssessmentInput(
        TODAY, income_per_capita=1_200_000, indicators={"latrine": True}), today=TODAY).value
    by_code = {r.code: r for r in a.indicators}
    # An override beats both the facts and the survey form.
    assert by_code["latrine"].source is Source.OVERRIDE and by_code["latrine"].deprived is False
    assert by_code["latrine"].override_reason == "Đã xây nhà tiêu hợp vệ sinh tháng 10"
    assert by_code["telecom"].source is Source.OVERRIDE and by_code["telecom"].deprived is True
    stored = {r.code: r for r in register.households.assessments(h.uuid)[0].indicators}
    assert stored["latrine"].override_reason == "Đã xây nhà tiêu hợp vệ sinh tháng 10"
    assert stored["latrine"].reason.params["reason"] == "Đã xây nhà tiêu hợp vệ sinh tháng 10"
    assert set(register.households.get(h.uuid).deprived) == {"employment", "health_insurance", "housing_area",
                                                             "telecom"}


def test_preview_and_profile_write_nothing(register: Register, officer: Actor) -> None:
    h = create(register, officer)
    before = dump(register)
    draft = replace(h.as_input(), housing=HousingFacts(area_m2=10.0, quality=HousingQuality.NON_DURABLE))
    result = register.households.preview(draft, TODAY, income_per_capita=1_000_000)
    assert result is not None
    assert result.classification.value == "poor"
    assert "housing_quality" in result.deprived
    assert register.households.preview(draft, TODAY) is None
    profile = register.households.profile(draft, TODAY)
    assert {r.code for r in profile if r.source is Source.UNKNOWN} >= {"water", "latrine"}
    assert dump(register) == before
    assert register.households.get(h.uuid).housing.area_m2 == 24.0
    assert register.households.assessments(h.uuid) == []


def test_preview_takes_housing_quality_as_text_like_create(register: Register, officer: Actor) -> None:
    """create() accepts the quality as its text; the editor's preview must judge it the same way."""
    as_text = replace(sample_household(hamlets(register)[0]),
                      housing=HousingFacts(area_m2=60.0, quality="non_durable"))  # type: ignore[arg-type]
    as_enum = replace(as_text, housing=HousingFacts(area_m2=60.0, quality=HousingQuality.NON_DURABLE))
    shown = register.households.preview(as_text, TODAY, income_per_capita=1_000_000)
    assert shown is not None and "housing_quality" in shown.deprived
    assert shown == register.households.preview(as_enum, TODAY, income_per_capita=1_000_000)
    assert register.households.profile(as_text, TODAY) == register.households.profile(as_enum, TODAY)
    saved = register.households.create(officer, as_text, today=TODAY).value
    assert saved.housing.quality is HousingQuality.NON_DURABLE
    recorded = register.households.assess(officer, saved.uuid, AssessmentInput(TODAY, income_per_capita=1_000_000),
                                          today=TODAY).value
    assert recorded.indicators == shown.indicators


def test_preview_matches_assess(register: Register, officer: Actor) -> None:
    """What the officer sees in the editor is what gets recorded."""
    h = create(register, officer)
    shown = register.households.preview(h.as_input(), TODAY, income_per_capita=1_200_000)
    recorded = register.households.assess(officer, h.uuid, AssessmentInput(TODAY, income_per_capita=1_200_000),
                                          today=TODAY).value
    assert shown is not None
    assert shown.classification.value == recorded.classification
    assert shown.indicators == recorded.indicators


def test_previous_status_tracks_escape_within_the_year(register: Register, officer: Actor) -> None:
    """Poor in 2025, surveyed twice in 2026 and above the line: it escaped this year, and the second 2026
    survey does not hide that; the list filter "escaped" finds it."""
    h = create(register, officer)
    register.households.assess(officer, h.uuid, AssessmentInput(date(2025, 10, 1), income_per_capita=1_000_000),
                               today=TODAY)
    assert register.households.get(h.uuid).previous_status is None
    register.households.assess(officer, h.uuid, AssessmentInput(date(2026, 9, 20), income_per_capita=2_100_000),
                               today=TODAY)
    got = register.households.get(h.uuid)
    assert (got.status, got.previous_status) == ("middle", "poor")
    register.households.assess(officer, h.uuid, AssessmentInput(date(2026, 10, 20), income_per_capita=2_500_000),
                               today=TODAY)
    got = register.households.get(h.uuid)
    assert (got.status, got.previous_status, got.status_year) == ("not_poor", "poor", 2026)
    from povcase.services.search import HouseholdFilter
    assert register.search.count(HouseholdFilter(statuses=("escaped",))) == 1
    assert register.search.count(HouseholdFilter(statuses=("poor",))) == 0


def test_next_code_counts_past_9999(register: Register, officer: Actor) -> None:
    """A big hamlet (the office merges communes' data; demo loads) keeps numbering as numbers."""
    hamlet = register.communes.hamlets()[0]
    register.households.create(officer, sample_household(hamlet.uuid, code="29461-01-9999"), today=TODAY)
    register.households.create(officer, sample_household(hamlet.uuid, code="29461-01-10000"), today=TODAY)
    made = register.households.create(officer, sample_household(hamlet.uuid), today=TODAY)
    assert made.value.code == "29461-01-10001"
