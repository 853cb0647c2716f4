"""`parse_facts`: the JSON of `povcase classify`, every bad value reported by its path."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from povcase.domain.facts import (
    Employment,
    HousingQuality,
    MemberFacts,
    Qualification,
    Sex,
    parse_facts,
)
from povcase.domain.standards import Area
from povcase.errors import ValidationError

TODAY = date(2026, 11, 22)

BASE = {
    "standard": "2022-2026",
    "area": "rural",
    "income_per_capita": 1_200_000,
    "members": [
        {"name": "Thạch Văn Bảy", "age": 40, "sex": "male", "employment": "unemployed",
         "has_health_insurance": True, "qualification": "primary", "in_school": False},
    ],
    "housing": {"area_m2": 30.5, "quality": "semi_durable", "safe_water": True},
}


def data(**changes: object) -> dict:
    d = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is _DROP:
            d.pop(key, None)
        else:
            d[key] = value
    return d


def member(**changes: object) -> dict:
    m = copy.deepcopy(BASE["members"][0])
    for key, value in changes.items():
        if value is _DROP:
            m.pop(key, None)
        else:
            m[key] = value
    return data(members=[m])


def housing(**changes: object) -> dict:
    return data(housing={**BASE["housing"], **changes})


_DROP = object()


def problem_fields(raw: object) -> list[str]:
    with pytest.raises(ValidationError) as err:
        parse_facts(raw, today=TODAY)
    return [p.field for p in err.value.problems]


# --- rejections -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "field"), [
    # the standard and area
    (data(standard="2021-2025"), "standard"),
    (data(standard=_DROP), "standard"),
    (data(standard=None), "standard"),
    (data(area=_DROP), "area"),
    (data(area=None), "area"),
    (data(area="city"), "area"),
    (data(area="Rural"), "area"),
    # money and score
    (data(income_per_capita=-1), "income_per_capita"),
    (data(income_per_capita="1500000"), "income_per_capita"),
    (data(income_per_capita=1_500_000.5), "income_per_capita"),
    (data(income_per_capita=True), "income_per_capita"),
    (data(income_per_capita=10_000_000_001), "income_per_capita"),
    (data(income_per_capita=_DROP), "income_per_capita"),  # neither income nor score A
    (data(income_per_capita=None, score_a=None), "income_per_capita"),
    (data(income_per_capita=None, score_a=-5), "score_a"),
    (data(income_per_capita=None, score_a=1001), "score_a"),
    (data(income_per_capita=None, score_a="140"), "score_a"),
    # indicators
    (data(indicators={"foo": True}), "indicators.foo"),
    (data(indicators={"waste": True}), "indicators.waste"),  # a 2027-2030 indicator
    (data(standard="2027-2030", indicators={"information_devices": True}), "indicators.information_devices"),
    (data(indicators={"water": "yes"}), "indicators.water"),
    (data(indicators={"water": 1}), "indicators.water"),
    (data(indicators=["water"]), "indicators"),
    # members
    (member(age=200), "members[0].age"),
    (member(age=131), "members[0].age"),
    (member(age=-1), "members[0].age"),
    (member(age="40"), "members[0].age"),
    (member(age=40.5), "members[0].age"),
    (member(age=True), "members[0].age"),
    (member(age=_DROP), "members[0].age"),  # neither age nor birth date
    (member(in_school=1), "members[0].in_school"),
    (member(in_school="true"), "members[0].in_school"),
    (member(has_health_insurance=0), "members[0].has_health_insurance"),
    (member(able_to_work="no"), "members[0].able_to_work"),
    (member(disabled=1), "members[0].disabled"),
    (member(social_allowance="yes"), "members[0].social_allowance"),
    (member(stunted_or_underweight=0), "members[0].stunted_or_underweight"),
    (member(sex="m"), "members[0].sex"),
    (member(sex="Male"), "members[0].sex"),
    (member(qualification="phd"), "members[0].qualification"),
    (member(employment="farmer"), "members[0].employment"),
    (member(nickname="Bảy"), "members[0].nickname"),
    (member(name=7), "members[0].name"),
    (member(birth_date="1986-02-30"), "members[0].birth_date"),
    (member(birth_date="02/03/1986"), "members[0].birth_date"),
    (member(birth_date=19860302), "members[0].birth_date"),
    (member(birth_date="2026-11-23"), "members[0].birth_date"),  # tomorrow
    (member(age=_DROP, birth_date="1890-01-01"), "members[0].birth_date"),
    (data(members={"name": "A"}), "members"),
    (data(members=["A"]), "members[0]"),
    # housing
    (housing(area_m2=-1), "housing.area_m2"),
    (housing(area_m2="30"), "housing.area_m2"),
    (housing(area_m2=float("nan")), "housing.area_m2"),
    (housing(area_m2=100_001), "housing.area_m2"),
    (housing(quality="good"), "housing.quality"),
    (housing(safe_water=1), "housing.safe_water"),
    (housing(hears_loudspeaker="no"), "housing.hears_loudspeaker"),
    (housing(rooms=2), "housing.rooms"),
    (data(housing=[]), "housing"),
    # top level
    (data(foo=1), "foo"),
    (data(date="2026-13-01"), "date"),
    (data(date="22/11/2026"), "date"),
    (data(date=20261122), "date"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_rejects_with_the_bad_fields_path(raw, field) -> None:
    with pytest.raises(ValidationError) as err:
        parse_facts(raw, today=TODAY)
    assert err.value.field == field
    assert [p.field for p in err.value.problems] == [field]


@pytest.mark.parametrize("raw", [[], "text", None, 3])
def test_rejects_input_that_is_not_an_object(raw) -> None:
    assert problem_fields(raw) == ["(input)"]


def test_reports_every_problem_at_once() -> None:
    raw = data(area="city", income_per_capita=-1, indicators={"foo": True},
               members=[{"name": "A", "age": 200}, {"name": "B", "age": 30, "sex": "x"}],
               housing={"rooms": 2})
    assert sorted(problem_fields(raw)) == sorted([
        "area", "income_per_capita", "indicators.foo", "members[0].age", "members[1].sex", "housing.rooms"])


def test_second_members_problem_names_its_index() -> None:
    raw = data(members=[BASE["members"][0], {"name": "B", "age": "ba mươi"}])
    assert problem_fields(raw) == ["members[1].age"]


def test_error_message_is_readable() -> None:
    with pytest.raises(ValidationError) as err:
        parse_facts(member(age=200), today=TODAY)
    assert str(err.value) == "members[0].age: Must be between 0 and 130"


# --- acceptance -----------------------------------------------------------------------------------
def test_accepts_a_full_household() -> None:
    raw = data(indicators={"water": True}, date="2026-10-01",
               members=[
                   {"name": "Thạch Văn Bảy", "age": 40, "sex": "male", "in_school": False,
                    "qualification": "vocational", "employment": "wage_without_contract", "able_to_work": True,
                    "has_health_insurance": False, "disabled": False, "social_allowance": False},
                   {"full_name": "Kim Thị Sa", "birth_date": "2015-06-01", "sex": "female", "in_school": True,
                    "stunted_or_underweight": True},
               ],
               housing={"area_m2": 24, "quality": "non_durable", "safe_water": False, "hygienic_latrine": False,
                        "uses_telecom": True, "has_information_device": False, "hears_loudspeaker": True,
                        "waste_treated": None})
    facts = parse_facts(raw, today=TODAY)
    assert facts.standard == "2022-2026"
    assert facts.area is Area.RURAL
    assert facts.income_per_capita == 1_200_000
    assert facts.score_a is None
    assert facts.on == date(2026, 10, 1)
    assert facts.indicators == {"water": True}
    a, b = facts.members
    assert a == MemberFacts(name="Thạch Văn Bảy", age=40, sex=Sex.MALE, in_school=False,
                            qualification=Qualification.VOCATIONAL, employment=Employment.WAGE_WITHOUT_CONTRACT,
                            able_to_work=True, has_health_insurance=False)
    assert b.name == "Kim Thị Sa"  # full_name is accepted for name
    assert b.age is None and b.birth_date == date(2015, 6, 1)
    assert b.age_on(facts.on) == 11
    assert b.stunted_or_underweight is True
    h = facts.housing
    assert h.area_m2 == 24.0 and isinstance(h.area_m2, float)
    assert h.quality is HousingQuality.NON_DURABLE
    assert (h.safe_water, h.hygienic_latrine, h.uses_telecom) == (False, False, True)
    assert (h.has_information_device, h.hears_loudspeaker, h.waste_treated) == (False, True, None)


def test_score_a_alone_is_enough() -> None:
    facts = parse_facts(data(income_per_capita=None, score_a=140), today=TODAY)
    assert facts.score_a == 140 and facts.income_per_capita is None


def test_whole_number_floats_are_accepted_as_integers() -> None:
    facts = parse_facts(data(income_per_capita=1_500_000.0), today=TODAY)
    assert facts.income_per_capita == 1_500_000 and isinstance(facts.income_per_capita, int)


@pytest.mark.parametrize("income", [0, 10_000_000_000])
def test_income_limits_inclusive(income) -> None:
    assert parse_facts(data(income_per_capita=income), today=TODAY).income_per_capita == income


@pytest.mark.parametrize("age", [0, 130])
def test_age_limits_inclusive(age) -> None:
    assert parse_facts(member(age=age), today=TODAY).members[0].age == age


def test_birth_date_instead_of_age() -> None:
    facts = parse_facts(member(age=_DROP, birth_date="1986-03-02"), today=TODAY)
    m = facts.members[0]
    assert m.age is None
    assert m.birth_date == date(1986, 3, 2)
    assert m.age_on(date(2026, 3, 1)) == 39
    assert m.age_on(date(2026, 3, 2)) == 40


def test_explicit_age_wins_over_birth_date() -> None:
    m = parse_facts(member(age=41, birth_date="1986-03-02"), today=TODAY).members[0]
    assert m.age_on(TODAY) == 41


def test_birth_date_checked_against_the_inputs_own_date() -> None:
    # Born after the review date given in the input: rejected even though it is before "today".
    assert problem_fields(member(birth_date="2026-10-02", age=_DROP) | {"date": "2026-10-01"}) == [
        "members[0].birth_date"]
    # Without a date in the input, "today" is the reference.
    parse_facts(member(birth_date="2026-10-02", age=_DROP), today=TODAY)
    assert problem_fields(member(birth_date="2026-11-23", age=_DROP)) == ["members[0].birth_date"]


def test_nulls_mean_not_recorded() -> None:
    facts = parse_facts(data(indicators=None, members=None, housing=None, score_a=None), today=TODAY)
    assert facts.indicators == {}
    assert facts.members == ()
    assert facts.housing.area_m2 is None and facts.housing.quality is None


def test_member_defaults() -> None:
    m = parse_facts(data(members=[{"age": 30}]), today=TODAY).members[0]
    assert m.name == ""
    assert m.able_to_work is True  # unless said otherwise
    assert m.disabled is False and m.social_allowance is False
    assert m.employment is None and m.has_health_insurance is None and m.in_school is None
    assert m.label(0) == "#1"


def test_able_to_work_false_is_kept() -> None:
    assert parse_facts(member(able_to_work=False), today=TODAY).members[0].able_to_work is False


@pytest.mark.parametrize("std", ["2022-2026", "2027-2030"])
def test_indicator_codes_are_checked_against_the_chosen_standard(std) -> None:
    code = "information_devices" if std == "2022-2026" else "waste"
    facts = parse_facts(data(standard=std, indicators={code: False}), today=TODAY)
    assert facts.indicators == {code: False}
