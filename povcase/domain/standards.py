"""The national multidimensional poverty standards, as data.

Each standard carries its income lines, score-A cut-offs, the middle-living band where one is known,
and its indicator set. Values the domain notes mark "verify" are data too, so a province (or a later
circular) can change them without touching the rules. Sources: Nghị định 07/2021/NĐ-CP (2022–2026,
extended to 31/12/2026 by Nghị định 351/2025/NĐ-CP), Nghị định 351/2025/NĐ-CP (2027–2030),
Thông tư 07/2021/TT-BLĐTBXH (scoring).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from povcase.errors import N_, PovcaseError


class Area(StrEnum):
    RURAL = "rural"
    URBAN = "urban"


class Classification(StrEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    MIDDLE = "middle"
    NOT_POOR = "not_poor"


CLASSIFICATION_LABELS: dict[Classification, tuple[str, str]] = {
    Classification.POOR: ("Hộ nghèo", "Poor household"),
    Classification.NEAR_POOR: ("Hộ cận nghèo", "Near-poor household"),
    Classification.MIDDLE: ("Hộ có mức sống trung bình", "Middle living standard"),
    Classification.NOT_POOR: ("Không thuộc diện", "Not poor"),
}


@dataclass(frozen=True)
class Dimension:
    code: str
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    dimension: Dimension
    label_vi: str
    label_en: str
    rule_vi: str
    rule_en: str
    legal_basis: str


@dataclass(frozen=True)
class AreaThresholds:
    """Money in VND per person per month; score A in points."""

    income_line: int
    middle_upper: int | None
    score_a_cutoff: int | None


@dataclass(frozen=True)
class Standard:
    code: str
    name_vi: str
    name_en: str
    legal_basis: str
    valid_from: date
    valid_to: date
    thresholds: dict[Area, AreaThresholds]
    indicators: tuple[IndicatorDef, ...]
    poor_min_deprivations: int = 3
    points_per_indicator: int = 10
    # Who counts as a dependant differs between the two standards (DOMAIN.md §1.4, §1.5).
    dependants_rule: str = "2022"

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    def indicator(self, code: str) -> IndicatorDef:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def with_thresholds(self, area: Area, **changes: int | None) -> Standard:
        """A copy with some thresholds changed: how a province's higher local standard is expressed."""
        new = dict(self.thresholds)
        new[area] = replace(new[area], **changes)
        return replace(self, thresholds=new)


EMPLOYMENT = Dimension("employment", "Việc làm", "Employment")
HEALTH = Dimension("health", "Y tế", "Health")
EDUCATION = Dimension("education", "Giáo dục", "Education")
HOUSING = Dimension("housing", "Nhà ở", "Housing")
WATER_SANITATION = Dimension("water_sanitation", "Nước sinh hoạt và vệ sinh", "Water and sanitation")
INFORMATION = Dimension("information", "Thông tin", "Information")

_ND07 = "Nghị định 07/2021/NĐ-CP, Điều 3"
_ND351 = "Nghị định 351/2025/NĐ-CP"


def _common(basis: str) -> dict[str, IndicatorDef]:
    """The indicators both standards share, keyed by code."""
    items = [
        IndicatorDef("employment", EMPLOYMENT, "Việc làm", "Employment",
                     "Có ít nhất một người trong độ tuổi lao động, có khả năng lao động, thất nghiệp "
                     "hoặc làm công ăn lương không có hợp đồng lao động",
                     "At least one working-age member able to work is unemployed or works for wages "
                     "without a labour contract", basis),
        IndicatorDef("dependants", EMPLOYMENT, "Người phụ thuộc trong hộ gia đình", "Dependants",
                     "Tỷ lệ người phụ thuộc trong tổng số nhân khẩu lớn hơn 50%",
                     "Dependants are more than 50% of the household's members", basis),
        IndicatorDef("nutrition", HEALTH, "Dinh dưỡng", "Nutrition",
                     "Có ít nhất một trẻ em dưới 16 tuổi bị suy dinh dưỡng thấp còi hoặc nhẹ cân",
                     "At least one child under 16 is stunted or underweight", basis),
        IndicatorDef("health_insurance", HEALTH, "Bảo hiểm y tế", "Health insurance",
                     "Có ít nhất một thành viên từ đủ 6 tuổi trở lên không có bảo hiểm y tế",
                     "At least one member aged 6 or older has no health insurance", basis),
        IndicatorDef("adult_education", EDUCATION, "Trình độ giáo dục của người lớn",
                     "Adult education",
                     "Có ít nhất một thành viên từ 16 đến 30 tuổi không tham gia học tập và chưa có "
                     "bằng cấp theo độ tuổi (16 đến dưới 18: THCS; 18 đến 30: THPT hoặc trung cấp nghề)",
                     "At least one member aged 16-30 is not studying and lacks the qualification due "
                     "for their age (16-<18: lower secondary; 18-30: upper secondary or vocational)",
                     basis),
        IndicatorDef("child_schooling", EDUCATION, "Tình trạng đi học của trẻ em", "Child schooling",
                     "Có ít nhất một trẻ em từ 3 đến dưới 16 tuổi không được học đúng bậc, cấp học "
                     "phù hợp với độ tuổi",
                     "At least one child aged 3 to under 16 is not attending the level right for "
                     "their age", basis),
        IndicatorDef("housing_quality", HOUSING, "Chất lượng nhà ở", "Housing quality",
                     "Không có nhà ở hoặc đang ở nhà thiếu kiên cố, đơn sơ",
                     "No house, or a makeshift / non-durable one", basis),
        IndicatorDef("housing_area", HOUSING, "Diện tích nhà ở bình quân đầu người",
                     "Living area per person",
                     "Diện tích nhà ở bình quân đầu người dưới 8 m²",
                     "Less than 8 m² of living area per person", basis),
        IndicatorDef("water", WATER_SANITATION, "Nguồn nước sinh hoạt", "Domestic water",
                     "Không được tiếp cận nguồn nước sinh hoạt an toàn",
                     "No access to safe domestic water", basis),
        IndicatorDef("latrine", WATER_SANITATION, "Nhà tiêu hợp vệ sinh", "Hygienic latrine",
                     "Không sử dụng nhà tiêu hợp vệ sinh", "No hygienic latrine", basis),
        IndicatorDef("telecom", INFORMATION, "Sử dụng dịch vụ viễn thông", "Telecom services",
                     "Không có thành viên nào sử dụng dịch vụ viễn thông, internet",
                     "No member uses telecom or internet services", basis),
    ]
    return {i.code: i for i in items}


