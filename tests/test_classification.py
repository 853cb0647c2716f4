"""Poor / near-poor / middle / not poor, from income or from score A (DOMAIN.md §1.2, §1.3)."""

from __future__ import annotations

from datetime import date

import pytest

from povcase.domain.classification import classify, classify_values
from povcase.domain.deprivation import Source
from povcase.domain.facts import parse_facts
from povcase.domain.standards import Area, Classification, get_standard
from povcase.errors import ValidationError

S22 = get_standard("2022-2026")
S27 = get_standard("2027-2030")
C = Classification
RURAL, URBAN = Area.RURAL, Area.URBAN


# --- by income -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("std", "area", "income", "deprivations", "expected"), [
    # 2022-2026 rural: line 1,500,000, middle band up to 2,250,000
    (S22, RURAL, 1_500_000, 3, C.POOR),
    (S22, RURAL, 1_500_000, 2, C.NEAR_POOR),
    (S22, RURAL, 1_500_000, 12, C.POOR),
    (S22, RURAL, 0, 0, C.NEAR_POOR),
    (S22, RURAL, 900_000, 4, C.POOR),
    (S22, RURAL, 1_500_001, 3, C.MIDDLE),     # above the line: deprivations no longer matter
    (S22, RURAL, 1_500_001, 12, C.MIDDLE),
    (S22, RURAL, 2_250_000, 0, C.MIDDLE),
    (S22, RURAL, 2_250_001, 5, C.NOT_POOR),
    (S22, RURAL, 2_000_000, 3, C.MIDDLE),     # the urban line means nothing in the countryside
    # 2022-2026 urban: line 2,000,000, middle band up to 3,000,000
    (S22, URBAN, 2_000_000, 3, C.POOR),
    (S22, URBAN, 2_000_000, 2, C.NEAR_POOR),
    (S22, URBAN, 1_600_000, 0, C.NEAR_POOR),  # above the rural line, below the urban one
    (S22, URBAN, 2_000_001, 6, C.MIDDLE),
    (S22, URBAN, 3_000_000, 0, C.MIDDLE),
    (S22, URBAN, 3_000_001, 0, C.NOT_POOR),
    # 2027-2030: higher lines, no middle band yet
    (S27, RURAL, 1_500_001, 3, C.POOR),       # middle under the old standard, poor under the new
    (S27, RURAL, 2_200_000, 3, C.POOR),
    (S27, RURAL, 2_200_000, 2, C.NEAR_POOR),
    (S27, RURAL, 2_200_001, 3, C.NOT_POOR),
    (S27, URBAN, 2_800_000, 3, C.POOR),
    (S27, URBAN, 2_800_000, 2, C.NEAR_POOR),
    (S27, URBAN, 2_800_001, 5, C.NOT_POOR),
])
def test_by_income(std, area, income, deprivations, expected) -> None:
    assert classify_values(std, area, deprivations, income_per_capita=income) == (expected, "income")


def test_income_decides_when_score_a_is_given_too() -> None:
    assert classify_values(S22, RURAL, 5, income_per_capita=3_000_000, score_a=100) == (C.NOT_POOR, "income")
    assert classify_values(S22, RURAL, 5, income_per_capita=1_000_000, score_a=500) == (C.POOR, "income")


@pytest.mark.parametrize("income", [-1, -1_500_000])
def test_negative_income_rejected(income) -> None:
    with pytest.raises(ValidationError) as err:
        classify_values(S22, RURAL, 3, income_per_capita=income)
    assert err.value.field == "income_per_capita"


def test_neither_income_nor_score_a() -> None:
    with pytest.raises(ValidationError) as err:
        classify_values(S22, RURAL, 3)
    assert err.value.field == "income_per_capita"


def test_a_provinces_higher_local_line() -> None:
    local = S22.with_thresholds(RURAL, income_line=1_800_000)
    assert classify_values(local, RURAL, 1, income_per_capita=1_700_000)[0] is C.NEAR_POOR
    assert classify_values(S22, RURAL, 1, income_per_capita=1_700_000)[0] is C.MIDDLE


# --- by score A ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("area", "score_a", "deprivations", "expected"), [
    (RURAL, 140, 3, C.POOR),        # score B 30
    (RURAL, 140, 2, C.NEAR_POOR),   # score B 20
    (RURAL, 0, 0, C.NEAR_POOR),
    (RURAL, 141, 3, C.NOT_POOR),
    (RURAL, 141, 12, C.NOT_POOR),
    (RURAL, 175, 3, C.NOT_POOR),    # the urban cut-off does not apply
    (URBAN, 175, 3, C.POOR),
    (URBAN, 175, 2, C.NEAR_POOR),
    (URBAN, 176, 3, C.NOT_POOR),
    (URBAN, 141, 4, C.POOR),
])
def test_by_score_a_2022(area, score_a, deprivations, expected) -> None:
    assert classify_values(S22, area, deprivations, score_a=score_a) == (expected, "score_a")


@pytest.mark.parametrize("area", [RURAL, URBAN])
def test_score_a_only_in_2027_has_no_cutoff_yet(area) -> None:
    with pytest.raises(ValidationError) as err:
        classify_values(S27, area, 3, score_a=100)
    assert err.value.field == "score_a"
    assert err.value.problems[0].params == {"standard": "2027-2030"}
    assert "income_per_capita" in str(err.value)


