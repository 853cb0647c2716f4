"""The facts a deprivation profile is derived from: members and housing.

The same dataclasses serve the register (built from database rows by services) and the
`povcase classify` command (built from JSON by `parse_facts`). Parsing checks every value and reports
each bad one by its path, e.g. ``members[2].age``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from povcase.domain.standards import Area
from povcase.errors import N_, FieldProblem, ValidationError

MAX_AGE = 130
MAX_INCOME = 10_000_000_000  # VND a person a month; anything above is a typing slip
MAX_AREA_M2 = 100_000.0
MAX_SCORE_A = 1_000


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Qualification(StrEnum):
    NONE = "none"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    VOCATIONAL = "vocational"
    COLLEGE = "college"
    UNIVERSITY = "university"


class Employment(StrEnum):
    WAGE_WITH_CONTRACT = "wage_with_contract"
    WAGE_WITHOUT_CONTRACT = "wage_without_contract"
    SELF_EMPLOYED = "self_employed"
    UNEMPLOYED = "unemployed"
    NOT_WORKING = "not_working"


class HousingQuality(StrEnum):
    DURABLE = "durable"
    SEMI_DURABLE = "semi_durable"
    NON_DURABLE = "non_durable"
    NONE = "none"


@dataclass(frozen=True)
class MemberFacts:
    """What the rules need to know about one person. ``None`` means "not recorded"."""

    name: str = ""
    age: int | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    in_school: bool | None = None
    qualification: Qualification | None = None
    employment: Employment | None = None
    able_to_work: bool = True
    has_health_insurance: bool | None = None
    stunted_or_underweight: bool | None = None
    disabled: bool = False
    social_allowance: bool = False

    def age_on(self, day: date) -> int | None:
        """Completed years on a day; an explicit age wins over a birth date."""
        if self.age is not None:
            return self.age
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def label(self, index: int) -> str:
        return self.name or f"#{index + 1}"


@dataclass(frozen=True)
class HousingFacts:
    area_m2: float | None = None
    quality: HousingQuality | None = None
    safe_water: bool | None = None
    hygienic_latrine: bool | None = None
    uses_telecom: bool | None = None
    has_information_device: bool | None = None
    hears_loudspeaker: bool | None = None
    waste_treated: bool | None = None


@dataclass(frozen=True)
class HouseholdFacts:
    """Everything `classify` takes: the standard's inputs for one household."""

    standard: str
    area: Area
    income_per_capita: int | None = None
    score_a: int | None = None
    indicators: dict[str, bool] = field(default_factory=dict)
    members: tuple[MemberFacts, ...] = ()
    housing: HousingFacts = field(default_factory=HousingFacts)
    on: date | None = None


# --- parsing JSON ------------------------------------------------------------------------------
_MEMBER_KEYS = {"name", "full_name", "age", "birth_date", "sex", "in_school", "qualification",
                "employment", "able_to_work", "has_health_insurance", "stunted_or_underweight",
                "disabled", "social_allowance"}
_HOUSING_KEYS = {"area_m2", "quality", "safe_water", "hygienic_latrine", "uses_telecom",
                 "has_information_device", "hears_loudspeaker", "waste_treated"}
_TOP_KEYS = {"standard", "area", "income_per_capita", "score_a", "indicators", "members", "housing",
             "date"}


