"""Deriving a household's deprivations from member and housing facts.

Each indicator gives a result that says *why*: which member or which housing fact caused it, so the
officer can check the reason against the household and override it (with a reason of their own) when
the facts on paper are wrong. A value given explicitly (by the review form or `classify` input) wins
over a derived one; a manual override wins over both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import Any

from povcase.domain.facts import (
    Employment,
    HouseholdFacts,
    HousingFacts,
    HousingQuality,
    MemberFacts,
    Qualification,
    Sex,
)
from povcase.domain.standards import Standard
from povcase.errors import N_, FieldProblem, ValidationError

MIN_AREA_PER_PERSON_M2 = 8.0
ELDERLY_AGE = 60  # Luật Người cao tuổi 2009


class Source(StrEnum):
    DERIVED = "derived"
    EXPLICIT = "explicit"
    OVERRIDE = "override"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Reason:
    """A translatable explanation: an English msgid with named parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        return self.msgid.format(**self.params)


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    deprived: bool
    source: Source
    reason: Reason
    override_reason: str | None = None

    @property
    def known(self) -> bool:
        return self.source is not Source.UNKNOWN


@dataclass(frozen=True)
class Override:
    """An officer's decision that an indicator is (or is not) deprived, whatever the facts say."""

    deprived: bool
    reason: str


# --- working age ---------------------------------------------------------------------------------
def retirement_age_months(sex: Sex | None, year: int) -> int:
    """Normal retirement age in months (Bộ luật Lao động 2019, Art. 169; Nghị định 135/2020).

    Men: 60y3m in 2021, +3 months a year up to 62 (2028). Women: 55y4m in 2021, +4 months a year up
    to 60 (2035). Sex unknown: the men's age, so nobody of working age is left out.
    """
    steps = max(0, year - 2021)
    men = min(60 * 12 + 3 + 3 * steps, 62 * 12)
    women = min(55 * 12 + 4 + 4 * steps, 60 * 12)
    return women if sex is Sex.FEMALE else men


def age_in_months(member: MemberFacts, on: date) -> int | None:
    if member.birth_date is not None and member.age is None:
        b = member.birth_date
        months = (on.year - b.year) * 12 + (on.month - b.month) - (1 if on.day < b.day else 0)
        return months
    if member.age is not None:
        return member.age * 12
    return None


def is_working_age(member: MemberFacts, on: date) -> bool | None:
    months = age_in_months(member, on)
    if months is None:
        return None
    return 15 * 12 <= months < retirement_age_months(member.sex, on.year)


# --- the rules -----------------------------------------------------------------------------------
Rule = Callable[[Standard, tuple[MemberFacts, ...], HousingFacts, date], tuple[bool | None, Reason]]


_NO_JOB_OR_CONTRACT = (Employment.UNEMPLOYED, Employment.WAGE_WITHOUT_CONTRACT)


def _employment(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
                ) -> tuple[bool | None, Reason]:
    unknown: Reason | None = None
    for i, m in enumerate(members):
        if not m.able_to_work:
            continue
        working_age = is_working_age(m, on)
        if working_age is None:
            # Age not recorded: it matters only if this member would be deprived at working age.
            if m.employment is None or m.employment in _NO_JOB_OR_CONTRACT:
                unknown = unknown or _age_unknown(m, i)
            continue
        if not working_age:
            continue
        if m.employment is Employment.UNEMPLOYED:
            return True, Reason(N_("{name} ({age}) is of working age and unemployed"),
                                {"name": m.label(i), "age": m.age_on(on)})
        if m.employment is Employment.WAGE_WITHOUT_CONTRACT:
            return True, Reason(N_("{name} ({age}) works for wages without a labour contract"),
                                {"name": m.label(i), "age": m.age_on(on)})
        if m.employment is None:
            unknown = unknown or Reason(N_("Employment of {name} ({age}) not recorded"),
                                        {"name": m.label(i), "age": m.age_on(on)})
    if not members:
        return None, Reason(N_("No members recorded"))
    if unknown is not None:
        return None, unknown
    return False, Reason(N_("No working-age member is unemployed or without a contract"))


