"""Re-extract the gettext messages of povcase and merge them into the Vietnamese catalog.

Run from anywhere (it works from the repository root):

    .venv/bin/python scripts/update_translations.py          # extract + update translations/vi
    .venv/bin/python scripts/update_translations.py --check  # exit 1 if out of date or untranslated

It does the two Babel steps (the same as running pybabel by hand from the repository root):

    pybabel extract -F babel.cfg --no-default-keywords -k _ -k N_ -k tr -k both -k translate \
        -k ngettext:1,2 -c TRANSLATORS: --add-location=file --project=povcase \
        -o translations/povcase.pot .
    pybabel update -i translations/povcase.pot -d translations -D povcase -l vi \
        --init-missing

(the keywords are read from babel.cfg, so this script never disagrees with it; Babel 2.17+ also
reads them from babel.cfg by itself). translations/povcase.pot is generated and git-ignored;
translations/vi/LC_MESSAGES/povcase.po is committed.

Then translate every message it lists as untranslated or fuzzy (edit the msgstr and delete the
``#, fuzzy`` line), keeping each ``{placeholder}`` exactly, and run ``pytest tests/test_i18n.py``,
which fails while any message in the source has no Vietnamese translation.

Compiling is not needed for development: at start-up povcase compiles the .po in memory when no
fresh .mo exists. Builds compile with ``python -m povcase.i18n compile`` (or
``pybabel compile -d translations -D povcase``); .mo files are git-ignored and never committed.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import BaseError, CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "povcase"
LOCALES = ("vi",)
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / f"{DOMAIN}.pot"
MAPPING = ROOT / "babel.cfg"


def keywords_from_cfg(mapping: Path = MAPPING) -> list[str]:
    """The gettext keyword specs listed under `keywords =` in babel.cfg (all sections)."""
    parser = configparser.RawConfigParser()
    parser.read(mapping, encoding="utf-8")
    found: list[str] = []
    for section in parser.sections():
        for spec in parser.get(section, "keywords", fallback="").split():
            if spec not in found:
                found.append(spec)
    return found


def _version() -> str:
    sys.path.insert(0, str(ROOT))
    try:
        from povcase import __version__
    except ImportError:  # pragma: no cover - a broken package still gets its messages extracted
        return "dev"
    return __version__


def _pybabel(*args: str) -> None:
    """Run one pybabel command in-process (no need to find the pybabel executable)."""
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(pot: Path = POT) -> None:
    keyword_args = [arg for spec in keywords_from_cfg() for arg in ("-k", spec)]
    with contextlib.chdir(ROOT):  # locations relative to the repository root: "povcase/cli.py"
        _pybabel("extract", "-F", "babel.cfg", "--no-default-keywords", *keyword_args,
                 "-c", "TRANSLATORS:", "--add-location=file", f"--project={DOMAIN}", f"--version={_version()}",
                 "-o", str(pot), ".")


def update(pot: Path = POT, check: bool = False) -> None:
    for lang in LOCALES:
        _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS), "-D", DOMAIN, "-l", lang,
                 "--init-missing",
                 *(["--check", "--ignore-pot-creation-date"] if check else []))


def todo(lang: str) -> list[str]:
    """Messages of the `lang` catalog that still need a translator: untranslated or fuzzy."""
    po = TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            out.append(("fuzzy:        " if message.fuzzy else "untranslated: ") + msgid)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether the catalogs are up to date with the source (exit 1 if not)")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            pot = Path(tmp) / f"{DOMAIN}.pot"
            extract(pot)
            try:
                update(pot, check=True)
            except BaseError:  # pybabel update --check: "Some catalogs are out of date."
                print("the catalogs are out of date: run scripts/update_translations.py", file=sys.stderr)
                return 1
        pending = [f"{lang}: {line}" for lang in LOCALES for line in todo(lang)]
        print("\n".join(pending) or "the catalogs are up to date and fully translated", file=sys.stderr)
        return 1 if pending else 0
    extract()
    try:  # leave an up-to-date catalog untouched (no POT-Creation-Date churn in the diff)
        update(check=True)
        print("the catalogs match the source")
    except BaseError:
        update()
    pending = 0
    for lang in LOCALES:
        for line in todo(lang):
            print(f"{lang}: {line}")
            pending += 1
    print(f"{pending} message(s) to translate" if pending else "every message is translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