class _Reader:
    """Collects problems while reading a JSON object, so the caller hears about every bad field."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def bad(self, path: str, msgid: str, **params: Any) -> None:
        self.problems.append(FieldProblem(path, msgid, params))

    def unknown_keys(self, obj: dict[str, Any], allowed: set[str], prefix: str) -> None:
        for key in obj:
            if key not in allowed:
                self.bad(f"{prefix}{key}", N_("Unknown field '{name}'"), name=key)

    def boolean(self, obj: dict[str, Any], key: str, path: str) -> bool | None:
        value = obj.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.bad(path, N_("Must be true or false"))
        return None

    def integer(self, obj: dict[str, Any], key: str, path: str, low: int, high: int) -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad(path, N_("Must be a number"))
            return None
        if isinstance(value, float) and not value.is_integer():
            self.bad(path, N_("Must be a whole number"))
            return None
        if value < 0 <= low:
            self.bad(path, N_("Cannot be negative"))
            return None
        if not low <= value <= high:
            self.bad(path, N_("Must be between {low} and {high}"), low=low, high=high)
            return None
        return int(value)

    def number(self, obj: dict[str, Any], key: str, path: str, low: float, high: float) -> float | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            self.bad(path, N_("Must be a number"))
            return None
        if not low <= value <= high:
            self.bad(path, N_("Must be between {low} and {high}"), low=low, high=high)
            return None
        return float(value)

    def choice[E: StrEnum](self, obj: dict[str, Any], key: str, path: str, enum: type[E]) -> E | None:
        value = obj.get(key)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            self.bad(path, N_("Must be one of: {choices}"), choices=", ".join(e.value for e in enum))
            return None

    def iso_date(self, obj: dict[str, Any], key: str, path: str) -> date | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.bad(path, N_("Must be a date written YYYY-MM-DD"))
        return None


def parse_facts(data: Any, today: date | None = None) -> HouseholdFacts:
    """Read the JSON of `povcase classify`; raise ValidationError naming every bad field."""
    # Imported here: the standards module is light, but this keeps the dependency one-way and visible.
    from povcase.domain.standards import STANDARDS

    r = _Reader()
    if not isinstance(data, dict):
        raise ValidationError([FieldProblem("(input)", N_("Must be a JSON object"))])
    r.unknown_keys(data, _TOP_KEYS, "")
    standard = data.get("standard")
    if standard not in STANDARDS:
        r.bad("standard", N_("Must be one of: {choices}"), choices=", ".join(STANDARDS))
        standard = None
    area = r.choice(data, "area", "area", Area)
    if data.get("area") is None:  # missing or null: either way there is no area to classify by
        r.bad("area", N_("Required"))
    income = r.integer(data, "income_per_capita", "income_per_capita", 0, MAX_INCOME)
    score_a = r.integer(data, "score_a", "score_a", 0, MAX_SCORE_A)
    if data.get("income_per_capita") is None and data.get("score_a") is None:
        r.bad("income_per_capita", N_("Give income_per_capita or score_a"))
    on = r.iso_date(data, "date", "date")

    indicators: dict[str, bool] = {}
    raw_ind = data.get("indicators", {})
    if raw_ind is None:
        raw_ind = {}
    if not isinstance(raw_ind, dict):
        r.bad("indicators", N_("Must be a JSON object"))
    else:
        known = STANDARDS[standard].indicator_codes if standard else ()
        for code, value in raw_ind.items():
            path = f"indicators.{code}"
            if standard and code not in known:
                r.bad(path, N_("Unknown indicator '{code}' for standard {standard}"),
                      code=code, standard=standard)
            elif not isinstance(value, bool):
                r.bad(path, N_("Must be true or false"))
            else:
                indicators[code] = value

    members: list[MemberFacts] = []
    raw_members = data.get("members", [])
    if raw_members is None:
        raw_members = []
    if not isinstance(raw_members, list):
        r.bad("members", N_("Must be a list"))
        raw_members = []
    ref_day = on or today or date.today()
    for i, m in enumerate(raw_members):
        p = f"members[{i}]."
        if not isinstance(m, dict):
            r.bad(f"members[{i}]", N_("Must be a JSON object"))
            continue
        r.unknown_keys(m, _MEMBER_KEYS, p)
        name = m.get("name", m.get("full_name", ""))
        if not isinstance(name, str):
            r.bad(p + "name", N_("Must be text"))
            name = ""
        birth = r.iso_date(m, "birth_date", p + "birth_date")
        if birth and birth > ref_day:
            r.bad(p + "birth_date", N_("Cannot be in the future"))
        age = r.integer(m, "age", p + "age", 0, MAX_AGE)
        if birth and ref_day.year - birth.year > MAX_AGE:
            r.bad(p + "birth_date", N_("Must be between {low} and {high}"), low=ref_day.year - MAX_AGE,
                  high=ref_day.year)
        if m.get("age") is None and m.get("birth_date") is None:
            r.bad(p + "age", N_("Give age or birth_date"))
        members.append(MemberFacts(
            name=name,
            age=age,
            birth_date=birth,
            sex=r.choice(m, "sex", p + "sex", Sex),
            in_school=r.boolean(m, "in_school", p + "in_school"),
            qualification=r.choice(m, "qualification", p + "qualification", Qualification),
            employment=r.choice(m, "employment", p + "employment", Employment),
            able_to_work=r.boolean(m, "able_to_work", p + "able_to_work") is not False,
            has_health_insurance=r.boolean(m, "has_health_insurance", p + "has_health_insurance"),
            stunted_or_underweight=r.boolean(m, "stunted_or_underweight", p + "stunted_or_underweight"),
            disabled=bool(r.boolean(m, "disabled", p + "disabled")),
            social_allowance=bool(r.boolean(m, "social_allowance", p + "social_allowance")),
        ))

    raw_h = data.get("housing", {})
    if raw_h is None:
        raw_h = {}
    housing = HousingFacts()
    if not isinstance(raw_h, dict):
        r.bad("housing", N_("Must be a JSON object"))
    else:
        r.unknown_keys(raw_h, _HOUSING_KEYS, "housing.")
        housing = HousingFacts(
            area_m2=r.number(raw_h, "area_m2", "housing.area_m2", 0, MAX_AREA_M2),
            quality=r.choice(raw_h, "quality", "housing.quality", HousingQuality),
            safe_water=r.boolean(raw_h, "safe_water", "housing.safe_water"),
            hygienic_latrine=r.boolean(raw_h, "hygienic_latrine", "housing.hygienic_latrine"),
            uses_telecom=r.boolean(raw_h, "uses_telecom", "housing.uses_telecom"),
            has_information_device=r.boolean(raw_h, "has_information_device",
                                             "housing.has_information_device"),
            hears_loudspeaker=r.boolean(raw_h, "hears_loudspeaker", "housing.hears_loudspeaker"),
            waste_treated=r.boolean(raw_h, "waste_treated", "housing.waste_treated"),
        )
    if r.problems:
        raise ValidationError(r.problems)
    assert standard is not None and area is not None
    return HouseholdFacts(standard=standard, area=area, income_per_capita=income, score_a=score_a,
                          indicators=indicators, members=tuple(members), housing=housing, on=on)
