"""The gettext catalogs and the i18n helpers.

The catalog test extracts messages from the source with Babel in-process (same mapping and keywords
as `scripts/update_translations.py`), so it fails as soon as someone adds a message without a
Vietnamese translation. To fix such a failure: run `.venv/bin/python scripts/update_translations.py`,
translate what it lists in translations/vi/LC_MESSAGES/povcase.po, and remove any `#, fuzzy` line.
"""

from __future__ import annotations

import configparser
import gettext
import os
import shutil
import string
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, TranslationError
from babel.messages.checkers import num_plurals, python_format
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from povcase import i18n

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
VI_PO = ROOT / "translations" / "vi" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"

Msgid = str | tuple[str, ...]


# --- helpers -------------------------------------------------------------------------------------
def _keywords() -> dict:
    """The keyword specs of babel.cfg (`keywords =` in its sections), parsed the way pybabel does."""
    parser = configparser.RawConfigParser()
    parser.read(MAPPING, encoding="utf-8")
    specs: list[str] = []
    for section in parser.sections():
        specs += parser.get(section, "keywords", fallback="").split()
    return parse_keywords(specs)


def extract_messages(root: Path = ROOT) -> dict[Msgid, list[str]]:
    """Every msgid the source under `root` marks for translation, with where it is used."""
    with MAPPING.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(MAPPING))
    found: dict[Msgid, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            root, method_map, options_map, keywords=_keywords()):
        assert context is None, f"{filename}:{lineno}: message contexts are not used by povcase"
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def read_catalog(po: Path = VI_PO) -> Catalog:
    with po.open("rb") as fh:
        return read_po(fh, locale="vi")