def _age_unknown(m: MemberFacts, index: int) -> Reason:
    return Reason(N_("Age of {name} not recorded"), {"name": m.label(index)})


def _is_dependant(std: Standard, m: MemberFacts, on: date) -> bool | None:
    age = m.age_on(on)
    if age is None:
        # Unknown age: still a dependant under 2022–2026 when disabled or on allowance, whatever the age.
        if std.dependants_rule != "2027" and (m.disabled or m.social_allowance):
            return True
        return None
    if age < 16:
        return True
    if std.dependants_rule == "2027":
        # 2027–2030: children under 16, and elderly or disabled people on monthly social allowance.
        return m.social_allowance and (age >= ELDERLY_AGE or m.disabled)
    # 2022–2026: children, people past working age, severely disabled, on monthly social allowance.
    past_working_age = (age_in_months(m, on) or 0) >= retirement_age_months(m.sex, on.year)
    return past_working_age or m.disabled or m.social_allowance


def _dependants(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
                ) -> tuple[bool | None, Reason]:
    if not members:
        return None, Reason(N_("No members recorded"))
    status = [_is_dependant(std, m, on) for m in members]
    dependants = status.count(True)
    undecided = status.count(None)
    params = {"dependants": dependants, "members": len(members)}
    if undecided and dependants * 2 <= len(members) < (dependants + undecided) * 2:
        # The members of unknown age decide it: say whose age to fill in.
        i = status.index(None)
        return None, _age_unknown(members[i], i)
    if dependants * 2 > len(members):
        return True, Reason(N_("{dependants} of {members} members are dependants (more than half)"), params)
    return False, Reason(N_("{dependants} of {members} members are dependants (half or fewer)"), params)


def _nutrition(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
               ) -> tuple[bool | None, Reason]:
    if not members:
        return None, Reason(N_("No members recorded"))
    children: list[tuple[int, MemberFacts]] = []
    age_unknown: Reason | None = None
    for i, m in enumerate(members):
        age = m.age_on(on)
        if age is None:
            # Could be a child: unknown unless recorded as not stunted.
            if m.stunted_or_underweight is not False:
                age_unknown = age_unknown or _age_unknown(m, i)
        elif age < 16:
            children.append((i, m))
    for i, m in children:
        if m.stunted_or_underweight:
            return True, Reason(N_("{name} ({age}) is stunted or underweight"),
                                {"name": m.label(i), "age": m.age_on(on)})
    if age_unknown is not None:
        return None, age_unknown
    if not children:
        return False, Reason(N_("No child under 16"))
    if any(m.stunted_or_underweight is None for _, m in children):
        return None, Reason(N_("Nutrition status of a child under 16 not recorded"))
    return False, Reason(N_("No child under 16 is stunted or underweight"))


def _health_insurance(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
                      ) -> tuple[bool | None, Reason]:
    unknown = False
    age_unknown: Reason | None = None
    for i, m in enumerate(members):
        if m.age_on(on) is None:
            if m.has_health_insurance is not True:
                age_unknown = age_unknown or _age_unknown(m, i)
            continue
        if m.age_on(on) < 6:
            continue
        if m.has_health_insurance is False:
            return True, Reason(N_("{name} ({age}) has no health insurance"),
                                {"name": m.label(i), "age": m.age_on(on)})
        if m.has_health_insurance is None:
            unknown = True
    if not members:
        return None, Reason(N_("No members recorded"))
    if unknown:
        return None, Reason(N_("Health insurance of a member aged 6 or older not recorded"))
    if age_unknown is not None:
        return None, age_unknown
    return False, Reason(N_("Every member aged 6 or older has health insurance"))


_QUAL_RANK = {Qualification.NONE: 0, Qualification.PRIMARY: 1, Qualification.LOWER_SECONDARY: 2,
              Qualification.UPPER_SECONDARY: 3, Qualification.VOCATIONAL: 3, Qualification.COLLEGE: 4,
              Qualification.UNIVERSITY: 5}


