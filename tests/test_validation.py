"""Checks on typed values (ID numbers, names, money, phone, codes) and the official unit list."""

from __future__ import annotations

from datetime import date

import pytest

from povcase.domain import admin_units
from povcase.domain.facts import Sex
from povcase.domain.validation import (
    CCCD_PLACE_CODES,
    check_amount,
    check_area,
    check_birth_date,
    check_commune_code,
    check_id_number,
    check_name,
    check_phone,
    normalise_id_number,
)
from povcase.errors import PovcaseError

TODAY = date(2026, 11, 22)


# --- CCCD (12-digit citizen ID) -------------------------------------------------------------------
@pytest.mark.parametrize(("number", "sex", "born"), [
    ("084080001234", "male", date(1980, 3, 2)),     # 0: male, 1900s
    ("084182004321", "female", date(1982, 5, 1)),   # 1: female, 1900s
    ("079203001234", "male", date(2003, 1, 1)),     # 2: male, 2000s
    ("001315000001", "female", date(2015, 12, 31)),  # 3: female, 2000s
    ("096099000000", "male", date(1999, 7, 7)),
    ("084300000001", "female", date(2000, 1, 1)),
])
def test_valid_id_numbers(number, sex, born) -> None:
    assert check_id_number("id", number) is None
    assert check_id_number("id", number, sex, born) is None
    assert check_id_number("id", number, Sex(sex), born) is None  # the enum works as well as the text


@pytest.mark.parametrize("number", ["08408000123", "0840800012345", "08408000123a", "084 080 001 234", "",
                                    "０８４０８０００１２３４",  # full-width digits
                                    "084080001234\n"])  # a pasted line break
def test_id_number_needs_exactly_12_ascii_digits(number) -> None:
    p = check_id_number("members[0].id_number", number)
    assert p is not None
    assert p.field == "members[0].id_number"
    assert "12 digits" in p.english()


@pytest.mark.parametrize(("code", "valid"), [
    ("001", True), ("079", True), ("084", True), ("086", True), ("096", True),
    ("000", False), ("003", False), ("005", False), ("097", False), ("100", False), ("999", False),
])
def test_place_code(code, valid) -> None:
    p = check_id_number("id", code + "080001234")
    if valid:
        assert p is None
    else:
        assert p is not None and p.params == {"code": code}


def test_sixty_three_place_codes() -> None:
    assert len(CCCD_PLACE_CODES) == 63
    assert all(len(c) == 3 and c.isdigit() for c in CCCD_PLACE_CODES)


@pytest.mark.parametrize(("number", "sex", "ok"), [
    ("084080001234", "male", True),
    ("084080001234", "female", False),
    ("084180001234", "female", True),
    ("084180001234", "male", False),
    ("084203001234", "male", True),
    ("084203001234", "female", False),
    ("084303001234", "female", True),
    ("084303001234", "male", False),
])
def test_fourth_digit_gives_sex(number, sex, ok) -> None:
    p = check_id_number("id", number, sex=sex)
    assert (p is None) is ok
    if not ok:
        assert "sex" in p.english()


@pytest.mark.parametrize(("number", "born", "said_year"), [
    ("084080001234", date(1981, 3, 2), 1980),
    ("084280001234", date(1980, 3, 2), 2080),  # 2 means the 2000s
    ("084003001234", date(2003, 3, 2), 1903),  # 0 means the 1900s
    ("084303001234", date(1903, 3, 2), 2003),
    ("084880001234", date(1880, 1, 1), 2380),  # 8 is the 24th century, not the 19th
])
def test_birth_year_must_match(number, born, said_year) -> None:
    p = check_id_number("id", number, birth_date=born)
    assert p is not None
    assert p.params == {"year": said_year, "birth": born.year}


@pytest.mark.parametrize(("raw", "clean"), [
    ("084 080 001 234", "084080001234"),
    ("084.080.001.234", "084080001234"),
    ("084-080-001-234", "084080001234"),
    (" 084080001234\t", "084080001234"),
    ("084080001234", "084080001234"),
    ("", ""),
    (None, ""),
])
def test_normalise_id_number(raw, clean) -> None:
    assert normalise_id_number(raw) == clean


def test_typed_with_spaces_passes_after_normalising() -> None:
    assert check_id_number("id", normalise_id_number("084 080 001 234"), "male", date(1980, 1, 1)) is None


# --- names ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Nguyễn Văn Đức", "Thạch Thị Sa Ra", "Y Bhăm Êban", "K'Sor H'Ngăm", "A"])
def test_valid_names(name) -> None:
    assert check_name("full_name", name) is None


@pytest.mark.parametrize(("name", "words"), [
    ("Nguyễn Văn 2", "digits"),
    ("Nguyen Van Duc1", "digits"),
    ("", "Required"),
    ("   ", "Required"),
    ("A" * 121, "120"),
])
def test_invalid_names(name, words) -> None:
    p = check_name("full_name", name)
    assert p is not None and p.field == "full_name"
    assert words in p.english()


def test_name_length_counts_nfc_characters() -> None:
    # 120 letters with tone marks, typed decomposed: still 120 characters.
    import unicodedata
    assert check_name("n", unicodedata.normalize("NFD", "ễ" * 120)) is None


