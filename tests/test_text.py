"""Vietnamese text: NFC, folding for search, collation keys, given-name-first sorting."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from povcase.domain.text import collation_key, fold, given_name, nfc, person_sort_key, search_tokens


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- NFC ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    ("  Nguyễn   Văn\tĐức \n", "Nguyễn Văn Đức"),
    (nfd("Nguyễn Văn Đức"), "Nguyễn Văn Đức"),
    ("", ""),
])
def test_nfc(raw, expected) -> None:
    out = nfc(raw)
    assert out == expected
    assert unicodedata.is_normalized("NFC", out)


# --- fold -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "folded"), [
    ("Nguyễn Văn Đức", "nguyen van duc"),
    ("ĐẶNG THỊ ĐÀO", "dang thi dao"),
    ("đường", "duong"),
    ("Ưu Ơn Ân Ăn Ê", "uu on an an e"),
    ("à ả ã á ạ", "a a a a a"),
    ("Phạm Thị Ánh Tuyết", "pham thi anh tuyet"),
    ("Thạch Sa Rươne", "thach sa ruone"),
    ("Ấp 3", "ap 3"),
    ("ABC", "abc"),
    ("", ""),
])
def test_fold(text, folded) -> None:
    assert fold(text) == folded
    assert fold(nfd(text)) == folded


@pytest.mark.parametrize(("a", "b"), [("Đức", "Dục"), ("Lan", "Lân"), ("Hoà", "Hòa"), ("NGÔ", "ngộ")])
def test_fold_makes_marked_and_plain_spellings_meet(a, b) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize(("text", "tokens"), [
    ("Ấp 3, xã Trà Cú", ["ap", "3", "xa", "tra", "cu"]),
    ("Nguyễn Văn Đức", ["nguyen", "van", "duc"]),
    ("  Số 12/4 Tổ dân phố Đông-Hòa ", ["so", "12", "4", "to", "dan", "pho", "dong", "hoa"]),
    ("084080001234", ["084080001234"]),
    ("", []),
    ("— , .", []),
])
def test_search_tokens(text, tokens) -> None:
    assert search_tokens(text) == tokens
    assert search_tokens(nfd(text)) == tokens


# --- collation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("chain", [
    ["a", "à", "ả", "ã", "á", "ạ"],            # tones: level, huyền, hỏi, ngã, sắc, nặng
    ["a", "ă", "â", "b"],
    ["d", "đ", "e"],
    ["e", "ê", "f"],
    ["o", "ô", "ơ", "p"],
    ["u", "ư", "v"],
    ["ạ", "ă"],                                # the letter counts before the tone
    ["An", "An Bình", "Anh"],                  # a shorter word first
    ["Ba", "Bà", "Bác", "Bạc", "Bắc"],
    ["Anh", "Ánh", "Ân", "Ấn", "Bình", "Dũng", "Đức", "Út", "Ương"],
    ["Cà Mau", "Cao Bằng", "Cần Thơ"],
    ["Lạng Sơn", "Lào Cai", "Lâm Đồng"],       # l-a-n before l-a-o before l-â
])
def test_collation_order(chain) -> None:
    keys = [collation_key(w) for w in chain]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    shuffled = chain[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=collation_key) == chain


def test_collation_ignores_case_and_spacing() -> None:
    assert collation_key("Nguyễn Văn Đức") == collation_key("NGUYỄN VĂN ĐỨC")
    assert collation_key("Nguyễn Văn Đức") == collation_key("  nguyễn  văn đức ")


def test_collation_tone_is_second_level() -> None:
    # "Bàn" is before "Ban Mai": the words decide first, the tones only between identical letters.
    assert collation_key("Ban") < collation_key("Bàn") < collation_key("Ban Mai")


@pytest.mark.parametrize("text", ["Nguyễn Văn Đức", "Thạch Thị Phượng", "Đặng Ngọc Ẩn", "Ưng Hoàng Phúc"])
def test_decomposed_input_gives_the_same_keys(text) -> None:
    assert nfd(text) != text
    assert collation_key(nfd(text)) == collation_key(text)
    assert person_sort_key(nfd(text)) == person_sort_key(text)
    assert given_name(nfd(text)) == given_name(text)


# --- people ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("full", "given"), [
    ("Nguyễn Văn Đức", "Đức"),
    ("Thạch Sa Rươne", "Rươne"),
    ("  Lê   An ", "An"),
    ("Mai", "Mai"),
])
def test_given_name(full, given) -> None:
    assert given_name(full) == given


def test_people_sort_by_given_name_first() -> None:
    people = ["Nguyễn Văn Bình", "Trần Thị An", "Lê Văn An", "Đỗ Đức Anh", "Âu Thị Ánh", "Nguyễn Thị Đào",
              "Phạm Văn Dũng"]
    expected = ["Lê Văn An", "Trần Thị An", "Đỗ Đức Anh", "Âu Thị Ánh", "Nguyễn Văn Bình", "Phạm Văn Dũng",
                "Nguyễn Thị Đào"]
    assert sorted(people, key=person_sort_key) == expected
    assert person_sort_key("Trần Thị An") < person_sort_key("Nguyễn Văn Bình")


def test_same_given_name_then_full_name() -> None:
    assert person_sort_key("Lê Văn An") < person_sort_key("Trần An") < person_sort_key("Trần Thị An")
    # A different given name decides before any family name.
    assert person_sort_key("Trần Thị An") < person_sort_key("Âu Văn Anh") < person_sort_key("Lê Văn Ấn")


# --- properties -----------------------------------------------------------------------------------
_TONE_MARKS = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
_VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
_CONSONANTS = list("bcdghklmnpqrstvx") + ["đ"]
LOWER = sorted({unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONE_MARKS} | set(_CONSONANTS))
LETTERS = LOWER + [c.upper() for c in LOWER]

words = st.text(alphabet=LETTERS, min_size=1, max_size=8)
names = st.lists(words, min_size=1, max_size=4).map(" ".join)
lower_words = st.text(alphabet=LOWER, min_size=1, max_size=6)
lower_names = st.lists(lower_words, min_size=1, max_size=3).map(" ".join)


def test_the_alphabet_is_complete() -> None:
    assert len(LOWER) == 12 * 6 + 17  # every vowel with every tone, and 17 consonants
    assert "ặ" in LOWER and "ự" in LOWER and "ỹ" in LOWER and "Đ" in LETTERS


@given(names)
def test_fold_is_ascii_lowercase(text) -> None:
    out = fold(text)
    assert out.isascii()
    assert out == out.lower()
    assert len(out) == len(text)  # one plain letter for each Vietnamese letter
    assert fold(nfd(text)) == out


@given(names)
def test_keys_ignore_normalisation_form(text) -> None:
    assert collation_key(nfd(text)) == collation_key(text)
    assert person_sort_key(nfd(text)) == person_sort_key(text)


@given(lower_names, lower_names)
def test_collation_is_a_total_order_consistent_with_equality(a, b) -> None:
    ka, kb = collation_key(a), collation_key(b)
    # Exactly one of <, =, > and equal keys only for the same (NFC) text.
    assert (ka < kb) + (ka == kb) + (ka > kb) == 1
    assert (ka == kb) == (nfc(a) == nfc(b))
    assert (collation_key(nfd(a)) == kb) == (a == b)


@given(lower_names, lower_names, lower_names)
def test_collation_sort_is_transitive_and_stable_under_input_order(a, b, c) -> None:
    items = [a, b, c]
    assert sorted(items, key=collation_key) == sorted([c, b, a], key=collation_key)
    ordered = sorted(items, key=collation_key)
    keys = [collation_key(x) for x in ordered]
    assert keys[0] <= keys[1] <= keys[2]


@given(lower_names, lower_names)
def test_equal_keys_fold_equal(a, b) -> None:
    # Keys agree on letters first, so texts that sort apart on letters also fold apart.
    if fold(a) != fold(b):
        assert collation_key(a) != collation_key(b)


@given(names)
def test_person_key_ignores_case(text) -> None:
    assert person_sort_key(text) == person_sort_key(text.lower())