def _adult_education(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
                     ) -> tuple[bool | None, Reason]:
    if not members:
        return None, Reason(N_("No members recorded"))
    unknown: Reason | None = None
    for i, m in enumerate(members):
        age = m.age_on(on)
        if m.in_school:
            continue
        if age is None:
            # Could be 16-30: unknown unless the member has the higher (18-30) qualification anyway.
            if m.qualification is None or _QUAL_RANK[m.qualification] < _QUAL_RANK[Qualification.UPPER_SECONDARY]:
                unknown = unknown or _age_unknown(m, i)
            continue
        if not 16 <= age <= 30:
            continue
        if m.qualification is None:
            unknown = unknown or Reason(N_("Qualification of a member aged 16-30 not recorded"))
            continue
        needed = Qualification.LOWER_SECONDARY if age < 18 else Qualification.UPPER_SECONDARY
        if _QUAL_RANK[m.qualification] < _QUAL_RANK[needed] and m.in_school is None:
            # Lacks the qualification, but nobody recorded whether they are studying.
            unknown = unknown or Reason(N_("Whether {name} ({age}) is studying is not recorded"),
                                        {"name": m.label(i), "age": age})
        elif _QUAL_RANK[m.qualification] < _QUAL_RANK[needed]:
            msg = (N_("{name} ({age}) is not studying and has not finished lower secondary school")
                   if age < 18 else
                   N_("{name} ({age}) is not studying and has neither upper secondary nor vocational "
                      "qualification"))
            return True, Reason(msg, {"name": m.label(i), "age": age})
    if unknown is not None:
        return None, unknown
    return False, Reason(N_("Every member aged 16-30 is studying or has the qualification for their age"))


def _child_schooling(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
                     ) -> tuple[bool | None, Reason]:
    if not members:
        return None, Reason(N_("No members recorded"))
    unknown = False
    age_unknown: Reason | None = None
    for i, m in enumerate(members):
        age = m.age_on(on)
        if age is None:
            if m.in_school is not True:
                age_unknown = age_unknown or _age_unknown(m, i)
            continue
        if not 3 <= age < 16:
            continue
        if m.in_school is False:
            return True, Reason(N_("{name} ({age}) does not attend school"), {"name": m.label(i), "age": age})
        if m.in_school is None:
            unknown = True
    if unknown:
        return None, Reason(N_("Schooling of a child aged 3-15 not recorded"))
    if age_unknown is not None:
        return None, age_unknown
    return False, Reason(N_("Every child aged 3-15 attends school"))


def _housing_quality(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
                     ) -> tuple[bool | None, Reason]:
    if h.quality is None:
        return None, Reason(N_("Housing quality not recorded"))
    if h.quality is HousingQuality.NONE:
        return True, Reason(N_("The household has no house"))
    if h.quality is HousingQuality.NON_DURABLE:
        return True, Reason(N_("The house is makeshift or non-durable"))
    return False, Reason(N_("The house is durable or semi-durable"))


def _housing_area(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
                  ) -> tuple[bool | None, Reason]:
    if h.area_m2 is None:
        return None, Reason(N_("Living area not recorded"))
    if not members:
        return None, Reason(N_("No members recorded"))
    # Shown truncated, not rounded, so 7.99 m² never reads as "8.0 m² each, under 8 m²".
    per_person = (Decimal(repr(h.area_m2)) / len(members)).quantize(Decimal("0.01"), ROUND_DOWN)
    params = {"area": f"{h.area_m2:g}", "members": len(members), "per_person": _decimal_text(per_person)}
    if h.area_m2 < MIN_AREA_PER_PERSON_M2 * len(members):
        return True, Reason(N_("{area} m² for {members} people: {per_person} m² each, under 8 m²"), params)
    return False, Reason(N_("{area} m² for {members} people: {per_person} m² each"), params)


