"""Deriving each indicator from member and housing facts (DOMAIN.md §1.4, §1.5), with boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from povcase.domain.deprivation import (
    RULES,
    IndicatorResult,
    Override,
    Source,
    derive_for,
    derive_indicators,
    is_working_age,
    retirement_age_months,
    validate_overrides,
)
from povcase.domain.facts import (
    Employment,
    HouseholdFacts,
    HousingFacts,
    HousingQuality,
    MemberFacts,
    Qualification,
    Sex,
)
from povcase.domain.standards import Area, get_standard
from povcase.errors import ValidationError

S22 = get_standard("2022-2026")
S27 = get_standard("2027-2030")
ON = date(2026, 11, 22)
ON27 = date(2027, 11, 22)

E, Q = Employment, Qualification

# A member with nothing against them on any indicator; tests change one fact at a time.
ADULT = MemberFacts(name="Trần Thị Mai", age=40, sex=Sex.FEMALE, in_school=False,
                    qualification=Q.UPPER_SECONDARY, employment=E.SELF_EMPLOYED,
                    has_health_insurance=True)
CHILD = MemberFacts(name="Nguyễn Thị Hoa", age=10, sex=Sex.FEMALE, in_school=True,
                    has_health_insurance=True, stunted_or_underweight=False)
GOOD_HOUSE = HousingFacts(area_m2=100.0, quality=HousingQuality.DURABLE, safe_water=True,
                          hygienic_latrine=True, uses_telecom=True, has_information_device=True,
                          hears_loudspeaker=True, waste_treated=True)


def person(name: str = "Lâm Văn Sơn", **facts: object) -> MemberFacts:
    return replace(ADULT, name=name, **facts)


def result(code: str, members: list[MemberFacts] | tuple[MemberFacts, ...] = (),
           housing: HousingFacts = GOOD_HOUSE, std=S22, on: date = ON, **kw: object) -> IndicatorResult:
    found = [r for r in derive_indicators(std, tuple(members), housing, on, **kw) if r.code == code]
    assert len(found) == 1, f"{code} not in {std.code}"
    return found[0]


def assert_unknown(r: IndicatorResult) -> None:
    assert r.source is Source.UNKNOWN
    assert r.deprived is False
    assert not r.known


# --- whole-profile behaviour ----------------------------------------------------------------
@pytest.mark.parametrize("std", [S22, S27], ids=lambda s: s.code)
def test_one_result_per_indicator_in_the_standards_order(std) -> None:
    results = derive_indicators(std, (ADULT, CHILD), GOOD_HOUSE, ON)
    assert [r.code for r in results] == list(std.indicator_codes)


@pytest.mark.parametrize("std", [S22, S27], ids=lambda s: s.code)
def test_a_household_with_nothing_wrong_is_deprived_in_nothing(std) -> None:
    results = derive_indicators(std, (ADULT, CHILD), GOOD_HOUSE, ON)
    assert [r.code for r in results if r.deprived] == []
    assert all(r.source is Source.DERIVED for r in results)


@pytest.mark.parametrize("std", [S22, S27], ids=lambda s: s.code)
def test_no_facts_at_all_gives_unknown_never_deprived(std) -> None:
    results = derive_indicators(std, (), HousingFacts(), ON)
    for r in results:
        assert_unknown(r)


def test_every_indicator_of_both_standards_has_a_rule() -> None:
    assert set(S22.indicator_codes) | set(S27.indicator_codes) <= set(RULES)


def test_unknown_facts_never_count_as_deprived() -> None:
    """A member with nothing recorded but an age: the officer sees UNKNOWN, not a deprivation."""
    blank = MemberFacts(name="Kim Thị Sa", age=25)
    results = {r.code: r for r in derive_indicators(S22, (blank,), HousingFacts(), ON)}
    for code in ("employment", "health_insurance", "adult_education", "housing_quality", "housing_area",
                 "water", "latrine", "telecom", "information_devices"):
        assert_unknown(results[code])
    # Facts that follow from the age alone are known.
    assert results["nutrition"].source is Source.DERIVED and not results["nutrition"].deprived
    assert results["child_schooling"].source is Source.DERIVED
    assert results["dependants"].source is Source.DERIVED


# --- employment ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("employment", "able", "deprived"), [
    (E.UNEMPLOYED, True, True),
    (E.WAGE_WITHOUT_CONTRACT, True, True),
    (E.WAGE_WITH_CONTRACT, True, False),
    (E.SELF_EMPLOYED, True, False),
    (E.NOT_WORKING, True, False),
    (E.UNEMPLOYED, False, False),  # not able to work: not counted
    (E.WAGE_WITHOUT_CONTRACT, False, False),
])
def test_employment(employment, able, deprived) -> None:
    m = person("Thạch Văn Bảy", age=35, sex=Sex.MALE, employment=employment, able_to_work=able)
    r = result("employment", [ADULT, m])
    assert r.deprived is deprived
    assert r.source is Source.DERIVED
    if deprived:
        assert r.reason.params == {"name": "Thạch Văn Bảy", "age": 35}


def test_employment_reason_says_unemployed_or_without_contract() -> None:
    r1 = result("employment", [person(employment=E.UNEMPLOYED)])
    r2 = result("employment", [person(employment=E.WAGE_WITHOUT_CONTRACT)])
    assert "unemployed" in r1.reason.english()
    assert "without a labour contract" in r2.reason.english()
    assert "Lâm Văn Sơn (40)" in r2.reason.english()


def test_employment_unrecorded_for_a_working_age_member_is_unknown() -> None:
    r = result("employment", [ADULT, person("Sơn Thị Na", employment=None)])
    assert_unknown(r)
    assert r.reason.params["name"] == "Sơn Thị Na"


def test_employment_unrecorded_but_another_member_unemployed_is_deprived() -> None:
    r = result("employment", [person("A", employment=None), person("B", employment=E.UNEMPLOYED)])
    assert r.deprived and r.source is Source.DERIVED
    assert r.reason.params["name"] == "B"


def test_employment_no_members_is_unknown() -> None:
    assert_unknown(result("employment", []))


@pytest.mark.parametrize(("age", "sex", "on", "deprived"), [
    (14, Sex.MALE, ON, False),       # under 15: not of working age
    (15, Sex.MALE, ON, True),
    (61, Sex.MALE, ON, True),        # men retire at 61y6m in 2026
    (62, Sex.MALE, ON, False),
    (61, Sex.MALE, date(2024, 6, 1), False),  # ... but at 61y0m in 2024
    (60, Sex.MALE, date(2024, 6, 1), True),
    (56, Sex.FEMALE, ON, True),      # women retire at 57y0m in 2026
    (57, Sex.FEMALE, ON, False),
    (57, Sex.MALE, ON, True),        # the same age, a man: still of working age
    (61, None, ON, True),            # sex unknown: the men's age, nobody left out
])
def test_employment_only_counts_working_age_by_sex_and_year(age, sex, on, deprived) -> None:
    m = person("Danh Út", age=age, sex=sex, employment=E.UNEMPLOYED)
    assert result("employment", [m], on=on).deprived is deprived


# --- retirement age and working age ---------------------------------------------------------------
@pytest.mark.parametrize(("sex", "year", "months"), [
    (Sex.MALE, 2021, 60 * 12 + 3),
    (Sex.MALE, 2022, 60 * 12 + 6),
    (Sex.MALE, 2026, 61 * 12 + 6),
    (Sex.MALE, 2027, 61 * 12 + 9),
    (Sex.MALE, 2028, 62 * 12),
    (Sex.MALE, 2030, 62 * 12),       # capped at 62
    (Sex.FEMALE, 2021, 55 * 12 + 4),
    (Sex.FEMALE, 2022, 55 * 12 + 8),
    (Sex.FEMALE, 2026, 57 * 12),
    (Sex.FEMALE, 2030, 58 * 12 + 4),
    (Sex.FEMALE, 2035, 60 * 12),
    (Sex.FEMALE, 2040, 60 * 12),     # capped at 60
    (None, 2026, 61 * 12 + 6),
])
def test_retirement_age_months(sex, year, months) -> None:
    assert retirement_age_months(sex, year) == months


@pytest.mark.parametrize(("birth", "sex", "working"), [
    (date(2011, 11, 22), Sex.MALE, True),     # 15 today
    (date(2011, 11, 23), Sex.MALE, False),    # 15 tomorrow
    (date(1965, 5, 23), Sex.MALE, True),      # 61y5m: one day short of 61y6m
    (date(1965, 5, 22), Sex.MALE, False),     # exactly 61y6m: retired
    (date(1969, 11, 23), Sex.FEMALE, True),   # one day short of 57
    (date(1969, 11, 22), Sex.FEMALE, False),  # 57 today
])
def test_working_age_by_birth_date(birth, sex, working) -> None:
    assert is_working_age(MemberFacts(birth_date=birth, sex=sex), ON) is working


def test_working_age_unknown_without_age() -> None:
    assert is_working_age(MemberFacts(name="X"), ON) is None


# --- dependants -----------------------------------------------------------------------------------
def kid(age: int) -> MemberFacts:
    return replace(CHILD, name=f"Con {age}", age=age)


@pytest.mark.parametrize(("members", "deprived", "count"), [
    ([ADULT, kid(10)], False, 1),                    # exactly 50%: not deprived
    ([ADULT, kid(10), kid(5)], True, 2),             # 2 of 3: over 50%
    ([ADULT, ADULT, kid(10), kid(5)], False, 2),     # 2 of 4
    ([ADULT, ADULT, kid(10), kid(5), kid(1)], True, 3),
    ([ADULT, kid(15), kid(15)], True, 2),            # 15 is a child
    ([ADULT, kid(16), kid(16)], False, 0),           # 16 is not
    ([kid(0)], True, 1),
    ([ADULT], False, 0),
], ids=["1of2", "2of3", "2of4", "3of5", "age15", "age16", "baby-alone", "adult-alone"])
@pytest.mark.parametrize("std", [S22, S27], ids=lambda s: s.code)
def test_dependants_children_and_the_50_percent_line(std, members, deprived, count) -> None:
    r = result("dependants", members, std=std)
    assert r.deprived is deprived
    assert r.source is Source.DERIVED
    assert r.reason.params == {"dependants": count, "members": len(members)}


# Who is a dependant: 2022-2026 counts everyone past working age, every disabled person and everyone on
# monthly social allowance; 2027-2030 only children and elderly (60+) or disabled people ON allowance.
@pytest.mark.parametrize(("who", "dep_2022", "dep_2027"), [
    ({"age": 70, "sex": Sex.MALE}, True, False),
    ({"age": 70, "sex": Sex.MALE, "social_allowance": True}, True, True),
    ({"age": 60, "sex": Sex.MALE, "social_allowance": True}, True, True),    # 60 is elderly under 2027 rules
    ({"age": 60, "sex": Sex.MALE, "disabled": True}, True, False),           # disabled, no allowance
    ({"age": 59, "sex": Sex.MALE, "social_allowance": True}, True, False),   # allowance alone: 2022 only
    ({"age": 40, "disabled": True}, True, False),
    ({"age": 40, "disabled": True, "social_allowance": True}, True, True),
    ({"age": 57, "sex": Sex.FEMALE}, True, False),   # a woman past retirement age (57y0m in 2026)
    ({"age": 56, "sex": Sex.FEMALE}, False, False),
    ({"age": 57, "sex": Sex.MALE}, False, False),
    ({"age": 61, "sex": Sex.MALE}, False, False),    # men: 61y6m in 2026
    ({"age": 62, "sex": Sex.MALE}, True, False),
    ({"age": 35}, False, False),
])
def test_who_counts_as_a_dependant_differs_between_standards(who, dep_2022, dep_2027) -> None:
    # Two such people and one ordinary adult: deprived exactly when both count.
    members = [person("A", **who), person("B", **who), ADULT]
    assert result("dependants", members, std=S22, on=ON).deprived is dep_2022
    assert result("dependants", members, std=S27, on=ON).deprived is dep_2027


@pytest.mark.parametrize(("birth", "dependant"), [
    (date(1965, 5, 22), True),   # exactly at the men's 2026 retirement age (61y6m)
    (date(1965, 5, 23), False),  # a day short
])
def test_past_working_age_by_birth_date_2022(birth, dependant) -> None:
    old = MemberFacts(name="Ông Tư", birth_date=birth, sex=Sex.MALE)
    r = result("dependants", [old, kid(10), ADULT], std=S22)
    assert r.deprived is dependant
    assert r.reason.params["dependants"] == (2 if dependant else 1)


@pytest.mark.parametrize(("members", "expected"), [
    ([ADULT, MemberFacts(name="X")], False),                 # even as a child: 1 of 2
    ([kid(10), MemberFacts(name="X")], None),               # the unknown age decides
    ([kid(10), kid(5), MemberFacts(name="X")], True),        # 2 of 3 already
    ([ADULT, ADULT, kid(1), MemberFacts(name="X")], False),    # at most 2 of 4
    ([ADULT, kid(1), kid(2), MemberFacts(name="X")], None),
    ([kid(10), MemberFacts(name="X", disabled=True)], True),   # disabled: a dependant at any age
])
def test_dependants_with_a_member_of_unknown_age(members, expected) -> None:
    r = result("dependants", members)
    if expected is None:
        assert_unknown(r)
        assert r.reason.params["name"] == "X"
    else:
        assert r.deprived is expected and r.source is Source.DERIVED


def test_dependants_no_members_is_unknown() -> None:
    assert_unknown(result("dependants", []))


# --- nutrition ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("age", "stunted", "expected"), [
    (0, True, True),
    (15, True, True),
    (16, True, False),   # not a child any more
    (15, False, False),
    (15, None, None),    # not recorded: unknown
    (40, None, False),   # adults need no nutrition record
])
def test_nutrition(age, stunted, expected) -> None:
    m = MemberFacts(name="Bé Na", age=age, stunted_or_underweight=stunted)
    r = result("nutrition", [ADULT, m])
    if expected is None:
        assert_unknown(r)
    else:
        assert r.deprived is expected and r.source is Source.DERIVED
    if expected:
        assert r.reason.params == {"name": "Bé Na", "age": age}


def test_nutrition_without_children() -> None:
    r = result("nutrition", [ADULT])
    assert r.deprived is False and r.source is Source.DERIVED
    assert r.reason.english() == "No child under 16"


def test_nutrition_names_the_stunted_child_not_the_first() -> None:
    r = result("nutrition", [ADULT, kid(3), replace(kid(7), name="Bé Út", stunted_or_underweight=True)])
    assert r.deprived
    assert r.reason.params["name"] == "Bé Út"


# --- health insurance -----------------------------------------------------------------------------
@pytest.mark.parametrize(("age", "insured", "expected"), [
    (6, False, True),
    (5, False, False),   # under 6: not counted
    (0, False, False),
    (80, False, True),
    (6, True, False),
    (6, None, None),
    (5, None, False),
])
def test_health_insurance(age, insured, expected) -> None:
    m = MemberFacts(name="Châu Văn Lực", age=age, has_health_insurance=insured)
    r = result("health_insurance", [ADULT, m])
    if expected is None:
        assert_unknown(r)
    else:
        assert r.deprived is expected and r.source is Source.DERIVED
    if expected:
        assert r.reason.params == {"name": "Châu Văn Lực", "age": age}
        assert r.reason.english() == f"Châu Văn Lực ({age}) has no health insurance"


@pytest.mark.parametrize(("birth", "deprived"), [(date(2020, 11, 22), True), (date(2020, 11, 23), False)])
def test_health_insurance_sixth_birthday(birth, deprived) -> None:
    m = MemberFacts(name="Bé Ba", birth_date=birth, has_health_insurance=False)
    assert result("health_insurance", [ADULT, m]).deprived is deprived


def test_health_insurance_unknown_member_then_uninsured_one_is_deprived() -> None:
    r = result("health_insurance", [person("A", has_health_insurance=None),
                                    person("B", has_health_insurance=False)])
    assert r.deprived and r.reason.params["name"] == "B"


def test_health_insurance_uninsured_member_of_unknown_age_is_unknown() -> None:
    r = result("health_insurance", [ADULT, MemberFacts(name="Ông Bảy", has_health_insurance=False)])
    assert_unknown(r)
    assert r.reason.params["name"] == "Ông Bảy"


def test_health_insurance_unnamed_member_is_called_by_position() -> None:
    r = result("health_insurance", [ADULT, MemberFacts(age=30, has_health_insurance=False)])
    assert r.reason.params["name"] == "#2"


# --- adult education ------------------------------------------------------------------------------
@pytest.mark.parametrize(("age", "in_school", "qual", "expected"), [
    (15, False, Q.NONE, False),             # under 16: the child rule applies instead
    (16, False, Q.PRIMARY, True),
    (16, False, Q.LOWER_SECONDARY, False),
    (17, False, Q.PRIMARY, True),
    (17, False, Q.LOWER_SECONDARY, False),  # 16-<18 needs lower secondary only
    (18, False, Q.LOWER_SECONDARY, True),   # 18-30 needs upper secondary or vocational
    (18, False, Q.UPPER_SECONDARY, False),
    (18, False, Q.VOCATIONAL, False),
    (25, False, Q.COLLEGE, False),
    (25, False, Q.UNIVERSITY, False),
    (30, False, Q.LOWER_SECONDARY, True),
    (30, False, Q.NONE, True),
    (31, False, Q.NONE, False),             # over 30: not counted
    (20, True, Q.NONE, False),              # studying
    (17, True, Q.PRIMARY, False),
    (20, False, None, None),                # qualification not recorded
    (20, None, Q.PRIMARY, None),            # lacks it, but is he studying? not recorded
    (20, None, Q.UPPER_SECONDARY, False),   # has it whether studying or not
])
def test_adult_education(age, in_school, qual, expected) -> None:
    m = MemberFacts(name="Kim Văn Hải", age=age, in_school=in_school, qualification=qual)
    r = result("adult_education", [ADULT, m])
    if expected is None:
        assert_unknown(r)
    else:
        assert r.deprived is expected and r.source is Source.DERIVED
    if expected:
        assert r.reason.params == {"name": "Kim Văn Hải", "age": age}


@pytest.mark.parametrize(("age", "words"), [(17, "lower secondary"), (18, "upper secondary")])
def test_adult_education_reason_names_the_missing_level(age, words) -> None:
    m = MemberFacts(name="Kim Văn Hải", age=age, in_school=False, qualification=Q.NONE)
    text = result("adult_education", [m]).reason.english()
    assert words in text
    assert f"Kim Văn Hải ({age})" in text


# --- child schooling ------------------------------------------------------------------------------
@pytest.mark.parametrize(("age", "in_school", "expected"), [
    (2, False, False),   # under 3: not counted
    (3, False, True),
    (10, False, True),
    (15, False, True),
    (16, False, False),  # 16: the adult rule applies instead
    (10, True, False),
    (10, None, None),
    (2, None, False),
])
def test_child_schooling(age, in_school, expected) -> None:
    m = MemberFacts(name="Bé Lan", age=age, in_school=in_school)
    r = result("child_schooling", [ADULT, m])
    if expected is None:
        assert_unknown(r)
    else:
        assert r.deprived is expected and r.source is Source.DERIVED
    if expected:
        assert r.reason.params == {"name": "Bé Lan", "age": age}


@pytest.mark.parametrize(("birth", "deprived"), [
    (date(2023, 11, 22), True),    # third birthday today
    (date(2023, 11, 23), False),   # tomorrow
    (date(2010, 11, 23), True),    # 16 tomorrow: still a child
    (date(2010, 11, 22), False),   # 16 today
])
def test_child_schooling_birthdays(birth, deprived) -> None:
    m = MemberFacts(name="Bé", birth_date=birth, in_school=False)
    assert result("child_schooling", [ADULT, m]).deprived is deprived


@pytest.mark.parametrize(("age", "child_rule", "adult_rule"), [(15, True, False), (16, False, True)])
def test_15_is_a_child_16_an_adult(age, child_rule, adult_rule) -> None:
    """A youngster out of school with primary school only: which education indicator they trip."""
    m = MemberFacts(name="Thạch Sa Rươne", age=age, in_school=False, qualification=Q.PRIMARY,
                    stunted_or_underweight=True, has_health_insurance=True)
    results = {r.code: r for r in derive_indicators(S22, (ADULT, m), GOOD_HOUSE, ON)}
    assert results["child_schooling"].deprived is child_rule
    assert results["adult_education"].deprived is adult_rule
    assert results["nutrition"].deprived is child_rule


# --- housing --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("quality", "expected"), [
    (HousingQuality.NONE, True),
    (HousingQuality.NON_DURABLE, True),
    (HousingQuality.SEMI_DURABLE, False),
    (HousingQuality.DURABLE, False),
    (None, None),
])
def test_housing_quality(quality, expected) -> None:
    r = result("housing_quality", [ADULT], replace(GOOD_HOUSE, quality=quality))
    if expected is None:
        assert_unknown(r)
    else:
        assert r.deprived is expected and r.source is Source.DERIVED


@pytest.mark.parametrize(("area", "people", "deprived", "shown"), [
    (8.0, 1, False, "8"),     # exactly 8 m² a person is enough
    (7.99, 1, True, "7.99"),
    (32.0, 4, False, "8"),
    (31.96, 4, True, "7.99"),
    (31.99, 4, True, "7.99"),  # 7.9975: not rounded up to "8" while saying "under 8"
    (0.0, 2, True, "0"),
    (20.0, 3, True, "6.66"),
    (50.0, 4, False, "12.5"),
])
def test_housing_area_8_square_metres_a_person(area, people, deprived, shown) -> None:
    members = [person(f"P{i}") for i in range(people)]
    r = result("housing_area", members, replace(GOOD_HOUSE, area_m2=area))
    assert r.deprived is deprived
    assert r.source is Source.DERIVED
    assert r.reason.params["per_person"] == shown
    assert r.reason.params["members"] == people


def test_housing_area_unknown() -> None:
    assert_unknown(result("housing_area", [ADULT], replace(GOOD_HOUSE, area_m2=None)))
    assert_unknown(result("housing_area", [], GOOD_HOUSE))


# --- water, latrine, telecom, waste ---------------------------------------------------------------
@pytest.mark.parametrize(("code", "attr", "std"), [
    ("water", "safe_water", S22),
    ("latrine", "hygienic_latrine", S22),
    ("telecom", "uses_telecom", S22),
    ("water", "safe_water", S27),
    ("latrine", "hygienic_latrine", S27),
    ("telecom", "uses_telecom", S27),
    ("waste", "waste_treated", S27),
])
@pytest.mark.parametrize(("value", "expected"), [(False, True), (True, False), (None, None)])
def test_housing_yes_no_indicators(code, attr, std, value, expected) -> None:
    r = result(code, [ADULT], replace(GOOD_HOUSE, **{attr: value}), std=std)
    if expected is None:
        assert_unknown(r)
    else:
        assert r.deprived is expected and r.source is Source.DERIVED
        assert "not recorded" not in r.reason.english()
        text = r.reason.english()
        assert (text.startswith("No ") or " not " in text) is expected


def test_waste_only_in_2027_2030() -> None:
    house = replace(GOOD_HOUSE, waste_treated=False)
    codes_22 = [r.code for r in derive_indicators(S22, (ADULT,), house, ON) if r.deprived]
    codes_27 = [r.code for r in derive_indicators(S27, (ADULT,), house, ON27) if r.deprived]
    assert codes_22 == []
    assert codes_27 == ["waste"]


# --- information devices (2022-2026 only) ---------------------------------------------------------
@pytest.mark.parametrize(("device", "loudspeaker", "expected"), [
    (True, None, False),
    (True, False, False),
    (False, True, False),   # no device, but hears the village loudspeaker
    (None, True, False),
    (False, False, True),
    (False, None, None),    # no device; loudspeaker not recorded
    (None, False, None),
    (None, None, None),
])
def test_information_devices(device, loudspeaker, expected) -> None:
    house = replace(GOOD_HOUSE, has_information_device=device, hears_loudspeaker=loudspeaker)
    r = result("information_devices", [ADULT], house)
    if expected is None:
        assert_unknown(r)
    else:
        assert r.deprived is expected and r.source is Source.DERIVED


def test_information_devices_dropped_in_2027() -> None:
    house = replace(GOOD_HOUSE, has_information_device=False, hears_loudspeaker=False)
    assert result("information_devices", [ADULT], house).deprived
    results = derive_indicators(S27, (ADULT,), house, ON27)
    assert "information_devices" not in [r.code for r in results]
    assert not any(r.deprived for r in results)


# --- explicit values and overrides ------------------------------------------------------------------
def test_explicit_value_wins_over_derived() -> None:
    house = replace(GOOD_HOUSE, safe_water=True, hygienic_latrine=False)
    r_water = result("water", [ADULT], house, explicit={"water": True, "latrine": False})
    r_latrine = result("latrine", [ADULT], house, explicit={"water": True, "latrine": False})
    assert r_water.deprived is True and r_water.source is Source.EXPLICIT
    assert r_latrine.deprived is False and r_latrine.source is Source.EXPLICIT


def test_explicit_value_fills_an_unknown() -> None:
    r = result("housing_quality", [ADULT], HousingFacts(), explicit={"housing_quality": True})
    assert r.deprived is True and r.source is Source.EXPLICIT


def test_explicit_value_for_another_standards_indicator_is_ignored() -> None:
    results = derive_indicators(S22, (ADULT,), GOOD_HOUSE, ON, explicit={"waste": True})
    assert "waste" not in [r.code for r in results]
    assert not any(r.deprived for r in results)


def test_override_wins_over_explicit_and_derived() -> None:
    house = replace(GOOD_HOUSE, safe_water=False)
    overrides = {"water": Override(False, "Giếng khoan mới, đã kiểm tra 10/2026")}
    r = result("water", [ADULT], house, explicit={"water": True}, overrides=overrides)
    assert r.deprived is False
    assert r.source is Source.OVERRIDE
    assert r.override_reason == "Giếng khoan mới, đã kiểm tra 10/2026"
    assert r.reason.params["reason"] == "Giếng khoan mới, đã kiểm tra 10/2026"

    r2 = result("telecom", [ADULT], GOOD_HOUSE, overrides={"telecom": Override(True, "Điện thoại đã bán")})
    assert r2.deprived is True and r2.source is Source.OVERRIDE


def test_override_touches_only_its_own_indicator() -> None:
    results = derive_indicators(S22, (ADULT,), GOOD_HOUSE, ON,
                                overrides={"latrine": Override(True, "Nhà tiêu tạm")})
    assert [(r.code, r.source) for r in results if r.source is not Source.DERIVED] == [
        ("latrine", Source.OVERRIDE)]


def test_derive_for_uses_the_household_explicit_values() -> None:
    facts = HouseholdFacts(standard="2022-2026", area=Area.RURAL, income_per_capita=1_000_000,
                           indicators={"latrine": True}, members=(ADULT,), housing=GOOD_HOUSE)
    results = {r.code: r for r in derive_for(facts, S22, ON)}
    assert results["latrine"].deprived and results["latrine"].source is Source.EXPLICIT
    assert results["water"].source is Source.DERIVED


@pytest.mark.parametrize("reason", ["", "  ", "ab", " x "])
def test_override_needs_a_reason(reason) -> None:
    with pytest.raises(ValidationError) as err:
        validate_overrides(S22, {"water": Override(True, reason)})
    assert err.value.field == "overrides.water"


@pytest.mark.parametrize(("std", "code"), [(S22, "foo"), (S22, "waste"), (S27, "information_devices")])
def test_override_needs_a_known_indicator(std, code) -> None:
    with pytest.raises(ValidationError) as err:
        validate_overrides(std, {code: Override(True, "Lý do đầy đủ")})
    assert err.value.field == f"overrides.{code}"
    assert err.value.problems[0].params == {"code": code, "standard": std.code}


def test_validate_overrides_reports_every_problem_and_accepts_good_ones() -> None:
    assert validate_overrides(S22, {"water": Override(True, "Nước giếng nhiễm phèn")}) is None
    assert validate_overrides(S22, {}) is None
    with pytest.raises(ValidationError) as err:
        validate_overrides(S22, {"water": Override(True, "Nước giếng nhiễm phèn"),
                                 "latrine": Override(True, ""), "foo": Override(False, "Lý do")})
    assert sorted(p.field for p in err.value.problems) == ["overrides.foo", "overrides.latrine"]
