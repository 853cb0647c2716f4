"""What the documents are drawn from: plain frozen dataclasses filled by povcase.services.reports.

Labels arrive already translated (the service knows the catalogue); dates and amounts arrive raw, and
each document formats them. A document can only print what its DTO carries: the posting list's rows
have no field for an ID number, health or ethnicity, so none can leak onto a posted list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from povcase.i18n import translate


def fixed(value: float, lang: str, digits: int = 2, sign: bool = False) -> str:
    """7.25 → "7,25" (vi) / "7.25" (en); with `sign`, "+0,50" and "−1,20" (a true minus)."""
    text = f"{abs(value):,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    if value < 0 and round(abs(value), digits) > 0:
        return "−" + text
    return ("+" + text) if sign and value > 0 else text


@dataclass(frozen=True)
class Letterhead:
    """The issuing body and the place and date line of a document."""

    authority: str  # "ỦY BAN NHÂN DÂN" ("" to leave out)
    issuer: str  # "XÃ TRÀ CÚ"
    place: str  # "Trà Cú", for "Trà Cú, ngày … tháng … năm …"
    issued_on: date
    commune: str = ""  # "xã Trà Cú", inside sentences
    lang: str = "vi"

    def place_and_date(self) -> str:
        d = self.issued_on
        return translate("{place}, day {d} month {m} year {y}", self.lang, place=self.place, d=f"{d.day:02d}",
                         m=f"{d.month:02d}", y=d.year)


@dataclass(frozen=True)
class MemberLine:
    name: str
    relation: str
    sex: str
    birth_date: date | None
    id_number: str  # "" when unknown; printed on certificates only
    ethnicity: str


@dataclass(frozen=True)
class DeprivationLine:
    indicator: str  # the indicator's label
    cause: str  # which member or fact caused it


@dataclass(frozen=True)
class ActionLine:
    text: str
    responsible: str
    programme: str
    support: str  # "5.000.000 đồng" or "2 con bò giống"
    start_on: date | None
    due_on: date | None
    status: str


@dataclass(frozen=True)
class GoalLine:
    text: str
    linked_to: str  # indicator label or "Thu nhập"
    target_on: date | None
    status: str
    actions: tuple[ActionLine, ...]


@dataclass(frozen=True)
class SupportLine:
    given_on: date
    programme: str
    what: str  # amount or item and quantity
    member: str
    evidence_ref: str


@dataclass(frozen=True)
class PlanDoc:
    letterhead: Letterhead
    code: str
    head_name: str
    hamlet: str
    address: str
    phone: str
    members: tuple[MemberLine, ...]
    classification: str  # e.g. "Hộ nghèo (năm 2026, chuẩn 2022–2026), thiếu hụt 4/12 chỉ số, điểm B = 40"
    deprivations: tuple[DeprivationLine, ...]
    agreed_on: date | None
    registered_escape_on: date | None
    goals: tuple[GoalLine, ...]
    sponsor: str  # "Hội Liên hiệp Phụ nữ xã (Tổ chức chính trị - xã hội, …)" or ""
    sponsor_name: str  # under the sponsor's signature
    sponsor_since: date | None
    support: tuple[SupportLine, ...]
    support_total: int
    officer: str


@dataclass(frozen=True)
class ListRow:
    """One household on a list. Deliberately no ID number, health or ethnicity field."""

    code: str
    head_name: str
    hamlet: str
    address: str
    members: int
    status: str  # classification label for the year
    note: str = ""  # transition ("thoát nghèo", "phát sinh mới") or sponsor


@dataclass(frozen=True)
class ListSection:
    title: str  # "I. Hộ nghèo"
    rows: tuple[ListRow, ...]


@dataclass(frozen=True)
class HouseholdListDoc:
    """The posting list (niêm yết) and the year's lists of poor, near-poor, escaped, newly poor."""

    letterhead: Letterhead
    kind: str  # posting | poor | near_poor | escaped | newly_poor | newly_near_poor
    title: str
    subtitle: str
    year: int
    sections: tuple[ListSection, ...]
    officer: str
    source_note: str = ""  # where the list came from (the review round, or the statuses of the year)

    @property
    def rows(self) -> tuple[ListRow, ...]:
        return tuple(r for s in self.sections for r in s.rows)


@dataclass(frozen=True)
class SponsorRow:
    sponsor: str
    sponsor_kind: str
    organisation: str
    code: str
    head_name: str
    hamlet: str
    status: str
    start_on: date | None
    last_visit: date | None
    next_visit_due: date | None
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class SponsorSheetDoc:
    """The sponsor assignment sheet (every sponsor and their households) or one sponsor's visit sheet."""

    letterhead: Letterhead
    kind: str  # assignments | visits
    title: str
    subtitle: str
    rows: tuple[SponsorRow, ...]
    officer: str
    sponsor: str = ""  # the visit sheet's sponsor


@dataclass(frozen=True)
class CertificateDoc:
    letterhead: Letterhead
    number: str  # "12/GCN-HN.HCN"
    year: int
    classification: str  # poor | near_poor
    head_name: str
    ethnicity: str
    id_number: str
    residence: str
    code: str
    members: tuple[MemberLine, ...]
    decision_number: str
    decided_on: date | None
    issued_on: date
    signer: str  # the commune chairman's title line


@dataclass(frozen=True)
class AreaLine:
    name: str
    households: int
    poor: int
    poor_rate: float
    near_poor: int
    near_poor_rate: float
    last_poor_rate: float
    last_near_poor_rate: float
    poor_change: float
    near_poor_change: float
    escaped: int
    newly_poor: int
    newly_near_poor: int


@dataclass(frozen=True)
class TrendLine:
    year: int
    households: int
    poor: int
    near_poor: int
    poor_rate: float
    near_poor_rate: float
    decided: bool


@dataclass(frozen=True)
class ProgrammeLine:
    programme: str
    records: int
    households: int
    amount: int


@dataclass(frozen=True)
class TargetLine:
    label: str  # "Tỷ lệ hộ nghèo giảm 1,5–2 điểm %/năm"
    target: str  # "−1,5 đến −2,0"
    actual: str  # "−1,8"
    met: bool | None  # None: cannot be judged yet


@dataclass(frozen=True)
class CommuneReportDoc:
    letterhead: Letterhead
    year: int
    commune: str
    decided: bool
    decision_number: str | None
    decided_on: date | None
    overall: AreaLine
    hamlets: tuple[AreaLine, ...]
    ethnic_groups: tuple[AreaLine, ...]
    trend: tuple[TrendLine, ...]
    support: tuple[ProgrammeLine, ...]
    support_total: int
    targets: tuple[TargetLine, ...]
    targets_source: str  # "Nghị quyết 05-NQ/TU của Tỉnh ủy Trà Vinh (2021–2025)" or ""
    targets_note: str
    officer: str
    has_last_year: bool = True  # False: no figures for the year before, so no change is shown