def _decimal_text(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _yes_no(attr: str, deprived_when: bool, yes: str, no: str, missing: str) -> Rule:
    """A rule that reads one housing fact."""
    def rule(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
             ) -> tuple[bool | None, Reason]:
        value = getattr(h, attr)
        if value is None:
            return None, Reason(missing)
        deprived = value is deprived_when
        return deprived, Reason(yes if value else no)
    return rule


def _information_devices(std: Standard, members: tuple[MemberFacts, ...], h: HousingFacts, on: date
                         ) -> tuple[bool | None, Reason]:
    if h.has_information_device:
        return False, Reason(N_("Has a TV, radio, computer or phone"))
    if h.hears_loudspeaker:
        return False, Reason(N_("No device, but hears the village loudspeaker"))
    if h.has_information_device is None or h.hears_loudspeaker is None:
        return None, Reason(N_("Information devices not recorded"))
    return True, Reason(N_("No TV, radio, computer or phone, and cannot hear the village loudspeaker"))


RULES: dict[str, Rule] = {
    "employment": _employment,
    "dependants": _dependants,
    "nutrition": _nutrition,
    "health_insurance": _health_insurance,
    "adult_education": _adult_education,
    "child_schooling": _child_schooling,
    "housing_quality": _housing_quality,
    "housing_area": _housing_area,
    "water": _yes_no("safe_water", False, N_("Has safe domestic water"),
                     N_("No access to safe domestic water"), N_("Water source not recorded")),
    "latrine": _yes_no("hygienic_latrine", False, N_("Uses a hygienic latrine"),
                       N_("No hygienic latrine"), N_("Latrine not recorded")),
    "telecom": _yes_no("uses_telecom", False, N_("A member uses telecom or internet services"),
                       N_("No member uses telecom or internet services"), N_("Telecom use not recorded")),
    "information_devices": _information_devices,
    "waste": _yes_no("waste_treated", False, N_("Household waste is collected or treated"),
                     N_("Household waste is not collected or treated"),
                     N_("Waste treatment not recorded")),
}


def derive_indicators(
    standard: Standard,
    members: tuple[MemberFacts, ...],
    housing: HousingFacts,
    on: date,
    explicit: Mapping[str, bool] | None = None,
    overrides: Mapping[str, Override] | None = None,
) -> list[IndicatorResult]:
    """One result per indicator of the standard, in the standard's order.

    An indicator whose facts are missing is reported as not deprived with source UNKNOWN, so the
    officer sees what to fill in; it never silently counts as a deprivation.
    """
    explicit = explicit or {}
    overrides = overrides or {}
    results: list[IndicatorResult] = []
    for ind in standard.indicators:
        code = ind.code
        if code in overrides:
            o = overrides[code]
            results.append(IndicatorResult(code, o.deprived, Source.OVERRIDE,
                                           Reason(N_("Set by the officer: {reason}"), {"reason": o.reason}),
                                           override_reason=o.reason))
            continue
        if code in explicit:
            results.append(IndicatorResult(code, explicit[code], Source.EXPLICIT,
                                           Reason(N_("Given on the survey form"))))
            continue
        deprived, reason = RULES[code](standard, members, housing, on)
        source = Source.UNKNOWN if deprived is None else Source.DERIVED
        results.append(IndicatorResult(code, bool(deprived), source, reason))
    return results


def validate_overrides(standard: Standard, overrides: Mapping[str, Override]) -> None:
    """An override needs a known indicator and a reason the next reviewer can read."""
    problems = []
    for code, o in overrides.items():
        if code not in standard.indicator_codes:
            problems.append(FieldProblem(f"overrides.{code}", N_("Unknown indicator '{code}' for standard {standard}"),
                                         {"code": code, "standard": standard.code}))
        elif len(o.reason.strip()) < 3:
            problems.append(FieldProblem(f"overrides.{code}", N_("An override needs a reason")))
    if problems:
        raise ValidationError(problems)


def derive_for(facts: HouseholdFacts, standard: Standard, on: date) -> list[IndicatorResult]:
    return derive_indicators(standard, facts.members, facts.housing, on, explicit=facts.indicators)
