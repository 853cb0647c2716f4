"""Sync between a commune and its office through the services: round trip, acks, and every bad input.

Each refused package must leave the office register exactly as it was (same SQL dump).
"""

from __future__ import annotations

import json
import sqlite3
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povcase.domain import admin_units
from povcase.services.base import SYSTEM, Actor
from povcase.services.demo import build_demo
from povcase.services.plans import ActionInput, GoalInput, PlanInput
from povcase.services.register import Register
from povcase.services.search import HouseholdFilter
from povcase.services.sponsors import SponsorInput, VisitInput
from povcase.services.support import LoanInput, SupportInput
from povcase.sync.keys import KeyPair
from povcase.sync.package import (
    MANIFEST,
    SIGNATURE,
    SUFFIX,
    RecordFile,
    canonical_json,
    file_sha256,
    open_package,
    write_package,
)
from tests.conftest import TODAY, db_dump, table_counts

COMMUNE = "29461"  # Xã Trà Cú, Vĩnh Long (province 86)
PROVINCE = "86"


@dataclass
class Pair:
    commune: Register
    office: Register
    tmp: Path

    def export(self, full: bool = False) -> Path:
        return self.commune.sync.export(SYSTEM, self.tmp / "out", full=full).value.path

    def import_(self, *paths: Path, dry_run: bool = False, office: Register | None = None) -> list[Any]:
        return (office or self.office).sync.import_packages(SYSTEM, list(paths), dry_run=dry_run,
                                                            ack_dir=self.tmp / "acks")


def add_case_records(reg: Register, actor: Actor, household_uuid: str) -> None:
    """A plan with a goal and an action, a sponsor with a visit, support and a loan with a repayment."""
    reg.plans.save(actor, household_uuid, PlanInput(
        agreed_on=date(2026, 3, 1), goals=(GoalInput("health_insurance", "Thẻ BHYT cho cả hộ", actions=(
            ActionInput("Làm thẻ BHYT", responsible="Hội Phụ nữ", programme_code="health_insurance",
                        amount=1_263_600, due_on=date(2026, 12, 1)),)),)), today=TODAY)
    sponsor = reg.sponsors.create(actor, SponsorInput("mass_org", "Hội Nông dân xã")).value
    reg.sponsors.assign(actor, sponsor.uuid, household_uuid, date(2026, 2, 1))
    reg.sponsors.record_visit(actor, household_uuid, VisitInput(date(2026, 4, 2), notes="Thăm hộ"), today=TODAY)
    reg.support.record_support(actor, household_uuid, SupportInput("health_insurance", date(2026, 5, 1), 1_263_600),
                               today=TODAY)
    loan = reg.support.record_loan(actor, household_uuid, LoanInput(30_000_000, 6.6, 36, date(2026, 1, 15)),
                                   today=TODAY).value
    reg.support.record_repayment(actor, loan.uuid, date(2026, 7, 15), 5_000_000, today=TODAY)


def open_commune(home: Path, households: int, seed: int, code: str = COMMUNE) -> Register:
    home.mkdir(parents=True)
    reg = Register.open(home)
    build_demo(reg, SYSTEM, households, seed=seed, commune_code=code, today=TODAY)
    return reg


def open_office(home: Path, province: str = PROVINCE) -> Register:
    home.mkdir(parents=True)
    reg = Register.open(home)
    reg.sync.setup_office(SYSTEM, province, "UBND tỉnh Vĩnh Long")
    return reg


def introduce(commune: Register, office: Register) -> None:
    commune.sync.trust(SYSTEM, office.sync.own_public_key())
    office.sync.trust(SYSTEM, commune.sync.own_public_key())


@pytest.fixture
def pair(tmp_path: Path, officer: Actor) -> Iterator[Pair]:
    commune = open_commune(tmp_path / "commune", 25, seed=7)
    first = commune.search.ids(HouseholdFilter())[0]
    add_case_records(commune, officer, commune.search.rows([first])[0].uuid)
    office = open_office(tmp_path / "office")
    introduce(commune, office)
    yield Pair(commune, office, tmp_path)
    commune.close()
    office.close()


