"""`povcase print …` and `povcase report …`: the printed documents from the command line.

    povcase print plan HOUSEHOLD_CODE --out F.pdf
    povcase print posting-list --year Y [--hamlet H] --out F.pdf|F.xlsx
    povcase print certificate HOUSEHOLD_CODE --out F.pdf
    povcase report --year Y --out F.pdf|F.xlsx

An unknown household code or hamlet, a bad option or a wrong file extension exits with status 2 and
one line (Vietnamese, then English in brackets); nothing is written then. Every print is audited under
the commune officer's name.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from povcase import i18n
from povcase.errors import N_, FieldProblem, NotFoundError, PovcaseError, ValidationError

COMMANDS = ("print", "report")
_EXIT_OK = 0


def add_parsers(sub: Any) -> None:
    """Add `print` (plan, posting-list, certificate) and `report` to the `povcase` subcommands."""
    pr = sub.add_parser("print", help="print a household's plan or certificate, or the posting list (PDF or xlsx)")
    what = pr.add_subparsers(dest="print_what", metavar="DOCUMENT", parser_class=type(pr), required=True)
    plan = what.add_parser("plan", help="a household's support plan")
    plan.add_argument("code", metavar="HOUSEHOLD_CODE")
    plan.add_argument("--out", required=True, metavar="F.pdf")
    posting = what.add_parser("posting-list", help="the year's posting list (niêm yết), whole commune or one hamlet")
    posting.add_argument("--year", required=True, type=int, metavar="Y")
    posting.add_argument("--hamlet", metavar="H", help="hamlet name (diacritics optional) or number")
    posting.add_argument("--out", required=True, metavar="F.pdf|F.xlsx")
    cert = what.add_parser("certificate", help="a household's certificate (Giấy chứng nhận hộ nghèo/cận nghèo)")
    cert.add_argument("code", metavar="HOUSEHOLD_CODE")
    cert.add_argument("--out", required=True, metavar="F.pdf")
    rep = sub.add_parser("report", help="the commune report for a year, with charts (PDF) or as xlsx")
    rep.add_argument("--year", required=True, type=int, metavar="Y")
    rep.add_argument("--out", required=True, metavar="F.pdf|F.xlsx")


def run(register: Any, args: argparse.Namespace) -> int:
    from povcase.services.base import Actor, Role
    from povcase.services.reports import check_extension

    out = Path(args.out)
    allowed = ("pdf",) if args.command == "print" and args.print_what in ("plan", "certificate") else ("pdf", "xlsx")
    try:
        check_extension(out, allowed)
    except ValidationError as e:
        raise ValidationError([FieldProblem("--out", p.msgid, p.params) for p in e.problems]) from None
    if not out.parent.is_dir():
        raise ValidationError([FieldProblem("--out", N_("The folder {folder} does not exist"),
                                            {"folder": str(out.parent)})])
    if not register.communes.is_set_up():
        raise ValidationError([FieldProblem("--home", N_("The register has no commune set up"))])
    actor = Actor(register.communes.setting("officer_name") or "povcase", Role.OFFICER)
    reports = register.reports
    lang = i18n.current_language()
    try:
        result = _print(register, reports, actor, args, out)
    except OSError as e:
        raise PovcaseError(N_("Cannot write {path}: {error}"), path=str(out), error=e.strerror or str(e)) from None
    written = result.value
    if written.pages:
        print(i18n.translate("Written {path}: {pages} pages", lang, path=out, pages=written.pages))
    else:
        print(i18n.translate("Written {path}", lang, path=out))
    return _EXIT_OK


def _print(register: Any, reports: Any, actor: Any, args: argparse.Namespace, out: Path) -> Any:
    """Documents print in Vietnamese whatever --lang says: they are official papers."""
    if args.command == "report":
        return reports.print_report(actor, args.year, out, lang="vi")
    if args.print_what == "plan":
        household = register.households.get_by_code(args.code)
        return reports.print_plans(actor, [household.uuid], out, lang="vi")
    if args.print_what == "certificate":
        return reports.print_certificates(actor, [reports.household_certificate(args.code)], out, lang="vi")
    return reports.print_list(actor, "posting", args.year, out, _hamlet(register, args.hamlet), lang="vi")


def _hamlet(register: Any, name: str | None) -> str | None:
    """The hamlet's uuid from its name (diacritics and case optional) or its number in the commune."""
    if not name:
        return None
    from povcase.domain.text import fold

    hamlets = register.communes.hamlets()
    wanted = fold(name.strip())
    for h in hamlets:
        if fold(h.name) == wanted or (wanted.isdigit() and int(wanted) == h.position):
            return h.uuid
    matches = [h for h in hamlets if wanted and wanted in fold(h.name)]
    if len(matches) == 1:
        return matches[0].uuid
    raise NotFoundError(N_("No hamlet named {name} (hamlets: {known})"), name=name,
                        known=", ".join(h.name for h in hamlets))

