"""Escape plans and support programmes, as data and pure rules (DOMAIN.md §4).

The catalogue of programmes is data: the office adds its own local ones beside these in the register.
`suggest_goals` turns a household's current deprivations into goals an officer may accept or edit;
nothing here writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from povcase.domain.deprivation import IndicatorResult, is_working_age
from povcase.domain.facts import Employment, MemberFacts
from povcase.errors import N_

INCOME = "income"  # a goal about income rather than one indicator
HEALTH_INSURANCE_MIN_AGE = 6


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class GoalStatus(StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class SponsorKind(StrEnum):
    PARTY_MEMBER = "party_member"
    PARTY_CELL = "party_cell"
    UNIT = "unit"
    MASS_ORG = "mass_org"  # Women's Union, Farmers' Association, Youth Union, Veterans
    BUSINESS = "business"
    DONOR = "donor"


@dataclass(frozen=True)
class ProgrammeDef:
    code: str
    name_vi: str
    name_en: str
    group: str  # national_2021 | national_2026 | credit | health | housing | labour | local | other
    basis: str = ""
    max_amount: int | None = None  # VND per household, where the programme sets a ceiling
    instalments: tuple[int, ...] = ()  # percentages paid in turn, e.g. (70, 30)


_QD90 = "Quyết định 90/QĐ-TTg (2022)"
PROGRAMMES: tuple[ProgrammeDef, ...] = (
    ProgrammeDef("ntp2125_p1", "CTMTQG GNBV 2021–2025, Dự án 1: Hỗ trợ đầu tư phát triển hạ tầng kinh tế - xã hội "
                 "các huyện nghèo, các xã đặc biệt khó khăn vùng bãi ngang, ven biển và hải đảo",
                 "NTP 2021–2025, project 1: infrastructure in poor districts and coastal/island communes",
                 "national_2021", _QD90),
    ProgrammeDef("ntp2125_p2", "CTMTQG GNBV 2021–2025, Dự án 2: Đa dạng hóa sinh kế, phát triển mô hình giảm nghèo",
                 "NTP 2021–2025, project 2: diversified livelihoods and poverty-reduction models",
                 "national_2021", _QD90),
    ProgrammeDef("ntp2125_p3", "CTMTQG GNBV 2021–2025, Dự án 3: Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng",
                 "NTP 2021–2025, project 3: production support and nutrition", "national_2021", _QD90),
    ProgrammeDef("ntp2125_p4", "CTMTQG GNBV 2021–2025, Dự án 4: Phát triển giáo dục nghề nghiệp, việc làm bền vững",
                 "NTP 2021–2025, project 4: vocational education and sustainable jobs", "national_2021", _QD90),
    ProgrammeDef("ntp2125_p5", "CTMTQG GNBV 2021–2025, Dự án 5: Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo",
                 "NTP 2021–2025, project 5: housing for poor and near-poor households", "national_2021", _QD90,
                 40_000_000, (70, 30)),
    ProgrammeDef("ntp2125_p6", "CTMTQG GNBV 2021–2025, Dự án 6: Truyền thông và giảm nghèo về thông tin",
                 "NTP 2021–2025, project 6: communication and information", "national_2021", _QD90),
    ProgrammeDef("ntp2125_p7", "CTMTQG GNBV 2021–2025, Dự án 7: Nâng cao năng lực và giám sát, đánh giá",
                 "NTP 2021–2025, project 7: capacity, monitoring and evaluation", "national_2021", _QD90),
    ProgrammeDef("ntp2635", "Chương trình MTQG xây dựng nông thôn mới, giảm nghèo bền vững và phát triển "
                 "vùng đồng bào DTTS&MN giai đoạn 2026–2035",
                 "Merged national target programme 2026–2035 (new rural areas, poverty, ethnic-minority areas)",
                 "national_2026"),
    ProgrammeDef("vbsp_loan", "Vay vốn Ngân hàng Chính sách xã hội", "Social Policy Bank loan", "credit"),
    ProgrammeDef("health_insurance", "Hỗ trợ thẻ bảo hiểm y tế", "Health insurance (BHYT) support", "health"),
    ProgrammeDef("housing_new", "Hỗ trợ xây mới nhà ở", "Housing: new build", "housing", _QD90,
                 40_000_000, (70, 30)),
    ProgrammeDef("housing_repair", "Hỗ trợ sửa chữa nhà ở", "Housing: repair", "housing", _QD90,
                 20_000_000, (70, 30)),
    ProgrammeDef("vocational_training", "Đào tạo nghề", "Vocational training", "labour"),
    ProgrammeDef("job_placement", "Giới thiệu việc làm", "Job placement", "labour"),
    ProgrammeDef("work_abroad", "Đi làm việc ở nước ngoài theo hợp đồng", "Working abroad under contract",
                 "labour"),
    ProgrammeDef("livelihood", "Hỗ trợ sinh kế (giống, vật nuôi, công cụ)",
                 "Livelihood inputs (seeds, livestock, tools)", "livelihood"),
    ProgrammeDef("education", "Miễn, giảm học phí, hỗ trợ đi học", "Tuition exemption and school support",
                 "education"),
    ProgrammeDef("water_sanitation", "Hỗ trợ nước sạch, nhà tiêu hợp vệ sinh", "Safe water and sanitation support",
                 "water_sanitation"),
    ProgrammeDef("electricity", "Hỗ trợ tiền điện", "Electricity support", "other"),
    ProgrammeDef("local_campaign", "Vận động tại địa phương (tiền, quà)", "Local campaign (cash or gifts)", "local"),
    ProgrammeDef("other", "Hỗ trợ khác", "Other support", "other"),
)
PROGRAMME_CODES = frozenset(p.code for p in PROGRAMMES)


def get_programme(code: str) -> ProgrammeDef | None:
    return next((p for p in PROGRAMMES if p.code == code), None)


def instalment_amounts(total: int, shares: Sequence[int]) -> tuple[int, ...]:
    """Split a grant into instalments by percentage; the last takes the rounding remainder."""
    if not shares:
        return (total,)
    parts = [total * s // 100 for s in shares[:-1]]
    return (*parts, total - sum(parts))


@dataclass(frozen=True)
class ActionSuggestion:
    msgid: str
    programme_code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        return self.msgid.format(**self.params)


@dataclass(frozen=True)
class GoalSuggestion:
    indicator: str  # an indicator code, or INCOME
    msgid: str
    params: Mapping[str, Any]
    actions: tuple[ActionSuggestion, ...]
    members: tuple[str, ...] = ()

    def english(self) -> str:
        return self.msgid.format(**self.params)


def _names(members: Sequence[MemberFacts]) -> str:
    return ", ".join(m.name for m in members if m.name)


def suggest_goals(indicator_results: Sequence[IndicatorResult], classification: str | None,
                  members: Sequence[MemberFacts], on: date) -> list[GoalSuggestion]:
    """Goals for the household's current deprivations (and income when it is poor or near-poor).

    A suggestion names the members concerned where the facts say who they are. The officer accepts
    or edits it; the caller never writes it on its own.
    """
    deprived = {r.code for r in indicator_results if r.deprived}
    out: list[GoalSuggestion] = []
    if "health_insurance" in deprived:
        who = [m for m in members if m.has_health_insurance is False
               and (m.age_on(on) is None or (m.age_on(on) or 0) >= HEALTH_INSURANCE_MIN_AGE)]
        names = _names(who)
        out.append(GoalSuggestion(
            "health_insurance", N_("Health insurance for every member ({count} without a card: {names})"),
            {"count": len(who), "names": names},
            (ActionSuggestion(N_("Issue health insurance cards (BHYT) for {names}"), "health_insurance",
                              {"names": names}),),
            tuple(m.name for m in who)))
    if "housing_quality" in deprived or "housing_area" in deprived:
        code = "housing_new" if "housing_quality" in deprived else "housing_repair"
        out.append(GoalSuggestion(
            "housing_quality" if "housing_quality" in deprived else "housing_area",
            N_("A durable house with at least 8 m² per person"), {},
            (ActionSuggestion(N_("Apply for housing support (paid 70% then 30%)"), code),)))
    if "employment" in deprived:
        who = [m for m in members if m.able_to_work and m.employment in
               (Employment.UNEMPLOYED, Employment.WAGE_WITHOUT_CONTRACT) and is_working_age(m, on) is not False]
        names = _names(who)
        out.append(GoalSuggestion(
            "employment", N_("Stable work with a contract for {names}"), {"names": names},
            (ActionSuggestion(N_("Vocational training for {names}"), "vocational_training", {"names": names}),
             ActionSuggestion(N_("Job placement for {names}"), "job_placement", {"names": names})),
            tuple(m.name for m in who)))
    if "child_schooling" in deprived:
        who = [m for m in members if m.in_school is False and (age := m.age_on(on)) is not None and 3 <= age < 16]
        names = _names(who)
        out.append(GoalSuggestion(
            "child_schooling", N_("Every child aged 3 to 15 at school ({names})"), {"names": names},
            (ActionSuggestion(N_("Tuition exemption and school support for {names}"), "education",
                              {"names": names}),),
            tuple(m.name for m in who)))
    if "adult_education" in deprived:
        out.append(GoalSuggestion(
            "adult_education", N_("Members aged 16-30 back in education or training"), {},
            (ActionSuggestion(N_("Enrol in continuing education or vocational training"), "vocational_training"),)))
    if "water" in deprived:
        out.append(GoalSuggestion(
            "water", N_("Safe domestic water"), {},
            (ActionSuggestion(N_("Support for a safe water source"), "water_sanitation"),)))
    if "latrine" in deprived:
        out.append(GoalSuggestion(
            "latrine", N_("A hygienic latrine"), {},
            (ActionSuggestion(N_("Support to build a hygienic latrine"), "water_sanitation"),)))
    if "nutrition" in deprived:
        out.append(GoalSuggestion(
            "nutrition", N_("No child stunted or underweight"), {},
            (ActionSuggestion(N_("Nutrition support for the children"), "ntp2125_p3"),)))
    if deprived & {"telecom", "information_devices"}:
        code = "telecom" if "telecom" in deprived else "information_devices"
        out.append(GoalSuggestion(
            code, N_("Access to telecom services and information"), {},
            (ActionSuggestion(N_("Information support (devices, telecom)"), "ntp2125_p6"),)))
    if classification in ("poor", "near_poor"):
        out.append(GoalSuggestion(
            INCOME, N_("Income per person above the poverty line"), {},
            (ActionSuggestion(N_("Livelihood inputs (seeds, livestock, tools)"), "livelihood"),
             ActionSuggestion(N_("Social Policy Bank loan for production"), "vbsp_loan"))))
    return out


# --- visits --------------------------------------------------------------------------------------
FIRST_VISIT_DAYS = 30  # a newly assigned sponsor visits within a month
DUE_HORIZON_DAYS = 7  # "this week" of the due list


def visit_due_on(assigned_on: date, last_visit_on: date | None, next_visit_due: date | None) -> date:
    """When the sponsor should next visit: the date the last visit set, else a month after the later of
    the assignment and the last visit."""
    if next_visit_due is not None:
        return next_visit_due
    since = max(assigned_on, last_visit_on) if last_visit_on else assigned_on
    return date.fromordinal(since.toordinal() + FIRST_VISIT_DAYS)


# --- loans ---------------------------------------------------------------------------------------
def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: date
    principal: int  # VND
    interest: int  # VND, on the balance outstanding over the period
    balance_after: int  # principal outstanding once this instalment is paid


def loan_schedule(amount: int, annual_rate: float, disbursed_on: date, term_months: int,
                  interval_months: int) -> tuple[Instalment, ...]:
    """Equal principal instalments every `interval_months` (the last on the due date), interest on the
    declining balance, as the Social Policy Bank's lending agreements usually set it."""
    interval = max(1, min(interval_months, term_months))
    count = -(-term_months // interval)
    base = amount // count
    out: list[Instalment] = []
    balance = amount
    for n in range(1, count + 1):
        months = interval if n < count else term_months - interval * (count - 1)
        principal = base if n < count else balance
        interest = round(balance * annual_rate / 100 * months / 12)
        balance -= principal
        out.append(Instalment(n, add_months(disbursed_on, min(n * interval, term_months)), principal, interest,
                              balance))
    return tuple(out)


def next_instalment(schedule: Sequence[Instalment], paid: int) -> Instalment | None:
    """The first instalment whose principal is not yet covered by what was repaid, if any."""
    covered = 0
    for i in schedule:
        covered += i.principal
        if covered > paid:
            return i
    return None