def counts(reg: Register, code: str = COMMUNE) -> dict[str, int]:
    return reg.sync.stats()["counts"][code]


# --- the round trip ----------------------------------------------------------------------------------
def test_round_trip_counts_match_ack_marks_accepted_and_the_next_export_carries_only_changes(
        pair: Pair, officer: Actor) -> None:
    package = pair.export()
    assert pair.commune.sync.state_counts()["household"] == {"not_sent": 0, "sent": 25, "accepted": 0, "rejected": 0}
    [report] = pair.import_(package)
    assert report.status == "applied", report.msgid
    assert report.counts["household"] == {"new": 25, "changed": 0, "unchanged": 0, "rejected": 0}
    for rtype in ("escape_plan", "plan_goal", "plan_action", "sponsor", "sponsor_assignment", "visit",
                  "support_record", "loan", "loan_repayment"):
        assert report.counts[rtype]["new"] >= 1, rtype
    assert counts(pair.office) == counts(pair.commune)
    assert counts(pair.office)["plans"] == 1 and counts(pair.office)["sponsors"] == 1
    assert pair.office.sync.stats()["kind"] == "office"

    ack = pair.commune.sync.import_ack(SYSTEM, report.ack_path).value
    assert ack.rejected == [] and ack.accepted == sum(c["new"] for c in report.counts.values())
    assert {s.state for s in pair.commune.sync.record_states("household")} == {"accepted"}

    # Nothing changed: the next package is empty. Then one household changes: only it travels.
    empty = pair.commune.sync.export(SYSTEM, pair.tmp / "out").value
    assert sum(empty.counts.values()) == 0
    row = pair.commune.search.rows(pair.commune.search.ids(
        HouseholdFilter()))[3]
    h = pair.commune.households.get(row.uuid)
    pair.commune.households.update(officer, h.uuid, replace(h.as_input(), address="Tổ 9, Xóm Giồng Trôm"), h.revision,
                                   today=TODAY)
    states = {s.uuid: s.state for s in pair.commune.sync.record_states("household")}
    assert states[row.uuid] == "not_sent"
    second = pair.commune.sync.export(SYSTEM, pair.tmp / "out").value
    assert second.counts["household"] == 1 and second.counts["member"] == 0
    reports = pair.import_(empty.path, second.path)
    assert [r.status for r in reports] == ["applied", "applied"]
    assert reports[1].counts["household"] == {"new": 0, "changed": 1, "unchanged": 0, "rejected": 0}
    assert pair.office.search.rows(pair.office.search.ids(
        HouseholdFilter(text="giong trom")))


def test_a_dry_run_previews_and_writes_nothing(pair: Pair) -> None:
    package = pair.export()
    before = db_dump(pair.office)
    [report] = pair.import_(package, dry_run=True)
    assert report.status == "preview"
    assert report.counts["member"]["new"] == counts(pair.commune)["members"]
    assert db_dump(pair.office) == before
    assert not (pair.tmp / "acks").exists()


def test_the_office_is_backed_up_before_an_import(pair: Pair) -> None:
    package = pair.export()
    pair.import_(package)
    assert list((pair.office.home / "backups").glob("*before-import.sqlite3"))


def test_private_keys_stay_in_the_data_folder_readable_only_by_the_user(pair: Pair) -> None:
    for reg in (pair.commune, pair.office):
        files = sorted((reg.home / "keys").iterdir())
        assert [f.name for f in files] == ["box.key", "sign.key"]
        for f in files:
            assert stat.S_IMODE(f.stat().st_mode) == 0o600
    # The database never holds them: only public keys, as hex, in sync_peer.
    private = (pair.office.home / "keys" / "sign.key").read_text().strip()
    assert private not in "\n".join(db_dump(pair.office))


