"""SearchService: diacritic-free full-text search, filters, Vietnamese sort, lazy ids and rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from povcase.domain.facts import HousingFacts
from povcase.services.base import Actor
from povcase.services.bulk import BulkHousehold, bulk_load
from povcase.services.dto import AssessmentInput, HouseholdDTO, HouseholdInput, MemberInput
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter, SortKey
from tests.conftest import COMMUNE_CODE, TODAY, sample_household


def household(hamlet_uuid: str, head: str, *others: str, address: str = "", ethnicity: str = "Kinh",
              id_number: str | None = None, sex: str = "male", born: date = date(1980, 3, 2)) -> HouseholdInput:
    members = (MemberInput(head, "head", sex, born, id_number, has_health_insurance=True,
                           employment="self_employed", qualification="upper_secondary", in_school=False),
               *(MemberInput(name, "child", None, date(2015, 1, 1), None, in_school=True,
                             has_health_insurance=True, stunted_or_underweight=False) for name in others))
    return HouseholdInput(hamlet_uuid=hamlet_uuid, members=members, address=address, ethnicity_group=ethnicity,
                          housing=HousingFacts(area_m2=60.0, safe_water=True, hygienic_latrine=True,
                                               uses_telecom=True, has_information_device=True))


class Fixture:
    """Four households in three hamlets, with names chosen to exercise folding and sorting."""

    def __init__(self, reg: Register, officer: Actor) -> None:
        self.reg = reg
        self.officer = officer
        self.cho, self.dai_mong, self.soc_cha = reg.communes.hamlets()
        add = self.add
        self.duc = add(household(self.cho.uuid, "Nguyễn Văn Đức", "Nguyễn Thị Hoa", address="Tổ 3, Ấp Chợ",
                                 id_number="084080001234"))
        self.binh = add(household(self.dai_mong.uuid, "Lê Văn Bình", "Lê Thị Xuân",
                                  address="Bờ kênh Tầm Phương"))
        self.an = add(household(self.dai_mong.uuid, "Trần Thị An", "Đinh Văn Dũng", address="Gần chùa Sóc Chà",
                                sex="female", id_number="084195007777", born=date(1995, 6, 1)))
        self.som = add(household(self.soc_cha.uuid, "Thạch Sôm", address="Phum Sóc", ethnicity="Khmer"))

    def add(self, h: HouseholdInput) -> HouseholdDTO:
        return self.reg.households.create(self.officer, h, today=TODAY).value

    def ids(self, **f: object) -> set[int]:
        return set(self.reg.search.ids(HouseholdFilter(**f)))  # type: ignore[arg-type]

    def found(self, text: str) -> set[int]:
        return self.ids(text=text)


@pytest.fixture
def fx(register: Register, officer: Actor) -> Fixture:
    return Fixture(register, officer)


@pytest.mark.parametrize("query", ["nguyen van duc", "NGUYEN VAN DUC", "Nguyễn Văn Đức", "nguyễn đức", "duc",
                                   "  Nguyen   VAN  duc  ", "ngu", "Đức", "van duc"])
def test_head_name_without_diacritics(fx: Fixture, query: str) -> None:
    assert fx.found(query) == {fx.duc.id}


def test_decomposed_query(fx: Fixture) -> None:
    import unicodedata

    assert fx.found(unicodedata.normalize("NFD", "Nguyễn Văn Đức")) == {fx.duc.id}


def test_member_names_are_found(fx: Fixture) -> None:
    assert fx.found("hoa") == {fx.duc.id}
    assert fx.found("nguyen thi hoa") == {fx.duc.id}
    assert fx.found("Lê Thị Xuân") == {fx.binh.id}
    assert fx.found("xuan") == {fx.binh.id}


def test_all_words_must_match(fx: Fixture) -> None:
    assert fx.found("nguyen") == {fx.duc.id}
    assert fx.found("van") == {fx.duc.id, fx.binh.id, fx.an.id}  # Văn is in three households
    assert fx.found("van binh") == {fx.binh.id}
    assert fx.found("duc xuan") == set()


def test_d_and_dj_match_both_ways(fx: Fixture) -> None:
    # đ in the register, d in the query ...
    assert fx.found("dinh van dung") == {fx.an.id}
    assert fx.found("duc") == {fx.duc.id}
    # ... and đ in the query, d in the register (Dũng is written with d).
    assert fx.found("đũng") == {fx.an.id}
    assert fx.found("ĐINH") == {fx.an.id}


def test_codes(fx: Fixture) -> None:
    assert fx.duc.code == "29461-01-0001"
    assert fx.found("29461-01-0001") == {fx.duc.id}
    assert fx.found(fx.an.code) == {fx.an.id}
    # Code prefixes: the hamlet part, the commune part.
    assert fx.found("29461-02") == {fx.binh.id, fx.an.id}
    assert fx.found("29461-03-00") == {fx.som.id}
    assert fx.found("29461") == {fx.duc.id, fx.binh.id, fx.an.id, fx.som.id}


def test_id_numbers(fx: Fixture) -> None:
    assert fx.found("084080001234") == {fx.duc.id}
    assert fx.found("0840800") == {fx.duc.id}
    assert fx.found("084195007777") == {fx.an.id}
    assert fx.found("0841") == {fx.an.id}
    assert fx.found("084") == {fx.duc.id, fx.an.id}
    assert fx.found("084080001235") == set()


def test_hamlet_names_and_addresses(fx: Fixture) -> None:
    assert fx.found("dai mong") == {fx.binh.id, fx.an.id}
    assert fx.found("Ấp Đại Mong") == {fx.binh.id, fx.an.id}
    assert fx.found("soc cha") == {fx.som.id, fx.an.id}  # the hamlet of one, the address of the other
    assert fx.found("tam phuong") == {fx.binh.id}
    assert fx.found("phum") == {fx.som.id}
    assert fx.found("to 3") == {fx.duc.id}


@pytest.mark.parametrize("query", ["xyzzy", "nguyen xyzzy", "qqq 999", "0000000000000"])
def test_nonsense_finds_nothing(fx: Fixture, query: str) -> None:
    assert fx.found(query) == set()
    assert fx.reg.search.search(HouseholdFilter(text=query)).total == 0


@pytest.mark.parametrize(("query", "who"), [
    ("-duc", "duc"), ("^duc", "duc"), ("đức:*", "duc"), ("duc)", "duc"), ('"duc"', "duc"), ("d*c", "all_d"),
    ('"', "all"), ("((", "all"), ("*", "all"),
    ('nguyen" OR *', "none"), ("NEAR(duc)", "none"), ("duc AND binh", "none"), ("duc OR binh", "none"),
])
def test_query_syntax_is_never_interpreted(fx: Fixture, query: str, who: str) -> None:
    """FTS5 operators in what the officer types are just words (or nothing); nothing raises."""
    everyone = {fx.duc.id, fx.binh.id, fx.an.id, fx.som.id}
    expected = {"duc": {fx.duc.id}, "all": everyone, "none": set(),
                "all_d": {fx.duc.id, fx.an.id}}[who]  # "d" and "c" as prefixes: Đức; Đinh + Chùa
    assert fx.found(query) == expected
    assert fx.reg.search.count(HouseholdFilter(text=query)) == len(expected)


@pytest.mark.parametrize("query", ["", "   ", "-", "!!!"])
def test_empty_query_returns_all(fx: Fixture, query: str) -> None:
    assert fx.found(query) == {fx.duc.id, fx.binh.id, fx.an.id, fx.som.id}
    assert fx.reg.search.count(HouseholdFilter(text=query)) == 4


def _assess(fx: Fixture, h: HouseholdDTO, on: date, income: int) -> None:
    fx.reg.households.assess(fx.officer, h.uuid, AssessmentInput(on, income_per_capita=income), today=TODAY)


def test_filters_combine_with_text(fx: Fixture) -> None:
    # Đức: poor 2026 (the sample's deprivations come from its facts), Bình: not poor 2026,
    # An: near-poor 2025, Sôm: never assessed.
    poor = fx.reg.households.update(fx.officer, fx.duc.uuid,
                                    replace(sample_household(fx.cho.uuid), code=fx.duc.code), 1,
                                    today=TODAY).value
    _assess(fx, poor, TODAY, 1_000_000)
    _assess(fx, fx.binh, TODAY, 9_000_000)
    _assess(fx, fx.an, date(2025, 10, 1), 1_000_000)
    statuses = {r.id: r.status for r in fx.reg.search.search(HouseholdFilter()).rows}
    assert statuses == {fx.duc.id: "poor", fx.binh.id: "not_poor", fx.an.id: "near_poor", fx.som.id: None}

    assert fx.ids(statuses=("poor",)) == {fx.duc.id}
    assert fx.ids(statuses=("none",)) == {fx.som.id}
    assert fx.ids(statuses=("poor", "near_poor")) == {fx.duc.id, fx.an.id}
    assert fx.ids(statuses=("near_poor", "none")) == {fx.an.id, fx.som.id}
    assert fx.ids(year=2026) == {fx.duc.id, fx.binh.id}
    assert fx.ids(year=2025) == {fx.an.id}
    assert fx.ids(standard="2022-2026") == {fx.duc.id, fx.binh.id, fx.an.id}
    assert fx.ids(ethnicity_group="Khmer") == {fx.som.id}
    assert fx.ids(hamlet_uuids=(fx.dai_mong.uuid,)) == {fx.binh.id, fx.an.id}
    assert fx.ids(hamlet_uuids=(fx.cho.uuid, fx.soc_cha.uuid)) == {fx.duc.id, fx.som.id}
    # Combined with each other and with text.
    assert fx.ids(text="van", hamlet_uuids=(fx.dai_mong.uuid,)) == {fx.binh.id, fx.an.id}
    assert fx.ids(text="van", statuses=("poor", "near_poor")) == {fx.duc.id, fx.an.id}
    assert fx.ids(text="van", year=2026, statuses=("poor", "near_poor")) == {fx.duc.id}
    assert fx.ids(text="van", ethnicity_group="Khmer") == set()
    assert fx.ids(text="thach", ethnicity_group="Khmer", statuses=("none",)) == {fx.som.id}
    assert fx.ids(text="dai mong", statuses=("none",)) == set()
    assert fx.reg.search.count(HouseholdFilter(text="van", year=2026)) == 2


def test_sort_by_head_uses_vietnamese_given_name_order(fx: Fixture) -> None:
    # An < Bình < Đức < Sôm by given name; a plain sort by full name would put Lê first.
    dung = fx.add(household(fx.cho.uuid, "Phạm Văn Dũng"))  # Dũng (d) before Đức (đ)
    expected = [fx.an.id, fx.binh.id, dung.id, fx.duc.id, fx.som.id]
    assert fx.reg.search.ids(HouseholdFilter(), SortKey.HEAD) == expected
    assert fx.reg.search.ids(HouseholdFilter(), SortKey.HEAD, descending=True) == expected[::-1]
    page = fx.reg.search.search(HouseholdFilter(), SortKey.HEAD)
    assert [r.head_name for r in page.rows] == ["Trần Thị An", "Lê Văn Bình", "Phạm Văn Dũng", "Nguyễn Văn Đức",
                                                "Thạch Sôm"]
    assert [r.id for r in fx.reg.search.search(HouseholdFilter(), SortKey.HEAD, descending=True).rows] == (
        expected[::-1])


def test_other_sort_keys(fx: Fixture) -> None:
    by_code = fx.reg.search.ids(HouseholdFilter(), SortKey.CODE)
    assert by_code == [fx.duc.id, fx.binh.id, fx.an.id, fx.som.id]
    by_hamlet = fx.reg.search.ids(HouseholdFilter(), SortKey.HAMLET)
    assert by_hamlet[0] == fx.duc.id and by_hamlet[-1] == fx.som.id  # Chợ < Đại Mong < Sóc Chà
    for key in SortKey:
        asc = fx.reg.search.ids(HouseholdFilter(), key)
        assert sorted(asc) == sorted([fx.duc.id, fx.binh.id, fx.an.id, fx.som.id])


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("text", ["", "van", "29461-02"])
def test_ids_rows_and_search_agree(fx: Fixture, sort: SortKey, descending: bool, text: str) -> None:
    f = HouseholdFilter(text=text)
    page = fx.reg.search.search(f, sort, descending)
    ids = fx.reg.search.ids(f, sort, descending)
    assert ids == [r.id for r in page.rows]
    assert page.total == len(ids) == fx.reg.search.count(f)
    assert fx.reg.search.rows(ids) == list(page.rows)
    # rows() keeps the order it is asked for, and skips ids it does not know.
    assert fx.reg.search.rows([*ids[::-1], 999_999]) == list(page.rows)[::-1]


def test_paging(fx: Fixture) -> None:
    all_ids = fx.reg.search.ids(HouseholdFilter(), SortKey.HEAD)
    pages = [fx.reg.search.search(HouseholdFilter(), SortKey.HEAD, offset=o, limit=2) for o in (0, 2, 4)]
    assert [r.id for p in pages for r in p.rows] == all_ids
    assert {p.total for p in pages} == {4}
    assert fx.reg.search.rows([]) == []


def test_rows_carry_the_list_columns(fx: Fixture) -> None:
    [row] = fx.reg.search.rows([fx.duc.id])
    assert (row.uuid, row.code, row.head_name, row.hamlet_name, row.members_count, row.status,
            row.ethnicity_group) == (fx.duc.uuid, "29461-01-0001", "Nguyễn Văn Đức", "Ấp Chợ", 2, None, "Kinh")


def test_editing_updates_the_index(fx: Fixture) -> None:
    h = fx.duc
    members = (h.members[0].as_input(), replace(h.members[1].as_input(), full_name="Nguyễn Thị Huệ"))
    fx.reg.households.update(fx.officer, h.uuid, replace(h.as_input(), members=members, address="Ấp Mới"), 1,
                             today=TODAY)
    assert fx.found("hoa") == set()
    assert fx.found("hue") == {h.id}
    assert fx.found("to 3") == set()
    assert fx.found("ap moi") == {h.id}
    # Removing a member drops their name (and ID number) from the index.
    h = fx.reg.households.get(h.uuid)
    fx.reg.households.update(fx.officer, h.uuid, replace(h.as_input(), members=(h.members[0].as_input(),)),
                             h.revision, today=TODAY)
    assert fx.found("hue") == set()
    assert fx.found("nguyen van duc") == {h.id}
    # Head's ID removed with the head replaced by a new head.
    h = fx.reg.households.get(h.uuid)
    fx.reg.households.update(fx.officer, h.uuid, replace(h.as_input(), members=(
        MemberInput("Võ Thị Lụa", "head", "female", date(1990, 1, 1)),)), h.revision, today=TODAY)
    assert fx.found("084080001234") == set()
    assert fx.found("nguyen van duc") == set()
    assert fx.found("lua") == {h.id}


def test_moving_hamlet_updates_the_index(fx: Fixture) -> None:
    fx.reg.households.update(fx.officer, fx.som.uuid, replace(fx.som.as_input(), hamlet_uuid=fx.cho.uuid), 1,
                             today=TODAY)
    assert fx.found("soc cha") == {fx.an.id}
    assert fx.ids(text="thach", hamlet_uuids=(fx.cho.uuid,)) == {fx.som.id}


def test_deleted_households_drop_out(fx: Fixture) -> None:
    fx.reg.households.delete(fx.officer, fx.binh.uuid, "Gộp vào hộ khác")
    assert fx.found("binh") == set()
    assert fx.found("dai mong") == {fx.an.id}
    assert fx.found("") == {fx.duc.id, fx.an.id, fx.som.id}
    assert fx.ids(include_deleted=True) == {fx.duc.id, fx.binh.id, fx.an.id, fx.som.id}
    fx.reg.households.restore(fx.officer, fx.binh.uuid)
    assert fx.found("binh") == {fx.binh.id}


def test_bulk_loaded_households_are_searchable(fx: Fixture) -> None:
    items = [BulkHousehold(replace(household(fx.soc_cha.uuid, name, "Kim Thị Sa Ra", address="Phum Ô Rôm",
                                             ethnicity="Khmer"), code=f"29461-03-{n:04d}"))
             for n, name in ((101, "Sơn Văn Đệ"), (102, "Thạch Thị Đào"))]
    result = bulk_load(fx.reg.db, fx.officer, COMMUNE_CODE, items, today=TODAY)
    assert result.households == 2
    found = fx.found("son van de")
    assert len(found) == 1
    [row] = fx.reg.search.rows(list(found))
    assert row.code == "29461-03-0101" and row.head_name == "Sơn Văn Đệ" and row.hamlet_name == "Ấp Sóc Chà"
    assert len(fx.found("đao")) == 1
    assert len(fx.found("sa ra")) == 2
    assert len(fx.found("o rom")) == 2
    assert len(fx.found("29461-03-01")) == 2
    assert fx.found("soc cha") == {fx.som.id, fx.an.id} | fx.found("sa ra")
    # Sorted among the others by given name, Vietnamese letter order: Đào < Đệ < Đức.
    names = [r.head_name for r in fx.reg.search.search(HouseholdFilter(), SortKey.HEAD).rows]
    assert names.index("Thạch Thị Đào") < names.index("Sơn Văn Đệ") < names.index("Nguyễn Văn Đức")
    # And a bulk-loaded household can then be edited through the service, index following.
    loaded = fx.reg.households.get(row.uuid)
    fx.reg.households.update(fx.officer, loaded.uuid, with_head(loaded, "Sơn Văn Hùng"), loaded.revision,
                             today=TODAY)
    assert fx.found("son van de") == set()
    assert fx.found("son van hung") == {loaded.id}


def with_head(h: HouseholdDTO, name: str) -> HouseholdInput:
    members = list(h.as_input().members)
    members[0] = replace(members[0], full_name=name)
    return replace(h.as_input(), members=tuple(members))
