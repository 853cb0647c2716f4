"""A realistic synthetic commune: demos, screenshots, training and load tests.

`build_demo` fills a register with households that look like Xã Trà Cú (Vĩnh Long, formerly Trà Vinh):
about three in ten households Khmer, a few Hoa, the rest Kinh; families of one to nine people with a
believable age pyramid (three generations under one roof are common, and grandparents raising
grandchildren while the parents work in Bình Dương); names with diacritics; citizen ID numbers that
agree with each person's sex and birth year; and member and housing facts that hang together with
age and with the household's welfare. Income and facts are drawn; the classification is not: it comes
from the rules, through `bulk_load`, exactly as for real data. The statuses are those decided by the
last two annual reviews before `today`'s year (on 22/11/2026: 2024 and 2025), with their decided rounds,
decisions and certificates in the history; the review under way is left for the officer to run.

Same seed and same register state, same data, UUIDs included: only `random.Random` instances seeded
here are used, and every date derives from `today`.
"""

from __future__ import annotations

import math
import random
import unicodedata
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import accumulate

from sqlalchemy import func, select

from povcase.db.models import Commune, Household, Member, utcnow
from povcase.domain import admin_units
from povcase.domain import review as review_rules
from povcase.domain.deprivation import retirement_age_months
from povcase.domain.facts import Employment, HousingFacts, HousingQuality, Qualification, Sex
from povcase.errors import N_, PovcaseError
from povcase.services.base import Actor
from povcase.services.bulk import BulkHousehold, BulkResult, bulk_load
from povcase.services.dto import AssessmentInput, HamletDTO, HouseholdInput, MemberInput
from povcase.services.register import Register

STANDARD = "2022-2026"
TRA_CU = "29461"
DEMO_OFFICER = "Sơn Thị Bích Trâm"
FORCED_HEAD = ("Nguyễn", "Văn", "Đức")  # tests and the manual search for "nguyen van duc"


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _words(text: str) -> tuple[str, ...]:
    """A pool from a '|'-separated literal (entries may hold spaces: "Sa Rươl")."""
    return tuple(_nfc(w.strip()) for w in text.split("|") if w.strip())


# --- hamlets -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _HamletProfile:
    name: str
    kind: str
    weight: float  # relative number of households
    khmer: float  # share of Khmer households
    hoa: float  # share of Hoa households
    welfare: float  # shift of the latent welfare (market hamlet better off, remote sóc poorer)


_TRA_CU_HAMLETS = (
    _HamletProfile("Ấp Chợ", "ap", 1.4, 0.10, 0.10, 0.35),
    _HamletProfile("Ấp Sóc Tre", "ap", 1.0, 0.60, 0.01, -0.15),
    _HamletProfile("Ấp Đại Mong", "ap", 1.0, 0.30, 0.02, -0.05),
    _HamletProfile("Ấp Ba Cụm", "ap", 0.9, 0.40, 0.01, -0.15),
    _HamletProfile("Ấp Sóc Chà", "ap", 0.8, 0.55, 0.00, -0.25),
    _HamletProfile("Ấp Xoài Lơ", "ap", 0.9, 0.30, 0.02, 0.00),
    _HamletProfile("Ấp Nô Rè", "ap", 0.7, 0.35, 0.00, -0.20),
    _HamletProfile("Ấp Thanh Xuyên", "ap", 1.1, 0.10, 0.04, 0.15),
)
_GENERIC_HAMLETS = (
    _HamletProfile("Thôn Trung", "thon", 1.2, 0.0, 0.01, 0.25),
    _HamletProfile("Thôn Đông", "thon", 1.0, 0.0, 0.01, 0.0),
    _HamletProfile("Thôn Tây", "thon", 1.0, 0.0, 0.01, -0.05),
    _HamletProfile("Thôn Nam", "thon", 0.9, 0.0, 0.01, -0.1),
    _HamletProfile("Thôn Bắc", "thon", 0.9, 0.0, 0.01, -0.1),
    _HamletProfile("Thôn Hòa Bình", "thon", 0.8, 0.0, 0.01, 0.05),
)


def _profile_for(name: str, commune_code: str) -> _HamletProfile:
    """How an existing hamlet (set up by the officer, not by us) is populated."""
    for p in (*_TRA_CU_HAMLETS, *_GENERIC_HAMLETS):
        if p.name.casefold() == name.casefold():
            return p
    khmer_area = commune_code == TRA_CU
    if "sóc" in name.casefold():
        return _HamletProfile(name, "ap", 1.0, 0.6 if khmer_area else 0.3, 0.01, -0.2)
    return _HamletProfile(name, "ap", 1.0, 0.25 if khmer_area else 0.0, 0.03, 0.0)