def _standard_2022() -> Standard:
    c = _common(_ND07)
    devices = IndicatorDef(
        "information_devices", INFORMATION, "Phương tiện phục vụ tiếp cận thông tin",
        "Information devices",
        "Không có phương tiện tiếp cận thông tin (ti vi, radio, máy tính, điện thoại) và không nghe "
        "được hệ thống loa truyền thanh thôn",
        "None of TV, radio, computer or phone, and cannot hear the village loudspeaker", _ND07)
    order = ["employment", "dependants", "nutrition", "health_insurance", "adult_education",
             "child_schooling", "housing_quality", "housing_area", "water", "latrine", "telecom"]
    return Standard(
        code="2022-2026",
        name_vi="Chuẩn nghèo đa chiều giai đoạn 2022–2026",
        name_en="Multidimensional poverty standard 2022–2026",
        legal_basis=f"{_ND07}; kéo dài đến 31/12/2026 theo {_ND351}",
        valid_from=date(2022, 1, 1),
        valid_to=date(2026, 12, 31),
        thresholds={
            Area.RURAL: AreaThresholds(income_line=1_500_000, middle_upper=2_250_000, score_a_cutoff=140),
            Area.URBAN: AreaThresholds(income_line=2_000_000, middle_upper=3_000_000, score_a_cutoff=175),
        },
        indicators=tuple(c[k] for k in order) + (devices,),
        dependants_rule="2022",
    )


def _standard_2027() -> Standard:
    c = _common(_ND351)
    waste = IndicatorDef(
        "waste", WATER_SANITATION, "Xử lý rác thải sinh hoạt", "Household waste treatment",
        "Rác thải sinh hoạt của hộ không được thu gom, xử lý hợp vệ sinh",
        "The household's waste is not collected or treated hygienically", _ND351)
    order = ["employment", "dependants", "nutrition", "health_insurance", "adult_education",
             "child_schooling", "housing_quality", "housing_area", "water", "latrine"]
    return Standard(
        code="2027-2030",
        name_vi="Chuẩn nghèo đa chiều giai đoạn 2027–2030",
        name_en="Multidimensional poverty standard 2027–2030",
        legal_basis=_ND351,
        valid_from=date(2027, 1, 1),
        valid_to=date(2030, 12, 31),
        # Middle band and score-A cut-offs for 2027–2030 are not yet verified: left empty, so the
        # app asks for income instead of guessing (DOMAIN.md §1.3).
        thresholds={
            Area.RURAL: AreaThresholds(income_line=2_200_000, middle_upper=None, score_a_cutoff=None),
            Area.URBAN: AreaThresholds(income_line=2_800_000, middle_upper=None, score_a_cutoff=None),
        },
        indicators=tuple(c[k] for k in order) + (waste, c["telecom"]),
        dependants_rule="2027",
    )


STANDARDS: dict[str, Standard] = {s.code: s for s in (_standard_2022(), _standard_2027())}


def get_standard(code: str) -> Standard:
    try:
        return STANDARDS[code]
    except KeyError:
        raise PovcaseError(N_("Unknown poverty standard '{code}' (known: {known})"),
                           code=code, known=", ".join(STANDARDS)) from None


def standard_for(day: date) -> Standard:
    """The standard in force on a day (the review for year Y uses the standard in force in Y)."""
    for s in STANDARDS.values():
        if s.covers(day):
            return s
    raise PovcaseError(N_("No poverty standard covers {day}"), day=day.isoformat())


def standard_for_year(year: int) -> Standard:
    return standard_for(date(year, 7, 1))
