"""The two national poverty standards as data (DOMAIN.md §1.1, §1.4, §1.5)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from povcase.domain.standards import (
    CLASSIFICATION_LABELS,
    STANDARDS,
    Area,
    Classification,
    get_standard,
    standard_for,
    standard_for_year,
)
from povcase.errors import PovcaseError

S22 = get_standard("2022-2026")
S27 = get_standard("2027-2030")

CODES_2022 = ("employment", "dependants", "nutrition", "health_insurance", "adult_education",
              "child_schooling", "housing_quality", "housing_area", "water", "latrine", "telecom",
              "information_devices")


def test_exactly_two_standards_are_known() -> None:
    assert set(STANDARDS) == {"2022-2026", "2027-2030"}
    assert S22.code == "2022-2026"
    assert S27.code == "2027-2030"


@pytest.mark.parametrize("std", [S22, S27], ids=lambda s: s.code)
def test_twelve_distinct_indicators_in_six_dimensions(std) -> None:
    assert len(std.indicators) == 12
    assert len(set(std.indicator_codes)) == 12
    dimensions = {i.dimension.code for i in std.indicators}
    assert dimensions == {"employment", "health", "education", "housing", "water_sanitation", "information"}


@pytest.mark.parametrize("std", [S22, S27], ids=lambda s: s.code)
def test_every_indicator_has_labels_rules_and_legal_basis(std) -> None:
    for ind in std.indicators:
        assert ind.label_vi and ind.label_en and ind.rule_vi and ind.rule_en
        assert ind.legal_basis
        assert std.indicator(ind.code) is ind


def test_2022_indicator_set_and_order() -> None:
    assert S22.indicator_codes == CODES_2022


def test_2027_drops_information_devices_and_adds_waste() -> None:
    assert "information_devices" in S22.indicator_codes
    assert "information_devices" not in S27.indicator_codes
    assert "waste" in S27.indicator_codes
    assert "waste" not in S22.indicator_codes
    assert set(S27.indicator_codes) == set(S22.indicator_codes) - {"information_devices"} | {"waste"}


def test_2027_waste_is_water_and_sanitation_and_telecom_stays_information() -> None:
    assert S27.indicator("waste").dimension.code == "water_sanitation"
    assert S27.indicator("telecom").dimension.code == "information"
    info = [i.code for i in S27.indicators if i.dimension.code == "information"]
    assert info == ["telecom"]
    water = [i.code for i in S27.indicators if i.dimension.code == "water_sanitation"]
    assert water == ["water", "latrine", "waste"]


def test_legal_bases_name_the_decrees() -> None:
    assert "07/2021" in S22.legal_basis
    assert "351/2025" in S22.legal_basis  # the extension to 31/12/2026
    assert "351/2025" in S27.legal_basis
    assert all("07/2021" in i.legal_basis for i in S22.indicators)
    assert all("351/2025" in i.legal_basis for i in S27.indicators)


@pytest.mark.parametrize(("std", "area", "line", "middle_upper", "cutoff"), [
    (S22, Area.RURAL, 1_500_000, 2_250_000, 140),
    (S22, Area.URBAN, 2_000_000, 3_000_000, 175),
    (S27, Area.RURAL, 2_200_000, None, None),
    (S27, Area.URBAN, 2_800_000, None, None),
], ids=["2022-rural", "2022-urban", "2027-rural", "2027-urban"])
def test_thresholds(std, area, line, middle_upper, cutoff) -> None:
    t = std.thresholds[area]
    assert t.income_line == line
    assert t.middle_upper == middle_upper
    assert t.score_a_cutoff == cutoff


@pytest.mark.parametrize("std", [S22, S27], ids=lambda s: s.code)
def test_poor_needs_three_deprivations_of_ten_points(std) -> None:
    assert std.poor_min_deprivations == 3
    assert std.points_per_indicator == 10


def test_dependant_definitions_differ() -> None:
    assert S22.dependants_rule != S27.dependants_rule


@pytest.mark.parametrize(("day", "code"), [
    (date(2022, 1, 1), "2022-2026"),
    (date(2024, 6, 15), "2022-2026"),
    (date(2025, 12, 31), "2022-2026"),  # the original end, extended by Nghị định 351/2025
    (date(2026, 12, 31), "2022-2026"),
    (date(2027, 1, 1), "2027-2030"),
    (date(2030, 12, 31), "2027-2030"),
])
def test_standard_for_day(day, code) -> None:
    assert standard_for(day).code == code
    assert standard_for(day).covers(day)


@pytest.mark.parametrize("day", [date(2021, 12, 31), date(2031, 1, 1)])
def test_no_standard_outside_2022_2030(day) -> None:
    with pytest.raises(PovcaseError) as err:
        standard_for(day)
    assert err.value.params["day"] == day.isoformat()


@pytest.mark.parametrize(("year", "code"), [(2022, "2022-2026"), (2026, "2022-2026"), (2027, "2027-2030"),
                                            (2030, "2027-2030")])
def test_standard_for_year(year, code) -> None:
    assert standard_for_year(year).code == code


def test_periods_do_not_overlap_and_leave_no_gap() -> None:
    assert S22.valid_from == date(2022, 1, 1)
    assert S22.valid_to == date(2026, 12, 31)
    assert S27.valid_from == date(2027, 1, 1)
    assert S27.valid_to == date(2030, 12, 31)
    assert not S22.covers(date(2027, 1, 1))
    assert not S27.covers(date(2026, 12, 31))


@pytest.mark.parametrize("code", ["2021-2025", "", "2022", "2022–2026"])  # the last has an en dash
def test_unknown_standard_code(code) -> None:
    with pytest.raises(PovcaseError) as err:
        get_standard(code)
    assert err.value.params["code"] == code
    assert "2022-2026" in err.value.params["known"] and "2027-2030" in err.value.params["known"]


def test_unknown_indicator_code() -> None:
    with pytest.raises(KeyError):
        S22.indicator("waste")
    with pytest.raises(KeyError):
        S27.indicator("information_devices")


def test_local_standard_is_a_copy_with_higher_thresholds() -> None:
    local = S22.with_thresholds(Area.RURAL, income_line=1_800_000)
    assert local.thresholds[Area.RURAL].income_line == 1_800_000
    assert local.thresholds[Area.RURAL].score_a_cutoff == 140  # the rest is kept
    assert local.thresholds[Area.URBAN] == S22.thresholds[Area.URBAN]
    assert local.indicator_codes == S22.indicator_codes
    # The national standard is unchanged.
    assert S22.thresholds[Area.RURAL].income_line == 1_500_000
    assert get_standard("2022-2026").thresholds[Area.RURAL].income_line == 1_500_000


def test_standards_are_immutable() -> None:
    with pytest.raises(FrozenInstanceError):
        S22.code = "x"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        S22.thresholds[Area.RURAL].income_line = 1  # type: ignore[misc]


def test_every_classification_has_both_labels() -> None:
    assert set(CLASSIFICATION_LABELS) == set(Classification)
    assert CLASSIFICATION_LABELS[Classification.POOR][0] == "Hộ nghèo"
    assert CLASSIFICATION_LABELS[Classification.NEAR_POOR][0] == "Hộ cận nghèo"
    for vi, en in CLASSIFICATION_LABELS.values():
        assert vi and en