# --- bad packages: each refused with its reason, the office untouched ---------------------------------
def rebuild(src: Path, dst: Path, keys: KeyPair | None, manifest: Callable[[dict[str, Any]], None] | None = None,
            members: Callable[[dict[str, bytes]], None] | None = None) -> Path:
    """Copy a package, editing its manifest (re-signed with `keys`, or left with the old signature) and members."""
    with zipfile.ZipFile(src) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    if manifest is not None:
        m = json.loads(items[MANIFEST])
        manifest(m)
        items[MANIFEST] = canonical_json(m)
        if keys is not None:
            items[SIGNATURE] = keys.sign(items[MANIFEST]).hex().encode()
    if members is not None:
        members(items)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items.items():
            zf.writestr(name, data)
    return dst


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def _other_province_commune() -> str:
    return next(c.code for c in admin_units.communes() if c.province_code != PROVINCE)


def _bomb(items: dict[str, bytes]) -> None:
    items["household.jsonl.enc"] = b"\0" * (40 << 20)


BAD: dict[str, tuple[Callable[[Path, Path, KeyPair], Path], str]] = {
    "not a zip": (lambda p, d, k: (d.write_bytes(b"PK\x03\x04 not really a zip " * 10), d)[1],
                  "Not a povcase package"),
    "truncated": (lambda p, d, k: (d.write_bytes(p.read_bytes()[: p.stat().st_size // 2]), d)[1],
                  "Not a povcase package"),
    "../x member": (lambda p, d, k: rebuild(p, d, k, members=lambda m: m.update({"../x": b"hi"})),
                    "path that is not allowed"),
    "zip bomb": (lambda p, d, k: rebuild(p, d, k, members=_bomb), "zip bomb"),
    "missing file": (lambda p, d, k: rebuild(p, d, k, members=lambda m: m.pop("member.jsonl.enc")),
                     "incomplete"),
    "extra file": (lambda p, d, k: rebuild(p, d, k, members=lambda m: m.update({"notes.txt": b"x"})),
                   "holds files it should not"),
    "hash mismatch": (lambda p, d, k: rebuild(p, d, k, manifest=lambda m: m["files"]["household"].update(
        sha256="0" * 64)), "damaged or was changed"),
    "one byte changed in a record": (lambda p, d, k: rebuild(p, d, k, members=lambda m: m.update(
        {"member.jsonl.enc": _flip(m["member.jsonl.enc"], 40)})), "damaged or was changed"),
    "bad signature": (lambda p, d, k: rebuild(p, d, None, manifest=lambda m: m["commune"].update(name="Xã Khác")),
                      "signature does not match"),
    "commune of another province": (lambda p, d, k: rebuild(p, d, k, manifest=lambda m: m["commune"].update(
        code=_other_province_commune())), "not to this office's province"),
    "unknown commune code": (lambda p, d, k: rebuild(p, d, k, manifest=lambda m: m["commune"].update(code="99999")),
                             "No commune with code"),
    "newer format": (lambda p, d, k: rebuild(p, d, k, manifest=lambda m: m.update(format_version=2)),
                     "newer povcase"),
    "newer schema": (lambda p, d, k: rebuild(p, d, k, manifest=lambda m: m.update(schema_version="0099")),
                     "newer register"),
    "unknown record type": (lambda p, d, k: rebuild(p, d, k, manifest=lambda m: m["files"].update(
        ghost=m["files"]["hamlet"])), "other record types"),
}


# Refusals of a package whose manifest the registered commune signed: the commune gets a signed "refused"
# acknowledgement. The others (junk, a bad signature, a sender this office has no key of) get none.
ACKED = {"extra file", "missing file", "hash mismatch", "one byte changed in a record", "newer format", "newer schema",
         "unknown record type"}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_package_is_refused_and_changes_nothing(pair: Pair, case: str) -> None:
    make, expected = BAD[case]
    good = pair.export()
    bad = make(good, pair.tmp / f"bad-{case.replace(' ', '_').replace('/', '_')}.povsync", pair.commune.sync.keys())
    before = db_dump(pair.office)
    [report] = pair.import_(bad)
    assert report.status == "rejected"
    assert expected in report.msgid.format(**report.params)
    assert db_dump(pair.office) == before
    if case in ACKED:
        assert report.ack_path == pair.tmp / "acks" / f"{COMMUNE}-00001.povack"
        commune_before = pair.commune.sync.state_counts()
        ack = pair.commune.sync.import_ack(SYSTEM, report.ack_path).value
        assert (ack.status, ack.sequence, ack.accepted, ack.rejected) == ("refused", 1, 0, [])
        assert ack.reason is not None and (ack.reason.msgid, ack.reason.params) == (report.msgid, report.params)
        assert not ack.same_file  # the office got another file than the one exported
        assert pair.commune.sync.state_counts() == commune_before  # nothing accepted: all goes again
        [sent] = pair.commune.sync.packages()
        assert sent["acked_at"] is None and sent["refusal"]["msgid"] == report.msgid
    else:
        assert report.ack_path is None and not (pair.tmp / "acks").exists()
    # The good package still goes in afterwards; its acknowledgement replaces the refusal at the commune.
    assert pair.import_(good)[0].status == "applied"
    if case in ACKED:
        assert pair.commune.sync.import_ack(SYSTEM, pair.tmp / "acks" / f"{COMMUNE}-00001.povack").value.accepted
        [sent] = pair.commune.sync.packages()
        assert sent["acked_at"] is not None and sent["refusal"] is None


def test_an_unregistered_commune_and_a_payload_for_another_office(pair: Pair, tmp_path: Path) -> None:
    package = pair.export()
    other = open_office(tmp_path / "other-office")
    try:
        before = db_dump(other)
        [report] = pair.import_(package, office=other)
        assert report.status == "rejected" and "is not registered at this office" in report.msgid
        other.sync.trust(SYSTEM, pair.commune.sync.own_public_key())
        before = db_dump(other)
        [report] = pair.import_(package, office=other)
        assert report.status == "rejected" and "encrypted for another office" in report.msgid
        assert db_dump(other) == before
    finally:
        other.close()


def test_a_replay_changes_nothing(pair: Pair) -> None:
    package = pair.export()
    assert pair.import_(package)[0].status == "applied"
    before = db_dump(pair.office)
    [report] = pair.import_(package)
    assert report.status == "nothing" and report.ok
    assert db_dump(pair.office) == before


def test_an_out_of_order_package_is_held_until_the_missing_one_arrives(pair: Pair, officer: Actor) -> None:
    first = pair.export()
    second = pair.export()  # unacknowledged: carries everything again, but it is number 2
    before = db_dump(pair.office)
    [held] = pair.import_(second)
    assert held.status == "held" and not held.ok
    assert held.params == {"sequence": 2, "code": COMMUNE, "missing": 1}
    assert db_dump(pair.office) == before
    assert pair.office.sync.overview()[0].held == 1
    # The commune learns its package is held, and which one the office is missing.
    ack = pair.commune.sync.import_ack(SYSTEM, held.ack_path).value
    assert ack.status == "held" and ack.same_file and ack.reason is not None and ack.reason.params["missing"] == 1
    assert pair.commune.sync.packages()[0]["refusal"]["status"] == "held"
    reports = pair.import_(first)
    assert [(r.sequence, r.status) for r in reports] == [(1, "applied"), (2, "applied")]
    assert reports[1].counts["household"]["unchanged"] == 25
    assert not list(pair.office.sync.held_dir.iterdir())
    for r in reports:  # the acknowledgements of both replace the "held" one
        pair.commune.sync.import_ack(SYSTEM, r.ack_path)
    assert [p["refusal"] for p in pair.commune.sync.packages()] == [None, None]
    assert pair.commune.sync.state_counts()["household"]["accepted"] == 25


def test_a_dry_run_of_a_refused_package_writes_no_acknowledgement(pair: Pair) -> None:
    second = (pair.export(), pair.export())[1]
    [held] = pair.import_(second, dry_run=True)
    assert held.status == "held" and held.ack_path is None and not (pair.tmp / "acks").exists()


def test_a_full_package_replaces_the_missing_ones(pair: Pair) -> None:
    pair.export()  # number 1, lost on the way
    pair.export()  # number 2, lost too
    full = pair.commune.sync.export(SYSTEM, pair.tmp / "out", full=True).value
    assert full.kind == "full" and full.sequence == 3
    [report] = pair.import_(full.path)
    assert report.status == "applied"
    assert counts(pair.office) == counts(pair.commune)


def repack(pair: Pair, package: Path, edit: Callable[[dict[str, RecordFile]], None]) -> Path:
    """The same package with edited records, signed and encrypted properly: only the checks of the
    records themselves can catch what `edit` did."""
    opened = open_package(package)
    keys = pair.office.sync.keys()
    files = opened.decrypt(keys.box_private, keys.fingerprint)
    edit(files)
    m = {k: v for k, v in opened.manifest.items() if k not in ("files", "counts", "sender", "recipient", "encryption")}
    out = package.with_name("repacked" + SUFFIX)
    write_package(out, m, list(files.values()), pair.commune.sync.keys(), pair.office.sync.own_public_key())
    return out


def _break(reg: Register, sql: str) -> None:
    conn = sqlite3.connect(reg.db.path)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def test_bad_records_are_rejected_one_by_one_with_reasons_and_the_ack_says_why(pair: Pair) -> None:
    conn = sqlite3.connect(pair.commune.db.path)
    ids = [r[0] for r in conn.execute("SELECT uuid FROM member WHERE relation != 'head' AND id_number IS NOT NULL "
                                      "ORDER BY id LIMIT 2")]
    head_less = conn.execute("SELECT uuid FROM household ORDER BY id DESC LIMIT 1").fetchone()[0]
    conn.close()
    # Written behind the services' back, as a damaged or hand-edited register would be.
    _break(pair.commune, f"UPDATE member SET sex = 'robot' WHERE uuid = '{ids[0]}'")
    _break(pair.commune, f"UPDATE member SET id_number = '123' WHERE uuid = '{ids[1]}'")

    def drop_head_name(files: dict[str, RecordFile]) -> None:  # the database itself would refuse a NULL
        f = files["household"]
        at = f.fields.index("head_name")
        for row in f.rows:
            if row[f.fields.index("uuid")] == head_less:
                row[at] = None

    sent = repack(pair, pair.export(), drop_head_name)
    _break(pair.commune, f"UPDATE sync_package SET sha256 = '{file_sha256(sent)}'")  # as if it had sent this one
    [report] = pair.import_(sent)
    assert report.status == "applied"
    why = {r.uuid: (r.field, r.msgid) for r in report.rejected}
    assert why[ids[0]] == ("sex", "Must be one of: {choices}")
    assert why[ids[1]] == ("id_number", "An ID number (CCCD) has exactly 12 digits")
    assert why[head_less] == ("head_name", "Required")
    # The members of the refused household go with it, each saying why.
    members = [r for r in report.rejected if r.record_type == "member" and r.field == "household_uuid"]
    assert members and all(r.msgid == "Its household is not in the register or was rejected" for r in members)
    assert counts(pair.office)["households"] == 24
    ack = pair.commune.sync.import_ack(SYSTEM, report.ack_path).value
    assert {r.uuid for r in ack.rejected} == {r.uuid for r in report.rejected}
    states = {s.uuid: s for s in pair.commune.sync.record_states("household")}
    assert states[head_less].state == "rejected" and states[head_less].reason.field == "head_name"
    assert pair.commune.sync.state_counts()["household"] == {"not_sent": 0, "sent": 0, "accepted": 24, "rejected": 1}


def test_a_record_of_another_commune_cannot_be_overwritten(pair: Pair, tmp_path: Path) -> None:
    pair.import_(pair.export())
    neighbour_code = next(c.code for c in admin_units.communes_of(PROVINCE) if c.code != COMMUNE)
    neighbour = open_commune(tmp_path / "neighbour", 3, seed=9, code=neighbour_code)
    try:
        introduce(neighbour, pair.office)
        assert pair.import_(neighbour.sync.export(SYSTEM, tmp_path / "n").value.path)[0].status == "applied"
        victim = pair.commune.search.rows(pair.commune.search.ids(
            HouseholdFilter()))[0].uuid
        conn = sqlite3.connect(pair.commune.db.path)
        member = conn.execute("SELECT uuid FROM member ORDER BY id DESC LIMIT 1").fetchone()[0]
        conn.close()
        _break(neighbour, f"UPDATE household SET uuid = '{victim}', revision = 99 WHERE id = 1")
        _break(neighbour, f"UPDATE member SET uuid = '{member}', revision = 99, full_name = 'Kẻ Mạo Danh' "
                          "WHERE id = (SELECT max(id) FROM member)")
        [report] = pair.import_(neighbour.sync.export(SYSTEM, tmp_path / "n").value.path)
        assert report.status == "applied"
        stolen = {r.uuid for r in report.rejected if r.msgid == "The record belongs to another commune"}
        assert member in stolen
        # The household is refused too (its code is already the neighbour's own household's).
        assert victim in {r.uuid for r in report.rejected}
        assert counts(pair.office) == counts(pair.commune)
    finally:
        neighbour.close()


def test_a_first_package_with_a_uuid_the_office_holds_is_refused_whole(pair: Pair, tmp_path: Path) -> None:
    pair.import_(pair.export())
    neighbour_code = next(c.code for c in admin_units.communes_of(PROVINCE) if c.code != COMMUNE)
    neighbour = open_commune(tmp_path / "neighbour", 3, seed=9, code=neighbour_code)
    try:
        introduce(neighbour, pair.office)
        conn = sqlite3.connect(pair.commune.db.path)
        member = conn.execute("SELECT uuid FROM member ORDER BY id DESC LIMIT 1").fetchone()[0]
        conn.close()
        _break(neighbour, f"UPDATE member SET uuid = '{member}' WHERE id = (SELECT max(id) FROM member)")
        before = db_dump(pair.office)
        [report] = pair.import_(neighbour.sync.export(SYSTEM, tmp_path / "n").value.path)
        assert report.status == "rejected" and "could not be applied" in report.msgid
        assert db_dump(pair.office) == before
        # The copied register's sender is authenticated: it learns why, with its own key's package.
        ack = neighbour.sync.import_ack(SYSTEM, report.ack_path).value
        assert ack.status == "refused" and ack.reason is not None and "could not be applied" in ack.reason.msgid
    finally:
        neighbour.close()


def test_office_overview_and_people_in_two_communes(pair: Pair, tmp_path: Path) -> None:
    pair.import_(pair.export())
    neighbour_code = next(c.code for c in admin_units.communes_of(PROVINCE) if c.code != COMMUNE)
    neighbour = open_commune(tmp_path / "neighbour", 4, seed=11, code=neighbour_code)
    try:
        conn = sqlite3.connect(pair.commune.db.path)
        idn, sex, birth = conn.execute("SELECT id_number, sex, birth_date FROM member WHERE id_number IS NOT NULL "
                                       "LIMIT 1").fetchone()
        conn.close()
        _break(neighbour, f"UPDATE member SET id_number = '{idn}', sex = '{sex}', birth_date = '{birth}' "
                          "WHERE id = (SELECT min(id) FROM member)")
        introduce(neighbour, pair.office)
        pair.import_(neighbour.sync.export(SYSTEM, tmp_path / "n").value.path)
        rows = {r.code: r for r in pair.office.sync.overview()}
        assert set(rows) == {COMMUNE, neighbour_code}
        assert rows[COMMUNE].counts == counts(pair.commune)
        assert rows[neighbour_code].counts["households"] == 4
        assert rows[COMMUNE].last_sequence == 1 and rows[COMMUNE].last_applied is not None
        assert 0 <= rows[COMMUNE].poor_rate <= 1
        shared = pair.office.sync.shared_people()
        assert [s.id_number for s in shared] == [idn]
        assert {c for c, _ in shared[0].households} == {COMMUNE, neighbour_code}
    finally:
        neighbour.close()


def test_keys_and_trust_are_checked(pair: Pair, tmp_path: Path) -> None:
    from povcase.errors import PovcaseError

    with pytest.raises(PovcaseError, match="commune's key"):
        pair.commune.sync.trust(SYSTEM, pair.commune.sync.own_public_key())
    stranger = open_commune(tmp_path / "stranger", 1, seed=3, code=_other_province_commune())
    try:
        with pytest.raises(PovcaseError, match="not to this office's province"):
            pair.office.sync.trust(SYSTEM, stranger.sync.own_public_key())
    finally:
        stranger.close()
    with pytest.raises(PovcaseError, match="already set up"):
        pair.office.sync.setup_office(SYSTEM, PROVINCE, "again")


def test_an_older_register_gets_keys_when_opened(tmp_path: Path) -> None:
    reg = open_commune(tmp_path / "old", 1, seed=1)
    reg.close()
    assert not (tmp_path / "old" / "keys").exists()  # as a register made before sync existed
    reg = Register.open(tmp_path / "old")
    try:
        assert sorted(f.name for f in (tmp_path / "old" / "keys").iterdir()) == ["box.key", "sign.key"]
        assert reg.sync.own_public_key().role == "commune"
    finally:
        reg.close()


def test_an_ack_is_checked_against_the_office_key(pair: Pair) -> None:
    from povcase.errors import PovcaseError

    [report] = pair.import_(pair.export())
    data = json.loads(report.ack_path.read_bytes())
    data["ack"]["rejected"] = []
    data["ack"]["office"]["name"] = "Văn phòng giả mạo"
    forged = pair.tmp / "forged.povack"
    forged.write_text(json.dumps(data))
    before = table_counts(pair.commune), db_dump(pair.commune)
    with pytest.raises(PovcaseError, match="signature"):
        pair.commune.sync.import_ack(SYSTEM, forged)
    assert (table_counts(pair.commune), db_dump(pair.commune)) == before


_VALUES = st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats(allow_nan=False, allow_infinity=False) | \
    st.text(max_size=40) | st.lists(st.integers(), max_size=2) | st.dictionaries(st.text(max_size=3), st.none(),
                                                                                 max_size=2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_record_values_in_a_signed_package_never_crash_the_import(pair: Pair, data: st.DataObject) -> None:
    """Properly signed and encrypted, so only the record checks stand between the values and the register."""
    if not hasattr(pair, "package"):
        pair.package = pair.export()  # type: ignore[attr-defined]
        pair.before = db_dump(pair.office)  # type: ignore[attr-defined]

    def scramble(files: dict[str, RecordFile]) -> None:
        for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
            f = files[data.draw(st.sampled_from(sorted(files)))]
            if f.rows:
                row = f.rows[data.draw(st.integers(min_value=0, max_value=len(f.rows) - 1))]
                row[data.draw(st.integers(min_value=0, max_value=len(f.fields) - 1))] = data.draw(_VALUES)

    [report] = pair.import_(repack(pair, pair.package, scramble), dry_run=True)  # type: ignore[attr-defined]
    assert report.status in ("preview", "rejected")
    if report.status == "rejected":
        assert report.msgid
    assert db_dump(pair.office) == pair.before  # type: ignore[attr-defined]
