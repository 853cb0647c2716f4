"""The demo commune: realistic, valid, and the same for the same seed."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from povcase.db.models import Assessment, Certificate, Household, Member, ReviewEntry
from povcase.domain.validation import check_id_number
from povcase.errors import PovcaseError
from povcase.services.base import Actor
from povcase.services.demo import build_demo
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter, SortKey

TODAY = date(2026, 11, 22)
N = 300
CODE = re.compile(r"^29461-(\d{2})-(\d{4,})$")


def _hamlet_position(code: str) -> str:
    match = CODE.match(code)
    assert match, code
    return match.group(1)


def _rows(reg: Register) -> list[tuple[str, str, str | None, int]]:
    page = reg.search.search(HouseholdFilter(), sort=SortKey.CODE, limit=1_000_000)
    return [(r.code, r.head_name, r.status, r.members_count) for r in page.rows]


def _uuids(reg: Register) -> list[str]:
    with reg.db.reading() as s:
        return list(s.scalars(select(Household.uuid).order_by(Household.code)))


def _fresh(tmp_path: Path, name: str) -> Register:
    home = tmp_path / name
    home.mkdir()
    return Register.open(home)


@pytest.fixture
def demo(empty_register: Register, officer: Actor) -> Register:
    result = build_demo(empty_register, officer, N, seed=1, today=TODAY)
    assert (result.households, result.members) == (N, empty_register.counts()["members"])
    return empty_register


def test_sets_up_tra_cu_with_hamlets(demo: Register) -> None:
    commune = demo.communes.local_commune()
    assert commune is not None and commune.code == "29461" and commune.name == "Xã Trà Cú"
    assert commune.upstream_office == "UBND tỉnh Vĩnh Long"
    hamlets = demo.communes.hamlets("29461")
    assert 6 <= len(hamlets) <= 10
    assert all(h.name.startswith("Ấp ") for h in hamlets)
    assert demo.communes.setting("officer_name")


def test_counts_sizes_and_codes(demo: Register) -> None:
    counts = demo.counts()
    assert counts["households"] == N
    assert 3.5 <= counts["members"] / N <= 4.5
    assert N <= counts["assessments"] <= 2 * N
    rows = _rows(demo)
    assert all(CODE.match(code) for code, *_ in rows)
    sizes = Counter(size for *_, size in rows)
    assert min(sizes) >= 1 and max(sizes) <= 9
    assert sizes[1] > 0 and sum(v for k, v in sizes.items() if k >= 6) > 0
    # spread over the hamlets
    assert len({_hamlet_position(code) for code, *_ in rows}) >= 6


def test_status_shares_are_believable(demo: Register) -> None:
    statuses = Counter(status for _, _, status, _ in _rows(demo))
    assert None not in statuses  # every household assessed
    assert 0.05 <= statuses["poor"] / N <= 0.16
    assert 0.03 <= statuses["near_poor"] / N <= 0.14
    assert (statuses["not_poor"] + statuses["middle"]) / N >= 0.7


def test_khmer_and_hoa_households(demo: Register) -> None:
    khmer = demo.search.count(HouseholdFilter(ethnicity_group="Khmer"))
    assert 0.15 <= khmer / N <= 0.45
    with demo.db.reading() as s:
        groups = Counter(s.scalars(select(Household.ethnicity_group)))
        khmer_members = s.scalar(select(func.count()).select_from(Member).where(Member.ethnicity == "Khmer"))
    assert set(groups) <= {"Kinh", "Khmer", "Hoa"} and groups["Kinh"] > groups["Khmer"]
    assert khmer_members and khmer_members >= 2 * khmer


def test_names_have_vietnamese_diacritics(demo: Register) -> None:
    with demo.db.reading() as s:
        names = list(s.scalars(select(Member.full_name)))
    assert all(len(n.split()) >= 2 for n in names)
    with_marks = [n for n in names if any(ord(c) > 127 for c in n)]
    assert len(with_marks) / len(names) > 0.8
    text = " ".join(names)
    for word in ("Nguyễn", "Thị", "Văn", "Đ", "ư", "ơ"):
        assert word in text
    assert any(n.split()[0] in {"Thạch", "Sơn", "Kim", "Danh", "Trầm", "Kiên"} for n in names)


def test_every_id_number_is_valid_unique_and_for_adults(demo: Register) -> None:
    with demo.db.reading() as s:
        members = s.execute(select(Member.id_number, Member.sex, Member.birth_date)).all()
    numbers = [m.id_number for m in members if m.id_number]
    assert len(numbers) == len(set(numbers))
    for m in members:
        age = (TODAY - m.birth_date).days // 365
        if m.id_number:
            assert check_id_number("id", m.id_number, m.sex, m.birth_date) is None, m
            assert age >= 14
        else:
            assert age <= 15
    assert sum(1 for n in numbers if n.startswith("084")) / len(numbers) > 0.8


def test_member_facts_agree_with_age(demo: Register) -> None:
    with demo.db.reading() as s:
        members = s.execute(select(Member.birth_date, Member.in_school, Member.employment, Member.qualification,
                                   Member.stunted_or_underweight, Member.relation)).all()
    heads = [(TODAY - m.birth_date).days // 365 for m in members if m.relation == "head"]
    assert sum(1 for a in heads if 25 <= a <= 75) / len(heads) > 0.8
    school_age = [m for m in members if 6 <= (TODAY - m.birth_date).days // 365 <= 14]
    assert sum(1 for m in school_age if m.in_school) / len(school_age) > 0.85
    for m in members:
        age = (TODAY - m.birth_date).days // 365
        if age < 14:
            assert m.employment is None
        if age >= 17:
            assert m.stunted_or_underweight is None
    employment = Counter(m.employment for m in members)
    assert employment["unemployed"] > 0 and employment["wage_without_contract"] > 0


def test_assessments_under_2022_2026_and_not_after_today(demo: Register) -> None:
    with demo.db.reading() as s:
        standards = set(s.scalars(select(Assessment.standard)))
        latest = s.scalar(select(func.max(Assessment.assessed_on)))
        assessors = set(s.scalars(select(Assessment.assessor)))
    assert standards == {"2022-2026"}
    assert latest is not None and latest <= TODAY
    assert assessors == {demo.communes.setting("officer_name")}


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path, officer: Actor) -> None:
    regs = [_fresh(tmp_path, name) for name in ("a", "b", "c")]
    try:
        for reg, seed in zip(regs, (7, 7, 8), strict=True):
            build_demo(reg, officer, N, seed=seed, today=TODAY)
        a, b, c = regs
        assert _rows(a) == _rows(b)
        assert _uuids(a) == _uuids(b)
        assert _rows(a) != _rows(c)
        assert _uuids(a) != _uuids(c)
        assert all(re.fullmatch(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}", u) for u in _uuids(a))
    finally:
        for reg in regs:
            reg.close()


def test_search_finds_nguyen_van_duc(demo: Register) -> None:
    page = demo.search.search(HouseholdFilter(text="nguyen van duc"))
    assert page.total >= 1
    assert "Nguyễn Văn Đức" in {r.head_name for r in page.rows}


def test_second_load_continues_numbering(demo: Register, officer: Actor) -> None:
    before = {code for code, *_ in _rows(demo)}
    result = build_demo(demo, officer, 120, seed=1, today=TODAY)  # same seed on purpose
    assert result.households == 120
    rows = _rows(demo)
    codes = [code for code, *_ in rows]
    assert len(codes) == len(set(codes)) == N + 120
    assert before < set(codes)
    assert len(_uuids(demo)) == len(set(_uuids(demo)))
    with demo.db.reading() as s:
        numbers = [n for n in s.scalars(select(Member.id_number)) if n]
    assert len(numbers) == len(set(numbers))


def test_uses_the_hamlets_of_an_existing_register(register: Register, officer: Actor) -> None:
    build_demo(register, officer, 60, today=TODAY)
    positions = {_hamlet_position(code) for code, *_ in _rows(register)}
    assert positions <= {"01", "02", "03"}
    assert register.search.count(HouseholdFilter(text="nguyen van duc")) >= 1


def test_refuses_a_register_of_another_commune(register: Register, officer: Actor) -> None:
    with pytest.raises(PovcaseError, match="29461"):
        build_demo(register, officer, 10, commune_code="29470", today=TODAY)
    assert register.counts()["households"] == 0


def test_cancel_saves_nothing(empty_register: Register, officer: Actor) -> None:
    with pytest.raises(PovcaseError):
        build_demo(empty_register, officer, 50, today=TODAY, progress=lambda done: False)
    assert empty_register.counts()["households"] == 0
    # The demo's own setup goes too: the officer can still set up their real commune.
    assert not empty_register.communes.is_set_up()
    assert empty_register.communes.hamlets() == []
    empty_register.communes.setup_commune(officer, "29467", [("Ấp Một", "ap")], "Lâm Văn Tư", "UBND tỉnh")
    assert empty_register.communes.local_commune().code == "29467"


def test_cancel_keeps_an_existing_setup(register: Register, officer: Actor) -> None:
    with pytest.raises(PovcaseError):
        build_demo(register, officer, 50, today=TODAY, progress=lambda done: False)
    assert register.communes.is_set_up() and register.counts()["households"] == 0


def test_setup_cannot_be_undone_once_households_exist(register: Register, officer: Actor) -> None:
    build_demo(register, officer, 5, today=TODAY)
    with pytest.raises(PovcaseError):
        register.communes.undo_empty_setup(officer)
    assert register.communes.is_set_up()


def test_demo_stands_before_the_2026_decision(demo: Register, officer: Actor) -> None:
    with demo.db.reading() as s:
        years = Counter(s.scalars(select(Household.status_year)))
        assessed = {d.year for d in s.scalars(select(Assessment.assessed_on))}
    assert set(years) == {2025} and assessed == {2024, 2025}
    assert demo.review.annual_round(2026) is None
    for year in (2024, 2025):
        rnd = demo.review.annual_round(year)
        assert rnd is not None and rnd.status == "decided"
        assert len(demo.review.postings(rnd.uuid)) == len(demo.review.opinions(rnd.uuid)) == 1
        assert demo.review.decision(rnd.uuid).decided_on == date(year, 12, 14)
    # The 2025 round's decided classifications are the households' statuses; its "before" their previous ones.
    rnd25 = demo.review.annual_round(2025)
    assert rnd25 is not None
    entries = demo.review.entries(rnd25.uuid)
    assert entries and all(e.state == "decided" for e in entries)
    for e in entries[:40]:
        h = demo.households.get(e.household_uuid)
        assert (h.status, h.previous_status) == (e.proposed, e.previous_status)
    certificates = demo.review.certificates(2025)
    assert len(certificates) == sum(1 for e in entries if e.proposed in ("poor", "near_poor"))
    assert [c.number for c in certificates][:2] == ["1/GCN-HN.HCN", "2/GCN-HN.HCN"]
    # The trend has the decided years; 2026 is not decided yet and equals 2025 until its decision.
    results = demo.results.year(2026)
    assert not results.decided and results.overall.this_year == demo.results.year(2025).overall.this_year
    assert [(p.year, p.decided) for p in demo.results.trend(2025)][-2:] == [(2024, True), (2025, True)]


def test_the_2026_round_proposes_the_poor_and_near_poor(demo: Register, officer: Actor) -> None:
    rnd = demo.review.open_annual_round(officer, 2026).value
    listed = {e.household_uuid for e in demo.review.entries(rnd.uuid)}
    poor = {r.uuid for r in demo.search.search(HouseholdFilter(statuses=("poor", "near_poor")), limit=10_000).rows}
    assert listed == poor and len(listed) >= N // 10


def test_demo_history_is_deterministic(tmp_path: Path, officer: Actor) -> None:
    regs = [_fresh(tmp_path, name) for name in ("a", "b")]
    try:
        dumps = []
        for reg in regs:
            build_demo(reg, officer, 80, seed=3, today=TODAY)
            with reg.db.reading() as s:
                dumps.append(([tuple(r) for r in s.execute(select(ReviewEntry.uuid, ReviewEntry.proposed,
                                                                       ReviewEntry.transition).order_by(ReviewEntry.id))],
                              [tuple(r) for r in s.execute(select(Certificate.uuid, Certificate.number)
                                                           .order_by(Certificate.id))]))
        assert dumps[0] == dumps[1] and dumps[0][0] and dumps[0][1]
    finally:
        for reg in regs:
            reg.close()
