"""Checks on the values an officer types: ID numbers, names, dates, money, areas.

Each check returns a FieldProblem (or None); the service collects them so a form shows every problem
at once and nothing is saved until all are fixed.
"""

from __future__ import annotations

import re
from datetime import date

from povcase.domain.text import nfc
from povcase.errors import N_, FieldProblem

# First three digits of a 12-digit citizen ID (CCCD): where the birth was registered, by the
# 63 provinces in force when the numbers were issued (Thông tư 59/2021/TT-BCA, Phụ lục I).
CCCD_PLACE_CODES = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022",
    "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042",
    "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066",
    "067", "068", "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087",
    "089", "091", "092", "093", "094", "095", "096",
})
# Fourth digit: sex and century of birth (Thông tư 07/2016/TT-BCA, Điều 7): 0/1 = 20th century
# (1900s), 2/3 = 21st, 4/5 = 22nd, 6/7 = 23rd, 8/9 = 24th; even digits male, odd female.
_CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 2300, 9: 2300}
# ASCII digits only, and \Z not $: "\d" also matches full-width digits and "$" a trailing newline.
_DIGITS12 = re.compile(r"^[0-9]{12}\Z")
_COMMUNE_CODE = re.compile(r"^[0-9]{5}\Z")
_ID_SEPARATORS = re.compile(r"[\s.\-]")
_ANY_DIGIT = re.compile(r"\d")
_PHONE = re.compile(r"^\+?[0-9]{9,12}\Z")


def normalise_id_number(raw: str) -> str:
    """Remove spaces and dots people type into ID numbers ("079 203 001 234")."""
    if not raw:
        return ""
    if raw.isascii() and raw.isdigit():
        return raw
    return _ID_SEPARATORS.sub("", raw)


def check_id_number(field: str, value: str, sex: str | None = None,
                    birth_date: date | None = None) -> FieldProblem | None:
    """A 12-digit CCCD: place code, sex-and-century digit, and birth year that agree with the person."""
    if not _DIGITS12.match(value):
        return FieldProblem(field, N_("An ID number (CCCD) has exactly 12 digits"))
    if value[:3] not in CCCD_PLACE_CODES:
        return FieldProblem(field, N_("The first three digits {code} are not a province code"),
                            {"code": value[:3]})
    gene = int(value[3])
    century = _CENTURY[gene]
    year = century + int(value[4:6])
    if birth_date is not None and birth_date.year != year:
        return FieldProblem(field, N_("The ID number says born in {year}, the birth date says {birth}"),
                            {"year": year, "birth": birth_date.year})
    if sex is not None:
        id_sex = "male" if gene % 2 == 0 else "female"
        if id_sex != sex:
            return FieldProblem(field, N_("The ID number's fourth digit does not match the person's sex"))
    return None


def check_name(field: str, value: str, required: bool = True) -> FieldProblem | None:
    text = nfc(value or "")
    if not text:
        return FieldProblem(field, N_("Required")) if required else None
    if len(text) > 120:
        return FieldProblem(field, N_("At most {n} characters"), {"n": 120})
    if _ANY_DIGIT.search(text):
        return FieldProblem(field, N_("A name has no digits"))
    return None


def check_birth_date(field: str, value: date | None, today: date) -> FieldProblem | None:
    if value is None:
        return None
    if value > today:
        return FieldProblem(field, N_("Cannot be in the future"))
    if today.year - value.year > 130:
        return FieldProblem(field, N_("Must be between {low} and {high}"),
                            {"low": today.year - 130, "high": today.year})
    return None


def check_amount(field: str, value: int | None, allow_zero: bool = False) -> FieldProblem | None:
    """Money in whole VND."""
    if value is None:
        return None
    if value < 0 or (value == 0 and not allow_zero):
        return FieldProblem(field, N_("Must be a positive amount"))
    if value > 100_000_000_000:
        return FieldProblem(field, N_("Amount too large: check the number of zeros"))
    return None


def check_area(field: str, value: float | None) -> FieldProblem | None:
    if value is None:
        return None
    if value < 0 or value != value:
        return FieldProblem(field, N_("Cannot be negative"))
    if value > 100_000:
        return FieldProblem(field, N_("Must be between {low} and {high}"), {"low": 0, "high": 100_000})
    return None


def check_commune_code(field: str, value: str) -> FieldProblem | None:
    if not _COMMUNE_CODE.match(value or ""):
        return FieldProblem(field, N_("A commune code has exactly 5 digits"))
    return None


def check_phone(field: str, value: str | None) -> FieldProblem | None:
    if not value:
        return None
    if not _PHONE.match(re.sub(r"[\s.\-]", "", value)):
        return FieldProblem(field, N_("A phone number has 9 to 12 digits"))
    return None