def test_optional_name_may_be_empty() -> None:
    assert check_name("other_name", "", required=False) is None
    assert check_name("other_name", "Bé 2", required=False) is not None


# --- dates, money, areas --------------------------------------------------------------------------
@pytest.mark.parametrize(("born", "ok"), [
    (None, True),
    (TODAY, True),
    (date(2026, 11, 23), False),
    (date(1896, 1, 1), True),    # 130 years
    (date(1895, 12, 31), False),  # 131
])
def test_birth_date(born, ok) -> None:
    assert (check_birth_date("birth_date", born, TODAY) is None) is ok


@pytest.mark.parametrize(("amount", "allow_zero", "ok"), [
    (None, False, True),
    (1, False, True),
    (20_000_000, False, True),
    (100_000_000_000, False, True),
    (100_000_000_001, False, False),   # a slip of the zeros
    (0, False, False),
    (0, True, True),
    (-1, False, False),
    (-1, True, False),
])
def test_amount(amount, allow_zero, ok) -> None:
    p = check_amount("amount", amount, allow_zero=allow_zero)
    assert (p is None) is ok
    if not ok:
        assert p.field == "amount"


@pytest.mark.parametrize(("area", "ok"), [(None, True), (0.0, True), (24.5, True), (100_000.0, True),
                                          (100_000.1, False), (-0.5, False), (float("nan"), False)])
def test_area(area, ok) -> None:
    assert (check_area("area_m2", area) is None) is ok


# --- phone and commune code -----------------------------------------------------------------------
@pytest.mark.parametrize(("phone", "ok"), [
    (None, True),
    ("", True),
    ("0912345678", True),
    ("091 234 5678", True),
    ("091.234.5678", True),
    ("+84912345678", True),
    ("0291385123", True),      # a landline
    ("091234567", True),       # 9 digits
    ("12345678", False),       # 8
    ("0912345678901", False),  # 13
    ("09123abc78", False),
    ("84+912345678", False),
])
def test_phone(phone, ok) -> None:
    assert (check_phone("phone", phone) is None) is ok


@pytest.mark.parametrize(("code", "ok"), [
    ("29461", True), ("00004", True),
    ("2946", False), ("294611", False), ("2946a", False), ("", False), (" 29461", False),
    ("29461\n", False), ("２９４６１", False),
])
def test_commune_code_format(code, ok) -> None:
    assert (check_commune_code("commune_code", code) is None) is ok


# --- official administrative units ---------------------------------------------------------------
def test_34_provinces_with_two_digit_codes() -> None:
    provinces = admin_units.provinces()
    assert len(provinces) == 34
    codes = [p.code for p in provinces]
    assert len(set(codes)) == 34
    assert all(len(c) == 2 and c.isdigit() for c in codes)


def test_3321_communes_with_unique_five_digit_codes() -> None:
    communes = admin_units.communes()
    assert len(communes) == 3321
    assert len({c.code for c in communes}) == 3321
    assert all(len(c.code) == 5 and c.code.isdigit() for c in communes)
    kinds = [c.kind for c in communes]
    assert (kinds.count("xã"), kinds.count("phường"), kinds.count("đặc khu")) == (2621, 687, 13)
    province_codes = {p.code for p in admin_units.provinces()}
    assert {c.province_code for c in communes} == province_codes


def test_tra_cu() -> None:
    c = admin_units.commune("29461")
    assert c.name == "Xã Trà Cú"
    assert c.province_code == "86"
    assert c.kind == "xã" and not c.is_urban
    assert "Vĩnh Long" in admin_units.province("86").name
    assert c in admin_units.communes_of("86")


def test_phuong_is_urban() -> None:
    assert any(c.is_urban for c in admin_units.communes())
    assert all(c.is_urban == (c.kind == "phường") for c in admin_units.communes())


@pytest.mark.parametrize("query", ["tra cu", "Trà Cú", "TRÀ CÚ", "xa tra cu", "  tra   cu "])
def test_search_communes_diacritics_optional(query) -> None:
    found = admin_units.search_communes(query)
    assert "29461" in [c.code for c in found]
    assert "29461" in [c.code for c in admin_units.search_communes(query, province_code="86")]


def test_search_communes_by_code_and_province() -> None:
    assert "29461" in [c.code for c in admin_units.search_communes("29461")]
    assert admin_units.search_communes("tra cu", province_code="01") == []
    assert admin_units.search_communes("khong co xa nao ten nay") == []


def test_communes_of_a_province_are_sorted_by_name() -> None:
    from povcase.domain.text import collation_key
    found = admin_units.communes_of("86")
    assert found and all(c.province_code == "86" for c in found)
    keys = [collation_key(c.name.split(" ", 1)[-1]) for c in found]
    assert keys == sorted(keys)


@pytest.mark.parametrize("code", ["99999", "2946", ""])
def test_unknown_commune(code) -> None:
    with pytest.raises(PovcaseError):
        admin_units.commune(code)


def test_unknown_province() -> None:
    with pytest.raises(PovcaseError):
        admin_units.province("99")
