"""What services hand out and take in: plain frozen dataclasses, never live ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from povcase.domain.deprivation import IndicatorResult, Override
from povcase.domain.facts import HousingFacts


@dataclass(frozen=True)
class CommuneDTO:
    uuid: str
    code: str
    name: str
    province_code: str
    province_name: str
    upstream_office: str


@dataclass(frozen=True)
class HamletDTO:
    uuid: str
    id: int
    name: str
    kind: str
    position: int


@dataclass(frozen=True)
class MemberInput:
    """A member as the editor or an import gives it. `uuid` None means a new member."""

    full_name: str
    relation: str = "other"
    sex: str | None = None
    birth_date: date | None = None
    id_number: str | None = None
    ethnicity: str = "Kinh"
    in_school: bool | None = None
    qualification: str | None = None
    employment: str | None = None
    able_to_work: bool = True
    has_health_insurance: bool | None = None
    disabled: bool = False
    social_allowance: bool = False
    stunted_or_underweight: bool | None = None
    notes: str = ""
    uuid: str | None = None


@dataclass(frozen=True)
class HouseholdInput:
    """A household with its members and housing facts, as one form submits it."""

    hamlet_uuid: str
    members: tuple[MemberInput, ...]
    address: str = ""
    area: str = "rural"
    ethnicity_group: str = "Kinh"
    phone: str = ""
    notes: str = ""
    housing: HousingFacts = field(default_factory=HousingFacts)
    overrides: dict[str, Override] = field(default_factory=dict)
    code: str | None = None  # None: the next free code in the hamlet


@dataclass(frozen=True)
class AssessmentInput:
    """A survey result. Indicators derive from the register's facts; `indicators` are the values
    the survey form states outright and win over derived ones."""

    assessed_on: date
    income_per_capita: int | None = None
    score_a: int | None = None
    standard: str | None = None  # None: the standard in force on assessed_on
    indicators: dict[str, bool] = field(default_factory=dict)
    assessor: str = ""
    notes: str = ""


@dataclass(frozen=True)
class MemberDTO:
    uuid: str
    full_name: str
    relation: str
    sex: str | None
    birth_date: date | None
    id_number: str | None
    ethnicity: str
    in_school: bool | None
    qualification: str | None
    employment: str | None
    able_to_work: bool
    has_health_insurance: bool | None
    disabled: bool
    social_allowance: bool
    stunted_or_underweight: bool | None
    notes: str
    revision: int

    def as_input(self) -> MemberInput:
        return MemberInput(**{k: getattr(self, k) for k in MemberInput.__dataclass_fields__})


@dataclass(frozen=True)
class AssessmentDTO:
    uuid: str
    assessed_on: date
    standard: str
    area: str
    income_per_capita: int | None
    score_a: int | None
    score_b: int
    deprivation_count: int
    classification: str
    basis: str
    indicators: tuple[IndicatorResult, ...]
    assessor: str
    notes: str


@dataclass(frozen=True)
class HouseholdDTO:
    uuid: str
    id: int
    code: str
    commune_code: str
    hamlet_uuid: str
    hamlet_name: str
    head_name: str
    address: str
    area: str
    ethnicity_group: str
    phone: str
    notes: str
    housing: HousingFacts
    overrides: dict[str, Override]
    members: tuple[MemberDTO, ...]
    status: str | None
    previous_status: str | None
    status_year: int | None
    status_standard: str | None
    score_b: int | None
    deprived: tuple[str, ...]
    last_assessed_on: date | None
    revision: int
    deleted: bool

    def as_input(self) -> HouseholdInput:
        return HouseholdInput(
            hamlet_uuid=self.hamlet_uuid, members=tuple(m.as_input() for m in self.members),
            address=self.address, area=self.area, ethnicity_group=self.ethnicity_group,
            phone=self.phone, notes=self.notes, housing=self.housing, overrides=dict(self.overrides),
            code=self.code)


@dataclass(frozen=True)
class HouseholdRow:
    """One line of the register list."""

    id: int
    uuid: str
    code: str
    head_name: str
    hamlet_name: str
    members_count: int
    status: str | None
    status_year: int | None
    score_b: int | None
    deprived: tuple[str, ...]
    last_assessed_on: date | None
    ethnicity_group: str
    sponsor: str = ""  # who follows the household now (giảm nghèo theo địa chỉ), if anyone


@dataclass(frozen=True)
class Page:
    total: int
    rows: tuple[HouseholdRow, ...]