def _singular(msgid: Msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _strings(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def untranslated(extracted: dict[Msgid, list[str]], catalog: Catalog) -> list[str]:
    """Messages from the source that have no usable (non-empty, non-fuzzy) translation."""
    problems = []
    for msgid, where in extracted.items():
        message = catalog.get(_singular(msgid))
        if message is None:
            why = "not in the catalog"
        elif message.fuzzy:
            why = "fuzzy"
        elif not _strings(message.string) or not all(_strings(message.string)):
            why = "untranslated"
        else:
            continue
        problems.append(f"{why}: {msgid!r} ({', '.join(where[:3])})")
    return problems


def placeholders(text: str) -> set[tuple[str, str, str]]:
    """The str.format fields of `text`, as (name, conversion, format spec); raises on bad braces."""
    return {(name, conversion or "", spec or "")
            for _literal, name, spec, conversion in string.Formatter().parse(text) if name is not None}


@pytest.fixture
def fresh_catalogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Load catalogs afresh (not from another test's cache) and leave Vietnamese installed."""
    monkeypatch.setattr(i18n, "_cache", {})
    yield
    i18n.install("vi")


# --- (a) every message in the source is translated ----------------------------------------------
def test_extraction_finds_the_source_messages() -> None:
    extracted = extract_messages()
    assert len(extracted) > 50
    assert "Required" in extracted  # N_() in services and domain
    assert any(loc.startswith("povcase/") for locs in extracted.values() for loc in locs)


def test_every_source_message_has_a_vietnamese_translation() -> None:
    problems = untranslated(extract_messages(), read_catalog())
    assert not problems, (
        f"{len(problems)} message(s) in the source lack a Vietnamese translation. Run "
        "`.venv/bin/python scripts/update_translations.py`, translate them in "
        f"{VI_PO.relative_to(ROOT)} (and delete their '#, fuzzy' line):\n  " + "\n  ".join(problems))


def test_the_check_fails_on_a_new_untranslated_message(tmp_path: Path) -> None:
    """The test above is honest: a message added to the source and not to the catalog is reported."""
    package = tmp_path / "povcase"
    package.mkdir()
    (package / "new_feature.py").write_text(
        "from povcase.i18n import _, both, tr, translate, ngettext\n"
        "from povcase.errors import N_\n"
        "A = N_('Required')\n"
        "B = tr('A message nobody has translated {x}', x=1)\n"
        "C = both('Another new message', code='X')\n"
        "D = translate('Third new message', 'vi', n=2)\n"
        "E = ngettext('{n} new thing', '{n} new things', 2)\n"
        "F = _('Fifth new message')\n", encoding="utf-8")
    extracted = extract_messages(tmp_path)
    assert set(extracted) == {"Required", "A message nobody has translated {x}", "Another new message",
                              "Third new message", ("{n} new thing", "{n} new things"), "Fifth new message"}
    problems = untranslated(extracted, read_catalog())
    assert len(problems) == 5
    assert not any("'Required'" in p for p in problems)


def test_catalog_header() -> None:
    catalog = read_catalog()
    assert str(catalog.locale) == "vi"
    assert catalog.charset.lower() == "utf-8"
    assert catalog.plural_forms == "nplurals=1; plural=0;"
    assert not catalog.fuzzy, "a fuzzy header makes pybabel compile skip the whole catalog"
    assert "\r" not in VI_PO.read_text(encoding="utf-8")


# --- (b) placeholders survive translation --------------------------------------------------------
def test_placeholders_match_their_msgid() -> None:
    bad = []
    for message in read_catalog():
        if not message.id or not message.string:
            continue
        ids = _strings(message.id)
        expected = placeholders(ids[0]) | (placeholders(ids[1]) if len(ids) > 1 else set())
        for text in _strings(message.string):
            try:
                got = placeholders(text)
            except ValueError as e:
                bad.append(f"{ids[0]!r}: broken braces in {text!r} ({e})")
                continue
            if text and got != expected:
                bad.append(f"{ids[0]!r}: msgstr has {sorted(got)}, msgid has {sorted(expected)}")
    assert not bad, "\n".join(bad)


def test_catalog_passes_babels_own_checks() -> None:
    """What `pybabel compile` checks. Babel flags any msgid with "% o"-like text as python-format
    ("(50% or fewer)"); povcase formats with str.format only, so that check applies to messages
    without {placeholders} alone (those are checked by test_placeholders_match_their_msgid)."""
    catalog = read_catalog()
    errors = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        checks = [num_plurals] if "python-brace-format" in message.flags else [num_plurals, python_format]
        for check in checks:
            try:
                check(catalog, message)
            except TranslationError as e:
                errors.append(f"{message.id!r}: {e}")
    assert not errors, "\n".join(errors)


# --- (c) install / tr / translate ----------------------------------------------------------------
def test_install_switches_language(fresh_catalogs: None) -> None:
    vi_required = read_catalog()["Required"].string
    assert vi_required and vi_required != "Required"

    assert i18n.install("vi") == "vi"
    assert i18n.current_language() == "vi"
    assert i18n.tr("Required") == vi_required
    assert i18n._("Required") == vi_required
    assert "HN-0042" in i18n.tr("No household with code {code}", code="HN-0042")
    assert i18n.tr("No household with code {code}", code="X") != "No household with code X"

    assert i18n.install("en") == "en"
    assert i18n.tr("Required") == "Required"
    assert i18n.tr("No household with code {code}", code="HN-0042") == "No household with code HN-0042"
    assert i18n.translate("Required", "vi") == vi_required  # a given language, whatever is installed

    assert i18n.install("fr") == i18n.DEFAULT_LANGUAGE == "vi"  # unknown languages fall back
    assert i18n.install(None) == "vi"
    assert i18n.tr("Required") == vi_required


def test_unknown_message_passes_through(fresh_catalogs: None) -> None:
    i18n.install("vi")
    assert i18n.tr("Not a message of povcase {x}", x=1) == "Not a message of povcase 1"


# --- (d) both() ----------------------------------------------------------------------------------
def test_both_gives_vietnamese_then_english(fresh_catalogs: None) -> None:
    catalog = read_catalog()
    vi_required = catalog["Required"].string
    assert i18n.both("Required") == f"{vi_required} (Required)"
    vi_code = catalog["No household with code {code}"].string.format(code="HN-7")
    assert i18n.both("No household with code {code}", code="HN-7") == f"{vi_code} (No household with code HN-7)"
    i18n.install("en")  # both() does not depend on the installed language
    assert i18n.both("Required") == f"{vi_required} (Required)"
    assert i18n.both("Not a message of povcase") == "Not a message of povcase"  # no "X (X)"


# --- (e) formatting ------------------------------------------------------------------------------
def test_format_vnd() -> None:
    assert i18n.format_vnd(1500000, "vi") == "1.500.000 đồng"
    assert i18n.format_vnd(1500000, "en") == "1,500,000 VND"
    assert i18n.format_vnd(0, "vi") == "0 đồng"


def test_format_number_follows_installed_language(fresh_catalogs: None) -> None:
    i18n.install("vi")
    assert i18n.format_number(2_250_000) == "2.250.000"
    i18n.install("en")
    assert i18n.format_number(2_250_000) == "2,250,000"


def test_format_date() -> None:
    assert i18n.format_date(date(2026, 9, 1)) == "01/09/2026"
    assert i18n.format_date(datetime(2026, 12, 31, 23, 59)) == "31/12/2026"
    assert i18n.format_date(None) == ""


# --- (f) compile_all -----------------------------------------------------------------------------
@pytest.fixture
def translations_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of translations/ (without any .mo) that i18n uses instead of the real one, so no test
    leaves a compiled file in the tree (.mo files are git-ignored, and a build's business)."""
    real = ROOT / "translations"
    before = {(p, p.stat().st_mtime_ns) for p in real.rglob("*.mo")}
    copy = tmp_path / "translations"
    shutil.copytree(real, copy, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    monkeypatch.setattr(i18n, "translations_dir", lambda: copy)
    yield copy
    assert {(p, p.stat().st_mtime_ns) for p in real.rglob("*.mo")} == before


def test_compile_all_writes_loadable_mo_files(translations_copy: Path, fresh_catalogs: None) -> None:
    catalog = read_catalog()
    written = i18n.compile_all()
    assert written == [translations_copy / "vi" / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"]
    assert all(path.is_relative_to(translations_copy) for path in written)

    # Standard gettext finds and reads it.
    trans = gettext.translation(i18n.DOMAIN, localedir=translations_copy, languages=["vi"])
    assert trans.gettext("Required") == catalog["Required"].string
    assert trans.info()["language"] == "vi"
    for message in catalog:  # every translated, non-fuzzy message made it into the .mo
        if message.id and message.string and not message.fuzzy and isinstance(message.id, str):
            assert trans.gettext(message.id) == message.string

    # And povcase uses the fresh .mo.
    i18n.install("vi")
    assert isinstance(i18n._cache["vi"], gettext.GNUTranslations)
    assert i18n.tr("Required") == catalog["Required"].string


def test_stale_mo_is_ignored(translations_copy: Path, fresh_catalogs: None) -> None:
    """A .mo older than its .po (someone edited the .po) is not used: the .po is compiled in memory."""
    po = translations_copy / "vi" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    mo = po.with_suffix(".mo")
    mo.write_bytes(b"not a catalog")
    os.utime(mo, (po.stat().st_mtime - 60, po.stat().st_mtime - 60))
    i18n.install("vi")
    assert i18n.tr("Required") == read_catalog()["Required"].string

