"""The provinces' poverty-reduction targets, as data per province and period, and progress against them
(DOMAIN.md §5). Pure: the caller supplies the year's figures.

Since the July 2025 reform the old provinces are merged: Trà Vinh is part of Vĩnh Long (code 86) and
Quảng Nam part of Đà Nẵng (code 48). Until the new provinces adopt their own resolutions, a commune is
measured against the resolution of the province it belonged to; the map below is by the new province
code, so it also applies the old resolution to the new province's other communes (former Vĩnh Long and
Bến Tre; former Đà Nẵng) — an approximation the report says out loud. Edit `PROVINCE_TARGETS` when a new
resolution is adopted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from povcase.errors import N_

KINH = "Kinh"
ETHNIC_MINORITIES = "*minorities"  # every group except Kinh


@dataclass(frozen=True)
class Target:
    """One target. `metric` says what is measured:

    - `poor_change` / `near_poor_change`: the year's change in the commune's rate, percentage points;
      met when it falls by at least `amount` (e.g. 1.5 for "down 1.5–2 points a year").
    - `group_poor_change`: the same for one ethnic group (`group`; ETHNIC_MINORITIES for all but Kinh).
    - `poor_rate_at_most`: the poor rate by the end of `by_year` is at most `amount` percent.
    - `poor_rate_share` / `near_poor_rate_share`: by the end of `by_year` the rate is at most `amount`
      times the rate of the period's first year with data (0.5: halve it; 0.75: cut by a quarter).
    - `health_insurance_coverage`: at least `amount` percent of members have health insurance.
    """

    code: str
    metric: str
    msgid: str
    amount: float
    upper: float | None = None  # the top of a range ("1.5–2 points": amount 1.5, upper 2.0)
    group: str | None = None
    by_year: int | None = None


@dataclass(frozen=True)
class TargetSet:
    key: str
    province_name: str  # the province that adopted it
    source: str  # the resolution
    first_year: int
    last_year: int
    targets: tuple[Target, ...]
    not_measured: tuple[str, ...] = ()  # msgids of targets the register cannot measure


TRA_VINH = TargetSet(
    key="tra_vinh_05", province_name="Trà Vinh",
    source="Nghị quyết số 05-NQ/TU của Tỉnh ủy Trà Vinh (2021) về giảm nghèo bền vững giai đoạn 2021–2025, "
           "định hướng đến năm 2030",
    first_year=2021, last_year=2030,
    targets=(
        Target("poor_down", "poor_change", N_("Poor-household rate down 1.5–2 points a year"), 1.5, 2.0),
        Target("khmer_poor_down", "group_poor_change", N_("Khmer poor-household rate down 3–4 points a year"),
               3.0, 4.0, group="Khmer"),
        Target("near_poor_down", "near_poor_change", N_("Near-poor rate down 1 point a year"), 1.0),
        Target("poor_halved", "poor_rate_share", N_("Poor rate halved by 2030"), 0.5, by_year=2030),
        Target("near_poor_quarter", "near_poor_rate_share", N_("Near-poor rate cut by a quarter by 2030"), 0.75,
               by_year=2030),
        Target("health_insurance", "health_insurance_coverage", N_("Health insurance coverage at least 95%"), 95.0),
    ),
    not_measured=(N_("Trained workers: 70 percent of the labour force, 35 percent with certificates"),),
)

QUANG_NAM = TargetSet(
    key="quang_nam_xxii_3", province_name="Quảng Nam",
    source="Nghị quyết Hội nghị Tỉnh ủy Quảng Nam lần thứ ba, khóa XXII, về giảm nghèo bền vững giai đoạn "
           "2021–2025",
    first_year=2021, last_year=2025,
    targets=(
        Target("poor_rate_2025", "poor_rate_at_most", N_("Poor rate at most 2.87% by the end of 2025"), 2.87,
               by_year=2025),
        Target("poor_down", "poor_change", N_("Poor rate of poor communes down 3–4 points a year"), 3.0, 4.0),
        Target("minority_poor_down", "group_poor_change", N_("Ethnic-minority poor rate down more than 3 points a year"),
               3.0, group=ETHNIC_MINORITIES),
    ),
    not_measured=(N_("Every household that registers to escape poverty gets support for its plan"),
                  N_("Loans for every eligible household that asks")),
)

TARGET_SETS: dict[str, TargetSet] = {s.key: s for s in (TRA_VINH, QUANG_NAM)}

# New (2025) province code, and the old codes, → the target set in use.
PROVINCE_TARGETS: dict[str, str] = {
    "86": "tra_vinh_05",  # Vĩnh Long since 1/7/2025, which took in Trà Vinh
    "84": "tra_vinh_05",  # Trà Vinh's old code
    "48": "quang_nam_xxii_3",  # Đà Nẵng since 1/7/2025, which took in Quảng Nam
    "49": "quang_nam_xxii_3",  # Quảng Nam's old code
}
MERGED_NOTE: dict[str, str] = {
    "86": N_("The commune is in Vĩnh Long, which took in Trà Vinh on 1 July 2025: it is measured against "
             "Trà Vinh's resolution until the new province sets its own targets."),
    "48": N_("The commune is in Đà Nẵng, which took in Quảng Nam on 1 July 2025: it is measured against "
             "Quảng Nam's resolution until the new city sets its own targets."),
}


def targets_for(province_code: str, year: int) -> TargetSet | None:
    """The target set a commune of `province_code` is measured against in `year`, if any."""
    key = PROVINCE_TARGETS.get(province_code)
    s = TARGET_SETS.get(key or "")
    if s is None or not s.first_year <= year <= s.last_year:
        return None
    return s


@dataclass(frozen=True)
class YearFigures:
    """What progress is measured on, for the commune in one year (rates in percent)."""

    year: int
    poor_rate: float
    near_poor_rate: float
    poor_change: float | None  # None: no figures for the year before
    near_poor_change: float | None
    group_poor_change: Mapping[str, float | None] = field(default_factory=dict)  # incl. ETHNIC_MINORITIES
    baseline_year: int | None = None  # the period's first year with data
    baseline_poor_rate: float | None = None
    baseline_near_poor_rate: float | None = None
    health_insurance_coverage: float | None = None


@dataclass(frozen=True)
class Progress:
    target: Target
    goal: float  # the value to reach (a change in points is negative: a fall)
    actual: float | None
    met: bool | None  # None: cannot be judged (no figures, or the deadline is still ahead)


def progress(targets: TargetSet, f: YearFigures) -> list[Progress]:
    out = []
    for t in targets.targets:
        goal, actual, met = _measure(t, f)
        out.append(Progress(t, goal, actual, met))
    return out


def _measure(t: Target, f: YearFigures) -> tuple[float, float | None, bool | None]:
    if t.metric in ("poor_change", "near_poor_change", "group_poor_change"):
        if t.metric == "poor_change":
            actual = f.poor_change
        elif t.metric == "near_poor_change":
            actual = f.near_poor_change
        else:
            actual = f.group_poor_change.get(t.group or "")
        return -t.amount, actual, None if actual is None else actual <= -t.amount
    if t.metric == "poor_rate_at_most":
        due = t.by_year is None or f.year >= t.by_year
        return t.amount, f.poor_rate, (f.poor_rate <= t.amount) if due else None
    if t.metric in ("poor_rate_share", "near_poor_rate_share"):
        base = f.baseline_poor_rate if t.metric == "poor_rate_share" else f.baseline_near_poor_rate
        actual = f.poor_rate if t.metric == "poor_rate_share" else f.near_poor_rate
        if base is None:
            return 0.0, actual, None
        goal = round(base * t.amount, 2)
        if actual <= goal:
            return goal, actual, True
        return goal, actual, (False if t.by_year is not None and f.year >= t.by_year else None)
    if t.metric == "health_insurance_coverage":
        actual = f.health_insurance_coverage
        return t.amount, actual, None if actual is None else actual >= t.amount
    raise ValueError(f"unknown target metric {t.metric!r}")
