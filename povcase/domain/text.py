"""Vietnamese text: NFC normalisation, diacritic-free folding for search, and collation keys.

Search folds text so that "nguyen van duc" finds "Nguyễn Văn Đức": tone marks and vowel marks go,
đ becomes d, case goes. Sorting needs the opposite: a key whose plain binary order is the Vietnamese
alphabetical order (a < ă < â < b < … < d < đ < …, tones as a second level), so that SQLite can sort
300,000 names with an ordinary index instead of calling back into Python for every comparison.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TOKEN = re.compile(r"[0-9a-z]+")


@lru_cache(maxsize=131072)
def nfc(text: str) -> str:
    """NFC-normalise and trim, collapsing runs of white space to one space."""
    # str.split() splits on every Unicode space, like \s+; both calls run in C (hot in bulk loads).
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str) -> str:
    """Lower-case ASCII form for search: no tone or vowel marks, đ → d."""
    # Per word, cached: names repeat a handful of words endlessly. (Measured: 4x faster than one
    # str.translate over the whole text, which looks every character up in a dict.)
    return " ".join(w.lower() if w.isascii() else _fold_word(w) for w in text.split(" "))


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    # Numbers and codes are ASCII and never cached: they would only push names out of the cache.
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def search_tokens(text: str) -> list[str]:
    """The folded words and numbers of a text, as the search index stores them."""
    return _TOKEN.findall(fold(text))


# --- collation -------------------------------------------------------------------------------
# The 29 letters of the Vietnamese alphabet, plus f, j, w, z for foreign words, in dictionary order.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Tones in the order dictionaries use: level, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng).
_TONES = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a new letter rather than a tone.
_LETTER_MARKS = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê",
                 ("o", "\u0302"): "ô", ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
# Primary weights are printable characters so the key is ordinary text: digits sort before letters,
# a word break before any character (so "An" < "An Bình" < "Anh").
_WORD_BREAK = "!"
_LEVEL_BREAK = " "  # lower than every primary weight: shorter primary strings sort first
_PRIMARY = {str(d): chr(0x30 + d) for d in range(10)}
_PRIMARY.update({letter: chr(0x41 + i) for i, letter in enumerate(_ALPHABET)})


def _letters(text: str) -> list[tuple[str, int]]:
    """Split NFC text into (base letter, tone) pairs, lower case; other characters become breaks."""
    out: list[tuple[str, int]] = []
    for ch in unicodedata.normalize("NFC", text.lower()):
        if ch == "đ":
            out.append(("đ", 0))
            continue
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        tone = 0
        for mark in marks:
            if (base, mark) in _LETTER_MARKS:
                base = _LETTER_MARKS[(base, mark)]
            elif mark in _TONES:
                tone = _TONES[mark]
        if base in _PRIMARY:
            out.append((base, tone))
        elif base.isspace() or not out or out[-1][0] != _WORD_BREAK:
            out.append((_WORD_BREAK, 0))
    while out and out[-1][0] == _WORD_BREAK:
        out.pop()
    while out and out[0][0] == _WORD_BREAK:
        out.pop(0)
    return out


def collation_key(text: str) -> str:
    """A text whose binary order is Vietnamese dictionary order (letters first, then tones)."""
    parts = [_word_key(w) for w in text.split()]
    primary = _WORD_BREAK.join(p for p, _ in parts if p)
    tones = "".join(t for _, t in parts)
    return primary + _LEVEL_BREAK + tones


@lru_cache(maxsize=65536)
def _word_key(word: str) -> tuple[str, str]:
    letters = _letters(word)
    primary = "".join(_WORD_BREAK if b == _WORD_BREAK else _PRIMARY[b] for b, _ in letters)
    tones = "".join(str(t) for b, t in letters if b != _WORD_BREAK)
    return primary, tones


def given_name(full_name: str) -> str:
    """The given name (tên): the last word of a Vietnamese full name."""
    words = nfc(full_name).split(" ")
    return words[-1] if words else ""


@lru_cache(maxsize=262144)
def person_sort_key(full_name: str) -> str:
    """Sort key for a person the way Vietnamese lists sort: by given name, then the full name."""
    return collation_key(given_name(full_name)) + _WORD_BREAK + collation_key(full_name)
