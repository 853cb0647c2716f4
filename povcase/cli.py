"""The `povcase` command. No subcommand opens the desktop app; subcommands serve scripts and tests.

Exit status: 0 done, 2 bad input or usage (one line saying which field and why, in Vietnamese and
English), 1 an unexpected failure (logged with its traceback in the data folder's logs/).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from povcase import __version__, cli_print, cli_sync, i18n
from povcase.errors import PovcaseError, ValidationError
from povcase.i18n import both

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

log = logging.getLogger("povcase")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"povcase: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="povcase", description="povcase — quản lý hộ nghèo, cận nghèo (poverty case register)")
    p.add_argument("--version", action="version", version=f"povcase {__version__}")
    p.add_argument("--home", metavar="DIR", help="data folder (default: POVCASE_HOME or the user data folder)")
    p.add_argument("--lang", choices=i18n.LANGUAGES, help="language: vi (default) or en")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="create a synthetic demo commune in the data folder")
    demo.add_argument("--households", type=int, default=2000, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")

    hh = sub.add_parser("households", help="list households, searching as the app does")
    hh.add_argument("--search", default="", metavar="TEXT", help="diacritics optional: 'nguyen van duc'")
    hh.add_argument("--json", action="store_true", help="print a JSON array")
    hh.add_argument("--limit", type=int, default=None, metavar="N", help="at most N households")

    cl = sub.add_parser("classify", help="classify one household from JSON facts (file or - for stdin)")
    cl.add_argument("file", metavar="FILE|-")
    cli_print.add_parsers(sub)
    cli_sync.add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    i18n.install(args.lang)
    try:
        if args.command is None:
            from povcase.app import run_gui  # Qt is imported only when the window is wanted

            return run_gui(args.home, args.lang)
        if args.command == "classify":
            return cmd_classify(args.file)
        register = _open(args.home)
        try:
            if args.command == "demo":
                return cmd_demo(register, args.households, args.seed)
            if args.command == "households":
                return cmd_households(register, args.search, args.json, args.limit)
            if args.command in cli_print.COMMANDS:
                return cli_print.run(register, args)
            if args.command in cli_sync.COMMANDS:
                return cli_sync.dispatch(register, args)
        finally:
            register.close()
    except ValidationError as e:
        p = e.problems[0]
        print(f"povcase: {p.field}: {both(p.msgid, **p.params)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except PovcaseError as e:
        print(f"povcase: {both(e.msgid, **e.params)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_FAILURE
    return EXIT_BAD_INPUT


def _open(home: str | None) -> Any:
    from povcase.app import open_register

    return open_register(home)


def cmd_classify(source: str) -> int:
    from povcase.domain.classification import classify
    from povcase.domain.facts import parse_facts

    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as e:
        print(f"povcase: {source}: {both('Cannot read the file: {error}', error=e.strerror)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        print(f"povcase: (input): {both('Not valid JSON: line {line}, column {col}', line=e.lineno, col=e.colno)}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    result = classify(parse_facts(data, today=date.today()))
    lang = i18n.current_language()
    out = {
        "standard": result.standard,
        "classification": result.classification.value,
        "deprived": result.deprived,
        "score_b": result.score_b,
        "reasons": {r.code: i18n.translate(r.reason.msgid, lang, **r.reason.params) for r in result.indicators},
        "sources": {r.code: r.source.value for r in result.indicators},
        "basis": result.basis,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_demo(register: Any, households: int, seed: int) -> int:
    from povcase.services.base import SYSTEM
    from povcase.services.demo import build_demo

    if households < 1 or households > 1_000_000:
        print(f"povcase: --households: {both('Must be between {low} and {high}', low=1, high=1_000_000)}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    result = build_demo(register, SYSTEM, households, seed=seed)
    commune = register.communes.local_commune()
    print(i18n.tr("Demo commune {name} ({code}): {households} households, {members} members, "
                  "{assessments} assessments in {home}", name=commune.name if commune else "?",
                  code=commune.code if commune else "?", households=result.households, members=result.members,
                  assessments=result.assessments, home=register.home))
    return EXIT_OK


_STATUS_WIDTH = 26


def cmd_households(register: Any, text: str, as_json: bool, limit: int | None) -> int:
    from povcase.domain.standards import CLASSIFICATION_LABELS, Classification
    from povcase.services.search import HouseholdFilter

    f = HouseholdFilter(text=text)
    ids = register.search.ids(f)
    if limit is not None:
        ids = ids[:max(0, limit)]
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 2000):
        for r in register.search.rows(ids[start:start + 2000]):
            out.append({"code": r.code, "head": r.head_name, "hamlet": r.hamlet_name,
                        "classification": r.status, "year": r.status_year, "members": r.members_count,
                        "score_b": r.score_b})
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return EXIT_OK
    lang = i18n.current_language()
    for row in out:
        status = row["classification"]
        label = CLASSIFICATION_LABELS[Classification(status)][0 if lang == "vi" else 1] if status else "—"
        print(f"{row['code']:<16} {row['head']:<28} {row['hamlet']:<20} {label:<{_STATUS_WIDTH}} {row['members']}")
    print(i18n.tr("{n} households", n=len(out)), file=sys.stderr)
    return EXIT_OK
