"""The sync commands of `povcase`: office setup, keys, export, import, acknowledgements, stats.

Same conventions as povcase.cli: exit 0 done (an import with nothing to do included), 2 refused, with one
line per refused package, Vietnamese first and English in brackets; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from povcase import i18n
from povcase.i18n import both
from povcase.services.base import SYSTEM
from povcase.services.sync import (
    ACK_HELD,
    ACK_OTHER_FILE,
    ACK_REFUSED,
    COUNT_LABELS,
    HEARTBEAT,
    KIND_LABELS,
    RECORD_LABELS,
    REGISTER_LABELS,
    SEND_FULL,
    STATS_LABELS,
)

COMMANDS = ("setup-office", "office-key", "commune-key", "trust-office", "trust-commune", "export", "import",
            "import-ack", "stats")
EXIT_OK = 0
EXIT_BAD_INPUT = 2


def add_parsers(sub: Any) -> None:
    so = sub.add_parser("setup-office", help="make the data folder an upstream office register")
    so.add_argument("--province", required=True, metavar="CODE", help="the province's official 2-digit code")
    so.add_argument("--name", required=True, metavar="NAME", help='e.g. "UBND tỉnh Vĩnh Long"')
    for name, text in (("office-key", "write this office's public key to FILE"),
                       ("commune-key", "write this commune's public key to FILE")):
        k = sub.add_parser(name, help=text)
        k.add_argument("--out", required=True, metavar="FILE")
    sub.add_parser("trust-office", help="register the upstream office's public key (at a commune)"
                   ).add_argument("file", metavar="FILE")
    sub.add_parser("trust-commune", help="register a commune's public key (at an office)"
                   ).add_argument("file", metavar="FILE")
    ex = sub.add_parser("export", help="write a sync package for the upstream office; prints its path")
    ex.add_argument("--out", required=True, metavar="FOLDER")
    ex.add_argument("--full", action="store_true", help="every record, not only what the office has not accepted")
    im = sub.add_parser("import", help="import communes' packages at the office")
    im.add_argument("files", nargs="+", metavar="FILE")
    im.add_argument("--dry-run", action="store_true", help="check and preview only; write nothing")
    im.add_argument("--ack-dir", metavar="FOLDER", help="where acknowledgements go (default: DIR/sync/acks)")
    sub.add_parser("import-ack", help="import the office's acknowledgement (at the commune)"
                   ).add_argument("file", metavar="FILE")
    st = sub.add_parser("stats", help="the kind of register and its record counts per commune")
    st.add_argument("--json", action="store_true")


def dispatch(register: Any, args: argparse.Namespace) -> int:
    from povcase.sync.keys import read_public_key

    sync = register.sync
    cmd = args.command
    if cmd == "setup-office":
        key = sync.setup_office(SYSTEM, args.province, args.name).value
        print(i18n.tr("Office register set up: {name} (province {code}); key fingerprint {fingerprint}",
                      name=key.name, code=key.code, fingerprint=key.fingerprint))
        return EXIT_OK
    if cmd in ("office-key", "commune-key"):
        wanted = "office" if cmd == "office-key" else "commune"
        key = sync.own_public_key()
        if key.role != wanted:
            _fail(_both_labelled("This register is a {kind} register", kind=key.role))
            return EXIT_BAD_INPUT
        key.write(Path(args.out))
        print(i18n.tr("Public key of {name} ({code}) written to {path}; fingerprint {fingerprint}",
                      name=key.name, code=key.code, path=args.out, fingerprint=key.fingerprint))
        return EXIT_OK
    if cmd in ("trust-office", "trust-commune"):
        key = read_public_key(Path(args.file))
        wanted = "office" if cmd == "trust-office" else "commune"
        if key.role != wanted:
            _fail(_both_labelled("The file holds the key of a {found}, not of a {expected}", found=key.role,
                                 expected=wanted))
            return EXIT_BAD_INPUT
        fp = sync.trust(SYSTEM, key).value
        print(i18n.tr("Registered the key of {name} ({code}); fingerprint {fingerprint} — compare it with the "
                      "sender's", name=key.name, code=key.code, fingerprint=fp))
        return EXIT_OK
    if cmd == "export":
        result = sync.export(SYSTEM, Path(args.out), full=args.full).value
        total = sum(result.counts.values())
        print(i18n.tr("Package {sequence} ({kind}): {records} records", sequence=result.sequence,
                      kind=i18n._(KIND_LABELS[result.kind]), records=total), file=sys.stderr)
        if not total:
            print(i18n.tr(HEARTBEAT, sequence=result.sequence), file=sys.stderr)
        print(result.path)
        return EXIT_OK
    if cmd == "import":
        reports = sync.import_packages(SYSTEM, [Path(f) for f in args.files], dry_run=args.dry_run,
                                       ack_dir=Path(args.ack_dir) if args.ack_dir else None)
        for r in reports:
            _print_report(r)
        return EXIT_OK if all(r.ok for r in reports) else EXIT_BAD_INPUT
    if cmd == "import-ack":
        result = sync.import_ack(SYSTEM, Path(args.file)).value
        if result.reason is not None:  # the whole package was refused, or is held: say why
            head = ACK_HELD if result.status == "held" else ACK_REFUSED
            print(i18n.tr(head, sequence=result.sequence, reason=both(result.reason.msgid, **result.reason.params)))
            if result.status == "refused":
                print("  " + i18n.tr(SEND_FULL) + " (povcase export --full)")
            if not result.same_file:
                print("  " + i18n.tr(ACK_OTHER_FILE))
            return EXIT_OK
        print(i18n.tr("Acknowledgement of package {sequence}: {accepted} records accepted, {rejected} rejected",
                      sequence=result.sequence, accepted=result.accepted, rejected=len(result.rejected)))
        for rej in result.rejected:
            print(f"  {_record(rej.record_type)} {rej.uuid} {rej.field}: {both(rej.msgid, **rej.params)}")
        return EXIT_OK
    if cmd == "stats":
        stats = sync.stats()
        if args.json:
            print(json.dumps(stats, ensure_ascii=False, indent=1))
        else:
            kind = stats["kind"]
            print(f"{i18n.tr(REGISTER_LABELS[kind]) if kind in REGISTER_LABELS else kind} {stats['province_code']}")
            for code, counts in stats["counts"].items():
                print(code, "; ".join(f"{i18n.tr(STATS_LABELS[k])}: {v}" for k, v in counts.items()))
        return EXIT_OK
    return EXIT_BAD_INPUT


def _fail(line: str) -> None:
    print(f"povcase: {line}", file=sys.stderr)


def _both_labelled(msgid: str, **kinds: str) -> str:
    """`both`, with the register kinds named in each language (not the raw "office"/"commune")."""
    vi = i18n.translate(msgid, "vi", **{k: i18n.translate(REGISTER_LABELS[v], "vi") for k, v in kinds.items()})
    en = msgid.format(**{k: REGISTER_LABELS[v] for k, v in kinds.items()})
    return vi if vi == en else f"{vi} ({en})"


def _record(record_type: str) -> str:
    return i18n.tr(RECORD_LABELS[record_type]) if record_type in RECORD_LABELS else record_type


def _print_report(r: Any) -> None:
    name = Path(r.path).name
    if r.status in ("rejected", "held"):
        _fail(f"{name}: {both(r.msgid, **r.params)}")
        if r.ack_path is not None:  # the commune learns why from it
            print(f"  {i18n.tr('Acknowledgement')}: {r.ack_path}")
        return
    if r.status == "nothing":
        print(f"{name}: {i18n.tr(r.msgid, **r.params)}")
        return
    head = (i18n.tr("Preview of package {sequence} of {name} ({code}), nothing written", sequence=r.sequence,
                    name=r.commune_name, code=r.commune_code) if r.status == "preview" else
            i18n.tr("Applied package {sequence} of {name} ({code})", sequence=r.sequence, name=r.commune_name,
                    code=r.commune_code))
    print(f"{name}: {head}")
    rows = [(_record(t), counts) for t, counts in r.counts.items() if any(counts.values())]
    if not rows:
        print("  " + i18n.tr("Nothing new or changed"))
    width = max([len(label) for label, _c in rows] + [20])
    columns = [(c, i18n.tr(label)) for c, label in COUNT_LABELS.items()]
    if rows:
        print(f"  {'':<{width}}" + "".join(f"{label:>12}" for _c, label in columns))
    for label, counts in rows:
        print(f"  {label:<{width}}" + "".join(f"{counts[c]:>12}" for c, _label in columns))
    for rej in r.rejected[:50]:
        print(f"  {i18n.tr('Rejected')}: {_record(rej.record_type)} {rej.uuid} {rej.field}: "
              f"{both(rej.msgid, **rej.params)}")
    if len(r.rejected) > 50:
        print("  …", len(r.rejected) - 50)
    if r.ack_path is not None:
        print(f"  {i18n.tr('Acknowledgement')}: {r.ack_path}")
