"""gettext translations, compiled from the .po catalogs with Babel, and Vietnamese formatting.

Message ids are English; the Vietnamese catalog is the one people use (the default). Compiled .mo
files are not kept in git: a build compiles them (`python -m povcase.i18n compile`), and when one is
missing or older than its .po the catalog is compiled in memory at start-up (a few milliseconds).
"""

from __future__ import annotations

import gettext
import io
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from povcase.paths import translations_dir

DOMAIN = "povcase"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

_cache: dict[str, gettext.NullTranslations] = {}
_current: gettext.NullTranslations = gettext.NullTranslations()
_current_lang = "en"


def _po_path(lang: str) -> Path:
    return translations_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _load(lang: str) -> gettext.NullTranslations:
    if lang in _cache:
        return _cache[lang]
    po = _po_path(lang)
    mo = po.with_suffix(".mo")
    trans: gettext.NullTranslations
    # A frozen build ships a .mo compiled at build time; installers may not keep file times.
    fresh = mo.exists() and (getattr(sys, "frozen", False) or not po.exists()
                             or mo.stat().st_mtime >= po.stat().st_mtime)
    if fresh:
        with mo.open("rb") as fh:
            trans = gettext.GNUTranslations(fh)
    elif po.exists():
        trans = gettext.GNUTranslations(io.BytesIO(_compile(po)))
    else:
        trans = gettext.NullTranslations()
    _cache[lang] = trans
    return trans


def _compile(po: Path) -> bytes:
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=po.parent.parent.name)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def install(lang: str | None = None) -> str:
    """Make `lang` (default Vietnamese) the language of `_()`; returns the language chosen."""
    global _current, _current_lang
    chosen = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    _current = _load(chosen) if chosen != "en" else gettext.NullTranslations()
    _current_lang = chosen
    return chosen


def current_language() -> str:
    return _current_lang


def _(msgid: str) -> str:
    return _current.gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def translate(msgid: str, lang: str, **params: Any) -> str:
    """`msgid` in a given language, formatted with params (which are translated too if text)."""
    trans = _load(lang) if lang != "en" else gettext.NullTranslations()
    text = trans.gettext(msgid)
    return text.format(**params) if params else text


def tr(msgid: str, **params: Any) -> str:
    """`msgid` in the current language, formatted."""
    text = _current.gettext(msgid)
    return text.format(**params) if params else text


def both(msgid: str, **params: Any) -> str:
    """"Vietnamese (English)" — for the command line and logs, read by officers and by support."""
    vi = translate(msgid, "vi", **params)
    en = msgid.format(**params) if params else msgid
    return vi if vi == en else f"{vi} ({en})"


# --- formatting --------------------------------------------------------------------------------
def format_number(value: int | float, lang: str | None = None) -> str:
    """1500000 → "1.500.000" in Vietnamese, "1,500,000" in English."""
    locale = "vi_VN" if (lang or _current_lang) == "vi" else "en_US"
    return format_decimal(value, locale=locale)


def format_vnd(value: int, lang: str | None = None) -> str:
    """Money the way a Vietnamese document writes it: "1.500.000 đồng" / "1,500,000 VND"."""
    if (lang or _current_lang) == "vi":
        return f"{format_number(value, 'vi')} đồng"
    return f"{format_number(value, 'en')} VND"


def format_date(value: date | datetime | None) -> str:
    """dd/MM/yyyy, as every form in Vietnam writes dates."""
    return value.strftime("%d/%m/%Y") if value else ""


def compile_all() -> list[Path]:
    """Compile every .po under translations/ to its .mo (used by builds and `.ci/run`)."""
    written = []
    for po in translations_dir().glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo = po.with_suffix(".mo")
        mo.write_bytes(_compile(po))
        written.append(mo)
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["compile"]:
        for path in compile_all():
            print(path)
    else:
        print("usage: python -m povcase.i18n compile", file=sys.stderr)
        sys.exit(2)