# --- names ---------------------------------------------------------------------------------------
def _weighted(text: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """'Nguyễn 31|Trần 11' -> names and cumulative weights."""
    names, weights = [], []
    for entry in text.split("|"):
        entry = entry.strip()
        if entry:
            name, weight = entry.rsplit(" ", 1)
            names.append(_nfc(name))
            weights.append(float(weight))
    return tuple(names), tuple(accumulate(weights))


_KINH_FAMILY = _weighted(
    "Nguyễn 31|Trần 11|Lê 9|Phạm 5|Huỳnh 6|Võ 5|Phan 4|Trương 2|Bùi 2|Đặng 2|Đỗ 1.5|Ngô 1.5|Hồ 2|"
    "Dương 1.5|Đinh 1|Lâm 1|Lý 1|Tô 1|Mai 1|Cao 1|Châu 1|Đoàn 1|Thái 0.5|Từ 0.5|La 0.5|Hà 0.5|Lưu 0.5|"
    "Kiều 0.3|Diệp 0.3|Quách 0.3|Triệu 0.3|Tạ 0.3|Văn 0.3")
_KHMER_FAMILY = _weighted(
    "Thạch 26|Sơn 20|Kim 12|Danh 5|Lâm 6|Trầm 5|Kiên 4|Huỳnh 3|Lý 3|Châu 3|Dương 3|Triệu 2|Tăng 2|"
    "Ngô 1|Mai 1|Hứa 1|La 1|Khưu 1|Trà 0.5")
_HOA_FAMILY = _weighted(
    "Lý 8|Trương 6|Quách 5|Lâm 6|Tăng 4|Hứa 4|Châu 4|Mã 3|Diệp 3|Lưu 3|Dương 2|Thái 2|La 2|Khưu 2|"
    "Lư 1|Trịnh 1|Từ 1|Tạ 1|Huỳnh 2")

_KINH_MALE_OLD = _words(
    "Đức|Dũng|Hùng|Tuấn|Minh|Phước|Lộc|Tài|Thành|Tâm|Hiếu|Nghĩa|Trung|Bình|Hải|Sơn|Long|Phúc|Quang|Thắng|"
    "Toàn|Vinh|Cường|Hòa|Lâm|Tú|Kiệt|Phát|Thịnh|Nhân|Trí|Tín|Hậu|Lợi|Quý|Thanh|Hoàng|Đạt|Phong|Thiện|Sang|"
    "Ba|Tư|Năm|Sáu|Bảy|Tám|Chín|Út|Mười|Hên|Rớt|Đực|Lành|Mến|Hưởng|Tốt|Giàu|Khải|Khánh|Nhựt|Hớn|Triều")
_KINH_MALE_YOUNG = _words(
    "Khang|Khôi|Bảo|Huy|Khoa|Nam|Phúc|Thịnh|Tín|Duy|Đạt|Vũ|Kiệt|Phát|Hiếu|Nhân|Toàn|Thuận|Lộc|An|Tùng|"
    "Thái|Hưng|Quân|Luân|Lâm|Trọng|Đăng|Hào|Nguyên|Tú|Thiện|Trí|Danh|Sơn|Long|Minh|Đức|Hải")
_KINH_FEMALE_OLD = _words(
    "Hương|Ánh|Lan|Mai|Hoa|Hồng|Thu|Hà|Linh|Trang|Ngọc|Nhung|Thảo|Yến|Loan|Phượng|Tuyết|Nga|Hạnh|Diễm|"
    "Kiều|Trinh|Thủy|Liên|Cúc|Lệ|Đào|Xuân|Mận|Lài|Huệ|Sương|Bé|Út|Hằng|Oanh|Nguyệt|Tươi|Gấm|Thắm|Sen|"
    "Lựu|Lùn|Nhỏ|Hai|Ba|Tư|Sáu|Bảy|Tám|Chín|Mười|Dung|Vân|Phấn|Ngời|Thơm|Nết|Hiền")
_KINH_FEMALE_YOUNG = _words(
    "Nhi|Vy|Hân|My|Thư|Châu|Uyên|Ngân|Tiên|Trâm|Oanh|Quyên|Ánh|Linh|Trang|Thảo|Yến|Hương|Như|Ngọc|Hạnh|"
    "Diễm|Trinh|Duyên|Thùy|Giang|Phương|Quỳnh|Tâm|Thy|Xuân|Hà|Loan|Mai|Nhung")
_MALE_MIDDLE_OLD = _words("Văn|Văn|Văn|Văn|Văn|Văn|Văn|Hữu|Thanh|Minh|Công|Quốc|Tấn|Thành|Ngọc|Phước|Hoàng|Trung")
_MALE_MIDDLE_YOUNG = _words(
    "Văn|Văn|Văn|Minh|Hoàng|Quốc|Gia|Thanh|Tấn|Đức|Anh|Trọng|Nhật|Hữu|Thiên|Bảo|Đăng|Phúc|Trung|Chí")
_FEMALE_MIDDLE_OLD = _words("Thị|Thị|Thị|Thị|Thị|Thị|Thị|Thị|Ngọc|Kim|Thanh|Mỹ|Hồng|Bích|Thúy")
_FEMALE_MIDDLE_YOUNG = _words(
    "Thị|Thị|Thị|Ngọc|Thanh|Kim|Mỹ|Bảo|Khánh|Phương|Thảo|Ánh|Hồng|Bích|Cẩm|Yến|Huỳnh|Tường|Thúy|Gia")

_KHMER_MALE = _words(
    "Sa Rươl|Sô Phanh|Chanh Đa|Sóc Kha|Sa Mết|Sô Khom|Sa Rinh|Kha Ra|Som Nang|Phol|Ren|Dên|Sang|Sóc|"
    "Chanh|Pho|Chăn Thu|Sa Vanh|Sà Rết|Thươl|Rươne|Sóc Thanh|Sơ Phal|Ni|Kim Sang|Chơn|Tha|Sa Rây|Mum|Khol|"
    "Sà Phanh|Vi Sal|Sóc Phi|Sa Wanh|Pháp|Sa Khone|Sô Ri|Chây|Keo|Dara|Ra Ty|Mau|Sươl|Ni Ta|Ba Ri")
_KHMER_FEMALE = _words(
    "Sa Ry|Sa Rinh|Sà Phiên|Sa Vươne|Chanh Thu|Sà Rum|Phà Ly|Sóc Phia|Sa Ra|Sa Mây|Thi Da|Chăn Thy|"
    "Phươl|Sa Rươne|Sà Quây|Mây|Ni|Rết|Dươne|Sa Ly|Phanh|Bô Pha|Sà Rinh|Kim Sa|Sa Thia|Chanh Ni|Sóc Ry|"
    "Mách|Sa Phone|Sà Em|Nang|Ra Ni|Sa Ren|Thươne|Sa Kim")
_KHMER_MALE_MIDDLE = _words("Văn|Minh|Hoàng|Quốc|Thanh|Ngọc|Chanh|Sóc")

_PLACE_CODES = (("084", 0.90), ("086", 0.93), ("094", 0.96), ("079", 0.975), ("083", 0.985), ("092", 0.993),
                ("074", 1.0))  # Trà Vinh, Vĩnh Long, Sóc Trăng, HCMC, Bến Tre, Cần Thơ, Bình Dương
_PHONE_PREFIXES = _words(
    "032|033|034|035|036|037|038|039|070|076|077|078|079|081|082|083|084|085|086|088|089|090|091|093|094|"
    "096|097|098|039|098|097|086")

# Qualifications, worst to best; cumulative shares by age band (age on the review date).
_QUALS = (Qualification.NONE, Qualification.PRIMARY, Qualification.LOWER_SECONDARY,
          Qualification.UPPER_SECONDARY, Qualification.VOCATIONAL, Qualification.COLLEGE,
          Qualification.UNIVERSITY)
_QUAL_BANDS = (  # (upper age, cumulative shares)
    (30, tuple(accumulate((0.02, 0.07, 0.20, 0.41, 0.12, 0.08, 0.10)))),
    (45, tuple(accumulate((0.04, 0.18, 0.35, 0.25, 0.08, 0.04, 0.06)))),
    (60, tuple(accumulate((0.08, 0.35, 0.32, 0.15, 0.05, 0.02, 0.03)))),
    (75, tuple(accumulate((0.18, 0.45, 0.25, 0.08, 0.02, 0.01, 0.01)))),
    (200, tuple(accumulate((0.40, 0.42, 0.13, 0.04, 0.005, 0.003, 0.002)))),
)
# Chance of being in school (preschool from 3) by age, before the household's welfare shifts it.
_SCHOOL = (0.0, 0.0, 0.0, 0.90, 0.92, 0.95, 0.985, 0.985, 0.985, 0.985, 0.98, 0.96, 0.95, 0.94, 0.92,
           0.86, 0.76, 0.70, 0.30, 0.28, 0.25, 0.22, 0.15, 0.05, 0.02, 0.01)
_QUALITY = (HousingQuality.NONE, HousingQuality.NON_DURABLE, HousingQuality.SEMI_DURABLE,
            HousingQuality.DURABLE)
_QUALITY_CUM = (0.015, 0.12, 0.46, 1.0)

# Household types: (type, cumulative weight).
_TYPES = tuple(zip(("nuclear", "three_gen_old", "three_gen_young", "elderly_couple", "single_elderly",
                    "young_couple", "single_adult"),
                   accumulate((0.41, 0.22, 0.10, 0.09, 0.07, 0.06, 0.05)), strict=True))
_TYPE_CUM = tuple(c for _, c in _TYPES)
_KIDS_CUM = tuple(accumulate((0.28, 0.42, 0.20, 0.07, 0.03)))  # 1..5 children
_MAX_MEMBERS = 9

MALE, FEMALE = Sex.MALE.value, Sex.FEMALE.value
# Plain strings for the hot loop (an enum's .value is a descriptor call).
Q_NONE, Q_PRIMARY, Q_LOWER, Q_UPPER = (q.value for q in _QUALS[:4])
_QUAL_VALUES = tuple(q.value for q in _QUALS)
E_NO_CONTRACT, E_CONTRACT, E_SELF, E_UNEMPLOYED, E_NOT_WORKING = (
    Employment.WAGE_WITHOUT_CONTRACT.value, Employment.WAGE_WITH_CONTRACT.value, Employment.SELF_EMPLOYED.value,
    Employment.UNEMPLOYED.value, Employment.NOT_WORKING.value)


_EXP = math.exp


@cache
def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _prob(p: float, slope: float, z: float) -> float:
    """A base chance `p` moved along the logistic curve by welfare `z` (positive slope: likelier if better off)."""
    return 1.0 / (1.0 + _EXP(-_logit(p) - slope * z))


def _shifted(u: float, shift: float) -> float:
    """A uniform draw moved up (shift > 0) or down on the logistic scale: still strictly inside (0, 1),
    so no category at either end soaks up the households pushed past it."""
    u = min(max(u, 1e-9), 1 - 1e-9)
    return 1.0 / (1.0 + _EXP(-math.log(u / (1.0 - u)) - shift))


# --- the generator -------------------------------------------------------------------------------
@dataclass
class _Hamlet:
    uuid: str
    position: int
    name: str
    profile: _HamletProfile
    next_number: int


@dataclass(frozen=True)
class _Person:
    relation: str
    female: bool
    age: int
    family: str
    ethnicity: str


class _Generator:
    def __init__(self, rng: random.Random, hamlets: Sequence[_Hamlet], commune_code: str, commune_label: str,
                 reviews: Sequence[tuple[int, int]], officer: str, used_ids: set[str]) -> None:
        self.rng = rng
        self.hamlets = hamlets
        self.hamlet_cum = tuple(accumulate(h.profile.weight for h in hamlets))
        self.commune_code = commune_code
        self.commune_label = commune_label
        self.reviews = reviews  # (first day ordinal, last allowed ordinal) of each annual review, oldest first
        self.officer = officer
        self.used_ids = used_ids

    # names
    def family(self, ethnicity: str) -> str:
        names, cum = (_KHMER_FAMILY if ethnicity == "Khmer" else _HOA_FAMILY if ethnicity == "Hoa"
                      else _KINH_FAMILY)
        return names[bisect(cum, self.rng.random() * cum[-1])]

    def full_name(self, family: str, female: bool, ethnicity: str, birth_year: int) -> str:
        r = self.rng.random
        young = birth_year >= 1990
        if ethnicity == "Khmer" and r() < (0.45 if young else 0.8):
            if female:
                given = _KHMER_FEMALE[int(r() * len(_KHMER_FEMALE))]
                return f"{family} Thị {given}" if r() < 0.7 else f"{family} {given}"
            given = _KHMER_MALE[int(r() * len(_KHMER_MALE))]
            if r() < 0.3:
                return f"{family} {_KHMER_MALE_MIDDLE[int(r() * len(_KHMER_MALE_MIDDLE))]} {given}"
            return f"{family} {given}"
        if female:
            middles = _FEMALE_MIDDLE_YOUNG if young else _FEMALE_MIDDLE_OLD
            givens = _KINH_FEMALE_YOUNG if young else _KINH_FEMALE_OLD
        else:
            middles = _MALE_MIDDLE_YOUNG if young else _MALE_MIDDLE_OLD
            givens = _KINH_MALE_YOUNG if young else _KINH_MALE_OLD
        middle = middles[int(r() * len(middles))]
        given = givens[int(r() * len(givens))]
        if young and r() < 0.2:  # two-word given names: Nguyễn Ngọc Bảo Hân, Trần Minh Gia Huy
            extra = middles[int(r() * len(middles))]
            if middle not in ("Văn", "Thị") and extra not in (middle, given, "Văn", "Thị"):
                return f"{family} {middle} {extra} {given}"
        return f"{family} {middle} {given}"

    def id_number(self, female: bool, year: int) -> str:
        r = self.rng.random
        u = r()
        place = "084"
        for code, cum in _PLACE_CODES:
            if u < cum:
                place = code
                break
        gene = (2 if year >= 2000 else 0) + (1 if female else 0)
        while True:
            number = f"{place}{gene}{year % 100:02d}{int(r() * 1_000_000):06d}"
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    # family structure
    def people(self, ethnicity: str, forced: bool) -> list[_Person]:
        r = self.rng.random

        def randint(low: int, high: int) -> int:
            return low + int(r() * (high - low + 1))

        kind = "nuclear" if forced else _TYPES[bisect(_TYPE_CUM, r() * _TYPE_CUM[-1])][0]

        def spouse_eth() -> str:
            u = r()
            if ethnicity == "Kinh":
                return "Khmer" if u < 0.03 else "Hoa" if u < 0.05 else "Kinh"
            return "Kinh" if u < 0.12 else ethnicity

        def partner(relation: str, other: _Person, female: bool, gap: int) -> _Person:
            eth = spouse_eth()
            age = max(18, other.age + gap)
            return _Person(relation, female, age, self.family(eth), eth)

        def children(relation: str, mother_age: int, family: str, count: int, eth: str,
                     oldest_gap: tuple[int, int] = (19, 32)) -> list[_Person]:
            out = []
            age = mother_age - randint(*oldest_gap)
            for _ in range(count):
                if age < 0:
                    break
                out.append(_Person(relation, r() < 0.49, age, family, eth))
                age -= randint(2, 7)
            return out

        def head_person(low: int, high: int, female_share: float) -> _Person:
            age = low + int((high - low) * (r() + r()) / 2)
            return _Person("head", r() < female_share, age, self.family(ethnicity), ethnicity)

        members: list[_Person] = []
        if kind in ("nuclear", "young_couple"):
            head = head_person(25, 66, 0.12) if kind == "nuclear" else head_person(20, 36, 0.1)
            if forced:
                head = _Person("head", False, randint(38, 55), FORCED_HEAD[0], "Kinh")
            members.append(head)
            spouse = None
            if forced or kind == "young_couple" or r() < 0.9:
                gap = randint(-9, 2) if not head.female else randint(-1, 8)
                spouse = partner("spouse", head, not head.female, gap)
                members.append(spouse)
            if kind == "nuclear":
                mother = head if head.female else spouse
                mother_age = mother.age if mother else head.age - randint(0, 6)
                father_family = (head.family if not head.female else spouse.family if spouse
                                 else (head.family if r() < 0.3 else self.family(ethnicity)))
                count = bisect(_KIDS_CUM, r() * _KIDS_CUM[-1]) + 1
                members += children("child", mother_age, father_family, count, ethnicity)
            elif r() < 0.25:  # a first baby
                family = spouse.family if head.female and spouse else head.family
                members += children("child", head.age, family, 1, ethnicity, (head.age - 2, head.age))
        elif kind == "three_gen_old":
            head = head_person(48, 80, 0.3)
            members.append(head)
            if not head.female and r() < 0.82:
                spouse = partner("spouse", head, True, randint(-8, 1))
                members.append(spouse)
                mother_age = spouse.age
            elif head.female and r() < 0.15:
                members.append(partner("spouse", head, False, randint(0, 6)))
                mother_age = head.age
            else:
                mother_age = head.age if head.female else head.age - randint(0, 6)
            father_family = head.family if not head.female else (
                members[1].family if len(members) > 1 else self.family(ethnicity))
            son = r() < 0.7
            adult_age = max(20, mother_age - randint(20, 32))
            adult = _Person("child", not son, adult_age, father_family, ethnicity)
            members.append(adult)
            in_law = partner("in_law", adult, son, randint(-5, 1) if son else randint(0, 6))
            members.append(in_law)
            young_mother = in_law if son else adult
            grand_family = adult.family if son else in_law.family
            count = bisect(_KIDS_CUM, r() * _KIDS_CUM[-1]) + 1
            members += children("grandchild", young_mother.age, grand_family, count, ethnicity, (18, 28))
            if r() < 0.3:  # an unmarried younger son or daughter still at home
                age = adult_age - randint(3, 12)
                if age >= 10:
                    members.append(_Person("child", r() < 0.5, age, father_family, ethnicity))
        elif kind == "three_gen_young":
            head = head_person(27, 52, 0.12)
            members.append(head)
            spouse = None
            if r() < 0.92:
                spouse = partner("spouse", head, not head.female, randint(-7, 2) if not head.female else randint(-1, 6))
                members.append(spouse)
            mother = head if head.female else spouse
            mother_age = mother.age if mother else head.age
            father_family = head.family if not head.female else (spouse.family if spouse else head.family)
            count = bisect(_KIDS_CUM, r() * _KIDS_CUM[-1]) + 1
            members += children("child", mother_age, father_family, min(count, 3), ethnicity)
            parent_age = head.age + randint(21, 34)
            u = r()
            if u < 0.55:  # widowed mother
                members.append(_Person("parent", True, parent_age, self.family(ethnicity), ethnicity))
            elif u < 0.7:
                members.append(_Person("parent", False, parent_age + randint(0, 5), head.family, ethnicity))
            else:
                members.append(_Person("parent", False, parent_age + randint(0, 5), head.family, ethnicity))
                members.append(_Person("parent", True, parent_age - randint(0, 3), self.family(ethnicity),
                                       ethnicity))
        elif kind == "elderly_couple":
            head = head_person(58, 90, 0.08)
            members.append(head)
            members.append(partner("spouse", head, not head.female, randint(-8, 1)))
        elif kind == "single_elderly":
            head = head_person(60, 95, 0.72)
            members.append(head)
            if r() < 0.3:  # grandparents raising grandchildren while the parents work in Bình Dương
                family = head.family if not head.female and r() < 0.7 else self.family(ethnicity)
                members += children("grandchild", head.age - randint(22, 32), family, randint(1, 2), ethnicity,
                                    (18, 30))
        else:  # single_adult
            head = head_person(22, 59, 0.35)
            members.append(head)
            if r() < 0.15:
                members.append(_Person("sibling", r() < 0.5, max(15, head.age + randint(-10, 10)),
                                       head.family, ethnicity))
        if kind != "single_adult" and len(members) < _MAX_MEMBERS and r() < 0.05:
            head = members[0]
            u = r()
            if u < 0.6:
                members.append(_Person("sibling", r() < 0.5, max(12, head.age + randint(-12, 12)),
                                       head.family, ethnicity))
            else:
                members.append(_Person("other", r() < 0.5, randint(8, 70), self.family(ethnicity), ethnicity))
        return members[:_MAX_MEMBERS]

    # one household
    def household(self, forced: bool) -> BulkHousehold:
        rng = self.rng
        r = rng.random
        gauss = rng.gauss
        h = self.hamlets[bisect(self.hamlet_cum, r() * self.hamlet_cum[-1])]
        prof = h.profile
        u = r()
        ethnicity = "Khmer" if u < prof.khmer else "Hoa" if u < prof.khmer + prof.hoa else "Kinh"
        if forced:
            ethnicity = "Kinh"
        z = gauss(0.0, 1.0) + prof.welfare + (-0.45 if ethnicity == "Khmer" else 0.35 if ethnicity == "Hoa" else 0.0)

        # review dates: every household in the latest review, most also in the one before
        reviews = self.reviews
        picked = reviews if len(reviews) == 1 or r() < 0.78 else reviews[-1:]
        spread = h.position * 4 + int(r() * 6)
        days = [min(start + spread, last) for start, last in picked]
        born_by, facts_on = days[0], days[-1]
        fo = date.fromordinal(facts_on)
        fo_year, fo_month, fo_day = fo.year, fo.month, fo.day
        ret_m = retirement_age_months(Sex.MALE, fo_year)
        ret_f = retirement_age_months(Sex.FEMALE, fo_year)

        people = self.people(ethnicity, forced)
        size = len(people)

        # household-level chances, moved by welfare
        p_uninsured_family = _prob(0.10, -0.8, z)
        p_unemployed = _prob(0.035, -0.6, z)
        p_no_contract = _prob(0.20, -0.5, z)
        p_contract = _prob(0.14, 0.6, z)
        p_stunted = _prob(0.045, -0.5, z)
        school_shift = 0.7 * z - (0.3 if ethnicity == "Khmer" else 0.0)
        qual_shift = 0.45 * z - (0.25 if ethnicity == "Khmer" else 0.0)
        uninsured_family = r() < p_uninsured_family

        members: list[MemberInput] = []
        dependants = 0
        for i, p in enumerate(people):
            female = p.female
            sex = FEMALE if female else MALE
            age = p.age
            b_ord = facts_on - age * 365 - age // 4 - int(r() * 365)
            if b_ord > born_by:
                b_ord = born_by - int(r() * 90)
            birth = date.fromordinal(b_ord)
            by = birth.year
            months = (fo_year - by) * 12 + (fo_month - birth.month) - (1 if fo_day < birth.day else 0)
            age = months // 12
            if forced and i == 0:
                name = " ".join(FORCED_HEAD)
            else:
                name = self.full_name(p.family, female, p.ethnicity, by)

            # school and qualification
            if age < len(_SCHOOL):
                base = _SCHOOL[age]
                in_school = base > 0 and r() < (_prob(base, 0.5, school_shift) if 0 < base < 1 else base)
            else:
                in_school = False
            qualification: str | None
            if age < 6:
                qualification = None
            elif age < 11:
                qualification = Q_NONE
            elif age < 15:
                qualification = Q_PRIMARY if in_school or r() < 0.7 else Q_NONE
            elif age < 18:
                if in_school:
                    qualification = Q_LOWER
                else:
                    u = _shifted(r(), qual_shift)
                    qualification = Q_LOWER if u > 0.5 else Q_PRIMARY if u > 0.05 else Q_NONE
            elif in_school:
                qualification = Q_UPPER
            else:
                cum = next(c for top, c in _QUAL_BANDS if age <= top)
                u = _shifted(r(), qual_shift)
                qualification = _QUAL_VALUES[min(bisect(cum, u), 6)]

            # health
            disabled = False
            social_allowance = False
            if age >= 75:
                disabled = r() < 0.12
                social_allowance = r() < (0.75 if age >= 80 else 0.35) or (disabled and r() < 0.5)
            elif age >= 60:
                disabled = r() < 0.05
                social_allowance = disabled and r() < 0.5
            elif age >= 2:
                disabled = r() < 0.012
                social_allowance = disabled and r() < 0.6
            able = age >= 15 and not (disabled and r() < 0.6)

            stunted: bool | None = None
            if age < 16:
                stunted = r() < (p_stunted * 1.6 if age < 5 else p_stunted)
            if age < 6 or social_allowance:
                insured = True  # free for children under 6 and people on social allowance
            elif in_school:
                insured = r() < 0.97
            elif uninsured_family and 18 <= age < 60:
                insured = r() < 0.35
            else:
                insured = r() < (0.985 if age >= 60 else 0.975)

            # work
            employment: str | None = None
            ret = ret_f if female else ret_m
            if age >= 15:
                if in_school or not able:
                    employment = E_NOT_WORKING
                elif months < ret:
                    u = r()
                    if u < p_unemployed:
                        employment = E_UNEMPLOYED
                    elif u < p_unemployed + p_no_contract:
                        employment = E_NO_CONTRACT
                    elif u < p_unemployed + p_no_contract + p_contract:
                        employment = E_CONTRACT
                    elif u < p_unemployed + p_no_contract + p_contract + (0.14 if female else 0.04):
                        employment = E_NOT_WORKING
                    else:
                        employment = E_SELF
                else:
                    employment = E_SELF if r() < (0.35 if age < 70 else 0.08) else E_NOT_WORKING
            if age < 16 or months >= ret or disabled or social_allowance:
                dependants += 1

            members.append(MemberInput(
                full_name=name, relation=p.relation, sex=sex, birth_date=birth,
                id_number=self.id_number(female, by) if age >= 14 else None, ethnicity=p.ethnicity,
                in_school=in_school, qualification=qualification, employment=employment, able_to_work=able,
                has_health_insurance=insured, disabled=disabled, social_allowance=social_allowance,
                stunted_or_underweight=stunted))

        # housing
        u = _shifted(r(), 0.8 * z)
        quality = _QUALITY[bisect(_QUALITY_CUM, u)]
        if quality is HousingQuality.NONE:
            area = 0.0
        else:
            area = math.exp(math.log(68.0) + 0.5 * math.log(size / 4) + 0.22 * z + 0.33 * gauss(0.0, 1.0))
            area = float(max(9, round(area)))
        telecom = r() >= _prob(0.05, -0.7, z) * (2.5 if size == 1 else 1.0)
        housing = HousingFacts(
            area_m2=area, quality=quality,
            safe_water=r() >= _prob(0.08, -0.6, z),
            hygienic_latrine=r() >= _prob(0.17 if ethnicity != "Khmer" else 0.25, -0.8, z),
            uses_telecom=telecom,
            has_information_device=r() >= _prob(0.03, -0.7, z),
            hears_loudspeaker=r() < 0.85,
            waste_treated=r() < _prob(0.6 if h.profile.welfare > 0.2 else 0.45, 0.5, z))

        # income per person and month (VND): welfare, dependants, and luck; a little growth next year
        dep_ratio = dependants / size
        log_income = math.log(3_200_000) + 0.6 * z + 0.33 * gauss(0.0, 1.0) - 0.6 * (dep_ratio - 0.35)
        assessments = []
        for k, day in enumerate(days):
            if k:
                log_income += 0.05 + 0.12 * gauss(0.0, 1.0)
            income = max(300_000, int(math.exp(log_income) / 10_000) * 10_000)
            assessments.append(AssessmentInput(assessed_on=date.fromordinal(day), income_per_capita=income,
                                               standard=STANDARD, assessor=self.officer))

        number = h.next_number
        h.next_number += 1
        phone = ""
        if telecom and r() < 0.7:
            prefix = _PHONE_PREFIXES[int(r() * len(_PHONE_PREFIXES))]
            phone = f"{prefix}{int(r() * 10_000_000):07d}"
        group = 1 + int(r() * 6)
        note = ""
        if dep_ratio >= 0.5 and r() < 0.15:
            note = "Con đi làm ăn xa (Bình Dương)"
        household = HouseholdInput(
            hamlet_uuid=h.uuid, members=tuple(members), address=f"Tổ {group}, {h.name}, {self.commune_label}",
            area="rural", ethnicity_group=ethnicity, phone=phone,
            notes=note, housing=housing, code=f"{self.commune_code}-{h.position:02d}-{number:04d}")
        return BulkHousehold(household, tuple(assessments))

    def households(self, count: int, forced_index: int | None) -> Iterator[BulkHousehold]:
        for i in range(count):
            yield self.household(i == forced_index)


_UUID_CLEAR = ~((0xF << 76) | (0xC << 60)) & ((1 << 128) - 1)
_UUID_SET = (0x4 << 76) | (0x8 << 60)


# --- setting up --------------------------------------------------------------------------------
def _decided_years(today: date) -> list[int]:
    """The last two annual reviews of the 2022–2026 standard decided by `today`. A review still under
    way is left to the officer: the demo commune stands before its decision."""
    return [y for y in range(2022, 2027) if _decision_day(y) < today][-2:]


def _review_windows(today: date) -> list[tuple[int, int]]:
    """The decided annual reviews (1 Sept – 14 Dec) as (first survey day, last allowed day) ordinals.
    Surveys start mid-September."""
    windows = [(date(y, 9, 15).toordinal(), date(y, 12, 14).toordinal()) for y in _decided_years(today)]
    if not windows:  # before the first decision under the standard: one survey today
        return [(today.toordinal(), today.toordinal())]
    return windows[-2:]


def _decision_day(year: int) -> date:
    return date(year, 12, 14)


def _write_decided_rounds(register: Register, first_id: int, today: date, next_uuid: Callable[[], str]) -> None:
    """The decided annual rounds behind the demo's statuses, as the app would have left them: for each
    year surveyed, the list (poor and near-poor at its start, plus those found poor or near-poor), each
    entry with its survey, proposal and transition, the chairman's decision and the certificates.

    Raw `executemany` like the bulk load (a 300,000-household demo must stay fast); households from
    `first_id` on are the ones just loaded. A round of the same year already decided takes them in."""
    years = _decided_years(today)
    if not years:
        return
    now = utcnow().isoformat(sep=" ")
    conn = register.db.raw_connection()
    try:
        conn.execute("BEGIN IMMEDIATE")
        surveys: dict[int, list[tuple[int, int, str]]] = {}  # household id -> (year, assessment id, class)
        for hid, aid, on, cls in conn.execute(
                "SELECT household_id, id, assessed_on, classification FROM assessment WHERE household_id >= ? "
                "AND deleted_at IS NULL ORDER BY household_id, assessed_on, id", (first_id,)):
            surveys.setdefault(hid, []).append((int(on[:4]), aid, cls))
        for year in years:
            start, end = review_rules.annual_window(year)
            row = conn.execute("SELECT id, status FROM review_round WHERE kind = 'annual' AND year = ? "
                               "AND deleted_at IS NULL", (year,)).fetchone()
            if row is not None and row[1] != "decided":
                continue  # the officer's own round: leave it alone
            if row is None:
                round_id = conn.execute(
                    "INSERT INTO review_round (uuid, kind, year, standard, starts_on, ends_on, status, created_at,"
                    " updated_at, revision) VALUES (?, 'annual', ?, ?, ?, ?, 'decided', ?, ?, 1)",
                    (next_uuid(), year, STANDARD, start.isoformat(), end.isoformat(), now, now)).lastrowid
                decision_id = conn.execute(
                    "INSERT INTO decision (uuid, round_id, number, decided_on, created_at, updated_at, revision)"
                    " VALUES (?, ?, ?, ?, ?, ?, 1)",
                    (next_uuid(), round_id, f"{_DECISION_NUMBERS.get(year, 100)}/QĐ-UBND",
                     _decision_day(year).isoformat(), now, now)).lastrowid
                # The posting and the upstream opinion the decision waited for (meetings are not kept).
                conn.execute("INSERT INTO public_posting (uuid, round_id, hamlet_id, starts_on, ends_on, created_at,"
                             " updated_at, revision) VALUES (?, ?, NULL, ?, ?, ?, ?, 1)",
                             (next_uuid(), round_id, date(year, 11, 20).isoformat(), date(year, 11, 26).isoformat(),
                              now, now))
                conn.execute("INSERT INTO upstream_opinion (uuid, round_id, given_on, reference, created_at,"
                             " updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, 1)",
                             (next_uuid(), round_id, date(year, 12, 5).isoformat(),
                              f"{_DECISION_NUMBERS.get(year, 100) + 1000}/UBND-VX", now, now))
            else:
                round_id = row[0]
                decision_id = conn.execute("SELECT id FROM decision WHERE round_id = ? AND deleted_at IS NULL",
                                           (round_id,)).fetchone()[0]
            issued = conn.execute("SELECT count(*) FROM certificate WHERE year = ?", (year,)).fetchone()[0]
            entries, certificates = [], []
            for hid, history in surveys.items():
                this = next(((aid, cls) for y, aid, cls in history if y == year), None)
                if this is None:
                    continue
                before = [cls for y, _aid, cls in history if y < year]
                previous = before[-1] if before else None
                aid, proposed = this
                if previous not in review_rules.LISTED and proposed not in review_rules.LISTED:
                    continue
                move = review_rules.transition(previous, proposed, before[:-1])
                entries.append((next_uuid(), round_id, hid, "status" if previous in review_rules.LISTED else "added",
                                aid, previous, proposed, move.value, now, now))
                if proposed in review_rules.LISTED:
                    issued += 1
                    certificates.append((next_uuid(), hid, year, review_rules.certificate_number(issued), proposed,
                                         _decision_day(year).isoformat(), decision_id, now, now))
            conn.executemany(
                "INSERT INTO review_entry (uuid, round_id, household_id, source, assessment_id, previous_status,"
                " proposed, transition, state, created_at, updated_at, revision)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'decided', ?, ?, 1)", entries)
            conn.executemany(
                "INSERT INTO certificate (uuid, household_id, year, number, classification, issued_on, decision_id,"
                " created_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", certificates)
            conn.execute(
                "INSERT INTO audit_log (at, actor, role, action, record_type, record_uuid, field, old, new, note)"
                " VALUES (?, ?, ?, 'bulk_load', 'review_round', NULL, NULL, NULL, ?, 'demo history')",
                (now, "povcase", "system", f"{year}: {len(entries)} reviewed, {len(certificates)} certificates"))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


_DECISION_NUMBERS = {2022: 312, 2023: 287, 2024: 305, 2025: 298, 2026: 301}


def _ensure_commune(register: Register, actor: Actor, commune_code: str) -> tuple[str, list[HamletDTO]]:
    """Set the register up as `commune_code` if it is new; return the officer's name and the hamlets."""
    communes = register.communes
    if not communes.is_set_up():
        unit = admin_units.commune(commune_code)
        province = admin_units.province(unit.province_code)
        profiles = _TRA_CU_HAMLETS if commune_code == TRA_CU else _GENERIC_HAMLETS
        bare = province.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
        office = f"UBND tỉnh {bare}" if province.name.startswith("Tỉnh") else f"UBND thành phố {bare}"
        communes.setup_commune(actor, commune_code, [(p.name, p.kind) for p in profiles], DEMO_OFFICER, office)
    local = communes.local_commune()
    if local is None:
        raise PovcaseError(N_("This register belongs to an upstream office; demo households can only go "
                              "into a commune register"))
    if local.code != commune_code:
        raise PovcaseError(N_("This register is set up for commune {code} ({name}); it cannot take demo "
                              "households of commune {wanted}"), code=local.code, name=local.name,
                           wanted=commune_code)
    hamlets = communes.hamlets(commune_code)
    if not hamlets:
        raise PovcaseError(N_("Commune {code} has no hamlets to put demo households in"), code=commune_code)
    return communes.setting("officer_name") or DEMO_OFFICER, hamlets


def _existing(register: Register, commune_code: str) -> tuple[list[str], set[str]]:
    """Codes already used in the commune (deleted households too) and ID numbers in the register."""
    with register.db.reading() as s:
        codes = list(s.scalars(select(Household.code).join(Commune, Commune.id == Household.commune_id)
                               .where(Commune.code == commune_code)))
        ids = set(s.scalars(select(Member.id_number).where(Member.id_number.is_not(None))))
    return codes, ids


def _next_numbers(codes: Sequence[str], commune_code: str, positions: Sequence[int]) -> dict[int, int]:
    """The next running number per hamlet position, compared as numbers (…-9999 < …-10000)."""
    top = dict.fromkeys(positions, 0)
    for code in codes:
        parts = code.split("-")
        if len(parts) == 3 and parts[0] == commune_code and parts[1].isdigit() and parts[2].isdigit():
            pos = int(parts[1])
            if pos in top:
                top[pos] = max(top[pos], int(parts[2]))
    return {pos: n + 1 for pos, n in top.items()}


def build_demo(register: Register, actor: Actor, households: int, seed: int = 1,
               commune_code: str = TRA_CU, today: date | None = None,
               progress: Callable[[int], bool] | None = None) -> BulkResult:
    """Add `households` synthetic households to the register (setting it up as `commune_code` first
    if it is new) and assess them under the 2022–2026 standard. Deterministic in `seed`, `today`
    and what the register already holds; `progress(done)` may return False to cancel (nothing saved)."""
    if households < 0:
        raise PovcaseError(N_("The number of households cannot be negative"))
    today = today or date.today()
    was_set_up = register.communes.is_set_up()
    officer, hamlet_dtos = _ensure_commune(register, actor, commune_code)
    codes, used_ids = _existing(register, commune_code)
    numbers = _next_numbers(codes, commune_code, [h.position for h in hamlet_dtos])
    hamlets = [_Hamlet(h.uuid, h.position, h.name, _profile_for(h.name, commune_code), numbers[h.position])
               for h in hamlet_dtos]
    unit = admin_units.commune(commune_code)
    label = unit.name[:1].lower() + unit.name[1:]  # "xã Trà Cú" inside an address
    # A second load into the same register continues from where the first stopped, so its people,
    # ID numbers and UUIDs differ from the first load's even with the same seed.
    state = f"{seed}:{commune_code}:{len(codes)}"
    rng = random.Random(f"povcase-demo:{state}")
    uuid_rng = random.Random(f"povcase-demo-uuid:{state}")
    forced_index = rng.randrange(min(households, 50)) if households >= 50 else None
    gen = _Generator(rng, hamlets, commune_code, label, _review_windows(today), officer, used_ids)
    bits = uuid_rng.getrandbits

    def next_uuid() -> str:  # a version-4 UUID, as uuid4().hex writes it, from the seeded generator
        return f"{bits(128) & _UUID_CLEAR | _UUID_SET:032x}"

    with register.db.reading() as s:
        first_id = (s.scalar(select(func.max(Household.id))) or 0) + 1
    try:
        result = bulk_load(register.db, actor, commune_code, gen.households(households, forced_index),
                           today=today, progress=progress, uuid_factory=next_uuid, count_hint=households)
    except BaseException:
        # Cancelled or failed: a demo set up by this call goes too, so the officer can still choose to
        # set up their own commune (the households were never written).
        if not was_set_up:
            register.communes.undo_empty_setup(actor)
        raise
    _write_decided_rounds(register, first_id, today, next_uuid)
    return result