def test_2027_with_income_and_score_a_uses_income() -> None:
    assert classify_values(S27, RURAL, 3, income_per_capita=2_000_000, score_a=100) == (C.POOR, "income")


# --- end to end from JSON ----------------------------------------------------------------------------
def household(**changes: object) -> dict:
    data = {
        "standard": "2022-2026",
        "area": "rural",
        "income_per_capita": 1_200_000,
        "date": "2026-11-22",
        "members": [
            {"name": "Nguyễn Văn Đức", "birth_date": "1980-03-02", "sex": "male", "employment": "unemployed",
             "has_health_insurance": False, "qualification": "primary", "in_school": False},
            {"name": "Trần Thị Mai", "age": 44, "sex": "female", "employment": "self_employed",
             "has_health_insurance": True, "qualification": "lower_secondary", "in_school": False},
            {"name": "Nguyễn Thị Hoa", "birth_date": "2012-09-09", "sex": "female", "in_school": True,
             "has_health_insurance": True, "stunted_or_underweight": False},
        ],
        "housing": {"area_m2": 20, "quality": "semi_durable", "safe_water": True, "hygienic_latrine": False,
                    "uses_telecom": True, "has_information_device": True, "hears_loudspeaker": True},
    }
    data.update(changes)
    return data


def test_classify_end_to_end() -> None:
    res = classify(parse_facts(household()))
    assert res.standard == "2022-2026"
    assert res.area is RURAL
    assert res.deprived == ["employment", "health_insurance", "housing_area", "latrine"]
    assert res.deprivation_count == 4
    assert res.score_b == 40
    assert res.classification is C.POOR
    assert res.basis == "income"
    assert res.unknown == []
    by_code = {r.code: r for r in res.indicators}
    assert by_code["employment"].reason.params == {"name": "Nguyễn Văn Đức", "age": 46}
    assert by_code["health_insurance"].reason.params["name"] == "Nguyễn Văn Đức"


@pytest.mark.parametrize(("changes", "expected", "count"), [
    ({}, C.POOR, 4),
    ({"indicators": {"latrine": False}}, C.POOR, 3),
    ({"indicators": {"latrine": False, "housing_area": False}}, C.NEAR_POOR, 2),
    ({"indicators": {"water": True}}, C.POOR, 5),
    ({"income_per_capita": 1_500_001}, C.MIDDLE, 4),
    ({"income_per_capita": 2_250_001}, C.NOT_POOR, 4),
    ({"area": "urban", "income_per_capita": 1_900_000}, C.POOR, 4),
    ({"income_per_capita": None, "score_a": 140}, C.POOR, 4),
    ({"income_per_capita": None, "score_a": 141}, C.NOT_POOR, 4),
    ({"standard": "2027-2030", "date": "2027-11-22", "income_per_capita": 2_200_000}, C.POOR, 4),
])
def test_classify_variants(changes, expected, count) -> None:
    res = classify(parse_facts(household(**changes)))
    assert res.classification is expected
    assert res.deprivation_count == count
    assert res.score_b == 10 * count


def test_classify_explicit_values_are_marked_explicit() -> None:
    res = classify(parse_facts(household(indicators={"latrine": False})))
    latrine = next(r for r in res.indicators if r.code == "latrine")
    assert latrine.source is Source.EXPLICIT and latrine.deprived is False


def test_classify_2027_score_a_only_is_refused() -> None:
    facts = parse_facts(household(standard="2027-2030", income_per_capita=None, score_a=100))
    with pytest.raises(ValidationError) as err:
        classify(facts)
    assert err.value.field == "score_a"


def test_classify_reports_unknown_indicators() -> None:
    data = household(housing={"area_m2": 60})
    res = classify(parse_facts(data))
    assert set(res.unknown) == {"housing_quality", "water", "latrine", "telecom", "information_devices"}
    # Unknown is never counted as deprived: only employment and health insurance remain.
    assert res.deprived == ["employment", "health_insurance"]
    assert res.classification is C.NEAR_POOR


@pytest.mark.parametrize(("day", "deprived"), [("2026-11-21", False), ("2026-11-22", True)])
def test_classify_computes_ages_on_the_inputs_date(day, deprived) -> None:
    """A child without health insurance turns 6 on 22/11/2026: counted from that day on."""
    members = [
        {"name": "Mẹ", "age": 30, "employment": "self_employed", "has_health_insurance": True,
         "qualification": "upper_secondary"},
        {"name": "Bé Tý", "birth_date": "2020-11-22", "has_health_insurance": False, "in_school": True,
         "stunted_or_underweight": False},
    ]
    res = classify(parse_facts(household(date=day, members=members)))
    assert ("health_insurance" in res.deprived) is deprived


def test_classify_uses_today_when_the_input_has_no_date() -> None:
    members = [{"name": "Bé Tý", "birth_date": "2020-11-22", "has_health_insurance": False}]
    data = household(members=members)
    del data["date"]
    facts = parse_facts(data, today=date(2026, 11, 30))
    assert "health_insurance" not in classify(facts, today=date(2026, 11, 21)).deprived
    assert "health_insurance" in classify(facts, today=date(2026, 11, 22)).deprived
